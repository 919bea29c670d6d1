/* kcompat: nr_iowait_cpu(), the I/O waiters of the host CPU (see hpsim_idle_shim.h). */
#ifndef KCOMPAT_LINUX_SCHED_STAT_H
#define KCOMPAT_LINUX_SCHED_STAT_H
#include <linux/types.h>
#include "hpsim_idle_shim.h"

static inline unsigned int nr_iowait_cpu(int cpu)
{
	(void)cpu;
	return hp_idle_io->nr_iowait;
}

#endif
