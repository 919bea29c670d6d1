/*
 * A test-only LD_PRELOAD library, so that the product needs no crash hook:
 * a sweep worker about to report the unit HPSIM_CRASH_SHIM_UNIT through its
 * pipe aborts instead, while that unit is still its current one, which is
 * a worker crash mid-sweep as the parent sees it. Everything else passes
 * through to the C library's write().
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpsim/sweep.h"

ssize_t write(int fd, const void *buf, size_t count)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	const char *unit = getenv("HPSIM_CRASH_SHIM_UNIT");
	const struct hp_sweep_row *row = buf;
	struct stat st;

	if (!real_write)
		real_write = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	if (unit && count >= sizeof(*row) && fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    row->unit == strtoull(unit, NULL, 10))
		abort();
	return real_write(fd, buf, count);
}
