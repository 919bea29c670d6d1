/* hpsim sweep: a grid of settings from a JSON config, on worker processes, resumable. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "hpsim/escape.h"
#include "hpsim/plot.h"
#include "hpsim/recorded.h"
#include "hpsim/sweep.h"

static const char sweep_help[] =
    "usage: hpsim sweep CONFIG.json -o DIR [-j N] [--shard I/N] [--recorded-with S]\n"
    "                   [--quiet] [--plot]\n"
    "       hpsim sweep --resume DIR [-j N] [--quiet] [--plot]\n"
    "\n"
    "Replays every point of CONFIG's grid on every trace, on N worker processes\n"
    "(default: all CPUs), and writes DIR/results.csv, results.json, pareto.csv and\n"
    "oracle.csv, then prints the recommendation (see `hpsim recommend`).\n"
    "Finished rows go to DIR/journal.tsv as they come: an interrupted sweep\n"
    "continues with --resume DIR and ends with the same files.\n"
    "\n"
    "options:\n"
    "  -o, --output DIR  the sweep directory (created; must not hold a sweep yet)\n"
    "  -j, --jobs N      worker processes (default: the number of online CPUs)\n"
    "  --shard I/N       run only slice I of N (1-based); combine with `hpsim merge`\n"
    "  --resume DIR      finish the sweep in DIR (its own config copy and shard)\n"
    "  --recorded-with S guest captures: the settings in force while recording, a\n"
    "                    FILE.settings.json from `hpsim record` or NAME=VALUE,... as for\n"
    "                    `hpsim replay` (repeatable); replaces the config's recorded_with\n"
    "  --quiet           no progress on stderr\n"
    "  --plot            plot the results (when hpsim is built with plotting)\n"
    "  -h, --help        this text\n";

struct progress {
	int tty, quiet;
	double start, last;
	uint64_t base; /* units already done before this run */
	uint64_t total;
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void show_progress(void *ctx, uint64_t done, uint64_t total, uint64_t halts)
{
	struct progress *p = ctx;
	double t = now_s(), el = t - p->start, rate = el > 0 ? (double)done / el : 0;
	double left = rate > 0 ? (double)(total - done) / rate : 0;
	uint64_t all = p->base + done;
	int i, bar = p->total ? (int)(30 * all / p->total) : 30;

	(void)halts;
	if (p->quiet)
		return;
	if (p->tty) {
		fprintf(stderr, "\r[");
		for (i = 0; i < 30; i++)
			fputc(i < bar ? '#' : '-', stderr);
		fprintf(stderr, "] %llu/%llu points x traces  %.0f/s  %.0f s left  ",
		        (unsigned long long)all, (unsigned long long)p->total, rate, left);
		if (done == total)
			fputc('\n', stderr);
		return;
	}
	if (done == total || t - p->last >= 5) {
		p->last = t;
		fprintf(stderr, "hpsim sweep: %llu/%llu points x traces, %.0f/s, %.0f s left\n",
		        (unsigned long long)all, (unsigned long long)p->total, rate, left);
	}
}

/* --plot: the Pareto plot and heatmaps of the finished sweep, in its directory. */
static int plot_sweep(const char *dir, const char *latency)
{
	char(*list)[HP_PLOT_PATH] = malloc(HP_PLOT_SWEEP_MAX * sizeof(*list));
	struct hp_err err = {""};
	size_t n, i;

	if (!list) {
		hp_errf(&err, "out of memory");
		return cli_fail(&err);
	}
	if (hp_plot_sweep(dir, latency, list, &n, HP_PLOT_SWEEP_MAX, &err) < 0) {
		free(list);
		return cli_fail(&err);
	}
	for (i = 0; i < n; i++)
		printf("plot: %s\n", list[i]);
	free(list);
	return 0;
}

int cli_sweep_finish(const char *dir, const struct hp_sweep_dir *d, int print)
{
	struct hp_sweep_results r;
	struct hp_err err = {""};

	if (hp_sweep_analyze(&d->cfg, d->rows, &r, &err) < 0)
		return cli_fail(&err);
	if (dir && hp_sweep_write(dir, &r, &err) < 0) {
		hp_sweep_results_free(&r);
		return cli_fail(&err);
	}
	if (print)
		hp_sweep_print_reco(stdout, &r);
	hp_sweep_results_free(&r);
	return 0;
}

#define MAX_RECORDED 16

