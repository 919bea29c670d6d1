/* hpsim cache: where the episode cache lives, and emptying it. */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/cache.h"
#include "hpsim/escape.h"

static const char cache_help[] =
    "usage: hpsim cache dir|clean [--cache-dir DIR]\n"
    "\n"
    "The episode cache keeps each capture's parsed episodes so that a second read\n"
    "(a sweep, another replay) skips the parse. It lives in $XDG_CACHE_HOME/hpsim,\n"
    "else ~/.cache/hpsim, or the --cache-dir given to replay, info and convert;\n"
    "never beside your captures.\n"
    "\n"
    "  dir              print the cache directory\n"
    "  clean            remove hpsim's cache files from it (nothing else)\n"
    "  --cache-dir DIR  that directory instead\n"
    "  -h, --help       this text\n";

int cmd_cache(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"cache-dir", required_argument, NULL, 'd'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *dir = NULL, *what;
	char path[PATH_MAX], safe[HP_ESC_BUF];
	struct hp_err err = {""};
	uint64_t files, bytes;
	int ch;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "cache")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'h':
			fputs(cache_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("cache", "expected one action: dir or clean");
	what = argv[optind];
	if (!strcmp(what, "dir")) {
		if (hp_cache_dir(dir, path, sizeof(path), &err) < 0)
			return cli_fail(&err);
		printf("%s\n", hp_escape(path, safe, sizeof(safe)));
		return 0;
	}
	if (strcmp(what, "clean"))
		return cli_usage_error("cache", "unknown action '%s' (expected dir or clean)",
		                       what);
	if (hp_cache_clean(dir, &files, &bytes, &err) < 0)
		return cli_fail(&err);
	if (hp_cache_dir(dir, path, sizeof(path), &err) < 0)
		return cli_fail(&err);
	printf("%s: removed %" PRIu64 " cache files (%" PRIu64 " bytes)\n",
	       hp_escape(path, safe, sizeof(safe)), files, bytes);
	return 0;
}
