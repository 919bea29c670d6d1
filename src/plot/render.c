/* hp_plot_render: the kind's data CSV beside the image, then its gnuplot script. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot_int.h"

struct kind {
	const char *name;
	const char *script;
	int (*prepare)(const struct hp_plot_request *req, struct plot_vars *v, char *data,
	               size_t size, struct hp_err *err);
};

static const struct kind kinds[HP_PLOT_KIND_COUNT] = {
    [HP_PLOT_PARETO] = {"pareto", "pareto.gp", plot_pareto_prepare},
    [HP_PLOT_TIMELINE] = {"timeline", "timeline.gp", plot_timeline_prepare},
    [HP_PLOT_HIST] = {"hist", "hist.gp", plot_hist_prepare},
    [HP_PLOT_HEATMAP] = {"heatmap", "heatmap.gp", plot_heatmap_prepare},
    [HP_PLOT_CDF] = {"cdf", "cdf.gp", plot_cdf_prepare},
};

int hp_plot_kind_parse(const char *name, enum hp_plot_kind *kind, struct hp_err *err)
{
	int i;

	for (i = 0; i < HP_PLOT_KIND_COUNT; i++)
		if (!strcmp(name, kinds[i].name)) {
			*kind = (enum hp_plot_kind)i;
			return 0;
		}
	return hp_errf(err, "unknown plot kind '%s' (valid: pareto, timeline, hist, heatmap, cdf)",
	               name);
}

/* Every data file a kind writes beside the image: base + one of these. */
static const char *const data_suffixes[] = {".pareto.csv", ".oracle.csv", ".labels.csv",
                                            ".timeline.csv", ".hist.csv", ".heatmap.csv",
                                            ".cdf.csv"};
#define NDATA (sizeof(data_suffixes) / sizeof(data_suffixes[0]))

/*
 * The data files as they were before this plot: each existing one is kept
 * under a hard link (PATH.keep), so that a failed plot (gnuplot failing, an
 * input going bad half way) puts them all back and the outputs change
 * together or not at all.
 */
struct kept {
	char path[NDATA][4096];
	char keep[NDATA][4120];
	int had[NDATA];
};

static void keep_data(const char *output, struct kept *k)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < NDATA; i++) {
		if (plot_sibling(output, data_suffixes[i], k->path[i], sizeof(k->path[i]), NULL) < 0) {
			k->path[i][0] = '\0';
			continue;
		}
		snprintf(k->keep[i], sizeof(k->keep[i]), "%s.keep", k->path[i]);
		unlink(k->keep[i]);
		k->had[i] = link(k->path[i], k->keep[i]) == 0;
	}
}

/* ok: drop the kept copies; else put every data file back as it was. */
static void restore_data(const struct kept *k, int ok)
{
	size_t i;

	for (i = 0; i < NDATA; i++) {
		if (!k->path[i][0])
			continue;
		if (ok) {
			if (k->had[i])
				unlink(k->keep[i]);
		} else if (k->had[i]) {
			rename(k->keep[i], k->path[i]);
		} else {
			unlink(k->path[i]); /* this plot's new file: it had none before */
		}
	}
}

int hp_plot_render(const struct hp_plot_request *req, struct hp_plot_result *res,
                   struct hp_err *err)
{
	struct kept *kept;
	int rc;
	struct plot_vars v = {0};
	char data[4096] = "";
	const struct kind *k;

	if ((unsigned)req->kind >= HP_PLOT_KIND_COUNT)
		return hp_errf(err, "unknown plot kind %d", (int)req->kind);
	k = &kinds[req->kind];
	if (!req->output || !*req->output)
		return hp_errf(err, "%s: no output file given", k->name);
	if (plot_check_output(req->output, err) < 0)
		return -1;
	if (!req->ninputs)
		return hp_errf(err, "%s: no input file given", k->name);
	kept = malloc(sizeof(*kept));
	if (!kept)
		return hp_errf(err, "out of memory");
	keep_data(req->output, kept);
	rc = k->prepare(req, &v, data, sizeof(data), err);
	if (rc == 0) {
		if (req->title)
			plot_var_str(&v, "ptitle", req->title);
		if (res) {
			memset(res, 0, sizeof(*res));
			snprintf(res->data, sizeof(res->data), "%s", data);
		}
		rc = plot_gnuplot_run(k->script, &v, req->output, res, err);
	}
	restore_data(kept, rc == 0);
	free(kept);
	return rc;
}
