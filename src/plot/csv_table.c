/* CSV tables for the plots: read whole through libcsv, cells looked up by column name. */
#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plot_int.h"

struct reader {
	struct plot_table *t;
	char **row; /* the fields of the row being read */
	size_t nrow, caprow;
	size_t cap;  /* cells allocated in t->cell */
	size_t line; /* rows seen, header included */
	int bad;     /* 0, or: 1 out of memory, 2 wrong field count */
	size_t bad_fields;
};

static void on_field(void *s, size_t len, void *ctx)
{
	struct reader *r = ctx;
	char *copy;

	if (r->bad)
		return;
	if (r->nrow == r->caprow) {
		size_t n = r->caprow ? 2 * r->caprow : 16;
		char **p = realloc(r->row, n * sizeof(*p));

		if (!p) {
			r->bad = 1;
			return;
		}
		r->row = p;
		r->caprow = n;
	}
	copy = malloc(len + 1);
	if (!copy) {
		r->bad = 1;
		return;
	}
	if (len)
		memcpy(copy, s, len);
	copy[len] = '\0';
	r->row[r->nrow++] = copy;
}

static void drop_row(struct reader *r)
{
	size_t i;

	for (i = 0; i < r->nrow; i++)
		free(r->row[i]);
	r->nrow = 0;
}

static void on_row(int c, void *ctx)
{
	struct reader *r = ctx;
	struct plot_table *t = r->t;

	(void)c;
	if (r->bad) {
		drop_row(r);
		return;
	}
	r->line++;
	if (r->line == 1) {
		t->head = r->row;
		t->ncols = r->nrow;
		r->row = NULL;
		r->nrow = r->caprow = 0;
		return;
	}
	if (r->nrow != t->ncols) {
		r->bad = 2;
		r->bad_fields = r->nrow;
		drop_row(r);
		return;
	}
	if ((t->nrows + 1) * t->ncols > r->cap) {
		size_t n = r->cap ? 2 * r->cap : 64 * t->ncols;
		char **p = realloc(t->cell, n * sizeof(*p));

		if (!p) {
			r->bad = 1;
			drop_row(r);
			return;
		}
		t->cell = p;
		r->cap = n;
	}
	memcpy(t->cell + t->nrows * t->ncols, r->row, t->ncols * sizeof(*r->row));
	t->nrows++;
	r->nrow = 0;
}

int plot_table_read(const char *path, struct plot_table *t, struct hp_err *err)
{
	struct reader r = {.t = t};
	struct csv_parser p;
	char buf[65536];
	size_t n;
	FILE *f;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	t->path = path;
	f = fopen(path, "r");
	if (!f)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	if (csv_init(&p, CSV_APPEND_NULL) != 0) {
		fclose(f);
		return hp_errf(err, "%s: cannot start the CSV parser", path);
	}
	while (!r.bad && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, &r) != n) {
			rc = hp_errf(err, "%s: not valid CSV: %s", path,
			             csv_strerror(csv_error(&p)));
			break;
		}
	if (!rc && ferror(f))
		rc = hp_errf(err, "%s: read error", path);
	if (!rc)
		csv_fini(&p, on_field, on_row, &r);
	csv_free(&p);
	fclose(f);
	drop_row(&r);
	free(r.row);
	if (!rc && r.bad == 1)
		rc = hp_errf(err, "%s: out of memory", path);
	if (!rc && r.bad == 2)
		rc = hp_errf(err, "%s: line %zu has %zu fields, the header has %zu", path,
		             t->nrows + 2, r.bad_fields, t->ncols);
	if (!rc && !t->ncols)
		rc = hp_errf(err, "%s: empty file, expected a CSV header line", path);
	if (rc)
		plot_table_free(t);
	return rc;
}

void plot_table_free(struct plot_table *t)
{
	size_t i;

	for (i = 0; i < t->nrows * t->ncols; i++)
		free(t->cell[i]);
	for (i = 0; i < t->ncols; i++)
		free(t->head[i]);
	free(t->cell);
	free(t->head);
	t->cell = t->head = NULL;
	t->nrows = t->ncols = 0;
}

int plot_table_find(const struct plot_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->head[i], name))
			return (int)i;
	return -1;
}

int plot_table_col(const struct plot_table *t, const char *name, struct hp_err *err)
{
	int c = plot_table_find(t, name);
	char have[256] = "";
	size_t i, len = 0;

	if (c >= 0)
		return c;
	for (i = 0; i < t->ncols && len < sizeof(have); i++)
		len += (size_t)snprintf(have + len, sizeof(have) - len, "%s%s", i ? "," : "",
		                        t->head[i]);
	hp_errf(err, "%s: no column '%s' (the header has: %s)", t->path, name, have);
	return -1;
}

const char *plot_table_get(const struct plot_table *t, size_t row, int col)
{
	if (col < 0 || row >= t->nrows)
		return "";
	return t->cell[row * t->ncols + (size_t)col];
}

int plot_table_num(const struct plot_table *t, size_t row, int col, double *out, struct hp_err *err)
{
	const char *s = plot_table_get(t, row, col);
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end || errno)
		return hp_errf(err, "%s: line %zu: column '%s' is '%s', not a number", t->path,
		               row + 2, col >= 0 ? t->head[col] : "?", s);
	return 0;
}

void plot_csv_field(FILE *f, const char *s, int last)
{
	if (strpbrk(s, ",\"\r\n"))
		csv_fwrite(f, s, strlen(s));
	else
		fputs(s, f);
	fputc(last ? '\n' : ',', f);
}

mode_t plot_file_mode(void)
{
	mode_t mask = umask(022);

	umask(mask);
	return 0666 & ~mask;
}

int plot_csv_commit(struct hp_atomic_file *a, struct hp_err *err)
{
	char path[sizeof(a->path)];

	memcpy(path, a->path, sizeof(path));
	if (hp_atomic_commit(a, err) < 0)
		return -1;
	chmod(path, plot_file_mode()); /* the temporary file was private; the plot data is not */
	return 0;
}
