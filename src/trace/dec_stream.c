/*
 * The first read of a trace.dat or `trace-cmd report` text, streamed into the
 * episode cache. The decoder hands each halt to a sink as it is decoded (in
 * the order halts end, two views until the end of the capture says which one
 * it is); each view goes into an external stable sort (episode_sort.c), and
 * the chosen view comes out in stream order, renumbered as the decoder would
 * have renumbered the array, into the cache's streaming writer. Memory: a
 * sorting block per view and the description (skips, busy intervals), not the
 * capture's halts. The cache file is byte for byte the one the in-memory read
 * (decode into an array, sort, store) writes: both sorts are stable and see
 * the halts in the same order.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dec_stream.h"
#include "episode_sort.h"

/* Sorted in memory at a time, per view: 8 MiB, and as much again to sort it. */
#define DEC_SORT_BLOCK (1u << 18)
#define OUT_BLOCK      8192u

struct views {
	struct hp_ep_sorter s[2];
	int open[2];
	size_t block;
	int write_failed; /* a sorting run could not be written (not the capture's fault) */
};

static int views_put(void *arg, unsigned view, const struct hp_episode *ep, struct hp_err *err)
{
	struct views *v = arg;

	if (view > HP_SINK_HOST)
		return hp_errf(err, "a halt of an unknown view %u", view);
	if (!v->open[view]) {
		if (hp_ep_sorter_init(&v->s[view], v->block, err) < 0) {
			v->write_failed = 1;
			return -1;
		}
		v->open[view] = 1;
	}
	if (hp_ep_sorter_add(&v->s[view], ep, err) < 0) {
		v->write_failed = 1;
		return -1;
	}
	return 0;
}

static int views_reset(void *arg, struct hp_err *err)
{
	struct views *v = arg;
	unsigned i;

	(void)err;
	for (i = 0; i < 2; i++)
		if (v->open[i]) {
			hp_ep_sorter_free(&v->s[i]);
			v->open[i] = 0;
		}
	return 0;
}

/* The chosen view's halts, in stream order, into the cache writer. */
struct out {
	struct hp_cache_writer w;
	const struct hp_ep_sink *sink;
	const char *path;
	struct hp_episode buf[OUT_BLOCK];
	size_t fill;
	uint64_t n;
	uint32_t ncpu;
	int write_failed, bad;
};

static int out_flush(struct out *o, struct hp_err *err)
{
	if (hp_cache_writer_add(&o->w, o->buf, o->fill, err) < 0) {
		o->write_failed = 1;
		return -1;
	}
	o->fill = 0;
	return 0;
}

static int out_block(void *arg, const struct hp_episode *ep, size_t n, struct hp_err *err)
{
	struct out *o = arg;
	size_t i;

	for (i = 0; i < n; i++, o->n++) {
		struct hp_episode e = ep[i];

		e.cpu = hp_ep_sink_cpu(o->sink, e.cpu);
		/* what hp_episodes_validate() checks of the array (the order holds by the sort) */
		if (e.wake_ns < e.halt_start_ns) {
			o->bad = 1;
			return hp_errf(err,
			               "%s: episode %" PRIu64
			               " (cpu %u): wake %llu ns is before halt start %llu ns",
			               o->path, o->n, e.cpu, (unsigned long long)e.wake_ns,
			               (unsigned long long)e.halt_start_ns);
		}
		if (e.cpu + 1 > o->ncpu)
			o->ncpu = e.cpu + 1;
		o->buf[o->fill++] = e;
		if (o->fill == OUT_BLOCK && out_flush(o, err) < 0)
			return -1;
	}
	return 0;
}

/* The chosen view into the cache file, then the description; 0 or a code. */
static int write_cache(struct views *v, const struct hp_ep_sink *sink, struct hp_episodes *meta,
                       const char *path, const char *cache, const struct hp_cache_key *key,
                       struct hp_err *err)
{
	struct out *o = calloc(1, sizeof(*o));
	unsigned view = sink->view;
	int rc = HP_DEC_STREAM_UNWRITABLE;

	if (!o) {
		hp_errf(err, "out of memory");
		return rc;
	}
	o->sink = sink;
	o->path = path;
	if (hp_cache_writer_open(&o->w, cache, key, err) < 0)
		goto out;
	if (v->open[view] && hp_ep_sorter_finish(&v->s[view], out_block, o, err) < 0) {
		if (!o->write_failed)
			hp_cache_writer_abort(&o->w);
		if (o->bad)
			rc = HP_DEC_STREAM_BAD;
		goto out;
	}
	if (o->fill && out_flush(o, err) < 0)
		goto out;
	hp_episodes_sort_busy(meta);
	meta->ncpu = o->ncpu;
	if (hp_cache_writer_commit(&o->w, meta, err) < 0)
		goto out;
	rc = 0;
out:
	free(o);
	return rc;
}

int hp_dec_stream_to_cache(const struct hp_trace_reader *reader, const char *path,
                           const struct hp_read_opts *opts, const char *cache,
                           const struct hp_cache_key *key, size_t sort_block, struct hp_err *err)
{
	struct views v;
	struct hp_ep_sink sink;
	struct hp_read_opts o = *opts;
	struct hp_episodes meta;
	int rc;

	memset(&v, 0, sizeof(v));
	memset(&sink, 0, sizeof(sink));
	memset(&meta, 0, sizeof(meta));
	v.block = sort_block ? sort_block : DEC_SORT_BLOCK;
	sink.put = views_put;
	sink.reset = views_reset;
	sink.arg = &v;
	o.sink = &sink;
	if (reader->read(path, &o, &meta, err) < 0) {
		rc = v.write_failed ? HP_DEC_STREAM_UNWRITABLE : HP_DEC_STREAM_BAD;
		goto out;
	}
	meta.format = reader->name;
	rc = write_cache(&v, &sink, &meta, path, cache, key, err);
out:
	views_reset(&v, err);
	hp_episodes_free(&meta);
	return rc;
}
