/*
 * hpsim info's statistics from an episode source, in memory that does not
 * grow with the capture. A first pass over the stream counts, sums and fills
 * the log2 histograms; each exact nearest-rank percentile is then the r-th
 * smallest length of its CPU (or of all), found by narrowing a range that
 * holds it: the log2 bucket the histogram names, then 1024 equal bins per
 * pass, until the range holds few enough lengths to collect and select
 * among. Every pass reads the stream again (the cache file, in blocks); the
 * memory is a bin array or a few lengths per percentile being found, at most
 * MAX_ACTIVE of them at a time. The figures are those hp_info_compute() gives.
 */
#include <stdlib.h>
#include <string.h>

#include "hpsim/info.h"
#include "hpsim/source.h"

#define NBINS      1024u /* bins a range is cut into per pass */
#define COLLECT    1024u /* lengths collected once a range holds no more */
#define MAX_ACTIVE 1024u /* percentiles narrowed in one pass (8 KiB each) */
#define NPCT       3u

static const unsigned pcts[NPCT] = {50, 90, 99};

/* One percentile being found: the r-th smallest (1-based) of a CPU's lengths. */
struct target {
	uint32_t who;   /* index into info->cpus, or ncpus for the total */
	unsigned which; /* 0, 1, 2: p50, p90, p99 */
	uint64_t rank;  /* among the lengths in [lo, hi] */
	uint64_t lo, hi;
	uint64_t in_range; /* lengths in [lo, hi] */
	uint64_t *bins;    /* NBINS counts, or up to COLLECT lengths */
	size_t got;        /* lengths collected */
	int done;
	uint64_t value;
};

static struct hp_info_cpu *stats_of(struct hp_info *info, uint32_t who)
{
	return who == info->ncpus ? &info->total : &info->cpus[who];
}

