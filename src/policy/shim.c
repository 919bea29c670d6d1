/*
 * The simulated-time shim's state. Like the kernel's `current`, hp_shim names
 * the simulated CPU the policy code runs on; only the policy adapters set it.
 */
#include "hpsim_shim.h"
#include <linux/sched.h>

struct hp_shim *hp_shim;
unsigned int hpsim_kernel_version = (6 << 16) + (11 << 8);
int hpsim_arch;
/* PM_QOS_RESUME_LATENCY_NO_CONSTRAINT (S32_MAX us), as cpuidle_governor_latency_req() sees it */
int64_t hpsim_latency_req_ns = (int64_t)2147483647 * 1000;

static struct task_struct the_task;
struct task_struct *current = &the_task;
