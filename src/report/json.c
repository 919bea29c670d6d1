/* The report as JSON (jansson). Key names are stable and listed in README.md. */
#include <jansson.h>
#include <stdlib.h>

#include "hpsim/report.h"
#include "hpsim/version.h"

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *hist(const uint64_t *h)
{
	json_t *a = json_array();
	int i;

	for (i = 0; i < HP_LOG_HIST; i++)
		json_array_append_new(a, u64(h[i]));
	return a;
}

static json_t *layer_json(const struct hp_layer_stats *s, uint64_t wall_ns)
{
	json_t *o = json_object();

	json_object_set_new(o, "halts", u64(s->halts));
	json_object_set_new(o, "halt_attempted_poll", u64(s->halt_attempted_poll));
	json_object_set_new(o, "halt_successful_poll", u64(s->halt_successful_poll));
	json_object_set_new(o, "halt_poll_invalid", u64(s->halt_poll_invalid));
	json_object_set_new(o, "halt_wakeup", u64(s->halt_wakeup));
	json_object_set_new(o, "halt_poll_success_ns", u64(s->halt_poll_success_ns));
	json_object_set_new(o, "halt_poll_fail_ns", u64(s->halt_poll_fail_ns));
	json_object_set_new(o, "halt_wait_ns", u64(s->halt_wait_ns));
	json_object_set_new(o, "halt_poll_success_hist", hist(s->halt_poll_success_hist));
	json_object_set_new(o, "halt_poll_fail_hist", hist(s->halt_poll_fail_hist));
	json_object_set_new(o, "halt_wait_hist", hist(s->halt_wait_hist));
	json_object_set_new(o, "grows", u64(s->grows));
	json_object_set_new(o, "shrinks", u64(s->shrinks));
	json_object_set_new(o, "poll_ns", u64(hp_layer_poll_ns(s)));
	json_object_set_new(
	    o, "poll_cpu_pct",
	    json_real(wall_ns ? 100.0 * (double)hp_layer_poll_ns(s) / (double)wall_ns : 0.0));
	return o;
}

/* [[ns, fraction], ...]: the latency CDF, for plots. */
static json_t *cdf_json(const struct hp_lat_dist *d)
{
	struct hp_cdf_point *p;
	json_t *a = json_array();
	size_t i, n;

	if (hp_lat_cdf(d, &p, &n) < 0)
		return a;
	for (i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[I, f]", (json_int_t)p[i].ns, p[i].fraction));
	free(p);
	return a;
}

static json_t *latency_json(const struct hp_lat_dist *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "count", u64(d->count));
	json_object_set_new(o, "mean_ns",
	                    json_real(d->count ? (double)d->sum / (double)d->count : 0));
	json_object_set_new(o, "min_ns", u64(d->count ? d->min : 0));
	json_object_set_new(o, "p50_ns", u64(hp_lat_quantile(d, 0.50)));
	json_object_set_new(o, "p90_ns", u64(hp_lat_quantile(d, 0.90)));
	json_object_set_new(o, "p99_ns", u64(hp_lat_quantile(d, 0.99)));
	json_object_set_new(o, "p999_ns", u64(hp_lat_quantile(d, 0.999)));
	json_object_set_new(o, "max_ns", u64(d->max));
	json_object_set_new(o, "log2_hist", hist(d->log2));
	json_object_set_new(o, "cdf", cdf_json(d));
	return o;
}

