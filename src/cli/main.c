/* hpsim: the subcommand table (as git's builtin/, one file per command). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

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
    {"idle-states", cmd_idle_states, "host idle states (sysfs, built-in) as JSON"},
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
	fprintf(stderr, "hpsim: %s\n", err->msg);
	return 1;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hpsim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see `hpsim %s --help`)\n", cmd);
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
