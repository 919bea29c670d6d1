/*
 * `trace-cmd report` text reader (also trace_pipe, `-l` latency and `perf script` lines).
 *
 * An event line is   [PREFIX: ]COMM-PID [(TGID)] [CPU] [FLAGS] SECS.FRAC: [SYS:]NAME: INFO
 * (perf script: COMM PID [CPU] SECS.FRAC: SYS:NAME: INFO)
 * where FRAC has 6 digits (default, rounded to the microsecond) or 9 (`-t`),
 * FLAGS is the 4- or 5-character latency column of trace_pipe (`d..2.`), and
 * INFO is the plugin format, the kernel format (`-N`) or raw fields (`-R`),
 * read into fields by text_fields.c.
 * Other lines: `[PREFIX: ]cpus=N` (a PREFIX names one of several reported
 * files; their CPUs are numbered one file after the other), `CPU:N [N EVENTS
 * DROPPED]` (tracefs: `CPU:N [LOST N EVENTS]`), blank lines and `#` comments.
 * A PREFIX that no cpus= line announced (a buffer instance) keeps its CPU
 * numbers.
 *
 * The file is mapped and read in one pass, each line handed to the shared
 * decoder with a field accessor that parses INFO on demand (no per-line
 * allocation). Input out of time order is read again: every line indexed,
 * the index sorted by time, then decoded in that order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "text_parse.h"

#define MAX_PREFIXES 16

enum line_type { LINE_EVENT, LINE_GAP };

/* One indexed line. */
struct tline {
	uint64_t ts;
	uint64_t off;      /* of the INFO text (events) */
	uint32_t info_len; /* bytes of INFO */
	uint32_t lineno;
	uint32_t cpu; /* with the file's cpu_base added */
	uint32_t cpu_base;
	int32_t pid;
	int32_t tgid;      /* the record-tgid column's process; 0: none */
	uint32_t comm_off; /* comm starts this many bytes before off */
	uint16_t comm_len;
	uint8_t kind;
	uint8_t type;
	uint64_t dropped; /* LINE_GAP */
};

struct prefix {
	const char *s;
	size_t len;
	uint32_t cpu_base;
};

struct reader {
	const char *path;
	const char *buf;
	size_t size;
	const struct hp_read_opts *opts;
	struct hp_episodes *eps;
	struct tline *lines;
	size_t n, cap;
	struct prefix pre[MAX_PREFIXES];
	size_t npre;
	uint32_t next_base;
};

/* --- line headers ------------------------------------------------------------ */

/* SECS[.FRAC] as ns; FRAC of 1..9 digits. */
static bool parse_ts(const char *s, size_t len, size_t *i, uint64_t *ns)
{
	uint64_t sec, frac = 0;
	size_t f0;

	if (!parse_dec(s, len, i, &sec) || sec > UINT64_MAX / 1000000000ULL - 1)
		return false;
	if (*i < len && s[*i] == '.') {
		(*i)++;
		f0 = *i;
		if (!parse_dec(s, len, i, &frac) || *i - f0 > 9)
			return false;
		for (f0 = *i - f0; f0 < 9; f0++)
			frac *= 10;
		*ns = sec * 1000000000ULL + frac;
		return true;
	}
	*ns = sec; /* a raw counter clock: taken as ns */
	return true;
}

/*
 * From a candidate '-' at s[dash]: "-PID [CPU] [FLAGS] TS: NAME: INFO" or the
 * latency form "-PID CPUFLAGS TS: ...". Fills t (not lineno/base); false if not.
 */
