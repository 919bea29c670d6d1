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

static int parse_stack(json_t *st, const char *path, struct hp_sweep_series *s, json_t **params_out,
                       struct hp_err *err)
{
	static const char *const keys[] = {"guest", "host", "vcore", "params", NULL};
	char p[PATH_LEN];
	int l, any = 0;

	if (!json_is_object(st))
		return hp_errf(
		    err, "%s: expected a policy stack object like {\"host\": \"kvm\"}, not %s",
		    path, type_name(st));
	if (check_keys(st, path, keys, err) < 0)
		return -1;
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		json_t *v = json_object_get(st, hp_layer_name((enum hp_layer)l));
		struct hp_err e;

		if (!v)
			continue;
		path_key(p, path, hp_layer_name((enum hp_layer)l));
		if (!json_is_string(v))
			return hp_errf(err, "%s: expected a policy name, not %s", p, type_name(v));
		if (!hp_policy_lookup(json_string_value(v), (enum hp_layer)l, &e))
			return hp_errf(err, "%s: %s", p, e.msg);
		s->policy[l] = xstrdup(json_string_value(v));
		any = 1;
	}
	if (!any)
		return hp_errf(err, "%s: expected at least one of guest, host, vcore", path);
	*params_out = json_object_get(st, "params");
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

/* Policy stacks x kernels, each with the global axes plus the stack's own. */
int build_series(json_t *root, struct hp_sweep_config *c, struct raw_axes *global,
                 struct hp_err *err)
{
	json_t *pol = json_object_get(root, "policies"), *ker = json_object_get(root, "kernel");
	size_t nstacks, nkernels, st, k, a, n;
	struct raw_axes *local;
	char p[PATH_LEN];
	int rc = -1;

	if (!pol)
		pol = json_pack("{s:s}", "host", "kvm");
	else
		json_incref(pol);
	if (!ker)
		ker = json_string("6.11");
	else
		json_incref(ker);
	local = calloc(1, sizeof(*local));
	if (!pol || !ker || !local) {
		hp_errf(err, "out of memory");
		goto out;
	}
	if (!json_is_object(pol) && !(json_is_array(pol) && json_array_size(pol))) {
		hp_errf(err, "$.policies: expected a policy stack object or a non-empty array of "
		             "them");
		goto out;
	}
	if (!json_is_string(ker) && !(json_is_array(ker) && json_array_size(ker))) {
		hp_errf(err, "$.kernel: expected a version string or a non-empty array of them");
		goto out;
	}
	nstacks = json_is_array(pol) ? json_array_size(pol) : 1;
	nkernels = json_is_array(ker) ? json_array_size(ker) : 1;
	c->nseries = nstacks * nkernels;
	c->series = calloc(c->nseries, sizeof(*c->series));
	if (!c->series) {
		hp_errf(err, "out of memory");
		goto out;
	}
	for (st = 0; st < nstacks; st++) {
		json_t *stack = json_is_array(pol) ? json_array_get(pol, st) : pol, *params = NULL;

		if (json_is_array(pol))
			path_idx(p, "$.policies", st);
		else
			snprintf(p, sizeof(p), "$.policies");
		free_raw(local);
		for (k = 0; k < nkernels; k++) {
			struct hp_sweep_series *s = &c->series[st * nkernels + k];
			json_t *kv = json_is_array(ker) ? json_array_get(ker, k) : ker;
			char kp[PATH_LEN];
			uint32_t ver;
			struct hp_err e;

			if (json_is_array(ker))
				path_idx(kp, "$.kernel", k);
			else
				snprintf(kp, sizeof(kp), "$.kernel");
			if (!json_is_string(kv)) {
				hp_errf(err, "%s: expected a kernel version string like \"6.11\"",
				        kp);
				goto out;
			}
			if (hp_kver_parse(json_string_value(kv), &ver, &e) < 0) {
				hp_errf(err, "%s: %s", kp, e.msg);
				goto out;
			}
			s->kernel = xstrdup(json_string_value(kv));
			snprintf(s->stack_path, sizeof(s->stack_path), "%.47s", p);
			snprintf(s->kernel_path, sizeof(s->kernel_path), "%.47s", kp);
			if (parse_stack(stack, p, s, &params, err) < 0)
				goto out;
			if (k == 0 && params) {
				char pp[PATH_LEN];

				path_key(pp, p, "params");
				if (add_param_axes(params, pp, c->max_points, local, err) < 0)
					goto out;
			}
			series_label(s);
			s->axes = calloc(global->n + local->n + 1, sizeof(*s->axes));
			if (!s->axes) {
				hp_errf(err, "out of memory");
				goto out;
			}
			if (series_add_axes(s, global, err) < 0 ||
			    series_add_axes(s, local, err) < 0)
				goto out;
			s->npoints = 1;
			for (a = 0; a < s->naxes; a++) {
				for (n = 0; n < s->axes[a].nnames; n++)
					if (add_col(c, s->axes[a].names[n], err) < 0)
						goto out;
				if (s->npoints > c->max_points / s->axes[a].nvalues + 1) {
					s->npoints = c->max_points + 1;
					continue;
				}
				s->npoints *= s->axes[a].nvalues;
			}
			s->first_point = c->ngrid;
			c->ngrid += s->npoints;
			if (c->ngrid > c->max_points) {
				hp_errf(err,
				        "$.max_points: the grid has more than %llu points "
				        "(max_points); "
				        "narrow the ranges or raise max_points",
				        (unsigned long long)c->max_points);
				goto out;
			}
		}
	}
	if (sweep_check_memory((double)c->ngrid * (double)c->ntraces, 256, "$.max_points",
	                       "points x traces", err) < 0)
		goto out;
	rc = 0;
out:
	if (local)
		free_raw(local);
	free(local);
	json_decref(pol);
	json_decref(ker);
	return rc;
}

/* Where each series' default point is: in its grid, or appended after all grids. */
void place_defaults(struct hp_sweep_config *c)
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
