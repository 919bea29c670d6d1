/*
 * A JSON boolean as a parameter value is a boolean parameter's 1 or 0; for
 * any other parameter it is a mistake ("halt_poll_ns": true is not 1 ns),
 * refused with the value's JSON path.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/policy.h"
#include "sweep_int.h"

/* Is name (or the NAME of LAYER.NAME) a boolean parameter of some policy? */
static int is_bool_param(const char *name)
{
	const struct hp_policy_ops *const *all;
	const char *dot = strchr(name, '.');
	size_t n, i, j;

	if (dot)
		name = dot + 1;
	all = hp_policy_list(&n);
	for (i = 0; i < n; i++)
		for (j = 0; j < all[i]->nparams; j++)
			if (all[i]->params[j].type == HP_PARAM_BOOL &&
			    !strcmp(all[i]->params[j].name, name))
				return 1;
	return 0;
}

int sweep_check_bools(json_t *v, const char *name, const char *path, struct hp_err *err)
{
	size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

	if (is_bool_param(name))
		return 0;
	for (i = 0; i < n; i++) {
		json_t *x = json_is_array(v) ? json_array_get(v, i) : v;

		if (!json_is_boolean(x))
			continue;
		if (json_is_array(v))
			return hp_errf(
			    err,
			    "%s[%zu]: %s is a boolean, but %s is not a boolean parameter "
			    "(expected a non-negative integer)",
			    path, i, json_is_true(x) ? "true" : "false", name);
		return hp_errf(err,
		               "%s: %s is a boolean, but %s is not a boolean parameter "
		               "(expected a non-negative integer)",
		               path, json_is_true(x) ? "true" : "false", name);
	}
	return 0;
}