static bool parse_after_dash(const char *s, size_t len, size_t dash, struct tline *t,
                             size_t *name_at, size_t *name_len)
{
	size_t i = dash + 1, n0;
	uint64_t pid, cpu, ts;

	t->tgid = 0; /* an earlier candidate '-' may have set it */
	if (!parse_dec(s, len, &i, &pid) || pid > 0x7fffffff)
		return false;
	if (i >= len || s[i] != ' ')
		return false;
	skip_sp(s, len, &i);
	if (i < len && s[i] == '(') {
		/* the kernel's record-tgid column: "(   TGID)", or "(-------)" when unknown */
		uint64_t tgid = 0;
		size_t d;

		n0 = i;
		while (i < len && s[i] != ')' && i - n0 < 12)
			i++;
		if (i >= len || s[i] != ')')
			return false;
		d = n0 + 1;
		skip_sp(s, i, &d);
		if (parse_dec(s, i, &d, &tgid) && d == i && tgid <= 0x7fffffff)
			t->tgid = (int32_t)tgid;
		i++;
		skip_sp(s, len, &i);
	}
	if (i < len && s[i] == '[') {
		i++;
		if (!parse_dec(s, len, &i, &cpu) || i >= len || s[i] != ']')
			return false;
		i++;
		skip_sp(s, len, &i);
		if (i < len && !is_digit(s[i])) { /* trace_pipe flags "d..2." */
			n0 = i;
			while (i < len && s[i] != ' ')
				i++;
			if (i - n0 > 8)
				return false;
			skip_sp(s, len, &i);
		}
	} else {
		if (!parse_dec(s, len, &i, &cpu))
			return false;
		while (i < len && s[i] != ' ') /* latency flags glued to the CPU */
			i++;
		skip_sp(s, len, &i);
	}
	if (cpu >= HP_DEC_MAX_CPUS || !parse_ts(s, len, &i, &ts) || i >= len || s[i] != ':')
		return false;
	i++;
	skip_sp(s, len, &i);
	n0 = i;
	/* NAME ends at ": " or ":" at the end; "kvm:kvm_exit:" keeps its system */
	while (i < len && !(s[i] == ':' && (i + 1 == len || s[i + 1] == ' ')))
		i++;
	if (i >= len || i == n0)
		return false;
	*name_at = n0;
	*name_len = i - n0;
	i++;
	skip_sp(s, len, &i);
	t->ts = ts;
	t->cpu = (uint32_t)cpu;
	t->pid = (int32_t)pid;
	t->off = i;
	t->info_len = (uint32_t)(len - i);
	return true;
}

/* The rest of an event line whose comm ends at s[sep] (the '-' or ' ' before the pid). */
static bool parse_from(const char *s, size_t len, size_t c0, size_t sep, struct tline *t)
{
	size_t name_at, name_len, colon, end = sep;

	if (!parse_after_dash(s, len, sep, t, &name_at, &name_len))
		return false;
	while (end > c0 && s[end - 1] == ' ') /* perf pads the comm */
		end--;
	t->comm_len = (uint16_t)(end - c0);
	t->comm_off = (uint32_t)(t->off - c0);
	for (colon = 0; colon < name_len && s[name_at + colon] != ':'; colon++)
		;
	if (colon < name_len)
		t->kind = (uint8_t)hp_dec_kind(s + name_at, colon, s + name_at + colon + 1,
		                               name_len - colon - 1);
	else
		t->kind = (uint8_t)hp_dec_kind("", 0, s + name_at, name_len);
	t->type = LINE_EVENT;
	return true;
}

/* An event line, `COMM-PID` (trace-cmd, trace_pipe) or `COMM PID` (perf script); false if not. */
static bool parse_event(const char *s, size_t len, struct tline *t)
{
	size_t i, c0;

	for (c0 = 0; c0 < len && s[c0] == ' '; c0++)
		;
	for (i = c0 + 1; i < len && i < c0 + 64; i++)
		if (s[i] == '-' && parse_from(s, len, c0, i, t))
			return true;
	for (i = c0 + 1; i + 1 < len && i < c0 + 64; i++)
		if (s[i] == ' ' && is_digit(s[i + 1]) && parse_from(s, len, c0, i, t))
			return true;
	return false;
}

/*
 * "CPU:N [N EVENTS DROPPED]" or "CPU:N [EVENTS DROPPED]" (trace-cmd report),
 * "CPU:N [LOST N EVENTS]" or "CPU:N [LOST EVENTS]" (the kernel's trace and
 * trace_pipe files).
 */
