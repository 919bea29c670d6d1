/* The cost model as JSON: one object, every value named (jansson). */
#include <jansson.h>
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
		if (!json_is_integer(val) || json_integer_value(val) < 0 ||
		    (uint64_t)json_integer_value(val) > HP_COST_MAX_NS) {
			rc = hp_errf(err, "%s: \"%s\" must be an integer in 0..%llu (ns)", path,
			             key, HP_COST_MAX_NS);
			break;
		}
		*(uint64_t *)((char *)c + f->offset) = (uint64_t)json_integer_value(val);
	}
	json_decref(root);
	return rc;
}

int hp_cost_write_json(FILE *f, const struct hp_cost *c, struct hp_err *err)
{
	const struct hp_cost_field *fl;
	json_t *root = json_object();
	size_t i, n;
	int rc;

	fl = hp_cost_fields(&n);
	for (i = 0; i < n; i++)
		json_object_set_new(root, fl[i].name,
		                    json_integer((json_int_t)hp_cost_get(c, &fl[i])));
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
	return rc < 0 ? hp_errf(err, "could not write the cost model") : 0;
}
