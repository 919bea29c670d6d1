/*
 * The host KVM policy's kernel-C code against the worked examples and edge
 * cases of the kernel's documented behaviour The cost model is zeroed so
 * that the block time the policy sees is exactly the halt's length.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/kvm_host.h>

#include "hpsim/policy.h"

struct kvm_policy_state {
	struct kvm kvm;
	struct kvm_vcpu vcpu;
};

static const struct hp_policy_ops *kvm;
static struct hp_cost zero_cost;
static unsigned char state[4096];
static uint64_t clock_ns;
static bool poll_disabled; /* the guest wrote MSR_KVM_POLL_CONTROL = 0 */

static void setup_kernel(uint32_t version)
{
	struct hp_kernel k = {.arch = HP_ARCH_X86, .version = version};

	kvm = hp_policy_find("kvm");
	assert_non_null(kvm);
	assert_true(kvm->state_size <= sizeof(state));
	hp_policy_defaults(kvm, &k);
	kvm->init(state, 0);
	memset(&zero_cost, 0, sizeof(zero_cost));
	clock_ns = 1000000;
	poll_disabled = false;
}

static void set(const char *name, const char *value)
{
	struct hp_err err;

	assert_int_equal(hp_policy_set(kvm, name, value, &err), 0);
}

/* One halt whose wakeup arrives len ns after it enters the host. */
static struct hp_decision halt(uint64_t len)
{
	struct hp_halt_in in = {.cpu = 0,
	                        .enter_ns = clock_ns,
	                        .wake_ns = clock_ns + len,
	                        .valid_wakeup = true,
	                        .host_poll_disabled = poll_disabled,
	                        .cost = &zero_cost};
	struct hp_decision d;

	memset(&d, 0, sizeof(d));
	kvm->halt(state, &in, &d);
	clock_ns = d.end_ns + 1000;
	return d;
}

static unsigned int poll_ns(void)
{
	return ((struct kvm_policy_state *)state)->vcpu.halt_poll_ns;
}

/* v6.11+: 0 -> 10000 -> ... -> 320000 (no clamp), silent cap, shrink to 0. */
static void test_worked_example_611(void **unused)
{
	static const uint64_t grow_halts[] = {30000, 15000, 30000, 60000, 100000, 180000};
	static const unsigned int after[] = {10000, 20000, 40000, 80000, 160000, 320000};
	static const unsigned int shrink_chain[] = {100000, 50000, 25000, 12500, 0};
	struct hp_decision d;
	size_t i;

	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	for (i = 0; i < 6; i++) {
		d = halt(grow_halts[i]);
		assert_int_equal(d.adjust, 1);
		assert_int_equal(poll_ns(), after[i]);
		assert_int_equal(d.block_ns, grow_halts[i]);
	}
	/* the next entry caps 320000 to the ceiling silently; a 50 us halt is caught */
	d = halt(50000);
	assert_int_equal(d.outcome, HP_POLL_HIT);
	assert_int_equal(d.adjust, 0);
	assert_int_equal(d.polled_ns, 50000);
	assert_int_equal(poll_ns(), 200000);
	/* long halts shrink by 2 until below grow_start, then reset to 0 */
	for (i = 0; i < 5; i++) {
		d = halt(250000);
		assert_int_equal(d.outcome, HP_POLL_MISS);
		assert_int_equal(d.adjust, -1);
		assert_int_equal(poll_ns(), shrink_chain[i]);
	}
	/* at 0, a long halt changes nothing (cur == 0 and halt_ns > max) */
	d = halt(250000);
	assert_int_equal(d.outcome, HP_NO_POLL);
	assert_int_equal(d.adjust, 0);
	assert_int_equal(poll_ns(), 0);
}

/* A failed poll burns exactly the window; the wait is the rest. */
static void test_poll_miss_accounting(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	halt(30000); /* grow to 10000 */
	d = halt(70000);
	assert_int_equal(d.outcome, HP_POLL_MISS);
	assert_int_equal(d.polled_ns, 10000);
	assert_int_equal(d.wait_ns, 60000);
	assert_int_equal(d.waited, 1);
	assert_int_equal(d.block_ns, 70000);
	assert_int_equal(((struct kvm_policy_state *)state)->vcpu.stat.generic.halt_poll_fail_ns,
	                 10000);
	/* the kernel's counters: the first halt (no poll) slept 30 us, this one 60 us */
	assert_int_equal(((struct kvm_policy_state *)state)->vcpu.stat.generic.halt_wait_ns, 90000);
	assert_int_equal(((struct kvm_policy_state *)state)->vcpu.stat.generic.halt_attempted_poll,
	                 1);
}

/* v6.1-v6.10: shrink defaults to 0, so a long halt resets the window. */
static void test_shrink_default_61(void **unused)
{
	(void)unused;
	setup_kernel(HP_KVER(6, 1, 0));
	halt(30000);
	halt(15000);
	assert_int_equal(poll_ns(), 20000);
	assert_int_equal(halt(250000).adjust, -1);
	assert_int_equal(poll_ns(), 0);
}

