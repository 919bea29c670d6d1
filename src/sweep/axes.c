/*
 * Sweep config parameter axes: value lists and ranges expanded, $.params
 * and $.zip read into raw axes (not yet qualified against a series).
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

static int push_value(uint32_t **vals, size_t *n, size_t *cap, uint32_t v, struct hp_err *err)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		uint32_t *nv = realloc(*vals, nc * sizeof(*nv));

		if (!nv)
			return hp_errf(err, "out of memory");
		*vals = nv;
		*cap = nc;
	}
	(*vals)[(*n)++] = v;
	return 0;
}

/*
 * A parameter's values: a number, a list, {from,to,step} or
 * {from,to,per_decade}. Never more than limit values.
 */
int expand_values(json_t *v, const char *path, uint64_t limit, uint32_t **vals, size_t *n,
                  struct hp_err *err)
{
	static const char *const range_keys[] = {"from", "to", "step", "per_decade", NULL};
	char p[PATH_LEN];
	size_t cap = 0, i;
	uint64_t x, from, to, step, per;

	*vals = NULL;
	*n = 0;
	if (json_is_array(v)) {
		if (!json_array_size(v))
			return hp_errf(err, "%s: empty list (expected at least one value)", path);
		if (json_array_size(v) > limit)
			return hp_errf(err, "%s: %zu values, more than max_points (%llu)", path,
			               json_array_size(v), (unsigned long long)limit);
		for (i = 0; i < json_array_size(v); i++) {
			path_idx(p, path, i);
			if (get_uint(json_array_get(v, i), p, UINT32_MAX, &x, err) < 0 ||
			    push_value(vals, n, &cap, (uint32_t)x, err) < 0)
				goto fail;
		}
		return 0;
	}
	if (!json_is_object(v)) {
		if (get_uint(v, path, UINT32_MAX, &x, err) < 0)
			return hp_errf(err,
			               "%s: expected a value, a list, {from, to, step} or "
			               "{from, to, per_decade}, not %s",
			               path, type_name(v));
		return push_value(vals, n, &cap, (uint32_t)x, err);
	}
	if (check_keys(v, path, range_keys, err) < 0)
		return -1;
	if (!json_object_get(v, "from") || !json_object_get(v, "to"))
		return hp_errf(err, "%s: a range needs \"from\" and \"to\"", path);
	if (!!json_object_get(v, "step") == !!json_object_get(v, "per_decade"))
		return hp_errf(err,
		               "%s: a range needs exactly one of \"step\" (linear) or "
		               "\"per_decade\" (logarithmic)",
		               path);
	path_key(p, path, "from");
	if (get_uint(json_object_get(v, "from"), p, UINT32_MAX, &from, err) < 0)
		return -1;
	path_key(p, path, "to");
	if (get_uint(json_object_get(v, "to"), p, UINT32_MAX, &to, err) < 0)
		return -1;
	if (to < from)
		return hp_errf(err, "%s: empty range: to (%llu) is below from (%llu)", path,
		               (unsigned long long)to, (unsigned long long)from);
	if (json_object_get(v, "step")) {
		path_key(p, path, "step");
		if (get_uint(json_object_get(v, "step"), p, UINT32_MAX, &step, err) < 0)
			return -1;
		if (step == 0)
			return hp_errf(err, "%s: a step of 0 (expected a positive integer)", p);
		if ((to - from) / step + 1 > limit)
			return hp_errf(err, "%s: %llu values, more than max_points (%llu)", path,
			               (unsigned long long)((to - from) / step + 1),
			               (unsigned long long)limit);
		if (sweep_check_memory((double)((to - from) / step + 1), 8, path, "values", err) <
		    0)
			return -1;
		for (x = from; x <= to; x += step)
			if (push_value(vals, n, &cap, (uint32_t)x, err) < 0)
				goto fail;
		return 0;
	}
	path_key(p, path, "per_decade");
	if (get_uint(json_object_get(v, "per_decade"), p, 1000, &per, err) < 0)
		return -1;
	if (per == 0)
		return hp_errf(err, "%s: 0 values per decade (expected a positive integer)", p);
	if (from == 0)
		return hp_errf(err, "%s.from: 0 (a logarithmic range starts above 0)", path);
	for (i = 0;; i++) {
		double d = (double)from * pow(10.0, (double)i / (double)per);

		x = (uint64_t)llround(d);
		if (x > to) /* the bound is on the rounded values, the ones the sweep runs */
			break;
		if ((*n && (*vals)[*n - 1] == x))
			continue;
		if (*n >= limit) {
			hp_errf(err, "%s: more values than max_points (%llu)", path,
			        (unsigned long long)limit);
			goto fail;
		}
		if (push_value(vals, n, &cap, (uint32_t)x, err) < 0)
			goto fail;
	}
	return 0;
fail:
	free(*vals);
	*vals = NULL;
	*n = 0;
	return -1;
}

