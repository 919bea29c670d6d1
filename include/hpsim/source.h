/*
 * Episode sources: how the engine receives a capture's halts. A source hands
 * them out in blocks in stream order (halt start, then CPU), and one CPU's at
 * a time for the vcore scheduler, so that a replay holds a block, not the
 * capture. Two implementations: an in-memory array (struct hp_episodes, every
 * reader's product) and the episode cache file read in blocks.
 */
#ifndef HPSIM_SOURCE_H
#define HPSIM_SOURCE_H

#include <stdint.h>

#include "hpsim/episode.h"

/* Episodes per block of a streamed cache file (32 bytes each). */
#define HP_SOURCE_BLOCK 8192u
/* Episodes per CPU cursor buffer of a streamed cache file. */
#define HP_SOURCE_CPU_BLOCK 512u

struct hp_source_cursor;

struct hp_episode_source {
	/*
	 * The capture's description: ncpu, first and last time, skips, reader
	 * name, assumption and the host contention intervals (busy, nbusy; the
	 * engine reads them in place). Its ep array may be empty (n 0): the
	 * episodes come from next_block and next_of_cpu.
	 */
	const struct hp_episodes *eps;
	uint64_t n;     /* episodes in the stream */
	uint8_t *halts; /* per CPU 0..ncpu-1: nonzero if that CPU has halts in the capture */
	/* The next block in stream order: *n episodes at *ep (valid until the next call); *n 0 at
	 * the end. 0, or -1 with err. */
	int (*next_block)(struct hp_episode_source *s, const struct hp_episode **ep, size_t *n,
	                  struct hp_err *err);
	/* CPU cpu's next episode at *ep (independent of next_block; valid until the next call for
	 * that CPU): 1, 0 at its end, -1 with err. */
	int (*next_of_cpu)(struct hp_episode_source *s, uint32_t cpu, const struct hp_episode **ep,
	                   struct hp_err *err);
	/* Start both kinds of reading again from the first episode; 0 or -1 with err. */
	int (*rewind)(struct hp_episode_source *s, struct hp_err *err);
	/* Per-source state. */
	void *impl;
	void (*close_impl)(struct hp_episode_source *s);
	struct hp_source_cursor *cursor; /* per CPU, for next_of_cpu */
};

/*
 * A source over eps (not copied: eps must outlive the source). Checks every
 * episode (cpu below ncpu, times the engine can replay) as the engine would;
 * 0, or -1 with err naming the first bad episode.
 */
int hp_source_from_array(struct hp_episode_source *s, const struct hp_episodes *eps,
                         struct hp_err *err);

/*
 * A source streaming the episode cache file at path, valid for key (see
 * hpsim/cache.h): the header and the busy intervals are read into eps (whose
 * ep stays empty, n 0), the payload checksum and the episodes' order are checked
 * in one pass in blocks; the episodes are then read in blocks as the engine
 * asks. Memory: the busy intervals, one block, one small buffer per CPU.
 * 0, or -1 with why (a miss: eps empty).
 */
struct hp_cache_key;
int hp_source_from_cache(struct hp_episode_source *s, struct hp_episodes *eps, const char *path,
                         const struct hp_cache_key *key, char *format, size_t format_len,
                         struct hp_err *err);

/* Release what the source holds (not eps). */
void hp_source_close(struct hp_episode_source *s);

#endif
