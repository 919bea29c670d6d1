/*
 * The replay engine. Open loop: every wakeup keeps its recorded arrival
 * time; closed loop: a vCPU's later activity moves by the latency its halts
 * took (see hp_engine_closed_times()). Per halt, the layers stack as in production: the guest
 * policy polls inside the guest, or executes HLT; the HLT exits to the host (hlt_exit_ns), where
 * the host policy (kvm, or the powerpc vcore loop) polls or sleeps; VM entry (vm_entry_ns) returns
 * to the guest, which then takes the wakeup interrupt (guest_wakeup_ns). A guest poll that sees the
 * wakeup needs none of that.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

/* One halt in flight: what the guest layer's HLT needs to reach the host. */
struct halt_ctx {
	const struct hp_engine_config *cfg;
	const struct hp_episodes *eps;
	struct hp_vcpu *v;
	const struct hp_episode *e;
	uint64_t wake; /* the wakeup's arrival in this replay */
	struct hp_outcome *o;
	const struct hp_cost *c; /* this halt's costs (drawn, when some vary) */
};

/*
 * A policy's input for e entering at enter_ns, its wakeup at wake_ns: every
 * field set by name (an initializer that zeroes the rest compiles to
 * `rep stos`, slow for a struct this small, once or twice a halt).
 */
static inline void halt_in_init(struct hp_halt_in *in, const struct hp_episode *e,
                                uint64_t enter_ns, uint64_t wake_ns, const struct hp_cost *c)
{
	in->cpu = e->cpu;
	in->enter_ns = enter_ns;
	in->wake_ns = wake_ns;
	in->busy_from = in->busy_until = 0;
	in->valid_wakeup = !(e->flags & HP_EP_WAKE_INVALID);
	in->host_poll_disabled = false;
	in->steal_pct = 0;
	in->cost = c;
	in->host_sleep = NULL;
	in->host_sleep_ctx = NULL;
	in->lower = NULL;
	in->lower_ctx = NULL;
}

/* The layer that handles a halt on the host: the vcore loop or kvm_vcpu_halt(); -1: none. */
static int host_layer(const struct hp_engine_config *cfg)
{
	if (cfg->layer[HP_LAYER_VCORE])
		return HP_LAYER_VCORE;
	return cfg->layer[HP_LAYER_HOST] ? HP_LAYER_HOST : -1;
}

/* The vCPU thread sleeps from sleep_ns: its host CPU may idle (host_idle.c). */
static uint64_t host_sleep(void *ctx, uint64_t sleep_ns, uint64_t wake_ns)
{
	struct halt_ctx *h = ctx;

	return hp_host_idle_sleep(h->cfg, h->eps, h->v, h->e, sleep_ns, wake_ns, h->o);
}

/* The guest executed HLT at hlt_ns; returns when guest code runs again (after VM entry). */
static uint64_t vm_halt(void *ctx, uint64_t hlt_ns)
{
	struct halt_ctx *h = ctx;
	const struct hp_engine_config *cfg = h->cfg;
	const struct hp_cost *c = h->c;
	uint64_t host_enter = hlt_ns + c->hlt_exit_ns, wake = h->wake;
	int l = host_layer(cfg);
	const struct hp_policy_ops *guest = cfg->layer[HP_LAYER_GUEST];
	struct hp_halt_in in;

	halt_in_init(&in, h->e, host_enter, wake, c);

	/*
	 * x86 calls kvm_vcpu_halt() only if the vCPU is not runnable at the HLT
	 * exit (vcpu_block()); other architectures always call it.
	 */
	if (wake <= host_enter && cfg->kernel.arch == HP_ARCH_X86) {
		h->o->pending_at_exit = 1;
		return host_enter + c->vm_entry_ns;
	}
	if (l < 0) {
		/* no host policy simulated: the host puts the vCPU thread to sleep */
		if (wake <= host_enter)
			return host_enter + c->vm_entry_ns;
		if (h->v->gov) {
			hp_engine_next_busy(h->eps, h->v, in.cpu, host_enter, &in.busy_from,
			                    &in.busy_until);
			wake += hp_host_idle_sleep(cfg, h->eps, h->v, h->e, host_enter, wake, h->o);
		}
		return wake + c->host_wakeup_ns + c->vm_entry_ns;
	}
	hp_engine_next_busy(h->eps, h->v, in.cpu, host_enter, &in.busy_from, &in.busy_until);
	if (h->v->gov) {
		in.host_sleep = host_sleep;
		in.host_sleep_ctx = h;
	}
	if (cfg->kernel.arch == HP_ARCH_S390)
		in.steal_pct = hp_steal_pct(&h->v->steal, h->eps, in.cpu, host_enter);
	in.host_poll_disabled =
	    guest && guest->disables_host_poll && cfg->kernel.arch == HP_ARCH_X86;
	cfg->layer[l]->halt(h->v->state[l], &in, &h->o->d[l]);
	h->o->has[l] = 1;
	return h->o->d[l].end_ns + c->vm_entry_ns;
}

