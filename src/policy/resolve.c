/* The one resolver of a setting's NAME or LAYER.NAME to a layer's policy parameter. */
#include <stdio.h>
#include <string.h>

#include "hpsim/policy.h"

/* The layer a "LAYER." prefix of len characters names; -1 if none does. */
static int layer_of(const char *name, size_t len)
{
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (strlen(hp_layer_name((enum hp_layer)l)) == len &&
		    !strncmp(name, hp_layer_name((enum hp_layer)l), len))
			return l;
	return -1;
}

int hp_param_resolve(const struct hp_policy_ops *const layer[HP_LAYER_COUNT], const char *name,
                     const char *scope, struct hp_param_ref *ref, struct hp_err *err)
{
	const char *dot = strchr(name, '.'), *base = dot ? dot + 1 : name;
	int l, want = -1, found = -1;
	char valid[512] = "";
	size_t len = 0, i;

	if (dot) {
		want = layer_of(name, (size_t)(dot - name));
		if (want < 0)
			return hp_errf(err, "'%s': unknown layer (valid: guest, host, vcore)",
			               name);
		if (!layer[want])
			return hp_errf(err, "no %s has a parameter '%s' (there is no %s policy)",
			               scope, name, hp_layer_name((enum hp_layer)want));
	}
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		const struct hp_policy_ops *ops = layer[l];

		if (!ops || (want >= 0 && l != want))
			continue;
		for (i = 0; i < ops->nparams && len < sizeof(valid); i++)
			len += (size_t)snprintf(valid + len, sizeof(valid) - len, "%s%s.%s",
			                        len ? ", " : "", hp_layer_name((enum hp_layer)l),
			                        ops->params[i].name);
		if (!hp_policy_param(ops, base))
			continue;
		if (found >= 0)
			return hp_errf(err,
			               "'%s' is a parameter of both the %s and the %s policy; "
			               "qualify it as %s.%s or %s.%s",
			               base, hp_layer_name((enum hp_layer)found),
			               hp_layer_name((enum hp_layer)l),
			               hp_layer_name((enum hp_layer)found), base,
			               hp_layer_name((enum hp_layer)l), base);
		found = l;
	}
	if (found < 0)
		return hp_errf(err, "no %s has a parameter '%s' (valid: %s)", scope, base,
		               len ? valid : "none");
	ref->layer = (enum hp_layer)found;
	ref->param = hp_policy_param(layer[found], base);
	ref->index = (size_t)(ref->param - layer[found]->params);
	return 0;
}