static bool parse_dropped(const char *s, size_t len, struct tline *t)
{
	const char *tail = "EVENTS DROPPED]";
	size_t i = 0;
	uint64_t cpu, n = 0;

	skip_sp(s, len, &i);
	if (!starts(s + i, len - i, "CPU:"))
		return false;
	i += 4;
	if (!parse_dec(s, len, &i, &cpu) || cpu >= HP_DEC_MAX_CPUS || !starts(s + i, len - i, " ["))
		return false;
	i += 2;
	if (starts(s + i, len - i, "LOST ")) {
		i += 5;
		tail = "EVENTS]";
	}
	if (i < len && is_digit(s[i]) &&
	    (!parse_dec(s, len, &i, &n) || !starts(s + i, len - i, " ")))
		return false;
	skip_sp(s, len, &i);
	if (!starts(s + i, len - i, tail))
		return false;
	t->type = LINE_GAP;
	t->cpu = (uint32_t)cpu;
	t->dropped = n;
	return true;
}

/* "[PREFIX: ]cpus=N": registers PREFIX; false if not such a line. */
static bool parse_cpus(struct reader *r, const char *s, size_t len)
{
	const char *at = find(s, len, "cpus=");
	size_t i = (size_t)(at ? at - s : 0) + 5, p0 = 0, pl;
	uint64_t n;

	if (!at || !parse_dec(s, len, &i, &n) || i != len || n > HP_DEC_MAX_CPUS)
		return false;
	if (at == s)
		return true;
	if (at - s < 2 || at[-1] != ' ' || at[-2] != ':')
		return false;
	while (p0 < len && s[p0] == ' ')
		p0++;
	pl = (size_t)(at - 2 - s) - p0;
	if (pl == 0 || r->npre == MAX_PREFIXES)
		return false;
	r->pre[r->npre].s = s + p0;
	r->pre[r->npre].len = pl;
	r->pre[r->npre].cpu_base = r->next_base;
	r->next_base += (uint32_t)n;
	r->npre++;
	return true;
}

/* Strip a registered "PREFIX: "; the file's CPU base, or 0 if none matched. */
static uint32_t strip_prefix(const struct reader *r, const char **s, size_t *len)
{
	size_t i = 0, k;

	if (!r->npre)
		return 0;
	while (i < *len && (*s)[i] == ' ')
		i++;
	for (k = 0; k < r->npre; k++) {
		size_t pl = r->pre[k].len;

		if (*len - i >= pl + 2 && memcmp(*s + i, r->pre[k].s, pl) == 0 &&
		    (*s)[i + pl] == ':' && (*s)[i + pl + 1] == ' ') {
			*s += i + pl + 2;
			*len -= i + pl + 2;
			return r->pre[k].cpu_base;
		}
	}
	return 0;
}

/*
 * "NAME: event line" with a NAME no cpus= line announced (a buffer instance of
 * the same machine: its CPUs keep their numbers). Registers NAME; fills t.
 */
static bool new_prefix(struct reader *r, const char *s, size_t len, struct tline *t)
{
	size_t p0 = 0, i;

	while (p0 < len && s[p0] == ' ')
		p0++;
	for (i = p0; i < len && i < p0 + 64 && s[i] != ' '; i++)
		if (s[i] == ':' && i + 1 < len && s[i + 1] == ' ')
			break;
	if (i == p0 || i >= len || s[i] != ':' || i + 1 >= len || s[i + 1] != ' ' ||
	    r->npre == MAX_PREFIXES || !parse_event(s + i + 2, len - i - 2, t))
		return false;
	t->off += (uint64_t)(s + i + 2 - r->buf);
	r->pre[r->npre].s = s + p0;
	r->pre[r->npre].len = i - p0;
	r->pre[r->npre].cpu_base = 0;
	r->npre++;
	return true;
}

static int push_line(struct reader *r, const struct tline *t, struct hp_err *err)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 65536;
		struct tline *p = realloc(r->lines, cap * sizeof(*p));

		if (!p)
			return hp_errf(err, "%s: out of memory indexing %zu lines", r->path, cap);
		r->lines = p;
		r->cap = cap;
	}
	r->lines[r->n++] = *t;
	return 0;
}