static void run_halt(const struct hp_engine_config *cfg, const struct hp_episodes *eps,
                     struct hp_vcpu *v, const struct hp_episode *e, struct hp_outcome *o)
{
	const struct hp_policy_ops *guest = cfg->layer[HP_LAYER_GUEST];
	struct halt_ctx h = {
	    .cfg = cfg, .eps = eps, .v = v, .e = e, .wake = o->wake_ns, .o = o, .c = o->cost};

	if (guest) {
		struct hp_halt_in in;
		const struct hp_decision *d = &o->d[HP_LAYER_GUEST];
		size_t first;

		/* closed loop moves the wakeup: the guest sees it moved */
		halt_in_init(&in, e, o->enter_ns, o->wake_ns, o->cost);
		in.lower = vm_halt;
		in.lower_ctx = &h;
		hp_engine_next_busy(eps, v, e->cpu, o->enter_ns, &in.busy_from, &in.busy_until);
		/* the guest's HLT moves the cursor to the host entry, past the poll */
		first = v->busy;
		guest->halt(v->state[HP_LAYER_GUEST], &in, &o->d[HP_LAYER_GUEST]);
		o->has[HP_LAYER_GUEST] = 1;
		/* guest polling keeps the host CPU busy whatever else wants it */
		o->guest_poll_contended_ns = hp_engine_busy_overlap(eps, first, e->cpu, o->enter_ns,
		                                                    o->enter_ns + d->polled_ns);
		o->resume_ns = d->waited ? d->end_ns + o->cost->guest_wakeup_ns : d->end_ns;
	} else {
		o->resume_ns = vm_halt(&h, o->enter_ns) + o->cost->guest_wakeup_ns;
	}
}

static int check_config(const struct hp_engine_config *cfg, struct hp_err *err)
{
	int l;

	if (!cfg->layer[HP_LAYER_GUEST] && host_layer(cfg) < 0)
		return hp_errf(err,
		               "no policy given: choose at least one of --guest, --host, --vcore");
	if (cfg->layer[HP_LAYER_HOST] && cfg->layer[HP_LAYER_VCORE])
		return hp_errf(err,
		               "a vCPU halts either through kvm_vcpu_halt() (--host) or through "
		               "the powerpc vcore loop (--vcore), not both");
	if (cfg->vcore_size > 1 && !cfg->layer[HP_LAYER_VCORE])
		return hp_errf(err, "--vcore-size %u needs a vcore policy (--vcore)",
		               cfg->vcore_size);
	if ((cfg->vcore_size > 1 || cfg->event_driven) && cfg->layer[HP_LAYER_GUEST])
		return hp_errf(err, "vcores of several vCPUs model powerpc guests, which have no "
		                    "guest halt-polling layer: drop --guest");
	if (cfg->event_driven && !cfg->layer[HP_LAYER_VCORE])
		return hp_errf(err, "the discrete-event scheduler runs vcores: choose --vcore");
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (cfg->layer[l] && cfg->layer[l]->layer != (enum hp_layer)l)
			return hp_errf(err, "policy '%s' is not a %s policy", cfg->layer[l]->name,
			               hp_layer_name((enum hp_layer)l));
	return 0;
}

/* The policy states of every vCPU, one array per configured layer. */
static int alloc_states(const struct hp_engine_config *cfg, struct hp_vcpu *v, uint32_t ncpu,
                        char **state, struct hp_err *err)
{
	uint32_t i;
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++) {
		const struct hp_policy_ops *ops = cfg->layer[l];

		if (!ops)
			continue;
		/* this run's values into the policy's module globals, as the shim sets the clock */
		hp_policy_load(ops, &cfg->kernel, &cfg->params[l]);
		state[l] = calloc(ncpu, ops->state_size);
		if (!state[l])
			return hp_errf(err, "out of memory for the %s policy state of %u vCPUs",
			               ops->name, ncpu);
		for (i = 0; i < ncpu; i++) {
			v[i].state[l] = state[l] + i * ops->state_size;
			ops->init(v[i].state[l], i);
		}
	}
	return 0;
}

/* Open loop and closed loop with vcores of one: the halts in stream order, block by block. */
static int run_stream(struct hp_episode_source *src, const struct hp_engine_config *cfg,
                      struct hp_vcpu *v, uint32_t ncpu, struct hp_cost *drawn,
                      struct hp_cost_sampler *sampler, struct hp_engine_stats *st,
                      struct hp_err *err)
{
	const struct hp_episodes *eps = src->eps;
	const struct hp_episode *blk;
	struct hp_outcome o;
	uint64_t idx = 0;
	size_t n, i;

