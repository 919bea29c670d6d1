/* Subcommands of the hpsim CLI: one file each, dispatched from main.c. */
#ifndef HPSIM_CLI_H
#define HPSIM_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "hpsim/err.h"

int cmd_replay(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_policies(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_cost(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_recommend(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_idle_states(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_record(int argc, char **argv);

struct hp_sweep_dir;
struct hp_setting;

/* Note on stderr every setting whose value is octal or hex (read with base 0, as the kernel
 * does), with the decimal value used. */
void cli_note_param_bases(const struct hp_setting *s, size_t n);

/* Analyze a complete sweep directory's rows; write the files into dir (if not NULL); print the
 * recommendation if print. Returns an exit status. */
int cli_sweep_finish(const char *dir, const struct hp_sweep_dir *d, int print);

/* Run the units of the opened sweep directory d (at dir) that its journal lacks, on jobs
 * workers (progress on stderr unless quiet); 0 or -1 with err. */
int cli_sweep_run_missing(const char *dir, unsigned jobs, int quiet, struct hp_sweep_dir *d,
                          struct hp_err *err);

/* Print "hpsim: <message>" to stderr and return exit status 1 (or 2 for usage). */
int cli_fail(const struct hp_err *err);
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct option;

/* What cli_getopt returns for a bad option, after saying what was wrong. */
#define CLI_OPT_ERROR 0x100

/* getopt_long for command cmd: a missing value or unknown option is reported on stderr
 * ("did you mean"), and CLI_OPT_ERROR returned; otherwise as getopt_long. */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd);

/* The options of every command that replays a capture, as getopt_long codes (long options only). */
enum {
	CLI_OPT_KERNEL = 0x200,
	CLI_OPT_ARCH,
	CLI_OPT_SET,
	CLI_OPT_COST,
	CLI_OPT_COST_SET,
	CLI_OPT_VCPU_MAP,
	CLI_OPT_NO_CACHE,
};

/* Their entries of a command's struct option table. */
#define CLI_RUN_LONGOPTS                                                                           \
	{"kernel", required_argument, NULL, CLI_OPT_KERNEL},                                       \
	    {"arch", required_argument, NULL, CLI_OPT_ARCH},                                       \
	    {"set", required_argument, NULL, CLI_OPT_SET},                                         \
	    {"cost", required_argument, NULL, CLI_OPT_COST},                                       \
	    {"cost-set", required_argument, NULL, CLI_OPT_COST_SET},                               \
	    {"vcpu-map", required_argument, NULL, CLI_OPT_VCPU_MAP},                               \
	{                                                                                          \
		"no-cache", no_argument, NULL, CLI_OPT_NO_CACHE                                    \
	}

struct hp_run_spec;
struct hp_read_opts;

/* Where those options go: the run spec (settings' names copied into names), the read options. */
struct cli_run_opts {
	struct hp_run_spec *spec;
	struct hp_read_opts *read;
	size_t reserve; /* settings left free in spec->params and spec->cost for the command */
	char names[2 * 128][128];
	size_t nnames;
};

/* Handle option ch (a CLI_OPT_ code) with its argument for command cmd: 0, a usage exit status
 * (2, the error said), or -1 if ch is not one of them. */
int cli_run_option(struct cli_run_opts *o, int ch, const char *arg, const char *cmd);

/* The candidate closest to word by edit distance, or NULL if none is close. */
const char *cli_suggest(const char *word, const char *const *candidates, size_t n);

#endif
