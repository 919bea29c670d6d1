/*
 * The simulated-time shim behind the stand-in kernel headers. Kernel-C policy
 * code (ours, or a real kernel tree's) calls ktime_get(), cpu_relax(),
 * schedule(), need_resched() ... and these answer from the simulated CPU that
 * the policy adapter points hp_shim at, the way the kernel's `current` names
 * the running task.
 *
 * Clock rules (exact for every decision the policy code can make):
 *  - the clock never moves by itself; ktime_get() reads it;
 *  - cpu_relax() jumps it to the earliest of: the wakeup becoming visible to a
 *    polling loop, and relax_stop_ns, the poll deadline; at or past the
 *    deadline it does not move. The deadline is what the policy code itself
 *    computes with ktime_add_ns(start, poll_ns) (host and vcore loops), or what
 *    the adapter sets from the governor's limit (guest poll_idle);
 *  - with clock_polls set (loops that poll without cpu_relax(), like the
 *    powerpc vcore loop), every ktime_get() after the first of a halt jumps
 *    the same way, until the task prepares to sleep;
 *  - schedule() sleeps until the wakeup arrives, then resumes after the
 *    modelled wakeup cost.
 */
#ifndef KCOMPAT_HPSIM_SHIM_H
#define KCOMPAT_HPSIM_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The fields are ordered so that the struct has no padding: hp_shim_begin()
 * sets every one of them by name (a memset of the whole struct compiled to
 * `rep stos`, the largest single cost of a replayed halt), and
 * tests/policy/test_shim.c checks that it leaves no byte unset. A new field goes
 * into hp_shim_begin() too.
 */
struct hp_shim {
	int64_t now;             /* simulated clock, ns */
	int64_t wake_ns;         /* the wakeup ending this halt arrives */
	int64_t poll_visible_ns; /* a polling loop sees it from here (wake + detection) */
	int64_t relax_stop_ns;   /* cpu_relax() does not jump past this */
	int64_t resume_cost_ns;  /* schedule(): runs again at max(now, wake) + this */
	int64_t busy_from;       /* host: another task is runnable on this CPU from here ... */
	int64_t busy_until;      /* ... until here (busy_from == busy_until: never) */
	int64_t sleep_at;        /* the clock when the task prepared to sleep (poll end) */

	/* host: schedule() adds what this returns to resume_cost_ns (the idle-state exit) */
	uint64_t (*on_sleep)(void *ctx, uint64_t sleep_ns, uint64_t wake_ns);
	void *on_sleep_ctx;

	/* the layer below: what a guest's HLT does (VM exit, host policy, VM entry) */
	uint64_t (*lower)(void *ctx, uint64_t hlt_ns); /* returns when the vCPU is back */
	void *lower_ctx;
	int64_t guest_relax_ns;   /* one guest poll_idle iteration (grid of its clock checks) */
	uint64_t guest_polled_ns; /* time spent in polling idle states this halt */
	uint64_t guest_halt_ns;   /* residency of the last halt state entered */
	uint64_t wakeup_trace_ns; /* trace point: the block time reported */
	uint64_t clock_reads;     /* clock_polls: ktime_get() calls so far */

	unsigned int schedules;   /* schedule() calls during this halt */
	unsigned int guest_polls; /* polling states entered this idle period */
	unsigned int guest_halts; /* halt states entered this idle period */
	/* decisions reported by the kernel's trace points */
	int adjust; /* +1 grow, -1 shrink */
	uint32_t adj_new, adj_old;

	bool guest;             /* guest context: need_resched() means "our wakeup came" */
	bool clock_polls;       /* see above */
	bool sleeping_prepared; /* the task announced it will sleep: clock_polls stops */
	bool deadline_set;      /* the code computed a poll deadline: it polled */
	bool wakeup_traced, wakeup_waited, wakeup_valid;
	bool spare; /* keeps the struct free of padding */
};

/* The simulated CPU the policy code is running on (set by the adapter). */
extern struct hp_shim *hp_shim;

/* The simulated kernel: version (KERNEL_VERSION) and architecture (enum hp_arch). */
extern unsigned int hpsim_kernel_version;
extern int hpsim_arch;

