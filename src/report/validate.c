/*
 * hpsim validate's comparisons: per-halt agreement with a capture's recorded
 * outcomes, and predicted-beside-measured figures per ceiling, both sides
 * computed from KVM-named statistics by the same functions.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/validate.h"

/* --- agreement ------------------------------------------------------------ */

void hp_agreement_add(void *ctx, const struct hp_outcome *o)
{
	struct hp_agreement *a = ctx;
	uint32_t f = o->ep->flags;
	bool slept = false, rec_slept;

	a->halts++;
	if (!(f & (HP_EP_REC_POLLED | HP_EP_REC_SLEPT)))
		return;
	a->known++;
	rec_slept = (f & HP_EP_REC_SLEPT) != 0;
	if (o->has[HP_LAYER_HOST] && o->d[HP_LAYER_HOST].waited)
		slept = true;
	if (o->has[HP_LAYER_VCORE] && o->d[HP_LAYER_VCORE].waited)
		slept = true;
	if (rec_slept)
		*(slept ? &a->slept_slept : &a->slept_polled) += 1;
	else
		*(slept ? &a->polled_slept : &a->polled_polled) += 1;
}

int hp_agreement_finish(struct hp_agreement *a, struct hp_err *err)
{
	if (!a->known)
		return hp_errf(err,
		               "no halt has a recorded outcome: agreement needs a host capture "
		               "with kvm:kvm_vcpu_wakeup (poll or wait) events");
	a->pct = 100.0 * (double)(a->polled_polled + a->slept_slept) / (double)a->known;
	return 0;
}

void hp_validate_write_agreement(FILE *f, const struct hp_agreement *a)
{
	fprintf(f,
	        "agreement: %.2f%% of %llu halts with a recorded outcome (%llu replayed): "
	        "polled both %llu, slept both %llu, recorded polled but simulated slept %llu, "
	        "recorded slept but simulated polled %llu\n",
	        a->pct, (unsigned long long)a->known, (unsigned long long)a->halts,
	        (unsigned long long)a->polled_polled, (unsigned long long)a->slept_slept,
	        (unsigned long long)a->polled_slept, (unsigned long long)a->slept_polled);
}

/* --- figures from KVM statistics ------------------------------------------ */

struct kstats {
	uint64_t successful_poll, success_ns, fail_ns, wait_ns, halt_exits;
	bool has_exits;
	uint64_t success_hist[HP_LOG_HIST], wait_hist[HP_LOG_HIST];
};

/* The figures both sides share, from statistics over wall_ns. */
static void figures(const struct kstats *k, uint64_t wall_ns, struct hp_vfig *f)
{
	uint64_t sleeps = 0, total = 0, seen = 0, blocks;
	int i;

	for (i = 0; i < HP_LOG_HIST; i++)
		sleeps += k->wait_hist[i];
	blocks = k->successful_poll + sleeps;
	f->halts = k->has_exits ? k->halt_exits : blocks;
	f->poll_cpu_pct =
	    wall_ns ? 100.0 * (double)(k->success_ns + k->fail_ns) / (double)wall_ns : 0;
	f->success_pct = f->halts ? 100.0 * (double)k->successful_poll / (double)f->halts : 0;
	f->mean_halt_ns =
	    blocks ? (double)(k->success_ns + k->fail_ns + k->wait_ns) / (double)blocks : 0;
	for (i = 0; i < HP_LOG_HIST; i++)
		total += k->success_hist[i] + k->wait_hist[i];
	f->p99_halt_ns = 0;
	for (i = 0; i < HP_LOG_HIST && total; i++) {
		seen += k->success_hist[i] + k->wait_hist[i];
		if ((double)seen >= 0.99 * (double)total) {
			f->p99_halt_ns = i ? 1ull << i : 0; /* bucket i holds [2^(i-1), 2^i) */
			break;
		}
	}
}

void hp_vfig_from_metrics(const struct hp_metrics *m, struct hp_vfig *f)
{
	const struct hp_layer_stats *l = &m->total.layer[HP_LAYER_HOST];
	struct kstats k;

	memset(&k, 0, sizeof(k));
	memset(f, 0, sizeof(*f));
	k.successful_poll = l->halt_successful_poll;
	k.success_ns = l->halt_poll_success_ns;
	k.fail_ns = l->halt_poll_fail_ns;
	k.wait_ns = l->halt_wait_ns;
	k.has_exits = true;
	k.halt_exits = m->total.halts; /* every HLT, pending ones included, as halt_exits */
	memcpy(k.success_hist, l->halt_poll_success_hist, sizeof(k.success_hist));
	memcpy(k.wait_hist, l->halt_wait_hist, sizeof(k.wait_hist));
	figures(&k, m->wall_ns, f);
	f->grows = (int64_t)l->grows;
	f->shrinks = (int64_t)l->shrinks;
}