struct sweep_opts {
	const char *config, *dir, *resume, *shard;
	char recorded[MAX_RECORDED][4096]; /* --recorded-with, a file made absolute */
	size_t nrecorded;
	unsigned jobs;
	int quiet, plot;
};

/* One --recorded-with: checked as `hpsim replay` checks it; a settings file made absolute. */
static int add_recorded(struct sweep_opts *o, const char *arg)
{
	struct hp_recorded *r = calloc(1, sizeof(*r));
	struct hp_err e = {""};
	char *abs = NULL;
	int bad;

	if (!r)
		return cli_usage_error("sweep", "out of memory");
	bad = hp_recorded_add(r, arg, &e) < 0;
	free(r);
	if (bad)
		return cli_usage_error("sweep", "%s", e.msg);
	if (o->nrecorded == MAX_RECORDED)
		return cli_usage_error("sweep", "--recorded-with: at most %d", MAX_RECORDED);
	abs = strchr(arg, '=') ? strdup(arg) : realpath(arg, NULL);
	if (!abs)
		return cli_usage_error("sweep", "--recorded-with: '%s': %s", arg, strerror(errno));
	if (strlen(abs) >= sizeof(o->recorded[0])) {
		free(abs);
		return cli_usage_error("sweep", "--recorded-with: '%s': too long", arg);
	}
	strcpy(o->recorded[o->nrecorded++], abs);
	free(abs);
	return 0;
}

/* The config change --recorded-with makes: {"recorded_with": [...]} as text (malloc'd). */
static char *recorded_patch(const struct sweep_opts *o)
{
	json_t *p = json_object(), *a = json_array();
	char *text = NULL;
	size_t i;

	for (i = 0; p && a && i < o->nrecorded; i++)
		json_array_append_new(a, json_string(o->recorded[i]));
	if (p && a && json_object_set(p, "recorded_with", a) == 0)
		text = json_dumps(p, JSON_COMPACT);
	json_decref(a);
	json_decref(p);
	return text;
}

static int parse_args(int argc, char **argv, struct sweep_opts *o)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"shard", required_argument, NULL, 'S'},
	    {"resume", required_argument, NULL, 'R'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"plot", no_argument, NULL, 'P'},
	    {"recorded-with", required_argument, NULL, 'W'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	int ch;

	memset(o, 0, sizeof(*o));
	o->jobs = n > 0 ? (unsigned)n : 1;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "o:j:h", longopts, "sweep")) != -1) {
		switch (ch) {
		case 'o':
			o->dir = optarg;
			break;
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > 4096)
				return cli_usage_error(
				    "sweep", "-j: '%s' is not a number in 1..4096", optarg);
			o->jobs = (unsigned)n;
			break;
		case 'S':
			o->shard = optarg;
			break;
		case 'R':
			o->resume = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'P':
			o->plot = 1;
			break;
		case 'W':
			if (add_recorded(o, optarg))
				return 2;
			break;
		case 'h':
			fputs(sweep_help, stdout);
			exit(0);
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (o->resume) {
		if (optind != argc || o->dir || o->shard || o->nrecorded)
			return cli_usage_error("sweep",
			                       "--resume DIR takes no CONFIG, -o, --shard or "
			                       "--recorded-with (the directory has them)");
		o->dir = o->resume;
		return 0;
	}
	if (optind != argc - 1)
		return cli_usage_error("sweep", "expected exactly one CONFIG.json argument");
	if (!o->dir)
		return cli_usage_error("sweep", "-o DIR is required");
	o->config = argv[optind];
	return 0;
}

/* Run the directory's missing units of its shard. */
static int run_missing(const struct sweep_opts *o, struct hp_sweep_dir *d, int *started,
                       struct hp_err *err)
{
	struct hp_episodes *eps = NULL;
	struct hp_sweep_run_opts ro = {0};
	struct progress pr = {0};
	uint64_t n = hp_sweep_nunits(&d->cfg), u, *todo;
	char path[4096];
	int fd, rc = -1;

