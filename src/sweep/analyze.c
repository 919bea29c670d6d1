/*
 * The Pareto front per trace and the recommendation.
 *
 * Recommendation rule, per trace, among the points that ran without error:
 *  - with constraints: the point of least CPU statistic among those meeting
 *    every constraint (ties: lower latency statistic, then lower point
 *    index); none if no point meets them;
 *  - without: the knee of the Pareto front, the front point minimizing
 *    (cpu - cpu_min) / (cpu_max - cpu_min) + (lat - lat_min) / (lat_max - lat_min)
 *    over the front's own spans (a span of 0 counts as 1); ties as above.
 * The oracle figure is the oracle's Pareto front (over its windows) at the
 * recommended point's latency statistic: the CPU of the front's window with
 * the largest latency not above it, interpolated linearly towards the next,
 * slower window (alternating the two windows reaches any mix of them).
 */
#include <stdlib.h>
#include <string.h>

#include "hpsim/sweep.h"

double hp_sweep_row_cpu(const struct hp_sweep_row *r)
{
	double wall = (double)r->wall_ns * (r->ncpu ? r->ncpu : 1);

	return wall > 0 ? 100.0 * (double)r->poll_ns / wall : 0.0;
}

double hp_sweep_row_lat(const struct hp_sweep_row *r, enum hp_sweep_lat s)
{
	if (s == HP_LAT_MEAN)
		return r->halts ? (double)r->lat_sum / (double)r->halts : 0.0;
	return (double)r->lat_q[s - HP_LAT_P50];
}

bool hp_sweep_meets(const struct hp_sweep_config *c, const struct hp_sweep_row *r)
{
	int s;

	if (r->failed)
		return false;
	for (s = 0; s < HP_LAT_NSTAT; s++)
		if (c->lat_max_ns[s] >= 0 &&
		    hp_sweep_row_lat(r, (enum hp_sweep_lat)s) > c->lat_max_ns[s])
			return false;
	return !(c->cpu_max_pct >= 0 && hp_sweep_row_cpu(r) > c->cpu_max_pct);
}

struct key {
	double cpu, lat;
	size_t i;
};

static int by_lat(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	return x->cpu < y->cpu ? -1 : x->cpu > y->cpu;
}

/* The oracle front of trace t at latency lat (see the rule above). */
static void oracle_at(struct hp_sweep_results *r, size_t t, double lat)
{
	const struct hp_sweep_config *c = r->c;
	struct hp_sweep_reco *reco = &r->reco[t];
	uint64_t base = c->npoints * c->ntraces;
	size_t n = 0, nf = 0, w, k;
	double *cpu = malloc((c->nwindows + 1) * sizeof(*cpu));
	double *lt = malloc((c->nwindows + 1) * sizeof(*lt));
	struct key *f = malloc((c->nwindows + 1) * sizeof(*f));
	size_t *idx = malloc((c->nwindows + 1) * sizeof(*idx));
	uint8_t *front = malloc(c->nwindows + 1);

	if (!cpu || !lt || !f || !idx || !front || c->oracle_layer < 0)
		goto out;
	for (w = 0; w < c->nwindows; w++) {
		const struct hp_sweep_row *o = &r->rows[base + w * c->ntraces + t];

		if (o->failed)
			continue;
		cpu[n] = hp_sweep_row_cpu(o);
		lt[n] = hp_sweep_row_lat(o, c->lat_stat);
		idx[n++] = w;
	}
	(void)hp_pareto_front(cpu, lt, n, front); /* out of memory: no oracle figure */
	for (k = 0; k < n; k++)
		if (front[k])
			f[nf++] = (struct key){cpu[k], lt[k], idx[k]};
	qsort(f, nf, sizeof(*f), by_lat);
	for (k = nf; k-- > 0;)
		if (f[k].lat <= lat)
			break;
	if (k == (size_t)-1)
		goto out;
	reco->oracle_window = (int64_t)f[k].i;
	reco->oracle_cpu_pct = f[k].cpu;
	if (k + 1 < nf && lat > f[k].lat && f[k + 1].lat > f[k].lat) {
		reco->oracle_next = (int64_t)f[k + 1].i;
		reco->oracle_cpu_pct +=
		    (f[k + 1].cpu - f[k].cpu) * (lat - f[k].lat) / (f[k + 1].lat - f[k].lat);
	}
out:
	free(cpu);
	free(lt);
	free(f);
	free(idx);
	free(front);
}

