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

/* Read a host-style halt's outcome (kvm and vcore) off the simulated CPU. */
void hp_kvm_fill_decision(const struct hp_shim *sh, uint64_t enter, struct hp_decision *out);

#endif
