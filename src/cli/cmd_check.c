/* hpsim check: a prediction's KVM statistics against what the host showed after applying it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "hpsim/host.h"

static const char check_help[] =
    "usage: hpsim check PREDICTION.json KVM_STAT.log [--interval S] [options]\n"
    "       hpsim check PREDICTION.json BEFORE_DIR AFTER_DIR --interval S [options]\n"
    "       hpsim check PREDICTION.json CAPTURE.dat [--set NAME=VALUE ...] [options]\n"
    "\n"
    "Prints, per KVM halt statistic (halt_attempted_poll, halt_successful_poll,\n"
    "halt_poll_invalid, halt_wakeup, halt_poll_success_ns, halt_poll_fail_ns,\n"
    "halt_wait_ns), the predicted rate per second of wall time against the observed\n"
    "one, their difference and whether it is within the tolerance.\n"
    "\n"
    "PREDICTION.json: `hpsim recommend DIR --format json` (all traces, weights as VM\n"
    "counts; --trace LABEL: one trace's VM) or `hpsim replay ... --format json` (its\n"
    "host layer). Observed: a kvm_stat log (`kvm_stat -d -l -s 10 -f halt_` or -L FILE,\n"
    "plain or -c CSV), or two copies of /sys/kernel/debug/kvm's statistic files taken\n"
    "--interval seconds apart, or a host capture (trace.dat) recorded after applying,\n"
    "replayed at the prediction's setting (--set: the capture's recorded setting).\n"
    "\n"
    "  --interval S     seconds between kvm_stat lines (default: from the timestamps)\n"
    "                   or between the two snapshots (required)\n"
    "  --tolerance PCT  allowed difference, percent of the prediction (default 25);\n"
    "                   counts also get 3 sigma of Poisson noise over the interval\n"
    "                   and 1/s, times 1 ms/s\n"
    "  --trace LABEL    compare with one trace of a recommendation (one VM)\n"
    "  --set NAME=VALUE a capture's setting where it differs from the prediction's\n"
    "\n"
    "Exit status: 0 every statistic within the tolerance; 1 some not (said on standard\n"
    "error), or an input could not be read; 2 a usage error.\n";

static int parse_num(const char *opt, const char *s, double *out)
{
	char *end;

	*out = strtod(s, &end);
	if (end == s || *end || !(*out >= 0) || *out > 1e9)
		return cli_usage_error("check", "%s: '%s' is not a non-negative number", opt, s);
	return 0;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"interval", required_argument, NULL, 'i'}, {"tolerance", required_argument, NULL, 't'},
	    {"trace", required_argument, NULL, 'T'},    {"set", required_argument, NULL, 's'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	struct hp_host_rates pred, obs;
	struct hp_err err = {""};
	double interval = 0, tol = 25;
	const char *trace = NULL;
	struct hp_setting set[HP_MAX_SETTINGS];
	size_t nset = 0, len;
	struct stat st;
	int ch, outside, npos;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "check")) != -1) {
		switch (ch) {
		case 'i':
			if (parse_num("--interval", optarg, &interval))
				return 2;
			break;
		case 't':
			if (parse_num("--tolerance", optarg, &tol))
				return 2;
			break;
		case 'T':
			trace = optarg;
			break;
		case 's': {
			char *eq = strchr(optarg, '=');

			if (!eq || eq == optarg || !eq[1])
				return cli_usage_error("check", "--set: '%s' is not NAME=VALUE",
				                       optarg);
			if (nset == HP_MAX_SETTINGS)
				return cli_usage_error("check", "--set: too many");
			*eq = '\0';
			set[nset].name = optarg;
			set[nset++].value = eq + 1;
			break;
		}
		case 'h':
			fputs(check_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	npos = argc - optind;
	if (npos != 2 && npos != 3)
		return cli_usage_error("check", "expected PREDICTION.json and a kvm_stat log, or "
		                                "two debugfs snapshot directories");
	if (hp_host_rates_predicted(argv[optind], trace, &pred, &err) < 0)
		return cli_fail(&err);
	if (stat(argv[optind + 1], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (npos != 3)
			return cli_usage_error("check",
			                       "%s is a directory: give the snapshot taken "
			                       "after it too (BEFORE_DIR AFTER_DIR --interval S)",
			                       argv[optind + 1]);
		if (hp_host_rates_debugfs(argv[optind + 1], argv[optind + 2], interval, &obs,
		                          &err) < 0)
			return cli_fail(&err);
	} else if ((len = strlen(argv[optind + 1])) > 4 &&
	           !strcmp(argv[optind + 1] + len - 4, ".dat")) {
		if (npos != 2)
			return cli_usage_error("check", "one capture only");
		if (hp_host_rates_capture(argv[optind + 1], argv[optind], set, nset, &obs, &err) <
		    0)
			return cli_fail(&err);
	} else {
		if (nset)
			return cli_usage_error("check",
			                       "--set applies to a capture (FILE.dat) only");
		if (npos != 2)
			return cli_usage_error("check",
			                       "one kvm_stat log only (two arguments are two "
			                       "snapshot directories)");
		if (hp_host_rates_kvm_stat(argv[optind + 1], interval, &obs, &err) < 0)
			return cli_fail(&err);
	}
	hp_host_check_print(stdout, &pred, &obs, tol / 100.0, &outside);
	if (!outside)
		return 0;
	/* the host does not behave as predicted: a failed check, as every command fails */
	fprintf(stderr, "hpsim check: %d statistic%s outside the tolerance (see the table)\n",
	        outside, outside == 1 ? "" : "s");
	return 1;
}
