/*
 * The trace.dat reader in a child process. libtracecmd and libtraceevent
 * crash on some truncated or corrupt files; the child runs the in-process
 * reader (tracedat.c) under an address-space and a time limit and hands the
 * episodes back through a pipe, so that a library crash becomes an error
 * naming the file and how far the read got, never a crash of hpsim.
 *
 * The child counts the events it reads (opts->progress), which the reader
 * compares with the per-CPU counts the file's CPU statistics record, so that
 * a capture read only in part is flagged (hp_skips.unread_events). With opts->salvage, a truncated
 * capture (CPU data cut short, as by an interrupted recording) is read from a copy padded with
 * zeros to the length its header promises: the halts up to the cut, flagged hp_skips.truncated.
 *
 * With opts->sink (a first read streamed into the episode cache) the child
 * does not hold the episodes: it sends each halt as it is decoded, in frames
 * of at most FRAME_EPS, and the parent hands them to the sink as they come;
 * the description (skips, busy intervals, the sink's outputs) follows at the
 * end. A child that dies midway leaves the sink with part of the capture,
 * which the next attempt (salvage) or the caller resets.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hpsim/atomic_file.h"
#include "hpsim/trace.h"
#include "decode.h"
#include "salvage_v7.h"

#if defined(__SANITIZE_ADDRESS__)
#define HP_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HP_UNDER_ASAN 1
#endif
#endif

#define MIB               (1024ull * 1024ull)
#define DEFAULT_MEM_MIB   4096ull
#define DEFAULT_TIMEOUT_S 1800
#define SALVAGE_MAX_BYTES (1ull << 40)

/* What the child writes first; the episodes and busy intervals follow. */
struct wire_head {
	int32_t rc;
	uint32_t ncpu;
	uint64_t n, nbusy;
	uint64_t t_first_ns, t_last_ns;
	struct hp_skips skipped;
	char assumption[160];
	char msg[HP_ERR_MSG];
	/* streamed: the sink's outputs */
	uint32_t view, nvms;
	uint32_t base[HP_SINK_VMS];
	uint64_t sink_n[2];
};

/* A streamed child's message: kind, then n episodes (FRAME_GUEST, FRAME_HOST) or nothing. */
enum { FRAME_GUEST = HP_SINK_GUEST, FRAME_HOST = HP_SINK_HOST, FRAME_RESET, FRAME_END };
struct frame {
	uint32_t kind, n;
};
#define FRAME_EPS 1024u

/* The child's sink: a frame per view filling up, written to the pipe when full. */
struct pipe_sink {
	int fd;
	uint32_t fill[2];
	struct hp_episode ep[2][FRAME_EPS];
};

static void pipe_flush(struct pipe_sink *p, unsigned view)
{
	struct frame f = {view, p->fill[view]};

	if (!f.n)
		return;
	if (hp_write_all(p->fd, &f, sizeof(f)) < 0 ||
	    hp_write_all(p->fd, p->ep[view], f.n * sizeof(p->ep[view][0])) < 0)
		_exit(3);
	p->fill[view] = 0;
}

static int pipe_put(void *arg, unsigned view, const struct hp_episode *ep, struct hp_err *err)
{
	struct pipe_sink *p = arg;

	if (view > HP_SINK_HOST)
		return hp_errf(err, "a halt of an unknown view %u", view);
	p->ep[view][p->fill[view]++] = *ep;
	if (p->fill[view] == FRAME_EPS)
		pipe_flush(p, view);
	return 0;
}

static int pipe_reset(void *arg, struct hp_err *err)
{
	struct pipe_sink *p = arg;
	struct frame f = {FRAME_RESET, 0};

	(void)err;
	p->fill[0] = p->fill[1] = 0;
	if (hp_write_all(p->fd, &f, sizeof(f)) < 0)
		_exit(3);
	return 0;
}

/* A number from the environment, or def when unset or not a positive number. */
static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	char *end;
	unsigned long long v;

	if (!s || !*s)
		return def;
	v = strtoull(s, &end, 10);
	return (*end || v == 0) ? def : (uint64_t)v;
}

