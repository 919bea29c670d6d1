/*
 * hpsim calibrate: the cost model's constants measured from a host capture
 * (kvm:kvm_exit, kvm_entry, kvm_vcpu_wakeup, sched:sched_switch,
 * sched_wakeup), each as a distribution, and the cost file written from them.
 */
#ifndef HPSIM_CALIBRATE_H
#define HPSIM_CALIBRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hpsim/err.h"
#include "hpsim/trace.h"

/* The probabilities of the quantiles kept per value (0, 0.01, ..., 0.999, 1). */
#define HP_CALIB_NQ 12
extern const double hp_calib_p[HP_CALIB_NQ];

/* Indices into hp_calib_p of the percentiles the table prints. */
enum { HP_CALIB_P10 = 3, HP_CALIB_P50 = 5, HP_CALIB_P90 = 7, HP_CALIB_P99 = 9 };

/* One measured value: a cost-model field, or an informative part of one. */
struct hp_calib_value {
	const char *name;        /* the cost-model field name, or the measure's own name */
	bool cost_field;         /* written to the cost file */
	const char *from;        /* between which events it is measured */
	uint64_t n;              /* samples; 0: not measured, see why */
	uint64_t q[HP_CALIB_NQ]; /* the inverse CDF at hp_calib_p[], linear interpolation */
	double mean_ns;
	char why[240]; /* when n is 0: why the capture cannot give it */
};

#define HP_CALIB_MAX 10

struct hp_calib_result {
	struct hp_calib_value v[HP_CALIB_MAX];
	size_t nv;
	uint64_t halts, polled, slept; /* kvm_vcpu_wakeup events of vCPU threads */
	uint64_t hlt_exits, entries;   /* kvm_exit HLT and kvm_entry events */
	uint64_t threads;              /* vCPU threads seen */
};

/*
 * Measure every cost-model value a host capture holds from path (read with
 * opts, NULL: the defaults; the episode cache is bypassed). A capture with no
 * host halt events (a guest capture, an episode CSV) is an error naming it.
 * 0, or -1 with err.
 */
int hp_calibrate(const char *path, const struct hp_read_opts *opts, struct hp_calib_result *r,
                 struct hp_err *err);

/* The value called name in r, or NULL. */
const struct hp_calib_value *hp_calib_find(const struct hp_calib_result *r, const char *name);

/* Print r as a table: per value n, p10, p50, p90, p99, mean, or why it was not measured. */
void hp_calib_write_table(FILE *f, const char *path, const struct hp_calib_result *r);

/*
 * Write the measured cost-model fields as a cost file: each as
 * {"quantiles": [[P, NS], ...], "samples": N}, or with constant its median as
 * an integer. 0, or -1 with err.
 */
int hp_calib_write_cost(FILE *f, const struct hp_calib_result *r, bool constant,
                        struct hp_err *err);

#endif
