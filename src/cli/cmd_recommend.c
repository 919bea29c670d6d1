/* hpsim recommend: the recommended point of a finished sweep, beside the default and the oracle. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/sweep.h"

static const char recommend_help[] =
    "usage: hpsim recommend DIR\n"
    "\n"
    "Prints, per trace of the finished sweep in DIR, the recommended point: with\n"
    "constraints (objective.constraints), the least poll_cpu_pct among the points\n"
    "meeting them; without, the knee of the Pareto front (the front point with the\n"
    "least sum of its CPU and latency statistics, each scaled to the front's span).\n"
    "Beside it: the kernel default of its series and the difference, and the\n"
    "oracle's least CPU at the same latency (what any policy could still gain).\n";

int cmd_recommend(int argc, char **argv)
{
	struct hp_sweep_dir d;
	struct hp_err err = {""};
	uint64_t n, u, have = 0;
	int rc;

	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "recommend")) != -1) {
		if (ch != 'h')
			return 2; /* cli_getopt said what was wrong */
		fputs(recommend_help, stdout);
		return 0;
	}
	if (optind != argc - 1)
		return cli_usage_error("recommend", "expected exactly one sweep directory");
	argv += optind - 1;
	if (hp_sweep_dir_open(argv[1], &d, &err) < 0)
		return cli_fail(&err);
	n = hp_sweep_nunits(&d.cfg);
	for (u = 0; u < n; u++)
		have += d.have[u];
	if (have != n) {
		hp_errf(&err,
		        "%s: the sweep is not finished (%llu of %llu units): `hpsim sweep --resume "
		        "%s`, or `hpsim merge` its shards",
		        argv[1], (unsigned long long)have, (unsigned long long)n, argv[1]);
		hp_sweep_dir_free(&d);
		return cli_fail(&err);
	}
	rc = cli_sweep_finish(NULL, &d, 1);
	hp_sweep_dir_free(&d);
	return rc;
}
