/*
 * The host cpuidle governors (menu, teo, ladder) decision by decision, on the
 * built-in skx table (POLL 0/0, C1 2/2 us, C1E 10/20 us, C6 133/600 us, exit
 * latency / target residency) with HZ 250 (a 4 ms tick). Each expected value
 * is worked out in the comment above it from the algorithm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/idle.h"

#define US 1000ull
#define MS 1000000ull

static struct hp_idle_gov *make(const char *gov, const char *table, unsigned major, unsigned minor)
{
	const struct hp_idle_gov_ops *ops = hp_idle_gov_find(gov);
	struct hp_idle_table t;
	struct hp_err err = {{0}};
	struct hp_idle_gov *g;

	assert_non_null(ops);
	assert_int_equal(hp_idle_table_builtin(table, &t, &err), 0);
	g = ops->create(&t, major, minor, &err);
	if (!g)
		fail_msg("%s", err.msg);
	return g;
}

static struct hp_idle_ctx ctx(uint64_t now, uint64_t sleep)
{
	struct hp_idle_ctx c = {
	    .now_ns = now, .sleep_length_ns = sleep, .latency_req_ns = UINT64_MAX};
	return c;
}

static int sel(const char *gov, struct hp_idle_gov *g, struct hp_idle_ctx c, bool *stop)
{
	return hp_idle_gov_find(gov)->select(g, &c, stop);
}

static void refl(const char *gov, struct hp_idle_gov *g, int idx, uint64_t ns)
{
	hp_idle_gov_find(gov)->reflect(g, idx, ns);
}

static void destroy(const char *gov, struct hp_idle_gov *g)
{
	hp_idle_gov_find(gov)->destroy(g);
}

/*
 * A fresh menu (6.1): its first select records UINT_MAX as an interval (no
 * residency yet), the other seven are 0, so the typical interval is 0 (the
 * values <= INT_MAX have variance 0) and the prediction min(timer, 0) = 0.
 * With the tick running the latency limit becomes 0 / 1 = 0, so C1 (exit
 * 2 us) cannot replace POLL, and POLL keeps the tick.
 * From v6.6 the typical interval comes first and eight zeros (or fewer
 * values, all zero) are no typical interval at all: UINT_MAX. The timer,
 * 10 ms, scaled by the unity factor, is the prediction; C6 (600 us) fits it,
 * and 10 ms is over a tick: C6 with the tick stopped (seen in 6.12).
 */
static void test_menu_fresh(void **state)
{
	struct hp_idle_gov *g;
	bool stop;

	(void)state;
	g = make("menu", "skx", 6, 1);
	assert_int_equal(sel("menu", g, ctx(0, 10 * MS), &stop), 0);
	assert_false(stop);
	destroy("menu", g);

	g = make("menu", "skx", 6, 12);
	assert_int_equal(sel("menu", g, ctx(0, 10 * MS), &stop), 3);
	assert_true(stop);
	destroy("menu", g);
}

/*
 * The timer 1 us away, before C1's target residency (2 us): state 0 at once;
 * POLL polls, so the tick is kept. A PM QoS limit of 0 does the same.
 */
static void test_menu_timer_close(void **state)
{
	struct hp_idle_gov *g = make("menu", "skx", 6, 1);
	struct hp_idle_ctx c = ctx(0, 1 * US);
	bool stop;

	(void)state;
	assert_int_equal(sel("menu", g, c, &stop), 0);
	assert_false(stop);
	c = ctx(0, 10 * MS);
	c.latency_req_ns = 0;
	assert_int_equal(sel("menu", g, c, &stop), 0);
	assert_false(stop);
	destroy("menu", g);
}

/*
 * A fresh menu with the tick already stopped: the prediction (0) is below a
 * tick, so the time to the timer, 10 ms, is used instead; C6 (600 us, exit
 * 133 us, no interactivity limit with the tick stopped) fits: state 3, and
 * the tick stays stopped.
 */
