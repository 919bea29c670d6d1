/* hpsim recommend: one setting for the host from a finished sweep, and what to do with it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/host.h"
#include "hpsim/sweep.h"

static const char recommend_help[] =
    "usage: hpsim recommend DIR [--format text|json] [-o FILE] [--per-trace]\n"
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
    "                 the kernel default and the oracle\n";

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

static int host_answer(const char *dir, int json, const char *out)
{
	struct hp_sweep_dir d;
	struct hp_err err = {""};
	struct hp_sweep_results r;
	struct hp_host_reco h;
	struct hp_episodes *eps;
	struct hp_atomic_file af;
	int rc = 1;

	if (hp_sweep_dir_open(dir, &d, &err) < 0)
		return cli_fail(&err);
	eps = calloc(hp_sweep_neps(&d.cfg) + 1, sizeof(*eps));
	if (!eps) {
		hp_sweep_dir_free(&d);
		return cli_fail(&(struct hp_err){"out of memory"});
	}
	if (finished(dir, &d, &err) < 0 || hp_sweep_read_traces(&d.cfg, eps, &err) < 0) {
		free(eps);
		hp_sweep_dir_free(&d);
		return cli_fail(&err);
	}
	if (hp_sweep_analyze(&d.cfg, d.rows, &r, &err) < 0)
		goto out;
	if (hp_host_recommend(&r, eps, &h, &err) < 0) {
		hp_sweep_results_free(&r);
		goto out;
	}
	if (!out) {
		rc = json ? hp_host_json(stdout, &r, &h, &err) < 0
		          : (hp_host_print(stdout, &r, &h), 0);
	} else if (hp_atomic_open(&af, out, &err) == 0) {
		if (json ? hp_host_json(af.f, &r, &h, &err) < 0 : (hp_host_print(af.f, &r, &h), 0))
			hp_atomic_abort(&af);
		else
			rc = hp_atomic_commit(&af, &err) < 0;
	}
	hp_host_reco_free(&h);
	hp_sweep_results_free(&r);
out:
	hp_sweep_free_eps(&d.cfg, eps);
	free(eps);
	hp_sweep_dir_free(&d);
	return rc ? cli_fail(&err) : 0;
}

int cmd_recommend(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"output", required_argument, NULL, 'o'},
	    {"per-trace", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	int ch, json = 0, per = 0;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "o:h", longopts, "recommend")) != -1) {
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
		case 'h':
			fputs(recommend_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("recommend", "expected exactly one sweep directory");
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
	return host_answer(argv[optind], json, out);
}
