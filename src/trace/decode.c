/*
 * The shared event decoder: generic events in, episodes out.
 *
 * Guest captures: a power:cpu_idle enter (state != PWR_EVENT_EXIT) and the
 * next exit on the same CPU are one halt; state 0 is haltpoll's POLL state
 * (counted, not a halt). The wake source is the last of ipi:ipi_send_cpu
 * naming this CPU, irq:irq_handler_entry or timer:hrtimer_expire_entry on it
 * between the enter and the exit.
 *
 * Host captures: per vCPU thread, kvm:kvm_exit with an HLT reason opens a
 * halt (else, and on arm64 whose exits name no reason, the halt began
 * kvm_vcpu_wakeup's `ns` before it);
 * kvm:kvm_vcpu_wakeup (or kvm_hv:kvmppc_vcore_wakeup) closes it; without
 * those, kvm:kvm_entry closes it. A halt that polled woke when it ended; one
 * that slept woke at the vCPU thread's sched:sched_wakeup, or, without one,
 * host_wakeup_ns before it resumed (flagged HP_EP_WAKE_ESTIMATED).
 * sched_wakeup of another task onto a host CPU running a vCPU thread, until
 * that thread switches out, is host contention for that vCPU; so is a task
 * the vCPU thread preempted (it switched out runnable), which stays queued.
 *
 * Delayed dequeue (host releases from 6.12, opts->host_kver): EEVDF keeps a
 * task that blocks while not eligible (negative lag: it had more than its
 * share) on its run queue, marked sched_delayed, and rq->nr_running still
 * counts it, so single_task_running() is false for whoever runs next there.
 * It leaves the queue when it is woken (then it is runnable: contention as
 * above) or when a pick on that CPU reaches it, at the latest the next
 * schedule() there. Modelled: a task that switches out not runnable keeps
 * its CPU contended until the next sched_switch on that CPU; for a vCPU
 * thread running there meanwhile that is contention until it switches out.
 * Whether the task was eligible is not in the capture: every such block is
 * taken as delayed (an upper bound), and a pick during a tick that dequeues
 * it without a task switch is not seen.
 *
 * A capture with host halt events is read as a host capture; its cpu_idle
 * events (the host's own idle) are then not halts of any vCPU, and count only
 * as other events.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

#define PWR_EVENT_EXIT 4294967295ULL

struct guest_cpu {
	bool in_idle;
	uint64_t state, enter_ns;
	uint32_t src;
	int32_t src_cpu;
	uint64_t last_wake_ns; /* end of the last halt, for the overlap check */
	/* a polling-state period that ended, not yet known to be an idle period of its own */
	bool poll_pending;
	uint64_t poll_start_ns, poll_end_ns;
	uint32_t poll_src;
	int32_t poll_src_cpu;
};

/*
 * haltpoll's POLL state (cpu_idle state 0) ends either because a task became
 * runnable (need_resched(): a sched_switch follows at once) or because its
 * time limit passed, and then the idle loop enters the next state, the halt,
 * without a task switch. The first is an idle period of its own that ended
 * while polling; the second is the start of the halt's idle period. A poll
 * followed by another idle entry on its CPU within this window, with no task
 * switch between, is taken as the second.
 */
#define POLL_MERGE_NS 50000

struct thread {
	int32_t pid;
	bool used;
	int32_t vcpu; /* -1: not (yet) identified */
	int32_t vm;   /* the VM (process) it belongs to; -1: not yet placed */
	bool by_comm; /* its vCPU came from its "CPU n/KVM" name */
	int32_t tgid; /* its process, when the input said; 0: unknown */
	uint64_t kvm_wake_ns, sched_wake_ns; /* its last kvm_vcpu_wakeup and sched_wakeup */
	bool in_halt, exits_seen, slept, have_wakeup;
	uint64_t exit_ns, wakeup_ns;
	uint32_t host_cpu;
};

/*
 * VMs apart: a host capture's vCPU threads are grouped into VMs (processes)
 * and VM k's vCPU v is episode CPU base_k + v (VM 0 first). QEMU creates one
 * VM's vCPU threads one after another, so "CPU v/KVM" with pid p belongs to
 * the VM whose threads have p - v within VM_PID_SPAN of its own and whose
 * vCPU v is not yet taken; otherwise it starts a new VM. Threads named by
 * --vcpu-map or only by a vcpu_id field are VM 0. Where the input gives the
 * threads' process (the record-tgid column of trace_pipe text), the process
 * is the VM.
 */
#define MAX_VMS     16
#define VM_STRIDE   256 /* vCPU slots per VM while decoding */
#define VM_PID_SPAN 16

struct vm {
	int32_t tgid;   /* the process, when its threads' events said; 0: unknown */
	int32_t anchor; /* pid - vCPU of its first named thread */
	bool anchored;
	uint32_t nslots; /* highest vCPU + 1 */
	uint8_t taken[VM_STRIDE / 8];
};

struct host_cpu {
	int32_t cur_pid;
	bool pending;
	uint64_t pending_ns;
};

