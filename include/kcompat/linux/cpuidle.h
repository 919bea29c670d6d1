/*
 * kcompat: the cpuidle structures the haltpoll governor, poll_idle() and the
 * cpuidle core use, with the kernel's field names and types.
 */
#ifndef KCOMPAT_LINUX_CPUIDLE_H
#define KCOMPAT_LINUX_CPUIDLE_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/compiler.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/percpu.h>
#include "hpsim_shim.h"

#define CPUIDLE_STATE_MAX       10
#define CPUIDLE_NAME_LEN        16
#define CPUIDLE_DESC_LEN        32
#define CPUIDLE_FLAG_NONE       0
#define CPUIDLE_FLAG_POLLING    (1u << 0)
#define CPUIDLE_FLAG_TIMER_STOP (1u << 2)

/*
 * HZ of the simulated kernels (Debian's use 250), a constant as in a built
 * kernel: TICK_NSEC, as the kernel rounds it, then folds into the governors'
 * code instead of a 64-bit division at each use.
 */
#define HZ               250
#define TICK_NSEC        ((NSEC_PER_SEC + HZ / 2) / HZ)
#define CPUIDLE_POLL_MIN 10000
#define CPUIDLE_POLL_MAX (TICK_NSEC / 16)

struct cpuidle_device;
struct cpuidle_driver;

struct cpuidle_state {
	char name[CPUIDLE_NAME_LEN];
	char desc[CPUIDLE_DESC_LEN];
	s64 exit_latency_ns;
	s64 target_residency_ns;
	unsigned int flags;
	unsigned int exit_latency; /* us */
	int power_usage;
	unsigned int target_residency; /* us */
	int (*enter)(struct cpuidle_device *dev, struct cpuidle_driver *drv, int index);
};

struct cpuidle_state_usage {
	unsigned long long disable;
	unsigned long long usage;
	u64 time_ns;
};

struct cpuidle_device {
	unsigned int registered : 1;
	unsigned int enabled : 1;
	unsigned int poll_time_limit : 1;
	unsigned int cpu;
	ktime_t next_hrtimer;
	int last_state_idx;
	u64 last_residency_ns;
	u64 poll_limit_ns;
	u64 forced_idle_latency_limit_ns;
	struct cpuidle_state_usage states_usage[CPUIDLE_STATE_MAX];
};

struct cpuidle_driver {
	const char *name;
	struct cpuidle_state states[CPUIDLE_STATE_MAX];
	int state_count;
	int safe_state_index;
	const char *governor;
};

struct list_head {
	struct list_head *next, *prev;
};

struct cpuidle_governor {
	char name[CPUIDLE_NAME_LEN];
	struct list_head governor_list;
	unsigned int rating;
	int (*enable)(struct cpuidle_driver *drv, struct cpuidle_device *dev);
	void (*disable)(struct cpuidle_driver *drv, struct cpuidle_device *dev);
	int (*select)(struct cpuidle_driver *drv, struct cpuidle_device *dev, bool *stop_tick);
	void (*reflect)(struct cpuidle_device *dev, int index);
};

/* PM QoS resume-latency limit in ns: no constraint unless the simulation sets one. */
extern s64 hpsim_latency_req_ns;
static inline s64 cpuidle_governor_latency_req(unsigned int cpu)
{
	(void)cpu;
	return hpsim_latency_req_ns;
}

static inline int cpuidle_register_governor(struct cpuidle_governor *gov)
{
	(void)gov;
	return 0;
}

u64 cpuidle_poll_time(struct cpuidle_driver *drv, struct cpuidle_device *dev);

#endif
