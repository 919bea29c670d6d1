/*
 * Running units: worker processes forked after the traces are parsed (they
 * share the episodes copy-on-write) take units from a shared counter and send
 * each finished row down one pipe (a row is smaller than PIPE_BUF, so writes
 * never interleave). The parent appends rows to the journal; a worker that
 * dies is replaced; its unit is lost (not journaled, so that --resume reruns
 * it) and the sweep ends with an error naming the lost units.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hpsim/atomic_file.h"
#include "hpsim/policy.h"
#include "hpsim/recorded.h"
#include "hpsim/report.h"
#include "hpsim/source.h"
#include "hpsim/sweep.h"
#include "hpsim/trace.h"
#include "sweep_int.h"

/* A row as a worker sends it: the error text inline. */
struct wire {
	struct hp_sweep_row r;
	char error[HP_SWEEP_ERR_LEN];
};

_Static_assert(sizeof(struct wire) <= PIPE_BUF, "a row must fit one atomic pipe write");

/*
 * Read options from the config's cost model: a host capture's episodes depend
 * on hlt_exit_ns and host_wakeup_ns, which must be those the replay charges
 * (the cost model of the units' run specs, built as hp_engine_configure does).
 * *cost receives that model (the recorded-with correction replays with it).
 */
static int read_opts_of(const struct hp_sweep_config *c, struct hp_read_opts *o,
                        struct hp_cost *cost, struct hp_err *err)
{
	struct hp_sweep_spec s;
	struct hp_engine_config cfg;
	size_t trace;

	hp_read_opts_init(o);
	if (!c->ntraces)
		return 0;
	hp_sweep_unit_spec(c, 0, &s, &trace);
	/* the cost a unit replays with: its spec's model, seeded as hp_engine_configure does */
	if (hp_engine_configure(&s.spec, &cfg, err) < 0)
		return -1;
	*cost = cfg.cost;
	hp_read_opts_cost(o, cost);
	return 0;
}

/* Does series s's kernel read host captures with delayed dequeue (6.12 on)? */
static int delayed_dequeue(const struct hp_sweep_series *s)
{
	uint32_t v = HP_KVER_NEWEST;

	if (s->kernel)
		hp_kver_parse(s->kernel, &v, NULL);
	return v >= HP_DELAYED_DEQUEUE_KVER;
}

size_t hp_sweep_nreads(const struct hp_sweep_config *c)
{
	int seen[2] = {0, 0};
	size_t i;

	for (i = 0; i < c->nseries; i++)
		seen[delayed_dequeue(&c->series[i])] = 1;
	return seen[0] && seen[1] ? 2 : 1;
}

size_t hp_sweep_neps(const struct hp_sweep_config *c)
{
	return c->ntraces * hp_sweep_nreads(c);
}

/* The reading (0 or 1) series s replays. */
static size_t reading_of(const struct hp_sweep_config *c, size_t s)
{
	return hp_sweep_nreads(c) == 2 ? (size_t)delayed_dequeue(&c->series[s]) : 0;
}

size_t hp_sweep_unit_eps(const struct hp_sweep_config *c, uint64_t unit)
{
	uint64_t point = unit / c->ntraces;
	/* an oracle window runs under the first series' kernel (hp_sweep_unit_spec) */
	size_t s = point < c->npoints ? hp_sweep_point_series(c, point) : 0;

	return reading_of(c, s) * c->ntraces + (size_t)(unit % c->ntraces);
}

void hp_sweep_free_eps(const struct hp_sweep_config *c, struct hp_episodes *eps)
{
	size_t i, n = hp_sweep_neps(c);

	for (i = 0; eps && i < n; i++)
		hp_episodes_free(&eps[i]);
}

/* Read trace i as the kernel release kver does, then correct it by $.recorded_with. */
static int read_one(const struct hp_sweep_config *c, size_t i, struct hp_read_opts *opts,
                    const struct hp_cost *cost, struct hp_episodes *e, struct hp_err *err)
{
	struct hp_recorded_stats rs;

	memset(e, 0, sizeof(*e));
	if (c->traces[i].gen ? hp_gen_run(c->traces[i].gen, c->traces[i].gen_params,
	                                  c->traces[i].ngen_params, e, err)
	                     : hp_trace_read_opts(c->traces[i].path, opts, e, err))
		return -1;
	if (c->recorded && c->recorded[i] &&
	    hp_recorded_correct(e, c->recorded[i], cost, &rs, err) < 0) {
		hp_episodes_free(e);
		return hp_err_prefix(err, "$.recorded_with: ");
	}
	return 0;
}

