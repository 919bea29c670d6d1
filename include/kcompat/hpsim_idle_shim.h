/*
 * The simulated-time shim of a host CPU going idle: what the host cpuidle
 * governors (menu, teo, ladder) read through the stand-in kernel headers.
 * The governor adapter (src/policy/idle_gov.h) fills hp_idle_io from the
 * idle period the engine describes and points it at the CPU's own per-CPU
 * area before it calls the governor, the way the kernel's per-CPU offset
 * names the running CPU's copy of a DEFINE_PER_CPU variable.
 *
 * How each input is modelled:
 *  - tick_nohz_get_sleep_length() returns sleep_length_ns, the time to the
 *    next timer event; its delta_next is the time to the next event of the
 *    clock event device: the next tick (the tick grid is multiples of
 *    TICK_NSEC of the simulated clock) while the tick runs, else the timer;
 *  - tick_nohz_tick_stopped() is tick_stopped, the tick was already stopped
 *    when the idle period began;
 *  - tick_nohz_idle_got_tick() is got_tick, set on reflect when the tick kept
 *    running and the idle period lasted until the tick fired (delta_next
 *    earlier than the timer, and the measured time reached it);
 *  - nr_iowait_cpu() is nr_iowait, tasks of this CPU waiting for I/O;
 *  - cpuidle_governor_latency_req() is the PM QoS limit (hpsim_latency_req_ns,
 *    set per call by the adapter);
 *  - local_clock() and ktime_get() read the simulated clock (hp_shim->now).
 */
#ifndef KCOMPAT_HPSIM_IDLE_SHIM_H
#define KCOMPAT_HPSIM_IDLE_SHIM_H

#include <stdbool.h>
#include <stdint.h>

struct hp_idle_io {
	int64_t sleep_length_ns; /* to the next timer event */
	int64_t delta_next_ns;   /* to the next clock event (tick or timer) */
	bool tick_stopped;
	bool got_tick;
	unsigned int nr_iowait;
	uintptr_t this_cpu_off; /* the running CPU's per-CPU area minus the template's */
};

/* The host CPU the governor code is running for (set by the adapter). */
extern struct hp_idle_io *hp_idle_io;

#endif
