/* hpsim cost: the cost model's defaults for an architecture, as a --cost file to start from. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/cost.h"

static const char cost_help[] =
    "usage: hpsim cost [--arch ARCH] [--cost FILE] [--list]\n"
    "\n"
    "Prints the cost model's defaults for ARCH (x86, arm64, s390, ppc; default x86)\n"
    "as JSON: edit the values and pass the file to `hpsim replay --cost FILE`.\n"
    "A value is an integer ns, {\"quantiles\": [[P, NS], ...], \"samples\": N} or\n"
    "{\"lognormal\": {\"median\": NS, \"p99\": NS}}.\n"
    "\n"
    "options:\n"
    "  --arch ARCH   the architecture whose defaults to print\n"
    "  --cost FILE   apply a cost file over the defaults and print the result\n"
    "  --list        print each name with its value and meaning instead\n"
    "  -h, --help    this text\n";

int cmd_cost(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"arch", required_argument, NULL, 'a'},
	    {"list", no_argument, NULL, 'l'},
	    {"cost", required_argument, NULL, 'c'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *arch = "x86", *file = NULL;
	struct hp_err err = {""};
	struct hp_cost c;
	int ch, a, list = 0;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "cost")) != -1) {
		switch (ch) {
		case 'a':
			arch = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'c':
			file = optarg;
			break;
		case 'h':
			fputs(cost_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (optind != argc)
		return cli_usage_error("cost", "unexpected argument '%s'", argv[optind]);
	a = hp_arch_parse(arch, &err);
	if (a < 0)
		return cli_fail(&err);
	hp_cost_defaults(&c, (enum hp_arch)a);
	if (file && hp_cost_load_json(&c, file, &err) < 0)
		return cli_fail(&err);
	if (list) {
		const struct hp_cost_field *f;
		size_t i, n;

		f = hp_cost_fields(&n);
		for (i = 0; i < n; i++) {
			char d[96];

			printf("%-16s %8s  %s\n", f[i].name, hp_cost_describe(&c, i, d, sizeof(d)),
			       f[i].desc);
		}
		return 0;
	}
	return hp_cost_write_json(stdout, &c, &err) < 0 ? cli_fail(&err) : 0;
}
