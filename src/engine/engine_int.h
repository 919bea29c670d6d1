/*
 * What the engine's two schedulers share (internal to src/engine/): the
 * per-vCPU replay state, host contention lookups and closed-loop timing.
 * engine.c walks halts in episode order when no halt depends on another
 * vCPU's; vcores.c runs vcores of several vCPUs as discrete events.
 */
#ifndef HPSIM_ENGINE_INT_H
#define HPSIM_ENGINE_INT_H

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

/* How much of [from, to) another host task wanted cpu's host CPU, from interval first on. */
uint64_t hp_engine_busy_overlap(const struct hp_episodes *eps, size_t first, uint32_t cpu,
                                uint64_t from, uint64_t to);

/* The steal-time percentage of cpu's host CPU at t (t never decreases for one vCPU). */
uint32_t hp_steal_pct(struct hp_steal *s, const struct hp_episodes *eps, uint32_t cpu, uint64_t t);

/*
 * The first contention interval of v's host CPU that has not ended by t
 * (t never decreases for one vCPU), as [*from, *until); equal when none.
 */
void hp_engine_next_busy(const struct hp_episodes *eps, struct hp_vcpu *v, uint32_t cpu, uint64_t t,
                         uint64_t *from, uint64_t *until);

/* Closed loop: set o's enter and wake times and shift from the vCPUs' shifts so far. */
void hp_engine_closed_times(const struct hp_vcpu *v, uint32_t ncpu, const struct hp_episode *e,
                            struct hp_outcome *o);

/*
 * Clear o for the next halt: the fields before the decisions, and the
 * decisions of the configured layers. The others are never written, so after
 * one full clear of o they stay zero.
 */
void hp_engine_reset_outcome(struct hp_outcome *o, const struct hp_engine_config *cfg);

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

/*
 * v's thread sleeps from sleep_ns until its wakeup at wake_ns: its host CPU
 * idles (host_idle.c), recorded in o; returns the exit latency the wakeup pays.
 */
uint64_t hp_host_idle_sleep(const struct hp_engine_config *cfg, const struct hp_episodes *eps,
                            struct hp_vcpu *v, const struct hp_episode *e, uint64_t sleep_ns,
                            uint64_t wake_ns, struct hp_outcome *o);

/* The discrete-event scheduler for vcores (cfg->vcore_size > 1 or cfg->event_driven). */
int hp_engine_run_vcores(struct hp_episode_source *src, const struct hp_engine_config *cfg,
                         struct hp_vcpu *v, struct hp_engine_stats *st, struct hp_err *err);

#endif
