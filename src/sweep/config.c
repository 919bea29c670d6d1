/* Sweep configs: JSON (see configs/schema.json) to a struct hp_sweep_config. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/policy.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

#define PATH_LEN 512

static const char *const lat_names[HP_LAT_NSTAT] = {"mean", "p50", "p90", "p99", "p99.9"};

const char *hp_sweep_lat_name(enum hp_sweep_lat s)
{
	return s < HP_LAT_NSTAT ? lat_names[s] : "?";
}

/* path + ".key" (or ["key"] when the key is not a plain name). */
static void path_key(char *out, const char *path, const char *key)
{
	const char *p;
	int plain = *key != '\0';

	for (p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			plain = 0;
	if (plain)
		snprintf(out, PATH_LEN, "%s.%s", path, key);
	else
		snprintf(out, PATH_LEN, "%s[\"%s\"]", path, key);
}

static void path_idx(char *out, const char *path, size_t i)
{
	snprintf(out, PATH_LEN, "%s[%zu]", path, i);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static char *xstrdup(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	if (d)
		strcpy(d, s);
	return d;
}

/* Reject keys other than the allowed ones. */
static int check_keys(json_t *obj, const char *path, const char *const *allowed, struct hp_err *err)
{
	const char *key;
	json_t *v;
	char p[PATH_LEN], list[256] = "";
	size_t i, len = 0;

	json_object_foreach(obj, key, v)
	{
		int ok = 0;

		for (i = 0; allowed[i]; i++)
			ok |= !strcmp(key, allowed[i]);
		if (ok)
			continue;
		for (i = 0; allowed[i] && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
			                        i ? ", " : "", allowed[i]);
		path_key(p, path, key);
		return hp_errf(err, "%s: unknown key (expected one of: %s)", p, list);
	}
	return 0;
}

/* A non-negative integer (a real must be integral) up to max. */
static int get_uint(json_t *v, const char *path, uint64_t max, uint64_t *out, struct hp_err *err)
{
	double d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || (uint64_t)i > max)
			return hp_errf(err, "%s: %lld is out of range (expected 0..%llu)", path,
			               (long long)i, (unsigned long long)max);
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != floor(d) || d < 0 || d > (double)max)
			return hp_errf(err, "%s: %g is not an integer in 0..%llu", path, d,
			               (unsigned long long)max);
		*out = (uint64_t)d;
		return 0;
	}
	if (json_is_boolean(v) && max >= 1) {
		*out = json_is_true(v);
		return 0;
	}
	return hp_errf(err, "%s: expected a non-negative integer, not %s", path, type_name(v));
}

