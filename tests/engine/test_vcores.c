/*
 * The vcore scheduler (powerpc, the kernel's documented behaviour):
 *  - a vcore of one vCPU run as discrete events gives, halt for halt, what
 *    the episode-order walk gives;
 *  - a hand-worked vcore of two, to the nanosecond;
 *  - on the four captures laid side by side as four vCPUs, in vcores of 2
 *    and 4: every episode is accounted exactly once; each vCPU's time splits
 *    exactly; a vcore never polls while one of its vCPUs runs guest code;
 *    one wakeup ends the block for all (the block ends on the earliest
 *    wakeup of its vCPUs, and every vCPU whose wakeup has come resumes at
 *    the block's end); blocks of one vcore never overlap; in open and in closed loop;
 *  - closed loop with no costs is open loop.
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
#define NTRACES   4
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static struct hp_episodes eps[NTRACES];
static struct hp_episodes side; /* the four captures as vCPUs 0..3 from a common start */

static int load(void **unused)
{
	struct hp_err err;
	size_t t, i;

	(void)unused;
	memset(&side, 0, sizeof(side));
	for (t = 0; t < NTRACES; t++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		if (hp_trace_read(path, &eps[t], &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
		for (i = 0; i < eps[t].n; i++) {
			struct hp_episode e = eps[t].ep[i];

			e.halt_start_ns -= eps[t].t_first_ns;
			e.wake_ns -= eps[t].t_first_ns;
			e.cpu = (uint32_t)t;
			e.source_cpu = -1;
			if (hp_episodes_push(&side, &e, &err) < 0)
				return -1;
		}
		if (eps[t].t_last_ns - eps[t].t_first_ns > side.t_last_ns)
			side.t_last_ns = eps[t].t_last_ns - eps[t].t_first_ns;
	}
	hp_episodes_sort(&side);
	return hp_episodes_validate(&side, &err);
}

static int unload(void **unused)
{
	size_t t;

	(void)unused;
	for (t = 0; t < NTRACES; t++)
		hp_episodes_free(&eps[t]);
	hp_episodes_free(&side);
	return 0;
}

static void configure(struct hp_engine_config *cfg, uint32_t size, const char *poll_ns)
{
	struct hp_run_spec spec;
	struct hp_err err;

	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_VCORE] = "vcore";
	spec.arch = "ppc";
	spec.vcore_size = size;
	if (poll_ns) {
		spec.params[0].name = "halt_poll_ns";
		spec.params[0].value = poll_ns;
		spec.nparams = 1;
	}
	if (hp_engine_configure(&spec, cfg, &err) < 0)
		fail_msg("%s", err.msg);
}

static void test_vcore_of_one_is_the_walk(void **unused)
{
	static const char *const windows[] = {NULL, "100000", "0"};
	size_t t, w, i;

	(void)unused;
	for (t = 0; t < NTRACES; t++)
		for (w = 0; w < 3; w++) {
			struct hp_engine_config a, b;
			struct hp_engine_stats sa, sb;
			struct hp_metrics ma, mb;
			struct test_rec ra, rb;

			configure(&a, 1, windows[w]);
			test_replay(&eps[t], &a, &ra, &ma, &sa);
			configure(&b, 1, windows[w]);
			b.event_driven = true;
			test_replay(&eps[t], &b, &rb, &mb, &sb);
			assert_int_equal(ra.n, eps[t].n);
			assert_int_equal(rb.n, eps[t].n);
			for (i = 0; i < ra.n; i++) {
				const struct hp_decision *x = &ra.o[i].d[HP_LAYER_VCORE],
				                         *y = &rb.o[i].d[HP_LAYER_VCORE];

				assert_ptr_equal(ra.o[i].ep, rb.o[i].ep);
				assert_int_equal(ra.o[i].enter_ns, rb.o[i].enter_ns);
				assert_int_equal(ra.o[i].resume_ns, rb.o[i].resume_ns);
				assert_int_equal(ra.o[i].latency_ns, rb.o[i].latency_ns);
				assert_int_equal(rb.o[i].has[HP_LAYER_VCORE], 1);
				assert_int_equal(x->outcome, y->outcome);
				assert_int_equal(x->polled_ns, y->polled_ns);
				assert_int_equal(x->wait_ns, y->wait_ns);
				assert_int_equal(x->poll_limit_after_ns, y->poll_limit_after_ns);
			}
			assert_int_equal(sa.delayed_halts, sb.delayed_halts);
			/* the engine's own split equals the one metrics derive from the decisions
			 */
			assert_memory_equal(&ma.cpu[0].time, &mb.cpu[0].time,
			                    sizeof(ma.cpu[0].time));
			assert_memory_equal(&ma.total.layer[HP_LAYER_VCORE],
			                    &mb.total.layer[HP_LAYER_VCORE],
			                    sizeof(ma.total.layer[HP_LAYER_VCORE]));
			hp_metrics_free(&ma);
			hp_metrics_free(&mb);
			free(ra.o);
			free(rb.o);
		}
}

/*
 * vCPU 0 halts 100..300 us, vCPU 1 150..250 us (vcore of two, ppc costs:
 * exit 2000, entry 1000, host wakeup 8000, guest wakeup 1500). The vcore
 * blocks when vCPU 1's exit completes at 152 us; its window starts at 0 (the
 * kernel's), so it sleeps until the 250 us wakeup, runs again at 258 us and
 * hands the core back: vCPU 1 resumes at 258 + 1 + 1.5 us, and the 106 us
 * block grows the window to grow_start. vCPU 0 stays ceded and is woken
 * inside the guest at 300 + 1.5 us. Nothing polls or sleeps on the host
 * before 152 us although vCPU 0 halted at 100 us.
 */
static void test_vcore_of_two_by_hand(void **unused)
{
	struct hp_episodes e = {0};
	struct hp_episode a = {
	    .halt_start_ns = 100000, .wake_ns = 300000, .cpu = 0, .source_cpu = -1};
	struct hp_episode b = {
	    .halt_start_ns = 150000, .wake_ns = 250000, .cpu = 1, .source_cpu = -1};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct hp_err err;
	struct test_rec r;

	(void)unused;
	assert_int_equal(hp_episodes_push(&e, &a, &err), 0);
	assert_int_equal(hp_episodes_push(&e, &b, &err), 0);
	hp_episodes_sort(&e);
	e.t_first_ns = 0;
	e.t_last_ns = 400000;
	configure(&cfg, 2, "200000");
	test_replay(&e, &cfg, &r, &m, &st);
	assert_int_equal(r.n, 2);
	/* vCPU 1 ends first: the block's end woke it */
	assert_int_equal(r.o[0].ep->cpu, 1);
	assert_int_equal(r.o[0].has[HP_LAYER_VCORE], 1);
	assert_int_equal(r.o[0].d[HP_LAYER_VCORE].enter_ns, 152000);
	assert_int_equal(r.o[0].d[HP_LAYER_VCORE].outcome, HP_NO_POLL);
	assert_int_equal(r.o[0].d[HP_LAYER_VCORE].waited, 1);
	assert_int_equal(r.o[0].d[HP_LAYER_VCORE].end_ns, 258000);
	assert_int_equal(r.o[0].d[HP_LAYER_VCORE].poll_limit_after_ns, 10000);
	assert_int_equal(r.o[0].d[HP_LAYER_VCORE].stat_cpu, 1);
	assert_int_equal(r.o[0].resume_ns, 258000 + 1000 + 1500);
	assert_int_equal(r.o[0].latency_ns, 8000 + 1000 + 1500);
	/* vCPU 0: no host decision of its own, woken in the guest */
	assert_int_equal(r.o[1].ep->cpu, 0);
	assert_int_equal(r.o[1].has[HP_LAYER_VCORE], 0);
	assert_int_equal(r.o[1].resume_ns, 300000 + 1500);
	assert_int_equal(r.o[1].latency_ns, 1500);
	assert_int_equal(r.o[1].split_sleep_ns, 300000 - 102000);
	/* the KVM statistics are the runner's */
	assert_int_equal(m.cpu[1].layer[HP_LAYER_VCORE].halts, 1);
	assert_int_equal(m.cpu[1].layer[HP_LAYER_VCORE].halt_wait_ns, 106000);
	assert_int_equal(m.cpu[0].layer[HP_LAYER_VCORE].halts, 0);
	assert_int_equal(m.cpu[1].time.sleep_ns, 106000);
	assert_int_equal(m.cpu[1].time.transition_ns, 2000 + 1000 + 1500);
	assert_int_equal(m.cpu[0].time.accounting_errors + m.cpu[1].time.accounting_errors, 0);
	hp_metrics_free(&m);
	free(r.o);
	hp_episodes_free(&e);
}

static int by_enter(const void *x, const void *y)
{
	const struct hp_outcome *a = x, *b = y;

	if (a->ep->cpu != b->ep->cpu)
		return a->ep->cpu < b->ep->cpu ? -1 : 1;
	return a->enter_ns < b->enter_ns ? -1 : a->enter_ns > b->enter_ns;
}

/* The halt of cpu in flight at t (enter <= t < resume) in the outcomes sorted by_enter, or NULL. */
static const struct hp_outcome *halted_at(const struct test_rec *r, uint32_t cpu, uint64_t t)
{
	size_t lo = 0, hi = r->n;

	/* the first outcome after (cpu, t) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct hp_outcome *o = &r->o[mid];

		if (o->ep->cpu < cpu || (o->ep->cpu == cpu && o->enter_ns <= t))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || r->o[lo - 1].ep->cpu != cpu || r->o[lo - 1].resume_ns <= t)
		return NULL;
	return &r->o[lo - 1];
}

struct block {
	uint32_t vcore;
	uint64_t enter, end;
};

static int by_block(const void *x, const void *y)
{
	const struct block *a = x, *b = y;

	if (a->vcore != b->vcore)
		return a->vcore < b->vcore ? -1 : 1;
	return a->enter < b->enter ? -1 : a->enter > b->enter;
}

static void check_vcores(const struct test_rec *r, const struct hp_engine_config *cfg,
                         uint32_t size, size_t *blocks)
{
	const struct hp_cost *c = &cfg->cost;
	struct block *b = calloc(r->n, sizeof(*b));
	size_t nb = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		const struct hp_outcome *o = &r->o[i];
		const struct hp_decision *d = &o->d[HP_LAYER_VCORE];
		uint32_t first = o->ep->cpu / size * size, k;
		uint64_t w = UINT64_MAX;

		if (!o->has[HP_LAYER_VCORE])
			continue;
		(*blocks)++;
		b[nb].vcore = first;
		b[nb].enter = d->enter_ns;
		b[nb++].end = d->end_ns;
		assert_int_equal(d->stat_cpu, o->ep->cpu);
		for (k = first; k < first + size && k < NTRACES; k++) {
			const struct hp_outcome *h = halted_at(r, k, d->enter_ns);

			/* every vCPU of the vcore is halted for the whole poll */
			assert_non_null(h);
			assert_true(h->enter_ns + c->hlt_exit_ns <= d->enter_ns);
			assert_true(d->enter_ns + d->polled_ns <= h->resume_ns);
			if (h->wake_ns < w)
				w = h->wake_ns;
		}
		/* the earliest wakeup ends the block ... */
		if (d->waited)
			assert_int_equal(d->end_ns,
			                 MAX(w, d->enter_ns + d->polled_ns) + c->host_wakeup_ns);
		else {
			/* seen by the polling loop, or by the last look before sleeping when
			 * the window ran out before the loop noticed a wakeup already there */
			uint64_t seen = MAX(w + c->poll_detect_ns, d->enter_ns);
			uint64_t window_end = d->enter_ns + d->poll_limit_before_ns;

			assert_true(w <= d->end_ns);
			assert_int_equal(d->end_ns, MIN(seen, window_end));
		}
		/* ... for all: every vCPU whose wakeup came by then resumes at the block's end */
		for (k = first; k < first + size && k < NTRACES; k++) {
			const struct hp_outcome *h = halted_at(r, k, d->enter_ns);

			if (h->wake_ns <= d->end_ns)
				assert_int_equal(h->resume_ns,
				                 d->end_ns + c->vm_entry_ns + c->guest_wakeup_ns);
			else
				assert_true(h->resume_ns > d->end_ns + c->vm_entry_ns);
		}
	}
	/* blocks of one vcore do not overlap */
	qsort(b, nb, sizeof(*b), by_block);
	for (i = 1; i < nb; i++)
		if (b[i].vcore == b[i - 1].vcore)
			assert_true(b[i].enter >= b[i - 1].end);
	free(b);
}