static void limit_child(void)
{
	struct rlimit core = {0, 0};

	setrlimit(RLIMIT_CORE, &core); /* a library crash leaves no core file behind */
	/* a crash ends the child, whatever handlers the program that embeds hpsim installed */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
	signal(SIGILL, SIG_DFL);
	signal(SIGFPE, SIG_DFL);
	signal(SIGABRT, SIG_DFL);
#ifndef HP_UNDER_ASAN
	{
		/* ASan reserves terabytes of address space up front: no limit under it */
		rlim_t mem = (rlim_t)(env_u64("HPSIM_READER_MEM_MB", DEFAULT_MEM_MIB) * MIB);
		struct rlimit as = {mem, mem};

		setrlimit(RLIMIT_AS, &as);
	}
#endif
}

static void child_main(int fd, const char *path, const struct hp_read_opts *opts,
                       struct hp_read_progress *pr)
{
	struct hp_read_opts o = *opts;
	struct hp_episodes eps = {0};
	struct hp_err err = {""};
	struct wire_head h;
	struct pipe_sink *ps = NULL;
	struct hp_ep_sink sink;

	limit_child();
	o.progress = pr;
	memset(&h, 0, sizeof(h));
	if (opts->sink) {
		ps = calloc(1, sizeof(*ps));
		if (!ps)
			_exit(3);
		ps->fd = fd;
		memset(&sink, 0, sizeof(sink));
		sink.put = pipe_put;
		sink.reset = pipe_reset;
		sink.arg = ps;
		o.sink = &sink;
	}
	h.rc = hp_reader_tracedat.read(path, &o, &eps, &err);
	if (ps) {
		struct frame end = {FRAME_END, 0};

		pipe_flush(ps, HP_SINK_GUEST);
		pipe_flush(ps, HP_SINK_HOST);
		if (hp_write_all(fd, &end, sizeof(end)) < 0)
			_exit(3);
		h.view = sink.view;
		h.nvms = sink.nvms;
		memcpy(h.base, sink.base, sizeof(h.base));
		h.sink_n[0] = sink.n[0];
		h.sink_n[1] = sink.n[1];
	}
	if (h.rc == 0) {
		h.ncpu = eps.ncpu;
		h.n = eps.n;
		h.nbusy = eps.nbusy;
		h.t_first_ns = eps.t_first_ns;
		h.t_last_ns = eps.t_last_ns;
		h.skipped = eps.skipped;
		memcpy(h.assumption, eps.assumption, sizeof(h.assumption));
	}
	memcpy(h.msg, err.msg, sizeof(h.msg));
	if (hp_write_all(fd, &h, sizeof(h)) < 0 ||
	    (h.rc == 0 && (hp_write_all(fd, eps.ep, eps.n * sizeof(*eps.ep)) < 0 ||
	                   hp_write_all(fd, eps.busy, eps.nbusy * sizeof(*eps.busy)) < 0)))
		_exit(3);
	_exit(0);
}

/* The bytes the child sent, read until it closes the pipe or the deadline passes. */
struct inbuf {
	char *p;
	size_t n, cap;
	int timed_out, nomem;
};

static void drain(int fd, struct inbuf *b, time_t deadline)
{
	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		time_t now = time(NULL);
		ssize_t r;
		int pr;

		if (now >= deadline) {
			b->timed_out = 1;
			return;
		}
		pr = poll(&pfd, 1,
		          (int)((deadline - now) * 1000 > 60000 ? 60000 : (deadline - now) * 1000));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0)
			continue;
		if (b->n == b->cap) {
			size_t cap = b->cap ? 2 * b->cap : 65536;
			char *np = realloc(b->p, cap);

			if (!np) {
				b->nomem = 1;
				return;
			}
			b->p = np;
			b->cap = cap;
		}
		r = read(fd, b->p + b->n, b->cap - b->n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		b->n += (size_t)r;
	}
}

/* What the result's head says of the capture, into eps (the arrays are filled apart). */
static void head_to_episodes(const struct wire_head *h, struct hp_episodes *eps)
{
	eps->nbusy = eps->busy_cap = h->nbusy;
	eps->ncpu = h->ncpu;
	eps->t_first_ns = h->t_first_ns;
	eps->t_last_ns = h->t_last_ns;
	eps->skipped = h->skipped;
	memcpy(eps->assumption, h->assumption, sizeof(eps->assumption));
}