static void test_menu_tick_stopped(void **state)
{
	struct hp_idle_gov *g = make("menu", "skx", 6, 1);
	struct hp_idle_ctx c = ctx(0, 10 * MS);
	bool stop;

	(void)state;
	c.tick_stopped = true;
	assert_int_equal(sel("menu", g, c, &stop), 3);
	assert_true(stop);
	destroy("menu", g);
}

/* Eight idle periods of 300 us measured in C1: intervals of 300 - 2 = 298 us. */
static void menu_regular(struct hp_idle_gov *g)
{
	bool stop;
	int k;

	for (k = 0; k < 8; k++) {
		sel("menu", g, ctx(0, 10 * MS), &stop);
		refl("menu", g, 1, 300 * US);
	}
}

/*
 * After eight regular periods the typical interval is 298 us (variance 0),
 * far below the timer's 10 ms scaled by a factor that decays from 1 towards
 * 298/10000 (it stays above 1/3 after eight steps). Prediction 298 us: C1E
 * (20 us) fits, C6 (600 us) does not; the prediction is under a tick, so the
 * tick is kept.
 * With 3 I/O waiters (6.1) the latency limit is 298 us / (1 + 30) = 9612 ns:
 * C1E's exit latency, 10 us, is over it: C1. From v6.12 I/O waiters do not
 * count: C1E again.
 */
static void test_menu_regular(void **state)
{
	struct hp_idle_gov *g;
	struct hp_idle_ctx c = ctx(0, 10 * MS);
	bool stop;

	(void)state;
	g = make("menu", "skx", 6, 1);
	menu_regular(g);
	assert_int_equal(sel("menu", g, c, &stop), 2);
	assert_false(stop);
	refl("menu", g, 2, 310 * US); /* 310 - 10 = 300 us, close to the rest */
	c.nr_iowait = 3;
	assert_int_equal(sel("menu", g, c, &stop), 1);
	assert_false(stop);
	destroy("menu", g);

	g = make("menu", "skx", 6, 12);
	menu_regular(g);
	c.nr_iowait = 3;
	assert_int_equal(sel("menu", g, c, &stop), 2);
	destroy("menu", g);
}

/*
 * The regular history (prediction 298 us: C1E) with the tick 10 us away
 * (now = 3.99 ms on the 4 ms grid) and kept: C1E's 20 us does not fit before
 * the tick, so menu steps down to the deepest state that does: C1 (2 us).
 */
static void test_menu_tick_near(void **state)
{
	struct hp_idle_gov *g = make("menu", "skx", 6, 1);
	bool stop;

	(void)state;
	menu_regular(g);
	assert_int_equal(sel("menu", g, ctx(4 * MS - 10 * US, 10 * MS), &stop), 1);
	assert_false(stop);
	destroy("menu", g);
}

/* Periods measured in C1 (exit 2 us) of us[0..n) + 2 us: intervals of exactly us[k]. */
static struct hp_idle_gov *menu_history(unsigned minor, const unsigned *us, int n)
{
	struct hp_idle_gov *g = make("menu", "skx", 6, minor);
	bool stop;
	int k;

	for (k = 0; k < n; k++) {
		sel("menu", g, ctx(0, 10 * MS), &stop);
		refl("menu", g, 1, (us[k] + 2) * US);
	}
	return g;
}

/*
 * The typical interval across releases (timer 10 ms away; its correction
 * factor decays to about 0.36 in eight steps: a timer-based prediction of
 * about 3.6 ms). Eight pushes after the first select's UINT_MAX leave the
 * ring holding exactly the eight intervals.
 *
 * {10, 500 x 7}: up to 6.14 the mean 438 with variance 26261 fails, the
 * largest values go, and the lone 10 us remains (variance 0): prediction
 * 10 us, under 15 us, so no timer: C1 fits, C1E (20 us) does not: C1. From
 * 6.15 the outlier is dropped from the far end (438 - 10 > 500 - 438): the
 * seven 500 us have variance 0: prediction 500 us: C1E.
 *
 * {50, 100, ..., 400}: from 6.15 no subset passes (mean and spread shrink
 * together) until six remain: no typical interval before 6.17, so the
 * timer's 3.6 ms decides: C6 (600 us); from 6.17 the largest of those six,
 * 300 us, is the prediction: C1E.
 */
