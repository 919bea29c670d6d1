/* Shared by the files of src/sweep/. */
#ifndef HPSIM_SWEEP_INT_H
#define HPSIM_SWEEP_INT_H

#include "hpsim/atomic_file.h"
#include "hpsim/err.h"

/*
 * hp_atomic_commit() with the mode any new file gets (0666 less the umask),
 * not the temporary file's private 0600; 0 or -1 with err.
 */
int sweep_atomic_commit(struct hp_atomic_file *a, struct hp_err *err);

struct json_t;

/* A JSON boolean (or one in a list) for parameter name is an error naming path unless name
 * is a boolean parameter; 0 or -1 with err. */
int sweep_check_bools(struct json_t *v, const char *name, const char *path, struct hp_err *err);

#endif
