/*
 * hpsim calibrate's measurements: a collector that sees every event of a
 * host capture (through the shared decoder) and keeps, per vCPU thread, the
 * times that bound each cost-model step:
 *
 *  hlt_exit_ns     kvm_exit (HLT) to the halt's start in kvm_vcpu_halt()
 *                  (kvm_vcpu_wakeup's time minus its ns)
 *  host_wakeup_ns  sched_wakeup of the vCPU thread, asleep in a halt, to the
 *                  halt's end (kvm_vcpu_wakeup "wait"): the step the replay
 *                  adds from a wakeup's arrival to the thread back in KVM, and
 *                  the one the host reader takes back off a slept halt
 *  vm_entry_ns     a polled halt's end (kvm_vcpu_wakeup "poll") to kvm_entry
 *
 * and, as parts or companions of those, the scheduler's share (sched_wakeup
 * to the thread switched in), the thread's own (switched in to the halt's
 * end) and the entry after a slept halt.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "hpsim/calibrate.h"

const double hp_calib_p[HP_CALIB_NQ] = {0,    0.01, 0.05, 0.1,  0.25,  0.5,
                                        0.75, 0.9,  0.95, 0.99, 0.999, 1};

enum {
	V_HLT_EXIT,
	V_VM_ENTRY,
	V_HOST_WAKEUP,
	V_POLL_DETECT,
	V_GUEST_RELAX,
	V_GUEST_WAKEUP,
	V_WAKE_TO_RUN,
	V_RUN_TO_RESUME,
	V_ENTRY_AFTER_SLEEP,
	V_COUNT
};

static const struct {
	const char *name;
	bool cost;
	const char *from;
} vdef[V_COUNT] = {
    {"hlt_exit_ns", true, "kvm_exit HLT -> halt start (kvm_vcpu_wakeup time - ns)"},
    {"vm_entry_ns", true, "kvm_vcpu_wakeup poll -> kvm_entry"},
    {"host_wakeup_ns", true, "sched_wakeup of the sleeping vCPU thread -> kvm_vcpu_wakeup wait"},
    {"poll_detect_ns", true, NULL},
    {"guest_relax_ns", true, NULL},
    {"guest_wakeup_ns", true, NULL},
    {"sched_wake_to_run_ns", false, "sched_wakeup of the vCPU thread -> sched_switch to it"},
    {"run_to_resume_ns", false, "sched_switch to the vCPU thread -> kvm_vcpu_wakeup wait"},
    {"entry_after_sleep_ns", false, "kvm_vcpu_wakeup wait -> kvm_entry"},
};

struct samples {
	uint64_t *v;
	size_t n, cap;
};

struct vthread {
	int32_t pid;
	bool exit_open; /* an HLT exit with no entry since */
	uint64_t exit_ns;
	bool asleep; /* switched out, not runnable, since the exit or halt start */
	bool woken;  /* sched_wakeup while asleep */
	uint64_t wakeup_ns;
	bool switched_in; /* switched in after that wakeup */
	uint64_t switch_in_ns;
	bool resume_open; /* a halt ended; its kvm_entry not seen yet */
	bool resume_polled;
	uint64_t resume_ns;
};

struct hp_calib {
	struct vthread *t;
	size_t nt, cap;
	struct samples s[V_COUNT];
	struct hp_calib_result *r;
	int oom;
};

static void add(struct hp_calib *c, int which, uint64_t ns)
{
	struct samples *s = &c->s[which];

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		uint64_t *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			c->oom = 1;
			return;
		}
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ns;
}

static struct vthread *thread(struct hp_calib *c, int32_t pid, bool create)
{
	size_t i;

	for (i = 0; i < c->nt; i++)
		if (c->t[i].pid == pid)
			return &c->t[i];
	if (!create)
		return NULL;
	if (c->nt == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 16;
		struct vthread *t = realloc(c->t, cap * sizeof(*t));

		if (!t) {
			c->oom = 1;
			return NULL;
		}
		c->t = t;
		c->cap = cap;
	}
	memset(&c->t[c->nt], 0, sizeof(c->t[0]));
	c->t[c->nt].pid = pid;
	c->r->threads++;
	return &c->t[c->nt++];
}

