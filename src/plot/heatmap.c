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

#define MAX_VALUES 64

struct cell {
	double sum;
	size_t n;
};

/* The position of x among the sorted distinct values vals[0..*n), added if new. */
static int value_index(double *vals, size_t *n, double x)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (vals[i] == x)
			return (int)i;
	if (*n == MAX_VALUES)
		return -1;
	vals[(*n)++] = x;
	return (int)*n - 1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static size_t find(const double *vals, size_t n, double x)
{
	size_t i;

	for (i = 0; i < n && vals[i] != x; i++)
		;
	return i;
}

/* "0" 0, "10000" 1, ...: gnuplot tic labels at the ordinal positions. */
static void tics(const double *vals, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < size; i++)
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
	cells = calloc(MAX_VALUES * MAX_VALUES, sizeof(*cells));
	if (!cells) {
		hp_errf(err, "out of memory");
		goto out;
	}
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
		if (value_index(xs, &nx, x) < 0 || value_index(ys, &ny, y) < 0) {
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
	qsort(xs, nx, sizeof(*xs), cmp_double);
	qsort(ys, ny, sizeof(*ys), cmp_double);
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
		c = &cells[find(ys, ny, y) * MAX_VALUES + find(xs, nx, x)];
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
			const struct cell *c = &cells[j * MAX_VALUES + i];

			if (c->n)
				fprintf(a.f, "%zu,%zu,%.10g,%.10g,%.6g,%zu\n", i, j, xs[i], ys[j],
				        scale * c->sum / (double)c->n, c->n);
		}
	if (plot_csv_commit(&a, err) < 0)
		goto out;
	tics(xs, nx, xt, sizeof(xt));
	tics(ys, ny, yt, sizeof(yt));
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
	plot_var_str(v, "ptitle", title);
	rc = 0;
out:
	free(cells);
	plot_table_free(&t);
	return rc;
}
