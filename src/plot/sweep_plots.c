/*
 * The plots a finished sweep gets with `hpsim sweep --plot`: per trace, the
 * Pareto plot of CPU cost against the objective's latency statistic, and,
 * when the grid has two or more parameter columns, heatmaps of polling CPU
 * and of that latency over the first two.
 */
#include <stdio.h>
#include <string.h>

#include "plot_int.h"

/* The grid's parameter columns: those between "series" and "halts". */
static int param_columns(const struct plot_table *t, int *first, int *n)
{
	int s = plot_table_find(t, "series"), h = plot_table_find(t, "halts");

	if (s < 0 || h < 0 || h <= s)
		return -1;
	*first = s + 1;
	*n = h - s - 1;
	return 0;
}

/* Render one plot into list[*n] (the image's path); 0 or -1 with err. */
static int render(struct hp_plot_request *req, const char *out, char (*list)[HP_PLOT_PATH],
                  size_t *n, size_t max, struct hp_err *err)
{
	struct hp_plot_result res;

	if (*n == max)
		return 0;
	req->output = out;
	if (hp_plot_render(req, &res, err) < 0)
		return -1;
	snprintf(list[*n], HP_PLOT_PATH, "%s", out);
	(*n)++;
	return 0;
}

int hp_plot_sweep(const char *dir, const char *latency, char (*list)[HP_PLOT_PATH], size_t *n,
                  size_t max, struct hp_err *err)
{
	char results[HP_PLOT_PATH], out[HP_PLOT_PATH], traces[HP_PLOT_MAX_INPUTS][HP_PLOT_PATH];
	char zlat[32];
	struct plot_table t;
	size_t ntraces = 0, r, k;
	int tcol, first, nparams, rc = 0;

	*n = 0;
	snprintf(results, sizeof(results), "%s/results.csv", dir);
	if (plot_table_read(results, &t, err) < 0)
		return -1;
	tcol = plot_table_col(&t, "trace", err);
	if (tcol < 0 || param_columns(&t, &first, &nparams) < 0) {
		if (tcol >= 0)
			hp_errf(err, "%s: no parameter columns between 'series' and 'halts'",
			        results);
		plot_table_free(&t);
		return -1;
	}
	for (r = 0; r < t.nrows && ntraces < HP_PLOT_MAX_INPUTS; r++) {
		const char *name = plot_table_get(&t, r, tcol);

		for (k = 0; k < ntraces && strcmp(traces[k], name); k++)
			;
		if (k == ntraces)
			snprintf(traces[ntraces++], HP_PLOT_PATH, "%s", name);
	}
	snprintf(zlat, sizeof(zlat), "lat_%s_ns", latency ? latency : "p99");
	for (k = 0; k < ntraces && rc == 0; k++) {
		struct hp_plot_request req;

		memset(&req, 0, sizeof(req));
		req.kind = HP_PLOT_PARETO;
		req.inputs[0] = results;
		req.ninputs = 1;
		req.trace = traces[k];
		req.latency = latency;
		if (ntraces == 1)
			snprintf(out, sizeof(out), "%s/pareto.png", dir);
		else
			snprintf(out, sizeof(out), "%s/pareto-%zu.png", dir, k);
		rc = render(&req, out, list, n, max, err);
		if (rc == 0 && nparams >= 2) {
			const char *z[2] = {"poll_cpu_pct", zlat};
			int i;

			for (i = 0; i < 2 && rc == 0; i++) {
				req.kind = HP_PLOT_HEATMAP;
				req.x = t.head[first];
				req.y = t.head[first + 1];
				req.z = z[i];
				if (ntraces == 1)
					snprintf(out, sizeof(out), "%s/heatmap-%s.png", dir, z[i]);
				else
					snprintf(out, sizeof(out), "%s/heatmap-%s-%zu.png", dir,
					         z[i], k);
				rc = render(&req, out, list, n, max, err);
			}
		}
	}
	plot_table_free(&t);
	return rc;
}
