/*
 * Salvage for a version-7 trace.dat cut short (trace-cmd 3.x's default).
 *
 * Such a file is: the initial header (ending in the offset of the first
 * options section), sections of metadata, a first options section (its DONE
 * option gives the offset of the next one), the CPU data section (each CPU's
 * data page-aligned: a 4-byte chunk count, then chunks of <compressed size,
 * uncompressed size, compressed bytes>), and, written last, an options
 * section whose BUFFER option says where each CPU's data is. A cut anywhere
 * before the file's tail loses that last section, so libtracecmd cannot find
 * any CPU data. Here the file is walked as written, the whole chunks up to
 * the cut are counted, and a copy is written with the cut CPU's chunk count
 * fixed and a new last options section (BUFFER, DONE) that names the data
 * kept. Only little-endian files with uncompressed options sections are
 * handled (what trace-cmd writes on x86 and arm64).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "salvage_v7.h"

enum { OPT_DONE = 0, OPT_BUFFER = 3, OPT_TRACECLOCK = 4, OPT_CPUCOUNT = 8 };

#define SECTION_HEAD 16u         /* id 2, flags 2, string id 4, size 8 */
#define MAX_CHUNK    (64u << 20) /* far beyond what trace-cmd writes (10 pages) */
#define MAX_CHUNKS   (1u << 26)
#define COMPRESSED   1u

struct layout {
	struct hp_v7_cut cut;
	uint32_t page;
	uint32_t opt_strid; /* the options sections' name (a string id) */
	uint64_t done_at;   /* where the value of the last reachable DONE option is */
	uint64_t buf_sec;   /* the CPU data section's header */
	uint64_t count_at;  /* the cut CPU's chunk count */
	char clock[32];
	uint64_t off[HP_V7_MAX_CPUS], len[HP_V7_MAX_CPUS];
};

static int rd(int fd, uint64_t at, void *p, size_t n, uint64_t size)
{
	if (at > size || n > size - at)
		return -1;
	return pread(fd, p, n, (off_t)at) == (ssize_t)n ? 0 : -1;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8), p[2] = (unsigned char)(v >> 16),
	p[3] = (unsigned char)(v >> 24);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* The offset of the first options section, or 0 when this is no little-endian v7 file. */
static uint64_t initial_header(int fd, uint64_t size, uint32_t *page, int *raw)
{
	static const unsigned char magic[] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};
	unsigned char h[128], b[8];
	size_t at, k;

	if (rd(fd, 0, h, sizeof(h) < size ? sizeof(h) : (size_t)size, size) < 0 || size < 24 ||
	    memcmp(h, magic, sizeof(magic)) != 0 || memcmp(h + 10, "7", 2) != 0)
		return 0;
	if (h[12] != 0) /* big-endian */
		return 0;
	*page = le32(h + 14);
	at = 18;
	*raw = !memcmp(h + at, "none", 5);
	for (k = 0; k < 2; k++) { /* the compression's name and version */
		const unsigned char *z = memchr(h + at, 0, sizeof(h) - at);

		if (!z)
			return 0;
		at = (size_t)(z - h) + 1;
	}
	if (rd(fd, at, b, 8, size) < 0)
		return 0;
	return le64(b);
}

/* The clock named [in brackets] by a TRACECLOCK option. */
static void clock_of(int fd, uint64_t at, uint32_t n, uint64_t size, char *out, size_t len)
{
	char buf[512];
	const char *l, *r;

	if (n >= sizeof(buf) || rd(fd, at, buf, n, size) < 0)
		return;
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r && (size_t)(r - l - 1) < len && r > l + 1)
		snprintf(out, len, "%.*s", (int)(r - l - 1), l + 1);
}

/*
 * Walk the options sections from first: 1 when the chain is cut (lo->done_at,
 * lo->buf_sec set), 0 when it is whole (nothing for salvage), -1 when the file
 * is not what this understands.
 */