	todo = malloc((n ? n : 1) * sizeof(*todo));
	if (!todo)
		return hp_errf(err, "out of memory");
	for (u = 0; u < n; u++)
		if (hp_sweep_in_shard(u, d->shard_i, d->shard_n) && !d->have[u])
			todo[ro.ntodo++] = u;
	if (!ro.ntodo) {
		free(todo);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/journal.tsv", o->dir);
	fd = open(path, O_WRONLY | O_APPEND);
	if (fd < 0 || ftruncate(fd, d->journal_bytes) < 0) {
		hp_errf(err, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(todo);
		return -1;
	}
	eps = calloc(hp_sweep_neps(&d->cfg) + 1, sizeof(*eps));
	if (!eps) {
		hp_errf(err, "out of memory");
		goto out;
	}
	if (hp_sweep_read_traces(&d->cfg, eps, err) < 0) {
		free(eps);
		eps = NULL;
		goto out;
	}
	if (hp_sweep_validate(&d->cfg, err) < 0)
		goto out;
	pr.tty = isatty(2);
	pr.quiet = o->quiet;
	pr.start = pr.last = now_s();
	pr.base = d->ndone;
	pr.total = d->nmine;
	ro.jobs = o->jobs < ro.ntodo ? o->jobs : (unsigned)ro.ntodo;
	ro.todo = todo;
	ro.journal_fd = fd;
	ro.out = d->rows;
	ro.have = d->have;
	ro.progress = show_progress;
	ro.progress_ctx = &pr;
	*started = 1;
	rc = hp_sweep_run(&d->cfg, eps, &ro, err);
	d->ndone += rc == 0 ? ro.ntodo : 0;
out:
	hp_sweep_free_eps(&d->cfg, eps);
	free(eps);
	close(fd);
	free(todo);
	return rc;
}

int cli_sweep_run_missing(const char *dir, unsigned jobs, int quiet, struct hp_sweep_dir *d,
                          struct hp_err *err)
{
	struct sweep_opts *o = calloc(1, sizeof(*o));
	int started = 0, rc;

	if (!o)
		return hp_errf(err, "out of memory");
	o->dir = dir;
	o->jobs = jobs;
	o->quiet = quiet;
	rc = run_missing(o, d, &started, err);
	free(o);
	return rc;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep_opts o;
	struct hp_sweep_dir d;
	struct hp_err err = {""};
	uint32_t si = 1, sn = 1;
	int rc, existed = 1, started = 0;
	char *patch;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (o.config) {
		struct hp_sweep_config c;

		if (o.shard && hp_sweep_shard_parse(o.shard, &si, &sn, &err) < 0)
			return cli_usage_error("sweep", "%s", err.msg);
		if (hp_sweep_config_load(o.config, &c, &err) < 0)
			return cli_fail(&err);
		rc = hp_sweep_validate(&c, &err);
		hp_sweep_config_free(&c);
		if (rc < 0) {
			hp_err_prefix(&err, "%s: ", o.config);
			return cli_fail(&err);
		}
		existed = access(o.dir, F_OK) == 0;
		patch = o.nrecorded ? recorded_patch(&o) : NULL;
		if (o.nrecorded && !patch)
			hp_errf(&err, "out of memory");
		rc = (o.nrecorded && !patch) ||
		     hp_sweep_dir_create_from(o.dir, o.config, NULL, patch, si, sn, &err) < 0;
		free(patch);
		if (rc)
			return cli_fail(&err);
	}
	if (hp_sweep_dir_open(o.dir, &d, &err) < 0) {
		if (o.config)
			hp_sweep_dir_discard_new(o.dir, !existed);
		return cli_fail(&err);
	}
	hp_sweep_dir_clean_tmp(o.dir);
	if (run_missing(&o, &d, &started, &err) < 0) {
		char *dir = strstr(err.msg, "--resume DIR`");

		hp_sweep_dir_free(&d);
		if (o.config && !started) /* a new sweep that ran nothing leaves no directory */
			hp_sweep_dir_discard_new(o.dir, !existed);
		if (dir) /* name the directory in the rerun command */
			snprintf(dir, sizeof(err.msg) - (size_t)(dir - err.msg), "--resume %s`",
			         o.dir);
		return cli_fail(&err);
	}
	if (d.shard_n > 1) {
		char safe[HP_ESC_BUF];

		if (!o.quiet)
			fprintf(stderr,
			        "hpsim sweep: shard %u/%u done (%llu units) in %s; combine the "
			        "shards with `hpsim merge DIR... -o OUT`\n",
			        d.shard_i, d.shard_n, (unsigned long long)d.nmine,
			        hp_escape(o.dir, safe, sizeof(safe)));
		hp_sweep_dir_free(&d);
		return 0;
	}
	rc = cli_sweep_finish(o.dir, &d, 1);
	if (rc == 0 && o.plot)
		rc = plot_sweep(o.dir, hp_sweep_lat_name(d.cfg.lat_stat));
	hp_sweep_dir_free(&d);
	return rc;
}
