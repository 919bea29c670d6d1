/*
 * Host idle states beyond one vCPU's last idle stretch, each figure worked
 * out by hand from the model and the governor's algorithm:
 *  - every idle stretch of a halt goes to the governor, in order: a halt
 *    broken by four contention intervals is five idle periods, and ladder
 *    (promotion after four periods longer than the state's exit latency)
 *    enters the deep state for the fifth, whose exit the wakeup pays;
 *    every stretch counts in the residencies;
 *  - a contention task that holds the CPU when the wakeup comes ends the
 *    last stretch: its idle time counts, the wakeup pays no exit latency;
 *  - a powerpc vcore of two vCPUs idles while it blocks, in the one deep
 *    state of its table; the block's end pays the exit latency, which the
 *    vcore's poll sees as block time and which delays both vCPUs; the
 *    contention that splits its idle time is the runner's CPU's;
 *  - a vcore of one vCPU run as discrete events gives, with idle states,
 *    halt for halt what the episode-order walk gives.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "idle_fixtures.h"
#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

#define US 1000ull
#define MS 1000000ull

static char dir[] = "/tmp/hpsim-idle-stretches-XXXXXX";
static char two_states[600], one_state[600];

static int setup(void **unused)
{
	(void)unused;
	return test_idle_tables(dir, two_states, one_state, sizeof(two_states));
}

static int teardown(void **unused)
{
	(void)unused;
	return test_rm_rf(dir);
}

/* An outcome and a copy of its residencies (the engine reuses their array). */
struct rec {
	size_t n, cap;
	struct hp_outcome *o;
	uint64_t (*res)[HP_IDLE_MAX_STATES];
	bool *has_res;
};

static void record(void *ctx, const struct hp_outcome *o)
{
	struct rec *r = ctx;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->o = realloc(r->o, r->cap * sizeof(*r->o));
		r->res = realloc(r->res, r->cap * sizeof(*r->res));
		r->has_res = realloc(r->has_res, r->cap * sizeof(*r->has_res));
		assert_non_null(r->o);
		assert_non_null(r->res);
		assert_non_null(r->has_res);
	}
	r->o[r->n] = *o;
	r->has_res[r->n] = o->idle_res_ns != NULL;
	memset(r->res[r->n], 0, sizeof(r->res[r->n]));
	if (o->idle_res_ns)
		memcpy(r->res[r->n], o->idle_res_ns, sizeof(r->res[r->n]));
	r->o[r->n].idle_res_ns = NULL;
	r->n++;
}

static void rec_free(struct rec *r)
{
	free(r->o);
	free(r->res);
	free(r->has_res);
}

static void run(const struct hp_episodes *e, struct hp_engine_config *cfg, struct rec *r,
                struct hp_metrics *m)
{
	struct hp_engine_stats st;
	struct hp_err err;

	memset(r, 0, sizeof(*r));
	if (hp_replay(e, cfg, m, &st, record, r, &err) < 0)
		fail_msg("%s", err.msg);
}

/*
 * x86 kvm without polling: the thread sleeps at the host entry, 1 us (the
 * HLT exit), until the IPI at 5 ms. Another task runs 1.0-1.1, 2.0-2.1,
 * 3.0-3.1 and 4.0-4.1 ms: the CPU idles five times, 999 us then 900 us
 * four times. ladder (tick stopped, no POLL): the first select sees no
 * history and keeps C1; each of the next four sees a period far past C1's
 * 2 us exit latency, and the fourth of those promotes to C6. So C1 holds
 * 999 + 3 x 900 us, C6 900 us, and the wakeup pays C6's 100 us: latency
 * 100 + 5 (host wakeup) + 0.6 (entry) + 1 (guest interrupt) us. Had only
 * the last stretch been modelled, the first period would be in C1 (2 us).
 */
