/*
 * The differential test of the host cpuidle governors: the project's menu
 * and teo (src/policy/kernel/) against the same governors compiled from the
 * kernel tree given with -DHPSIM_KERNEL_SRC (menu@kernel, teo@kernel), both
 * created for the tree's release, must choose the same state and the same
 * tick decision for every idle period of:
 *  - every capture in traces/: each CPU's halts in order, the idle period
 *    from halt to wakeup, the time to the next timer being the period itself
 *    for a timer wakeup and otherwise the time to the CPU's next timer
 *    wakeup (at most 1 s); each CPU its own instance;
 *  - synthetic streams, seeded, on the built-in tables and on tables without
 *    a polling state, with equal residencies and with ten states: sleep
 *    lengths at, one below and one above every target residency, the tick
 *    period, 50 ms (menu's MAX_INTERESTING) and the 4 ms tick grid, and
 *    spread over 1 ns..2 s; wakeups by the timer, early, within exit
 *    latencies, at the poll limit, after 0 ns, and never entered (no
 *    reflect: the kernel's refused entry); the tick stopped or running; 0..3 I/O waiters; PM QoS
 * limits of none, 0 and around each exit latency. A difference fails naming the governor, table,
 * step and inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "hpsim/episode.h"
#include "hpsim/idle.h"
#include "hpsim/trace.h"
#include "hpsim_ksrc.h"

#define US   1000ull
#define MS   1000000ull
#define TICK (4 * MS) /* HZ 250 */

static const char *const govs[] = {"menu", "teo"};

struct twin {
	const struct hp_idle_gov_ops *ours, *theirs;
	struct hp_idle_gov *a, *b;
};

static void twin_make(struct twin *w, const char *gov, const struct hp_idle_table *t)
{
	char kname[32];
	struct hp_err err = {{0}};

	snprintf(kname, sizeof(kname), "%s@kernel", gov);
	w->ours = hp_idle_gov_find(gov);
	w->theirs = hp_idle_gov_find(kname);
	assert_non_null(w->ours);
	assert_non_null(w->theirs);
	w->a = w->ours->create(t, HPSIM_KSRC_KVER >> 16, (HPSIM_KSRC_KVER >> 8) & 0xff, &err);
	w->b = w->theirs->create(t, HPSIM_KSRC_KVER >> 16, (HPSIM_KSRC_KVER >> 8) & 0xff, &err);
	if (!w->a || !w->b)
		fail_msg("%s on %s: %s", gov, t->name, err.msg);
}

static void twin_free(struct twin *w)
{
	w->ours->destroy(w->a);
	w->theirs->destroy(w->b);
}

/* One idle period through both; fails on the first difference. Returns the state chosen. */
static int twin_step(struct twin *w, const struct hp_idle_ctx *c, uint64_t measured,
                     const char *what, size_t step)
{
	bool sa = true, sb = true;
	int ia = w->ours->select(w->a, c, &sa), ib = w->theirs->select(w->b, c, &sb);

	if (ia != ib || sa != sb)
		fail_msg("%s step %zu: now %llu sleep %llu tick_stopped %d iowait %u latency %llu: "
		         "%s chose %d (stop_tick %d), %s chose %d (stop_tick %d)",
		         what, step, (unsigned long long)c->now_ns,
		         (unsigned long long)c->sleep_length_ns, c->tick_stopped, c->nr_iowait,
		         (unsigned long long)c->latency_req_ns, w->ours->name, ia, sa,
		         w->theirs->name, ib, sb);
	w->ours->reflect(w->a, ia, measured);
	w->theirs->reflect(w->b, ib, measured);
	return ia;
}

/* ---- captures ----------------------------------------------------------- */

