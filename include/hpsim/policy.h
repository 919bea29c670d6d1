/*
 * Policies: each is one file with an ops table, in the manner of the
 * kernel's struct cpuidle_governor. Kernel-C policies keep their module
 * parameters as plain globals; the table points at them.
 */
#ifndef HPSIM_POLICY_H
#define HPSIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hpsim/cost.h"
#include "hpsim/err.h"

enum hp_layer { HP_LAYER_GUEST = 0, HP_LAYER_HOST, HP_LAYER_VCORE, HP_LAYER_COUNT };

enum hp_param_type { HP_PARAM_UINT, HP_PARAM_BOOL };

/* A kernel version as the kernel encodes it (KERNEL_VERSION(a, b, c)). */
#define HP_KVER(a, b, c) (((uint32_t)(a) << 16) + ((uint32_t)(b) << 8) + (uint32_t)(c))

/* One module parameter of a policy. */
struct hp_param {
	const char *name; /* the kernel's name, e.g. "halt_poll_ns" */
	const char *unit; /* "ns", "factor", "divisor", "bool" */
	const char *desc;
	enum hp_param_type type;
	unsigned int *uvar; /* HP_PARAM_UINT: the module-parameter global */
	bool *bvar;         /* HP_PARAM_BOOL: the module-parameter global */
	uint32_t min, max;  /* valid range (inclusive) */
	uint32_t def[HP_ARCH_COUNT];
	uint32_t def_changed_kver; /* if non-zero: before this version the default was def_before */
	uint32_t def_before;
	uint32_t
	    since_kver; /* if non-zero: the release that introduced it (older: setting it fails) */
	bool *setvar;   /* optional (a per-VM capability): unset by default; true once set */
	uint32_t arch_mask; /* 0: every architecture; else the (1 << HP_ARCH_*) that have it */
};

/* The most parameters one policy has (struct hp_param_values holds that many). */
#define HP_MAX_PARAMS 16

/*
 * The values of one policy's parameters, in the order of its params table: a
 * configuration's own copy, loaded into the module-parameter globals just
 * before a run (hp_policy_load), so that configurations do not share state.
 */
struct hp_param_values {
	uint32_t v[HP_MAX_PARAMS];
	bool set[HP_MAX_PARAMS]; /* has a value: always, but an optional one never set */
};

/* What this layer decided for one halt (one row of the decisions log). */
enum hp_outcome_kind { HP_NO_POLL = 0, HP_POLL_HIT, HP_POLL_MISS };

struct hp_decision {
	uint64_t enter_ns; /* the layer's halt handling began */
	uint64_t end_ns;   /* the layer handed the CPU back to the task/guest */
	uint64_t poll_limit_before_ns;
	uint64_t poll_limit_after_ns;
	uint64_t polled_ns;        /* CPU time burned polling (kernel: poll_end - start) */
	uint64_t wait_ns;          /* time asleep, kernel halt_wait_ns semantics */
	uint64_t block_ns;         /* the block time the policy measured and decided on */
	uint8_t outcome;           /* enum hp_outcome_kind */
	uint8_t waited;            /* the thread slept (schedule() was called) */
	uint8_t valid;             /* the wakeup was valid (s390 semantics; else 1) */
	int8_t adjust;             /* +1 grew, -1 shrank, 0 unchanged */
	uint8_t woke_sleeper;      /* kvm_vcpu_wake_up() found the task waiting (halt_wakeup) */
	uint32_t stat_cpu;         /* vCPU whose statistics this is charged to */
	uint32_t adj_new, adj_old; /* the grow/shrink trace point's values, when adjust != 0 */
};

/* The engine's view of one halt, handed to a policy (the engine sets each field by name). */
struct hp_halt_in {
	uint32_t cpu;
	uint64_t enter_ns;       /* the halt reaches this layer */
	uint64_t wake_ns;        /* the wakeup arrives */
	uint64_t busy_from;      /* another host task is runnable on this CPU from here ... */
	uint64_t busy_until;     /* ... until here (equal: no contention) */
	bool valid_wakeup;       /* s390: the wakeup is a valid one */
	bool host_poll_disabled; /* x86: the guest turned host polling off (MSR_KVM_POLL_CONTROL) */
	uint32_t steal_pct;      /* s390: the average steal-time percentage of the vCPU's CPU */
	const struct hp_cost *cost;
	/*
	 * host layers: the vCPU thread sleeps from sleep_ns and its wakeup comes at
	 * wake_ns; returns what the wake path pays on top of host_wakeup_ns (the
	 * host CPU's idle-state exit). NULL: nothing.
	 */
	uint64_t (*host_sleep)(void *ctx, uint64_t sleep_ns, uint64_t wake_ns);
	void *host_sleep_ctx;
	/* guest layers: the HLT at hlt_ns; returns when the vCPU runs guest code again */
	uint64_t (*lower)(void *ctx, uint64_t hlt_ns);
	void *lower_ctx;
};

