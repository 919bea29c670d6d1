/*
 * `trace-cmd report` text reader (also trace_pipe and `-l` latency lines).
 *
 * An event line is   [PREFIX: ]COMM-PID [CPU] [FLAGS] SECS.FRAC: [SYS:]NAME: INFO
 * where FRAC has 6 digits (default, rounded to the microsecond) or 9 (`-t`),
 * FLAGS is the 4- or 5-character latency column of trace_pipe (`d..2.`), and
 * INFO is the plugin format, the kernel format (`-N`) or raw fields (`-R`).
 * Other lines: `[PREFIX: ]cpus=N` (a PREFIX names one of several reported
 * files; their CPUs are numbered one file after the other), `CPU:N [N EVENTS
 * DROPPED]`, blank lines and `#` comments. A PREFIX that no cpus= line
 * announced (a buffer instance) keeps its CPU numbers.
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

#include "decode.h"

#define MAX_PREFIXES 16
#define MAX_FIELDS   16

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

/* The parsed view of one line's fields. */
struct tfield {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
	bool isnum;
	uint64_t num;
};

struct tctx {
	const char *info;
	size_t len;
	enum hp_ev_kind kind;
	bool parsed;
	bool failed; /* a field was asked for and could not be read */
	int n;
	struct tfield f[MAX_FIELDS];
};

/* --- small parsers --------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* Decimal digits at s[*i..]; false if none or overflow. */
static bool parse_dec(const char *s, size_t len, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len && is_digit(s[*i])) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return *i > start;
}

/* A whole value as a number: decimal, or 0x hex. */
static bool value_num(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < len; i++) {
			char c = s[i];
			unsigned d;

			if (is_digit(c))
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return false;
			if (v >> 60)
				return false;
			v = v << 4 | d;
		}
		*out = v;
		return true;
	}
	if (!parse_dec(s, len, &i, &v) || i != len)
		return false;
	*out = v;
	return true;
}

static bool starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

static const char *find(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; i + n <= len; i++)
		if (s[i] == lit[0] && memcmp(s + i, lit, n) == 0)
			return s + i;
	return NULL;
}

/* --- INFO fields ------------------------------------------------------------- */

static void add_str(struct tctx *c, const char *name, size_t nlen, const char *v, size_t vlen)
{
	if (c->n == MAX_FIELDS)
		return;
	c->f[c->n++] = (struct tfield){.name = name, .nlen = nlen, .val = v, .vlen = vlen};
}

static void add_num(struct tctx *c, const char *name, uint64_t v)
{
	if (c->n == MAX_FIELDS)
		return;
	c->f[c->n++] = (struct tfield){.name = name, .nlen = strlen(name), .isnum = true, .num = v};
}

/* Does " ident=" or " ==> " start at s[i]? (the end of a key=value value) */
static bool value_ends(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;

	if (s[i] != ' ')
		return false;
	if (starts(s + i, len - i, " ==> "))
		return true;
	while (j < len && is_ident(s[j]))
		j++;
	return j > i + 1 && j < len && s[j] == '=';
}

/* key=value pairs; a value runs to the next " key=" (comm values hold spaces). */
static void parse_kv(struct tctx *c, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t k = i, v;

		while (i < len && is_ident(s[i]))
			i++;
		if (i == k || i >= len || s[i] != '=') {
			/* not a key: skip the word ("==>", "Enter", ...) */
			while (i < len && s[i] != ' ')
				i++;
			while (i < len && s[i] == ' ')
				i++;
			continue;
		}
		v = ++i;
		while (i < len && !value_ends(s, len, i))
			i++;
		add_str(c, s + k, (v - 1) - k, s + v, i - v);
		while (i < len && s[i] == ' ')
			i++;
	}
}

/* "wait time N ns[, polling valid|invalid][, tgid=T]" (kvm_vcpu_wakeup, vcore_wakeup). */
static bool parse_wakeup(struct tctx *c, const char *s, size_t len)
{
	uint64_t ns;
	size_t i = 10;

	if (!starts(s, len, "wait time ") && !starts(s, len, "poll time "))
		return false;
	add_num(c, "waited", s[0] == 'w');
	if (!parse_dec(s, len, &i, &ns) || !starts(s + i, len - i, " ns"))
		return true; /* "ns" stays absent: a bad record */
	add_num(c, "ns", ns);
	if (find(s + i, len - i, "polling invalid"))
		add_num(c, "valid", 0);
	else if (find(s + i, len - i, "polling valid"))
		add_num(c, "valid", 1);
	return true;
}

