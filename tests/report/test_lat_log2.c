/*
 * The latency's log2 buckets derived from the fine ones (hp_lat_dist_log2(),
 * what hp_metrics_total() does for every CPU) equal the buckets counted
 * sample by sample (hp_lat_dist_add()): for every value at and around each
 * power of two from 1 ns to 2^63, at the 32nd bucket's cap, and for a million
 * pseudo-random values spread over every exponent. The fine-only add leaves
 * count, sum, min, max and the fine buckets as the full add does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/report.h"

/* Add v to a through both paths: a counts log2 per sample, b only the fine buckets. */
static void add_both(struct hp_lat_dist *a, struct hp_lat_dist *b, uint64_t v)
{
	hp_lat_dist_add(a, v);
	hp_lat_dist_add_fine(b, v);
}

static void check_same(struct hp_lat_dist *a, struct hp_lat_dist *b)
{
	int i;

	assert_int_equal(a->count, b->count);
	assert_int_equal(a->sum, b->sum);
	assert_int_equal(a->min, b->min);
	assert_int_equal(a->max, b->max);
	assert_memory_equal(a->fine, b->fine, HP_LAT_BUCKETS * sizeof(*a->fine));
	hp_lat_dist_log2(b);
	for (i = 0; i < HP_LOG_HIST; i++)
		assert_int_equal(a->log2[i], b->log2[i]);
	/* derived twice: the same (hp_metrics_total() may run more than once) */
	hp_lat_dist_log2(b);
	for (i = 0; i < HP_LOG_HIST; i++)
		assert_int_equal(a->log2[i], b->log2[i]);
}

static void test_powers_of_two(void **state)
{
	struct hp_lat_dist a, b;
	int e;

	(void)state;
	assert_int_equal(hp_lat_dist_init(&a), 0);
	assert_int_equal(hp_lat_dist_init(&b), 0);
	add_both(&a, &b, 0);
	for (e = 0; e < 64; e++) {
		uint64_t p = (uint64_t)1 << e;

		add_both(&a, &b, p - 1);
		add_both(&a, &b, p);
		add_both(&a, &b, p + 1);
		add_both(&a, &b, p | (p >> 1));
	}
	add_both(&a, &b, UINT64_MAX);
	check_same(&a, &b);
	/* every log2 bucket is used, the last one holding everything from 2^31 on */
	for (e = 0; e < HP_LOG_HIST; e++)
		assert_true(a.log2[e] > 0);
	free(a.fine);
	free(b.fine);
}

static void test_random(void **state)
{
	struct hp_lat_dist a, b;
	uint64_t x = 0x9e3779b97f4a7c15ull;
	int i;

	(void)state;
	assert_int_equal(hp_lat_dist_init(&a), 0);
	assert_int_equal(hp_lat_dist_init(&b), 0);
	for (i = 0; i < 1000000; i++) {
		/* xorshift64, shifted right by 0..63 bits so that every exponent occurs */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		add_both(&a, &b, x >> (x % 64));
	}
	check_same(&a, &b);
	hp_lat_dist_reset(&a);
	hp_lat_dist_reset(&b);
	check_same(&a, &b);
	assert_int_equal(b.log2[0], 0);
	free(a.fine);
	free(b.fine);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_powers_of_two),
	    cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