struct hp_decoder {
	const struct hp_read_opts *opts;
	struct hp_episodes *eps;
	struct hp_episodes host;  /* host-view halts, moved into eps at the end */
	struct guest_cpu *gcpu;   /* [HP_DEC_MAX_CPUS] */
	struct host_cpu *hcpu;    /* [HP_DEC_MAX_CPUS] */
	uint64_t *vcpu_last_wake; /* [HP_DEC_MAX_CPUS] */
	uint64_t *idle_switches;  /* [HP_DEC_MAX_CPUS] sched_switch to pid 0 */
	uint64_t *idle_seen;      /* [HP_DEC_MAX_CPUS] cpu_idle events */
	struct thread *thr;       /* open-addressing table by pid */
	size_t thr_cap, thr_used;
	bool any_event;
	uint64_t idle_events;      /* cpu_idle events, for the host-capture case */
	struct hp_skips guest_sk;  /* the guest view's cut, polled and overlapping halts */
	uint64_t host_halt_events; /* kvm_vcpu_wakeup, HLT exits, vcore wakeups */
	uint64_t n_polled, n_sched_wakeup, n_estimated;
	struct vm vms[MAX_VMS];
	int nvms;
	int32_t
	    *vcpu_pid; /* [HP_DEC_MAX_CPUS] host+guest: guest CPU -> host vCPU thread (0: none) */
	bool paired;   /* host+guest: some guest CPU has a host thread */
	uint64_t n_hg_kvm, n_hg_sched, n_hg_exit; /* host+guest arrivals by rule */
};

#define KIND(sys, name, kind)                                                                      \
	{                                                                                          \
		sys, name, sizeof(name) - 1, kind                                                  \
	}

static const struct {
	const char *sys, *name;
	size_t name_len;
	enum hp_ev_kind kind;
} kinds[] = {
    KIND("power", "cpu_idle", HP_EV_CPU_IDLE),
    KIND("power", "guest_halt_poll_ns", HP_EV_GUEST_HALT_POLL_NS),
    KIND("ipi", "ipi_send_cpu", HP_EV_IPI_SEND_CPU),
    KIND("ipi", "ipi_send_cpumask", HP_EV_IPI_SEND_CPUMASK),
    KIND("irq", "irq_handler_entry", HP_EV_IRQ_ENTRY),
    KIND("timer", "hrtimer_expire_entry", HP_EV_HRTIMER_EXPIRE),
    KIND("kvm", "kvm_vcpu_wakeup", HP_EV_VCPU_WAKEUP),
    KIND("kvm", "kvm_halt_poll_ns", HP_EV_HALT_POLL_NS),
    KIND("kvm", "kvm_exit", HP_EV_KVM_EXIT),
    KIND("kvm", "kvm_entry", HP_EV_KVM_ENTRY),
    KIND("sched", "sched_switch", HP_EV_SCHED_SWITCH),
    KIND("sched", "sched_wakeup", HP_EV_SCHED_WAKEUP),
    KIND("kvm_hv", "kvmppc_vcore_blocked", HP_EV_VCORE_BLOCKED),
    KIND("kvm_hv", "kvmppc_vcore_wakeup", HP_EV_VCORE_WAKEUP),
};

static bool eq(const char *s, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(s, lit, n) == 0;
}

enum hp_ev_kind hp_dec_kind(const char *sys, size_t sys_len, const char *name, size_t name_len)
{
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (name_len == kinds[i].name_len && memcmp(name, kinds[i].name, name_len) == 0 &&
		    (sys_len == 0 || eq(sys, sys_len, kinds[i].sys)))
			return kinds[i].kind;
	return HP_EV_OTHER;
}

struct hp_decoder *hp_dec_new(const struct hp_read_opts *opts, struct hp_episodes *eps)
{
	struct hp_decoder *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->opts = opts;
	d->eps = eps;
	d->gcpu = calloc(HP_DEC_MAX_CPUS, sizeof(*d->gcpu));
	d->hcpu = calloc(HP_DEC_MAX_CPUS, sizeof(*d->hcpu));
	d->vcpu_last_wake = calloc(HP_DEC_MAX_CPUS, sizeof(*d->vcpu_last_wake));
	d->idle_switches = calloc(HP_DEC_MAX_CPUS, sizeof(*d->idle_switches));
	d->idle_seen = calloc(HP_DEC_MAX_CPUS, sizeof(*d->idle_seen));
	d->thr_cap = 256;
	d->thr = calloc(d->thr_cap, sizeof(*d->thr));
	d->vcpu_pid = calloc(HP_DEC_MAX_CPUS, sizeof(*d->vcpu_pid));
	if (!d->gcpu || !d->hcpu || !d->vcpu_last_wake || !d->idle_switches || !d->idle_seen ||
	    !d->thr || !d->vcpu_pid) {
		hp_dec_free(d);
		return NULL;
	}
	return d;
}

int hp_dec_sink_reset(const struct hp_read_opts *opts, struct hp_err *err)
{
	struct hp_ep_sink *s = opts->sink;

	if (!s)
		return 0;
	s->n[0] = s->n[1] = 0;
	s->view = HP_SINK_GUEST;
	s->nvms = 0;
	return s->reset(s->arg, err);
}

void hp_dec_free(struct hp_decoder *d)
{
	if (!d)
		return;
	free(d->gcpu);
	free(d->hcpu);
	free(d->vcpu_last_wake);
	free(d->idle_switches);
	free(d->idle_seen);
	free(d->thr);
	free(d->vcpu_pid);
	hp_episodes_free(&d->host);
	free(d);
}

/* --- threads -------------------------------------------------------------- */

static size_t slot_of(const struct hp_decoder *d, int32_t pid)
{
	size_t i = ((uint32_t)pid * 2654435761u) & (d->thr_cap - 1);

	while (d->thr[i].used && d->thr[i].pid != pid)
		i = (i + 1) & (d->thr_cap - 1);
	return i;
}

static struct thread *find_thread(struct hp_decoder *d, int32_t pid)
{
	size_t i = slot_of(d, pid);

	return d->thr[i].used ? &d->thr[i] : NULL;
}