static void test_every_stretch_to_the_governor(void **unused)
{
	static const uint64_t busy[] = {1 * MS, 1 * MS + 100 * US, 2 * MS, 2 * MS + 100 * US,
	                                3 * MS, 3 * MS + 100 * US, 4 * MS, 4 * MS + 100 * US};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct hp_metrics m;
	struct rec r;

	(void)unused;
	test_one_halt(&e, 5 * MS, busy, 4);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", two_states, "ladder");
	run(&e, &cfg, &r, &m);
	assert_int_equal(r.n, 1);
	assert_true(r.has_res[0]);
	assert_int_equal(r.res[0][0], 999 * US + 3 * 900 * US);
	assert_int_equal(r.res[0][1], 900 * US);
	assert_int_equal(r.o[0].idle_state, 1);
	assert_int_equal(r.o[0].idle_exit_ns, 100 * US);
	assert_int_equal(r.o[0].latency_ns, 100 * US + 5000 + 600 + 1000);
	/* the report: both states' residencies, one wakeup found in C6, and its exit */
	assert_int_equal(m.cpu[0].idle.res_ns[0], 3699 * US);
	assert_int_equal(m.cpu[0].idle.res_ns[1], 900 * US);
	assert_int_equal(m.cpu[0].idle.wakes[0], 0);
	assert_int_equal(m.cpu[0].idle.wakes[1], 1);
	assert_int_equal(m.total.idle.exit_ns, 100 * US);
	assert_int_equal(m.cpu[0].time.accounting_errors, 0);
	hp_metrics_free(&m);
	rec_free(&r);
	hp_episodes_free(&e);
}

/*
 * The same halt with contention 1.0-1.1 ms and 4.9-5.1 ms: the second task
 * holds the CPU when the IPI comes at 5 ms. The CPU idled 1 us-1 ms and
 * 1.1-4.9 ms, both in C1 (one promotion counted, four needed): 999 + 3800
 * us of C1, counted although no wakeup of the vCPU found the CPU idle; the
 * wakeup preempts the other task and pays no exit latency: 6.6 us.
 */
static void test_contention_at_the_wakeup(void **unused)
{
	static const uint64_t busy[] = {1 * MS, 1 * MS + 100 * US, 4 * MS + 900 * US,
	                                5 * MS + 100 * US};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct hp_metrics m;
	struct rec r;

	(void)unused;
	test_one_halt(&e, 5 * MS, busy, 2);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", two_states, "ladder");
	run(&e, &cfg, &r, &m);
	assert_int_equal(r.n, 1);
	assert_true(r.has_res[0]);
	assert_int_equal(r.res[0][0], 4799 * US);
	assert_int_equal(r.res[0][1], 0);
	assert_int_equal(r.o[0].idle_state, -1);
	assert_int_equal(r.o[0].idle_exit_ns, 0);
	assert_int_equal(r.o[0].latency_ns, 5000 + 600 + 1000);
	assert_int_equal(m.cpu[0].idle.res_ns[0], 4799 * US);
	assert_int_equal(m.cpu[0].idle.wakes[0] + m.cpu[0].idle.wakes[1], 0);
	assert_int_equal(m.cpu[0].idle.exit_ns, 0);
	hp_metrics_free(&m);
	rec_free(&r);
	hp_episodes_free(&e);
}

/*
 * A halt whose only idle stretch ends in contention before the wakeup
 * (a task runs 3-6 ms, the IPI at 5 ms) and a halt with contention only
 * before the sleep (0-0.5 ms): the first idles 1 us-3 ms, the second from
 * 0.5 ms to its wakeup; the second's wakeup pays the exit, the first's not.
 */
static void test_stretch_edges(void **unused)
{
	static const uint64_t busy[] = {3 * MS, 6 * MS};
	static const uint64_t before[] = {0, 500 * US};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct hp_metrics m;
	struct rec r;

	(void)unused;
	test_one_halt(&e, 5 * MS, busy, 1);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", one_state, "menu");
	run(&e, &cfg, &r, &m);
	assert_int_equal(r.res[0][0], 3 * MS - 1 * US);
	assert_int_equal(r.o[0].idle_state, -1);
	assert_int_equal(r.o[0].latency_ns, 6600);
	hp_metrics_free(&m);
	rec_free(&r);
	hp_episodes_free(&e);

	test_one_halt(&e, 5 * MS, before, 1);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", one_state, "menu");
	run(&e, &cfg, &r, &m);
	assert_int_equal(r.res[0][0], 4500 * US);
	assert_int_equal(r.o[0].idle_state, 0);
	assert_int_equal(r.o[0].latency_ns, 100 * US + 6600);
	hp_metrics_free(&m);
	rec_free(&r);
	hp_episodes_free(&e);
}

