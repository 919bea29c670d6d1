/* From a run spec (names and text, as users write them) to an engine configuration. */
#include <stdio.h>
#include <string.h>

#include "hpsim/engine.h"

/* The architectures of a parameter's arch_mask, as text ("s390"), into buf. */
static const char *arch_list(uint32_t mask, char *buf, size_t size)
{
	size_t len = 0;
	int a;

	buf[0] = '\0';
	for (a = 0; a < HP_ARCH_COUNT && len < size; a++)
		if (mask & (1u << a))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
			                        hp_arch_name((enum hp_arch)a));
	return buf;
}

/* Apply NAME=VALUE to the one configured layer whose policy has NAME (or the named layer). */
static int apply_setting(const struct hp_setting *s, struct hp_engine_config *cfg,
                         struct hp_err *err)
{
	struct hp_param_ref r;
	char arches[64];

	if (hp_param_resolve(cfg->layer, s->name, "configured policy", &r, err) < 0)
		return -1;
	if (hp_param_check_kernel(cfg->layer[r.layer], r.param, &cfg->kernel, err) < 0)
		return -1;
	if (!hp_param_in_arch(r.param, cfg->kernel.arch))
		return hp_errf(err, "%s.%s is a parameter of %s only; --arch %s does not have it",
		               hp_layer_name(r.layer), r.param->name,
		               arch_list(r.param->arch_mask, arches, sizeof(arches)),
		               hp_arch_name(cfg->kernel.arch));
	return hp_param_values_set(cfg->layer[r.layer], &cfg->params[r.layer], r.param->name,
	                           s->value, err);
}

/*
 * A policy compiled from a kernel tree is that tree's release: without
 * --kernel the run takes the tree's version (its defaults and the other
 * layers' semantics), and a --kernel of another major.minor is refused.
 */
static int tree_kernel(const struct hp_policy_ops *ops, const char *given, struct hp_kernel *k,
                       struct hp_err *err)
{
	if (!ops->tree_kver)
		return 0;
	if (!given) {
		k->version = ops->tree_kver;
		return 0;
	}
	if ((k->version & ~0xffu) != ops->tree_kver)
		return hp_errf(err,
		               "%s is the code of a %u.%u kernel tree; --kernel %s would give it "
		               "another release's defaults (omit --kernel, or give %u.%u)",
		               ops->name, ops->tree_kver >> 16, (ops->tree_kver >> 8) & 0xff, given,
		               ops->tree_kver >> 16, (ops->tree_kver >> 8) & 0xff);
	return 0;
}

int hp_run_spec_cost(const struct hp_run_spec *spec, struct hp_cost *cost, struct hp_err *err)
{
	int a = HP_ARCH_X86;
	size_t i;

	if (spec->arch && (a = hp_arch_parse(spec->arch, err)) < 0)
		return -1;
	hp_cost_defaults(cost, (enum hp_arch)a);
	if (spec->cost_file && hp_cost_load_json(cost, spec->cost_file, err) < 0)
		return -1;
	for (i = 0; i < spec->ncost; i++)
		if (hp_cost_set(cost, spec->cost[i].name, spec->cost[i].value, err) < 0)
			return -1;
	return 0;
}

int hp_engine_configure(const struct hp_run_spec *spec, struct hp_engine_config *cfg,
                        struct hp_err *err)
{
	size_t i;
	int l, a;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kernel.arch = HP_ARCH_X86;
	cfg->kernel.version = HP_KVER_NEWEST;
	if (spec->arch) {
		a = hp_arch_parse(spec->arch, err);
		if (a < 0)
			return -1;
		cfg->kernel.arch = (enum hp_arch)a;
	}
	if (spec->mode && strcmp(spec->mode, "open") && strcmp(spec->mode, "closed"))
		return hp_errf(err, "replay mode '%s' is not open or closed", spec->mode);
	cfg->mode = spec->mode && !strcmp(spec->mode, "closed") ? HP_MODE_CLOSED : HP_MODE_OPEN;
	cfg->vcore_size = spec->vcore_size;
	if (spec->kernel && hp_kver_parse(spec->kernel, &cfg->kernel.version, err) < 0)
		return -1;
	if (hp_run_spec_cost(spec, &cfg->cost, err) < 0)
		return -1;
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		if (!spec->policy[l])
			continue;
		cfg->layer[l] = hp_policy_lookup(spec->policy[l], (enum hp_layer)l, err);
		if (!cfg->layer[l])
			return -1;
		if (cfg->layer[l]->nparams > HP_MAX_PARAMS)
			return hp_errf(err, "policy '%s' has %zu parameters, more than %d",
			               cfg->layer[l]->name, cfg->layer[l]->nparams, HP_MAX_PARAMS);
		if (tree_kernel(cfg->layer[l], spec->kernel, &cfg->kernel, err) < 0)
			return -1;
	}
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (cfg->layer[l])
			hp_param_values_default(cfg->layer[l], &cfg->kernel, &cfg->params[l]);
	for (i = 0; i < spec->nparams; i++)
		if (apply_setting(&spec->params[i], cfg, err) < 0)
			return -1;
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (cfg->layer[l] && hp_policy_check_kernel(cfg->layer[l], &cfg->kernel, err) < 0)
			return -1;
	return hp_host_idle_configure(spec, &cfg->kernel, &cfg->idle, err);
}
