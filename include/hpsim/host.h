/*
 * One setting for a host: module parameters are host-wide, so the traces of a
 * sweep (one per kind of VM the host runs) get one answer together. The
 * config's $.recommend section weighs the traces and bounds their latency;
 * the answer is rounded to values a person would write, replayed on every
 * trace, and carries the KVM statistics the host should show once it is set.
 */
#ifndef HPSIM_HOST_H
#define HPSIM_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hpsim/report.h"
#include "hpsim/sweep.h"

/* Per trace: its weight and its bounds (the objective's bounds where it names none). */
struct hp_host_trace {
	double weight;                   /* VMs of the host that behave like this trace */
	double lat_max_ns[HP_LAT_NSTAT]; /* < 0: none */
	double cpu_max_pct;              /* < 0: none */
};

/* A rounding step the config names for one parameter ("halt_poll_ns" or "host.halt_poll_ns"). */
struct hp_host_step {
	char *name;
	uint32_t step;
};

/* $.recommend, parsed (always present after hp_sweep_config_parse; defaults if absent). */
struct hp_sweep_host {
	struct hp_host_trace *trace; /* ntraces */
	size_t nsteps;
	struct hp_host_step *steps;
};

/* Statuses of a host recommendation. */
enum hp_host_status {
	HP_HOST_OK = 0,      /* a round setting meets every bound */
	HP_HOST_INFEASIBLE,  /* no grid point meets every bound (closest shown) */
	HP_HOST_ROUND_FAILS, /* a grid point meets them, no round value next to it does */
};

/* One bound a trace misses at a setting. */
struct hp_host_miss {
	size_t trace;
	int stat;     /* enum hp_sweep_lat, or HP_LAT_NSTAT for poll_cpu_pct */
	double value; /* ns, or percent */
	double bound; /* ns, or percent */
};

/* A setting's figures on one trace: the KVM-named statistics of every layer. */
struct hp_host_at {
	struct hp_sweep_row row; /* the totals a sweep keeps (error never set) */
	struct hp_layer_stats layer[HP_LAYER_COUNT];
	uint8_t layers[HP_LAYER_COUNT]; /* which layers ran */
	int64_t own_point; /* the trace's own best grid point under its own bounds; -1: none */
};

#define HP_HOST_MAX_ROUND 6 /* rounded parameters (2^6 candidates at most) */

struct hp_host_reco {
	enum hp_host_status status;
	bool constrained;   /* some trace has a bound (else: the knee of the weighted front) */
	int64_t grid_point; /* the best grid point (or the closest, infeasible); -1: none ran */
	size_t series;
	size_t nvals;                 /* the series' swept parameters */
	char *names[HP_MAX_SETTINGS]; /* qualified, pointing into the config's cols */
	uint32_t grid_vals[HP_MAX_SETTINGS], vals[HP_MAX_SETTINGS]; /* grid's, recommended */
	bool rounded;                                               /* vals differ from grid_vals */
	int replayed;           /* round candidates replayed (not grid points) */
	int candidates;         /* round candidates considered */
	double cpu_pct, lat_ns; /* weighted means at vals */
	struct hp_host_at *at; /* per trace at vals (status OK or ROUND_FAILS: at the grid point) */
	size_t nmiss;
	struct hp_host_miss miss[16];     /* INFEASIBLE: the bounds the closest point misses */
	double dflt_cpu_pct, dflt_lat_ns; /* weighted, at the series' default point */
	bool dflt_ok;
};

/* Parse $.recommend (j may be NULL) into c->host; 0 or -1 with err naming the JSON path. */
int hp_sweep_host_parse(const void *j, struct hp_sweep_config *c, struct hp_err *err);

/* Free c->host. */
void hp_sweep_host_free(struct hp_sweep_config *c);

/* Is value v round: in the 1-2-5 series (0 too), or a multiple of step (step > 0)? */
bool hp_host_is_round(uint32_t v, uint32_t step);

/* The round values just below (or equal) and just above v; *lo may be 0. */
void hp_host_round_pair(uint32_t v, uint32_t step, uint32_t *lo, uint32_t *hi);

/*
 * The host-wide setting for a finished sweep (r from hp_sweep_analyze); eps
 * are the config's traces, read, for replaying round candidates and the
 * answer. 0 or -1 with err (an infeasible sweep is not an error: see status).
 */
int hp_host_recommend(const struct hp_sweep_results *r, const struct hp_episodes *eps,
                      struct hp_host_reco *h, struct hp_err *err);

