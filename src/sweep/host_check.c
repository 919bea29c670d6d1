/*
 * hpsim check: the KVM statistics a prediction expects against those a host
 * showed after the setting was applied.
 *
 * Predictions: `hpsim recommend --format json` (its predicted_per_s, the
 * weighted sum over traces, or one trace's) or `hpsim replay --format json`
 * (the host layer's totals over the capture's wall time).
 * Observations: a kvm_stat log (-l or -L, plain or -c CSV: a banner of
 * statistic names, then one line per interval, "YYYY-MM-DD HH:MM:SS" and the
 * deltas of that interval), or two snapshots of /sys/kernel/debug/kvm (one
 * file per statistic, summed over the VMs) taken a known interval apart.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <jansson.h>

#include "hpsim/escape.h"
#include "hpsim/host.h"
#include "hpsim/replay.h"
#include "hpsim/trace.h"

static int stat_index(const char *name)
{
	int i;

	for (i = 0; i < HP_HOST_NSTATS; i++)
		if (!strcmp(name, hp_host_stat_names[i]))
			return i;
	return -1;
}

static bool is_ns(int i)
{
	size_t n = strlen(hp_host_stat_names[i]);

	return n > 3 && !strcmp(hp_host_stat_names[i] + n - 3, "_ns");
}

/* Rates from a recommend JSON's "predicted_per_s" object. */
static int rates_from(json_t *o, const char *path, struct hp_host_rates *p, struct hp_err *err)
{
	int i;

	if (!json_is_object(o))
		return hp_errf(err,
		               "%s: no predicted_per_s object (a recommendation with no host "
		               "KVM layer, or none at all, predicts no statistics)",
		               path);
	for (i = 0; i < HP_HOST_NSTATS; i++) {
		json_t *v = json_object_get(o, hp_host_stat_names[i]);

		if (!v)
			continue;
		if (!json_is_number(v))
			return hp_errf(err, "%s: predicted_per_s.%s: expected a number", path,
			               hp_host_stat_names[i]);
		p->v[i] = json_number_value(v);
		p->have[i] = 1;
	}
	return 0;
}

static int from_report(json_t *root, const char *path, struct hp_host_rates *p, struct hp_err *err)
{
	json_t *total = json_object_get(root, "total"), *tr = json_object_get(root, "trace");
	json_t *layer = NULL, *w = tr ? json_object_get(tr, "wall_ns") : NULL;
	const char *ln = "host";
	double s;
	int i;

	if (total)
		layer = json_object_get(total, "host");
	if (total && !layer) {
		layer = json_object_get(total, "vcore");
		ln = "vcore";
	}
	if (!json_is_object(layer))
		return hp_errf(err,
		               "%s: the report has no host or vcore layer (replay with --host "
		               "kvm): no KVM statistics to predict",
		               path);
	if (!json_is_integer(w) || json_integer_value(w) <= 0)
		return hp_errf(err, "%s: trace.wall_ns: expected a positive integer", path);
	s = (double)json_integer_value(w) / 1e9;
	for (i = 0; i < HP_HOST_NSTATS; i++) {
		json_t *v = json_object_get(layer, hp_host_stat_names[i]);

		if (!json_is_integer(v))
			return hp_errf(err, "%s: total.%s.%s: expected an integer", path, ln,
			               hp_host_stat_names[i]);
		p->v[i] = (double)json_integer_value(v) / s;
		p->have[i] = 1;
	}
	snprintf(p->what, sizeof(p->what), "%s (hpsim replay, its %s layer over %.3f s)", path, ln,
	         s);
	return 0;
}