int hp_sweep_read_traces(const struct hp_sweep_config *c, struct hp_episodes *eps,
                         struct hp_err *err)
{
	struct hp_read_opts opts;
	struct hp_cost cost;
	size_t k, i, s, n = 0, nreads = hp_sweep_nreads(c);

	if (read_opts_of(c, &opts, &cost, err) < 0)
		return -1;
	for (k = 0; k < nreads; k++) {
		/* the release of the first series of this reading (only 6.12 or not matters) */
		for (s = 0; s < c->nseries && reading_of(c, s) != k; s++)
			;
		opts.host_kver = HP_KVER_NEWEST;
		if (s < c->nseries && c->series[s].kernel)
			hp_kver_parse(c->series[s].kernel, &opts.host_kver, NULL);
		for (i = 0; i < c->ntraces; i++, n++) {
			if (read_one(c, i, &opts, &cost, &eps[n], err) < 0) {
				while (n-- > 0)
					hp_episodes_free(&eps[n]);
				return hp_err_prefix(err, "$.traces[%zu]: ", i);
			}
		}
	}
	return 0;
}

/* A sweep needs totals only: a sink lighter than struct hp_metrics (same figures). */
struct lean {
	uint64_t halts, attempted, successful, poll_ns;
	struct hp_lat_dist lat;
};

static void lean_add(void *ctx, const struct hp_outcome *o)
{
	struct lean *s = ctx;
	int l;

	s->halts++;
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		const struct hp_decision *d = &o->d[l];

		if (!o->has[l] || d->outcome == HP_NO_POLL)
			continue;
		s->attempted++;
		s->successful += d->outcome == HP_POLL_HIT;
		s->poll_ns += d->polled_ns;
	}
	/* the rows never use the log2 buckets */
	hp_lat_dist_add_fine(&s->lat, o->latency_ns);
}

static void fail_row(struct wire *w, const char *msg)
{
	size_t n = strnlen(msg, sizeof(w->error) - 1);

	w->r.failed = 1;
	memcpy(w->error, msg, n);
	w->error[n] = '\0';
}

/*
 * A worker's episode sources, one per reading of a capture, made on first
 * use and rewound for each unit: making one checks every episode, which for
 * a unit of a few thousand halts cost as much as a tenth of its replay.
 */
struct sources {
	struct hp_episode_source *src;
	uint8_t *state; /* per reading: 0 not made yet, 1 made, 2 refused (the unit reports why) */
	size_t n;
};

/* Run eps through cfg, from the worker's source of reading k when it has one. */
static int run_engine(const struct hp_episodes *eps, struct hp_engine_config *cfg,
                      struct sources *ss, size_t k, struct hp_engine_stats *st, struct hp_err *e)
{
	struct hp_episode_source *src;

	if (!ss || k >= ss->n || ss->state[k] == 2)
		return hp_engine_run(eps, cfg, st, e);
	src = &ss->src[k];
	if (!ss->state[k]) {
		struct hp_err ignored;

		if (hp_source_from_array(src, eps, &ignored) < 0) {
			/* hp_engine_run() says why, after any configuration error, as before */
			ss->state[k] = 2;
			return hp_engine_run(eps, cfg, st, e);
		}
		ss->state[k] = 1;
	} else if (src->rewind(src, e) < 0) {
		return -1;
	}
	return hp_engine_run_source(src, cfg, st, e);
}

/* Replay one unit with s as the sink (its latency buffer allocated; reset here). */
static void run_unit(const struct hp_sweep_config *c, const struct hp_episodes *eps, uint64_t unit,
                     struct wire *w, struct lean *s, struct sources *ss)
{
	struct hp_sweep_row *row = &w->r;
	struct hp_sweep_spec spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_err e = {""};
	size_t trace, k;

