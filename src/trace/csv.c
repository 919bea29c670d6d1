/*
 * CSV episodes (libcsv): a header line naming the columns cpu, halt_start_ns,
 * wake_ns and optionally source and source_cpu, then one halt per record.
 * Quoted fields and CRLF line ends are accepted. The writer emits the same
 * format, quoting the source name with csv_fwrite.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <csv.h>

#include "csv_rows.h"
#include "hpsim/atomic_file.h"
#include "hpsim/episode_csv.h"
#include "hpsim/trace.h"

#define MAX_CPU 65535u

/* The UTF-8 byte-order mark that some spreadsheets put before the header. */
static const char bom[3] = {(char)0xef, (char)0xbb, (char)0xbf};
#define MAX_COLS 5
/* Bytes read from the file at a time. */
#define READ_BUF (1u << 20)

enum field { F_CPU, F_HALT, F_WAKE, F_SRC, F_SRCCPU, F_COUNT };

static const char *const field_names[F_COUNT] = {"cpu", "halt_start_ns", "wake_ns", "source",
                                                 "source_cpu"};

static const char *const source_names[HP_SRC_COUNT] = {"unknown", "ipi", "irq", "timer"};

struct ctx {
	const char *path;
	hp_csv_row_fn row;
	void *arg;
	struct hp_csv_rows *rows;
	struct hp_err *err;
	unsigned long line;
	int header_done;
	int ncols, col;
	int map[MAX_COLS];
	int have[F_COUNT];
	struct hp_episode cur;
	int failed;
};

const char *hp_wake_source_name(uint32_t source)
{
	return source < HP_SRC_COUNT ? source_names[source] : "unknown";
}

int hp_wake_source_parse(const char *s, uint32_t *source)
{
	uint32_t i;

	if (!*s) {
		*source = HP_SRC_UNKNOWN;
		return 0;
	}
	/* the names as the writer spells them first: one comparison, not a case-folding loop */
	for (i = 0; i < HP_SRC_COUNT; i++) {
		if (s[0] == source_names[i][0] && !strcmp(s, source_names[i])) {
			*source = i;
			return 0;
		}
	}
	for (i = 0; i < HP_SRC_COUNT; i++) {
		if (!strcasecmp(s, source_names[i])) {
			*source = i;
			return 0;
		}
	}
	return -1;
}

/* The first line, quotes and blanks removed, must begin with the three required columns. */
static int probe(const unsigned char *head, size_t len)
{
	static const char want[] = "cpu,halt_start_ns,wake_ns";
	char line[64];
	size_t i = 0, n = 0;

	if (len >= 3 && !memcmp(head, bom, 3))
		i = 3;
	for (; i < len && head[i] != '\n' && head[i] != '\r' && n < sizeof(line) - 1; i++)
		if (head[i] != '"' && head[i] != ' ' && head[i] != '\t')
			line[n++] = (char)tolower(head[i]);
	line[n] = '\0';
	if (strncmp(line, want, sizeof(want) - 1))
		return 0;
	return line[sizeof(want) - 1] == '\0' || line[sizeof(want) - 1] == ',';
}

