/* Gnuplot variables and the paths of the files written beside a plot. */
#include <stdarg.h>
#include <string.h>

#include "plot_int.h"

static void vars_add(struct plot_vars *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void vars_add(struct plot_vars *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (v->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(v->buf + v->len, sizeof(v->buf) - v->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(v->buf) - v->len) {
		v->overflow = 1;
		v->buf[v->len] = '\0';
		return;
	}
	v->len += (size_t)n;
}

void plot_var_str(struct plot_vars *v, const char *name, const char *text)
{
	const char *p;

	vars_add(v, "%s='", name);
	for (p = text; *p; p++) {
		if (*p == '\'')
			vars_add(v, "''");
		else if (*p == '\n' || *p == '\r')
			vars_add(v, " ");
		else
			vars_add(v, "%c", *p);
	}
	vars_add(v, "'; ");
}

void plot_var_num(struct plot_vars *v, const char *name, double x)
{
	vars_add(v, "%s=%.10g; ", name, x);
}

void plot_word_append(char *list, size_t size, const char *word)
{
	size_t len = strlen(list);
	const char *p;

	if (len + 4 > size)
		return;
	if (len)
		list[len++] = ' ';
	list[len++] = '"';
	for (p = word; *p && len + 2 < size; p++)
		list[len++] = (*p == '"' || *p == '\'') ? '`' : *p;
	list[len++] = '"';
	list[len] = '\0';
}

int plot_sibling(const char *output, const char *suffix, char *buf, size_t size, struct hp_err *err)
{
	const char *base = plot_basename(output), *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - output) : strlen(output);

	if (stem + strlen(suffix) + 1 > size)
		return hp_errf(err, "%s: path too long", output);
	memcpy(buf, output, stem);
	strcpy(buf + stem, suffix);
	return 0;
}

const char *plot_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}
