/*
 * The report as CSV (libcsv): one row per vCPU and a total row, with stable
 * column names (README.md lists them). Every layer has its columns whether
 * or not it was simulated, so files of different runs line up.
 */
#include <csv.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hpsim/report.h"

/* Per layer, as LAYER.NAME: the KVM statistic names, as in the JSON report. */
static const char *const layer_cols[] = {
    "halts",
    "halt_attempted_poll",
    "halt_successful_poll",
    "halt_poll_invalid",
    "halt_wakeup",
    "halt_poll_success_ns",
    "halt_poll_fail_ns",
    "halt_wait_ns",
    "grows",
    "shrinks",
};
#define NLAYER_COLS (sizeof(layer_cols) / sizeof(layer_cols[0]))

static const char *const tail_cols[] = {
    "wall_ns",         "busy_ns",           "halted_ns",      "guest_poll_ns",
    "host_poll_ns",    "sleep_ns",          "transition_ns",  "guest_poll_contended_ns",
    "poll_success_ns", "poll_wasted_ns",    "busy_pct",       "guest_poll_pct",
    "host_poll_pct",   "sleep_pct",         "transition_pct", "poll_success_pct",
    "poll_wasted_pct", "lat_count",         "lat_mean_ns",    "lat_min_ns",
    "lat_p50_ns",      "lat_p90_ns",        "lat_p99_ns",     "lat_p999_ns",
    "lat_max_ns",      "accounting_errors", "cpu_cost_ns",    "cpu_cost_pct",
};
#define NTAIL_COLS (sizeof(tail_cols) / sizeof(tail_cols[0]))

struct line {
	FILE *f;
	int n;
};

static void field(struct line *l, const char *s)
{
	if (l->n++)
		fputc(',', l->f);
	csv_fwrite(l->f, s, strlen(s));
}

static void u64f(struct line *l, uint64_t v)
{
	char b[32];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	field(l, b);
}

static void dblf(struct line *l, double v)
{
	char b[48];

	snprintf(b, sizeof(b), "%.6f", v);
	field(l, b);
}

static void end(struct line *l)
{
	fputc('\n', l->f);
	l->n = 0;
}

/*
 * With host idle states: the residency of C0 and of each state, the exit
 * latency paid and its share, and the energy estimate (empty without powers).
 */
static void idle_header(struct line *l, const struct hp_idle_table *t)
{
	char name[64];
	unsigned i;

	field(l, "idle_active_pct");
	for (i = 0; i < t->count; i++) {
		snprintf(name, sizeof(name), "idle_%s_ns", t->state[i].name);
		field(l, name);
		snprintf(name, sizeof(name), "idle_%s_pct", t->state[i].name);
		field(l, name);
	}
	field(l, "idle_exit_latency_ns");
	field(l, "idle_exit_share_pct");
	field(l, "energy_mj");
}

static void idle_fields(struct line *l, const struct hp_metrics *m, int cpu)
{
	const struct hp_cpu_metrics *c = cpu >= 0 ? &m->cpu[cpu] : &m->total;
	struct hp_idle_summary s;
	unsigned i;

	hp_idle_summarize(m, cpu, &s);
	dblf(l, s.active_pct);
	for (i = 0; i < m->idle.count; i++) {
		u64f(l, c->idle.res_ns[i]);
		dblf(l, s.res_pct[i]);
	}
	u64f(l, c->idle.exit_ns);
	dblf(l, s.exit_share_pct);
	if (s.has_energy)
		dblf(l, s.energy_mj);
	else
		field(l, "");
}

static void header(struct line *l, const struct hp_metrics *m)
{
	char name[64];
	size_t i;
	int k;

	field(l, "cpu");
	field(l, "halts");
	field(l, "pending_at_exit");
	for (k = 0; k < HP_LAYER_COUNT; k++)
		for (i = 0; i < NLAYER_COLS; i++) {
			snprintf(name, sizeof(name), "%s.%s", hp_layer_name((enum hp_layer)k),
			         layer_cols[i]);
			field(l, name);
		}
	for (i = 0; i < NTAIL_COLS; i++)
		field(l, tail_cols[i]);
	if (m->idle.count)
		idle_header(l, &m->idle);
	end(l);
}

static void row(struct line *l, const struct hp_metrics *m, int cpu)
{
	const struct hp_cpu_metrics *c = cpu >= 0 ? &m->cpu[cpu] : &m->total;
	const struct hp_lat_dist *d = &c->latency;
	struct hp_summary s;
	int k;

	hp_summarize(m, cpu, &s);
	if (cpu >= 0)
		u64f(l, (uint64_t)cpu);
	else
		field(l, "total");
	u64f(l, c->halts);
	u64f(l, c->pending_at_exit);
	for (k = 0; k < HP_LAYER_COUNT; k++) {
		const struct hp_layer_stats *y = &c->layer[k];

		u64f(l, y->halts);
		u64f(l, y->halt_attempted_poll);
		u64f(l, y->halt_successful_poll);
		u64f(l, y->halt_poll_invalid);
		u64f(l, y->halt_wakeup);
		u64f(l, y->halt_poll_success_ns);
		u64f(l, y->halt_poll_fail_ns);
		u64f(l, y->halt_wait_ns);
		u64f(l, y->grows);
		u64f(l, y->shrinks);
	}
	u64f(l, s.wall_ns);
	u64f(l, s.busy_ns);
	u64f(l, s.time.halted_ns);
	u64f(l, s.time.guest_poll_ns);
	u64f(l, s.time.host_poll_ns);
	u64f(l, s.time.sleep_ns);
	u64f(l, s.time.transition_ns);
	u64f(l, s.time.guest_poll_contended_ns);
	u64f(l, s.poll_success_ns);
	u64f(l, s.poll_wasted_ns);
	dblf(l, hp_pct(s.busy_ns, s.wall_ns));
	dblf(l, hp_pct(s.time.guest_poll_ns, s.wall_ns));
	dblf(l, hp_pct(s.time.host_poll_ns, s.wall_ns));
	dblf(l, hp_pct(s.time.sleep_ns, s.wall_ns));
	dblf(l, hp_pct(s.time.transition_ns, s.wall_ns));
	dblf(l, hp_pct(s.poll_success_ns, s.wall_ns));
	dblf(l, hp_pct(s.poll_wasted_ns, s.wall_ns));
	u64f(l, d->count);
	dblf(l, d->count ? (double)d->sum / (double)d->count : 0.0);
	u64f(l, d->count ? d->min : 0);
	u64f(l, hp_lat_quantile(d, 0.50));
	u64f(l, hp_lat_quantile(d, 0.90));
	u64f(l, hp_lat_quantile(d, 0.99));
	u64f(l, hp_lat_quantile(d, 0.999));
	u64f(l, d->max);
	u64f(l, s.time.accounting_errors);
	u64f(l, hp_cpu_cost_ns(&s));
	dblf(l, hp_pct(hp_cpu_cost_ns(&s), s.wall_ns));
	if (m->idle.count)
		idle_fields(l, m, cpu);
	end(l);
}

int hp_report_csv(FILE *f, const struct hp_metrics *m, const struct hp_run_info *info,
                  struct hp_err *err)
{
	struct line l = {.f = f};
	uint32_t i;

	(void)info;
	header(&l, m);
	for (i = 0; i < m->ncpu; i++)
		row(&l, m, (int)i);
	row(&l, m, -1);
	if (ferror(f))
		return hp_errf(err, "could not write the CSV report");
	return 0;
}
