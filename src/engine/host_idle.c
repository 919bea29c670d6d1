/*
 * Host CPU idle states. A vCPU thread that sleeps leaves its host CPU to
 * whatever else is runnable there (the capture's contention intervals); when
 * nothing is, the CPU idles, and the host cpuidle governor picks a state as
 * the kernel's cpuidle core would ask it. The wakeup then pays that state's
 * exit latency before the wake path (host_wakeup_ns) even starts.
 *
 * What the governor is shown:
 *  - now: the moment the CPU goes idle (the sleep, or the end of the last
 *    contention interval before the wakeup);
 *  - the sleep length (the next timer event): for a halt woken by a timer,
 *    the wakeup itself (KVM arms the guest's timer as a host hrtimer on that
 *    CPU); for any other wakeup, the configured horizon from the idle entry;
 *  - the tick: running at entry, on multiples of HP_HOST_TICK_NS; a state
 *    the governor enters with the tick kept running ends at the next tick if
 *    that comes first, and the governor chooses again (as do POLL periods at
 *    their time limit); once it stops the tick, it stays stopped until the
 *    wakeup;
 *  - iowait: 0 (a vCPU thread is not waiting for I/O); the PM QoS limit: the
 *    configured one.
 * reflect() gets the time from the entry to the end of the state, the exit
 * latency included, as cpuidle_enter_state() measures it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_int.h"

static int parse_ns(const char *opt, const char *text, uint64_t *out, struct hp_err *err)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || v > HP_TIME_MAX_NS)
		return hp_errf(err, "%s: '%s' is not an integer number of ns (0..%llu)", opt, text,
		               (unsigned long long)HP_TIME_MAX_NS);
	*out = v;
	return 0;
}

int hp_host_idle_configure(const struct hp_run_spec *spec, const struct hp_kernel *k,
                           struct hp_host_idle_config *c, struct hp_err *err)
{
	const char *gov = spec->idle.governor ? spec->idle.governor : "menu";
	struct hp_idle_gov *probe;

	memset(c, 0, sizeof(*c));
	c->latency_req_ns = UINT64_MAX;
	c->horizon_ns = HP_HOST_IDLE_HORIZON_NS;
	if (spec->idle.latency_req &&
	    parse_ns("--host-latency-req", spec->idle.latency_req, &c->latency_req_ns, err) < 0)
		return -1;
	if (spec->idle.horizon &&
	    parse_ns("--host-idle-horizon", spec->idle.horizon, &c->horizon_ns, err) < 0)
		return -1;
	if (spec->idle.horizon && c->horizon_ns == 0)
		return hp_errf(err, "--host-idle-horizon: 0 (expected a positive number of ns)");
	c->gov = hp_idle_gov_find(gov);
	if (!c->gov) {
		const struct hp_idle_gov_ops *const *all;
		char names[256] = "";
		size_t i, n, len = 0;

		all = hp_idle_gov_list(&n);
		for (i = 0; i < n && len < sizeof(names); i++)
			len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s",
			                        i ? ", " : "", all[i]->name);
		return hp_errf(err, "--host-governor: unknown governor '%s' (valid: %s)", gov,
		               names);
	}
	if (!spec->idle.table)
		return hp_idle_table_builtin("none", &c->table, err);
	if (hp_idle_table_resolve(spec->idle.table, &c->table, err) < 0)
		return -1;
	if (!c->table.count)
		return 0;
	/* the governor refuses a kernel or table it cannot run: say so now, not mid-replay */
	probe = c->gov->create(&c->table, k->version >> 16, (k->version >> 8) & 0xff, err);
	if (!probe)
		return -1;
	c->gov->destroy(probe);
	return 0;
}

/*
 * One idle stretch of the host CPU, [t, end_ns): the governor chooses, the
 * CPU stays in the state until the stretch ends, the tick (if it kept
 * running) or POLL's time limit, and the governor chooses again at each of
 * those. A wakeup ends the stretch: the vCPU's, or the contention task's.
 * Returns the last state's exit latency (0 when it polled), its index in
 * *last; the residencies add to res.
 */