/* Free what hp_host_recommend allocated. */
void hp_host_reco_free(struct hp_host_reco *h);

/* Print the host-wide answer, each trace beside its own best, and what to do. */
void hp_host_print(FILE *f, const struct hp_sweep_results *r, const struct hp_host_reco *h);

/* The same content as JSON; 0 or -1 with err. */
int hp_host_json(FILE *f, const struct hp_sweep_results *r, const struct hp_host_reco *h,
                 struct hp_err *err);

#define HP_REFINE_MAX_VALUES 64   /* values of one refined parameter */
#define HP_REFINE_MAX_POINTS 4096 /* points of a finer sweep */

/* One parameter of a finer sweep around a host answer. */
struct hp_refine_param {
	char name[64];             /* qualified */
	uint32_t grid;             /* the coarse grid's value */
	uint32_t lo, hi;           /* its grid neighbours (lo == hi == grid: not refined) */
	uint32_t step;             /* the finer sweep's round step; 0: not refined */
	uint32_t step_lo, step_hi; /* the steps below and above grid (0: that side is empty) */
	size_t n;                  /* values swept: the multiples of step in (lo, hi), lo, hi, */
	uint32_t values[HP_REFINE_MAX_VALUES]; /* the grid value and the coarse answer */
};

/* A finer sweep around a host answer (src/sweep/refine.c). */
struct hp_refine {
	size_t nparams, nrefined;
	struct hp_refine_param param[HP_MAX_SETTINGS];
	uint64_t npoints; /* the finer grid's points (its kernel default may add one) */
	char *patch;      /* JSON object text replacing the parent config's keys (malloc'd) */
};

/*
 * Plan a finer sweep around h (from hp_host_recommend on res), whose config's
 * text (DIR/config.json) is parent_text: the answer's series only, each rounded
 * parameter between its grid neighbours at a finer round step. 0, or -1 with err
 * (an infeasible answer, nothing to refine, too many points).
 */
int hp_refine_plan(const struct hp_sweep_results *res, const struct hp_host_reco *h,
                   const char *parent_text, struct hp_refine *r, struct hp_err *err);

/* Free what hp_refine_plan allocated. */
void hp_refine_free(struct hp_refine *r);

/* KVM statistics a host shows (struct kvm_vcpu_stat_generic names), compared by hpsim check. */
#define HP_HOST_NSTATS 7
extern const char *const hp_host_stat_names[HP_HOST_NSTATS];

/* A layer's statistic by index into hp_host_stat_names. */
uint64_t hp_host_stat(const struct hp_layer_stats *s, int i);

/* Predicted or observed rates per second of wall time; have[i] = 0 where unknown. */
struct hp_host_rates {
	double v[HP_HOST_NSTATS];
	uint8_t have[HP_HOST_NSTATS];
	double seconds; /* observed: the interval the rates were measured over (0: unknown) */
	char what[256]; /* where they come from, for the printout */
};

/*
 * The predicted host-wide rates from a prediction JSON: `hpsim recommend
 * --format json` (trace NULL: the weighted sum over traces; else that trace's
 * label) or a `hpsim replay --format json` report (its host layer). 0 or -1.
 */
int hp_host_rates_predicted(const char *path, const char *trace, struct hp_host_rates *p,
                            struct hp_err *err);

/* Observed rates from a kvm_stat log (-l/-L output, plain or -c CSV); interval_s 0: from
 * its timestamps. 0 or -1 with err naming the file and line. */
int hp_host_rates_kvm_stat(const char *path, double interval_s, struct hp_host_rates *o,
                           struct hp_err *err);

/* Observed rates from two snapshots of /sys/kernel/debug/kvm taken interval_s apart. */
int hp_host_rates_debugfs(const char *before, const char *after, double interval_s,
                          struct hp_host_rates *o, struct hp_err *err);

/*
 * Observed rates from a capture taken on the host after applying: replayed
 * at the prediction's policies and setting, with set (the capture's own
 * recorded setting, may be empty) replacing values by name. 0 or -1 with err.
 */
int hp_host_rates_capture(const char *capture, const char *pred_path, const struct hp_setting *set,
                          size_t nset, struct hp_host_rates *o, struct hp_err *err);

/*
 * Print predicted against observed per statistic with the difference and
 * whether it is within tol (relative, e.g. 0.25; counts also get their
 * Poisson 3-sigma over the observed interval). *outside receives how many
 * statistics compared are not within. 0.
 */
int hp_host_check_print(FILE *f, const struct hp_host_rates *pred, const struct hp_host_rates *obs,
                        double tol, int *outside);

#endif
