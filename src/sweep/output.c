/* The sweep's output files (results.csv, pareto.csv, oracle.csv, results.json) and its answer. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>
#include <jansson.h>

#include "hpsim/atomic_file.h"
#include "hpsim/escape.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

static const char metric_cols[] =
    "halts,halt_attempted_poll,halt_successful_poll,hit_pct,poll_ns,wall_ns,poll_cpu_pct,lat_mean_ns,"
    "lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,is_default,pareto,recommended,"
    "error";

/* One CSV field, quoted by libcsv only when it needs quoting. */
static void field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n"))
		csv_fwrite(f, s, strlen(s));
	else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

static void header(FILE *f, const struct hp_sweep_config *c)
{
	size_t i;

	fputs("point,trace,series,", f);
	for (i = 0; i < c->ncols; i++)
		field(f, c->cols[i], 0);
	fprintf(f, "%s\n", metric_cols);
}

static void row_csv(FILE *f, const struct hp_sweep_results *r, uint64_t unit)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_row *w = &r->rows[unit];
	uint64_t point = unit / c->ntraces;
	size_t t = (size_t)(unit % c->ntraces), s = hp_sweep_point_series(c, point), i;
	uint32_t vals[HP_MAX_SETTINGS * 2];
	uint8_t has[HP_MAX_SETTINGS * 2];
	char num[32];

	fprintf(f, "%" PRIu64 ",", point);
	field(f, c->traces[t].label, 0);
	field(f, c->series[s].label, 0);
	hp_sweep_point_values(c, point, vals, has);
	for (i = 0; i < c->ncols; i++) {
		if (has[i])
			fprintf(f, "%u", vals[i]);
		fputc(',', f);
	}
	if (w->failed) {
		fputs(",,,,,,,,,,,,,", f);
	} else {
		fprintf(f,
		        "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.3f,%" PRIu64 ",%" PRIu64
		        ",%.4f,%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",",
		        w->halts, w->attempted, w->successful,
		        w->halts ? 100.0 * (double)w->successful / (double)w->halts : 0.0,
		        w->poll_ns, w->wall_ns, hp_sweep_row_cpu(w),
		        hp_sweep_row_lat(w, HP_LAT_MEAN), w->lat_q[0], w->lat_q[1], w->lat_q[2],
		        w->lat_q[3], w->lat_max);
	}
	snprintf(num, sizeof(num), "%d,%d,%d,", c->series[s].default_point == point,
	         r->pareto[unit], r->recommended[unit]);
	fputs(num, f);
	field(f, w->failed && w->error ? w->error : "", 1);
}

static int write_csv(const char *dir, const char *name, const struct hp_sweep_results *r,
                     int pareto_only, struct hp_err *err)
{
	const struct hp_sweep_config *c = r->c;
	struct hp_atomic_file a;
	char path[4096];
	uint64_t u;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	header(a.f, c);
	for (u = 0; u < c->npoints * c->ntraces; u++)
		if (!pareto_only || r->pareto[u])
			row_csv(a.f, r, u);
	return hp_atomic_commit(&a, err);
}

static int write_oracle(const char *dir, const struct hp_sweep_results *r, struct hp_err *err)
{
	const struct hp_sweep_config *c = r->c;
	struct hp_atomic_file a;
	char path[4096];
	size_t t, w;

	snprintf(path, sizeof(path), "%s/oracle.csv", dir);
	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	fputs("trace,window_ns,poll_cpu_pct,lat_mean_ns,lat_p50_ns,lat_p90_ns,lat_p99_ns,"
	      "lat_p999_ns,lat_max_ns,halt_successful_poll,poll_ns\n",
	      a.f);
	for (t = 0; t < c->ntraces; t++)
		for (w = 0; c->oracle_layer >= 0 && w < c->nwindows; w++) {
			const struct hp_sweep_row *o = &r->rows[(c->npoints + w) * c->ntraces + t];

			field(a.f, c->traces[t].label, 0);
			fprintf(a.f, "%u,", c->windows[w]);
			if (o->failed) {
				fputs(",,,,,,,,\n", a.f);
				continue;
			}
			fprintf(a.f,
			        "%.4f,%.1f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
			        ",%" PRIu64 ",%" PRIu64 "\n",
			        hp_sweep_row_cpu(o), hp_sweep_row_lat(o, HP_LAT_MEAN), o->lat_q[0],
			        o->lat_q[1], o->lat_q[2], o->lat_q[3], o->lat_max, o->successful,
			        o->poll_ns);
		}
	return hp_atomic_commit(&a, err);
}