/* The width of one of NBINS bins over [lo, hi] (at least 1). */
static uint64_t bin_width(const struct target *t)
{
	uint64_t span = t->hi - t->lo; /* + 1 may overflow */

	return span / NBINS + 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Count (or collect) one length of a target's set. */
static void feed(struct target *t, uint64_t v)
{
	if (t->done || v < t->lo || v > t->hi)
		return;
	if (t->in_range <= COLLECT)
		t->bins[t->got++] = v;
	else
		t->bins[(v - t->lo) / bin_width(t)]++;
}

/* After a pass: the range narrowed to the bin holding the rank, or the value selected. */
static void settle(struct target *t)
{
	uint64_t w, seen = 0;
	size_t b;

	if (t->in_range <= COLLECT) {
		qsort(t->bins, t->got, sizeof(*t->bins), cmp_u64);
		t->value = t->bins[t->rank - 1];
		t->done = 1;
		return;
	}
	w = bin_width(t);
	for (b = 0; b < NBINS; b++) {
		if (seen + t->bins[b] >= t->rank)
			break;
		seen += t->bins[b];
	}
	t->rank -= seen;
	t->in_range = t->bins[b];
	t->lo += (uint64_t)b * w;
	t->hi = t->hi - t->lo < w - 1 ? t->hi : t->lo + (w - 1);
	if (t->lo == t->hi) {
		t->value = t->lo;
		t->done = 1;
	}
}

/* Every length of the stream to the active targets of its CPU and of the total. */
static int pass(struct hp_episode_source *src, const uint32_t *who_of, struct target **by_who,
                uint32_t ntargets_who, struct hp_err *err)
{
	const struct hp_episode *ep;
	size_t n, i;
	unsigned k;
	int rc;

	if (src->rewind(src, err) < 0)
		return -1;
	while ((rc = src->next_block(src, &ep, &n, err)) == 0 && n) {
		for (i = 0; i < n; i++) {
			uint64_t v = ep[i].wake_ns - ep[i].halt_start_ns;
			struct target *a = by_who[who_of[ep[i].cpu]], *b = by_who[ntargets_who - 1];

			for (k = 0; k < NPCT; k++) {
				if (a)
					feed(&a[k], v);
				if (b)
					feed(&b[k], v);
			}
		}
	}
	return rc < 0 ? -1 : 0;
}

/* The first pass: counts, sums, min and max, histograms, sources. */
static int first_pass(struct hp_episode_source *src, const struct hp_episodes *eps,
                      struct hp_info *info, uint32_t **who_of, struct hp_err *err)
{
	const struct hp_episode *ep;
	uint64_t *count = calloc(eps->ncpu + 1, sizeof(*count));
	size_t n, i, k;
	uint32_t c;
	int rc;

	*who_of = calloc(eps->ncpu + 1, sizeof(**who_of));
	if (!count || !*who_of)
		goto oom;
	if (src->rewind(src, err) < 0)
		goto fail;
	while ((rc = src->next_block(src, &ep, &n, err)) == 0 && n)
		for (i = 0; i < n; i++)
			count[ep[i].cpu]++;
	if (rc < 0)
		goto fail;
	for (c = 0; c < eps->ncpu; c++)
		info->ncpus += count[c] != 0;
	info->cpus = calloc(info->ncpus ? info->ncpus : 1, sizeof(*info->cpus));
	if (!info->cpus)
		goto oom;
	for (c = 0, k = 0; c < eps->ncpu; c++) {
		if (!count[c])
			continue;
		info->cpus[k].cpu = c;
		info->cpus[k].halts = count[c];
		info->cpus[k].min_ns = UINT64_MAX;
		(*who_of)[c] = (uint32_t)k++;
	}
	info->total.min_ns = UINT64_MAX;
	if (src->rewind(src, err) < 0)
		goto fail;
	while ((rc = src->next_block(src, &ep, &n, err)) == 0 && n) {
		for (i = 0; i < n; i++) {
			const struct hp_episode *e = &ep[i];
			uint64_t len = e->wake_ns - e->halt_start_ns;
			uint32_t s = e->source < HP_SRC_COUNT ? e->source : HP_SRC_UNKNOWN;
			struct hp_info_cpu *one = &info->cpus[(*who_of)[e->cpu]],
			                   *all = &info->total;
			unsigned b = hp_info_bucket(len);

			one->idle_ns += len;
			one->sources[s]++;
			one->log2_hist[b]++;
			one->min_ns = len < one->min_ns ? len : one->min_ns;
			one->max_ns = len > one->max_ns ? len : one->max_ns;
			all->halts++;
			all->idle_ns += len;
			all->sources[s]++;
			all->log2_hist[b]++;
			all->min_ns = len < all->min_ns ? len : all->min_ns;
			all->max_ns = len > all->max_ns ? len : all->max_ns;
		}
	}
	if (rc < 0)
		goto fail;
	if (!info->total.halts)
		info->total.min_ns = 0;
	free(count);
	return 0;
oom:
	hp_errf(err, "out of memory computing statistics");
fail:
	free(count);
	return -1;
}

/* The bucket of the log2 histogram holding rank r, as a range, and the rank within it. */
static void start_target(struct target *t, const struct hp_info_cpu *s)
{
	uint64_t seen = 0;
	unsigned b;

	t->rank = (s->halts * pcts[t->which] + 99) / 100;
	if (!t->rank)
		t->rank = 1;
	for (b = 0; b < HP_INFO_HIST; b++) {
		if (seen + s->log2_hist[b] >= t->rank)
			break;
		seen += s->log2_hist[b];
	}
	t->rank -= seen;
	t->in_range = s->log2_hist[b];
	t->lo = b == 0 ? 0 : 1ull << (b - 1);
	t->hi = b == 0 ? 0 : (b < HP_INFO_HIST - 1 ? (1ull << b) - 1 : UINT64_MAX);
	/* the CPU's own extremes bound the range too */
	t->lo = t->lo > s->min_ns ? t->lo : s->min_ns;
	t->hi = t->hi < s->max_ns ? t->hi : s->max_ns;
	if (t->lo == t->hi) {
		t->value = t->lo;
		t->done = 1;
	}
}

/* Find the percentiles of CPUs [first, last) (last == ncpus + 1 includes the total). */
static int select_group(struct hp_episode_source *src, struct hp_info *info, const uint32_t *who_of,
                        uint32_t first, uint32_t last, struct hp_err *err)
{
	uint32_t nwho = info->ncpus + 1, w;
	struct target *t = calloc((size_t)(last - first) * NPCT, sizeof(*t));
	struct target **by_who = calloc(nwho + 1, sizeof(*by_who));
	uint64_t *space = calloc((size_t)(last - first) * NPCT * NBINS, sizeof(*space));
	int rc = -1, active;
	size_t i;

	if (!t || !by_who || !space) {
		hp_errf(err, "out of memory computing percentiles");
		goto out;
	}
	for (w = first; w < last; w++) {
		by_who[w == info->ncpus ? nwho : w] = &t[(size_t)(w - first) * NPCT];
		for (i = 0; i < NPCT; i++) {
			struct target *x = &t[(size_t)(w - first) * NPCT + i];

			x->who = w;
			x->which = (unsigned)i;
			x->bins = space + ((size_t)(w - first) * NPCT + i) * NBINS;
			start_target(x, stats_of(info, w));
		}
	}
	for (;;) {
		active = 0;
		for (i = 0; i < (size_t)(last - first) * NPCT; i++)
			if (!t[i].done) {
				active = 1;
				memset(t[i].bins, 0, NBINS * sizeof(*t[i].bins));
				t[i].got = 0;
			}
		if (!active)
			break;
		/* by_who is indexed by cpus[] index; the total's targets sit at its end */
		if (pass(src, who_of, by_who, nwho + 1, err) < 0)
			goto out;
		for (i = 0; i < (size_t)(last - first) * NPCT; i++)
			if (!t[i].done)
				settle(&t[i]);
	}
	for (i = 0; i < (size_t)(last - first) * NPCT; i++) {
		struct hp_info_cpu *s = stats_of(info, t[i].who);
		uint64_t *out[NPCT] = {&s->p50_ns, &s->p90_ns, &s->p99_ns};

		*out[t[i].which] = t[i].value;
	}
	rc = 0;
out:
	free(t);
	free(by_who);
	free(space);
	return rc;
}

int hp_info_compute_source(struct hp_episode_source *src, const struct hp_episodes *eps,
                           struct hp_info *info, struct hp_err *err)
{
	uint32_t *who_of = NULL, first, per = MAX_ACTIVE / NPCT;
	size_t k;

	memset(info, 0, sizeof(*info));
	info->wall_ns = eps->t_last_ns > eps->t_first_ns ? eps->t_last_ns - eps->t_first_ns : 0;
	info->total.cpu = UINT32_MAX;
	if (first_pass(src, eps, info, &who_of, err) < 0)
		goto fail;
	for (k = 0; k <= info->ncpus; k++) {
		struct hp_info_cpu *s = stats_of(info, (uint32_t)k);
		double wall =
		    (double)info->wall_ns * (k == info->ncpus ? (double)info->ncpus : 1.0);

		if (!s->halts)
			continue;
		s->mean_ns = (double)s->idle_ns / (double)s->halts;
		s->idle_pct = wall > 0 ? 100.0 * (double)s->idle_ns / wall : 0;
	}
	if (info->total.halts)
		for (first = 0; first <= info->ncpus; first += per) {
			uint32_t last =
			    first + per > info->ncpus + 1 ? info->ncpus + 1 : first + per;

			if (select_group(src, info, who_of, first, last, err) < 0)
				goto fail;
		}
	free(who_of);
	return 0;
fail:
	free(who_of);
	hp_info_free(info);
	return -1;
}
