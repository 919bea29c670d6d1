/*
 * Episode sources (include/hpsim/source.h): an in-memory array, and the
 * episode cache file read in blocks with pread, so that a replay from the
 * cache holds one block and one small buffer per CPU however long the
 * capture. Pages read go through the page cache, which concurrent replays and
 * sweep workers of the same capture share.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpsim/cache.h"
#include "hpsim/engine.h"
#include "hpsim/source.h"

_Static_assert(sizeof(struct hp_episode) == 32, "a block of episodes is whole checksum words");

/* One CPU's reading position: the array's index, or a buffer of the file. */
struct hp_source_cursor {
	uint64_t next; /* index of the first episode not yet scanned for this CPU */
	struct hp_episode *buf;
	uint32_t fill, at; /* episodes in buf, and the next one to look at */
};

static int cursors(struct hp_episode_source *s, struct hp_err *err)
{
	uint32_t n = s->eps->ncpu ? s->eps->ncpu : 1;

	if (!s->cursor) {
		s->cursor = calloc(n, sizeof(*s->cursor));
		if (!s->cursor)
			return hp_errf(err, "out of memory for the reading positions of %u CPUs",
			               n);
	}
	return 0;
}

/* --- the array --- */

static int array_block(struct hp_episode_source *s, const struct hp_episode **ep, size_t *n,
                       struct hp_err *err)
{
	size_t *done = s->impl;

	(void)err;
	*ep = s->eps->ep;
	*n = *done ? 0 : s->eps->n;
	*done = 1;
	return 0;
}

static int array_of_cpu(struct hp_episode_source *s, uint32_t cpu, const struct hp_episode **out,
                        struct hp_err *err)
{
	const struct hp_episodes *eps = s->eps;
	struct hp_source_cursor *c;

	if (cursors(s, err) < 0)
		return -1;
	c = &s->cursor[cpu];
	while (c->next < eps->n && eps->ep[c->next].cpu != cpu)
		c->next++;
	if (c->next == eps->n)
		return 0;
	*out = &eps->ep[c->next++];
	return 1;
}

static int array_rewind(struct hp_episode_source *s, struct hp_err *err)
{
	(void)err;
	*(size_t *)s->impl = 0;
	if (s->cursor)
		memset(s->cursor, 0, (s->eps->ncpu ? s->eps->ncpu : 1) * sizeof(*s->cursor));
	return 0;
}

int hp_source_from_array(struct hp_episode_source *s, const struct hp_episodes *eps,
                         struct hp_err *err)
{
	uint32_t ncpu = eps->ncpu ? eps->ncpu : 1;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->eps = eps;
	s->n = eps->n;
	s->halts = calloc(ncpu, 1);
	s->impl = calloc(1, sizeof(size_t));
	if (!s->halts || !s->impl) {
		hp_source_close(s);
		return hp_errf(err, "out of memory for %u vCPUs", ncpu);
	}
	for (i = 0; i < eps->n; i++) {
		const struct hp_episode *e = &eps->ep[i];

		if (e->cpu >= ncpu) {
			hp_source_close(s);
			return hp_errf(err, "episode %zu: cpu %u outside the capture's %u CPUs", i,
			               e->cpu, ncpu);
		}
		if (e->halt_start_ns > HP_TIME_MAX_NS || e->wake_ns > HP_TIME_MAX_NS) {
			hp_source_close(s);
			return hp_errf(err,
			               "episode %zu (cpu %u): times past %llu ns, the latest the "
			               "engine replays",
			               i, e->cpu, (unsigned long long)HP_TIME_MAX_NS);
		}
		s->halts[e->cpu] = 1;
	}
	s->next_block = array_block;
	s->next_of_cpu = array_of_cpu;
	s->rewind = array_rewind;
	return 0;
}

/* --- the cache file --- */

struct cache_src {
	struct hp_cache_stream cs;
	uint64_t pos; /* the next episode next_block reads */
	struct hp_episode block[HP_SOURCE_BLOCK];
};

static size_t block_len(const struct hp_episode_source *s, uint64_t from, size_t max)
{
	uint64_t left = s->n - from;

	return left < max ? (size_t)left : max;
}

static int cache_block(struct hp_episode_source *s, const struct hp_episode **ep, size_t *n,
                       struct hp_err *err)
{
	struct cache_src *c = s->impl;
	size_t k = block_len(s, c->pos, HP_SOURCE_BLOCK);

	*ep = c->block;
	*n = k;
	if (!k)
		return 0;
	if (hp_cache_read_at(&c->cs, c->block, k * sizeof(*c->block),
	                     c->cs.ep_off + c->pos * sizeof(*c->block)) < 0)
		return hp_errf(err, "episode cache: read failed at episode %llu",
		               (unsigned long long)c->pos);
	c->pos += k;
	return 0;
}

static int cache_of_cpu(struct hp_episode_source *s, uint32_t cpu, const struct hp_episode **out,
                        struct hp_err *err)
{
	struct cache_src *c = s->impl;
	struct hp_source_cursor *u;

