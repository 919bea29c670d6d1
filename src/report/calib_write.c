/* hpsim calibrate's outputs: the table of measured values and the cost file (jansson). */
#include <inttypes.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/calibrate.h"

void hp_calib_write_table(FILE *f, const char *path, const struct hp_calib_result *r)
{
	size_t i;

	fprintf(f,
	        "capture:  %s (host capture: %" PRIu64 " vCPU thread%s, %" PRIu64 " halts: %" PRIu64
	        " polled, %" PRIu64 " slept; %" PRIu64 " kvm_exit HLT, %" PRIu64 " kvm_entry)\n\n",
	        path, r->threads, r->threads == 1 ? "" : "s", r->halts, r->polled, r->slept,
	        r->hlt_exits, r->entries);
	fprintf(f, "%-28s %8s %9s %9s %9s %9s %10s  %s\n", "value (ns)", "n", "p10", "p50", "p90",
	        "p99", "mean", "measured from");
	for (i = 0; i < r->nv; i++) {
		const struct hp_calib_value *v = &r->v[i];
		char name[40];

		snprintf(name, sizeof(name), "%s%s", v->name, v->cost_field ? "" : " (part)");
		if (!v->n) {
			fprintf(f, "%-28s %8s  not measured: %s\n", name, "-", v->why);
			continue;
		}
		fprintf(f,
		        "%-28s %8" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64
		        " %10.1f  %s\n",
		        name, v->n, v->q[HP_CALIB_P10], v->q[HP_CALIB_P50], v->q[HP_CALIB_P90],
		        v->q[HP_CALIB_P99], v->mean_ns, v->from);
	}
	fprintf(f, "\nThe cost file holds the measured cost-model values (not the parts); the "
	           "others keep the defaults of `hpsim cost`.\n");
}

int hp_calib_write_cost(FILE *f, const struct hp_calib_result *r, bool constant, struct hp_err *err)
{
	json_t *root = json_object();
	size_t i;
	int k, rc;

	for (i = 0; i < r->nv; i++) {
		const struct hp_calib_value *v = &r->v[i];
		json_t *o, *q;

		if (!v->cost_field || !v->n)
			continue;
		if (constant) {
			json_object_set_new(root, v->name,
			                    json_integer((json_int_t)v->q[HP_CALIB_P50]));
			continue;
		}
		o = json_object();
		q = json_array();
		for (k = 0; k < HP_CALIB_NQ; k++)
			json_array_append_new(
			    q, json_pack("[f, I]", hp_calib_p[k], (json_int_t)v->q[k]));
		json_object_set_new(o, "quantiles", q);
		json_object_set_new(o, "samples", json_integer((json_int_t)v->n));
		json_object_set_new(root, v->name, o);
	}
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
	json_decref(root);
	if (rc < 0 || fputc('\n', f) == EOF)
		return hp_errf(err, "writing the cost file failed");
	return 0;
}
