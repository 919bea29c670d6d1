/*
 * trace.dat reader (libtracecmd): each record becomes a generic event for the
 * shared decoder (decode.c), with fields read by name from the event format
 * stored in the file. libtracecmd's missed-events count becomes a gap.
 *
 * When the caller counts the events read (opts->progress, as the isolated
 * reader does), they are compared with the per-CPU counts the file's CPU
 * statistics record, through the same handle, so that a capture read only in
 * part is flagged (hp_skips.unread_events).
 *
 * Reading ahead: with two CPUs or more, one thread walks the records through
 * libtracecmd (in the order it merges them, decompressing and parsing the
 * pages) and copies what the decoder needs of each into a ring of blocks,
 * while the calling thread decodes them; the ring is a few MB whatever the
 * capture's size. Both threads run the same two halves (take_record,
 * feed_record) that the single-threaded read runs back to back, so the
 * episodes are the same; HPSIM_READ_AHEAD=0 reads single-threaded.
 */
#define _GNU_SOURCE /* CPU sets */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <trace-cmd.h>
#include <event-parse.h>

#include "decode.h"
#include "tracedat_bufs.h"

/* Exported by libtracecmd but not declared in its public header: the text of the
 * file's CPU statistics ("CPU: n" then "read events: N" among other lines), or NULL. */
const char *tracecmd_get_cpustats(struct tracecmd_input *handle);
/* Exported, not declared either: make offset the next record tracecmd_read_data() gives;
 * the next record of cpu, left in place; the highest CPU number + 1. */
int tracecmd_set_cursor(struct tracecmd_input *handle, int cpu, unsigned long long offset);
struct tep_record *tracecmd_peek_data(struct tracecmd_input *handle, int cpu);
int tracecmd_cpus(struct tracecmd_input *handle);

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
	/* the walk through libtracecmd (one thread): see walk() */
	const char *path;
	const char *seg_name; /* the buffer read in segments: NULL the top one, or an instance */
	int seg_src;          /* its index in src (records of a renewed handle are its) */
	long seg_left;        /* records before the reading handle is renewed; < 0: never */
	bool renew;           /* the walk stopped to renew it */
};

/* What the decoder needs of one record, taken while libtracecmd holds it. */
struct rec_ev {
	uint64_t ts;
	long long missed; /* the record's missed_events */
	int cpu;          /* the record's CPU in its buffer; < 0: unreadable */
	int32_t pid;      /* for a known event */
	int16_t src;      /* index in ctx.src */
	int16_t known;    /* index in the source's known[]; -1: another event */
	const char *comm; /* the recording thread's name (libtraceevent's copy), or NULL */
	const void *data; /* the record's payload: libtracecmd's, or a copy when read ahead */
	uint32_t size;
};

/* The field accessor's view of one record. */
struct rec_view {
	struct known *k;
	const void *data;
	uint32_t size;
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
	    (long long)f->offset + f->size > (long long)v->size)
		return -1;
	if (tep_read_number_field(f, v->data, &val) < 0)
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
	    (long long)f->offset + f->size > (long long)v->size)
		return -1;
	data = (const char *)v->data + f->offset;
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
	    (long long)f->offset + f->size > (long long)v->size ||
	    tep_read_number_field(f, v->data, &loc) < 0)
		return -1;
	off = (size_t)(loc & 0xffff);
	len = (size_t)(loc >> 16 & 0xffff);
	if (f->flags & TEP_FIELD_IS_RELATIVE)
		off += (size_t)f->offset + (size_t)f->size;
	if (off + len > (size_t)v->size)
		return -1;
	d = (const unsigned char *)v->data + off;
	memset(bits, 0, nwords * sizeof(*bits));
	for (i = 0; i < len && i / 8 < nwords; i++) /* little-endian longs, as recorded */
		bits[i / 8] |= (uint64_t)d[i] << (8 * (i % 8));
	return 0;
}

/* The first half of a record's reading: what the decoder needs of it, through libtracecmd. */
static void take_record(const struct ctx *c, struct tracecmd_input *handle, struct tep_record *rec,
                        struct rec_ev *re)
{
	const struct src *s;
	enum hp_ev_kind kind;
	int type, k;
	size_t i;

