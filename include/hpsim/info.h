/*
 * What a capture holds, before any policy: per CPU the halts, idle time, the
 * halt-length distribution (KVM-style 32-bucket log2 histogram and exact
 * percentiles) and the wake sources.
 */
#ifndef HPSIM_INFO_H
#define HPSIM_INFO_H

#include <stdio.h>

#include "hpsim/episode.h"

/* Histogram buckets: i holds lengths in [2^(i-1), 2^i) ns; 0 holds zero; 31 the rest. */
#define HP_INFO_HIST 32

struct hp_info_cpu {
	uint32_t cpu; /* UINT32_MAX for the total */
	uint64_t halts;
	uint64_t idle_ns; /* sum of halt lengths */
	double idle_pct;  /* idle_ns over the capture's wall time (total: times the CPUs) */
	uint64_t min_ns, p50_ns, p90_ns, p99_ns, max_ns; /* exact, nearest rank */
	double mean_ns;
	uint64_t log2_hist[HP_INFO_HIST];
	uint64_t sources[HP_SRC_COUNT]; /* indexed by enum hp_wake_source */
};

struct hp_info {
	uint64_t wall_ns; /* t_last_ns - t_first_ns */
	size_t ncpus;     /* CPUs with at least one halt, in cpus[] by CPU number */
	struct hp_info_cpu *cpus;
	struct hp_info_cpu total;
};

/* The KVM log2 bucket of a length: fls64(ns) capped at HP_INFO_HIST - 1. */
unsigned hp_info_bucket(uint64_t ns);

/* Compute info from eps; 0 or -1 with err (out of memory). */
int hp_info_compute(const struct hp_episodes *eps, struct hp_info *info, struct hp_err *err);

/*
 * Compute the same from an episode source (eps its description), reading the
 * stream a few times instead of holding its lengths (src/report/info_select.c);
 * 0 or -1 with err.
 */
struct hp_episode_source;
int hp_info_compute_source(struct hp_episode_source *src, const struct hp_episodes *eps,
                           struct hp_info *info, struct hp_err *err);

/* Free what hp_info_compute allocated. */
void hp_info_free(struct hp_info *info);

/* Write info as aligned text: a header, a row per CPU and a total, then the histograms. */
void hp_info_write_table(FILE *f, const char *trace, const struct hp_episodes *eps,
                         const struct hp_info *info);

/* Write info as JSON (keys in README.md); 0 or -1 with err. */
int hp_info_write_json(FILE *f, const char *trace, const struct hp_episodes *eps,
                       const struct hp_info *info, struct hp_err *err);

#endif
