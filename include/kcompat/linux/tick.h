/* kcompat: the nohz tick as a host cpuidle governor sees it (see hpsim_idle_shim.h). */
#ifndef KCOMPAT_LINUX_TICK_H
#define KCOMPAT_LINUX_TICK_H
#include <linux/ktime.h>
#include "hpsim_idle_shim.h"

static inline ktime_t tick_nohz_get_sleep_length(ktime_t *delta_next)
{
	*delta_next = hp_idle_io->delta_next_ns;
	return hp_idle_io->sleep_length_ns;
}

static inline bool tick_nohz_tick_stopped(void)
{
	return hp_idle_io->tick_stopped;
}

static inline bool tick_nohz_idle_got_tick(void)
{
	return hp_idle_io->got_tick;
}

#endif