static int32_t mapped_vcpu(const struct hp_decoder *d, int32_t pid)
{
	size_t i;

	for (i = 0; i < d->opts->nmap; i++)
		if (d->opts->map[i].pid == pid)
			return (int32_t)d->opts->map[i].vcpu;
	return -1;
}

/* "CPU n/KVM", QEMU's vCPU thread name; -1 if comm is not one. */
static int32_t vcpu_from_comm(const char *s, size_t n)
{
	uint32_t v = 0;
	size_t i = 4;

	if (!s || n < 9 || memcmp(s, "CPU ", 4) != 0 || memcmp(s + n - 4, "/KVM", 4) != 0)
		return -1;
	if (i == n - 4)
		return -1;
	for (; i < n - 4; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 100000)
			return -1;
		v = v * 10 + (uint32_t)(s[i] - '0');
	}
	return v < HP_DEC_MAX_CPUS ? (int32_t)v : -1;
}

/* The thread pid, created if create; NULL when absent (or out of memory). */
static struct thread *get_thread(struct hp_decoder *d, int32_t pid, bool create)
{
	struct thread *t = find_thread(d, pid);
	size_t i;

	if (t || !create)
		return t;
	if ((d->thr_used + 1) * 2 > d->thr_cap) {
		struct thread *old = d->thr, *nt;
		size_t oldcap = d->thr_cap;

		nt = calloc(oldcap * 2, sizeof(*nt));
		if (!nt)
			return NULL;
		d->thr = nt;
		d->thr_cap = oldcap * 2;
		for (i = 0; i < oldcap; i++)
			if (old[i].used)
				d->thr[slot_of(d, old[i].pid)] = old[i];
		free(old);
	}
	i = slot_of(d, pid);
	t = &d->thr[i];
	memset(t, 0, sizeof(*t));
	t->used = true;
	t->pid = pid;
	t->vcpu = mapped_vcpu(d, pid);
	t->vm = t->vcpu >= 0 ? 0 : -1;
	d->thr_used++;
	return t;
}

/* Learn a thread's vCPU from its name when nothing better named it. */
static void learn_comm(struct thread *t, const char *comm, size_t n)
{
	if (t->vcpu < 0) {
		t->vcpu = vcpu_from_comm(comm, n);
		t->by_comm = t->vcpu >= 0;
	}
}

/* A thread that is a vCPU: by the map, by name; created on first sight. */
static struct thread *vcpu_thread(struct hp_decoder *d, int32_t pid, const char *comm, size_t n)
{
	struct thread *t = find_thread(d, pid);

	if (t) {
		learn_comm(t, comm, n);
		return t;
	}
	if (mapped_vcpu(d, pid) < 0 && vcpu_from_comm(comm, n) < 0)
		return NULL;
	t = get_thread(d, pid, true);
	if (t)
		learn_comm(t, comm, n);
	return t;
}

/* --- guest view ------------------------------------------------------------ */

/*
 * Host+guest: a guest halt [start, exit) of vCPU cpu was woken when the host
 * woke its thread: the thread's sched_wakeup in the halt (it slept), else its
 * kvm_vcpu_wakeup in the halt (it polled, and the poll ended on the wakeup),
 * else (no host event for it) the guest's idle exit.
 */
static uint64_t paired_arrival(struct hp_decoder *d, uint32_t cpu, uint64_t start, uint64_t exit)
{
	const struct thread *t = d->vcpu_pid[cpu] > 0 ? find_thread(d, d->vcpu_pid[cpu]) : NULL;

	if (t && t->sched_wake_ns >= start && t->sched_wake_ns <= exit) {
		d->n_hg_sched++;
		return t->sched_wake_ns;
	}
	if (t && t->kvm_wake_ns >= start && t->kvm_wake_ns <= exit) {
		d->n_hg_kvm++;
		return t->kvm_wake_ns;
	}
	d->n_hg_exit++;
	return exit;
}

static int32_t vm_cpu(struct hp_decoder *d, struct thread *t);

/* The episode CPU of vCPU thread t: its guest CPU (host+guest) or its VM's slot. */
static int32_t busy_cpu(struct hp_decoder *d, struct thread *t)
{
	uint32_t k;

	if (!d->paired)
		return vm_cpu(d, t);
	for (k = 0; k < HP_DEC_MAX_CPUS; k++)
		if (d->vcpu_pid[k] == t->pid)
			return (int32_t)k;
	return -1;
}

_Static_assert(MAX_VMS == HP_SINK_VMS && VM_STRIDE == HP_SINK_STRIDE, "the sink's renumbering");

/* A decoded halt of one view: into its array, or to the reader's sink. */
static int keep(struct hp_decoder *d, unsigned view, struct hp_episodes *to,
                const struct hp_episode *ep, struct hp_err *err)
{
	struct hp_ep_sink *s = d->opts->sink;

	if (!s)
		return hp_episodes_push(to, ep, err);
	s->n[view]++;
	return s->put(s->arg, view, ep, err);
}

/* One guest idle period [start, wake) of cpu, unless it overlaps the previous one. */
static int guest_push(struct hp_decoder *d, struct guest_cpu *c, uint32_t cpu, uint64_t start,
                      uint64_t wake, uint32_t src, int32_t src_cpu, struct hp_err *err)
{
	struct hp_episode ep = {
	    .halt_start_ns = start,
	    .wake_ns = wake,
	    .cpu = cpu,
	    .source_cpu = src_cpu,
	    .source = src,
	};

	if (start < c->last_wake_ns) {
		d->guest_sk.overlapping++;
		return 0;
	}
	c->last_wake_ns = wake;
	if (d->paired)
		ep.wake_ns = paired_arrival(d, cpu, start, wake);
	return keep(d, HP_SINK_GUEST, d->eps, &ep, err);
}

