/*
 * The powerpc Book3S HV vcore poll's kernel C against the kernel's documented behaviour:
 * grow from 0 clamped at the ceiling after the decision, shrink without
 * the grow_start reset, the shrink default before and after v6.11, a wakeup
 * caught at the first check, and the poll that ends by the clock alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/policy.h"

static const struct hp_policy_ops *vc;
static struct hp_cost cost;
static void *state;
static uint64_t clock_ns;

static void setup(uint32_t version)
{
	struct hp_kernel k = {.arch = HP_ARCH_PPC, .version = version};
	struct hp_err err;

	vc = hp_policy_lookup("vcore", HP_LAYER_VCORE, &err);
	assert_non_null(vc);
	hp_policy_defaults(vc, &k);
	free(state);
	state = calloc(1, vc->state_size);
	assert_non_null(state);
	vc->init(state, 3);
	memset(&cost, 0, sizeof(cost));
	clock_ns = 1000000;
}

static struct hp_decision block(uint64_t len)
{
	struct hp_halt_in in = {.cpu = 3,
	                        .enter_ns = clock_ns,
	                        .wake_ns = clock_ns + len,
	                        .valid_wakeup = true,
	                        .cost = &cost};
	struct hp_decision d;

	memset(&d, 0, sizeof(d));
	vc->halt(state, &in, &d);
	clock_ns = d.end_ns + 1000;
	return d;
}

static void test_worked_example_611(void **unused)
{
	static const uint64_t chain[] = {2500, 1250, 625, 312, 156, 78, 39, 19, 9, 4, 2, 1, 0};
	struct hp_decision d;
	size_t i;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	d = block(5000);
	assert_int_equal(d.outcome, HP_NO_POLL);
	assert_int_equal(d.poll_limit_after_ns, 10000); /* max(0*2, 10000), clamped to 10000 */
	d = block(20000);
	assert_int_equal(d.outcome, HP_POLL_MISS);
	assert_int_equal(d.polled_ns, 10000);
	assert_int_equal(d.block_ns, 20000);
	assert_int_equal(d.poll_limit_after_ns, 5000); /* no reset below grow_start */
	d = block(7000);
	assert_int_equal(d.poll_limit_after_ns, 10000); /* 5000*2, within the ceiling */
	block(20000);
	for (i = 0; i < sizeof(chain) / sizeof(chain[0]); i++)
		assert_int_equal(block(20000).poll_limit_after_ns, chain[i]);
	/* statistics are charged to the runner vCPU */
	assert_int_equal(d.stat_cpu, 3);
}

static void test_shrink_default_61(void **unused)
{
	(void)unused;
	setup(HP_KVER(6, 1, 0));
	block(5000);
	assert_int_equal(block(20000).poll_limit_after_ns, 0);
}

/* A grow past the ceiling is clamped after the decision (grow 3: 5000 -> 15000 -> 10000). */
static void test_clamp_after_decision(void **unused)
{
	struct hp_err err;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	block(5000);
	block(20000); /* 5000 */
	assert_int_equal(hp_policy_set(vc, "halt_poll_ns_grow", "3", &err), 0);
	assert_int_equal(block(7000).poll_limit_after_ns, 10000);
}

/* A wakeup already there at the first check: a successful poll with block_ns 0. */
static void test_first_check(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	block(5000);
	d = block(0);
	assert_int_equal(d.outcome, HP_POLL_HIT);
	assert_int_equal(d.block_ns, 0);
	assert_int_equal(d.polled_ns, 0);
	d = block(4000); /* caught while polling on the clock alone */
	assert_int_equal(d.outcome, HP_POLL_HIT);
	assert_int_equal(d.block_ns, 4000);
	assert_int_equal(d.poll_limit_after_ns, 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_example_611),
	    cmocka_unit_test(test_shrink_default_61),
	    cmocka_unit_test(test_clamp_after_decision),
	    cmocka_unit_test(test_first_check),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(state);
	return rc;
}