/* --- harness runs ---------------------------------------------------------- */

static int get_u64(const char *path, json_t *o, const char *key, const char *where, bool need,
                   uint64_t *out, struct hp_err *err)
{
	json_t *v = json_object_get(o, key);

	if (!v && !need)
		return 1;
	if (!v || !json_is_integer(v) || json_integer_value(v) < 0)
		return hp_errf(err, "%s: %s\"%s\" must be a non-negative integer", path, where,
		               key);
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_hist(const char *path, json_t *o, const char *key, const char *where, uint64_t *hist,
                    struct hp_err *err)
{
	json_t *v = json_object_get(o, key), *x;
	size_t i;

	if (!v)
		return 0; /* kernels before 5.14 have no histograms */
	if (!json_is_array(v) || json_array_size(v) > HP_LOG_HIST)
		return hp_errf(err, "%s: %s\"%s\" must be an array of at most %d counts", path,
		               where, key, HP_LOG_HIST);
	json_array_foreach(v, i, x)
	{
		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return hp_errf(err, "%s: %s\"%s\"[%zu] must be a non-negative integer",
			               path, where, key, i);
		hist[i] += (uint64_t)json_integer_value(x);
	}
	return 0;
}

static int load_vcpu(const char *path, json_t *vc, size_t i, struct kstats *k, uint64_t *cpu_ns,
                     int64_t *grows, int64_t *shrinks, struct hp_err *err)
{
	static const char *const need[] = {"halt_successful_poll", "halt_poll_success_ns",
	                                   "halt_poll_fail_ns", "halt_wait_ns"};
	uint64_t *dst[] = {&k->successful_poll, &k->success_ns, &k->fail_ns, &k->wait_ns};
	uint64_t v, g;
	char where[64];
	json_t *st;
	size_t j;
	int rc;

	snprintf(where, sizeof(where), "vcpus[%zu] ", i);
	if (!json_is_object(vc))
		return hp_errf(err, "%s: vcpus[%zu] must be an object", path, i);
	if (get_u64(path, vc, "cpu_ns", where, true, &v, err))
		return -1;
	*cpu_ns += v;
	rc = get_u64(path, vc, "grows", where, false, &g, err);
	if (rc < 0)
		return -1;
	*grows = rc == 1 || *grows < 0 ? -1 : *grows + (int64_t)g;
	rc = get_u64(path, vc, "shrinks", where, false, &g, err);
	if (rc < 0)
		return -1;
	*shrinks = rc == 1 || *shrinks < 0 ? -1 : *shrinks + (int64_t)g;
	snprintf(where, sizeof(where), "vcpus[%zu].stats ", i);
	st = json_object_get(vc, "stats");
	if (!json_is_object(st))
		return hp_errf(err, "%s: vcpus[%zu].stats must be an object of KVM statistics",
		               path, i);
	for (j = 0; j < sizeof(need) / sizeof(need[0]); j++) {
		if (get_u64(path, st, need[j], where, true, &v, err))
			return -1;
		*dst[j] += v;
	}
	rc = get_u64(path, st, "halt_exits", where, false, &v, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		k->has_exits = true;
		k->halt_exits += v;
	}
	if (get_hist(path, st, "halt_poll_success_hist", where, k->success_hist, err) < 0 ||
	    get_hist(path, st, "halt_wait_hist", where, k->wait_hist, err) < 0)
		return -1;
	return 0;
}

int hp_vrun_load(const char *path, struct hp_vrun *r, struct hp_err *err)
{
	json_t *root, *v, *vcpus, *vc;
	json_error_t jerr;
	struct kstats k;
	uint64_t cpu_ns = 0;
	int64_t grows = 0, shrinks = 0;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&k, 0, sizeof(k));
	root = json_load_file(path, 0, &jerr);
	if (!root)
		return hp_errf(err, "%s:%d: not JSON: %s", path, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		hp_errf(err, "%s: a harness run is one JSON object (kvmharness's output)", path);
		goto out;
	}
	v = json_object_get(root, "ceiling_ns");
	if (v && json_is_integer(v) && json_integer_value(v) >= 0) {
		r->has_ceiling = true;
		r->ceiling_ns = (uint64_t)json_integer_value(v);
	} else if (v && !json_is_null(v)) {
		hp_errf(err, "%s: \"ceiling_ns\" must be a non-negative integer or null", path);
		goto out;
	}
	if (get_u64(path, root, "wall_ns", "", true, &r->wall_ns, err))
		goto out;
	if (!r->wall_ns) {
		hp_errf(err, "%s: \"wall_ns\" must be positive", path);
		goto out;
	}
	v = json_object_get(root, "workload");
	snprintf(r->workload, sizeof(r->workload), "%s",
	         json_is_string(v) ? json_string_value(v) : "");
	v = json_object_get(root, "host_release");
	snprintf(r->host_release, sizeof(r->host_release), "%s",
	         json_is_string(v) ? json_string_value(v) : "");
	vcpus = json_object_get(root, "vcpus");
	if (!json_is_array(vcpus) || json_array_size(vcpus) == 0) {
		hp_errf(err, "%s: \"vcpus\" must be a non-empty array", path);
		goto out;
	}
	json_array_foreach(vcpus, i, vc)
	{
		if (load_vcpu(path, vc, i, &k, &cpu_ns, &grows, &shrinks, err) < 0)
			goto out;
	}
	figures(&k, r->wall_ns, &r->fig);
	r->fig.thread_cpu_pct = 100.0 * (double)cpu_ns / (double)r->wall_ns;
	r->fig.grows = grows;
	r->fig.shrinks = shrinks;
	rc = 0;
out:
	json_decref(root);
	return rc;
}