/* QEMU names its vCPU threads "CPU n/KVM": known before their first KVM event. */
static bool vcpu_comm(const struct hp_dec_event *ev, const char *field)
{
	const char *s;
	size_t n;

	return ev->f.str(ev->f.ctx, field, &s, &n) == 0 && n >= 9 && !memcmp(s, "CPU ", 4) &&
	       !memcmp(s + n - 4, "/KVM", 4);
}

static void halt_end(struct hp_calib *c, const struct hp_dec_event *ev)
{
	uint64_t ns, waited, start;
	struct vthread *t;

	if (ev->f.num(ev->f.ctx, "ns", &ns) < 0 || ev->f.num(ev->f.ctx, "waited", &waited) < 0 ||
	    ns > ev->ts)
		return;
	t = thread(c, ev->pid, true);
	if (!t)
		return;
	c->r->halts++;
	start = ev->ts - ns;
	if (t->exit_open && t->exit_ns <= start)
		add(c, V_HLT_EXIT, start - t->exit_ns);
	if (waited) {
		c->r->slept++;
		if (t->woken && t->wakeup_ns >= start) {
			add(c, V_HOST_WAKEUP, ev->ts - t->wakeup_ns);
			if (t->switched_in) {
				add(c, V_WAKE_TO_RUN, t->switch_in_ns - t->wakeup_ns);
				add(c, V_RUN_TO_RESUME, ev->ts - t->switch_in_ns);
			}
		}
	} else {
		c->r->polled++;
	}
	t->exit_open = t->asleep = t->woken = t->switched_in = false;
	t->resume_open = true;
	t->resume_polled = !waited;
	t->resume_ns = ev->ts;
}

static void sched_switch(struct hp_calib *c, const struct hp_dec_event *ev)
{
	uint64_t prev, next, state;
	struct vthread *t;
	const char *s;
	size_t n;
	bool runnable;

	if (ev->f.num(ev->f.ctx, "prev_pid", &prev) < 0 ||
	    ev->f.num(ev->f.ctx, "next_pid", &next) < 0)
		return;
	if (ev->f.num(ev->f.ctx, "prev_state", &state) == 0)
		runnable = (state & 0xff) == 0;
	else if (ev->f.str(ev->f.ctx, "prev_state", &s, &n) == 0 && n > 0)
		runnable = s[0] == 'R';
	else
		return;
	t = thread(c, (int32_t)prev, vcpu_comm(ev, "prev_comm"));
	if (t && !runnable) {
		t->asleep = true;
		t->woken = t->switched_in = false;
	}
	t = thread(c, (int32_t)next, false);
	if (t && t->woken && !t->switched_in) {
		t->switched_in = true;
		t->switch_in_ns = ev->ts;
	}
}

