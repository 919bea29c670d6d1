/*
 * The episode cache file: a fixed header (magic, version, byte order, the
 * capture's key, counts, skips, reader name, assumption, checksums) followed
 * by the episode array and the busy-interval array exactly as they sit in
 * memory. Native byte order: a file from another byte order fails the check.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpsim/atomic_file.h"
#include "hpsim/cache.h"

#define BYTE_ORDER_MARK 0x01020304u

static const char magic[8] = {'H', 'P', 'S', 'I', 'M', 'E', 'P', '\n'};

/* sizeof is a multiple of 8, so the arrays after it are aligned in a page-aligned mapping */
struct header {
	char magic[8];
	uint32_t version;
	uint32_t byte_order;
	uint32_t header_size;
	uint32_t ep_size;
	uint32_t busy_size;
	uint32_t ncpu;
	uint64_t cap_size;
	int64_t cap_mtime_sec, cap_mtime_nsec;
	int64_t cap_ctime_sec, cap_ctime_nsec;
	uint64_t cap_ino;
	uint64_t cap_head_sum;
	uint64_t n, nbusy;
	uint64_t t_first_ns, t_last_ns;
	struct hp_skips skipped;
	char format[32];
	char assumption[160];
	uint64_t payload_sum;
	uint64_t header_sum; /* of every byte above */
};

_Static_assert(sizeof(struct header) % 8 == 0, "arrays after the header must stay aligned");

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/*
 * Four independent lanes of (rotate(lane ^ word)) * odd prime, then the lanes
 * and the tail folded in one by one. Every step is a bijection of the state
 * for a fixed input word and of the word for a fixed state, so changing any
 * one 8-byte word changes the sum; the lanes keep the multiplier busy.
 */
static const uint64_t prime = 0x100000001b3ULL;

void hp_cache_sum_begin(struct hp_cache_sum_state *s, uint64_t h)
{
	s->l[0] = h ^ 0xcbf29ce484222325ULL;
	s->l[1] = h ^ 0x84222325cbf29ce4ULL;
	s->l[2] = h ^ 0x9e3779b97f4a7c15ULL;
	s->l[3] = h ^ 0xbf58476d1ce4e5b9ULL;
}

size_t hp_cache_sum_update(struct hp_cache_sum_state *s, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w[4];
	size_t done = n & ~(size_t)31;

	for (; n >= 32; n -= 32, b += 32) {
		memcpy(w, b, 32);
		s->l[0] = rotl64(s->l[0] ^ w[0], 27) * prime;
		s->l[1] = rotl64(s->l[1] ^ w[1], 27) * prime;
		s->l[2] = rotl64(s->l[2] ^ w[2], 27) * prime;
		s->l[3] = rotl64(s->l[3] ^ w[3], 27) * prime;
	}
	return done;
}

uint64_t hp_cache_sum_end(const struct hp_cache_sum_state *s, const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t w, h;

	h = rotl64((uint64_t)n ^ s->l[0], 31) * prime;
	h = rotl64(h ^ s->l[1], 31) * prime;
	h = rotl64(h ^ s->l[2], 31) * prime;
	h = rotl64(h ^ s->l[3], 31) * prime;
	for (; n >= 8; n -= 8, b += 8) {
		memcpy(&w, b, 8);
		h = rotl64(h ^ w, 31) * prime;
	}
	for (; n; n--, b++)
		h = rotl64(h ^ *b, 31) * prime;
	return h;
}

uint64_t hp_cache_sum(uint64_t h, const void *p, size_t n)
{
	struct hp_cache_sum_state s;
	size_t done;

	hp_cache_sum_begin(&s, h);
	done = hp_cache_sum_update(&s, p, n);
	/* p may be NULL with n 0 (no vCPU map): no pointer arithmetic on it */
	return hp_cache_sum_end(&s, n ? (const unsigned char *)p + done : p, n - done);
}

