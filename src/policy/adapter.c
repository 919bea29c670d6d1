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

/* Read a host-style halt's outcome off the simulated CPU (kvm and vcore share it). */
void hp_kvm_fill_decision(const struct hp_shim *sh, uint64_t enter, struct hp_decision *out)
{
	uint64_t end = (uint64_t)sh->now;
	uint64_t poll_end = sh->sleeping_prepared ? (uint64_t)sh->sleep_at : end;
	bool waited = sh->schedules > 0;

	out->enter_ns = enter;
	out->end_ns = end;
	out->waited = waited;
	out->woke_sleeper = waited;
	out->valid = sh->wakeup_traced ? sh->wakeup_valid : 1;
	out->block_ns = sh->wakeup_traced ? sh->wakeup_trace_ns : end - enter;
	out->adjust = (int8_t)sh->adjust;
	out->adj_new = sh->adj_new;
	out->adj_old = sh->adj_old;
	if (sh->deadline_set) {
		out->outcome = waited ? HP_POLL_MISS : HP_POLL_HIT;
		out->polled_ns = poll_end - enter;
	} else {
		out->outcome = HP_NO_POLL;
		out->polled_ns = 0;
	}
	out->wait_ns = waited ? end - poll_end : 0;
}