int hp_host_rates_predicted(const char *path, const char *trace, struct hp_host_rates *p,
                            struct hp_err *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *v;
	int rc = -1;
	size_t i;

	memset(p, 0, sizeof(*p));
	if (!root)
		return hp_errf(err, "%s: line %d: %s", path, je.line, je.text);
	if (json_object_get(root, "hpsim_report")) {
		rc = trace ? hp_errf(err,
		                     "%s: --trace names a trace of a recommendation; this is "
		                     "a replay report (one trace already)",
		                     path)
		           : from_report(root, path, p, err);
	} else if (json_object_get(root, "hpsim_host_recommendation")) {
		if (!trace) {
			rc = rates_from(json_object_get(root, "predicted_per_s"), path, p, err);
			snprintf(p->what, sizeof(p->what),
			         "%s (hpsim recommend, all traces, weights as VM counts)", path);
		} else {
			json_t *arr = json_object_get(root, "traces");

			for (v = NULL, i = 0; !v && i < json_array_size(arr); i++) {
				json_t *l = json_object_get(json_array_get(arr, i), "trace");

				if (json_is_string(l) && !strcmp(json_string_value(l), trace))
					v = json_array_get(arr, i);
			}
			if (!v)
				rc = hp_errf(err, "%s: no trace '%s' in the recommendation", path,
				             trace);
			else
				rc =
				    rates_from(json_object_get(v, "predicted_per_s"), path, p, err);
			snprintf(p->what, sizeof(p->what), "%s (hpsim recommend, trace %s, one VM)",
			         path, trace);
		}
	} else {
		rc = hp_errf(err,
		             "%s: not a prediction (expected the JSON of `hpsim recommend --format "
		             "json` or `hpsim replay --format json`)",
		             path);
	}
	json_decref(root);
	return rc;
}

/* Seconds since the epoch of "YYYY-MM-DD HH:MM:SS" (UTC arithmetic; only differences count). */
static int parse_stamp(const char *s, double *out)
{
	int y, mo, d, h, mi, se, n = 0;
	long days;

	if (sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &n) != 6 || n != 19)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	/* days from civil (proleptic Gregorian) */
	y -= mo <= 2;
	{
		long era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
		long doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		days = era * 146097 + doe - 719468;
	}
	*out = (double)days * 86400 + h * 3600 + mi * 60 + se;
	return 0;
}

#define MAX_COLS 512

struct fields {
	size_t n;
	char *f[MAX_COLS];
	int overflow;
};

static void cb_field(void *s, size_t len, void *ctx)
{
	struct fields *fs = ctx;

	if (fs->n == MAX_COLS) {
		fs->overflow = 1;
		return;
	}
	fs->f[fs->n] = malloc(len + 1);
	if (!fs->f[fs->n]) {
		fs->overflow = 1;
		return;
	}
	memcpy(fs->f[fs->n], s, len);
	fs->f[fs->n++][len] = '\0';
}

static void fields_free(struct fields *fs)
{
	while (fs->n)
		free(fs->f[--fs->n]);
	fs->overflow = 0;
}

/* Split one line: CSV (libcsv) when it has a comma, else on blanks. 0 or -1. */
static int split(char *line, struct fields *fs)
{
	struct csv_parser p;
	char *tok, *save = NULL;

	if (strchr(line, ',')) {
		if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
			return -1;
		if (csv_parse(&p, line, strlen(line), cb_field, NULL, fs) != strlen(line) ||
		    csv_fini(&p, cb_field, NULL, fs) != 0) {
			csv_free(&p);
			return -1;
		}
		csv_free(&p);
		return fs->overflow ? -1 : 0;
	}
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save))
		cb_field(tok, strlen(tok), fs);
	return fs->overflow ? -1 : 0;
}

/* kvm_stat's key is "name" or "name (child)": the name. */
static int col_of(const char *key)
{
	char name[64];
	size_t n = strcspn(key, " (");

	if (n >= sizeof(name))
		return -1;
	memcpy(name, key, n);
	name[n] = '\0';
	return stat_index(name);
}