/* A pending poll turned out to be an idle period of its own: the wakeup came while polling. */
static int flush_poll(struct hp_decoder *d, uint32_t cpu, struct hp_err *err)
{
	struct guest_cpu *c = &d->gcpu[cpu];

	if (!c->poll_pending)
		return 0;
	c->poll_pending = false;
	return guest_push(d, c, cpu, c->poll_start_ns, c->poll_end_ns, c->poll_src, c->poll_src_cpu,
	                  err);
}

static int guest_idle(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err)
{
	struct hp_skips *sk = &d->guest_sk; /* counted only if the capture is a guest's */
	struct guest_cpu *c = &d->gcpu[ev->cpu];
	uint64_t state;

	d->idle_events++;
	d->idle_seen[ev->cpu]++;
	if (ev->f.num(ev->f.ctx, "state", &state) < 0) {
		d->eps->skipped.bad_records++;
		return 0;
	}
	if (state != PWR_EVENT_EXIT) {
		uint64_t start = ev->ts;

		if (c->in_idle)
			sk->unpaired_enter++;
		if (c->poll_pending && ev->ts - c->poll_end_ns <= POLL_MERGE_NS) {
			/* the poll timed out and the idle loop went on: one idle period */
			c->poll_pending = false;
			start = c->poll_start_ns;
		} else if (flush_poll(d, ev->cpu, err) < 0) {
			return -1;
		}
		c->in_idle = true;
		c->state = state;
		c->enter_ns = start;
		c->src = HP_SRC_UNKNOWN;
		c->src_cpu = -1;
		return 0;
	}
	if (!c->in_idle) {
		sk->unpaired_exit++;
		return 0;
	}
	c->in_idle = false;
	if (c->state == 0) {
		/* haltpoll's POLL state: an idle period of its own or the start of a halt's */
		sk->poll_states++;
		c->poll_pending = true;
		c->poll_start_ns = c->enter_ns;
		c->poll_end_ns = ev->ts;
		c->poll_src = c->src;
		c->poll_src_cpu = c->src_cpu;
		return 0;
	}
	return guest_push(d, c, ev->cpu, c->enter_ns, ev->ts, c->src, c->src_cpu, err);
}

static void guest_source(struct hp_decoder *d, const struct hp_dec_event *ev)
{
	struct guest_cpu *c;
	uint64_t target;

	if (ev->kind == HP_EV_IPI_SEND_CPUMASK) {
		uint64_t bits[HP_DEC_MAX_CPUS / 64];
		uint32_t k;

		if (!ev->f.mask ||
		    ev->f.mask(ev->f.ctx, "cpumask", bits, HP_DEC_MAX_CPUS / 64) < 0) {
			d->eps->skipped.bad_records++;
			return;
		}
		/* a multi-target IPI wakes each CPU of its mask */
		for (k = 0; k + ev->cpu_base < HP_DEC_MAX_CPUS; k++) {
			if (!(bits[k / 64] >> (k % 64) & 1))
				continue;
			c = &d->gcpu[k + ev->cpu_base];
			if (c->in_idle && ev->ts >= c->enter_ns) {
				c->src = HP_SRC_IPI;
				c->src_cpu = (int32_t)ev->cpu;
			}
		}
		return;
	}
	if (ev->kind == HP_EV_IPI_SEND_CPU) {
		if (ev->f.num(ev->f.ctx, "cpu", &target) < 0 ||
		    target + ev->cpu_base >= HP_DEC_MAX_CPUS) {
			d->eps->skipped.bad_records++;
			return;
		}
		c = &d->gcpu[target + ev->cpu_base];
		if (c->in_idle && ev->ts >= c->enter_ns) {
			c->src = HP_SRC_IPI;
			c->src_cpu = (int32_t)ev->cpu;
		}
		return;
	}
	c = &d->gcpu[ev->cpu];
	if (!c->in_idle)
		return;
	c->src = ev->kind == HP_EV_IRQ_ENTRY ? HP_SRC_IRQ : HP_SRC_TIMER;
	c->src_cpu = -1;
}

/* --- host view ------------------------------------------------------------- */

int hp_dec_exit_is_hlt(const struct hp_dec_event *ev)
{
	uint64_t r, isa;
	const char *s;
	size_t n;

	if (ev->f.str(ev->f.ctx, "reason", &s, &n) == 0)
		return eq(s, n, "HLT") || eq(s, n, "hlt") || eq(s, n, "EXIT_HLT") ||
		       eq(s, n, "idle-halt");
	if (ev->f.num(ev->f.ctx, "exit_reason", &r) < 0)
		/* arm64: only the exception class, and its WFx is WFI and WFE alike, so the
		 * exit does not tell a halt; the halt is kvm_vcpu_wakeup's ns before it */
		return ev->f.num(ev->f.ctx, "esr_ec", &r) == 0 ? 0 : -1;
	if (ev->f.num(ev->f.ctx, "isa", &isa) == 0 && isa == 2)
		return r == 0x78 || r == 0xa6; /* SVM: SVM_EXIT_HLT, SVM_EXIT_IDLE_HLT */
	if (ev->f.num(ev->f.ctx, "isa", &isa) == 0)
		return (r & 0xffff) == 12; /* VMX: EXIT_REASON_HLT */
	return (r & 0xffff) == 12 || r == 0x78;
}

