/*
 * The trace.dat reader reads ahead in a second thread (libtracecmd's records
 * copied into a ring of blocks while the calling thread decodes them) unless
 * HPSIM_READ_AHEAD=0, and reads a capture in segments, each through a fresh
 * libtracecmd handle that starts where the last one stopped
 * (HPSIM_READ_SEGMENT records; 0: one segment). Every way of reading every
 * bundled capture must give the same episodes, host-contention intervals,
 * skip counts and times as the plain read (one thread, one segment); the
 * ring must have wrapped on the largest (pingpong.dat: 180,312 events) and
 * the short segments renew the handle there 25 times.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/trace.h"

/* The ring's capacity in records (4 blocks of 8192, src/trace/tracedat.c). */
#define RING_RECORDS (4 * 8192)

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat",  "drops-pingpong.dat",   "host-minivm.dat"};

static void read_with(const char *path, const char *ahead, const char *segment,
                      struct hp_episodes *eps)
{
	struct hp_read_opts o;
	struct hp_err err;

	assert_int_equal(setenv("HPSIM_READ_AHEAD", ahead, 1), 0);
	assert_int_equal(setenv("HPSIM_READ_SEGMENT", segment, 1), 0);
	hp_read_opts_init(&o);
	o.use_cache = 0;
	if (hp_trace_read_opts(path, &o, eps, &err) < 0)
		fail_msg("%s (HPSIM_READ_AHEAD=%s HPSIM_READ_SEGMENT=%s): %s", path, ahead, segment,
		         err.msg);
}

static void assert_same(const struct hp_episodes *one, const struct hp_episodes *two)
{
	assert_int_equal(one->n, two->n);
	assert_memory_equal(one->ep, two->ep, one->n * sizeof(*one->ep));
	assert_int_equal(one->nbusy, two->nbusy);
	if (one->nbusy)
		assert_memory_equal(one->busy, two->busy, one->nbusy * sizeof(*one->busy));
	assert_memory_equal(&one->skipped, &two->skipped, sizeof(one->skipped));
	assert_int_equal(one->ncpu, two->ncpu);
	assert_int_equal(one->t_first_ns, two->t_first_ns);
	assert_int_equal(one->t_last_ns, two->t_last_ns);
	assert_string_equal(one->assumption, two->assumption);
}

static void test_same_episodes(void **state)
{
	uint64_t most = 0;
	size_t k;

	(void)state; /* with one CPU online the reader never reads ahead: those reads are plain */
	for (k = 0; k < sizeof(traces) / sizeof(traces[0]); k++) {
		/* the plain read, then read ahead, and in short segments with and without */
		static const char *const ways[][2] = {{"1", ""}, {"0", "7000"}, {"1", "7000"}};
		struct hp_episodes one, other;
		char path[1024];
		size_t w;

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[k]);
		read_with(path, "0", "0", &one);
		assert_true(one.n > 0);
		assert_int_equal(one.skipped.unread_events, 0);
		if (one.skipped.recorded_events > most)
			most = one.skipped.recorded_events;
		for (w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
			read_with(path, ways[w][0], ways[w][1], &other);
			assert_same(&one, &other);
			hp_episodes_free(&other);
		}
		hp_episodes_free(&one);
	}
	unsetenv("HPSIM_READ_AHEAD");
	unsetenv("HPSIM_READ_SEGMENT");
	assert_true(most > RING_RECORDS); /* the ring's blocks were reused */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_episodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