static int walk_options(int fd, uint64_t size, uint64_t first, struct layout *lo)
{
	uint64_t sec = first;
	unsigned hops;

	for (hops = 0; hops < 64; hops++) {
		unsigned char sh[SECTION_HEAD], oh[6], v[8];
		uint64_t end, at;
		int done = 0;

		if (sec + SECTION_HEAD > size)
			return lo->done_at ? 1 : 2; /* 2: cut before the first one */
		if (rd(fd, sec, sh, sizeof(sh), size) < 0 || le16(sh) != OPT_DONE ||
		    (le16(sh + 2) & COMPRESSED))
			return -1;
		end = sec + SECTION_HEAD + le64(sh + 8);
		if (end > size || end < sec)
			return lo->done_at ? 1 : 2;
		lo->opt_strid = le32(sh + 4);
		for (at = sec + SECTION_HEAD; at + sizeof(oh) <= end && !done;) {
			uint16_t id;
			uint32_t n;

			if (rd(fd, at, oh, sizeof(oh), size) < 0)
				return -1;
			id = le16(oh), n = le32(oh + 2);
			at += sizeof(oh);
			if (n > end - at)
				return -1;
			if (id == OPT_BUFFER)
				return 0; /* the data's map survived the cut */
			if (id == OPT_CPUCOUNT && n == 4 && rd(fd, at, v, 4, size) == 0)
				lo->cut.ncpu = le32(v);
			if (id == OPT_TRACECLOCK)
				clock_of(fd, at, n, size, lo->clock, sizeof(lo->clock));
			if (id == OPT_DONE) {
				if (n != 8 || rd(fd, at, v, 8, size) < 0)
					return -1;
				lo->done_at = at;
				lo->buf_sec = end;
				done = 1;
			}
			at += n;
		}
		if (!done)
			return -1;
		sec = le64(v);
		if (!sec)
			return 0; /* the chain ends here: a file this does not understand */
	}
	return -1;
}

/* Walk the CPUs' chunks up to the cut; 1 when the cut falls in or before them. */
static int walk_data(int fd, uint64_t size, struct layout *lo)
{
	unsigned char sh[SECTION_HEAD], b[8];
	uint64_t at;
	uint32_t cpu;

	if (rd(fd, lo->buf_sec, sh, sizeof(sh), size) < 0)
		return 1; /* cut before the data section's header */
	if (le16(sh) != OPT_BUFFER || !lo->page || lo->page & (lo->page - 1) || !lo->cut.ncpu ||
	    lo->cut.ncpu > HP_V7_MAX_CPUS)
		return -1;
	lo->cut.data_at = lo->buf_sec;
	at = lo->buf_sec + SECTION_HEAD;
	for (cpu = 0; cpu < lo->cut.ncpu; cpu++) {
		uint32_t count, k;
		uint64_t start = (at + lo->page - 1) & ~(uint64_t)(lo->page - 1);

		lo->cut.cut_cpu = cpu;
		lo->cut.chunks = 0;
		lo->cut.of_chunks = 0;
		lo->count_at = 0; /* set once this CPU's count is read */
		if (rd(fd, start, b, 4, size) < 0) {
			lo->cut.keep = at; /* the end of the last CPU's data, or of the header */
			return 1;
		}
		at = start;
		lo->off[cpu] = start;
		lo->count_at = start;
		count = le32(b);
		if (count > MAX_CHUNKS)
			return -1;
		lo->cut.of_chunks = count;
		at += 4;
		for (k = 0; k < count; k++) {
			uint32_t c, u;

			if (rd(fd, at, b, 8, size) < 0)
				break;
			c = le32(b), u = le32(b + 4);
			if (c > MAX_CHUNK || u > MAX_CHUNK)
				return -1;
			if (at + 8 + c > size)
				break;
			at += 8 + c;
			lo->cut.chunks = k + 1;
		}
		lo->len[cpu] = at - start - 4; /* the map's size leaves out the count */
		if (k < count) {
			lo->cut.keep = at;
			return 1;
		}
		lo->cut.whole_cpu = cpu + 1;
	}
	lo->cut.keep = at;
	return 1; /* every CPU whole: the cut took the map of the data (the options chain is cut) */
}

