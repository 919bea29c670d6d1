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

/* Read a host-style halt's outcome (kvm and vcore) off the simulated CPU. */
void hp_kvm_fill_decision(const struct hp_shim *sh, uint64_t enter, struct hp_decision *out);

#endif
