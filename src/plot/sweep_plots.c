/*
 * The plots a finished sweep gets with `hpsim sweep --plot`: per trace, the
 * Pareto plot of CPU cost against the objective's latency statistic, and,
 * for each series sweeping two or more parameters, heatmaps of polling CPU
 * and of that latency over the first two it sweeps.
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

/* The first two parameter columns with a value in row r (those its series sweeps); 0 or -1. */
static int swept_pair(const struct plot_table *t, size_t r, int first, int nparams, int *x, int *y)
{
	int c, k = 0;

	for (c = first; c < first + nparams && k < 2; c++)
		if (*plot_table_get(t, r, c))
			*(k++ ? y : x) = c;
	return k == 2 ? 0 : -1;
}

int hp_plot_sweep(const char *dir, const char *latency, char (*list)[HP_PLOT_PATH], size_t *n,
                  size_t max, struct hp_err *err)
{
	char results[HP_PLOT_PATH], out[HP_PLOT_PATH], traces[HP_PLOT_MAX_INPUTS][HP_PLOT_PATH];
	char series[HP_PLOT_MAX_INPUTS][HP_PLOT_PATH], zlat[32], tag[32];
	int sx[HP_PLOT_MAX_INPUTS], sy[HP_PLOT_MAX_INPUTS];
	struct plot_table t;
	size_t ntraces = 0, nseries = 0, r, k, s;
	int tcol, scol, first, nparams, rc = 0;

	*n = 0;
	snprintf(results, sizeof(results), "%s/results.csv", dir);
	if (plot_table_read(results, &t, err) < 0)
		return -1;
	tcol = plot_table_col(&t, "trace", err);
	scol = tcol < 0 ? -1 : plot_table_col(&t, "series", err);
	if (scol < 0 || param_columns(&t, &first, &nparams) < 0) {
		if (scol >= 0)
			hp_errf(err, "%s: no parameter columns between 'series' and 'halts'",
			        results);
		plot_table_free(&t);
		return -1;
	}
	for (r = 0; r < t.nrows; r++) {
		const char *name = plot_table_get(&t, r, tcol),
		           *sname = plot_table_get(&t, r, scol);

		for (k = 0; k < ntraces && strcmp(traces[k], name); k++)
			;
		if (k == ntraces && ntraces < HP_PLOT_MAX_INPUTS)
			snprintf(traces[ntraces++], HP_PLOT_PATH, "%s", name);
		/* each series' heatmap is over the first two parameters it sweeps */
		for (s = 0; s < nseries && strcmp(series[s], sname); s++)
			;
		if (s == nseries && nseries < HP_PLOT_MAX_INPUTS) {
			snprintf(series[nseries], HP_PLOT_PATH, "%s", sname);
			if (swept_pair(&t, r, first, nparams, &sx[nseries], &sy[nseries]) < 0)
				sx[nseries] = -1;
			nseries++;
		}
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
		/*
		 * Heatmaps per series (a cell never averages two series' points, e.g.
		 * two kernels'); named by the series' index when there are several.
		 */
		for (s = 0; s < nseries && rc == 0; s++) {
			const char *z[2] = {"poll_cpu_pct", zlat};
			int i;

			if (sx[s] < 0)
				continue;
			tag[0] = '\0';
			if (nseries > 1)
				snprintf(tag, sizeof(tag), "-s%zu", s);
			for (i = 0; i < 2 && rc == 0; i++) {
				req.kind = HP_PLOT_HEATMAP;
				req.x = t.head[sx[s]];
				req.y = t.head[sy[s]];
				req.z = z[i];
				req.series = nseries > 1 ? series[s] : NULL;
				if (ntraces == 1)
					snprintf(out, sizeof(out), "%s/heatmap-%s%s.png", dir, z[i],
					         tag);
				else
					snprintf(out, sizeof(out), "%s/heatmap-%s%s-%zu.png", dir,
					         z[i], tag, k);
				rc = render(&req, out, list, n, max, err);
			}
		}
	}
	plot_table_free(&t);
	return rc;
}