/* Where the wall time went (cpu < 0: summed over vCPUs), in ns and as % of that wall time. */
static json_t *time_json(const struct hp_metrics *m, int cpu)
{
	json_t *t = json_object();
	struct hp_summary s;

	hp_summarize(m, cpu, &s);
	json_object_set_new(t, "wall_ns", u64(s.wall_ns));
	json_object_set_new(t, "busy_ns", u64(s.busy_ns));
	json_object_set_new(t, "halted_ns", u64(s.time.halted_ns));
	json_object_set_new(t, "guest_poll_ns", u64(s.time.guest_poll_ns));
	json_object_set_new(t, "host_poll_ns", u64(s.time.host_poll_ns));
	json_object_set_new(t, "sleep_ns", u64(s.time.sleep_ns));
	json_object_set_new(t, "transition_ns", u64(s.time.transition_ns));
	json_object_set_new(t, "guest_poll_contended_ns", u64(s.time.guest_poll_contended_ns));
	json_object_set_new(t, "poll_success_ns", u64(s.poll_success_ns));
	json_object_set_new(t, "poll_wasted_ns", u64(s.poll_wasted_ns));
	json_object_set_new(t, "busy_pct", json_real(hp_pct(s.busy_ns, s.wall_ns)));
	json_object_set_new(t, "guest_poll_pct",
	                    json_real(hp_pct(s.time.guest_poll_ns, s.wall_ns)));
	json_object_set_new(t, "host_poll_pct", json_real(hp_pct(s.time.host_poll_ns, s.wall_ns)));
	json_object_set_new(t, "sleep_pct", json_real(hp_pct(s.time.sleep_ns, s.wall_ns)));
	json_object_set_new(t, "transition_pct",
	                    json_real(hp_pct(s.time.transition_ns, s.wall_ns)));
	json_object_set_new(t, "poll_success_pct", json_real(hp_pct(s.poll_success_ns, s.wall_ns)));
	json_object_set_new(t, "poll_wasted_pct", json_real(hp_pct(s.poll_wasted_ns, s.wall_ns)));
	json_object_set_new(t, "accounting_errors", u64(s.time.accounting_errors));
	json_object_set_new(t, "cpu_cost_ns", u64(hp_cpu_cost_ns(&s)));
	json_object_set_new(t, "cpu_cost_pct", json_real(hp_pct(hp_cpu_cost_ns(&s), s.wall_ns)));
	return t;
}

/* The host CPU's idle states (cpu < 0: all vCPUs' host CPUs). */
static json_t *idle_json(const struct hp_metrics *m, const struct hp_cpu_metrics *c, int cpu)
{
	json_t *o = json_object(), *st = json_array();
	struct hp_idle_summary s;
	unsigned i;

	hp_idle_summarize(m, cpu, &s);
	json_object_set_new(o, "active_pct", json_real(s.active_pct));
	for (i = 0; i < m->idle.count; i++) {
		json_t *x = json_object();

		json_object_set_new(x, "name", json_string(m->idle.state[i].name));
		json_object_set_new(x, "residency_ns", u64(c->idle.res_ns[i]));
		json_object_set_new(x, "residency_pct", json_real(s.res_pct[i]));
		json_object_set_new(x, "wakeups", u64(c->idle.wakes[i]));
		json_array_append_new(st, x);
	}
	json_object_set_new(o, "states", st);
	json_object_set_new(o, "exit_latency_ns", u64(c->idle.exit_ns));
	json_object_set_new(o, "exit_latency_share_pct", json_real(s.exit_share_pct));
	/* the contention tasks' wakeups out of an idle state: they pay, not the vCPU */
	json_object_set_new(o, "task_wakeups", u64(c->idle.task_wakes));
	json_object_set_new(o, "task_exit_latency_ns", u64(c->idle.task_exit_ns));
	json_object_set_new(o, "task_exit_latency_mean_ns",
	                    c->idle.task_wakes ? json_real((double)c->idle.task_exit_ns /
	                                                   (double)c->idle.task_wakes)
	                                       : json_null());
	json_object_set_new(o, "energy_mj", s.has_energy ? json_real(s.energy_mj) : json_null());
	json_object_set_new(o, "power_mw", s.has_energy ? json_real(s.power_mw) : json_null());
	return o;
}

