/*
 * The guest haltpoll governor's kernel C (with poll_idle and the cpuidle core
 * model) against the kernel's documented behaviour: the worked example, every
 * boundary, parameters at 0 and 1, the v5.4 / v6.1 / v6.9 differences, the
 * poll_idle clock-check grid and cpuidle_poll_time()'s side effect.
 *
 * Costs are zero and the layer below (the host) returns the vCPU exactly
 * when the wakeup arrives, so the halt residency the governor sees is the
 * time from HLT to the wakeup.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/policy.h"

static const struct hp_policy_ops *gov;
static struct hp_cost cost;
static void *state;
static uint64_t clock_ns, last_hlt;
static unsigned int hlts;

static uint64_t host(void *ctx, uint64_t hlt_ns)
{
	uint64_t wake = *(uint64_t *)ctx;

	hlts++;
	last_hlt = hlt_ns;
	return wake > hlt_ns ? wake : hlt_ns;
}

static void setup(uint32_t version)
{
	struct hp_kernel k = {.arch = HP_ARCH_X86, .version = version};
	struct hp_err err;

	gov = hp_policy_lookup("haltpoll", HP_LAYER_GUEST, &err);
	assert_non_null(gov);
	hp_policy_defaults(gov, &k);
	free(state);
	state = calloc(1, gov->state_size);
	assert_non_null(state);
	gov->init(state, 0);
	memset(&cost, 0, sizeof(cost));
	cost.guest_relax_ns = 1; /* the clock is read every 201 ns of polling */
	clock_ns = 1000000;
	hlts = 0;
}

static void set(const char *name, const char *value)
{
	struct hp_err err;

	if (hp_policy_set(gov, name, value, &err) < 0)
		fail_msg("%s", err.msg);
}

/* One idle period whose wakeup arrives len ns after it begins. */
static struct hp_decision idle(uint64_t len)
{
	uint64_t wake = clock_ns + len;
	struct hp_halt_in in = {.cpu = 0,
	                        .enter_ns = clock_ns,
	                        .wake_ns = wake,
	                        .valid_wakeup = true,
	                        .cost = &cost,
	                        .lower = host,
	                        .lower_ctx = &wake};
	struct hp_decision d;

	memset(&d, 0, sizeof(d));
	gov->halt(state, &in, &d);
	assert_true(d.end_ns >= wake);
	clock_ns = d.end_ns + 5000;
	return d;
}

/* The first clock read of poll_idle past limit: a multiple of 201 iterations of 1 ns. */
static uint64_t poll_end(uint64_t limit)
{
	return (limit / 201 + 1) * 201;
}

/* An idle period that polls to timeout, then halts for halt_ns. */
static struct hp_decision poll_then_halt(uint64_t limit, uint64_t halt_ns)
{
	struct hp_decision d = idle(poll_end(limit) + halt_ns);

	assert_int_equal(d.outcome, HP_POLL_MISS);
	assert_int_equal(d.polled_ns, poll_end(limit));
	assert_int_equal(d.block_ns, halt_ns);
	return d;
}

/* The worked example with defaults, v6.9+. */
static void test_worked_example_69(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	d = idle(30000); /* limit 0: select halts at once */
	assert_int_equal(d.outcome, HP_NO_POLL);
	assert_int_equal(d.block_ns, 30000);
	assert_int_equal(d.adjust, 1);
	assert_int_equal(d.poll_limit_after_ns, 50000);
	d = idle(12000); /* polls; the wakeup ends the poll: no adjustment */
	assert_int_equal(d.outcome, HP_POLL_HIT);
	assert_int_equal(d.polled_ns, 12000);
	assert_int_equal(d.adjust, 0);
	assert_int_equal(d.poll_limit_after_ns, 50000);
	assert_int_equal(poll_then_halt(50000, 80000).poll_limit_after_ns, 100000);
	assert_int_equal(poll_then_halt(100000, 150000).poll_limit_after_ns, 200000);
	d = poll_then_halt(200000, 250000);
	assert_int_equal(d.adjust, -1);
	assert_int_equal(d.poll_limit_after_ns, 100000);
	assert_int_equal(poll_then_halt(100000, 250000).poll_limit_after_ns, 50000);
	/* 25000 < grow_start: v6.9 resets to 0 */
	assert_int_equal(poll_then_halt(50000, 250000).poll_limit_after_ns, 0);
}

/* Before v6.9 the shrink chain keeps going down: 200000, 100000, ..., 1, 0. */
static void test_shrink_chain_pre69(void **unused)
{
	static const uint64_t chain[] = {100000, 50000, 25000, 12500, 6250, 3125, 1562, 781, 390,
	                                 195,    97,    48,    24,    12,   6,    3,    1,   0};
	uint64_t limit = 200000;
	size_t i;

	(void)unused;
	setup(HP_KVER(6, 1, 0));
	idle(30000);
	poll_then_halt(50000, 80000);
	poll_then_halt(100000, 150000);
	for (i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
		struct hp_decision d = poll_then_halt(limit, 250000);

		assert_int_equal(d.poll_limit_after_ns, chain[i]);
		limit = chain[i];
	}
}