static void diff_capture(const char *path, const char *gov, size_t *periods, int *states_seen)
{
	struct hp_episodes eps;
	struct hp_idle_table t;
	struct hp_err err = {{0}};
	uint32_t cpu;
	char what[1200];
	size_t i, j;

	memset(&eps, 0, sizeof(eps));
	if (hp_trace_read(path, &eps, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(hp_idle_table_builtin("skx", &t, &err), 0);
	for (cpu = 0; cpu < eps.ncpu; cpu++) {
		struct twin w;
		size_t step = 0;

		twin_make(&w, gov, &t);
		snprintf(what, sizeof(what), "%s on %s cpu %u", gov, path, cpu);
		for (i = 0; i < eps.n; i++) {
			const struct hp_episode *e = &eps.ep[i];
			struct hp_idle_ctx c = {.now_ns = e->halt_start_ns,
			                        .latency_req_ns = UINT64_MAX};
			uint64_t period = e->wake_ns - e->halt_start_ns, sleep = 1000 * MS;

			if (e->cpu != cpu)
				continue;
			if (e->source == HP_SRC_TIMER) {
				sleep = period;
			} else {
				for (j = i + 1; j < eps.n; j++) {
					const struct hp_episode *n = &eps.ep[j];

					if (n->halt_start_ns > e->halt_start_ns + 1000 * MS)
						break;
					if (n->cpu == cpu && n->source == HP_SRC_TIMER) {
						sleep = n->wake_ns - e->halt_start_ns;
						break;
					}
				}
				if (sleep < period)
					sleep = period;
			}
			c.sleep_length_ns = sleep;
			states_seen[twin_step(&w, &c, period, what, step++)]++;
			(*periods)++;
		}
		twin_free(&w);
	}
	hp_episodes_free(&eps);
}

static void test_captures(void **state)
{
	DIR *d = opendir(HPSIM_SOURCE_DIR "/traces");
	struct dirent *de;
	size_t g, periods = 0, files = 0;
	int seen[2][HP_IDLE_MAX_STATES] = {{0}};

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char path[1024];

		if (n < 4 || strcmp(de->d_name + n - 4, ".dat"))
			continue;
		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, de->d_name);
		for (g = 0; g < 2; g++)
			diff_capture(path, govs[g], &periods, seen[g]);
		files++;
	}
	closedir(d);
	printf("captures: %zu files, %zu idle periods; menu chose POLL/C1/C1E/C6 %d/%d/%d/%d, "
	       "teo %d/%d/%d/%d\n",
	       files, periods, seen[0][0], seen[0][1], seen[0][2], seen[0][3], seen[1][0],
	       seen[1][1], seen[1][2], seen[1][3]);
	assert_true(files >= 5);
	assert_true(periods > 1000);
}

/* ---- synthetic streams -------------------------------------------------- */

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

/* A duration spread log-uniformly over 1 ns .. 2 s. */
static uint64_t spread(void)
{
	unsigned bits = (unsigned)below(31) + 1;

	return (next() & ((1ull << bits) - 1)) | 1;
}

/* A sleep length: an edge of the table or the tick, or anything. */
static uint64_t pick_sleep(const struct hp_idle_table *t)
{
	static const uint64_t fixed[] = {0,        1,           TICK - 1,  TICK,
	                                 TICK + 1, 50 * MS - 1, 50 * MS,   50 * MS + 1,
	                                 2 * TICK, 1000 * MS,   UINT64_MAX};
	uint64_t v;

	switch (below(4)) {
	case 0:
		return fixed[below(sizeof(fixed) / sizeof(fixed[0]))];
	case 1:
		v = t->count ? t->state[below(t->count)].target_residency_ns : 0;
		return v + below(3) - (v ? 1 : 0);
	default:
		return spread();
	}
}

/* How the idle period ends, given the sleep length and the state entered. */
static uint64_t pick_measured(const struct hp_idle_table *t, struct hp_idle_gov *g, int idx,
                              uint64_t sleep)
{
	uint64_t lat = idx >= 0 && (unsigned)idx < t->count ? t->state[idx].exit_latency_ns : 0;
	uint64_t lim = hp_idle_gov_poll_limit_ns(g);

	switch (below(7)) {
	case 0:
		return sleep > 10000 * MS ? 10000 * MS : sleep; /* the timer */
	case 1:
		return 0; /* a zero-length period */
	case 2:
		return below(2 * lat + 2); /* within the exit latency */
	case 3:
		return lim - 1 + below(3); /* around the poll limit */
	case 4:
		return TICK - below(TICK / 8); /* about when the tick fires */
	default:
		return below(sleep > 10000 * MS ? 10000 * MS : sleep + 1);
	}
}

static uint64_t pick_latency(const struct hp_idle_table *t)
{
	uint64_t v;

	switch (below(6)) {
	case 0:
		return 0;
	case 1:
		v = t->count ? t->state[below(t->count)].exit_latency_ns : 0;
		return v + below(3) - (v ? 1 : 0);
	default:
		return UINT64_MAX;
	}
}

