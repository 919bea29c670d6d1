/* The streamed first read of a trace.dat or report text into the episode cache (dec_stream.c). */
#ifndef HPSIM_DEC_STREAM_H
#define HPSIM_DEC_STREAM_H

#include <stddef.h>

#include "hpsim/cache.h"
#include "hpsim/trace.h"

#define HP_DEC_STREAM_BAD        (-1) /* the capture is bad: err says why */
#define HP_DEC_STREAM_UNWRITABLE (-2) /* the cache or a sorting run could not be written */

/*
 * Read path with reader (one that decodes: trace.dat, report text) into the
 * cache file `cache` for key: its halts go through an external sort of at most
 * sort_block episodes in memory (0: the default) into the cache's streaming
 * writer. The file is the one the in-memory read then hp_cache_store() write.
 * 0, or one of the codes above with err.
 */
int hp_dec_stream_to_cache(const struct hp_trace_reader *reader, const char *path,
                           const struct hp_read_opts *opts, const char *cache,
                           const struct hp_cache_key *key, size_t sort_block, struct hp_err *err);

#endif
