/* kcompat: KVM trace points become records of the decision in the simulated CPU. */
#ifndef KCOMPAT_TRACE_EVENTS_KVM_H
#define KCOMPAT_TRACE_EVENTS_KVM_H

#include <linux/types.h>
#include "hpsim_shim.h"

static inline void trace_kvm_vcpu_wakeup(u64 ns, bool waited, bool valid)
{
	hp_shim->wakeup_traced = true;
	hp_shim->wakeup_trace_ns = ns;
	hp_shim->wakeup_waited = waited;
	hp_shim->wakeup_valid = valid;
}

static inline void trace_kvm_halt_poll_ns(bool grow, unsigned int vcpu_id, unsigned int new_val,
                                          unsigned int old_val)
{
	(void)vcpu_id;
	hp_shim->adjust = grow ? 1 : -1;
	hp_shim->adj_new = new_val;
	hp_shim->adj_old = old_val;
}

#define trace_kvm_halt_poll_ns_grow(vcpu_id, new, old)                                             \
	trace_kvm_halt_poll_ns(true, vcpu_id, new, old)
#define trace_kvm_halt_poll_ns_shrink(vcpu_id, new, old)                                           \
	trace_kvm_halt_poll_ns(false, vcpu_id, new, old)

#endif
