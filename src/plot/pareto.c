/*
 * The Pareto plot's data: every sweep point of one trace (CPU cost, the
 * chosen latency statistic, series, default/front/recommended flags) and the
 * oracle frontier, each as a CSV beside the image.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpsim/atomic_file.h"
#include "hpsim/pareto.h"
#include "plot_int.h"

#define MAX_SERIES 24 /* colours in pareto.gp: 12, then they repeat */

struct pt {
	double cpu, lat;
	int series, is_default, pareto, recommended;
	int side, row; /* a label's: 1 to the point's left; its row among stacked labels */
	const char *point;
};

#define LABEL_ROWS 4 /* the script stacks up to this many labels (pareto.gp) */

struct span {
	double lo, hi; /* smallest and largest positive value */
};

static void span_add(struct span *s, double v)
{
	if (v <= 0)
		return;
	if (!(s->lo > 0) || v < s->lo)
		s->lo = v;
	if (v > s->hi)
		s->hi = v;
}

/* More than two decades between the smallest and largest positive value. */
static int span_log(const struct span *s)
{
	return s->lo > 0 && s->hi / s->lo > 100.0;
}

/* Is x in the right part of the axis (labels there go to the point's left)? */
static int on_right(const struct span *s, int logx, double x)
{
	if (!(s->hi > 0))
		return 0;
	if (logx)
		return x > 0 && log(x / s->lo) > 0.6 * log(s->hi / s->lo);
	return x > 0.6 * s->hi;
}

/* Where v lies along an axis, 0 to 1 (a log axis from its smallest positive value). */
static double axis_pos(const struct span *s, int logscale, double v)
{
	if (!(s->hi > 0))
		return 0;
	if (logscale)
		return v > s->lo ? log(v / s->lo) / log(s->hi / s->lo) : 0;
	return v / s->hi;
}

/*
 * Each kernel default's label row: with several series the defaults can sit
 * close together, and labels on the same side of nearby points would print
 * over each other; such a label moves up a row (a label is about a fifth of
 * the plot wide and a twentieth high).
 */
static void label_rows(struct pt *p, size_t n, const struct span *sx, const struct span *sy)
{
	int lx = span_log(sx), ly = span_log(sy);
	size_t i, j;

	for (i = 0; i < n; i++) {
		unsigned used = 0;

		if (!p[i].is_default)
			continue;
		for (j = 0; j < i; j++)
			if (p[j].is_default && p[j].side == p[i].side &&
			    fabs(axis_pos(sx, lx, p[i].cpu) - axis_pos(sx, lx, p[j].cpu)) < 0.2 &&
			    fabs(axis_pos(sy, ly, p[i].lat / 1000.0) -
			         axis_pos(sy, ly, p[j].lat / 1000.0)) < 0.05)
				used |= 1u << p[j].row;
		for (p[i].row = 0; p[i].row < LABEL_ROWS - 1 && (used >> p[i].row & 1); p[i].row++)
			;
	}
}

/* The labels the script draws: kernel defaults (kind 0) and the recommended point (1). */
static int write_labels(const char *path, const struct pt *p, size_t n, struct hp_err *err)
{
	struct hp_atomic_file a;
	size_t i;
	int k;

	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	fputs("poll_cpu_pct,latency_ns,kind,side,row\n", a.f);
	for (i = 0; i < n; i++)
		for (k = 0; k < 2; k++)
			if (k ? p[i].recommended : p[i].is_default)
				fprintf(a.f, "%.6g,%.6g,%d,%d,%d\n", p[i].cpu, p[i].lat, k,
				        p[i].side, k ? 0 : p[i].row);
	return plot_csv_commit(&a, err);
}

static int by_cpu(const void *a, const void *b)
{
	const struct pt *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	if (x->lat != y->lat)
		return x->lat < y->lat ? -1 : 1;
	return x->point && y->point ? strcmp(x->point, y->point) : 0;
}

/* Mark p's front (hp_pareto_front); 0 or -1 with err. */
static int compute_front(struct pt *p, size_t n, struct hp_err *err)
{
	double *cpu = malloc((n ? n : 1) * sizeof(*cpu)), *lat = malloc((n ? n : 1) * sizeof(*lat));
	uint8_t *front = malloc(n ? n : 1);
	size_t i;
	int rc = -1;

	if (cpu && lat && front) {
		for (i = 0; i < n; i++) {
			cpu[i] = p[i].cpu;
			lat[i] = p[i].lat;
		}
		rc = hp_pareto_front(cpu, lat, n, front);
		for (i = 0; i < n; i++)
			p[i].pareto = front[i];
	}
	free(cpu);
	free(lat);
	free(front);
	return rc < 0 ? hp_errf(err, "out of memory") : 0;
}

