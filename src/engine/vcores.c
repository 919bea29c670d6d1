/*
 * The discrete-event scheduler for powerpc vcores.
 * N consecutive vCPUs share a vcore. One clock and a queue of events drive
 * three state machines:
 *  - a vCPU runs guest code, then exits with its halt (H_CEDE, hlt_exit_ns),
 *    is ceded until its wakeup, and runs again;
 *  - a vcore runs while any of its vCPUs runs; when the last one cedes, the
 *    vcore blocks: that vCPU's task becomes the runner and calls the vcore
 *    policy (kvmppc_vcore_blocked) with the earliest wakeup of its vCPUs.
 *    The block's end hands the core back to the guest for all of them
 *    (vm_entry_ns); the vCPUs whose wakeup has arrived resume, the others
 *    stay ceded, napping in the guest;
 *  - a host CPU is the runner's: its contention intervals end the poll; with
 *    host idle states it idles while the block sleeps and nothing else is
 *    runnable there, under one governor per vcore (host_idle.c), and the
 *    wakeup that ends the block pays the state's exit latency.
 * A ceded vCPU whose wakeup arrives while its vcore runs is woken inside the
 * guest (guest_wakeup_ns), with no host involvement. The block's statistics
 * are charged to the runner. A vCPU that never halts keeps its vcore running.
 * Memory: one halt in flight per vCPU and at most one event per vCPU and per
 * vcore; a vCPU's next halt comes from its own reading position in the source.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"
#include "evq.h"

enum vcpu_state { V_RUNNING = 0, V_EXITING, V_CEDED };

struct ev_vcpu {
	struct hp_outcome o; /* the halt in flight */
	uint64_t ceded_at;   /* the halt reached the host */
	uint64_t poll_ns;    /* the vcore poll this halt ran as the runner */
	uint8_t state;       /* enum vcpu_state */
};

struct ev_vcore {
	uint32_t first, n; /* members: vCPUs first .. first + n - 1 */
	uint32_t ceded;    /* members ceded now */
	uint8_t blocked;
	uint64_t run_from; /* after a block: guest code runs again from here */
};

struct sched {
	struct hp_episode_source *src;
	const struct hp_episodes *eps;
	const struct hp_engine_config *cfg;
	struct hp_vcpu *v;
	struct ev_vcpu *ev;
	struct ev_vcore *vc;
	uint32_t size;
	struct hp_evq q;
	struct hp_engine_stats *st;
	struct hp_err *err;
	int failed; /* reading the source failed; err says why */
};

static struct ev_vcore *vcore_of(struct sched *s, uint32_t cpu)
{
	return &s->vc[cpu / s->size];
}

static void push(struct sched *s, uint64_t t, enum hp_ev_kind kind, uint32_t id)
{
	struct hp_ev ev = {.t = t, .kind = kind, .id = id};

	/* capacity: one event per vCPU and per vcore, which the machines never exceed */
	(void)hp_evq_push(&s->q, ev);
}

/* Start vCPU cpu's next halt, if it has one: it exits to the host at enter + hlt_exit_ns. */
static void next_halt(struct sched *s, uint32_t cpu)
{
	struct ev_vcpu *x = &s->ev[cpu];
	struct hp_vcpu *v = &s->v[cpu];
	const struct hp_episode *e = NULL;
	struct hp_outcome *o = &x->o;
	int got = s->failed ? 0 : s->src->next_of_cpu(s->src, cpu, &e, s->err);

	if (got < 0)
		s->failed = 1;
	if (got <= 0) {
		x->state = V_RUNNING;
		return;
	}
	hp_engine_reset_outcome(o, s->cfg); /* s.ev is calloc'd: the full clear */
	o->ep = e;
	o->enter_ns = e->halt_start_ns;
	o->wake_ns = e->wake_ns;
	if (s->cfg->mode == HP_MODE_CLOSED)
		hp_engine_closed_times(s->v, s->eps->ncpu, e, o);
	if (v->last_resume > o->enter_ns) {
		o->enter_ns = v->last_resume;
		s->st->delayed_halts++;
	}
	if (s->cfg->mode == HP_MODE_CLOSED)
		hp_engine_pending_wake(o);
	x->poll_ns = 0;
	x->state = V_EXITING;
	push(s, o->enter_ns + s->cfg->cost.hlt_exit_ns, HP_EV_CEDE, cpu);
}

