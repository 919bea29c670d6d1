/* hpsim replay: one capture, one configuration, one report. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/engine.h"
#include "hpsim/recorded.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

#define MAX_SETS 64

static const char replay_help[] =
    "usage: hpsim replay TRACE [options]\n"
    "\n"
    "Replays TRACE (trace.dat, trace-cmd report text or episode CSV) through the chosen policies "
    "and prints\n"
    "per vCPU and in total: halts, the KVM halt-polling statistics per layer, where\n"
    "wall time went (busy, guest poll, host poll, sleep, transitions), successful and\n"
    "wasted polling, and wakeup latency (mean, p50, p90, p99, p99.9, max).\n"
    "\n"
    "policies (at least one layer; default: --host kvm):\n"
    "  --guest POLICY       guest layer: haltpoll (cpuidle-haltpoll), none, fixed, oracle\n"
    "  --host POLICY        host layer: kvm (kvm_vcpu_halt), none, fixed, oracle\n"
    "  --vcore POLICY       powerpc Book3S HV vcore layer: vcore (instead of --host)\n"
    "  --vcore-size N       N consecutive vCPUs share a vcore (default 1; needs --vcore)\n"
    "  --set NAME=VALUE     a policy parameter by its kernel name, e.g. halt_poll_ns=400000;\n"
    "                       LAYER.NAME when two layers share a name (repeatable)\n"
    "  --kernel VERSION     kernel release whose semantics and defaults apply (default 6.11);\n"
    "                       host captures: from 6.12 a task that blocked stays queued on its\n"
    "                       CPU (delayed dequeue) and stops host polls there\n"
    "  --arch ARCH          x86, arm64, s390 or ppc (default x86): defaults and arch rules\n"
    "\n"
    "model:\n"
    "  --mode MODE          open (default: wakeups at their recorded times) or closed\n"
    "                       (a vCPU's later activity moves by the latency its halts took)\n"
    "  --cost FILE          cost model from JSON (start from `hpsim cost --arch ARCH`)\n"
    "  --cost-set NAME=NS   one cost-model value, after --cost (repeatable); NS may be\n"
    "                       lognormal:MEDIAN:P99 for a log-normal distribution\n"
    "  --host-load F        another host task runnable a fraction F (0..1) of the time\n"
    "  --host-load-model M  poisson (default) or periodic\n"
    "  --host-load-burst-us U  mean (poisson) or exact (periodic) busy burst, us (default 50)\n"
    "  --seed N             the seed of the load model and of cost distributions (default 1)\n"
    "  --host-idle T        host CPU idle states: skx, icx, spr, a table file (`hpsim\n"
    "                       idle-states`), or none (default: every wakeup costs the same)\n"
    "  --host-governor G    the host cpuidle governor choosing them: menu (default), teo,\n"
    "                       ladder\n"
    "  --host-latency-req NS  PM QoS resume-latency limit for the governor (default none)\n"
    "  --host-idle-horizon NS the next host timer after an idle entry whose wakeup is not\n"
    "                       a timer (default 10000000)\n"
    "\n"
    "output:\n"
    "  --format FMT         table (default), json or csv\n"
    "  --decisions FILE     every layer's decision per halt, as CSV\n"
    "  --emit-trace FILE    the simulated run as `trace-cmd report` text\n"
    "  --no-cache           do not use or write the episode cache (also HPSIM_NO_CACHE=1)\n"
    "  --cache-dir DIR      the episode cache there (default $XDG_CACHE_HOME/hpsim)\n"
    "\n"
    "input:\n"
    "  --lenient            skip and count garbled report-text lines instead of failing\n"
    "  --salvage            a truncated trace.dat: replay the halts up to the cut (warns)\n"
    "  --vcpu-map PID=N,... host captures: thread PID runs vCPU N (default: \"CPU n/KVM\")\n"
    "  --recorded-with S    guest captures: the settings in force while recording, a\n"
    "                       FILE.settings.json from `hpsim record` or NAME=VALUE,...\n"
    "                       (halt_poll_ns=200000); removes the recording host's wake path\n"
    "                       from halts that slept there (repeatable)\n"
    "  -h, --help           this text\n"
    "\n"
    "`hpsim compare A.json B.json` compares two JSON reports.\n";

struct replay_opts {
	const char *trace;
	const char *format;
	const char *decisions;
	const char *emit_trace;
	struct hp_load_model load;
	struct hp_run_spec spec;
	struct hp_read_opts read;
	struct hp_recorded recorded;
	int have_recorded;
	struct cli_run_opts run; /* the options shared with validate */
};

static int parse_number(const char *opt, const char *arg, double *out, double lo, double hi)
{
	char *end;

	*out = strtod(arg, &end);
	if (end == arg || *end || !(*out >= lo && *out <= hi))
		return cli_usage_error("replay", "%s: '%s' is not a number in %g..%g", opt, arg, lo,
		                       hi);
	return 0;
}