static void test_vcore_invariants(void **unused)
{
	static const uint32_t sizes[] = {2, 4};
	static const char *const windows[] = {NULL, "200000", "0"};
	size_t s, w, i, blocks = 0;

	(void)unused;
	/* windows: the default, a wide one, none; each in open and in closed loop */
	for (s = 0; s < 2; s++)
		for (w = 0; w < 6; w++) {
			struct hp_engine_config cfg;
			struct hp_engine_stats st;
			struct hp_metrics m;
			struct test_rec r;
			uint8_t *seen = calloc(side.n, 1);

			assert_non_null(seen);
			configure(&cfg, sizes[s], windows[w % 3]);
			cfg.mode = w < 3 ? HP_MODE_OPEN : HP_MODE_CLOSED;
			test_replay(&side, &cfg, &r, &m, &st);
			/* every episode once */
			assert_int_equal(r.n, side.n);
			assert_int_equal(st.halts, side.n);
			for (i = 0; i < r.n; i++) {
				size_t k = (size_t)(r.o[i].ep - side.ep);

				assert_true(k < side.n);
				assert_int_equal(seen[k], 0);
				seen[k] = 1;
			}
			for (i = 0; i < m.ncpu; i++) {
				const struct hp_time_split *t = &m.cpu[i].time;

				assert_int_equal(t->accounting_errors, 0);
				assert_int_equal(t->host_poll_ns + t->sleep_ns + t->transition_ns,
				                 t->halted_ns);
			}
			qsort(r.o, r.n, sizeof(*r.o), by_enter);
			check_vcores(&r, &cfg, sizes[s], &blocks);
			hp_metrics_free(&m);
			free(r.o);
			free(seen);
		}
	assert_true(blocks > 100);
}

