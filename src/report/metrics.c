/* Accumulate the engine's outcomes into KVM-named statistics and latency distributions. */
#include <stdlib.h>
#include <string.h>

#include "hpsim/report.h"

static int fls64(uint64_t x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static void log_hist(uint64_t *h, uint64_t v)
{
	int i = fls64(v);

	h[i > HP_LOG_HIST - 1 ? HP_LOG_HIST - 1 : i]++;
}

/* The middle of a fine bucket (the value itself below 256 ns). */
static uint64_t fine_value(size_t i)
{
	size_t e, m;
	uint64_t lo, width;

	if (i < 256)
		return i;
	e = (i - 256) / HP_LAT_SUB + 8;
	m = (i - 256) % HP_LAT_SUB + HP_LAT_SUB;
	lo = (uint64_t)m << (e - 7);
	width = (uint64_t)1 << (e - 7);
	return lo + width / 2;
}

static int lat_init(struct hp_lat_dist *d)
{
	memset(d, 0, sizeof(*d));
	d->min = UINT64_MAX;
	d->fine = calloc(HP_LAT_BUCKETS, sizeof(*d->fine));
	return d->fine ? 0 : -1;
}

static void lat_add(struct hp_lat_dist *d, uint64_t v)
{
	hp_lat_dist_add_fine(d, v);
	log_hist(d->log2, v);
}

void hp_lat_dist_log2(struct hp_lat_dist *d)
{
	size_t i;

	memset(d->log2, 0, sizeof(d->log2));
	/* below 256 a bucket is its value; above, bucket i holds values of 2^e .. 2^(e+1)-1 */
	for (i = 0; i < 256; i++)
		d->log2[fls64(i)] += d->fine[i];
	for (i = 256; i < HP_LAT_BUCKETS; i++) {
		size_t b = (i - 256) / HP_LAT_SUB + 9; /* fls64 of 2^e, e = 8.. */

		d->log2[b > HP_LOG_HIST - 1 ? HP_LOG_HIST - 1 : b] += d->fine[i];
	}
}

uint64_t hp_lat_quantile(const struct hp_lat_dist *d, double q)
{
	uint64_t rank, seen = 0;
	size_t i;

	if (!d->count)
		return 0;
	if (q <= 0)
		return d->min;
	if (q >= 1)
		return d->max;
	/* nearest-rank: the smallest value with at least q of the samples at or below it */
	rank = (uint64_t)(q * (double)d->count);
	if ((double)rank < q * (double)d->count)
		rank++;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < HP_LAT_BUCKETS; i++) {
		seen += d->fine[i];
		if (seen >= rank) {
			uint64_t v = fine_value(i);

			return v < d->min ? d->min : v > d->max ? d->max : v;
		}
	}
	return d->max;
}

int hp_metrics_init(struct hp_metrics *m, uint32_t ncpu, uint64_t wall_ns, struct hp_err *err)
{
	uint32_t i;

	memset(m, 0, sizeof(*m));
	m->ncpu = ncpu;
	m->wall_ns = wall_ns;
	m->cpu = calloc(ncpu ? ncpu : 1, sizeof(*m->cpu));
	if (!m->cpu || lat_init(&m->total.latency) < 0 || lat_init(&m->stray.latency) < 0)
		goto oom;
	for (i = 0; i < ncpu; i++)
		if (lat_init(&m->cpu[i].latency) < 0)
			goto oom;
	return 0;
oom:
	hp_metrics_free(m);
	return hp_errf(err, "out of memory for the metrics of %u CPUs", ncpu);
}

int hp_metrics_init_run(struct hp_metrics *m, const struct hp_episodes *eps,
                        const struct hp_engine_config *cfg, struct hp_err *err)
{
	if (hp_metrics_init(m, eps->ncpu, eps->t_last_ns - eps->t_first_ns, err) < 0)
		return -1;
	m->t_first_ns = eps->t_first_ns;
	m->cost = cfg->cost;
	if (hp_host_idle_active(&cfg->idle))
		m->idle = cfg->idle.table;
	return 0;
}

void hp_metrics_free(struct hp_metrics *m)
{
	uint32_t i;

	if (m->cpu)
		for (i = 0; i < m->ncpu; i++)
			free(m->cpu[i].latency.fine);
	free(m->cpu);
	free(m->total.latency.fine);
	free(m->stray.latency.fine);
	memset(m, 0, sizeof(*m));
}

