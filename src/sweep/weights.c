/*
 * $.recommend of a sweep config: how the traces weigh in the one host-wide
 * answer, the bounds each must meet, and the rounding steps.
 *
 *   "recommend": {
 *     "traces": {"LABEL": {"weight": 4, "p99_us_max": 60, "poll_cpu_pct_max": 5}, ...},
 *     "round": {"halt_poll_ns": 10000}
 *   }
 *
 * LABEL is the trace as written in $.traces (a generator's label for a
 * generator trace). A trace not named weighs 1; a bound not named is the
 * objective's ($.objective.constraints), which applies to every trace.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/host.h"

/* "mean_us_max" ... or "poll_cpu_pct_max": the statistic's index (HP_LAT_NSTAT: cpu); -1. */
static int bound_index(const char *key)
{
	char name[32];
	int i;

	if (!strcmp(key, "poll_cpu_pct_max"))
		return HP_LAT_NSTAT;
	if (!strcmp(key, "p999_us_max"))
		return HP_LAT_P999;
	for (i = 0; i < HP_LAT_NSTAT; i++) {
		snprintf(name, sizeof(name), "%s_us_max", hp_sweep_lat_name((enum hp_sweep_lat)i));
		if (!strcmp(key, name))
			return i;
	}
	return -1;
}

static int parse_trace(json_t *o, const char *path, struct hp_host_trace *t, struct hp_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return hp_errf(
		    err, "%s: expected an object like {\"weight\": 2, \"p99_us_max\": 50}", path);
	json_object_foreach(o, key, v)
	{
		double d;
		int i = strcmp(key, "weight") ? bound_index(key) : -2;

		if (i == -1)
			return hp_errf(
			    err,
			    "%s.%s: unknown key (expected weight, mean_us_max, p50_us_max, "
			    "p90_us_max, p99_us_max, p99.9_us_max or poll_cpu_pct_max)",
			    path, key);
		if (!json_is_number(v))
			return hp_errf(err, "%s.%s: expected a number", path, key);
		d = json_number_value(v);
		if (!(d >= 0) || !isfinite(d))
			return hp_errf(err, "%s.%s: %g is negative (expected a number >= 0)", path,
			               key, d);
		if (i == -2)
			t->weight = d;
		else if (i == HP_LAT_NSTAT)
			t->cpu_max_pct = d;
		else
			t->lat_max_ns[i] = nearbyint(d * 1e9) / 1e6; /* as $.objective does */
	}
	return 0;
}

static int parse_traces(json_t *o, struct hp_sweep_config *c, struct hp_err *err)
{
	const char *key;
	json_t *v;
	char path[512];
	size_t t;

	if (!json_is_object(o))
		return hp_errf(err, "$.recommend.traces: expected an object of LABEL: {weight, "
		                    "bounds}");
	json_object_foreach(o, key, v)
	{
		for (t = 0; t < c->ntraces; t++)
			if (!strcmp(c->traces[t].label, key))
				break;
		snprintf(path, sizeof(path), "$.recommend.traces[\"%s\"]", key);
		if (t == c->ntraces)
			return hp_errf(err,
			               "%s: no such trace in $.traces (a label as written there, "
			               "e.g. \"%s\")",
			               path, c->traces[0].label);
		if (parse_trace(v, path, &c->host->trace[t], err) < 0)
			return -1;
	}
	return 0;
}

static int parse_round(json_t *o, struct hp_sweep_host *h, struct hp_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return hp_errf(err, "$.recommend.round: expected an object of PARAMETER: step_ns");
	h->steps = calloc(json_object_size(o) + 1, sizeof(*h->steps));
	if (!h->steps)
		return hp_errf(err, "out of memory");
	json_object_foreach(o, key, v)
	{
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > UINT32_MAX)
			return hp_errf(err,
			               "$.recommend.round.%s: expected a positive integer step "
			               "(ns)",
			               key);
		h->steps[h->nsteps].name = strdup(key);
		if (!h->steps[h->nsteps].name)
			return hp_errf(err, "out of memory");
		h->steps[h->nsteps++].step = (uint32_t)json_integer_value(v);
	}
	return 0;
}

int hp_sweep_host_parse(const void *j, struct hp_sweep_config *c, struct hp_err *err)
{
	static const char *const keys[] = {"traces", "round"};
	json_t *o = (json_t *)j;
	const char *key;
	json_t *v;
	double sum = 0;
	size_t t, k;

	c->host = calloc(1, sizeof(*c->host));
	if (!c->host || !(c->host->trace = calloc(c->ntraces + 1, sizeof(*c->host->trace))))
		return hp_errf(err, "out of memory");
	for (t = 0; t < c->ntraces; t++) {
		c->host->trace[t].weight = 1;
		c->host->trace[t].cpu_max_pct = c->cpu_max_pct;
		memcpy(c->host->trace[t].lat_max_ns, c->lat_max_ns, sizeof(c->lat_max_ns));
	}
	if (!o)
		return 0;
	if (!json_is_object(o))
		return hp_errf(err, "$.recommend: expected an object with traces and/or round");
	json_object_foreach(o, key, v)
	{
		for (k = 0; k < 2 && strcmp(key, keys[k]); k++)
			;
		if (k == 2)
			return hp_errf(
			    err, "$.recommend.%s: unknown key (expected traces or round)", key);
	}
	if ((v = json_object_get(o, "traces")) && parse_traces(v, c, err) < 0)
		return -1;
	if ((v = json_object_get(o, "round")) && parse_round(v, c->host, err) < 0)
		return -1;
	for (t = 0; t < c->ntraces; t++)
		sum += c->host->trace[t].weight;
	if (!(sum > 0))
		return hp_errf(err, "$.recommend.traces: every weight is 0 (expected one above 0)");
	return 0;
}

void hp_sweep_host_free(struct hp_sweep_config *c)
{
	size_t i;

	if (!c->host)
		return;
	for (i = 0; i < c->host->nsteps; i++)
		free(c->host->steps[i].name);
	free(c->host->steps);
	free(c->host->trace);
	free(c->host);
	c->host = NULL;
}