/* The episodes in the child's bytes; 0, or -1 with err. */
static int unpack(const struct inbuf *b, const char *path, struct hp_episodes *eps,
                  struct hp_err *err)
{
	struct wire_head h;
	size_t need;

	if (b->n < sizeof(h))
		return hp_errf(err, "%s: the reader process sent no result", path);
	memcpy(&h, b->p, sizeof(h));
	h.msg[sizeof(h.msg) - 1] = '\0';
	h.assumption[sizeof(h.assumption) - 1] = '\0';
	if (h.rc != 0)
		return hp_errf(err, "%s", h.msg);
	if (h.n > (SIZE_MAX - sizeof(h)) / sizeof(*eps->ep) / 2 ||
	    h.nbusy > (SIZE_MAX - sizeof(h)) / sizeof(*eps->busy) / 2)
		return hp_errf(err, "%s: the reader process sent a damaged result", path);
	need = sizeof(h) + h.n * sizeof(*eps->ep) + h.nbusy * sizeof(*eps->busy);
	if (b->n != need)
		return hp_errf(err, "%s: the reader process sent a damaged result", path);
	eps->ep = h.n ? malloc(h.n * sizeof(*eps->ep)) : NULL;
	eps->busy = h.nbusy ? malloc(h.nbusy * sizeof(*eps->busy)) : NULL;
	if ((h.n && !eps->ep) || (h.nbusy && !eps->busy)) {
		free(eps->ep);
		free(eps->busy);
		eps->ep = NULL;
		eps->busy = NULL;
		return hp_errf(err, "%s: out of memory for %" PRIu64 " halts", path, h.n);
	}
	if (h.n)
		memcpy(eps->ep, b->p + sizeof(h), h.n * sizeof(*eps->ep));
	if (h.nbusy)
		memcpy(eps->busy, b->p + sizeof(h) + h.n * sizeof(*eps->ep),
		       h.nbusy * sizeof(*eps->busy));
	eps->n = eps->cap = h.n;
	head_to_episodes(&h, eps);
	return 0;
}

/* Read exactly n bytes before the deadline: 1, 0 at an early end, -1 when time ran out. */
static int read_full(int fd, void *p, size_t n, time_t deadline)
{
	char *c = p;

	while (n) {
		struct pollfd pfd = {fd, POLLIN, 0};
		time_t now = time(NULL);
		ssize_t r;
		int pr;

		if (now >= deadline)
			return -1;
		pr = poll(&pfd, 1,
		          (int)((deadline - now) * 1000 > 60000 ? 60000 : (deadline - now) * 1000));
		if (pr <= 0)
			continue;
		r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		c += r;
		n -= (size_t)r;
	}
	return 1;
}

enum rx { RX_OK, RX_SHORT, RX_TIMEOUT, RX_FAILED };

/*
 * A streamed child's frames: the halts to opts->sink as they come, then the
 * description into eps. RX_OK (rc: the read's result, err its message), or
 * what stopped it (RX_FAILED: the sink refused, err says why).
 */
static enum rx receive(int fd, time_t deadline, const char *path, const struct hp_read_opts *opts,
                       struct hp_episodes *eps, int *rc, struct hp_err *err)
{
	struct hp_ep_sink *sink = opts->sink;
	struct hp_episode *buf = malloc(FRAME_EPS * sizeof(*buf));
	struct wire_head h;
	struct frame f;
	enum rx out = RX_SHORT;
	int r;
	uint32_t i;

