/*
 * Synthetic episodes. Each CPU alternates between running (busy_us) and a
 * halt that ends when the kind's next wakeup arrives. Randomness comes from a
 * xoshiro256** generator seeded with splitmix64 from --seed, passed down
 * explicitly; CPUs are generated one after the other from the same stream.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/gen.h"

#define MAX_EPISODES 100000000ull

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [-a, a]. */
static double rng_sym(struct rng *r, double a)
{
	return a * (2 * rng_unit(r) - 1);
}

/* Exponential with the given mean. */
static double rng_exp(struct rng *r, double mean)
{
	return -mean * log1p(-rng_unit(r));
}

enum pid {
	P_SEED,
	P_CPUS,
	P_DURATION,
	P_COUNT,
	P_BUSY_US,
	P_HZ,
	P_PERIOD_US,
	P_JITTER_US,
	P_RATE,
	P_SHORT_US,
	P_LONG_US,
	P_MIX,
	P_SPREAD,
	P_ON_MS,
	P_OFF_MS,
	P_RTT_US,
	P_THINK_US,
	P_NUM
};

struct pdef {
	const char *name;
	double def, min, max;
	const char *help;
};

static const struct pdef pdefs[P_NUM] = {
    [P_SEED] = {"seed", 1, 0, 9007199254740992.0, "PRNG seed, an integer (default 1)"},
    [P_CPUS] = {"cpus", 1, 1, 4096,
                "CPUs (default 1; pingpong: an even number, default 2, paired 0-1, 2-3, ...)"},
    [P_DURATION] = {"duration", 1e9, 1, 1e15,
                    "length of the trace: NUMBER[ns|us|ms|s] (default 1s); or --count"},
    [P_COUNT] = {"count", 0, 1, 1e8, "halts per CPU (pingpong: round trips) instead of a duration"},
    [P_BUSY_US] = {"busy-us", 10, 0, 1e9,
                   "run time between a wakeup and the next halt (default 10; pingpong 2)"},
    [P_HZ] = {"hz", 0, 1e-3, 1e9, "tick rate, instead of --period-us"},
    [P_PERIOD_US] = {"period-us", 1000, 1e-3, 1e12, "tick period"},
    [P_JITTER_US] = {"jitter-us", 0, 0, 1e12, "uniform jitter +- of each wakeup"},
    [P_RATE] = {"rate", 1000, 1e-6, 1e9, "wakeup arrivals per second"},
    [P_SHORT_US] = {"short-us", 20, 1e-3, 1e12, "short halt mode"},
    [P_LONG_US] = {"long-us", 2000, 1e-3, 1e12, "long halt mode"},
    [P_MIX] = {"mix", 0.8, 0, 1, "fraction of halts in the short mode"},
    [P_SPREAD] = {"spread", 0.1, 0, 0.99, "each halt is its mode times 1 +- spread (uniform)"},
    [P_ON_MS] = {"on-ms", 10, 1e-6, 1e9, "length of a burst (wakeups arrive at --rate)"},
    [P_OFF_MS] = {"off-ms", 40, 0, 1e9, "quiet time between bursts (no wakeups)"},
    [P_RTT_US] = {"rtt-us", 20, 1e-3, 1e12,
                  "round trip: send to the next send, both sides' busy-us included"},
    [P_THINK_US] = {"think-us", 0, 0, 1e12, "extra time the responder works before replying"},
};

struct cfg {
	double v[P_NUM];
	int given[P_NUM];
	uint64_t limit_ns; /* with count == 0 */
	uint64_t count;
};

struct kind {
	const char *name;
	const char *desc;
	const enum pid *params; /* P_NUM-terminated, after the common ones */
	int (*run)(const struct cfg *c, struct rng *r, struct hp_episodes *out, struct hp_err *err);
};

