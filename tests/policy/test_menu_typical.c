/*
 * menu's typical interval, computed for speed (one branch-free pass for the
 * sums, the variance from the sums, divisions by constant counts), against
 * the straightforward computation it replaced (two passes, the variance as a
 * sum of squared differences, a division by the count), on hundreds of
 * thousands of rings of random intervals: the same value for every ring, for
 * each release branch (before v6.6 with the timer-based prediction as the
 * cut-off, v6.6 to v6.14 without). The rings mix what the governor records:
 * regular intervals (small and large spread, so that the outlier loop runs
 * once, twice and three times), equal maxima, zeros, UINT_MAX (a refused
 * entry), values above INT_MAX (which never count) and values near 2^31,
 * where the sum of squares wraps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "src/policy/kernel/menu.c"

/* The computation as it stood before it was made fast: the reference. */
static unsigned int typical_reference(const unsigned int *iv, unsigned int predicted_us, bool v66)
{
	unsigned int min, max, thresh = INT_MAX, avg, divisor;
	uint64_t sum, variance;
	int i;

	for (;;) {
		min = UINT_MAX;
		max = 0;
		sum = 0;
		divisor = 0;
		for (i = 0; i < (int)INTERVALS; i++) {
			if (iv[i] <= thresh) {
				sum += iv[i];
				divisor++;
				if (iv[i] > max)
					max = iv[i];
				if (iv[i] < min)
					min = iv[i];
			}
		}
		if (v66 ? !max : min >= predicted_us)
			return UINT_MAX;
		avg = (unsigned int)(sum / divisor);
		variance = 0;
		for (i = 0; i < (int)INTERVALS; i++) {
			if (iv[i] <= thresh) {
				int64_t diff = (int64_t)iv[i] - (int64_t)avg;

				variance += (uint64_t)diff * (uint64_t)diff;
			}
		}
		variance /= divisor;
		if (variance <= UINT64_MAX / 36 &&
		    (((uint64_t)avg * avg > variance * 36 && divisor * 4 >= INTERVALS * 3) ||
		     variance <= 400))
			return avg;
		if (divisor * 4 <= INTERVALS * 3)
			return UINT_MAX;
		thresh = max - 1;
	}
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One interval of the kind a ring of this shape holds. */
static unsigned int draw(unsigned int shape, unsigned int base)
{
	uint64_t r = rnd();

	switch (r % 16) {
	case 0:
		return UINT_MAX; /* a refused entry */
	case 1:
		return 0;
	case 2:
		return (unsigned int)INT_MAX + 1 + (unsigned int)(rnd() % 1000); /* never counts */
	case 3:
		return INT_MAX - (unsigned int)(rnd() % 3); /* near the limit: the squares wrap */
	case 4:
		return base; /* equal values: several maxima at once */
	default:
		break;
	}
	switch (shape % 4) {
	case 0:
		return base + (unsigned int)(rnd() % 20); /* variance under 400 */
	case 1:
		return base + (unsigned int)(rnd() % (base / 4 + 1)); /* spread under a sixth */
	case 2:
		return (unsigned int)(rnd() % 2000000); /* anything */
	default:
		return (unsigned int)(rnd() % 64) * (base / 32 + 1); /* a few levels */
	}
}

static void check_rings(unsigned int kver, bool v66, unsigned long rings)
{
	struct menu_device data;
	unsigned long k, loops = 0;

	hpsim_kernel_version = kver;
	memset(&data, 0, sizeof(data));
	for (k = 0; k < rings; k++) {
		unsigned int shape = (unsigned int)(rnd() % 97), base;
		unsigned int predicted = (unsigned int)(rnd() % 3000000), want, got;
		int i, odd = rnd() % 3 != 0;

		base = (unsigned int)(rnd() % 100000);
		/* a ring of one shape, or (every third) with no odd values at all */
		for (i = 0; i < (int)INTERVALS; i++)
			data.intervals[i] =
			    odd ? draw(shape, base) : base + (unsigned int)(rnd() % 40);
		if (rnd() % 8 == 0)
			predicted = UINT_MAX;
		want = typical_reference(data.intervals, predicted, v66);
		got = get_typical_interval(&data, predicted);
		if (want != got)
			fail_msg("kernel %x ring %lu: %u %u %u %u %u %u %u %u, predicted %u: "
			         "reference %u, fast %u",
			         kver, k, data.intervals[0], data.intervals[1], data.intervals[2],
			         data.intervals[3], data.intervals[4], data.intervals[5],
			         data.intervals[6], data.intervals[7], predicted, want, got);
		loops += want != UINT_MAX;
	}
	/* the rings must reach both outcomes, or the comparison proves little */
	assert_true(loops > rings / 10);
	assert_true(loops < rings - rings / 10);
}

static void test_before_v66(void **state)
{
	(void)state;
	check_rings(KERNEL_VERSION(6, 1, 0), false, 300000);
}

static void test_v66_to_v614(void **state)
{
	(void)state;
	check_rings(KERNEL_VERSION(6, 11, 0), true, 300000);
}

/* The governor's own ring as menu_select fills it, select after select. */
static void test_rolling_ring(void **state)
{
	struct menu_device data;
	unsigned long k;

	(void)state;
	hpsim_kernel_version = KERNEL_VERSION(6, 11, 0);
	memset(&data, 0, sizeof(data));
	for (k = 0; k < 300000; k++) {
		unsigned int v =
		    draw((unsigned int)(k / 1000), 1000 + (unsigned int)(k / 7) % 50000);

		menu_update_intervals(&data, v);
		assert_int_equal(get_typical_interval(&data, UINT_MAX),
		                 typical_reference(data.intervals, UINT_MAX, true));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_before_v66),
	    cmocka_unit_test(test_v66_to_v614),
	    cmocka_unit_test(test_rolling_ring),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
