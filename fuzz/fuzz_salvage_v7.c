/*
 * The repair of a version-7 trace.dat cut short (src/trace/salvage_v7.c), in
 * this process and without the trace libraries: finding the cut walks the
 * file's options sections and compressed chunks by the offsets and sizes the
 * file itself gives, so every one of them is the input's to choose. The
 * input and the repaired copy live in memory files (memfd), no disk.
 * Seeds: the bundled captures as compressed version-7 files, whole and cut.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "fuzz_util.h"
#include "salvage_v7.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int in = -1, out = -1;
	struct hp_v7_cut cut;
	struct hp_err err;
	char what[256];

	if (in < 0 &&
	    ((in = memfd_create("fuzz-in", 0)) < 0 || (out = memfd_create("fuzz-out", 0)) < 0))
		abort();
	if (ftruncate(in, 0) != 0 || ftruncate(out, 0) != 0 ||
	    (size && pwrite(in, data, size, 0) != (ssize_t)size))
		abort();
	if (hp_v7_find_cut(in, size, &cut) != 1)
		return 0;
	hp_v7_describe_cut(&cut, what, sizeof(what));
	if (cut.keep > size && cut.data_at && !cut.raw)
		abort(); /* the copy keeps only bytes the file has */
	hp_v7_write_repaired(in, out, &cut, "input", &err);
	return 0;
}