/* --- rows ------------------------------------------------------------------ */

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int cmp_run(const void *a, const void *b)
{
	const struct hp_vrun *x = *(const struct hp_vrun *const *)a,
	                     *y = *(const struct hp_vrun *const *)b;

	return x->ceiling_ns < y->ceiling_ns ? -1 : x->ceiling_ns > y->ceiling_ns;
}

/* The medians of n runs' figures. */
static void median_fig(const struct hp_vrun *const *r, size_t n, struct hp_vfig *f, double *tmp)
{
	size_t i;
	bool grows = true, shrinks = true;

#define MED(field)                                                                                 \
	do {                                                                                       \
		for (i = 0; i < n; i++)                                                            \
			tmp[i] = (double)r[i]->fig.field;                                          \
		f->field = median(tmp, n);                                                         \
	} while (0)
	MED(poll_cpu_pct);
	MED(thread_cpu_pct);
	MED(success_pct);
	MED(mean_halt_ns);
	for (i = 0; i < n; i++) {
		grows = grows && r[i]->fig.grows >= 0;
		shrinks = shrinks && r[i]->fig.shrinks >= 0;
	}
	for (i = 0; i < n; i++)
		tmp[i] = (double)r[i]->fig.p99_halt_ns;
	f->p99_halt_ns = (uint64_t)llround(median(tmp, n));
	for (i = 0; i < n; i++)
		tmp[i] = (double)r[i]->fig.halts;
	f->halts = (uint64_t)llround(median(tmp, n));
	f->grows = f->shrinks = -1;
	if (grows) {
		for (i = 0; i < n; i++)
			tmp[i] = (double)r[i]->fig.grows;
		f->grows = (int64_t)llround(median(tmp, n));
	}
	if (shrinks) {
		for (i = 0; i < n; i++)
			tmp[i] = (double)r[i]->fig.shrinks;
		f->shrinks = (int64_t)llround(median(tmp, n));
	}
#undef MED
}

int hp_validate_rows(const struct hp_vrun *runs, size_t nruns, struct hp_vrow *rows, size_t *nrows,
                     struct hp_err *err)
{
	const struct hp_vrun **s;
	double *tmp, base = 0;
	bool has_base = false;
	size_t i, j, n = 0;

	*nrows = 0;
	if (!nruns)
		return hp_errf(err, "no harness runs given (--measured RUN.json)");
	for (i = 0; i < nruns; i++)
		if (strcmp(runs[i].workload, runs[0].workload))
			return hp_errf(err,
			               "runs of different workloads (%s in run 1, %s in run %zu): "
			               "validate one workload at a time",
			               runs[0].workload, runs[i].workload, i + 1);
	for (i = 0; i < nruns; i++)
		if (!runs[i].has_ceiling)
			return hp_errf(
			    err,
			    "run %zu (%s) has no ceiling_ns: validate compares runs made "
			    "with kvmharness --ceiling",
			    i + 1, runs[i].workload);
	s = malloc(nruns * sizeof(*s));
	tmp = malloc(nruns * sizeof(*tmp));
	if (!s || !tmp) {
		free(s);
		free(tmp);
		return hp_errf(err, "out of memory for %zu runs", nruns);
	}
	for (i = 0; i < nruns; i++)
		s[i] = &runs[i];
	qsort(s, nruns, sizeof(*s), cmp_run);
	for (i = 0; i < nruns; i = j) {
		struct hp_vrow *r = &rows[n++];

		for (j = i; j < nruns && s[j]->ceiling_ns == s[i]->ceiling_ns; j++)
			;
		memset(r, 0, sizeof(*r));
		r->ceiling_ns = s[i]->ceiling_ns;
		r->runs = j - i;
		median_fig(s + i, j - i, &r->meas, tmp);
		if (r->ceiling_ns == 0) {
			has_base = true;
			base = r->meas.thread_cpu_pct;
		}
	}
	for (i = 0; i < n; i++) {
		/* polling CPU from thread time: what the vCPU threads burned beyond ceiling 0 */
		rows[i].poll_basis = has_base ? "thread" : "stats";
		rows[i].meas_poll_pct =
		    has_base ? rows[i].meas.thread_cpu_pct - base : rows[i].meas.poll_cpu_pct;
	}
	free(s);
	free(tmp);
	*nrows = n;
	return 0;
}

