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

/*
 * One unit of generation: a CPU (a pair of CPUs for pingpong) and where its
 * walk is. Units draw from the random stream one after the other; a unit
 * started from the stream's state at its start makes the same halts again.
 */
struct unit {
	struct rng r;
	uint32_t cpu; /* the CPU (pingpong: the pair's first) */
	uint64_t k, tick;
	double start, phase; /* periodic, poisson, bimodal, bursty */
	double ta, tb, wa;   /* pingpong */
	int a_due, done;     /* pingpong: CPU a's halt of the round is next; the walk ended */
};

/* A raw halt, in double ns, before rounding. */
struct raw {
	uint32_t cpu, src;
	int32_t src_cpu;
	double start, wake;
};

struct kind {
	const char *name;
	const char *desc;
	const enum pid *params; /* P_NUM-terminated, after the common ones */
	/* refuse parameters that cannot work together; 0 or -1 with err */
	int (*check)(const struct cfg *c, struct hp_err *err);
	/* CPUs per unit */
	uint32_t width;
	/* start unit number i (its first draws come from u->r) */
	void (*init)(const struct cfg *c, struct unit *u, uint32_t i);
	/* the unit's next halt in generation order: 1, or 0 at its end */
	int (*step)(const struct cfg *c, struct unit *u, struct raw *h);
};

/* Round a raw halt into e; 0, or -1 when a time is past 2^63 ns. */
static int round_halt(const struct raw *h, struct hp_episode *e)
{
	*e = (struct hp_episode){.cpu = h->cpu, .source_cpu = h->src_cpu, .source = h->src};
	/* llround() has no value beyond long long: every such time came out as 2^63 */
	if (!(h->start < 0x1p63) || !(h->wake < 0x1p63))
		return -1;
	e->halt_start_ns = (uint64_t)llround(h->start);
	e->wake_ns = (uint64_t)llround(h->wake);
	if (e->wake_ns < e->halt_start_ns)
		e->wake_ns = e->halt_start_ns;
	return 0;
}

/* Does halt number k (0-based) of a CPU, waking at wake_ns, belong in the trace? */
static int more(const struct cfg *c, uint64_t k, double wake_ns)
{
	return c->count ? k < c->count : wake_ns <= (double)c->limit_ns;
}

static double period_of(const struct cfg *c)
{
	return c->given[P_HZ] ? 1e9 / c->v[P_HZ] : c->v[P_PERIOD_US] * 1e3;
}

static int check_periodic(const struct cfg *c, struct hp_err *err)
{
	double period = period_of(c), jitter = c->v[P_JITTER_US] * 1e3;

	if (c->given[P_HZ] && c->given[P_PERIOD_US])
		return hp_errf(err, "periodic: give --hz or --period-us, not both");
	if (2 * jitter >= period)
		return hp_errf(err,
		               "periodic: --jitter-us must be less than half the period "
		               "(%.3f us)",
		               period / 1e3);
	return 0;
}

static int check_none(const struct cfg *c, struct hp_err *err)
{
	(void)c;
	(void)err;
	return 0;
}

static void init_periodic(const struct cfg *c, struct unit *u, uint32_t i)
{
	u->cpu = i;
	u->phase = rng_unit(&u->r) * period_of(c);
	u->start = c->v[P_BUSY_US] * 1e3;
	u->tick = 1;
}

