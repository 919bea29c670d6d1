/*
 * What the engine's two schedulers share (internal to src/engine/): the
 * per-vCPU replay state, host contention lookups and closed-loop timing.
 * engine.c walks halts in episode order when no halt depends on another
 * vCPU's; vcores.c runs vcores of several vCPUs as discrete events.
 */
#ifndef HPSIM_ENGINE_INT_H
#define HPSIM_ENGINE_INT_H

#include "hpsim/engine.h"

struct hp_vcpu {
	void *state[HP_LAYER_COUNT];
	uint64_t last_resume;
	uint64_t shift; /* closed loop: resume minus recorded exit of the last halt */
	bool halts;     /* the CPU has halts in the capture */
	size_t busy;    /* cursor into the episodes' contention intervals */
};

/*
 * The first contention interval of v's host CPU that has not ended by t
 * (t never decreases for one vCPU), as [*from, *until); equal when none.
 */
void hp_engine_next_busy(const struct hp_episodes *eps, struct hp_vcpu *v, uint32_t cpu, uint64_t t,
                         uint64_t *from, uint64_t *until);

/* Closed loop: set o's enter and wake times and shift from the vCPUs' shifts so far. */
void hp_engine_closed_times(const struct hp_vcpu *v, const struct hp_episode *e,
                            struct hp_outcome *o);

/* The discrete-event scheduler for vcores (cfg->vcore_size > 1 or cfg->event_driven). */
int hp_engine_run_vcores(const struct hp_episodes *eps, const struct hp_engine_config *cfg,
                         struct hp_vcpu *v, struct hp_engine_stats *st, struct hp_err *err);

#endif