	memset(w, 0, sizeof(*w));
	row->unit = unit;
	s->halts = s->attempted = s->successful = s->poll_ns = 0;
	hp_lat_dist_reset(&s->lat);
	hp_sweep_unit_spec(c, unit, &spec, &trace);
	k = hp_sweep_unit_eps(c, unit);
	eps += k;
	if (hp_engine_configure(&spec.spec, &cfg, &e) < 0)
		return fail_row(w, e.msg);
	cfg.on_outcome = lean_add;
	cfg.ctx = s;
	if (run_engine(eps, &cfg, ss, k, &st, &e) < 0)
		return fail_row(w, e.msg);
	row->halts = s->halts;
	row->attempted = s->attempted;
	row->successful = s->successful;
	row->poll_ns = s->poll_ns;
	row->wall_ns = eps->t_last_ns - eps->t_first_ns;
	row->ncpu = eps->ncpu;
	row->lat_sum = s->lat.sum;
	row->lat_q[0] = hp_lat_quantile(&s->lat, 0.50);
	row->lat_q[1] = hp_lat_quantile(&s->lat, 0.90);
	row->lat_q[2] = hp_lat_quantile(&s->lat, 0.99);
	row->lat_q[3] = hp_lat_quantile(&s->lat, 0.999);
	row->lat_max = s->lat.max;
}

void hp_sweep_run_unit(const struct hp_sweep_config *c, const struct hp_episodes *eps,
                       uint64_t unit, struct hp_sweep_row *row)
{
	struct lean s;
	struct wire w;

	memset(&s, 0, sizeof(s));
	memset(&w, 0, sizeof(w));
	w.r.unit = unit;
	if (hp_lat_dist_init(&s.lat) < 0)
		fail_row(&w, "out of memory");
	else
		run_unit(c, eps, unit, &w, &s, NULL);
	free(s.lat.fine);
	*row = w.r;
	row->error = w.r.failed ? strdup(w.error) : NULL;
}

/* Shared between the parent and its workers (an anonymous shared mapping). */
struct shared {
	uint64_t next;     /* index into todo of the next unit to take */
	int64_t current[]; /* per worker: the unit it is running, or -1 */
};

static void worker(const struct hp_sweep_config *c, const struct hp_episodes *eps,
                   const struct hp_sweep_run_opts *o, struct shared *sh, unsigned w, int wfd)
{
	struct wire row;
	struct lean s;
	struct sources ss = {NULL, NULL, hp_sweep_neps(c)};

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(1);
	memset(&s, 0, sizeof(s));
	ss.src = calloc(ss.n, sizeof(*ss.src));
	ss.state = calloc(ss.n, 1);
	if (hp_lat_dist_init(&s.lat) < 0 || !ss.src || !ss.state)
		_exit(1);
	for (;;) {
		uint64_t k = __atomic_fetch_add(&sh->next, 1, __ATOMIC_SEQ_CST);

		if (k >= o->ntodo)
			break;
		__atomic_store_n(&sh->current[w], (int64_t)o->todo[k], __ATOMIC_SEQ_CST);
		run_unit(c, eps, o->todo[k], &row, &s, &ss);
		if (hp_write_all(wfd, &row, sizeof(row)) < 0)
			_exit(1);
		__atomic_store_n(&sh->current[w], (int64_t)-1, __ATOMIC_SEQ_CST);
	}
	_exit(0);
}

struct pool {
	const struct hp_sweep_config *c;
	const struct hp_episodes *eps;
	const struct hp_sweep_run_opts *o;
	struct shared *sh;
	size_t shsize;
	pid_t *pid;
	int rfd, wfd;
	uint8_t *got; /* by unit */
	uint64_t done, halts;
	struct wire *batch;
	struct hp_sweep_row *rows; /* the batch's rows, for the journal */
	size_t nbatch, capbatch;
	char carry[sizeof(struct wire)];
	size_t ncarry;
	struct timespec last_sync;
	struct sweep_lost lost; /* units whose worker died: not journaled, rerun by --resume */
};