static int push(struct hp_episodes *out, uint32_t cpu, double start, double wake, uint32_t src,
                int32_t src_cpu, struct hp_err *err)
{
	struct hp_episode e = {.cpu = cpu, .source_cpu = src_cpu, .source = src};

	/* llround() has no value beyond long long: every such time came out as 2^63 */
	if (!(start < 0x1p63) || !(wake < 0x1p63))
		return hp_errf(err,
		               "halt %zu ends past 2^63 ns (292 years); fewer halts (--count) or "
		               "shorter ones",
		               out->n);
	e.halt_start_ns = (uint64_t)llround(start);
	e.wake_ns = (uint64_t)llround(wake);
	if (out->n >= MAX_EPISODES)
		return hp_errf(err, "more than %llu halts; shorten --duration", MAX_EPISODES);
	if (e.wake_ns < e.halt_start_ns)
		e.wake_ns = e.halt_start_ns;
	if (e.wake_ns > out->t_last_ns)
		out->t_last_ns = e.wake_ns;
	return hp_episodes_push(out, &e, err);
}

/* Does halt number k (0-based) of a CPU, waking at wake_ns, belong in the trace? */
static int more(const struct cfg *c, uint64_t k, double wake_ns)
{
	return c->count ? k < c->count : wake_ns <= (double)c->limit_ns;
}

static int run_periodic(const struct cfg *c, struct rng *r, struct hp_episodes *out,
                        struct hp_err *err)
{
	double period = c->given[P_HZ] ? 1e9 / c->v[P_HZ] : c->v[P_PERIOD_US] * 1e3;
	double jitter = c->v[P_JITTER_US] * 1e3, busy = c->v[P_BUSY_US] * 1e3;
	uint32_t cpu;

	if (c->given[P_HZ] && c->given[P_PERIOD_US])
		return hp_errf(err, "periodic: give --hz or --period-us, not both");
	if (2 * jitter >= period)
		return hp_errf(err,
		               "periodic: --jitter-us must be less than half the period "
		               "(%.3f us)",
		               period / 1e3);
	for (cpu = 0; cpu < (uint32_t)c->v[P_CPUS]; cpu++) {
		double phase = rng_unit(r) * period, start = busy, wake;
		uint64_t k = 0, tick = 1;

		for (;; tick++) {
			wake = phase + (double)tick * period + rng_sym(r, jitter);
			if (wake <= start) {
				/* the tick came while the CPU was still running. When many more
				 * did (a busy time of many periods), go to the last tick that
				 * came before start whatever its jitter: one draw per tick
				 * would take as many steps as ticks */
				double surely = floor((start - jitter - phase) / period);

				if (surely > (double)tick + 64)
					tick = (uint64_t)surely;
				continue;
			}
			if (!more(c, k, wake))
				break;
			if (push(out, cpu, start, wake, HP_SRC_TIMER, -1, err) < 0)
				return -1;
			k++;
			start = wake + busy;
		}
	}
	return 0;
}

/* Halts whose lengths come from len(); wakeups from a source of the given kind. */
static int run_lengths(const struct cfg *c, struct rng *r, struct hp_episodes *out,
                       double (*len)(const struct cfg *, struct rng *), struct hp_err *err)
{
	double busy = c->v[P_BUSY_US] * 1e3;
	uint32_t cpu;

	for (cpu = 0; cpu < (uint32_t)c->v[P_CPUS]; cpu++) {
		double start = busy, wake;
		uint64_t k;

		for (k = 0;; k++) {
			wake = start + len(c, r);
			if (!more(c, k, wake))
				break;
			if (push(out, cpu, start, wake, HP_SRC_IRQ, -1, err) < 0)
				return -1;
			start = wake + busy;
		}
	}
	return 0;
}

static double poisson_len(const struct cfg *c, struct rng *r)
{
	return rng_exp(r, 1e9 / c->v[P_RATE]);
}

static double bimodal_len(const struct cfg *c, struct rng *r)
{
	double mode = rng_unit(r) < c->v[P_MIX] ? c->v[P_SHORT_US] : c->v[P_LONG_US];

	return mode * 1e3 * (1 + rng_sym(r, c->v[P_SPREAD]));
}

static int run_poisson(const struct cfg *c, struct rng *r, struct hp_episodes *out,
                       struct hp_err *err)
{
	return run_lengths(c, r, out, poisson_len, err);
}

static int run_bimodal(const struct cfg *c, struct rng *r, struct hp_episodes *out,
                       struct hp_err *err)
{
	return run_lengths(c, r, out, bimodal_len, err);
}

