/* A version-7 trace.dat cut short: where the cut is, and a copy that can be read. */
#ifndef HPSIM_SALVAGE_V7_H
#define HPSIM_SALVAGE_V7_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/err.h"

#define HP_V7_MAX_CPUS 1024

/* What a cut version-7 file still holds. */
struct hp_v7_cut {
	uint64_t size;      /* the file's length */
	uint64_t data_at;   /* where the CPU data begins (0: the cut is before it) */
	uint32_t ncpu;      /* CPUs the capture recorded */
	uint32_t whole_cpu; /* CPUs whose data is whole */
	uint32_t cut_cpu;   /* the CPU whose data the cut falls in (whole_cpu < ncpu) */
	uint32_t chunks;    /* its whole compressed chunks ... */
	uint32_t of_chunks; /* ... of the chunks it recorded */
	uint64_t keep;      /* bytes of the file the repaired copy keeps */
	int raw;            /* CPU data not compressed: no chunks to tell the CPUs apart */
};

/*
 * Whether fd (a version-7 trace.dat of size bytes) is cut short in or before
 * its CPU data: 1 with *cut filled in, 0 when it is not a cut version-7 file
 * this can read (another version, whole, big-endian, compressed options).
 */
int hp_v7_find_cut(int fd, uint64_t size, struct hp_v7_cut *cut);

/*
 * Write to out_fd a copy of in_fd that libtracecmd reads: the whole chunks up
 * to the cut, the chunk count of the cut CPU fixed, a new last options section
 * naming where each CPU's data is. 0, or -1 with err naming path.
 */
int hp_v7_write_repaired(int in_fd, int out_fd, const struct hp_v7_cut *cut, const char *path,
                         struct hp_err *err);

/* "the file is cut short at byte N, ..." for an error message or a warning. */
void hp_v7_describe_cut(const struct hp_v7_cut *cut, char *buf, size_t len);

#endif
