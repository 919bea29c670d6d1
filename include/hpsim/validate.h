/*
 * hpsim validate: predictions held against the real KVM. Two checks:
 *  - agreement: a host capture replayed at its own recorded setting, halt by
 *    halt, against the outcome kvm_vcpu_wakeup recorded (polled or slept);
 *  - prediction: from a capture recorded at ceiling 0, each ceiling the
 *    harness (scripts/kvmharness.c) ran, predicted beside what KVM's binary
 *    statistics and the vCPU threads' CPU time measured, with the targets.
 */
#ifndef HPSIM_VALIDATE_H
#define HPSIM_VALIDATE_H

#include <stdbool.h>
#include <stdio.h>

#include "hpsim/engine.h"
#include "hpsim/report.h"

/* Per-halt agreement of a replay with the recorded outcomes. */
struct hp_agreement {
	uint64_t halts;         /* replayed */
	uint64_t known;         /* with a recorded outcome (host captures) */
	uint64_t polled_polled; /* recorded polled, simulated not slept */
	uint64_t slept_slept;   /* recorded slept, simulated slept */
	uint64_t polled_slept;  /* recorded polled, simulated slept */
	uint64_t slept_polled;  /* recorded slept, simulated not slept */
	double pct;             /* (polled_polled + slept_slept) / known, in per cent */
};

/* Compare one replayed halt with its recorded outcome (an hp_outcome_fn with a zeroed a as ctx). */
void hp_agreement_add(void *a, const struct hp_outcome *o);

/* The agreement over the halts added; 0, or -1 with err when none had a recorded outcome. */
int hp_agreement_finish(struct hp_agreement *a, struct hp_err *err);

/*
 * The figures compared, for one run (measured) or one replay (predicted),
 * all from KVM-named statistics so that both sides are computed alike.
 */
struct hp_vfig {
	double poll_cpu_pct;    /* (halt_poll_success_ns + halt_poll_fail_ns) / wall */
	double thread_cpu_pct;  /* measured: vCPU threads' CPU time / wall; predicted: unused */
	double success_pct;     /* halt_successful_poll / halts */
	double mean_halt_ns;    /* (success + fail + wait ns) / (successful polls + sleeps) */
	uint64_t p99_halt_ns;   /* upper bound of the log2 bucket holding the 99th percentile */
	int64_t grows, shrinks; /* -1: not known (not in the run's file) */
	uint64_t halts;
};

/* One harness run, read from its JSON. */
struct hp_vrun {
	char workload[64];
	char host_release[64];
	bool has_ceiling;
	uint64_t ceiling_ns;
	uint64_t wall_ns;
	struct hp_vfig fig;
};

/* Read one harness JSON file (kvmharness's output); 0 or -1 with err naming the file and key. */
int hp_vrun_load(const char *path, struct hp_vrun *r, struct hp_err *err);

/* The predicted figures of a replay's metrics (the host layer, summed over vCPUs). */
void hp_vfig_from_metrics(const struct hp_metrics *m, struct hp_vfig *f);

/* One row of the comparison: a ceiling, the median of its runs, the prediction. */
struct hp_vrow {
	uint64_t ceiling_ns;
	size_t runs;
	struct hp_vfig meas; /* medians of the runs */
	struct hp_vfig pred;
	double meas_poll_pct;   /* the measured polling CPU the target is held to */
	const char *poll_basis; /* "thread" (CPU time over the ceiling-0 runs') or "stats" */
	double poll_miss;       /* points beyond max(2, 10% of measured); 0: met */
	double success_miss;    /* points beyond 3; 0: met */
};

/*
 * Group runs by ceiling (each must have one), take the median of each figure,
 * and fill rows (sorted by ceiling; *nrows <= nruns) with the target misses;
 * predicted figures are left for the caller. 0 or -1 with err.
 */
int hp_validate_rows(const struct hp_vrun *runs, size_t nruns, struct hp_vrow *rows, size_t *nrows,
                     struct hp_err *err);

/* Set row r's target misses from its measured and predicted figures. */
void hp_validate_score(struct hp_vrow *r);

/* Print the predicted-beside-measured table and the closing notes. */
void hp_validate_write_table(FILE *f, const struct hp_vrow *rows, size_t n);

/* Print the agreement as one paragraph. */
void hp_validate_write_agreement(FILE *f, const struct hp_agreement *a);

#endif
