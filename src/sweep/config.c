/* Sweep configs: JSON (see configs/schema.json) to a struct hp_sweep_config. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "hpsim/host.h"
#include "hpsim/policy.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

static int parse_root(json_t *root, const char *dir, unsigned flags, struct hp_sweep_config *c,
                      struct hp_err *err)
{
	static const char *const keys[] = {
	    "description", "traces", "policies", "kernel", "arch", "cost", "mode", "params", "zip",
	    "objective", "max_points", "oracle", "recommend", "host_idle", "host_governor",
	    /* config_recorded.c */
	    "recorded_with", "recorded_with_trace", NULL};
	struct sweep_input *in;
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
	if (sweep_parse_recorded(root, dir, c, err) < 0)
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
	if (sweep_parse_host_idle(root, dir, c, err) < 0)
		return -1;
	if ((v = json_object_get(root, "objective")) && parse_objective(v, c, err) < 0)
		return -1;
	if (parse_oracle(json_object_get(root, "oracle"), c, err) < 0)
		return -1;
	if (hp_sweep_host_parse(json_object_get(root, "recommend"), c, err) < 0)
		return -1;
	/* what the config says about the grid, then the grid derived from it */
	in = calloc(1, sizeof(*in));
	if (!in)
		return hp_errf(err, "out of memory");
	if (sweep_input_parse(root, c->max_points, in, err) == 0)
		rc = sweep_grid_build(in, c, err);
	sweep_input_free(in);
	free(in);
	return rc;
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
	free(c->host_idle);
	free(c->host_governor);
	free(c->windows);
	hp_sweep_host_free(c);
	sweep_free_recorded(c);
	memset(c, 0, sizeof(*c));
}
