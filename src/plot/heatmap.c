/*
 * The heatmap's data: a metric of one trace's sweep points over two swept
 * parameters, one cell per pair of values (the mean when other parameters
 * were swept too), the values as ordinal positions with their labels.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/atomic_file.h"
#include "plot_int.h"

#define MAX_VALUES 1000 /* distinct values of a parameter */
#define MAX_TICS_X 10   /* tic labels per axis (values of up to ten digits side by side */
#define MAX_TICS_Y 25   /* on x); more values get every k-th labelled */
#define MAX_TEXT_X 24   /* columns and rows up to which each cell's value is printed */
#define MAX_TEXT_Y 32   /* (narrower cells would print a smear) */

struct cell {
	double sum;
	size_t n;
};

/* The position of x among the sorted distinct values vals[0..n), or where it would go. */
static size_t lower(const double *vals, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (vals[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add x to the sorted distinct values vals[0..*n) unless there; -1 when they are full. */
static int value_add(double *vals, size_t *n, double x)
{
	size_t i = lower(vals, *n, x);

	if (i < *n && vals[i] == x)
		return 0;
	if (*n == MAX_VALUES)
		return -1;
	memmove(vals + i + 1, vals + i, (*n - i) * sizeof(*vals));
	vals[i] = x;
	(*n)++;
	return 0;
}

/* "0" 0, "10000" 1, ...: gnuplot tic labels at the ordinal positions (every k-th of many). */
static void tics(const double *vals, size_t n, size_t max, char *buf, size_t size)
{
	size_t i, len = 0, step = (n + max - 1) / max;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i += step ? step : 1)
		len += (size_t)snprintf(buf + len, size - len, "%s\"%.10g\" %zu", i ? ", " : "",
		                        vals[i], i);
}

/* Label and scale of a metric column (latencies shown in µs). */
static double metric_scale(const char *z, char *label, size_t size)
{
	size_t n = strlen(z);

	if (!strcmp(z, "poll_cpu_pct"))
		snprintf(label, size, "polling CPU time (%% of wall time)");
	else if (!strcmp(z, "hit_pct"))
		snprintf(label, size, "successful polls (%% of halts)");
	else if (n > 7 && !strncmp(z, "lat_", 4) && !strcmp(z + n - 3, "_ns")) {
		snprintf(label, size, "%.*s wakeup latency (µs)", (int)(n - 7), z + 4);
		return 1e-3;
	} else
		snprintf(label, size, "%s", z);
	return 1;
}

/* Does row r have values of both parameters (a series that does not sweep one leaves it empty)? */
static int swept(const struct plot_table *t, size_t r, int cx, int cy)
{
	return *plot_table_get(t, r, cx) && *plot_table_get(t, r, cy);
}

int plot_heatmap_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                         size_t size, struct hp_err *err)
{
	const char *xn = req->x ? req->x : "host.halt_poll_ns";
	const char *yn = req->y ? req->y : "host.halt_poll_ns_shrink";
	const char *zn = req->z ? req->z : "poll_cpu_pct";
	const char *trace, *series = req->series;
	double xs[MAX_VALUES], ys[MAX_VALUES], scale;
	char xt[2048], yt[2048], zlabel[128], title[512];
	struct cell *cells = NULL;
	struct hp_atomic_file a;
	struct plot_table t;
	int cx, cy, cz, ctrace, cseries, cerr, rc = -1, pooled = 0;
	size_t nx = 0, ny = 0, r, i, j, used = 0;

	if (req->ninputs != 1)
		return hp_errf(err, "heatmap: expected one results.csv, got %zu inputs",
		               req->ninputs);
	if (plot_table_read(req->inputs[0], &t, err) < 0)
		return -1;
	if ((ctrace = plot_table_col(&t, "trace", err)) < 0 ||
	    (cx = plot_table_col(&t, xn, err)) < 0 || (cy = plot_table_col(&t, yn, err)) < 0 ||
	    (cz = plot_table_col(&t, zn, err)) < 0)
		goto out;
	cseries = plot_table_find(&t, "series");
	cerr = plot_table_find(&t, "error");
	if (!t.nrows) {
		hp_errf(err, "%s: no sweep points", req->inputs[0]);
		goto out;
	}
	trace = req->trace ? req->trace : plot_table_get(&t, 0, ctrace);
	/* first pass: the distinct values */
	for (r = 0; r < t.nrows; r++) {
		double x, y;

		if (strcmp(plot_table_get(&t, r, ctrace), trace) || *plot_table_get(&t, r, cerr))
			continue;
		if (series && strcmp(plot_table_get(&t, r, cseries), series))
			continue;
		if (!swept(&t, r, cx, cy))
			continue; /* a point of a series that does not sweep x or y */
		if (plot_table_num(&t, r, cx, &x, err) < 0 ||
		    plot_table_num(&t, r, cy, &y, err) < 0)
			goto out;
		if (value_add(xs, &nx, x) < 0 || value_add(ys, &ny, y) < 0) {
			hp_errf(err, "%s: more than %d distinct values of a parameter",
			        req->inputs[0], MAX_VALUES);
			goto out;
		}
		used++;
	}
	if (!used) {
		hp_errf(err,
		        "%s: no point of trace '%s'%s%s has both %s and %s (no series sweeps "
		        "both, or all such points failed)",
		        req->inputs[0], trace, req->series ? " and series " : "",
		        req->series ? req->series : "", xn, yn);
		goto out;
	}
	cells = calloc(nx * ny, sizeof(*cells));
	if (!cells) {
		hp_errf(err, "out of memory");
		goto out;
	}
	for (r = 0; r < t.nrows; r++) {
		double x, y, z;
		struct cell *c;

		if (strcmp(plot_table_get(&t, r, ctrace), trace) || *plot_table_get(&t, r, cerr) ||
		    (series && strcmp(plot_table_get(&t, r, cseries), series)) ||
		    !swept(&t, r, cx, cy))
			continue;
		if (plot_table_num(&t, r, cx, &x, err) < 0 ||
		    plot_table_num(&t, r, cy, &y, err) < 0 ||
		    plot_table_num(&t, r, cz, &z, err) < 0)
			goto out;
		c = &cells[lower(ys, ny, y) * nx + lower(xs, nx, x)];
		c->sum += z;
		pooled |= c->n > 0;
		c->n++;
	}
	scale = metric_scale(zn, zlabel, sizeof(zlabel));
	if (plot_sibling(req->output, ".heatmap.csv", data, size, err) < 0 ||
	    hp_atomic_open(&a, data, err) < 0)
		goto out;
	fputs("xi,yi,x,y,z,points\n", a.f);
	for (j = 0; j < ny; j++)
		for (i = 0; i < nx; i++) {
			const struct cell *c = &cells[j * nx + i];

			if (c->n)
				fprintf(a.f, "%zu,%zu,%.10g,%.10g,%.6g,%zu\n", i, j, xs[i], ys[j],
				        scale * c->sum / (double)c->n, c->n);
		}
	if (plot_csv_commit(&a, err) < 0)
		goto out;
	tics(xs, nx, MAX_TICS_X, xt, sizeof(xt));
	tics(ys, ny, MAX_TICS_Y, yt, sizeof(yt));
	snprintf(title, sizeof(title), "%s: %s%s%s%s", zlabel, plot_basename(trace),
	         series ? ", " : "", series ? series : "",
	         pooled ? " (mean of the points in each cell)" : "");
	plot_var_str(v, "datafile", data);
	plot_var_str(v, "xname", xn);
	plot_var_str(v, "yname", yn);
	plot_var_str(v, "zlabel", zlabel);
	plot_var_str(v, "xtics", xt);
	plot_var_str(v, "ytics", yt);
	plot_var_num(v, "nx", (double)nx);
	plot_var_num(v, "ny", (double)ny);
	plot_var_num(v, "celllabels", nx <= MAX_TEXT_X && ny <= MAX_TEXT_Y);
	plot_var_str(v, "ptitle", title);
	rc = 0;
out:
	free(cells);
	plot_table_free(&t);
	return rc;
}
