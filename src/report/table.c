/* The aligned cost/latency table: one row per CPU and a total. */
#include <inttypes.h>
#include <stdbool.h>

#include "hpsim/escape.h"
#include "hpsim/report.h"

static void print_params(FILE *f, const struct hp_policy_ops *ops, const struct hp_param_values *pv,
                         enum hp_arch arch)
{
	size_t i;

	fprintf(f, "%s", ops->name);
	for (i = 0; i < ops->nparams; i++) {
		const struct hp_param *p = &ops->params[i];

		if (!hp_param_in_arch(p, arch))
			continue;
		if (pv->set[i])
			fprintf(f, "%s%s=%u", i ? " " : " (", p->name, pv->v[i]);
		else
			fprintf(f, "%s%s=unset", i ? " " : " (", p->name);
	}
	fprintf(f, "%s", ops->nparams ? ")" : "");
}

static void header(FILE *f, const struct hp_metrics *m, const struct hp_run_info *in)
{
	const struct hp_engine_config *cfg = in->cfg;
	char e[HP_ESC_BUF];
	unsigned i;
	int l;

	fprintf(f, "trace:    %s (%s, %u CPUs, %.3f s)\n", hp_escape(in->trace, e, sizeof(e)),
	        in->format, m->ncpu, (double)m->wall_ns / 1e9);
	if (in->assumption && in->assumption[0])
		fprintf(f, "wakeups:  %s\n", in->assumption);
	{
		char w[512];

		if (hp_skips_warning(in->skipped, w, sizeof(w)))
			fprintf(f, "WARNING:  %s\n", w);
	}
	fprintf(f, "kernel:   %u.%u (%s)\n", cfg->kernel.version >> 16,
	        (cfg->kernel.version >> 8) & 0xff, hp_arch_name(cfg->kernel.arch));
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		if (!cfg->layer[l])
			continue;
		fprintf(f, "%-9s ",
		        l == HP_LAYER_GUEST  ? "guest:"
		        : l == HP_LAYER_HOST ? "host:"
		                             : "vcore:");
		print_params(f, cfg->layer[l], &cfg->params[l], cfg->kernel.arch);
		fputc('\n', f);
	}
	{
		const struct hp_cost_field *cf;
		size_t n;

		cf = hp_cost_fields(&n);
		fprintf(f, "cost:    ");
		for (i = 0; i < n; i++) {
			char d[96];

			fprintf(f, "%s %s=%s", i ? "," : "", cf[i].name,
			        hp_cost_describe(&cfg->cost, i, d, sizeof(d)));
		}
		if (cfg->cost.varying)
			fprintf(f, " (drawn per halt, seed %" PRIu64 ")", cfg->cost.seed);
		if (in->cost_file)
			fprintf(f, " (from %s)", hp_escape(in->cost_file, e, sizeof(e)));
		fputc('\n', f);
	}
	if (hp_host_idle_active(&cfg->idle)) {
		fprintf(f, "idle:     host idle states %s (",
		        hp_escape(cfg->idle.table.name, e, sizeof(e)));
		for (i = 0; i < cfg->idle.table.count; i++)
			fprintf(f, "%s%s %" PRIu64 "/%" PRIu64, i ? ", " : "",
			        hp_escape(cfg->idle.table.state[i].name, e, sizeof(e)),
			        cfg->idle.table.state[i].exit_latency_ns / 1000,
			        cfg->idle.table.state[i].target_residency_ns / 1000);
		fprintf(f, " us exit/residency), governor %s", cfg->idle.gov->name);
		if (cfg->idle.latency_req_ns != UINT64_MAX)
			fprintf(f, ", latency limit %" PRIu64 " ns", cfg->idle.latency_req_ns);
		fprintf(f, ", horizon %" PRIu64 " ns\n", cfg->idle.horizon_ns);
	}
	if (cfg->vcore_size > 1)
		fprintf(f, "vcores:   %u consecutive vCPUs per vcore\n", cfg->vcore_size);
	if (in->load && in->load->fraction > 0)
		fprintf(
		    f,
		    "load:     another host task runnable %.1f%% of the time (%s, %.1f us bursts, "
		    "seed %" PRIu64 ")\n",
		    100.0 * in->load->fraction,
		    in->load->kind == HP_LOAD_PERIODIC ? "periodic" : "poisson",
		    (double)in->load->burst_ns / 1e3, in->load->seed);
	if (cfg->mode == HP_MODE_CLOSED)
		fprintf(f,
		        "mode:     closed loop: the workload ran %.3f ms (%.2f%%) longer than "
		        "recorded\n",
		        (double)in->st->extension_ns / 1e6,
		        m->wall_ns ? 100.0 * (double)in->st->extension_ns / (double)m->wall_ns
		                   : 0.0);
	if (in->st->delayed_halts || in->st->pending_at_exit)
		fprintf(f,
		        "note:     %" PRIu64 " halts began late (vCPU resumed after the recorded "
		        "halt start); %" PRIu64 " wakeups were pending at the HLT exit\n",
		        in->st->delayed_halts, in->st->pending_at_exit);
	fputc('\n', f);
}