static int find(int fd, uint64_t size, struct layout *lo)
{
	uint64_t first;
	int rc;

	memset(lo, 0, sizeof(*lo));
	snprintf(lo->clock, sizeof(lo->clock), "local");
	lo->cut.size = size;
	first = initial_header(fd, size, &lo->page, &lo->cut.raw);
	if (!first)
		return 0;
	rc = walk_options(fd, size, first, lo);
	if (rc == 2)
		return 1; /* cut before the first options section's end: nothing to read */
	if (rc <= 0)
		return 0;
	if (lo->cut.raw) { /* pages of several CPUs, one after another, their bounds lost */
		unsigned char sh[2];

		if (rd(fd, lo->buf_sec, sh, sizeof(sh), size) == 0 && le16(sh) == OPT_BUFFER)
			lo->cut.data_at = lo->buf_sec;
		return 1;
	}
	return walk_data(fd, size, lo) > 0;
}

int hp_v7_find_cut(int fd, uint64_t size, struct hp_v7_cut *cut)
{
	struct layout *lo = malloc(sizeof(*lo));
	int rc;

	if (!lo)
		return 0;
	rc = find(fd, size, lo);
	if (rc)
		*cut = lo->cut;
	free(lo);
	return rc;
}

static int copy_range(int in, int out, uint64_t n)
{
	char buf[65536];
	uint64_t at = 0;

	while (at < n) {
		size_t want = n - at < sizeof(buf) ? (size_t)(n - at) : sizeof(buf);
		ssize_t r = pread(in, buf, want, (off_t)at);

		if (r <= 0 || write(out, buf, (size_t)r) != r)
			return -1;
		at += (uint64_t)r;
	}
	return 0;
}

static int put_at(int fd, uint64_t at, const void *p, size_t n)
{
	return pwrite(fd, p, n, (off_t)at) == (ssize_t)n ? 0 : -1;
}

int hp_v7_write_repaired(int in_fd, int out_fd, const struct hp_v7_cut *cut, const char *path,
                         struct hp_err *err)
{
	struct layout *lo = malloc(sizeof(*lo));
	unsigned char *sec = NULL, b[8];
	size_t n, at, clen;
	uint32_t cpu;
	int rc = -1;