int hp_host_rates_kvm_stat(const char *path, double interval_s, struct hp_host_rates *o,
                           struct hp_err *err)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	int col[MAX_COLS], ncol = -1, csv = 0, rc = -1;
	double sum[HP_HOST_NSTATS] = {0}, t0 = 0, t1 = 0, t;
	unsigned long lineno = 0, rows = 0;
	struct fields fs = {0};
	size_t i;

	memset(o, 0, sizeof(*o));
	if (!f)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		int date;

		lineno++;
		if (len && line[len - 1] != '\n' && !feof(f)) {
			hp_errf(err, "%s:%lu: line longer than %zu bytes", path, lineno,
			        sizeof(line));
			goto out;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!len)
			continue;
		date = isdigit((unsigned char)line[0]) && parse_stamp(line, &t) == 0;
		if (split(line, &fs) < 0) {
			hp_errf(err, "%s:%lu: not a kvm_stat log line (bad CSV or over %d columns)",
			        path, lineno, MAX_COLS);
			goto out;
		}
		if (!date) { /* a banner: the statistics' names */
			csv = fs.n && !strcmp(fs.f[0], "timestamp");
			ncol = (int)fs.n - csv;
			for (i = csv; i < fs.n; i++)
				col[i - csv] = col_of(fs.f[i]);
			fields_free(&fs);
			continue;
		}
		if (ncol < 0) {
			hp_errf(
			    err,
			    "%s:%lu: a value line before any banner of statistic names (expected "
			    "the output of kvm_stat -l or -L)",
			    path, lineno);
			goto out;
		}
		/* plain: "DATE TIME v...", CSV: "DATE TIME,v..." */
		if (fs.n != (size_t)ncol + (csv ? 1 : 2)) {
			hp_errf(err, "%s:%lu: %zu values, but the banner names %d statistics", path,
			        lineno, fs.n - (csv ? 1 : 2), ncol);
			goto out;
		}
		for (i = 0; i < (size_t)ncol; i++) {
			const char *v = fs.f[i + (csv ? 1 : 2)];
			char *end;
			double d = strtod(v, &end);

			if (end == v || *end || !isfinite(d)) {
				hp_errf(err, "%s:%lu: column %zu: '%s' is not a number", path,
				        lineno, i + 1, v);
				goto out;
			}
			if (col[i] >= 0) {
				sum[col[i]] += d;
				o->have[col[i]] = 1;
			}
		}
		fields_free(&fs);
		if (!rows++)
			t0 = t;
		t1 = t;
	}
	if (ferror(f)) {
		hp_errf(err, "%s: read error", path);
		goto out;
	}
	if (!rows) {
		hp_errf(err, "%s: no value lines (expected the output of kvm_stat -l or -L)", path);
		goto out;
	}
	if (interval_s <= 0) {
		if (rows < 2) {
			hp_errf(
			    err,
			    "%s: one value line: give --interval (kvm_stat's -s, 3 s by default)",
			    path);
			goto out;
		}
		interval_s = (t1 - t0) / (double)(rows - 1);
	}
	/* the first line covers the interval before its timestamp */
	o->seconds = t1 - t0 + interval_s;
	if (!(o->seconds > 0)) {
		hp_errf(err, "%s: the timestamps do not advance", path);
		goto out;
	}
	for (i = 0; i < HP_HOST_NSTATS; i++)
		o->v[i] = o->have[i] ? sum[i] / o->seconds : 0;
	snprintf(o->what, sizeof(o->what), "%s (kvm_stat log, %lu %s lines over %.1f s)", path,
	         rows, csv ? "CSV" : "plain", o->seconds);
	rc = 0;
out:
	fields_free(&fs);
	fclose(f);
	return rc;
}