/* A vcpu_id (or runner_vcpu) field names the thread's vCPU when nothing else did. */
static void learn_field(struct thread *t, const struct hp_dec_event *ev, const char *field)
{
	uint64_t v;

	if (t->vcpu < 0 && ev->f.num(ev->f.ctx, field, &v) == 0 && v < HP_DEC_MAX_CPUS)
		t->vcpu = (int32_t)v;
}

/* Place t (a vCPU thread) in a VM; its episode CPU while decoding (-1: none). */
static int32_t vm_cpu(struct hp_decoder *d, struct thread *t)
{
	int32_t anchor;
	int k;

	if (t->vcpu < 0)
		return -1;
	if (t->vcpu >= VM_STRIDE)
		return d->nvms <= 1 ? t->vcpu : -1;
	if (t->vm < 0 && t->tgid > 0) {
		for (k = 0; k < d->nvms && d->vms[k].tgid != t->tgid; k++)
			;
		if (k == d->nvms) {
			if (d->nvms == MAX_VMS)
				return -1;
			d->vms[d->nvms++].tgid = t->tgid;
		}
		t->vm = k;
	}
	if (t->vm < 0 && !t->by_comm)
		t->vm = 0;
	if (t->vm < 0) {
		anchor = t->pid - t->vcpu;
		for (k = 0; k < d->nvms; k++) {
			struct vm *m = &d->vms[k];

			if (!m->tgid && !(m->taken[t->vcpu / 8] >> (t->vcpu % 8) & 1) &&
			    (!m->anchored || (anchor - m->anchor <= VM_PID_SPAN &&
			                      m->anchor - anchor <= VM_PID_SPAN)))
				break;
		}
		if (k == d->nvms) {
			if (d->nvms == MAX_VMS)
				return -1;
			d->nvms++;
		}
		if (!d->vms[k].anchored) {
			d->vms[k].anchor = anchor;
			d->vms[k].anchored = true;
		}
		t->vm = k;
	}
	if (t->vm >= d->nvms) /* named by --vcpu-map before any VM was seen */
		d->nvms = t->vm + 1;
	d->vms[t->vm].taken[t->vcpu / 8] |= (uint8_t)(1u << (t->vcpu % 8));
	if ((uint32_t)t->vcpu + 1 > d->vms[t->vm].nslots)
		d->vms[t->vm].nslots = (uint32_t)t->vcpu + 1;
	return t->vm * VM_STRIDE + t->vcpu;
}

/* Episode CPUs: VM k's vCPU v becomes base_k + v, the VMs one after the other. */
static void vm_renumber(struct hp_decoder *d)
{
	uint32_t base[MAX_VMS], next = 0;
	size_t i;
	int k;

	if (d->nvms <= 1)
		return;
	for (k = 0; k < d->nvms; k++) {
		base[k] = next;
		next += d->vms[k].nslots;
	}
	if (d->opts->sink) { /* the sink's reader renumbers its halts as it writes them */
		d->opts->sink->nvms = (uint32_t)d->nvms;
		memcpy(d->opts->sink->base, base, sizeof(base));
	}
	for (i = 0; i < d->eps->n; i++)
		if (d->eps->ep[i].cpu < (uint32_t)(MAX_VMS * VM_STRIDE))
			d->eps->ep[i].cpu =
			    base[d->eps->ep[i].cpu / VM_STRIDE] + d->eps->ep[i].cpu % VM_STRIDE;
	for (i = 0; i < d->eps->nbusy; i++)
		if (d->eps->busy[i].cpu < (uint32_t)(MAX_VMS * VM_STRIDE))
			d->eps->busy[i].cpu =
			    base[d->eps->busy[i].cpu / VM_STRIDE] + d->eps->busy[i].cpu % VM_STRIDE;
}

static int host_push(struct hp_decoder *d, struct thread *t, uint64_t start, uint64_t wake,
                     uint32_t flags, struct hp_err *err)
{
	struct hp_episode ep = {.halt_start_ns = start,
	                        .wake_ns = wake,
	                        .source_cpu = -1,
	                        .source = HP_SRC_UNKNOWN,
	                        .flags = flags};
	uint64_t last;
	int32_t cpu = vm_cpu(d, t);

	if (cpu < 0 || cpu >= HP_DEC_MAX_CPUS) {
		d->eps->skipped.unmapped_threads++;
		return 0;
	}
	ep.cpu = (uint32_t)cpu;
	last = d->vcpu_last_wake[cpu];
	if (start < last) {
		d->eps->skipped.overlapping++;
		return 0;
	}
	/*
	 * The capture saw the halt reach the host; the episode starts at the
	 * guest's HLT, which the replay's VM exit (hlt_exit_ns) brings back to the
	 * recorded host entry (never before the vCPU's previous wakeup).
	 */
	ep.halt_start_ns =
	    start - last > d->opts->hlt_exit_ns ? start - d->opts->hlt_exit_ns : last;
	d->vcpu_last_wake[cpu] = wake;
	return keep(d, HP_SINK_HOST, &d->host, &ep, err);
}

/* The arrival of a halt [start, resumed) of thread t that slept. */
static uint64_t slept_arrival(struct hp_decoder *d, const struct thread *t, uint64_t start,
                              uint64_t resumed, uint32_t *flags)
{
	if (t->have_wakeup && t->wakeup_ns >= start && t->wakeup_ns <= resumed) {
		d->n_sched_wakeup++;
		return t->wakeup_ns;
	}
	d->n_estimated++;
	*flags |= HP_EP_WAKE_ESTIMATED;
	if (resumed - start < d->opts->host_wakeup_ns)
		return start;
	return resumed - d->opts->host_wakeup_ns;
}

