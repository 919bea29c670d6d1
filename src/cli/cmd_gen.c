/* hpsim gen: synthetic episodes as CSV, the same bytes for the same command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/episode_csv.h"
#include "hpsim/gen.h"

#define MAX_PARAMS 32

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
	struct hp_gen_param params[MAX_PARAMS];
	struct hp_episodes eps = {0};
	int rc;
	struct hp_err err = {""};
	const char *output = NULL, *kind = NULL;
	size_t n = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help();
			return 0;
		}
		if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			if (i + 1 == argc)
				return cli_usage_error("gen", "%s needs a FILE", a);
			output = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			output = a + 9;
		} else if (!strncmp(a, "--", 2) && a[2]) {
			char *eq = strchr(a, '=');

			if (n == MAX_PARAMS)
				return cli_usage_error("gen", "too many parameters");
			if (eq) {
				*eq = '\0';
				params[n].value = eq + 1;
			} else if (i + 1 < argc) {
				params[n].value = argv[++i];
			} else {
				return cli_usage_error("gen", "%s needs a value (--NAME=VALUE)", a);
			}
			params[n++].name = a + 2;
		} else if (!kind && a[0] != '-') {
			kind = a;
		} else {
			return cli_usage_error("gen", "unexpected argument '%s'", a);
		}
	}
	if (!kind)
		return cli_usage_error(
		    "gen", "missing KIND: periodic, poisson, bimodal, bursty or pingpong");
	if (!output)
		return cli_usage_error("gen", "missing -o FILE.csv");
	if (hp_gen_run(kind, params, n, &eps, &err) < 0)
		return cli_fail(&err);
	rc = hp_csv_write_path(output, &eps, &err);
	hp_episodes_free(&eps);
	return rc < 0 ? cli_fail(&err) : 0;
}
