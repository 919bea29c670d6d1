/*
 * Refining a host recommendation: a second, finer sweep between the grid
 * neighbours of the chosen point. Each rounded parameter (ns, 100 or more) of
 * the answer's series gets every multiple of a finer step between its grid
 * neighbour below and the chosen value, and between that and its neighbour
 * above: the config's round step / 10, or on each side the largest 1-2-5 value
 * at most a tenth of that side (10 to 25 values a side); the smaller of the
 * two steps is the finer sweep's round step (the larger is a multiple of it). The chosen grid value
 * and the coarse answer are kept in it, so the finer grid holds both; the other parameters stay at
 * the chosen point's values. The finer sweep is the parent config with its policies, kernel and
 * params replaced (one series), no oracle, and the finer step as the
 * recommend section's round step, so that its answer is round at that step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/host.h"
#include "hpsim/policy.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

/* The largest value of the 1-2-5 series not above x (at least 1). */
static uint32_t floor125(double x)
{
	uint64_t d = 1, best = 1;

	for (; d <= 1000000000u; d *= 10) {
		static const unsigned m[] = {1, 2, 5};

		for (int i = 0; i < 3; i++)
			if ((double)(d * m[i]) <= x)
				best = d * m[i];
	}
	return (uint32_t)best;
}

/* The axis of series s holding qname, or NULL. */
static const struct hp_sweep_axis *axis_of(const struct hp_sweep_series *s, const char *qname,
                                           size_t *k)
{
	size_t a;

	for (a = 0; a < s->naxes; a++)
		for (*k = 0; *k < s->axes[a].nnames; (*k)++)
			if (!strcmp(s->axes[a].names[*k], qname))
				return &s->axes[a];
	return NULL;
}

/* Add v to the sorted set vals (n entries, room for cap); 0, or -1 when full. */
static int add_value(uint32_t *vals, size_t *n, size_t cap, uint32_t v)
{
	size_t i;

	for (i = 0; i < *n && vals[i] < v; i++)
		;
	if (i < *n && vals[i] == v)
		return 0;
	if (*n == cap)
		return -1;
	memmove(vals + i + 1, vals + i, (*n - i) * sizeof(*vals));
	vals[i] = v;
	(*n)++;
	return 0;
}

/* The multiples of step strictly between a and b into p's values; -1 when full. */
static int add_multiples(struct hp_refine_param *p, uint32_t a, uint32_t b, uint32_t step)
{
	uint64_t x;

	for (x = step ? ((uint64_t)a / step + 1) * step : b; x < b; x += step)
		if (add_value(p->values, &p->n, HP_REFINE_MAX_VALUES, (uint32_t)x) < 0)
			return -1;
	return 0;
}

/* One parameter's bracket and finer values. */
static int plan_param(const struct hp_sweep_config *c, const struct hp_host_reco *h, size_t k,
                      struct hp_refine_param *p, struct hp_err *err)
{
	const struct hp_sweep_series *s = &c->series[h->series];
	const struct hp_sweep_axis *ax;
	uint32_t v = h->grid_vals[k], step;
	size_t i, j;

	snprintf(p->name, sizeof(p->name), "%s", h->names[k]);
	p->grid = v;
	p->lo = p->hi = v;
	p->n = 0;
	ax = axis_of(s, h->names[k], &j);
	if (ax && !ax->zipped && sweep_param_rounded(s, h->names[k], v))
		for (i = 0; i < ax->nvalues; i++) {
			uint32_t x = ax->values[i * ax->nnames + j];

			if (x < v && (p->lo == v || x > p->lo))
				p->lo = x;
			if (x > v && (p->hi == v || x < p->hi))
				p->hi = x;
		}
	add_value(p->values, &p->n, HP_REFINE_MAX_VALUES, v);
	add_value(p->values, &p->n, HP_REFINE_MAX_VALUES, h->vals[k]);
	p->step = 0;
	if (p->lo == p->hi)
		return 0; /* not refined: a zipped, unrounded or single-valued parameter */
	step = sweep_round_step(c, h->names[k]);
	p->step_lo = v == p->lo ? 0
	             : step     ? (step >= 10 ? step / 10 : 1)
	                        : floor125((v - p->lo) / 10.0);
	p->step_hi = v == p->hi ? 0
	             : step     ? (step >= 10 ? step / 10 : 1)
	                        : floor125((p->hi - v) / 10.0);
	p->step = !p->step_lo || (p->step_hi && p->step_hi < p->step_lo) ? p->step_hi : p->step_lo;
	add_value(p->values, &p->n, HP_REFINE_MAX_VALUES, p->lo);
	add_value(p->values, &p->n, HP_REFINE_MAX_VALUES, p->hi);
	if (add_multiples(p, p->lo, v, p->step_lo) < 0 ||
	    add_multiples(p, v, p->hi, p->step_hi) < 0)
		return hp_errf(err, "refine: %s between %u and %u is more than %d values", p->name,
		               p->lo, p->hi, HP_REFINE_MAX_VALUES);
	return 0;
}