static int parse_args(int argc, char **argv, struct replay_opts *o)
{
	static const struct option longopts[] = {
	    {"host", required_argument, NULL, 'H'},
	    {"guest", required_argument, NULL, 'G'},
	    {"vcore", required_argument, NULL, 'V'},
	    {"format", required_argument, NULL, 'f'},
	    {"decisions", required_argument, NULL, 'D'},
	    {"emit-trace", required_argument, NULL, 'E'},
	    {"mode", required_argument, NULL, 'M'},
	    {"host-load", required_argument, NULL, 'L'},
	    {"host-load-model", required_argument, NULL, 'K'},
	    {"host-load-burst-us", required_argument, NULL, 'B'},
	    {"seed", required_argument, NULL, 'S'},
	    {"host-idle", required_argument, NULL, 'I'},
	    {"host-governor", required_argument, NULL, 'g'},
	    {"host-latency-req", required_argument, NULL, 'q'},
	    {"host-idle-horizon", required_argument, NULL, 'z'},
	    {"cache-dir", required_argument, NULL, 'Q'},
	    {"vcore-size", required_argument, NULL, 'N'},
	    {"lenient", no_argument, NULL, 'l'},
	    {"salvage", no_argument, NULL, 'y'},
	    {"recorded-with", required_argument, NULL, 'R'},
	    {"help", no_argument, NULL, 'h'},
	    CLI_RUN_LONGOPTS,
	    {NULL, 0, NULL, 0},
	};
	int ch, rc;

	memset(o, 0, sizeof(*o));
	hp_read_opts_init(&o->read);
	o->run.spec = &o->spec;
	o->run.read = &o->read;
	o->format = "table";
	o->load.burst_ns = 50000;
	o->load.seed = 1;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "replay")) != -1) {
		rc = cli_run_option(&o->run, ch, optarg, "replay");
		if (rc > 0)
			return rc;
		if (rc == 0)
			continue;
		rc = 0;
		switch (ch) {
		case 'H':
			o->spec.policy[HP_LAYER_HOST] = optarg;
			break;
		case 'G':
			o->spec.policy[HP_LAYER_GUEST] = optarg;
			break;
		case 'V':
			o->spec.policy[HP_LAYER_VCORE] = optarg;
			break;
		case 'f':
			o->format = optarg;
			break;
		case 'D':
			o->decisions = optarg;
			break;
		case 'E':
			o->emit_trace = optarg;
			break;
		case 'M':
			o->spec.mode = optarg;
			break;
		case 'L':
			rc = parse_number("--host-load", optarg, &o->load.fraction, 0, 1);
			break;
		case 'K':
			if (!strcmp(optarg, "poisson"))
				o->load.kind = HP_LOAD_POISSON;
			else if (!strcmp(optarg, "periodic"))
				o->load.kind = HP_LOAD_PERIODIC;
			else
				rc = cli_usage_error("replay",
				                     "--host-load-model must be poisson or "
				                     "periodic, not '%s'",
				                     optarg);
			break;
		case 'B': {
			double us;

			rc = parse_number("--host-load-burst-us", optarg, &us, 0.001, 1e9);
			o->load.burst_ns = (uint64_t)(us * 1000);
			break;
		}
		case 'S': {
			double seed;

			rc = parse_number("--seed", optarg, &seed, 0, 1e15);
			o->load.seed = (uint64_t)seed;
			if (!rc && seed != (double)o->load.seed)
				rc = cli_usage_error("replay", "--seed: '%s' is not a whole number",
				                     optarg);
			break;
		}
		case 'Q':
			o->read.cache_dir = optarg;
			break;
		case 'I':
			o->spec.idle.table = optarg;
			break;
		case 'g':
			o->spec.idle.governor = optarg;
			break;
		case 'q':
			o->spec.idle.latency_req = optarg;
			break;
		case 'z':
			o->spec.idle.horizon = optarg;
			break;
		case 'N': {
			double n;

			rc = parse_number("--vcore-size", optarg, &n, 1, 1024);
			o->spec.vcore_size = (uint32_t)n;
			if (!rc && n != (double)o->spec.vcore_size)
				rc = cli_usage_error(
				    "replay", "--vcore-size: '%s' is not a whole number", optarg);
			break;
		}
		case 'l':
			o->read.lenient = 1;
			break;
		case 'R': {
			struct hp_err e;

			o->have_recorded = 1;
			if (hp_recorded_add(&o->recorded, optarg, &e) < 0)
				rc = cli_usage_error("replay", "%s", e.msg);
			break;
		}
		case 'y':
			o->read.salvage = 1;
			break;
		case 'h':
			fputs(replay_help, stdout);
			exit(0);
		default: /* cli_getopt said what was wrong */
			return 2;
		}
		if (rc)
			return rc;
	}
	if (optind != argc - 1)
		return cli_usage_error("replay", "expected exactly one TRACE argument");
	o->trace = argv[optind];
	if (strcmp(o->format, "table") && strcmp(o->format, "json") && strcmp(o->format, "csv"))
		return cli_usage_error("replay", "--format must be table, json or csv, not '%s'",
		                       o->format);
	if (!o->spec.policy[HP_LAYER_GUEST] && !o->spec.policy[HP_LAYER_HOST] &&
	    !o->spec.policy[HP_LAYER_VCORE])
		o->spec.policy[HP_LAYER_HOST] = "kvm";
	return 0;
}

