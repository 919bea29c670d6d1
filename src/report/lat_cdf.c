/* A latency distribution's CDF, from its fine histogram: the share at or below each bucket. */
#include <stdlib.h>

#include "hpsim/report.h"

/* The largest value fine bucket i holds (the value itself below 256 ns). */
static uint64_t bucket_top(size_t i)
{
	size_t e, m;

	if (i < 256)
		return i;
	e = (i - 256) / HP_LAT_SUB + 8;
	m = (i - 256) % HP_LAT_SUB + HP_LAT_SUB;
	return ((uint64_t)(m + 1) << (e - 7)) - 1;
}

int hp_lat_cdf(const struct hp_lat_dist *d, struct hp_cdf_point **out, size_t *n)
{
	struct hp_cdf_point *p;
	uint64_t seen = 0;
	size_t i, k = 0, used = 0;

	*out = NULL;
	*n = 0;
	if (!d->count || !d->fine)
		return 0;
	for (i = 0; i < HP_LAT_BUCKETS; i++)
		used += d->fine[i] != 0;
	p = malloc(used * sizeof(*p));
	if (!p)
		return -1;
	for (i = 0; i < HP_LAT_BUCKETS; i++) {
		uint64_t top;

		if (!d->fine[i])
			continue;
		seen += d->fine[i];
		top = bucket_top(i);
		p[k].ns = top > d->max ? d->max : top < d->min ? d->min : top;
		p[k].fraction = (double)seen / (double)d->count;
		k++;
	}
	*out = p;
	*n = k;
	return 0;
}
