/*
 * The timeline's data: one vCPU's halts on one layer within a time window of
 * a decisions log (hpsim replay --decisions), with the poll window after each
 * halt and whether the policy grew or shrank it.
 */
#include <string.h>

#include "hpsim/atomic_file.h"
#include "plot_int.h"

enum { C_CPU, C_LAYER, C_START, C_WAKE, C_BEFORE, C_OUTCOME, C_AFTER, C_N };

static const char *const need[C_N] = {"cpu",
                                      "layer",
                                      "halt_start_ns",
                                      "wake_ns",
                                      "poll_limit_before_ns",
                                      "outcome",
                                      "poll_limit_after_ns"};

static int outcome_id(const char *s)
{
	if (!strcmp(s, "poll_hit"))
		return 1;
	if (!strcmp(s, "poll_miss"))
		return 2;
	return 3;
}

int plot_timeline_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                          size_t size, struct hp_err *err)
{
	const char *layer = req->layer ? req->layer : "host";
	double from = req->from_ms, to = req->to_ms > 0 ? req->to_ms : from + 50;
	double t0 = 0, lo = 0, val[C_N];
	struct hp_atomic_file a;
	struct plot_table t;
	int col[C_N], i, rc = -1;
	size_t r, n = 0, grows = 0, shrinks = 0;
	char title[512], cpu[16];

	if (req->ninputs != 1)
		return hp_errf(err, "timeline: expected one decisions log, got %zu inputs",
		               req->ninputs);
	if (strcmp(layer, "host") && strcmp(layer, "guest") && strcmp(layer, "vcore"))
		return hp_errf(err, "--layer must be host, guest or vcore, not '%s'", layer);
	if (!(to > from))
		return hp_errf(err, "--to-ms (%g) must be after --from-ms (%g)", to, from);
	if (plot_table_read(req->inputs[0], &t, err) < 0)
		return -1;
	for (i = 0; i < C_N; i++)
		if ((col[i] = plot_table_col(&t, need[i], err)) < 0)
			goto out;
	for (r = 0; r < t.nrows; r++) {
		if (plot_table_num(&t, r, col[C_START], &val[C_START], err) < 0)
			goto out;
		if (!r || val[C_START] < t0)
			t0 = val[C_START];
	}
	snprintf(cpu, sizeof(cpu), "%u", req->cpu);
	if (plot_sibling(req->output, ".timeline.csv", data, size, err) < 0 ||
	    hp_atomic_open(&a, data, err) < 0)
		goto out;
	fputs("t_ms,halt_us,outcome,window_us,event\n", a.f);
	for (r = 0; r < t.nrows; r++) {
		double ms;
		int ev;

		if (strcmp(plot_table_get(&t, r, col[C_CPU]), cpu) ||
		    strcmp(plot_table_get(&t, r, col[C_LAYER]), layer))
			continue;
		for (i = C_START; i < C_N; i++)
			if (i != C_OUTCOME && plot_table_num(&t, r, col[i], &val[i], err) < 0) {
				hp_atomic_abort(&a);
				goto out;
			}
		ms = (val[C_START] - t0) / 1e6;
		if (ms < from || ms > to)
			continue;
		ev = val[C_AFTER] > val[C_BEFORE] ? 1 : val[C_AFTER] < val[C_BEFORE] ? -1 : 0;
		grows += ev > 0;
		shrinks += ev < 0;
		fprintf(a.f, "%.6f,%.4f,%d,%.4f,%d\n", ms, (val[C_WAKE] - val[C_START]) / 1e3,
		        outcome_id(plot_table_get(&t, r, col[C_OUTCOME])), val[C_AFTER] / 1e3, ev);
		if (val[C_WAKE] > val[C_START] && (!lo || (val[C_WAKE] - val[C_START]) / 1e3 < lo))
			lo = (val[C_WAKE] - val[C_START]) / 1e3;
		if (val[C_AFTER] > 0 && (!lo || val[C_AFTER] / 1e3 < lo))
			lo = val[C_AFTER] / 1e3;
		n++;
	}
	if (!n) {
		hp_atomic_abort(&a);
		hp_errf(err, "%s: no halts of cpu %u on the %s layer between %g and %g ms",
		        req->inputs[0], req->cpu, layer, from, to);
		goto out;
	}
	if (plot_csv_commit(&a, err) < 0)
		goto out;
	snprintf(title, sizeof(title), "vCPU %u, %s layer: halts and poll window, %g to %g ms",
	         req->cpu, layer, from, to);
	plot_var_str(v, "datafile", data);
	plot_var_str(v, "ptitle", title);
	plot_var_num(v, "yfloor", lo > 0 ? lo / 2 : 0.1);
	plot_var_num(v, "xmin", from);
	plot_var_num(v, "xmax", to);
	plot_var_num(v, "grows", (double)grows);
	plot_var_num(v, "shrinks", (double)shrinks);
	rc = 0;
out:
	plot_table_free(&t);
	return rc;
}
