/* hpsim validate: predictions held against the real KVM (harness runs) and a capture's own record.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/escape.h"
#include "hpsim/replay.h"
#include "hpsim/trace.h"
#include "hpsim/validate.h"

static const char validate_help[] =
    "usage: hpsim validate CAPTURE [--self] [--measured RUN.json ...] [options]\n"
    "\n"
    "--self: replay the host CAPTURE at its own recorded setting (give it with --set)\n"
    "and compare each halt's outcome with what kvm_vcpu_wakeup recorded (polled or\n"
    "slept). --measured: CAPTURE was recorded at ceiling 0; for every ceiling the\n"
    "kvmharness runs were made at, predict it (the per-VM max_halt_poll_ns) and print\n"
    "it beside the medians of the runs, with the targets and how much each is missed.\n"
    "\n"
    "options:\n"
    "  --self               the per-halt agreement\n"
    "  --measured FILE      one kvmharness JSON run (repeat for every run)\n"
    "  --kernel VERSION     the host's release (default: the runs' host_release, else 6.11)\n"
    "  --arch ARCH          x86 (default), arm64, s390, ppc\n"
    "  --set NAME=VALUE     a kvm module parameter for every replay (repeatable)\n"
    "  --cost FILE          the cost model (hpsim calibrate -o FILE --constant)\n"
    "  --cost-set NAME=NS   one cost-model value (repeatable)\n"
    "  --vcpu-map PID=N,..  thread PID runs vCPU N\n"
    "  --no-cache           neither use nor write the episode cache\n"
    "  -h, --help           this text\n";

#define MAX_RUNS 1024

struct vopts {
	struct hp_run_spec spec;
	struct hp_read_opts read;
	const char *runs[MAX_RUNS];
	size_t nruns;
	int self;
	char kernel[32];
	struct cli_run_opts run; /* the options shared with replay */
};

static int parse(int argc, char **argv, struct vopts *o)
{
	static const struct option longopts[] = {
	    {"self", no_argument, NULL, 'S'},
	    {"measured", required_argument, NULL, 'm'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_RUN_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	o->run.spec = &o->spec;
	o->run.read = &o->read;
	o->run.reserve = 1; /* predict() adds max_halt_poll_ns */
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "validate")) != -1) {
		rc = cli_run_option(&o->run, ch, optarg, "validate");
		if (rc > 0)
			return rc;
		if (rc == 0)
			continue;
		switch (ch) {
		case 'S':
			o->self = 1;
			break;
		case 'm':
			if (o->nruns == MAX_RUNS)
				return cli_usage_error("validate", "more than %d runs", MAX_RUNS);
			o->runs[o->nruns++] = optarg;
			break;
		case 'h':
			fputs(validate_help, stdout);
			return -1;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("validate", "expected exactly one CAPTURE");
	if (!o->self && !o->nruns)
		return cli_usage_error("validate",
		                       "nothing to do: give --self, --measured, or both");
	return 0;
}

/* The runs' host release as MAJOR.MINOR, for --kernel when none was given. */
static void kernel_from_runs(struct vopts *o, const struct hp_vrun *runs, size_t n)
{
	unsigned major, minor;

	if (o->spec.kernel || !n || sscanf(runs[0].host_release, "%u.%u", &major, &minor) != 2)
		return;
	snprintf(o->kernel, sizeof(o->kernel), "%u.%u", major, minor);
	o->spec.kernel = o->kernel;
}

/* Replay eps at ceiling (the per-VM max_halt_poll_ns) into r->pred. */
static int predict(struct vopts *o, const struct hp_episodes *eps, struct hp_vrow *r,
                   struct hp_err *err)
{
	struct hp_run_spec spec = o->spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	char value[32];

	snprintf(value, sizeof(value), "%llu", (unsigned long long)r->ceiling_ns);
	spec.params[spec.nparams].name = "max_halt_poll_ns";
	spec.params[spec.nparams].value = value;
	spec.nparams++;
	if (hp_engine_configure(&spec, &cfg, err) < 0)
		return -1;
	if (hp_replay(eps, &cfg, &m, &st, NULL, NULL, err) < 0)
		return -1;
	hp_vfig_from_metrics(&m, &r->pred);
	hp_metrics_free(&m);
	hp_validate_score(r);
	return 0;
}

int cmd_validate(int argc, char **argv)
{
	struct vopts *o = calloc(1, sizeof(*o));
	struct hp_vrun *runs = NULL;
	struct hp_vrow *rows = NULL;
	struct hp_episodes eps = {0};
	struct hp_engine_config cfg;
	struct hp_err err = {""};
	size_t i, nrows = 0;
	int rc;

	if (!o) {
		hp_errf(&err, "out of memory");
		return cli_fail(&err);
	}
	hp_read_opts_init(&o->read);
	o->spec.policy[HP_LAYER_HOST] = "kvm";
	rc = parse(argc, argv, o);
	if (rc) {
		free(o);
		return rc < 0 ? 0 : rc;
	}
	runs = calloc(o->nruns ? o->nruns : 1, sizeof(*runs));
	rows = calloc(o->nruns ? o->nruns : 1, sizeof(*rows));
	if (!runs || !rows) {
		hp_errf(&err, "out of memory");
		goto fail;
	}
	for (i = 0; i < o->nruns; i++)
		if (hp_vrun_load(o->runs[i], &runs[i], &err) < 0)
			goto fail;
	kernel_from_runs(o, runs, o->nruns);
	if (hp_engine_configure(&o->spec, &cfg, &err) < 0)
		goto fail;
	o->read.host_wakeup_ns = cfg.cost.host_wakeup_ns;
	o->read.hlt_exit_ns = cfg.cost.hlt_exit_ns;
	o->read.host_kver = cfg.kernel.version;
	if (hp_trace_read_opts(argv[optind], &o->read, &eps, &err) < 0)
		goto fail;
	{
		char e[HP_ESC_BUF], k[64];

		printf("capture:  %s (%zu halts), kernel %s\n",
		       hp_escape(argv[optind], e, sizeof(e)), eps.n,
		       hp_escape(o->spec.kernel ? o->spec.kernel : "6.11 (default)", k, sizeof(k)));
	}
	if (o->self) {
		struct hp_agreement a = {0};
		struct hp_engine_stats st;
		struct hp_metrics m;

		if (hp_replay(&eps, &cfg, &m, &st, hp_agreement_add, &a, &err) < 0)
			goto fail;
		hp_metrics_free(&m);
		if (hp_agreement_finish(&a, &err) < 0)
			goto fail;
		hp_validate_write_agreement(stdout, &a);
	}
	if (o->nruns) {
		if (hp_validate_rows(runs, o->nruns, rows, &nrows, &err) < 0)
			goto fail;
		for (i = 0; i < nrows; i++)
			if (predict(o, &eps, &rows[i], &err) < 0)
				goto fail;
		if (o->self)
			putchar('\n');
		hp_validate_write_table(stdout, rows, nrows);
	}
	hp_episodes_free(&eps);
	free(runs);
	free(rows);
	free(o);
	return 0;
fail:
	hp_episodes_free(&eps);
	free(runs);
	free(rows);
	free(o);
	return cli_fail(&err);
}
