/*
 * Sweep config inputs: the traces (generators checked by running them), the
 * cost model, the objective and the oracle.
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

/* As results.csv and `hpsim plot` name them (lat_p999_ns); configs may still say "p99.9". */
static const char *const lat_names[HP_LAT_NSTAT] = {"mean", "p50", "p90", "p99", "p999"};

/* The name configs used for p999 before it had one name everywhere; still accepted. */
#define OLD_P999 "p99.9"

const char *hp_sweep_lat_name(enum hp_sweep_lat s)
{
	return s < HP_LAT_NSTAT ? lat_names[s] : "?";
}

int parse_objective(json_t *o, struct hp_sweep_config *c, struct hp_err *err)
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
			if (json_is_string(v) &&
			    (!strcmp(json_string_value(v), lat_names[i]) ||
			     (i == HP_LAT_P999 && !strcmp(json_string_value(v), OLD_P999))))
				break;
		if (i == HP_LAT_NSTAT)
			return hp_errf(err,
			               "$.objective.latency: expected one of mean, p50, p90, p99, "
			               "p999 (or p99.9, its old name)");
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
			if (!strcmp(key, name) ||
			    (i == HP_LAT_P999 && !strcmp(key, OLD_P999 "_us_max")))
				break;
		}
		if (i == HP_LAT_NSTAT)
			return hp_errf(err,
			               "%s: unknown constraint (expected mean_us_max, p50_us_max, "
			               "p90_us_max, p99_us_max, p999_us_max or poll_cpu_pct_max)",
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
		if (json_is_object(v)) {
			char *text = sweep_cost_dist_text(v, key, p, err);

			if (!text)
				return -1;
			if (c->ncost == HP_MAX_SETTINGS) {
				free(text);
				return hp_errf(err, "%s: too many cost values", path);
			}
			c->cost[c->ncost].name = xstrdup(key);
			c->cost[c->ncost++].value = text;
			continue;
		}
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

int parse_cost(json_t *v, const char *dir, struct hp_sweep_config *c, struct hp_err *err)
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

int parse_traces(json_t *t, const char *dir, unsigned flags, struct hp_sweep_config *c,
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

int parse_oracle(json_t *o, struct hp_sweep_config *c, struct hp_err *err)
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
