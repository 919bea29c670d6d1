/*
 * The grid layout derived from a parsed sweep config: series (policy stacks
 * x kernels) with their qualified axes, the parameter columns, point
 * numbering and each series' default point.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "hpsim/policy.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

/* Qualify name against the series' stack: "layer.param"; -1 with err. */
static int qualify(const struct hp_sweep_series *s, const char *name, const char *path, char *out,
                   size_t outlen, struct hp_err *err)
{
	const struct hp_policy_ops *ops[HP_LAYER_COUNT];
	struct hp_param_ref r;
	char scope[200];

	sweep_series_ops(s, ops);
	snprintf(scope, sizeof(scope), "policy of series '%s'", s->label);
	if (hp_param_resolve(ops, name, scope, &r, err) < 0)
		return hp_err_prefix(err, "%s: ", path);
	snprintf(out, outlen, "%s.%s", hp_layer_name(r.layer), r.param->name);
	return 0;
}

/* Copy the raw axes into the series, qualified; check each value against the parameter's range. */
static int series_add_axes(struct hp_sweep_series *s, const struct raw_axes *ra, struct hp_err *err)
{
	size_t a, k, j, v;
	char q[128];

	for (a = 0; a < ra->n; a++) {
		const struct hp_sweep_axis *src = &ra->ax[a];
		struct hp_sweep_axis *dst = &s->axes[s->naxes++];

		dst->path = xstrdup(src->path);
		dst->zipped = src->zipped;
		dst->nnames = src->nnames;
		dst->nvalues = src->nvalues;
		dst->values = malloc(src->nvalues * src->nnames * sizeof(uint32_t));
		if (!dst->path || !dst->values)
			return hp_errf(err, "out of memory");
		memcpy(dst->values, src->values, src->nvalues * src->nnames * sizeof(uint32_t));
		for (k = 0; k < src->nnames; k++) {
			char p[PATH_LEN];

			if (src->zipped)
				path_key(p, src->path, src->names[k]);
			else
				snprintf(p, sizeof(p), "%s", src->path);
			if (qualify(s, src->names[k], p, q, sizeof(q), err) < 0)
				return -1;
			for (j = 0; j < s->naxes - 1; j++)
				for (v = 0; v < s->axes[j].nnames; v++)
					if (!strcmp(s->axes[j].names[v], q))
						return hp_errf(
						    err,
						    "%s: %s is swept twice in series '%s' "
						    "(also at %s)",
						    p, q, s->label, s->axes[j].path);
			for (j = 0; j < k; j++)
				if (!strcmp(dst->names[j], q))
					return hp_errf(err, "%s: %s appears twice in the group", p,
					               q);
			dst->names[k] = xstrdup(q);
			if (!dst->names[k])
				return hp_errf(err, "out of memory");
		}
	}
	return 0;
}

static void series_label(struct hp_sweep_series *s)
{
	size_t len = 0;
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (s->policy[l])
			len += (size_t)snprintf(s->label + len, sizeof(s->label) - len, "%s=%s ",
			                        hp_layer_name((enum hp_layer)l), s->policy[l]);
	snprintf(s->label + len, sizeof(s->label) - len, "k=%s", s->kernel);
}

static int add_col(struct hp_sweep_config *c, const char *name, struct hp_err *err)
{
	size_t i;
	char **nc;

	for (i = 0; i < c->ncols; i++)
		if (!strcmp(c->cols[i], name))
			return 0;
	nc = realloc(c->cols, (c->ncols + 1) * sizeof(*nc));
	if (!nc)
		return hp_errf(err, "out of memory");
	c->cols = nc;
	c->cols[c->ncols] = xstrdup(name);
	if (!c->cols[c->ncols])
		return hp_errf(err, "out of memory");
	c->ncols++;
	return 0;
}

/* One series: stack st under kernel k, with the global axes and the stack's own. */
static int build_one(const struct sweep_input *in, const struct sweep_stack *st,
                     const struct sweep_kernel *k, struct hp_sweep_series *s,
                     struct hp_sweep_config *c, struct hp_err *err)
{
	size_t a, n;
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (st->policy[l] && !(s->policy[l] = xstrdup(st->policy[l])))
			return hp_errf(err, "out of memory");
	s->kernel = xstrdup(k->version);
	if (!s->kernel)
		return hp_errf(err, "out of memory");
	snprintf(s->stack_path, sizeof(s->stack_path), "%s", st->path);
	snprintf(s->kernel_path, sizeof(s->kernel_path), "%s", k->path);
	series_label(s);
	s->axes = calloc(in->global.n + st->axes.n + 1, sizeof(*s->axes));
	if (!s->axes)
		return hp_errf(err, "out of memory");
	if (series_add_axes(s, &in->global, err) < 0 || series_add_axes(s, &st->axes, err) < 0)
		return -1;
	s->npoints = 1;
	for (a = 0; a < s->naxes; a++) {
		for (n = 0; n < s->axes[a].nnames; n++)
			if (add_col(c, s->axes[a].names[n], err) < 0)
				return -1;
		if (s->npoints > c->max_points / s->axes[a].nvalues + 1) {
			s->npoints = c->max_points + 1;
			continue;
		}
		s->npoints *= s->axes[a].nvalues;
	}
	s->first_point = c->ngrid;
	c->ngrid += s->npoints;
	if (c->ngrid > c->max_points)
		return hp_errf(err,
		               "$.max_points: the grid has more than %llu points (max_points); "
		               "narrow the ranges or raise max_points",
		               (unsigned long long)c->max_points);
	return 0;
}

/* Where each series' default point is: in its grid, or appended after all grids. */
static void place_defaults(struct hp_sweep_config *c)
{
	size_t si, a, k, v;

	c->npoints = c->ngrid;
	for (si = 0; si < c->nseries; si++) {
		struct hp_sweep_series *s = &c->series[si];
		uint64_t idx = 0;
		bool found = true;

		for (a = 0; a < s->naxes && found; a++) {
			const struct hp_sweep_axis *ax = &s->axes[a];

			for (v = 0; v < ax->nvalues; v++) {
				for (k = 0; k < ax->nnames; k++)
					if (ax->values[v * ax->nnames + k] !=
					    sweep_param_default(c, s, ax->names[k]))
						break;
				if (k == ax->nnames)
					break;
			}
			if (v == ax->nvalues)
				found = false;
			else
				idx = idx * ax->nvalues + v;
		}
		s->default_point = found ? s->first_point + idx : c->npoints++;
	}
}

int sweep_grid_build(const struct sweep_input *in, struct hp_sweep_config *c, struct hp_err *err)
{
	size_t st, k;

	c->nseries = in->nstacks * in->nkernels;
	c->series = calloc(c->nseries ? c->nseries : 1, sizeof(*c->series));
	if (!c->series)
		return hp_errf(err, "out of memory");
	for (st = 0; st < in->nstacks; st++)
		for (k = 0; k < in->nkernels; k++)
			if (build_one(in, &in->stacks[st], &in->kernels[k],
			              &c->series[st * in->nkernels + k], c, err) < 0)
				return -1;
	if (sweep_check_memory((double)c->ngrid * (double)c->ntraces, 256, "$.max_points",
	                       "points x traces", err) < 0)
		return -1;
	place_defaults(c);
	return 0;
}
