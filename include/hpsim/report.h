/*
 * Reports: metrics accumulated from the engine's outcomes, named after the
 * KVM statistics, and the writers that print them.
 */
#ifndef HPSIM_REPORT_H
#define HPSIM_REPORT_H

#include <stdio.h>

#include "hpsim/engine.h"

#define HP_LOG_HIST 32 /* KVM's HALT_POLL_HIST_COUNT */

/* Latency distribution: exact below 256 ns, within 1/128 relative above. */
#define HP_LAT_SUB     128
#define HP_LAT_BUCKETS (256 + 56 * HP_LAT_SUB)

struct hp_lat_dist {
	uint64_t count, sum, min, max;
	uint64_t log2[HP_LOG_HIST]; /* KVM-style log2 buckets */
	uint32_t *fine;             /* HP_LAT_BUCKETS counters, for percentiles */
};

/* The fine bucket of a latency of v ns (exact below 256, 128 buckets per power of two above). */
static inline size_t hp_lat_fine_index(uint64_t v)
{
	int e;

	if (v < 256)
		return (size_t)v;
	e = 63 - __builtin_clzll(v); /* 8..63 */
	return 256 + (size_t)(e - 8) * HP_LAT_SUB + (size_t)((v >> (e - 7)) & (HP_LAT_SUB - 1));
}

/* The KVM statistics of one layer (struct kvm_vcpu_stat_generic names). */
struct hp_layer_stats {
	uint64_t halts; /* halts this layer handled */
	uint64_t halt_attempted_poll;
	uint64_t halt_successful_poll;
	uint64_t halt_poll_invalid;
	uint64_t halt_wakeup;
	uint64_t halt_poll_success_ns;
	uint64_t halt_poll_fail_ns;
	uint64_t halt_wait_ns;
	uint64_t halt_poll_success_hist[HP_LOG_HIST];
	uint64_t halt_poll_fail_hist[HP_LOG_HIST];
	uint64_t halt_wait_hist[HP_LOG_HIST];
	uint64_t grows, shrinks;
};

/*
 * Where a vCPU's halted time went. Each halt's span (halt start to the woken
 * task running) is split from the layers' own figures; a split that does not
 * add up to the span is counted in accounting_errors.
 */
struct hp_time_split {
	uint64_t halted_ns;               /* sum of halt spans */
	uint64_t guest_poll_ns;           /* polling inside the guest */
	uint64_t host_poll_ns;            /* polling on the host (kvm or vcore) */
	uint64_t sleep_ns;                /* the vCPU thread asleep, wakeup path included */
	uint64_t transition_ns;           /* VM exit, VM entry and the guest's interrupt handling */
	uint64_t guest_poll_contended_ns; /* guest polling while another host task was runnable */
	uint64_t accounting_errors;
};

/* The vCPU's host CPU in its idle states (host idle states modelled). */
struct hp_idle_metrics {
	uint64_t res_ns[HP_IDLE_MAX_STATES]; /* residency per state */
	uint64_t wakes[HP_IDLE_MAX_STATES];  /* wakeups that found the CPU in each state */
	uint64_t exit_ns;                    /* exit latency the wakeups paid, summed */
	uint64_t task_wakes;   /* other tasks' wakeups that ended an idle stretch (contention) */
	uint64_t task_exit_ns; /* the exit latency those tasks paid, summed */
};

struct hp_cpu_metrics {
	uint64_t halts;
	uint64_t pending_at_exit;
	uint64_t last_resume_ns;
	struct hp_time_split time;
	struct hp_layer_stats layer[HP_LAYER_COUNT];
	struct hp_lat_dist latency;
	struct hp_idle_metrics idle;
};

struct hp_metrics {
	uint32_t ncpu;
	uint64_t wall_ns; /* the capture's span: poll CPU % is relative to it, per CPU */
	uint64_t t_first_ns;
	struct hp_cost cost; /* the transitions' costs, to split halt spans */
	struct hp_idle_table idle; /* the host idle states modelled (count 0: none) */
	uint8_t layers[HP_LAYER_COUNT];
	struct hp_cpu_metrics *cpu;  /* ncpu entries */
	struct hp_cpu_metrics stray; /* outcomes of a CPU index past ncpu (none from the engine) */
	struct hp_cpu_metrics total; /* the sum, once hp_metrics_total() has run */
};