/* block == guest_halt_poll_ns grows (<=); block == limit changes nothing (needs >). */
static void test_boundaries(void **unused)
{
	(void)unused;
	setup(HP_KVER(6, 11, 0));
	set("guest_halt_poll_grow_start", "100000");
	idle(30000);
	assert_int_equal(poll_then_halt(100000, 100000).adjust, 0); /* block == limit */
	assert_int_equal(poll_then_halt(100000, 200000).poll_limit_after_ns, 200000);
	assert_int_equal(poll_then_halt(200000, 200000).adjust, 0);
	/* at the ceiling a block of exactly the ceiling is "<= max" but not "> limit" */
	set("guest_halt_poll_ns", "300000");
	assert_int_equal(poll_then_halt(200000, 300000).poll_limit_after_ns, 300000);
}

static void test_param_zero(void **unused)
{
	struct hp_decision d;

	(void)unused;
	/* grow = 0: every grow sets grow_start (clamped to the ceiling) */
	setup(HP_KVER(6, 11, 0));
	set("guest_halt_poll_grow", "0");
	idle(30000);
	assert_int_equal(poll_then_halt(50000, 60000).poll_limit_after_ns, 50000);
	/* grow_start = 0: from 0 a grow stays 0, so polling never starts */
	setup(HP_KVER(6, 11, 0));
	set("guest_halt_poll_grow_start", "0");
	d = idle(30000);
	assert_int_equal(d.adjust, 1);
	assert_int_equal(d.poll_limit_after_ns, 0);
	assert_int_equal(idle(30000).outcome, HP_NO_POLL);
	/* guest_halt_poll_ns = 0: grow impossible, every block > 0 takes the shrink branch */
	setup(HP_KVER(6, 11, 0));
	set("guest_halt_poll_ns", "0");
	d = idle(30000);
	assert_int_equal(d.adjust, -1);
	assert_int_equal(d.poll_limit_after_ns, 0);
	/* shrink = 0: a long halt resets to 0 */
	setup(HP_KVER(6, 11, 0));
	set("guest_halt_poll_shrink", "0");
	idle(30000);
	assert_int_equal(poll_then_halt(50000, 250000).poll_limit_after_ns, 0);
}

/* shrink = 1: before v6.9 no change (the trace still fires); v6.9+ reset below grow_start. */
static void test_shrink_one(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup(HP_KVER(6, 1, 0));
	set("guest_halt_poll_shrink", "1");
	set("guest_halt_poll_grow_start", "40000");
	idle(30000);
	d = poll_then_halt(40000, 250000);
	assert_int_equal(d.adjust, -1);
	assert_int_equal(d.poll_limit_after_ns, 40000);
	setup(HP_KVER(6, 9, 0));
	set("guest_halt_poll_shrink", "1");
	idle(30000);
	assert_int_equal(poll_then_halt(50000, 250000).poll_limit_after_ns, 50000);
	set("guest_halt_poll_grow_start", "60000");
	assert_int_equal(poll_then_halt(50000, 250000).poll_limit_after_ns, 0);
}

static void test_allow_shrink_n(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	set("guest_halt_poll_allow_shrink", "N");
	idle(30000);
	d = poll_then_halt(50000, 250000);
	assert_int_equal(d.adjust, 0);
	assert_int_equal(d.poll_limit_after_ns, 50000);
}

/* v5.4: the residency is whole microseconds, rounded down (29999 ns counts as 29000). */
static void test_v54_microseconds(void **unused)
{
	(void)unused;
	struct hp_decision d;

	setup(HP_KVER(5, 4, 0));
	idle(30000);
	d = idle(poll_end(50000) + 50999);
	assert_int_equal(d.block_ns, 50000); /* == limit: no grow */
	assert_int_equal(d.adjust, 0);
	setup(HP_KVER(6, 1, 0));
	idle(30000);
	assert_int_equal(poll_then_halt(50000, 50999).poll_limit_after_ns, 100000);
}

/* poll_idle reads the clock every 201 iterations and stops at the first read past the limit. */
static void test_poll_grid(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	cost.guest_relax_ns = 40;
	idle(30000); /* limit 50000 */
	d = idle(70000);
	/* reads at multiples of 8040 ns: 6 * 8040 = 48240 <= 50000 < 7 * 8040 = 56280 */
	assert_int_equal(d.polled_ns, 56280);
	assert_int_equal(last_hlt, clock_ns - 5000 - 70000 + 56280);
}

/* latency_req == 0: always poll; cpuidle_poll_time() stores TICK_NSEC/16 (v5.11+) or 1000 (v5.4).
 */
static void test_poll_time_side_effect(void **unused)
{
	extern int64_t hpsim_latency_req_ns;
	int64_t saved = hpsim_latency_req_ns;
	struct hp_decision d;

	(void)unused;
	setup(HP_KVER(6, 11, 0));
	hpsim_latency_req_ns = 0;
	d = idle(30000);
	assert_int_equal(d.outcome, HP_POLL_HIT);
	assert_int_equal(d.poll_limit_after_ns, 250000); /* HZ=250: 4000000 / 16 */
	setup(HP_KVER(5, 4, 0));
	d = idle(30000);
	assert_int_equal(d.poll_limit_after_ns, 1000);
	assert_int_equal(hlts, 0); /* it polled through, never halting */
	hpsim_latency_req_ns = saved;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_example_69),
	    cmocka_unit_test(test_shrink_chain_pre69),
	    cmocka_unit_test(test_boundaries),
	    cmocka_unit_test(test_param_zero),
	    cmocka_unit_test(test_shrink_one),
	    cmocka_unit_test(test_allow_shrink_n),
	    cmocka_unit_test(test_v54_microseconds),
	    cmocka_unit_test(test_poll_grid),
	    cmocka_unit_test(test_poll_time_side_effect),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(state);
	return rc;
}
