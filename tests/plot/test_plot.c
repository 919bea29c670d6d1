/*
 * hpsim plot, for real: sweep results, decisions logs and reports made from
 * replays of the bundled captures, each plot kind drawn by gnuplot through
 * the hpsim binary, the PNG's size read from its IHDR and the SVG's text
 * searched for the axis labels and legend entries; and the errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "helpers.h"

#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

#define PINGPONG HPSIM_SOURCE_DIR "/traces/pingpong.dat"
#define THINK50  HPSIM_SOURCE_DIR "/traces/pingpong-think50.dat"

struct fixture {
	char dir[64];
	char results[128];  /* with a pareto column and two traces */
	char results2[192]; /* without pareto/recommended columns, one trace */
	char decisions[128];
	char json[3][128];
};

/* Run a shell command line; its stderr into errbuf; the exit status (128+ on a signal). */
static int sh(const char *cmd, char *errbuf, size_t errlen)
{
	return test_sh_err(errbuf, errlen, "%s", cmd);
}

/* `hpsim plot ARGS`: 0 or fail the test with what it said. */
static void plot_ok(const char *args)
{
	char cmd[8192], err[4096];

	snprintf(cmd, sizeof(cmd), "'%s' plot %s", HPSIM_BINARY, args);
	if (sh(cmd, err, sizeof(err)) != 0)
		fail_msg("hpsim plot %s failed: %s", args, err);
}

/* `[ENV] hpsim plot ARGS` must fail (not crash) saying needle. */
static void plot_fails(const char *env, const char *args, const char *needle)
{
	char cmd[4096], err[4096];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s '%s' plot %s", env, HPSIM_BINARY, args);
	rc = sh(cmd, err, sizeof(err));
	if (rc == 0)
		fail_msg("hpsim plot %s succeeded; expected an error", args);
	if (rc >= 128)
		fail_msg("hpsim plot %s crashed (%d): %s", args, rc, err);
	if (!strstr(err, needle))
		fail_msg("hpsim plot %s said '%s'; expected it to mention '%s'", args, err, needle);
}

/* The width and height in a PNG's IHDR chunk. */
static void png_size(const char *path, uint32_t *w, uint32_t *h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char b[24];
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("%s was not written", path);
	assert_int_equal(fread(b, 1, sizeof(b), f), sizeof(b));
	fclose(f);
	assert_memory_equal(b, sig, sizeof(sig));
	assert_memory_equal(b + 12, "IHDR", 4);
	*w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
	*h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
}

static char *slurp(const char *path)
{
	char *buf = test_slurp(path, NULL);

	if (!buf)
		fail_msg("%s was not written", path);
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The "point" values of the front's rows in a pareto data CSV, as "p1 p2 ...". */
static char *front_of(const char *path)
{
	char *text = slurp(path), *out = calloc(1, strlen(text) + 1), *line, *save = NULL;
	int first = 1;

	assert_non_null(out);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int series, pareto, def, rec;
		char point[32];
		double cpu, lat;

		if (first) {
			assert_string_equal(line, "series_id,point,poll_cpu_pct,latency_ns,"
			                          "is_default,pareto,recommended");
			first = 0;
			continue;
		}
		assert_int_equal(sscanf(line, "%d,%31[^,],%lf,%lf,%d,%d,%d", &series, point, &cpu,
		                        &lat, &def, &pareto, &rec),
		                 7);
		if (pareto)
			sprintf(out + strlen(out), "%s%s", *out ? " " : "", point);
	}
	free(text);
	return out;
}

/* Draw ARGS -o DIR/NAME.png and .svg; check the PNG is 1200x800 and the SVG has every needle. */
static void draw(const struct fixture *fx, const char *name, const char *args,
                 const char *const *needles)
{
	char a[4096], png[256], svg[256], data[256], err[4096], *text;
	uint32_t w, h;
	struct stat sb;
	size_t i;

	snprintf(png, sizeof(png), "%s/%s.png", fx->dir, name);
	snprintf(svg, sizeof(svg), "%s/%s.svg", fx->dir, name);
	snprintf(a, sizeof(a), "%s -o '%s'", args, png);
	plot_ok(a);
	png_size(png, &w, &h);
	assert_int_equal(w, 1200);
	assert_int_equal(h, 800);
	snprintf(a, sizeof(a), "%s -o '%s'", args, svg);
	plot_ok(a);
	text = slurp(svg);
	assert_non_null(strstr(text, "<svg"));
	for (i = 0; needles[i]; i++)
		if (!strstr(text, needles[i]))
			fail_msg("%s: no '%s' in the SVG", svg, needles[i]);
	free(text);
	/* the data CSV stays beside the plot, for reruns by hand */
	snprintf(data, sizeof(data), "%s/%s.%.*s.csv", fx->dir, name, (int)strcspn(args, " "),
	         args);
	if (stat(data, &sb) != 0 || sb.st_size == 0)
		fail_msg("no data CSV %s", data);
	/* and the script draws it by hand, given only the data and the output */
	snprintf(png, sizeof(png), "%s/%s-by-hand.png", fx->dir, name);
	snprintf(a, sizeof(a),
	         "gnuplot -e \"datafile='%s'; outfile='%s'\" '%s/scripts/plot/%.*s.gp'", data, png,
	         HPSIM_SOURCE_DIR, (int)strcspn(args, " "), args);
	if (sh(a, err, sizeof(err)) != 0)
		fail_msg("%s failed: %s", a, err);
	png_size(png, &w, &h);
	assert_int_equal(w, 1200);
	assert_int_equal(h, 800);
}