/*
 * The next record line from *p on: 1 with t filled, 0 at the end of the file,
 * -1 with err on a garbled line (lenient: counted and passed over).
 */
static int next_line(struct reader *r, const char **p, uint32_t *lineno, uint64_t last_ts,
                     struct tline *t, struct hp_err *err)
{
	const char *end = r->buf + r->size;

	while (*p < end) {
		const char *nl = memchr(*p, '\n', (size_t)(end - *p)), *s = *p, *full;
		size_t len = (size_t)((nl ? nl : end) - *p), full_len, i = 0;
		uint32_t base;

		*p = nl ? nl + 1 : end;
		(*lineno)++;
		if (len && s[len - 1] == '\r')
			len--;
		skip_sp(s, len, &i);
		if (i == len || s[i] == '#')
			continue;
		memset(t, 0, sizeof(*t));
		full = s;
		full_len = len;
		base = strip_prefix(r, &s, &len);
		if (parse_event(s, len, t)) {
			t->off += (uint64_t)(s - r->buf);
		} else if (parse_dropped(s, len, t)) {
			t->ts = last_ts;
		} else if (parse_cpus(r, full, full_len)) {
			continue;
		} else if (new_prefix(r, full, full_len, t)) {
			base = 0;
		} else {
			if (r->opts->lenient) {
				r->eps->skipped.bad_lines++;
				continue;
			}
			return hp_errf(err,
			               "%s:%u: expected a trace-cmd report line (`COMM-PID [CPU] "
			               "SECONDS: EVENT: INFO`, `cpus=N` or `CPU:N [N EVENTS "
			               "DROPPED]`), got '%.*s'",
			               r->path, *lineno, (int)(full_len < 80 ? full_len : 80),
			               full);
		}
		t->lineno = *lineno;
		t->cpu += base;
		t->cpu_base = base;
		if (t->cpu >= HP_DEC_MAX_CPUS) {
			r->eps->skipped.bad_records++;
			continue;
		}
		return 1;
	}
	return 0;
}

/* One record through the decoder; a field that does not read fails (lenient: counted). */
static int decode_one(struct reader *r, struct hp_decoder *dec, const struct tline *t,
                      struct hp_err *err)
{
	struct hp_skips *sk = &r->eps->skipped;
	struct hp_dec_event ev;
	struct tctx c;
	uint64_t bad;

	if (t->type == LINE_GAP) {
		hp_dec_gap(dec, t->cpu, t->dropped);
		return 0;
	}
	hp_text_fields_init(&c, r->buf + t->off, t->info_len, (enum hp_ev_kind)t->kind);
	ev = (struct hp_dec_event){
	    .ts = t->ts,
	    .cpu = t->cpu,
	    .cpu_base = t->cpu_base,
	    .pid = t->pid,
	    .tgid = t->tgid,
	    .comm = r->buf + t->off - t->comm_off,
	    .comm_len = t->comm_len,
	    .kind = c.kind,
	    .f = {hp_text_num, hp_text_str, &c, hp_text_mask},
	};
	bad = sk->bad_records;
	if (hp_dec_event(dec, &ev, err) < 0)
		return -1;
	if (sk->bad_records == bad)
		return 0;
	if (!r->opts->lenient) {
		char why[256];

		hp_text_misses(&c, why, sizeof(why));
		return hp_errf(err, "%s:%u: cannot read the fields of this event (%s): '%.*s'",
		               r->path, t->lineno, why, (int)(t->info_len < 80 ? t->info_len : 80),
		               c.info);
	}
	sk->bad_records = bad;
	sk->bad_lines++;
	return 0;
}

/*
 * Sorted input, the usual case: decode each line as it is read, with no index.
 * Returns 1 at the first line earlier than the one before (start over sorted),
 * 0 at the end, -1 with err.
 */
/* The text read so far is let go every this many bytes (read again from the file if needed). */
#define DROP_BEHIND (4u << 20)

