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
	a->task_wakes += o->idle_task_wakes;
	a->task_exit_ns += o->idle_task_exit_ns;
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
	a->task_wakes += b->task_wakes;
	a->task_exit_ns += b->task_exit_ns;
}

/* The figures of idle metrics im over wall time wall, with lat_sum the wakeups' latency. */
static void idle_figures(const struct hp_idle_table *t, const struct hp_idle_metrics *im,
                         uint64_t wall, uint64_t lat_sum, struct hp_idle_summary *s)
{
	uint64_t idle = 0;
	double pj;
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->wall_ns = wall;
	s->has_energy = t->count > 0;
	for (i = 0; i < t->count && i < HP_IDLE_MAX_STATES; i++) {
		idle += im->res_ns[i];
		s->res_pct[i] = hp_pct(im->res_ns[i], wall);
		s->has_energy &= t->state[i].has_power;
	}
	s->active_pct = hp_pct(wall > idle ? wall - idle : 0, wall);
	s->exit_share_pct = hp_pct(im->exit_ns, lat_sum);
	if (!s->has_energy)
		return;
	/* mW x ns = pJ: the active time at state 0's (POLL, C0) power, idle at each state's */
	pj = t->state[0].power_mw * (double)(wall > idle ? wall - idle : 0);
	for (i = 0; i < t->count; i++)
		pj += t->state[i].power_mw * (double)im->res_ns[i];
	s->energy_mj = pj / 1e9;
	s->power_mw = wall ? pj / (double)wall : 0;
}

void hp_idle_summarize(const struct hp_metrics *m, int cpu, struct hp_idle_summary *s)
{
	const struct hp_cpu_metrics *c = cpu < 0 ? &m->total : &m->cpu[cpu];
	struct hp_summary sum;

	hp_summarize(m, cpu, &sum);
	idle_figures(&m->idle, &c->idle, sum.wall_ns, c->latency.sum, s);
}

static void idle_row(FILE *f, const char *name, const struct hp_metrics *m,
                     const struct hp_idle_metrics *im, const struct hp_idle_summary *s)
{
	unsigned i;

	fprintf(f, "%-6s %7.2f", name, s->active_pct);
	for (i = 0; i < m->idle.count; i++)
		fprintf(f, " %9.2f", s->res_pct[i]);
	fprintf(f, " %10.2f %10.2f", (double)im->exit_ns / 1e6, s->exit_share_pct);
	/* the contention tasks' wakeups out of an idle state, and what they paid */
	fprintf(f, " %10" PRIu64 " %10.2f", im->task_wakes, (double)im->task_exit_ns / 1e6);
	if (im->task_wakes)
		fprintf(f, " %10.2f", (double)im->task_exit_ns / (double)im->task_wakes / 1e3);
	else
		fprintf(f, " %10s", "-");
	if (s->has_energy)
		fprintf(f, " %10.3f %9.1f", s->energy_mj, s->power_mw);
	fputc('\n', f);
}

/*
 * Vcores of size vCPUs: one host CPU each, whose idle time the vcore's
 * runner carries in its own row. A row per vcore: its vCPUs' idle figures
 * summed, over one wall time (the longest of its vCPUs'), and the total over
 * the vcores' summed wall time, so that the shares are of the host CPUs' time.
 */
static void vcore_rows(FILE *f, const struct hp_metrics *m, uint32_t size)
{
	struct hp_idle_metrics all = {0};
	struct hp_idle_summary s;
	uint64_t all_wall = 0, all_lat = 0;
	uint32_t first;
	char name[16];

	for (first = 0; first < m->ncpu; first += size) {
		struct hp_idle_metrics im = {0};
		uint64_t wall = 0, lat = 0;
		uint32_t i;

		for (i = first; i < m->ncpu && i < first + size; i++) {
			struct hp_summary sum;

			hp_summarize(m, (int)i, &sum);
			if (sum.wall_ns > wall)
				wall = sum.wall_ns;
			lat += m->cpu[i].latency.sum;
			hp_idle_metrics_sum(&im, &m->cpu[i].idle);
		}
		idle_figures(&m->idle, &im, wall, lat, &s);
		snprintf(name, sizeof(name), "vc%u", first / size);
		idle_row(f, name, m, &im, &s);
		hp_idle_metrics_sum(&all, &im);
		all_wall += wall;
		all_lat += lat;
	}
	idle_figures(&m->idle, &all, all_wall, all_lat, &s);
	idle_row(f, "total", m, &all, &s);
	fprintf(f,
	        "\nvcN = vcore N, vCPUs %u*N to %u*N+%u: one host CPU, its rows' idle time "
	        "summed over one wall time\n(total: over the host CPUs' summed wall time).\n",
	        size, size, size - 1);
}

void hp_report_idle_table(FILE *f, const struct hp_metrics *m, uint32_t vcore_size)
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
	fprintf(f, " %10s %10s %10s %10s %10s", "exit_lat", "exit_share", "task_wakes", "task_exit",
	        "task_mean");
	if (s.has_energy)
		fprintf(f, " %10s %9s", "energy", "power");
	fprintf(f, "\n%-6s %7s", "", "[%]");
	for (i = 0; i < t->count; i++)
		fprintf(f, " %9s", "[%]");
	fprintf(f, " %10s %10s %10s %10s %10s", "[ms]", "[%lat]", "[n]", "[ms]", "[us]");
	if (s.has_energy)
		fprintf(f, " %10s %9s", "[mJ]", "[mW]");
	fputc('\n', f);
	if (vcore_size > 1) {
		vcore_rows(f, m, vcore_size);
	} else {
		for (i = 0; i < m->ncpu; i++) {
			struct hp_idle_summary r;

			hp_idle_summarize(m, (int)i, &r);
			snprintf(name, sizeof(name), "%u", i);
			idle_row(f, name, m, &m->cpu[i].idle, &r);
		}
		idle_row(f, "total", m, &m->total.idle, &s);
	}
	fprintf(f,
	        "\nC0 and the states = %s host CPU over wall time (C0: running or "
	        "polling);\nexit_lat = idle-state exit latency the wakeups paid; exit_share = "
	        "its share of all\nwakeup latency; task_wakes = wakeups of the host's other "
	        "tasks (contention) that\nended an idle stretch, task_exit and task_mean = "
	        "the exit latency they paid\n(total, mean; not in the vCPUs' latency)%s.\n",
	        vcore_size > 1 ? "the vcore's" : "the vCPU's",
	        s.has_energy ? "; energy = C0 at POLL's power, each state at its own" : "");
}
