/*
 * The CDF plot's data: total.latency.cdf of several replay JSON reports, one
 * configuration after another. Legend labels come from --label, else from
 * the settings in which the reports' configurations differ.
 */
#include <jansson.h>
#include <string.h>

#include "hpsim/atomic_file.h"
#include "plot_int.h"

#define MAX_KEYS 96

/* A configuration flattened to "name=value" entries. */
struct flat {
	char e[MAX_KEYS][96];
	size_t n;
};

static void flat_add(struct flat *f, const char *prefix, const char *key, json_t *val)
{
	char v[48];

	if (f->n == MAX_KEYS)
		return;
	if (json_is_string(val))
		snprintf(v, sizeof(v), "%s", json_string_value(val));
	else if (json_is_integer(val))
		snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT, json_integer_value(val));
	else
		return;
	snprintf(f->e[f->n++], sizeof(f->e[0]), "%s%s=%s", prefix, key, v);
}

static void flatten(json_t *root, struct flat *f)
{
	json_t *cfg = json_object_get(root, "config"), *layers, *val, *l;
	const char *key, *lname;
	char prefix[64];

	f->n = 0;
	flat_add(f, "", "kernel", json_object_get(cfg, "kernel"));
	flat_add(f, "", "arch", json_object_get(cfg, "arch"));
	flat_add(f, "", "mode", json_object_get(json_object_get(root, "engine"), "mode"));
	layers = json_object_get(cfg, "layers");
	json_object_foreach(layers, lname, l)
	{
		flat_add(f, "", lname, json_object_get(l, "policy"));
		snprintf(prefix, sizeof(prefix), "%s.", lname);
		json_object_foreach(json_object_get(l, "params"), key, val)
		    flat_add(f, prefix, key, val);
	}
	json_object_foreach(json_object_get(cfg, "cost"), key, val) flat_add(f, "", key, val);
}

static int flat_has(const struct flat *f, const char *e)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->e[i], e))
			return 1;
	return 0;
}

/* The entries of fs[i] that not every configuration shares, or the file's name. */
static void auto_label(const struct flat *fs, size_t n, size_t i, const char *path, char *buf,
                       size_t size)
{
	size_t k, j, len = 0;

	buf[0] = '\0';
	for (k = 0; k < fs[i].n && len < size; k++) {
		for (j = 0; j < n && flat_has(&fs[j], fs[i].e[k]); j++)
			;
		if (j < n)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? " " : "",
			                        fs[i].e[k]);
	}
	if (!buf[0])
		snprintf(buf, size, "%s", plot_basename(path));
}

static int load(const char *path, json_t **root, json_t **cdf, struct hp_err *err)
{
	json_error_t jerr;

	*root = json_load_file(path, 0, &jerr);
	if (!*root)
		return hp_errf(err, "%s: not a JSON report (line %d: %s)", path, jerr.line,
		               jerr.text);
	*cdf = json_object_get(json_object_get(json_object_get(*root, "total"), "latency"), "cdf");
	if (!json_is_array(*cdf))
		return hp_errf(err,
		               "%s: no total.latency.cdf (write the report with `hpsim replay "
		               "--format json` of this version)",
		               path);
	if (!json_array_size(*cdf))
		return hp_errf(err, "%s: total.latency.cdf is empty (no wakeups)", path);
	return 0;
}

int plot_cdf_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                     size_t size, struct hp_err *err)
{
	json_t *root[HP_PLOT_MAX_INPUTS] = {0}, *cdf[HP_PLOT_MAX_INPUTS];
	static const size_t flatsz = sizeof(struct flat);
	struct flat *fs = NULL;
	char titles[4096] = "", label[512];
	struct hp_atomic_file a;
	size_t i, j;
	int rc = -1;

	if (req->nlabels && req->nlabels != req->ninputs)
		return hp_errf(err, "cdf: %zu --label for %zu reports; give one per report or none",
		               req->nlabels, req->ninputs);
	for (i = 0; i < req->ninputs; i++)
		if (load(req->inputs[i], &root[i], &cdf[i], err) < 0)
			goto out;
	fs = calloc(req->ninputs, flatsz);
	if (!fs) {
		hp_errf(err, "out of memory");
		goto out;
	}
	for (i = 0; i < req->ninputs; i++)
		flatten(root[i], &fs[i]);
	if (plot_sibling(req->output, ".cdf.csv", data, size, err) < 0 ||
	    hp_atomic_open(&a, data, err) < 0)
		goto out;
	fputs("config,latency_ns,fraction\n", a.f);
	for (i = 0; i < req->ninputs; i++) {
		/* the step up from 0 at the smallest latency */
		fprintf(a.f, "%zu,%" JSON_INTEGER_FORMAT ",0\n", i + 1,
		        json_integer_value(json_array_get(json_array_get(cdf[i], 0), 0)));
		for (j = 0; j < json_array_size(cdf[i]); j++) {
			json_t *p = json_array_get(cdf[i], j);

			fprintf(a.f, "%zu,%" JSON_INTEGER_FORMAT ",%.6f\n", i + 1,
			        json_integer_value(json_array_get(p, 0)),
			        json_number_value(json_array_get(p, 1)));
		}
		if (req->nlabels)
			snprintf(label, sizeof(label), "%s", req->labels[i]);
		else
			auto_label(fs, req->ninputs, i, req->inputs[i], label, sizeof(label));
		plot_word_append(titles, sizeof(titles), label);
	}
	if (plot_csv_commit(&a, err) < 0)
		goto out;
	plot_var_str(v, "datafile", data);
	plot_var_num(v, "nconfigs", (double)req->ninputs);
	plot_var_str(v, "titles", titles);
	plot_var_str(v, "ptitle", "Wakeup latency distribution");
	rc = 0;
out:
	free(fs);
	for (i = 0; i < req->ninputs; i++)
		json_decref(root[i]);
	return rc;
}
