/*
 * kcompat: the scheduler as a halted vCPU sees it. schedule() sleeps until
 * the wakeup arrives; need_resched()/single_task_running() answer from the
 * simulated CPU: in a guest, need_resched() is "our wakeup came"; on a host,
 * it and single_task_running() report another runnable task.
 */
#ifndef KCOMPAT_LINUX_SCHED_H
#define KCOMPAT_LINUX_SCHED_H

#include <linux/types.h>
#include <asm/processor.h>
#include "hpsim_shim.h"

#define TASK_INTERRUPTIBLE 1
#define TASK_RUNNING       0

struct task_struct {
	int unused;
};
extern struct task_struct *current;

static inline void schedule(void)
{
	int64_t t = hp_shim->now > hp_shim->wake_ns ? hp_shim->now : hp_shim->wake_ns;

	if (hp_shim->on_sleep)
		t += (int64_t)hp_shim->on_sleep(hp_shim->on_sleep_ctx, (uint64_t)hp_shim->now,
		                                (uint64_t)hp_shim->wake_ns);
	hp_shim->now = t + hp_shim->resume_cost_ns;
	hp_shim->schedules++;
}

#define set_current_state(s) hp_shim_prepare_sleep()
#define __set_current_state(s)                                                                     \
	do {                                                                                       \
	} while (0)

static inline bool need_resched(void)
{
	return hp_shim->guest ? hp_shim_woken() : hp_shim_contended();
}

static inline bool single_task_running(void)
{
	return !hp_shim_contended();
}

static inline int signal_pending(struct task_struct *t)
{
	(void)t;
	return 0;
}

#define preempt_disable()                                                                          \
	do {                                                                                       \
	} while (0)
#define preempt_enable()                                                                           \
	do {                                                                                       \
	} while (0)

#endif