/* Plugin sched_switch: "PCOMM:PPID [PRIO] STATE ==> NCOMM:NPID [PRIO]". */
static bool parse_switch_plugin(struct tctx *c, const char *s, size_t len)
{
	const char *arrow = find(s, len, " ==> "), *br, *colon;
	size_t llen, i;
	uint64_t pid;

	if (!arrow || starts(s, len, "prev_comm="))
		return false;
	llen = (size_t)(arrow - s);
	/* left: last token is the state, then " [PRIO]" */
	i = llen;
	while (i > 0 && s[i - 1] != ' ')
		i--;
	if (i == 0)
		return true;
	add_str(c, "prev_state", 10, s + i, llen - i);
	for (br = NULL; i > 1; i--)
		if (s[i - 1] == '[' && s[i - 2] == ' ') {
			br = s + i - 2;
			break;
		}
	if (!br)
		return true;
	for (colon = br; colon > s && *colon != ':'; colon--)
		;
	i = (size_t)(colon - s) + 1;
	if (*colon != ':' || !parse_dec(s, (size_t)(br - s), &i, &pid) || s + i != br)
		return true;
	add_str(c, "prev_comm", 9, s, (size_t)(colon - s));
	add_num(c, "prev_pid", pid);
	/* right */
	s = arrow + 5;
	len -= llen + 5;
	br = find(s, len, " [");
	if (!br)
		return true;
	for (colon = br; colon > s && *colon != ':'; colon--)
		;
	i = (size_t)(colon - s) + 1;
	if (*colon != ':' || !parse_dec(s, (size_t)(br - s), &i, &pid) || s + i != br)
		return true;
	add_str(c, "next_comm", 9, s, (size_t)(colon - s));
	add_num(c, "next_pid", pid);
	return true;
}

/* Plugin sched_wakeup: "COMM:PID [PRIO][ success=N] CPU:NNN". */
static bool parse_wakeup_plugin(struct tctx *c, const char *s, size_t len)
{
	const char *cpu = NULL, *br = NULL, *colon;
	uint64_t v;
	size_t i;

	if (starts(s, len, "comm="))
		return false;
	for (i = len; i >= 5; i--)
		if (memcmp(s + i - 5, " CPU:", 5) == 0) {
			cpu = s + i;
			break;
		}
	if (!cpu)
		return true;
	if (value_num(cpu, len - (size_t)(cpu - s), &v))
		add_num(c, "target_cpu", v);
	for (i = (size_t)(cpu - s) - 5; i >= 2; i--)
		if (s[i - 1] == '[' && s[i - 2] == ' ') {
			br = s + i - 2;
			break;
		}
	if (!br)
		return true;
	for (colon = br; colon > s && *colon != ':'; colon--)
		;
	i = (size_t)(colon - s) + 1;
	if (*colon != ':' || !parse_dec(s, (size_t)(br - s), &i, &v) || s + i != br)
		return true;
	add_str(c, "comm", 4, s, (size_t)(colon - s));
	add_num(c, "pid", v);
	return true;
}

/* kvm_exit "[vcpu N ]reason R ..." (plugin and kernel formats) and kvm_entry "vcpu N...". */
static bool parse_vcpu_reason(struct tctx *c, const char *s, size_t len)
{
	size_t i = 0;
	uint64_t v;

	if (starts(s, len, "vcpu ")) {
		i = 5;
		if (parse_dec(s, len, &i, &v))
			add_num(c, "vcpu_id", v);
		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
	} else if (c->kind == HP_EV_KVM_EXIT && !starts(s, len, "reason ")) {
		return false;
	} else if (c->kind == HP_EV_KVM_ENTRY) {
		return false;
	}
	if (c->kind == HP_EV_KVM_EXIT && starts(s + i, len - i, "reason ")) {
		size_t r = i + 7, e = r;

		while (e < len && s[e] != ' ')
			e++;
		add_str(c, "reason", 6, s + r, e - r);
	}
	return true;
}

