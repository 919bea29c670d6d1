/*
 * What the engine's two schedulers share (internal to src/engine/): the
 * per-vCPU replay state, host contention lookups and closed-loop timing.
 * engine.c walks halts in episode order when no halt depends on another
 * vCPU's; vcores.c runs vcores of several vCPUs as discrete events. The
 * lookups and the timing are inline here, so that steal.c and vcores.c do
 * not depend on engine.c (which calls them per halt, and calls both files).
 */
#ifndef HPSIM_ENGINE_INT_H
#define HPSIM_ENGINE_INT_H

#include <stddef.h>
#include <string.h>

#include "hpsim/engine.h"

/* s390's steal-time average of one vCPU's host CPU, for kvm_arch_no_poll() (steal.c). */
#define HP_STEAL_TICK_NS 10000000ull /* s390 runs at HZ=100 */

struct hp_steal {
	uint64_t tick;   /* the next tick to fold into the average */
	uint64_t avg_ns; /* halved every tick, plus that tick's steal */
	size_t busy;     /* cursor into the episodes' contention intervals */
};

struct hp_vcpu {
	void *state[HP_LAYER_COUNT];
	uint64_t last_resume;
	uint64_t shift; /* closed loop: resume minus recorded exit of the last halt */
	bool halts;     /* the CPU has halts in the capture */
	size_t busy;    /* cursor into the episodes' contention intervals */
	struct hp_steal steal;
	struct hp_idle_gov *gov; /* the host CPU's idle governor (cfg->idle active) */
	uint64_t idle_res_ns[HP_IDLE_MAX_STATES]; /* the halt in flight's residencies */
};

/*
 * The first contention interval of v's host CPU that has not ended by t
 * (t never decreases for one vCPU), as [*from, *until); equal when none.
 * Intervals are sorted per CPU and a vCPU's halts come in time order: a cursor suffices.
 */
static inline void hp_engine_next_busy(const struct hp_episodes *eps, struct hp_vcpu *v,
                                       uint32_t cpu, uint64_t t, uint64_t *from, uint64_t *until)
{
	while (v->busy < eps->nbusy &&
	       (eps->busy[v->busy].cpu < cpu ||
	        (eps->busy[v->busy].cpu == cpu && eps->busy[v->busy].end_ns <= t)))
		v->busy++;
	*from = *until = 0;
	if (v->busy < eps->nbusy && eps->busy[v->busy].cpu == cpu) {
		*from = eps->busy[v->busy].start_ns;
		*until = eps->busy[v->busy].end_ns;
	}
}

/* How much of [from, to) another host task wanted cpu's host CPU, from interval first on. */
static inline uint64_t hp_engine_busy_overlap(const struct hp_episodes *eps, size_t first,
                                              uint32_t cpu, uint64_t from, uint64_t to)
{
	uint64_t sum = 0;
	size_t i;

	for (i = first; i < eps->nbusy && eps->busy[i].cpu == cpu && eps->busy[i].start_ns < to;
	     i++) {
		uint64_t a = eps->busy[i].start_ns > from ? eps->busy[i].start_ns : from;
		uint64_t b = eps->busy[i].end_ns < to ? eps->busy[i].end_ns : to;

		sum += b > a ? b - a : 0;
	}
	return sum;
}

/*
 * Closed loop: the vCPU's activity since its last halt runs later by that
 * halt's shift, so this halt begins later by it too. The wakeup moves with
 * whoever caused it: an IPI from another CPU that halts in the capture moves
 * with that CPU (a sender at or past ncpu never halted); a device interrupt stays where it was
 * recorded; anything else (the vCPU's own timers, and IPIs from CPUs that never halted, which in
 * request/response workloads answer this vCPU's own requests) moves with the vCPU itself.
 */
