/*
 * The engine: walks the episode stream in time order through the policy
 * layers of each vCPU and reports one outcome per halt. It knows nothing of
 * file formats or of how a policy decides.
 */
#ifndef HPSIM_ENGINE_H
#define HPSIM_ENGINE_H

#include "hpsim/cost.h"
#include "hpsim/episode.h"
#include "hpsim/idle.h"
#include "hpsim/policy.h"
#include "hpsim/source.h"

/*
 * The latest time (ns) the engine replays: the kernel's ktime_t, in which the
 * policy code computes, is signed 64-bit, and a replay adds costs, latencies
 * and closed-loop shifts to the recorded times. 2^62 ns is 146 years.
 */
#define HP_TIME_MAX_NS ((uint64_t)1 << 62)

/* What happened to one halt, across the layers that handled it. */
struct hp_outcome {
	const struct hp_episode *ep; /* as recorded */
	const struct hp_cost *cost;  /* the costs this halt paid (drawn per halt from distributions) */
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
	/* host idle states (cfg->idle active): the vCPU's host CPU while its thread slept */
	int8_t idle_state;     /* the state the wakeup found the host CPU in; -1: not idle */
	uint64_t idle_exit_ns; /* that state's exit latency, paid on the wake path */
	const uint64_t *idle_res_ns; /* time in each state during this halt; NULL: never idle */
	/* with idle_res_ns: another task's wakeups that ended an idle stretch of the halt */
	uint32_t idle_task_wakes;
	uint64_t idle_task_exit_ns; /* the exit latency those wakeups paid, summed */
};

typedef void (*hp_outcome_fn)(void *ctx, const struct hp_outcome *o);

enum hp_mode {
	HP_MODE_OPEN = 0, /* every wakeup arrives at its recorded time */
	HP_MODE_CLOSED,   /* a vCPU's later activity moves by the latency its halts took */
};

/*
 * Host CPU idle states: when a vCPU thread sleeps and no other task is
 * runnable on its host CPU, the governor picks a state from the table, and
 * the wakeup pays the state's exit latency (see src/engine/host_idle.c).
 */
struct hp_host_idle_config {
	struct hp_idle_table table;         /* count 0 (table "none"): no idle states */
	const struct hp_idle_gov_ops *gov;  /* NULL: no idle states */
	uint64_t latency_req_ns;            /* PM QoS resume-latency limit; UINT64_MAX: none */
	uint64_t horizon_ns;                /* the next host timer after a non-timer idle entry */
};

/* The host tick the engine assumes when the governor keeps it running (HZ=250). */
#define HP_HOST_TICK_NS 4000000ull

/* The default horizon: the next host timer event when the wakeup is not a timer. */
#define HP_HOST_IDLE_HORIZON_NS 10000000ull

struct hp_engine_config {
	struct hp_kernel kernel;
	enum hp_mode mode;
	struct hp_cost cost;
	const struct hp_policy_ops *layer[HP_LAYER_COUNT]; /* NULL: layer not simulated */
	struct hp_param_values params[HP_LAYER_COUNT];     /* each layer's parameter values */
	uint32_t vcore_size; /* vCPUs per powerpc vcore (consecutive indices); 0 or 1: one each */
	bool event_driven;   /* use the discrete-event scheduler even for vcores of one */
	struct hp_host_idle_config idle;
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
	struct {
		const char *table;       /* --host-idle NAME|FILE; NULL: none */
		const char *governor;    /* --host-governor; NULL: menu */
		const char *latency_req; /* --host-latency-req NS; NULL: no limit */
		const char *horizon;     /* --host-idle-horizon NS; NULL: HP_HOST_IDLE_HORIZON_NS */
	} idle;
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

/* Resolve spec's host idle settings into c for kernel k; 0, or -1 with err naming the option. */
int hp_host_idle_configure(const struct hp_run_spec *spec, const struct hp_kernel *k,
                           struct hp_host_idle_config *c, struct hp_err *err);

/* Whether c models host idle states (a table with states and a governor). */
static inline bool hp_host_idle_active(const struct hp_host_idle_config *c)
{
	return c->gov && c->table.count > 0;
}

/*
 * Replay eps through cfg's layers (first loading cfg's parameter values and
 * kernel into the policy code), calling on_outcome per halt (in the order
 * halts end, which is episode order unless vcores hold more than one vCPU);
 * 0 or -1 with err.
 */
int hp_engine_run(const struct hp_episodes *eps, const struct hp_engine_config *cfg,
                  struct hp_engine_stats *st, struct hp_err *err);

/* hp_engine_run() from a source (hpsim/source.h): memory does not grow with the capture. */
int hp_engine_run_source(struct hp_episode_source *src, const struct hp_engine_config *cfg,
                         struct hp_engine_stats *st, struct hp_err *err);

#endif
