/*
 * Two JSON reports side by side, like idlestat's baseline mode: every
 * numeric figure of the first (the baseline) with the second's, the
 * difference and the relative change; settings that differ as text.
 */
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/escape.h"
#include "hpsim/report.h"

struct cmp {
	FILE *f;
	bool all;
	size_t shown, differ;
};

static double num(const json_t *v)
{
	return json_is_integer(v) ? (double)json_integer_value(v) : json_real_value(v);
}

static void print_num(FILE *f, double v)
{
	if (v == floor(v) && fabs(v) < 9e15)
		fprintf(f, " %16.0f", v);
	else
		fprintf(f, " %16.4f", v);
}

static void leaf(struct cmp *c, const char *raw, const json_t *a, const json_t *b)
{
	char path[HP_ESC_BUF], e[HP_ESC_BUF];

	hp_escape(raw, path, sizeof(path)); /* the keys are the input's */
	if (json_is_number(a) && json_is_number(b)) {
		double x = num(a), y = num(b);

		c->differ += x != y;
		if (x == y && !c->all)
			return;
		fprintf(c->f, "%-48s", path);
		print_num(c->f, x);
		print_num(c->f, y);
		print_num(c->f, y - x);
		if (x != 0)
			fprintf(c->f, " %+9.2f%%\n", 100.0 * (y - x) / fabs(x));
		else
			fprintf(c->f, " %10s\n", y == 0 ? "0" : "new");
		c->shown++;
		return;
	}
	if (json_equal(a, b)) {
		if (c->all && json_is_string(a))
			fprintf(c->f, "%-48s %s\n", path,
			        hp_escape(json_string_value(a), e, sizeof(e)));
		return;
	}
	c->differ++;
	c->shown++;
	{
		char *x = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
		char *y = b ? json_dumps(b, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

		fprintf(c->f, "%-48s %s -> %s\n", path, x ? x : "(absent)", y ? y : "(absent)");
		free(x);
		free(y);
	}
}

/* A histogram ([n, ...]) or a CDF ([[ns, fraction], ...]): compared as one figure. */
static bool numeric_array(const json_t *v)
{
	const json_t *first = json_array_get(v, 0);

	if (json_is_array(first))
		first = json_array_get(first, 0);
	return json_is_array(v) && json_is_number(first);
}

static void walk(struct cmp *c, const char *path, const json_t *a, const json_t *b)
{
	char sub[512];

	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *va;

		json_object_foreach((json_t *)a, k, va)
		{
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			walk(c, sub, va, json_object_get(b, k));
		}
		json_object_foreach((json_t *)b, k, va) if (!json_object_get(a, k))
		{
			snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", k);
			leaf(c, sub, NULL, va);
		}
		return;
	}
	if (json_is_array(a) && json_is_array(b) && (!numeric_array(a) || c->all)) {
		size_t i, n = json_array_size(a) > json_array_size(b) ? json_array_size(a)
		                                                      : json_array_size(b);

		for (i = 0; i < n; i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			walk(c, sub, json_array_get(a, i), json_array_get(b, i));
		}
		return;
	}
	if (numeric_array(a) && numeric_array(b)) {
		/* histograms: only whether they differ, unless every figure was asked for */
		if (!json_equal(a, b)) {
			char e[HP_ESC_BUF];

			fprintf(c->f, "%-48s (histogram differs; --all shows its buckets)\n",
			        hp_escape(path, e, sizeof(e)));
			c->differ++;
			c->shown++;
		}
		return;
	}
	leaf(c, path, a, b);
}

int hp_report_compare(FILE *f, const char *a_path, const char *b_path, bool all,
                      size_t *differences, struct hp_err *err)
{
	struct cmp c = {.f = f, .all = all};
	json_error_t je;
	json_t *a, *b;

	a = json_load_file(a_path, 0, &je);
	if (!a)
		return hp_errf(err, "%s:%d: not JSON: %s", a_path, je.line, je.text);
	b = json_load_file(b_path, 0, &je);
	if (!b) {
		json_decref(a);
		return hp_errf(err, "%s:%d: not JSON: %s", b_path, je.line, je.text);
	}
	if (!json_object_get(a, "hpsim_report") || !json_object_get(b, "hpsim_report")) {
		/* named before a is freed */
		const char *bad = json_object_get(a, "hpsim_report") ? b_path : a_path;

		json_decref(a);
		json_decref(b);
		return hp_errf(err, "%s is not an hpsim report (`hpsim replay --format json`)",
		               bad);
	}
	{
		char ea[HP_ESC_BUF], eb[HP_ESC_BUF];

		fprintf(f, "A: %s\nB: %s\n\n%-48s %16s %16s %16s %10s\n",
		        hp_escape(a_path, ea, sizeof(ea)), hp_escape(b_path, eb, sizeof(eb)),
		        "metric", "A", "B", "B-A", "(B-A)/|A|");
	}
	walk(&c, "", a, b);
	if (!c.shown)
		fprintf(f, "(no differences)\n");
	json_decref(a);
	json_decref(b);
	if (differences)
		*differences = c.differ;
	return 0;
}