/* The vCPU runs guest code again at resume; from_host: its vcore's block ended it. */
static void resume(struct sched *s, uint32_t cpu, uint64_t ran_from, bool from_host)
{
	const struct hp_cost *c = &s->cfg->cost;
	struct ev_vcpu *x = &s->ev[cpu];
	struct hp_vcpu *v = &s->v[cpu];
	struct hp_outcome *o = &x->o;

	o->resume_ns = ran_from + c->guest_wakeup_ns;
	o->latency_ns = o->resume_ns > o->wake_ns ? o->resume_ns - o->wake_ns : 0;
	o->split_given = 1;
	o->split_host_poll_ns = x->poll_ns;
	o->split_transition_ns = c->hlt_exit_ns + c->guest_wakeup_ns;
	if (from_host) {
		o->split_transition_ns += c->vm_entry_ns;
		ran_from -= c->vm_entry_ns;
	}
	o->split_sleep_ns = ran_from - x->ceded_at - x->poll_ns;
	vcore_of(s, cpu)->ceded--;
	v->last_resume = o->resume_ns;
	if (s->cfg->mode == HP_MODE_CLOSED)
		v->shift = o->resume_ns - o->ep->wake_ns;
	s->st->halts++;
	if (s->cfg->on_outcome)
		s->cfg->on_outcome(s->cfg->ctx, o);
	next_halt(s, cpu);
}

/* A block whose poll ended: the runner's task sleeps, and the vcore's host CPU may idle. */
struct block_sleep {
	struct sched *s;
	const struct ev_vcore *vc;
	uint32_t runner;
};

/*
 * The vcore's host CPU (the runner's: its contention intervals) idles from
 * sleep_ns until the earliest wakeup of its vCPUs, under the vcore's
 * governor; the runner's halt carries the residencies and the exit latency
 * the wakeup pays, which delays every vCPU the block's end resumes.
 */
static uint64_t block_sleep(void *ctx, uint64_t sleep_ns, uint64_t wake_ns)
{
	const struct block_sleep *b = ctx;
	struct sched *s = b->s;
	struct hp_idle_cpu cpu = {
	    .gov = s->v[b->vc->first].gov,
	    .cursor = &s->v[b->runner],
	    .cpu = b->runner,
	    .timer_ns = UINT64_MAX,
	    .res_ns = s->v[b->runner].idle_res_ns,
	};
	uint32_t i;

	if (wake_ns <= sleep_ns)
		return 0;
	/* a ceded vCPU's guest timer is a host hrtimer on that CPU: the earliest is its next */
	for (i = b->vc->first; i < b->vc->first + b->vc->n; i++)
		if (s->ev[i].o.ep->source == HP_SRC_TIMER && s->ev[i].o.wake_ns < cpu.timer_ns)
			cpu.timer_ns = s->ev[i].o.wake_ns;
	return hp_host_idle_run(s->cfg, s->eps, &cpu, sleep_ns, wake_ns, &s->ev[b->runner].o);
}

/* The last runnable vCPU of vc ceded at t: the vcore blocks, with runner as its task. */
static void block(struct sched *s, struct ev_vcore *vc, uint32_t runner, uint64_t t)
{
	const struct hp_policy_ops *ops = s->cfg->layer[HP_LAYER_VCORE];
	struct ev_vcpu *r = &s->ev[runner];
	struct hp_decision *d = &r->o.d[HP_LAYER_VCORE];
	struct hp_halt_in in = {
	    .cpu = runner,
	    .enter_ns = t,
	    .wake_ns = r->o.wake_ns,
	    .valid_wakeup = true,
	    .cost = &s->cfg->cost,
	};
	struct block_sleep sleep = {.s = s, .vc = vc, .runner = runner};
	uint32_t i;

	for (i = vc->first; i < vc->first + vc->n; i++)
		if (s->ev[i].o.wake_ns < in.wake_ns)
			in.wake_ns = s->ev[i].o.wake_ns;
	hp_engine_next_busy(s->eps, &s->v[runner], runner, t, &in.busy_from, &in.busy_until);
	if (s->v[vc->first].gov) {
		in.host_sleep = block_sleep;
		in.host_sleep_ctx = &sleep;
	}
	ops->halt(s->v[vc->first].state[HP_LAYER_VCORE], &in, d);
	d->stat_cpu = runner;
	r->o.has[HP_LAYER_VCORE] = 1;
	r->poll_ns = d->polled_ns;
	vc->blocked = 1;
	push(s, d->end_ns, HP_EV_BLOCK_END, (uint32_t)(vc - s->vc));
}

