/* hpsim replay: one capture, one configuration, one report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/engine.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

#define MAX_SETS 64

static const char replay_help[] =
    "usage: hpsim replay TRACE [options]\n"
    "\n"
    "Replays TRACE (a trace-cmd trace.dat) through the chosen policies and prints\n"
    "per CPU and in total: halts, the KVM halt-polling statistics, polling CPU time\n"
    "as a share of wall time, and wakeup latency (mean, p50, p99, max).\n"
    "\n"
    "options:\n"
    "  --host POLICY        host policy (default: kvm); `hpsim policies` lists them\n"
    "  --set NAME=VALUE     set a policy parameter by its kernel name, e.g.\n"
    "                       --set halt_poll_ns=400000 (repeatable)\n"
    "  --kernel VERSION     kernel release whose semantics and defaults apply (default 6.11)\n"
    "  --arch ARCH          x86, arm64, s390 or ppc (default x86): defaults and arch rules\n"
    "  --cost-set NAME=NS   set a cost-model value (hlt_exit_ns, vm_entry_ns, poll_detect_ns,\n"
    "                       host_wakeup_ns, ...) (repeatable)\n"
    "  --format FMT         table (default) or json\n"
    "  -h, --help           this text\n";

struct replay_opts {
	const char *trace;
	const char *host;
	const char *format;
	const char *kernel;
	const char *arch;
	const char *decisions;
	const char *sets[MAX_SETS];
	int nsets;
	const char *cost_sets[MAX_SETS];
	int ncost;
};

static int parse_args(int argc, char **argv, struct replay_opts *o)
{
	static const struct option longopts[] = {
	    {"host", required_argument, NULL, 'H'},   {"set", required_argument, NULL, 's'},
	    {"kernel", required_argument, NULL, 'k'}, {"arch", required_argument, NULL, 'a'},
	    {"format", required_argument, NULL, 'f'}, {"cost-set", required_argument, NULL, 'c'},
		{"decisions", required_argument, NULL, 'D'},
	    {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->host = "kvm";
	o->format = "table";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H':
			o->host = optarg;
			break;
		case 's':
			if (o->nsets == MAX_SETS)
				return cli_usage_error("replay", "too many --set options");
			o->sets[o->nsets++] = optarg;
			break;
		case 'k':
			o->kernel = optarg;
			break;
		case 'a':
			o->arch = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'c':
			if (o->ncost == MAX_SETS)
				return cli_usage_error("replay", "too many --cost-set options");
			o->cost_sets[o->ncost++] = optarg;
			break;
		case 'D':
			o->decisions = optarg;
			break;
		case 'h':
			fputs(replay_help, stdout);
			exit(0);
		default:
			return cli_usage_error("replay", "unknown option");
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("replay", "expected exactly one TRACE argument");
	o->trace = argv[optind];
	if (strcmp(o->format, "table") && strcmp(o->format, "json"))
		return cli_usage_error("replay", "--format must be table or json, not '%s'",
		                       o->format);
	return 0;
}

/* Split "NAME=VALUE" into name (copied into buf) and value. */
static int split_assign(const char *arg, char *buf, size_t len, const char **value,
                        struct hp_err *err)
{
	const char *eq = strchr(arg, '=');

	if (!eq || eq == arg || (size_t)(eq - arg) >= len)
		return hp_errf(err, "'%s' is not of the form NAME=VALUE", arg);
	memcpy(buf, arg, (size_t)(eq - arg));
	buf[eq - arg] = '\0';
	*value = eq + 1;
	return 0;
}

static int configure(const struct replay_opts *o, struct hp_engine_config *cfg, struct hp_err *err)
{
	const struct hp_policy_ops *host;
	char name[128];
	const char *value;
	int i, a;

	memset(cfg, 0, sizeof(*cfg));
	cfg->kernel.arch = HP_ARCH_X86;
	cfg->kernel.version = HP_KVER_NEWEST;
	if (o->arch) {
		a = hp_arch_parse(o->arch, err);
		if (a < 0)
			return -1;
		cfg->kernel.arch = (enum hp_arch)a;
	}
	if (o->kernel && hp_kver_parse(o->kernel, &cfg->kernel.version, err) < 0)
		return -1;
	hp_cost_defaults(&cfg->cost, cfg->kernel.arch);
	for (i = 0; i < o->ncost; i++) {
		if (split_assign(o->cost_sets[i], name, sizeof(name), &value, err) < 0 ||
		    hp_cost_set(&cfg->cost, name, value, err) < 0)
			return hp_err_prefix(err, "--cost-set: ");
	}
	host = hp_policy_lookup(o->host, HP_LAYER_HOST, err);
	if (!host)
		return hp_err_prefix(err, "--host: ");
	hp_policy_defaults(host, &cfg->kernel);
	cfg->layer[HP_LAYER_HOST] = host;
	for (i = 0; i < o->nsets; i++) {
		if (split_assign(o->sets[i], name, sizeof(name), &value, err) < 0 ||
		    hp_policy_set(host, name, value, err) < 0)
			return hp_err_prefix(err, "--set: ");
	}
	return 0;
}

struct sinks {
	struct hp_metrics *m;
	FILE *decisions;
};

static void on_outcome(void *ctx, const struct hp_outcome *o)
{
	struct sinks *s = ctx;

	hp_metrics_add(s->m, o);
	if (s->decisions)
		hp_decisions_add(s->decisions, o);
}

int cmd_replay(int argc, char **argv)
{
	struct hp_atomic_file dec = {0};
	struct sinks sinks = {0};
	struct replay_opts o;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_episodes eps;
	struct hp_metrics m;
	struct hp_err err = {""};
	struct hp_run_info info;
	int rc;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (configure(&o, &cfg, &err) < 0)
		return cli_fail(&err);
	if (hp_trace_read(o.trace, &eps, &err) < 0)
		return cli_fail(&err);
	if (hp_metrics_init(&m, eps.ncpu, eps.t_last_ns - eps.t_first_ns, &err) < 0) {
		hp_episodes_free(&eps);
		return cli_fail(&err);
	}
	sinks.m = &m;
	if (o.decisions) {
		if (hp_atomic_open(&dec, o.decisions, &err) < 0) {
			hp_metrics_free(&m);
			hp_episodes_free(&eps);
			return cli_fail(&err);
		}
		sinks.decisions = dec.f;
		hp_decisions_header(dec.f);
	}
	cfg.on_outcome = on_outcome;
	cfg.ctx = &sinks;
	if (hp_engine_run(&eps, &cfg, &st, &err) < 0 ||
	    (o.decisions && hp_atomic_commit(&dec, &err) < 0)) {
		hp_atomic_abort(&dec);
		hp_metrics_free(&m);
		hp_episodes_free(&eps);
		return cli_fail(&err);
	}
	info = (struct hp_run_info){.trace = o.trace,
	                            .format = eps.format,
	                            .assumption = eps.assumption,
	                            .skipped = &eps.skipped,
	                            .cfg = &cfg,
	                            .st = &st};
	rc = 0;
	if (!strcmp(o.format, "json")) {
		if (hp_report_json(stdout, &m, &info, &err) < 0)
			rc = cli_fail(&err);
	} else {
		hp_report_table(stdout, &m, &info);
	}
	hp_metrics_free(&m);
	hp_episodes_free(&eps);
	return rc;
}
