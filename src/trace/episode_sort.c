/* External stable sort of episodes: sorted runs in a temporary file, a heap merge. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "episode_sort.h"
#include "hpsim/atomic_file.h"

/* Episodes a run is read back in at least, whatever the number of runs. */
#define MIN_RUN_READ 256u
/* Episodes handed to emit at a time. */
#define EMIT_BLOCK 8192u

static int before(const struct hp_episode *a, const struct hp_episode *b)
{
	if (a->halt_start_ns != b->halt_start_ns)
		return a->halt_start_ns < b->halt_start_ns;
	return a->cpu < b->cpu;
}

/* Stable merge sort of a[0..n) with t as scratch of n; the result is in a. */
static void merge_sort(struct hp_episode *a, struct hp_episode *t, size_t n)
{
	size_t width, lo;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			/* already in order across the seam: copy (sorted input costs one pass) */
			if (mid == hi || !before(&a[mid], &a[mid - 1])) {
				memcpy(t + lo, a + lo, (hi - lo) * sizeof(*a));
				continue;
			}
			while (i < mid && j < hi)
				t[k++] = before(&a[j], &a[i]) ? a[j++] : a[i++];
			while (i < mid)
				t[k++] = a[i++];
			while (j < hi)
				t[k++] = a[j++];
		}
		struct hp_episode *x = a;
		a = t;
		t = x;
	}
	/* after an odd number of passes the result is in the scratch array */
	if (n > 1) {
		size_t passes = 0;

		for (width = 1; width < n; width *= 2)
			passes++;
		if (passes % 2)
			memcpy(t, a, n * sizeof(*a));
	}
}

int hp_ep_sorter_init(struct hp_ep_sorter *s, size_t cap, struct hp_err *err)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->cap = cap ? cap : HP_SORT_BLOCK;
	s->buf = malloc(s->cap * sizeof(*s->buf));
	s->tmp = malloc(s->cap * sizeof(*s->tmp));
	if (!s->buf || !s->tmp) {
		hp_ep_sorter_free(s);
		return hp_errf(err, "out of memory for a sorting block of %zu episodes", cap);
	}
	return 0;
}

static int open_tmp(struct hp_err *err)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if (snprintf(path, sizeof(path), "%s/hpsim-sort-XXXXXX", dir) >= (int)sizeof(path))
		return hp_errf(err, "TMPDIR is too long");
	fd = mkstemp(path);
	if (fd < 0)
		return hp_errf(err, "cannot create a temporary file in %s for sorting: %s", dir,
		               strerror(errno));
	unlink(path);
	return fd;
}

/* Sort the block and append it to the runs file as one run. */
static int flush_run(struct hp_ep_sorter *s, struct hp_err *err)
{
	if (s->fd < 0 && (s->fd = open_tmp(err)) < 0)
		return -1;
	if (s->nruns == s->runs_cap) {
		size_t cap = s->runs_cap ? 2 * s->runs_cap : 16;
		uint64_t *p = realloc(s->run_len, cap * sizeof(*p));

		if (!p)
			return hp_errf(err, "out of memory for the sorting runs");
		s->run_len = p;
		s->runs_cap = cap;
	}
	merge_sort(s->buf, s->tmp, s->fill);
	if (hp_write_all(s->fd, s->buf, s->fill * sizeof(*s->buf)) < 0)
		return hp_errf(err, "writing a temporary sorting run failed: %s", strerror(errno));
	s->run_len[s->nruns++] = s->fill;
	s->fill = 0;
	return 0;
}

int hp_ep_sorter_add(struct hp_ep_sorter *s, const struct hp_episode *e, struct hp_err *err)
{
	if (s->fill == s->cap && flush_run(s, err) < 0)
		return -1;
	s->buf[s->fill++] = *e;
	return 0;
}

/* One run being read back: where it is in the file, and a window of it. */
struct run {
	uint64_t off, left; /* next episode's file offset, episodes not yet read */
	struct hp_episode *win;
	size_t at, fill, size;
};

