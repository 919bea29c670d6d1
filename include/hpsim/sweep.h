/*
 * Sweeps: a JSON config names traces, policy stacks, kernels and parameter
 * axes; the grid is every combination. Each point is replayed on each trace
 * (one "unit") by worker processes; finished rows go to an append-only
 * journal, from which the results, the Pareto front per trace and a
 * recommendation are computed.
 */
#ifndef HPSIM_SWEEP_H
#define HPSIM_SWEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hpsim/engine.h"
#include "hpsim/gen.h"
#include "hpsim/pareto.h"
#include "hpsim/episode.h"
#include "hpsim/err.h"

#define HP_SWEEP_MAX_ZIP    8       /* parameters in one zipped group */
#define HP_SWEEP_MAX_POINTS 1000000 /* max_points default */
#define HP_SWEEP_ERR_LEN    240

struct hp_sweep_host;

/* One axis of the grid: one parameter, or a zipped group moving together. */
struct hp_sweep_axis {
	char *path;                    /* JSON path, for messages (a zipped group's: "$.zip[0]") */
	bool zipped;                   /* from $.zip, even a group of one */
	size_t nnames;                 /* 1, or the size of a zipped group */
	char *names[HP_SWEEP_MAX_ZIP]; /* qualified: "host.halt_poll_ns" */
	size_t nvalues;                /* tuples */
	uint32_t *values;              /* nvalues x nnames */
};

/* A series: one policy stack under one kernel; its points share a colour in plots. */
struct hp_sweep_series {
	char *policy[HP_LAYER_COUNT]; /* NULL: layer absent */
	char *kernel;
	char label[160];                      /* "guest=none host=kvm k=6.11" */
	char stack_path[48], kernel_path[48]; /* JSON paths: "$.policies[1]", "$.kernel[0]" */
	size_t naxes;
	struct hp_sweep_axis *axes;
	uint64_t npoints;       /* grid points of this series */
	uint64_t first_point;   /* index of its first grid point */
	uint64_t default_point; /* the point with every swept parameter at its default */
};

/* A trace: a capture file, or a generator spec. */
struct hp_sweep_trace {
	char *label; /* as written in the config */
	char *path;  /* resolved against the config's directory; NULL for a generator */
	char *gen;   /* generator name, or NULL */
	struct hp_gen_param *gen_params; /* the generator's parameters (owned strings) */
	size_t ngen_params;
};

/* The statistics an objective may name. */
enum hp_sweep_lat {
	HP_LAT_MEAN = 0,
	HP_LAT_P50,
	HP_LAT_P90,
	HP_LAT_P99,
	HP_LAT_P999,
	HP_LAT_NSTAT
};

struct hp_sweep_config {
	size_t ntraces;
	struct hp_sweep_trace *traces;
	size_t nseries;
	struct hp_sweep_series *series;
	size_t ncols; /* parameter columns: the union of the series' qualified names */
	char **cols;
	char *arch, *mode;
	char *host_idle, *host_governor; /* NULL: none, menu */
	size_t ncost;
	struct hp_setting cost[HP_MAX_SETTINGS]; /* owned strings */
	enum hp_sweep_lat lat_stat;              /* objective latency statistic */
	double lat_max_ns[HP_LAT_NSTAT];         /* constraints; < 0: none */
	double cpu_max_pct;                      /* constraint; < 0: none */
	uint64_t max_points;
	uint64_t ngrid;   /* grid points over all series */
	uint64_t npoints; /* grid points plus the defaults added for series lacking one */
	int oracle_layer; /* -1: no oracle sweep */
	size_t nwindows;
	uint32_t *windows;
	struct hp_sweep_host *host; /* $.recommend: weights and bounds per trace (hpsim/host.h) */
	struct hp_recorded **recorded; /* per trace: $.recorded_with(_trace), or NULL (none) */
};

/* One finished unit (a point on a trace, or an oracle window on a trace). */
struct hp_sweep_row {
	uint64_t unit;
	uint64_t halts, attempted, successful, poll_ns, wall_ns, lat_sum;
	uint64_t lat_q[4]; /* p50, p90, p99, p999 */
	uint64_t lat_max;
	uint32_t ncpu;
	uint32_t failed; /* 1: error says why */
	char *error;     /* failed: the message (malloc'd, owned with the rows); else NULL */
};

/* hp_sweep_config_parse() flags: do not check that trace files exist (merge, recommend). */
#define HP_SWEEP_NO_FILE_CHECK 1u

/* Parse a config from JSON text; dir resolves relative paths. 0 or -1 with err naming the path. */
int hp_sweep_config_parse(const char *text, const char *dir, unsigned flags,
                          struct hp_sweep_config *c, struct hp_err *err);

