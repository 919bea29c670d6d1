/* hpsim recommend: one setting for the host from a finished sweep, and what to do with it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/host.h"
#include "hpsim/sweep.h"

static const char recommend_help[] =
    "usage: hpsim recommend DIR [--format text|json] [-o FILE] [--refine [-j N]]\n"
    "       hpsim recommend --per-trace DIR\n"
    "\n"
    "Module parameters are host-wide: prints ONE setting for all the traces of the\n"
    "finished sweep in DIR, chosen on the traces' weighted poll_cpu_pct (weights and\n"
    "per-trace latency bounds in the config's \"recommend\" section; the objective's\n"
    "constraints bound every trace): the least weighted CPU with every trace within\n"
    "its bounds, or without bounds the knee of the weighted Pareto front. Values in\n"
    "ns are rounded to the 1-2-5 series (or the config's step); round values the grid\n"
    "lacks are replayed on every trace. Each trace's cost and latency at the setting\n"
    "are shown beside its own best; then the sysfs, modprobe.d and kernel command\n"
    "line lines for the layers swept, and the KVM statistics the host should show\n"
    "(per second; compare with `hpsim check`). When no setting meets every bound it\n"
    "says which trace misses which bound and by how much.\n"
    "\n"
    "  --format json  the same content as JSON (input of `hpsim check`)\n"
    "  -o FILE        write there (atomically) instead of standard output\n"
    "  --per-trace    the previous answer instead: each trace's own best point, beside\n"
    "                 the kernel default and the oracle\n"
    "  --refine       sweep again, finer, between the grid neighbours of the answer (each\n"
    "                 rounded parameter at the config's round step / 10, or a 1-2-5 step\n"
    "                 of a tenth of the bracket), into DIR/refine (resumed if it was\n"
    "                 interrupted: run the same command again), and answer from it;\n"
    "                 says what it refined and the answer before and after\n"
    "  -j, --jobs N   --refine: worker processes (default: the number of online CPUs)\n";

static int per_trace(const char *dir)
{
	struct hp_sweep_dir d;
	struct hp_err err = {""};
	int rc;

	if (hp_sweep_dir_open(dir, &d, &err) < 0)
		return cli_fail(&err);
	rc = cli_sweep_finish(NULL, &d, 1);
	hp_sweep_dir_free(&d);
	return rc;
}

static int finished(const char *dir, const struct hp_sweep_dir *d, struct hp_err *err)
{
	uint64_t n = hp_sweep_nunits(&d->cfg), u, have = 0;

	for (u = 0; u < n; u++)
		have += d->have[u];
	if (have == n)
		return 0;
	return hp_errf(err,
	               "%s: the sweep is not finished (%llu of %llu units): `hpsim sweep --resume "
	               "%s`, or `hpsim merge` its shards",
	               dir, (unsigned long long)have, (unsigned long long)n, dir);
}

/* A finished sweep directory's answer: its rows analyzed, its traces read, the host setting. */
struct answer {
	struct hp_sweep_dir d;
	struct hp_episodes *eps;
	struct hp_sweep_results r;
	struct hp_host_reco h;
	int have_r, have_h;
};

static void answer_free(struct answer *a)
{
	if (a->have_h)
		hp_host_reco_free(&a->h);
	if (a->have_r)
		hp_sweep_results_free(&a->r);
	hp_sweep_free_eps(&a->d.cfg, a->eps);
	free(a->eps);
	hp_sweep_dir_free(&a->d);
}

/* Open the finished sweep in dir, read its traces, recommend; 0 or -1 (a is freed by answer_free).
 */
static int answer_of(const char *dir, struct answer *a, struct hp_err *err)
{
	memset(a, 0, sizeof(*a));
	if (hp_sweep_dir_open(dir, &a->d, err) < 0)
		return -1;
	a->eps = calloc(hp_sweep_neps(&a->d.cfg) + 1, sizeof(*a->eps));
	if (!a->eps)
		return hp_errf(err, "out of memory");
	if (finished(dir, &a->d, err) < 0 || hp_sweep_read_traces(&a->d.cfg, a->eps, err) < 0) {
		free(a->eps);
		a->eps = NULL;
		return -1;
	}
	if (hp_sweep_analyze(&a->d.cfg, a->d.rows, &a->r, err) < 0)
		return -1;
	a->have_r = 1;
	if (hp_host_recommend(&a->r, a->eps, &a->h, err) < 0)
		return -1;
	a->have_h = 1;
	return 0;
}

