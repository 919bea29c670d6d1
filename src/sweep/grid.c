/* The grid: point and unit numbering, each unit's run spec, validation, shards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/policy.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

uint64_t hp_sweep_nunits(const struct hp_sweep_config *c)
{
	return (c->npoints + (c->oracle_layer >= 0 ? c->nwindows : 0)) * c->ntraces;
}

size_t hp_sweep_point_series(const struct hp_sweep_config *c, uint64_t point)
{
	size_t i;

	for (i = 0; i < c->nseries; i++) {
		const struct hp_sweep_series *s = &c->series[i];

		if (point < c->ngrid ? point < s->first_point + s->npoints
		                     : point == s->default_point)
			return i;
	}
	return 0;
}

void sweep_series_ops(const struct hp_sweep_series *s,
                      const struct hp_policy_ops *ops[HP_LAYER_COUNT])
{
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++)
		ops[l] =
		    s->policy[l] ? hp_policy_lookup(s->policy[l], (enum hp_layer)l, NULL) : NULL;
}

uint32_t sweep_param_default(const struct hp_sweep_config *c, const struct hp_sweep_series *s,
                             const char *qname)
{
	struct hp_kernel k = {HP_ARCH_X86, HP_KVER_NEWEST};
	const struct hp_policy_ops *ops[HP_LAYER_COUNT];
	struct hp_param_ref r;

	if (c->arch)
		k.arch = (enum hp_arch)hp_arch_parse(c->arch, NULL);
	hp_kver_parse(s->kernel, &k.version, NULL);
	sweep_series_ops(s, ops);
	if (hp_param_resolve(ops, qname, "policy", &r, NULL) < 0)
		return 0;
	return hp_param_default(r.param, &k);
}

/* Value indices of a grid point along its series' axes (last axis fastest); 0: a default. */
static int point_indices(const struct hp_sweep_config *c, uint64_t point, size_t *series,
                         size_t *vi)
{
	const struct hp_sweep_series *s;
	uint64_t idx;
	size_t a;

	*series = hp_sweep_point_series(c, point);
	s = &c->series[*series];
	if (point >= c->ngrid)
		return 0;
	idx = point - s->first_point;
	for (a = s->naxes; a-- > 0;) {
		vi[a] = (size_t)(idx % s->axes[a].nvalues);
		idx /= s->axes[a].nvalues;
	}
	return 1;
}

/* The (qualified name, value) settings of a point, in axis order; returns how many. */
static size_t point_settings(const struct hp_sweep_config *c, uint64_t point, size_t *series,
                             const char **names, uint32_t *vals)
{
	size_t vi[HP_MAX_SETTINGS], a, k, n = 0;
	const struct hp_sweep_series *s;
	int grid = point_indices(c, point, series, vi);

	s = &c->series[*series];
	for (a = 0; a < s->naxes; a++)
		for (k = 0; k < s->axes[a].nnames; k++) {
			names[n] = s->axes[a].names[k];
			vals[n] = grid ? s->axes[a].values[vi[a] * s->axes[a].nnames + k]
			               : sweep_param_default(c, s, names[n]);
			n++;
		}
	return n;
}

void hp_sweep_point_values(const struct hp_sweep_config *c, uint64_t point, uint32_t *vals,
                           uint8_t *has)
{
	const char *names[HP_MAX_SETTINGS];
	uint32_t v[HP_MAX_SETTINGS];
	size_t series, n, i, j;

	n = point_settings(c, point, &series, names, v);
	for (i = 0; i < c->ncols; i++) {
		has[i] = 0;
		vals[i] = 0;
		for (j = 0; j < n; j++)
			if (!strcmp(c->cols[i], names[j])) {
				has[i] = 1;
				vals[i] = v[j];
			}
	}
}

static void base_spec(const struct hp_sweep_config *c, struct hp_sweep_spec *s)
{
	memset(&s->spec, 0, sizeof(s->spec));
	s->spec.arch = c->arch;
	s->spec.mode = c->mode;
	memcpy(s->spec.cost, c->cost, c->ncost * sizeof(c->cost[0]));
	s->spec.ncost = c->ncost;
	s->spec.idle.table = c->host_idle;
	s->spec.idle.governor = c->host_governor;
}

