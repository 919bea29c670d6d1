/*
 * The host cpuidle governor instance shared by every governor's adapter
 * (idle_gov.h): the cpuidle driver and device of one host CPU, its per-CPU
 * governor area and the inputs the kernel C reads. Internal to src/policy/.
 */
#ifndef HPSIM_POLICY_IDLE_ADAPTER_H
#define HPSIM_POLICY_IDLE_ADAPTER_H

#include <linux/cpuidle.h>

#include "hpsim/idle.h"
#include "hpsim_idle_shim.h"

struct hp_idle_gov {
	struct cpuidle_driver drv;
	struct cpuidle_device dev;
	unsigned int kver;      /* the simulated release (KERNEL_VERSION) */
	void *pcpu;             /* this CPU's copy of the governor's per-CPU variable */
	uintptr_t this_cpu_off; /* pcpu minus the template's address */
	struct hp_shim sh;      /* the simulated clock the governor reads */
	struct hp_idle_io io;   /* its idle inputs */
	s64 latency_req_ns;     /* the PM QoS limit of the current period */
	uint64_t select_now_ns; /* when the current idle period began */
	bool tick_running;      /* the tick stays on through the current period */
	uint64_t poll_limit_ns; /* the POLL state's time limit (cpuidle_poll_time) */
	bool select_pending;    /* selected, not reflected: refused if selected again */
};

/* What a call into kernel C replaces in the shim's globals, to put back afterwards. */
struct hp_idle_call {
	struct hp_shim *shim;
	struct hp_idle_io *io;
	unsigned int kver;
	s64 latency_req_ns;
};

/* Refuse a table the governor cannot run on, or a release before `since`; 0 or -1 with err. */
int hp_idle_gov_check(const char *name, const struct hp_idle_table *t, unsigned int kver,
                      unsigned int since, struct hp_err *err);
/* Build g's cpuidle driver and device from t (the caller set kver and the per-CPU area). */
void hp_idle_gov_init(struct hp_idle_gov *g, const struct hp_idle_table *t);
/* Point the shim at g for a call into the governor; hp_idle_leave undoes it. */
void hp_idle_enter(struct hp_idle_gov *g, struct hp_idle_call *call);
void hp_idle_leave(const struct hp_idle_call *call);
/* The inputs of an idle period starting (ctx), and what select decided about the tick. */
void hp_idle_before_select(struct hp_idle_gov *g, const struct hp_idle_ctx *ctx);
void hp_idle_after_select(struct hp_idle_gov *g, bool stop_tick);
/* The period ended after measured_ns in state idx: what the cpuidle core records. */
void hp_idle_before_reflect(struct hp_idle_gov *g, int idx, uint64_t measured_ns);

#endif
