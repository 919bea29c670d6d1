/*
 * The buffers of a trace.dat and of the guest files recorded with it
 * (internal to src/trace/, used by tracedat.c): see tracedat_bufs.c.
 */
#ifndef HPSIM_TRACE_TRACEDAT_BUFS_H
#define HPSIM_TRACE_TRACEDAT_BUFS_H

#include <stdint.h>

#include <trace-cmd.h>

#include "decode.h"

#define HP_TDAT_MAX_BUFS   32
#define HP_TDAT_MAX_GUESTS 8

struct hp_tdat_buf {
	struct tracecmd_input *h;
	struct tep_handle *tep;
	int guest;         /* 0: the host file (or a single machine); 1..: its guests */
	int owned;         /* closed by hp_tdat_bufs_close() */
	int file_handle;   /* a guest file's top handle (closed after its instances) */
	uint32_t cpu_base; /* added to this buffer's CPU numbers (guests after each other) */
	char name[64];     /* instance or guest name; "" for the top buffer */
};

struct hp_tdat_bufs {
	struct hp_tdat_buf buf[HP_TDAT_MAX_BUFS];
	int n, nguests;
	int guest_cpus[HP_TDAT_MAX_GUESTS], guest_base[HP_TDAT_MAX_GUESTS];
	uint32_t next_base;
	int32_t vcpu_pid[HP_DEC_MAX_CPUS]; /* guest CPU (with its base) -> host vCPU thread */
};

/* The buffers of top (opened from path): its instances, and its guests' files beside it. */
void hp_tdat_bufs_open(struct hp_tdat_bufs *b, const char *path, struct tracecmd_input *top);

/* Close the handles hp_tdat_bufs_open() opened (not top). */
void hp_tdat_bufs_close(struct hp_tdat_bufs *b);

#endif
