/*
 * One setting for a host, from a finished sweep.
 *
 * Every grid point is one candidate setting for all the traces together (a
 * point fixes the policy stack, the kernel and every swept parameter). Its
 * weighted CPU is sum(w_t * poll_cpu_pct_t) / sum(w_t), its weighted latency
 * the same mean of the objective's latency statistic.
 *  - With bounds (on any trace): the point of least weighted CPU among those
 *    where every trace meets its own bounds; ties: lower weighted latency,
 *    then the lower point. None: the closest point is the one whose worst
 *    miss, relative to its bound, is least; its misses are reported.
 *  - Without: the knee of the weighted Pareto front (the rule of a single
 *    trace's recommendation, on the weighted figures).
 * Rounding: a swept parameter in ns whose value is 100 or more is rounded to
 * the 1-2-5 series (or to a multiple of the step $.recommend.round names);
 * the round values just below and above the grid's value are candidates,
 * every combination of them, taken from the grid when it holds them and
 * replayed on every trace when it does not. The best candidate by the same
 * rule is the answer (the knee rule scores candidates on the grid front's
 * spans). Finally the answer is replayed on every trace with full metrics,
 * whose KVM statistics are the prediction for the host.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/host.h"
#include "hpsim/pareto.h"
#include "hpsim/policy.h"
#include "hpsim/replay.h"
#include "sweep_int.h"

bool hp_host_is_round(uint32_t v, uint32_t step)
{
	uint64_t p;

	if (step)
		return v % step == 0;
	if (v == 0)
		return true;
	for (p = 1; p <= v; p *= 10)
		if (v == p || v == 2 * p || v == 5 * p)
			return true;
	return false;
}

void hp_host_round_pair(uint32_t v, uint32_t step, uint32_t *lo, uint32_t *hi)
{
	uint64_t p, best_lo = 0, best_hi = UINT64_MAX;
	static const unsigned m[3] = {1, 2, 5};
	int i;

	if (step) {
		*lo = v / step * step;
		*hi = (uint64_t)*lo + (v % step ? step : 0) > UINT32_MAX
		          ? *lo
		          : *lo + (v % step ? step : 0);
		return;
	}
	for (p = 1; p <= (uint64_t)UINT32_MAX * 10; p *= 10)
		for (i = 0; i < 3; i++) {
			uint64_t x = m[i] * p;

			if (x <= v && x > best_lo)
				best_lo = x;
			if (x >= v && x < best_hi)
				best_hi = x;
		}
	*lo = (uint32_t)best_lo;
	*hi = (uint32_t)(best_hi > UINT32_MAX ? best_lo : best_hi);
}

/* A weighted figure: what hp_host_recommend compares. */
struct score {
	bool ran; /* every trace ran */
	bool meets;
	double cpu, lat;
	double worst; /* the largest relative miss (0: meets) */
};

static void add_miss(struct hp_host_reco *h, size_t t, int stat, double v, double bound)
{
	if (h && h->nmiss < sizeof(h->miss) / sizeof(h->miss[0]))
		h->miss[h->nmiss++] = (struct hp_host_miss){t, stat, v, bound};
}

/* Score rows[t] (one per trace) against the traces' weights and bounds; misses into h. */
static struct score score_rows(const struct hp_sweep_config *c,
                               const struct hp_sweep_row *const *rows, struct hp_host_reco *h)
{
	struct score s = {true, true, 0, 0, 0};
	double wsum = 0;
	size_t t;
	int k;

	for (t = 0; t < c->ntraces; t++) {
		const struct hp_host_trace *ht = &c->host->trace[t];
		const struct hp_sweep_row *r = rows[t];
		double cpu;

		if (r->failed) {
			s.ran = s.meets = false;
			return s;
		}
		cpu = hp_sweep_row_cpu(r);
		s.cpu += ht->weight * cpu;
		s.lat += ht->weight * hp_sweep_row_lat(r, c->lat_stat);
		wsum += ht->weight;
		for (k = 0; k <= HP_LAT_NSTAT; k++) {
			double b = k < HP_LAT_NSTAT ? ht->lat_max_ns[k] : ht->cpu_max_pct;
			double v =
			    k < HP_LAT_NSTAT ? hp_sweep_row_lat(r, (enum hp_sweep_lat)k) : cpu;

			if (b < 0 || v <= b)
				continue;
			s.meets = false;
			if ((v - b) / (b > 0 ? b : 1) > s.worst)
				s.worst = (v - b) / (b > 0 ? b : 1);
			add_miss(h, t, k, v, b);
		}
	}
	s.cpu /= wsum;
	s.lat /= wsum;
	return s;
}

