/* The Pareto front of (CPU, latency) points (include/hpsim/pareto.h). */
#include <stdlib.h>
#include <string.h>

#include "hpsim/pareto.h"

struct key {
	double cpu, lat;
	size_t i;
};

static int by_cpu_lat(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int hp_pareto_front(const double *cpu, const double *lat, size_t n, uint8_t *front)
{
	struct key *k = malloc((n ? n : 1) * sizeof(*k));
	size_t i, j;
	double best = 0;
	int any = 0;

	memset(front, 0, n);
	if (!k)
		return -1;
	for (i = 0; i < n; i++)
		k[i] = (struct key){cpu[i], lat[i], i};
	qsort(k, n, sizeof(*k), by_cpu_lat);
	/* groups of equal cpu: the group's least latency is on the front if below every cheaper one
	 */
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && k[j].cpu == k[i].cpu; j++)
			if (k[j].lat == k[i].lat && (!any || k[i].lat < best))
				front[k[j].i] = 1;
		if (!any || k[i].lat < best)
			best = k[i].lat;
		any = 1;
	}
	free(k);
	return 0;
}
