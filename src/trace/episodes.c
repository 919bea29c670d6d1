/* The episode array: growth, ordering and validation shared by every reader. */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hpsim/episode.h"

/* Is p inside the set's file mapping (so not to be realloc'd or freed)? */
static int mapped(const struct hp_episodes *eps, const void *p)
{
	const char *c = p, *m = eps->map;

	return m && c >= m && c < m + eps->map_len;
}

/* Grow an array to cap elements of size sz: realloc, or a copy out of the mapping. */
static void *grow(const struct hp_episodes *eps, void *old, size_t n, size_t cap, size_t sz)
{
	void *p;

	if (!mapped(eps, old))
		return realloc(old, cap * sz);
	p = malloc(cap * sz);
	if (p)
		memcpy(p, old, n * sz);
	return p;
}

int hp_episodes_push(struct hp_episodes *eps, const struct hp_episode *ep, struct hp_err *err)
{
	if (eps->n == eps->cap) {
		size_t cap = eps->cap ? eps->cap * 2 : 4096;
		struct hp_episode *p = grow(eps, eps->ep, eps->n, cap, sizeof(*p));

		if (!p)
			return hp_errf(
			    err, "out of memory growing the episode array to %zu entries", cap);
		eps->ep = p;
		eps->cap = cap;
	}
	eps->ep[eps->n++] = *ep;
	if (ep->cpu + 1 > eps->ncpu)
		eps->ncpu = ep->cpu + 1;
	return 0;
}

int hp_episodes_push_busy(struct hp_episodes *eps, const struct hp_busy *b, struct hp_err *err)
{
	if (b->end_ns <= b->start_ns)
		return 0;
	if (eps->nbusy == eps->busy_cap) {
		size_t cap = eps->busy_cap ? eps->busy_cap * 2 : 1024;
		struct hp_busy *p = grow(eps, eps->busy, eps->nbusy, cap, sizeof(*p));

		if (!p)
			return hp_errf(
			    err, "out of memory growing the contention array to %zu entries", cap);
		eps->busy = p;
		eps->busy_cap = cap;
	}
	eps->busy[eps->nbusy++] = *b;
	return 0;
}

static int cmp_busy(const void *a, const void *b)
{
	const struct hp_busy *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	return 0;
}

void hp_episodes_sort_busy(struct hp_episodes *eps)
{
	size_t i, out = 0;

	if (!eps->nbusy)
		return;
	qsort(eps->busy, eps->nbusy, sizeof(*eps->busy), cmp_busy);
	for (i = 1; i < eps->nbusy; i++) {
		struct hp_busy *last = &eps->busy[out];

		if (eps->busy[i].cpu == last->cpu && eps->busy[i].start_ns <= last->end_ns) {
			if (eps->busy[i].end_ns > last->end_ns)
				last->end_ns = eps->busy[i].end_ns;
		} else {
			eps->busy[++out] = eps->busy[i];
		}
	}
	eps->nbusy = out + 1;
}

static int cmp_episode(const void *a, const void *b)
{
	const struct hp_episode *x = a, *y = b;

	if (x->halt_start_ns != y->halt_start_ns)
		return x->halt_start_ns < y->halt_start_ns ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return 0;
}

void hp_episodes_sort(struct hp_episodes *eps)
{
	size_t i;

	qsort(eps->ep, eps->n, sizeof(*eps->ep), cmp_episode);
	hp_episodes_sort_busy(eps);
	eps->ncpu = 0;
	for (i = 0; i < eps->n; i++)
		if (eps->ep[i].cpu + 1 > eps->ncpu)
			eps->ncpu = eps->ep[i].cpu + 1;
}

int hp_episodes_validate(const struct hp_episodes *eps, struct hp_err *err)
{
	size_t i;

	for (i = 0; i < eps->n; i++) {
		const struct hp_episode *e = &eps->ep[i];

		if (e->wake_ns < e->halt_start_ns)
			return hp_errf(
			    err, "episode %zu (cpu %u): wake %llu ns is before halt start %llu ns",
			    i, e->cpu, (unsigned long long)e->wake_ns,
			    (unsigned long long)e->halt_start_ns);
		if (e->cpu >= eps->ncpu)
			return hp_errf(err, "episode %zu: cpu %u outside 0..%u", i, e->cpu,
			               eps->ncpu ? eps->ncpu - 1 : 0);
		if (i && cmp_episode(&eps->ep[i - 1], e) > 0)
			return hp_errf(err, "episode %zu: not in time order", i);
	}
	return 0;
}

void hp_episodes_free(struct hp_episodes *eps)
{
	if (!mapped(eps, eps->ep))
		free(eps->ep);
	if (!mapped(eps, eps->busy))
		free(eps->busy);
	if (eps->map)
		munmap(eps->map, eps->map_len);
	memset(eps, 0, sizeof(*eps));
}
