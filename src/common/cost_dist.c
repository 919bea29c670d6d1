/*
 * Cost-model values as distributions: empirical (quantile points, inverse
 * CDF with linear interpolation) or log-normal (median and p99), drawn per
 * halt from a counter-based generator so that a draw depends only on what
 * it is for, never on the order the halts are replayed in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/cost.h"

/* The standard normal quantile at 0.99. */
#define Z99 2.3263478740408408

/* splitmix64's finalizer: a bijective mix of 64 bits. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/*
 * The standard normal quantile of u in (0, 1): a rational approximation
 * (Acklam's, relative error below 1.2e-9) of the central region and of
 * the two tails.
 */
static double probit(double u)
{
	static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
	                           -2.759285104469687e+02, 1.383577518672690e+02,
	                           -3.066479806614716e+01, 2.506628277459239e+00};
	static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
	                           -1.556989798598866e+02, 6.680131188771972e+01,
	                           -1.328068155288572e+01};
	static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
	                           -2.400758277161838e+00, -2.549732539343734e+00,
	                           4.374664141464968e+00,  2.938163982698783e+00};
	static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
	                           2.445134137142996e+00, 3.754408661907416e+00};
	double q, r;

	if (u < 0.02425) {
		q = sqrt(-2 * log(u));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	if (u > 1 - 0.02425) {
		q = sqrt(-2 * log(1 - u));
		return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	q = u - 0.5;
	r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

static uint64_t clamp_ns(double x)
{
	if (!(x > 0))
		return 0;
	if (x >= (double)HP_COST_MAX_NS)
		return HP_COST_MAX_NS;
	return (uint64_t)llround(x);
}

/* A log-normal d's value at u in [0, 1) before rounding (d->sigma > 0). */
static double lognormal_raw(const struct hp_cost_dist *d, double u)
{
	/* u is in [0, 1): keep the normal quantile finite at 0 */
	return exp(d->mu + d->sigma * probit(u > 0 ? u : 0x1p-54));
}

uint64_t hp_cost_dist_value(const struct hp_cost_dist *d, double u)
{
	uint32_t lo = 0, hi;

	if (d->kind == HP_COST_LOGNORMAL) {
		if (d->sigma == 0)
			return clamp_ns(d->median_ns);
		return clamp_ns(lognormal_raw(d, u));
	}
	/* the last point with p <= u; points are few, a binary search keeps it short */
	hi = d->n - 1;
	while (hi - lo > 1) {
		uint32_t mid = (lo + hi) / 2;

		if (d->p[mid] <= u)
			lo = mid;
		else
			hi = mid;
	}
	return clamp_ns(d->ns[lo] +
	                (d->ns[hi] - d->ns[lo]) * (u - d->p[lo]) / (d->p[hi] - d->p[lo]));
}

/* The seed's part of every draw's random bits. */
static uint64_t seed_mix(const struct hp_cost *model)
{
	return mix(model->seed ^ 0x6a09e667f3bcc909ull);
}

/* The 53 random bits of field i's draw for a halt, from cpu_part = mix(seed ^ cpu). */
static uint64_t draw_bits(uint64_t cpu_part, uint64_t halt, size_t i)
{
	return mix(mix(cpu_part ^ halt) ^ (i + 1)) >> 11;
}

void hp_cost_draw(const struct hp_cost *model, struct hp_cost *out, uint32_t cpu, uint64_t halt)
{
	const struct hp_cost_field *f;
	uint64_t cpu_part = mix(seed_mix(model) ^ cpu);
	size_t i, n;

	f = hp_cost_fields(&n);
	for (i = 0; i < n; i++) {
		double u;

		if (!(model->varying & (1u << i)))
			continue;
		u = (double)draw_bits(cpu_part, halt, i) * 0x1p-53;
		*(uint64_t *)((char *)out + f[i].offset) = hp_cost_dist_value(&model->dist[i], u);
	}
}

/*
 * The sampler's slices: the top HP_SLICE_BITS of a draw's 53 bits. A slice
 * entry is SLICE_NEW (never drawn), SLICE_ONCE (drawn once), SLICE_MIXED
 * (its draws round to different values) or a value + SLICE_VALUE.
 */
#define HP_SLICE_BITS 16
#define SLICE_SHIFT   (53 - HP_SLICE_BITS)
enum { SLICE_NEW = 0, SLICE_ONCE, SLICE_MIXED, SLICE_VALUE };

/*
 * Does every u of slice k of log-normal d round to one value; which? Its
 * values lie between those at the slice's ends, up to the approximation
 * error of probit() (relative 1.2e-9 of the normal quantile, below 1e-7 of
 * the value for any sigma that a median and p99 within HP_COST_MAX_NS give)
 * and rounding: with a margin of 1e-6 of the value on both sides, one
 * value at both ends is the value of the whole slice.
 */
static uint32_t slice_value(const struct hp_cost_dist *d, uint64_t k)
{
	uint64_t first = k << SLICE_SHIFT, last = first | ((1ull << SLICE_SHIFT) - 1);
	double lo = lognormal_raw(d, (double)first * 0x1p-53);
	double hi = lognormal_raw(d, (double)last * 0x1p-53);
	uint64_t a = clamp_ns(lo - lo * 1e-6), b = clamp_ns(hi + hi * 1e-6);

	return a == b ? (uint32_t)a + SLICE_VALUE : SLICE_MIXED;
}

int hp_cost_sampler_init(struct hp_cost_sampler *s, const struct hp_cost *model, struct hp_err *err)
{
	const struct hp_cost_field *f;
	size_t i, n;

	memset(s, 0, sizeof(*s));
	s->model = model;
	s->seed = seed_mix(model);
	f = hp_cost_fields(&n);
	for (i = 0; i < n && i < HP_COST_NFIELDS; i++) {
		const struct hp_cost_dist *d = &model->dist[i];

		s->offset[i] = f[i].offset;
		if (!(model->varying & (1u << i)) || d->kind != HP_COST_LOGNORMAL || d->sigma == 0)
			continue;
		s->slice[i] = calloc((size_t)1 << HP_SLICE_BITS, sizeof(*s->slice[i]));
		if (!s->slice[i]) {
			hp_cost_sampler_free(s);
			return hp_errf(err, "out of memory for the cost draws");
		}
	}
	return 0;
}

void hp_cost_sampler_draw(struct hp_cost_sampler *s, struct hp_cost *out, uint32_t cpu,
                          uint64_t halt)
{
	const struct hp_cost *model = s->model;
	uint32_t varying = model->varying;
	size_t i;

	if (!s->cpu_valid || s->cpu != cpu) {
		s->cpu = cpu;
		s->cpu_part = mix(s->seed ^ cpu);
		s->cpu_valid = 1;
	}
	for (i = 0; i < HP_COST_NFIELDS && varying >> i; i++) {
		uint64_t bits, v;
		uint32_t *e;

		if (!(varying & (1u << i)))
			continue;
		bits = draw_bits(s->cpu_part, halt, i);
		e = s->slice[i] ? &s->slice[i][bits >> SLICE_SHIFT] : NULL;
		if (e && *e >= SLICE_VALUE) {
			v = *e - SLICE_VALUE;
		} else {
			v = hp_cost_dist_value(&model->dist[i], (double)bits * 0x1p-53);
			/* a slice is looked at on its second draw: one-off draws cost one value
			 * each */
			if (e && *e == SLICE_NEW)
				*e = SLICE_ONCE;
			else if (e && *e == SLICE_ONCE)
				*e = slice_value(&model->dist[i], bits >> SLICE_SHIFT);
		}
		*(uint64_t *)((char *)out + s->offset[i]) = v;
	}
}

void hp_cost_sampler_free(struct hp_cost_sampler *s)
{
	size_t i;

	for (i = 0; i < HP_COST_NFIELDS; i++)
		free(s->slice[i]);
	memset(s, 0, sizeof(*s));
}

int hp_cost_set_lognormal(struct hp_cost *c, size_t i, double median_ns, double p99_ns,
                          struct hp_err *err)
{
	const struct hp_cost_field *f;
	struct hp_cost_dist *d = &c->dist[i];
	size_t n;

	f = hp_cost_fields(&n);
	if (!(median_ns > 0 && median_ns <= (double)HP_COST_MAX_NS))
		return hp_errf(err, "cost %s: lognormal median must be in 1..%llu (ns)", f[i].name,
		               HP_COST_MAX_NS);
	if (!(p99_ns >= median_ns && p99_ns <= (double)HP_COST_MAX_NS))
		return hp_errf(err, "cost %s: lognormal p99 must be in median..%llu (ns)",
		               f[i].name, HP_COST_MAX_NS);
	d->kind = HP_COST_LOGNORMAL;
	d->n = 0;
	d->samples = 0;
	d->median_ns = median_ns;
	d->p99_ns = p99_ns;
	d->mu = log(median_ns);
	d->sigma = (log(p99_ns) - d->mu) / Z99;
	c->varying |= 1u << i;
	*(uint64_t *)((char *)c + f[i].offset) = clamp_ns(median_ns);
	return 0;
}

int hp_cost_set_quantiles(struct hp_cost *c, size_t i, const double *p, const double *ns, size_t n,
                          uint64_t samples, struct hp_err *err)
{
	const struct hp_cost_field *f;
	struct hp_cost_dist *d = &c->dist[i];
	size_t k, nf;

	f = hp_cost_fields(&nf);
	if (n < 2 || n > HP_COST_MAX_POINTS)
		return hp_errf(err, "cost %s: quantiles need 2..%d [P, NS] points, not %zu",
		               f[i].name, HP_COST_MAX_POINTS, n);
	if (p[0] != 0.0 || p[n - 1] != 1.0)
		return hp_errf(err, "cost %s: quantiles must run from P 0.0 to P 1.0", f[i].name);
	for (k = 0; k < n; k++) {
		if (!(ns[k] >= 0 && ns[k] <= (double)HP_COST_MAX_NS))
			return hp_errf(err, "cost %s: quantile point %zu: NS must be in 0..%llu",
			               f[i].name, k + 1, HP_COST_MAX_NS);
		if (k && !(p[k] > p[k - 1]))
			return hp_errf(err,
			               "cost %s: quantile point %zu: P must increase strictly "
			               "(%g after %g)",
			               f[i].name, k + 1, p[k], p[k - 1]);
		if (k && ns[k] < ns[k - 1])
			return hp_errf(
			    err,
			    "cost %s: quantile point %zu: NS must not decrease (%g after "
			    "%g)",
			    f[i].name, k + 1, ns[k], ns[k - 1]);
	}
	d->kind = HP_COST_QUANTILES;
	d->n = (uint32_t)n;
	d->samples = samples;
	for (k = 0; k < n; k++) {
		d->p[k] = p[k];
		d->ns[k] = ns[k];
	}
	c->varying |= 1u << i;
	*(uint64_t *)((char *)c + f[i].offset) = hp_cost_dist_value(d, 0.5);
	return 0;
}

const char *hp_cost_describe(const struct hp_cost *c, size_t i, char *buf, size_t size)
{
	const struct hp_cost_dist *d = &c->dist[i];
	const struct hp_cost_field *f;
	size_t n;

	f = hp_cost_fields(&n);
	if (!(c->varying & (1u << i)))
		snprintf(buf, size, "%llu", (unsigned long long)hp_cost_get(c, &f[i]));
	else if (d->kind == HP_COST_LOGNORMAL)
		snprintf(buf, size, "lognormal(median %.0f, p99 %.0f)", d->median_ns, d->p99_ns);
	else
		snprintf(buf, size, "quantiles(%u points, p50 %llu, p99 %llu)", d->n,
		         (unsigned long long)hp_cost_dist_value(d, 0.5),
		         (unsigned long long)hp_cost_dist_value(d, 0.99));
	return buf;
}

char *hp_cost_text(const struct hp_cost *c, size_t i)
{
	const struct hp_cost_dist *d = &c->dist[i];
	const struct hp_cost_field *f;
	size_t n, k, len, size = 64 + (size_t)d->n * 52;
	char *buf = malloc(size);

	if (!buf)
		return NULL;
	f = hp_cost_fields(&n);
	if (!(c->varying & (1u << i))) {
		snprintf(buf, size, "%llu", (unsigned long long)hp_cost_get(c, &f[i]));
	} else if (d->kind == HP_COST_LOGNORMAL) {
		snprintf(buf, size, "lognormal:%.17g:%.17g", d->median_ns, d->p99_ns);
	} else {
		len = (size_t)snprintf(buf, size, "quantiles:");
		for (k = 0; k < d->n; k++)
			len += (size_t)snprintf(buf + len, size - len, "%s%.17g:%.17g",
			                        k ? "," : "", d->p[k], d->ns[k]);
	}
	return buf;
}
