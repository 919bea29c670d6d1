/*
 * Replay throughput: the bundled captures tiled to 10 million halts, run
 * through each policy, through guest+host stacked, and dealt to two vCPUs
 * sharing a powerpc vcore (the discrete-event scheduler); then host kvm and
 * guest haltpoll again with host idle states (skx, menu and teo) and with a
 * cost distribution, against the same without; prints halts per second for
 * the engine alone and with the metrics that `hpsim replay` keeps. A
 * benchmark, not a test: it prints figures and asserts nothing.
 *
 * usage: bench_replay [SOURCE_DIR] [HALTS] [ONLY]
 *   ONLY: run only the lines whose label contains it (e.g. "host kvm")
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

/* [ONLY]: the lines to run, by a part of their label; NULL: all */
static const char *only;

static int skip(const char *label)
{
	return only && !strstr(label, only);
}

static double now(void)
{
	struct timespec ts;

	/* the thread's CPU time: halts per CPU-second hold on a shared, loaded machine */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Tile the captures' episodes, end to end in time, until there are n of them. */
static int tile(const char *dir, size_t n, struct hp_episodes *out)
{
	static const char *const names[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
	                                    "idle-5s.dat"};
	struct hp_episodes src[4];
	uint64_t offset = 0;
	struct hp_err err;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < 4; k++) {
		char path[1024];

		snprintf(path, sizeof(path), "%s/traces/%s", dir, names[k]);
		if (hp_trace_read(path, &src[k], &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
	}
	out->ep = malloc(n * sizeof(*out->ep));
	if (!out->ep)
		return -1;
	out->cap = n;
	out->t_first_ns = src[0].t_first_ns;
	for (k = 0; out->n < n; k = (k + 1) % 4) {
		uint64_t base = src[k].t_first_ns;

		for (i = 0; i < src[k].n && out->n < n; i++) {
			struct hp_episode e = src[k].ep[i];

			e.halt_start_ns = e.halt_start_ns - base + out->t_first_ns + offset;
			e.wake_ns = e.wake_ns - base + out->t_first_ns + offset;
			out->ep[out->n++] = e;
		}
		offset += src[k].t_last_ns - base + 1000;
	}
	out->ncpu = 1;
	out->t_last_ns = out->t_first_ns + offset;
	for (k = 0; k < 4; k++)
		hp_episodes_free(&src[k]);
	return 0;
}

/* Host idle states and a cost distribution for the runs that ask for them. */
struct extra {
	const char *idle, *governor; /* --host-idle, --host-governor */
	const char *cost;            /* one --cost-set NAME=VALUE */
};

static void bench(const struct hp_episodes *eps, const char *label, const char *guest,
                  const char *host, const char *vcore, const char *arch, uint32_t vcore_size)
{
	struct hp_run_spec spec = {
	    .policy = {guest, host, vcore}, .arch = arch, .vcore_size = vcore_size};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct hp_err err;
	double t0, t1, t2;

	if (skip(label))
		return;
	if (hp_engine_configure(&spec, &cfg, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t0 = now();
	if (hp_engine_run(eps, &cfg, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t1 = now();
	if (hp_replay(eps, &cfg, &m, &st, NULL, NULL, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t2 = now();
	printf("%-28s %8.2f M halts/s (engine)  %8.2f M halts/s (with metrics)\n", label,
	       (double)eps->n / (t1 - t0) / 1e6, (double)eps->n / (t2 - t1) / 1e6);
	hp_metrics_free(&m);
}

/*
 * The halts per second for guest/host on x86 with x (NULL: without): the
 * engine alone, and (*with_metrics) the replay with the metrics.
 */
static double engine_speed(const struct hp_episodes *eps, const char *guest, const char *host,
                           const struct extra *x, double *with_metrics)
{
	struct hp_run_spec spec = {.policy = {guest, host, NULL}, .arch = "x86"};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct hp_err err;
	double t0, t1;

	if (x) {
		spec.idle.table = x->idle;
		spec.idle.governor = x->governor;
		if (x->cost) {
			spec.cost[0].name = "host_wakeup_ns";
			spec.cost[0].value = x->cost;
			spec.ncost = 1;
		}
	}
	if (hp_engine_configure(&spec, &cfg, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t0 = now();
	if (hp_engine_run(eps, &cfg, &st, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	t1 = now();
	if (hp_replay(eps, &cfg, &m, &st, NULL, NULL, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	*with_metrics = (double)eps->n / (now() - t1);
	hp_metrics_free(&m);
	return (double)eps->n / (t1 - t0);
}

/*
 * The same configuration without and with x, alternately, best of three
 * each (the machine is shared: the best is the least disturbed): the
 * speed with x as a share of the speed without.
 */
static void bench_pair(const struct hp_episodes *eps, const char *label, const char *guest,
                       const char *host, const struct extra *x)
{
	const char *what = x->idle ? (x->governor ? x->governor : "menu") : x->cost;
	double a = 0, b = 0, am = 0, bm = 0, s, sm;
	char full[128];
	int k;

	/* [ONLY] may name the governor or cost too: "host kvm (x86) teo" */
	snprintf(full, sizeof(full), "%s %s", label, what);
	if (skip(full))
		return;
	for (k = 0; k < 3; k++) {
		if ((s = engine_speed(eps, guest, host, NULL, &sm)) > a)
			a = s;
		am = sm > am ? sm : am;
		if ((s = engine_speed(eps, guest, host, x, &sm)) > b)
			b = s;
		bm = sm > bm ? sm : bm;
	}
	printf("%-16s %-21s %6.2f -> %6.2f (%5.1f%%)   %6.2f -> %6.2f (%5.1f%%)\n", label, what,
	       a / 1e6, b / 1e6, 100.0 * b / a, am / 1e6, bm / 1e6, 100.0 * bm / am);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	size_t n = argc > 2 ? strtoull(argv[2], NULL, 10) : 10000000;
	struct hp_episodes eps;
	size_t i;

	only = argc > 3 ? argv[3] : NULL;
	if (tile(dir, n, &eps) < 0)
		return 1;
	printf("%zu halts (bundled captures tiled), one core, per second of thread CPU time\n",
	       eps.n);
	bench(&eps, "host kvm (x86)", NULL, "kvm", NULL, "x86", 0);
	bench(&eps, "host none", NULL, "none", NULL, "x86", 0);
	bench(&eps, "host oracle", NULL, "oracle", NULL, "x86", 0);
	bench(&eps, "guest haltpoll", "haltpoll", NULL, NULL, "x86", 0);
	bench(&eps, "vcore (ppc)", NULL, NULL, "vcore", "ppc", 0);
	bench(&eps, "guest haltpoll + host kvm", "haltpoll", "kvm", NULL, "arm64", 0);
	printf("\nwithout -> with host idle states (skx) or a cost distribution, best of 3,\n"
	       "M halts/s:                              engine                 with metrics\n");
	{
		static const struct extra menu = {"skx", "menu", NULL}, teo = {"skx", "teo", NULL},
		                          ladder = {"skx", "ladder", NULL},
		                          dist = {NULL, NULL, "lognormal:5000:40000"};

		bench_pair(&eps, "host kvm (x86)", NULL, "kvm", &menu);
		bench_pair(&eps, "host kvm (x86)", NULL, "kvm", &teo);
		bench_pair(&eps, "host kvm (x86)", NULL, "kvm", &ladder);
		bench_pair(&eps, "guest haltpoll", "haltpoll", NULL, &menu);
		bench_pair(&eps, "guest haltpoll", "haltpoll", NULL, &teo);
		bench_pair(&eps, "guest haltpoll", "haltpoll", NULL, &ladder);
		bench_pair(&eps, "host kvm (x86)", NULL, "kvm", &dist);
	}
	/* the same halts dealt alternately to two vCPUs that share one vcore */
	for (i = 0; i < eps.n; i++)
		eps.ep[i].cpu = (uint32_t)(i % 2);
	eps.ncpu = 2;
	bench(&eps, "vcore (ppc), 2 vCPUs, size 2", NULL, NULL, "vcore", "ppc", 2);
	bench(&eps, "vcore (ppc), 2 vCPUs, size 1", NULL, NULL, "vcore", "ppc", 0);
	hp_episodes_free(&eps);
	return 0;
}
