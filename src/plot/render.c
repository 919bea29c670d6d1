/* hp_plot_render: the kind's data CSV beside the image, then its gnuplot script. */
#include <string.h>

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

int hp_plot_render(const struct hp_plot_request *req, struct hp_plot_result *res,
                   struct hp_err *err)
{
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
	if (k->prepare(req, &v, data, sizeof(data), err) < 0)
		return -1;
	if (req->title)
		plot_var_str(&v, "ptitle", req->title);
	if (res) {
		memset(res, 0, sizeof(*res));
		snprintf(res->data, sizeof(res->data), "%s", data);
	}
	return plot_gnuplot_run(k->script, &v, req->output, res, err);
}