static void row(FILE *f, const char *name, int layer, const struct hp_cpu_metrics *c,
                uint64_t wall_ns, bool latency)
{
	const struct hp_layer_stats *s = &c->layer[layer];
	const struct hp_lat_dist *d = &c->latency;
	uint64_t poll = hp_layer_poll_ns(s);

	fprintf(f,
	        "%-6s %-6s %8" PRIu64 " %9" PRIu64 " %10" PRIu64 " %7.1f%% %8" PRIu64
	        " %10.3f %10.3f %10.3f %8.2f%%",
	        name, hp_layer_name((enum hp_layer)layer), s->halts, s->halt_attempted_poll,
	        s->halt_successful_poll,
	        c->halts ? 100.0 * (double)s->halt_successful_poll / (double)c->halts : 0.0,
	        s->halt_wakeup, (double)s->halt_poll_success_ns / 1e6,
	        (double)s->halt_poll_fail_ns / 1e6, (double)s->halt_wait_ns / 1e6,
	        wall_ns ? 100.0 * (double)poll / (double)wall_ns : 0.0);
	if (latency)
		fprintf(f, " %9.2f %9.2f %9.2f %10.2f",
		        d->count ? (double)d->sum / (double)d->count / 1e3 : 0.0,
		        (double)hp_lat_quantile(d, 0.50) / 1e3,
		        (double)hp_lat_quantile(d, 0.99) / 1e3, (double)d->max / 1e3);
	fputc('\n', f);
}

static void rows(FILE *f, const char *name, const struct hp_metrics *m,
                 const struct hp_cpu_metrics *c, uint64_t wall_ns)
{
	bool first = true;
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++) {
		if (!m->layers[l])
			continue;
		row(f, first ? name : "", l, c, wall_ns, first);
		first = false;
	}
}

static void time_row(FILE *f, const char *name, const struct hp_metrics *m, int cpu,
                     const struct hp_lat_dist *d)
{
	struct hp_summary s;

	hp_summarize(m, cpu, &s);
	fprintf(f, "%-6s %7.2f %8.2f %8.2f %8.2f %8.2f %8.2f %8.2f %9.2f %9.2f %9.2f\n", name,
	        hp_pct(s.busy_ns, s.wall_ns), hp_pct(s.time.guest_poll_ns, s.wall_ns),
	        hp_pct(s.time.host_poll_ns, s.wall_ns), hp_pct(s.time.sleep_ns, s.wall_ns),
	        hp_pct(s.time.transition_ns, s.wall_ns), hp_pct(s.poll_success_ns, s.wall_ns),
	        hp_pct(s.poll_wasted_ns, s.wall_ns), (double)hp_lat_quantile(d, 0.90) / 1e3,
	        (double)hp_lat_quantile(d, 0.999) / 1e3, (double)d->max / 1e3);
}

void hp_report_table(FILE *f, const struct hp_metrics *m, const struct hp_run_info *in)
{
	uint32_t i;
	char name[16];

	header(f, m, in);
	/* read down each column: the KVM statistic's name (halt_attempted_poll, ...) */
	fprintf(f, "%-6s %-6s %8s %9s %10s %8s %8s %10s %10s %10s\n", "", "", "", "halt_", "halt_",
	        "", "halt_", "halt_poll", "halt_poll", "halt");
	fprintf(f, "%-6s %-6s %8s %9s %10s %8s %8s %10s %10s %10s %9s %9s %9s %9s %10s\n", "cpu",
	        "layer", "halts", "attempted", "successful", "hit", "wakeup", "_success", "_fail",
	        "_wait", "poll_cpu", "lat_mean", "lat_p50", "lat_p99", "lat_max");
	fprintf(f, "%-6s %-6s %8s %9s %10s %8s %8s %10s %10s %10s %9s %9s %9s %9s %10s\n", "", "",
	        "", "_poll", "_poll", "", "", "_ns [ms]", "_ns [ms]", "_ns [ms]", "[%wall]", "[us]",
	        "[us]", "[us]", "[us]");
	for (i = 0; i < m->ncpu; i++) {
		snprintf(name, sizeof(name), "%u", i);
		rows(f, name, m, &m->cpu[i], m->wall_ns);
	}
	rows(f, "total", m, &m->total, m->wall_ns * (m->ncpu ? m->ncpu : 1));
	fprintf(f,
	        "\nhalts = halts that reached the layer; hit = halt_successful_poll / all halts;\n"
	        "poll_cpu = halt_poll_success_ns + halt_poll_fail_ns over wall time (total: over "
	        "wall time x CPUs);\n"
	        "latency = wakeup arrival to the woken guest task running again.\n\n");
	fprintf(f, "%-6s %7s %8s %8s %8s %8s %8s %8s %9s %9s %9s\n", "cpu", "busy", "g_poll",
	        "h_poll", "sleep", "trans", "poll_ok", "poll_bad", "lat_p90", "lat_p999",
	        "lat_max");
	fprintf(f, "%-6s %7s %8s %8s %8s %8s %8s %8s %9s %9s %9s\n", "", "[%]", "[%]", "[%]", "[%]",
	        "[%]", "[%]", "[%]", "[us]", "[us]", "[us]");
	for (i = 0; i < m->ncpu; i++) {
		snprintf(name, sizeof(name), "%u", i);
		time_row(f, name, m, (int)i, &m->cpu[i].latency);
	}
	time_row(f, "total", m, -1, &m->total.latency);
	fprintf(f, "\nwall time = busy + g_poll (guest polling) + h_poll (host polling) + sleep + "
	           "trans (VM exit,\nentry and interrupt handling), per vCPU; poll_ok/poll_bad = "
	           "polling that saw its\nwakeup / that ended without it (wasted), all layers.\n");
	hp_report_idle_table(f, m, in->cfg ? in->cfg->vcore_size : 0);
}