/* Prepare m for ncpu CPUs over a capture of wall_ns; 0 or -1 with err. */
int hp_metrics_init(struct hp_metrics *m, uint32_t ncpu, uint64_t wall_ns, struct hp_err *err);

/* Prepare m for a run of cfg over the capture eps describes (its CPUs, span, the costs and
 * host idle states of cfg); 0 or -1 with err. */
int hp_metrics_init_run(struct hp_metrics *m, const struct hp_episodes *eps,
                        const struct hp_engine_config *cfg, struct hp_err *err);

/* The vCPU's busy time: its wall time (to its last resume if later) minus its halted time. */
uint64_t hp_cpu_busy_ns(const struct hp_metrics *m, const struct hp_cpu_metrics *c);

/*
 * The figures every writer derives for one vCPU or the total: wall time
 * splits exactly into busy + guest poll + host poll + sleep + transitions.
 */
struct hp_summary {
	uint64_t wall_ns;          /* the vCPU's: the capture's span, or to its last resume if
	                              later; the total's: the sum over vCPUs */
	uint64_t busy_ns;          /* running guest code */
	struct hp_time_split time; /* the total's: summed over vCPUs */
	uint64_t poll_success_ns;  /* polling (all layers) that saw its wakeup */
	uint64_t poll_wasted_ns;   /* polling (all layers) that ended without it */
};

/* Summarize vCPU cpu, or the total for cpu < 0. */
void hp_summarize(const struct hp_metrics *m, int cpu, struct hp_summary *s);

/* The CPU cost of halting: polling (guest and host, successful and failed) plus transitions. */
uint64_t hp_cpu_cost_ns(const struct hp_summary *s);

/* 100 * part / whole, 0 for an empty whole. */
double hp_pct(uint64_t part, uint64_t whole);

/* Add one outcome (usable directly as the engine's hp_outcome_fn with m as ctx). */
void hp_metrics_add(void *m, const struct hp_outcome *o);

/* Sum the CPUs into m->total (hp_replay() does it after the run). */
void hp_metrics_total(struct hp_metrics *m);

/* Add the host idle figures of one outcome to a. */
void hp_idle_metrics_add(struct hp_idle_metrics *a, const struct hp_outcome *o);

/* a += b. */
void hp_idle_metrics_sum(struct hp_idle_metrics *a, const struct hp_idle_metrics *b);

/* The host idle figures of vCPU cpu's host CPU (cpu < 0: all of them). */
struct hp_idle_summary {
	uint64_t wall_ns;                     /* as hp_summary's */
	double res_pct[HP_IDLE_MAX_STATES];   /* residency per state, % of wall */
	double active_pct;                    /* not in any idle state (C0), % of wall */
	double exit_share_pct;                /* exit latency paid, % of all wakeup latency */
	bool has_energy;                      /* every state of the table has a power */
	double energy_mj;                     /* C0 at state 0's power, idle at each state's */
	double power_mw;                      /* energy_mj over wall time */
};

/* Summarize m's host idle figures (m->idle.count > 0) for vCPU cpu, or the total. */
void hp_idle_summarize(const struct hp_metrics *m, int cpu, struct hp_idle_summary *s);

/* The host idle section of the table report (nothing without idle states), per vcore if
 * vcore_size > 1. */
void hp_report_idle_table(FILE *f, const struct hp_metrics *m, uint32_t vcore_size);

/* Free m's buffers. */
void hp_metrics_free(struct hp_metrics *m);

/* The q-quantile (0..1) of a latency distribution, ns (0 if empty). */
uint64_t hp_lat_quantile(const struct hp_lat_dist *d, double q);

/* One point of a latency CDF: the share of samples at or below ns. */
struct hp_cdf_point {
	uint64_t ns;
	double fraction;
};

/* The CDF of d, one point per non-empty fine bucket (its top, clamped to min..max), in a
 * malloc'd array (*out, *n; NULL and 0 when empty); 0 or -1 out of memory. */
int hp_lat_cdf(const struct hp_lat_dist *d, struct hp_cdf_point **out, size_t *n);

