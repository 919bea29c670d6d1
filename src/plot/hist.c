/*
 * The histogram's data: halt lengths of one or more captures in log2
 * buckets (count and share of each capture's halts), and the thresholds to
 * mark: --mark NAME=NS and the ns parameters of a policy at their defaults.
 */
#include <inttypes.h>
#include <string.h>

#include "hpsim/atomic_file.h"
#include "hpsim/policy.h"
#include "hpsim/trace.h"
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

static int policy_marks(const char *name, char *marks, size_t size, struct hp_err *err)
{
	const struct hp_policy_ops *ops = hp_policy_find(name);
	struct hp_kernel k = {HP_ARCH_X86, HP_KVER_NEWEST};
	size_t i;

	if (!ops)
		return hp_errf(err, "--policy: unknown policy '%s' (see `hpsim policies`)", name);
	for (i = 0; i < ops->nparams; i++) {
		const struct hp_param *p = &ops->params[i];
		uint32_t def = hp_param_default(p, &k);

		if (p->type == HP_PARAM_UINT && !strcmp(p->unit, "ns") && def &&
		    add_mark(marks, size, p->name, def, err) < 0)
			return -1;
	}
	return 0;
}

int plot_hist_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                      size_t size, struct hp_err *err)
{
	static const size_t maxin = 4;
	uint64_t count[4][NBUCKET] = {{0}}, total[4] = {0};
	char titles[1024] = "", marks[1024] = "", title[512];
	struct hp_atomic_file a;
	int lo = NBUCKET, hi = 0, b;
	size_t i, j;

	if (req->ninputs > maxin)
		return hp_errf(err, "hist: at most %zu captures overlaid, got %zu", maxin,
		               req->ninputs);
	for (i = 0; i < req->ninputs; i++) {
		struct hp_episodes eps = {0};

		if (hp_trace_read(req->inputs[i], &eps, err) < 0)
			return -1;
		for (j = 0; j < eps.n; j++) {
			b = bucket_of(eps.ep[j].wake_ns - eps.ep[j].halt_start_ns);
			count[i][b]++;
			total[i]++;
			lo = b < lo ? b : lo;
			hi = b > hi ? b : hi;
		}
		hp_episodes_free(&eps);
		if (!total[i])
			return hp_errf(err, "%s: no halts in the capture", req->inputs[i]);
		plot_word_append(titles, sizeof(titles), plot_basename(req->inputs[i]));
	}
	if (req->policy && policy_marks(req->policy, marks, sizeof(marks), err) < 0)
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
