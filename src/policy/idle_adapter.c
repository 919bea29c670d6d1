/*
 * The host cpuidle governor instance: how an idle period the engine
 * describes becomes what the kernel's cpuidle core and nohz code would show
 * the governor (see include/kcompat/hpsim_idle_shim.h for the model).
 */
#include <stdio.h>
#include <string.h>

#include "idle_adapter.h"

struct hp_idle_io *hp_idle_io;

/* cpu_latency_qos's default, 2000 s: what cpuidle_governor_latency_req() returns unconstrained */
#define HP_IDLE_NO_LATENCY_REQ ((s64)2000000000 * NSEC_PER_USEC)

int hp_idle_gov_check(const char *name, const struct hp_idle_table *t, unsigned int kver,
                      unsigned int since, struct hp_err *err)
{
	if (kver < since)
		return hp_errf(err, "host governor %s: kernel %u.%u has none (merged in %u.%u)",
		               name, kver >> 16, (kver >> 8) & 0xff, since >> 16,
		               (since >> 8) & 0xff);
	if (t->count == 0)
		return hp_errf(err,
		               "host governor %s: idle table '%s' has no states: there is nothing "
		               "to choose",
		               name, t->name);
	if (t->count > HP_IDLE_MAX_STATES)
		return hp_errf(err, "host governor %s: idle table '%s' has %u states (at most %d)",
		               name, t->name, t->count, HP_IDLE_MAX_STATES);
	return 0;
}

/*
 * The POLL state's time limit, cpuidle_poll_time() of v5.11 and later: the
 * target residency of the first state that has one of at least
 * CPUIDLE_POLL_MIN, at most TICK_NSEC/16.
 */
static uint64_t idle_poll_limit(const struct cpuidle_driver *drv)
{
	int i;

	for (i = 1; i < drv->state_count; i++) {
		if ((u64)drv->states[i].target_residency_ns < CPUIDLE_POLL_MIN)
			continue;
		return min_t(u64, drv->states[i].target_residency_ns, CPUIDLE_POLL_MAX);
	}
	return CPUIDLE_POLL_MAX;
}

static s64 clamp_s64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? INT64_MAX : (s64)v;
}

void hp_idle_gov_init(struct hp_idle_gov *g, const struct hp_idle_table *t)
{
	unsigned int i;

	g->drv.name = t->name;
	g->drv.state_count = (int)t->count;
	for (i = 0; i < t->count; i++) {
		struct cpuidle_state *s = &g->drv.states[i];
		const struct hp_idle_state *in = &t->state[i];

		snprintf(s->name, sizeof(s->name), "%s", in->name);
		s->exit_latency_ns = clamp_s64(in->exit_latency_ns);
		s->target_residency_ns = clamp_s64(in->target_residency_ns);
		/* the driver's us fields, as cpuidle_state_init derives them */
		s->exit_latency = (unsigned int)(in->exit_latency_ns / NSEC_PER_USEC);
		s->target_residency = (unsigned int)(in->target_residency_ns / NSEC_PER_USEC);
		s->flags = in->polling ? CPUIDLE_FLAG_POLLING : CPUIDLE_FLAG_TIMER_STOP;
		s->power_usage = in->has_power ? (int)in->power_mw : -1;
	}
	g->dev.cpu = 0;
	g->dev.enabled = 1;
	g->dev.registered = 1;
	g->poll_limit_ns = idle_poll_limit(&g->drv);
	g->latency_req_ns = HP_IDLE_NO_LATENCY_REQ;
	g->io.this_cpu_off = g->this_cpu_off;
	hp_shim_begin(&g->sh, 0, 0, 0, 0);
}

void hp_idle_enter(struct hp_idle_gov *g, struct hp_idle_call *call)
{
	call->shim = hp_shim;
	call->io = hp_idle_io;
	call->kver = hpsim_kernel_version;
	call->latency_req_ns = hpsim_latency_req_ns;
	hp_shim = &g->sh;
	hp_idle_io = &g->io;
	hpsim_kernel_version = g->kver;
	hpsim_latency_req_ns = g->latency_req_ns;
}

void hp_idle_leave(const struct hp_idle_call *call)
{
	hp_shim = call->shim;
	hp_idle_io = call->io;
	hpsim_kernel_version = call->kver;
	hpsim_latency_req_ns = call->latency_req_ns;
}

void hp_idle_before_select(struct hp_idle_gov *g, const struct hp_idle_ctx *ctx)
{
	s64 sleep = clamp_s64(ctx->sleep_length_ns);
	s64 next = sleep;

	if (!ctx->tick_stopped) {
		/* the tick fires on multiples of TICK_NSEC of the simulated clock */
		uint64_t tick = (ctx->now_ns / TICK_NSEC + 1) * TICK_NSEC;

		if ((s64)(tick - ctx->now_ns) < next)
			next = (s64)(tick - ctx->now_ns);
	}
	/*
	 * The previous selection was never entered (no reflect): call_cpuidle()
	 * found a wakeup pending and recorded a residency of 0, calling no
	 * reflect.
	 */
	if (g->select_pending)
		g->dev.last_residency_ns = 0;
	g->select_pending = true;
	g->sh.now = clamp_s64(ctx->now_ns);
	g->select_now_ns = ctx->now_ns;
	g->io.sleep_length_ns = sleep;
	g->io.delta_next_ns = next;
	g->io.tick_stopped = ctx->tick_stopped;
	g->io.got_tick = false;
	g->io.nr_iowait = ctx->nr_iowait;
	g->latency_req_ns = ctx->latency_req_ns >= (uint64_t)HP_IDLE_NO_LATENCY_REQ
	                        ? HP_IDLE_NO_LATENCY_REQ
	                        : (s64)ctx->latency_req_ns;
}

void hp_idle_after_select(struct hp_idle_gov *g, bool stop_tick)
{
	g->tick_running = !g->io.tick_stopped && !stop_tick;
}

void hp_idle_before_reflect(struct hp_idle_gov *g, int idx, uint64_t measured_ns)
{
	bool polling = idx >= 0 && idx < g->drv.state_count &&
	               (g->drv.states[idx].flags & CPUIDLE_FLAG_POLLING);

	g->select_pending = false;
	/* cpuidle_enter_state(): the residency, and poll_idle()'s time-limit flag */
	g->dev.last_residency_ns = measured_ns;
	g->dev.poll_time_limit = polling && measured_ns >= g->poll_limit_ns;
	/* the tick ended the period: it ran, came before the timer, and the period reached it */
	g->io.got_tick = g->tick_running && g->io.delta_next_ns < g->io.sleep_length_ns &&
	                 measured_ns >= (uint64_t)g->io.delta_next_ns;
	g->sh.now = clamp_s64(g->select_now_ns + measured_ns);
}

uint64_t hp_idle_gov_poll_limit_ns(const struct hp_idle_gov *g)
{
	return g->poll_limit_ns;
}
