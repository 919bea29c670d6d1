/*
 * The replay engine (open loop): every wakeup keeps its recorded arrival
 * time. A halt enters the host after the HLT exit cost; the host policy
 * polls or sleeps; the vCPU runs again after the VM entry cost.
 */
#include <stdlib.h>
#include <string.h>

#include "hpsim/engine.h"

struct vcpu {
	void *host_state;
	uint64_t last_resume;
};

static void host_halt(const struct hp_engine_config *cfg, struct vcpu *v,
                      const struct hp_episode *e, struct hp_outcome *o)
{
	const struct hp_cost *c = &cfg->cost;
	uint64_t host_enter = o->enter_ns + c->hlt_exit_ns;
	uint64_t wake = e->wake_ns;
	struct hp_halt_in in = {
	    .cpu = e->cpu,
	    .enter_ns = host_enter,
	    .wake_ns = wake,
	    .valid_wakeup = true,
	    .cost = c,
	};

	/*
	 * x86 calls kvm_vcpu_halt() only if the vCPU is not runnable at the
	 * HLT exit (vcpu_block); other architectures always call it.
	 */
	if (wake <= host_enter && cfg->kernel.arch == HP_ARCH_X86) {
		o->pending_at_exit = 1;
		o->resume_ns = host_enter + c->vm_entry_ns;
		return;
	}
	cfg->layer[HP_LAYER_HOST]->halt(v->host_state, &in, &o->d[HP_LAYER_HOST]);
	o->has[HP_LAYER_HOST] = 1;
	o->resume_ns = o->d[HP_LAYER_HOST].end_ns + c->vm_entry_ns;
}

int hp_engine_run(const struct hp_episodes *eps, const struct hp_engine_config *cfg,
                  struct hp_engine_stats *st, struct hp_err *err)
{
	const struct hp_policy_ops *host = cfg->layer[HP_LAYER_HOST];
	struct vcpu *v;
	char *state;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (!host)
		return hp_errf(err, "no host policy given (use --host kvm, or --host none)");
	if (cfg->layer[HP_LAYER_GUEST] || cfg->layer[HP_LAYER_VCORE])
		return hp_errf(err, "only a host policy can be simulated so far");
	v = calloc(eps->ncpu ? eps->ncpu : 1, sizeof(*v));
	state = calloc(eps->ncpu ? eps->ncpu : 1, host->state_size ? host->state_size : 1);
	if (!v || !state) {
		free(v);
		free(state);
		return hp_errf(err, "out of memory for %u vCPUs", eps->ncpu);
	}
	for (i = 0; i < eps->ncpu; i++) {
		v[i].host_state = state + i * host->state_size;
		host->init(v[i].host_state, (uint32_t)i);
	}
	for (i = 0; i < eps->n; i++) {
		const struct hp_episode *e = &eps->ep[i];
		struct vcpu *vc = &v[e->cpu];
		struct hp_outcome o;

		memset(&o, 0, sizeof(o));
		o.ep = e;
		o.enter_ns = e->halt_start_ns;
		if (vc->last_resume > o.enter_ns) {
			o.enter_ns = vc->last_resume;
			st->delayed_halts++;
		}
		host_halt(cfg, vc, e, &o);
		o.latency_ns = o.resume_ns > e->wake_ns ? o.resume_ns - e->wake_ns : 0;
		vc->last_resume = o.resume_ns;
		st->halts++;
		st->pending_at_exit += o.pending_at_exit;
		if (cfg->on_outcome)
			cfg->on_outcome(cfg->ctx, &o);
	}
	free(state);
	free(v);
	return 0;
}