/* kvm_vcpu_wakeup / kvmppc_vcore_wakeup: the halt of ns ending now. */
static int host_wakeup(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err)
{
	struct hp_skips *sk = &d->eps->skipped;
	uint64_t ns, waited, valid = 1, start, wake;
	uint32_t flags = 0;
	struct thread *t;

	d->host_halt_events++;
	if (ev->f.num(ev->f.ctx, "ns", &ns) < 0 || ev->f.num(ev->f.ctx, "waited", &waited) < 0) {
		sk->bad_records++;
		return 0;
	}
	if (ev->kind == HP_EV_VCPU_WAKEUP)
		ev->f.num(ev->f.ctx, "valid", &valid); /* absent before v4.8: valid */
	t = get_thread(d, ev->pid, true);
	if (!t)
		return hp_errf(err, "out of memory for the vCPU thread table");
	learn_comm(t, ev->comm, ev->comm_len);
	if (ev->tgid > 0)
		t->tgid = ev->tgid;
	t->host_cpu = ev->cpu;
	t->kvm_wake_ns = ev->ts;
	if (t->in_halt) {
		start = t->exit_ns;
	} else if (t->exits_seen || ns > ev->ts || ev->ts - ns < d->eps->t_first_ns) {
		sk->unpaired_exit++; /* began before the trace (or its HLT exit was lost) */
		t->slept = t->have_wakeup = false;
		return 0;
	} else {
		start = ev->ts - ns;
	}
	t->in_halt = false;
	if (!valid) {
		/* a halt all the same: the policy sees the invalid wakeup (s390) and shrinks */
		sk->invalid_wakeups++;
		flags |= HP_EP_WAKE_INVALID;
	}
	if (waited) {
		wake = slept_arrival(d, t, start, ev->ts, &flags);
		flags |= HP_EP_REC_SLEPT;
	} else {
		d->n_polled++;
		wake = ev->ts;
		flags |= HP_EP_REC_POLLED;
	}
	if (host_push(d, t, start, wake, flags, err) < 0)
		return -1;
	t->slept = t->have_wakeup = false;
	return 0;
}

static int host_exit(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err)
{
	struct thread *t;
	int hlt = hp_dec_exit_is_hlt(ev);

	if (hlt < 0) {
		d->eps->skipped.bad_records++;
		return 0;
	}
	if (!hlt)
		return 0;
	d->host_halt_events++;
	t = get_thread(d, ev->pid, true);
	if (!t)
		return hp_errf(err, "out of memory for the vCPU thread table");
	learn_comm(t, ev->comm, ev->comm_len);
	learn_field(t, ev, "vcpu_id");
	if (ev->tgid > 0)
		t->tgid = ev->tgid;
	if (t->in_halt)
		d->eps->skipped.unpaired_enter++;
	t->exits_seen = true;
	t->in_halt = true;
	t->exit_ns = ev->ts;
	t->host_cpu = ev->cpu;
	t->slept = t->have_wakeup = false;
	return 0;
}

/* kvm_entry: closes a halt that no kvm_vcpu_wakeup closed (kernels without it). */
static int host_entry(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err)
{
	struct thread *t = find_thread(d, ev->pid);
	uint32_t flags = 0;
	uint64_t wake;

	if (!t)
		return 0;
	learn_field(t, ev, "vcpu_id");
	if (!t->in_halt)
		return 0;
	t->in_halt = false;
	if (t->slept) {
		wake = slept_arrival(d, t, t->exit_ns, ev->ts, &flags);
		flags |= HP_EP_REC_SLEPT;
	} else {
		d->n_polled++;
		wake = ev->ts;
		flags |= HP_EP_REC_POLLED;
	}
	t->slept = t->have_wakeup = false;
	return host_push(d, t, t->exit_ns, wake, flags, err);
}

static bool str_field(const struct hp_dec_event *ev, const char *name, const char **s, size_t *n)
{
	if (ev->f.str(ev->f.ctx, name, s, n) == 0)
		return true;
	*s = NULL;
	*n = 0;
	return false;
}

/* prev_state: a number (trace.dat, -R) or letters (plugin, -N); runnable = preempted. */
static int prev_state_runnable(const struct hp_dec_event *ev)
{
	const char *s;
	uint64_t v;
	size_t n;

	if (ev->f.num(ev->f.ctx, "prev_state", &v) == 0)
		return (v & 0xff) == 0;
	if (!str_field(ev, "prev_state", &s, &n) || n == 0)
		return -1;
	return s[0] == 'R';
}

static int sched_switch(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err)
{
	struct host_cpu *c = &d->hcpu[ev->cpu];
	uint64_t prev, next;
	struct thread *t;
	const char *s;
	size_t n;
	int runnable;

	if (ev->f.num(ev->f.ctx, "prev_pid", &prev) < 0 ||
	    ev->f.num(ev->f.ctx, "next_pid", &next) < 0 ||
	    (runnable = prev_state_runnable(ev)) < 0) {
		d->eps->skipped.bad_records++;
		return 0;
	}
	str_field(ev, "prev_comm", &s, &n);
	t = vcpu_thread(d, (int32_t)prev, s, n);
	if (t && ev->tgid > 0 && ev->pid == t->pid) /* recorded by prev itself */
		t->tgid = ev->tgid;
	if (t && t->vcpu >= 0 && c->pending && busy_cpu(d, t) >= 0) {
		struct hp_busy b = {
		    .start_ns = c->pending_ns, .end_ns = ev->ts, .cpu = (uint32_t)busy_cpu(d, t)};

		if (hp_episodes_push_busy(d->eps, &b, err) < 0)
			return -1;
	}
	if (t && t->in_halt && !runnable)
		t->slept = true;
	c->pending = false;
	/*
	 * A preempted task (switched out runnable) stays runnable here; from 6.12 one that
	 * blocked stays queued too (sched_delayed): either until the next pick on this CPU.
	 */
	if (prev != 0 && (runnable || d->opts->host_kver >= HP_DELAYED_DEQUEUE_KVER)) {
		c->pending = true;
		c->pending_ns = ev->ts;
	}
	c->cur_pid = (int32_t)next;
	if (next == 0)
		d->idle_switches[ev->cpu]++;
	str_field(ev, "next_comm", &s, &n);
	if (!find_thread(d, (int32_t)next))
		vcpu_thread(d, (int32_t)next, s, n);
	return 0;
}