static int spawn(struct pool *p, unsigned w, struct hp_err *err)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return hp_errf(err, "cannot fork a sweep worker: %s", strerror(errno));
	if (pid == 0) {
		close(p->rfd);
		worker(p->c, p->eps, p->o, p->sh, w, p->wfd);
	}
	p->pid[w] = pid;
	return 0;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int accept_row(struct pool *p, const struct wire *w, struct hp_err *err)
{
	const struct hp_sweep_row *r = &w->r;

	if (r->unit >= hp_sweep_nunits(p->c) || p->got[r->unit])
		return 0;
	p->got[r->unit] = 1;
	p->done++;
	p->halts += r->halts;
	if (p->o->out) {
		p->o->out[r->unit] = *r;
		p->o->out[r->unit].error = NULL;
		if (r->failed && !(p->o->out[r->unit].error = strdup(w->error)))
			return hp_errf(err, "out of memory");
	}
	if (p->o->have)
		p->o->have[r->unit] = 1;
	if (p->nbatch == p->capbatch) {
		size_t nc = p->capbatch ? p->capbatch * 2 : 256;
		struct wire *nb = realloc(p->batch, nc * sizeof(*nb));
		struct hp_sweep_row *nr;

		if (!nb)
			return hp_errf(err, "out of memory");
		p->batch = nb;
		nr = realloc(p->rows, nc * sizeof(*nr));
		if (!nr)
			return hp_errf(err, "out of memory");
		p->rows = nr;
		p->capbatch = nc;
	}
	p->batch[p->nbatch] = *w;
	p->batch[p->nbatch++].r.error = NULL;
	return 0;
}

/* Append the batch to the journal; fdatasync at most once a second (and at the end). */
static int flush_batch(struct pool *p, int final, struct hp_err *err)
{
	static const double sync_every = 1.0;
	double t = now_s();
	size_t i;

	for (i = 0; p->o->journal_fd >= 0 && i < p->nbatch; i++) {
		p->batch[i].r.error = p->batch[i].r.failed ? p->batch[i].error : NULL;
		p->rows[i] = p->batch[i].r;
	}
	if (p->o->journal_fd >= 0 && p->nbatch &&
	    hp_sweep_journal_append(p->o->journal_fd, p->rows, p->nbatch, err) < 0)
		return -1;
	p->nbatch = 0;
	if (p->o->journal_fd >= 0 &&
	    (final || t - ((double)p->last_sync.tv_sec + (double)p->last_sync.tv_nsec / 1e9) >=
	                  sync_every)) {
		if (fdatasync(p->o->journal_fd) < 0 && errno != EINVAL)
			return hp_errf(err, "journal: fdatasync failed: %s", strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &p->last_sync);
	}
	return 0;
}

/* Read whatever rows are in the pipe without blocking. */
static int drain(struct pool *p, struct hp_err *err)
{
	char buf[sizeof(struct wire) * 16];

	for (;;) {
		ssize_t n = read(p->rfd, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		while ((size_t)n - off > 0) {
			size_t take = sizeof(struct wire) - p->ncarry;

			if (take > (size_t)n - off)
				take = (size_t)n - off;
			memcpy(p->carry + p->ncarry, buf + off, take);
			p->ncarry += take;
			off += take;
			if (p->ncarry == sizeof(struct wire)) {
				struct wire r;

				memcpy(&r, p->carry, sizeof(r));
				p->ncarry = 0;
				if (accept_row(p, &r, err) < 0)
					return -1;
			}
		}
	}
	return 0;
}

/* Reap finished workers; a crashed one's unit becomes an error row and it is replaced. */
static int reap(struct pool *p, unsigned *alive, struct hp_err *err)
{
	unsigned w;
	int st;

	for (w = 0; w < p->o->jobs; w++) {
		int64_t cur;

		if (p->pid[w] <= 0 || waitpid(p->pid[w], &st, WNOHANG) != p->pid[w])
			continue;
		p->pid[w] = 0;
		(*alive)--;
		cur = __atomic_load_n(&p->sh->current[w], __ATOMIC_SEQ_CST);
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			continue;
		if (drain(p, err) < 0)
			return -1;
		if (WIFSIGNALED(st) &&
		    (WTERMSIG(st) == SIGINT || WTERMSIG(st) == SIGTERM || WTERMSIG(st) == SIGHUP))
			return hp_errf(
			    err,
			    "a worker was stopped by signal %d (%s): the sweep is "
			    "interrupted; its finished rows are kept (--resume continues)",
			    WTERMSIG(st), strsignal(WTERMSIG(st)));
		if (cur >= 0 && !p->got[cur]) {
			p->got[cur] = 1;
			if (sweep_lost_add(&p->lost, (uint64_t)cur, st) < 0)
				return hp_errf(err, "out of memory");
		}
		__atomic_store_n(&p->sh->current[w], (int64_t)-1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&p->sh->next, __ATOMIC_SEQ_CST) < p->o->ntodo) {
			if (spawn(p, w, err) < 0)
				return -1;
			(*alive)++;
		}
	}
	return 0;
}