/*
 * Bursty: time is cycles of on-ms (arrivals at --rate, a Poisson process) then
 * off-ms (none). Arrivals are drawn in "on time" (the on windows laid end to
 * end) and mapped back to wall time.
 */
static int run_bursty(const struct cfg *c, struct rng *r, struct hp_episodes *out,
                      struct hp_err *err)
{
	double on = c->v[P_ON_MS] * 1e6, cycle = on + c->v[P_OFF_MS] * 1e6;
	double busy = c->v[P_BUSY_US] * 1e3, mean = 1e9 / c->v[P_RATE];
	uint32_t cpu;

	for (cpu = 0; cpu < (uint32_t)c->v[P_CPUS]; cpu++) {
		double start = busy, wake, u, n, phase = rng_unit(r) * cycle;
		uint64_t k;

		for (k = 0;; k++) {
			/* on-time elapsed at wall time `start` (cycles start at -phase) */
			double t = start + phase, cyc = floor(t / cycle);

			u = cyc * on + fmin(t - cyc * cycle, on);
			u += rng_exp(r, mean);
			n = floor(u / on);
			wake = n * cycle + (u - n * on) - phase;
			if (wake < start)
				wake = start;
			if (!more(c, k, wake))
				break;
			if (push(out, cpu, start, wake, HP_SRC_IRQ, -1, err) < 0)
				return -1;
			start = wake + busy;
		}
	}
	return 0;
}

/*
 * Ping-pong between CPUs 2p and 2p+1: A sends and halts; B wakes by IPI from
 * A after the one-way delay d, works busy + think, sends and halts; A wakes by
 * IPI from B after d, works busy, sends again. rtt = 2 d + 2 busy.
 */
static int run_pingpong(const struct cfg *c, struct rng *r, struct hp_episodes *out,
                        struct hp_err *err)
{
	double busy = c->v[P_BUSY_US] * 1e3, think = c->v[P_THINK_US] * 1e3;
	double d = c->v[P_RTT_US] * 1e3 / 2 - busy, jitter = c->v[P_JITTER_US] * 1e3;
	uint32_t ncpu = (uint32_t)c->v[P_CPUS], a;

	if (ncpu % 2)
		return hp_errf(err, "pingpong: --cpus must be even (CPUs are paired), not %u",
		               ncpu);
	if (d <= 0)
		return hp_errf(err,
		               "pingpong: --rtt-us (%g) must be more than twice --busy-us (%g)",
		               c->v[P_RTT_US], c->v[P_BUSY_US]);
	if (jitter >= d)
		return hp_errf(err,
		               "pingpong: --jitter-us must be less than the one-way delay "
		               "(%g us)",
		               d / 1e3);
	for (a = 0; a < ncpu; a += 2) {
		double ta = busy, tb = 0, wb, wa;
		uint64_t k;

		for (k = 0;; k++) {
			wb = ta + d + rng_sym(r, jitter);
			wa = wb + busy + think + d + rng_sym(r, jitter);
			if (!more(c, k, wa))
				break;
			if (push(out, a + 1, tb, wb, HP_SRC_IPI, (int32_t)a, err) < 0 ||
			    push(out, a, ta, wa, HP_SRC_IPI, (int32_t)(a + 1), err) < 0)
				return -1;
			tb = wb + busy + think;
			ta = wa + busy;
		}
	}
	return 0;
}

static const enum pid common[] = {P_SEED, P_CPUS, P_DURATION, P_COUNT, P_BUSY_US, P_NUM};
static const enum pid periodic_p[] = {P_HZ, P_PERIOD_US, P_JITTER_US, P_NUM};
static const enum pid poisson_p[] = {P_RATE, P_NUM};
static const enum pid bimodal_p[] = {P_SHORT_US, P_LONG_US, P_MIX, P_SPREAD, P_NUM};
static const enum pid bursty_p[] = {P_RATE, P_ON_MS, P_OFF_MS, P_NUM};
static const enum pid pingpong_p[] = {P_RTT_US, P_THINK_US, P_JITTER_US, P_NUM};

