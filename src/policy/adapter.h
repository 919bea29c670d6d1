/* Helpers shared by the policy adapters (internal to src/policy/). */
#ifndef HPSIM_POLICY_ADAPTER_H
#define HPSIM_POLICY_ADAPTER_H

#include "hpsim/policy.h"
#include "hpsim_shim.h"

/* Per-architecture and uniform default tables for struct hp_param. */
#define HP_ARCH_DEFAULTS(x86, arm64, s390, ppc)                                                    \
	{                                                                                          \
		x86, arm64, s390, ppc                                                              \
	}
#define HP_SAME(v)                                                                                 \
	{                                                                                          \
		v, v, v, v                                                                         \
	}

/*
 * One u32 module parameter (range 0..UINT32_MAX): name, unit, description,
 * the global, its defaults per architecture, then optional designated fields
 * (.since_kver, .def_changed_kver, .arch_mask, ...).
 */
#define HP_UINT_PARAM(nm, un, text, var, defaults, ...)                                            \
	{                                                                                          \
		.name = (nm), .unit = (un), .desc = (text), .type = HP_PARAM_UINT, .uvar = &(var), \
		.min = 0, .max = UINT32_MAX, .def = defaults, __VA_ARGS__                          \
	}

/* Copy ops' module-parameter globals into pv. */
void hp_policy_read(const struct hp_policy_ops *ops, struct hp_param_values *pv);

/* Write pv into ops' module-parameter globals. */
void hp_policy_write(const struct hp_policy_ops *ops, const struct hp_param_values *pv);

/*
 * Read a host-style halt's outcome (kvm and vcore) off the simulated CPU;
 * inline: it runs once a halt, and a call across files cost a tenth of it.
 */
static inline void hp_kvm_fill_decision(const struct hp_shim *sh, uint64_t enter,
                                        struct hp_decision *out)
{
	uint64_t end = (uint64_t)sh->now;
	uint64_t poll_end = sh->sleeping_prepared ? (uint64_t)sh->sleep_at : end;
	bool waited = sh->schedules > 0;

	out->enter_ns = enter;
	out->end_ns = end;
	out->waited = waited;
	out->woke_sleeper = waited;
	out->valid = sh->wakeup_traced ? sh->wakeup_valid : 1;
	out->block_ns = sh->wakeup_traced ? sh->wakeup_trace_ns : end - enter;
	out->adjust = (int8_t)sh->adjust;
	out->adj_new = sh->adj_new;
	out->adj_old = sh->adj_old;
	if (sh->deadline_set) {
		out->outcome = waited ? HP_POLL_MISS : HP_POLL_HIT;
		out->polled_ns = poll_end - enter;
	} else {
		out->outcome = HP_NO_POLL;
		out->polled_ns = 0;
	}
	out->wait_ns = waited ? end - poll_end : 0;
}

#endif
