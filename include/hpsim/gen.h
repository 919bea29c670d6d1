/*
 * Synthetic episode generators (periodic, poisson, bimodal, bursty, pingpong).
 * Parameters are name=value strings validated here; the same kind, parameters
 * and seed always give the same episodes.
 */
#ifndef HPSIM_GEN_H
#define HPSIM_GEN_H

#include <stdio.h>

#include "hpsim/episode.h"

struct hp_gen_param {
	const char *name;  /* "hz", "seed", ... (without the leading --) */
	const char *value; /* as typed */
};

/* Write every kind with its parameters, defaults and meaning to f (for --help). */
void hp_gen_describe(FILE *f);

/* The i-th parameter name any generator takes ("seed", "hz", ...); NULL past the last. */
const char *hp_gen_param_name(size_t i);

/* Generate kind's episodes into out (sorted); 0, or -1 with err listing valid kinds/params. */
int hp_gen_run(const char *kind, const struct hp_gen_param *params, size_t nparams,
               struct hp_episodes *out, struct hp_err *err);

/*
 * Generated halts in stream order, in memory that does not grow with their
 * number: a first pass checks and counts them (errors are those of
 * hp_gen_run), then each CPU is generated again from where its random draws
 * start and the CPUs are merged. The same halts, in the same order, as hp_gen_run.
 */
struct hp_gen_stream;

/* Start KIND: meta gets the description (no episodes), *total the halts; 0 or -1 with err. */
int hp_gen_open(const char *kind, const struct hp_gen_param *params, size_t nparams,
                struct hp_gen_stream **g, struct hp_episodes *meta, uint64_t *total,
                struct hp_err *err);

/* Up to max next halts into ep; returns how many (0 at the end). */
size_t hp_gen_next(struct hp_gen_stream *g, struct hp_episode *ep, size_t max);

/* Release a stream (NULL is fine). */
void hp_gen_close(struct hp_gen_stream *g);

#endif