int hp_cache_key_of(const char *capture, struct hp_cache_key *k, struct hp_err *err)
{
	unsigned char head[HP_CACHE_HEAD_BYTES];
	struct stat st;
	ssize_t got;
	int fd;

	memset(k, 0, sizeof(*k));
	fd = open(capture, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hp_errf(err, "%s: %s", capture, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return hp_errf(err, "%s: not a regular file", capture);
	}
	got = pread(fd, head, sizeof(head), 0);
	close(fd);
	if (got < 0)
		return hp_errf(err, "%s: %s", capture, strerror(errno));
	k->size = (uint64_t)st.st_size;
	k->mtime_sec = (int64_t)st.st_mtim.tv_sec;
	k->mtime_nsec = (int64_t)st.st_mtim.tv_nsec;
	k->ctime_sec = (int64_t)st.st_ctim.tv_sec;
	k->ctime_nsec = (int64_t)st.st_ctim.tv_nsec;
	k->ino = (uint64_t)st.st_ino;
	k->head_sum = hp_cache_sum(0, head, (size_t)got);
	return 0;
}

int hp_cache_dir(const char *dir, char *out, size_t len, struct hp_err *err)
{
	const char *env;
	int n;

	if (dir) {
		n = snprintf(out, len, "%s", dir);
	} else {
		env = getenv("XDG_CACHE_HOME");
		if (env && env[0] == '/') {
			n = snprintf(out, len, "%s/hpsim", env);
		} else {
			env = getenv("HOME");
			if (!env || env[0] != '/')
				return hp_errf(err,
				               "no cache directory: neither XDG_CACHE_HOME nor "
				               "HOME is an absolute path");
			n = snprintf(out, len, "%s/.cache/hpsim", env);
		}
	}
	if (n < 0 || (size_t)n >= len)
		return hp_errf(err, "cache directory path too long");
	return 0;
}

int hp_cache_path_in_dir(const char *capture, const char *dir, char *out, size_t len,
                         struct hp_err *err)
{
	char real[PATH_MAX], base[PATH_MAX];
	const char *name;
	int n;

	if (!realpath(capture, real))
		return hp_errf(err, "%s: %s", capture, strerror(errno));
	name = strrchr(real, '/');
	name = name ? name + 1 : real;
	if (hp_cache_dir(dir, base, sizeof(base), err) < 0)
		return -1;
	/* the full path's checksum keeps captures of the same name apart */
	n = snprintf(out, len, "%s/%016llx-%s.hpep", base,
	             (unsigned long long)hp_cache_sum(0, real, strlen(real)), name);
	if (n < 0 || (size_t)n >= len)
		return hp_errf(err, "%s: cache path too long", capture);
	return 0;
}

int hp_cache_clean(const char *dir, uint64_t *files, uint64_t *bytes, struct hp_err *err)
{
	char base[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *de;
	struct stat st;
	DIR *d;

	*files = *bytes = 0;
	if (hp_cache_dir(dir, base, sizeof(base), err) < 0)
		return -1;
	d = opendir(base);
	if (!d)
		return errno == ENOENT ? 0 : hp_errf(err, "%s: %s", base, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		/* only hpsim's own files: cache files and temporaries of interrupted writes */
		if (!(l > 5 && !strcmp(de->d_name + l - 5, ".hpep")) &&
		    !(l > 4 && !strcmp(de->d_name + l - 4, ".tmp") && strstr(de->d_name, ".hpep.")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", base, de->d_name);
		if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (unlink(path) < 0) {
			closedir(d);
			return hp_errf(err, "%s: cannot remove: %s", path, strerror(errno));
		}
		(*files)++;
		*bytes += (uint64_t)st.st_size;
	}
	closedir(d);
	return 0;
}

static int read_all(int fd, void *buf, size_t len, uint64_t off)
{
	unsigned char *p = buf;

	while (len) {
		ssize_t got = pread(fd, p, len, (off_t)off);

		if (got <= 0)
			return -1;
		p += got;
		off += (uint64_t)got;
		len -= (size_t)got;
	}
	return 0;
}

static int check_header(const struct header *h, const struct hp_cache_key *k, uint64_t file_size,
                        struct hp_err *err)
{
	uint64_t want;

	if (memcmp(h->magic, magic, sizeof(magic)))
		return hp_errf(err, "not an hpsim episode cache (bad magic)");
	if (h->version != HP_CACHE_VERSION || h->byte_order != BYTE_ORDER_MARK ||
	    h->header_size != sizeof(*h) || h->ep_size != sizeof(struct hp_episode) ||
	    h->busy_size != sizeof(struct hp_busy))
		return hp_errf(err, "written by another version or byte order (version %u)",
		               h->version);
	if (hp_cache_sum(0, h, offsetof(struct header, header_sum)) != h->header_sum)
		return hp_errf(err, "header checksum mismatch");
	if (h->cap_size != k->size || h->cap_mtime_sec != k->mtime_sec ||
	    h->cap_mtime_nsec != k->mtime_nsec || h->cap_ctime_sec != k->ctime_sec ||
	    h->cap_ctime_nsec != k->ctime_nsec || h->cap_ino != k->ino ||
	    h->cap_head_sum != k->head_sum)
		return hp_errf(err, "stale: the capture changed since the cache was written");
	if (h->n > (UINT64_MAX / 2) / sizeof(struct hp_episode) ||
	    h->nbusy > (UINT64_MAX / 2) / sizeof(struct hp_busy))
		return hp_errf(err, "implausible counts");
	want = sizeof(*h) + h->n * sizeof(struct hp_episode) + h->nbusy * sizeof(struct hp_busy);
	if (want != file_size)
		return hp_errf(err, "size %llu, expected %llu (truncated?)",
		               (unsigned long long)file_size, (unsigned long long)want);
	if (!memchr(h->format, '\0', sizeof(h->format)) ||
	    !memchr(h->assumption, '\0', sizeof(h->assumption)))
		return hp_errf(err, "unterminated names");
	return 0;
}

/* Open cache_path and read and check its header against key: the fd, or -1 with err. */
static int open_checked(const char *cache_path, const struct hp_cache_key *key, struct header *h,
                        struct stat *st, struct hp_err *err)
{
	int fd = open(cache_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hp_errf(err, "%s: %s", cache_path, strerror(errno));
	if (fstat(fd, st) < 0 || (uint64_t)st->st_size < sizeof(*h) ||
	    read_all(fd, h, sizeof(*h), 0) < 0) {
		close(fd);
		return hp_errf(err, "%s: shorter than a cache header", cache_path);
	}
	if (check_header(h, key, (uint64_t)st->st_size, err) < 0) {
		close(fd);
		return hp_err_prefix(err, "%s: ", cache_path);
	}
	return fd;
}

/* The capture's description the header carries, into eps and format. */
static void header_meta(const struct header *h, struct hp_episodes *eps, char *format,
                        size_t format_len)
{
	eps->ncpu = h->ncpu;
	eps->t_first_ns = h->t_first_ns;
	eps->t_last_ns = h->t_last_ns;
	eps->skipped = h->skipped;
	memcpy(eps->assumption, h->assumption, sizeof(eps->assumption));
	snprintf(format, format_len, "%s", h->format);
}

int hp_cache_load(const char *cache_path, const struct hp_cache_key *key, struct hp_episodes *eps,
                  char *format, size_t format_len, struct hp_err *err)
{
	struct header h;
	struct stat st;
	size_t ep_bytes, busy_bytes;
	unsigned char *map;
	uint64_t sum;
	int fd;

	memset(eps, 0, sizeof(*eps));
	fd = open_checked(cache_path, key, &h, &st, err);
	if (fd < 0)
		return -1;
	/*
	 * A private mapping, prefaulted read-only (sharing the page cache's pages) and then
	 * made writable: the arrays are used in place, and a write to them copies the page
	 * and never reaches the file.
	 */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return hp_errf(err, "%s: cannot map: %s", cache_path, strerror(errno));
	if (mprotect(map, (size_t)st.st_size, PROT_READ | PROT_WRITE) < 0) {
		munmap(map, (size_t)st.st_size);
		return hp_errf(err, "%s: cannot map: %s", cache_path, strerror(errno));
	}
	ep_bytes = (size_t)h.n * sizeof(struct hp_episode);
	busy_bytes = (size_t)h.nbusy * sizeof(struct hp_busy);
	sum = hp_cache_sum(hp_cache_sum(0, map + sizeof(h), ep_bytes), map + sizeof(h) + ep_bytes,
	                   busy_bytes);
	if (sum != h.payload_sum) {
		munmap(map, (size_t)st.st_size);
		return hp_errf(err, "%s: payload checksum mismatch (damaged)", cache_path);
	}
	eps->map = map;
	eps->map_len = (size_t)st.st_size;
	eps->ep = h.n ? (struct hp_episode *)(void *)(map + sizeof(h)) : NULL;
	eps->busy = h.nbusy ? (struct hp_busy *)(void *)(map + sizeof(h) + ep_bytes) : NULL;
	eps->n = eps->cap = (size_t)h.n;
	eps->nbusy = eps->busy_cap = (size_t)h.nbusy;
	header_meta(&h, eps, format, format_len);
	return 0;
}

int hp_cache_open_stream(const char *cache_path, const struct hp_cache_key *key,
                         struct hp_episodes *eps, char *format, size_t format_len,
                         struct hp_cache_stream *cs, struct hp_err *err)
{
	struct header h;
	struct stat st;
	size_t busy_bytes;
	int fd;

	memset(eps, 0, sizeof(*eps));
	memset(cs, 0, sizeof(*cs));
	cs->fd = -1;
	fd = open_checked(cache_path, key, &h, &st, err);
	if (fd < 0)
		return -1;
	busy_bytes = (size_t)h.nbusy * sizeof(struct hp_busy);
	if (busy_bytes) {
		eps->busy = malloc(busy_bytes);
		if (!eps->busy || read_all(fd, eps->busy, busy_bytes,
		                           sizeof(h) + h.n * sizeof(struct hp_episode)) < 0) {
			free(eps->busy);
			eps->busy = NULL;
			close(fd);
			return hp_errf(err, "%s: cannot read the contention intervals", cache_path);
		}
	}
	eps->nbusy = eps->busy_cap = (size_t)h.nbusy;
	header_meta(&h, eps, format, format_len);
	cs->n = h.n;
	cs->fd = fd;
	cs->ep_off = sizeof(h);
	cs->payload_sum = h.payload_sum;
	return 0;
}

int hp_cache_read_at(const struct hp_cache_stream *cs, void *buf, size_t len, uint64_t off)
{
	return read_all(cs->fd, buf, len, off);
}

/* mkdir -p for the directory part of path. */
static int make_parents(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			struct stat st;

			if (stat(buf, &st) < 0 || !S_ISDIR(st.st_mode))
				return -1;
		}
		*p = '/';
	}
	return 0;
}

/* The header of a cache of eps's description and n episodes whose payload sums to sum. */
static void fill_header(struct header *h, const struct hp_cache_key *key,
                        const struct hp_episodes *eps, uint64_t n, uint64_t sum)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, magic, sizeof(magic));
	h->version = HP_CACHE_VERSION;
	h->byte_order = BYTE_ORDER_MARK;
	h->header_size = sizeof(*h);
	h->ep_size = sizeof(struct hp_episode);
	h->busy_size = sizeof(struct hp_busy);
	h->ncpu = eps->ncpu;
	h->cap_size = key->size;
	h->cap_mtime_sec = key->mtime_sec;
	h->cap_mtime_nsec = key->mtime_nsec;
	h->cap_ctime_sec = key->ctime_sec;
	h->cap_ctime_nsec = key->ctime_nsec;
	h->cap_ino = key->ino;
	h->cap_head_sum = key->head_sum;
	h->n = n;
	h->nbusy = eps->nbusy;
	h->t_first_ns = eps->t_first_ns;
	h->t_last_ns = eps->t_last_ns;
	h->skipped = eps->skipped;
	snprintf(h->format, sizeof(h->format), "%s", eps->format ? eps->format : "");
	memcpy(h->assumption, eps->assumption, sizeof(h->assumption));
	h->assumption[sizeof(h->assumption) - 1] = '\0';
	h->payload_sum = sum;
	h->header_sum = hp_cache_sum(0, h, offsetof(struct header, header_sum));
}

int hp_cache_writer_open(struct hp_cache_writer *w, const char *cache_path,
                         const struct hp_cache_key *key, struct hp_err *err)
{
	struct header h;

	memset(w, 0, sizeof(*w));
	w->key = *key;
	hp_cache_sum_begin(&w->sum, 0);
	if (make_parents(cache_path) < 0)
		return hp_errf(err, "%s: cannot create its directory: %s", cache_path,
		               strerror(errno));
	if (hp_atomic_open(&w->file, cache_path, err) < 0)
		return -1;
	/* a placeholder, rewritten by the commit once the counts and sums are known */
	memset(&h, 0, sizeof(h));
	if (fwrite(&h, sizeof(h), 1, w->file.f) != 1) {
		hp_atomic_abort(&w->file);
		return hp_errf(err, "%s: write failed: %s", cache_path, strerror(errno));
	}
	return 0;
}

int hp_cache_writer_add(struct hp_cache_writer *w, const struct hp_episode *ep, size_t n,
                        struct hp_err *err)
{
	if (n && fwrite(ep, sizeof(*ep), n, w->file.f) != n) {
		hp_atomic_abort(&w->file);
		return hp_errf(err, "episode cache: write failed: %s", strerror(errno));
	}
	hp_cache_sum_update(&w->sum, ep, n * sizeof(*ep));
	w->n += n;
	return 0;
}

int hp_cache_writer_commit(struct hp_cache_writer *w, const struct hp_episodes *eps,
                           struct hp_err *err)
{
	size_t busy_bytes = eps->nbusy * sizeof(struct hp_busy);
	uint64_t sum = hp_cache_sum(hp_cache_sum_end(&w->sum, NULL, 0), eps->busy, busy_bytes);
	struct header h;

	fill_header(&h, &w->key, eps, w->n, sum);
	if ((busy_bytes && fwrite(eps->busy, busy_bytes, 1, w->file.f) != 1) ||
	    fseek(w->file.f, 0, SEEK_SET) < 0 || fwrite(&h, sizeof(h), 1, w->file.f) != 1) {
		hp_atomic_abort(&w->file);
		return hp_errf(err, "episode cache: write failed: %s", strerror(errno));
	}
	return hp_atomic_commit(&w->file, err);
}

void hp_cache_writer_abort(struct hp_cache_writer *w)
{
	hp_atomic_abort(&w->file);
}

int hp_cache_store(const char *cache_path, const struct hp_cache_key *key,
                   const struct hp_episodes *eps, struct hp_err *err)
{
	struct hp_atomic_file a;
	struct header h;
	size_t ep_bytes = eps->n * sizeof(struct hp_episode);
	size_t busy_bytes = eps->nbusy * sizeof(struct hp_busy);

	fill_header(&h, key, eps, eps->n,
	            hp_cache_sum(hp_cache_sum(0, eps->ep, ep_bytes), eps->busy, busy_bytes));
	if (make_parents(cache_path) < 0)
		return hp_errf(err, "%s: cannot create its directory: %s", cache_path,
		               strerror(errno));
	if (hp_atomic_open(&a, cache_path, err) < 0)
		return -1;
	if (fwrite(&h, sizeof(h), 1, a.f) != 1 ||
	    (ep_bytes && fwrite(eps->ep, ep_bytes, 1, a.f) != 1) ||
	    (busy_bytes && fwrite(eps->busy, busy_bytes, 1, a.f) != 1)) {
		hp_atomic_abort(&a);
		return hp_errf(err, "%s: write failed: %s", cache_path, strerror(errno));
	}
	return hp_atomic_commit(&a, err);
}