/* Read and parse a config file; 0 or -1 with err. */
int hp_sweep_config_load(const char *path, struct hp_sweep_config *c, struct hp_err *err);

/* Free everything the config owns (hp_sweep_free_eps() frees what read_traces read). */
void hp_sweep_config_free(struct hp_sweep_config *c);

/* The name of a latency statistic ("mean", "p50", "p90", "p99", "p999"), as plots name it too. */
const char *hp_sweep_lat_name(enum hp_sweep_lat s);

/* Units in the sweep: points x traces, then oracle windows x traces. */
uint64_t hp_sweep_nunits(const struct hp_sweep_config *c);

/* The series a point belongs to. */
size_t hp_sweep_point_series(const struct hp_sweep_config *c, uint64_t point);

/* A point's value per parameter column; has[i] = 0 where its series does not sweep cols[i]. */
void hp_sweep_point_values(const struct hp_sweep_config *c, uint64_t point, uint32_t *vals,
                           uint8_t *has);

/* A run spec with its own storage for the values' text. */
struct hp_sweep_spec {
	struct hp_run_spec spec;
	char text[HP_MAX_SETTINGS][12];
};

/* The run spec of a unit (a grid point or an oracle window, on its trace). */
void hp_sweep_unit_spec(const struct hp_sweep_config *c, uint64_t unit, struct hp_sweep_spec *s,
                        size_t *trace);

/* Configure every point once (and each oracle window); -1 with err naming the JSON path. */
int hp_sweep_validate(const struct hp_sweep_config *c, struct hp_err *err);

/* Parse "I/N" (1 <= I <= N); 0 or -1 with err. */
int hp_sweep_shard_parse(const char *s, uint32_t *i, uint32_t *n, struct hp_err *err);

/* Does unit belong to shard i of n (1-based)? */
bool hp_sweep_in_shard(uint64_t unit, uint32_t i, uint32_t n);

/*
 * How many readings of the traces a sweep needs: 2 when its series' kernels lie on
 * both sides of 6.12 (a host capture reads otherwise from 6.12, delayed dequeue), else 1.
 */
size_t hp_sweep_nreads(const struct hp_sweep_config *c);

/* Episodes entries hp_sweep_read_traces() fills: ntraces x hp_sweep_nreads(). */
size_t hp_sweep_neps(const struct hp_sweep_config *c);

/* Which entry of the read episodes a unit (a grid point or oracle window, on its trace) replays. */
size_t hp_sweep_unit_eps(const struct hp_sweep_config *c, uint64_t unit);

/*
 * Read the config's traces (once, before workers fork) as each series' kernel
 * release reads them, corrected by $.recorded_with; eps has hp_sweep_neps() entries
 * (trace t of reading k at k * ntraces + t).
 */
int hp_sweep_read_traces(const struct hp_sweep_config *c, struct hp_episodes *eps,
                         struct hp_err *err);

/* Free the hp_sweep_neps() entries of eps (not eps itself). */
void hp_sweep_free_eps(const struct hp_sweep_config *c, struct hp_episodes *eps);

/* Replay one unit into row (an error goes into the row, malloc'd; free row->error). */
void hp_sweep_run_unit(const struct hp_sweep_config *c, const struct hp_episodes *eps,
                       uint64_t unit, struct hp_sweep_row *row);

/* What the worker pool reports while it runs. */
typedef void (*hp_sweep_progress_fn)(void *ctx, uint64_t done, uint64_t total, uint64_t halts);

struct hp_sweep_run_opts {
	unsigned jobs;        /* worker processes (>= 1) */
	const uint64_t *todo; /* units to run, ascending */
	uint64_t ntodo;
	int journal_fd;           /* finished rows are appended here (-1: none) */
	struct hp_sweep_row *out; /* optional: rows stored by unit (errors malloc'd) */
	uint8_t *have;            /* optional: have[unit] set when stored */
	hp_sweep_progress_fn progress;
	void *progress_ctx;
};

/*
 * Run the units in o->todo on o->jobs forked workers that share eps. A worker
 * that dies is replaced and its unit becomes an error row. 0 or -1 with err.
 */
int hp_sweep_run(const struct hp_sweep_config *c, const struct hp_episodes *eps,
                 const struct hp_sweep_run_opts *o, struct hp_err *err);

/* Append rows to a journal (one checksummed line each, one write); 0 or -1 with err. */
int hp_sweep_journal_append(int fd, const struct hp_sweep_row *rows, size_t n, struct hp_err *err);

/*
 * Read a journal into rows[unit] / have[unit] (nunits entries; errors
 * malloc'd); a torn or corrupt last line is ignored and *valid_bytes says
 * where the good part ends.
 */