/* --- fixtures: results.csv, oracle.csv, a decisions log, JSON reports --------------------- */

struct run {
	double cpu_pct, hit_pct, lat_mean;
	uint64_t halts, attempted, successful, poll_ns, wall_ns, lat[5];
};

/* Replay eps with the host policy and settings; the figures of a results.csv row. */
static void replay(const struct hp_episodes *eps, const char *policy, const char *name1,
                   const char *val1, const char *name2, const char *val2, struct run *r)
{
	static const double q[5] = {0.5, 0.9, 0.99, 0.999, 1.0};
	struct hp_run_spec spec = {0};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct hp_err err = {""};
	const struct hp_layer_stats *s;
	int i;

	spec.policy[HP_LAYER_HOST] = policy;
	if (name1)
		spec.params[spec.nparams++] = (struct hp_setting){name1, val1};
	if (name2)
		spec.params[spec.nparams++] = (struct hp_setting){name2, val2};
	if (hp_engine_configure(&spec, &cfg, &err) < 0 ||
	    hp_replay(eps, &cfg, &m, &st, NULL, NULL, &err) < 0)
		fail_msg("replay: %s", err.msg);
	s = &m.total.layer[HP_LAYER_HOST];
	r->halts = m.total.halts;
	r->attempted = s->halt_attempted_poll;
	r->successful = s->halt_successful_poll;
	r->hit_pct = r->halts ? 100.0 * (double)r->successful / (double)r->halts : 0;
	r->poll_ns = hp_layer_poll_ns(s);
	r->wall_ns = m.wall_ns * m.ncpu;
	r->cpu_pct = 100.0 * (double)r->poll_ns / (double)r->wall_ns;
	r->lat_mean = (double)m.total.latency.sum / (double)m.total.latency.count;
	for (i = 0; i < 5; i++)
		r->lat[i] = hp_lat_quantile(&m.total.latency, q[i]);
	hp_metrics_free(&m);
}

/* Mark the points of r[0..n) no other point matches or beats on CPU and p99 while beating on one.
 */
static void mark_front(const struct run *r, size_t n, int *front)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		front[i] = 1;
		for (j = 0; j < n; j++)
			if (j != i && r[j].cpu_pct <= r[i].cpu_pct && r[j].lat[2] <= r[i].lat[2] &&
			    (r[j].cpu_pct < r[i].cpu_pct || r[j].lat[2] < r[i].lat[2]))
				front[i] = 0;
	}
}

