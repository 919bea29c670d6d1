/* hpsim idle-states: a host CPU's cpuidle states as an idle-state table (JSON). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/idle.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: hpsim idle-states [--sysfs ROOT] [--cpu N] [-o FILE]\n"
	           "       hpsim idle-states --show NAME|FILE [-o FILE]\n\n"
	           "Writes the idle states of CPU N (default 0) as the kernel's cpuidle driver\n"
	           "lists them under ROOT/devices/system/cpu/cpuN/cpuidle (ROOT default /sys),\n"
	           "as an idle-state table for --host-idle FILE. --show writes a built-in table\n"
	           "(skx, icx, spr, none) or a table file, checked, in the same format.\n"
	           "Output goes to standard output unless -o names a file (written atomically).\n");
}

int cmd_idle_states(int argc, char **argv)
{
	const char *root = "/sys", *out = "-", *show = NULL;
	struct hp_idle_table t;
	struct hp_atomic_file af;
	struct hp_err err = {{0}};
	unsigned cpu = 0;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (i + 1 >= argc)
			return cli_usage_error("idle-states", "%s: unknown option or missing value",
			                       a);
		if (!strcmp(a, "--sysfs")) {
			root = argv[++i];
		} else if (!strcmp(a, "--cpu")) {
			char *end;
			unsigned long v;

			errno = 0;
			v = strtoul(argv[++i], &end, 10);
			if (end == argv[i] || *end || errno || v > 1u << 20 || argv[i][0] == '-')
				return cli_usage_error("idle-states",
				                       "--cpu %s: expected a CPU number", argv[i]);
			cpu = (unsigned)v;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			out = argv[++i];
		} else if (!strcmp(a, "--show")) {
			show = argv[++i];
		} else {
			return cli_usage_error("idle-states", "%s: unknown option", a);
		}
	}
	if (show ? hp_idle_table_resolve(show, &t, &err)
	         : hp_idle_table_from_sysfs(root, cpu, &t, &err))
		return cli_fail(&err);
	if (hp_atomic_open(&af, out, &err))
		return cli_fail(&err);
	if (hp_idle_table_write_json(af.f, &t, &err)) {
		hp_atomic_abort(&af);
		return cli_fail(&err);
	}
	if (hp_atomic_commit(&af, &err))
		return cli_fail(&err);
	return 0;
}