static int latency_column(const char *stat, char *col, size_t size, struct hp_err *err)
{
	static const char *const ok[] = {"mean", "p50", "p90", "p99", "p999", "max"};
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (!strcmp(stat, ok[i])) {
			snprintf(col, size, "lat_%s_ns", stat);
			return 0;
		}
	return hp_errf(err, "--latency must be mean, p50, p90, p99, p999 or max, not '%s'", stat);
}

static int flag(const struct plot_table *t, size_t r, int c)
{
	const char *s = plot_table_get(t, r, c);

	return c >= 0 && (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes"));
}

/* Read the chosen trace's points of results.csv. */
static int read_points(const struct plot_table *t, const char *latcol, const char *trace,
                       struct pt *p, size_t *np, char series[][128], size_t *nseries,
                       struct hp_err *err)
{
	int ctrace, cseries, cpoint, ccpu, clat, cdef, crec, cerr;
	size_t r, s;

	if ((ctrace = plot_table_col(t, "trace", err)) < 0 ||
	    (cseries = plot_table_col(t, "series", err)) < 0 ||
	    (cpoint = plot_table_col(t, "point", err)) < 0 ||
	    (ccpu = plot_table_col(t, "poll_cpu_pct", err)) < 0 ||
	    (clat = plot_table_col(t, latcol, err)) < 0)
		return -1;
	cdef = plot_table_find(t, "is_default");
	crec = plot_table_find(t, "recommended");
	cerr = plot_table_find(t, "error");
	*np = 0;
	for (r = 0; r < t->nrows; r++) {
		struct pt *q = &p[*np];
		const char *sname = plot_table_get(t, r, cseries);

		if (strcmp(plot_table_get(t, r, ctrace), trace) || *plot_table_get(t, r, cerr))
			continue;
		if (plot_table_num(t, r, ccpu, &q->cpu, err) < 0 ||
		    plot_table_num(t, r, clat, &q->lat, err) < 0)
			return -1;
		for (s = 0; s < *nseries && strcmp(series[s], sname); s++)
			;
		if (s == *nseries) {
			if (*nseries == MAX_SERIES)
				return hp_errf(err, "%s: more than %d series", t->path, MAX_SERIES);
			snprintf(series[s], sizeof(series[s]), "%s", *sname ? sname : "(none)");
			(*nseries)++;
		}
		q->series = (int)s + 1;
		q->point = plot_table_get(t, r, cpoint);
		q->is_default = flag(t, r, cdef);
		q->recommended = flag(t, r, crec);
		(*np)++;
	}
	if (!*np)
		return hp_errf(err, "%s: no rows without an error for trace '%s'", t->path, trace);
	return 0;
}

static int write_points(const char *path, const struct pt *p, size_t n, struct hp_err *err)
{
	struct hp_atomic_file a;
	char name[16];
	size_t i;

	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	fputs("series_id,point,poll_cpu_pct,latency_ns,is_default,pareto,recommended\n", a.f);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%d", p[i].series);
		plot_csv_field(a.f, name, 0);
		plot_csv_field(a.f, p[i].point, 0);
		fprintf(a.f, "%.6g,%.6g,%d,%d,%d\n", p[i].cpu, p[i].lat, p[i].is_default,
		        p[i].pareto, p[i].recommended);
	}
	return plot_csv_commit(&a, err);
}

/* The oracle frontier of the trace, sorted by CPU cost, into path (emptied if it has none). */
static int write_oracle(const char *src, const char *trace, const char *latcol, char *path,
                        struct span *sx, struct span *sy, struct hp_err *err)
{
	struct plot_table t;
	struct hp_atomic_file a;
	struct pt *p = NULL;
	int ctrace, ccpu, clat, rc = -1;
	size_t r, n = 0;

	if (plot_table_read(src, &t, err) < 0)
		return -1;
	if ((ctrace = plot_table_col(&t, "trace", err)) < 0 ||
	    (ccpu = plot_table_col(&t, "poll_cpu_pct", err)) < 0 ||
	    (clat = plot_table_col(&t, latcol, err)) < 0)
		goto out;
	p = calloc(t.nrows + 1, sizeof(*p));
	if (!p) {
		hp_errf(err, "out of memory");
		goto out;
	}
	for (r = 0; r < t.nrows; r++) {
		if (strcmp(plot_table_get(&t, r, ctrace), trace))
			continue;
		if (plot_table_num(&t, r, ccpu, &p[n].cpu, err) < 0 ||
		    plot_table_num(&t, r, clat, &p[n].lat, err) < 0)
			goto out;
		span_add(sx, p[n].cpu);
		span_add(sy, p[n].lat / 1000.0);
		n++;
	}
	if (!n) { /* no frontier for this trace: nothing to draw */
		*path = '\0';
		rc = 0;
		goto out;
	}
	qsort(p, n, sizeof(*p), by_cpu);
	if (hp_atomic_open(&a, path, err) < 0)
		goto out;
	fputs("poll_cpu_pct,latency_ns\n", a.f);
	for (r = 0; r < n; r++)
		fprintf(a.f, "%.6g,%.6g\n", p[r].cpu, p[r].lat);
	rc = plot_csv_commit(&a, err);
out:
	free(p);
	plot_table_free(&t);
	return rc;
}