static void parse_info(struct tctx *c)
{
	const char *s = c->info;
	size_t len = c->len;
	bool done = false;

	c->parsed = true;
	switch (c->kind) {
	case HP_EV_VCPU_WAKEUP:
		done = parse_wakeup(c, s, len);
		break;
	case HP_EV_VCORE_WAKEUP:
		done = parse_wakeup(c, s, len);
		if (done)
			parse_kv(c, s, len); /* tgid= */
		break;
	case HP_EV_VCORE_BLOCKED:
		if (starts(s, len, "Enter ") || starts(s, len, "Exit ")) {
			add_num(c, "where", s[1] == 'x');
			parse_kv(c, s, len);
			done = true;
		}
		break;
	case HP_EV_KVM_EXIT:
	case HP_EV_KVM_ENTRY:
		done = parse_vcpu_reason(c, s, len);
		break;
	case HP_EV_SCHED_SWITCH:
		done = parse_switch_plugin(c, s, len);
		break;
	case HP_EV_SCHED_WAKEUP:
		done = parse_wakeup_plugin(c, s, len);
		break;
	default:
		break;
	}
	if (!done)
		parse_kv(c, s, len);
}

static const struct tfield *lookup(struct tctx *c, const char *name)
{
	size_t nl = strlen(name);
	int i;

	if (!c->parsed)
		parse_info(c);
	for (i = 0; i < c->n; i++)
		if (c->f[i].nlen == nl && memcmp(c->f[i].name, name, nl) == 0)
			return &c->f[i];
	return NULL;
}

static int text_num(void *p, const char *name, uint64_t *out)
{
	struct tctx *c = p;
	const struct tfield *f = lookup(c, name);

	if (!f)
		return -1;
	if (f->isnum) {
		*out = f->num;
		return 0;
	}
	return value_num(f->val, f->vlen, out) ? 0 : -1;
}

static int text_str(void *p, const char *name, const char **s, size_t *len)
{
	struct tctx *c = p;
	const struct tfield *f = lookup(c, name);

	if (!f || f->isnum)
		return -1;
	*s = f->val;
	*len = f->vlen;
	return 0;
}

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

static void skip_sp(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
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

	if (!parse_dec(s, len, &i, &pid) || pid > 0x7fffffff)
		return false;
	if (i >= len || s[i] != ' ')
		return false;
	skip_sp(s, len, &i);
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

/* An event line; false if s is not one. */
static bool parse_event(const char *s, size_t len, struct tline *t)
{
	size_t i, c0, name_at, name_len, colon;

	for (c0 = 0; c0 < len && s[c0] == ' '; c0++)
		;
	for (i = c0 + 1; i < len && i < c0 + 64; i++) {
		if (s[i] != '-' || !parse_after_dash(s, len, i, t, &name_at, &name_len))
			continue;
		t->comm_len = (uint16_t)(i - c0);
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
	return false;
}

/* "CPU:N [N EVENTS DROPPED]" or "CPU:N [EVENTS DROPPED]". */
static bool parse_dropped(const char *s, size_t len, struct tline *t)
{
	size_t i = 0;
	uint64_t cpu, n = 0;

	skip_sp(s, len, &i);
	if (!starts(s + i, len - i, "CPU:"))
		return false;
	i += 4;
	if (!parse_dec(s, len, &i, &cpu) || cpu >= HP_DEC_MAX_CPUS || !starts(s + i, len - i, " ["))
		return false;
	i += 2;
	if (is_digit(s[i]) && (!parse_dec(s, len, &i, &n) || !starts(s + i, len - i, " ")))
		return false;
	skip_sp(s, len, &i);
	if (!starts(s + i, len - i, "EVENTS DROPPED]"))
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
	c.info = r->buf + t->off;
	c.len = t->info_len;
	c.kind = (enum hp_ev_kind)t->kind;
	c.parsed = false;
	c.n = 0;
	ev = (struct hp_dec_event){
	    .ts = t->ts,
	    .cpu = t->cpu,
	    .cpu_base = t->cpu_base,
	    .pid = t->pid,
	    .comm = r->buf + t->off - t->comm_off,
	    .comm_len = t->comm_len,
	    .kind = c.kind,
	    .f = {text_num, text_str, &c},
	};
	bad = sk->bad_records;
	if (hp_dec_event(dec, &ev, err) < 0)
		return -1;
	if (sk->bad_records == bad)
		return 0;
	if (!r->opts->lenient)
		return hp_errf(err, "%s:%u: cannot read the fields of this event: '%.*s'", r->path,
		               t->lineno, (int)(t->info_len < 80 ? t->info_len : 80), c.info);
	sk->bad_records = bad;
	sk->bad_lines++;
	return 0;
}

/*
 * Sorted input, the usual case: decode each line as it is read, with no index.
 * Returns 1 at the first line earlier than the one before (start over sorted),
 * 0 at the end, -1 with err.
 */
static int stream_lines(struct reader *r, struct hp_decoder *dec, struct hp_err *err)
{
	const char *p = r->buf;
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
