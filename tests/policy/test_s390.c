/*
 * The s390 rules of host KVM halt polling: invalid wakeups (a halt the
 * capture flags HP_EP_WAKE_INVALID shrinks the window and counts in
 * halt_poll_invalid, on s390 only), and steal time in kvm_arch_no_poll(): the host stops halt
 * polling while the average steal-time percentage reaches kvm.halt_poll_max_steal. A periodic
 * competitor runnable 2% of the time steals 200 us of every 10 ms tick; the average (halved each
 * tick, plus the tick's steal) settles just under twice that, 3%: a limit of 3 or less stops
 * polling once it has settled, a limit of 4 or more never does. Other architectures have no such
 * rule, and the parameter is s390's alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/engine.h"

#define HALTS    1000
#define PERIOD   1000000      /* a halt every 1 ms ... */
#define HALT_LEN 20000        /* ... of 20 us */
#define SETTLED  200000000ull /* 20 ticks in: the average has settled */

struct counts {
	uint64_t settled, polled;
};

static void count(void *ctx, const struct hp_outcome *o)
{
	struct counts *c = ctx;

	if (o->ep->halt_start_ns < SETTLED)
		return;
	c->settled++;
	if (o->d[HP_LAYER_HOST].polled_ns || o->d[HP_LAYER_HOST].outcome != HP_NO_POLL)
		c->polled++;
}

/* Replay the halts with the competitor on arch, with the setting if any. */
static struct counts run(const char *arch, const char *max_steal)
{
	struct hp_load_model lm = {.fraction = 0.02, .kind = HP_LOAD_PERIODIC, .burst_ns = 50000};
	struct hp_episodes eps;
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct counts c = {0, 0};
	struct hp_err err;
	size_t i;

	memset(&eps, 0, sizeof(eps));
	for (i = 0; i < HALTS; i++) {
		struct hp_episode e = {.halt_start_ns = (uint64_t)i * PERIOD,
		                       .wake_ns = (uint64_t)i * PERIOD + HALT_LEN,
		                       .source_cpu = -1};

		assert_int_equal(hp_episodes_push(&eps, &e, &err), 0);
	}
	hp_episodes_sort(&eps);
	eps.t_first_ns = 0;
	eps.t_last_ns = (uint64_t)HALTS * PERIOD;
	assert_int_equal(hp_load_apply(&eps, &lm, &err), 0);

	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_HOST] = "kvm";
	spec.arch = arch;
	if (max_steal) {
		spec.params[0].name = "halt_poll_max_steal";
		spec.params[0].value = max_steal;
		spec.nparams = 1;
	}
	if (hp_engine_configure(&spec, &cfg, &err) < 0)
		fail_msg("%s", err.msg);
	cfg.on_outcome = count;
	cfg.ctx = &c;
	assert_int_equal(hp_engine_run(&eps, &cfg, &st, &err), 0);
	hp_episodes_free(&eps);
	assert_true(c.settled > HALTS / 2);
	return c;
}

static void test_steal_stops_polling(void **unused)
{
	struct counts c;

	(void)unused;
	c = run("s390", "3");
	assert_int_equal(c.polled, 0);
	c = run("s390", "1");
	assert_int_equal(c.polled, 0);
}

static void test_steal_below_limit_polls(void **unused)
{
	struct counts c;

	(void)unused;
	c = run("s390", "4");
	assert_true(c.polled * 10 >= c.settled * 9);
	c = run("s390", NULL); /* the default limit, 10% */
	assert_true(c.polled * 10 >= c.settled * 9);
}

static void test_no_steal_rule_elsewhere(void **unused)
{
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	struct hp_err err;
	struct counts c;

	(void)unused;
	c = run("x86", NULL);
	assert_true(c.polled * 10 >= c.settled * 9);
	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_HOST] = "kvm";
	spec.arch = "arm64";
	spec.params[0].name = "halt_poll_max_steal";
	spec.params[0].value = "5";
	spec.nparams = 1;
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "s390"));
}

/* Decisions of the kvm policy for ten 5 us halts, the sixth ended by an invalid wakeup. */
struct inval {
	struct hp_decision d[10];
	size_t n;
};

static void keep(void *ctx, const struct hp_outcome *o)
{
	struct inval *r = ctx;

	if (r->n < 10)
		r->d[r->n++] = o->d[HP_LAYER_HOST];
}

static struct inval run_invalid(const char *arch)
{
	struct hp_episodes eps;
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct inval r;
	struct hp_err err;
	size_t i;

	memset(&eps, 0, sizeof(eps));
	memset(&r, 0, sizeof(r));
	for (i = 0; i < 10; i++) {
		struct hp_episode e = {.halt_start_ns = 1000000 * (i + 1),
		                       .wake_ns = 1000000 * (i + 1) + 5000,
		                       .source_cpu = -1,
		                       .flags = i == 5 ? HP_EP_WAKE_INVALID : 0};

		assert_int_equal(hp_episodes_push(&eps, &e, &err), 0);
	}
	hp_episodes_sort(&eps);
	eps.t_first_ns = 0;
	eps.t_last_ns = 12000000;
	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_HOST] = "kvm";
	spec.arch = arch;
	spec.params[0].name = "halt_poll_ns";
	spec.params[0].value = "200000"; /* the x86 ceiling on both, so only the rule differs */
	spec.nparams = 1;
	if (hp_engine_configure(&spec, &cfg, &err) < 0)
		fail_msg("%s", err.msg);
	cfg.on_outcome = keep;
	cfg.ctx = &r;
	assert_int_equal(hp_engine_run(&eps, &cfg, &st, &err), 0);
	hp_episodes_free(&eps);
	assert_int_equal(r.n, 10);
	return r;
}

static void test_invalid_wakeup_shrinks_on_s390(void **unused)
{
	struct inval s390, x86;

	(void)unused;
	s390 = run_invalid("s390");
	x86 = run_invalid("x86");
	/* the first halt grows the window to grow_start; the next ones poll and hit */
	assert_int_equal(s390.d[4].poll_limit_after_ns, 10000);
	assert_int_equal(s390.d[5].outcome, HP_POLL_HIT);
	assert_int_equal(s390.d[5].valid, 0);
	/* invalid: shrink (10000 / 2 is below grow_start: 0), where x86 keeps the window */
	assert_int_equal(s390.d[5].poll_limit_after_ns, 0);
	assert_int_equal(x86.d[5].valid, 1);
	assert_int_equal(x86.d[5].poll_limit_after_ns, 10000);
	/* the next halt finds no window on s390, and grows it again */
	assert_int_equal(s390.d[6].outcome, HP_NO_POLL);
	assert_int_equal(x86.d[6].outcome, HP_POLL_HIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_invalid_wakeup_shrinks_on_s390),
	    cmocka_unit_test(test_steal_stops_polling),
	    cmocka_unit_test(test_steal_below_limit_polls),
	    cmocka_unit_test(test_no_steal_rule_elsewhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
