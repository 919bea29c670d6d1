// SPDX-License-Identifier: GPL-2.0-only
/*
 * The cpuidle core around a governor, written for hpsim as kernel C after
 * drivers/cpuidle/cpuidle.c (cpuidle_poll_time, cpuidle_enter_state),
 * kernel/sched/idle.c (the idle loop, call_cpuidle) and
 * drivers/cpuidle/cpuidle-haltpoll.c (the driver's two states). The governor
 * (haltpoll.c) and poll_idle() (poll_state.c) are included before this file,
 * the project's own or, in the kernel-source build, the real ones.
 */
#include <linux/cpuidle.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/idle.h>
#include <asm/idle.h>
#include <trace/events/power.h>

#define PWR_EVENT_EXIT -1

/*
 * The poll limit of poll_idle(). A zero poll_limit_ns is replaced by a
 * default that is stored in the device (the side effect the haltpoll
 * governor then grows or shrinks from).
 */
u64 cpuidle_poll_time(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	int i;
	u64 limit_ns;

	if (dev->poll_limit_ns) {
		hp_shim_poll_window(dev->poll_limit_ns);
		return dev->poll_limit_ns;
	}

	if (hpsim_kernel_version >= KERNEL_VERSION(5, 11, 0)) {
		/* v5.11 (7a25759eaa04): the first enabled state with a long enough residency */
		limit_ns = CPUIDLE_POLL_MAX;
		for (i = 1; i < drv->state_count; i++) {
			u64 state_limit;

			if (dev->states_usage[i].disable)
				continue;

			state_limit = drv->states[i].target_residency_ns;
			if (state_limit < CPUIDLE_POLL_MIN)
				continue;

			limit_ns = min_t(u64, state_limit, CPUIDLE_POLL_MAX);
			break;
		}
	} else {
		/* v5.4 to v5.10: the first enabled state's residency, a tick without one */
		limit_ns = TICK_NSEC;
		for (i = 1; i < drv->state_count; i++) {
			if (dev->states_usage[i].disable)
				continue;

			limit_ns = drv->states[i].target_residency_ns;
			break;
		}
	}

	dev->poll_limit_ns = limit_ns;
	hp_shim_poll_window(limit_ns);

	return dev->poll_limit_ns;
}

static int cpuidle_enter_state(struct cpuidle_device *dev, struct cpuidle_driver *drv, int index)
{
	struct cpuidle_state *target_state = &drv->states[index];
	ktime_t time_start, time_end;
	int entered_state;

	trace_cpu_idle(index, dev->cpu);
	time_start = (ktime_t)local_clock();

	entered_state = target_state->enter(dev, drv, index);

	time_end = (ktime_t)local_clock();
	trace_cpu_idle(PWR_EVENT_EXIT, dev->cpu);

	if (entered_state >= 0) {
		s64 diff = ktime_sub(time_end, time_start);

		/* v5.4: the residency was an int of whole microseconds (v5.5 c1d51f684c72: ns) */
		if (hpsim_kernel_version < KERNEL_VERSION(5, 5, 0))
			diff = diff / NSEC_PER_USEC * NSEC_PER_USEC;

		dev->last_residency_ns = diff;

		/* hpsim: what the layer burned polling, and what it measured halting */
		if (target_state->flags & CPUIDLE_FLAG_POLLING) {
			hp_shim->guest_polls++;
			hp_shim->guest_polled_ns += time_end - time_start;
		} else {
			hp_shim->guest_halt_ns = diff;
		}
	} else {
		dev->last_residency_ns = 0;
	}

	return entered_state;
}

static int call_cpuidle(struct cpuidle_driver *drv, struct cpuidle_device *dev, int next_state)
{
	/* a wakeup arrived between select and enter: do not enter, do not reflect */
	if (current_clr_polling_and_test()) {
		dev->last_residency_ns = 0;
		local_irq_enable();
		return -EBUSY;
	}

	return cpuidle_enter_state(dev, drv, next_state);
}

/* cpuidle-haltpoll's halt state: HLT, unless a wakeup is already pending. */
static int default_enter_idle(struct cpuidle_device *dev, struct cpuidle_driver *drv, int index)
{
	(void)dev;
	(void)drv;
	if (current_clr_polling_and_test()) {
		local_irq_enable();
		return index;
	}
	default_idle();
	return index;
}

/* The cpuidle-haltpoll driver: state 0 polls (cpuidle_poll_state_init), state 1 halts. */
static struct cpuidle_driver haltpoll_driver = {
    .name = "haltpoll",
    .governor = "haltpoll",
    .states =
        {
            {
                .name = "POLL",
                .desc = "CPUIDLE CORE POLL IDLE",
                .exit_latency_ns = 0,
                .target_residency_ns = 0,
                .power_usage = -1,
                .enter = poll_idle,
                .flags = CPUIDLE_FLAG_POLLING,
            },
            {
                .name = "haltpoll idle",
                .desc = "default architecture idle",
                .exit_latency = 1,
                .target_residency = 1,
                .exit_latency_ns = 1000,
                .target_residency_ns = 1000,
                .enter = default_enter_idle,
            },
        },
    .safe_state_index = 0,
    .state_count = 2,
};

/*
 * One idle period of do_idle(): select, enter and reflect until the wakeup
 * is seen. reflect is skipped when call_cpuidle() did not enter a state.
 */
static void hp_cpuidle_idle_period(struct cpuidle_driver *drv, struct cpuidle_device *dev,
                                   struct cpuidle_governor *gov)
{
	while (!need_resched()) {
		bool stop_tick = true;
		int next_state, entered_state;

		next_state = gov->select(drv, dev, &stop_tick);
		entered_state = call_cpuidle(drv, dev, next_state);
		if (gov->reflect && entered_state >= 0)
			gov->reflect(dev, entered_state);
	}
}