	memset(&o, 0, sizeof(o));
	for (;;) {
		if (src->next_block(src, &blk, &n, err) < 0)
			return -1;
		if (!n)
			return 0;
		for (i = 0; i < n; i++, idx++) {
			const struct hp_episode *e = &blk[i];
			struct hp_vcpu *vc;

			if (e->cpu >= ncpu)
				return hp_errf(err,
				               "episode %llu: cpu %u outside the capture's %u CPUs",
				               (unsigned long long)idx, e->cpu, ncpu);
			vc = &v[e->cpu];
			hp_engine_reset_outcome(&o, cfg);
			o.ep = e;
			o.cost = &cfg->cost;
			if (drawn) {
				hp_cost_sampler_draw(sampler, drawn, e->cpu, idx);
				o.cost = drawn;
			}
			o.enter_ns = e->halt_start_ns;
			o.wake_ns = e->wake_ns;
			if (cfg->mode == HP_MODE_CLOSED)
				hp_engine_closed_times(v, ncpu, e, &o);
			if (vc->last_resume > o.enter_ns) {
				o.enter_ns = vc->last_resume;
				st->delayed_halts++;
			}
			if (cfg->mode == HP_MODE_CLOSED)
				hp_engine_pending_wake(&o);
			run_halt(cfg, eps, vc, e, &o);
			o.latency_ns = o.resume_ns > o.wake_ns ? o.resume_ns - o.wake_ns : 0;
			vc->last_resume = o.resume_ns;
			if (cfg->mode == HP_MODE_CLOSED)
				vc->shift = o.resume_ns - e->wake_ns;
			st->halts++;
			st->pending_at_exit += o.pending_at_exit;
			if (cfg->on_outcome)
				cfg->on_outcome(cfg->ctx, &o);
		}
	}
}

int hp_engine_run_source(struct hp_episode_source *src, const struct hp_engine_config *cfg,
                         struct hp_engine_stats *st, struct hp_err *err)
{
	uint32_t ncpu = src->eps->ncpu ? src->eps->ncpu : 1, i;
	char *state[HP_LAYER_COUNT] = {NULL};
	struct hp_cost *drawn = NULL; /* the halt's costs, when some are distributions */
	struct hp_cost_sampler sampler = {0};
	struct hp_vcpu *v;
	int l, rc = 0;

	memset(st, 0, sizeof(*st));
	if (check_config(cfg, err) < 0)
		return -1;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return hp_errf(err, "out of memory for %u vCPUs", ncpu);
	rc = alloc_states(cfg, v, ncpu, state, err);
	if (rc < 0)
		goto out;
	for (i = 0; i < ncpu; i++)
		v[i].halts = src->halts[i] != 0;
	if (cfg->vcore_size > 1 || cfg->event_driven) {
		rc = hp_engine_run_vcores(src, cfg, v, st, err);
		goto out;
	}
	if (hp_host_idle_active(&cfg->idle))
		for (i = 0; i < ncpu; i++) {
			v[i].gov = cfg->idle.gov->create(&cfg->idle.table, cfg->kernel.version >> 16,
			                                 (cfg->kernel.version >> 8) & 0xff, err);
			if (!v[i].gov) {
				rc = -1;
				goto out;
			}
		}
	if (cfg->cost.varying) {
		drawn = malloc(sizeof(*drawn));
		if (!drawn) {
			rc = hp_errf(err, "out of memory");
			goto out;
		}
		*drawn = cfg->cost;
		if (hp_cost_sampler_init(&sampler, &cfg->cost, err) < 0) {
			rc = -1;
			goto out;
		}
	}
	rc = run_stream(src, cfg, v, ncpu, drawn, &sampler, st, err);
	/* the workload ends later by the shift its vCPUs carry after their last halts */
	if (!rc && cfg->mode == HP_MODE_CLOSED)
		for (i = 0; i < ncpu; i++)
			if (v[i].shift > st->extension_ns)
				st->extension_ns = v[i].shift;
out:
	for (l = 0; l < HP_LAYER_COUNT; l++)
		free(state[l]);
	free(drawn);
	hp_cost_sampler_free(&sampler);
	for (i = 0; i < ncpu; i++)
		if (v[i].gov)
			cfg->idle.gov->destroy(v[i].gov);
	free(v);
	return rc;
}

int hp_engine_run(const struct hp_episodes *eps, const struct hp_engine_config *cfg,
                  struct hp_engine_stats *st, struct hp_err *err)
{
	struct hp_episode_source src;
	int rc;

	memset(st, 0, sizeof(*st));
	if (check_config(cfg, err) < 0)
		return -1;
	if (hp_source_from_array(&src, eps, err) < 0)
		return -1;
	rc = hp_engine_run_source(&src, cfg, st, err);
	hp_source_close(&src);
	return rc;
}