	if (!buf) {
		hp_errf(err, "%s: out of memory receiving the episodes", path);
		return RX_FAILED;
	}
	for (;;) {
		if ((r = read_full(fd, &f, sizeof(f), deadline)) <= 0)
			goto stop;
		if (f.kind == FRAME_RESET) {
			if (hp_dec_sink_reset(opts, err) < 0) {
				out = RX_FAILED;
				goto done;
			}
			continue;
		}
		if (f.kind == FRAME_END)
			break;
		if (f.kind > FRAME_HOST || f.n > FRAME_EPS)
			goto done; /* damaged: the caller says the result was short */
		if ((r = read_full(fd, buf, f.n * sizeof(*buf), deadline)) <= 0)
			goto stop;
		for (i = 0; i < f.n; i++)
			if (sink->put(sink->arg, f.kind, &buf[i], err) < 0) {
				out = RX_FAILED;
				goto done;
			}
	}
	if ((r = read_full(fd, &h, sizeof(h), deadline)) <= 0)
		goto stop;
	h.msg[sizeof(h.msg) - 1] = '\0';
	h.assumption[sizeof(h.assumption) - 1] = '\0';
	out = RX_OK;
	*rc = h.rc;
	if (h.rc != 0) {
		hp_errf(err, "%s", h.msg);
		goto done;
	}
	if (h.n || h.view > HP_SINK_HOST || h.nvms > HP_SINK_VMS ||
	    h.nbusy > SIZE_MAX / sizeof(*eps->busy) / 2) {
		out = RX_SHORT;
		goto done;
	}
	eps->busy = h.nbusy ? malloc(h.nbusy * sizeof(*eps->busy)) : NULL;
	if (h.nbusy && !eps->busy) {
		hp_errf(err, "%s: out of memory for %" PRIu64 " busy intervals", path, h.nbusy);
		out = RX_FAILED;
		goto done;
	}
	if (h.nbusy && (r = read_full(fd, eps->busy, h.nbusy * sizeof(*eps->busy), deadline)) <= 0)
		goto stop;
	head_to_episodes(&h, eps);
	sink->view = h.view;
	sink->nvms = h.nvms;
	memcpy(sink->base, h.base, sizeof(sink->base));
	sink->n[0] = h.sink_n[0];
	sink->n[1] = h.sink_n[1];
	goto done;
stop:
	out = r < 0 ? RX_TIMEOUT : RX_SHORT;
done:
	if (out != RX_OK || *rc != 0) {
		free(eps->busy);
		eps->busy = NULL;
		eps->nbusy = eps->busy_cap = 0;
	}
	free(buf);
	return out;
}

/* "read 12 events of CPU 0, 0 of CPU 1" into buf. */
static void describe_progress(const struct hp_read_progress *pr, char *buf, size_t len)
{
	size_t used, i, shown = 0;

	used = (size_t)snprintf(buf, len, "read %" PRIu64 " events", pr->events);
	for (i = 0; i < HP_PROGRESS_CPUS && used < len; i++) {
		if (!pr->per_cpu[i])
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%" PRIu64 " of CPU %zu",
		                         shown ? ", " : ": ", pr->per_cpu[i], i);
		if (++shown == 8 && used < len) {
			used += (size_t)snprintf(buf + used, len - used, ", ...");
			break;
		}
	}
	if (pr->events && used < len)
		snprintf(buf + used, len - used, ", the last at %.6f s", (double)pr->last_ts / 1e9);
}

/*
 * The length a version-6 trace.dat's CPU data needs: the end of the last CPU's
 * data named after its "flyrecord" marker; 0 when not found or not plausible.
 */
static uint64_t v6_needed_size(int fd, uint64_t size)
{
	static const char mark[] = "flyrecord";
	unsigned char buf[65536];
	uint64_t pos = 0, end = 0;
	ssize_t got;

	while ((got = pread(fd, buf, sizeof(buf), (off_t)pos)) > (ssize_t)sizeof(mark)) {
		size_t i;

		for (i = 0; i + sizeof(mark) <= (size_t)got; i++) {
			uint64_t off = pos + i + sizeof(mark), pair[2];
			unsigned k;

			if (memcmp(buf + i, mark, sizeof(mark)) != 0)
				continue;
			for (k = 0; k < HP_PROGRESS_CPUS; k++, off += sizeof(pair)) {
				if (pread(fd, pair, sizeof(pair), (off_t)off) != sizeof(pair) ||
				    pair[0] < off || pair[0] % 4096 ||
				    pair[1] > SALVAGE_MAX_BYTES || pair[0] > SALVAGE_MAX_BYTES)
					break;
				if (pair[0] + pair[1] > end)
					end = pair[0] + pair[1];
			}
			return end > size ? end : 0;
		}
		pos += (uint64_t)got - sizeof(mark);
	}
	return 0;
}

/* The size the capture's CPU data needs when it is cut short, else 0. */
static uint64_t truncated_at(const char *path, uint64_t *have)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	uint64_t need = 0;

	*have = 0;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0) {
		*have = (uint64_t)st.st_size;
		need = v6_needed_size(fd, *have);
	}
	close(fd);
	return need;
}

