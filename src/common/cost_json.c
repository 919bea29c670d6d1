/* The cost model as JSON: one object, every value named (jansson). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hpsim/cost.h"

static const struct hp_cost_field *find(const char *name)
{
	const struct hp_cost_field *f;
	size_t i, n;

	f = hp_cost_fields(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return &f[i];
	return NULL;
}

/* {"quantiles": [[P, NS], ...], "samples": N} for field i. */
static int load_quantiles(struct hp_cost *c, size_t i, const char *path, const char *key,
                          json_t *val, struct hp_err *err)
{
	double p[HP_COST_MAX_POINTS], ns[HP_COST_MAX_POINTS];
	json_t *q = json_object_get(val, "quantiles"), *s = json_object_get(val, "samples"), *pt;
	const char *k;
	json_t *x;
	size_t n, j;
	struct hp_err e;

	json_object_foreach(val, k, x)
	{
		if (strcmp(k, "quantiles") && strcmp(k, "samples"))
			return hp_errf(err,
			               "%s: \"%s\": unknown key \"%s\" (expected \"quantiles\" and "
			               "\"samples\")",
			               path, key, k);
	}
	if (s && (!json_is_integer(s) || json_integer_value(s) < 0))
		return hp_errf(err, "%s: \"%s\".samples must be a non-negative integer", path, key);
	n = json_array_size(q);
	if (!json_is_array(q) || n < 2 || n > HP_COST_MAX_POINTS)
		return hp_errf(err, "%s: \"%s\".quantiles must be an array of 2..%d [P, NS] pairs",
		               path, key, HP_COST_MAX_POINTS);
	json_array_foreach(q, j, pt)
	{
		if (!json_is_array(pt) || json_array_size(pt) != 2 ||
		    !json_is_number(json_array_get(pt, 0)) ||
		    !json_is_number(json_array_get(pt, 1)))
			return hp_errf(
			    err, "%s: \"%s\".quantiles[%zu] must be a [P, NS] pair of numbers",
			    path, key, j);
		p[j] = json_number_value(json_array_get(pt, 0));
		ns[j] = json_number_value(json_array_get(pt, 1));
	}
	if (hp_cost_set_quantiles(c, i, p, ns, n, s ? (uint64_t)json_integer_value(s) : 0, &e) < 0)
		return hp_errf(err, "%s: %s", path, e.msg);
	return 0;
}

/* {"lognormal": {"median": NS, "p99": NS}} for field i. */
static int load_lognormal(struct hp_cost *c, size_t i, const char *path, const char *key,
                          json_t *val, struct hp_err *err)
{
	json_t *ln = json_object_get(val, "lognormal");
	json_t *med = json_object_get(ln, "median"), *p99 = json_object_get(ln, "p99");
	struct hp_err e;

	if (json_object_size(val) != 1 || !json_is_object(ln) || json_object_size(ln) != 2 ||
	    !json_is_number(med) || !json_is_number(p99))
		return hp_errf(
		    err, "%s: \"%s\": expected {\"lognormal\": {\"median\": NS, \"p99\": NS}}",
		    path, key);
	if (hp_cost_set_lognormal(c, i, json_number_value(med), json_number_value(p99), &e) < 0)
		return hp_errf(err, "%s: %s", path, e.msg);
	return 0;
}

int hp_cost_set_json(struct hp_cost *c, size_t i, json_t *val, const char *path, struct hp_err *err)
{
	const struct hp_cost_field *f;
	const char *key;
	size_t n;

	f = hp_cost_fields(&n);
	key = f[i].name;
	if (json_is_object(val) && json_object_get(val, "quantiles"))
		return load_quantiles(c, i, path, key, val, err);
	if (json_is_object(val) && json_object_get(val, "lognormal"))
		return load_lognormal(c, i, path, key, val, err);
	if (!json_is_integer(val) || json_integer_value(val) < 0 ||
	    (uint64_t)json_integer_value(val) > HP_COST_MAX_NS)
		return hp_errf(err,
		               "%s: \"%s\" must be an integer in 0..%llu (ns), {\"quantiles\": "
		               "[[P, NS], ...], \"samples\": N} or {\"lognormal\": {\"median\": "
		               "NS, \"p99\": NS}}",
		               path, key, HP_COST_MAX_NS);
	*(uint64_t *)((char *)c + f[i].offset) = (uint64_t)json_integer_value(val);
	c->varying &= ~(1u << i);
	return 0;
}

int hp_cost_load_json(struct hp_cost *c, const char *path, struct hp_err *err)
{
	json_error_t jerr;
	json_t *root, *val;
	const char *key;
	int rc = 0;

	root = json_load_file(path, 0, &jerr);
	if (!root)
		return hp_errf(err, "%s:%d: not JSON: %s", path, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return hp_errf(err, "%s: a cost file is one JSON object of NAME: NS values", path);
	}
	json_object_foreach(root, key, val)
	{
		const struct hp_cost_field *f = find(key);

		if (!f) {
			rc = hp_errf(err,
			             "%s: unknown cost-model name \"%s\" (`hpsim cost` lists them)",
			             path, key);
			break;
		}
		if ((rc = hp_cost_set_json(c, hp_cost_index(f), val, path, err)) < 0)
			break;
	}
	json_decref(root);
	return rc;
}

json_t *hp_cost_value_json(const struct hp_cost *c, size_t i)
{
	const struct hp_cost_dist *d = &c->dist[i];
	const struct hp_cost_field *fl;
	json_t *o, *q;
	size_t n, k;

	fl = hp_cost_fields(&n);
	if (!(c->varying & (1u << i)))
		return json_integer((json_int_t)hp_cost_get(c, &fl[i]));
	o = json_object();
	if (d->kind == HP_COST_LOGNORMAL) {
		json_t *ln = json_object();

		json_object_set_new(ln, "median", json_real(d->median_ns));
		json_object_set_new(ln, "p99", json_real(d->p99_ns));
		json_object_set_new(o, "lognormal", ln);
		return o;
	}
	q = json_array();
	for (k = 0; k < d->n; k++)
		json_array_append_new(q, json_pack("[fo]", d->p[k],
		                                   d->ns[k] == floor(d->ns[k])
		                                       ? json_integer((json_int_t)d->ns[k])
		                                       : json_real(d->ns[k])));
	json_object_set_new(o, "quantiles", q);
	json_object_set_new(o, "samples", json_integer((json_int_t)d->samples));
	return o;
}

int hp_cost_write_json(FILE *f, const struct hp_cost *c, struct hp_err *err)
{
	const struct hp_cost_field *fl;
	json_t *root = json_object();
	size_t i, n;
	int rc;

	fl = hp_cost_fields(&n);
	for (i = 0; i < n; i++)
		json_object_set_new(root, fl[i].name, hp_cost_value_json(c, i));
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	fputc('\n', f);
	json_decref(root);
	return rc < 0 ? hp_errf(err, "could not write the cost model") : 0;
}
