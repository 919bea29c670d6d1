/*
 * Trace readers: every input format becomes the same sorted episode stream.
 * One file per format under src/trace/; hp_trace_read() picks the reader
 * from the file's content, not its name.
 */
#ifndef HPSIM_TRACE_H
#define HPSIM_TRACE_H

#include <stdint.h>

#include "hpsim/episode.h"

#define HP_VCPU_MAP_MAX 256

/* One host thread named as a vCPU: the thread's pid and the vCPU index it runs. */
struct hp_vcpu_map_entry {
	int32_t pid;
	uint32_t vcpu;
};

/* How to read a capture. Zero-initialized means the defaults (see hp_read_opts_init). */
struct hp_read_opts {
	int lenient;             /* skip and count garbled text lines instead of failing */
	uint64_t host_wakeup_ns; /* host captures: arrival = resume - this, when nothing better */
	size_t nmap;             /* host captures: explicit pid -> vCPU map (else "CPU n/KVM") */
	struct hp_vcpu_map_entry map[HP_VCPU_MAP_MAX];
};

struct hp_trace_reader {
	const char *name; /* "trace.dat", ... */
	/* Does this reader understand a file starting with these bytes? */
	int (*probe)(const unsigned char *head, size_t len);
	/* Read path into eps (empty on entry); 0, or -1 with err naming the problem. */
	int (*read)(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
	            struct hp_err *err);
};

/* The trace.dat reader (libtracecmd). */
extern const struct hp_trace_reader hp_reader_tracedat;

/* The `trace-cmd report` (and trace_pipe) text reader. */
extern const struct hp_trace_reader hp_reader_report_text;

/* Fill opts with the defaults: strict, x86 host_wakeup_ns, no vCPU map. */
void hp_read_opts_init(struct hp_read_opts *opts);

/* Parse "PID=N,PID=N,..." into opts->map; 0, or -1 with err naming the bad item. */
int hp_vcpu_map_parse(struct hp_read_opts *opts, const char *spec, struct hp_err *err);

/* Read any supported capture into eps (sorted, validated) with options (NULL: defaults); 0 or
 * -1 with err. */
int hp_trace_read_opts(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                       struct hp_err *err);

/* hp_trace_read_opts() with the default options. */
int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err);

#endif
