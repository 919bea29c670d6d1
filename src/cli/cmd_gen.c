/* hpsim gen: synthetic episodes as CSV, the same bytes for the same command. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/episode_csv.h"
#include "hpsim/gen.h"

#define MAX_PARAMS 32
#define PARAM_BASE 0x400 /* getopt values of the generator parameters */

static void help(void)
{
	printf("usage: hpsim gen KIND [--PARAM=VALUE ...] -o FILE.csv\n"
	       "\n"
	       "Writes synthetic episodes (cpu,halt_start_ns,wake_ns,source,source_cpu) as\n"
	       "CSV, replaced atomically (`-o -`: standard output). The same KIND, parameters\n"
	       "and --seed always give a byte-identical file.\n"
	       "KIND: periodic, poisson, bimodal, bursty, pingpong.\n\n");
	hp_gen_describe(stdout);
}

int cmd_gen(int argc, char **argv)
{
	struct option longopts[MAX_PARAMS + 3];
	struct hp_gen_param params[MAX_PARAMS];
	struct hp_episodes meta = {0};
	struct hp_gen_stream *g;
	struct hp_atomic_file out;
	struct hp_episode block[4096];
	struct hp_err err = {""};
	uint64_t total;
	const char *output = NULL, *kind = NULL;
	size_t n = 0, np = 0;
	int ch, rc;

	/* every generator parameter is a --NAME VALUE option; the generator checks which apply */
	while (np < MAX_PARAMS && hp_gen_param_name(np)) {
		longopts[np] = (struct option){hp_gen_param_name(np), required_argument, NULL,
		                               PARAM_BASE + (int)np};
		np++;
	}
	longopts[np++] = (struct option){"output", required_argument, NULL, 'o'};
	longopts[np++] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[np] = (struct option){NULL, 0, NULL, 0};

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "ho:", longopts, "gen")) != -1) {
		switch (ch) {
		case 'h':
			help();
			return 0;
		case 'o':
			output = optarg;
			break;
		default:
			if (ch < PARAM_BASE || ch >= PARAM_BASE + MAX_PARAMS)
				return 2; /* cli_getopt said what was wrong */
			params[n].name = longopts[ch - PARAM_BASE].name;
			params[n++].value = optarg;
			if (n == MAX_PARAMS)
				return cli_usage_error("gen", "too many parameters");
		}
	}
	if (optind < argc)
		kind = argv[optind++];
	if (optind < argc)
		return cli_usage_error("gen", "unexpected argument '%s'", argv[optind]);
	if (!kind)
		return cli_usage_error(
		    "gen", "missing KIND: periodic, poisson, bimodal, bursty or pingpong");
	if (!output)
		return cli_usage_error("gen", "missing -o FILE.csv");
	if (hp_gen_open(kind, params, n, &g, &meta, &total, &err) < 0)
		return cli_usage_error("gen", "%s", err.msg);
	/* written as generated, block by block: memory does not grow with the halts */
	if (hp_atomic_open(&out, output, &err) < 0) {
		hp_gen_close(g);
		return cli_fail(&err);
	}
	fputs(HP_CSV_HEADER "\n", out.f);
	rc = 0;
	while (rc == 0 && (n = hp_gen_next(g, block, sizeof(block) / sizeof(block[0]))) > 0)
		rc = hp_csv_write_rows(out.f, block, n, &err);
	hp_gen_close(g);
	if (rc < 0) {
		hp_atomic_abort(&out);
		hp_err_prefix(&err, "%s: ", output);
		return cli_fail(&err);
	}
	return hp_atomic_commit(&out, &err) < 0 ? cli_fail(&err) : 0;
}
