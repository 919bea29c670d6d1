/*
 * A sweep config can ask for more memory than the machine has (max_points
 * raised to 1e12 with a range of billions of values): refused up front with
 * the estimate, rather than allocating until the machine runs out.
 */
#include <stdio.h>
#include <unistd.h>

#include "sweep_int.h"

int sweep_check_memory(double count, double bytes_each, const char *path, const char *what,
                       struct hp_err *err)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	double have = pages > 0 && psize > 0 ? (double)pages * (double)psize : 64e9;
	double need = count * bytes_each;

	if (need <= have / 2)
		return 0;
	return hp_errf(err,
	               "%s: %.4g %s need about %.3g GB of memory, more than half of this "
	               "machine's %.3g GB: narrow the ranges",
	               path, count, what, need / 1e9, have / 1e9);
}