static json_t *cpu_json(const struct hp_metrics *m, const struct hp_cpu_metrics *c, int cpu,
                        uint64_t wall_ns)
{
	json_t *o = json_object();
	int l;

	if (cpu >= 0)
		json_object_set_new(o, "cpu", json_integer(cpu));
	json_object_set_new(o, "halts", u64(c->halts));
	json_object_set_new(o, "pending_at_exit", u64(c->pending_at_exit));
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (m->layers[l])
			json_object_set_new(o, hp_layer_name((enum hp_layer)l),
			                    layer_json(&c->layer[l], wall_ns));
	json_object_set_new(o, "latency", latency_json(&c->latency));
	json_object_set_new(o, "time", time_json(m, cpu));
	if (m->idle.count)
		json_object_set_new(o, "host_idle", idle_json(m, c, cpu));
	return o;
}

static json_t *load_json(const struct hp_load_model *lm)
{
	json_t *o = json_object();

	json_object_set_new(o, "fraction", json_real(lm ? lm->fraction : 0.0));
	json_object_set_new(
	    o, "model", json_string(lm && lm->kind == HP_LOAD_PERIODIC ? "periodic" : "poisson"));
	json_object_set_new(o, "burst_ns", u64(lm ? lm->burst_ns : 0));
	json_object_set_new(o, "seed", u64(lm ? lm->seed : 0));
	return o;
}

static json_t *config_json(const struct hp_run_info *in)
{
	const struct hp_engine_config *cfg = in->cfg;
	json_t *o = json_object(), *pol = json_object(), *cost = json_object();
	const struct hp_cost_field *f;
	size_t i, n;
	int l;
	char ver[32];

	snprintf(ver, sizeof(ver), "%u.%u", cfg->kernel.version >> 16,
	         (cfg->kernel.version >> 8) & 0xff);
	json_object_set_new(o, "kernel", json_string(ver));
	json_object_set_new(o, "arch", json_string(hp_arch_name(cfg->kernel.arch)));
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		const struct hp_policy_ops *ops = cfg->layer[l];
		json_t *p, *params;

		if (!ops)
			continue;
		p = json_object();
		params = json_object();
		json_object_set_new(p, "policy", json_string(ops->name));
		for (i = 0; i < ops->nparams; i++)
			if (hp_param_in_arch(&ops->params[i], cfg->kernel.arch))
				json_object_set_new(params, ops->params[i].name,
				                    cfg->params[l].set[i] ? u64(cfg->params[l].v[i])
				                                          : json_null());
		json_object_set_new(p, "params", params);
		json_object_set_new(pol, hp_layer_name((enum hp_layer)l), p);
	}
	json_object_set_new(o, "layers", pol);
	f = hp_cost_fields(&n);
	for (i = 0; i < n; i++)
		json_object_set_new(cost, f[i].name, hp_cost_value_json(&cfg->cost, i));
	json_object_set_new(o, "cost", cost);
	json_object_set_new(o, "cost_file",
	                    in->cost_file ? json_string(in->cost_file) : json_null());
	json_object_set_new(o, "mode",
	                    json_string(cfg->mode == HP_MODE_CLOSED ? "closed" : "open"));
	json_object_set_new(o, "vcore_size", u64(cfg->vcore_size ? cfg->vcore_size : 1));
	json_object_set_new(o, "host_load", load_json(in->load));
	if (hp_host_idle_active(&cfg->idle)) {
		json_t *hi = json_object();

		json_object_set_new(hi, "table", json_string(cfg->idle.table.name));
		json_object_set_new(hi, "governor", json_string(cfg->idle.gov->name));
		json_object_set_new(hi, "latency_req_ns", cfg->idle.latency_req_ns == UINT64_MAX
		                                              ? json_null()
		                                              : u64(cfg->idle.latency_req_ns));
		json_object_set_new(hi, "horizon_ns", u64(cfg->idle.horizon_ns));
		json_object_set_new(o, "host_idle", hi);
	}
	return o;
}