/* The per-halt outputs besides the metrics. */
struct sinks {
	FILE *decisions;
	struct hp_trace_emit *emit;
};

static void to_sinks(void *ctx, const struct hp_outcome *o)
{
	struct sinks *s = ctx;

	if (s->decisions)
		hp_decisions_add(s->decisions, o);
	if (s->emit)
		hp_trace_emit_add(s->emit, o);
}

static void print_report(const struct replay_opts *o, const struct hp_episodes *eps,
                         const struct hp_engine_config *cfg, const struct hp_engine_stats *st,
                         const struct hp_metrics *m, struct hp_err *err, int *rc)
{
	struct hp_run_info info = {.trace = o->trace,
	                           .format = eps->format,
	                           .assumption = eps->assumption,
	                           .skipped = &eps->skipped,
	                           .cfg = cfg,
	                           .st = st,
	                           .load = &o->load,
	                           .cost_file = o->spec.cost_file};

	if (!strcmp(o->format, "json")) {
		if (hp_report_json(stdout, m, &info, err) < 0)
			*rc = cli_fail(err);
	} else if (!strcmp(o->format, "csv")) {
		if (hp_report_csv(stdout, m, &info, err) < 0)
			*rc = cli_fail(err);
	} else {
		hp_report_table(stdout, m, &info);
	}
}

int cmd_replay(int argc, char **argv)
{
	struct hp_atomic_file dec = {0}, emit = {0};
	struct sinks sinks = {0};
	struct replay_opts o;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_episodes eps = {0};
	struct hp_episode_source src = {0};
	struct hp_metrics m = {0};
	struct hp_err err = {""};
	int rc, have_metrics = 0;

	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc;
	if (hp_engine_configure(&o.spec, &cfg, &err) < 0)
		return cli_fail(&err);
	cli_note_param_bases(o.spec.params, o.spec.nparams);
	cfg.cost.seed = o.load.seed;
	hp_read_opts_cost(&o.read, &cfg.cost);
	o.read.host_kver = cfg.kernel.version; /* 6.12+: delayed dequeue in host contention */
	/* from the episode cache the episodes are streamed: memory does not grow with them */
	if (hp_trace_open_source(o.trace, &o.read, &eps, &src, &err) < 0)
		return cli_fail(&err);
	if (o.have_recorded) {
		struct hp_recorded_stats rs;

		/* replays the recording host, whose settings are globals: configure again after */
		if (hp_recorded_correct(&eps, &o.recorded, &cfg.cost, &rs, &err) < 0 ||
		    hp_engine_configure(&o.spec, &cfg, &err) < 0)
			goto fail;
	}
	if (hp_load_apply(&eps, &o.load, &err) < 0)
		goto fail;
	if (o.decisions) {
		if (hp_atomic_open(&dec, o.decisions, &err) < 0)
			goto fail;
		sinks.decisions = dec.f;
		hp_decisions_header(dec.f);
	}
	if (o.emit_trace) {
		/* opened before the run: an unwritable path fails before anything is written */
		if (hp_atomic_open(&emit, o.emit_trace, &err) < 0)
			goto fail;
		sinks.emit = hp_trace_emit_new(eps.ncpu);
		if (!sinks.emit) {
			hp_errf(&err, "out of memory");
			goto fail;
		}
	}
	if (hp_replay_source(&src, &cfg, &m, &st, to_sinks, &sinks, &err) < 0)
		goto fail;
	have_metrics = 1;
	if (o.emit_trace) {
		struct hp_trace_emit *e = sinks.emit;

		sinks.emit = NULL;
		if (hp_trace_emit_finish(e, emit.f, &err) < 0)
			goto fail;
	}
	/* every output written in full; only now is any of them put in place */
	if ((o.decisions && hp_atomic_commit(&dec, &err) < 0) ||
	    (o.emit_trace && hp_atomic_commit(&emit, &err) < 0))
		goto fail;
	rc = 0;
	print_report(&o, &eps, &cfg, &st, &m, &err, &rc);
	hp_metrics_free(&m);
	hp_source_close(&src);
	hp_episodes_free(&eps);
	return rc;
fail:
	hp_atomic_abort(&dec);
	hp_atomic_abort(&emit);
	if (sinks.emit)
		hp_trace_emit_finish(sinks.emit, NULL, NULL);
	if (have_metrics)
		hp_metrics_free(&m);
	hp_source_close(&src);
	hp_episodes_free(&eps);
	return cli_fail(&err);
}
