/* hpsim compare: two JSON reports, figure by figure (A is the baseline). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "hpsim/report.h"

static const char compare_help[] =
    "usage: hpsim compare A.json B.json [--all]\n"
    "\n"
    "Compares two reports of `hpsim replay --format json`, A the baseline: prints\n"
    "every figure that differs as A, B, B-A and (B-A)/|A|, and the settings that\n"
    "differ. Paths name the JSON keys (total.host.halt_poll_fail_ns, cpus[0].latency.p99_ns).\n"
    "Exit status 0 whether or not they differ.\n"
    "\n"
    "options:\n"
    "  --all        print every figure, equal ones and histogram buckets too\n"
    "  -h, --help   this text\n";

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct hp_err err = {""};
	bool all = false;
	int ch;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "compare")) != -1) {
		switch (ch) {
		case 'a':
			all = true;
			break;
		case 'h':
			fputs(compare_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("compare", "expected two JSON reports, A.json B.json");
	if (hp_report_compare(stdout, argv[optind], argv[optind + 1], all, NULL, &err) < 0)
		return cli_fail(&err);
	return 0;
}