static uint64_t idle_stretch(const struct hp_host_idle_config *c, const struct hp_idle_cpu *cpu,
                             uint64_t t, uint64_t end_ns, int *last)
{
	struct hp_idle_ctx ctx = {.latency_req_ns = c->latency_req_ns};
	uint64_t poll_limit = hp_idle_gov_poll_limit_ns(cpu->gov);
	/* without a known timer, the horizon from this idle entry */
	uint64_t timer = cpu->timer_ns != UINT64_MAX ? cpu->timer_ns : t + c->horizon_ns;

	for (;;) {
		const struct hp_idle_state *s;
		bool stop_tick = true;
		uint64_t end = end_ns, exit;
		int idx;

		ctx.now_ns = t;
		/* past the horizon the next timer is the wakeup's own time or later */
		ctx.sleep_length_ns = timer > t ? timer - t : end_ns - t;
		idx = c->gov->select(cpu->gov, &ctx, &stop_tick);
		if (idx < 0 || (unsigned)idx >= c->table.count)
			idx = 0;
		s = &c->table.state[idx];
		if (s->polling) {
			if (t + poll_limit < end)
				end = t + poll_limit;
		} else if (!stop_tick && !ctx.tick_stopped) {
			uint64_t tick = (t / HP_HOST_TICK_NS + 1) * HP_HOST_TICK_NS;

			if (tick < end)
				end = tick;
		}
		if (stop_tick)
			ctx.tick_stopped = true;
		cpu->res_ns[idx] += end - t;
		/* polling sees the wakeup at once; a real state must be left */
		exit = s->polling ? 0 : s->exit_latency_ns;
		c->gov->reflect(cpu->gov, idx, end - t + exit);
		if (end == end_ns) {
			*last = idx;
			return exit;
		}
		t = end;
	}
}

/* The first stretch of a halt clears the residencies and task exits the halt carries. */
static void charge(const struct hp_idle_cpu *cpu, struct hp_outcome *o)
{
	if (!o->idle_res_ns) {
		memset(cpu->res_ns, 0, sizeof(*cpu->res_ns) * HP_IDLE_MAX_STATES);
		o->idle_res_ns = cpu->res_ns;
		o->idle_task_wakes = 0;
		o->idle_task_exit_ns = 0;
	}
}

uint64_t hp_host_idle_run(const struct hp_engine_config *cfg, const struct hp_episodes *eps,
                          const struct hp_idle_cpu *cpu, uint64_t sleep_ns, uint64_t wake_ns,
                          struct hp_outcome *o)
{
	const struct hp_host_idle_config *c = &cfg->idle;
	uint64_t t = sleep_ns;
	size_t i;
	int idx;

	/*
	 * The idle stretches are the gaps between the CPU's contention intervals
	 * in [sleep, wake), in order. Each is an idle entry of its own: the CPU
	 * ran the other task before it, so the tick runs again and the horizon
	 * starts over. A task that becomes runnable with the wakeup holds the CPU then.
	 */
	for (i = cpu->cursor->busy; i < eps->nbusy && eps->busy[i].cpu == cpu->cpu; i++) {
		const struct hp_busy *b = &eps->busy[i];

		if (b->start_ns > wake_ns)
			break;
		if (b->end_ns <= t)
			continue;
		if (b->start_ns > t) {
			/* idle until the other task's wakeup, which pays the exit, not the vCPU */
			charge(cpu, o);
			o->idle_task_exit_ns += idle_stretch(c, cpu, t, b->start_ns, &idx);
			o->idle_task_wakes++;
		}
		t = b->end_ns;
		if (t >= wake_ns)
			return 0; /* another task runs when the wakeup comes: the wakeup preempts it
			           */
	}
	if (t >= wake_ns)
		return 0;
	charge(cpu, o);
	o->idle_exit_ns = idle_stretch(c, cpu, t, wake_ns, &idx);
	o->idle_state = (int8_t)idx;
	return o->idle_exit_ns;
}

uint64_t hp_host_idle_sleep(const struct hp_engine_config *cfg, const struct hp_episodes *eps,
                            struct hp_vcpu *v, const struct hp_episode *e, uint64_t sleep_ns,
                            uint64_t wake_ns, struct hp_outcome *o)
{
	struct hp_idle_cpu cpu = {
	    .gov = v->gov,
	    .cursor = v,
	    .cpu = e->cpu,
	    .timer_ns = e->source == HP_SRC_TIMER ? wake_ns : UINT64_MAX,
	    .res_ns = v->idle_res_ns,
	};

	if (wake_ns <= sleep_ns)
		return 0;
	return hp_host_idle_run(cfg, eps, &cpu, sleep_ns, wake_ns, o);
}