/* Decimal digits only; 0, or -1 with a reason in *why. */
static int parse_u64(const char *s, uint64_t *v, const char **why)
{
	const char *p;
	uint64_t x = 0;

	if (!*s) {
		*why = "is empty";
		return -1;
	}
	if (*s == '-') {
		*why = "is negative";
		return -1;
	}
	for (p = s; *p; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';

		if (d > 9) {
			*why = "is not a non-negative integer";
			return -1;
		}
		/* 19 digits always fit: the overflow test (a division) is for longer ones */
		if (p - s >= 19 && x > (UINT64_MAX - d) / 10) {
			*why = "is too large for 64 bits";
			return -1;
		}
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int field_error(struct ctx *c, const char *value, const char *what)
{
	hp_errf(c->err, "%s:%lu: column %d (%s): '%.40s' %s", c->path, c->line, c->col + 1,
	        field_names[c->map[c->col]], value, what);
	c->failed = 1;
	return -1;
}

static void on_header_field(struct ctx *c, const char *s)
{
	int f;

	if (c->ncols == MAX_COLS) {
		hp_errf(c->err, "%s:%lu: more than %d columns in the header", c->path, c->line,
		        MAX_COLS);
		c->failed = 1;
		return;
	}
	for (f = 0; f < F_COUNT; f++)
		if (!strcasecmp(s, field_names[f]))
			break;
	if (f == F_COUNT) {
		hp_errf(c->err,
		        "%s:%lu: column %d: unknown column '%.40s' in the header, expected "
		        "cpu, halt_start_ns, wake_ns, source or source_cpu",
		        c->path, c->line, c->ncols + 1, s);
		c->failed = 1;
		return;
	}
	if (c->have[f]) {
		hp_errf(c->err, "%s:%lu: column %d: column '%s' appears twice in the header",
		        c->path, c->line, c->ncols + 1, field_names[f]);
		c->failed = 1;
		return;
	}
	c->have[f] = 1;
	c->map[c->ncols++] = f;
}

static int on_value(struct ctx *c, const char *s)
{
	const char *why = NULL;
	uint64_t v;

	switch (c->map[c->col]) {
	case F_CPU:
		if (parse_u64(s, &v, &why) < 0)
			return field_error(c, s, why);
		if (v > MAX_CPU)
			return field_error(c, s, "is not a CPU number in 0..65535");
		c->cur.cpu = (uint32_t)v;
		break;
	case F_HALT:
	case F_WAKE:
		if (parse_u64(s, &v, &why) < 0)
			return field_error(c, s, why);
		if (c->map[c->col] == F_HALT)
			c->cur.halt_start_ns = v;
		else
			c->cur.wake_ns = v;
		break;
	case F_SRC:
		if (hp_wake_source_parse(s, &c->cur.source) < 0)
			return field_error(c, s,
			                   "is not a wake source: expected ipi, irq, timer, "
			                   "unknown or empty");
		break;
	case F_SRCCPU:
		if (!*s || (s[0] == '-' && s[1] == '1' && !s[2])) {
			c->cur.source_cpu = -1;
			break;
		}
		if (parse_u64(s, &v, &why) < 0)
			return field_error(c, s, "is not a CPU number (or empty, or -1)");
		if (v > MAX_CPU)
			return field_error(c, s, "is not a CPU number in 0..65535");
		c->cur.source_cpu = (int32_t)v;
		break;
	}
	return 0;
}

static void cb_field(void *s, size_t len, void *data)
{
	struct ctx *c = data;
	const char *str = s ? (const char *)s : "";

	(void)len;
	if (c->failed)
		return;
	if (!c->header_done) {
		if (c->ncols == 0 && !strncmp(str, bom, 3))
			str += 3;
		on_header_field(c, str);
		return;
	}
	if (c->col >= c->ncols) {
		hp_errf(c->err, "%s:%lu: column %d: more fields than the header's %d columns",
		        c->path, c->line, c->col + 1, c->ncols);
		c->failed = 1;
		return;
	}
	on_value(c, str);
	c->col++;
}

static void reset_record(struct ctx *c)
{
	memset(&c->cur, 0, sizeof(c->cur));
	c->cur.source_cpu = -1;
	c->col = 0;
}

static void cb_record(int term, void *data)
{
	struct ctx *c = data;
	int f;

	(void)term;
	if (c->failed)
		return;
	if (!c->header_done) {
		for (f = F_CPU; f <= F_WAKE; f++) {
			if (!c->have[f]) {
				hp_errf(c->err, "%s:%lu: missing column '%s' in the header",
				        c->path, c->line, field_names[f]);
				c->failed = 1;
				return;
			}
		}
		c->header_done = 1;
		reset_record(c);
		return;
	}
	if (c->col < c->ncols) {
		hp_errf(c->err,
		        "%s:%lu: missing column %d (%s): the record has %d fields, the header %d",
		        c->path, c->line, c->col + 1, field_names[c->map[c->col]], c->col,
		        c->ncols);
		c->failed = 1;
		return;
	}
	if (c->cur.wake_ns < c->cur.halt_start_ns) {
		hp_errf(c->err,
		        "%s:%lu: wake_ns %llu is before halt_start_ns %llu (expected wake >= halt "
		        "start)",
		        c->path, c->line, (unsigned long long)c->cur.wake_ns,
		        (unsigned long long)c->cur.halt_start_ns);
		c->failed = 1;
		return;
	}
	if (c->rows->n == 0 || c->cur.halt_start_ns < c->rows->t_first_ns)
		c->rows->t_first_ns = c->cur.halt_start_ns;
	if (c->cur.wake_ns > c->rows->t_last_ns)
		c->rows->t_last_ns = c->cur.wake_ns;
	if (c->cur.cpu + 1 > c->rows->ncpu)
		c->rows->ncpu = c->cur.cpu + 1;
	c->rows->n++;
	if (c->row(c->arg, &c->cur, c->line, c->err) != 0) {
		c->failed = 1;
		return;
	}
	reset_record(c);
}

/* One line (with its newline, if any) into libcsv. */
static void parse_line(struct ctx *c, struct csv_parser *p, const char *line, size_t len)
{
	c->line++;
	if (csv_parse(p, line, len, cb_field, cb_record, c) != len && !c->failed) {
		hp_errf(c->err, "%s:%lu: malformed CSV (%s), expected comma-separated fields",
		        c->path, c->line, csv_strerror(csv_error(p)));
		c->failed = 1;
	}
}

int hp_csv_parse(const char *path, hp_csv_row_fn row, void *arg, struct hp_csv_rows *rows,
                 struct hp_err *err)
{
	struct ctx c = {.path = path, .row = row, .arg = arg, .rows = rows, .err = err};
	struct csv_parser p;
	size_t cap = READ_BUF, fill = 0;
	struct stat st;
	char *buf;
	FILE *f;
	int rc = -1;

	memset(rows, 0, sizeof(*rows));
	f = fopen(path, "rb");
	if (!f)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	/* a small file: no 1 MiB buffer (it grows if the file does) */
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < cap)
		cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return hp_errf(err, "out of memory");
	}
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		free(buf);
		fclose(f);
		return hp_errf(err, "out of memory");
	}
	reset_record(&c);
	/* the file in large reads, handed to libcsv a line at a time (errors name the line) */
	while (!c.failed) {
		char *at, *nl, *end;
		size_t got;

		if (fill == cap) { /* a line longer than the buffer */
			char *b = realloc(buf, cap * 2);

			if (!b) {
				hp_errf(err, "%s:%lu: out of memory for a line", path, c.line + 1);
				c.failed = 1;
				break;
			}
			buf = b;
			cap *= 2;
		}
		got = fread(buf + fill, 1, cap - fill, f);
		fill += got;
		end = buf + fill;
		for (at = buf; !c.failed; at = nl + 1) {
			nl = memchr(at, '\n', (size_t)(end - at));
			if (!nl && got)
				break; /* an incomplete line: read on */
			if (!nl && at == end)
				break;
			parse_line(&c, &p, at, nl ? (size_t)(nl + 1 - at) : (size_t)(end - at));
			if (!nl) {
				at = end;
				break;
			}
		}
		fill = (size_t)(end - at);
		memmove(buf, at, fill);
		if (!got)
			break;
	}
	if (!c.failed && ferror(f)) {
		hp_errf(err, "%s: read error after line %lu", path, c.line);
		c.failed = 1;
	}
	if (!c.failed && csv_fini(&p, cb_field, cb_record, &c) != 0 && !c.failed) {
		hp_errf(err, "%s:%lu: malformed CSV at the end of the file (unterminated quote?)",
		        path, c.line);
		c.failed = 1;
	}
	if (c.failed)
		goto out;
	if (!c.header_done) {
		hp_errf(err, "%s: no header line, expected '%s'", path, HP_CSV_HEADER);
		goto out;
	}
	if (rows->n == 0) {
		hp_errf(err, "%s: no episodes after the header (%lu lines)", path, c.line);
		goto out;
	}
	rc = 0;
