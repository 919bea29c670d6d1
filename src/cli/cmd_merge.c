/* hpsim merge: combine the directories of a sharded sweep into the files one run makes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/sweep.h"

static const char merge_help[] =
    "usage: hpsim merge DIR... -o OUT\n"
    "\n"
    "Combines the sweep directories of `hpsim sweep --shard I/N` runs of one config\n"
    "into OUT: the same results.csv, results.json, pareto.csv and oracle.csv a\n"
    "single run would write, byte for byte. Fails if a unit of the grid is in none\n"
    "of the directories (a shard missing or unfinished) or the configs differ, and\n"
    "if OUT already holds a sweep.\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct hp_sweep_dir base, other;
	struct hp_err err = {""};
	const char *out = NULL;
	uint64_t u, n, missing = 0, first = 0;
	int ch, i, rc;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "o:h", longopts, "merge")) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(merge_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (!out)
		return cli_usage_error("merge", "-o OUT is required");
	if (optind >= argc)
		return cli_usage_error("merge", "expected at least one sweep directory");
	if (hp_sweep_dir_open(argv[optind], &base, &err) < 0)
		return cli_fail(&err);
	for (i = optind + 1; i < argc; i++) {
		if (hp_sweep_dir_open(argv[i], &other, &err) < 0) {
			hp_sweep_dir_free(&base);
			return cli_fail(&err);
		}
		rc = hp_sweep_dir_merge(&base, &other, argv[i], &err);
		hp_sweep_dir_free(&other);
		if (rc < 0) {
			hp_sweep_dir_free(&base);
			return cli_fail(&err);
		}
	}
	n = hp_sweep_nunits(&base.cfg);
	for (u = 0; u < n; u++)
		if (!base.have[u] && !missing++)
			first = u;
	if (missing) {
		hp_errf(&err,
		        "%llu of %llu units are in none of the directories (the first: unit %llu, "
		        "shard %llu/%u): run or --resume the missing shards",
		        (unsigned long long)missing, (unsigned long long)n,
		        (unsigned long long)first, (unsigned long long)(first % base.shard_n + 1),
		        base.shard_n);
		hp_sweep_dir_free(&base);
		return cli_fail(&err);
	}
	if (hp_sweep_dir_write_merged(out, &base, &err) < 0) {
		hp_sweep_dir_free(&base);
		return cli_fail(&err);
	}
	rc = cli_sweep_finish(out, &base, 0);
	hp_sweep_dir_free(&base);
	return rc;
}