static void test_menu_typical_versions(void **state)
{
	static const unsigned a[] = {10, 500, 500, 500, 500, 500, 500, 500};
	static const unsigned b[] = {50, 100, 150, 200, 250, 300, 350, 400};
	struct hp_idle_gov *g;
	bool stop;

	(void)state;
	g = menu_history(12, a, 8);
	assert_int_equal(sel("menu", g, ctx(0, 10 * MS), &stop), 1);
	destroy("menu", g);
	g = menu_history(15, a, 8);
	assert_int_equal(sel("menu", g, ctx(0, 10 * MS), &stop), 2);
	destroy("menu", g);
	g = menu_history(15, b, 8);
	assert_int_equal(sel("menu", g, ctx(0, 10 * MS), &stop), 3);
	destroy("menu", g);
	g = menu_history(17, b, 8);
	assert_int_equal(sel("menu", g, ctx(0, 10 * MS), &stop), 2);
	destroy("menu", g);
}

/*
 * Two instances are two CPUs: the history of one does not move the other. A
 * fresh CPU next to one with the regular history still picks POLL.
 */
static void test_menu_per_cpu(void **state)
{
	struct hp_idle_gov *a = make("menu", "skx", 6, 1), *b = make("menu", "skx", 6, 1);
	bool stop;

	(void)state;
	menu_regular(a);
	assert_int_equal(sel("menu", b, ctx(0, 10 * MS), &stop), 0);
	assert_int_equal(sel("menu", a, ctx(0, 10 * MS), &stop), 2);
	destroy("menu", a);
	destroy("menu", b);
}

/*
 * A fresh teo, timer 10 ms away: the first select learns nothing (a hit in
 * bin 0 from the empty period), no intercepts anywhere, so the candidate is
 * the deepest state within 10 ms: C6; 10 ms is over a tick, so the tick is
 * stopped. The timer 2 ms away: still C6 (600 us <= 2 ms), but the tick is
 * kept; 3.9 ms into the tick period it fires in 100 us, C6 does not fit
 * before it and C1E (20 us) does: state 2.
 */
static void test_teo_fresh(void **state)
{
	struct hp_idle_gov *g;
	bool stop;

	(void)state;
	g = make("teo", "skx", 6, 1);
	assert_int_equal(sel("teo", g, ctx(0, 10 * MS), &stop), 3);
	assert_true(stop);
	destroy("teo", g);

	g = make("teo", "skx", 6, 1);
	assert_int_equal(sel("teo", g, ctx(0, 2 * MS), &stop), 3);
	assert_false(stop);
	destroy("teo", g);

	g = make("teo", "skx", 6, 1);
	assert_int_equal(sel("teo", g, ctx(4 * MS - 100 * US, 2 * MS), &stop), 2);
	assert_false(stop);
	destroy("teo", g);
}

/*
 * An intercept: C6 chosen for a 10 ms timer, woken after 50 us. That is
 * under C6's exit latency, so the measured duration is halved: 25 us, which
 * lies in C1E's bin (20 us <= 25 us < 600 us) while the timer's bin is C6's:
 * an intercept in bin 2. Next select: bin 0's hit decayed to 896, total
 * 896 + 1024 = 1920; the intercepts below C6 (1024) doubled exceed
 * 1920 - 896: teo looks shallower, and bin 2 alone holds all of them: C1E,
 * with the expected duration its bin's middle, (20 + 600) / 2 = 310 us,
 * under a tick: the tick is kept.
 * 6.12 reaches C1E the same way (the period did not reach the tick, so it
 * is the same intercept), then looks the timer up: 10 ms, and the
 * intercepts (1024) are not over 5/8 of the total (1200): the expected
 * duration stays 10 ms, over a tick: C1E with the tick stopped.
 */
