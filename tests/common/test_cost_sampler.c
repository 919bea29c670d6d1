/*
 * The replay's cost sampler remembers log-normal draws by slices of the
 * probability range; it must give hp_cost_draw()'s value for every draw:
 * narrow and very wide log-normals (whose slices mostly hold one value, or
 * mostly several), an empirical distribution and a constant beside them,
 * several CPUs interleaved, and enough halts that most slices are drawn
 * more than twice (the third draw of a slice is the first one remembered).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/cost.h"

/* Draw n halts dealt to ncpu CPUs both ways and count the fields that differ. */
static void same_draws(const char *const *sets, uint64_t seed, uint32_t ncpu, uint64_t n)
{
	struct hp_cost *c = malloc(sizeof(*c)), *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct hp_cost_sampler s;
	struct hp_err err;
	uint64_t k, remembered = 0;
	size_t i;

	assert_non_null(c);
	assert_non_null(a);
	assert_non_null(b);
	hp_cost_defaults(c, HP_ARCH_X86);
	c->seed = seed;
	for (i = 0; sets[i]; i += 2)
		assert_int_equal(hp_cost_set(c, sets[i], sets[i + 1], &err), 0);
	*a = *c;
	*b = *c;
	assert_int_equal(hp_cost_sampler_init(&s, c, &err), 0);
	for (k = 0; k < n; k++) {
		uint32_t cpu = (uint32_t)((k * 7) % ncpu);

		hp_cost_draw(c, a, cpu, k);
		hp_cost_sampler_draw(&s, b, cpu, k);
		assert_int_equal(a->hlt_exit_ns, b->hlt_exit_ns);
		assert_int_equal(a->vm_entry_ns, b->vm_entry_ns);
		assert_int_equal(a->poll_detect_ns, b->poll_detect_ns);
		assert_int_equal(a->host_wakeup_ns, b->host_wakeup_ns);
		assert_int_equal(a->guest_relax_ns, b->guest_relax_ns);
		assert_int_equal(a->guest_wakeup_ns, b->guest_wakeup_ns);
	}
	/* the remembered slices were used: the check above covered them */
	for (i = 0; i < HP_COST_NFIELDS; i++)
		if (s.slice[i])
			for (k = 0; k < 65536; k++)
				remembered += s.slice[i][k] >= 3;
	assert_true(remembered > 0);
	hp_cost_sampler_free(&s);
	free(c);
	free(a);
	free(b);
}

static void test_narrow_and_quantiles(void **unused)
{
	static const char *const sets[] = {"host_wakeup_ns",
	                                   "lognormal:5000:40000",
	                                   "hlt_exit_ns",
	                                   "quantiles:0:500,0.5:800,1:1500",
	                                   "vm_entry_ns",
	                                   "lognormal:700:900",
	                                   NULL};

	(void)unused;
	same_draws(sets, 1, 1, 400000);
	same_draws(sets, 7, 3, 400000);
}

static void test_wide_and_tiny(void **unused)
{
	/* sigma near the largest a median and p99 allow; values below 1 ns round to 0 or 1 */
	static const char *const sets[] = {"guest_wakeup_ns",
	                                   "lognormal:1:1000000000",
	                                   "poll_detect_ns",
	                                   "lognormal:2:3",
	                                   "guest_relax_ns",
	                                   "lognormal:1000000:1000000000",
	                                   NULL};

	(void)unused;
	same_draws(sets, 12345, 2, 400000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_narrow_and_quantiles),
	    cmocka_unit_test(test_wide_and_tiny),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