static int stream_lines(struct reader *r, struct hp_decoder *dec, struct hp_err *err)
{
	const char *p = r->buf, *kept = r->buf;
	uint64_t last_ts = 0;
	uint32_t lineno = 0;
	struct tline t;
	int rc;

	while ((rc = next_line(r, &p, &lineno, last_ts, &t, err)) == 1) {
		if (t.ts < last_ts)
			return 1;
		last_ts = t.ts;
		if (decode_one(r, dec, &t, err) < 0)
			return -1;
		if ((size_t)(p - kept) >= 2 * (size_t)DROP_BEHIND) {
			/* the mapping's pages behind the reading position: not the capture's size in
			 * memory (a private, unwritten file mapping reads them again if touched) */
			madvise((void *)kept, DROP_BEHIND, MADV_DONTNEED);
			kept += DROP_BEHIND;
		}
	}
	return rc;
}

static int cmp_line(const void *a, const void *b)
{
	const struct tline *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/* Unsorted input: index every line, sort the index by time (then line), decode in order. */
static int sorted_lines(struct reader *r, struct hp_decoder *dec, struct hp_err *err)
{
	const char *p = r->buf;
	uint64_t last_ts = 0;
	uint32_t lineno = 0;
	struct tline t;
	size_t k;
	int rc;

	while ((rc = next_line(r, &p, &lineno, last_ts, &t, err)) == 1) {
		last_ts = t.ts;
		if (push_line(r, &t, err) < 0)
			return -1;
	}
	if (rc < 0)
		return -1;
	qsort(r->lines, r->n, sizeof(*r->lines), cmp_line);
	for (k = 0; k < r->n; k++)
		if (decode_one(r, dec, &r->lines[k], err) < 0)
			return -1;
	return 0;
}

static int probe(const unsigned char *head, size_t len)
{
	struct reader r = {0};
	const char *s = (const char *)head;
	struct tline t;
	size_t i = 0, n;

	if (memchr(head, '\0', len))
		return 0;
	/* the first line that is not blank or a comment */
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);

		n = nl ? (size_t)(nl - (s + i)) : len - i;
		if (n && s[i + n - 1] == '\r')
			n--;
		{
			size_t j = i;

			skip_sp(s, i + n, &j);
			if (j < i + n && s[j] != '#')
				break;
		}
		i += n + 1;
	}
	if (i >= len)
		return 0;
	s += i;
	return parse_cpus(&r, s, n) || parse_event(s, n, &t) || parse_dropped(s, n, &t);
}

static int read_text(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                     struct hp_err *err)
{
	struct reader r = {.path = path, .opts = opts, .eps = eps};
	struct hp_decoder *dec = NULL;
	struct stat st;
	void *map;
	int fd, rc = -1;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		close(fd);
		return hp_errf(err, "%s: empty file, expected a trace", path);
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return hp_errf(err, "%s: cannot map: %s", path, strerror(errno));
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	r.buf = map;
	r.size = (size_t)st.st_size;
	dec = hp_dec_new(opts, eps);
	if (!dec) {
		hp_errf(err, "out of memory");
		goto out;
	}
	rc = stream_lines(&r, dec, err);
	if (rc == 1) {
		/* not in time order: forget what was decoded and read it again, sorted */
		hp_dec_free(dec);
		hp_episodes_free(eps);
		r.npre = 0;
		r.next_base = 0;
		dec = NULL;
		if (hp_dec_sink_reset(opts, err) < 0) {
			rc = -1;
			goto out;
		}
		dec = hp_dec_new(opts, eps);
		if (!dec) {
			hp_errf(err, "out of memory");
			rc = -1;
			goto out;
		}
		rc = sorted_lines(&r, dec, err);
	}
	if (rc < 0)
		goto out;
	rc = hp_dec_finish(dec, path, err);
out:
	hp_dec_free(dec);
	free(r.lines);
	munmap(map, r.size);
	return rc;
}

const struct hp_trace_reader hp_reader_report_text = {
    .name = "report-text",
    .probe = probe,
    .read = read_text,
};