/* results.csv as the sweep writes it, from real replays of two captures. */
static void write_results(const char *path, int with_front)
{
	static const char *const ceil[] = {"0", "10000", "50000", "200000", "400000"};
	static const char *const shrink[] = {"0", "2", "4"};
	static const char *const traces[] = {PINGPONG, THINK50};
	FILE *f = fopen(path, "w");
	struct hp_err err = {""};
	size_t t, i, point = 0;

	assert_non_null(f);
	fprintf(f,
	        "point,trace,series,host.halt_poll_ns,host.halt_poll_ns_shrink,halts,"
	        "halt_attempted_poll,halt_successful_poll,hit_pct,poll_ns,wall_ns,poll_cpu_pct,"
	        "lat_mean_ns,lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,"
	        "is_default%s,error\n",
	        with_front ? ",pareto,recommended" : "");
	for (t = 0; t < (with_front ? 2u : 1u); t++) {
		struct hp_episodes eps = {0};
		struct run r[15];
		int front[15], rec = -1;
		size_t n = 15;

		if (hp_trace_read(traces[t], &eps, &err) < 0)
			fail_msg("%s", err.msg);
		for (i = 0; i < n; i++)
			replay(&eps, "kvm", "halt_poll_ns", ceil[i % 5], "halt_poll_ns_shrink",
			       shrink[i / 5], &r[i]);
		hp_episodes_free(&eps);
		mark_front(r, n, front);
		/* recommended: the cheapest front point within 10 % of the best p99 */
		for (i = 0; i < n; i++)
			if (front[i] && (rec < 0 || r[i].lat[2] < r[rec].lat[2]))
				rec = (int)i;
		for (i = 0; i < n; i++)
			if (front[i] && r[i].lat[2] <= r[rec].lat[2] * 1.1 &&
			    r[i].cpu_pct < r[rec].cpu_pct)
				rec = (int)i;
		for (i = 0; i < n; i++) {
			fprintf(f,
			        "%zu,%s,shrink=%s,%s,%s,%llu,%llu,%llu,%.3f,%llu,%llu,%.4f,"
			        "%.1f,%llu,%llu,%llu,%llu,%llu,%d",
			        point++, traces[t], shrink[i / 5], ceil[i % 5], shrink[i / 5],
			        (unsigned long long)r[i].halts, (unsigned long long)r[i].attempted,
			        (unsigned long long)r[i].successful, r[i].hit_pct,
			        (unsigned long long)r[i].poll_ns, (unsigned long long)r[i].wall_ns,
			        r[i].cpu_pct, r[i].lat_mean, (unsigned long long)r[i].lat[0],
			        (unsigned long long)r[i].lat[1], (unsigned long long)r[i].lat[2],
			        (unsigned long long)r[i].lat[3], (unsigned long long)r[i].lat[4],
			        i == 8); /* 200 us, shrink 2: the 6.11 x86 defaults */
			if (with_front)
				fprintf(f, ",%d,%d", front[i], (int)i == rec);
			fprintf(f, ",\n");
		}
	}
	/* a failed point: skipped by the plots */
	fprintf(f, "%zu,%s,shrink=2,1,2,0,0,0,0,0,0,0,0,0,0,0,0,0,0%s,replay failed\n", point,
	        PINGPONG, with_front ? ",0,0" : "");
	assert_int_equal(fclose(f), 0);
}

/* oracle.csv beside results.csv: the host oracle at several windows. */
static void write_oracle(const char *path)
{
	static const char *const win[] = {"0", "5000", "20000", "50000", "200000"};
	struct hp_episodes eps = {0};
	struct hp_err err = {""};
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	if (hp_trace_read(PINGPONG, &eps, &err) < 0)
		fail_msg("%s", err.msg);
	fprintf(f, "trace,window_ns,poll_cpu_pct,lat_mean_ns,lat_p50_ns,lat_p90_ns,lat_p99_ns,"
	           "lat_p999_ns,lat_max_ns,halt_successful_poll,poll_ns\n");
	for (i = 0; i < 5; i++) {
		struct run r;

		replay(&eps, "oracle", "oracle_window_ns", win[i], NULL, NULL, &r);
		fprintf(f, "%s,%s,%.4f,%.1f,%llu,%llu,%llu,%llu,%llu,%llu,%llu\n", PINGPONG, win[i],
		        r.cpu_pct, r.lat_mean, (unsigned long long)r.lat[0],
		        (unsigned long long)r.lat[1], (unsigned long long)r.lat[2],
		        (unsigned long long)r.lat[3], (unsigned long long)r.lat[4],
		        (unsigned long long)r.successful, (unsigned long long)r.poll_ns);
	}
	hp_episodes_free(&eps);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	static const char *const sets[3] = {"--set halt_poll_ns=0", "",
	                                    "--set halt_poll_ns=20000 --set halt_poll_ns_shrink=0"};
	struct fixture *fx = calloc(1, sizeof(*fx));
	char cmd[1024], path[192], sub[160];
	int i;

	assert_non_null(fx);
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hpsim-plot-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->results, sizeof(fx->results), "%s/results.csv", fx->dir);
	write_results(fx->results, 1);
	snprintf(path, sizeof(path), "%s/oracle.csv", fx->dir);
	write_oracle(path);
	snprintf(sub, sizeof(sub), "%s/nofront", fx->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(fx->results2, sizeof(fx->results2), "%s/results.csv", sub);
	write_results(fx->results2, 0);
	snprintf(fx->decisions, sizeof(fx->decisions), "%s/decisions.csv", fx->dir);
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --decisions '%s'", HPSIM_BINARY, THINK50,
	         fx->decisions);
	assert_int_equal(sh(cmd, NULL, 0), 0);
	for (i = 0; i < 3; i++) {
		snprintf(fx->json[i], sizeof(fx->json[i]), "%s/r%d.json", fx->dir, i);
		snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --format json %s > '%s'", HPSIM_BINARY,
		         THINK50, sets[i], fx->json[i]);
		assert_int_equal(system(cmd), 0);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[256];

	if (!getenv("HPSIM_KEEP_PLOTS")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", fx->dir);
	}
	free(fx);
	return 0;
}

