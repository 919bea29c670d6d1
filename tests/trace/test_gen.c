/*
 * The generators: the same seed gives the same episodes, another seed other
 * ones; each kind's episodes have the statistics its parameters ask for;
 * unknown kinds and parameters fail with the valid choices listed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hpsim/gen.h"

#define P(n, v)                                                                                    \
	{                                                                                          \
		n, v                                                                               \
	}

static void gen(const char *kind, const struct hp_gen_param *p, size_t n, struct hp_episodes *eps)
{
	struct hp_err err = {""};

	if (hp_gen_run(kind, p, n, eps, &err) < 0)
		fail_msg("%s: %s", kind, err.msg);
	assert_int_equal(hp_episodes_validate(eps, &err), 0);
}

static double mean_len(const struct hp_episodes *eps, uint32_t cpu, size_t *count)
{
	double sum = 0;
	size_t i, n = 0;

	for (i = 0; i < eps->n; i++) {
		if (eps->ep[i].cpu != cpu)
			continue;
		sum += (double)(eps->ep[i].wake_ns - eps->ep[i].halt_start_ns);
		n++;
	}
	if (count)
		*count = n;
	return n ? sum / (double)n : 0;
}

static void test_determinism(void **unused)
{
	static const char *const kinds[] = {"periodic", "poisson", "bimodal", "bursty", "pingpong"};
	const struct hp_gen_param a[] = {P("seed", "42"), P("cpus", "2"), P("duration", "200ms"),
	                                 P("jitter-us", "3")};
	const struct hp_gen_param b[] = {P("seed", "43"), P("cpus", "2"), P("duration", "200ms"),
	                                 P("jitter-us", "3")};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct hp_episodes x, y, z;
		/* jitter-us is a parameter of periodic and pingpong only */
		size_t n = (!strcmp(kinds[i], "periodic") || !strcmp(kinds[i], "pingpong")) ? 4 : 3;

		gen(kinds[i], a, n, &x);
		gen(kinds[i], a, n, &y);
		gen(kinds[i], b, n, &z);
		assert_true(x.n > 10);
		assert_int_equal(x.n, y.n);
		assert_memory_equal(x.ep, y.ep, x.n * sizeof(*x.ep));
		if (x.n == z.n && !memcmp(x.ep, z.ep, x.n * sizeof(*x.ep)))
			fail_msg("%s: seeds 42 and 43 gave the same episodes", kinds[i]);
		hp_episodes_free(&x);
		hp_episodes_free(&y);
		hp_episodes_free(&z);
	}
}

static void test_periodic(void **unused)
{
	const struct hp_gen_param p[] = {P("hz", "250"), P("jitter-us", "200"), P("cpus", "3"),
	                                 P("count", "2000"), P("busy-us", "50")};
	struct hp_episodes eps;
	uint32_t cpu;
	size_t i;

	(void)unused;
	gen("periodic", p, 5, &eps);
	assert_int_equal(eps.n, 6000);
	assert_int_equal(eps.ncpu, 3);
	for (cpu = 0; cpu < 3; cpu++) {
		uint64_t first = 0, last = 0;
		size_t n = 0;

		for (i = 0; i < eps.n; i++) {
			if (eps.ep[i].cpu != cpu)
				continue;
			if (!n++)
				first = eps.ep[i].wake_ns;
			last = eps.ep[i].wake_ns;
			assert_int_equal(eps.ep[i].source, HP_SRC_TIMER);
		}
		assert_int_equal(n, 2000);
		/* mean period between wakeups: 4 ms within 0.1% (the jitter does not accumulate) */
		assert_true(fabs((double)(last - first) / 1999.0 - 4e6) < 4e3);
		/* mean halt: the period minus the busy time, within 1% */
		assert_true(fabs(mean_len(&eps, cpu, NULL) - (4e6 - 50e3)) < 4e4);
	}
	hp_episodes_free(&eps);
}

/*
 * A busy time of very many periods (1000 s of running between 1 ns ticks):
 * each halt waits for the first tick after the CPU stops running, found
 * without stepping through the 10^12 ticks before it (an alarm fails a hang).
 */
static void test_periodic_long_busy(void **unused)
{
	const struct hp_gen_param p[] = {P("hz", "1e9"), P("busy-us", "1e9"), P("count", "3")};
	struct hp_episodes eps;
	size_t i;

	(void)unused;
	alarm(20);
	gen("periodic", p, 3, &eps);
	alarm(0);
	assert_int_equal(eps.n, 3);
	for (i = 0; i < eps.n; i++) {
		/* halt i starts after i + 1 busy times and i halts of at most one period */
		assert_true(eps.ep[i].halt_start_ns >= (i + 1) * 1000000000000ULL);
		assert_true(eps.ep[i].halt_start_ns <= (i + 1) * 1000000000000ULL + 2 * i);
		assert_true(eps.ep[i].wake_ns - eps.ep[i].halt_start_ns <= 1);
	}
	hp_episodes_free(&eps);
}

static void test_poisson(void **unused)
{
	const struct hp_gen_param p[] = {P("rate", "2000"), P("count", "20000")};
	struct hp_episodes eps;
	size_t i, n, over;
	double mean;

	(void)unused;
	gen("poisson", p, 2, &eps);
	mean = mean_len(&eps, 0, &n);
	assert_int_equal(n, 20000);
	/* exponential with mean 500 us: the mean within 3% (about 4 standard errors) */
	assert_true(fabs(mean - 500e3) < 15e3);
	/* and P(len > mean) = 1/e, within 0.02 */
	for (i = 0, over = 0; i < eps.n; i++)
		over += eps.ep[i].wake_ns - eps.ep[i].halt_start_ns > 500000;
	assert_true(fabs((double)over / (double)eps.n - exp(-1)) < 0.02);
	hp_episodes_free(&eps);
}

