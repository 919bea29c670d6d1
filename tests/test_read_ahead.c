/*
 * The trace.dat reader reads ahead in a second thread (libtracecmd's records
 * copied into a ring of blocks while the calling thread decodes them) unless
 * HPSIM_READ_AHEAD=0. Both reads of every bundled capture must give the same
 * episodes, host-contention intervals, skip counts and times, and the ring
 * must have wrapped on the largest (pingpong.dat: 180,312 events).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hpsim/trace.h"

/* The ring's capacity in records (4 blocks of 8192, src/trace/tracedat.c). */
#define RING_RECORDS (4 * 8192)

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat",  "drops-pingpong.dat",   "host-minivm.dat"};

static void read_with(const char *path, const char *ahead, struct hp_episodes *eps)
{
	struct hp_read_opts o;
	struct hp_err err;

	assert_int_equal(setenv("HPSIM_READ_AHEAD", ahead, 1), 0);
	hp_read_opts_init(&o);
	o.use_cache = 0;
	if (hp_trace_read_opts(path, &o, eps, &err) < 0)
		fail_msg("%s (HPSIM_READ_AHEAD=%s): %s", path, ahead, err.msg);
}

static void test_same_episodes(void **state)
{
	uint64_t most = 0;
	size_t k;

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip(); /* one CPU: the reader never reads ahead */
	for (k = 0; k < sizeof(traces) / sizeof(traces[0]); k++) {
		struct hp_episodes one, two;
		char path[1024];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[k]);
		read_with(path, "0", &one);
		read_with(path, "1", &two);
		assert_true(one.n > 0);
		if (one.skipped.recorded_events > most)
			most = one.skipped.recorded_events;
		assert_int_equal(one.skipped.unread_events, 0);
		assert_int_equal(one.n, two.n);
		assert_memory_equal(one.ep, two.ep, one.n * sizeof(*one.ep));
		assert_int_equal(one.nbusy, two.nbusy);
		if (one.nbusy)
			assert_memory_equal(one.busy, two.busy, one.nbusy * sizeof(*one.busy));
		assert_memory_equal(&one.skipped, &two.skipped, sizeof(one.skipped));
		assert_int_equal(one.ncpu, two.ncpu);
		assert_int_equal(one.t_first_ns, two.t_first_ns);
		assert_int_equal(one.t_last_ns, two.t_last_ns);
		assert_string_equal(one.assumption, two.assumption);
		hp_episodes_free(&one);
		hp_episodes_free(&two);
	}
	unsetenv("HPSIM_READ_AHEAD");
	assert_true(most > RING_RECORDS); /* the ring's blocks were reused */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_same_episodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