/* --- the plots ---------------------------------------------------------------------------- */

static void test_pareto(void **state)
{
	const struct fixture *fx = *state;
	static const char *const want[] = {"polling CPU time (% of wall time)",
	                                   "p99 wakeup latency",
	                                   "Pareto front",
	                                   "kernel default",
	                                   "recommended",
	                                   "oracle frontier",
	                                   "shrink=0",
	                                   "shrink=2",
	                                   "shrink=4",
	                                   "pingpong.dat",
	                                   NULL};
	static const char *const want_computed[] = {"Pareto front", "kernel default", "shrink=4",
	                                            NULL};
	static const char *const p90[] = {"p90 wakeup latency", "Pareto front", "shrink=0",
	                                  "kernel default", NULL};

	char args[512], a[256], b[256], *given, *computed, *oracle;

	snprintf(args, sizeof(args), "pareto '%s'", fx->results);
	draw(fx, "pareto", args, want);
	/* no pareto column: the front computed from the points is the one the sweep marked */
	snprintf(args, sizeof(args), "pareto '%s'", fx->results2);
	draw(fx, "pareto-computed", args, want_computed);
	snprintf(a, sizeof(a), "%s/pareto.pareto.csv", fx->dir);
	snprintf(b, sizeof(b), "%s/pareto-computed.pareto.csv", fx->dir);
	given = front_of(a);
	computed = front_of(b);
	assert_string_equal(given, computed);
	assert_true(strlen(given) > 0);
	free(given);
	free(computed);
	/* the oracle frontier written beside the plot holds the pingpong rows only */
	snprintf(a, sizeof(a), "%s/pareto.oracle.csv", fx->dir);
	oracle = slurp(a);
	assert_true(!strncmp(oracle, "poll_cpu_pct,latency_ns\n", 24));
	assert_int_equal(count_lines(oracle), 6);
	free(oracle);
	snprintf(args, sizeof(args), "pareto '%s' --latency p90", fx->results2);
	draw(fx, "pareto-p90", args, p90);
}

static void test_pareto_other_trace(void **state)
{
	const struct fixture *fx = *state;
	static const char *const want[] = {"pingpong-think50.dat", "mean wakeup latency",
	                                   "shrink=0", "shrink=4", NULL};
	char args[512], path[256], *text;

	snprintf(args, sizeof(args), "pareto '%s' --trace '%s' --latency mean", fx->results,
	         THINK50);
	draw(fx, "pareto-think50", args, want);
	/* that trace's 15 points only: the failed row and the other trace are left out */
	snprintf(path, sizeof(path), "%s/pareto-think50.pareto.csv", fx->dir);
	text = slurp(path);
	assert_int_equal(count_lines(text), 16);
	free(text);
	/* and no oracle frontier: oracle.csv has only the pingpong trace */
	snprintf(path, sizeof(path), "%s/pareto-think50.oracle.csv", fx->dir);
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/pareto-think50.svg", fx->dir);
	text = slurp(path);
	assert_null(strstr(text, "oracle frontier"));
	free(text);
}

static void test_timeline(void **state)
{
	const struct fixture *fx = *state;
	static const char *const want[] = {"time since the first halt of the log (ms)",
	                                   "poll window",
	                                   "halt: poll hit",
	                                   "halt: poll miss",
	                                   "window grew",
	                                   "window shrank",
	                                   "vCPU 0, host layer",
	                                   NULL};
	char args[512];

	snprintf(args, sizeof(args), "timeline '%s' --cpu 0 --from-ms 0 --to-ms 30", fx->decisions);
	draw(fx, "timeline", args, want);
}

static void test_hist(void **state)
{
	const struct fixture *fx = *state;
	static const char *const want[] = {
	    "halt length",           "share of halts (%)",
	    "pingpong.dat",          "pingpong-think50.dat",
	    "halt_poll_ns = 200 µs", "halt_poll_ns_grow_start = 10 µs",
	    "extra = 50 µs",         NULL};
	char args[512];

	char pdf[256], *text;

	snprintf(args, sizeof(args), "hist '%s' '%s' --policy kvm --mark extra=50000", PINGPONG,
	         THINK50);
	draw(fx, "hist", args, want);
	/* .pdf: the pdfcairo terminal */
	snprintf(pdf, sizeof(pdf), "%s/hist.pdf", fx->dir);
	snprintf(args, sizeof(args), "hist '%s' -o '%s'", PINGPONG, pdf);
	plot_ok(args);
	text = slurp(pdf);
	assert_true(!strncmp(text, "%PDF-", 5));
	free(text);
}