void axis_free(struct hp_sweep_axis *a)
{
	size_t i;

	for (i = 0; i < a->nnames; i++)
		free(a->names[i]);
	free(a->values);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

int add_param_axes(json_t *params, const char *path, uint64_t limit, struct raw_axes *ra,
                   struct hp_err *err)
{
	const char *key;
	json_t *v;
	char p[PATH_LEN];

	if (!json_is_object(params))
		return hp_errf(err, "%s: expected an object of PARAMETER: values, not %s", path,
		               type_name(params));
	json_object_foreach(params, key, v)
	{
		struct hp_sweep_axis *a;

		if (ra->n == sizeof(ra->ax) / sizeof(ra->ax[0]))
			return hp_errf(err, "%s: too many parameters (at most 64)", path);
		a = &ra->ax[ra->n];
		path_key(p, path, key);
		if (sweep_check_bools(v, key, p, err) < 0 ||
		    expand_values(v, p, limit, &a->values, &a->nvalues, err) < 0)
			return -1;
		ra->n++;
		a->nnames = 1;
		a->names[0] = xstrdup(key);
		a->path = xstrdup(p);
		if (!a->names[0] || !a->path)
			return hp_errf(err, "out of memory");
	}
	return 0;
}

int add_zip_axes(json_t *zip, const char *path, uint64_t limit, struct raw_axes *ra,
                 struct hp_err *err)
{
	char p[PATH_LEN], q[PATH_LEN];
	size_t g, k, i;

	if (!json_is_array(zip))
		return hp_errf(err, "%s: expected an array of zipped groups, not %s", path,
		               type_name(zip));
	for (g = 0; g < json_array_size(zip); g++) {
		json_t *grp = json_array_get(zip, g), *v;
		struct hp_sweep_axis *a;
		const char *key;

		path_idx(p, path, g);
		if (!json_is_object(grp) || json_object_size(grp) < 1)
			return hp_errf(err,
			               "%s: expected an object of PARAMETER: values (one or more), "
			               "not %s",
			               p, json_is_object(grp) ? "an empty object" : type_name(grp));
		if (json_object_size(grp) > HP_SWEEP_MAX_ZIP)
			return hp_errf(err, "%s: at most %d parameters in a zipped group", p,
			               HP_SWEEP_MAX_ZIP);
		if (ra->n == sizeof(ra->ax) / sizeof(ra->ax[0]))
			return hp_errf(err, "%s: too many parameters (at most 64)", path);
		a = &ra->ax[ra->n++];
		a->path = xstrdup(p);
		a->zipped = true;
		k = 0;
		json_object_foreach(grp, key, v)
		{
			uint32_t *vals;
			size_t n;

			path_key(q, p, key);
			if (sweep_check_bools(v, key, q, err) < 0 ||
			    expand_values(v, q, limit, &vals, &n, err) < 0)
				return -1;
			if (k == 0) {
				a->nvalues = n;
				a->values = calloc(n * json_object_size(grp), sizeof(uint32_t));
				if (!a->values) {
					free(vals);
					return hp_errf(err, "out of memory");
				}
			} else if (n != a->nvalues) {
				free(vals);
				return hp_errf(
				    err,
				    "%s: %zu values, but the group's first parameter has "
				    "%zu (zipped parameters move together: expected "
				    "equal lengths)",
				    q, n, a->nvalues);
			}
			for (i = 0; i < n; i++)
				a->values[i * json_object_size(grp) + k] = vals[i];
			free(vals);
			a->names[k++] = xstrdup(key);
			a->nnames = k;
		}
	}
	return 0;
}

void free_raw(struct raw_axes *ra)
{
	size_t i;

	for (i = 0; i < ra->n; i++)
		axis_free(&ra->ax[i]);
	ra->n = 0;
}