out:
	csv_free(&p);
	free(buf);
	fclose(f);
	return rc;
}

void hp_csv_assumption(struct hp_episodes *eps)
{
	snprintf(eps->assumption, sizeof(eps->assumption),
	         "CSV episodes: wake arrival times as written in the file");
}

static int push_row(void *arg, const struct hp_episode *e, unsigned long line, struct hp_err *err)
{
	(void)line;
	return hp_episodes_push(arg, e, err);
}

/* The CSV holds arrival times already: no reading option applies. */
static int read_csv(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                    struct hp_err *err)
{
	struct hp_csv_rows rows;

	(void)opts;
	if (hp_csv_parse(path, push_row, eps, &rows, err) < 0)
		return -1;
	eps->t_first_ns = rows.t_first_ns;
	eps->t_last_ns = rows.t_last_ns;
	hp_csv_assumption(eps);
	return 0;
}

/* Decimal digits of v ending at end (exclusive); returns where they start. */
static char *put_u64(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

/* Append v in decimal at p; returns the end. */
static char *append_u64(char *p, uint64_t v)
{
	char tmp[24], *s = put_u64(tmp + sizeof(tmp), v);
	size_t n = (size_t)(tmp + sizeof(tmp) - s);

	memcpy(p, s, n);
	return p + n;
}

int hp_csv_write_rows(FILE *f, const struct hp_episode *ep, size_t n, struct hp_err *err)
{
	/* the source names as libcsv quotes them, once */
	char quoted[HP_SRC_COUNT + 1][24];
	size_t qlen[HP_SRC_COUNT + 1], i;
	char line[128];

	for (i = 0; i <= HP_SRC_COUNT; i++) {
		const char *name = hp_wake_source_name((uint32_t)i);

		qlen[i] = csv_write(quoted[i], sizeof(quoted[i]), name, strlen(name));
	}
	for (i = 0; i < n; i++) {
		const struct hp_episode *e = &ep[i];
		uint32_t src = e->source < HP_SRC_COUNT ? e->source : HP_SRC_COUNT;
		char *p = line;

		p = append_u64(p, e->cpu);
		*p++ = ',';
		p = append_u64(p, e->halt_start_ns);
		*p++ = ',';
		p = append_u64(p, e->wake_ns);
		*p++ = ',';
		memcpy(p, quoted[src], qlen[src]);
		p += qlen[src];
		*p++ = ',';
		if (e->source_cpu >= 0)
			p = append_u64(p, (uint64_t)e->source_cpu);
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
	}
	if (ferror(f))
		return hp_errf(err, "writing CSV failed: %s", strerror(errno));
	return 0;
}

int hp_csv_write(FILE *f, const struct hp_episodes *eps, struct hp_err *err)
{
	fputs(HP_CSV_HEADER "\n", f);
	return hp_csv_write_rows(f, eps->ep, eps->n, err);
}

const struct hp_trace_reader hp_reader_csv = {
    .name = "csv",
    .probe = probe,
    .read = read_csv,
};

int hp_csv_write_path(const char *path, const struct hp_episodes *eps, struct hp_err *err)
{
	struct hp_atomic_file out;

	if (hp_atomic_open(&out, path, err) < 0)
		return -1;
	if (hp_csv_write(out.f, eps, err) < 0) {
		hp_atomic_abort(&out);
		return hp_err_prefix(err, "%s: ", path);
	}
	return hp_atomic_commit(&out, err);
}