int hp_report_json(FILE *f, const struct hp_metrics *m, const struct hp_run_info *in,
                   struct hp_err *err)
{
	json_t *root = json_object(), *tr = json_object(), *sk = json_object(),
	       *cpus = json_array(), *eng = json_object();
	uint32_t i;
	int rc;

	json_object_set_new(root, "hpsim_report", json_integer(1));
	json_object_set_new(root, "hpsim",
	                    json_pack("{s:s, s:s, s:s}", "version", hp_version(), "git",
	                              hp_git_describe(), "policy_code", hp_policy_release_range()));
	json_object_set_new(tr, "path", json_string(in->trace));
	json_object_set_new(tr, "format", json_string(in->format ? in->format : ""));
	json_object_set_new(tr, "cpus", json_integer(m->ncpu));
	json_object_set_new(tr, "wall_ns", u64(m->wall_ns));
	json_object_set_new(tr, "wake_assumption",
	                    json_string(in->assumption ? in->assumption : ""));
	if (in->skipped) {
		json_object_set_new(sk, "unpaired_enter", u64(in->skipped->unpaired_enter));
		json_object_set_new(sk, "unpaired_exit", u64(in->skipped->unpaired_exit));
		json_object_set_new(sk, "poll_states", u64(in->skipped->poll_states));
		json_object_set_new(sk, "other_events", u64(in->skipped->other_events));
		json_object_set_new(sk, "bad_records", u64(in->skipped->bad_records));
		json_object_set_new(sk, "bad_lines", u64(in->skipped->bad_lines));
		json_object_set_new(sk, "dropped_events", u64(in->skipped->dropped_events));
		json_object_set_new(sk, "drop_gaps", u64(in->skipped->drop_gaps));
		json_object_set_new(sk, "cut_by_gap", u64(in->skipped->cut_by_gap));
		json_object_set_new(sk, "overlapping", u64(in->skipped->overlapping));
		json_object_set_new(sk, "invalid_wakeups", u64(in->skipped->invalid_wakeups));
		json_object_set_new(sk, "unmapped_threads", u64(in->skipped->unmapped_threads));
		json_object_set_new(sk, "poll_ns_changes", u64(in->skipped->poll_ns_changes));
		json_object_set_new(sk, "idle_unseen_cpus", u64(in->skipped->idle_unseen_cpus));
		json_object_set_new(sk, "idle_unseen_switches",
		                    u64(in->skipped->idle_unseen_switches));
		json_object_set_new(sk, "recorded_events", u64(in->skipped->recorded_events));
		json_object_set_new(sk, "unread_events", u64(in->skipped->unread_events));
		json_object_set_new(sk, "truncated", json_boolean(in->skipped->truncated));
	}
	{
		char w[512];

		if (hp_skips_warning(in->skipped, w, sizeof(w)))
			json_object_set_new(tr, "warning", json_string(w));
	}
	json_object_set_new(tr, "skipped", sk);
	json_object_set_new(root, "trace", tr);
	json_object_set_new(root, "config", config_json(in));
	json_object_set_new(eng, "halts", u64(in->st->halts));
	json_object_set_new(eng, "delayed_halts", u64(in->st->delayed_halts));
	json_object_set_new(eng, "pending_at_exit", u64(in->st->pending_at_exit));
	json_object_set_new(eng, "mode",
	                    json_string(in->cfg->mode == HP_MODE_CLOSED ? "closed" : "open"));
	json_object_set_new(eng, "extension_ns", u64(in->st->extension_ns));
	json_object_set_new(root, "engine", eng);
	for (i = 0; i < m->ncpu; i++)
		json_array_append_new(cpus, cpu_json(m, &m->cpu[i], (int)i, m->wall_ns));
	json_object_set_new(root, "cpus", cpus);
	json_object_set_new(root, "total",
	                    cpu_json(m, &m->total, -1, m->wall_ns * (m->ncpu ? m->ncpu : 1)));
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
	if (rc < 0)
		return hp_errf(err, "could not write the JSON report");
	return 0;
}
