/* Helpers shared by the policy adapters. */
#include <stdbool.h>
#include <string.h>

#include "adapter.h"

void hp_policy_read(const struct hp_policy_ops *ops, struct hp_param_values *pv)
{
	size_t i;

	memset(pv, 0, sizeof(*pv));
	for (i = 0; i < ops->nparams && i < HP_MAX_PARAMS; i++) {
		pv->v[i] = hp_param_value(&ops->params[i]);
		pv->set[i] = hp_param_is_set(&ops->params[i]);
	}
}

void hp_policy_write(const struct hp_policy_ops *ops, const struct hp_param_values *pv)
{
	size_t i;

	for (i = 0; i < ops->nparams && i < HP_MAX_PARAMS; i++) {
		const struct hp_param *p = &ops->params[i];

		if (p->type == HP_PARAM_BOOL)
			*p->bvar = pv->v[i] != 0;
		else
			*p->uvar = pv->v[i];
		if (p->setvar)
			*p->setvar = pv->set[i];
	}
}

/* The configuration's values go into the globals just before a run, as the shim sets its clock. */
void hp_policy_load(const struct hp_policy_ops *ops, const struct hp_kernel *k,
                    const struct hp_param_values *pv)
{
	hpsim_kernel_version = k->version;
	hpsim_arch = (int)k->arch;
	hp_policy_write(ops, pv);
}
