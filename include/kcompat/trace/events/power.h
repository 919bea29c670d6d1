/* kcompat: power trace points; guest_halt_poll_ns records the governor's decision. */
#ifndef KCOMPAT_TRACE_EVENTS_POWER_H
#define KCOMPAT_TRACE_EVENTS_POWER_H

#include <linux/types.h>
#include "hpsim_shim.h"

static inline void trace_guest_halt_poll_ns(bool grow, unsigned int new_val, unsigned int old_val)
{
	hp_shim->adjust = grow ? 1 : -1;
	hp_shim->adj_new = new_val;
	hp_shim->adj_old = old_val;
}

#define trace_guest_halt_poll_ns_grow(new, old)   trace_guest_halt_poll_ns(true, new, old)
#define trace_guest_halt_poll_ns_shrink(new, old) trace_guest_halt_poll_ns(false, new, old)

static inline void trace_cpu_idle(unsigned int state, unsigned int cpu_id)
{
	(void)state;
	(void)cpu_id;
}

#endif
