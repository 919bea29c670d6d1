/*
 * Engine and reference-policy properties, on the real captures and on
 * synthetic streams:
 *  - with `none` at every layer each halt's latency is exactly the modelled
 *    wakeup path (host wakeup + VM entry + guest interrupt handling);
 *  - a `none` guest stacked over a host policy changes none of the host's
 *    decisions or latencies;
 *  - open-loop replay leaves every arrival time as recorded;
 *  - every replay accounts each episode exactly once, and each vCPU's wall
 *    time splits exactly into busy, guest poll, host poll, sleep and
 *    transitions;
 *  - the oracle is a true lower bound: no policy catches h halts by polling
 *    for less CPU than the oracle frontier at h. In open loop a policy's own
 *    latency can delay a later halt and so change what catching it costs;
 *    the property is therefore checked on the captures' halts whose timing
 *    no policy can move (each begins long after the previous wakeup), and the
 *    test checks that no halt was delayed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat"};
#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static struct hp_episodes eps[NTRACES];

static int load(void **unused)
{
	size_t t;

	(void)unused;
	for (t = 0; t < NTRACES; t++) {
		struct hp_err err;
		char path[512];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		if (hp_trace_read(path, &eps[t], &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
	}
	return 0;
}

static int unload(void **unused)
{
	size_t t;

	(void)unused;
	for (t = 0; t < NTRACES; t++)
		hp_episodes_free(&eps[t]);
	return 0;
}

static void run(const struct hp_episodes *e, struct hp_engine_config *cfg, struct test_rec *r,
                struct hp_metrics *m)
{
	struct hp_engine_stats st;
	uint8_t *seen = calloc(e->n ? e->n : 1, 1);
	size_t i;

	assert_non_null(seen);
	test_replay(e, cfg, r, m, &st);
	/* every episode is accounted exactly once */
	assert_int_equal(r->n, e->n);
	assert_int_equal(st.halts, e->n);
	for (i = 0; i < r->n; i++) {
		size_t k = (size_t)(r->o[i].ep - e->ep);

		assert_true(k < e->n);
		assert_int_equal(seen[k], 0);
		seen[k] = 1;
	}
	free(seen);
}

static void test_none_everywhere_latency_is_the_wakeup_path(void **unused)
{
	size_t t, i, checked = 0;

	(void)unused;
	for (t = 0; t < NTRACES; t++) {
		struct hp_engine_config cfg;
		struct hp_metrics m;
		struct test_rec r;
		uint64_t path;

		test_configure(&cfg, "none", "none", NULL);
		path = cfg.cost.host_wakeup_ns + cfg.cost.vm_entry_ns + cfg.cost.guest_wakeup_ns;
		run(&eps[t], &cfg, &r, &m);
		for (i = 0; i < r.n; i++) {
			const struct hp_outcome *o = &r.o[i];

			uint64_t exit_done = o->enter_ns + cfg.cost.hlt_exit_ns;

			assert_int_equal(o->d[HP_LAYER_HOST].outcome, HP_NO_POLL);
			checked++;
			if (o->wake_ns > exit_done) {
				assert_int_equal(o->pending_at_exit, 0);
				assert_int_equal(o->latency_ns, path);
				continue;
			}
			/* the wakeup came before the exit completed (a halt that began late) */
			assert_int_equal(o->pending_at_exit, 1);
			assert_int_equal(o->latency_ns, exit_done + cfg.cost.vm_entry_ns +
			                                    cfg.cost.guest_wakeup_ns - o->wake_ns);
		}
		assert_int_equal(m.total.layer[HP_LAYER_HOST].halt_attempted_poll, 0);
		hp_metrics_free(&m);
		free(r.o);
	}
	assert_int_equal(checked, eps[0].n + eps[1].n + eps[2].n + eps[3].n);
}