static void test_teo_intercept(void **state)
{
	struct hp_idle_gov *g;
	bool stop;
	unsigned minor;

	(void)state;
	for (minor = 1; minor <= 12; minor += 11) {
		g = make("teo", "skx", 6, minor);
		assert_int_equal(sel("teo", g, ctx(0, 10 * MS), &stop), 3);
		assert_true(stop);
		refl("teo", g, 3, 50 * US);
		assert_int_equal(sel("teo", g, ctx(1 * MS, 10 * MS), &stop), 2);
		assert_int_equal(stop, minor == 12);
		destroy("teo", g);
	}
}

/* A 50 us PM QoS limit: C6 (133 us exit) is out, C1E (10 us) the deepest allowed. */
static void test_teo_latency(void **state)
{
	struct hp_idle_gov *g = make("teo", "skx", 6, 1);
	struct hp_idle_ctx c = ctx(0, 10 * MS);
	bool stop;

	(void)state;
	c.latency_req_ns = 50 * US;
	assert_int_equal(sel("teo", g, c, &stop), 2);
	destroy("teo", g);
}

/* teo was merged in 5.1: a 5.0 kernel has none, and says so; a table of no states is refused. */
static void test_teo_since(void **state)
{
	struct hp_idle_table t;
	struct hp_err err = {{0}};

	(void)state;
	assert_int_equal(hp_idle_table_builtin("skx", &t, &err), 0);
	assert_null(hp_idle_gov_find("teo")->create(&t, 5, 0, &err));
	assert_non_null(strstr(err.msg, "merged in 5.1"));
	assert_null(hp_idle_gov_find("no-such-governor"));
	/* the "none" table has no state to choose */
	assert_int_equal(hp_idle_table_builtin("none", &t, &err), 0);
	assert_null(hp_idle_gov_find("menu")->create(&t, 6, 1, &err));
	assert_non_null(strstr(err.msg, "no states"));
}

/*
 * ladder starts on C1 (the first non-polling state). Each period of 10 us in
 * C1 outlasts its promotion time (C1's exit latency, 2 us: 10 - 2 = 8 us >
 * 2 us); the fourth promotion count moves it to C1E on the fifth select. A
 * 5 us period in C1E (5 - 10 < 10 us, its demotion time) demotes at once.
 */
static void test_ladder(void **state)
{
	struct hp_idle_gov *g = make("ladder", "skx", 6, 1);
	bool stop;
	int k;

	(void)state;
	for (k = 0; k < 4; k++) {
		assert_int_equal(sel("ladder", g, ctx(0, 10 * MS), &stop), 1);
		refl("ladder", g, 1, 10 * US);
	}
	assert_int_equal(sel("ladder", g, ctx(0, 10 * MS), &stop), 2);
	refl("ladder", g, 2, 5 * US);
	assert_int_equal(sel("ladder", g, ctx(0, 10 * MS), &stop), 1);
	destroy("ladder", g);
}

/* The POLL limit on skx: the first residency of 10 us or more, C1E's 20 us (under 4 ms / 16). */
static void test_poll_limit(void **state)
{
	struct hp_idle_gov *g = make("menu", "skx", 6, 1);

	(void)state;
	assert_int_equal(hp_idle_gov_poll_limit_ns(g), 20 * US);
	destroy("menu", g);
	g = make("menu", "spr", 6, 1);
	/* spr: C1 1 us, C1E 4 us, C6 800 us: C6's 800 us, capped at 250 us */
	assert_int_equal(hp_idle_gov_poll_limit_ns(g), 250 * US);
	destroy("menu", g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_menu_fresh),
	    cmocka_unit_test(test_menu_timer_close),
	    cmocka_unit_test(test_menu_tick_stopped),
	    cmocka_unit_test(test_menu_regular),
	    cmocka_unit_test(test_menu_tick_near),
	    cmocka_unit_test(test_menu_per_cpu),
	    cmocka_unit_test(test_menu_typical_versions),
	    cmocka_unit_test(test_teo_fresh),
	    cmocka_unit_test(test_teo_intercept),
	    cmocka_unit_test(test_teo_latency),
	    cmocka_unit_test(test_teo_since),
	    cmocka_unit_test(test_ladder),
	    cmocka_unit_test(test_poll_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
