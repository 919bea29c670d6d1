/*
 * Trace readers: every input format becomes the same sorted episode stream.
 * One file per format under src/trace/; hp_trace_read() picks the reader
 * from the file's content, not its name.
 */
#ifndef HPSIM_TRACE_H
#define HPSIM_TRACE_H

#include <stdint.h>

#include "hpsim/cost.h"
#include "hpsim/episode.h"

#define HP_VCPU_MAP_MAX 256

/* One host thread named as a vCPU: the thread's pid and the vCPU index it runs. */
struct hp_vcpu_map_entry {
	int32_t pid;
	uint32_t vcpu;
};

/* How far a reader got: events read per CPU (shared with the isolated reader's parent). */
#define HP_PROGRESS_CPUS 4096
struct hp_read_progress {
	uint64_t events;                    /* all events read */
	uint64_t last_ts;                   /* the latest event's time, ns */
	uint64_t per_cpu[HP_PROGRESS_CPUS]; /* events read per recording CPU */
};

/* What the episode cache did for one read. */
enum hp_cache_status {
	HP_CACHE_OFF,        /* not consulted */
	HP_CACHE_HIT,        /* episodes came from a valid cache file */
	HP_CACHE_STORED,     /* parsed, and a cache file was written */
	HP_CACHE_UNWRITABLE, /* parsed; no cache file could be written anywhere */
};

struct hp_calib;

/* The first release with EEVDF's delayed dequeue (DELAY_DEQUEUE, on by default): 6.12. */
#define HP_DELAYED_DEQUEUE_KVER ((6u << 16) + (12u << 8))

/* The views a decoding reader keeps until its end says which one the capture is. */
#define HP_SINK_GUEST 0u /* guest idle periods (power:cpu_idle), and host+guest captures */
#define HP_SINK_HOST  1u /* host halts of vCPU threads (kvm:, kvm_hv:) */
#define HP_SINK_VMS   16u

/*
 * Where a decoding reader (trace.dat, `trace-cmd report` text) hands its halts
 * as it decodes them, instead of into the episode array: in decoding order, not
 * sorted, each tagged with its view. At the end the reader fills the outputs:
 * the view the capture is, and how a host capture's CPUs are renumbered (VM k's
 * decoding CPU k * HP_SINK_STRIDE + v becomes base[k] + v when nvms > 1). The
 * episode set then holds the description only (skips, times, busy intervals).
 */
#define HP_SINK_STRIDE 256u
struct hp_ep_sink {
	/* take one halt; 0, or -1 with err to stop the read */
	int (*put)(void *arg, unsigned view, const struct hp_episode *ep, struct hp_err *err);
	/* forget every halt taken so far (the reader starts over); 0 or -1 with err */
	int (*reset)(void *arg, struct hp_err *err);
	void *arg;
	/* outputs */
	unsigned view; /* HP_SINK_GUEST or HP_SINK_HOST */
	uint64_t n[2]; /* halts taken in each view */
	uint32_t nvms; /* VMs in a host capture */
	uint32_t base[HP_SINK_VMS];
};

/* A sink's CPU number as the episode array would have it (renumbered). */
static inline uint32_t hp_ep_sink_cpu(const struct hp_ep_sink *s, uint32_t cpu)
{
	if (s->view != HP_SINK_HOST || s->nvms <= 1 || cpu >= HP_SINK_VMS * HP_SINK_STRIDE)
		return cpu;
	return s->base[cpu / HP_SINK_STRIDE] + cpu % HP_SINK_STRIDE;
}