static void test_bimodal(void **unused)
{
	const struct hp_gen_param p[] = {P("short-us", "10"), P("long-us", "1000"), P("mix", "0.3"),
	                                 P("spread", "0.2"), P("count", "10000")};
	struct hp_episodes eps;
	size_t i, shorts = 0;

	(void)unused;
	gen("bimodal", p, 5, &eps);
	for (i = 0; i < eps.n; i++) {
		uint64_t len = eps.ep[i].wake_ns - eps.ep[i].halt_start_ns;

		if (len <= 12000) {
			assert_true(len >= 8000);
			shorts++;
		} else {
			assert_true(len >= 800000 && len <= 1200000);
		}
	}
	/* 30% short, within 2 points (about 4 standard errors) */
	assert_true(fabs((double)shorts / (double)eps.n - 0.3) < 0.02);
	hp_episodes_free(&eps);
}

static void test_bursty(void **unused)
{
	const struct hp_gen_param p[] = {P("on-ms", "10"), P("off-ms", "40"), P("rate", "10000"),
	                                 P("duration", "10s"), P("busy-us", "0")};
	struct hp_episodes eps;
	size_t i, n, longs = 0;

	(void)unused;
	gen("bursty", p, 5, &eps);
	mean_len(&eps, 0, &n);
	/* 10 ms of every 50 at 10000/s: about 2000 wakeups per second */
	assert_true(n > 19000 && n < 21000);
	/* about one halt per cycle spans a quiet period: 200 cycles in 10 s */
	for (i = 0; i < eps.n; i++)
		longs += eps.ep[i].wake_ns - eps.ep[i].halt_start_ns >= 40000000;
	assert_true(longs >= 190 && longs <= 201);
	hp_episodes_free(&eps);
}

static void test_pingpong(void **unused)
{
	const struct hp_gen_param p[] = {P("rtt-us", "20"), P("think-us", "5"), P("busy-us", "2"),
	                                 P("cpus", "4"), P("count", "100")};
	struct hp_episodes eps;
	size_t i, n;

	(void)unused;
	gen("pingpong", p, 5, &eps);
	assert_int_equal(eps.n, 400);
	for (i = 0; i < eps.n; i++) {
		const struct hp_episode *e = &eps.ep[i];

		assert_int_equal(e->source, HP_SRC_IPI);
		assert_int_equal(e->source_cpu, (int32_t)(e->cpu ^ 1));
		/* the initiator (even CPU) waits the round trip minus its own busy, plus think */
		if (e->cpu % 2 == 0)
			assert_int_equal(e->wake_ns - e->halt_start_ns, 20000 - 2000 + 5000);
	}
	/* responders wait the round trip minus their busy time (think is theirs), after the
	 * first halt, which began before the first send */
	mean_len(&eps, 1, &n);
	assert_int_equal(n, 100);
	for (i = 0, n = 0; i < eps.n; i++) {
		if (eps.ep[i].cpu % 2 == 0)
			continue;
		if (eps.ep[i].halt_start_ns == 0)
			n++;
		else
			assert_int_equal(eps.ep[i].wake_ns - eps.ep[i].halt_start_ns, 20000 - 2000);
	}
	assert_int_equal(n, 2);
	hp_episodes_free(&eps);
}

static void expect_error(const char *kind, const struct hp_gen_param *p, size_t n,
                         const char *needle)
{
	struct hp_episodes eps;
	struct hp_err err = {""};

	assert_int_equal(hp_gen_run(kind, p, n, &eps, &err), -1);
	if (!strstr(err.msg, needle))
		fail_msg("error '%s' should mention '%s'", err.msg, needle);
	assert_int_equal(eps.n, 0);
}

static void test_errors(void **unused)
{
	const struct hp_gen_param foo[] = {P("foo", "1")};
	const struct hp_gen_param rate[] = {P("rate", "1000")};
	const struct hp_gen_param both[] = {P("count", "5"), P("duration", "1s")};
	const struct hp_gen_param badnum[] = {P("hz", "fast")};
	const struct hp_gen_param odd[] = {P("cpus", "3")};
	const struct hp_gen_param range[] = {P("mix", "1.5")};
	const struct hp_gen_param dur[] = {P("duration", "5 parsecs")};
	const struct hp_gen_param far[] = {P("period-us", "1e12"), P("count", "10000")};
	const struct hp_gen_param farb[] = {P("short-us", "1e12"), P("long-us", "1e12"),
	                                    P("count", "20000")};

	(void)unused;
	expect_error("sawtooth", NULL, 0, "periodic, poisson, bimodal, bursty, pingpong");
	expect_error("periodic", foo, 1,
	             "valid: --seed, --cpus, --duration, --count, --busy-us, "
	             "--hz, --period-us, --jitter-us");
	expect_error("periodic", rate, 1, "unknown parameter --rate");
	expect_error("poisson", both, 2, "not both");
	expect_error("periodic", badnum, 1, "'fast' is not a number");
	expect_error("pingpong", odd, 1, "even");
	expect_error("bimodal", range, 1, "outside 0..1");
	expect_error("poisson", dur, 1, "NUMBER[ns|us|ms|s]");
	/* 10000 halts of 1e12 us end near 1e19 ns, past what a 64-bit ns time holds */
	expect_error("periodic", far, 2, "2^63 ns");
	expect_error("bimodal", farb, 3, "2^63 ns");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_determinism),
	    cmocka_unit_test(test_periodic),
	    cmocka_unit_test(test_periodic_long_busy),
	    cmocka_unit_test(test_poisson),
	    cmocka_unit_test(test_bimodal),
	    cmocka_unit_test(test_bursty),
	    cmocka_unit_test(test_pingpong),
	    cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
