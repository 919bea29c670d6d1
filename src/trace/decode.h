/*
 * The shared event decoder (internal to src/trace/): every reader turns its
 * records into generic events (time, CPU, thread, event kind, fields by name)
 * and feeds them here, so that a trace.dat and its `trace-cmd report` text
 * give identical episodes. decode.c holds the pairing rules for guest
 * (power:cpu_idle) and host (kvm:, kvm_hv:, sched:) captures.
 */
#ifndef HPSIM_TRACE_DECODE_H
#define HPSIM_TRACE_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/trace.h"

#define HP_DEC_MAX_CPUS 4096

/* The events the decoder uses; everything else is HP_EV_OTHER. */
enum hp_ev_kind {
	HP_EV_OTHER = 0,
	HP_EV_CPU_IDLE,           /* power:cpu_idle */
	HP_EV_GUEST_HALT_POLL_NS, /* power:guest_halt_poll_ns */
	HP_EV_IPI_SEND_CPU,       /* ipi:ipi_send_cpu */
	HP_EV_IPI_SEND_CPUMASK,   /* ipi:ipi_send_cpumask (6.6+) */
	HP_EV_IRQ_ENTRY,          /* irq:irq_handler_entry */
	HP_EV_HRTIMER_EXPIRE,     /* timer:hrtimer_expire_entry */
	HP_EV_VCPU_WAKEUP,        /* kvm:kvm_vcpu_wakeup */
	HP_EV_HALT_POLL_NS,       /* kvm:kvm_halt_poll_ns */
	HP_EV_KVM_EXIT,           /* kvm:kvm_exit */
	HP_EV_KVM_ENTRY,          /* kvm:kvm_entry */
	HP_EV_SCHED_SWITCH,       /* sched:sched_switch */
	HP_EV_SCHED_WAKEUP,       /* sched:sched_wakeup */
	HP_EV_VCORE_BLOCKED,      /* kvm_hv:kvmppc_vcore_blocked */
	HP_EV_VCORE_WAKEUP,       /* kvm_hv:kvmppc_vcore_wakeup */
	HP_EV_KIND_COUNT
};

/*
 * Field access by the kernel's field name. num() reads a number (0, or -1
 * when the event has no such field or it is not a number); str() gives a
 * string's bytes (not NUL-terminated); mask() reads a cpumask into nwords
 * 64-bit words (CPU n is bit n % 64 of word n / 64).
 */
struct hp_dec_fields {
	int (*num)(void *ctx, const char *name, uint64_t *out);
	int (*str)(void *ctx, const char *name, const char **s, size_t *len);
	void *ctx;
	int (*mask)(void *ctx, const char *name, uint64_t *bits, size_t nwords);
};

/* Which machine recorded an event. */
enum hp_side {
	HP_SIDE_ONE = 0, /* a capture of one machine (guest or host) */
	HP_SIDE_HOST,    /* the host's buffers of a host+guest capture */
	HP_SIDE_GUEST,   /* a guest's buffers of a host+guest capture (its CPUs are vCPUs) */
};

/* One generic event. */
struct hp_dec_event {
	uint64_t ts;       /* ns */
	uint32_t cpu;      /* the recording CPU, already offset by cpu_base */
	uint32_t cpu_base; /* added to CPU numbers named in fields (several files in one text) */
	int32_t pid;       /* the thread that recorded it */
	int32_t tgid;      /* its process, when the input says (record-tgid); 0: unknown */
	const char *comm;  /* its name (may be NULL), comm_len bytes */
	size_t comm_len;
	enum hp_ev_kind kind;
	struct hp_dec_fields f;
	uint8_t side; /* enum hp_side */
};

struct hp_decoder;

/* kvm_exit: 1 if the reason is a halt, 0 if another reason, -1 if unreadable. */
int hp_dec_exit_is_hlt(const struct hp_dec_event *ev);

/* hpsim calibrate's collector sees every event the decoder does (calibrate.c). */
void hp_calib_event(struct hp_calib *c, const struct hp_dec_event *ev);

/* The kind of system:name (system may be empty: matched by name alone). */
enum hp_ev_kind hp_dec_kind(const char *sys, size_t sys_len, const char *name, size_t name_len);

/* A decoder that appends to eps; NULL when out of memory. */
struct hp_decoder *hp_dec_new(const struct hp_read_opts *opts, struct hp_episodes *eps);

/* Host+guest capture: guest CPU (with its base) runs on host thread pid. */
void hp_dec_set_vcpu_pid(struct hp_decoder *d, uint32_t guest_cpu, int32_t pid);

/* Feed one event, in time order; 0, or -1 with err (out of memory). */
int hp_dec_event(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err);

/* The recorder lost events on cpu before the next one (count 0 = unknown). */
void hp_dec_gap(struct hp_decoder *d, uint32_t cpu, uint64_t count);

/* hp_dec_gap() for one side of a host+guest capture (enum hp_side). */
void hp_dec_gap_side(struct hp_decoder *d, uint32_t cpu, uint64_t count, uint8_t side);

/* A record of a known kind whose fields could not be read. */
void hp_dec_bad_record(struct hp_decoder *d);

/* End of input: count open halts, choose the guest or host view, set eps->assumption;
 * 0, or -1 with err (prefixed by path) when there are no halts at all. */
int hp_dec_finish(struct hp_decoder *d, const char *path, struct hp_err *err);

/* Forget the halts opts->sink took (a reader starting over); 0, or -1 with err. */
int hp_dec_sink_reset(const struct hp_read_opts *opts, struct hp_err *err);

/* Free the decoder (not the episodes). */
void hp_dec_free(struct hp_decoder *d);

#endif
