/*
 * Which kernels each policy and parameter exists in, and the per-VM ceiling
 * of KVM_CAP_HALT_POLL: configurations a kernel
 * could not have are refused with the release that would have them, and the
 * capability overrides the module's ceiling with the semantics of its version.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/kvm_host.h>

#include "hpsim/engine.h"

/* Configure one layer's policy on a kernel with up to two settings; returns 0 or -1. */
static int configure(enum hp_layer layer, const char *policy, const char *kernel, const char *set1,
                     const char *set2, struct hp_err *err)
{
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	const char *sets[2] = {set1, set2};
	static char names[2][64];
	size_t i;

	memset(&spec, 0, sizeof(spec));
	spec.policy[layer] = policy;
	spec.kernel = kernel;
	for (i = 0; i < 2; i++) {
		const char *eq;

		if (!sets[i])
			continue;
		eq = strchr(sets[i], '=');
		assert_non_null(eq);
		memcpy(names[i], sets[i], (size_t)(eq - sets[i]));
		names[i][eq - sets[i]] = '\0';
		spec.params[spec.nparams].name = names[i];
		spec.params[spec.nparams].value = eq + 1;
		spec.nparams++;
	}
	memset(err->msg, 0, sizeof(err->msg));
	return hp_engine_configure(&spec, &cfg, err);
}

static void assert_refused(int rc, const struct hp_err *err, const char *needle)
{
	assert_int_equal(rc, -1);
	if (!strstr(err->msg, needle))
		fail_msg("error '%s' does not name '%s'", err->msg, needle);
}

static void test_policy_oldest_kernel(void **unused)
{
	struct hp_err err;

	(void)unused;
	assert_refused(configure(HP_LAYER_HOST, "kvm", "4.2", NULL, NULL, &err), &err, "4.3");
	assert_int_equal(configure(HP_LAYER_HOST, "kvm", "4.3", NULL, NULL, &err), 0);
	assert_refused(configure(HP_LAYER_GUEST, "haltpoll", "5.3", NULL, NULL, &err), &err, "5.4");
	assert_int_equal(configure(HP_LAYER_GUEST, "haltpoll", "5.4", NULL, NULL, &err), 0);
	assert_refused(configure(HP_LAYER_VCORE, "vcore", "4.9", NULL, NULL, &err), &err, "4.10");
	assert_int_equal(configure(HP_LAYER_VCORE, "vcore", "4.10", NULL, NULL, &err), 0);
	/* the reference policies are not kernel code: any release */
	assert_int_equal(configure(HP_LAYER_HOST, "oracle", "3.10", NULL, NULL, &err), 0);
}

static void test_newest_checked_kernel(void **unused)
{
	struct hp_err err;

	(void)unused;
	assert_int_equal(configure(HP_LAYER_HOST, "kvm", "6.18.9", NULL, NULL, &err), 0);
	assert_refused(configure(HP_LAYER_HOST, "kvm", "6.19", NULL, NULL, &err), &err, "6.18");
	assert_refused(configure(HP_LAYER_HOST, "kvm", "7.0", NULL, NULL, &err), &err,
	               "HPSIM_KERNEL_SRC");
}

static void test_parameter_oldest_kernel(void **unused)
{
	struct hp_err err;

	(void)unused;
	/* v4.3 grew from a hard-coded 10000: there is no parameter to set */
	assert_refused(
	    configure(HP_LAYER_HOST, "kvm", "4.3", "halt_poll_ns_grow_start=5000", NULL, &err),
	    &err, "5.1");
	assert_int_equal(
	    configure(HP_LAYER_HOST, "kvm", "5.1", "halt_poll_ns_grow_start=5000", NULL, &err), 0);
	assert_refused(
	    configure(HP_LAYER_VCORE, "vcore", "4.19", "halt_poll_ns_grow_start=1", NULL, &err),
	    &err, "5.1");
	assert_refused(configure(HP_LAYER_HOST, "kvm", "5.7", "max_halt_poll_ns=1000", NULL, &err),
	               &err, "5.8");
	assert_int_equal(
	    configure(HP_LAYER_HOST, "kvm", "5.8", "max_halt_poll_ns=1000", NULL, &err), 0);
	/* the defaults of a parameter that did not exist yet are not a setting */
	assert_int_equal(configure(HP_LAYER_HOST, "kvm", "4.3", NULL, NULL, &err), 0);
}