/* Prepare sh for a halt entering at `now` whose wakeup arrives at `wake`; make it current. */
static inline void hp_shim_begin(struct hp_shim *sh, int64_t now, int64_t wake, int64_t poll_detect,
                                 int64_t resume_cost)
{
	sh->now = now;
	sh->wake_ns = wake;
	sh->poll_visible_ns = wake + poll_detect;
	sh->relax_stop_ns = now;
	sh->resume_cost_ns = resume_cost;
	sh->busy_from = sh->busy_until = sh->sleep_at = 0;
	sh->on_sleep = NULL;
	sh->on_sleep_ctx = NULL;
	sh->lower = NULL;
	sh->lower_ctx = NULL;
	sh->guest_relax_ns = 0;
	sh->guest_polled_ns = sh->guest_halt_ns = sh->wakeup_trace_ns = sh->clock_reads = 0;
	sh->schedules = sh->guest_polls = sh->guest_halts = 0;
	sh->adjust = 0;
	sh->adj_new = sh->adj_old = 0;
	sh->guest = sh->clock_polls = sh->sleeping_prepared = sh->deadline_set = false;
	sh->wakeup_traced = sh->wakeup_waited = sh->wakeup_valid = sh->spare = false;
	hp_shim = sh;
}

/*
 * Has the wakeup become visible? To a polling loop poll_detect after it
 * arrived; to the check a task makes once it has prepared to sleep (the
 * kernel's last kvm_vcpu_check_block() before schedule(), the vcore's last
 * look) as soon as it arrived, since that check reads the pending state
 * itself; and always after the task slept.
 */
static inline bool hp_shim_woken(void)
{
	if (hp_shim->schedules > 0 || hp_shim->now >= hp_shim->poll_visible_ns)
		return true;
	return hp_shim->sleeping_prepared && hp_shim->now >= hp_shim->wake_ns;
}

/* Is another task runnable on the host CPU now? */
static inline bool hp_shim_contended(void)
{
	return hp_shim->now >= hp_shim->busy_from && hp_shim->now < hp_shim->busy_until;
}

/*
 * Jump the clock as a polling step does (see the rules above). A poll also
 * stops where another host task becomes runnable; while one is, a step is
 * one nanosecond (the loop's next check ends it).
 */
static inline void hp_shim_poll_step(void)
{
	int64_t t = hp_shim->relax_stop_ns;

	if (!hp_shim->guest && hp_shim_contended()) {
		hp_shim->now++;
		return;
	}
	if (hp_shim->poll_visible_ns < t)
		t = hp_shim->poll_visible_ns;
	if (!hp_shim->guest && hp_shim->busy_from > hp_shim->now && hp_shim->busy_from < t)
		t = hp_shim->busy_from;
	if (t > hp_shim->now)
		hp_shim->now = t;
}

/*
 * The guest poll_idle() limit: its loop reads the clock every 201
 * cpu_relax() calls, each guest_relax_ns long, and stops at the first read
 * past the limit, so the poll ends at the first multiple of 201 iterations
 * whose time exceeds the limit. That instant is the deadline cpu_relax()
 * jumps to.
 */
static inline void hp_shim_poll_window(uint64_t limit)
{
	int64_t period = 201 * (hp_shim->guest_relax_ns > 0 ? hp_shim->guest_relax_ns : 1);
	uint64_t checks = limit / (uint64_t)period + 1;

	hp_shim->relax_stop_ns = hp_shim->now + (int64_t)checks * period;
}

/* The guest executes HLT: the layer below runs until the vCPU is back in the guest. */
static inline void hp_shim_hlt(void)
{
	struct hp_shim *self = hp_shim;

	self->guest_halts++;
	if (self->lower) {
		self->now = (int64_t)self->lower(self->lower_ctx, (uint64_t)self->now);
	} else {
		int64_t t = self->now > self->wake_ns ? self->now : self->wake_ns;

		self->now = t + self->resume_cost_ns;
	}
	hp_shim = self;
	self->schedules++;
}

/* The task announces it will sleep: polling is over. */
static inline void hp_shim_prepare_sleep(void)
{
	if (!hp_shim->sleeping_prepared) {
		hp_shim->sleeping_prepared = true;
		hp_shim->sleep_at = hp_shim->now;
	}
}

/* A poll deadline computed by the policy code: remember it for cpu_relax(). */
static inline int64_t hp_shim_deadline(int64_t stop)
{
	hp_shim->relax_stop_ns = stop;
	hp_shim->deadline_set = true;
	return stop;
}

#endif