/* The parent's $.recommend with each refined parameter's round step set to the finer step. */
static json_t *recommend_of(json_t *parent, const struct hp_refine *r)
{
	json_t *reco = json_deep_copy(json_object_get(parent, "recommend"));
	json_t *round;
	size_t i;

	if (!reco)
		reco = json_object();
	round = json_object_get(reco, "round");
	if (!json_is_object(round)) {
		round = json_object();
		json_object_set_new(reco, "round", round);
	}
	for (i = 0; i < r->nparams; i++) {
		const char *dot = strchr(r->param[i].name, '.');

		if (!r->param[i].step)
			continue;
		/* one name per parameter: the unqualified one the parent may use goes */
		if (dot)
			json_object_del(round, dot + 1);
		json_object_set_new(round, r->param[i].name, json_integer(r->param[i].step));
	}
	return reco;
}

/* The JSON object text replacing the parent config's keys (malloc'd), or NULL. */
static char *make_patch(const struct hp_sweep_config *c, const struct hp_host_reco *h,
                        const char *parent_text, const struct hp_refine *r)
{
	const struct hp_sweep_series *s = &c->series[h->series];
	json_t *parent = json_loads(parent_text, 0, NULL), *p = json_object();
	json_t *stack = json_object(), *params = json_object();
	char *text = NULL;
	size_t i, k;
	int l;

	if (!parent || !p || !stack || !params)
		goto out;
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (s->policy[l])
			json_object_set_new(stack, hp_layer_name((enum hp_layer)l),
			                    json_string(s->policy[l]));
	for (i = 0; i < r->nparams; i++) {
		json_t *vals = json_array();

		for (k = 0; k < r->param[i].n; k++)
			json_array_append_new(vals, json_integer(r->param[i].values[k]));
		json_object_set_new(params, r->param[i].name, vals);
	}
	json_object_set(p, "policies", stack);
	json_object_set_new(p, "kernel", json_string(s->kernel ? s->kernel : "6.11"));
	json_object_set(p, "params", params);
	json_object_set_new(p, "zip", json_null());
	json_object_set_new(p, "oracle", json_false());
	json_object_set_new(p, "recommend", recommend_of(parent, r));
	text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
out:
	json_decref(parent);
	json_decref(p);
	json_decref(stack);
	json_decref(params);
	return text;
}

int hp_refine_plan(const struct hp_sweep_results *res, const struct hp_host_reco *h,
                   const char *parent_text, struct hp_refine *r, struct hp_err *err)
{
	const struct hp_sweep_config *c = res->c;
	size_t k;

	memset(r, 0, sizeof(*r));
	if (h->grid_point < 0 || h->status == HP_HOST_INFEASIBLE)
		return hp_errf(err, "refine: no point of the sweep meets every bound: nothing to "
		                    "refine around");
	r->npoints = 1;
	for (k = 0; k < h->nvals; k++) {
		if (plan_param(c, h, k, &r->param[r->nparams], err) < 0)
			return -1;
		r->nrefined += r->param[r->nparams].step != 0;
		r->npoints *= r->param[r->nparams].n;
		r->nparams++;
	}
	if (!r->nrefined)
		return hp_errf(err, "refine: the answer has no parameter to refine (no swept ns "
		                    "parameter with grid values on either side of it)");
	if (r->npoints > HP_REFINE_MAX_POINTS)
		return hp_errf(err, "refine: the finer grid would have %llu points (at most %d)",
		               (unsigned long long)r->npoints, HP_REFINE_MAX_POINTS);
	r->patch = make_patch(c, h, parent_text, r);
	if (!r->patch)
		return hp_errf(err, "out of memory");
	return 0;
}

void hp_refine_free(struct hp_refine *r)
{
	free(r->patch);
	r->patch = NULL;
}