	if (!lo)
		return hp_errf(err, "%s: --salvage: out of memory", path);
	if (find(in_fd, cut->size, lo) != 1 || !lo->cut.data_at || lo->cut.raw) {
		hp_errf(err, "%s: --salvage: the file is cut before its CPU data: nothing to read",
		        path);
		goto out;
	}
	clen = strlen(lo->clock) + 1;
	/* a section header, BUFFER (offset, name "", clock, page size, CPUs, per CPU id,
	 * offset, size) and DONE */
	n = SECTION_HEAD + 6 + 8 + 1 + clen + 4 + 4 + (size_t)lo->cut.ncpu * 20 + 6 + 8;
	sec = calloc(1, n);
	if (!sec) {
		hp_errf(err, "%s: --salvage: out of memory", path);
		goto out;
	}
	at = 0;
	sec[at] = OPT_DONE, at += 4; /* the id of an options section, no flags */
	put32(sec + at, lo->opt_strid), at += 4;
	put64(sec + at, n - SECTION_HEAD), at += 8;
	sec[at] = OPT_BUFFER, at += 2;
	put32(sec + at, (uint32_t)(8 + 1 + clen + 8 + (size_t)lo->cut.ncpu * 20)), at += 4;
	put64(sec + at, lo->buf_sec), at += 8;
	at += 1; /* the top buffer's name: "" */
	memcpy(sec + at, lo->clock, clen), at += clen;
	put32(sec + at, lo->page), at += 4;
	put32(sec + at, lo->cut.ncpu), at += 4;
	for (cpu = 0; cpu < lo->cut.ncpu; cpu++) {
		int kept = cpu <= lo->cut.cut_cpu;

		put32(sec + at, cpu), at += 4;
		put64(sec + at, kept ? lo->off[cpu] : 0), at += 8;
		put64(sec + at, kept ? lo->len[cpu] : 0), at += 8;
	}
	sec[at] = OPT_DONE, at += 2;
	put32(sec + at, 8), at += 4;
	at += 8; /* no next section */
	if (copy_range(in_fd, out_fd, lo->cut.keep) < 0 || write(out_fd, sec, n) != (ssize_t)n) {
		hp_errf(err, "%s: --salvage: cannot write the repaired copy", path);
		goto out;
	}
	put64(b, lo->cut.keep); /* the last reachable DONE now leads to the new section */
	if (put_at(out_fd, lo->done_at, b, 8) < 0) {
		hp_errf(err, "%s: --salvage: cannot write the repaired copy", path);
		goto out;
	}
	if (lo->cut.whole_cpu < lo->cut.ncpu && lo->count_at && lo->count_at + 4 <= lo->cut.keep) {
		put32(b, lo->cut.chunks);
		if (put_at(out_fd, lo->count_at, b, 4) < 0) {
			hp_errf(err, "%s: --salvage: cannot write the repaired copy", path);
			goto out;
		}
	}
	put64(b, lo->cut.keep - lo->buf_sec - SECTION_HEAD); /* the data section's size */
	if (lo->cut.keep >= lo->buf_sec + SECTION_HEAD &&
	    put_at(out_fd, lo->buf_sec + 8, b, 8) < 0) {
		hp_errf(err, "%s: --salvage: cannot write the repaired copy", path);
		goto out;
	}
	rc = 0;
out:
	free(sec);
	free(lo);
	return rc;
}

void hp_v7_describe_cut(const struct hp_v7_cut *cut, char *buf, size_t len)
{
	if (!cut->data_at)
		snprintf(buf, len,
		         "the file is cut short at byte %" PRIu64
		         ", before its CPU data: no events "
		         "to read",
		         cut->size);
	else if (cut->raw)
		snprintf(buf, len,
		         "the file is cut short at byte %" PRIu64 ", in its CPU data, which is not "
		         "compressed: the map of where each CPU's data ends is lost with the cut "
		         "and nothing in the pages tells, so it cannot be salvaged (a compressed "
		         "version-7 or a version-6 file can)",
		         cut->size);
	else if (cut->whole_cpu == cut->ncpu)
		snprintf(buf, len,
		         "the file is cut short at byte %" PRIu64 ", after the data of its %" PRIu32
		         " CPUs (the map of that data is lost)",
		         cut->size, cut->ncpu);
	else {
		int n = cut->of_chunks
		            ? snprintf(buf, len,
		                       "the file is cut short at byte %" PRIu64 ", in CPU %" PRIu32
		                       "'s data (%" PRIu32 " of its %" PRIu32
		                       " compressed chunks whole",
		                       cut->size, cut->cut_cpu, cut->chunks, cut->of_chunks)
		            : snprintf(buf, len,
		                       "the file is cut short at byte %" PRIu64
		                       ", before CPU %" PRIu32 "'s data (its chunk count "
		                       "is lost",
		                       cut->size, cut->cut_cpu);

		if (n < 0 || (size_t)n >= len)
			return;
		if (cut->cut_cpu + 2 < cut->ncpu)
			snprintf(buf + n, len - (size_t)n,
			         "; the data of CPUs %" PRIu32 " to %" PRIu32 " is lost)",
			         cut->cut_cpu + 1, cut->ncpu - 1);
		else if (cut->cut_cpu + 1 < cut->ncpu)
			snprintf(buf + n, len - (size_t)n, "; the data of CPU %" PRIu32 " is lost)",
			         cut->cut_cpu + 1);
		else
			snprintf(buf + n, len - (size_t)n, ")");
	}
}