static void recommend(struct hp_sweep_results *r, size_t t)
{
	const struct hp_sweep_config *c = r->c;
	struct hp_sweep_reco *reco = &r->reco[t];
	bool constrained = c->cpu_max_pct >= 0;
	double cmin = 0, cmax = 0, lmin = 0, lmax = 0, best_s = 0, lb = 0;
	uint64_t p;
	int s, first = 1;

	for (s = 0; s < HP_LAT_NSTAT; s++)
		constrained |= c->lat_max_ns[s] >= 0;
	reco->constrained = constrained;
	reco->point = -1;
	reco->oracle_window = reco->oracle_next = -1;
	if (!constrained) {
		for (p = 0; p < c->npoints; p++) {
			const struct hp_sweep_row *row = &r->rows[p * c->ntraces + t];
			double cpu = hp_sweep_row_cpu(row),
			       lat = hp_sweep_row_lat(row, c->lat_stat);

			if (!r->pareto[p * c->ntraces + t])
				continue;
			if (first || cpu < cmin)
				cmin = cpu;
			if (first || cpu > cmax)
				cmax = cpu;
			if (first || lat < lmin)
				lmin = lat;
			if (first || lat > lmax)
				lmax = lat;
			first = 0;
		}
	}
	for (p = 0; p < c->npoints; p++) {
		const struct hp_sweep_row *row = &r->rows[p * c->ntraces + t];
		double cpu = hp_sweep_row_cpu(row), lat = hp_sweep_row_lat(row, c->lat_stat), sc;

		if (row->failed ||
		    (constrained ? !hp_sweep_meets(c, row) : !r->pareto[p * c->ntraces + t]))
			continue;
		sc = constrained ? cpu
		                 : (cpu - cmin) / (cmax > cmin ? cmax - cmin : 1) +
		                       (lat - lmin) / (lmax > lmin ? lmax - lmin : 1);
		/*
		 * Ties of the score: the lower latency statistic, then the lower point
		 * (p only grows). For the knee this is what decides a two-point front,
		 * whose scaled sums are both exactly 1.
		 */
		if (reco->point < 0 || sc < best_s || (sc == best_s && lat < lb)) {
			reco->point = (int64_t)p;
			best_s = sc;
			lb = lat;
		}
	}
	reco->default_point =
	    (int64_t)c
	        ->series[reco->point >= 0 ? hp_sweep_point_series(c, (uint64_t)reco->point) : 0]
	        .default_point;
	if (reco->point >= 0) {
		r->recommended[(uint64_t)reco->point * c->ntraces + t] = 1;
		oracle_at(r, t, lb);
	}
}

int hp_sweep_analyze(const struct hp_sweep_config *c, const struct hp_sweep_row *rows,
                     struct hp_sweep_results *r, struct hp_err *err)
{
	uint64_t ngrid = c->npoints * c->ntraces, p;
	double *cpu, *lat;
	uint8_t *front;
	uint64_t *idx;
	size_t t, n;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->rows = rows;
	r->pareto = calloc(ngrid ? ngrid : 1, 1);
	r->recommended = calloc(ngrid ? ngrid : 1, 1);
	r->reco = calloc(c->ntraces, sizeof(*r->reco));
	cpu = malloc((c->npoints + 1) * sizeof(*cpu));
	lat = malloc((c->npoints + 1) * sizeof(*lat));
	idx = malloc((c->npoints + 1) * sizeof(*idx));
	front = malloc(c->npoints + 1);
	if (!r->pareto || !r->recommended || !r->reco || !cpu || !lat || !idx || !front)
		goto out;
	for (t = 0; t < c->ntraces; t++) {
		n = 0;
		for (p = 0; p < c->npoints; p++) {
			const struct hp_sweep_row *row = &rows[p * c->ntraces + t];

			if (row->failed)
				continue;
			cpu[n] = hp_sweep_row_cpu(row);
			lat[n] = hp_sweep_row_lat(row, c->lat_stat);
			idx[n++] = p * c->ntraces + t;
		}
		if (hp_pareto_front(cpu, lat, n, front) < 0)
			goto out;
		for (p = 0; p < n; p++)
			r->pareto[idx[p]] = front[p];
		recommend(r, t);
	}
	rc = 0;
out:
	free(cpu);
	free(lat);
	free(idx);
	free(front);
	if (rc < 0) {
		hp_sweep_results_free(r);
		return hp_errf(err, "out of memory");
	}
	return 0;
}

void hp_sweep_results_free(struct hp_sweep_results *r)
{
	free(r->pareto);
	free(r->recommended);
	free(r->reco);
	memset(r, 0, sizeof(*r));
}