static void test_none_guest_over_host_changes_nothing(void **unused)
{
	static const char *const params[] = {"halt_poll_ns", "300000", NULL};
	size_t t, i;

	(void)unused;
	for (t = 0; t < NTRACES; t++) {
		struct hp_engine_config a, b;
		struct hp_metrics ma, mb;
		struct test_rec ra, rb;

		test_configure(&a, NULL, "kvm", params);
		run(&eps[t], &a, &ra, &ma);
		test_configure(&b, "none", "kvm", params);
		run(&eps[t], &b, &rb, &mb);
		for (i = 0; i < ra.n; i++) {
			const struct hp_decision *x = &ra.o[i].d[HP_LAYER_HOST],
			                         *y = &rb.o[i].d[HP_LAYER_HOST];

			assert_int_equal(ra.o[i].latency_ns, rb.o[i].latency_ns);
			assert_int_equal(x->outcome, y->outcome);
			assert_int_equal(x->polled_ns, y->polled_ns);
			assert_int_equal(x->block_ns, y->block_ns);
			assert_int_equal(x->poll_limit_after_ns, y->poll_limit_after_ns);
		}
		assert_int_equal(ma.total.layer[HP_LAYER_HOST].halt_poll_success_ns,
		                 mb.total.layer[HP_LAYER_HOST].halt_poll_success_ns);
		assert_int_equal(ma.total.latency.sum, mb.total.latency.sum);
		hp_metrics_free(&ma);
		hp_metrics_free(&mb);
		free(ra.o);
		free(rb.o);
	}
}

static void test_open_loop_keeps_arrivals(void **unused)
{
	struct hp_engine_config cfg;
	struct hp_episode *copy;
	struct hp_metrics m;
	struct test_rec r;
	size_t i;

	(void)unused;
	copy = malloc(eps[0].n * sizeof(*copy));
	assert_non_null(copy);
	memcpy(copy, eps[0].ep, eps[0].n * sizeof(*copy));
	test_configure(&cfg, "haltpoll", "kvm", NULL);
	cfg.kernel.arch = HP_ARCH_ARM64; /* both layers poll */
	run(&eps[0], &cfg, &r, &m);
	assert_memory_equal(copy, eps[0].ep, eps[0].n * sizeof(*copy));
	for (i = 0; i < r.n; i++) {
		assert_int_equal(r.o[i].ep->wake_ns, copy[i].wake_ns);
		assert_int_equal(r.o[i].wake_ns, copy[i].wake_ns);
	}
	hp_metrics_free(&m);
	free(r.o);
	free(copy);
}