static struct score score_point(const struct hp_sweep_results *r, uint64_t p,
                                struct hp_host_reco *h)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_row *rows[c->ntraces ? c->ntraces : 1];
	size_t t;

	for (t = 0; t < c->ntraces; t++)
		rows[t] = &r->rows[p * c->ntraces + t];
	return score_rows(c, rows, h);
}

static bool constrained(const struct hp_sweep_config *c)
{
	size_t t;
	int k;

	for (t = 0; t < c->ntraces; t++)
		for (k = 0; k < HP_LAT_NSTAT; k++)
			if (c->host->trace[t].lat_max_ns[k] >= 0 ||
			    c->host->trace[t].cpu_max_pct >= 0)
				return true;
	return false;
}

/* The knee normalization: the weighted front's spans. */
struct spans {
	double cmin, cmax, lmin, lmax;
};

static double knee(const struct spans *sp, const struct score *s)
{
	return (s->cpu - sp->cmin) / (sp->cmax > sp->cmin ? sp->cmax - sp->cmin : 1) +
	       (s->lat - sp->lmin) / (sp->lmax > sp->lmin ? sp->lmax - sp->lmin : 1);
}

/* Is a better than b (with the knee spans when unconstrained)? */
static bool better(bool cons, const struct spans *sp, const struct score *a, const struct score *b)
{
	double x = cons ? a->cpu : knee(sp, a), y = cons ? b->cpu : knee(sp, b);

	if (x != y)
		return x < y;
	return a->lat < b->lat;
}

/* The best grid point by the rule (or the closest when none meets); -1 if none ran. */
static int64_t best_point(const struct hp_sweep_results *r, bool cons, struct spans *sp)
{
	const struct hp_sweep_config *c = r->c;
	double *cpu = calloc(c->npoints + 1, sizeof(*cpu));
	double *lat = calloc(c->npoints + 1, sizeof(*lat));
	uint64_t *idx = malloc((c->npoints + 1) * sizeof(*idx));
	uint8_t *front = malloc(c->npoints + 1);
	struct score best = {0}, s;
	int64_t bp = -1, closest = -1;
	double worst = 0;
	uint64_t p, n = 0;
	int first = 1;

	if (!cpu || !lat || !idx || !front)
		goto out;
	for (p = 0; p < c->npoints; p++) {
		s = score_point(r, p, NULL);
		if (!s.ran)
			continue;
		cpu[n] = s.cpu;
		lat[n] = s.lat;
		idx[n++] = p;
		if (!s.meets && (closest < 0 || s.worst < worst)) {
			closest = (int64_t)p;
			worst = s.worst;
		}
	}
	if (hp_pareto_front(cpu, lat, n, front) < 0)
		goto out; /* out of memory: as if none ran */
	for (p = 0; p < n; p++) {
		if (!front[p])
			continue;
		if (first || cpu[p] < sp->cmin)
			sp->cmin = cpu[p];
		if (first || cpu[p] > sp->cmax)
			sp->cmax = cpu[p];
		if (first || lat[p] < sp->lmin)
			sp->lmin = lat[p];
		if (first || lat[p] > sp->lmax)
			sp->lmax = lat[p];
		first = 0;
	}
	for (p = 0; p < n; p++) {
		s = score_point(r, idx[p], NULL);
		if (cons ? !s.meets : !front[p])
			continue;
		if (bp < 0 || better(cons, sp, &s, &best)) {
			bp = (int64_t)idx[p];
			best = s;
		}
	}
	if (bp < 0)
		bp = closest < 0 ? -1 : -2 - closest; /* encoded: no point meets */
out:
	free(cpu);
	free(lat);
	free(idx);
	free(front);
	return bp;
}