int hp_sweep_run(const struct hp_sweep_config *c, const struct hp_episodes *eps,
                 const struct hp_sweep_run_opts *o, struct hp_err *err)
{
	struct pool p = {0};
	int fds[2], rc = -1;
	unsigned w, alive = 0;
	double last_progress = 0;
	const struct timespec gather = {0, 10 * 1000 * 1000};

	if (!o->ntodo)
		return 0;
	p.rfd = p.wfd = -1;
	p.c = c;
	p.eps = eps;
	p.o = o;
	p.shsize = sizeof(struct shared) + o->jobs * sizeof(int64_t);
	p.sh = mmap(NULL, p.shsize, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p.sh == MAP_FAILED)
		return hp_errf(err, "cannot map the workers' shared counter: %s", strerror(errno));
	for (w = 0; w < o->jobs; w++)
		p.sh->current[w] = -1;
	p.pid = calloc(o->jobs, sizeof(*p.pid));
	p.got = calloc(hp_sweep_nunits(c), 1);
	if (!p.pid || !p.got) {
		hp_errf(err, "out of memory");
		goto out;
	}
	if (pipe(fds) < 0) {
		hp_errf(err, "pipe: %s", strerror(errno));
		goto out;
	}
	p.rfd = fds[0];
	p.wfd = fds[1];
	fcntl(p.rfd, F_SETFL, fcntl(p.rfd, F_GETFL) | O_NONBLOCK);
	/* room for the rows of a pause (below); where the system refuses, the default */
	fcntl(p.wfd, F_SETPIPE_SZ, 1 << 20);
	clock_gettime(CLOCK_MONOTONIC, &p.last_sync);
	for (w = 0; w < o->jobs; w++) {
		if (spawn(&p, w, err) < 0)
			goto kill;
		alive++;
	}
	while (alive) {
		struct pollfd pfd = {.fd = p.rfd, .events = POLLIN};

		uint64_t before = p.done;

		poll(&pfd, 1, 50);
		if (drain(&p, err) < 0 || reap(&p, &alive, err) < 0 || flush_batch(&p, 0, err) < 0)
			goto kill;
		/*
		 * Rows come every fraction of a millisecond: taking each as it comes
		 * cost the parent five system calls a row, a tenth of the sweep's CPU
		 * time. Pausing after a read lets them gather in the pipe.
		 */
		if (p.done != before)
			nanosleep(&gather, NULL);
		if (o->progress && now_s() - last_progress >= 0.1) {
			last_progress = now_s();
			o->progress(o->progress_ctx, p.done, o->ntodo, p.halts);
		}
	}
	if (drain(&p, err) < 0 || flush_batch(&p, 1, err) < 0)
		goto kill;
	if (o->progress)
		o->progress(o->progress_ctx, p.done, o->ntodo, p.halts);
	if (p.lost.n) {
		sweep_lost_message(c, &p.lost, err);
		goto out;
	}
	if (p.done != o->ntodo) {
		hp_errf(err, "%llu of %llu units did not report a result",
		        (unsigned long long)(o->ntodo - p.done), (unsigned long long)o->ntodo);
		goto out;
	}
	rc = 0;
	goto out;
kill:
	flush_batch(&p, 1, NULL);
	for (w = 0; w < o->jobs; w++)
		if (p.pid && p.pid[w] > 0) {
			kill(p.pid[w], SIGKILL);
			waitpid(p.pid[w], NULL, 0);
		}
out:
	if (p.rfd >= 0) {
		close(p.rfd);
		close(p.wfd);
	}
	free(p.batch);
	free(p.rows);
	free(p.pid);
	free(p.got);
	free(p.lost.unit);
	munmap(p.sh, p.shsize);
	return rc;
}