void hp_sweep_unit_spec(const struct hp_sweep_config *c, uint64_t unit, struct hp_sweep_spec *s,
                        size_t *trace)
{
	const char *names[HP_MAX_SETTINGS];
	uint32_t vals[HP_MAX_SETTINGS];
	uint64_t point = unit / c->ntraces;
	size_t series, n, i;
	int l;

	*trace = (size_t)(unit % c->ntraces);
	base_spec(c, s);
	if (point >= c->npoints) {
		static const char *const qnames[] = {
		    "guest.oracle_window_ns", "host.oracle_window_ns", "vcore.oracle_window_ns"};

		s->spec.kernel = c->series[0].kernel;
		s->spec.policy[c->oracle_layer] = "oracle";
		snprintf(s->text[0], sizeof(s->text[0]), "%u", c->windows[point - c->npoints]);
		s->spec.params[0].name = qnames[c->oracle_layer];
		s->spec.params[0].value = s->text[0];
		s->spec.nparams = 1;
		return;
	}
	n = point_settings(c, point, &series, names, vals);
	s->spec.kernel = c->series[series].kernel;
	for (l = 0; l < HP_LAYER_COUNT; l++)
		s->spec.policy[l] = c->series[series].policy[l];
	for (i = 0; i < n && i < HP_MAX_SETTINGS; i++) {
		snprintf(s->text[i], sizeof(s->text[i]), "%u", vals[i]);
		s->spec.params[i].name = names[i];
		s->spec.params[i].value = s->text[i];
	}
	s->spec.nparams = i;
}

int hp_sweep_validate(const struct hp_sweep_config *c, struct hp_err *err)
{
	struct hp_sweep_spec *s = malloc(sizeof(*s));
	struct hp_engine_config cfg;
	struct hp_err e;
	size_t si, a, v, k, trace;
	uint64_t p;
	int l, rc = -1;

	if (!s)
		return hp_errf(err, "out of memory");
	/* each stack on its kernel with no parameter set: what is wrong there is the kernel's */
	for (si = 0; si < c->nseries; si++) {
		const struct hp_sweep_series *sr = &c->series[si];

		base_spec(c, s);
		s->spec.kernel = sr->kernel;
		for (l = 0; l < HP_LAYER_COUNT; l++)
			s->spec.policy[l] = sr->policy[l];
		if (hp_engine_configure(&s->spec, &cfg, &e) < 0) {
			hp_errf(err, "%s (series '%s' of %s): %s", sr->kernel_path, sr->label,
			        sr->stack_path, e.msg);
			goto out;
		}
	}
	/* then each value alone, so that an error names the value's own path */
	for (si = 0; si < c->nseries; si++) {
		const struct hp_sweep_series *sr = &c->series[si];

		for (a = 0; a < sr->naxes; a++)
			for (v = 0; v < sr->axes[a].nvalues; v++) {
				base_spec(c, s);
				s->spec.kernel = sr->kernel;
				for (l = 0; l < HP_LAYER_COUNT; l++)
					s->spec.policy[l] = sr->policy[l];
				for (k = 0; k < sr->axes[a].nnames; k++) {
					snprintf(s->text[k], sizeof(s->text[k]), "%u",
					         sr->axes[a].values[v * sr->axes[a].nnames + k]);
					s->spec.params[k].name = sr->axes[a].names[k];
					s->spec.params[k].value = s->text[k];
				}
				s->spec.nparams = k;
				if (hp_engine_configure(&s->spec, &cfg, &e) < 0) {
					hp_errf(err, "%s (value %zu, series '%s'): %s",
					        sr->axes[a].path, v, sr->label, e.msg);
					goto out;
				}
			}
	}
	for (p = 0; p < c->npoints; p++) {
		hp_sweep_unit_spec(c, p * c->ntraces, s, &trace);
		if (hp_engine_configure(&s->spec, &cfg, &e) < 0) {
			hp_errf(err, "$.params: point %llu (series '%s'): %s",
			        (unsigned long long)p, c->series[hp_sweep_point_series(c, p)].label,
			        e.msg);
			goto out;
		}
	}
	for (p = 0; c->oracle_layer >= 0 && p < c->nwindows; p++) {
		hp_sweep_unit_spec(c, (c->npoints + p) * c->ntraces, s, &trace);
		if (hp_engine_configure(&s->spec, &cfg, &e) < 0) {
			hp_errf(err, "$.oracle: window %u: %s", c->windows[p], e.msg);
			goto out;
		}
	}
	rc = 0;
out:
	free(s);
	return rc;
}

int hp_sweep_shard_parse(const char *str, uint32_t *i, uint32_t *n, struct hp_err *err)
{
	unsigned long a, b;
	char *end;

	a = strtoul(str, &end, 10);
	if (end == str || *end != '/')
		goto bad;
	str = end + 1;
	b = strtoul(str, &end, 10);
	if (end == str || *end || a < 1 || b < 1 || a > b || b > 1000000)
		goto bad;
	*i = (uint32_t)a;
	*n = (uint32_t)b;
	return 0;
bad:
	return hp_errf(err, "--shard: expected I/N with 1 <= I <= N (e.g. 2/8)");
}

bool hp_sweep_in_shard(uint64_t unit, uint32_t i, uint32_t n)
{
	return unit % n == (uint64_t)(i - 1);
}