static void sched_wakeup(struct hp_decoder *d, const struct hp_dec_event *ev)
{
	uint64_t pid, target;
	struct thread *t, *cur;
	const char *s;
	size_t n;

	if (ev->f.num(ev->f.ctx, "pid", &pid) < 0) {
		d->eps->skipped.bad_records++;
		return;
	}
	str_field(ev, "comm", &s, &n);
	t = vcpu_thread(d, (int32_t)pid, s, n);
	if (t) {
		t->have_wakeup = true;
		t->wakeup_ns = ev->ts;
		t->sched_wake_ns = ev->ts;
	}
	if (ev->f.num(ev->f.ctx, "target_cpu", &target) < 0 ||
	    target + ev->cpu_base >= HP_DEC_MAX_CPUS)
		return;
	target += ev->cpu_base;
	cur = find_thread(d, d->hcpu[target].cur_pid);
	if (cur && cur->vcpu >= 0 && cur->pid != (int32_t)pid && d->hcpu[target].cur_pid != 0 &&
	    !d->hcpu[target].pending) {
		d->hcpu[target].pending = true;
		d->hcpu[target].pending_ns = ev->ts;
	}
}

/* --- entry points ---------------------------------------------------------- */

int hp_dec_event(struct hp_decoder *d, const struct hp_dec_event *ev, struct hp_err *err)
{
	struct hp_skips *sk = &d->eps->skipped;
	struct thread *t;

	if (!d->any_event) {
		d->eps->t_first_ns = ev->ts;
		d->any_event = true;
	}
	if (ev->ts > d->eps->t_last_ns)
		d->eps->t_last_ns = ev->ts;
	if (d->opts && d->opts->progress) {
		d->opts->progress->events++;
		d->opts->progress->last_ts = ev->ts;
		if (ev->cpu < HP_PROGRESS_CPUS)
			d->opts->progress->per_cpu[ev->cpu]++;
	}
	if (ev->cpu >= HP_DEC_MAX_CPUS) {
		sk->bad_records++;
		return 0;
	}
	if (d->opts->calib && ev->side != HP_SIDE_GUEST)
		hp_calib_event(d->opts->calib, ev);
	if (ev->side == HP_SIDE_GUEST) {
		/* a guest's buffers: its idle periods and wake sources; its tasks are not host
		 * threads */
		switch (ev->kind) {
		case HP_EV_CPU_IDLE:
		case HP_EV_IPI_SEND_CPU:
		case HP_EV_IPI_SEND_CPUMASK:
		case HP_EV_IRQ_ENTRY:
		case HP_EV_HRTIMER_EXPIRE:
		case HP_EV_GUEST_HALT_POLL_NS:
			break;
		case HP_EV_SCHED_SWITCH:
			return flush_poll(d, ev->cpu, err);
		default:
			sk->other_events++;
			return 0;
		}
	} else if (ev->side == HP_SIDE_HOST && ev->kind == HP_EV_CPU_IDLE) {
		sk->other_events++; /* the host's own idle */
		return 0;
	}
	switch (ev->kind) {
	case HP_EV_CPU_IDLE:
		return guest_idle(d, ev, err);
	case HP_EV_IPI_SEND_CPU:
	case HP_EV_IPI_SEND_CPUMASK:
	case HP_EV_IRQ_ENTRY:
	case HP_EV_HRTIMER_EXPIRE:
		guest_source(d, ev);
		return 0;
	case HP_EV_GUEST_HALT_POLL_NS:
		sk->poll_ns_changes++;
		return 0;
	case HP_EV_HALT_POLL_NS:
		sk->poll_ns_changes++;
		t = get_thread(d, ev->pid, true);
		if (t) {
			learn_comm(t, ev->comm, ev->comm_len);
			learn_field(t, ev, "vcpu_id");
		}
		return 0;
	case HP_EV_VCPU_WAKEUP:
	case HP_EV_VCORE_WAKEUP:
		return host_wakeup(d, ev, err);
	case HP_EV_KVM_EXIT:
		return host_exit(d, ev, err);
	case HP_EV_KVM_ENTRY:
		return host_entry(d, ev, err);
	case HP_EV_VCORE_BLOCKED:
		t = get_thread(d, ev->pid, true);
		if (t) {
			learn_comm(t, ev->comm, ev->comm_len);
			learn_field(t, ev, "runner_vcpu");
		}
		return 0;
	case HP_EV_SCHED_SWITCH:
		/* a task runs: a poll that ended before it ended with its wakeup */
		if (ev->side == HP_SIDE_ONE && flush_poll(d, ev->cpu, err) < 0)
			return -1;
		return sched_switch(d, ev, err);
	case HP_EV_SCHED_WAKEUP:
		sched_wakeup(d, ev);
		return 0;
	default:
		sk->other_events++;
		return 0;
	}
}

void hp_dec_gap(struct hp_decoder *d, uint32_t cpu, uint64_t count)
{
	hp_dec_gap_side(d, cpu, count, HP_SIDE_ONE);
}

