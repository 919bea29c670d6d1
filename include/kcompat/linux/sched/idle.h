/*
 * kcompat: the idle task's polling flag. While a guest CPU polls with
 * TIF_POLLING_NRFLAG set, a wakeup needs no IPI; the tests below answer
 * whether the simulated wakeup has been seen.
 */
#ifndef KCOMPAT_LINUX_SCHED_IDLE_H
#define KCOMPAT_LINUX_SCHED_IDLE_H

#include <linux/sched.h>

static inline bool current_set_polling_and_test(void)
{
	return need_resched();
}

static inline bool current_clr_polling_and_test(void)
{
	return need_resched();
}

static inline void current_clr_polling(void)
{
}

static inline void local_irq_enable(void)
{
}

static inline void raw_local_irq_enable(void)
{
}

static inline void local_irq_disable(void)
{
}

/* poll_idle() since v6.5 disables interrupts again before it returns */
static inline void raw_local_irq_disable(void)
{
}

#endif