/* "NAME=V NAME=V" of an answer's values. */
static void setting_text(const struct hp_host_reco *h, char *out, size_t n)
{
	size_t k, used = 0;

	out[0] = '\0';
	for (k = 0; k < h->nvals && used < n; k++)
		used += (size_t)snprintf(out + used, n - used, "%s%s=%u", k ? " " : "", h->names[k],
		                         h->vals[k]);
}

/* What the refinement did: the brackets, the points, the answer before and after. */
static void print_refined(FILE *f, const char *sub, const struct hp_refine *p,
                          const struct answer *before, const struct answer *after,
                          uint64_t done_before)
{
	const char *lat = hp_sweep_lat_name(before->d.cfg.lat_stat);
	static const char *const status[] = {"meets every bound", "no point meets every bound",
	                                     "no round value next to the best meets every bound"};
	char set[1024];
	uint64_t units = hp_sweep_nunits(&after->d.cfg);
	size_t i;

	fprintf(
	    f,
	    "refined (--refine): a finer sweep around the answer in %s, %llu points x %zu traces",
	    sub, (unsigned long long)after->d.cfg.npoints, after->d.cfg.ntraces);
	if (done_before)
		fprintf(f, " (resumed: %llu of %llu units were done already)",
		        (unsigned long long)done_before, (unsigned long long)units);
	fputs("\n", f);
	for (i = 0; i < p->nparams; i++) {
		const struct hp_refine_param *q = &p->param[i];

		if (q->step) {
			fprintf(f, "  %-24s between the grid's %u and %u (its best: %u), ", q->name,
			        q->lo, q->hi, q->grid);
			if (q->step_lo && q->step_hi)
				fprintf(f, "every %u below and %u above it", q->step_lo,
				        q->step_hi);
			else
				fprintf(f, "every %u %s it (none %s)", q->step,
				        q->step_lo ? "below" : "above",
				        q->step_lo ? "above" : "below");
			fprintf(f, ": %zu values\n", q->n);
		} else
			fprintf(f, "  %-24s kept at %u (not refined)\n", q->name, q->grid);
	}
	setting_text(&before->h, set, sizeof(set));
	fprintf(f, "  before:  %s   weighted poll_cpu %.2f%%  %s %.2f us   (%s)\n", set,
	        before->h.cpu_pct, lat, before->h.lat_ns / 1e3, status[before->h.status]);
	setting_text(&after->h, set, sizeof(set));
	fprintf(f, "  after:   %s   weighted poll_cpu %.2f%%  %s %.2f us   (%s)\n\n", set,
	        after->h.cpu_pct, lat, after->h.lat_ns / 1e3, status[after->h.status]);
}

/* --refine: plan the finer sweep, create or resume it in DIR/refine, answer from it. */
static int refine(const char *dir, unsigned jobs, struct answer *coarse, struct answer *fine,
                  struct hp_refine *p, uint64_t *done_before, char *sub, size_t nsub,
                  struct hp_err *err)
{
	char parent[4300], journal[4300];
	struct hp_sweep_dir sd;
	int rc, created;