/* A layer's statistics and totals from a full replay of one trace at a spec. */
static int replay_at(const struct hp_episodes *eps, const struct hp_run_spec *spec,
                     struct hp_host_at *at, struct hp_err *err)
{
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	int l;

	if (hp_engine_configure(spec, &cfg, err) < 0 ||
	    hp_replay(eps, &cfg, &m, &st, NULL, NULL, err) < 0)
		return -1;
	memset(at, 0, sizeof(*at));
	at->row.halts = m.total.halts;
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		at->layers[l] = m.layers[l];
		at->layer[l] = m.total.layer[l];
		at->row.attempted += m.total.layer[l].halt_attempted_poll;
		at->row.successful += m.total.layer[l].halt_successful_poll;
		at->row.poll_ns += hp_layer_poll_ns(&m.total.layer[l]);
	}
	at->row.wall_ns = eps->t_last_ns - eps->t_first_ns;
	at->row.ncpu = eps->ncpu;
	at->row.lat_sum = m.total.latency.sum;
	at->row.lat_q[0] = hp_lat_quantile(&m.total.latency, 0.50);
	at->row.lat_q[1] = hp_lat_quantile(&m.total.latency, 0.90);
	at->row.lat_q[2] = hp_lat_quantile(&m.total.latency, 0.99);
	at->row.lat_q[3] = hp_lat_quantile(&m.total.latency, 0.999);
	at->row.lat_max = m.total.latency.max;
	hp_metrics_free(&m);
	return 0;
}

/* The spec of grid point p on trace t with vals replacing the series' swept values. */
static void spec_at(const struct hp_sweep_config *c, const struct hp_host_reco *h, size_t t,
                    const uint32_t *vals, struct hp_sweep_spec *s)
{
	size_t tr, i, k;

	hp_sweep_unit_spec(c, (uint64_t)h->grid_point * c->ntraces + t, s, &tr);
	for (i = 0; i < s->spec.nparams; i++)
		for (k = 0; k < h->nvals; k++)
			if (!strcmp(s->spec.params[i].name, h->names[k]))
				snprintf(s->text[i], sizeof(s->text[i]), "%u", vals[k]);
}

/* The step $.recommend.round names for a qualified parameter, or 0 (the 1-2-5 series). */
static uint32_t step_of(const struct hp_sweep_config *c, const char *qname)
{
	const char *dot = strchr(qname, '.');
	size_t i;

	for (i = 0; i < c->host->nsteps; i++)
		if (!strcmp(c->host->steps[i].name, qname) ||
		    (dot && !strcmp(c->host->steps[i].name, dot + 1)))
			return c->host->steps[i].step;
	return 0;
}

/* Is a series' qualified parameter measured in ns? */
static bool is_ns(const struct hp_sweep_series *s, const char *qname)
{
	const char *dot = strchr(qname, '.');
	int l;

	for (l = 0; l < HP_LAYER_COUNT && dot; l++) {
		const struct hp_policy_ops *ops;
		const struct hp_param *p;

		if (!s->policy[l] ||
		    strncmp(qname, hp_layer_name((enum hp_layer)l), (size_t)(dot - qname)))
			continue;
		ops = hp_policy_lookup(s->policy[l], (enum hp_layer)l, NULL);
		p = ops ? hp_policy_param(ops, dot + 1) : NULL;
		if (p)
			return p->unit && !strcmp(p->unit, "ns");
	}
	return false;
}

/* The grid point of series s with these values, or -1. */
static int64_t find_point(const struct hp_sweep_config *c, const struct hp_host_reco *h,
                          const uint32_t *vals)
{
	const struct hp_sweep_series *s = &c->series[h->series];
	uint32_t pv[HP_MAX_SETTINGS * 2];
	uint8_t has[HP_MAX_SETTINGS * 2];
	uint64_t p;
	size_t i, k;

	for (p = s->first_point; p < s->first_point + s->npoints; p++) {
		hp_sweep_point_values(c, p, pv, has);
		for (k = 0; k < h->nvals; k++) {
			for (i = 0; i < c->ncols && strcmp(c->cols[i], h->names[k]); i++)
				;
			if (i == c->ncols || !has[i] || pv[i] != vals[k])
				break;
		}
		if (k == h->nvals)
			return (int64_t)p;
	}
	return -1;
}

