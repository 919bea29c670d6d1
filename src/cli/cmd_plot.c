/* hpsim plot: draw sweep results, decisions logs, captures and reports with gnuplot. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hpsim/episode.h"
#include "hpsim/escape.h"
#include "hpsim/plot.h"
#include "hpsim/policy.h"
#include "hpsim/trace.h"

static const char plot_help[] =
    "usage: hpsim plot KIND INPUT... -o FILE.{png,svg,pdf} [options]\n"
    "\n"
    "Writes the plot's data as CSV beside FILE (FILE's name without its extension,\n"
    "then .KIND.csv) and draws it with gnuplot and scripts/plot/KIND.gp, 1200x800.\n"
    "\n"
    "kinds:\n"
    "  pareto RESULTS.csv     polling CPU against a latency statistic, every sweep point;\n"
    "                         the Pareto front, kernel default, recommended point and the\n"
    "                         oracle frontier (oracle.csv beside RESULTS.csv, or --oracle)\n"
    "  timeline DECISIONS.csv one vCPU's halts and poll window over time\n"
    "                         (from hpsim replay TRACE --decisions DECISIONS.csv)\n"
    "  hist TRACE [TRACE...]  halt lengths in log2 buckets, up to 4 captures overlaid\n"
    "  heatmap RESULTS.csv    a metric over two swept parameters\n"
    "  cdf REPORT.json...     wakeup-latency CDFs of replay JSON reports\n"
    "\n"
    "options:\n"
    "  -o, --output FILE    the image: .png, .svg or .pdf (required)\n"
    "  --title TEXT         replace the generated title\n"
    "  --trace NAME         pareto, heatmap: the trace of RESULTS.csv (default: the first)\n"
    "  --latency STAT       pareto: mean, p50, p90, p99 (default), p999 or max; the front\n"
    "                       is computed on it (not RESULTS.csv's objective front)\n"
    "  --oracle FILE        pareto: the oracle frontier CSV\n"
    "  --cpu N              timeline: the vCPU (default 0)\n"
    "  --from-ms A          timeline: window start after the log's first halt (default 0)\n"
    "  --to-ms B            timeline: window end (default A + 50)\n"
    "  --layer L            timeline: host (default), guest or vcore\n"
    "  --mark NAME=NS       hist: a threshold line (repeatable)\n"
    "  --policy NAME        hist: mark the policy's ns parameters at their defaults\n"
    "  --x COL --y COL      heatmap: parameter columns (default host.halt_poll_ns,\n"
    "                       host.halt_poll_ns_shrink)\n"
    "  --z COL              heatmap: the metric column (default poll_cpu_pct)\n"
    "  --series NAME        heatmap: only this series (default: all, cells averaged)\n"
    "  --label TEXT         cdf: legend label, one per report in order (default: the\n"
    "                       settings in which the reports differ)\n"
    "  -h, --help           this text\n"
    "\n"
    "environment: HPSIM_GNUPLOT (the gnuplot binary), HPSIM_PLOT_DIR (the scripts).\n";

static int parse_double(const char *opt, const char *arg, double *out)
{
	char *end;

	*out = strtod(arg, &end);
	if (end == arg || *end || !(*out >= 0 && *out < 1e12))
		return cli_usage_error("plot", "%s: '%s' is not a non-negative number", opt, arg);
	return 0;
}

static int parse_mark(struct hp_plot_request *req, char *arg)
{
	char *eq = strchr(arg, '='), *end;
	unsigned long long ns;

	if (!eq || eq == arg)
		return cli_usage_error("plot", "--mark '%s' is not of the form NAME=NS", arg);
	ns = strtoull(eq + 1, &end, 10);
	if (end == eq + 1 || *end)
		return cli_usage_error("plot", "--mark '%s': '%s' is not a number of ns", arg,
		                       eq + 1);
	if (req->nmarks == HP_PLOT_MAX_MARKS)
		return cli_usage_error("plot", "at most %d --mark", HP_PLOT_MAX_MARKS);
	*eq = '\0';
	req->marks[req->nmarks].name = arg;
	req->marks[req->nmarks].ns = ns;
	req->nmarks++;
	return 0;
}

static int parse_args(int argc, char **argv, struct hp_plot_request *req, const char **policy)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},  {"title", required_argument, NULL, 'T'},
	    {"trace", required_argument, NULL, 't'},   {"latency", required_argument, NULL, 'l'},
	    {"oracle", required_argument, NULL, 'O'},  {"cpu", required_argument, NULL, 'c'},
	    {"from-ms", required_argument, NULL, 'f'}, {"to-ms", required_argument, NULL, 'u'},
	    {"layer", required_argument, NULL, 'L'},   {"mark", required_argument, NULL, 'm'},
	    {"policy", required_argument, NULL, 'p'},  {"x", required_argument, NULL, 'x'},
	    {"y", required_argument, NULL, 'y'},       {"z", required_argument, NULL, 'z'},
	    {"series", required_argument, NULL, 's'},  {"label", required_argument, NULL, 'b'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	struct hp_err err = {""};
	double d;
	int ch, rc;

	memset(req, 0, sizeof(*req));
	*policy = NULL;
	optind = 1;
	while ((ch = cli_getopt(argc, argv, "ho:", longopts, "plot")) != -1) {
		rc = 0;
		switch (ch) {
		case 'o':
			req->output = optarg;
			break;
		case 'T':
			req->title = optarg;
			break;
		case 't':
			req->trace = optarg;
			break;
		case 'l':
			req->latency = optarg;
			break;
		case 'O':
			req->oracle = optarg;
			break;
		case 'c':
			rc = parse_double("--cpu", optarg, &d);
			req->cpu = (uint32_t)d;
			if (!rc && d != (double)req->cpu)
				rc = cli_usage_error("plot", "--cpu: '%s' is not a CPU number",
				                     optarg);
			break;
		case 'f':
			rc = parse_double("--from-ms", optarg, &req->from_ms);
			break;
		case 'u':
			rc = parse_double("--to-ms", optarg, &req->to_ms);
			break;
		case 'L':
			req->layer = optarg;
			break;
		case 'm':
			rc = parse_mark(req, optarg);
			break;
		case 'p':
			*policy = optarg;
			break;
		case 'x':
			req->x = optarg;
			break;
		case 'y':
			req->y = optarg;
			break;
		case 'z':
			req->z = optarg;
			break;
		case 's':
			req->series = optarg;
			break;
		case 'b':
			if (req->nlabels == HP_PLOT_MAX_INPUTS)
				return cli_usage_error("plot", "at most %d --label",
				                       HP_PLOT_MAX_INPUTS);
			req->labels[req->nlabels++] = optarg;
			break;
		case 'h':
			fputs(plot_help, stdout);
			exit(0);
		default: /* cli_getopt said what was wrong */
			return 2;
		}
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error("plot", "expected a plot KIND and INPUT files");
	if (hp_plot_kind_parse(argv[optind], &req->kind, &err) < 0)
		return cli_usage_error("plot", "%s", err.msg);
	optind++;
	if (optind >= argc)
		return cli_usage_error("plot", "expected at least one INPUT file");
	while (optind < argc) {
		if (req->ninputs == HP_PLOT_MAX_INPUTS)
			return cli_usage_error("plot", "at most %d INPUT files",
			                       HP_PLOT_MAX_INPUTS);
		req->inputs[req->ninputs++] = argv[optind++];
	}
	if (!req->output)
		return cli_usage_error("plot", "-o FILE.png|svg|pdf is required");
	if (!strcmp(req->output, "-"))
		return cli_usage_error("plot",
		                       "-o -: a plot is an image file with its data CSV beside it, "
		                       "not a stream; name a FILE.png, .svg or .pdf");
	return 0;
}