/* One statistic file of a debugfs snapshot: a single unsigned integer. 1 read, 0 absent, -1. */
static int read_stat(const char *dir, const char *name, double *v, struct hp_err *err)
{
	char path[4096], buf[64], *end;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : hp_errf(err, "%s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	*v = strtod(buf, &end);
	while (*end == '\n' || *end == ' ')
		end++;
	if (end == buf || *end || *v < 0)
		return hp_errf(err,
		               "%s: expected one non-negative integer (a KVM debugfs "
		               "statistic)",
		               path);
	return 1;
}

int hp_host_rates_debugfs(const char *before, const char *after, double interval_s,
                          struct hp_host_rates *o, struct hp_err *err)
{
	DIR *d;
	int i, a, b, any = 0;
	double x, y;

	memset(o, 0, sizeof(*o));
	if (!(interval_s > 0))
		return hp_errf(err, "two debugfs snapshots need --interval SECONDS (the time "
		                    "between them)");
	for (i = 0; i < 2; i++) {
		if (!(d = opendir(i ? after : before)))
			return hp_errf(err, "%s: %s", i ? after : before, strerror(errno));
		closedir(d);
	}
	for (i = 0; i < HP_HOST_NSTATS; i++) {
		if ((b = read_stat(before, hp_host_stat_names[i], &x, err)) < 0 ||
		    (a = read_stat(after, hp_host_stat_names[i], &y, err)) < 0)
			return -1;
		if (a != b)
			return hp_errf(err, "%s is in %s but not in %s", hp_host_stat_names[i],
			               a ? after : before, a ? before : after);
		if (!a)
			continue;
		if (y < x)
			return hp_errf(
			    err,
			    "%s: %s went down (%.0f to %.0f): snapshots swapped, or a VM "
			    "ended between them (its counts leave the sum)",
			    after, hp_host_stat_names[i], x, y);
		o->v[i] = (y - x) / interval_s;
		o->have[i] = 1;
		any = 1;
	}
	if (!any)
		return hp_errf(err,
		               "%s: none of the halt statistics (%s, ...): not a snapshot of "
		               "/sys/kernel/debug/kvm",
		               before, hp_host_stat_names[0]);
	o->seconds = interval_s;
	snprintf(o->what, sizeof(o->what), "%s -> %s (debugfs snapshots %.1f s apart)", before,
	         after, interval_s);
	return 0;
}

int hp_host_check_print(FILE *f, const struct hp_host_rates *pred, const struct hp_host_rates *obs,
                        double tol, int *outside)
{
	char ep[HP_ESC_BUF], eo[HP_ESC_BUF];
	int i, compared = 0;

	*outside = 0;
	fprintf(f, "predicted: %s\nobserved:  %s\n", hp_escape(pred->what, ep, sizeof(ep)),
	        hp_escape(obs->what, eo, sizeof(eo)));
	fprintf(f, "%-22s %16s %16s %16s %8s  %s\n", "statistic (per s)", "predicted", "observed",
	        "difference", "", "within");
	for (i = 0; i < HP_HOST_NSTATS; i++) {
		double p = pred->v[i], o = obs->v[i], d = o - p, allow;
		bool ok;

		if (!pred->have[i] || !obs->have[i]) {
			fprintf(f, "%-22s %16s %16s\n", hp_host_stat_names[i],
			        pred->have[i] ? "" : "(not predicted)",
			        obs->have[i] ? "" : "(not observed)");
			continue;
		}
		/*
		 * The tolerance: tol of the prediction, plus for counts their Poisson
		 * spread over the interval (3 sigma of a count of p * T events, as a
		 * rate) and a floor of 1 event/s, for times a floor of 1 ms/s (0.1% of a
		 * CPU).
		 */
		allow = tol * fabs(p);
		if (is_ns(i))
			allow += 1e6;
		else
			allow += 1.0 + (obs->seconds > 0
			                    ? 3.0 * sqrt(fabs(p) * obs->seconds) / obs->seconds
			                    : 0.0);
		ok = fabs(d) <= allow;
		compared++;
		*outside += !ok;
		fprintf(f, "%-22s %16.1f %16.1f %+16.1f ", hp_host_stat_names[i], p, o, d);
		if (p != 0)
			fprintf(f, "%+7.1f%%", 100.0 * d / p);
		else
			fprintf(f, "%8s", "");
		fprintf(f, "  %s (+-%.1f)\n", ok ? "yes" : "NO", allow);
	}
	fprintf(f, "%d of %d statistics within the tolerance (%.0f%% of the prediction, plus %s)\n",
	        compared - *outside, compared, tol * 100,
	        "3 sigma of Poisson noise and 1/s for counts, 1 ms/s for times");
	return 0;
}

/* Settings for replaying a capture, with storage for their text. */
struct cap_spec {
	struct hp_run_spec spec;
	char names[HP_MAX_SETTINGS][96];
	char values[HP_MAX_SETTINGS][24];
};

static void cap_add(struct cap_spec *s, const char *name, json_int_t v)
{
	if (s->spec.nparams == HP_MAX_SETTINGS)
		return;
	snprintf(s->names[s->spec.nparams], sizeof(s->names[0]), "%s", name);
	snprintf(s->values[s->spec.nparams], sizeof(s->values[0]), "%lld", (long long)v);
	s->spec.params[s->spec.nparams].name = s->names[s->spec.nparams];
	s->spec.params[s->spec.nparams].value = s->values[s->spec.nparams];
	s->spec.nparams++;
}

/* The prediction's policies, kernel, arch and setting as a run spec (strings in root). */
static int spec_of(json_t *root, const char *path, struct cap_spec *s, struct hp_err *err)
{
	json_t *pol, *cfg, *v;
	const char *key;
	char q[96];
	int l;

	if (json_object_get(root, "hpsim_host_recommendation")) {
		if (!json_is_object(json_object_get(root, "setting")))
			return hp_errf(err, "%s: the recommendation has no setting (status %s)",
			               path, json_string_value(json_object_get(root, "status")));
		pol = json_object_get(root, "policies");
		for (l = 0; l < HP_LAYER_COUNT; l++)
			s->spec.policy[l] = json_string_value(
			    json_object_get(pol, hp_layer_name((enum hp_layer)l)));
		s->spec.kernel = json_string_value(json_object_get(root, "kernel"));
		s->spec.arch = json_string_value(json_object_get(root, "arch"));
		json_object_foreach(json_object_get(root, "setting"), key, v)
		    cap_add(s, key, json_integer_value(v));
		return 0;
	}
	cfg = json_object_get(root, "config");
	if (!json_is_object(cfg))
		return hp_errf(err, "%s: not a prediction (recommend or replay JSON)", path);
	s->spec.kernel = json_string_value(json_object_get(cfg, "kernel"));
	s->spec.arch = json_string_value(json_object_get(cfg, "arch"));
	s->spec.mode = json_string_value(json_object_get(cfg, "mode"));
	pol = json_object_get(cfg, "layers");
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		json_t *ly = json_object_get(pol, hp_layer_name((enum hp_layer)l));

		if (!ly)
			continue;
		s->spec.policy[l] = json_string_value(json_object_get(ly, "policy"));
		json_object_foreach(json_object_get(ly, "params"), key, v)
		{
			if (!json_is_integer(v))
				continue; /* null: a per-VM capability left unset */
			snprintf(q, sizeof(q), "%s.%s", hp_layer_name((enum hp_layer)l), key);
			cap_add(s, q, json_integer_value(v));
		}
	}
	return 0;
}