	if (hp_refine_plan(&coarse->r, &coarse->h, coarse->d.config_text, p, err) < 0)
		return -1;
	if ((size_t)snprintf(sub, nsub, "%s/refine", dir) >= nsub)
		return hp_errf(err, "%s: the path is too long", dir);
	snprintf(parent, sizeof(parent), "%s/config.json", dir);
	snprintf(journal, sizeof(journal), "%s/journal.tsv", sub);
	created = access(journal, F_OK) != 0;
	if (created &&
	    hp_sweep_dir_create_from(sub, parent, coarse->d.config_dir, p->patch, 1, 1, err) < 0)
		return -1;
	if (hp_sweep_dir_open(sub, &sd, err) < 0) {
		if (created) /* a finer sweep that cannot start leaves nothing behind */
			hp_sweep_dir_discard_new(sub, 1);
		return -1;
	}
	hp_sweep_dir_clean_tmp(sub);
	*done_before = sd.ndone;
	rc = cli_sweep_run_missing(sub, jobs, !isatty(2), &sd, err);
	if (rc == 0)
		rc = cli_sweep_finish(sub, &sd, 0) ? -1 : 0;
	hp_sweep_dir_free(&sd);
	if (rc < 0) {
		char *at = strstr(err->msg, "--resume DIR`");

		if (at) /* rerunning recommend --refine resumes it */
			snprintf(at, sizeof(err->msg) - (size_t)(at - err->msg),
			         "--resume %s` or `hpsim recommend --refine %s`", sub, dir);
		return -1;
	}
	return answer_of(sub, fine, err);
}

static int host_answer(const char *dir, int json, const char *out, int refined, unsigned jobs)
{
	struct hp_err err = {""};
	struct answer a, fine;
	struct hp_refine plan = {0};
	struct hp_atomic_file af;
	const struct answer *ans = &a;
	char sub[4096];
	uint64_t done_before = 0;
	FILE *f = stdout;
	int rc = 1;

	memset(&fine, 0, sizeof(fine));
	if (answer_of(dir, &a, &err) < 0)
		goto out;
	if (refined) {
		if (refine(dir, jobs, &a, &fine, &plan, &done_before, sub, sizeof(sub), &err) < 0)
			goto out;
		ans = &fine;
	}
	if (out && hp_atomic_open(&af, out, &err) < 0)
		goto out;
	if (out)
		f = af.f;
	if (refined)
		print_refined(json ? stderr : f, sub, &plan, &a, &fine, done_before);
	if (json ? hp_host_json(f, &ans->r, &ans->h, &err) < 0
	         : (hp_host_print(f, &ans->r, &ans->h), 0)) {
		if (out)
			hp_atomic_abort(&af);
	} else {
		rc = out ? hp_atomic_commit(&af, &err) < 0 : 0;
	}
out:
	hp_refine_free(&plan);
	answer_free(&fine);
	answer_free(&a);
	return rc ? cli_fail(&err) : 0;
}

int cmd_recommend(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"per-trace", no_argument, NULL, 'p'},
	    {"refine", no_argument, NULL, 'r'},
	    {"jobs", required_argument, NULL, 'j'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int ch, json = 0, per = 0, refined = 0;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = n > 0 ? (unsigned)n : 1;
	char *end;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "o:j:h", longopts, "recommend")) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				return cli_usage_error(
				    "recommend", "--format: '%s' (expected text or json)", optarg);
			json = !strcmp(optarg, "json");
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			per = 1;
			break;
		case 'r':
			refined = 1;
			break;
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 1 || n > 4096)
				return cli_usage_error(
				    "recommend", "-j: '%s' is not a number in 1..4096", optarg);
			jobs = (unsigned)n;
			break;
		case 'h':
			fputs(recommend_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("recommend", "expected exactly one sweep directory");
	if (per && refined)
		return cli_usage_error("recommend", "--refine refines the host answer, not "
		                                    "--per-trace");
	if (per && (json || out))
		return cli_usage_error("recommend",
		                       "--per-trace prints text to standard output only (its JSON "
		                       "is the sweep's results.json)");
	if (per) {
		struct hp_sweep_dir d;
		struct hp_err err = {""};
		int bad;

		if (hp_sweep_dir_open(argv[optind], &d, &err) < 0)
			return cli_fail(&err);
		bad = finished(argv[optind], &d, &err) < 0;
		hp_sweep_dir_free(&d);
		if (bad)
			return cli_fail(&err);
		return per_trace(argv[optind]);
	}
	return host_answer(argv[optind], json, out, refined, jobs);
}