static void test_heatmap(void **state)
{
	const struct fixture *fx = *state;
	static const char *const want[] = {"host.halt_poll_ns", "host.halt_poll_ns_shrink",
	                                   "polling CPU time (% of wall time)", "400000", NULL};
	static const char *const lat[] = {"p99 wakeup latency", NULL};
	char args[512];

	snprintf(args, sizeof(args),
	         "heatmap '%s' --x host.halt_poll_ns --y host.halt_poll_ns_shrink --z poll_cpu_pct",
	         fx->results);
	draw(fx, "heatmap", args, want);
	snprintf(args, sizeof(args), "heatmap '%s' --z lat_p99_ns", fx->results2);
	draw(fx, "heatmap-lat", args, lat);
}

static void test_cdf(void **state)
{
	const struct fixture *fx = *state;
	static const char *const labelled[] = {"wakeup latency", "share of wakeups", "no polling",
	                                       "default",        "20 us, no shrink", NULL};
	static const char *const derived[] = {"host.halt_poll_ns=0", "host.halt_poll_ns=200000",
	                                      "host.halt_poll_ns_shrink=0", NULL};
	char args[1024];

	snprintf(args, sizeof(args),
	         "cdf '%s' '%s' '%s' --label 'no polling' --label default --label '20 us, no "
	         "shrink'",
	         fx->json[0], fx->json[1], fx->json[2]);
	draw(fx, "cdf", args, labelled);
	/* without --label: the settings in which the configurations differ */
	snprintf(args, sizeof(args), "cdf '%s' '%s' '%s'", fx->json[0], fx->json[1], fx->json[2]);
	draw(fx, "cdf-derived", args, derived);
}