/* --- KVM_CAP_HALT_POLL, driven halt by halt with a zero cost model ------------ */

struct kvm_policy_state {
	struct kvm kvm;
	struct kvm_vcpu vcpu;
};

static const struct hp_policy_ops *kvm;
static unsigned char state[4096];
static struct hp_cost zero_cost;
static uint64_t clock_ns;

/* kvm on kernel "version" with the module's halt_poll_ns and, if cap, the VM's ceiling. */
static void start(const char *version, const char *module_max, const char *cap)
{
	struct hp_kernel k = {.arch = HP_ARCH_X86};
	struct hp_err err;

	assert_int_equal(hp_kver_parse(version, &k.version, &err), 0);
	kvm = hp_policy_find("kvm");
	assert_non_null(kvm);
	assert_true(kvm->state_size <= sizeof(state));
	hp_policy_defaults(kvm, &k);
	assert_int_equal(hp_policy_set(kvm, "halt_poll_ns", module_max, &err), 0);
	if (cap)
		assert_int_equal(hp_policy_set(kvm, "max_halt_poll_ns", cap, &err), 0);
	kvm->init(state, 0); /* the VM is created after the settings */
	memset(&zero_cost, 0, sizeof(zero_cost));
	clock_ns = 1000000;
}

/* One halt of len ns; returns the vCPU's halt_poll_ns after it. */
static unsigned int halt(uint64_t len)
{
	struct hp_halt_in in = {.enter_ns = clock_ns,
	                        .wake_ns = clock_ns + len,
	                        .valid_wakeup = true,
	                        .cost = &zero_cost};
	struct hp_decision d;

	memset(&d, 0, sizeof(d));
	kvm->halt(state, &in, &d);
	clock_ns = d.end_ns + 1000;
	return ((struct kvm_policy_state *)state)->vcpu.halt_poll_ns;
}

static void test_cap_overrides_module_ceiling(void **unused)
{
	(void)unused;
	/* v6.1+: without the cap the module's 200000 rules: 10000, 20000, then 30000 grows */
	start("6.11", "200000", NULL);
	assert_int_equal(halt(15000), 10000);
	assert_int_equal(halt(15000), 20000);
	assert_int_equal(halt(30000), 40000);
	/* with the cap at 20000, the same 30000 ns halt is longer than the ceiling: shrink */
	start("6.11", "200000", "20000");
	assert_int_equal(halt(15000), 10000);
	assert_int_equal(halt(15000), 20000);
	assert_int_equal(halt(30000), 10000);
	/* v6.1+: the cap keeps polling alive when the module parameter is 0 */
	start("6.11", "0", "50000");
	assert_int_equal(halt(5000), 10000);
	start("6.11", "0", NULL);
	assert_int_equal(halt(5000), 0);
}

static void test_cap_before_61_uses_vm_snapshot(void **unused)
{
	(void)unused;
	/* v5.8-v6.0: the VM's value decides, snapshot of the module at creation or the cap */
	start("6.0", "0", "50000");
	assert_int_equal(halt(5000), 10000);
	start("6.0", "200000", "20000");
	assert_int_equal(halt(15000), 10000);
	assert_int_equal(halt(15000), 20000);
	assert_int_equal(halt(30000), 0); /* longer than the VM's ceiling; shrink was 0 then */
}

static void test_cap_unset_again(void **unused)
{
	struct hp_err err;

	(void)unused;
	start("6.11", "0", "50000");
	assert_int_equal(hp_policy_set(kvm, "max_halt_poll_ns", "unset", &err), 0);
	assert_false(hp_param_is_set(hp_policy_param(kvm, "max_halt_poll_ns")));
	kvm->init(state, 0);
	assert_int_equal(halt(5000), 0);
	assert_int_equal(hp_policy_set(kvm, "max_halt_poll_ns", "-1", &err), -1);
	assert_non_null(strstr(err.msg, "max_halt_poll_ns"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_policy_oldest_kernel),
	    cmocka_unit_test(test_newest_checked_kernel),
	    cmocka_unit_test(test_parameter_oldest_kernel),
	    cmocka_unit_test(test_cap_overrides_module_ceiling),
	    cmocka_unit_test(test_cap_before_61_uses_vm_snapshot),
	    cmocka_unit_test(test_cap_unset_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