/* A sparse copy of path extended with zeros to need bytes, in $TMPDIR; 0 or -1 with err. */
static int padded_copy(const char *path, uint64_t need, char *out, size_t len, struct hp_err *err)
{
	const char *dir = getenv("TMPDIR");
	char buf[65536];
	int in, fd;
	ssize_t r;

	snprintf(out, len, "%s/hpsim-salvage.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(out);
	if (fd < 0)
		return hp_errf(err, "%s: --salvage: cannot create a temporary copy in %s: %s", path,
		               dir && *dir ? dir : "/tmp", strerror(errno));
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		goto fail;
	while ((r = read(in, buf, sizeof(buf))) > 0)
		if (hp_write_all(fd, buf, (size_t)r) < 0)
			break;
	if (r != 0 || ftruncate(fd, (off_t)need) != 0) {
		close(in);
		goto fail;
	}
	close(in);
	close(fd);
	return 0;
fail : {
	int e = errno;

	close(fd);
	unlink(out);
	return hp_errf(err, "%s: --salvage: cannot copy it to %s: %s", path, out, strerror(e));
}
}

/* Read path in a child; 0, or -1 with err (what failed and how far the read got). */
static int read_in_child(const char *path, const char *shown, const struct hp_read_opts *opts,
                         struct hp_episodes *eps, struct hp_err *err, int *crashed)
{
	struct hp_read_progress *pr;
	struct inbuf b = {0};
	int fds[2], status = 0, rc, child_rc = 0;
	enum rx rx = RX_OK;
	time_t deadline;
	pid_t pid;

	*crashed = 0;
	if (hp_dec_sink_reset(opts, err) < 0) /* what an earlier attempt sent is forgotten */
		return -1;
	pr = mmap(NULL, sizeof(*pr), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pr == MAP_FAILED)
		return hp_errf(err, "%s: cannot start the reader process: %s", shown,
		               strerror(errno));
	if (pipe(fds) < 0) {
		munmap(pr, sizeof(*pr));
		return hp_errf(err, "%s: cannot start the reader process: %s", shown,
		               strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		munmap(pr, sizeof(*pr));
		return hp_errf(err, "%s: cannot start the reader process: %s", shown,
		               strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], path, opts, pr);
	}
	close(fds[1]);
	deadline = time(NULL) + (time_t)env_u64("HPSIM_READER_TIMEOUT_S", DEFAULT_TIMEOUT_S);
	if (opts->sink) {
		rx = receive(fds[0], deadline, shown, opts, eps, &child_rc, err);
		b.timed_out = rx == RX_TIMEOUT;
	} else {
		drain(fds[0], &b, deadline);
	}
	close(fds[0]);
	if (b.timed_out || b.nomem || rx == RX_FAILED)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (b.timed_out) {
		char prog[256];

		describe_progress(pr, prog, sizeof(prog));
		rc = hp_errf(err,
		             "%s: reading took longer than %" PRIu64
		             " s (HPSIM_READER_TIMEOUT_S), stopped; %s",
		             shown, env_u64("HPSIM_READER_TIMEOUT_S", DEFAULT_TIMEOUT_S), prog);
	} else if (b.nomem) {
		rc = hp_errf(err, "%s: out of memory receiving the episodes", shown);
	} else if (rx == RX_FAILED) {
		rc = -1; /* the sink said why */
	} else if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
		char prog[256], how[96];

		describe_progress(pr, prog, sizeof(prog));
		if (WIFSIGNALED(status))
			snprintf(how, sizeof(how), "%s (signal %d)", strsignal(WTERMSIG(status)),
			         WTERMSIG(status));
		else
			snprintf(how, sizeof(how), "the reader process exited with status %d",
			         WEXITSTATUS(status));
		*crashed = 1;
		rc = hp_errf(err,
		             "libtracecmd failed reading %s (truncated or corrupt): %s, %s "
		             "(memory limit %" PRIu64 " MiB, HPSIM_READER_MEM_MB)",
		             shown, how, prog, env_u64("HPSIM_READER_MEM_MB", DEFAULT_MEM_MIB));
	} else if (opts->sink) {
		if (rx == RX_SHORT)
			rc = hp_errf(err, "%s: the reader process sent a damaged result", shown);
		else
			rc = child_rc ? -1 : 0;
	} else {
		rc = unpack(&b, shown, eps, err);
	}
	free(b.p);
	munmap(pr, sizeof(*pr));
	return rc;
}

