/* Shared by the files of src/sweep/. */
#ifndef HPSIM_SWEEP_INT_H
#define HPSIM_SWEEP_INT_H

#include "hpsim/atomic_file.h"
#include "hpsim/err.h"
#include "hpsim/sweep.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A cost value of a sweep config that is a distribution object, as the text
 * hp_cost_set() reads (malloc'd); NULL with err naming path.
 */
struct json_t;
char *sweep_cost_dist_text(struct json_t *v, const char *key, const char *path,
                           struct hp_err *err);

/*
 * The config's "host_idle" and "host_governor" keys into c (each optional);
 * dir resolves a relative table file. 0, or -1 with err naming the key.
 */
struct hp_sweep_config;
int sweep_parse_host_idle(struct json_t *root, const char *dir, struct hp_sweep_config *c,
                          struct hp_err *err);

/* The policies of series s, per layer (NULL where it has none). */
void sweep_series_ops(const struct hp_sweep_series *s,
                      const struct hp_policy_ops *ops[HP_LAYER_COUNT]);

/*
 * The default of a parameter (NAME or LAYER.NAME, resolved by
 * hp_param_resolve) for series s: its kernel, the config's arch; 0 if none.
 */
uint32_t sweep_param_default(const struct hp_sweep_config *c, const struct hp_sweep_series *s,
                             const char *qname);

/* Units whose worker process died (killed from outside, crashed) and the first one's status. */
struct sweep_lost {
	uint64_t *unit;
	size_t n, cap;
	int first_status; /* waitpid status */
};

struct hp_sweep_config;

/* Record a lost unit; 0 or -1 when out of memory. */
int sweep_lost_add(struct sweep_lost *l, uint64_t unit, int status);

/* The error naming the lost units (trace and parameters) and how to rerun them. */
void sweep_lost_message(const struct hp_sweep_config *c, const struct sweep_lost *l,
                        struct hp_err *err);

/* Refuse (error naming path) when count items of bytes_each would need more than half the
 * machine's memory; 0 or -1 with err giving the estimate. */
int sweep_check_memory(double count, double bytes_each, const char *path, const char *what,
                       struct hp_err *err);

struct json_t;

/* A JSON boolean (or one in a list) for parameter name is an error naming path unless name
 * is a boolean parameter; 0 or -1 with err. */
int sweep_check_bools(struct json_t *v, const char *name, const char *path, struct hp_err *err);

/* $.recorded_with and $.recorded_with_trace into c->recorded (config_recorded.c); 0 or -1. */
int sweep_parse_recorded(struct json_t *root, const char *dir, struct hp_sweep_config *c,
                         struct hp_err *err);

/* Free c->recorded. */
void sweep_free_recorded(struct hp_sweep_config *c);

/* The step $.recommend.round names for a qualified parameter, or 0 (the 1-2-5 series). */
uint32_t sweep_round_step(const struct hp_sweep_config *c, const char *qname);

/* Is a series' parameter at value v one that recommendations round (ns, 100 or more)? */
bool sweep_param_rounded(const struct hp_sweep_series *s, const char *qname, uint32_t v);

#endif