static void layer_add(struct hp_layer_stats *s, const struct hp_decision *d)
{
	s->halts++;
	if (d->outcome != HP_NO_POLL) {
		s->halt_attempted_poll++;
		if (d->outcome == HP_POLL_HIT) {
			s->halt_successful_poll++;
			s->halt_poll_invalid += !d->valid;
			s->halt_poll_success_ns += d->polled_ns;
			log_hist(s->halt_poll_success_hist, d->polled_ns);
		} else {
			s->halt_poll_fail_ns += d->polled_ns;
			log_hist(s->halt_poll_fail_hist, d->polled_ns);
		}
	}
	if (d->waited) {
		s->halt_wait_ns += d->wait_ns;
		log_hist(s->halt_wait_hist, d->wait_ns);
	}
	s->halt_wakeup += d->woke_sleeper;
	s->grows += d->adjust > 0;
	s->shrinks += d->adjust < 0;
}

/* Split the halt's span from the layers' own figures (see struct hp_time_split). */
static void split_time(struct hp_time_split *t, const struct hp_cost *c, const struct hp_outcome *o)
{
	const struct hp_decision *g = o->has[HP_LAYER_GUEST] ? &o->d[HP_LAYER_GUEST] : NULL;
	const struct hp_decision *h = o->has[HP_LAYER_VCORE]  ? &o->d[HP_LAYER_VCORE]
	                              : o->has[HP_LAYER_HOST] ? &o->d[HP_LAYER_HOST]
	                                                      : NULL;
	uint64_t span = o->resume_ns - o->enter_ns, gp = g ? g->polled_ns : 0, hp = 0, sl = 0,
	         tr = 0;

	if (o->split_given) {
		hp = o->split_host_poll_ns;
		sl = o->split_sleep_ns;
		tr = o->split_transition_ns;
	} else if (g && !g->waited) {
		/* the guest's poll saw the wakeup: no exit at all */
	} else if (o->pending_at_exit) {
		tr = c->hlt_exit_ns + c->vm_entry_ns + c->guest_wakeup_ns;
	} else {
		uint64_t host_enter = o->enter_ns + gp + c->hlt_exit_ns;

		tr = c->hlt_exit_ns + c->vm_entry_ns + c->guest_wakeup_ns;
		if (h) {
			hp = h->polled_ns;
			sl = h->wait_ns;
		} else if (o->wake_ns > host_enter) {
			sl = o->wake_ns + o->idle_exit_ns + c->host_wakeup_ns - host_enter;
		}
	}
	t->halted_ns += span;
	t->guest_poll_ns += gp;
	t->host_poll_ns += hp;
	t->sleep_ns += sl;
	t->transition_ns += tr;
	t->guest_poll_contended_ns += o->guest_poll_contended_ns;
	t->accounting_errors += gp + hp + sl + tr != span;
}

/*
 * One halt into c, and into layers which layers decided something. The
 * outcome was just written byte by byte: a load of several of its flag bytes
 * at once (what a loop over all of them compiled to) stalls on store
 * forwarding, so each flag is read alone, once.
 */
static void cpu_add(struct hp_cpu_metrics *c, uint8_t *layers, const struct hp_cost *cost,
                    const struct hp_outcome *o)
{
	int l;

	c->halts++;
	split_time(&c->time, cost, o);
	if (o->resume_ns > c->last_resume_ns)
		c->last_resume_ns = o->resume_ns;
	c->pending_at_exit += o->pending_at_exit;
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (o->has[l]) {
			layers[l] |= o->has[l];
			layer_add(&c->layer[l], &o->d[l]);
		}
	/* the log2 buckets follow from the fine ones, once, in hp_metrics_total() */
	hp_lat_dist_add_fine(&c->latency, o->latency_ns);
	if (o->idle_res_ns)
		hp_idle_metrics_add(&c->idle, o);
}

void hp_metrics_add(void *ctx, const struct hp_outcome *o)
{
	struct hp_metrics *m = ctx;

	/* the total is summed from the CPUs once, by hp_metrics_total() */
	cpu_add(o->ep->cpu < m->ncpu ? &m->cpu[o->ep->cpu] : &m->stray, m->layers,
	        o->cost ? o->cost : &m->cost, o);
}

static void hist_sum(uint64_t *a, const uint64_t *b)
{
	int i;

	for (i = 0; i < HP_LOG_HIST; i++)
		a[i] += b[i];
}

static void layer_sum(struct hp_layer_stats *a, const struct hp_layer_stats *b)
{
	a->halts += b->halts;
	a->halt_attempted_poll += b->halt_attempted_poll;
	a->halt_successful_poll += b->halt_successful_poll;
	a->halt_poll_invalid += b->halt_poll_invalid;
	a->halt_wakeup += b->halt_wakeup;
	a->halt_poll_success_ns += b->halt_poll_success_ns;
	a->halt_poll_fail_ns += b->halt_poll_fail_ns;
	a->halt_wait_ns += b->halt_wait_ns;
	hist_sum(a->halt_poll_success_hist, b->halt_poll_success_hist);
	hist_sum(a->halt_poll_fail_hist, b->halt_poll_fail_hist);
	hist_sum(a->halt_wait_hist, b->halt_wait_hist);
	a->grows += b->grows;
	a->shrinks += b->shrinks;
}

