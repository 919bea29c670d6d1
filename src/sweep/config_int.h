/* Shared by the sweep config parser's files (config.c, config_json.c, axes.c, inputs.c, stacks.c,
 * series.c). */
#ifndef HPSIM_SWEEP_CONFIG_INT_H
#define HPSIM_SWEEP_CONFIG_INT_H

#include <jansson.h>

#include "hpsim/sweep.h"

#define PATH_LEN 512

/* path + ".key" (or ["key"] when the key is not a plain name). */
void path_key(char *out, const char *path, const char *key);

/* path + "[i]". */
void path_idx(char *out, const char *path, size_t i);

/* What kind of JSON value v is, for messages ("an object"). */
const char *type_name(const json_t *v);

/* strdup (POSIX, not C11); NULL when out of memory. */
char *xstrdup(const char *s);

/* Reject keys other than the allowed ones. */
int check_keys(json_t *obj, const char *path, const char *const *allowed, struct hp_err *err);

/* A non-negative integer (a real must be integral) up to max. */
int get_uint(json_t *v, const char *path, uint64_t max, uint64_t *out, struct hp_err *err);

/* Any JSON number as a double. */
int get_number(json_t *v, const char *path, double *out, struct hp_err *err);

/*
 * A parameter's values: a number, a list, {from,to,step} or
 * {from,to,per_decade}. Never more than limit values.
 */
int expand_values(json_t *v, const char *path, uint64_t limit, uint32_t **vals, size_t *n,
                  struct hp_err *err);

/* Raw axes, before qualification against a series' policies. */
struct raw_axes {
	size_t n;
	struct hp_sweep_axis ax[64];
};

/* Free an axis' names, values and path, and zero it. */
void axis_free(struct hp_sweep_axis *a);

/* One raw axis per key of a params object ($.params, a stack's params). */
int add_param_axes(json_t *params, const char *path, uint64_t limit, struct raw_axes *ra,
                   struct hp_err *err);

/* One raw axis per zipped group of $.zip (groups move together). */
int add_zip_axes(json_t *zip, const char *path, uint64_t limit, struct raw_axes *ra,
                 struct hp_err *err);

/* $.objective: the latency statistic and the constraints. */
int parse_objective(json_t *o, struct hp_sweep_config *c, struct hp_err *err);

/* $.cost: a cost file (relative to dir) or an object of NAME: NS. */
int parse_cost(json_t *v, const char *dir, struct hp_sweep_config *c, struct hp_err *err);

/* $.traces: capture paths (relative to dir) and generator specs. */
int parse_traces(json_t *t, const char *dir, unsigned flags, struct hp_sweep_config *c,
                 struct hp_err *err);

/* $.oracle: false, or the oracle frontier's layer and window range. */
int parse_oracle(json_t *o, struct hp_sweep_config *c, struct hp_err *err);

/* Free raw axes' contents. */
void free_raw(struct raw_axes *ra);

/* A policy stack as the config wrote it ($.policies, or one entry of it). */
struct sweep_stack {
	char *policy[HP_LAYER_COUNT]; /* NULL: layer absent */
	char path[48];                /* "$.policies", "$.policies[1]" */
	struct raw_axes axes;         /* its own params, unqualified */
};

/* A kernel release as the config wrote it ($.kernel, or one entry of it). */
struct sweep_kernel {
	char *version; /* "6.11" */
	char path[48]; /* "$.kernel", "$.kernel[0]" */
};

/*
 * What the config says about its grid, validated (policies exist, kernels
 * parse, values expand) but not laid out: no parameter is qualified with a
 * layer yet, no point numbered. The config's other keys (traces, cost,
 * objective, oracle, recommend, ...) are parsed straight into the config.
 */
struct sweep_input {
	struct raw_axes global; /* $.params, then $.zip */
	size_t nstacks;
	struct sweep_stack *stacks;
	size_t nkernels;
	struct sweep_kernel *kernels;
};

/* $.params, $.zip, $.policies (default {"host": "kvm"}) and $.kernel (default "6.11") of root
 * into in; values limited to max_points. 0, or -1 with err naming the path (free in either way). */
int sweep_input_parse(json_t *root, uint64_t max_points, struct sweep_input *in,
                      struct hp_err *err);

/* Free what in owns. */
void sweep_input_free(struct sweep_input *in);

/*
 * The grid layout derived from in (c's traces and max_points already set):
 * series (stacks x kernels, each with the global axes then its stack's own,
 * qualified with their layers), parameter columns, point numbering, each
 * series' default point. 0, or -1 with err naming the path.
 */
int sweep_grid_build(const struct sweep_input *in, struct hp_sweep_config *c, struct hp_err *err);

#endif