/* The halt lengths of each capture of a histogram into req->halts (malloc'd). */
static int read_halts(struct hp_plot_request *req, struct hp_err *err)
{
	size_t i, j;

	if (req->ninputs > HP_PLOT_HIST_MAX_INPUTS) /* hp_plot_render says so */
		return 0;
	for (i = 0; i < req->ninputs; i++) {
		struct hp_episodes eps = {0};
		uint64_t *len;

		if (hp_trace_read(req->inputs[i], &eps, err) < 0)
			return -1;
		len = malloc((eps.n ? eps.n : 1) * sizeof(*len));
		if (!len) {
			hp_episodes_free(&eps);
			return hp_errf(err, "%s: out of memory for %zu halt lengths",
			               req->inputs[i], eps.n);
		}
		for (j = 0; j < eps.n; j++)
			len[j] = eps.ep[j].wake_ns - eps.ep[j].halt_start_ns;
		req->halts[i].len_ns = len;
		req->halts[i].n = eps.n;
		hp_episodes_free(&eps);
	}
	return 0;
}

/* The policy's ns parameters at their defaults (the newest kernel, x86) into req->defaults. */
static int policy_marks(struct hp_plot_request *req, const char *name, struct hp_err *err)
{
	const struct hp_policy_ops *ops = hp_policy_find(name);
	struct hp_kernel k = {HP_ARCH_X86, HP_KVER_NEWEST};
	size_t i;

	if (!ops)
		return hp_errf(err, "--policy: unknown policy '%s' (see `hpsim policies`)", name);
	for (i = 0; i < ops->nparams; i++) {
		const struct hp_param *p = &ops->params[i];
		uint32_t def = hp_param_default(p, &k);

		if (p->type != HP_PARAM_UINT || strcmp(p->unit, "ns") || !def)
			continue;
		if (req->ndefaults == HP_PLOT_MAX_MARKS)
			return hp_errf(err, "too many marks");
		req->defaults[req->ndefaults].name = p->name;
		req->defaults[req->ndefaults].ns = def;
		req->ndefaults++;
	}
	return 0;
}

static void free_halts(struct hp_plot_request *req)
{
	size_t i;

	for (i = 0; i < HP_PLOT_HIST_MAX_INPUTS; i++)
		free((uint64_t *)req->halts[i].len_ns);
}

int cmd_plot(int argc, char **argv)
{
	struct hp_plot_request req;
	struct hp_plot_result *res;
	struct hp_err err = {""};
	const char *policy;
	int rc;

	rc = parse_args(argc, argv, &req, &policy);
	if (rc)
		return rc;
	/* the histogram's data: plot draws what it is handed */
	if (req.kind == HP_PLOT_HIST &&
	    (read_halts(&req, &err) < 0 || (policy && policy_marks(&req, policy, &err) < 0))) {
		free_halts(&req);
		return cli_fail(&err);
	}
	res = calloc(1, sizeof(*res));
	if (!res) {
		free_halts(&req);
		hp_errf(&err, "out of memory");
		return cli_fail(&err);
	}
	rc = hp_plot_render(&req, res, &err);
	free_halts(&req);
	if (rc < 0) {
		free(res);
		return cli_fail(&err);
	}
	{
		char e1[HP_ESC_BUF], e2[HP_ESC_BUF], e3[HP_ESC_BUF];

		printf("wrote %s\ndata: %s\nredraw: %s\n", hp_escape(req.output, e1, sizeof(e1)),
		       hp_escape(res->data, e2, sizeof(e2)),
		       hp_escape(res->command, e3, sizeof(e3)));
	}
	free(res);
	return 0;
}
