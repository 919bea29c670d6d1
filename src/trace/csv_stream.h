/* The streamed first read of an episode CSV into the episode cache (csv_stream.c). */
#ifndef HPSIM_CSV_STREAM_H
#define HPSIM_CSV_STREAM_H

#include <stddef.h>

#include "hpsim/cache.h"

#define HP_CSV_STREAM_BAD        (-1) /* the capture is bad: err names the line */
#define HP_CSV_STREAM_UNWRITABLE (-2) /* the cache file could not be written (err says why) */

/*
 * Parse the episode CSV at path into the cache file `cache` for key, in
 * bounded memory (sort_block episodes at most are sorted at a time, 0: the
 * default). 0, or one of the codes above with err.
 */
int hp_csv_stream_to_cache(const char *path, const char *cache, const struct hp_cache_key *key,
                           size_t sort_block, struct hp_err *err);

#endif