/* Replay every trace at vals into at[]; 0 or -1. */
static int replay_all(const struct hp_sweep_results *r, const struct hp_episodes *eps,
                      const struct hp_host_reco *h, const uint32_t *vals, struct hp_host_at *at,
                      struct hp_err *err)
{
	const struct hp_sweep_config *c = r->c;
	struct hp_sweep_spec *s = malloc(sizeof(*s));
	size_t t;

	if (!s)
		return hp_errf(err, "out of memory");
	for (t = 0; t < c->ntraces; t++) {
		spec_at(c, h, t, vals, s);
		/* the traces as the grid point's kernel release read them */
		if (replay_at(&eps[hp_sweep_unit_eps(c, (uint64_t)h->grid_point * c->ntraces + t)],
		              &s->spec, &at[t], err) < 0) {
			free(s);
			return hp_err_prefix(err, "%s: ", c->traces[t].label);
		}
	}
	free(s);
	return 0;
}

/* Round the grid's answer: try the round neighbours, keep the best in h->vals. */
static int round_answer(const struct hp_sweep_results *r, const struct hp_episodes *eps, bool cons,
                        const struct spans *sp, struct hp_host_reco *h, struct hp_err *err)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_series *s = &c->series[h->series];
	uint32_t lo[HP_HOST_MAX_ROUND], hi[HP_HOST_MAX_ROUND], vals[HP_MAX_SETTINGS];
	size_t which[HP_HOST_MAX_ROUND], nr = 0, k, t;
	struct hp_host_at *at = calloc(c->ntraces + 1, sizeof(*at));
	const struct hp_sweep_row **rows = calloc(c->ntraces + 1, sizeof(*rows));
	struct score best = {0}, sc;
	bool have = false;
	unsigned mask;

	if (!at || !rows) {
		free(at);
		free(rows);
		return hp_errf(err, "out of memory");
	}
	for (k = 0; k < h->nvals; k++) {
		uint32_t v = h->grid_vals[k], step = step_of(c, h->names[k]);

		if (v < 100 || !is_ns(s, h->names[k]) || hp_host_is_round(v, step))
			continue;
		if (nr == HP_HOST_MAX_ROUND)
			break;
		hp_host_round_pair(v, step, &lo[nr], &hi[nr]);
		which[nr++] = k;
	}
	memcpy(h->vals, h->grid_vals, sizeof(h->vals));
	for (mask = 0; nr && mask < (1u << nr); mask++) {
		int64_t p;

		memcpy(vals, h->grid_vals, sizeof(vals));
		for (k = 0; k < nr; k++)
			vals[which[k]] = mask & (1u << k) ? hi[k] : lo[k];
		h->candidates++;
		p = find_point(c, h, vals);
		if (p >= 0) {
			for (t = 0; t < c->ntraces; t++)
				rows[t] = &r->rows[(uint64_t)p * c->ntraces + t];
		} else {
			if (replay_all(r, eps, h, vals, at, err) < 0) {
				free(at);
				free(rows);
				return -1;
			}
			h->replayed++;
			for (t = 0; t < c->ntraces; t++)
				rows[t] = &at[t].row;
		}
		sc = score_rows(c, rows, NULL);
		if (cons && !sc.meets)
			continue;
		if (!have || better(cons, sp, &sc, &best)) {
			have = true;
			best = sc;
			memcpy(h->vals, vals, sizeof(h->vals));
		}
	}
	if (nr && !have)
		h->status = HP_HOST_ROUND_FAILS;
	h->rounded = memcmp(h->vals, h->grid_vals, h->nvals * sizeof(uint32_t)) != 0;
	free(at);
	free(rows);
	return 0;
}

/*
 * A trace's own best: the least CPU among the points meeting its own bounds,
 * or, with none, the knee of its front (the sweep's per-trace answer).
 */