struct hp_policy_ops {
	const char *name;
	enum hp_layer layer;
	const char *desc;
	const struct hp_param *params;
	size_t nparams;
	size_t state_size; /* per-vCPU policy state */
	/* Reset one vCPU's state to what the kernel starts with. */
	void (*init)(void *state, uint32_t cpu);
	/* Run one halt on this layer; fill out. */
	void (*halt)(void *state, const struct hp_halt_in *in, struct hp_decision *out);
	/* A guest policy that writes MSR_KVM_POLL_CONTROL = 0 (x86: host polling off). */
	bool disables_host_poll;
	/* The oldest release whose semantics the policy models (0: any). */
	uint32_t since_kver;
	/* Code compiled from a kernel tree: that tree's release (major.minor), else 0. */
	uint32_t tree_kver;
};

/* The simulated kernel's identity; the policies' version branches read it. */
struct hp_kernel {
	enum hp_arch arch;
	uint32_t version; /* HP_KVER(); the default is the newest supported */
};

/* The newest kernel version hpsim models (the default for --kernel). */
#define HP_KVER_NEWEST HP_KVER(6, 11, 0)

/*
 * The newest release whose policy code was checked against hpsim's (the
 * policies are unchanged from HP_KVER_NEWEST up to it); --kernel refuses later ones.
 */
#define HP_KVER_CHECKED HP_KVER(6, 18, 255)

/* The kernel releases whose policy code hpsim carries, as text: "4.3..6.18". */
const char *hp_policy_release_range(void);

/* Look a policy up by name; NULL if there is none. */
const struct hp_policy_ops *hp_policy_find(const char *name);

/* The registered policies, in registry order; *n receives the count. */
const struct hp_policy_ops *const *hp_policy_list(size_t *n);

/* Find a policy for a layer by name, or set err listing the valid names for that layer. */
const struct hp_policy_ops *hp_policy_lookup(const char *name, enum hp_layer layer,
                                             struct hp_err *err);

/* Fill pv with the defaults of ops' parameters for the kernel k. */
void hp_param_values_default(const struct hp_policy_ops *ops, const struct hp_kernel *k,
                             struct hp_param_values *pv);

/* Set ops' parameter name in pv from text; -1 with err (unknown name, value out of range). */
int hp_param_values_set(const struct hp_policy_ops *ops, struct hp_param_values *pv,
                        const char *name, const char *value, struct hp_err *err);

/* Load pv into ops' module-parameter globals and select kernel k for the policy code. */
void hp_policy_load(const struct hp_policy_ops *ops, const struct hp_kernel *k,
                    const struct hp_param_values *pv);

/*
 * Set every module-parameter global of ops to its default for the kernel k,
 * and select k for the policy code (for driving a policy without the engine).
 */
void hp_policy_defaults(const struct hp_policy_ops *ops, const struct hp_kernel *k);

/* Set a module-parameter global of ops by name from text; -1 with err as hp_param_values_set. */
int hp_policy_set(const struct hp_policy_ops *ops, const char *name, const char *value,
                  struct hp_err *err);

/* The default of p for kernel k. */
uint32_t hp_param_default(const struct hp_param *p, const struct hp_kernel *k);

/* The current value of p (the module-parameter global). */
uint32_t hp_param_value(const struct hp_param *p);

/* Whether p has a value: always, except an optional parameter that was never set. */
bool hp_param_is_set(const struct hp_param *p);

/* Whether architecture a has parameter p (most parameters exist on every architecture). */
bool hp_param_in_arch(const struct hp_param *p, enum hp_arch a);

/* The parameter of ops called name; NULL if it has none. */
const struct hp_param *hp_policy_param(const struct hp_policy_ops *ops, const char *name);

/* A parameter as a setting names it: the layer, and the parameter of that layer's policy. */
struct hp_param_ref {
	enum hp_layer layer;
	const struct hp_param *param;
	size_t index; /* in the policy's params table (and struct hp_param_values) */
};

/*
 * Resolve a setting's NAME or LAYER.NAME against the policies of the layers
 * (layer[l] NULL: none) to the one layer whose policy has it. scope names
 * the policies in messages ("configured policy"). -1 with err: an unknown
 * layer, a layer without a policy, a name no policy has (listing the valid
 * ones), or a name two layers share.
 */
int hp_param_resolve(const struct hp_policy_ops *const layer[HP_LAYER_COUNT], const char *name,
                     const char *scope, struct hp_param_ref *ref, struct hp_err *err);

/* Check that parameter p of ops exists in kernel k; -1 with err naming the release needed. */
int hp_param_check_kernel(const struct hp_policy_ops *ops, const struct hp_param *p,
                          const struct hp_kernel *k, struct hp_err *err);

/* Check that kernel k is one the policy ops models; -1 with err naming the oldest it models. */
int hp_policy_check_kernel(const struct hp_policy_ops *ops, const struct hp_kernel *k,
                           struct hp_err *err);

/* Parse "6.1" / "6.11" / "5.15.0" into HP_KVER; -1 with err. */
int hp_kver_parse(const char *s, uint32_t *out, struct hp_err *err);

/* The name of a layer ("guest", "host", "vcore"). */
const char *hp_layer_name(enum hp_layer layer);

/* The name of an outcome ("poll_hit", "poll_miss", "no_poll"). */
const char *hp_outcome_name(enum hp_outcome_kind k);

#endif