int hp_sweep_journal_read(const char *path, uint64_t nunits, struct hp_sweep_row *rows,
                          uint8_t *have, long *valid_bytes, struct hp_err *err);

/* The recommendation for one trace. */
struct hp_sweep_reco {
	int64_t point;         /* -1: no point meets the constraints (or none ran) */
	int64_t default_point; /* the default of the recommended point's series */
	bool constrained;      /* chosen under constraints (else: the knee rule) */
	int64_t
	    oracle_window;   /* the oracle front's window at or just below the latency; -1: none */
	int64_t oracle_next; /* the front's next window (slower, cheaper), or -1 */
	double oracle_cpu_pct; /* the oracle front's CPU at the point's latency (interpolated) */
};

/* Everything computed from the finished rows. */
struct hp_sweep_results {
	const struct hp_sweep_config *c;
	const struct hp_sweep_row *rows; /* by unit */
	uint8_t *pareto;                 /* by grid unit */
	uint8_t *recommended;            /* by grid unit */
	struct hp_sweep_reco *reco;      /* by trace */
};

/* CPU statistic of a row: polling time over wall time x CPUs, percent. */
double hp_sweep_row_cpu(const struct hp_sweep_row *r);

/* A latency statistic of a row, ns. */
double hp_sweep_row_lat(const struct hp_sweep_row *r, enum hp_sweep_lat s);

/* Does a row meet the config's constraints? */
bool hp_sweep_meets(const struct hp_sweep_config *c, const struct hp_sweep_row *r);

/* Pareto fronts and recommendations from a complete set of rows; 0 or -1 with err. */
int hp_sweep_analyze(const struct hp_sweep_config *c, const struct hp_sweep_row *rows,
                     struct hp_sweep_results *r, struct hp_err *err);

/* Free what hp_sweep_analyze allocated. */
void hp_sweep_results_free(struct hp_sweep_results *r);

/* Write results.csv, results.json, pareto.csv and oracle.csv into dir, atomically. */
int hp_sweep_write(const char *dir, const struct hp_sweep_results *r, struct hp_err *err);

/* Print the recommendation per trace (used by `hpsim sweep` and `hpsim recommend`). */
void hp_sweep_print_reco(FILE *f, const struct hp_sweep_results *r);

/* The state of a sweep directory: its config copy, shard, and journal. */
struct hp_sweep_dir {
	struct hp_sweep_config cfg;
	char *config_text; /* DIR/config.json as stored */
	uint32_t shard_i, shard_n;
	char config_dir[4096];
	struct hp_sweep_row *rows; /* by unit */
	uint8_t *have;
	uint64_t ndone; /* units of this directory's shard done */
	uint64_t nmine; /* units of this directory's shard */
	long journal_bytes;
};

/*
 * Create dir for a new sweep of config_path: copy the config and record the
 * shard. Fails if dir already holds a sweep (resume it instead).
 */
int hp_sweep_dir_create(const char *dir, const char *config_path, uint32_t shard_i,
                        uint32_t shard_n, struct hp_err *err);

/*
 * As hp_sweep_dir_create, with relative paths resolving against config_dir
 * (NULL: config_path's directory) and the keys of patch (a JSON object's text,
 * NULL: none; a null value removes the key) replacing the config's.
 */
int hp_sweep_dir_create_from(const char *dir, const char *config_path, const char *config_dir,
                             const char *patch, uint32_t shard_i, uint32_t shard_n,
                             struct hp_err *err);

/* Open a sweep directory: parse its config copy, read its journal; 0 or -1 with err. */
int hp_sweep_dir_open(const char *dir, struct hp_sweep_dir *d, struct hp_err *err);

/*
 * Make out a complete sweep directory holding d's config and rows (the
 * journal written in unit order); 0 or -1 with err.
 */
int hp_sweep_dir_write_merged(const char *out, const struct hp_sweep_dir *d, struct hp_err *err);

/* Free the directory state. */
void hp_sweep_dir_free(struct hp_sweep_dir *d);

/* Remove a new sweep directory's files (and dir itself if remove_dir) when its journal is
 * still empty: a sweep that failed before any point ran leaves nothing; 0, or -1 if kept. */
int hp_sweep_dir_discard_new(const char *dir, int remove_dir);

/* Remove the temporary files (NAME.XXXXXX.tmp) an interrupted write left in dir; how many. */
size_t hp_sweep_dir_clean_tmp(const char *dir);

/* Combine the rows of several opened directories (same config) into into; 0 or -1 with err. */
int hp_sweep_dir_merge(struct hp_sweep_dir *into, const struct hp_sweep_dir *from,
                       const char *from_name, struct hp_err *err);

#endif