static json_t *row_json(const struct hp_sweep_results *r, uint64_t unit)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_row *w = &r->rows[unit];
	uint64_t point = unit / c->ntraces;
	size_t s = hp_sweep_point_series(c, point), i;
	uint32_t vals[HP_MAX_SETTINGS * 2];
	uint8_t has[HP_MAX_SETTINGS * 2];
	json_t *o = json_object(), *params = json_object();

	hp_sweep_point_values(c, point, vals, has);
	for (i = 0; i < c->ncols; i++)
		if (has[i])
			json_object_set_new(params, c->cols[i], json_integer(vals[i]));
	json_object_set_new(o, "point", json_integer((json_int_t)point));
	json_object_set_new(o, "trace", json_string(c->traces[unit % c->ntraces].label));
	json_object_set_new(o, "series", json_string(c->series[s].label));
	json_object_set_new(o, "params", params);
	if (w->failed) {
		json_object_set_new(o, "error", json_string(w->error ? w->error : "?"));
	} else {
		json_object_set_new(o, "halts", json_integer((json_int_t)w->halts));
		json_object_set_new(o, "halt_attempted_poll", json_integer((json_int_t)w->attempted));
		json_object_set_new(o, "halt_successful_poll", json_integer((json_int_t)w->successful));
		json_object_set_new(o, "poll_ns", json_integer((json_int_t)w->poll_ns));
		json_object_set_new(o, "wall_ns", json_integer((json_int_t)w->wall_ns));
		json_object_set_new(o, "poll_cpu_pct", json_real(hp_sweep_row_cpu(w)));
		json_object_set_new(o, "lat_mean_ns", json_real(hp_sweep_row_lat(w, HP_LAT_MEAN)));
		json_object_set_new(o, "lat_p50_ns", json_integer((json_int_t)w->lat_q[0]));
		json_object_set_new(o, "lat_p90_ns", json_integer((json_int_t)w->lat_q[1]));
		json_object_set_new(o, "lat_p99_ns", json_integer((json_int_t)w->lat_q[2]));
		json_object_set_new(o, "lat_p999_ns", json_integer((json_int_t)w->lat_q[3]));
		json_object_set_new(o, "lat_max_ns", json_integer((json_int_t)w->lat_max));
	}
	json_object_set_new(o, "is_default", json_boolean(c->series[s].default_point == point));
	json_object_set_new(o, "pareto", json_boolean(r->pareto[unit]));
	json_object_set_new(o, "recommended", json_boolean(r->recommended[unit]));
	return o;
}

static json_t *reco_json(const struct hp_sweep_results *r, size_t t)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_reco *k = &r->reco[t];
	json_t *o = json_object();

	json_object_set_new(o, "trace", json_string(c->traces[t].label));
	json_object_set_new(o, "rule", json_string(k->constrained ? "constraints" : "knee"));
	json_object_set_new(o, "point", k->point >= 0 ? json_integer(k->point) : json_null());
	json_object_set_new(o, "default_point", json_integer(k->default_point));
	if (k->oracle_window >= 0) {
		json_object_set_new(o, "oracle_window_ns",
		                    json_integer(c->windows[k->oracle_window]));
		if (k->oracle_next >= 0)
			json_object_set_new(o, "oracle_next_window_ns",
			                    json_integer(c->windows[k->oracle_next]));
		json_object_set_new(o, "oracle_poll_cpu_pct", json_real(k->oracle_cpu_pct));
	}
	return o;
}

