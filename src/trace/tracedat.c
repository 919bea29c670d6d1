/*
 * trace.dat reader (libtracecmd): each record becomes a generic event for the
 * shared decoder (decode.c), with fields read by name from the event format
 * stored in the file. libtracecmd's missed-events count becomes a gap.
 *
 * When the caller counts the events read (opts->progress, as the isolated
 * reader does), they are compared with the per-CPU counts the file's CPU
 * statistics record, through the same handle, so that a capture read only in
 * part is flagged (hp_skips.unread_events).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trace-cmd.h>
#include <event-parse.h>

#include "decode.h"
#include "tracedat_bufs.h"

/* Exported by libtracecmd but not declared in its public header: the text of the
 * file's CPU statistics ("CPU: n" then "read events: N" among other lines), or NULL. */
const char *tracecmd_get_cpustats(struct tracecmd_input *handle);

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

/* One buffer of the file (or of a guest file): its events and where its CPUs go. */
struct src {
	struct tracecmd_input *h;
	struct tep_handle *tep;
	struct known known[HP_EV_KIND_COUNT];
	size_t nknown;
	uint32_t cpu_base;
	uint8_t side;
};

struct ctx {
	struct hp_decoder *dec;
	struct hp_err *err;
	struct src src[HP_TDAT_MAX_BUFS];
	int nsrc;
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

/* A cpumask field (__data_loc bitmask of longs): CPUs below nwords * 64 into bits. */
static int field_mask(void *p, const char *name, uint64_t *bits, size_t nwords)
{
	struct rec_view *v = p;
	struct tep_format_field *f = field(v->k, name);
	const unsigned char *d;
	unsigned long long loc;
	size_t off, len, i;

	if (!f || !(f->flags & TEP_FIELD_IS_DYNAMIC) ||
	    (long long)f->offset + f->size > (long long)v->rec->size ||
	    tep_read_number_field(f, v->rec->data, &loc) < 0)
		return -1;
	off = (size_t)(loc & 0xffff);
	len = (size_t)(loc >> 16 & 0xffff);
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		off += (size_t)f->offset + (size_t)f->size;
	if (off + len > (size_t)v->rec->size)
		return -1;
	d = (const unsigned char *)v->rec->data + off;
	memset(bits, 0, nwords * sizeof(*bits));
	for (i = 0; i < len && i / 8 < nwords; i++) /* little-endian longs, as recorded */
		bits[i / 8] |= (uint64_t)d[i] << (8 * (i % 8));
	return 0;
}

static int on_record(struct tracecmd_input *handle, struct tep_record *rec, int cpu, void *data)
{
	struct ctx *c = data;
	struct rec_view view = {.rec = rec};
	struct hp_dec_event ev = {.f = {field_num, field_str, &view, field_mask}};
	struct src *s = &c->src[0];
	const char *comm;
	int type, k;
	size_t i;

	(void)cpu; /* the iterator's argument is not the record's CPU; rec->cpu is */
	for (k = 0; k < c->nsrc; k++)
		if (c->src[k].h == handle)
			s = &c->src[k];
	if (rec->cpu < 0) {
		hp_dec_bad_record(c->dec);
		return 0;
	}
	if (rec->missed_events)
		hp_dec_gap_side(c->dec, (uint32_t)rec->cpu + s->cpu_base,
		                rec->missed_events > 0 ? (uint64_t)rec->missed_events : 0,
		                s->side);
	type = tep_data_type(s->tep, rec);
	ev.ts = rec->ts;
	ev.cpu = (uint32_t)rec->cpu + s->cpu_base;
	ev.cpu_base = s->cpu_base;
	ev.side = s->side;
	ev.kind = HP_EV_OTHER;
	for (i = 0; i < s->nknown; i++) {
		if (s->known[i].id == type) {
			ev.kind = s->known[i].kind;
			view.k = &s->known[i];
			break;
		}
	}
	if (ev.kind != HP_EV_OTHER)
		ev.pid = tep_data_pid(s->tep, rec);
	/* the recording thread's name matters only for the vCPU threads' own events */
	if (ev.kind == HP_EV_VCPU_WAKEUP || ev.kind == HP_EV_KVM_EXIT ||
	    ev.kind == HP_EV_HALT_POLL_NS || ev.kind == HP_EV_VCORE_WAKEUP ||
	    ev.kind == HP_EV_VCORE_BLOCKED) {
		comm = tep_data_comm_from_pid(s->tep, ev.pid);
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
static void find_known(struct src *c)
{
	struct tep_event **all = c->tep ? tep_list_events(c->tep, TEP_EVENT_SORT_ID) : NULL;
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
	const struct src *s;
	size_t i;
	int k;

	for (k = 0; k < c->nsrc; k++)
		for (s = &c->src[k], i = 0; i < s->nknown; i++)
			if (s->known[i].kind == HP_EV_CPU_IDLE ||
			    s->known[i].kind == HP_EV_VCPU_WAKEUP ||
			    s->known[i].kind == HP_EV_KVM_EXIT ||
			    s->known[i].kind == HP_EV_VCORE_WAKEUP)
				return true;
	return false;
}

/* Every buffer of the file and of its guests' files as a source of events. */
static void find_sources(struct ctx *c, const struct hp_tdat_bufs *b)
{
	int k;

	for (k = 0; k < b->n; k++) {
		struct src *s = &c->src[c->nsrc++];

		s->h = b->buf[k].h;
		s->tep = b->buf[k].tep;
		s->cpu_base = b->buf[k].cpu_base;
		s->side = b->nguests == 0        ? HP_SIDE_ONE
		          : b->buf[k].guest == 0 ? HP_SIDE_HOST
		                                 : HP_SIDE_GUEST;
		find_known(s);
	}
}

/* Compare the events read per CPU (pr) with what the file's CPU statistics say it recorded
 * (a CPU named twice counts as its last statistics say). */
static void check_counts(struct tracecmd_input *h, const struct hp_read_progress *pr,
                         struct hp_skips *sk)
{
	uint64_t *rec = calloc(HP_PROGRESS_CPUS, sizeof(*rec));
	const char *s = tracecmd_get_cpustats(h), *line;
	long cpu = -1;
	size_t i;

	if (!rec)
		return;
	for (line = s; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "") {
		unsigned long long v;
		long c;

		if (sscanf(line, "CPU: %ld", &c) == 1)
			cpu = c;
		else if (sscanf(line, "read events: %llu", &v) == 1 && cpu >= 0 &&
		         cpu < HP_PROGRESS_CPUS)
			rec[cpu] = v;
	}
	for (i = 0; i < HP_PROGRESS_CPUS; i++) {
		sk->recorded_events += rec[i];
		if (pr->per_cpu[i] < rec[i])
			sk->unread_events += rec[i] - pr->per_cpu[i];
	}
	free(rec);
}

static int read_tracedat(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                         struct hp_err *err)
{
	struct tracecmd_input *h, *hs[HP_TDAT_MAX_BUFS];
	struct hp_tdat_bufs *bufs = malloc(sizeof(*bufs));
	struct ctx *c = calloc(1, sizeof(*c));
	int rc, k;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	if (!bufs || !c) {
		free(bufs);
		free(c);
		return hp_errf(err, "out of memory");
	}
	c->err = err;
	h = tracecmd_open(path, TRACECMD_FL_LOAD_NO_PLUGINS); /* fields are read raw */
	if (!h) {
		free(bufs);
		free(c);
		return hp_errf(err, "%s: cannot open as trace.dat (truncated or corrupt file?)",
		               path);
	}
	hp_tdat_bufs_open(bufs, path, h);
	find_sources(c, bufs);
	if (!has_halt_events(c)) {
		hp_tdat_bufs_close(bufs);
		tracecmd_close(h);
		free(bufs);
		free(c);
		return hp_errf(err,
		               "%s: no halt events recorded; record the guest with `-e "
		               "power:cpu_idle` or the host with `-e kvm:kvm_vcpu_wakeup -e "
		               "kvm:kvm_exit -e sched`",
		               path);
	}
	c->dec = hp_dec_new(opts, eps);
	if (!c->dec) {
		rc = hp_errf(err, "out of memory");
		goto out;
	}
	for (k = 0; k < HP_DEC_MAX_CPUS; k++)
		if (bufs->vcpu_pid[k] > 0)
			hp_dec_set_vcpu_pid(c->dec, (uint32_t)k, bufs->vcpu_pid[k]);
	for (k = 0; k < bufs->n; k++)
		hs[k] = bufs->buf[k].h;
	/* all buffers merged in time order (one buffer: the same as iterating it alone) */
	tracecmd_iterate_events_multi(hs, bufs->n, on_record, c);
	rc = c->failed ? -1 : hp_dec_finish(c->dec, path, err);
	if (rc == 0 && opts->progress)
		check_counts(h, opts->progress, &eps->skipped);
	hp_dec_free(c->dec);
out:
	hp_tdat_bufs_close(bufs);
	tracecmd_close(h);
	free(bufs);
	free(c);
	return rc;
}

const struct hp_trace_reader hp_reader_tracedat = {
    .name = "trace.dat",
    .probe = probe,
    .read = read_tracedat,
};