void hp_calib_event(struct hp_calib *c, const struct hp_dec_event *ev)
{
	struct vthread *t;
	uint64_t pid;

	switch (ev->kind) {
	case HP_EV_KVM_EXIT:
		if (hp_dec_exit_is_hlt(ev) != 1)
			return;
		c->r->hlt_exits++;
		t = thread(c, ev->pid, true);
		if (t) {
			t->exit_open = true;
			t->exit_ns = ev->ts;
			t->asleep = t->woken = t->switched_in = false;
		}
		return;
	case HP_EV_VCPU_WAKEUP:
		halt_end(c, ev);
		return;
	case HP_EV_KVM_ENTRY:
		c->r->entries++;
		t = thread(c, ev->pid, true);
		if (!t)
			return;
		if (t->resume_open)
			add(c, t->resume_polled ? V_VM_ENTRY : V_ENTRY_AFTER_SLEEP,
			    ev->ts - t->resume_ns);
		t->resume_open = t->exit_open = false;
		return;
	case HP_EV_SCHED_SWITCH:
		sched_switch(c, ev);
		return;
	case HP_EV_SCHED_WAKEUP:
		if (ev->f.num(ev->f.ctx, "pid", &pid) < 0)
			return;
		t = thread(c, (int32_t)pid, vcpu_comm(ev, "comm"));
		if (t && t->asleep && !t->woken) {
			t->woken = true;
			t->wakeup_ns = ev->ts;
		}
		return;
	default:
		return;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The inverse CDF of sorted v at p, interpolating linearly between ranks. */
static uint64_t quantile(const uint64_t *v, size_t n, double p)
{
	double pos = p * (double)(n - 1), frac;
	size_t lo = (size_t)floor(pos);

	if (lo >= n - 1)
		return v[n - 1];
	frac = pos - (double)lo;
	return v[lo] + (uint64_t)llround(frac * (double)(v[lo + 1] - v[lo]));
}

static void why_not(struct hp_calib_value *v, int which, const struct hp_calib_result *r)
{
	const char *why = "";

	switch (which) {
	case V_HLT_EXIT:
		why = r->hlt_exits
		          ? "no kvm_exit HLT was followed by its thread's kvm_vcpu_wakeup"
		          : "no kvm:kvm_exit events with an HLT reason (not recorded, or a "
		            "KVM that emits none, such as a software-virtualized one)";
		break;
	case V_VM_ENTRY:
	case V_ENTRY_AFTER_SLEEP:
		why = r->entries
		          ? "no kvm_entry followed a halt of this kind"
		          : "no kvm:kvm_entry events (not recorded, or a KVM that emits none, "
		            "such as a software-virtualized one)";
		break;
	case V_HOST_WAKEUP:
	case V_WAKE_TO_RUN:
	case V_RUN_TO_RESUME:
		why = !r->slept ? "no halt slept (kvm_vcpu_wakeup wait)"
		                : "no sched:sched_wakeup of a vCPU thread asleep in a halt (record "
		                  "sched:sched_switch and sched:sched_wakeup)";
		break;
	case V_POLL_DETECT:
		why = "a host capture has no event at a polled halt's wakeup arrival: "
		      "kvm_vcpu_wakeup marks the poll's end, not when the interrupt was posted";
		break;
	case V_GUEST_RELAX:
		why = "a guest cost: the guest's poll_idle loop makes no host events";
		break;
	case V_GUEST_WAKEUP:
		why = "a guest cost: interrupt entry to the guest task is not visible on the host";
		break;
	default:
		break;
	}
	snprintf(v->why, sizeof(v->why), "%s", why);
}

static void finish(struct hp_calib *c, struct hp_calib_result *r)
{
	int i, k;

	r->nv = V_COUNT;
	for (i = 0; i < V_COUNT; i++) {
		struct hp_calib_value *v = &r->v[i];
		struct samples *s = &c->s[i];
		double sum = 0;
		size_t j;

		v->name = vdef[i].name;
		v->cost_field = vdef[i].cost;
		v->from = vdef[i].from ? vdef[i].from : "";
		v->n = s->n;
		if (!s->n) {
			why_not(v, i, r);
			continue;
		}
		qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
		for (k = 0; k < HP_CALIB_NQ; k++)
			v->q[k] = quantile(s->v, s->n, hp_calib_p[k]);
		for (j = 0; j < s->n; j++)
			sum += (double)s->v[j];
		v->mean_ns = sum / (double)s->n;
	}
}

int hp_calibrate(const char *path, const struct hp_read_opts *opts, struct hp_calib_result *r,
                 struct hp_err *err)
{
	struct hp_episodes eps = {0};
	struct hp_read_opts ro;
	struct hp_calib c;
	int i, rc;

	if (opts)
		ro = *opts;
	else
		hp_read_opts_init(&ro);

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.r = r;
	ro.use_cache = 0; /* the cache holds episodes, not the events measured here */
	ro.calib = &c;
	rc = hp_trace_read_opts(path, &ro, &eps, err);
	hp_episodes_free(&eps);
	if (!rc && c.oom)
		rc = hp_errf(err, "%s: out of memory for the calibration samples", path);
	if (!rc && !r->halts && !r->hlt_exits)
		rc =
		    hp_errf(err,
		            "%s: not a host capture: no kvm:kvm_vcpu_wakeup or kvm:kvm_exit HLT "
		            "events (a guest capture's cpu_idle events hold no host costs); record "
		            "on the host with -e kvm:kvm_exit -e kvm:kvm_entry -e "
		            "kvm:kvm_vcpu_wakeup -e sched:sched_switch -e sched:sched_wakeup",
		            path);
	if (!rc)
		finish(&c, r);
	for (i = 0; i < V_COUNT; i++)
		free(c.s[i].v);
	free(c.t);
	return rc;
}

const struct hp_calib_value *hp_calib_find(const struct hp_calib_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nv; i++)
		if (!strcmp(r->v[i].name, name))
			return &r->v[i];
	return NULL;
}
