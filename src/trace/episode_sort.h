/*
 * Sorting a stream of episodes too long to hold: sorted runs of a bounded
 * block in a temporary file, then merged. The order is the episode array's
 * (halt start, then CPU), stable: episodes that compare equal come out in
 * the order they went in, as the array's sort leaves them.
 */
#ifndef HPSIM_EPISODE_SORT_H
#define HPSIM_EPISODE_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/episode.h"

/* Episodes sorted in memory at a time (32 MiB, and as much again to merge them). */
#define HP_SORT_BLOCK (1u << 20)

struct hp_ep_sorter {
	struct hp_episode *buf, *tmp; /* the block being filled, and merge space */
	size_t fill, cap;
	int fd;            /* the runs (an unlinked temporary file), or -1 */
	uint64_t *run_len; /* episodes in each run, laid end to end in fd */
	size_t nruns, runs_cap;
};

/* Receives the sorted episodes in blocks; 0, or -1 with err to stop. */
typedef int (*hp_ep_emit_fn)(void *arg, const struct hp_episode *ep, size_t n, struct hp_err *err);

/* Start a sorter holding at most cap episodes in memory (0: HP_SORT_BLOCK); 0 or -1 with err. */
int hp_ep_sorter_init(struct hp_ep_sorter *s, size_t cap, struct hp_err *err);

/* Add one episode; 0 or -1 with err (a full block that cannot be written out). */
int hp_ep_sorter_add(struct hp_ep_sorter *s, const struct hp_episode *e, struct hp_err *err);

/* Hand every episode added to emit in sorted order; 0 or -1 with err. */
int hp_ep_sorter_finish(struct hp_ep_sorter *s, hp_ep_emit_fn emit, void *arg, struct hp_err *err);

/* Release the memory and the temporary file. */
void hp_ep_sorter_free(struct hp_ep_sorter *s);

#endif