static inline void hp_engine_closed_times(const struct hp_vcpu *v, uint32_t ncpu,
                                          const struct hp_episode *e, struct hp_outcome *o)
{
	uint64_t own = v[e->cpu].shift, wake_shift = own;

	if (e->source == HP_SRC_IRQ)
		wake_shift = 0;
	else if (e->source == HP_SRC_IPI && e->source_cpu >= 0 && (uint32_t)e->source_cpu < ncpu &&
	         (uint32_t)e->source_cpu != e->cpu && v[e->source_cpu].halts)
		wake_shift = v[e->source_cpu].shift;
	o->shift_ns = own;
	o->enter_ns = e->halt_start_ns + own;
	o->wake_ns = e->wake_ns + wake_shift;
}

/* The steal-time percentage of cpu's host CPU at t (t never decreases for one vCPU). */
uint32_t hp_steal_pct(struct hp_steal *s, const struct hp_episodes *eps, uint32_t cpu, uint64_t t);

/*
 * Clear o for the next halt: the fields before the decisions, and the
 * decisions of the configured layers. The others are never written, so after
 * one full clear of o they stay zero.
 */
static inline void hp_engine_reset_outcome(struct hp_outcome *o, const struct hp_engine_config *cfg)
{
	int l;

	/* a clear of the whole outcome, 3 decisions wide (rep stos), cost more than the walk */
	memset(o, 0, offsetof(struct hp_outcome, d));
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (cfg->layer[l])
			memset(&o->d[l], 0, sizeof(o->d[l]));
	o->split_host_poll_ns = o->split_sleep_ns = o->split_transition_ns = 0;
	o->idle_state = -1;
	o->idle_exit_ns = 0;
	o->idle_res_ns = NULL;
}

/*
 * Closed loop: a wakeup that does not move with the vCPU (a device interrupt,
 * an IPI from a CPU shifted less) can arrive while the vCPU still runs, before
 * its shifted or delayed halt begins; the halt then finds it pending, and its
 * latency counts from the halt's start, never more than the vCPU waited.
 */
static inline void hp_engine_pending_wake(struct hp_outcome *o)
{
	if (o->wake_ns < o->enter_ns)
		o->wake_ns = o->enter_ns;
}

/* The host CPU that idles while a vCPU thread, or a powerpc vcore, sleeps. */
struct hp_idle_cpu {
	struct hp_idle_gov *gov;      /* its cpuidle governor */
	const struct hp_vcpu *cursor; /* the vCPU whose contention cursor reads its intervals */
	uint32_t cpu;                 /* whose contention intervals are its own */
	uint64_t timer_ns; /* its next timer (a timer wakeup's); UINT64_MAX: the horizon */
	uint64_t *res_ns;  /* HP_IDLE_MAX_STATES residencies, of the halt charged */
};

/*
 * The CPU idles from sleep_ns, when its sleeper goes to sleep, until the
 * wakeup at wake_ns, in every stretch that no other task wants it
 * (host_idle.c); recorded in o (residencies, and the state the wakeup found,
 * if idle); returns the exit latency the wakeup pays.
 */
uint64_t hp_host_idle_run(const struct hp_engine_config *cfg, const struct hp_episodes *eps,
                          const struct hp_idle_cpu *cpu, uint64_t sleep_ns, uint64_t wake_ns,
                          struct hp_outcome *o);

/*
 * v's thread sleeps from sleep_ns until its wakeup at wake_ns: its host CPU
 * idles (hp_host_idle_run() on v's CPU and governor), recorded in o; returns
 * the exit latency the wakeup pays.
 */
uint64_t hp_host_idle_sleep(const struct hp_engine_config *cfg, const struct hp_episodes *eps,
                            struct hp_vcpu *v, const struct hp_episode *e, uint64_t sleep_ns,
                            uint64_t wake_ns, struct hp_outcome *o);

/* The discrete-event scheduler for vcores (cfg->vcore_size > 1 or cfg->event_driven). */
int hp_engine_run_vcores(struct hp_episode_source *src, const struct hp_engine_config *cfg,
                         struct hp_vcpu *v, struct hp_engine_stats *st, struct hp_err *err);

#endif
