/*
 * What a sweep config says about its grid, validated but not laid out yet:
 * the axes of $.params and $.zip, the policy stacks of $.policies (each with
 * its own params) and the kernels of $.kernel. series.c derives the grid
 * from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "hpsim/policy.h"
#include "sweep_int.h"

/* One policy stack object at path into st. */
static int parse_stack(json_t *js, const char *path, uint64_t max_points, struct sweep_stack *st,
                       struct hp_err *err)
{
	static const char *const keys[] = {"guest", "host", "vcore", "params", NULL};
	json_t *params;
	char p[PATH_LEN];
	int l, any = 0;

	snprintf(st->path, sizeof(st->path), "%.47s", path);
	if (!json_is_object(js))
		return hp_errf(
		    err, "%s: expected a policy stack object like {\"host\": \"kvm\"}, not %s",
		    path, type_name(js));
	if (check_keys(js, path, keys, err) < 0)
		return -1;
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		json_t *v = json_object_get(js, hp_layer_name((enum hp_layer)l));
		struct hp_err e;

		if (!v)
			continue;
		path_key(p, path, hp_layer_name((enum hp_layer)l));
		if (!json_is_string(v))
			return hp_errf(err, "%s: expected a policy name, not %s", p, type_name(v));
		if (!hp_policy_lookup(json_string_value(v), (enum hp_layer)l, &e))
			return hp_errf(err, "%s: %s", p, e.msg);
		st->policy[l] = xstrdup(json_string_value(v));
		if (!st->policy[l])
			return hp_errf(err, "out of memory");
		any = 1;
	}
	if (!any)
		return hp_errf(err, "%s: expected at least one of guest, host, vcore", path);
	if ((params = json_object_get(js, "params"))) {
		path_key(p, path, "params");
		if (add_param_axes(params, p, max_points, &st->axes, err) < 0)
			return -1;
	}
	return 0;
}

/* One kernel version string at path into k. */
static int parse_kernel(json_t *v, const char *path, struct sweep_kernel *k, struct hp_err *err)
{
	struct hp_err e;
	uint32_t ver;

	snprintf(k->path, sizeof(k->path), "%.47s", path);
	if (!json_is_string(v))
		return hp_errf(err, "%s: expected a kernel version string like \"6.11\"", path);
	if (hp_kver_parse(json_string_value(v), &ver, &e) < 0)
		return hp_errf(err, "%s: %s", path, e.msg);
	k->version = xstrdup(json_string_value(v));
	if (!k->version)
		return hp_errf(err, "out of memory");
	return 0;
}

/* $.policies (default {"host": "kvm"}) and $.kernel (default "6.11") into in. */
static int parse_stacks_kernels(json_t *root, uint64_t max_points, struct sweep_input *in,
                                struct hp_err *err)
{
	json_t *pol = json_object_get(root, "policies"), *ker = json_object_get(root, "kernel");
	char p[PATH_LEN];
	size_t i;
	int rc = -1;

	pol = pol ? json_incref(pol) : json_pack("{s:s}", "host", "kvm");
	ker = ker ? json_incref(ker) : json_string("6.11");
	if (!pol || !ker) {
		hp_errf(err, "out of memory");
		goto out;
	}
	if (!json_is_object(pol) && !(json_is_array(pol) && json_array_size(pol))) {
		hp_errf(err, "$.policies: expected a policy stack object or a non-empty array of "
		             "them");
		goto out;
	}
	if (!json_is_string(ker) && !(json_is_array(ker) && json_array_size(ker))) {
		hp_errf(err, "$.kernel: expected a version string or a non-empty array of them");
		goto out;
	}
	in->nkernels = json_is_array(ker) ? json_array_size(ker) : 1;
	in->kernels = calloc(in->nkernels, sizeof(*in->kernels));
	in->nstacks = json_is_array(pol) ? json_array_size(pol) : 1;
	in->stacks = calloc(in->nstacks, sizeof(*in->stacks));
	if (!in->kernels || !in->stacks) {
		hp_errf(err, "out of memory");
		goto out;
	}
	for (i = 0; i < in->nkernels; i++) {
		if (json_is_array(ker))
			path_idx(p, "$.kernel", i);
		else
			snprintf(p, sizeof(p), "$.kernel");
		if (parse_kernel(json_is_array(ker) ? json_array_get(ker, i) : ker, p,
		                 &in->kernels[i], err) < 0)
			goto out;
	}
	for (i = 0; i < in->nstacks; i++) {
		if (json_is_array(pol))
			path_idx(p, "$.policies", i);
		else
			snprintf(p, sizeof(p), "$.policies");
		if (parse_stack(json_is_array(pol) ? json_array_get(pol, i) : pol, p, max_points,
		                &in->stacks[i], err) < 0)
			goto out;
	}
	rc = 0;
out:
	json_decref(pol);
	json_decref(ker);
	return rc;
}

int sweep_input_parse(json_t *root, uint64_t max_points, struct sweep_input *in, struct hp_err *err)
{
	json_t *v;

	memset(in, 0, sizeof(*in));
	if ((v = json_object_get(root, "params")) &&
	    add_param_axes(v, "$.params", max_points, &in->global, err) < 0)
		return -1;
	if ((v = json_object_get(root, "zip")) &&
	    add_zip_axes(v, "$.zip", max_points, &in->global, err) < 0)
		return -1;
	return parse_stacks_kernels(root, max_points, in, err);
}

void sweep_input_free(struct sweep_input *in)
{
	size_t i;
	int l;

	free_raw(&in->global);
	for (i = 0; in->stacks && i < in->nstacks; i++) {
		for (l = 0; l < HP_LAYER_COUNT; l++)
			free(in->stacks[i].policy[l]);
		free_raw(&in->stacks[i].axes);
	}
	free(in->stacks);
	for (i = 0; in->kernels && i < in->nkernels; i++)
		free(in->kernels[i].version);
	free(in->kernels);
	memset(in, 0, sizeof(*in));
}