/* How to read a capture; hp_read_opts_init() gives the defaults. */
struct hp_read_opts {
	int lenient;             /* skip and count garbled text lines instead of failing */
	uint64_t host_wakeup_ns; /* host captures: arrival = resume - this, when nothing better */
	uint64_t hlt_exit_ns;    /* host captures: the guest's HLT = host halt entry - this */
	size_t nmap;             /* host captures: explicit pid -> vCPU map (else "CPU n/KVM") */
	struct hp_vcpu_map_entry map[HP_VCPU_MAP_MAX];
	int use_cache; /* consult and write the episode cache (include/hpsim/cache.h) */
	const char
	    *cache_dir; /* fallback directory; NULL: $XDG_CACHE_HOME/hpsim or ~/.cache/hpsim */
	enum hp_cache_status *status; /* if not NULL, receives what the cache did */
	/*
	 * Host captures: the recording host's release (HP_KVER; 0: unknown). From 6.12 a task
	 * that blocks while not eligible stays queued (EEVDF delayed dequeue), so the CPU it
	 * left still runs more than one task for single_task_running() (see decode.c).
	 */
	uint32_t host_kver;
	/* if not NULL, sees every event the decoder sees (hpsim calibrate); needs use_cache 0 */
	struct hp_calib *calib;
	int salvage; /* trace.dat: replay a truncated capture's halts up to the cut, with a warning
	              */
	struct hp_read_progress *progress; /* if not NULL, counts the events read */
	/* trace.dat and report text: if not NULL, the halts go here (eps gets none) */
	struct hp_ep_sink *sink;
};

struct hp_trace_reader {
	const char *name; /* "trace.dat", ... */
	/* Does this reader understand a file starting with these bytes? */
	int (*probe)(const unsigned char *head, size_t len);
	/* Read path into eps (empty on entry); 0, or -1 with err naming the problem. */
	int (*read)(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
	            struct hp_err *err);
};

/* The trace.dat reader (libtracecmd), in this process. */
extern const struct hp_trace_reader hp_reader_tracedat;

/*
 * The trace.dat reader run in a child process with memory and time limits
 * (src/trace/isolate.c): a crash of the trace libraries becomes an error, and
 * with opts->salvage a truncated capture is read up to the cut.
 */
extern const struct hp_trace_reader hp_reader_tracedat_isolated;

/* The episode CSV reader (libcsv): cpu,halt_start_ns,wake_ns[,source][,source_cpu]. */
extern const struct hp_trace_reader hp_reader_csv;

/* The `trace-cmd report` (and trace_pipe) text reader. */
extern const struct hp_trace_reader hp_reader_report_text;

/*
 * Fill opts with the defaults: strict, x86 host_wakeup_ns, no vCPU map, the
 * episode cache on unless HPSIM_NO_CACHE is set (and not "0").
 */
void hp_read_opts_init(struct hp_read_opts *opts);

/* Take the costs host-capture decoding subtracts (VM exit, host wakeup) from the cost model c. */
void hp_read_opts_cost(struct hp_read_opts *opts, const struct hp_cost *c);

/* Parse "PID=N,PID=N,..." into opts->map; 0, or -1 with err naming the bad item. */
int hp_vcpu_map_parse(struct hp_read_opts *opts, const char *spec, struct hp_err *err);

/*
 * Read any supported capture into eps (sorted, validated) with options (NULL:
 * the defaults), through the episode cache when opts->use_cache; 0 or -1 with err.
 */
int hp_trace_read_opts(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                       struct hp_err *err);

/*
 * Open path for replay as a source (hpsim/source.h): from a valid episode
 * cache the episodes are streamed in blocks, else the capture is read (and
 * cached) as hp_trace_read_opts() does and the source walks that array. eps
 * receives the description; close src, then free eps. 0 or -1 with err.
 */
struct hp_episode_source;
int hp_trace_open_source(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                         struct hp_episode_source *src, struct hp_err *err);

/* The episode cache key of path as read with opts (its reading options folded in); 0 or -1. */
struct hp_cache_key;
int hp_trace_cache_key(const char *path, const struct hp_read_opts *opts, struct hp_cache_key *key,
                       struct hp_err *err);

/* hp_trace_read_opts() with the default options. */
int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err);

#endif