int hp_host_rates_capture(const char *capture, const char *pred_path, const struct hp_setting *set,
                          size_t nset, struct hp_host_rates *o, struct hp_err *err)
{
	struct cap_spec *s = calloc(1, sizeof(*s));
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_read_opts ro;
	struct hp_episodes eps = {0};
	struct hp_metrics m;
	json_error_t je;
	json_t *root = json_load_file(pred_path, JSON_REJECT_DUPLICATES, &je);
	int rc = -1, layer, i;
	size_t k, j;
	double secs;

	memset(o, 0, sizeof(*o));
	if (!s || !root) {
		if (!root)
			hp_errf(err, "%s: line %d: %s", pred_path, je.line, je.text);
		else
			hp_errf(err, "out of memory");
		goto out;
	}
	if (spec_of(root, pred_path, s, err) < 0)
		goto out;
	for (k = 0; k < nset; k++) { /* the capture's own setting replaces the prediction's */
		for (j = 0; j < s->spec.nparams; j++) {
			const char *dot = strchr(s->names[j], '.');

			if (!strcmp(s->names[j], set[k].name) ||
			    (dot && !strcmp(dot + 1, set[k].name)))
				break;
		}
		if (j == s->spec.nparams && s->spec.nparams < HP_MAX_SETTINGS)
			s->spec.nparams++;
		if (j == HP_MAX_SETTINGS)
			break;
		s->spec.params[j] = set[k];
	}
	if (hp_engine_configure(&s->spec, &cfg, err) < 0)
		goto out;
	layer = cfg.layer[HP_LAYER_HOST]    ? HP_LAYER_HOST
	        : cfg.layer[HP_LAYER_VCORE] ? HP_LAYER_VCORE
	                                    : -1;
	if (layer < 0) {
		hp_errf(err, "%s: no host or vcore layer: no KVM statistics to observe", pred_path);
		goto out;
	}
	hp_read_opts_init(&ro);
	ro.host_wakeup_ns = cfg.cost.host_wakeup_ns;
	ro.hlt_exit_ns = cfg.cost.hlt_exit_ns;
	ro.host_kver = cfg.kernel.version; /* as the sweep read it: delayed dequeue from 6.12 */
	if (hp_trace_read_opts(capture, &ro, &eps, err) < 0)
		goto out;
	if (hp_replay(&eps, &cfg, &m, &st, NULL, NULL, err) < 0)
		goto out;
	secs = (double)(eps.t_last_ns - eps.t_first_ns) / 1e9;
	for (i = 0; i < HP_HOST_NSTATS && secs > 0; i++) {
		o->v[i] = (double)hp_host_stat(&m.total.layer[layer], i) / secs;
		o->have[i] = 1;
	}
	hp_metrics_free(&m);
	o->seconds = secs;
	snprintf(o->what, sizeof(o->what), "%s (capture replayed at its setting, %.3f s)", capture,
	         secs);
	rc = 0;
out:
	hp_episodes_free(&eps);
	json_decref(root);
	free(s);
	return rc;
}