	memset(re, 0, sizeof(*re));
	re->known = -1;
	re->src = (int16_t)c->seg_src;
	for (k = 0; k < c->nsrc; k++)
		if (c->src[k].h == handle)
			re->src = (int16_t)k;
	s = &c->src[re->src];
	re->cpu = rec->cpu;
	if (rec->cpu < 0)
		return;
	re->ts = rec->ts;
	re->missed = rec->missed_events;
	re->data = rec->data;
	re->size = rec->size > 0 ? (uint32_t)rec->size : 0;
	type = tep_data_type(s->tep, rec);
	for (i = 0; i < s->nknown; i++) {
		if (s->known[i].id == type) {
			re->known = (int16_t)i;
			break;
		}
	}
	if (re->known < 0)
		return;
	kind = s->known[re->known].kind;
	re->pid = tep_data_pid(s->tep, rec);
	/* the recording thread's name matters only for the vCPU threads' own events */
	if (kind == HP_EV_VCPU_WAKEUP || kind == HP_EV_KVM_EXIT || kind == HP_EV_HALT_POLL_NS ||
	    kind == HP_EV_VCORE_WAKEUP || kind == HP_EV_VCORE_BLOCKED)
		re->comm = tep_data_comm_from_pid(s->tep, re->pid);
}

