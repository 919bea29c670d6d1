/* kcompat: ktime_get() and local_clock() read the simulated clock. */
#ifndef KCOMPAT_LINUX_KTIME_H
#define KCOMPAT_LINUX_KTIME_H

#include <linux/types.h>
#include "hpsim_shim.h"

typedef s64 ktime_t;

static inline ktime_t ktime_get(void)
{
	if (hp_shim->clock_polls && !hp_shim->sleeping_prepared && hp_shim->clock_reads++)
		hp_shim_poll_step();
	return hp_shim->now;
}

static inline u64 local_clock(void)
{
	return (u64)hp_shim->now;
}

/* only poll deadlines are computed this way in halt-polling code */
#define ktime_add_ns(kt, ns) hp_shim_deadline((kt) + (s64)(ns))
#define ktime_sub(a, b)      ((a) - (b))
#define ktime_to_ns(kt)      ((s64)(kt))
#define ktime_before(a, b)   ((a) < (b))
#define ktime_after(a, b)    ((a) > (b))
#define ktime_to_us(kt)      ((s64)(kt) / 1000)
#define KTIME_MAX            ((s64)~((u64)1 << 63))

#endif