void hp_validate_score(struct hp_vrow *r)
{
	double tol = fmax(2.0, 0.1 * fabs(r->meas_poll_pct));
	double d = fabs(r->pred.poll_cpu_pct - r->meas_poll_pct);

	r->poll_miss = d > tol ? d - tol : 0;
	d = fabs(r->pred.success_pct - r->meas.success_pct);
	r->success_miss = d > 3.0 ? d - 3.0 : 0;
}

static const char *count(char *buf, size_t len, int64_t v)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%lld", (long long)v);
	return buf;
}

static const char *miss(char *buf, size_t len, double m)
{
	if (m <= 0)
		snprintf(buf, len, "ok");
	else
		snprintf(buf, len, "+%.2f", m);
	return buf;
}

void hp_validate_write_table(FILE *f, const struct hp_vrow *rows, size_t n)
{
	size_t i, poll_met = 0, succ_met = 0;

	fprintf(f,
	        "%10s %4s | %8s %8s %8s %6s | %7s %7s %6s | %9s %9s | %9s %9s | %6s %6s | "
	        "%6s %6s\n",
	        "ceiling", "runs", "poll%", "poll%", "(stats)", "miss", "hit%", "hit%", "miss",
	        "mean_ns", "mean_ns", "p99_ns", "p99_ns", "grows", "grows", "shrink", "shrink");
	fprintf(f,
	        "%10s %4s | %8s %8s %8s %6s | %7s %7s %6s | %9s %9s | %9s %9s | %6s %6s | "
	        "%6s %6s\n",
	        "", "", "pred", "meas", "meas", "", "pred", "meas", "", "pred", "meas", "pred",
	        "meas", "pred", "meas", "pred", "meas");
	for (i = 0; i < n; i++) {
		const struct hp_vrow *r = &rows[i];
		char b[6][32];

		poll_met += r->poll_miss <= 0;
		succ_met += r->success_miss <= 0;
		fprintf(f,
		        "%10llu %4zu | %8.2f %8.2f %8.2f %6s | %7.2f %7.2f %6s | %9.0f %9.0f | "
		        "%9llu %9llu | %6s %6s | %6s %6s\n",
		        (unsigned long long)r->ceiling_ns, r->runs, r->pred.poll_cpu_pct,
		        r->meas_poll_pct, r->meas.poll_cpu_pct, miss(b[0], 32, r->poll_miss),
		        r->pred.success_pct, r->meas.success_pct, miss(b[1], 32, r->success_miss),
		        r->pred.mean_halt_ns, r->meas.mean_halt_ns,
		        (unsigned long long)r->pred.p99_halt_ns,
		        (unsigned long long)r->meas.p99_halt_ns, count(b[2], 32, r->pred.grows),
		        count(b[3], 32, r->meas.grows), count(b[4], 32, r->pred.shrinks),
		        count(b[5], 32, r->meas.shrinks));
	}
	fprintf(f,
	        "\npoll%%: polling CPU in %% of wall time (meas: %s; (stats): KVM's "
	        "halt_poll_success_ns + halt_poll_fail_ns); target within max(2 points, 10%%) of "
	        "meas. hit%%: successful polls over halts; target within 3 points. miss: points "
	        "beyond the target. mean/p99: a halt's span in kvm_vcpu_halt() from KVM's "
	        "statistics (p99: the upper bound of its log2 bucket); measured figures are the "
	        "medians of the runs.\n",
	        n && rows[0].poll_basis && !strcmp(rows[0].poll_basis, "thread")
	            ? "the vCPU threads' CPU time beyond the ceiling-0 runs'"
	            : "KVM's statistics, no ceiling-0 runs to subtract");
	fprintf(f,
	        "targets met: polling CPU at %zu of %zu ceilings, successful-poll share at %zu of "
	        "%zu\n",
	        poll_met, n, succ_met, n);
}
