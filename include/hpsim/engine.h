/*
 * The engine: walks the episode stream in time order through the policy
 * layers of each vCPU and reports one outcome per halt. It knows nothing of
 * file formats or of how a policy decides.
 */
#ifndef HPSIM_ENGINE_H
#define HPSIM_ENGINE_H

#include "hpsim/cost.h"
#include "hpsim/episode.h"
#include "hpsim/policy.h"

/*
 * The latest time (ns) the engine replays: the kernel's ktime_t, in which the
 * policy code computes, is signed 64-bit, and a replay adds costs, latencies
 * and closed-loop shifts to the recorded times. 2^62 ns is 146 years.
 */
#define HP_TIME_MAX_NS ((uint64_t)1 << 62)

/* What happened to one halt, across the layers that handled it. */
struct hp_outcome {
	const struct hp_episode *ep; /* as recorded */
	uint64_t wake_ns;    /* the wakeup's arrival in this replay (closed loop moves it) */
	uint64_t enter_ns;   /* the halt began (later than recorded if the vCPU resumed late) */
	uint64_t resume_ns;  /* the vCPU runs guest code again */
	uint64_t latency_ns; /* resume - wake arrival */
	uint64_t shift_ns;   /* closed loop: how much later than recorded this halt began */
	uint64_t guest_poll_contended_ns; /* guest polling while another host task was runnable */
	uint8_t has[HP_LAYER_COUNT];      /* which layers decided something for this halt */
	uint8_t pending_at_exit; /* x86: the wakeup was pending at the HLT exit; no block */
	uint8_t split_given;     /* the engine split the span itself (the vcore scheduler) */
	struct hp_decision d[HP_LAYER_COUNT];
	/* with split_given: the span is hlt exit + these three (no guest poll in a vcore) */
	uint64_t split_host_poll_ns;  /* the vcore's poll, when this vCPU ran it */
	uint64_t split_sleep_ns;      /* ceded: napping in the guest or asleep on the host */
	uint64_t split_transition_ns; /* exit, entry (if the host woke it) and interrupt handling */
};

typedef void (*hp_outcome_fn)(void *ctx, const struct hp_outcome *o);

enum hp_mode {
	HP_MODE_OPEN = 0, /* every wakeup arrives at its recorded time */
	HP_MODE_CLOSED,   /* a vCPU's later activity moves by the latency its halts took */
};

struct hp_engine_config {
	struct hp_kernel kernel;
	enum hp_mode mode;
	struct hp_cost cost;
	const struct hp_policy_ops *layer[HP_LAYER_COUNT]; /* NULL: layer not simulated */
	struct hp_param_values params[HP_LAYER_COUNT];     /* each layer's parameter values */
	uint32_t vcore_size; /* vCPUs per powerpc vcore (consecutive indices); 0 or 1: one each */
	bool event_driven;   /* use the discrete-event scheduler even for vcores of one */
	hp_outcome_fn on_outcome;
	void *ctx;
};

/* Totals the engine itself keeps. */
struct hp_engine_stats {
	uint64_t halts;
	uint64_t delayed_halts; /* started after the recorded time (the vCPU resumed late) */
	uint64_t pending_at_exit;
	uint64_t extension_ns; /* closed loop: how much longer than recorded the workload ran
	                          (the largest shift a vCPU carries after its last halt) */
};

/* A synthetic competitor for every host CPU: another task runnable a fraction of the time. */
enum hp_load_kind { HP_LOAD_POISSON = 0, HP_LOAD_PERIODIC };

struct hp_load_model {
	double fraction;        /* share of time another task is runnable, 0..1 */
	enum hp_load_kind kind; /* poisson: exponential busy and idle times; periodic: fixed */
	uint64_t burst_ns;      /* mean (poisson) or exact (periodic) busy burst */
	uint64_t seed;
};

/*
 * Add the model's contention intervals to eps for every CPU over the
 * capture's span (merged with any the capture had); 0 or -1 with err.
 */
int hp_load_apply(struct hp_episodes *eps, const struct hp_load_model *lm, struct hp_err *err);

/* One NAME=VALUE setting; NAME may be qualified with a layer: "host.halt_poll_ns". */
struct hp_setting {
	const char *name;
	const char *value;
};

#define HP_MAX_SETTINGS 128

/* A configuration as a user writes it (CLI flags, a sweep point). */
struct hp_run_spec {
	const char *policy[HP_LAYER_COUNT]; /* policy name per layer; NULL: layer absent */
	const char *kernel;                 /* "6.1"; NULL: the newest */
	const char *arch;                   /* "x86"; NULL: x86 */
	const char *mode;                   /* "open" or "closed"; NULL: open */
	uint32_t vcore_size;                /* vCPUs per vcore; 0: one */
	struct hp_setting params[HP_MAX_SETTINGS];
	size_t nparams;
	const char *cost_file; /* JSON cost model applied before the cost settings; NULL: none */
	struct hp_setting cost[HP_MAX_SETTINGS];
	size_t ncost;
};

/* The cost model of spec: the arch's defaults, then the cost file, then the cost settings; 0 or -1
 * with err. */
int hp_run_spec_cost(const struct hp_run_spec *spec, struct hp_cost *cost, struct hp_err *err);

/*
 * Build cfg from spec: resolve the policies, set every parameter to its
 * default for the kernel and arch, then apply the settings, all into cfg
 * (hp_engine_run loads them into the policies' module-parameter globals).
 * 0, or -1 with err naming what is wrong.
 */
int hp_engine_configure(const struct hp_run_spec *spec, struct hp_engine_config *cfg,
                        struct hp_err *err);

/*
 * Replay eps through cfg's layers (first loading cfg's parameter values and
 * kernel into the policy code), calling on_outcome per halt (in the order
 * halts end, which is episode order unless vcores hold more than one vCPU);
 * 0 or -1 with err.
 */
int hp_engine_run(const struct hp_episodes *eps, const struct hp_engine_config *cfg,
                  struct hp_engine_stats *st, struct hp_err *err);

#endif