/* The second half: the record to the decoder; 0, or -1 with c->err. */
static int feed_record(struct ctx *c, const struct rec_ev *re)
{
	struct src *s = &c->src[re->src];
	struct rec_view view = {.data = re->data, .size = re->size};
	struct hp_dec_event ev = {.f = {field_num, field_str, &view, field_mask}};

	if (re->cpu < 0) {
		hp_dec_bad_record(c->dec);
		return 0;
	}
	if (re->missed)
		hp_dec_gap_side(c->dec, (uint32_t)re->cpu + s->cpu_base,
		                re->missed > 0 ? (uint64_t)re->missed : 0, s->side);
	ev.ts = re->ts;
	ev.cpu = (uint32_t)re->cpu + s->cpu_base;
	ev.cpu_base = s->cpu_base;
	ev.side = s->side;
	ev.kind = HP_EV_OTHER;
	if (re->known >= 0) {
		view.k = &s->known[re->known];
		ev.kind = view.k->kind;
		ev.pid = re->pid;
		ev.comm = re->comm;
		ev.comm_len = re->comm ? strlen(re->comm) : 0;
	}
	if (hp_dec_event(c->dec, &ev, c->err) < 0) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

/*
 * libtracecmd 1.3 (trace-cmd 3.1) never frees a compressed file's
 * decompressed chunks (its free_zpage() looks for them with a condition no
 * chunk meets; fixed upstream in 2024), so a handle's memory grows with the
 * capture and every page it leaves walks the list of all chunks so far: the
 * read is quadratic. A capture of one buffer is therefore read in segments of
 * SEGMENT_RECORDS: at the end of one, a fresh handle of the same file starts
 * where the old one stopped (each CPU's next record, checked by offset and
 * time) and the old one is closed. libtracecmd's merge is the same on the
 * fresh handle, so the records come in the same order. HPSIM_READ_SEGMENT=N
 * sets the segment's length in records (0: one segment).
 */
#define SEGMENT_RECORDS (1L << 19)

/* The records of a segment; -1: not read in segments. */
static long segment_records(void)
{
	const char *e = getenv("HPSIM_READ_SEGMENT");
	char *end;
	long v;

	if (!e || !*e)
		return SEGMENT_RECORDS;
	v = strtol(e, &end, 10);
	return *end || v < 0 ? SEGMENT_RECORDS : v == 0 ? -1 : v;
}

/* After a record: true when the walk should stop here to renew its handle. */
static bool segment_end(struct ctx *c, struct tracecmd_input *handle, struct tep_record *rec)
{
	if (c->seg_left < 0)
		return false;
	if (rec->cpu >= tracecmd_cpus(handle)) {
		c->seg_left = -1; /* CPUs numbered past the file's count: never renewed */
		return false;
	}
	if (--c->seg_left > 0)
		return false;
	c->renew = true;
	return true;
}

/* A renewed reading handle: the buffer's handle and its file's (the same for the top one). */
struct reader {
	struct tracecmd_input *top, *h;
};

static void reader_close(struct reader *r)
{
	if (r->h && r->h != r->top)
		tracecmd_close(r->h);
	if (r->top)
		tracecmd_close(r->top);
	r->h = r->top = NULL;
}

/* A fresh handle of c's buffer whose CPUs continue where old's stopped (in *cpus); 0 or -1. */
static int renew(struct ctx *c, struct tracecmd_input *old, struct reader *n, cpu_set_t *cpus,
                 size_t setsize)
{
	int cpu, ncpu = tracecmd_cpus(old), i;

	CPU_ZERO_S(setsize, cpus);
	n->h = n->top = tracecmd_open(c->path, TRACECMD_FL_LOAD_NO_PLUGINS);
	if (n->top && c->seg_name) {
		n->h = NULL;
		for (i = 0; i < tracecmd_buffer_instances(n->top) && !n->h; i++) {
			const char *name = tracecmd_buffer_instance_name(n->top, i);

			if (name && !strcmp(name, c->seg_name))
				n->h = tracecmd_buffer_instance_handle(n->top, i);
		}
	}
	if (!n->h || tracecmd_cpus(n->h) != ncpu || (size_t)ncpu > setsize * 8)
		goto fail;
	for (cpu = 0; cpu < ncpu; cpu++) {
		struct tep_record *r = tracecmd_peek_data(old, cpu), *nr;

		if (!r)
			continue; /* read to its end: left out of the fresh handle's walk */
		if (tracecmd_set_cursor(n->h, cpu, r->offset) < 0)
			goto fail;
		nr = tracecmd_peek_data(n->h, cpu);
		if (!nr || nr->offset != r->offset || nr->ts != r->ts)
			goto fail;
		CPU_SET_S((size_t)cpu, setsize, cpus);
	}
	return 0;
fail:
	reader_close(n);
	return -1;
}

/* Whether a buffer has a record left on any CPU. */
static bool has_records(struct tracecmd_input *h)
{
	int cpu;

	for (cpu = 0; cpu < tracecmd_cpus(h); cpu++)
		if (tracecmd_peek_data(h, cpu))
			return true;
	return false;
}

/*
 * Every record of the buffers hs to cb, in libtracecmd's merged order. When
 * one buffer of the file holds all of the records (bufs[k] of the file
 * itself, not a guest's), it is read in segments (above). The handles in hs
 * stay open (their event formats are the decoder's); renewed ones are closed
 * here.
 */
static void walk(struct ctx *c, struct tracecmd_input **hs, const struct hp_tdat_bufs *bufs,
                 int (*cb)(struct tracecmd_input *, struct tep_record *, int, void *), void *data)
{
	size_t setsize = CPU_ALLOC_SIZE(HP_DEC_MAX_CPUS);
	cpu_set_t *cpus = CPU_ALLOC(HP_DEC_MAX_CPUS);
	struct reader cur = {NULL, NULL}, n;
	struct tracecmd_input *h;
	int k, with_data = 0;
	bool seg_ok;
	long seg;

	for (k = 0; k < bufs->n; k++)
		if (has_records(hs[k])) {
			with_data++;
			c->seg_src = k;
		}
	seg_ok = with_data == 1 && bufs->buf[c->seg_src].guest == 0 && cpus;
	if (!seg_ok)
		c->seg_src = 0;
	c->seg_name = c->seg_src > 0 ? bufs->buf[c->seg_src].name : NULL;
	seg = segment_records();
	c->seg_left = seg_ok ? seg : -1;
	c->renew = false;
	tracecmd_iterate_events_multi(hs, bufs->n, cb, data);
	h = hs[c->seg_src];
	while (c->renew) {
		c->renew = false;
		c->seg_left = seg;
		if (renew(c, h, &n, cpus, setsize) == 0) {
			reader_close(&cur);
			cur = n;
			h = cur.h;
			tracecmd_iterate_events(h, cpus, (int)setsize, cb, data);
		} else {
			c->seg_left = -1; /* go on with the handle as it is */
			tracecmd_iterate_events_multi(&h, 1, cb, data);
		}
	}
	reader_close(&cur);
	CPU_FREE(cpus);
}

static int on_record(struct tracecmd_input *handle, struct tep_record *rec, int cpu, void *data)
{
	struct ctx *c = data;
	struct rec_ev re;

	(void)cpu; /* the iterator's argument is not the record's CPU; rec->cpu is */
	take_record(c, handle, rec, &re);
	if (feed_record(c, &re) < 0)
		return -1;
	return segment_end(c, handle, rec) ? -1 : 0;
}

/* --- reading ahead --------------------------------------------------------- */

#define AHEAD_BLOCKS 4
#define AHEAD_EVS    8192
#define AHEAD_BYTES  (AHEAD_EVS * 64) /* payload bytes a block holds (a record is < 4 KiB) */

struct block {
	struct rec_ev ev[AHEAD_EVS];
	size_t n, used;
	unsigned char bytes[AHEAD_BYTES];
};

/* The ring between the reading thread (fills blocks) and the decoding one (empties them). */
struct ahead {
	struct ctx *c;
	struct tracecmd_input **hs;
	const struct hp_tdat_bufs *bufs;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct block *b[AHEAD_BLOCKS];
	bool full[AHEAD_BLOCKS];
	int fill, drain;  /* the block being filled, the next to decode */
	bool done;        /* the reading thread has published its last block */
	atomic_bool stop; /* the decoder failed: stop reading */
};

/* Hand the block being filled to the decoder and wait for the next one to be free;
 * false when the decoder stopped. */
static bool publish(struct ahead *a)
{
	bool go;

	pthread_mutex_lock(&a->mu);
	a->full[a->fill] = true;
	a->fill = (a->fill + 1) % AHEAD_BLOCKS;
	pthread_cond_broadcast(&a->cv);
	while (a->full[a->fill] && !atomic_load(&a->stop))
		pthread_cond_wait(&a->cv, &a->mu);
	go = !atomic_load(&a->stop);
	pthread_mutex_unlock(&a->mu);
	if (go)
		a->b[a->fill]->n = a->b[a->fill]->used = 0;
	return go;
}

static int on_record_ahead(struct tracecmd_input *handle, struct tep_record *rec, int cpu,
                           void *data)
{
	struct ahead *a = data;
	struct block *b = a->b[a->fill];
	struct rec_ev *re;

	(void)cpu;
	if (atomic_load(&a->stop))
		return -1;
	if (b->n == AHEAD_EVS || b->used + (size_t)(rec->size > 0 ? rec->size : 0) > AHEAD_BYTES) {
		if (!publish(a))
			return -1;
		b = a->b[a->fill];
	}
	re = &b->ev[b->n++];
	take_record(a->c, handle, rec, re);
	if (re->size > AHEAD_BYTES - b->used)
		re->size = 0; /* cannot happen: records fit a page; read as one without fields */
	memcpy(b->bytes + b->used, re->data, re->size);
	re->data = b->bytes + b->used;
	b->used += (re->size + 7) & ~(size_t)7;
	return segment_end(a->c, handle, rec) ? -1 : 0;
}

static void *read_ahead_main(void *p)
{
	struct ahead *a = p;

	walk(a->c, a->hs, a->bufs, on_record_ahead, a);
	pthread_mutex_lock(&a->mu);
	if (a->b[a->fill]->n)
		a->full[a->fill] = true;
	a->done = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/* Decode the blocks the reading thread fills until it is done or the decoder fails. */
static void decode_ahead(struct ahead *a)
{
	for (;;) {
		struct block *b;
		size_t i;

		pthread_mutex_lock(&a->mu);
		while (!a->full[a->drain] && !a->done)
			pthread_cond_wait(&a->cv, &a->mu);
		if (!a->full[a->drain]) {
			pthread_mutex_unlock(&a->mu);
			return; /* done, and every block decoded */
		}
		pthread_mutex_unlock(&a->mu);
		b = a->b[a->drain];
		for (i = 0; i < b->n; i++)
			if (feed_record(a->c, &b->ev[i]) < 0)
				break;
		pthread_mutex_lock(&a->mu);
		a->full[a->drain] = false;
		a->drain = (a->drain + 1) % AHEAD_BLOCKS;
		if (a->c->failed)
			atomic_store(&a->stop, true);
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (a->c->failed)
			return;
	}
}

/* Whether to read ahead in a second thread: two CPUs or more, unless HPSIM_READ_AHEAD=0. */
static bool want_ahead(void)
{
	const char *e = getenv("HPSIM_READ_AHEAD");

	if (e && !strcmp(e, "0"))
		return false;
	return sysconf(_SC_NPROCESSORS_ONLN) >= 2;
}

/* All records to the decoder, in libtracecmd's merged order; ahead in a thread if it can. */
static void read_records(struct ctx *c, struct tracecmd_input **hs, const struct hp_tdat_bufs *bufs)
{
	struct ahead *a = want_ahead() ? calloc(1, sizeof(*a)) : NULL;
	pthread_t th;
	int k, ok = a != NULL;

	for (k = 0; ok && k < AHEAD_BLOCKS; k++)
		ok = (a->b[k] = malloc(sizeof(*a->b[k]))) != NULL;
	if (ok) {
		a->c = c;
		a->hs = hs;
		a->bufs = bufs;
		a->b[0]->n = a->b[0]->used = 0;
		atomic_init(&a->stop, false);
		pthread_mutex_init(&a->mu, NULL);
		pthread_cond_init(&a->cv, NULL);
		if (pthread_create(&th, NULL, read_ahead_main, a) == 0) {
			decode_ahead(a);
			pthread_join(th, NULL);
		} else {
			ok = 0;
		}
		pthread_cond_destroy(&a->cv);
		pthread_mutex_destroy(&a->mu);
	}
	for (k = 0; a && k < AHEAD_BLOCKS; k++)
		free(a->b[k]);
	free(a);
	if (!ok) /* one thread: each record decoded while libtracecmd holds it */
		walk(c, hs, bufs, on_record, c);
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
	c->path = path;
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
	read_records(c, hs, bufs);
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