/* Write "key": value (compact) and free value; 0 or -1. */
static int put(FILE *f, const char *key, json_t *v, const char *after)
{
	int rc;

	if (!v)
		return -1;
	fprintf(f, " \"%s\": ", key);
	rc = json_dumpf(v, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(v);
	fputs(after, f);
	return rc;
}

/*
 * results.json, streamed: the small parts first, then one row per line, so
 * that a grid of millions of rows is never a tree in memory.
 */
static int write_json(const char *dir, const struct hp_sweep_results *r, struct hp_err *err)
{
	const struct hp_sweep_config *c = r->c;
	struct hp_atomic_file af;
	json_t *obj, *a;
	char path[4096];
	uint64_t u, n = c->npoints * c->ntraces;
	size_t i;
	int s, bad = 0;

	snprintf(path, sizeof(path), "%s/results.json", dir);
	if (hp_atomic_open(&af, path, err) < 0)
		return -1;
	fputs("{\n", af.f);
	obj = json_object();
	json_object_set_new(obj, "cpu", json_string("poll_cpu_pct"));
	json_object_set_new(obj, "latency", json_string(hp_sweep_lat_name(c->lat_stat)));
	a = json_object();
	for (s = 0; s < HP_LAT_NSTAT; s++)
		if (c->lat_max_ns[s] >= 0) {
			char k[32];

			snprintf(k, sizeof(k), "%s_us_max",
			         hp_sweep_lat_name((enum hp_sweep_lat)s));
			json_object_set_new(a, k, json_real(c->lat_max_ns[s] / 1000.0));
		}
	if (c->cpu_max_pct >= 0)
		json_object_set_new(a, "poll_cpu_pct_max", json_real(c->cpu_max_pct));
	json_object_set_new(obj, "constraints", a);
	bad |= put(af.f, "objective", obj, ",\n");
	a = json_array();
	for (i = 0; i < c->ntraces; i++)
		json_array_append_new(a, json_string(c->traces[i].label));
	bad |= put(af.f, "traces", a, ",\n");
	a = json_array();
	for (i = 0; i < c->nseries; i++)
		json_array_append_new(a, json_pack("{s:s,s:I}", "label", c->series[i].label,
		                                   "default_point",
		                                   (json_int_t)c->series[i].default_point));
	bad |= put(af.f, "series", a, ",\n");
	a = json_array();
	for (i = 0; i < c->ncols; i++)
		json_array_append_new(a, json_string(c->cols[i]));
	bad |= put(af.f, "params", a, ",\n");
	a = json_array();
	for (i = 0; i < c->ntraces; i++)
		json_array_append_new(a, reco_json(r, i));
	bad |= put(af.f, "recommendations", a, ",\n");
	fputs(" \"rows\": [\n", af.f);
	for (u = 0; u < n && !bad; u++) {
		json_t *row = row_json(r, u);

		fputs("  ", af.f);
		bad |= !row || json_dumpf(row, af.f, JSON_COMPACT | JSON_PRESERVE_ORDER) < 0;
		json_decref(row);
		fputs(u + 1 < n ? ",\n" : "\n", af.f);
	}
	fputs(" ]\n}\n", af.f);
	if (bad) {
		int e = errno, io = ferror(af.f);

		if (!io && fflush(af.f) != 0) {
			io = 1;
			e = errno;
		}
		hp_atomic_abort(&af);
		if (io || e == ENOSPC)
			return hp_errf(err, "%s: cannot write the JSON: %s", path,
			               e == ENOSPC ? "no space left on the device (the disk is full)"
			                           : strerror(e));
		return hp_errf(err, "%s: cannot write the JSON (out of memory?)", path);
	}
	return hp_atomic_commit(&af, err);
}

int hp_sweep_write(const char *dir, const struct hp_sweep_results *r, struct hp_err *err)
{
	if (write_csv(dir, "results.csv", r, 0, err) < 0 ||
	    write_csv(dir, "pareto.csv", r, 1, err) < 0 || write_oracle(dir, r, err) < 0 ||
	    write_json(dir, r, err) < 0)
		return -1;
	return 0;
}

/* x, with a value that prints as -0.00 shown as 0. */
static double nz(double x)
{
	return x > -0.005 && x < 0.005 ? 0.0 : x;
}

static void describe(FILE *f, const struct hp_sweep_results *r, uint64_t point, size_t t,
                     const char *what)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_row *w = &r->rows[point * c->ntraces + t];
	uint32_t vals[HP_MAX_SETTINGS * 2];
	uint8_t has[HP_MAX_SETTINGS * 2];
	char e[HP_ESC_BUF];
	size_t i;

	hp_sweep_point_values(c, point, vals, has);
	fprintf(f, "  %-15s point %" PRIu64 " [%s]", what, point,
	        hp_escape(c->series[hp_sweep_point_series(c, point)].label, e, sizeof(e)));
	for (i = 0; i < c->ncols; i++)
		if (has[i])
			fprintf(f, " %s=%u", c->cols[i], vals[i]);
	if (w->failed) {
		fprintf(f, "\n  %-15s error: %s\n", "",
		        hp_escape(w->error ? w->error : "?", e, sizeof(e)));
		return;
	}
	fprintf(f, "\n  %-15s poll_cpu %.2f%%  %s latency %.2f us\n", "", hp_sweep_row_cpu(w),
	        hp_sweep_lat_name(c->lat_stat), hp_sweep_row_lat(w, c->lat_stat) / 1e3);
}