/* The CDF in the JSON report agrees with the report's percentiles. */
static void test_lat_cdf(void **unused)
{
	struct hp_episodes eps = {0};
	struct hp_run_spec spec = {0};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct hp_err err = {""};
	struct hp_cdf_point *p;
	uint64_t p99;
	size_t n, i;

	(void)unused;
	spec.policy[HP_LAYER_HOST] = "kvm";
	if (hp_trace_read(THINK50, &eps, &err) < 0 || hp_engine_configure(&spec, &cfg, &err) < 0 ||
	    hp_replay(&eps, &cfg, &m, &st, NULL, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(hp_lat_cdf(&m.total.latency, &p, &n), 0);
	assert_true(n > 0);
	assert_true(p[0].ns >= m.total.latency.min);
	assert_true(p[n - 1].ns == m.total.latency.max);
	assert_true(p[n - 1].fraction == 1.0);
	for (i = 1; i < n; i++) {
		assert_true(p[i].ns > p[i - 1].ns);
		assert_true(p[i].fraction > p[i - 1].fraction);
	}
	/* the first point reaching 99 % lies in the bucket whose middle is the p99 */
	p99 = hp_lat_quantile(&m.total.latency, 0.99);
	for (i = 0; p[i].fraction < 0.99; i++)
		;
	assert_true(p[i].ns >= p99 || p[i].ns == m.total.latency.max);
	assert_true(p[i].ns <= p99 + p99 / 128 + 1);
	free(p);
	hp_metrics_free(&m);
	hp_episodes_free(&eps);
}

/* --- sweeps of several series ------------------------------------------------------------ */

static const char small_head[] =
    "point,trace,series,host.halt_poll_ns,host.halt_poll_ns_shrink,guest.guest_halt_poll_ns,"
    "halts,halt_attempted_poll,halt_successful_poll,hit_pct,poll_ns,wall_ns,poll_cpu_pct,lat_mean_ns,"
    "lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,is_default,pareto,recommended,"
    "error\n";

static void write_text(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(a, f);
	fputs(b, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * A sweep whose objective was the mean: its pareto column is the mean's front.
 * The plot of another statistic (p99, the default) draws that statistic's front.
 */
static void test_pareto_front_of_plotted_statistic(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[512], data[256], *front;

	snprintf(path, sizeof(path), "%s/mean-objective.csv", fx->dir);
	write_text(path, small_head,
	           /* on the mean all three are the front; on p99 point 1 is beaten by point 0 */
	           "0,t.dat,host=kvm k=6.11,0,2,,10,0,0,0,0,1000,0.0000,6595.0,6600,6600,6600,"
	           "6600,6600,0,1,0,\n"
	           "1,t.dat,host=kvm k=6.11,20000,2,,10,9,9,90,42,1000,42.0000,1878.7,1700,1700,"
	           "6699,6699,6699,0,1,1,\n"
	           "2,t.dat,host=kvm k=6.11,200000,2,,10,9,9,90,44,1000,44.0000,1702.7,1700,1700,"
	           "1700,1700,6600,1,1,0,\n");
	snprintf(args, sizeof(args), "pareto '%s' -o '%s/mean-objective.png'", path, fx->dir);
	plot_ok(args);
	snprintf(data, sizeof(data), "%s/mean-objective.pareto.csv", fx->dir);
	front = front_of(data);
	assert_string_equal(front, "0 2");
	free(front);
	snprintf(args, sizeof(args), "pareto '%s' --latency mean -o '%s/mean-objective.png'", path,
	         fx->dir);
	plot_ok(args);
	front = front_of(data);
	assert_string_equal(front, "0 1 2");
	free(front);
}

/*
 * Two series that sweep different parameters: a heatmap over the first
 * series' two parameters draws that series' points, and the other series'
 * rows (their cells empty) are no error.
 */
static void test_heatmap_unswept(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[512], data[256], *text;

	snprintf(path, sizeof(path), "%s/two-series.csv", fx->dir);
	write_text(path, small_head,
	           "0,t.dat,host=kvm k=6.11,20000,0,,10,9,9,90,42,1000,42.0000,1878.7,1700,1700,"
	           "6699,6699,6699,0,1,0,\n"
	           "1,t.dat,host=kvm k=6.11,20000,2,,10,9,9,90,42,1000,41.0000,1878.7,1700,1700,"
	           "6699,6699,6699,0,1,0,\n"
	           "2,t.dat,host=kvm k=6.11,200000,0,,10,9,9,90,44,1000,44.0000,1702.7,1700,1700,"
	           "1700,1700,6600,0,1,0,\n"
	           "3,t.dat,host=kvm k=6.11,200000,2,,10,9,9,90,44,1000,45.0000,1702.7,1700,1700,"
	           "1700,1700,6600,1,1,0,\n"
	           "4,t.dat,guest=haltpoll host=kvm k=6.11,,,50000,10,9,9,90,44,1000,40.0000,"
	           "1702.7,1700,1700,1700,1700,6600,0,1,1,\n"
	           "5,t.dat,guest=haltpoll host=kvm k=6.11,,,200000,10,9,9,90,44,1000,50.0000,"
	           "1702.7,1700,1700,1700,1700,6600,1,1,0,\n");
	snprintf(args, sizeof(args),
	         "heatmap '%s' --x host.halt_poll_ns --y host.halt_poll_ns_shrink -o "
	         "'%s/two-series.png'",
	         path, fx->dir);
	plot_ok(args);
	snprintf(data, sizeof(data), "%s/two-series.heatmap.csv", fx->dir);
	text = slurp(data);
	assert_string_equal(text, "xi,yi,x,y,z,points\n"
	                          "0,0,20000,0,42,1\n"
	                          "1,0,200000,0,44,1\n"
	                          "0,1,20000,2,41,1\n"
	                          "1,1,200000,2,45,1\n");
	free(text);
	/* no series sweeps both: said so */
	snprintf(args, sizeof(args),
	         "heatmap '%s' --x host.halt_poll_ns --y guest.guest_halt_poll_ns -o "
	         "'%s/two-series.png'",
	         path, fx->dir);
	plot_fails("", args, "no point of trace 't.dat' has both");
}

/*
 * Several series, several kernel defaults: each label goes on its own point's
 * side (away from the right edge), and defaults whose labels would overlap
 * are stacked in rows; FILE.labels.csv holds what the script draws.
 */
static void test_pareto_labels(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[512], data[256], *text;

	snprintf(path, sizeof(path), "%s/three-defaults.csv", fx->dir);
	write_text(path, small_head,
	           "0,t.dat,host=kvm k=6.1,0,2,,10,0,0,0,0,1000,0.5000,6595.0,6600,6600,6600,"
	           "6600,6600,1,1,0,\n"
	           "1,t.dat,host=kvm k=6.1,20000,2,,10,9,9,90,42,1000,90.0000,1878.7,1700,1700,"
	           "1700,6699,6699,0,1,1,\n"
	           "2,t.dat,host=kvm k=6.11,20000,2,,10,9,9,90,42,1000,80.0000,1878.7,1700,1700,"
	           "1710,6699,6699,1,1,0,\n"
	           "3,t.dat,guest=haltpoll host=kvm k=6.11,,,200000,10,9,9,90,44,1000,85.0000,"
	           "1702.7,1700,1700,1705,1700,6600,1,1,0,\n");
	snprintf(args, sizeof(args), "pareto '%s' -o '%s/three-defaults.png'", path, fx->dir);
	plot_ok(args);
	snprintf(data, sizeof(data), "%s/three-defaults.labels.csv", fx->dir);
	text = slurp(data);
	assert_string_equal(text, "poll_cpu_pct,latency_ns,kind,side,row\n"
	                          "0.5,6600,0,0,0\n"
	                          "80,1710,0,1,0\n"
	                          "85,1705,0,1,1\n"
	                          "90,1700,1,1,0\n");
	free(text);
}

/* Parameter values label the heatmap's axes in full: 1000000, not 1e+06. */
static void test_heatmap_tics(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[768], svg[256], *text;

	snprintf(path, sizeof(path), "%s/wide.csv", fx->dir);
	write_text(path, small_head,
	           "0,t.dat,host=kvm k=6.11,10000,0,,10,9,9,90,42,1000,42.0000,1878.7,1700,1700,"
	           "6699,6699,6699,0,1,0,\n"
	           "1,t.dat,host=kvm k=6.11,1000000,0,,10,9,9,90,42,1000,41.0000,1878.7,1700,1700,"
	           "6699,6699,6699,0,1,0,\n"
	           "2,t.dat,host=kvm k=6.11,10000,1500000,,10,9,9,90,44,1000,44.0000,1702.7,1700,"
	           "1700,1700,1700,6600,0,1,0,\n"
	           "3,t.dat,host=kvm k=6.11,1000000,1500000,,10,9,9,90,44,1000,45.0000,1702.7,1700,"
	           "1700,1700,1700,6600,1,1,0,\n");
	snprintf(svg, sizeof(svg), "%s/wide.svg", fx->dir);
	snprintf(args, sizeof(args), "heatmap '%s' -o '%s'", path, svg);
	plot_ok(args);
	text = slurp(svg);
	assert_non_null(strstr(text, ">1000000<"));
	assert_non_null(strstr(text, ">1500000<"));
	assert_null(strstr(text, "e+06"));
	free(text);
}

/*
 * A front of one point (every point at the same latency, as p99.9 often is)
 * has no staircase to draw: the front's points are marked (a dark dot on
 * each), so the legend's "Pareto front" still shows on the plot.
 */
static void test_pareto_single_point_front(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[768], svg[256], *text, *at;
	size_t dark = 0;

	snprintf(path, sizeof(path), "%s/flat.csv", fx->dir);
	write_text(path, small_head,
	           "0,t.dat,host=kvm k=6.11,10000,2,,10,9,9,90,42,1000,0.2200,6595.0,6600,6600,"
	           "6600,6600,6600,0,1,1,\n"
	           "1,t.dat,host=kvm k=6.11,200000,2,,10,9,9,90,42,1000,22.0000,6595.0,6600,6600,"
	           "6600,6600,6600,1,0,0,\n"
	           "2,t.dat,host=kvm k=6.11,400000,2,,10,9,9,90,44,1000,90.0000,6595.0,6600,6600,"
	           "6600,6600,6600,0,0,0,\n");
	snprintf(svg, sizeof(svg), "%s/flat.svg", fx->dir);
	snprintf(args, sizeof(args), "pareto '%s' -o '%s'", path, svg);
	plot_ok(args);
	text = slurp(svg);
	/* filled circles (pt 7) in the front's colour */
	for (at = text; (at = strstr(at, "<use xlink:href='#gpPt6'")); at++) {
		char *end = strchr(at, '>');

		if (!end)
			break;
		*end = '\0';
		dark += strstr(at, "rgb( 34,  34,  34)") != NULL;
		*end = '>';
	}
	if (dark < 1)
		fail_msg("%s: the front's single point is not marked", svg);
	free(text);
}

/*
 * A long axis (100 values of halt_poll_ns, as a linear range gives): the
 * heatmap is drawn, with thinned tic labels and no text in its 200 cells.
 */
static void test_heatmap_long_axis(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[768], data[256], svg[256], *text, *at;
	size_t i, tics = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/long.csv", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(small_head, f);
	for (i = 0; i < 200; i++)
		fprintf(f,
		        "%zu,t.dat,host=kvm k=6.11,%zu,%d,,10,9,9,90,42,1000,%zu.3333,1878.7,1700,"
		        "1700,6699,6699,6699,0,1,0,\n",
		        i, 2000 * (i % 100 + 1), i < 100 ? 0 : 2, i);
	assert_int_equal(fclose(f), 0);
	snprintf(svg, sizeof(svg), "%s/long.svg", fx->dir);
	snprintf(args, sizeof(args), "heatmap '%s' -o '%s'", path, svg);
	plot_ok(args);
	snprintf(data, sizeof(data), "%s/long.heatmap.csv", fx->dir);
	text = slurp(data);
	assert_int_equal(count_lines(text), 201);
	free(text);
	text = slurp(svg);
	/* a tic label per few values, from the first */
	assert_non_null(strstr(text, ">2000<"));
	assert_null(strstr(text, ">4000<"));
	for (at = text; (at = strstr(at, "000<")); at++)
		tics++;
	assert_true(tics >= 5 && tics <= 25);
	/* no cell text: 33.3 (the cell of point 33) is not printed */
	assert_null(strstr(text, ">33.3<"));
	free(text);
}

/* Many series (4 stacks x 4 kernels): one colour and legend entry each, up to 24. */
static void test_pareto_many_series(void **state)
{
	const struct fixture *fx = *state;
	char path[256], args[768], svg[256], *text;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/many.csv", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(small_head, f);
	for (i = 0; i < 16; i++)
		fprintf(
		    f,
		    "%zu,t.dat,host=kvm k=6.%zu,20000,2,,10,9,9,90,42,1000,%zu.0000,1878.7,1700,"
		    "1700,%zu,6699,6699,%d,1,%d,\n",
		    i, i, i + 1, 9000 - 100 * i, i == 3, i == 5);
	assert_int_equal(fclose(f), 0);
	snprintf(svg, sizeof(svg), "%s/many.svg", fx->dir);
	snprintf(args, sizeof(args), "pareto '%s' -o '%s'", path, svg);
	plot_ok(args);
	text = slurp(svg);
	assert_non_null(strstr(text, "host=kvm k=6.0"));
	assert_non_null(strstr(text, "host=kvm k=6.15"));
	free(text);
}

/* --- errors ------------------------------------------------------------------------------- */

static void test_errors(void **state)
{
	const struct fixture *fx = *state;
	char args[1024], bad[256], out[256], cmd[1024];
	struct stat sb;

	snprintf(out, sizeof(out), "%s/err.png", fx->dir);
	/* a results.csv without the latency column names the file and the column */
	snprintf(bad, sizeof(bad), "%s/cut.csv", fx->dir);
	snprintf(cmd, sizeof(cmd), "cut -d, -f1-15,17- '%s' > '%s'", fx->results, bad);
	assert_int_equal(system(cmd), 0);
	snprintf(args, sizeof(args), "pareto '%s' -o '%s'", bad, out);
	plot_fails("", args, "no column 'lat_p99_ns'");
	plot_fails("", args, bad);
	snprintf(args, sizeof(args), "heatmap '%s' --z nosuch_metric -o '%s'", fx->results, out);
	plot_fails("", args, "no column 'nosuch_metric'");
	snprintf(args, sizeof(args), "timeline '%s' -o '%s'", fx->results, out);
	plot_fails("", args, "no column 'cpu'");
	snprintf(args, sizeof(args), "timeline '%s' --cpu 7 -o '%s'", fx->decisions, out);
	plot_fails("", args, "no halts of cpu 7");
	snprintf(args, sizeof(args), "pareto '%s' --latency p42 -o '%s'", fx->results, out);
	plot_fails("", args, "--latency must be");
	/* gnuplot missing: the Debian package is named, nothing is left behind */
	snprintf(args, sizeof(args), "hist '%s' -o '%s'", PINGPONG, out);
	plot_fails("HPSIM_GNUPLOT=/nonexistent/gnuplot", args, "gnuplot-nox");
	assert_int_not_equal(stat(out, &sb), 0);
	/* gnuplot failing: its status and message */
	plot_fails("HPSIM_GNUPLOT=false", args, "gnuplot failed (exit status 1)");
	/* scripts not found */
	plot_fails("HPSIM_PLOT_DIR=/nonexistent", args, "HPSIM_PLOT_DIR");
	/* unknown kind, extension, input */
	snprintf(args, sizeof(args), "scatter '%s' -o '%s'", fx->results, out);
	plot_fails("", args, "unknown plot kind 'scatter'");
	snprintf(args, sizeof(args), "hist '%s' -o '%s/x.gif'", PINGPONG, fx->dir);
	plot_fails("", args, "unknown output extension '.gif'");
	snprintf(args, sizeof(args), "hist '%s/nosuch.dat' -o '%s'", fx->dir, out);
	plot_fails("", args, "nosuch.dat");
	snprintf(args, sizeof(args), "cdf '%s' -o '%s'", fx->results, out);
	plot_fails("", args, "not a JSON report");
	snprintf(args, sizeof(args), "hist '%s'", PINGPONG);
	plot_fails("", args, "-o FILE");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pareto),
	    cmocka_unit_test(test_pareto_other_trace),
	    cmocka_unit_test(test_timeline),
	    cmocka_unit_test(test_hist),
	    cmocka_unit_test(test_heatmap),
	    cmocka_unit_test(test_cdf),
	    cmocka_unit_test(test_lat_cdf),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_pareto_front_of_plotted_statistic),
	    cmocka_unit_test(test_heatmap_unswept),
	    cmocka_unit_test(test_pareto_labels),
	    cmocka_unit_test(test_heatmap_tics),
	    cmocka_unit_test(test_pareto_single_point_front),
	    cmocka_unit_test(test_heatmap_long_axis),
	    cmocka_unit_test(test_pareto_many_series),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
