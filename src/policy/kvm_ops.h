/*
 * The adapter between the engine and host KVM halt-polling kernel C. It is
 * included after the kernel C it drives: by kvm.c after the project's own
 * code, and by the kernel-source build after the functions extracted from a
 * kernel tree, so both are driven identically. HP_POLICY_NAME and
 * HP_POLICY_SYM name the resulting policy.
 */
#include <string.h>

#include <linux/kvm_host.h>

#include "adapter.h"
#include "hpsim/policy.h"

#ifndef HP_POLICY_TREE_KVER
#define HP_POLICY_TREE_KVER 0 /* the project's own code: any modelled release */
#endif
#ifndef HP_POLICY_DESC
#define HP_POLICY_DESC "host KVM halt polling (virt/kvm/kvm_main.c kvm_vcpu_halt)"
#endif

struct kvm_policy_state {
	struct kvm kvm;
	struct kvm_vcpu vcpu;
};

/*
 * The VM's KVM_CAP_HALT_POLL argument, when the VMM enabled the capability. A
 * per-VM setting rather than a module parameter, kept beside the module's
 * globals in the same way so that a configuration sets it like the others.
 */
static unsigned int kvm_cap_halt_poll_ns;
static bool kvm_cap_halt_poll_set;

/* s390's kvm.halt_poll_max_steal (arch code, read by its kvm_arch_no_poll()). */
static unsigned int kvm_s390_halt_poll_max_steal;

static void kvm_init(void *state, uint32_t cpu)
{
	struct kvm_policy_state *s = state;

	memset(s, 0, sizeof(*s));
	s->vcpu.kvm = &s->kvm;
	s->vcpu.vcpu_id = (int)cpu;
	s->vcpu.valid_wakeup = true;
	/* x86: the MSR is reset to 1 at vCPU creation, host polling allowed */
	s->vcpu.arch.msr_kvm_poll_control = 1;
	/* v5.8 to v6.0: the VM snapshots the module parameter at creation */
	s->kvm.max_halt_poll_ns = halt_poll_ns;
	if (kvm_cap_halt_poll_set) {
		/* the VMM enabled KVM_CAP_HALT_POLL: the value, then (v6.1+) the override flag */
		s->kvm.max_halt_poll_ns = kvm_cap_halt_poll_ns;
		s->kvm.override_halt_poll_ns = true;
	}
}

static void kvm_halt(void *state, const struct hp_halt_in *in, struct hp_decision *out)
{
	struct kvm_policy_state *s = state;
	struct hp_shim sh, *prev = hp_shim;

	hp_shim_begin(&sh, (int64_t)in->enter_ns, (int64_t)in->wake_ns,
	              (int64_t)in->cost->poll_detect_ns, (int64_t)in->cost->host_wakeup_ns);
	sh.busy_from = (int64_t)in->busy_from;
	sh.busy_until = (int64_t)in->busy_until;
	sh.on_sleep = in->host_sleep;
	sh.on_sleep_ctx = in->host_sleep_ctx;
	s->vcpu.valid_wakeup = in->valid_wakeup;
	/* x86: the guest haltpoll driver writes MSR_KVM_POLL_CONTROL = 0 while it is active */
	s->vcpu.arch.msr_kvm_poll_control = in->host_poll_disabled ? 0 : 1;
	/* s390: the average steal time of the vCPU's CPU against halt_poll_max_steal */
	s->vcpu.arch.steal_too_high = in->steal_pct >= kvm_s390_halt_poll_max_steal;
	out->poll_limit_before_ns = s->vcpu.halt_poll_ns;

	kvm_vcpu_halt(&s->vcpu);

	out->poll_limit_after_ns = s->vcpu.halt_poll_ns;
	out->stat_cpu = in->cpu;
	hp_kvm_fill_decision(&sh, in->enter_ns, out);
	hp_shim = prev;
}

static const struct hp_param kvm_params[] = {
    HP_UINT_PARAM("halt_poll_ns", "ns",
                  "ceiling of the per-vCPU poll window (KVM_HALT_POLL_NS_DEFAULT)", halt_poll_ns,
                  HP_ARCH_DEFAULTS(200000, 500000, 50000, 10000)),
    HP_UINT_PARAM("halt_poll_ns_grow", "factor",
                  "multiplier applied when a short halt was not covered", halt_poll_ns_grow,
                  HP_SAME(2)),
    HP_UINT_PARAM("halt_poll_ns_grow_start", "ns",
                  "value a grow starts from (v5.1+); since v5.15 a shrink below it resets to 0",
                  halt_poll_ns_grow_start, HP_SAME(10000), .since_kver = HP_KVER(5, 1, 0)),
    HP_UINT_PARAM("halt_poll_ns_shrink", "divisor",
                  "divisor applied after a long halt; 0 resets to 0", halt_poll_ns_shrink,
                  HP_SAME(2), .def_changed_kver = HP_KVER(6, 11, 0), .def_before = 0),
    HP_UINT_PARAM("max_halt_poll_ns", "ns",
                  "per-VM ceiling set with KVM_CAP_HALT_POLL (v5.8+); unset: the module's "
                  "halt_poll_ns",
                  kvm_cap_halt_poll_ns, HP_SAME(0), .since_kver = HP_KVER(5, 8, 0),
                  .setvar = &kvm_cap_halt_poll_set),
    {.name = "halt_poll_max_steal",
     .unit = "percent",
     .desc = "s390: no polling while the average steal time is at least this (v5.3+, UNVERIFIED)",
     .since_kver = HP_KVER(5, 3, 0),
     .type = HP_PARAM_UINT,
     .uvar = &kvm_s390_halt_poll_max_steal,
     .min = 0,
     .max = 255,
     .def = HP_SAME(10),
     .arch_mask = 1u << HP_ARCH_S390},
};

const struct hp_policy_ops HP_POLICY_SYM = {
    .name = HP_POLICY_NAME,
    .layer = HP_LAYER_HOST,
    .desc = HP_POLICY_DESC,
    .params = kvm_params,
    .nparams = sizeof(kvm_params) / sizeof(kvm_params[0]),
    .state_size = sizeof(struct kvm_policy_state),
    .init = kvm_init,
    .halt = kvm_halt,
    .since_kver = HP_KVER(4, 3, 0), /* the first dynamic halt polling */
    .tree_kver = HP_POLICY_TREE_KVER,
};
