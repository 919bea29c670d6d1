/*
 * The episode: the one record every trace reader produces and the engine
 * consumes. One episode is one halt of one (v)CPU: when the CPU went idle and
 * when the wakeup that ended it arrived.
 */
#ifndef HPSIM_EPISODE_H
#define HPSIM_EPISODE_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/err.h"

enum hp_wake_source {
	HP_SRC_UNKNOWN = 0,
	HP_SRC_IPI,   /* an inter-processor interrupt; source_cpu names the sender */
	HP_SRC_IRQ,   /* a device interrupt */
	HP_SRC_TIMER, /* a timer expiry on the halted CPU */
	HP_SRC_COUNT
};

struct hp_episode {
	uint64_t halt_start_ns; /* the CPU went idle (guest view: cpu_idle enter) */
	uint64_t wake_ns;       /* the wakeup arrived */
	uint32_t cpu;           /* dense CPU index, 0..ncpu-1 */
	int32_t source_cpu;     /* sender of an IPI wakeup, or -1; may be >= ncpu (never halted) */
	uint32_t source;        /* enum hp_wake_source */
	uint32_t flags;         /* HP_EP_* */
};

/* The episode's wake time is an estimate (see hp_episodes.assumption). */
#define HP_EP_WAKE_ESTIMATED 0x1u
/* s390: the wakeup was not a valid one (kvm_vcpu_wakeup "invalid"); the policy sees it so. */
#define HP_EP_WAKE_INVALID 0x2u
/* Host captures: the recorded halt ended polling (kvm_vcpu_wakeup "poll"), or slept ("wait"). */
#define HP_EP_REC_POLLED 0x4u
#define HP_EP_REC_SLEPT  0x8u

/* What a reader passed over, so that nothing is dropped silently. */
struct hp_skips {
	uint64_t
	    unpaired_enter;     /* idle enter with no matching exit (cut by the trace's end, ...) */
	uint64_t unpaired_exit; /* idle exit with no enter (cut by the trace's start, a CPU that
	                           appears mid-trace, ...) */
	uint64_t poll_states; /* haltpoll POLL-state periods (replayed as or within idle periods) */
	uint64_t other_events;     /* events of types the reader does not use */
	uint64_t bad_records;      /* records whose fields could not be read */
	uint64_t bad_lines;        /* text lines that could not be parsed (lenient mode only) */
	uint64_t dropped_events;   /* events the recorder reported lost (EVENTS DROPPED, missed) */
	uint64_t drop_gaps;        /* places where the recorder reported lost events */
	uint64_t cut_by_gap;       /* halts open across a dropped-event gap, discarded */
	uint64_t overlapping;      /* halts that began before the previous one on the CPU ended */
	uint64_t invalid_wakeups;  /* halts ended by an invalid wakeup (replayed, flagged) */
	uint64_t unmapped_threads; /* host halt events of threads not identified as a vCPU */
	uint64_t poll_ns_changes;  /* kvm_halt_poll_ns / guest_halt_poll_ns events (noted only) */
	/* guest captures: CPUs that switched to their idle task at least HP_IDLE_UNSEEN_MIN
	 * times but have no cpu_idle event (their halts were not recorded), and those switches */
	uint64_t idle_unseen_cpus;
	uint64_t idle_unseen_switches;
	uint64_t recorded_events;  /* trace.dat: events its CPU statistics say were recorded (0:
	                              not recorded in the file) */
	uint64_t unread_events;    /* of those, events that could not be read (corrupt data) */
	uint64_t truncated;        /* 1: a truncated capture read up to the cut (--salvage) */
};

/* Switches to the idle task, without cpu_idle events, that make a CPU's halts unseen. */
#define HP_IDLE_UNSEEN_MIN 100

/*
 * Host contention: while [start_ns, end_ns) another task was runnable on the
 * host CPU that vCPU `cpu` runs on (from a host capture's sched_switch, or a
 * load model). The engine answers single_task_running()/need_resched() from it.
 */
struct hp_busy {
	uint64_t start_ns, end_ns;
	uint32_t cpu;
	uint32_t pad;
};

struct hp_episodes {
	struct hp_episode *ep; /* sorted by halt_start_ns, then cpu */
	size_t n, cap;
	struct hp_busy
	    *busy; /* sorted by cpu, then start_ns; intervals of one cpu do not overlap */
	size_t nbusy, busy_cap;
	uint32_t ncpu;       /* CPUs seen (indices 0..ncpu-1) */
	uint64_t t_first_ns; /* first timestamp of the capture */
	uint64_t t_last_ns;  /* last timestamp of the capture */
	struct hp_skips skipped;
	const char *format;   /* the reader that produced them ("trace.dat", ...) */
	char assumption[160]; /* how wake arrival times were derived */
	/* A private file mapping (the episode cache) that ep and busy may point into; appending
	 * copies them out first, hp_episodes_free unmaps it. NULL when not mapped. */
	void *map;
	size_t map_len;
};

/* Append one episode; returns 0, or -1 with err set when memory runs out. */
int hp_episodes_push(struct hp_episodes *eps, const struct hp_episode *ep, struct hp_err *err);

/* Append one host-contention interval; 0 or -1 with err. */
int hp_episodes_push_busy(struct hp_episodes *eps, const struct hp_busy *b, struct hp_err *err);

/* Sort by halt start (then CPU) and recompute ncpu; sort and merge the busy intervals. */
void hp_episodes_sort(struct hp_episodes *eps);

/* Sort the busy intervals and merge those of one CPU that touch or overlap (not the episodes). */
void hp_episodes_sort_busy(struct hp_episodes *eps);

/* Check the stream's invariants (sorted, wake >= halt start, cpu < ncpu); 0 or -1 with err. */
int hp_episodes_validate(const struct hp_episodes *eps, struct hp_err *err);

/* Free the array and reset the set to empty. */
void hp_episodes_free(struct hp_episodes *eps);

#endif