static void add_state(struct hp_idle_table *t, const char *name, uint64_t lat, uint64_t res)
{
	struct hp_idle_state *s = &t->state[t->count++];

	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->exit_latency_ns = lat;
	s->target_residency_ns = res;
}

/* Tables beyond the built-in ones: no POLL, equal residencies, ten states. */
static void odd_tables(struct hp_idle_table *t)
{
	unsigned i;

	memset(t, 0, 3 * sizeof(*t));
	snprintf(t[0].name, sizeof(t[0].name), "nopoll");
	add_state(&t[0], "WFI", 1 * US, 1 * US);
	add_state(&t[0], "cpu-sleep", 150 * US, 1500 * US);
	add_state(&t[0], "cluster", 600 * US, 5 * MS);

	snprintf(t[1].name, sizeof(t[1].name), "equal");
	t[1].state[0].polling = true;
	snprintf(t[1].state[0].name, sizeof(t[1].state[0].name), "POLL");
	t[1].count = 1;
	add_state(&t[1], "C1", 3 * US, 30 * US);
	add_state(&t[1], "C2", 30 * US, 30 * US);
	add_state(&t[1], "C3", 30 * US, 3 * MS);

	snprintf(t[2].name, sizeof(t[2].name), "ten");
	t[2].state[0].polling = true;
	snprintf(t[2].state[0].name, sizeof(t[2].state[0].name), "POLL");
	t[2].count = 1;
	for (i = 1; i < HP_IDLE_MAX_STATES; i++) {
		char nm[8];

		snprintf(nm, sizeof(nm), "C%u", i);
		add_state(&t[2], nm, (uint64_t)i * i * 7 * US, (uint64_t)i * i * i * 11 * US);
	}
}

static void diff_stream(const char *gov, const struct hp_idle_table *t, uint64_t seed, size_t steps)
{
	struct twin w;
	uint64_t now = below(TICK);
	char what[128];
	size_t k;

	rng = seed;
	twin_make(&w, gov, t);
	snprintf(what, sizeof(what), "%s on table %s seed %llu", gov, t->name,
	         (unsigned long long)seed);
	for (k = 0; k < steps; k++) {
		struct hp_idle_ctx c = {.now_ns = now};
		uint64_t measured;
		int idx;

		c.sleep_length_ns = pick_sleep(t);
		c.tick_stopped = below(5) == 0;
		c.nr_iowait = below(4) == 0 ? (unsigned)below(4) : 0;
		c.latency_req_ns = pick_latency(t);
		/* the state that will be entered decides the measurement: select first */
		{
			bool sa = true, sb = true;
			int ia = w.ours->select(w.a, &c, &sa), ib = w.theirs->select(w.b, &c, &sb);

			if (ia != ib || sa != sb)
				fail_msg(
				    "%s step %zu: now %llu sleep %llu tick_stopped %d iowait %u "
				    "latency %llu: %s chose %d (stop_tick %d), %s chose %d "
				    "(stop_tick %d)",
				    what, k, (unsigned long long)c.now_ns,
				    (unsigned long long)c.sleep_length_ns, c.tick_stopped,
				    c.nr_iowait, (unsigned long long)c.latency_req_ns, w.ours->name,
				    ia, sa, w.theirs->name, ib, sb);
			idx = ia;
		}
		measured = pick_measured(t, w.a, idx, c.sleep_length_ns);
		/* now and then the state is never entered: no reflect */
		if (below(16)) {
			w.ours->reflect(w.a, idx, measured);
			w.theirs->reflect(w.b, idx, measured);
		}
		now += measured + below(200 * US);
	}
	twin_free(&w);
}

static void test_synthetic(void **state)
{
	static const char *const builtin[] = {"skx", "icx", "spr"};
	struct hp_idle_table t, odd[3];
	struct hp_err err = {{0}};
	size_t g, i;
	uint64_t seed;

	(void)state;
	odd_tables(odd);
	for (g = 0; g < 2; g++) {
		for (i = 0; i < 3; i++) {
			assert_int_equal(hp_idle_table_builtin(builtin[i], &t, &err), 0);
			for (seed = 1; seed <= 4; seed++)
				diff_stream(govs[g], &t, seed * 0x9e3779b97f4a7c15ull, 20000);
		}
		for (i = 0; i < 3; i++)
			for (seed = 1; seed <= 2; seed++)
				diff_stream(govs[g], &odd[i], seed * 0x2545f4914f6cdd1dull, 20000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_captures),
	    cmocka_unit_test(test_synthetic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
