// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest haltpoll cpuidle governor, written for hpsim as kernel C. It
 * mirrors drivers/cpuidle/governors/haltpoll.c: the same function names,
 * static module parameters, u64/u32 arithmetic and control flow, so that the
 * kernel-source build can drive the real file through the same adapter.
 *
 * Every release difference is a branch on hpsim_kernel_version naming the
 * release that made it.
 */
#include <linux/kernel.h>
#include <linux/cpuidle.h>
#include <linux/time.h>
#include <linux/ktime.h>
#include <linux/hrtimer.h>
#include <linux/tick.h>
#include <linux/sched.h>
#include <linux/module.h>
#include <linux/kvm_para.h>
#include <trace/events/power.h>

/* ns: the ceiling of the poll window, and the grow/shrink threshold */
static unsigned int guest_halt_poll_ns __read_mostly = 200000;
module_param(guest_halt_poll_ns, uint, 0644);

/* divisor on shrink; 0 resets the window */
static unsigned int guest_halt_poll_shrink __read_mostly = 2;
module_param(guest_halt_poll_shrink, uint, 0644);

/* multiplier on grow */
static unsigned int guest_halt_poll_grow __read_mostly = 2;
module_param(guest_halt_poll_grow, uint, 0644);

/* ns (the kernel's comment says us; the value is compared to ns): floor after a grow */
static unsigned int guest_halt_poll_grow_start __read_mostly = 50000;
module_param(guest_halt_poll_grow_start, uint, 0644);

/* N: never shrink */
static bool guest_halt_poll_allow_shrink __read_mostly = true;
module_param(guest_halt_poll_allow_shrink, bool, 0644);

/*
 * Poll first when the window is open; after a poll that timed out, halt;
 * after a poll that a wakeup ended, poll again.
 */
static int haltpoll_select(struct cpuidle_driver *drv, struct cpuidle_device *dev, bool *stop_tick)
{
	s64 latency_req = cpuidle_governor_latency_req(dev->cpu);

	if (!drv->state_count || latency_req == 0) {
		*stop_tick = false;
		return 0;
	}

	if (dev->poll_limit_ns == 0)
		return 1;

	if (dev->last_state_idx == 0) {
		/* the last idle period polled */
		if (dev->poll_time_limit == true)
			return 1;

		*stop_tick = false;
		return 0;
	}

	*stop_tick = false;
	return 0;
}

static void adjust_poll_limit(struct cpuidle_device *dev, u64 block_ns)
{
	unsigned int val;

	/* a halt the window did not cover, but within the ceiling: poll longer */
	if (block_ns > dev->poll_limit_ns && block_ns <= guest_halt_poll_ns) {
		val = dev->poll_limit_ns * guest_halt_poll_grow;

		if (val < guest_halt_poll_grow_start)
			val = guest_halt_poll_grow_start;
		if (val > guest_halt_poll_ns)
			val = guest_halt_poll_ns;

		trace_guest_halt_poll_ns_grow(val, dev->poll_limit_ns);
		dev->poll_limit_ns = val;
	} else if (block_ns > guest_halt_poll_ns && guest_halt_poll_allow_shrink) {
		/* a halt longer than the ceiling: poll less */
		unsigned int shrink = guest_halt_poll_shrink;

		val = dev->poll_limit_ns;
		if (shrink == 0) {
			val = 0;
		} else {
			val /= shrink;
			/* v6.9 (496d0a648509): below grow_start, stop polling altogether */
			if (hpsim_kernel_version >= KERNEL_VERSION(6, 9, 0) &&
			    val < guest_halt_poll_grow_start)
				val = 0;
		}

		trace_guest_halt_poll_ns_shrink(val, dev->poll_limit_ns);
		dev->poll_limit_ns = val;
	}
}

/* Called after each idle period with the state that was entered. */
static void haltpoll_reflect(struct cpuidle_device *dev, int index)
{
	dev->last_state_idx = index;

	if (index != 0)
		adjust_poll_limit(dev, dev->last_residency_ns);
}

static int haltpoll_enable_device(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	(void)drv;
	dev->poll_limit_ns = 0;

	return 0;
}

static struct cpuidle_governor haltpoll_governor = {
    .name = "haltpoll",
    .rating = 9,
    .enable = haltpoll_enable_device,
    .select = haltpoll_select,
    .reflect = haltpoll_reflect,
};

static int __init init_haltpoll(void)
{
	if (kvm_para_available())
		return cpuidle_register_governor(&haltpoll_governor);

	return 0;
}

postcore_initcall(init_haltpoll);