static const struct kind kinds[] = {
    {"periodic", "a timer tick: wakeups every period, +- jitter (source timer)", periodic_p,
     run_periodic},
    {"poisson", "wakeups arriving at random at --rate per second (source irq)", poisson_p,
     run_poisson},
    {"bimodal", "halts of two typical lengths mixed at random (source irq)", bimodal_p,
     run_bimodal},
    {"bursty", "bursts of random wakeups at --rate separated by quiet periods (source irq)",
     bursty_p, run_bursty},
    {"pingpong", "CPU pairs waking each other by IPI with a given round trip", pingpong_p,
     run_pingpong},
};

#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void list_params(const struct kind *k, char *buf, size_t len)
{
	const enum pid *lists[2] = {common, k->params};
	size_t used = 0;
	int i, j;

	buf[0] = '\0';
	for (i = 0; i < 2; i++)
		for (j = 0; lists[i][j] != P_NUM && used < len; j++)
			used += (size_t)snprintf(buf + used, len - used, "%s--%s", used ? ", " : "",
			                         pdefs[lists[i][j]].name);
}

void hp_gen_describe(FILE *f)
{
	size_t i;
	int j;

	fprintf(f, "parameters of every kind:\n");
	for (j = 0; common[j] != P_NUM; j++)
		fprintf(f, "  --%-12s %s\n", pdefs[common[j]].name, pdefs[common[j]].help);
	for (i = 0; i < NKINDS; i++) {
		const enum pid *ps = kinds[i].params;

		fprintf(f, "\n%s: %s\n", kinds[i].name, kinds[i].desc);
		for (j = 0; ps[j] != P_NUM; j++)
			if (pdefs[ps[j]].def < pdefs[ps[j]].min) /* no default: an alternative */
				fprintf(f, "  --%-12s %s\n", pdefs[ps[j]].name, pdefs[ps[j]].help);
			else
				fprintf(f, "  --%-12s %s (default %g)\n", pdefs[ps[j]].name,
				        pdefs[ps[j]].help, pdefs[ps[j]].def);
	}
}

static int allowed(const struct kind *k, enum pid p)
{
	int j;

	for (j = 0; common[j] != P_NUM; j++)
		if (common[j] == p)
			return 1;
	for (j = 0; k->params[j] != P_NUM; j++)
		if (k->params[j] == p)
			return 1;
	return 0;
}

/* NUMBER with an optional unit suffix, into nanoseconds. */
static int parse_duration(const char *s, double *ns)
{
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"", 1e9}};
	char *end;
	size_t i;
	double v = strtod(s, &end);

	if (end == s)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (!strcmp(end, units[i].suffix)) {
			*ns = v * units[i].mult;
			return 0;
		}
	}
	return -1;
}

static int parse_params(const struct kind *k, const struct hp_gen_param *params, size_t n,
                        struct cfg *c, struct hp_err *err)
{
	char valid[512];
	size_t i;
	int p;

	memset(c, 0, sizeof(*c));
	for (p = 0; p < P_NUM; p++)
		c->v[p] = pdefs[p].def;
	if (!strcmp(k->name, "pingpong")) {
		c->v[P_CPUS] = 2;
		c->v[P_BUSY_US] = 2;
	}
	for (i = 0; i < n; i++) {
		const char *val = params[i].value;
		char *end;
		double v;

		for (p = 0; p < P_NUM; p++)
			if (!strcmp(params[i].name, pdefs[p].name))
				break;
		if (p == P_NUM || !allowed(k, (enum pid)p)) {
			list_params(k, valid, sizeof(valid));
			return hp_errf(err, "%s: unknown parameter --%s; valid: %s", k->name,
			               params[i].name, valid);
		}
		if (p == P_DURATION) {
			if (parse_duration(val, &v) < 0)
				return hp_errf(err, "%s: --duration '%s' is not NUMBER[ns|us|ms|s]",
				               k->name, val);
		} else {
			v = strtod(val, &end);
			if (end == val || *end)
				return hp_errf(err, "%s: --%s '%s' is not a number", k->name,
				               pdefs[p].name, val);
		}
		if (!(v >= pdefs[p].min && v <= pdefs[p].max))
			return hp_errf(err, "%s: --%s %s is outside %g..%g", k->name, pdefs[p].name,
			               val, pdefs[p].min, pdefs[p].max);
		if ((p == P_SEED || p == P_CPUS || p == P_COUNT) && v != floor(v))
			return hp_errf(err, "%s: --%s %s is not an integer", k->name, pdefs[p].name,
			               val);
		c->v[p] = v;
		c->given[p] = 1;
	}
	if (c->given[P_DURATION] && c->given[P_COUNT])
		return hp_errf(err, "%s: give --duration or --count, not both", k->name);
	c->count = (uint64_t)c->v[P_COUNT];
	c->limit_ns = (uint64_t)c->v[P_DURATION];
	return 0;
}