/* oracle.csv in the directory of results. */
static void oracle_beside(const char *results, char *buf, size_t size)
{
	const char *base = plot_basename(results);

	snprintf(buf, size, "%.*soracle.csv", (int)(base - results), results);
}

int plot_pareto_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                        size_t size, struct hp_err *err)
{
	const char *stat = req->latency ? req->latency : "p99", *trace;
	char latcol[32], series[MAX_SERIES][128], titles[2048] = "", oracle[4096],
	                                          oracle_out[4096] = "", title[512], labels[4096];
	struct span sx = {0}, sy = {0};
	struct plot_table t;
	struct pt *p = NULL;
	size_t n = 0, nseries = 0, i;
	int rc = -1, ctrace, hasdef = 0, hasrec = 0;
	unsigned mask = 0; /* which labels there are: bit (kind * 2 + side) * 4 + row */

	if (req->ninputs != 1)
		return hp_errf(err, "pareto: expected one results.csv, got %zu inputs",
		               req->ninputs);
	if (latency_column(stat, latcol, sizeof(latcol), err) < 0 ||
	    plot_table_read(req->inputs[0], &t, err) < 0)
		return -1;
	if ((ctrace = plot_table_col(&t, "trace", err)) < 0)
		goto out;
	if (!t.nrows) {
		hp_errf(err, "%s: no sweep points", req->inputs[0]);
		goto out;
	}
	trace = req->trace ? req->trace : plot_table_get(&t, 0, ctrace);
	p = calloc(t.nrows, sizeof(*p));
	if (!p) {
		hp_errf(err, "out of memory");
		goto out;
	}
	if (read_points(&t, latcol, trace, p, &n, series, &nseries, err) < 0)
		goto out;
	qsort(p, n, sizeof(*p), by_cpu);
	/*
	 * The front of the plotted statistic, from the plotted values: the file's
	 * pareto column is the front of the sweep's objective, which may be another
	 * statistic (results.csv does not say which).
	 */
	if (compute_front(p, n, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		hasdef |= p[i].is_default;
		hasrec |= p[i].recommended;
		span_add(&sx, p[i].cpu);
		span_add(&sy, p[i].lat / 1000.0);
	}
	if (plot_sibling(req->output, ".pareto.csv", data, size, err) < 0 ||
	    write_points(data, p, n, err) < 0)
		goto out;
	if (req->oracle)
		snprintf(oracle, sizeof(oracle), "%s", req->oracle);
	else
		oracle_beside(req->inputs[0], oracle, sizeof(oracle));
	if (req->oracle || access(oracle, R_OK) == 0) {
		if (plot_sibling(req->output, ".oracle.csv", oracle_out, sizeof(oracle_out), err) <
		        0 ||
		    write_oracle(oracle, trace, latcol, oracle_out, &sx, &sy, err) < 0)
			goto out;
	}
	for (i = 0; i < nseries; i++)
		plot_word_append(titles, sizeof(titles), series[i]);
	snprintf(title, sizeof(title), "Polling CPU cost against %s wakeup latency: %s", stat,
	         plot_basename(trace));
	plot_var_str(v, "datafile", data);
	plot_var_str(v, "oraclefile", oracle_out);
	plot_var_num(v, "nseries", (double)nseries);
	plot_var_str(v, "titles", titles);
	plot_var_str(v, "latname", stat);
	plot_var_num(v, "logx", span_log(&sx));
	plot_var_num(v, "logy", span_log(&sy));
	plot_var_num(v, "xfloor", sx.lo > 0 ? sx.lo / 2 : 0.01);
	plot_var_num(v, "yfloor", sy.lo > 0 ? sy.lo / 2 : 0.01);
	/* each label on its own point's side (the spans now hold the oracle's too) */
	for (i = 0; i < n; i++)
		p[i].side = on_right(&sx, span_log(&sx), p[i].cpu);
	label_rows(p, n, &sx, &sy);
	if (plot_sibling(req->output, ".labels.csv", labels, sizeof(labels), err) < 0 ||
	    write_labels(labels, p, n, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (p[i].is_default)
			mask |= 1u << (p[i].side * 4 + p[i].row);
		if (p[i].recommended)
			mask |= 1u << ((2 + p[i].side) * 4);
	}
	plot_var_str(v, "labelfile", labels);
	plot_var_num(v, "labelmask", mask);
	plot_var_num(v, "hasdefault", hasdef);
	plot_var_num(v, "hasrec", hasrec);
	plot_var_str(v, "ptitle", title);
	rc = 0;
out:
	free(p);
	plot_table_free(&t);
	return rc;
}
