/* Output files written atomically (a temporary file beside the target, renamed on commit), and
 * whole buffers written to a descriptor. */
#ifndef HPSIM_ATOMIC_FILE_H
#define HPSIM_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "hpsim/err.h"

struct hp_atomic_file {
	FILE *f;
	char path[4096];
	char tmp[4096];
};

/* Open a temporary file for path ("-" means stdout, written directly); 0 or -1 with err. */
int hp_atomic_open(struct hp_atomic_file *a, const char *path, struct hp_err *err);

/* Flush, sync and rename the temporary file over path with the mode of a new file (0666 less
 * the umask); 0 or -1 with err (the target is untouched).
 */
int hp_atomic_commit(struct hp_atomic_file *a, struct hp_err *err);

/* Discard the temporary file; the target is untouched. */
void hp_atomic_abort(struct hp_atomic_file *a);

/* Write all n bytes of p to fd, retrying short writes and EINTR; 0 or -1 with errno set. */
int hp_write_all(int fd, const void *p, size_t n);

#endif
