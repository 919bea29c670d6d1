/*
 * hpsim info's statistics from a stream (src/report/info_select.c) are those
 * of the array (hp_info_compute): every field of every CPU and of the total,
 * for lengths with many ties, zero lengths, one halt, lengths across all of
 * the log2 buckets up to the engine's latest time, and more CPUs than one
 * selection pass takes; and a stream that fails midway fails the computation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers.h"
#include "hpsim/engine.h"
#include "hpsim/info.h"
#include "hpsim/source.h"

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 11;
}

static void same_info(const struct hp_info *a, const struct hp_info *b)
{
	size_t i;

	assert_int_equal(a->ncpus, b->ncpus);
	assert_int_equal(a->wall_ns, b->wall_ns);
	for (i = 0; i < a->ncpus; i++)
		assert_memory_equal(&a->cpus[i], &b->cpus[i], sizeof(a->cpus[i]));
	assert_memory_equal(&a->total, &b->total, sizeof(a->total));
}

enum lengths { TIES, WIDE, ZEROS };

/* n halts over ncpu CPUs (every k-th CPU left without halts), both ways. */
static void check(size_t n, uint32_t ncpu, enum lengths kind, uint64_t seed)
{
	struct hp_episode *in = calloc(n, sizeof(*in));
	struct hp_episodes eps;
	struct hp_episode_source src;
	struct hp_info want, got;
	struct hp_err err;
	uint64_t x = seed, t = 1000;
	size_t i;

	assert_non_null(in);
	for (i = 0; i < n; i++) {
		uint64_t len;

		switch (kind) {
		case TIES:
			len = 1000 * (lcg(&x) % 7);
			break;
		case ZEROS:
			len = lcg(&x) % 3 ? 0 : lcg(&x) % 5000;
			break;
		default: /* any bucket, up to about 2^61 */
			len = lcg(&x) >> (lcg(&x) % 64);
			len >>= 2;
			break;
		}
		in[i].cpu = (uint32_t)(lcg(&x) % ncpu);
		if (ncpu > 4 && in[i].cpu % 5 == 3)
			in[i].cpu--; /* CPUs without halts */
		in[i].halt_start_ns = t;
		in[i].wake_ns = t + len;
		in[i].source = (uint32_t)(lcg(&x) % (HP_SRC_COUNT + 1)); /* one out of range */
		in[i].source_cpu = -1;
		t += 1 + lcg(&x) % 1000;
	}
	test_episodes(&eps, in, n, 0, t + (kind == WIDE ? HP_TIME_MAX_NS / 2 : 0));
	hp_episodes_sort(&eps);
	for (i = 0; i < eps.n; i++)
		assert_true(eps.ep[i].wake_ns <= HP_TIME_MAX_NS);
	assert_int_equal(hp_info_compute(&eps, &want, &err), 0);
	assert_int_equal(hp_source_from_array(&src, &eps, &err), 0);
	if (hp_info_compute_source(&src, &eps, &got, &err) != 0)
		fail_msg("%s", err.msg);
	same_info(&want, &got);
	hp_info_free(&want);
	hp_info_free(&got);
	hp_source_close(&src);
	hp_episodes_free(&eps);
	free(in);
}

static void test_ties(void **unused)
{
	(void)unused;
	check(200000, 3, TIES, 1);
}

static void test_wide(void **unused)
{
	(void)unused;
	check(100000, 7, WIDE, 2);
}

static void test_zeros(void **unused)
{
	(void)unused;
	check(50000, 2, ZEROS, 3);
}

static void test_one_halt(void **unused)
{
	(void)unused;
	check(1, 1, WIDE, 4);
	check(2, 1, TIES, 5);
}

static void test_many_cpus(void **unused)
{
	(void)unused;
	check(300000, 900, WIDE, 6); /* more CPUs than one selection pass takes */
}

/* A source that fails on its second block. */
static int failing_next(struct hp_episode_source *s, const struct hp_episode **ep, size_t *n,
                        struct hp_err *err)
{
	size_t *at = s->impl;

	if (++*at > 1)
		return hp_errf(err, "the stream broke");
	*ep = s->eps->ep;
	*n = 1;
	return 0;
}

static int failing_rewind(struct hp_episode_source *s, struct hp_err *err)
{
	(void)err;
	*(size_t *)s->impl = 0;
	return 0;
}

static void test_stream_error(void **unused)
{
	struct hp_episode in[2] = {{100, 200, 0, -1, 0, 0}, {300, 400, 0, -1, 0, 0}};
	struct hp_episodes eps;
	struct hp_episode_source src;
	struct hp_info got;
	struct hp_err err = {""};
	size_t at = 0;

	(void)unused;
	test_episodes(&eps, in, 2, 0, 500);
	memset(&src, 0, sizeof(src));
	src.eps = &eps;
	src.n = 2;
	src.impl = &at;
	src.next_block = failing_next;
	src.rewind = failing_rewind;
	assert_int_equal(hp_info_compute_source(&src, &eps, &got, &err), -1);
	assert_string_equal(err.msg, "the stream broke");
	assert_null(got.cpus);
	hp_episodes_free(&eps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ties),      cmocka_unit_test(test_wide),
	    cmocka_unit_test(test_zeros),     cmocka_unit_test(test_one_halt),
	    cmocka_unit_test(test_many_cpus), cmocka_unit_test(test_stream_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
