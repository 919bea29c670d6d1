// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ladder cpuidle governor, written for hpsim as kernel C after
 * drivers/cpuidle/governors/ladder.c (the governor of periodic-tick
 * kernels): it climbs one state deeper after PROMOTION_COUNT idle periods
 * that outlasted the state's exit latency, and one shallower after
 * DEMOTION_COUNT that did not. Its decisions have not changed since the
 * governors moved to nanoseconds (v5.5); before, the same comparisons were
 * made in microseconds.
 */
#include <linux/kernel.h>
#include <linux/cpuidle.h>
#include <linux/jiffies.h>
#include <linux/tick.h>
#include <linux/module.h>

#define PROMOTION_COUNT 4
#define DEMOTION_COUNT  1

struct ladder_device_state {
	struct {
		u32 promotion_count;
		u32 demotion_count;
		u64 promotion_time_ns;
		u64 demotion_time_ns;
	} threshold;
	struct {
		int promotion_count;
		int demotion_count;
	} stats;
};

struct ladder_device {
	struct ladder_device_state states[CPUIDLE_STATE_MAX];
};

static DEFINE_PER_CPU(struct ladder_device, ladder_devices);

/* Move from old_idx to new_idx: the old state's counts start over. */
static inline void ladder_do_selection(struct cpuidle_device *dev, struct ladder_device *ldev,
                                       int old_idx, int new_idx)
{
	ldev->states[old_idx].stats.promotion_count = 0;
	ldev->states[old_idx].stats.demotion_count = 0;
	dev->last_state_idx = new_idx;
}

/* One rung up, one rung down, or stay, from the state of the last idle period. */
static int ladder_select_state(struct cpuidle_driver *drv, struct cpuidle_device *dev, bool *dummy)
{
	struct ladder_device *ldev = this_cpu_ptr(&ladder_devices);
	struct ladder_device_state *last_state;
	int last_idx = dev->last_state_idx;
	int first_idx = drv->states[0].flags & CPUIDLE_FLAG_POLLING ? 1 : 0;
	s64 latency_req = cpuidle_governor_latency_req(dev->cpu);
	s64 last_residency;

	(void)dummy;
	/* no exit latency allowed at all: state 0 */
	if (unlikely(latency_req == 0)) {
		ladder_do_selection(dev, ldev, last_idx, 0);
		return 0;
	}

	last_state = &ldev->states[last_idx];

	last_residency = (s64)dev->last_residency_ns - drv->states[last_idx].exit_latency_ns;

	/* promotion: the period outlasted the threshold, and the next state is allowed */
	if (last_idx < drv->state_count - 1 && !dev->states_usage[last_idx + 1].disable &&
	    last_residency > (s64)last_state->threshold.promotion_time_ns &&
	    drv->states[last_idx + 1].exit_latency_ns <= latency_req) {
		last_state->stats.promotion_count++;
		last_state->stats.demotion_count = 0;
		if ((u32)last_state->stats.promotion_count >=
		    last_state->threshold.promotion_count) {
			ladder_do_selection(dev, ldev, last_idx, last_idx + 1);
			return last_idx + 1;
		}
	}

	/* the current state disabled or over the latency limit: down to one that fits */
	if (last_idx > first_idx && (dev->states_usage[last_idx].disable ||
	                             drv->states[last_idx].exit_latency_ns > latency_req)) {
		int i;

		for (i = last_idx - 1; i > first_idx; i--) {
			if (drv->states[i].exit_latency_ns <= latency_req)
				break;
		}
		ladder_do_selection(dev, ldev, last_idx, i);
		return i;
	}

	/* demotion: the period was shorter than the threshold */
	if (last_idx > first_idx && last_residency < (s64)last_state->threshold.demotion_time_ns) {
		last_state->stats.demotion_count++;
		last_state->stats.promotion_count = 0;
		if ((u32)last_state->stats.demotion_count >= last_state->threshold.demotion_count) {
			ladder_do_selection(dev, ldev, last_idx, last_idx - 1);
			return last_idx - 1;
		}
	}

	return last_idx;
}

/* Attach to a CPU: start on the first non-polling state; thresholds are exit latencies. */
static int ladder_enable_device(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	int i;
	int first_idx = drv->states[0].flags & CPUIDLE_FLAG_POLLING ? 1 : 0;
	struct ladder_device *ldev = &per_cpu(ladder_devices, dev->cpu);
	struct ladder_device_state *lstate;
	struct cpuidle_state *state;

	dev->last_state_idx = first_idx;

	for (i = first_idx; i < drv->state_count; i++) {
		state = &drv->states[i];
		lstate = &ldev->states[i];

		lstate->stats.promotion_count = 0;
		lstate->stats.demotion_count = 0;

		lstate->threshold.promotion_count = PROMOTION_COUNT;
		lstate->threshold.demotion_count = DEMOTION_COUNT;

		if (i < drv->state_count - 1)
			lstate->threshold.promotion_time_ns = (u64)state->exit_latency_ns;
		if (i > first_idx)
			lstate->threshold.demotion_time_ns = (u64)state->exit_latency_ns;
	}

	return 0;
}

/* A polling state entered does not move the ladder. */
static void ladder_reflect(struct cpuidle_device *dev, int index)
{
	if (index > 0)
		dev->last_state_idx = index;
}

static struct cpuidle_governor ladder_governor = {
    .name = "ladder",
    .rating = 10,
    .enable = ladder_enable_device,
    .select = ladder_select_state,
    .reflect = ladder_reflect,
};

static int __init init_ladder(void)
{
	return cpuidle_register_governor(&ladder_governor);
}

postcore_initcall(init_ladder);
