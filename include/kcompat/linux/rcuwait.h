/* kcompat: the vCPU's wait queue; preparing to wait ends any clock-driven poll. */
#ifndef KCOMPAT_LINUX_RCUWAIT_H
#define KCOMPAT_LINUX_RCUWAIT_H

#include <linux/sched.h>

struct rcuwait {
	int unused;
};

static inline void prepare_to_rcuwait(struct rcuwait *w)
{
	(void)w;
	hp_shim_prepare_sleep();
}

static inline void finish_rcuwait(struct rcuwait *w)
{
	(void)w;
}

#endif