static void on_cede(struct sched *s, uint32_t cpu, uint64_t t)
{
	struct ev_vcore *vc = vcore_of(s, cpu);
	struct ev_vcpu *x = &s->ev[cpu];

	x->state = V_CEDED;
	x->ceded_at = t;
	vc->ceded++;
	if (vc->ceded == vc->n) {
		block(s, vc, cpu, t);
		if (x->o.wake_ns > t)
			push(s, x->o.wake_ns, HP_EV_WAKE, cpu);
	} else if (x->o.wake_ns <= t) {
		/* the interrupt was pending at the cede: it returns at once */
		resume(s, cpu, t > vc->run_from ? t : vc->run_from, false);
	} else {
		push(s, x->o.wake_ns, HP_EV_WAKE, cpu);
	}
}

static void on_wake(struct sched *s, uint32_t cpu, uint64_t t)
{
	struct ev_vcore *vc = vcore_of(s, cpu);

	/* during a block the block's end resumes it; else it is woken inside the guest */
	if (s->ev[cpu].state == V_CEDED && !vc->blocked)
		resume(s, cpu, t > vc->run_from ? t : vc->run_from, false);
}

static void on_block_end(struct sched *s, struct ev_vcore *vc, uint64_t t)
{
	uint32_t i;

	vc->blocked = 0;
	vc->run_from = t + s->cfg->cost.vm_entry_ns;
	for (i = vc->first; i < vc->first + vc->n; i++)
		if (s->ev[i].state == V_CEDED && s->ev[i].o.wake_ns <= t)
			resume(s, i, vc->run_from, true);
}

int hp_engine_run_vcores(struct hp_episode_source *src, const struct hp_engine_config *cfg,
                         struct hp_vcpu *v, struct hp_engine_stats *st, struct hp_err *err)
{
	const struct hp_episodes *eps = src->eps;
	uint32_t ncpu = eps->ncpu ? eps->ncpu : 1, size = cfg->vcore_size ? cfg->vcore_size : 1;
	uint32_t nvc = (ncpu + size - 1) / size, i;
	struct sched s = {
	    .src = src, .eps = eps, .cfg = cfg, .v = v, .size = size, .st = st, .err = err};
	struct hp_ev ev;
	int rc = 0;

	s.ev = calloc(ncpu, sizeof(*s.ev));
	s.vc = calloc(nvc, sizeof(*s.vc));
	if (!s.ev || !s.vc || hp_evq_init(&s.q, (size_t)ncpu + nvc) < 0) {
		rc = hp_errf(err, "out of memory for %u vCPUs in vcores of %u", ncpu, size);
		goto out;
	}
	for (i = 0; i < nvc; i++) {
		s.vc[i].first = i * size;
		s.vc[i].n = ncpu - s.vc[i].first < size ? ncpu - s.vc[i].first : size;
		/* one host CPU per vcore, its governor kept by the first vCPU (freed by the caller)
		 */
		if (hp_host_idle_active(&cfg->idle)) {
			v[s.vc[i].first].gov =
			    cfg->idle.gov->create(&cfg->idle.table, cfg->kernel.version >> 16,
			                          (cfg->kernel.version >> 8) & 0xff, err);
			if (!v[s.vc[i].first].gov) {
				rc = -1;
				goto out;
			}
		}
	}
	for (i = 0; i < ncpu; i++)
		next_halt(&s, i);
	while (!s.failed && hp_evq_pop(&s.q, &ev) == 0) {
		if (ev.kind == HP_EV_CEDE)
			on_cede(&s, ev.id, ev.t);
		else if (ev.kind == HP_EV_WAKE)
			on_wake(&s, ev.id, ev.t);
		else
			on_block_end(&s, &s.vc[ev.id], ev.t);
	}
	if (s.failed)
		rc = -1;
	for (i = 0; i < ncpu; i++)
		if (s.ev[i].state != V_RUNNING && !rc)
			rc = hp_errf(
			    err, "vCPU %u: a halt never ended (the vcore scheduler lost it)", i);
out:
	hp_evq_free(&s.q);
	free(s.ev);
	free(s.vc);
	return rc;
}
