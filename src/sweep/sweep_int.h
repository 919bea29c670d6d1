/* Shared by the files of src/sweep/. */
#ifndef HPSIM_SWEEP_INT_H
#define HPSIM_SWEEP_INT_H

#include "hpsim/atomic_file.h"
#include "hpsim/err.h"

#include <stddef.h>
#include <stdint.h>

/*
 * hp_atomic_commit() with the mode any new file gets (0666 less the umask),
 * not the temporary file's private 0600; 0 or -1 with err.
 */
int sweep_atomic_commit(struct hp_atomic_file *a, struct hp_err *err);

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

#endif
