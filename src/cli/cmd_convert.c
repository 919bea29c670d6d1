/* hpsim convert: export a capture's episodes as CSV (written atomically). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/episode_csv.h"
#include "hpsim/escape.h"
#include "hpsim/report.h"
#include "hpsim/source.h"
#include "hpsim/trace.h"

static const char convert_help[] =
    "usage: hpsim convert TRACE -o FILE.csv [--no-cache] [--cache-dir DIR] [--salvage]\n"
    "\n"
    "Reads TRACE (any supported capture: trace.dat, episode CSV) and writes its\n"
    "episodes as CSV: cpu,halt_start_ns,wake_ns,source,source_cpu with a header.\n"
    "FILE is replaced atomically; `-o -` writes to standard output.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE    where to write the CSV (required)\n"
    "  --no-cache           do not use or write the episode cache (also HPSIM_NO_CACHE=1)\n"
    "  --cache-dir DIR     the episode cache there (default $XDG_CACHE_HOME/hpsim)\n"
    "  --salvage            a truncated trace.dat: read the halts up to the cut (warns)\n"
    "  -h, --help           this text\n";

/* The source's episodes as CSV to path, block by block, atomically; 0 or -1 with err. */
static int write_streamed(const char *path, struct hp_episode_source *src, struct hp_err *err)
{
	struct hp_atomic_file out;
	const struct hp_episode *b;
	size_t n;

	if (hp_atomic_open(&out, path, err) < 0)
		return -1;
	fputs(HP_CSV_HEADER "\n", out.f);
	for (;;) {
		if (src->next_block(src, &b, &n, err) < 0 ||
		    (n && hp_csv_write_rows(out.f, b, n, err) < 0)) {
			hp_atomic_abort(&out);
			return hp_err_prefix(err, "%s: ", path);
		}
		if (!n)
			break;
	}
	return hp_atomic_commit(&out, err);
}

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"no-cache", no_argument, NULL, 'N'},
	    {"cache-dir", required_argument, NULL, 'Q'},
	    {"salvage", no_argument, NULL, 'y'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct hp_read_opts ro;
	struct hp_episodes eps = {0};
	struct hp_episode_source src;
	int rc, streamed = 0;
	struct hp_err err = {""};
	const char *output = NULL;
	int ch;

	hp_read_opts_init(&ro);
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "ho:", longopts, "convert")) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 'N':
			ro.use_cache = 0;
			break;
		case 'Q':
			ro.cache_dir = optarg;
			break;
		case 'y':
			ro.salvage = 1;
			break;
		case 'h':
			fputs(convert_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("convert", "expected exactly one TRACE argument");
	if (!output)
		return cli_usage_error("convert", "missing -o FILE.csv");
	/* the episodes walked in blocks from the capture's cache, not held (a capture the
	 * replay source refuses, e.g. times past what the engine replays, is read whole) */
	if (hp_trace_open_source(argv[optind], &ro, &eps, &src, &err) == 0) {
		streamed = 1;
	} else {
		if (hp_trace_read_opts(argv[optind], &ro, &eps, &err) < 0)
			return cli_fail(&err);
	}
	{
		char w[512];

		if (hp_skips_warning(&eps.skipped, w, sizeof(w))) {
			char safe[4 * 4096];

			fprintf(stderr, "hpsim: warning: %s: %s\n",
			        hp_escape(argv[optind], safe, sizeof(safe)), w);
		}
	}
	if (!streamed) {
		rc = hp_csv_write_path(output, &eps, &err);
		hp_episodes_free(&eps);
		return rc < 0 ? cli_fail(&err) : 0;
	}
	rc = write_streamed(output, &src, &err);
	hp_source_close(&src);
	hp_episodes_free(&eps);
	return rc < 0 ? cli_fail(&err) : 0;
}