static int get_number(json_t *v, const char *path, double *out, struct hp_err *err)
{
	if (!json_is_number(v))
		return hp_errf(err, "%s: expected a number, not %s", path, type_name(v));
	*out = json_number_value(v);
	return 0;
}

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
static int expand_values(json_t *v, const char *path, uint64_t limit, uint32_t **vals, size_t *n,
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

/* Raw axes, before qualification against a series' policies. */
struct raw_axes {
	size_t n;
	struct hp_sweep_axis ax[64];
};

static void axis_free(struct hp_sweep_axis *a)
{
	size_t i;

	for (i = 0; i < a->nnames; i++)
		free(a->names[i]);
	free(a->values);
	free(a->path);
	memset(a, 0, sizeof(*a));
}

static int add_param_axes(json_t *params, const char *path, uint64_t limit, struct raw_axes *ra,
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

static int add_zip_axes(json_t *zip, const char *path, uint64_t limit, struct raw_axes *ra,
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

static const struct hp_param *find_param(const struct hp_policy_ops *ops, const char *name)
{
	return ops ? hp_policy_param(ops, name) : NULL;
}

/* Qualify name against the series' stack: "layer.param"; -1 with err. */
static int qualify(const struct hp_sweep_series *s, const char *name, const char *path, char *out,
                   size_t outlen, struct hp_err *err)
{
	const struct hp_policy_ops *ops[HP_LAYER_COUNT] = {0};
	const char *dot = strchr(name, '.'), *base = dot ? dot + 1 : name;
	char valid[400] = "";
	size_t len = 0, i;
	int l, found = -1;

	for (l = 0; l < HP_LAYER_COUNT; l++) {
		if (s->policy[l])
			ops[l] = hp_policy_lookup(s->policy[l], (enum hp_layer)l, NULL);
		for (i = 0; ops[l] && i < ops[l]->nparams && len < sizeof(valid); i++)
			len += (size_t)snprintf(valid + len, sizeof(valid) - len, "%s%s.%s",
			                        len ? ", " : "", hp_layer_name((enum hp_layer)l),
			                        ops[l]->params[i].name);
	}
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		const char *ln = hp_layer_name((enum hp_layer)l);

		if (dot && (strlen(ln) != (size_t)(dot - name) || strncmp(name, ln, strlen(ln))))
			continue;
		if (!find_param(ops[l], base))
			continue;
		if (found >= 0)
			return hp_errf(err,
			               "%s: '%s' is a parameter of both the %s and the %s policy "
			               "of series '%s'; qualify it as %s.%s or %s.%s",
			               path, name, hp_layer_name((enum hp_layer)found), ln,
			               s->label, hp_layer_name((enum hp_layer)found), base, ln,
			               base);
		found = l;
	}
	if (found < 0)
		return hp_errf(err, "%s: no policy of series '%s' has a parameter '%s' (valid: %s)",
		               path, s->label, name, len ? valid : "none");
	snprintf(out, outlen, "%s.%s", hp_layer_name((enum hp_layer)found), base);
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

static int parse_objective(json_t *o, struct hp_sweep_config *c, struct hp_err *err)
{
	static const char *const keys[] = {"latency", "cpu", "constraints", NULL};
	json_t *v, *cons;
	const char *key;
	char p[PATH_LEN];
	int i;

	if (!json_is_object(o))
		return hp_errf(err, "$.objective: expected an object, not %s", type_name(o));
	if (check_keys(o, "$.objective", keys, err) < 0)
		return -1;
	v = json_object_get(o, "latency");
	if (v) {
		for (i = 0; i < HP_LAT_NSTAT; i++)
			if (json_is_string(v) && !strcmp(json_string_value(v), lat_names[i]))
				break;
		if (i == HP_LAT_NSTAT)
			return hp_errf(err,
			               "$.objective.latency: expected one of mean, p50, p90, p99, "
			               "p99.9");
		c->lat_stat = (enum hp_sweep_lat)i;
	}
	v = json_object_get(o, "cpu");
	if (v && (!json_is_string(v) || strcmp(json_string_value(v), "poll_cpu_pct")))
		return hp_errf(err, "$.objective.cpu: expected \"poll_cpu_pct\"");
	cons = json_object_get(o, "constraints");
	if (!cons)
		return 0;
	if (!json_is_object(cons))
		return hp_errf(err, "$.objective.constraints: expected an object, not %s",
		               type_name(cons));
	json_object_foreach(cons, key, v)
	{
		double d = 0;
		char name[64];

		path_key(p, "$.objective.constraints", key);
		if (get_number(v, p, &d, err) < 0)
			return -1;
		if (d < 0)
			return hp_errf(err, "%s: %g is negative (expected a bound >= 0)", p, d);
		if (!strcmp(key, "poll_cpu_pct_max")) {
			c->cpu_max_pct = d;
			continue;
		}
		for (i = 0; i < HP_LAT_NSTAT; i++) {
			snprintf(name, sizeof(name), "%s_us_max", lat_names[i]);
			if (!strcmp(key, name) || (i == HP_LAT_P999 && !strcmp(key, "p999_us_max")))
				break;
		}
		if (i == HP_LAT_NSTAT)
			return hp_errf(err,
			               "%s: unknown constraint (expected mean_us_max, p50_us_max, "
			               "p90_us_max, p99_us_max, p99.9_us_max or poll_cpu_pct_max)",
			               p);
		/*
		 * In ns, rounded to a millionth of one: d * 1000 alone can land just
		 * below the bound meant (64.1 us: 64099.99999999999), and a point
		 * exactly at it would not meet it.
		 */
		c->lat_max_ns[i] = nearbyint(d * 1e9) / 1e6;
	}
	return 0;
}

static int add_cost(struct hp_sweep_config *c, json_t *obj, const char *path, struct hp_err *err)
{
	const char *key;
	json_t *v;
	char p[PATH_LEN], num[32];
	uint64_t x;

	if (!json_is_object(obj))
		return hp_errf(err, "%s: expected an object of NAME: nanoseconds, not %s", path,
		               type_name(obj));
	json_object_foreach(obj, key, v)
	{
		struct hp_cost cost;
		struct hp_err e;

		path_key(p, path, key);
		if (get_uint(v, p, UINT32_MAX, &x, err) < 0)
			return -1;
		snprintf(num, sizeof(num), "%llu", (unsigned long long)x);
		hp_cost_defaults(&cost, HP_ARCH_X86);
		if (hp_cost_set(&cost, key, num, &e) < 0)
			return hp_errf(err, "%s: %s", p, e.msg);
		if (c->ncost == HP_MAX_SETTINGS)
			return hp_errf(err, "%s: too many cost values", path);
		c->cost[c->ncost].name = xstrdup(key);
		c->cost[c->ncost].value = xstrdup(num);
		c->ncost++;
	}
	return 0;
}

static char *resolve(const char *dir, const char *path)
{
	char *out;
	size_t n;

	if (path[0] == '/' || !dir || !dir[0])
		return xstrdup(path);
	n = strlen(dir) + strlen(path) + 2;
	out = malloc(n);
	if (out)
		snprintf(out, n, "%s/%s", dir, path);
	return out;
}

static int parse_cost(json_t *v, const char *dir, struct hp_sweep_config *c, struct hp_err *err)
{
	json_error_t je;
	json_t *file;
	char *path;
	int rc;

	if (!json_is_string(v))
		return add_cost(c, v, "$.cost", err);
	path = resolve(dir, json_string_value(v));
	if (!path)
		return hp_errf(err, "out of memory");
	file = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!file) {
		hp_errf(err, "$.cost: cannot read the cost file '%s': %s", path, je.text);
		free(path);
		return -1;
	}
	free(path);
	rc = add_cost(c, file, "$.cost (file)", err);
	json_decref(file);
	return rc;
}

/* A generator trace's parameters: {"name": number or string, ...} as NAME=VALUE text. */
static int parse_gen_params(json_t *params, const char *p, struct hp_sweep_trace *tr,
                            struct hp_err *err)
{
	const char *key;
	json_t *val;
	size_t n = 0;
	char buf[64];

	if (!params)
		return 0;
	if (!json_is_object(params))
		return hp_errf(err, "%s.params: expected an object of generator parameters, not %s",
		               p, type_name(params));
	tr->gen_params = calloc(json_object_size(params) + 1, sizeof(*tr->gen_params));
	if (!tr->gen_params)
		return hp_errf(err, "out of memory");
	json_object_foreach(params, key, val)
	{
		if (json_is_integer(val))
			snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(val));
		else if (json_is_real(val))
			snprintf(buf, sizeof(buf), "%.17g", json_real_value(val));
		else if (!json_is_string(val))
			return hp_errf(err, "%s.params.%s: expected a number or a string, not %s",
			               p, key, type_name(val));
		tr->gen_params[n].name = xstrdup(key);
		tr->gen_params[n].value =
		    xstrdup(json_is_string(val) ? json_string_value(val) : buf);
		if (!tr->gen_params[n].name || !tr->gen_params[n].value)
			return hp_errf(err, "out of memory");
		tr->ngen_params = ++n;
	}
	return 0;
}

/* Label a generator trace and check that it generates; -1 with err naming the JSON path. */
static int check_gen(struct hp_sweep_trace *tr, const char *p, struct hp_err *err)
{
	struct hp_episodes eps;
	size_t n, len;

	/* the label names the generator and its parameters, as a command line would */
	len = strlen(tr->gen) + 5;
	for (n = 0; n < tr->ngen_params; n++)
		len += strlen(tr->gen_params[n].name) + strlen(tr->gen_params[n].value) + 2;
	tr->label = malloc(len);
	if (!tr->label)
		return hp_errf(err, "out of memory");
	len = (size_t)sprintf(tr->label, "gen:%s", tr->gen);
	for (n = 0; n < tr->ngen_params; n++)
		len += (size_t)sprintf(tr->label + len, "%c%s=%s", n ? ',' : ' ',
		                       tr->gen_params[n].name, tr->gen_params[n].value);
	memset(&eps, 0, sizeof(eps));
	if (hp_gen_run(tr->gen, tr->gen_params, tr->ngen_params, &eps, err) < 0)
		return hp_err_prefix(err, "%s: ", p);
	hp_episodes_free(&eps);
	return 0;
}

static int parse_traces(json_t *t, const char *dir, unsigned flags, struct hp_sweep_config *c,
                        struct hp_err *err)
{
	static const char *const gen_keys[] = {"gen", "params", NULL};
	char p[PATH_LEN];
	size_t i;

	if (!json_is_array(t) || !json_array_size(t))
		return hp_errf(err, "$.traces: expected a non-empty array of trace paths or "
		                    "generator specs");
	c->ntraces = json_array_size(t);
	c->traces = calloc(c->ntraces, sizeof(*c->traces));
	if (!c->traces)
		return hp_errf(err, "out of memory");
	for (i = 0; i < c->ntraces; i++) {
		json_t *v = json_array_get(t, i), *g;
		struct hp_sweep_trace *tr = &c->traces[i];
		FILE *f;

		path_idx(p, "$.traces", i);
		if (json_is_string(v)) {
			tr->label = xstrdup(json_string_value(v));
			tr->path = resolve(dir, json_string_value(v));
			if (!tr->label || !tr->path)
				return hp_errf(err, "out of memory");
			if (flags & HP_SWEEP_NO_FILE_CHECK)
				continue;
			f = fopen(tr->path, "rb");
			if (!f)
				return hp_errf(err, "%s: cannot open trace '%s': %s", p, tr->path,
				               strerror(errno));
			fclose(f);
			continue;
		}
		if (!json_is_object(v))
			return hp_errf(err,
			               "%s: expected a trace path or {\"gen\": NAME, \"params\": "
			               "{...}}, not %s",
			               p, type_name(v));
		if (check_keys(v, p, gen_keys, err) < 0)
			return -1;
		g = json_object_get(v, "gen");
		if (!json_is_string(g))
			return hp_errf(err, "%s.gen: expected a generator name", p);
		tr->gen = xstrdup(json_string_value(g));
		if (!tr->gen)
			return hp_errf(err, "out of memory");
		if (parse_gen_params(json_object_get(v, "params"), p, tr, err) < 0)
			return -1;
		if (check_gen(tr, p, err) < 0)
			return -1;
	}
	return 0;
}

static int parse_oracle(json_t *o, struct hp_sweep_config *c, struct hp_err *err)
{
	static const char *const keys[] = {"layer", "from", "to", "per_decade", NULL};
	json_t *range, *layer;
	int l;

	c->oracle_layer = HP_LAYER_HOST;
	if (o && json_is_false(o)) {
		c->oracle_layer = -1;
		return 0;
	}
	if (o && !json_is_object(o))
		return hp_errf(err, "$.oracle: expected an object or false, not %s", type_name(o));
	if (o && check_keys(o, "$.oracle", keys, err) < 0)
		return -1;
	layer = o ? json_object_get(o, "layer") : NULL;
	if (layer) {
		for (l = 0; l < HP_LAYER_COUNT; l++)
			if (json_is_string(layer) &&
			    !strcmp(json_string_value(layer), hp_layer_name((enum hp_layer)l)))
				break;
		if (l == HP_LAYER_COUNT)
			return hp_errf(err, "$.oracle.layer: expected guest, host or vcore");
		c->oracle_layer = l;
	}
	range = json_pack("{s:I,s:I,s:I}", "from", (json_int_t)1000, "to", (json_int_t)10000000,
	                  "per_decade", (json_int_t)8);
	if (!range)
		return hp_errf(err, "out of memory");
	if (o) {
		if (json_object_get(o, "from"))
			json_object_set(range, "from", json_object_get(o, "from"));
		if (json_object_get(o, "to"))
			json_object_set(range, "to", json_object_get(o, "to"));
		if (json_object_get(o, "per_decade"))
			json_object_set(range, "per_decade", json_object_get(o, "per_decade"));
	}
	l = expand_values(range, "$.oracle", 10000, &c->windows, &c->nwindows, err);
	json_decref(range);
	return l;
}

static int series_label(struct hp_sweep_series *s)
{
	size_t len = 0;
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (s->policy[l])
			len += (size_t)snprintf(s->label + len, sizeof(s->label) - len, "%s=%s ",
			                        hp_layer_name((enum hp_layer)l), s->policy[l]);
	snprintf(s->label + len, sizeof(s->label) - len, "k=%s", s->kernel);
	return 0;
}

static void free_raw(struct raw_axes *ra)
{
	size_t i;

	for (i = 0; i < ra->n; i++)
		axis_free(&ra->ax[i]);
	ra->n = 0;
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
static int build_series(json_t *root, struct hp_sweep_config *c, struct raw_axes *global,
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

static int parse_root(json_t *root, const char *dir, unsigned flags, struct hp_sweep_config *c,
                      struct hp_err *err)
{
	static const char *const keys[] = {
	    "description", "traces", "policies",  "kernel",     "arch",   "cost", "mode",
	    "params",      "zip",    "objective", "max_points", "oracle", NULL};
	struct raw_axes *global;
	json_t *v;
	uint64_t x;
	int rc = -1, i;

	if (!json_is_object(root))
		return hp_errf(err, "$: expected an object, not %s", type_name(root));
	if (check_keys(root, "$", keys, err) < 0)
		return -1;
	c->max_points = HP_SWEEP_MAX_POINTS;
	c->cpu_max_pct = -1;
	for (i = 0; i < HP_LAT_NSTAT; i++)
		c->lat_max_ns[i] = -1;
	c->lat_stat = HP_LAT_P99;
	if ((v = json_object_get(root, "max_points"))) {
		if (get_uint(v, "$.max_points", UINT64_MAX / 2, &x, err) < 0)
			return -1;
		if (x == 0)
			return hp_errf(err, "$.max_points: 0 (expected a positive integer)");
		c->max_points = x;
	}
	if (parse_traces(json_object_get(root, "traces"), dir, flags, c, err) < 0)
		return -1;
	if ((v = json_object_get(root, "arch"))) {
		struct hp_err e;

		if (!json_is_string(v))
			return hp_errf(err, "$.arch: expected x86, arm64, s390 or ppc");
		if (hp_arch_parse(json_string_value(v), &e) < 0)
			return hp_errf(err, "$.arch: %s", e.msg);
		c->arch = xstrdup(json_string_value(v));
	}
	if ((v = json_object_get(root, "mode"))) {
		if (!json_is_string(v) || (strcmp(json_string_value(v), "open") &&
		                           strcmp(json_string_value(v), "closed")))
			return hp_errf(err, "$.mode: expected \"open\" or \"closed\"");
		c->mode = xstrdup(json_string_value(v));
	}
	if ((v = json_object_get(root, "cost")) && parse_cost(v, dir, c, err) < 0)
		return -1;
	if ((v = json_object_get(root, "objective")) && parse_objective(v, c, err) < 0)
		return -1;
	if (parse_oracle(json_object_get(root, "oracle"), c, err) < 0)
		return -1;
	global = calloc(1, sizeof(*global));
	if (!global)
		return hp_errf(err, "out of memory");
	if ((v = json_object_get(root, "params")) &&
	    add_param_axes(v, "$.params", c->max_points, global, err) < 0)
		goto out;
	if ((v = json_object_get(root, "zip")) &&
	    add_zip_axes(v, "$.zip", c->max_points, global, err) < 0)
		goto out;
	rc = build_series(root, c, global, err);
out:
	free_raw(global);
	free(global);
	return rc;
}

/* Where each series' default point is: in its grid, or appended after all grids. */
static void place_defaults(struct hp_sweep_config *c)
{
	size_t si, a, k, v;

	c->npoints = c->ngrid;
	for (si = 0; si < c->nseries; si++) {
		struct hp_sweep_series *s = &c->series[si];
		struct hp_kernel kern = {HP_ARCH_X86, 0};
		uint64_t idx = 0;
		bool found = true;

		if (c->arch)
			kern.arch = (enum hp_arch)hp_arch_parse(c->arch, NULL);
		hp_kver_parse(s->kernel, &kern.version, NULL);
		for (a = 0; a < s->naxes && found; a++) {
			const struct hp_sweep_axis *ax = &s->axes[a];

			for (v = 0; v < ax->nvalues; v++) {
				for (k = 0; k < ax->nnames; k++) {
					const char *dot = strchr(ax->names[k], '.');
					int l;
					const struct hp_param *p = NULL;

					for (l = 0; l < HP_LAYER_COUNT; l++)
						if (!strncmp(ax->names[k],
						             hp_layer_name((enum hp_layer)l),
						             (size_t)(dot - ax->names[k])) &&
						    s->policy[l])
							p = find_param(hp_policy_lookup(
							                   s->policy[l],
							                   (enum hp_layer)l, NULL),
							               dot + 1);
					if (!p || ax->values[v * ax->nnames + k] !=
					              hp_param_default(p, &kern))
						break;
				}
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

int hp_sweep_config_parse(const char *text, const char *dir, unsigned flags,
                          struct hp_sweep_config *c, struct hp_err *err)
{
	json_error_t je;
	json_t *root;
	int rc;

	memset(c, 0, sizeof(*c));
	root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return hp_errf(err, "not valid JSON at line %d, column %d: %s", je.line, je.column,
		               je.text);
	rc = parse_root(root, dir, flags, c, err);
	json_decref(root);
	if (rc < 0) {
		hp_sweep_config_free(c);
		return -1;
	}
	place_defaults(c);
	return 0;
}

int hp_sweep_config_load(const char *path, struct hp_sweep_config *c, struct hp_err *err)
{
	char *text = NULL, *dir, *slash;
	size_t len = 0, cap = 0, n;
	FILE *f = fopen(path, "rb");
	int rc;

	memset(c, 0, sizeof(*c));
	if (!f)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	do {
		if (len + 4096 + 1 > cap) {
			char *nt = realloc(text, cap = cap * 2 + 8192);

			if (!nt) {
				fclose(f);
				free(text);
				return hp_errf(err, "out of memory");
			}
			text = nt;
		}
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n);
	fclose(f);
	text[len] = '\0';
	dir = xstrdup(path);
	if (!dir) {
		free(text);
		return hp_errf(err, "out of memory");
	}
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	rc = hp_sweep_config_parse(text, dir, 0, c, err);
	if (rc < 0)
		hp_err_prefix(err, "%s: ", path);
	free(dir);
	free(text);
	return rc;
}

void hp_sweep_config_free(struct hp_sweep_config *c)
{
	size_t i, a;
	int l;

	for (i = 0; i < c->ntraces; i++) {
		free(c->traces[i].label);
		free(c->traces[i].path);
		free(c->traces[i].gen);
		for (size_t k = 0; k < c->traces[i].ngen_params; k++) {
			free((char *)c->traces[i].gen_params[k].name);
			free((char *)c->traces[i].gen_params[k].value);
		}
		free(c->traces[i].gen_params);
	}
	free(c->traces);
	for (i = 0; i < c->nseries; i++) {
		for (a = 0; a < c->series[i].naxes; a++)
			axis_free(&c->series[i].axes[a]);
		free(c->series[i].axes);
		for (l = 0; l < HP_LAYER_COUNT; l++)
			free(c->series[i].policy[l]);
		free(c->series[i].kernel);
	}
	free(c->series);
	for (i = 0; i < c->ncols; i++)
		free(c->cols[i]);
	free(c->cols);
	for (i = 0; i < c->ncost; i++) {
		free((char *)c->cost[i].name);
		free((char *)c->cost[i].value);
	}
	free(c->arch);
	free(c->mode);
	free(c->windows);
	memset(c, 0, sizeof(*c));
}
