/*
 * The first read of an episode CSV, streamed into the episode cache: rows go
 * through the overlap filter into the cache's streaming writer in blocks, so
 * that the read holds a block, not the capture. A file in time order (what
 * `hpsim gen` and `hpsim convert` write) is read once; at the first row out of
 * order the read starts again through an external sort (episode_sort.c).
 * The cache file is the same, byte for byte, as the one the in-memory read
 * (sort, drop overlaps, store) writes.
 */
#include <stdlib.h>
#include <string.h>

#include "csv_rows.h"
#include "csv_stream.h"
#include "episode_sort.h"
#include "hpsim/cache.h"

#define MAX_CPUS  65536u /* the CSV's cpu column is at most 65535 */
#define OUT_BLOCK 8192u

/* Drops a CPU's halts that begin before its previous one ended, as the array read does. */
struct sink {
	struct hp_cache_writer w;
	uint64_t *last; /* per CPU: the previous kept halt's wake */
	struct hp_episode out[OUT_BLOCK];
	size_t fill;
	uint64_t overlapping;
	int write_failed; /* the cache file, not the capture, failed */
};

static int sink_flush(struct sink *k, struct hp_err *err)
{
	if (hp_cache_writer_add(&k->w, k->out, k->fill, err) < 0) {
		k->write_failed = 1;
		return -1;
	}
	k->fill = 0;
	return 0;
}

static int sink_put(struct sink *k, const struct hp_episode *e, struct hp_err *err)
{
	if (e->halt_start_ns < k->last[e->cpu]) {
		k->overlapping++;
		return 0;
	}
	k->last[e->cpu] = e->wake_ns;
	k->out[k->fill++] = *e;
	return k->fill == OUT_BLOCK ? sink_flush(k, err) : 0;
}

static int sink_block(void *arg, const struct hp_episode *ep, size_t n, struct hp_err *err)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sink_put(arg, &ep[i], err) < 0)
			return -1;
	return 0;
}

/* The first pass: rows straight into the sink while they come in stream order. */
struct ordered {
	struct sink *k;
	struct hp_episode prev;
	int any, broken;
};

static int ordered_row(void *arg, const struct hp_episode *e, unsigned long line,
                       struct hp_err *err)
{
	struct ordered *o = arg;

	(void)line;
	if (o->any && (e->halt_start_ns < o->prev.halt_start_ns ||
	               (e->halt_start_ns == o->prev.halt_start_ns && e->cpu < o->prev.cpu))) {
		o->broken = 1;
		return hp_errf(err, "out of order");
	}
	o->any = 1;
	o->prev = *e;
	return sink_put(o->k, e, err);
}

static int sorted_row(void *arg, const struct hp_episode *e, unsigned long line, struct hp_err *err)
{
	(void)line;
	return hp_ep_sorter_add(arg, e, err);
}

/* (Re)start the sink: an open writer, no CPU seen. */
static int sink_open(struct sink *k, const char *cache, const struct hp_cache_key *key,
                     struct hp_err *err)
{
	memset(k->last, 0, MAX_CPUS * sizeof(*k->last));
	k->fill = 0;
	k->overlapping = 0;
	k->write_failed = 0;
	if (hp_cache_writer_open(&k->w, cache, key, err) < 0) {
		k->write_failed = 1;
		return -1;
	}
	return 0;
}

int hp_csv_stream_to_cache(const char *path, const char *cache, const struct hp_cache_key *key,
                           size_t sort_block, struct hp_err *err)
{
	struct sink *k = calloc(1, sizeof(*k));
	struct ordered o = {0};
	struct hp_csv_rows rows;
	struct hp_ep_sorter s;
	struct hp_episodes meta;
	int rc = HP_CSV_STREAM_UNWRITABLE;

	if (!k || !(k->last = malloc(MAX_CPUS * sizeof(*k->last)))) {
		hp_errf(err, "out of memory");
		goto out;
	}
	if (sink_open(k, cache, key, err) < 0)
		goto out;
	o.k = k;
	if (hp_csv_parse(path, ordered_row, &o, &rows, err) < 0) {
		hp_cache_writer_abort(&k->w);
		if (!o.broken) {
			rc = k->write_failed ? HP_CSV_STREAM_UNWRITABLE : HP_CSV_STREAM_BAD;
			goto out;
		}
		/* out of order: read again, through the sort */
		if (hp_ep_sorter_init(&s, sort_block, err) < 0)
			goto out;
		if (hp_csv_parse(path, sorted_row, &s, &rows, err) < 0) {
			hp_ep_sorter_free(&s);
			rc = HP_CSV_STREAM_BAD;
			goto out;
		}
		if (sink_open(k, cache, key, err) < 0 ||
		    hp_ep_sorter_finish(&s, sink_block, k, err) < 0) {
			if (!k->write_failed)
				hp_cache_writer_abort(&k->w);
			hp_ep_sorter_free(&s);
			goto out;
		}
		hp_ep_sorter_free(&s);
	}
	if (k->fill && sink_flush(k, err) < 0)
		goto out;
	memset(&meta, 0, sizeof(meta));
	meta.ncpu = rows.ncpu;
	meta.t_first_ns = rows.t_first_ns;
	meta.t_last_ns = rows.t_last_ns;
	meta.skipped.overlapping = k->overlapping;
	meta.format = "csv";
	hp_csv_assumption(&meta);
	if (hp_cache_writer_commit(&k->w, &meta, err) < 0)
		goto out;
	rc = 0;
out:
	if (k)
		free(k->last);
	free(k);
	return rc;
}
