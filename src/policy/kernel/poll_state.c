// SPDX-License-Identifier: GPL-2.0-only
/*
 * The polling idle state, written for hpsim as kernel C after
 * drivers/cpuidle/poll_state.c: spin with cpu_relax() until a reschedule is
 * pending, reading the clock only every POLL_IDLE_RELAX_COUNT + 1 iterations.
 */
#include <linux/cpuidle.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/idle.h>

#define POLL_IDLE_RELAX_COUNT 200

static int __cpuidle poll_idle(struct cpuidle_device *dev, struct cpuidle_driver *drv, int index)
{
	u64 time_start;

	time_start = local_clock();

	dev->poll_time_limit = false;

	local_irq_enable();
	if (!current_set_polling_and_test()) {
		unsigned int loop_count = 0;
		u64 limit;

		limit = cpuidle_poll_time(drv, dev);

		while (!need_resched()) {
			cpu_relax();
			if (loop_count++ < POLL_IDLE_RELAX_COUNT)
				continue;

			loop_count = 0;
			/* strictly past the limit, at a clock read */
			if (local_clock() - time_start > limit) {
				dev->poll_time_limit = true;
				break;
			}
		}
	}
	current_clr_polling();

	return index;
}
