/*
 * The adapter between the engine and the powerpc Book3S HV vcore poll,
 * included after the kernel C it drives (the project's own in vcore.c, or a
 * real book3s_hv.c's functions in the kernel-source build).
 */
#include <string.h>

#include "adapter.h"
#include "hpsim/policy.h"

#ifndef HP_POLICY_TREE_KVER
#define HP_POLICY_TREE_KVER 0 /* the project's own code: any modelled release */
#endif
#ifndef HP_POLICY_DESC
#define HP_POLICY_DESC                                                                             \
	"powerpc Book3S HV vcore polling (arch/powerpc/kvm/book3s_hv.c kvmppc_vcore_blocked)"
#endif

struct vcore_policy_state {
	struct kvm kvm;
	struct kvm_vcpu runner;
	struct kvmppc_vcore vc;
};

static void vcore_policy_init(void *state, uint32_t cpu)
{
	struct vcore_policy_state *s = state;

	memset(s, 0, sizeof(*s));
	s->runner.kvm = &s->kvm;
	s->runner.vcpu_id = (int)cpu;
	s->runner.valid_wakeup = true;
	s->vc.kvm = &s->kvm;
	s->vc.runner = &s->runner;
	s->vc.n_runnable = 1;
	s->vc.num_threads = 1;
}

static void vcore_policy_halt(void *state, const struct hp_halt_in *in, struct hp_decision *out)
{
	struct vcore_policy_state *s = state;
	struct hp_shim sh, *prev = hp_shim;

	hp_shim_begin(&sh, (int64_t)in->enter_ns, (int64_t)in->wake_ns,
	              (int64_t)in->cost->poll_detect_ns, (int64_t)in->cost->host_wakeup_ns);
	sh.busy_from = (int64_t)in->busy_from;
	sh.busy_until = (int64_t)in->busy_until;
	sh.on_sleep = in->host_sleep;
	sh.on_sleep_ctx = in->host_sleep_ctx;
	/* the vcore loop polls on ktime_get() alone, without cpu_relax() */
	sh.clock_polls = true;
	out->poll_limit_before_ns = s->vc.halt_poll_ns;

	kvmppc_vcore_blocked(&s->vc);

	out->poll_limit_after_ns = s->vc.halt_poll_ns;
	out->stat_cpu = (uint32_t)s->vc.runner->vcpu_id;
	hp_kvm_fill_decision(&sh, in->enter_ns, out);
	/* no grow/shrink trace point on this path: derive the direction */
	out->adjust = out->poll_limit_after_ns > out->poll_limit_before_ns   ? 1
	              : out->poll_limit_after_ns < out->poll_limit_before_ns ? -1
	                                                                     : 0;
	out->adj_new = (uint32_t)out->poll_limit_after_ns;
	out->adj_old = (uint32_t)out->poll_limit_before_ns;
	hp_shim = prev;
}

static const struct hp_param vcore_params[] = {
    HP_UINT_PARAM("halt_poll_ns", "ns",
                  "ceiling of the vcore poll window (kvm module; ppc default)", halt_poll_ns,
                  HP_SAME(10000)),
    HP_UINT_PARAM("halt_poll_ns_grow", "factor",
                  "multiplier applied when a short block was not covered", halt_poll_ns_grow,
                  HP_SAME(2)),
    HP_UINT_PARAM("halt_poll_ns_grow_start", "ns", "value a grow starts from (v5.1+)",
                  halt_poll_ns_grow_start, HP_SAME(10000), .since_kver = HP_KVER(5, 1, 0)),
    HP_UINT_PARAM("halt_poll_ns_shrink", "divisor",
                  "divisor after a long block; 0 resets (no grow_start floor)", halt_poll_ns_shrink,
                  HP_SAME(2), .def_changed_kver = HP_KVER(6, 11, 0), .def_before = 0),
};

const struct hp_policy_ops HP_POLICY_SYM = {
    .name = HP_POLICY_NAME,
    .layer = HP_LAYER_VCORE,
    .desc = HP_POLICY_DESC,
    .params = vcore_params,
    .nparams = sizeof(vcore_params) / sizeof(vcore_params[0]),
    .state_size = sizeof(struct vcore_policy_state),
    .init = vcore_policy_init,
    .halt = vcore_policy_halt,
    /* the vcore loop on the kvm module's parameters; 4.7-4.9 had kvm_hv's own (UNVERIFIED) */
    .since_kver = HP_KVER(4, 10, 0),
    .tree_kver = HP_POLICY_TREE_KVER,
};