/* shrink = 1 keeps the value unless it is below grow_start. */
static void test_shrink_one(void **unused)
{
	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	set("halt_poll_ns_shrink", "1");
	halt(30000);
	halt(15000);
	assert_int_equal(poll_ns(), 20000);
	halt(250000);
	assert_int_equal(poll_ns(), 20000);
}

/* grow = 0 (v5.1+): never grows, yet the grow trace point fires with new == old. */
static void test_grow_zero(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	set("halt_poll_ns_grow", "0");
	d = halt(30000);
	assert_int_equal(d.adjust, 1);
	assert_int_equal(poll_ns(), 0);
}

/* halt_ns == max with 0 < cur < max: no change (grow needs halt_ns < max). */
static void test_boundary_equal_max(void **unused)
{
	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	halt(30000);
	assert_int_equal(poll_ns(), 10000);
	assert_int_equal(halt(200000).adjust, 0);
	assert_int_equal(poll_ns(), 10000);
	/* halt_ns == cur: no change either */
	assert_int_equal(halt(10000).adjust, 0);
}

/* The multiply is 32-bit: 10000 * 429497 wraps to 2704, then the grow_start floor applies. */
static void test_u32_wrap(void **unused)
{
	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	set("halt_poll_ns", "4294967295");
	set("halt_poll_ns_grow", "429497");
	halt(30000);
	assert_int_equal(poll_ns(), 10000);
	halt(15000);
	assert_int_equal(poll_ns(), 10000); /* 4294970000 mod 2^32 = 2704 < 10000 */
	set("halt_poll_ns_grow", "429496");
	halt(15000);
	assert_int_equal(poll_ns(), 4294960000u); /* no wrap */
}

/* halt_poll_ns = 0: the window is capped to 0 and stays there. */
static void test_ceiling_zero(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	halt(30000);
	set("halt_poll_ns", "0");
	d = halt(5000);
	assert_int_equal(d.outcome, HP_NO_POLL);
	assert_int_equal(poll_ns(), 0);
}

/* v5.15: grow clamps at the ceiling (trace shows 200000), shrink floors at grow_start. */
static void test_v515_clamp(void **unused)
{
	static const uint64_t halts[] = {30000, 15000, 30000, 60000, 100000, 180000};
	size_t i;

	(void)unused;
	setup_kernel(HP_KVER(5, 15, 0));
	for (i = 0; i < 6; i++)
		halt(halts[i]);
	assert_int_equal(poll_ns(), 200000);
	set("halt_poll_ns_shrink", "2");
	halt(250000);
	assert_int_equal(poll_ns(), 100000);
}

/* v4.3: fixed 10 us start whatever grow_start says; grow = 0 resets; shrink has no floor. */
static void test_v43(void **unused)
{
	(void)unused;
	setup_kernel(HP_KVER(4, 3, 0));
	set("halt_poll_ns_grow_start", "50000");
	halt(30000);
	assert_int_equal(poll_ns(), 10000);
	halt(15000);
	assert_int_equal(poll_ns(), 20000);
	set("halt_poll_ns_shrink", "4");
	halt(600000);
	assert_int_equal(poll_ns(), 5000); /* no reset below grow_start before v5.15 */
	set("halt_poll_ns_grow", "0");
	halt(8000);
	assert_int_equal(poll_ns(), 0);
}

/* x86 poll-control MSR = 0 (guest haltpoll active): no poll, no adjustment. */
static void test_no_poll_msr(void **unused)
{
	struct hp_decision d;

	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	halt(30000);
	poll_disabled = true;
	d = halt(15000);
	assert_int_equal(d.outcome, HP_NO_POLL);
	assert_int_equal(d.adjust, 0);
	assert_int_equal(poll_ns(), 10000);
}

/* Another task becoming runnable mid-poll ends the poll there (single_task_running()). */
static void test_contention_onset(void **unused)
{
	struct hp_halt_in in = {.cpu = 0, .valid_wakeup = true, .cost = &zero_cost};
	struct hp_decision d;

	(void)unused;
	setup_kernel(HP_KVER(6, 11, 0));
	set("halt_poll_ns_grow_start", "200000");
	halt(30000); /* window 200000 */
	in.enter_ns = clock_ns;
	in.wake_ns = clock_ns + 100000;
	in.busy_from = clock_ns + 5000;
	in.busy_until = clock_ns + 1000000;
	memset(&d, 0, sizeof(d));
	kvm->halt(state, &in, &d);
	assert_int_equal(d.outcome, HP_POLL_MISS);
	assert_int_equal(d.polled_ns, 5000);
	assert_int_equal(d.block_ns, 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_worked_example_611), cmocka_unit_test(test_poll_miss_accounting),
	    cmocka_unit_test(test_shrink_default_61),  cmocka_unit_test(test_shrink_one),
	    cmocka_unit_test(test_grow_zero),          cmocka_unit_test(test_boundary_equal_max),
	    cmocka_unit_test(test_u32_wrap),           cmocka_unit_test(test_ceiling_zero),
	    cmocka_unit_test(test_v515_clamp),         cmocka_unit_test(test_v43),
	    cmocka_unit_test(test_no_poll_msr),        cmocka_unit_test(test_contention_onset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