void hp_dec_gap_side(struct hp_decoder *d, uint32_t cpu, uint64_t count, uint8_t side)
{
	size_t i;

	d->eps->skipped.drop_gaps++;
	d->eps->skipped.dropped_events += count;
	if (cpu >= HP_DEC_MAX_CPUS)
		return;
	if (side == HP_SIDE_HOST)
		goto host; /* a host CPU's gap says nothing of the guest CPU with its number */
	if (d->gcpu[cpu].in_idle) {
		d->gcpu[cpu].in_idle = false;
		d->guest_sk.cut_by_gap++;
	}
	/* whether a halt followed the poll is lost with the events: its idle period is cut */
	if (d->gcpu[cpu].poll_pending) {
		d->gcpu[cpu].poll_pending = false;
		d->guest_sk.cut_by_gap++;
	}
	if (side == HP_SIDE_GUEST)
		return;
host:
	d->hcpu[cpu].pending = false;
	for (i = 0; i < d->thr_cap; i++) {
		struct thread *t = &d->thr[i];

		if (t->used && t->host_cpu == cpu && t->in_halt) {
			t->in_halt = false;
			d->eps->skipped.cut_by_gap++;
		}
	}
}

void hp_dec_set_vcpu_pid(struct hp_decoder *d, uint32_t guest_cpu, int32_t pid)
{
	if (guest_cpu >= HP_DEC_MAX_CPUS || pid <= 0)
		return;
	d->vcpu_pid[guest_cpu] = pid;
	d->paired = true;
}

void hp_dec_bad_record(struct hp_decoder *d)
{
	d->eps->skipped.bad_records++;
}

int hp_dec_finish(struct hp_decoder *d, const char *path, struct hp_err *err)
{
	struct hp_episodes *eps = d->eps;
	struct hp_ep_sink *sink = d->opts->sink;
	size_t i;

	for (i = 0; i < HP_DEC_MAX_CPUS; i++) {
		if (d->gcpu[i].in_idle)
			d->guest_sk.unpaired_enter++;
		if (flush_poll(d, (uint32_t)i, err) < 0)
			return -1;
	}
	for (i = 0; i < d->thr_cap; i++)
		if (d->thr[i].used && d->thr[i].in_halt)
			eps->skipped.unpaired_enter++;
	if (d->paired) {
		/* host+guest: the guest's halts, woken when the host woke their vCPU threads */
		eps->skipped.unpaired_enter += d->guest_sk.unpaired_enter;
		eps->skipped.unpaired_exit += d->guest_sk.unpaired_exit;
		eps->skipped.poll_states += d->guest_sk.poll_states;
		eps->skipped.overlapping += d->guest_sk.overlapping;
		eps->skipped.cut_by_gap += d->guest_sk.cut_by_gap;
		snprintf(
		    eps->assumption, sizeof(eps->assumption),
		    "host+guest capture: arrival = vCPU thread sched_wakeup for %llu slept, "
		    "kvm_vcpu_wakeup for %llu polled, guest idle exit (no host event) for %llu",
		    (unsigned long long)d->n_hg_sched, (unsigned long long)d->n_hg_kvm,
		    (unsigned long long)d->n_hg_exit);
		if (sink)
			sink->view = HP_SINK_GUEST;
	} else if (d->host_halt_events) {
		/* a host capture: its cpu_idle events are the host's own idle, not cut or
		 * polled halts (guest_sk is dropped) */
		eps->skipped.other_events += d->idle_events;
		free(eps->ep);
		eps->ep = d->host.ep;
		eps->n = d->host.n;
		eps->cap = d->host.cap;
		d->host.ep = NULL;
		d->host.n = d->host.cap = 0;
		vm_renumber(d);
		if (sink)
			sink->view = HP_SINK_HOST;
		snprintf(
		    eps->assumption, sizeof(eps->assumption),
		    "host capture: arrival = end of halt for %llu polled, sched_wakeup for %llu "
		    "slept, resume - %llu ns (estimated) for %llu slept",
		    (unsigned long long)d->n_polled, (unsigned long long)d->n_sched_wakeup,
		    (unsigned long long)d->opts->host_wakeup_ns,
		    (unsigned long long)d->n_estimated);
	} else {
		eps->skipped.unpaired_enter += d->guest_sk.unpaired_enter;
		eps->skipped.unpaired_exit += d->guest_sk.unpaired_exit;
		eps->skipped.poll_states += d->guest_sk.poll_states;
		eps->skipped.overlapping += d->guest_sk.overlapping;
		eps->skipped.cut_by_gap += d->guest_sk.cut_by_gap;
		/* a CPU idling often with no cpu_idle event: its halts were not recorded */
		for (i = 0; i < HP_DEC_MAX_CPUS; i++)
			if (d->idle_switches[i] >= HP_IDLE_UNSEEN_MIN && !d->idle_seen[i]) {
				eps->skipped.idle_unseen_cpus++;
				eps->skipped.idle_unseen_switches += d->idle_switches[i];
			}
		snprintf(eps->assumption, sizeof(eps->assumption),
		         "guest capture: wake arrival = cpu_idle exit (includes the recording "
		         "host's wake path)");
		if (sink)
			sink->view = HP_SINK_GUEST;
	}
	if (sink ? sink->n[sink->view] == 0 : eps->n == 0)
		return hp_errf(err,
		               "%s: no complete halts in the capture (expected power:cpu_idle "
		               "enter/exit pairs, or kvm:kvm_vcpu_wakeup / kvm_exit HLT events)",
		               path);
	return 0;
}
