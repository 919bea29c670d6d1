/* hpsim info's statistics and their text and JSON writers. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/episode_csv.h"
#include "hpsim/escape.h"
#include "hpsim/info.h"
#include "hpsim/report.h"

unsigned hp_info_bucket(uint64_t ns)
{
	unsigned b = 0;

	while (ns) {
		b++;
		ns >>= 1;
	}
	return b < HP_INFO_HIST ? b : HP_INFO_HIST - 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of n sorted values. */
static uint64_t pct(const uint64_t *v, size_t n, unsigned p)
{
	size_t rank = (n * p + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

/* Fill the distribution fields of s from n (unsorted) lengths. */
static void finish(struct hp_info_cpu *s, uint64_t *len, size_t n, double wall)
{
	size_t i;

	if (!n)
		return;
	qsort(len, n, sizeof(*len), cmp_u64);
	s->min_ns = len[0];
	s->max_ns = len[n - 1];
	s->p50_ns = pct(len, n, 50);
	s->p90_ns = pct(len, n, 90);
	s->p99_ns = pct(len, n, 99);
	s->mean_ns = (double)s->idle_ns / (double)n;
	s->idle_pct = wall > 0 ? 100.0 * (double)s->idle_ns / wall : 0;
	for (i = 0; i < n; i++)
		s->log2_hist[hp_info_bucket(len[i])]++;
}

int hp_info_compute(const struct hp_episodes *eps, struct hp_info *info, struct hp_err *err)
{
	uint64_t *all, *one, *count;
	size_t i, *fill;
	uint32_t c;

	memset(info, 0, sizeof(*info));
	info->wall_ns = eps->t_last_ns > eps->t_first_ns ? eps->t_last_ns - eps->t_first_ns : 0;
	info->total.cpu = UINT32_MAX;
	all = malloc((eps->n ? eps->n : 1) * sizeof(*all));
	one = malloc((eps->n ? eps->n : 1) * sizeof(*one));
	count = calloc(eps->ncpu + 1, sizeof(*count));
	fill = calloc(eps->ncpu + 1, sizeof(*fill));
	if (!all || !one || !count || !fill)
		goto oom;
	for (i = 0; i < eps->n; i++)
		count[eps->ep[i].cpu]++;
	for (c = 0; c < eps->ncpu; c++)
		info->ncpus += count[c] != 0;
	info->cpus = calloc(info->ncpus ? info->ncpus : 1, sizeof(*info->cpus));
	if (!info->cpus)
		goto oom;
	/* place each CPU's lengths contiguously in `one`, CPU by CPU */
	for (c = 0, i = 0; c < eps->ncpu; c++) {
		fill[c] = i;
		i += count[c];
	}
	for (i = 0; i < eps->n; i++) {
		const struct hp_episode *e = &eps->ep[i];
		uint64_t len = e->wake_ns - e->halt_start_ns;
		uint32_t src = e->source < HP_SRC_COUNT ? e->source : HP_SRC_UNKNOWN;

		one[fill[e->cpu]++] = len;
		all[i] = len;
		info->total.halts++;
		info->total.idle_ns += len;
		info->total.sources[src]++;
	}
	{
		size_t k = 0, start = 0;

		for (c = 0; c < eps->ncpu; c++) {
			struct hp_info_cpu *s;

			if (!count[c])
				continue;
			s = &info->cpus[k++];
			s->cpu = c;
			s->halts = count[c];
			for (i = start; i < start + count[c]; i++)
				s->idle_ns += one[i];
			finish(s, one + start, count[c], (double)info->wall_ns);
			start += count[c];
		}
		for (i = 0; i < eps->n; i++) {
			struct hp_info_cpu *s = info->cpus;
			size_t lo = 0, hi = info->ncpus;

			while (hi - lo > 1) { /* binary search by CPU number */
				size_t mid = (lo + hi) / 2;

				if (s[mid].cpu <= eps->ep[i].cpu)
					lo = mid;
				else
					hi = mid;
			}
			s[lo].sources[eps->ep[i].source < HP_SRC_COUNT ? eps->ep[i].source
			                                               : HP_SRC_UNKNOWN]++;
		}
	}
	finish(&info->total, all, eps->n, (double)info->wall_ns * (double)info->ncpus);
	free(all);
	free(one);
	free(count);
	free(fill);
	return 0;
oom:
	free(all);
	free(one);
	free(count);
	free(fill);
	hp_info_free(info);
	return hp_errf(err, "out of memory computing statistics of %zu halts", eps->n);
}

void hp_info_free(struct hp_info *info)
{
	free(info->cpus);
	memset(info, 0, sizeof(*info));
}

/* A length in the most readable unit, into buf. */
static const char *dur(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.2f us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else
		snprintf(buf, len, "%.2f s", ns / 1e9);
	return buf;
}

static void row(FILE *f, const char *name, const struct hp_info_cpu *s)
{
	char b[7][32];

	fprintf(f, "%-6s %9" PRIu64 " %7.2f%% %10s %10s %10s %10s %10s %10s %10s", name, s->halts,
	        s->idle_pct, dur(b[0], 32, (double)s->idle_ns), dur(b[1], 32, (double)s->min_ns),
	        dur(b[2], 32, s->mean_ns), dur(b[3], 32, (double)s->p50_ns),
	        dur(b[4], 32, (double)s->p90_ns), dur(b[5], 32, (double)s->p99_ns),
	        dur(b[6], 32, (double)s->max_ns));
	fprintf(f, " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 "\n", s->sources[HP_SRC_IPI],
	        s->sources[HP_SRC_IRQ], s->sources[HP_SRC_TIMER], s->sources[HP_SRC_UNKNOWN]);
}

static void hist_text(FILE *f, const char *name, const struct hp_info_cpu *s)
{
	uint64_t peak = 0;
	char lo[32], hi[32];
	int i, j, bar;

	for (i = 0; i < HP_INFO_HIST; i++)
		if (s->log2_hist[i] > peak)
			peak = s->log2_hist[i];
	fprintf(f, "\nhalt lengths, cpu %s (log2 buckets):\n", name);
	for (i = 0; i < HP_INFO_HIST; i++) {
		if (!s->log2_hist[i])
			continue;
		dur(lo, sizeof(lo), i ? (double)(1ull << (i - 1)) : 0);
		if (i == HP_INFO_HIST - 1)
			snprintf(hi, sizeof(hi), "...");
		else
			dur(hi, sizeof(hi), (double)(1ull << i));
		bar = (int)((s->log2_hist[i] * 40 + peak - 1) / peak);
		fprintf(f, "  [%9s, %9s) %9" PRIu64 " ", lo, hi, s->log2_hist[i]);
		for (j = 0; j < bar; j++)
			fputc('#', f);
		fputc('\n', f);
	}
}

void hp_info_write_table(FILE *f, const char *trace, const struct hp_episodes *eps,
                         const struct hp_info *info)
{
	const struct hp_skips *k = &eps->skipped;
	char name[16], e[HP_ESC_BUF];
	size_t i;

	fprintf(f, "trace:    %s (%s, %zu CPU%s halting, %.3f s)\n", hp_escape(trace, e, sizeof(e)),
	        eps->format ? eps->format : "?", info->ncpus, info->ncpus == 1 ? "" : "s",
	        (double)info->wall_ns / 1e9);
	fprintf(f, "wakeups:  %s\n", eps->assumption);
	{
		char w[512];

		if (hp_skips_warning(k, w, sizeof(w)))
			fprintf(f, "WARNING:  %s\n", w);
	}
	fprintf(f,
	        "skipped:  %" PRIu64 " idle enters without exit, %" PRIu64
	        " exits without enter, %" PRIu64 " haltpoll POLL-state periods (replayed), %" PRIu64
	        " other events, %" PRIu64 " unreadable records\n",
	        k->unpaired_enter, k->unpaired_exit, k->poll_states, k->other_events,
	        k->bad_records);
	fprintf(f,
	        "dropped:  %" PRIu64 " events lost by the recorder in %" PRIu64 " gaps, %" PRIu64
	        " halts open across a gap discarded\n",
	        k->dropped_events, k->drop_gaps, k->cut_by_gap);
	if (k->dropped_events || k->drop_gaps)
		fprintf(f, "warning:  the recorder lost events: figures near the gaps are "
		           "incomplete (record with a larger buffer, trace-cmd record -b)\n");
	if (k->idle_unseen_cpus)
		fprintf(f,
		        "warning:  %" PRIu64 " CPU%s switched to the idle task %" PRIu64
		        " times with no power:cpu_idle event: their halts are not in the capture "
		        "(only the CPUs below are replayed)\n",
		        k->idle_unseen_cpus, k->idle_unseen_cpus == 1 ? "" : "s",
		        k->idle_unseen_switches);
	fputc('\n', f);
	fprintf(f, "%-6s %9s %8s %10s %10s %10s %10s %10s %10s %10s %7s %7s %7s %7s\n", "cpu",
	        "halts", "idle", "idle_time", "min", "mean", "p50", "p90", "p99", "max", "ipi",
	        "irq", "timer", "unknown");
	for (i = 0; i < info->ncpus; i++) {
		snprintf(name, sizeof(name), "%u", info->cpus[i].cpu);
		row(f, name, &info->cpus[i]);
	}
	row(f, "total", &info->total);
	for (i = 0; i < info->ncpus; i++) {
		snprintf(name, sizeof(name), "%u", info->cpus[i].cpu);
		hist_text(f, name, &info->cpus[i]);
	}
}

static json_t *u64(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *cpu_json(const struct hp_info_cpu *s)
{
	json_t *o = json_object(), *h = json_object(), *hist = json_array(), *src = json_object();
	int i;

	if (s->cpu != UINT32_MAX)
		json_object_set_new(o, "cpu", u64(s->cpu));
	json_object_set_new(o, "halts", u64(s->halts));
	json_object_set_new(o, "idle_ns", u64(s->idle_ns));
	json_object_set_new(o, "idle_pct", json_real(s->idle_pct));
	json_object_set_new(h, "min", u64(s->min_ns));
	json_object_set_new(h, "mean", json_real(s->mean_ns));
	json_object_set_new(h, "p50", u64(s->p50_ns));
	json_object_set_new(h, "p90", u64(s->p90_ns));
	json_object_set_new(h, "p99", u64(s->p99_ns));
	json_object_set_new(h, "max", u64(s->max_ns));
	json_object_set_new(o, "halt_ns", h);
	for (i = 0; i < HP_INFO_HIST; i++)
		json_array_append_new(hist, u64(s->log2_hist[i]));
	json_object_set_new(o, "log2_hist", hist);
	for (i = 0; i < HP_SRC_COUNT; i++)
		json_object_set_new(src, hp_wake_source_name((uint32_t)i), u64(s->sources[i]));
	json_object_set_new(o, "sources", src);
	return o;
}

int hp_info_write_json(FILE *f, const char *trace, const struct hp_episodes *eps,
                       const struct hp_info *info, struct hp_err *err)
{
	json_t *root = json_object(), *tr = json_object(), *sk = json_object(),
	       *cpus = json_array();
	size_t i;
	int rc;

	json_object_set_new(tr, "path", json_string(trace));
	json_object_set_new(tr, "format", json_string(eps->format ? eps->format : ""));
	json_object_set_new(tr, "cpus", u64(info->ncpus));
	json_object_set_new(tr, "wall_ns", u64(info->wall_ns));
	json_object_set_new(tr, "wake_assumption", json_string(eps->assumption));
	json_object_set_new(sk, "unpaired_enter", u64(eps->skipped.unpaired_enter));
	json_object_set_new(sk, "unpaired_exit", u64(eps->skipped.unpaired_exit));
	json_object_set_new(sk, "poll_states", u64(eps->skipped.poll_states));
	json_object_set_new(sk, "other_events", u64(eps->skipped.other_events));
	json_object_set_new(sk, "bad_records", u64(eps->skipped.bad_records));
	json_object_set_new(sk, "bad_lines", u64(eps->skipped.bad_lines));
	json_object_set_new(sk, "dropped_events", u64(eps->skipped.dropped_events));
	json_object_set_new(sk, "drop_gaps", u64(eps->skipped.drop_gaps));
	json_object_set_new(sk, "cut_by_gap", u64(eps->skipped.cut_by_gap));
	json_object_set_new(sk, "idle_unseen_cpus", u64(eps->skipped.idle_unseen_cpus));
	json_object_set_new(sk, "idle_unseen_switches", u64(eps->skipped.idle_unseen_switches));
	json_object_set_new(sk, "recorded_events", u64(eps->skipped.recorded_events));
	json_object_set_new(sk, "unread_events", u64(eps->skipped.unread_events));
	json_object_set_new(sk, "truncated", json_boolean(eps->skipped.truncated));
	json_object_set_new(tr, "skipped", sk);
	{
		char w[512];

		if (hp_skips_warning(&eps->skipped, w, sizeof(w)))
			json_object_set_new(tr, "warning", json_string(w));
	}
	json_object_set_new(root, "trace", tr);
	for (i = 0; i < info->ncpus; i++)
		json_array_append_new(cpus, cpu_json(&info->cpus[i]));
	json_object_set_new(root, "cpus", cpus);
	json_object_set_new(root, "total", cpu_json(&info->total));
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc < 0 || fputc('\n', f) == EOF)
		return hp_errf(err, "writing JSON failed");
	return 0;
}
