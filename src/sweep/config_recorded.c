/*
 * The config's "recorded_with" (every capture) and "recorded_with_trace"
 * (one capture by its label, replacing the former for it): what was in force
 * while the guest captures were recorded, as `hpsim replay --recorded-with`
 * takes it. A value is a string (a settings file of `hpsim record`, relative
 * to the config's directory, or NAME=VALUE,...), an array of such strings
 * (in order, as the option repeated), or an object of NAME: VALUE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "hpsim/recorded.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

/* One string item into r: a sidecar path resolves against dir. */
static int add_item(struct hp_recorded *r, const char *s, const char *dir, const char *path,
                    struct hp_err *err)
{
	char full[4096];

	if (!strchr(s, '=') && s[0] != '/' && dir)
		snprintf(full, sizeof(full), "%s/%s", dir, s);
	else
		snprintf(full, sizeof(full), "%s", s);
	if (hp_recorded_add(r, full, err) < 0)
		return hp_err_prefix(err, "%s: ", path);
	return 0;
}

/* A recorded_with value (string, array of strings, or NAME: VALUE object) into a new r. */
static int parse_value(json_t *v, const char *dir, const char *path, struct hp_recorded **out,
                       struct hp_err *err)
{
	struct hp_recorded *r = calloc(1, sizeof(*r));
	char p[PATH_LEN], item[160];
	const char *key;
	json_t *x;
	size_t i;
	int rc = 0;

	if (!r)
		return hp_errf(err, "out of memory");
	if (json_is_string(v)) {
		rc = add_item(r, json_string_value(v), dir, path, err);
	} else if (json_is_array(v) && json_array_size(v)) {
		json_array_foreach(v, i, x)
		{
			path_idx(p, path, i);
			if (!json_is_string(x))
				rc = hp_errf(err, "%s: expected a string, not %s", p, type_name(x));
			else
				rc = add_item(r, json_string_value(x), dir, p, err);
			if (rc < 0)
				break;
		}
	} else if (json_is_object(v) && json_object_size(v)) {
		json_object_foreach(v, key, x)
		{
			path_key(p, path, key);
			if (json_is_integer(x))
				snprintf(item, sizeof(item), "%.64s=%lld", key,
				         (long long)json_integer_value(x));
			else if (json_is_string(x))
				snprintf(item, sizeof(item), "%.64s=%.64s", key,
				         json_string_value(x));
			else if (json_is_boolean(x))
				snprintf(item, sizeof(item), "%.64s=%s", key,
				         json_is_true(x) ? "Y" : "N");
			else
				rc = hp_errf(err, "%s: expected a number, not %s", p, type_name(x));
			if (rc < 0 || (rc = add_item(r, item, NULL, p, err)) < 0)
				break;
		}
	} else {
		rc = hp_errf(
		    err,
		    "%s: expected a settings file, NAME=VALUE,..., a non-empty list of them "
		    "or an object of NAME: VALUE, not %s",
		    path, type_name(v));
	}
	if (rc < 0) {
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

/* The trace labelled label, or -1. */
static long trace_of(const struct hp_sweep_config *c, const char *label)
{
	size_t t;

	for (t = 0; t < c->ntraces; t++)
		if (!strcmp(c->traces[t].label, label))
			return (long)t;
	return -1;
}

int sweep_parse_recorded(json_t *root, const char *dir, struct hp_sweep_config *c,
                         struct hp_err *err)
{
	json_t *all = json_object_get(root, "recorded_with");
	json_t *per = json_object_get(root, "recorded_with_trace"), *v;
	struct hp_recorded *shared = NULL;
	char p[PATH_LEN];
	const char *key;
	size_t t;

	if (!all && !per)
		return 0;
	c->recorded = calloc(c->ntraces ? c->ntraces : 1, sizeof(*c->recorded));
	if (!c->recorded)
		return hp_errf(err, "out of memory");
	if (per && !json_is_object(per))
		return hp_errf(err,
		               "$.recorded_with_trace: expected an object of trace label: "
		               "settings, not %s",
		               type_name(per));
	json_object_foreach(per, key, v)
	{
		long k = trace_of(c, key);

		path_key(p, "$.recorded_with_trace", key);
		if (k < 0)
			return hp_errf(err, "%s: no trace of $.traces is labelled '%s'", p, key);
		if (c->traces[k].gen)
			return hp_errf(err, "%s: a generator's halts were never recorded", p);
		if (parse_value(v, dir, p, &c->recorded[k], err) < 0)
			return -1;
	}
	if (all && parse_value(all, dir, "$.recorded_with", &shared, err) < 0)
		return -1;
	for (t = 0; shared && t < c->ntraces; t++) {
		if (c->recorded[t] || c->traces[t].gen)
			continue;
		c->recorded[t] = malloc(sizeof(*shared));
		if (!c->recorded[t]) {
			free(shared);
			return hp_errf(err, "out of memory");
		}
		*c->recorded[t] = *shared;
	}
	free(shared);
	return 0;
}

void sweep_free_recorded(struct hp_sweep_config *c)
{
	size_t t;

	for (t = 0; c->recorded && t < c->ntraces; t++)
		free(c->recorded[t]);
	free(c->recorded);
	c->recorded = NULL;
}
