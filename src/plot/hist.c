/*
 * The histogram's data: halt lengths of one or more captures in log2
 * buckets (count and share of each capture's halts), and the thresholds to
 * mark: the ns parameters of a policy at their defaults, then --mark NAME=NS.
 * The caller reads the captures and the policy's defaults.
 */
#include <inttypes.h>
#include <string.h>

#include "hpsim/atomic_file.h"
#include "plot_int.h"

#define NBUCKET 64

/* Bucket b holds lengths in [2^(b-1), 2^b) ns; 0 and 1 ns share bucket 1. */
static int bucket_of(uint64_t v)
{
	return v <= 1 ? 1 : 64 - __builtin_clzll(v);
}

static int add_mark(char *marks, size_t size, const char *name, uint64_t ns, struct hp_err *err)
{
	size_t len = strlen(marks);
	const char *p;

	for (p = name; *p; p++)
		if (*p == ' ' || *p == '=' || *p == '\'' || *p == '"')
			return hp_errf(
			    err, "--mark name '%s' must not contain spaces, '=' or quotes", name);
	if (snprintf(marks + len, size - len, "%s%s=%" PRIu64, len ? " " : "", name, ns) >=
	    (int)(size - len))
		return hp_errf(err, "too many marks");
	return 0;
}

int plot_hist_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                      size_t size, struct hp_err *err)
{
	static const size_t maxin = HP_PLOT_HIST_MAX_INPUTS;
	uint64_t count[HP_PLOT_HIST_MAX_INPUTS][NBUCKET] = {{0}};
	uint64_t total[HP_PLOT_HIST_MAX_INPUTS] = {0};
	char titles[1024] = "", marks[1024] = "", title[512];
	struct hp_atomic_file a;
	int lo = NBUCKET, hi = 0, b;
	size_t i, j;

	if (req->ninputs > maxin)
		return hp_errf(err, "hist: at most %zu captures overlaid, got %zu", maxin,
		               req->ninputs);
	for (i = 0; i < req->ninputs; i++) {
		const struct hp_plot_halts *h = &req->halts[i];

		for (j = 0; j < h->n; j++) {
			b = bucket_of(h->len_ns[j]);
			count[i][b]++;
			total[i]++;
			lo = b < lo ? b : lo;
			hi = b > hi ? b : hi;
		}
		if (!total[i])
			return hp_errf(err, "%s: no halts in the capture", req->inputs[i]);
		plot_word_append(titles, sizeof(titles), plot_basename(req->inputs[i]));
	}
	for (i = 0; i < req->ndefaults; i++)
		if (add_mark(marks, sizeof(marks), req->defaults[i].name, req->defaults[i].ns,
		             err) < 0)
			return -1;
	for (i = 0; i < req->nmarks; i++)
		if (add_mark(marks, sizeof(marks), req->marks[i].name, req->marks[i].ns, err) < 0)
			return -1;
	if (plot_sibling(req->output, ".hist.csv", data, size, err) < 0 ||
	    hp_atomic_open(&a, data, err) < 0)
		return -1;
	fputs("lo_ns,hi_ns", a.f);
	for (i = 0; i < req->ninputs; i++)
		fprintf(a.f, ",halts_%zu,pct_%zu", i + 1, i + 1);
	fputc('\n', a.f);
	for (b = lo; b <= hi; b++) {
		fprintf(a.f, "%" PRIu64 ",%" PRIu64, b <= 1 ? 0 : (uint64_t)1 << (b - 1),
		        (uint64_t)1 << b);
		for (i = 0; i < req->ninputs; i++)
			fprintf(a.f, ",%" PRIu64 ",%.4f", count[i][b],
			        100.0 * (double)count[i][b] / (double)total[i]);
		fputc('\n', a.f);
	}
	if (plot_csv_commit(&a, err) < 0)
		return -1;
	if (req->ninputs == 1)
		snprintf(title, sizeof(title), "Halt lengths of %s (%" PRIu64 " halts)",
		         plot_basename(req->inputs[0]), total[0]);
	else
		snprintf(title, sizeof(title), "Halt lengths of %zu captures", req->ninputs);
	plot_var_str(v, "datafile", data);
	plot_var_num(v, "ntraces", (double)req->ninputs);
	plot_var_str(v, "titles", titles);
	plot_var_str(v, "marks", marks);
	plot_var_str(v, "ptitle", title);
	return 0;
}