/* Replace the temporary copy's name by the capture's in a message. */
static void rename_in_msg(struct hp_err *err, const char *from, const char *to)
{
	char out[HP_ERR_MSG];
	const char *p = err->msg, *hit;
	size_t used = 0, fl = strlen(from);

	while ((hit = strstr(p, from)) && used < sizeof(out)) {
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%.*s%s", (int)(hit - p),
		                         p, to);
		p = hit + fl;
	}
	if (used < sizeof(out))
		snprintf(out + used, sizeof(out) - used, "%s", p);
	memcpy(err->msg, out, sizeof(out));
}

/*
 * A version-7 capture cut short: err (what reading it said) gains where the
 * cut is; with --salvage a repaired copy (salvage_v7.c) is read instead.
 */
static int read_v7_cut(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                       struct hp_err *err)
{
	const char *dir = getenv("TMPDIR");
	struct hp_v7_cut cut;
	struct stat st;
	char what[256], tmp[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC), out, crashed, rc;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !hp_v7_find_cut(fd, (uint64_t)st.st_size, &cut)) {
		close(fd);
		return -1;
	}
	hp_v7_describe_cut(&cut, what, sizeof(what));
	if (!opts->salvage || !cut.data_at || cut.raw) {
		size_t l = strlen(err->msg);

		snprintf(err->msg + l, sizeof(err->msg) - l, "; %s%s", what,
		         cut.data_at && !cut.raw ? ": --salvage replays the halts up to the cut"
		                                 : "");
		close(fd);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s/hpsim-salvage.XXXXXX", dir && *dir ? dir : "/tmp");
	out = mkstemp(tmp);
	if (out < 0) {
		close(fd);
		return hp_errf(err, "%s: --salvage: cannot create a temporary copy in %s: %s", path,
		               dir && *dir ? dir : "/tmp", strerror(errno));
	}
	rc = hp_v7_write_repaired(fd, out, &cut, path, err);
	close(fd);
	close(out);
	if (rc == 0) {
		rc = read_in_child(tmp, path, opts, eps, err, &crashed);
		if (rc < 0) {
			size_t l;

			rename_in_msg(err, tmp, path);
			l = strlen(err->msg);
			snprintf(err->msg + l, sizeof(err->msg) - l, "; --salvage: %s", what);
		}
	}
	unlink(tmp);
	if (rc == 0)
		eps->skipped.truncated = 1;
	return rc;
}

static int read_isolated(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                         struct hp_err *err)
{
	uint64_t have, need;
	char tmp[4096];
	int crashed, rc;

	/* hpsim calibrate's collector must see the events in this process: read them here */
	if (opts->calib)
		return hp_reader_tracedat.read(path, opts, eps, err);
	rc = read_in_child(path, path, opts, eps, err, &crashed);
	if (rc == 0)
		return 0;
	need = truncated_at(path, &have);
	if (!need)
		return read_v7_cut(path, opts, eps, err);
	if (!opts->salvage) {
		size_t l = strlen(err->msg);

		snprintf(err->msg + l, sizeof(err->msg) - l,
		         "; the file is cut short (%" PRIu64 " of the %" PRIu64
		         " bytes its CPU data needs): --salvage replays the halts up to the cut",
		         have, need);
		return -1;
	}
	if (padded_copy(path, need, tmp, sizeof(tmp), err) < 0)
		return -1;
	rc = read_in_child(tmp, path, opts, eps, err, &crashed);
	if (rc < 0)
		rename_in_msg(err, tmp, path);
	unlink(tmp);
	if (rc == 0) {
		eps->skipped.truncated = 1;
		/* the padding is not data: what the statistics count past the cut is lost */
	}
	return rc;
}

static int probe_isolated(const unsigned char *head, size_t len)
{
	return hp_reader_tracedat.probe(head, len);
}

const struct hp_trace_reader hp_reader_tracedat_isolated = {
    .name = "trace.dat",
    .probe = probe_isolated,
    .read = read_isolated,
};