static int refill(int fd, struct run *r)
{
	size_t k = r->left < r->size ? (size_t)r->left : r->size;
	size_t bytes = k * sizeof(*r->win), got = 0;

	while (got < bytes) {
		ssize_t n = pread(fd, (char *)r->win + got, bytes - got, (off_t)(r->off + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	r->off += bytes;
	r->left -= k;
	r->at = 0;
	r->fill = k;
	return 0;
}

/* Heap order: the smaller head first, the earlier run on a tie (stability). */
static int heap_less(const struct run *runs, size_t a, size_t b)
{
	const struct hp_episode *x = &runs[a].win[runs[a].at], *y = &runs[b].win[runs[b].at];

	if (before(x, y))
		return 1;
	if (before(y, x))
		return 0;
	return a < b;
}

static void sift_down(const struct run *runs, size_t *heap, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i, t;

		if (l < n && heap_less(runs, heap[l], heap[m]))
			m = l;
		if (r < n && heap_less(runs, heap[r], heap[m]))
			m = r;
		if (m == i)
			return;
		t = heap[i];
		heap[i] = heap[m];
		heap[m] = t;
		i = m;
	}
}

static int merge_runs(struct hp_ep_sorter *s, hp_ep_emit_fn emit, void *arg, struct hp_err *err)
{
	size_t per = s->cap / s->nruns, i, nheap = 0, out = 0;
	struct run *runs = calloc(s->nruns, sizeof(*runs));
	size_t *heap = calloc(s->nruns, sizeof(*heap));
	struct hp_episode *space = s->buf, *extra = NULL;
	uint64_t off = 0;
	int rc = -1;

	if (per < MIN_RUN_READ) {
		per = MIN_RUN_READ;
		space = extra = malloc(s->nruns * per * sizeof(*extra));
	}
	if (!runs || !heap || !space) {
		hp_errf(err, "out of memory merging %zu sorting runs", s->nruns);
		goto out;
	}
	for (i = 0; i < s->nruns; i++) {
		runs[i] = (struct run){
		    .off = off, .left = s->run_len[i], .win = space + i * per, .size = per};
		off += s->run_len[i] * sizeof(struct hp_episode);
		if (refill(s->fd, &runs[i]) < 0)
			goto read_failed;
		if (runs[i].fill)
			heap[nheap++] = i;
	}
	for (i = nheap; i-- > 0;)
		sift_down(runs, heap, nheap, i);
	while (nheap) {
		struct run *r = &runs[heap[0]];

		s->tmp[out++] = r->win[r->at++];
		if (out == EMIT_BLOCK || out == s->cap) { /* the scratch block is the output */
			if (emit(arg, s->tmp, out, err) < 0)
				goto out;
			out = 0;
		}
		if (r->at == r->fill) {
			if (r->left && refill(s->fd, r) < 0)
				goto read_failed;
			if (r->at == r->fill)
				heap[0] = heap[--nheap];
		}
		sift_down(runs, heap, nheap, 0);
	}
	rc = out ? emit(arg, s->tmp, out, err) : 0;
	goto out;
read_failed:
	hp_errf(err, "reading a temporary sorting run back failed: %s", strerror(errno));
out:
	free(extra);
	free(heap);
	free(runs);
	return rc;
}

int hp_ep_sorter_finish(struct hp_ep_sorter *s, hp_ep_emit_fn emit, void *arg, struct hp_err *err)
{
	size_t i;

	if (s->nruns == 0) { /* it all fitted in one block */
		merge_sort(s->buf, s->tmp, s->fill);
		for (i = 0; i < s->fill; i += EMIT_BLOCK)
			if (emit(arg, s->buf + i,
			         s->fill - i < EMIT_BLOCK ? s->fill - i : EMIT_BLOCK, err) < 0)
				return -1;
		return 0;
	}
	if (s->fill && flush_run(s, err) < 0)
		return -1;
	return merge_runs(s, emit, arg, err);
}

void hp_ep_sorter_free(struct hp_ep_sorter *s)
{
	free(s->buf);
	free(s->tmp);
	free(s->run_len);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