/*
 * vCPU 0 halts 100..300 us, vCPU 1 150..250 us, in a vcore of two (ppc
 * costs: exit 2, entry 1, host wakeup 8, guest interrupt 1.5 us), with a
 * table of one state, C6 (100 us exit). The vcore blocks when vCPU 1's
 * exit completes at 152 us; its poll window starts at 0, so its host CPU
 * idles in C6 from 152 us to the 250 us wakeup (98 us), and the block ends
 * at 250 + 100 + 8 = 358 us. By then vCPU 0's 300 us wakeup has come too:
 * both resume at 358 + 1 + 1.5 us (without idle states vCPU 0 was woken in
 * the guest at 301.5 us). The block the vcore loop measured is 206 us, past
 * the 200 us ceiling: the window stays 0 (without the exit it grew to 10
 * us). The residency and the exit are the runner's, vCPU 1's.
 */
static void test_vcore_of_two_one_deep_state(void **unused)
{
	struct hp_episodes e = {0};
	struct hp_episode a = {
	    .halt_start_ns = 100 * US, .wake_ns = 300 * US, .cpu = 0, .source_cpu = -1};
	struct hp_episode b = {
	    .halt_start_ns = 150 * US, .wake_ns = 250 * US, .cpu = 1, .source_cpu = -1};
	struct hp_engine_config cfg;
	struct hp_metrics m;
	struct hp_err err;
	struct rec r;

	(void)unused;
	assert_int_equal(hp_episodes_push(&e, &a, &err), 0);
	assert_int_equal(hp_episodes_push(&e, &b, &err), 0);
	hp_episodes_sort(&e);
	e.t_first_ns = 0;
	e.t_last_ns = 400 * US;
	test_configure_idle(&cfg, "vcore", "ppc", 2, "200000", one_state, "menu");
	run(&e, &cfg, &r, &m);
	assert_int_equal(r.n, 2);
	/* the block's end resumes both, in vCPU order: vCPU 1 ran the block */
	assert_int_equal(r.o[0].ep->cpu, 0);
	assert_int_equal(r.o[1].ep->cpu, 1);
	assert_int_equal(r.o[1].has[HP_LAYER_VCORE], 1);
	assert_int_equal(r.o[1].d[HP_LAYER_VCORE].enter_ns, 152 * US);
	assert_int_equal(r.o[1].d[HP_LAYER_VCORE].end_ns, 358 * US);
	assert_int_equal(r.o[1].d[HP_LAYER_VCORE].poll_limit_after_ns, 0);
	assert_int_equal(r.o[1].idle_state, 0);
	assert_int_equal(r.o[1].idle_exit_ns, 100 * US);
	assert_true(r.has_res[1]);
	assert_int_equal(r.res[1][0], 98 * US);
	assert_int_equal(r.o[1].resume_ns, 358 * US + 1000 + 1500);
	assert_int_equal(r.o[1].latency_ns, 108 * US + 2500);
	assert_int_equal(r.o[0].has[HP_LAYER_VCORE], 0);
	assert_false(r.has_res[0]);
	assert_int_equal(r.o[0].idle_state, -1);
	assert_int_equal(r.o[0].resume_ns, 358 * US + 1000 + 1500);
	assert_int_equal(r.o[0].latency_ns, 58 * US + 2500);
	/* the report charges the vcore's host CPU to the runner */
	assert_int_equal(m.cpu[1].idle.res_ns[0], 98 * US);
	assert_int_equal(m.cpu[1].idle.wakes[0], 1);
	assert_int_equal(m.cpu[1].idle.exit_ns, 100 * US);
	assert_int_equal(m.cpu[0].idle.res_ns[0], 0);
	assert_int_equal(m.cpu[0].idle.exit_ns, 0);
	assert_int_equal(m.cpu[0].time.accounting_errors + m.cpu[1].time.accounting_errors, 0);
	hp_metrics_free(&m);
	rec_free(&r);
	hp_episodes_free(&e);
}

/*
 * The vcore of two above, with another task on vCPU 1's host CPU at 200-210
 * us and on vCPU 0's at 160-240 us. The vcore's host CPU is the runner's,
 * vCPU 1's: it idles 152-200 and 210-250 us (48 + 40 us in C6), the second
 * stretch ending in the wakeup, which pays the 100 us exit as before: the
 * block still ends at 358 us. vCPU 0's contention is another CPU's.
 */