/*
 * About how many halts a --duration run makes (all CPUs): the kind's wakeup
 * rate, at most one halt per busy-us, times the duration. Checked before
 * generating, so that an impossible request is refused with its size at once.
 */
static double estimate_halts(const char *kind, const struct cfg *c)
{
	const double *v = c->v;
	double rate; /* halts per second per CPU */

	if (!strcmp(kind, "periodic"))
		rate = c->given[P_HZ] ? v[P_HZ] : 1e6 / v[P_PERIOD_US];
	else if (!strcmp(kind, "poisson"))
		rate = v[P_RATE];
	else if (!strcmp(kind, "bursty"))
		rate = v[P_RATE] * v[P_ON_MS] / (v[P_ON_MS] + v[P_OFF_MS]);
	else if (!strcmp(kind, "bimodal"))
		rate =
		    1e6 / (v[P_MIX] * v[P_SHORT_US] + (1 - v[P_MIX]) * v[P_LONG_US] + v[P_BUSY_US]);
	else
		rate = 1e6 / v[P_RTT_US];
	if (v[P_BUSY_US] > 0 && rate > 1e6 / v[P_BUSY_US])
		rate = 1e6 / v[P_BUSY_US];
	return rate * (double)c->limit_ns / 1e9 * v[P_CPUS];
}

int hp_gen_run(const char *kind, const struct hp_gen_param *params, size_t nparams,
               struct hp_episodes *out, struct hp_err *err)
{
	const struct kind *k = NULL;
	struct cfg c;
	struct rng r;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < NKINDS; i++)
		if (!strcmp(kind, kinds[i].name))
			k = &kinds[i];
	if (!k)
		return hp_errf(err,
		               "unknown generator '%s'; valid: periodic, poisson, bimodal, bursty, "
		               "pingpong",
		               kind);
	if (parse_params(k, params, nparams, &c, err) < 0)
		return -1;
	if (c.count && c.count * (uint64_t)c.v[P_CPUS] > MAX_EPISODES)
		return hp_errf(err, "%s: --count times --cpus exceeds %llu halts", kind,
		               MAX_EPISODES);
	if (!c.count && estimate_halts(kind, &c) >= (double)MAX_EPISODES) {
		double h = estimate_halts(kind, &c);

		return hp_errf(
		    err,
		    "%s: about %.3g halts (%.3g GB of memory) in --duration; a generator "
		    "makes fewer than %llu (%.1f GB): shorten --duration or lower the rate",
		    kind, h, h * (double)sizeof(struct hp_episode) / 1e9, MAX_EPISODES,
		    (double)MAX_EPISODES * (double)sizeof(struct hp_episode) / 1e9);
	}
	rng_seed(&r, (uint64_t)c.v[P_SEED]);
	if (k->run(&c, &r, out, err) < 0) {
		hp_episodes_free(out);
		return -1;
	}
	if (out->n == 0) {
		hp_episodes_free(out);
		return hp_errf(err, "%s: no halt fits in the duration; lengthen --duration", kind);
	}
	hp_episodes_sort(out);
	out->format = "gen";
	snprintf(out->assumption, sizeof(out->assumption), "generated (%s): wake times exact",
	         kind);
	return 0;
}

const char *hp_gen_param_name(size_t i)
{
	return i < P_NUM ? pdefs[i].name : NULL;
}