void hp_sweep_print_reco(FILE *f, const struct hp_sweep_results *r)
{
	const struct hp_sweep_config *c = r->c;
	const char *lat = hp_sweep_lat_name(c->lat_stat);
	char e[HP_ESC_BUF];
	size_t t;
	int s;

	for (t = 0; t < c->ntraces; t++) {
		const struct hp_sweep_reco *k = &r->reco[t];

		fprintf(f, "trace %s: least poll_cpu_pct ",
		        hp_escape(c->traces[t].label, e, sizeof(e)));
		if (k->constrained) {
			fprintf(f, "meeting");
			for (s = 0; s < HP_LAT_NSTAT; s++)
				if (c->lat_max_ns[s] >= 0)
					fprintf(f, " %s <= %g us",
					        hp_sweep_lat_name((enum hp_sweep_lat)s),
					        c->lat_max_ns[s] / 1e3);
			if (c->cpu_max_pct >= 0)
				fprintf(f, " poll_cpu <= %g%%", c->cpu_max_pct);
			fputc('\n', f);
		} else {
			fprintf(f, "for its %s latency: the knee of the Pareto front\n", lat);
		}
		if (k->point < 0) {
			/* without constraints only failures leave no point (a front is never empty)
			 */
			fprintf(f, "  %s\n",
			        k->constrained ? "no point meets the constraints"
			                       : "no point ran without an error");
			describe(f, r, (uint64_t)k->default_point, t, "kernel default:");
			continue;
		}
		describe(f, r, (uint64_t)k->point, t, "recommended:");
		describe(f, r, (uint64_t)k->default_point, t, "kernel default:");
		{
			const struct hp_sweep_row *a =
			    &r->rows[(uint64_t)k->point * c->ntraces + t];
			const struct hp_sweep_row *d =
			    &r->rows[(uint64_t)k->default_point * c->ntraces + t];

			if (!d->failed)
				fprintf(
				    f,
				    "  %-15s poll_cpu %+.2f points, %s latency %+.2f us against "
				    "the default\n",
				    "difference:", nz(hp_sweep_row_cpu(a) - hp_sweep_row_cpu(d)),
				    lat,
				    nz((hp_sweep_row_lat(a, c->lat_stat) -
				        hp_sweep_row_lat(d, c->lat_stat)) /
				       1e3));
			if (k->oracle_window >= 0) {
				fprintf(
				    f,
				    "  %-15s poll_cpu %.2f%% at %s latency %.2f us (window %u ns",
				    "oracle:", k->oracle_cpu_pct, lat,
				    hp_sweep_row_lat(a, c->lat_stat) / 1e3,
				    c->windows[k->oracle_window]);
				if (k->oracle_next >= 0)
					fprintf(f, ", towards %u ns", c->windows[k->oracle_next]);
				fprintf(f, "): what any policy could reach\n");
			} else if (c->oracle_layer >= 0) {
				fprintf(f, "  %-15s no oracle window reaches this latency\n",
				        "oracle:");
			}
		}
	}
}
