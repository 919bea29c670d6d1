/* hpsim calibrate: the cost model measured from a host capture, as a table and a cost file. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/calibrate.h"
#include "hpsim/trace.h"

static const char calibrate_help[] =
    "usage: hpsim calibrate HOST.dat [-o COST.json] [--constant] [--vcpu-map PID=N,...]\n"
    "\n"
    "Measures the cost-model values a host capture holds (kvm:kvm_exit,\n"
    "kvm:kvm_entry, kvm:kvm_vcpu_wakeup, sched:sched_switch, sched:sched_wakeup):\n"
    "per value n, p10, p50, p90, p99 and mean in ns, or why the capture cannot\n"
    "give it. With -o, writes them as a cost file for `hpsim replay --cost`.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE   write the cost file (each value as quantiles with its sample count)\n"
    "  --constant          write each value's median as an integer instead\n"
    "  --vcpu-map PID=N,.. thread PID runs vCPU N (else QEMU's \"CPU n/KVM\" names)\n"
    "  --lenient           skip malformed report-text lines instead of stopping\n"
    "  -h, --help          this text\n";

int cmd_calibrate(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},   {"constant", no_argument, NULL, 'c'},
	    {"vcpu-map", required_argument, NULL, 'm'}, {"lenient", no_argument, NULL, 'l'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	struct hp_read_opts ro;
	struct hp_calib_result r;
	struct hp_atomic_file af;
	struct hp_err err = {""};
	const char *out = NULL;
	int ch, constant = 0;

	hp_read_opts_init(&ro);

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "ho:", longopts, "calibrate")) != -1) {
		switch (ch) {
		case 'o':
			out = optarg;
			break;
		case 'c':
			constant = 1;
			break;
		case 'm':
			if (hp_vcpu_map_parse(&ro, optarg, &err) < 0)
				return cli_fail(&err);
			break;
		case 'l':
			ro.lenient = 1;
			break;
		case 'h':
			fputs(calibrate_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("calibrate", "expected exactly one host capture");
	if (hp_calibrate(argv[optind], &ro, &r, &err) < 0)
		return cli_fail(&err);
	hp_calib_write_table(stdout, argv[optind], &r);
	if (!out)
		return 0;
	if (hp_atomic_open(&af, out, &err) < 0)
		return cli_fail(&err);
	if (hp_calib_write_cost(af.f, &r, constant, &err) < 0) {
		hp_atomic_abort(&af);
		return cli_fail(&err);
	}
	if (hp_atomic_commit(&af, &err) < 0)
		return cli_fail(&err);
	return 0;
}
