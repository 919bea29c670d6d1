/*
 * Trace readers: every input format becomes the same sorted episode stream.
 * One file per format under src/trace/; hp_trace_read() picks the reader
 * from the file's content, not its name.
 */
#ifndef HPSIM_TRACE_H
#define HPSIM_TRACE_H

#include "hpsim/episode.h"

struct hp_trace_reader {
	const char *name; /* "trace.dat", ... */
	/* Does this reader understand a file starting with these bytes? */
	int (*probe)(const unsigned char *head, size_t len);
	/* Read path into eps (empty on entry); 0, or -1 with err naming the problem. */
	int (*read)(const char *path, struct hp_episodes *eps, struct hp_err *err);
};

/* The trace.dat reader (libtracecmd). */
extern const struct hp_trace_reader hp_reader_tracedat;

/* Read any supported capture into eps (sorted, validated); 0 or -1 with err. */
int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err);

#endif
