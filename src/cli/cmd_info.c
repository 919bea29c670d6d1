/* hpsim info: what a capture holds, per CPU, before any policy runs. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/info.h"
#include "hpsim/source.h"
#include "hpsim/trace.h"

static const char info_help[] =
    "usage: hpsim info TRACE [--format table|json] [--no-cache] [--cache-dir DIR] [--salvage]\n"
    "\n"
    "Prints per CPU: halts, total idle time, the halt-length distribution (min,\n"
    "mean, p50, p90, p99, max and KVM-style log2 buckets), the wake sources, and\n"
    "what the reader skipped and why.\n"
    "\n"
    "options:\n"
    "  --format FMT   table (default) or json\n"
    "  --no-cache     do not use or write the episode cache (also HPSIM_NO_CACHE=1)\n"
    "  --cache-dir D  the episode cache in directory D (default $XDG_CACHE_HOME/hpsim)\n"
    "  --salvage      a truncated trace.dat: read the halts up to the cut (warns)\n"
    "  -h, --help     this text\n";

/*
 * The statistics from the episode cache, streamed (memory flat in the
 * capture): 0 done; 1 not done (no cache, or a capture the stream refuses:
 * read it whole instead); -1 the capture cannot be read (err says why; it is
 * not read a second time).
 */
static int info_streamed(const char *path, const struct hp_read_opts *ro, struct hp_episodes *eps,
                         struct hp_info *info, struct hp_err *err)
{
	struct hp_episode_source src;
	struct hp_err ignored;
	int rc;

	if (!ro->use_cache)
		return 1;
	if (hp_trace_open_source(path, ro, eps, &src, err) < 0)
		return -1;
	rc = hp_info_compute_source(&src, eps, info, &ignored);
	hp_source_close(&src);
	if (rc < 0) {
		hp_episodes_free(eps);
		return 1;
	}
	return 0;
}

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"no-cache", no_argument, NULL, 'N'},
	    {"cache-dir", required_argument, NULL, 'Q'},
	    {"salvage", no_argument, NULL, 'y'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct hp_read_opts ro;
	struct hp_episodes eps = {0};
	struct hp_info info;
	struct hp_err err = {""};
	const char *format = "table";
	int ch, rc = 0;

	hp_read_opts_init(&ro);
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "info")) != -1) {
		switch (ch) {
		case 'f':
			format = optarg;
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
			fputs(info_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("info", "expected exactly one TRACE argument");
	if (strcmp(format, "table") && strcmp(format, "json"))
		return cli_usage_error("info", "--format must be table or json, not '%s'", format);
	rc = info_streamed(argv[optind], &ro, &eps, &info, &err);
	if (rc < 0)
		return cli_fail(&err);
	if (rc > 0) {
		rc = 0;
		if (hp_trace_read_opts(argv[optind], &ro, &eps, &err) < 0)
			return cli_fail(&err);
		if (hp_info_compute(&eps, &info, &err) < 0) {
			hp_episodes_free(&eps);
			return cli_fail(&err);
		}
	}
	if (!strcmp(format, "json")) {
		if (hp_info_write_json(stdout, argv[optind], &eps, &info, &err) < 0)
			rc = cli_fail(&err);
	} else {
		hp_info_write_table(stdout, argv[optind], &eps, &info);
	}
	hp_info_free(&info);
	hp_episodes_free(&eps);
	return rc;
}