static int step_periodic(const struct cfg *c, struct unit *u, struct raw *h)
{
	double period = period_of(c), jitter = c->v[P_JITTER_US] * 1e3;
	double wake;

	for (; !u->done; u->tick++) {
		wake = u->phase + (double)u->tick * period + rng_sym(&u->r, jitter);
		if (wake <= u->start) {
			/* the tick came while the CPU was still running. When many more
			 * did (a busy time of many periods), go to the last tick that
			 * came before start whatever its jitter: one draw per tick
			 * would take as many steps as ticks */
			double surely = floor((u->start - jitter - u->phase) / period);

			if (surely > (double)u->tick + 64)
				u->tick = (uint64_t)surely;
			continue;
		}
		if (!more(c, u->k, wake))
			break;
		*h = (struct raw){u->cpu, HP_SRC_TIMER, -1, u->start, wake};
		u->k++;
		u->start = wake + c->v[P_BUSY_US] * 1e3;
		u->tick++;
		return 1;
	}
	u->done = 1;
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

static void init_lengths(const struct cfg *c, struct unit *u, uint32_t i)
{
	u->cpu = i;
	u->start = c->v[P_BUSY_US] * 1e3;
}

/* Halts whose lengths come from len(); wakeups from a device (source irq). */
/*
 * The unit's next halt ends at `wake` (an interrupt): emit it unless the run
 * is over, and start the next one after the busy time.
 */
static int emit_irq_halt(const struct cfg *c, struct unit *u, struct raw *h, double wake)
{
	if (!more(c, u->k, wake)) {
		u->done = 1;
		return 0;
	}
	*h = (struct raw){u->cpu, HP_SRC_IRQ, -1, u->start, wake};
	u->k++;
	u->start = wake + c->v[P_BUSY_US] * 1e3;
	return 1;
}

static int step_lengths(const struct cfg *c, struct unit *u, struct raw *h,
                        double (*len)(const struct cfg *, struct rng *))
{
	double wake;

	if (u->done)
		return 0;
	wake = u->start + len(c, &u->r);
	return emit_irq_halt(c, u, h, wake);
}

static int step_poisson(const struct cfg *c, struct unit *u, struct raw *h)
{
	return step_lengths(c, u, h, poisson_len);
}

static int step_bimodal(const struct cfg *c, struct unit *u, struct raw *h)
{
	return step_lengths(c, u, h, bimodal_len);
}

/*
 * Bursty: time is cycles of on-ms (arrivals at --rate, a Poisson process) then
 * off-ms (none). Arrivals are drawn in "on time" (the on windows laid end to
 * end) and mapped back to wall time.
 */
static void init_bursty(const struct cfg *c, struct unit *u, uint32_t i)
{
	u->cpu = i;
	u->start = c->v[P_BUSY_US] * 1e3;
	u->phase = rng_unit(&u->r) * (c->v[P_ON_MS] * 1e6 + c->v[P_OFF_MS] * 1e6);
}

static int step_bursty(const struct cfg *c, struct unit *u, struct raw *h)
{
	double on = c->v[P_ON_MS] * 1e6, cycle = on + c->v[P_OFF_MS] * 1e6;
	double mean = 1e9 / c->v[P_RATE];
	/* on-time elapsed at wall time `start` (cycles start at -phase) */
	double t = u->start + u->phase, cyc = floor(t / cycle), x, n, wake;

	if (u->done)
		return 0;
	x = cyc * on + fmin(t - cyc * cycle, on);
	x += rng_exp(&u->r, mean);
	n = floor(x / on);
	wake = n * cycle + (x - n * on) - u->phase;
	if (wake < u->start)
		wake = u->start;
	return emit_irq_halt(c, u, h, wake);
}

/*
 * Ping-pong between CPUs 2p and 2p+1: A sends and halts; B wakes by IPI from
 * A after the one-way delay d, works busy + think, sends and halts; A wakes by
 * IPI from B after d, works busy, sends again. rtt = 2 d + 2 busy.
 */
static double oneway(const struct cfg *c)
{
	return c->v[P_RTT_US] * 1e3 / 2 - c->v[P_BUSY_US] * 1e3;
}

static int check_pingpong(const struct cfg *c, struct hp_err *err)
{
	double d = oneway(c), jitter = c->v[P_JITTER_US] * 1e3;
	uint32_t ncpu = (uint32_t)c->v[P_CPUS];

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
	return 0;
}

static void init_pingpong(const struct cfg *c, struct unit *u, uint32_t i)
{
	u->cpu = 2 * i;
	u->ta = c->v[P_BUSY_US] * 1e3;
	u->tb = 0;
}

/* A round is B's halt (woken by A) then A's (woken by B's reply). */
static int step_pingpong(const struct cfg *c, struct unit *u, struct raw *h)
{
	double busy = c->v[P_BUSY_US] * 1e3, think = c->v[P_THINK_US] * 1e3;
	double d = oneway(c), jitter = c->v[P_JITTER_US] * 1e3, wb;
	uint32_t a = u->cpu;

	if (u->done)
		return 0;
	if (u->a_due) {
		*h = (struct raw){a, HP_SRC_IPI, (int32_t)(a + 1), u->ta, u->wa};
		u->ta = u->wa + busy;
		u->a_due = 0;
		return 1;
	}
	wb = u->ta + d + rng_sym(&u->r, jitter);
	u->wa = wb + busy + think + d + rng_sym(&u->r, jitter);
	if (!more(c, u->k, u->wa)) {
		u->done = 1;
		return 0;
	}
	*h = (struct raw){a + 1, HP_SRC_IPI, (int32_t)a, u->tb, wb};
	u->tb = wb + busy + think;
	u->k++;
	u->a_due = 1;
	return 1;
}

static const enum pid common[] = {P_SEED, P_CPUS, P_DURATION, P_COUNT, P_BUSY_US, P_NUM};
static const enum pid periodic_p[] = {P_HZ, P_PERIOD_US, P_JITTER_US, P_NUM};
static const enum pid poisson_p[] = {P_RATE, P_NUM};
static const enum pid bimodal_p[] = {P_SHORT_US, P_LONG_US, P_MIX, P_SPREAD, P_NUM};
static const enum pid bursty_p[] = {P_RATE, P_ON_MS, P_OFF_MS, P_NUM};
static const enum pid pingpong_p[] = {P_RTT_US, P_THINK_US, P_JITTER_US, P_NUM};

static const struct kind kinds[] = {
    {"periodic", "a timer tick: wakeups every period, +- jitter (source timer)", periodic_p,
     check_periodic, 1, init_periodic, step_periodic},
    {"poisson", "wakeups arriving at random at --rate per second (source irq)", poisson_p,
     check_none, 1, init_lengths, step_poisson},
    {"bimodal", "halts of two typical lengths mixed at random (source irq)", bimodal_p, check_none,
     1, init_lengths, step_bimodal},
    {"bursty", "bursts of random wakeups at --rate separated by quiet periods (source irq)",
     bursty_p, check_none, 1, init_bursty, step_bursty},
    {"pingpong", "CPU pairs waking each other by IPI with a given round trip", pingpong_p,
     check_pingpong, 2, init_pingpong, step_pingpong},
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

/* One CPU's halts in stream order: its unit walked again, keeping that CPU's halts. */
struct lane {
	struct unit u;
	uint32_t cpu;
	int has;
	struct hp_episode head; /* the lane's next halt, when has */
};

struct hp_gen_stream {
	const struct kind *k;
	struct cfg c;
	struct lane *lane;
	uint32_t *heap; /* lanes with a next halt, the earliest (halt start, then CPU) first */
	size_t nheap;
	struct hp_episodes all; /* only if a CPU's halts did not come in time order: sorted */
	size_t at;
};

static void lane_advance(const struct hp_gen_stream *g, struct lane *l)
{
	struct raw h;

	l->has = 0;
	while (g->k->step(&g->c, &l->u, &h))
		if (h.cpu == l->cpu) {
			l->has = round_halt(&h, &l->head) == 0; /* checked by the first pass */
			return;
		}
}

static int lane_before(const struct hp_gen_stream *g, uint32_t a, uint32_t b)
{
	const struct hp_episode *x = &g->lane[a].head, *y = &g->lane[b].head;

	if (x->halt_start_ns != y->halt_start_ns)
		return x->halt_start_ns < y->halt_start_ns;
	return x->cpu < y->cpu;
}

static void heap_down(struct hp_gen_stream *g, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		uint32_t t;

		if (l < g->nheap && lane_before(g, g->heap[l], g->heap[m]))
			m = l;
		if (r < g->nheap && lane_before(g, g->heap[r], g->heap[m]))
			m = r;
		if (m == i)
			return;
		t = g->heap[i];
		g->heap[i] = g->heap[m];
		g->heap[m] = t;
		i = m;
	}
}

/*
 * The first pass: every unit walked in order from the seed's stream, as one
 * array generation would, to check every halt, count them and note where each
 * unit's draws start (starts[]). *ordered: each CPU's halts came in time order.
 */
static int first_pass(const struct kind *k, const struct cfg *c, struct rng *starts,
                      struct hp_episodes *meta, uint64_t *total, int *ordered, struct hp_err *err)
{
	uint32_t ncpu = (uint32_t)c->v[P_CPUS], units = ncpu / k->width, i;
	uint64_t *last = calloc(ncpu, sizeof(*last));
	struct rng r;
	struct raw h;
	struct hp_episode e;

	if (!last)
		return hp_errf(err, "out of memory");
	*total = 0;
	*ordered = 1;
	rng_seed(&r, (uint64_t)c->v[P_SEED]);
	for (i = 0; i < units; i++) {
		struct unit u = {.r = r};

		starts[i] = r;
		k->init(c, &u, i);
		while (k->step(c, &u, &h)) {
			if (round_halt(&h, &e) < 0) {
				free(last);
				return hp_errf(
				    err,
				    "halt %llu ends past 2^63 ns (292 years); fewer halts "
				    "(--count) or shorter ones",
				    (unsigned long long)*total);
			}
			if (*total >= MAX_EPISODES) {
				free(last);
				return hp_errf(err, "more than %llu halts; shorten --duration",
				               MAX_EPISODES);
			}
			if (e.wake_ns > meta->t_last_ns)
				meta->t_last_ns = e.wake_ns;
			if (e.cpu + 1 > meta->ncpu)
				meta->ncpu = e.cpu + 1;
			if (e.halt_start_ns < last[e.cpu])
				*ordered = 0;
			last[e.cpu] = e.halt_start_ns;
			(*total)++;
		}
		r = u.r;
	}
	free(last);
	return 0;
}

/* Every halt into g->all, sorted as the array's sort does (stable): the fallback. */
static int collect_sorted(struct hp_gen_stream *g, const struct rng *starts, struct hp_err *err)
{
	uint32_t units = (uint32_t)g->c.v[P_CPUS] / g->k->width, i;
	struct hp_episode e;
	struct raw h;

	for (i = 0; i < units; i++) {
		struct unit u = {.r = starts[i]};

		g->k->init(&g->c, &u, i);
		while (g->k->step(&g->c, &u, &h))
			if (round_halt(&h, &e) < 0 || hp_episodes_push(&g->all, &e, err) < 0)
				return -1;
	}
	hp_episodes_sort(&g->all);
	return 0;
}

int hp_gen_open(const char *kind, const struct hp_gen_param *params, size_t nparams,
                struct hp_gen_stream **out, struct hp_episodes *meta, uint64_t *total,
                struct hp_err *err)
{
	struct hp_gen_stream *g;
	struct rng *starts = NULL;
	uint32_t units, i, j;
	int ordered = 1;
	size_t q;

	*out = NULL;
	memset(meta, 0, sizeof(*meta));
	g = calloc(1, sizeof(*g));
	if (!g)
		return hp_errf(err, "out of memory");
	for (q = 0; q < NKINDS; q++)
		if (!strcmp(kind, kinds[q].name))
			g->k = &kinds[q];
	if (!g->k) {
		free(g);
		return hp_errf(err,
		               "unknown generator '%s'; valid: periodic, poisson, bimodal, bursty, "
		               "pingpong",
		               kind);
	}
	if (parse_params(g->k, params, nparams, &g->c, err) < 0)
		goto fail;
	if (g->c.count && g->c.count * (uint64_t)g->c.v[P_CPUS] > MAX_EPISODES) {
		hp_errf(err, "%s: --count times --cpus exceeds %llu halts", kind, MAX_EPISODES);
		goto fail;
	}
	if (!g->c.count && estimate_halts(kind, &g->c) >= (double)MAX_EPISODES) {
		double h = estimate_halts(kind, &g->c);

		hp_errf(err,
		        "%s: about %.3g halts (%.3g GB of memory) in --duration; a generator "
		        "makes fewer than %llu (%.1f GB): shorten --duration or lower the rate",
		        kind, h, h * (double)sizeof(struct hp_episode) / 1e9, MAX_EPISODES,
		        (double)MAX_EPISODES * (double)sizeof(struct hp_episode) / 1e9);
		goto fail;
	}
	if (g->k->check(&g->c, err) < 0)
		goto fail;
	units = (uint32_t)g->c.v[P_CPUS] / g->k->width;
	starts = malloc(units * sizeof(*starts));
	if (!starts) {
		hp_errf(err, "out of memory");
		goto fail;
	}
	if (first_pass(g->k, &g->c, starts, meta, total, &ordered, err) < 0)
		goto fail;
	if (*total == 0) {
		hp_errf(err, "%s: no halt fits in the duration; lengthen --duration", kind);
		goto fail;
	}
	meta->format = "gen";
	snprintf(meta->assumption, sizeof(meta->assumption), "generated (%s): wake times exact",
	         kind);
	if (!ordered) {
		if (collect_sorted(g, starts, err) < 0)
			goto fail;
		free(starts);
		*out = g;
		return 0;
	}
	g->lane = calloc((size_t)units * g->k->width, sizeof(*g->lane));
	g->heap = calloc((size_t)units * g->k->width, sizeof(*g->heap));
	if (!g->lane || !g->heap) {
		hp_errf(err, "out of memory for %u CPUs", units * g->k->width);
		goto fail;
	}
	for (i = 0; i < units; i++)
		for (j = 0; j < g->k->width; j++) {
			struct lane *l = &g->lane[i * g->k->width + j];

			l->u.r = starts[i];
			g->k->init(&g->c, &l->u, i);
			l->cpu = l->u.cpu + j;
			lane_advance(g, l);
			if (l->has)
				g->heap[g->nheap++] = i * g->k->width + j;
		}
	for (q = g->nheap; q-- > 0;)
		heap_down(g, q);
	free(starts);
	*out = g;
	return 0;
fail:
	free(starts);
	hp_gen_close(g);
	return -1;
}

size_t hp_gen_next(struct hp_gen_stream *g, struct hp_episode *ep, size_t max)
{
	size_t n = 0;

	if (!g->lane) { /* the sorted fallback */
		for (; n < max && g->at < g->all.n; n++)
			ep[n] = g->all.ep[g->at++];
		return n;
	}
	while (n < max && g->nheap) {
		struct lane *l = &g->lane[g->heap[0]];

		ep[n++] = l->head;
		lane_advance(g, l);
		if (!l->has)
			g->heap[0] = g->heap[--g->nheap];
		heap_down(g, 0);
	}
	return n;
}

void hp_gen_close(struct hp_gen_stream *g)
{
	if (!g)
		return;
	hp_episodes_free(&g->all);
	free(g->lane);
	free(g->heap);
	free(g);
}

int hp_gen_run(const char *kind, const struct hp_gen_param *params, size_t nparams,
               struct hp_episodes *out, struct hp_err *err)
{
	struct hp_gen_stream *g;
	uint64_t total;

	if (hp_gen_open(kind, params, nparams, &g, out, &total, err) < 0)
		return -1;
	out->ep = malloc(total * sizeof(*out->ep));
	if (!out->ep) {
		hp_gen_close(g);
		memset(out, 0, sizeof(*out));
		return hp_errf(err, "out of memory for %llu halts", (unsigned long long)total);
	}
	out->cap = total;
	out->n = hp_gen_next(g, out->ep, total);
	hp_gen_close(g);
	return 0;
}

const char *hp_gen_param_name(size_t i)
{
	return i < P_NUM ? pdefs[i].name : NULL;
}