static void test_vcore_contention_on_the_runner(void **unused)
{
	struct hp_episodes e = {0};
	struct hp_episode a = {
	    .halt_start_ns = 100 * US, .wake_ns = 300 * US, .cpu = 0, .source_cpu = -1};
	struct hp_episode b = {
	    .halt_start_ns = 150 * US, .wake_ns = 250 * US, .cpu = 1, .source_cpu = -1};
	struct hp_busy b0 = {.start_ns = 160 * US, .end_ns = 240 * US, .cpu = 0};
	struct hp_busy b1 = {.start_ns = 200 * US, .end_ns = 210 * US, .cpu = 1};
	struct hp_engine_config cfg;
	struct hp_metrics m;
	struct hp_err err;
	struct rec r;

	(void)unused;
	assert_int_equal(hp_episodes_push(&e, &a, &err), 0);
	assert_int_equal(hp_episodes_push(&e, &b, &err), 0);
	assert_int_equal(hp_episodes_push_busy(&e, &b0, &err), 0);
	assert_int_equal(hp_episodes_push_busy(&e, &b1, &err), 0);
	hp_episodes_sort(&e);
	e.t_first_ns = 0;
	e.t_last_ns = 400 * US;
	test_configure_idle(&cfg, "vcore", "ppc", 2, "200000", one_state, "menu");
	run(&e, &cfg, &r, &m);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.o[1].ep->cpu, 1);
	assert_int_equal(r.o[1].d[HP_LAYER_VCORE].end_ns, 358 * US);
	assert_int_equal(r.o[1].idle_state, 0);
	assert_int_equal(r.o[1].idle_exit_ns, 100 * US);
	assert_int_equal(r.res[1][0], 88 * US);
	assert_int_equal(m.cpu[1].idle.res_ns[0], 88 * US);
	assert_int_equal(m.cpu[0].idle.res_ns[0], 0);
	assert_int_equal(r.o[0].resume_ns, 358 * US + 1000 + 1500);
	hp_metrics_free(&m);
	rec_free(&r);
	hp_episodes_free(&e);
}

/* With idle states, a vcore of one run as discrete events is the episode-order walk. */
static void test_vcore_of_one_is_the_walk(void **unused)
{
	static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat",
	                                     "timer-1ms.dat", "idle-5s.dat"};
	static const char *const govs[] = {"menu", "teo", "ladder"};
	size_t t, g, i;

	(void)unused;
	for (t = 0; t < 4; t++) {
		struct hp_episodes e;
		struct hp_err err;
		char path[512];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		if (hp_trace_read(path, &e, &err) < 0)
			fail_msg("%s", err.msg);
		for (g = 0; g < 3; g++) {
			struct hp_engine_config a, b;
			struct hp_metrics ma, mb;
			struct rec ra, rb;
			uint64_t paid = 0;

			test_configure_idle(&a, "vcore", "ppc", 1, "100000", "skx", govs[g]);
			run(&e, &a, &ra, &ma);
			test_configure_idle(&b, "vcore", "ppc", 1, "100000", "skx", govs[g]);
			b.event_driven = true;
			run(&e, &b, &rb, &mb);
			assert_int_equal(ra.n, e.n);
			assert_int_equal(rb.n, e.n);
			for (i = 0; i < ra.n; i++) {
				assert_ptr_equal(ra.o[i].ep, rb.o[i].ep);
				assert_int_equal(ra.o[i].resume_ns, rb.o[i].resume_ns);
				assert_int_equal(ra.o[i].latency_ns, rb.o[i].latency_ns);
				assert_int_equal(ra.o[i].idle_state, rb.o[i].idle_state);
				assert_int_equal(ra.o[i].idle_exit_ns, rb.o[i].idle_exit_ns);
				assert_int_equal(ra.has_res[i], rb.has_res[i]);
				assert_memory_equal(ra.res[i], rb.res[i], sizeof(ra.res[i]));
				assert_int_equal(ra.o[i].d[HP_LAYER_VCORE].poll_limit_after_ns,
				                 rb.o[i].d[HP_LAYER_VCORE].poll_limit_after_ns);
				paid += ra.o[i].idle_exit_ns > 0;
			}
			/* the comparison covers halts that paid an exit */
			assert_true(paid > 0);
			assert_memory_equal(&ma.total.idle, &mb.total.idle, sizeof(ma.total.idle));
			hp_metrics_free(&ma);
			hp_metrics_free(&mb);
			rec_free(&ra);
			rec_free(&rb);
		}
		hp_episodes_free(&e);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_stretch_to_the_governor),
	    cmocka_unit_test(test_contention_at_the_wakeup),
	    cmocka_unit_test(test_stretch_edges),
	    cmocka_unit_test(test_vcore_of_two_one_deep_state),
	    cmocka_unit_test(test_vcore_contention_on_the_runner),
	    cmocka_unit_test(test_vcore_of_one_is_the_walk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
