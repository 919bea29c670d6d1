/* hpsim: the subcommand table (as git's builtin/, one file per command). */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "hpsim/policy.h"
#include "hpsim/version.h"
#include "hpsim/escape.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
    {"replay", cmd_replay,
     "replay a capture through halt-polling policies; print cost and latency"},
    {"cache", cmd_cache, "the episode cache's directory; remove its files"},
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
    {"recommend", cmd_recommend,
     "one setting for the host from a finished sweep, and how to apply and check it"},
    {"check", cmd_check, "a prediction's KVM statistics against a host's (kvm_stat, debugfs)"},
    {"calibrate", cmd_calibrate, "measure the cost model from a host capture, write a cost file"},
    {"validate", cmd_validate, "hold predictions against real KVM runs and a capture's own record"},
    {"record", cmd_record, "record a guest, host or host+guest capture with trace-cmd"},
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hpsim COMMAND [ARGS...]\n\n"
	           "Replays recorded wakeup traces through the Linux halt-polling policies'\n"
	           "kernel code and reports CPU cost against wakeup latency.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`hpsim help COMMAND` (or `hpsim COMMAND --help`) describes a command;\n"
	           "`hpsim --version` names this build.\n");
}

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	const char *names[sizeof(commands) / sizeof(commands[0])];
	const char *hint;
	char safe[HP_ESC_BUF];
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[i] = commands[i].name;
	hint = cli_suggest(name, names, i);
	hp_escape(name, safe, sizeof(safe));
	if (hint)
		fprintf(stderr, "hpsim: unknown command '%s'; did you mean '%s'?\n", safe, hint);
	else
		fprintf(stderr, "hpsim: unknown command '%s'\n\n", safe);
	if (!hint)
		usage(stderr);
	return 2;
}

static void version(void)
{
	printf("hpsim %s (%s)\nkernel policy code: Linux %s\n", hp_version(), hp_git_describe(),
	       hp_policy_release_range());
}

/*
 * hpsim help CMD: the command's manual page where one is installed and the
 * output is a terminal (as git help does), else its --help text.
 */
static int help(const char *name)
{
	const struct command *c = find(name);
	char *args[3] = {NULL, (char *)"--help", NULL};
	char page[64];
	int status;
	pid_t pid;

	if (!c)
		return unknown_command(name);
	snprintf(page, sizeof(page), "hpsim-%s", c->name);
	if (isatty(STDOUT_FILENO) && !getenv("HPSIM_NO_MAN")) {
		pid = fork();
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			if (devnull >= 0)
				dup2(devnull, STDERR_FILENO);
			execlp("man", "man", page, (char *)NULL);
			_exit(127);
		}
		if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			return 0;
	}
	args[0] = (char *)c->name;
	return c->fn(2, args);
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
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2)) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		version();
		return 0;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc != 3) {
			fprintf(stderr, "usage: hpsim help [COMMAND]\n");
			return 2;
		}
		return help(argv[2]);
	}
	c = find(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	return c->fn(argc - 1, argv + 1);
}
