/*
 * A simulated run as `trace-cmd report` text: the kernel's trace formats,
 * the report line layout (comm-pid, [cpu], microsecond timestamp rounded
 * half up, the event name padded to 20 columns), lines in time order.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/report.h"

struct line {
	uint64_t ts;
	uint64_t seq;
	uint32_t cpu;
	char text[120]; /* "event: info" */
};

struct hp_trace_emit {
	uint32_t ncpu;
	size_t n, cap;
	struct line *l;
	int oom;
};

struct hp_trace_emit *hp_trace_emit_new(uint32_t ncpu)
{
	struct hp_trace_emit *e = calloc(1, sizeof(*e));

	if (e)
		e->ncpu = ncpu;
	return e;
}

static void add(struct hp_trace_emit *e, uint64_t ts, uint32_t cpu, const char *event,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add(struct hp_trace_emit *e, uint64_t ts, uint32_t cpu, const char *event,
                const char *fmt, ...)
{
	struct line *l;
	va_list ap;
	int len;

	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 4096;
		struct line *p = realloc(e->l, cap * sizeof(*p));

		if (!p) {
			e->oom = 1;
			return;
		}
		e->l = p;
		e->cap = cap;
	}
	l = &e->l[e->n];
	l->ts = ts;
	l->seq = e->n++;
	l->cpu = cpu;
	/* name, colon, and padding to 20 columns for the name, as trace-cmd prints it */
	len = snprintf(l->text, sizeof(l->text), "%s: %*s", event,
	               (int)(strlen(event) < 20 ? 20 - strlen(event) : 0), "");
	va_start(ap, fmt);
	vsnprintf(l->text + len, sizeof(l->text) - (size_t)len, fmt, ap);
	va_end(ap);
}

void hp_trace_emit_add(void *ctx, const struct hp_outcome *o)
{
	struct hp_trace_emit *e = ctx;
	uint32_t cpu = o->ep->cpu;
	const struct hp_decision *d;

	if (o->has[HP_LAYER_HOST]) {
		d = &o->d[HP_LAYER_HOST];
		/* the adjustment is traced before the same halt's wakeup */
		if (d->adjust)
			add(e, d->end_ns, cpu, "kvm_halt_poll_ns",
			    "vcpu %u: halt_poll_ns %u (%s %u)", cpu, d->adj_new,
			    d->adjust > 0 ? "grow" : "shrink", d->adj_old);
		add(e, d->end_ns, cpu, "kvm_vcpu_wakeup", "%s time %" PRIu64 " ns, polling %s",
		    d->waited ? "wait" : "poll", d->block_ns, d->valid ? "valid" : "invalid");
	}
	if (o->has[HP_LAYER_VCORE]) {
		d = &o->d[HP_LAYER_VCORE];
		add(e, d->end_ns, cpu, "kvmppc_vcore_wakeup", "%s time %" PRIu64 " ns, tgid=%d",
		    d->waited ? "wait" : "poll", d->block_ns, 4000);
	}
	if (o->has[HP_LAYER_GUEST]) {
		d = &o->d[HP_LAYER_GUEST];
		if (d->adjust)
			add(e, d->end_ns, cpu | 0x80000000u, "guest_halt_poll_ns",
			    "halt_poll_ns %u (%s %u)", d->adj_new,
			    d->adjust > 0 ? "grow" : "shrink", d->adj_old);
	}
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int hp_trace_emit_finish(struct hp_trace_emit *e, FILE *f, struct hp_err *err)
{
	size_t i;
	int rc = 0;

	if (!f)
		goto out; /* discard */
	if (e->oom) {
		rc = hp_errf(err, "out of memory collecting trace lines");
		goto out;
	}
	if (e->n) /* no line, no array: qsort() must not see NULL */
		qsort(e->l, e->n, sizeof(*e->l), cmp_line);
	fprintf(f, "cpus=%u\n", e->ncpu ? e->ncpu : 1);
	for (i = 0; i < e->n; i++) {
		const struct line *l = &e->l[i];
		/* microseconds, rounded half up, as trace-cmd prints the default clock */
		uint64_t us = (l->ts + 500) / 1000;
		uint32_t cpu = l->cpu & 0x7fffffffu;
		char comm[32];
		int pid;

		if (l->cpu & 0x80000000u) {
			snprintf(comm, sizeof(comm), "<idle>");
			pid = 0;
		} else {
			snprintf(comm, sizeof(comm), "CPU %u/KVM", cpu);
			pid = 4000 + (int)cpu;
		}
		fprintf(f, "%16s-%-5d [%03u] %5" PRIu64 ".%06" PRIu64 ": %s\n", comm, pid, cpu,
		        us / 1000000, us % 1000000, l->text);
	}
	if (ferror(f))
		rc = hp_errf(err, "writing the trace text failed");
out:
	free(e->l);
	free(e);
	return rc;
}
