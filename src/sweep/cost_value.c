/*
 * A sweep config's cost value that is a distribution ({"quantiles": ...} or
 * {"lognormal": ...}, as in a cost file), as the text hp_cost_set() reads,
 * so that it travels with the config's other cost settings.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/cost.h"
#include "sweep_int.h"

char *sweep_cost_dist_text(json_t *v, const char *key, const char *path, struct hp_err *err)
{
	const struct hp_cost_field *f;
	struct hp_cost *c;
	size_t i, n;
	char *text = NULL;

	f = hp_cost_fields(&n);
	for (i = 0; i < n && strcmp(f[i].name, key); i++)
		;
	if (i == n) {
		hp_errf(err, "%s: unknown cost-model name (`hpsim cost --list` lists them)", path);
		return NULL;
	}
	c = malloc(sizeof(*c));
	if (!c) {
		hp_errf(err, "out of memory");
		return NULL;
	}
	hp_cost_defaults(c, HP_ARCH_X86);
	if (hp_cost_set_json(c, i, v, path, err) == 0) {
		text = hp_cost_text(c, i);
		if (!text)
			hp_errf(err, "out of memory");
	}
	free(c);
	return text;
}
