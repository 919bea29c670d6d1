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

/* The episode CSV reader (libcsv): cpu,halt_start_ns,wake_ns[,source][,source_cpu]. */
extern const struct hp_trace_reader hp_reader_csv;

/* Read any capture into eps (sorted, validated) via the episode cache; 0 or -1 with err. */
int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err);

/* What the episode cache did for one read. */
enum hp_cache_status {
	HP_CACHE_OFF,        /* not consulted */
	HP_CACHE_HIT,        /* episodes came from a valid cache file */
	HP_CACHE_STORED,     /* parsed, and a cache file was written */
	HP_CACHE_UNWRITABLE, /* parsed; no cache file could be written anywhere */
};

struct hp_read_opts {
	int use_cache; /* consult and write the episode cache (include/hpsim/cache.h) */
	const char
	    *cache_dir; /* fallback directory; NULL: $XDG_CACHE_HOME/hpsim or ~/.cache/hpsim */
	enum hp_cache_status *status; /* if not NULL, receives what the cache did */
};

/* Default read options: the cache on, unless HPSIM_NO_CACHE is set (and not "0"). */
struct hp_read_opts hp_read_opts_default(void);

/* hp_trace_read with explicit options; 0 or -1 with err. */
int hp_trace_read_opts(const char *path, const struct hp_read_opts *o, struct hp_episodes *eps,
                       struct hp_err *err);

#endif