static int64_t own_best(const struct hp_sweep_results *r, size_t t)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_host_trace *ht = &c->host->trace[t];
	const struct hp_sweep_row *row[1];
	struct hp_sweep_config one = *c;
	struct hp_sweep_host host = {(struct hp_host_trace *)ht, 0, NULL};
	struct score best = {0}, s;
	int64_t bp = -1;
	uint64_t p;
	int k;

	for (k = 0; k < HP_LAT_NSTAT && ht->lat_max_ns[k] < 0; k++)
		;
	if (k == HP_LAT_NSTAT && ht->cpu_max_pct < 0)
		return r->reco[t].constrained ? -1 : r->reco[t].point;
	one.ntraces = 1;
	one.host = &host;
	for (p = 0; p < c->npoints; p++) {
		row[0] = &r->rows[p * c->ntraces + t];
		s = score_rows(&one, row, NULL);
		if (!s.meets)
			continue;
		if (bp < 0 || s.cpu < best.cpu || (s.cpu == best.cpu && s.lat < best.lat)) {
			bp = (int64_t)p;
			best = s;
		}
	}
	return bp;
}

int hp_host_recommend(const struct hp_sweep_results *r, const struct hp_episodes *eps,
                      struct hp_host_reco *h, struct hp_err *err)
{
	const struct hp_sweep_config *c = r->c;
	uint32_t pv[HP_MAX_SETTINGS * 2];
	uint8_t has[HP_MAX_SETTINGS * 2];
	struct spans sp = {0, 0, 0, 0};
	const struct hp_sweep_row **rows;
	struct score sc;
	int64_t bp;
	size_t i, t;

	memset(h, 0, sizeof(*h));
	h->constrained = constrained(c);
	bp = best_point(r, h->constrained, &sp);
	h->grid_point = bp >= 0 ? bp : bp == -1 ? -1 : -2 - bp;
	if (h->grid_point < 0)
		return hp_errf(err, "no point of the sweep ran on every trace without an error");
	h->series = hp_sweep_point_series(c, (uint64_t)h->grid_point);
	hp_sweep_point_values(c, (uint64_t)h->grid_point, pv, has);
	for (i = 0; i < c->ncols; i++)
		if (has[i] && h->nvals < HP_MAX_SETTINGS) {
			h->names[h->nvals] = c->cols[i];
			h->grid_vals[h->nvals++] = pv[i];
		}
	memcpy(h->vals, h->grid_vals, sizeof(h->vals));
	sc = score_point(r, c->series[h->series].default_point, NULL);
	h->dflt_ok = sc.ran;
	h->dflt_cpu_pct = sc.cpu;
	h->dflt_lat_ns = sc.lat;
	if (bp < 0) {
		h->status = HP_HOST_INFEASIBLE;
		score_point(r, (uint64_t)h->grid_point, h);
	} else if (round_answer(r, eps, h->constrained, &sp, h, err) < 0) {
		return -1;
	}
	if (h->status == HP_HOST_ROUND_FAILS)
		memcpy(h->vals, h->grid_vals, sizeof(h->vals));
	h->at = calloc(c->ntraces + 1, sizeof(*h->at));
	rows = calloc(c->ntraces + 1, sizeof(*rows));
	if (!h->at || !rows) {
		free(rows);
		hp_host_reco_free(h);
		return hp_errf(err, "out of memory");
	}
	if (replay_all(r, eps, h, h->vals, h->at, err) < 0) {
		free(rows);
		hp_host_reco_free(h);
		return -1;
	}
	for (t = 0; t < c->ntraces; t++) {
		rows[t] = &h->at[t].row;
		h->at[t].own_point = own_best(r, t);
	}
	sc = score_rows(c, rows, NULL);
	h->cpu_pct = sc.cpu;
	h->lat_ns = sc.lat;
	free(rows);
	return 0;
}

void hp_host_reco_free(struct hp_host_reco *h)
{
	free(h->at);
	h->at = NULL;
}

uint32_t sweep_round_step(const struct hp_sweep_config *c, const char *qname)
{
	return step_of(c, qname);
}

bool sweep_param_rounded(const struct hp_sweep_series *s, const char *qname, uint32_t v)
{
	return v >= 100 && is_ns(s, qname);
}
