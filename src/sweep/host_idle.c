/*
 * A sweep config's host idle states: "host_idle" (a built-in table name or a
 * table file, relative to the config) and "host_governor", for every point.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/engine.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

static char *dup_str(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	if (d)
		strcpy(d, s);
	return d;
}

int sweep_parse_host_idle(json_t *root, const char *dir, struct hp_sweep_config *c,
                          struct hp_err *err)
{
	json_t *t = json_object_get(root, "host_idle"), *g = json_object_get(root, "host_governor");
	struct hp_idle_table table;
	struct hp_err e;
	const char *name;

	if (g) {
		if (!json_is_string(g) || !hp_idle_gov_find(json_string_value(g)))
			return hp_errf(err, "$.host_governor: expected the name of a host governor "
			                    "(menu, teo, ladder)");
		c->host_governor = dup_str(json_string_value(g));
		if (!c->host_governor)
			return hp_errf(err, "out of memory");
	}
	if (!t)
		return 0;
	if (!json_is_string(t) || !json_string_length(t))
		return hp_errf(err, "$.host_idle: expected a built-in table name (skx, icx, spr, "
		                    "none) or a table file");
	name = json_string_value(t);
	if (hp_idle_table_builtin(name, &table, &e) == 0 || name[0] == '/' || !dir || !dir[0]) {
		c->host_idle = dup_str(name);
	} else {
		c->host_idle = malloc(strlen(dir) + strlen(name) + 2);
		if (c->host_idle)
			strcat(strcat(strcpy(c->host_idle, dir), "/"), name);
	}
	if (!c->host_idle)
		return hp_errf(err, "out of memory");
	if (hp_idle_table_resolve(c->host_idle, &table, &e) < 0)
		return hp_errf(err, "$.host_idle: %s", e.msg);
	return 0;
}
