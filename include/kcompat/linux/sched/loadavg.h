/* kcompat: nothing of <linux/sched/loadavg.h> is read by the idle governors modelled. */
#ifndef KCOMPAT_LINUX_SCHED_LOADAVG_H
#define KCOMPAT_LINUX_SCHED_LOADAVG_H
#endif