static void test_vcore_closed_without_costs_is_open(void **unused)
{
	struct hp_engine_config a, b;
	struct hp_engine_stats sa, sb;
	struct hp_metrics ma, mb;
	struct test_rec ra, rb;
	size_t i;

	(void)unused;
	configure(&a, 2, NULL);
	memset(&a.cost, 0, sizeof(a.cost));
	configure(&b, 2, NULL);
	memset(&b.cost, 0, sizeof(b.cost));
	b.mode = HP_MODE_CLOSED;
	test_replay(&side, &a, &ra, &ma, &sa);
	test_replay(&side, &b, &rb, &mb, &sb);
	assert_int_equal(ra.n, rb.n);
	assert_int_equal(sb.extension_ns, 0);
	for (i = 0; i < ra.n; i++) {
		assert_ptr_equal(ra.o[i].ep, rb.o[i].ep);
		assert_int_equal(ra.o[i].enter_ns, rb.o[i].enter_ns);
		assert_int_equal(ra.o[i].wake_ns, rb.o[i].wake_ns);
		assert_int_equal(ra.o[i].resume_ns, rb.o[i].resume_ns);
	}
	hp_metrics_free(&ma);
	hp_metrics_free(&mb);
	free(ra.o);
	free(rb.o);
}

static void test_vcore_config_errors(void **unused)
{
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_err err;

	(void)unused;
	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_HOST] = "kvm";
	spec.vcore_size = 2;
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), 0);
	assert_int_equal(hp_engine_run(&eps[0], &cfg, &st, &err), -1);
	assert_non_null(strstr(err.msg, "--vcore"));
	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_VCORE] = "vcore";
	spec.policy[HP_LAYER_GUEST] = "haltpoll";
	spec.vcore_size = 2;
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), 0);
	assert_int_equal(hp_engine_run(&eps[0], &cfg, &st, &err), -1);
	assert_non_null(strstr(err.msg, "--guest"));
}

