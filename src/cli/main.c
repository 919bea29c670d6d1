/* hpsim: the subcommand table (as git's builtin/, one file per command). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/escape.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
    {"replay", cmd_replay,
     "replay a capture through halt-polling policies; print cost and latency"},
    {"policies", cmd_policies, "list the policies, their parameters, units, defaults and ranges"},
    {"plot", cmd_plot, "draw sweep results, decisions logs, captures or reports with gnuplot"},
    {"info", cmd_info, "per CPU: halts, idle time, halt-length distribution, wake sources"},
    {"convert", cmd_convert, "export a capture's episodes as CSV"},
    {"gen", cmd_gen, "generate synthetic episodes (periodic, poisson, ...) as CSV"},
    {"compare", cmd_compare, "compare two JSON reports figure by figure (A the baseline)"},
    {"cost", cmd_cost, "print the cost model's defaults for an architecture as JSON"},
    {"sweep", cmd_sweep,
     "replay a grid of settings from a JSON config; Pareto front, recommendation"},
    {"merge", cmd_merge, "combine the directories of a sharded sweep"},
    {"recommend", cmd_recommend, "print the recommended setting of a finished sweep"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hpsim COMMAND [ARGS...]\n\n"
	           "Replays recorded wakeup traces through the Linux halt-polling policies'\n"
	           "kernel code and reports CPU cost against wakeup latency.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`hpsim COMMAND --help` describes a command.\n");
}

int cli_fail(const struct hp_err *err)
{
	char safe[4 * HP_ERR_MSG];

	/* messages echo input (paths, fields, lines): escaped, never raw to the terminal */
	fprintf(stderr, "hpsim: %s\n", hp_escape(err->msg, safe, sizeof(safe)));
	return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[HP_ERR_MSG], safe[4 * HP_ERR_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "hpsim %s: %s\n(see `hpsim %s --help`)\n", cmd,
	        hp_escape(msg, safe, sizeof(safe)), cmd);
	return 2;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "hpsim: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