static void lat_sum(struct hp_lat_dist *a, const struct hp_lat_dist *b)
{
	size_t i;

	a->count += b->count;
	a->sum += b->sum;
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
	hist_sum(a->log2, b->log2);
	for (i = 0; i < HP_LAT_BUCKETS; i++)
		a->fine[i] += b->fine[i];
}

static void split_sum(struct hp_time_split *a, const struct hp_time_split *b)
{
	a->halted_ns += b->halted_ns;
	a->guest_poll_ns += b->guest_poll_ns;
	a->host_poll_ns += b->host_poll_ns;
	a->sleep_ns += b->sleep_ns;
	a->transition_ns += b->transition_ns;
	a->guest_poll_contended_ns += b->guest_poll_contended_ns;
	a->accounting_errors += b->accounting_errors;
}

static void cpu_sum(struct hp_cpu_metrics *a, const struct hp_cpu_metrics *b)
{
	int l;

	a->halts += b->halts;
	a->pending_at_exit += b->pending_at_exit;
	if (b->last_resume_ns > a->last_resume_ns)
		a->last_resume_ns = b->last_resume_ns;
	split_sum(&a->time, &b->time);
	for (l = 0; l < HP_LAYER_COUNT; l++)
		layer_sum(&a->layer[l], &b->layer[l]);
	lat_sum(&a->latency, &b->latency);
	hp_idle_metrics_sum(&a->idle, &b->idle);
}

void hp_metrics_total(struct hp_metrics *m)
{
	uint32_t *fine = m->total.latency.fine;
	uint32_t i;

	memset(&m->total, 0, sizeof(m->total));
	memset(fine, 0, HP_LAT_BUCKETS * sizeof(*fine));
	m->total.latency.fine = fine;
	m->total.latency.min = UINT64_MAX;
	for (i = 0; i < m->ncpu; i++)
		hp_lat_dist_log2(&m->cpu[i].latency);
	hp_lat_dist_log2(&m->stray.latency);
	for (i = 0; i < m->ncpu; i++)
		cpu_sum(&m->total, &m->cpu[i]);
	cpu_sum(&m->total, &m->stray);
}

uint64_t hp_cpu_busy_ns(const struct hp_metrics *m, const struct hp_cpu_metrics *c)
{
	uint64_t wall = m->wall_ns;

	if (c->last_resume_ns > m->t_first_ns + wall)
		wall = c->last_resume_ns - m->t_first_ns;
	return wall > c->time.halted_ns ? wall - c->time.halted_ns : 0;
}

uint64_t hp_layer_poll_ns(const struct hp_layer_stats *s)
{
	return s->halt_poll_success_ns + s->halt_poll_fail_ns;
}

double hp_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

void hp_summarize(const struct hp_metrics *m, int cpu, struct hp_summary *s)
{
	const struct hp_cpu_metrics *c = cpu >= 0 ? &m->cpu[cpu] : &m->total;
	uint32_t i;
	int l;

	memset(s, 0, sizeof(*s));
	if (cpu >= 0) {
		s->busy_ns = hp_cpu_busy_ns(m, c);
		s->time = c->time;
		s->wall_ns = s->busy_ns + c->time.halted_ns;
	} else {
		for (i = 0; i < m->ncpu; i++) {
			uint64_t busy = hp_cpu_busy_ns(m, &m->cpu[i]);

			s->busy_ns += busy;
			s->wall_ns += busy + m->cpu[i].time.halted_ns;
			split_sum(&s->time, &m->cpu[i].time);
		}
	}
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		s->poll_success_ns += c->layer[l].halt_poll_success_ns;
		s->poll_wasted_ns += c->layer[l].halt_poll_fail_ns;
	}
}

uint64_t hp_cpu_cost_ns(const struct hp_summary *s)
{
	return s->time.guest_poll_ns + s->time.host_poll_ns + s->time.transition_ns;
}

int hp_lat_dist_init(struct hp_lat_dist *d)
{
	return lat_init(d);
}

void hp_lat_dist_add(struct hp_lat_dist *d, uint64_t v)
{
	lat_add(d, v);
}

void hp_lat_dist_reset(struct hp_lat_dist *d)
{
	uint32_t *fine = d->fine;

	memset(fine, 0, HP_LAT_BUCKETS * sizeof(*fine));
	memset(d, 0, sizeof(*d));
	d->min = UINT64_MAX;
	d->fine = fine;
}