/*
 * The report's total over four vCPUs agrees with the halts themselves: counts,
 * polling, latency sum, extremes and percentiles of every outcome recorded.
 */
static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_total_is_every_halt(void **unused)
{
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct test_rec r;
	uint64_t *lat, sum = 0, hits = 0, poll = 0;
	const struct hp_cpu_metrics *t;
	size_t i;

	(void)unused;
	configure(&cfg, 2, "50000");
	test_replay(&side, &cfg, &r, &m, &st);
	t = &m.total;
	assert_true(side.ncpu >= 2);
	assert_int_equal(t->halts, r.n);
	assert_int_equal(t->latency.count, r.n);
	lat = malloc(r.n * sizeof(*lat));
	assert_non_null(lat);
	for (i = 0; i < r.n; i++) {
		const struct hp_decision *d = &r.o[i].d[HP_LAYER_VCORE];

		lat[i] = r.o[i].latency_ns;
		sum += lat[i];
		if (r.o[i].has[HP_LAYER_VCORE] && d->outcome == HP_POLL_HIT) {
			hits++;
			poll += d->polled_ns;
		}
	}
	qsort(lat, r.n, sizeof(*lat), cmp_u64);
	assert_int_equal(t->latency.sum, sum);
	assert_int_equal(t->latency.min, lat[0]);
	assert_int_equal(t->latency.max, lat[r.n - 1]);
	assert_int_equal(t->layer[HP_LAYER_VCORE].halt_successful_poll, hits);
	assert_int_equal(t->layer[HP_LAYER_VCORE].halt_poll_success_ns, poll);
	/* the p99 of all halts, within the histogram's 1/128 */
	{
		uint64_t want = lat[(size_t)((double)r.n * 0.99 + 0.999999) - 1];
		uint64_t got = hp_lat_quantile(&t->latency, 0.99);

		assert_true(got * 128 >= want * 127 && got * 127 <= want * 128);
	}
	free(lat);
	free(r.o);
	hp_metrics_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vcore_of_one_is_the_walk),
	    cmocka_unit_test(test_vcore_of_two_by_hand),
	    cmocka_unit_test(test_vcore_invariants),
	    cmocka_unit_test(test_vcore_closed_without_costs_is_open),
	    cmocka_unit_test(test_vcore_config_errors),
	    cmocka_unit_test(test_total_is_every_halt),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