/* Prepare an empty latency distribution (free d->fine); 0 or -1 when out of memory. */
int hp_lat_dist_init(struct hp_lat_dist *d);

/* Empty an initialized distribution, keeping its buffer. */
void hp_lat_dist_reset(struct hp_lat_dist *d);

/* Add one latency sample, ns. */
void hp_lat_dist_add(struct hp_lat_dist *d, uint64_t v);

/* Add one latency sample, ns, to the fine buckets only (d->log2 then needs hp_lat_dist_log2()). */
static inline void hp_lat_dist_add_fine(struct hp_lat_dist *d, uint64_t v)
{
	d->count++;
	d->sum += v;
	if (v < d->min)
		d->min = v;
	if (v > d->max)
		d->max = v;
	d->fine[hp_lat_fine_index(v)]++;
}

/* Set d->log2 from the fine buckets (each fine bucket lies in one log2 bucket). */
void hp_lat_dist_log2(struct hp_lat_dist *d);

/* Polling CPU time of a CPU's layer stats (successful + failed), ns. */
uint64_t hp_layer_poll_ns(const struct hp_layer_stats *s);

/* Describes the run for the report header. */
struct hp_run_info {
	const char *trace;
	const char *format;
	const char *assumption;
	const struct hp_skips *skipped;
	const struct hp_engine_config *cfg;
	const struct hp_engine_stats *st;
	const struct hp_load_model *load; /* the host load model applied, or NULL */
	const char *cost_file;            /* the --cost file, or NULL */
};

/* A warning into buf when the capture was read only in part (truncated, unread events):
 * 1, or 0 (buf empty) when it was read whole. */
int hp_skips_warning(const struct hp_skips *k, char *buf, size_t len);

/* Print the aligned cost/latency table. */
void hp_report_table(FILE *f, const struct hp_metrics *m, const struct hp_run_info *info);

/* Print the report as CSV (libcsv): a header, one row per vCPU, a total row; 0 or -1 with err. */
int hp_report_csv(FILE *f, const struct hp_metrics *m, const struct hp_run_info *info,
                  struct hp_err *err);

/* Print the report as JSON (stable key names); 0 or -1 with err. */
int hp_report_json(FILE *f, const struct hp_metrics *m, const struct hp_run_info *info,
                   struct hp_err *err);

/*
 * Compare two JSON reports (A the baseline): print every numeric figure that
 * differs with A, B, B - A and the change relative to A (all: every figure,
 * histogram buckets included), and settings that differ as text.
 * *differences (may be NULL) receives the count. 0 or -1 with err.
 */
int hp_report_compare(FILE *f, const char *a_path, const char *b_path, bool all,
                      size_t *differences, struct hp_err *err);

/* The per-halt decisions log (--decisions FILE.csv), one row per halt per deciding layer. */
#define HP_DECISIONS_HEADER                                                                        \
	"cpu,layer,halt_start_ns,wake_ns,poll_limit_before_ns,polled_ns,outcome,block_ns,"         \
	"poll_limit_after_ns,latency_ns"

/* Write the decisions log's header line. */
void hp_decisions_header(FILE *f);

/* Write the rows of one outcome (usable as an hp_outcome_fn with a FILE * as ctx). */
void hp_decisions_add(void *f, const struct hp_outcome *o);

/*
 * The decisions as `trace-cmd report` lines in the kernel's formats
 * (kvm_halt_poll_ns, kvm_vcpu_wakeup, guest_halt_poll_ns, kvmppc_vcore_wakeup),
 * so a simulated run reads like a real capture. Lines are kept in memory and
 * written in time order by hp_trace_emit_finish().
 */
struct hp_trace_emit;

/* A new emitter for ncpu CPUs; NULL if out of memory. */
struct hp_trace_emit *hp_trace_emit_new(uint32_t ncpu);

/* Add one outcome's events (usable as an hp_outcome_fn with the emitter as ctx). */
void hp_trace_emit_add(void *emit, const struct hp_outcome *o);

/* Write everything, sorted by time, to f (NULL: discard) and free the emitter; 0 or -1 with err. */
int hp_trace_emit_finish(struct hp_trace_emit *emit, FILE *f, struct hp_err *err);

#endif