	if (cursors(s, err) < 0)
		return -1;
	u = &s->cursor[cpu];
	if (!u->buf) {
		u->buf = malloc(HP_SOURCE_CPU_BLOCK * sizeof(*u->buf));
		if (!u->buf)
			return hp_errf(err, "out of memory for CPU %u's reading buffer", cpu);
	}
	for (;;) {
		for (; u->at < u->fill; u->at++)
			if (u->buf[u->at].cpu == cpu) {
				*out = &u->buf[u->at++];
				return 1;
			}
		u->fill = (uint32_t)block_len(s, u->next, HP_SOURCE_CPU_BLOCK);
		u->at = 0;
		if (!u->fill)
			return 0;
		if (hp_cache_read_at(&c->cs, u->buf, u->fill * sizeof(*u->buf),
		                     c->cs.ep_off + u->next * sizeof(*u->buf)) < 0)
			return hp_errf(err, "episode cache: read failed at episode %llu",
			               (unsigned long long)u->next);
		u->next += u->fill;
	}
}

static int cache_rewind(struct hp_episode_source *s, struct hp_err *err)
{
	struct cache_src *c = s->impl;
	uint32_t i;

	(void)err;
	c->pos = 0;
	if (s->cursor)
		for (i = 0; i < (s->eps->ncpu ? s->eps->ncpu : 1); i++) {
			s->cursor[i].next = 0;
			s->cursor[i].fill = s->cursor[i].at = 0;
		}
	return 0;
}

static void cache_close(struct hp_episode_source *s)
{
	struct cache_src *c = s->impl;

	if (c && c->cs.fd >= 0)
		close(c->cs.fd);
}

/* One pass over the file in blocks: the payload checksum, the order, the CPUs that halt. */
static int cache_check(struct hp_episode_source *s, struct hp_err *err)
{
	struct cache_src *c = s->impl;
	const struct hp_episodes *eps = s->eps;
	struct hp_cache_sum_state sum;
	struct hp_episode prev = {0};
	const struct hp_episode *b;
	uint64_t idx = 0, h;
	size_t n, i;

	hp_cache_sum_begin(&sum, 0);
	for (;;) {
		if (cache_block(s, &b, &n, err) < 0)
			return -1;
		if (!n)
			break;
		hp_cache_sum_update(&sum, b, n * sizeof(*b));
		for (i = 0; i < n; i++, idx++) {
			const struct hp_episode *e = &b[i];

			if (e->wake_ns < e->halt_start_ns || e->cpu >= eps->ncpu ||
			    e->halt_start_ns > HP_TIME_MAX_NS || e->wake_ns > HP_TIME_MAX_NS ||
			    (idx &&
			     (prev.halt_start_ns > e->halt_start_ns ||
			      (prev.halt_start_ns == e->halt_start_ns && prev.cpu > e->cpu))))
				return hp_errf(err, "episode %llu: not a valid stream episode",
				               (unsigned long long)idx);
			s->halts[e->cpu] = 1;
			prev = *e;
		}
	}
	h = hp_cache_sum_end(&sum, NULL, 0);
	if (hp_cache_sum(h, eps->busy, eps->nbusy * sizeof(*eps->busy)) != c->cs.payload_sum)
		return hp_errf(err, "payload checksum mismatch (damaged)");
	return cache_rewind(s, err);
}

int hp_source_from_cache(struct hp_episode_source *s, struct hp_episodes *eps, const char *path,
                         const struct hp_cache_key *key, char *format, size_t format_len,
                         struct hp_err *err)
{
	struct cache_src *c;

	memset(s, 0, sizeof(*s));
	c = malloc(sizeof(*c));
	if (!c)
		return hp_errf(err, "%s: out of memory for a reading block", path);
	if (hp_cache_open_stream(path, key, eps, format, format_len, &c->cs, err) < 0) {
		free(c);
		return -1;
	}
	c->pos = 0;
	s->eps = eps;
	s->n = c->cs.n;
	s->impl = c;
	s->close_impl = cache_close;
	s->next_block = cache_block;
	s->next_of_cpu = cache_of_cpu;
	s->rewind = cache_rewind;
	s->halts = calloc(eps->ncpu ? eps->ncpu : 1, 1);
	if (!s->halts) {
		hp_source_close(s);
		hp_episodes_free(eps);
		return hp_errf(err, "%s: out of memory for %u CPUs", path, eps->ncpu);
	}
	if (cache_check(s, err) < 0) {
		hp_source_close(s);
		hp_episodes_free(eps);
		return hp_err_prefix(err, "%s: ", path);
	}
	return 0;
}

void hp_source_close(struct hp_episode_source *s)
{
	uint32_t i;

	if (s->close_impl)
		s->close_impl(s);
	if (s->cursor)
		for (i = 0; i < (s->eps && s->eps->ncpu ? s->eps->ncpu : 1); i++)
			free(s->cursor[i].buf);
	free(s->cursor);
	free(s->halts);
	free(s->impl);
	memset(s, 0, sizeof(*s));
}
