/*
 * Plots: hpsim prepares a data CSV beside the requested image and runs one
 * gnuplot script per plot kind (scripts/plot/KIND.gp) to draw it.
 */
#ifndef HPSIM_PLOT_H
#define HPSIM_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/err.h"

enum hp_plot_kind {
	HP_PLOT_PARETO = 0, /* CPU cost against a latency statistic, per sweep point */
	HP_PLOT_TIMELINE,   /* one vCPU's halts and poll window over time (decisions log) */
	HP_PLOT_HIST,       /* log2 histogram of a capture's halt lengths */
	HP_PLOT_HEATMAP,    /* a metric over two swept parameters */
	HP_PLOT_CDF,        /* wakeup-latency CDFs of several replay JSON reports */
	HP_PLOT_KIND_COUNT
};

#define HP_PLOT_MAX_INPUTS 16
#define HP_PLOT_PATH       4096
#define HP_PLOT_MAX_MARKS  16

/* A vertical threshold line of a histogram. */
struct hp_plot_mark {
	const char *name;
	uint64_t ns;
};

/* The halt lengths of one capture, for the histogram (the caller reads the capture). */
struct hp_plot_halts {
	const uint64_t *len_ns; /* each halt's wakeup arrival minus its start, ns */
	size_t n;
};

/* hist: the most captures overlaid. */
#define HP_PLOT_HIST_MAX_INPUTS 4

/* What to draw; fields a kind does not use are ignored. NULL/0 means the default. */
struct hp_plot_request {
	enum hp_plot_kind kind;
	const char *inputs[HP_PLOT_MAX_INPUTS];
	size_t ninputs;
	const char *output; /* FILE.png, FILE.svg or FILE.pdf */
	const char *title;  /* overrides the generated title */
	/* pareto, heatmap */
	const char *trace;     /* which trace of a results.csv (default: the first) */
	const char *latency;   /* pareto: mean, p50, p90, p99 (default), p999, max */
	const char *oracle;    /* pareto: oracle frontier (default: oracle.csv beside the input) */
	const char *series;    /* heatmap: only this series (default: all, cells averaged) */
	const char *x, *y, *z; /* heatmap: two parameter columns and a metric column */
	/* timeline */
	uint32_t cpu;
	double from_ms, to_ms; /* window relative to the log's first halt (default 0..50) */
	const char *layer;     /* host (default), guest or vcore */
	/* hist: inputs[i] names the capture whose halts are halts[i] */
	struct hp_plot_halts halts[HP_PLOT_HIST_MAX_INPUTS];
	struct hp_plot_mark defaults[HP_PLOT_MAX_MARKS]; /* a policy's ns parameters, drawn first */
	size_t ndefaults;
	struct hp_plot_mark marks[HP_PLOT_MAX_MARKS];
	size_t nmarks;
	/* cdf */
	const char *labels[HP_PLOT_MAX_INPUTS];
	size_t nlabels;
};

/* What a render produced besides the image, so the user can rerun gnuplot by hand. */
struct hp_plot_result {
	char data[4096];    /* the main data CSV written beside the image */
	char command[8192]; /* the gnuplot command line that drew the image */
};

/* Parse a plot kind name ("pareto", ...); 0, or -1 with err listing the kinds. */
int hp_plot_kind_parse(const char *name, enum hp_plot_kind *kind, struct hp_err *err);

/* Write the data CSV beside req->output and draw it with gnuplot; 0 or -1 with err. */
int hp_plot_render(const struct hp_plot_request *req, struct hp_plot_result *res,
                   struct hp_err *err);

/* hp_plot_sweep(): the most images it draws (traces x (1 + 2 x series), each at most 16). */
#define HP_PLOT_SWEEP_MAX (HP_PLOT_MAX_INPUTS * (1 + 2 * HP_PLOT_MAX_INPUTS))

/*
 * The plots of a finished sweep in dir: per trace a Pareto plot (latency: the
 * objective's statistic, NULL for p99) and, for each series sweeping two or
 * more parameters, heatmaps of poll_cpu_pct and that latency over the first
 * two it sweeps (that series' points only), for the first HP_PLOT_MAX_INPUTS
 * traces and series; at most max images (HP_PLOT_SWEEP_MAX is all of them),
 * their paths in list[0..*n). 0, or -1 with err.
 */
int hp_plot_sweep(const char *dir, const char *latency, char (*list)[HP_PLOT_PATH], size_t *n,
                  size_t max, struct hp_err *err);

#endif
