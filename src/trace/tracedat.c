/*
 * trace.dat reader (libtracecmd): each record becomes a generic event for the
 * shared decoder (decode.c), with fields read by name from the event format
 * stored in the file. libtracecmd's missed-events count becomes a gap.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trace-cmd.h>
#include <event-parse.h>

#include "decode.h"

#define FIELD_CACHE 8

/* A used event, with the fields the decoder asked for (by the name's address). */
struct known {
	int id;
	enum hp_ev_kind kind;
	struct tep_event *ev;
	int ncache;
	struct {
		const char *name;
		struct tep_format_field *f;
	} cache[FIELD_CACHE];
};

struct ctx {
	struct hp_decoder *dec;
	struct tep_handle *tep;
	struct hp_err *err;
	struct known known[HP_EV_KIND_COUNT];
	size_t nknown;
	int failed;
};

/* The field accessor's view of one record. */
struct rec_view {
	struct known *k;
	struct tep_record *rec;
};

/* The field called name (the decoder passes the same literals every time). */
static struct tep_format_field *field(struct known *k, const char *name)
{
	struct tep_format_field *f;
	int i;

	for (i = 0; i < k->ncache; i++)
		if (k->cache[i].name == name)
			return k->cache[i].f;
	f = tep_find_any_field(k->ev, name);
	if (k->ncache < FIELD_CACHE) {
		k->cache[k->ncache].name = name;
		k->cache[k->ncache].f = f;
		k->ncache++;
	}
	return f;
}

static int probe(const unsigned char *head, size_t len)
{
	static const unsigned char magic[] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

	return len >= sizeof(magic) && memcmp(head, magic, sizeof(magic)) == 0;
}

static int field_num(void *p, const char *name, uint64_t *out)
{
	struct rec_view *v = p;
	struct tep_format_field *f = field(v->k, name);
	unsigned long long val;

	if (!f || (f->flags & TEP_FIELD_IS_STRING) ||
	    (long long)f->offset + f->size > (long long)v->rec->size)
		return -1;
	if (tep_read_number_field(f, v->rec->data, &val) < 0)
		return -1;
	*out = val;
	return 0;
}

static int field_str(void *p, const char *name, const char **s, size_t *len)
{
	struct rec_view *v = p;
	struct tep_format_field *f = field(v->k, name);
	const char *data;

	if (!f || !(f->flags & TEP_FIELD_IS_STRING) || (f->flags & TEP_FIELD_IS_DYNAMIC) ||
	    (long long)f->offset + f->size > (long long)v->rec->size)
		return -1;
	data = (const char *)v->rec->data + f->offset;
	*s = data;
	*len = strnlen(data, (size_t)f->size);
	return 0;
}

static int on_record(struct tracecmd_input *handle, struct tep_record *rec, int cpu, void *data)
{
	struct ctx *c = data;
	struct rec_view view = {.rec = rec};
	struct hp_dec_event ev = {.f = {field_num, field_str, &view}};
	const char *comm;
	int type;
	size_t i;

	(void)handle;
	(void)cpu; /* the iterator's argument is not the record's CPU; rec->cpu is */
	if (rec->cpu < 0) {
		hp_dec_bad_record(c->dec);
		return 0;
	}
	if (rec->missed_events)
		hp_dec_gap(c->dec, (uint32_t)rec->cpu,
		           rec->missed_events > 0 ? (uint64_t)rec->missed_events : 0);
	type = tep_data_type(c->tep, rec);
	ev.ts = rec->ts;
	ev.cpu = (uint32_t)rec->cpu;
	ev.kind = HP_EV_OTHER;
	for (i = 0; i < c->nknown; i++) {
		if (c->known[i].id == type) {
			ev.kind = c->known[i].kind;
			view.k = &c->known[i];
			break;
		}
	}
	if (ev.kind != HP_EV_OTHER)
		ev.pid = tep_data_pid(c->tep, rec);
	/* the recording thread's name matters only for the vCPU threads' own events */
	if (ev.kind == HP_EV_VCPU_WAKEUP || ev.kind == HP_EV_KVM_EXIT ||
	    ev.kind == HP_EV_HALT_POLL_NS || ev.kind == HP_EV_VCORE_WAKEUP ||
	    ev.kind == HP_EV_VCORE_BLOCKED) {
		comm = tep_data_comm_from_pid(c->tep, ev.pid);
		ev.comm = comm;
		ev.comm_len = comm ? strlen(comm) : 0;
	}
	if (hp_dec_event(c->dec, &ev, c->err) < 0) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

/* Find the events the decoder uses among those the file describes. */
static void find_known(struct ctx *c)
{
	struct tep_event **all = tep_list_events(c->tep, TEP_EVENT_SORT_ID);
	int i;

	for (i = 0; all && all[i] && c->nknown < HP_EV_KIND_COUNT; i++) {
		const char *sys = all[i]->system ? all[i]->system : "";
		enum hp_ev_kind k =
		    hp_dec_kind(sys, strlen(sys), all[i]->name, strlen(all[i]->name));

		if (k == HP_EV_OTHER)
			continue;
		c->known[c->nknown].id = all[i]->id;
		c->known[c->nknown].kind = k;
		c->known[c->nknown].ev = all[i];
		c->nknown++;
	}
}

static bool has_halt_events(const struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->nknown; i++)
		if (c->known[i].kind == HP_EV_CPU_IDLE || c->known[i].kind == HP_EV_VCPU_WAKEUP ||
		    c->known[i].kind == HP_EV_KVM_EXIT || c->known[i].kind == HP_EV_VCORE_WAKEUP)
			return true;
	return false;
}

static int read_tracedat(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                         struct hp_err *err)
{
	struct tracecmd_input *h;
	struct ctx c = {.err = err};
	int rc;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS); /* fields are read raw */
	if (!h)
		return hp_errf(err, "%s: cannot open as trace.dat (truncated or corrupt file?)",
		               path);
	c.tep = tracecmd_get_tep(h);
	if (c.tep)
		find_known(&c);
	if (!has_halt_events(&c)) {
		tracecmd_close(h);
		return hp_errf(err,
		               "%s: no halt events recorded; record the guest with `-e "
		               "power:cpu_idle` or the host with `-e kvm:kvm_vcpu_wakeup -e "
		               "kvm:kvm_exit -e sched`",
		               path);
	}
	c.dec = hp_dec_new(opts, eps);
	if (!c.dec) {
		tracecmd_close(h);
		return hp_errf(err, "out of memory");
	}
	tracecmd_iterate_events(h, NULL, 0, on_record, &c);
	rc = c.failed ? -1 : hp_dec_finish(c.dec, path, err);
	hp_dec_free(c.dec);
	tracecmd_close(h);
	return rc;
}

const struct hp_trace_reader hp_reader_tracedat = {
    .name = "trace.dat",
    .probe = probe,
    .read = read_tracedat,
};
