/* kcompat: local_clock() reads the simulated clock (see linux/ktime.h). */
#ifndef KCOMPAT_LINUX_SCHED_CLOCK_H
#define KCOMPAT_LINUX_SCHED_CLOCK_H
#include <linux/ktime.h>

/* The non-instrumented variant (poll_idle() since v6.5): the same simulated clock. */
static inline u64 local_clock_noinstr(void)
{
	return local_clock();
}

#endif