/* The capture's halts that begin at least gap_ns after the previous wakeup on their CPU. */
static void unshiftable(const struct hp_episodes *in, struct hp_episodes *out, uint64_t gap_ns)
{
	uint64_t last_wake[64] = {0};
	struct hp_err err;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->t_first_ns = in->t_first_ns;
	out->t_last_ns = in->t_last_ns;
	for (i = 0; i < in->n; i++) {
		const struct hp_episode *e = &in->ep[i];

		assert_true(e->cpu < 64);
		if (e->halt_start_ns >= last_wake[e->cpu] + gap_ns)
			assert_int_equal(hp_episodes_push(out, e, &err), 0);
		last_wake[e->cpu] = e->wake_ns;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The oracle frontier: the CPU to catch the h cheapest halts, for every h. */
static uint64_t *frontier(const struct hp_episodes *e)
{
	static const char *const all[] = {"oracle_window_ns", "4294967295", NULL};
	struct hp_engine_config cfg;
	struct hp_metrics m;
	struct test_rec r;
	uint64_t *cost, *sum;
	size_t i;

	test_configure(&cfg, NULL, "oracle", all);
	run(e, &cfg, &r, &m);
	assert_int_equal(r.n, e->n);
	cost = calloc(r.n + 1, sizeof(*cost));
	sum = calloc(r.n + 1, sizeof(*sum));
	assert_non_null(cost);
	assert_non_null(sum);
	for (i = 0; i < r.n; i++) {
		assert_int_not_equal(r.o[i].d[HP_LAYER_HOST].outcome, HP_POLL_MISS);
		cost[i] = r.o[i].d[HP_LAYER_HOST].polled_ns;
	}
	qsort(cost, r.n, sizeof(*cost), cmp_u64);
	for (i = 0; i < r.n; i++)
		sum[i + 1] = sum[i] + cost[i];
	hp_metrics_free(&m);
	free(r.o);
	free(cost);
	return sum;
}

static void test_oracle_is_a_lower_bound(void **unused)
{
	static const char *const configs[][8] = {
	    {"kvm", NULL},
	    {"kvm", "halt_poll_ns", "400000", "halt_poll_ns_shrink", "0", NULL},
	    {"kvm", "halt_poll_ns", "50000", "halt_poll_ns_grow", "3", NULL},
	    {"kvm", "halt_poll_ns", "2400000", "halt_poll_ns_grow_start", "50000", NULL},
	    {"fixed", "fixed_poll_ns", "20000", NULL},
	    {"fixed", "fixed_poll_ns", "200000", NULL},
	    {"oracle", "oracle_window_ns", "30000", NULL},
	};
	size_t t, c, compared = 0;

	(void)unused;
	for (t = 0; t < NTRACES; t++) {
		struct hp_episodes fixed;
		uint64_t *sum;

		unshiftable(&eps[t], &fixed, 8000);
		assert_true(fixed.n > eps[t].n / 10);
		sum = frontier(&fixed);

		for (c = 0; c < sizeof(configs) / sizeof(configs[0]); c++) {
			struct hp_engine_config cfg;
			struct hp_metrics m;
			struct test_rec r;
			const struct hp_layer_stats *s;

			struct hp_engine_stats st;
			struct hp_err err;

			test_configure(&cfg, NULL, configs[c][0], &configs[c][1]);
			memset(&r, 0, sizeof(r));
			if (hp_replay(&fixed, &cfg, &m, &st, test_record, &r, &err) < 0)
				fail_msg("%s", err.msg);
			assert_int_equal(st.delayed_halts, 0);
			s = &m.total.layer[HP_LAYER_HOST];
			if (sum[s->halt_successful_poll] > hp_layer_poll_ns(s))
				fail_msg(
				    "%s with %s: caught %llu halts polling %llu ns; the oracle "
				    "needs %llu ns",
				    traces[t], configs[c][0],
				    (unsigned long long)s->halt_successful_poll,
				    (unsigned long long)hp_layer_poll_ns(s),
				    (unsigned long long)sum[s->halt_successful_poll]);
			compared++;
			hp_metrics_free(&m);
			free(r.o);
		}
		free(sum);
		hp_episodes_free(&fixed);
	}
	assert_int_equal(compared, NTRACES * 7);
}

/* A fixed window of 0 is `none`; the oracle never misses. */
static void test_reference_policies(void **unused)
{
	static const char *const zero[] = {"fixed_poll_ns", "0", NULL};
	static const char *const w[] = {"oracle_window_ns", "50000", NULL};
	struct hp_engine_config a, b;
	struct hp_metrics ma, mb;
	struct test_rec ra, rb;
	size_t i;

	(void)unused;
	test_configure(&a, NULL, "none", NULL);
	test_configure(&b, NULL, "fixed", zero);
	run(&eps[1], &a, &ra, &ma);
	run(&eps[1], &b, &rb, &mb);
	for (i = 0; i < ra.n; i++)
		assert_int_equal(ra.o[i].latency_ns, rb.o[i].latency_ns);
	hp_metrics_free(&ma);
	hp_metrics_free(&mb);
	free(ra.o);
	free(rb.o);
	test_configure(&a, NULL, "oracle", w);
	run(&eps[1], &a, &ra, &ma);
	assert_int_equal(ma.total.layer[HP_LAYER_HOST].halt_poll_fail_ns, 0);
	assert_true(ma.total.layer[HP_LAYER_HOST].halt_successful_poll > 0);
	hp_metrics_free(&ma);
	free(ra.o);
}

/* Every halt's span splits exactly into guest poll, host poll, sleep and transitions. */
static void test_time_accounting(void **unused)
{
	static const char *const layers[][2] = {
	    {NULL, "kvm"},       {"haltpoll", "kvm"}, {"haltpoll", NULL}, {"none", "none"},
	    {"fixed", "oracle"}, {"oracle", "fixed"}, {NULL, "none"},     {"haltpoll", "fixed"},
	};
	static const enum hp_arch arches[] = {HP_ARCH_X86, HP_ARCH_ARM64};
	size_t t, c, a, i;

	(void)unused;
	for (t = 0; t < NTRACES; t++)
		for (c = 0; c < sizeof(layers) / sizeof(layers[0]); c++)
			for (a = 0; a < 2; a++) {
				struct hp_engine_config cfg;
				struct hp_metrics m;
				struct test_rec r;

				test_configure(&cfg, layers[c][0], layers[c][1], NULL);
				cfg.kernel.arch = arches[a];
				run(&eps[t], &cfg, &r, &m);
				for (i = 0; i < m.ncpu; i++) {
					const struct hp_time_split *s = &m.cpu[i].time;

					assert_int_equal(s->accounting_errors, 0);
					assert_int_equal(s->guest_poll_ns + s->host_poll_ns +
					                     s->sleep_ns + s->transition_ns,
					                 s->halted_ns);
					struct hp_summary sum;
					uint64_t wall = m.wall_ns;

					/* busy + polls + sleep + transitions = wall time, exactly
					 */
					if (m.cpu[i].last_resume_ns > m.t_first_ns + wall)
						wall = m.cpu[i].last_resume_ns - m.t_first_ns;
					hp_summarize(&m, (int)i, &sum);
					assert_int_equal(sum.wall_ns, wall);
					assert_int_equal(sum.busy_ns + sum.time.guest_poll_ns +
					                     sum.time.host_poll_ns +
					                     sum.time.sleep_ns +
					                     sum.time.transition_ns,
					                 wall);
				}
				hp_metrics_free(&m);
				free(r.o);
			}
}

/* With every cost zero no halt adds latency, so closed loop is open loop. */
static void test_closed_loop_without_latency_is_open_loop(void **unused)
{
	size_t t, i;

	(void)unused;
	for (t = 0; t < NTRACES; t++) {
		struct hp_engine_config a, b;
		struct hp_metrics ma, mb;
		struct test_rec ra, rb;

		test_configure(&a, NULL, "kvm", NULL);
		memset(&a.cost, 0, sizeof(a.cost));
		test_configure(&b, NULL, "kvm", NULL);
		memset(&b.cost, 0, sizeof(b.cost));
		b.mode = HP_MODE_CLOSED;
		run(&eps[t], &a, &ra, &ma);
		run(&eps[t], &b, &rb, &mb);
		for (i = 0; i < ra.n; i++) {
			assert_int_equal(ra.o[i].latency_ns, 0);
			assert_int_equal(rb.o[i].shift_ns, 0);
			assert_int_equal(ra.o[i].enter_ns, rb.o[i].enter_ns);
			assert_int_equal(ra.o[i].wake_ns, rb.o[i].wake_ns);
			assert_int_equal(ra.o[i].d[HP_LAYER_HOST].polled_ns,
			                 rb.o[i].d[HP_LAYER_HOST].polled_ns);
		}
		hp_metrics_free(&ma);
		hp_metrics_free(&mb);
		free(ra.o);
		free(rb.o);
	}
}

/* Closed loop on the ping-pong: latency stretches the run, less when the host polls. */
static void test_closed_loop_extension(void **unused)
{
	uint64_t ext[2];
	const char *const host[2] = {"none", "kvm"};
	int k;

	(void)unused;
	for (k = 0; k < 2; k++) {
		struct hp_engine_config cfg;
		struct hp_engine_stats st;
		struct hp_metrics m;
		struct hp_err err;

		test_configure(&cfg, NULL, host[k], NULL);
		cfg.mode = HP_MODE_CLOSED;
		if (hp_replay(&eps[0], &cfg, &m, &st, NULL, NULL, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(st.delayed_halts, 0);
		ext[k] = st.extension_ns;
		/* at least one wakeup path per halt: every halt adds its latency */
		assert_true(ext[k] >= m.total.latency.sum);
		hp_metrics_free(&m);
	}
	assert_true(ext[0] > ext[1]);
}

/*
 * The closed loop's extension is how much later the workload ends: the
 * shift a vCPU carries after its last halt, not the largest shift it ever
 * had. A device-interrupt wakeup stays at its recorded time, so a halt ended
 * by one absorbs the shift the halts before it built up: the first halt
 * (1 ms, past the 200 us poll) sleeps and shifts the vCPU by the sleep path,
 * the second (10 us, caught by the poll) leaves it shifted by the poll path.
 */
static void test_closed_loop_extension_is_the_final_shift(void **unused)
{
	static const struct hp_episode in[] = {
	    {.halt_start_ns = 1000, .wake_ns = 1001000, .source = HP_SRC_IRQ, .source_cpu = -1},
	    {.halt_start_ns = 1003000, .wake_ns = 1013000, .source = HP_SRC_IRQ, .source_cpu = -1},
	};
	static const char *const poll200us[] = {"fixed_poll_ns", "200000", NULL};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct hp_metrics m;
	struct hp_err err;
	struct test_rec r;
	uint64_t sleep_path, poll_path;

	(void)unused;
	test_episodes(&e, in, 2, 0, 1100000);
	test_configure(&cfg, NULL, "fixed", poll200us);
	cfg.mode = HP_MODE_CLOSED;
	sleep_path = cfg.cost.host_wakeup_ns + cfg.cost.vm_entry_ns + cfg.cost.guest_wakeup_ns;
	poll_path = cfg.cost.poll_detect_ns + cfg.cost.vm_entry_ns + cfg.cost.guest_wakeup_ns;
	assert_true(poll_path < sleep_path);
	{
		struct hp_engine_stats st;

		memset(&r, 0, sizeof(r));
		if (hp_replay(&e, &cfg, &m, &st, test_record, &r, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(r.n, 2);
		assert_int_equal(r.o[0].latency_ns, sleep_path);
		assert_int_equal(r.o[1].shift_ns, sleep_path);
		assert_int_equal(r.o[1].latency_ns, poll_path);
		assert_int_equal(st.extension_ns, poll_path);
	}
	hp_metrics_free(&m);
	free(r.o);
	hp_episodes_free(&e);
}

/*
 * Closed loop moves a wakeup by its sender's shift (here the vCPU's own:
 * timer wakeups); the guest layer must see the moved arrival, as the host
 * does. Two timer halts: the first's latency shifts the second, so the second
 * begins 6600 ns late and its wakeup arrives 6600 ns late too. The recorded
 * arrival (1005000) is then before the halt begins (1009600): a guest that
 * saw it would return at once, before the wakeup, with latency 0.
 */
static void test_closed_loop_guest_sees_moved_wakeup(void **unused)
{
	static const struct hp_episode in[] = {
	    {.halt_start_ns = 1000, .wake_ns = 1001000, .source = HP_SRC_TIMER, .source_cpu = -1},
	    {.halt_start_ns = 1003000,
	     .wake_ns = 1005000,
	     .source = HP_SRC_TIMER,
	     .source_cpu = -1},
	};
	const char *const guests[] = {"haltpoll", "oracle", "fixed"};
	struct hp_episodes e;
	size_t g, i;

	(void)unused;
	test_episodes(&e, in, 2, 1000, 1005000);
	for (g = 0; g < sizeof(guests) / sizeof(guests[0]); g++) {
		struct hp_engine_config cfg;
		struct hp_metrics m;
		struct test_rec r;
		uint64_t path;

		test_configure(&cfg, guests[g], "none", NULL);
		cfg.mode = HP_MODE_CLOSED;
		path = cfg.cost.host_wakeup_ns + cfg.cost.vm_entry_ns + cfg.cost.guest_wakeup_ns;
		run(&e, &cfg, &r, &m);
		/* neither guest polls the first halt long enough (1 ms): it sleeps */
		assert_int_equal(r.o[0].latency_ns, path);
		assert_int_equal(r.o[1].shift_ns, path);
		assert_int_equal(r.o[1].enter_ns, in[1].halt_start_ns + path);
		assert_int_equal(r.o[1].wake_ns, in[1].wake_ns + path);
		/* the vCPU cannot run before its wakeup has arrived */
		for (i = 0; i < r.n; i++)
			if (r.o[i].resume_ns <= r.o[i].wake_ns)
				fail_msg("guest %s, halt %zu: resumed at %llu, wakeup at %llu",
				         guests[g], i, (unsigned long long)r.o[i].resume_ns,
				         (unsigned long long)r.o[i].wake_ns);
		assert_int_equal(m.cpu[0].time.accounting_errors, 0);
		hp_metrics_free(&m);
		free(r.o);
	}
	hp_episodes_free(&e);
}

/* The load models produce the requested busy share, and contention stops host polling. */
static void test_host_load(void **unused)
{
	static const enum hp_load_kind kinds[] = {HP_LOAD_POISSON, HP_LOAD_PERIODIC};
	size_t k, i;

	(void)unused;
	for (k = 0; k < 2; k++) {
		struct hp_load_model lm = {
		    .fraction = 0.3, .kind = kinds[k], .burst_ns = 50000, .seed = 7};
		struct hp_episodes e = eps[1];
		uint64_t busy = 0, span = e.t_last_ns - e.t_first_ns;
		struct hp_err err;

		e.busy = NULL;
		e.nbusy = e.busy_cap = 0;
		assert_int_equal(hp_load_apply(&e, &lm, &err), 0);
		for (i = 0; i < e.nbusy; i++) {
			assert_true(i == 0 || e.busy[i].start_ns > e.busy[i - 1].end_ns);
			busy += e.busy[i].end_ns - e.busy[i].start_ns;
		}
		assert_in_range(busy * 100 / span, 25, 35);
		free(e.busy);
	}
	{
		struct hp_load_model full = {.fraction = 1, .burst_ns = 50000, .seed = 1};
		struct hp_episodes e = eps[0];
		struct hp_engine_config cfg;
		struct hp_metrics m;
		struct hp_err err;
		struct test_rec r;

		e.busy = NULL;
		e.nbusy = e.busy_cap = 0;
		assert_int_equal(hp_load_apply(&e, &full, &err), 0);
		test_configure(&cfg, "haltpoll", "kvm", NULL);
		cfg.kernel.arch = HP_ARCH_ARM64;
		run(&e, &cfg, &r, &m);
		/* the host's loop stops at its first check: one nanosecond per attempt */
		assert_true(m.total.layer[HP_LAYER_HOST].halt_attempted_poll > 0);
		assert_true(hp_layer_poll_ns(&m.total.layer[HP_LAYER_HOST]) <=
		            m.total.layer[HP_LAYER_HOST].halt_attempted_poll);
		/* the guest's polling took all of its time from the other task */
		assert_int_equal(m.cpu[0].time.guest_poll_contended_ns,
		                 m.cpu[0].time.guest_poll_ns);
		assert_true(m.cpu[0].time.guest_poll_ns > 0);
		hp_metrics_free(&m);
		free(r.o);
		free(e.busy);
	}
}

/*
 * Guest polling while another host task is runnable: a contention interval
 * that ends within the guest's poll counts, also when the guest then
 * executes HLT and the host layer looks at its CPU after the exit.
 */
static void test_guest_poll_contention_before_hlt(void **unused)
{
	static const char *const poll10us[] = {"fixed_poll_ns", "10000", NULL};
	struct hp_episode ep = {.halt_start_ns = 100000, .wake_ns = 1100000, .source_cpu = -1};
	struct hp_busy b = {.start_ns = 101000, .end_ns = 103000, .cpu = 0};
	const char *const hosts[] = {"none", "kvm"};
	struct hp_episodes e;
	struct hp_err err;
	size_t h;

	(void)unused;
	memset(&e, 0, sizeof(e));
	assert_int_equal(hp_episodes_push(&e, &ep, &err), 0);
	assert_int_equal(hp_episodes_push_busy(&e, &b, &err), 0);
	e.t_first_ns = 0;
	e.t_last_ns = 2000000;
	for (h = 0; h < 2; h++) {
		struct hp_engine_config cfg;
		struct hp_metrics m;
		struct test_rec r;

		test_configure(&cfg, "fixed", hosts[h], poll10us);
		run(&e, &cfg, &r, &m);
		/* the guest polled 10 us, saw no wakeup and executed HLT */
		assert_int_equal(r.o[0].d[HP_LAYER_GUEST].outcome, HP_POLL_MISS);
		assert_int_equal(r.o[0].d[HP_LAYER_GUEST].polled_ns, 10000);
		assert_int_equal(r.o[0].guest_poll_contended_ns, 2000);
		assert_int_equal(m.cpu[0].time.guest_poll_contended_ns, 2000);
		hp_metrics_free(&m);
		free(r.o);
	}
	hp_episodes_free(&e);
}

/*
 * A wakeup that arrived before the host layer was entered but that a poller
 * would only see later (poll_detect_ns above host_wakeup_ns): a reference
 * host policy that sleeps wakes host_wakeup_ns after it went to sleep, as
 * schedule() does, never before it entered. Zero-length halts (wake ==
 * halt start) on arm64, where every halt reaches the host layer.
 */
static void test_reference_host_sleep_after_entry(void **unused)
{
	static const char *const pols[][3] = {
	    {"none", NULL}, {"fixed", "fixed_poll_ns", "0"}, {"oracle", "oracle_window_ns", "0"}};
	struct hp_episodes e;
	struct hp_err err;
	size_t p, i;

	(void)unused;
	memset(&e, 0, sizeof(e));
	for (i = 0; i < 3; i++) {
		struct hp_episode ep = {.halt_start_ns = 100000 * (i + 1),
		                        .wake_ns = 100000 * (i + 1),
		                        .source_cpu = -1};

		assert_int_equal(hp_episodes_push(&e, &ep, &err), 0);
	}
	e.t_first_ns = 0;
	e.t_last_ns = 400000;
	for (p = 0; p < 3; p++) {
		const char *const params[] = {pols[p][1], pols[p][2], NULL};
		struct hp_engine_config cfg;
		struct hp_metrics m;
		struct test_rec r;

		test_configure(&cfg, NULL, pols[p][0], pols[p][1] ? params : NULL);
		cfg.kernel.arch = HP_ARCH_ARM64;
		cfg.cost.poll_detect_ns = 10000;
		cfg.cost.host_wakeup_ns = 100;
		run(&e, &cfg, &r, &m);
		for (i = 0; i < r.n; i++) {
			const struct hp_outcome *o = &r.o[i];
			const struct hp_decision *d = &o->d[HP_LAYER_HOST];
			uint64_t host_enter = o->enter_ns + cfg.cost.hlt_exit_ns;

			assert_true(o->has[HP_LAYER_HOST]);
			assert_true(d->end_ns >= host_enter);
			assert_true(d->wait_ns <= d->end_ns - host_enter);
			assert_true(d->block_ns <= d->end_ns - host_enter);
			if (d->waited)
				assert_int_equal(d->end_ns, host_enter + cfg.cost.host_wakeup_ns);
			assert_int_equal(o->resume_ns, d->end_ns + cfg.cost.vm_entry_ns +
			                                   cfg.cost.guest_wakeup_ns);
		}
		assert_true(m.cpu[0].time.sleep_ns <= m.cpu[0].time.halted_ns);
		assert_int_equal(m.cpu[0].time.accounting_errors, 0);
		hp_metrics_free(&m);
		free(r.o);
	}
	hp_episodes_free(&e);
}

/*
 * Timestamps the engine cannot replay: the kernel's ktime is signed 64-bit
 * and a replay adds costs and latencies to every time, so times past
 * HP_TIME_MAX_NS are refused with a message, by the engine and by the load
 * model, whose bursts would otherwise wrap past 2^64 and never reach the
 * capture's end.
 */
static void test_huge_timestamps(void **unused)
{
	const uint64_t top = UINT64_MAX - 551615; /* the wrap is 51 us after the capture */
	struct hp_episode ep = {.halt_start_ns = top, .wake_ns = top + 500000, .source_cpu = -1};
	struct hp_load_model lm = {.fraction = 0.5, .burst_ns = 50000, .seed = 1};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_episodes e;
	struct hp_err err;

	(void)unused;
	memset(&e, 0, sizeof(e));
	assert_int_equal(hp_episodes_push(&e, &ep, &err), 0);
	e.t_first_ns = ep.halt_start_ns;
	e.t_last_ns = ep.wake_ns;
	assert_int_equal(hp_load_apply(&e, &lm, &err), -1);
	assert_non_null(strstr(err.msg, "ns"));
	assert_int_equal(e.nbusy, 0);
	test_configure(&cfg, NULL, "kvm", NULL);
	assert_int_equal(hp_engine_run(&e, &cfg, &st, &err), -1);
	assert_non_null(strstr(err.msg, "cpu 0"));
	/* the largest accepted time replays */
	e.ep[0].halt_start_ns = HP_TIME_MAX_NS - 500000;
	e.ep[0].wake_ns = HP_TIME_MAX_NS;
	e.t_first_ns = e.ep[0].halt_start_ns;
	e.t_last_ns = e.ep[0].wake_ns;
	assert_int_equal(hp_load_apply(&e, &lm, &err), 0);
	assert_true(e.nbusy > 0);
	assert_int_equal(hp_engine_run(&e, &cfg, &st, &err), 0);
	assert_int_equal(st.halts, 1);
	hp_episodes_free(&e);
}

/* A vanishing load fraction: idle times past any capture, no bursts, no overflowing cast. */
static void test_host_load_tiny_fraction(void **unused)
{
	struct hp_load_model lm = {.fraction = 1e-300, .burst_ns = 1000000000000000ull, .seed = 3};
	struct hp_episodes e = eps[1];
	struct hp_err err;

	(void)unused;
	e.busy = NULL;
	e.nbusy = e.busy_cap = 0;
	assert_int_equal(hp_load_apply(&e, &lm, &err), 0);
	assert_int_equal(e.nbusy, 0);
	free(e.busy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_none_everywhere_latency_is_the_wakeup_path),
	    cmocka_unit_test(test_none_guest_over_host_changes_nothing),
	    cmocka_unit_test(test_open_loop_keeps_arrivals),
	    cmocka_unit_test(test_oracle_is_a_lower_bound),
	    cmocka_unit_test(test_reference_policies),
	    cmocka_unit_test(test_time_accounting),
	    cmocka_unit_test(test_closed_loop_without_latency_is_open_loop),
	    cmocka_unit_test(test_closed_loop_extension),
	    cmocka_unit_test(test_closed_loop_guest_sees_moved_wakeup),
	    cmocka_unit_test(test_closed_loop_extension_is_the_final_shift),
	    cmocka_unit_test(test_host_load),
	    cmocka_unit_test(test_guest_poll_contention_before_hlt),
	    cmocka_unit_test(test_reference_host_sleep_after_entry),
	    cmocka_unit_test(test_huge_timestamps),
	    cmocka_unit_test(test_host_load_tiny_fraction),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
