/*
 * Option parsing shared by every subcommand: getopt_long with the messages
 * users expect ("needs a value", "did you mean ...?") and exit status 2 for
 * every usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/escape.h"

/* Edit distance between a and b (insertions, deletions, substitutions, swaps). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[3][64];
	size_t *prev2 = row[0], *prev = row[1], *cur = row[2], *t;

	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			size_t best = sub < del ? sub : del;

			best = best < ins ? best : ins;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

const char *cli_suggest(const char *word, const char *const *candidates, size_t n)
{
	size_t i, best = (size_t)-1, limit = strlen(word) / 3 + 1;
	const char *pick = NULL;

	if (limit > 3)
		limit = 3;
	for (i = 0; i < n; i++) {
		size_t d = distance(word, candidates[i]);

		/* a prefix that getopt would not take (a typo'd abbreviation) also counts */
		if (d > limit && strlen(word) >= 3 && !strncmp(candidates[i], word, strlen(word)))
			d = limit;
		if (d <= limit && d < best) {
			best = d;
			pick = candidates[i];
		}
	}
	return pick;
}

/* The long option text the user typed, without dashes and anything after '='. */
static void typed_name(const char *arg, char *out, size_t len)
{
	size_t n;

	while (*arg == '-')
		arg++;
	n = strcspn(arg, "=");
	if (n >= len)
		n = len - 1;
	memcpy(out, arg, n);
	out[n] = '\0';
}

static void report(const char *cmd, const char *shortopts, const struct option *longopts, int argc,
                   char **argv, int ch)
{
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const char *names[128];
	const char *hint;
	char name[64], safe[HP_ESC_BUF];
	size_t n = 0;

	if (ch == ':') {
		if (optopt && optopt < 256 && strchr(shortopts, optopt) && arg[1] != '-')
			fprintf(stderr, "hpsim %s: option -%c needs a value\n", cmd, optopt);
		else
			fprintf(stderr, "hpsim %s: option %s needs a value\n", cmd,
			        hp_escape(arg, safe, sizeof(safe)));
		return;
	}
	if (optopt && arg[1] != '-') {
		char c[2] = {(char)optopt, '\0'};

		fprintf(stderr, "hpsim %s: unknown option -%s\n", cmd,
		        hp_escape(c, safe, sizeof(safe)));
		return;
	}
	typed_name(arg, name, sizeof(name));
	for (; longopts && longopts->name && n < 128; longopts++)
		names[n++] = longopts->name;
	hint = cli_suggest(name, names, n);
	/* getopt_long refuses an abbreviation that fits several options */
	if (hint && !strncmp(hint, name, strlen(name)))
		fprintf(stderr,
		        "hpsim %s: option '--%s' is ambiguous or unknown; did you mean '--%s'?\n",
		        cmd, hp_escape(name, safe, sizeof(safe)), hint);
	else if (hint)
		fprintf(stderr, "hpsim %s: unknown option '--%s'; did you mean '--%s'?\n", cmd,
		        hp_escape(name, safe, sizeof(safe)), hint);
	else
		fprintf(stderr, "hpsim %s: unknown option '%s'\n", cmd,
		        hp_escape(arg, safe, sizeof(safe)));
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd)
{
	char spec[64];
	int ch;

	/* a leading ':' makes getopt tell a missing value (':') from an unknown option */
	if (snprintf(spec, sizeof(spec), ":%s", shortopts) >= (int)sizeof(spec))
		return CLI_OPT_ERROR;
	opterr = 0;
	ch = getopt_long(argc, argv, spec, longopts, NULL);
	if (ch == '?' || ch == ':') {
		report(cmd, shortopts, longopts, argc, argv, ch);
		fprintf(stderr, "(see `hpsim %s --help`)\n", cmd);
		return CLI_OPT_ERROR;
	}
	return ch;
}
