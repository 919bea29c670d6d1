/* kcompat: local_clock() reads the simulated clock (see linux/ktime.h). */
#ifndef KCOMPAT_LINUX_SCHED_CLOCK_H
#define KCOMPAT_LINUX_SCHED_CLOCK_H
#include <linux/ktime.h>
#endif
