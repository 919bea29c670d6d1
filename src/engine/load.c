/*
 * Host load models: a competitor task on every host CPU, runnable a given
 * fraction of the time, as poisson bursts (exponential busy and idle times)
 * or a periodic duty cycle. Deterministic for a seed.
 */
#include <math.h>

#include "hpsim/engine.h"

/* splitmix64: small, fast, good enough for arrival times. */
static uint64_t next_u64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A duration in ns from a double: at least 1, at most HP_TIME_MAX_NS (no overflowing cast). */
static uint64_t duration(double v)
{
	return v < 1 ? 1 : v >= (double)HP_TIME_MAX_NS ? HP_TIME_MAX_NS : (uint64_t)v;
}

/* An exponential variate with the given mean, in ns (1 .. HP_TIME_MAX_NS). */
static uint64_t exponential(uint64_t *s, double mean)
{
	double u = ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;

	return duration(-log(u) * mean);
}

int hp_load_apply(struct hp_episodes *eps, const struct hp_load_model *lm, struct hp_err *err)
{
	uint64_t t0 = eps->t_first_ns, t1 = eps->t_last_ns, idle_mean;
	uint32_t cpu;

	if (!(lm->fraction >= 0 && lm->fraction <= 1))
		return hp_errf(err, "host load %g is not a fraction between 0 and 1", lm->fraction);
	if (lm->fraction == 0)
		return 0;
	if (lm->burst_ns == 0 || lm->burst_ns > HP_TIME_MAX_NS)
		return hp_errf(err, "host load burst must be 1 to %llu ns",
		               (unsigned long long)HP_TIME_MAX_NS);
	/* with every time, burst and idle time at most 2^62, t + burst + idle cannot wrap */
	if (t1 > HP_TIME_MAX_NS)
		return hp_errf(err,
		               "the capture ends at %llu ns, past the %llu ns the engine replays",
		               (unsigned long long)t1, (unsigned long long)HP_TIME_MAX_NS);
	idle_mean = duration((double)lm->burst_ns * (1 - lm->fraction) / lm->fraction);
	for (cpu = 0; cpu < eps->ncpu; cpu++) {
		uint64_t s = lm->seed * 1000003 + cpu, t = t0;

		if (lm->fraction == 1) {
			struct hp_busy b = {.start_ns = t0, .end_ns = UINT64_MAX / 2, .cpu = cpu};

			if (hp_episodes_push_busy(eps, &b, err) < 0)
				return -1;
			continue;
		}
		if (lm->kind == HP_LOAD_POISSON)
			t += exponential(&s, (double)idle_mean);
		else
			t += next_u64(&s) % (lm->burst_ns + idle_mean); /* a random phase */
		while (t < t1) {
			uint64_t busy = lm->kind == HP_LOAD_POISSON
			                    ? exponential(&s, (double)lm->burst_ns)
			                    : lm->burst_ns;
			struct hp_busy b = {.start_ns = t, .end_ns = t + busy, .cpu = cpu};

			if (hp_episodes_push_busy(eps, &b, err) < 0)
				return -1;
			t +=
			    busy + (lm->kind == HP_LOAD_POISSON ? exponential(&s, (double)idle_mean)
			                                        : idle_mean);
		}
	}
	/* the episodes are sorted already, and may be streamed rather than held (n 0) */
	hp_episodes_sort_busy(eps);
	return 0;
}
