/*
 * Host idle states in the report: where the vCPUs' host CPUs spent their
 * idle time, how much of the wakeup latency the idle-state exits were, and,
 * when the table gives a power per state, an estimate of the CPUs' energy.
 */
#include <inttypes.h>
#include <string.h>

#include "hpsim/escape.h"
#include "hpsim/report.h"

void hp_idle_metrics_add(struct hp_idle_metrics *a, const struct hp_outcome *o)
{
	int i;

	/* most halts of most runs: no idle states, or the CPU did not idle */
	if (!o->idle_res_ns)
		return;
	for (i = 0; i < HP_IDLE_MAX_STATES; i++)
		a->res_ns[i] += o->idle_res_ns[i];
	/* the CPU may have idled only before another task took it, up to the wakeup */
	if (o->idle_state < 0 || o->idle_state >= HP_IDLE_MAX_STATES)
		return;
	a->wakes[o->idle_state]++;
	a->exit_ns += o->idle_exit_ns;
}

void hp_idle_metrics_sum(struct hp_idle_metrics *a, const struct hp_idle_metrics *b)
{
	int i;

	for (i = 0; i < HP_IDLE_MAX_STATES; i++) {
		a->res_ns[i] += b->res_ns[i];
		a->wakes[i] += b->wakes[i];
	}
	a->exit_ns += b->exit_ns;
}

void hp_idle_summarize(const struct hp_metrics *m, int cpu, struct hp_idle_summary *s)
{
	const struct hp_cpu_metrics *c = cpu < 0 ? &m->total : &m->cpu[cpu];
	const struct hp_idle_table *t = &m->idle;
	struct hp_summary sum;
	uint64_t idle = 0;
	double pj;
	unsigned i;

	memset(s, 0, sizeof(*s));
	hp_summarize(m, cpu, &sum);
	s->wall_ns = sum.wall_ns;
	s->has_energy = t->count > 0;
	for (i = 0; i < t->count && i < HP_IDLE_MAX_STATES; i++) {
		idle += c->idle.res_ns[i];
		s->res_pct[i] = hp_pct(c->idle.res_ns[i], sum.wall_ns);
		s->has_energy &= t->state[i].has_power;
	}
	s->active_pct = hp_pct(sum.wall_ns > idle ? sum.wall_ns - idle : 0, sum.wall_ns);
	s->exit_share_pct = hp_pct(c->idle.exit_ns, c->latency.sum);
	if (!s->has_energy)
		return;
	/* mW x ns = pJ: the active time at state 0's (POLL, C0) power, idle at each state's */
	pj = t->state[0].power_mw * (double)(sum.wall_ns > idle ? sum.wall_ns - idle : 0);
	for (i = 0; i < t->count; i++)
		pj += t->state[i].power_mw * (double)c->idle.res_ns[i];
	s->energy_mj = pj / 1e9;
	s->power_mw = sum.wall_ns ? pj / (double)sum.wall_ns : 0;
}

static void idle_row(FILE *f, const char *name, const struct hp_metrics *m, int cpu)
{
	const struct hp_cpu_metrics *c = cpu < 0 ? &m->total : &m->cpu[cpu];
	struct hp_idle_summary s;
	unsigned i;

	hp_idle_summarize(m, cpu, &s);
	fprintf(f, "%-6s %7.2f", name, s.active_pct);
	for (i = 0; i < m->idle.count; i++)
		fprintf(f, " %9.2f", s.res_pct[i]);
	fprintf(f, " %10.2f %10.2f", (double)c->idle.exit_ns / 1e6, s.exit_share_pct);
	if (s.has_energy)
		fprintf(f, " %10.3f %9.1f", s.energy_mj, s.power_mw);
	fputc('\n', f);
}

void hp_report_idle_table(FILE *f, const struct hp_metrics *m)
{
	const struct hp_idle_table *t = &m->idle;
	struct hp_idle_summary s;
	uint32_t i;
	char name[16], e[HP_ESC_BUF];

	if (!t->count)
		return;
	hp_idle_summarize(m, -1, &s);
	fprintf(f, "\nhost idle states (%s):\n%-6s %7s", hp_escape(t->name, e, sizeof(e)), "cpu",
	        "C0");
	for (i = 0; i < t->count; i++)
		fprintf(f, " %9.9s", hp_escape(t->state[i].name, e, sizeof(e)));
	fprintf(f, " %10s %10s", "exit_lat", "exit_share");
	if (s.has_energy)
		fprintf(f, " %10s %9s", "energy", "power");
	fprintf(f, "\n%-6s %7s", "", "[%]");
	for (i = 0; i < t->count; i++)
		fprintf(f, " %9s", "[%]");
	fprintf(f, " %10s %10s", "[ms]", "[%lat]");
	if (s.has_energy)
		fprintf(f, " %10s %9s", "[mJ]", "[mW]");
	fputc('\n', f);
	for (i = 0; i < m->ncpu; i++) {
		snprintf(name, sizeof(name), "%u", i);
		idle_row(f, name, m, (int)i);
	}
	idle_row(f, "total", m, -1);
	fprintf(f,
	        "\nC0 and the states = the vCPU's host CPU over wall time (C0: running or "
	        "polling);\nexit_lat = idle-state exit latency the wakeups paid; exit_share = "
	        "its share of all\nwakeup latency%s.\n",
	        s.has_energy ? "; energy = C0 at POLL's power, each state at its own" : "");
}
