/*
 * The episode CSV: accepted variants (quotes, CRLF, optional columns), every
 * kind of bad input failing with file, line and column, and round trips
 * (write -> read) of generated and real episodes giving identical episodes.
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

#include "hpsim/episode_csv.h"
#include "hpsim/gen.h"
#include "hpsim/trace.h"

static const struct hp_read_opts nocache = {.use_cache = 0};

/* A temporary file holding text; the path is written into path. */
static void write_tmp(char *path, size_t len, const char *text)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/hpsim-test-csv-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void read_text(const char *text, struct hp_episodes *eps)
{
	char path[64];
	struct hp_err err = {""};

	write_tmp(path, sizeof(path), text);
	if (hp_trace_read_opts(path, &nocache, eps, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
}

static void test_accepts_variants(void **unused)
{
	struct hp_episodes eps;

	(void)unused;
	/* quoted fields, CRLF, a source name in any case, an empty source and source_cpu */
	read_text("\"cpu\",\"halt_start_ns\",\"wake_ns\",\"source\",\"source_cpu\"\r\n"
	          "1,\"2000\",\"2500\",\"IPI\",0\r\n"
	          "0,1000,1700,timer,\r\n"
	          "0,3000,3000,,\r\n",
	          &eps);
	assert_int_equal(eps.n, 3);
	assert_int_equal(eps.ncpu, 2);
	assert_string_equal(eps.format, "csv");
	/* sorted by halt start */
	assert_int_equal(eps.ep[0].halt_start_ns, 1000);
	assert_int_equal(eps.ep[0].wake_ns, 1700);
	assert_int_equal(eps.ep[0].source, HP_SRC_TIMER);
	assert_int_equal(eps.ep[0].source_cpu, -1);
	assert_int_equal(eps.ep[1].cpu, 1);
	assert_int_equal(eps.ep[1].source, HP_SRC_IPI);
	assert_int_equal(eps.ep[1].source_cpu, 0);
	assert_int_equal(eps.ep[2].source, HP_SRC_UNKNOWN);
	assert_int_equal(eps.t_first_ns, 1000);
	assert_int_equal(eps.t_last_ns, 3000);
	hp_episodes_free(&eps);

	/* a UTF-8 byte-order mark before the header, as some spreadsheets write */
	read_text("\xef\xbb\xbf"
	          "cpu,halt_start_ns,wake_ns\n0,10,20\n",
	          &eps);
	assert_int_equal(eps.n, 1);
	hp_episodes_free(&eps);

	/* the three required columns only */
	read_text("cpu,halt_start_ns,wake_ns\n5,10,20\n", &eps);
	assert_int_equal(eps.n, 1);
	assert_int_equal(eps.ncpu, 6);
	assert_int_equal(eps.ep[0].source, HP_SRC_UNKNOWN);
	assert_int_equal(eps.ep[0].source_cpu, -1);
	hp_episodes_free(&eps);
}

/* text must fail to read, with an error that names the file and contains each needle. */
static void expect_bad(const char *text, const char *needle1, const char *needle2)
{
	struct hp_episodes eps;
	struct hp_err err = {""};
	char path[64];

	write_tmp(path, sizeof(path), text);
	assert_int_equal(hp_trace_read_opts(path, &nocache, &eps, &err), -1);
	assert_int_equal(eps.n, 0);
	if (!strstr(err.msg, path) || !strstr(err.msg, needle1) ||
	    (needle2 && !strstr(err.msg, needle2)))
		fail_msg("error '%s' should name %s and mention '%s' and '%s'", err.msg, path,
		         needle1, needle2 ? needle2 : "");
	unlink(path);
}

static void test_missing_column(void **unused)
{
	(void)unused;
	expect_bad("cpu,halt_start_ns,wake_ns\n0,1,2\n0,5\n", ":3:", "missing column 3 (wake_ns)");
	expect_bad("cpu,halt_start_ns,wake_ns,source\n0,1,2\n", ":2:", "missing column 4 (source)");
}

static void test_non_numeric_time(void **unused)
{
	(void)unused;
	expect_bad("cpu,halt_start_ns,wake_ns\n0,1,2\n0,12x,20\n", ":3: column 2 (halt_start_ns)",
	           "not a non-negative integer");
	expect_bad("cpu,halt_start_ns,wake_ns\n0,1,2.5\n", ":2: column 3 (wake_ns)",
	           "not a non-negative integer");
	expect_bad("cpu,halt_start_ns,wake_ns\n0,,5\n", ":2: column 2", "empty");
	expect_bad("cpu,halt_start_ns,wake_ns\n0,1,99999999999999999999999\n", "column 3",
	           "too large");
	expect_bad("cpu,halt_start_ns,wake_ns\nzero,1,2\n", "column 1 (cpu)", "not a non-negative");
}

static void test_negative_time(void **unused)
{
	(void)unused;
	expect_bad("cpu,halt_start_ns,wake_ns\n0,-5,10\n", ":2: column 2 (halt_start_ns)",
	           "negative");
}

static void test_wake_before_halt(void **unused)
{
	(void)unused;
	expect_bad("cpu,halt_start_ns,wake_ns\n0,1,2\n\n0,100,99\n",
	           ":4:", "wake_ns 99 is before halt_start_ns 100");
}

static void test_empty_and_directory(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err = {""};
	char dir[] = "/tmp/hpsim-test-csvdir-XXXXXX";

	(void)unused;
	expect_bad("", "empty file", NULL);
	expect_bad("cpu,halt_start_ns,wake_ns\n", "no episodes after the header", NULL);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(hp_trace_read_opts(dir, &nocache, &eps, &err), -1);
	assert_non_null(strstr(err.msg, dir));
	assert_non_null(strstr(err.msg, "directory"));
	rmdir(dir);
}

static void test_other_bad_fields(void **unused)
{
	(void)unused;
	expect_bad("cpu,halt_start_ns,wake_ns,source\n0,1,2,disk\n", "column 4 (source)",
	           "expected ipi, irq, timer, unknown or empty");
	expect_bad("cpu,halt_start_ns,wake_ns,source_cpu\n0,1,2,x\n", "column 4 (source_cpu)",
	           "not a CPU number");
	expect_bad("cpu,halt_start_ns,wake_ns\n0,1,2,3\n", ":2: column 4", "more fields");
	expect_bad("cpu,halt_start_ns,wake_ns,colour\n0,1,2,red\n", ":1: column 4",
	           "unknown column 'colour'");
	expect_bad("cpu,halt_start_ns,wake_ns,wake_ns\n", ":1: column 4", "appears twice");
	expect_bad("cpu,halt_start_ns,wake_ns\n0,\"1,2\n", "unterminated quote", NULL);
	expect_bad("cpu,halt_start_ns,wake_ns\n70000,1,2\n", "column 1 (cpu)", "0..65535");
}

/* Random byte damage to a valid file: each read succeeds or fails with a message naming the
 * file, never crashes (the sanitizer build checks memory). */
static void test_damaged_files_fail_cleanly(void **unused)
{
	static const char good[] = "cpu,halt_start_ns,wake_ns,source,source_cpu\n"
	                           "0,100,200,\"ipi\",1\n1,150,400,timer,\n0,300,900,,\n";
	static const char junk[] = "\",\r\n-x 0123456789";
	uint64_t s = 12345;
	int round, ok = 0, bad = 0;

	(void)unused;
	for (round = 0; round < 300; round++) {
		char text[sizeof(good)], path[64];
		struct hp_episodes eps;
		struct hp_err err = {""};
		int k;

		memcpy(text, good, sizeof(good));
		for (k = 0; k < 1 + round % 3; k++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			/* keep the header's first bytes so that the CSV reader is the one chosen */
			text[30 + (s >> 33) % (sizeof(good) - 31)] =
			    junk[(s >> 20) % (sizeof(junk) - 1)];
		}
		write_tmp(path, sizeof(path), text);
		if (hp_trace_read_opts(path, &nocache, &eps, &err) == 0) {
			assert_true(eps.n > 0);
			ok++;
		} else {
			assert_int_equal(eps.n, 0);
			if (!strstr(err.msg, path))
				fail_msg("error without the file name: %s", err.msg);
			bad++;
		}
		hp_episodes_free(&eps);
		unlink(path);
	}
	/* the damage is varied enough to hit both outcomes */
	if (!(ok > 0 && bad > 0))
		fail_msg("%d read, %d failed", ok, bad);
}

static void same_episodes(const struct hp_episodes *a, const struct hp_episodes *b)
{
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->ncpu, b->ncpu);
	assert_memory_equal(a->ep, b->ep, a->n * sizeof(*a->ep));
}

/* eps -> CSV file -> read back. */
static void round_trip(const struct hp_episodes *eps, struct hp_episodes *back)
{
	char path[] = "/tmp/hpsim-test-rt-XXXXXX";
	struct hp_err err = {""};
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "wb");
	assert_non_null(f);
	assert_int_equal(hp_csv_write(f, eps, &err), 0);
	assert_int_equal(fclose(f), 0);
	if (hp_trace_read_opts(path, &nocache, back, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
}

static void test_round_trip_generated(void **unused)
{
	static const char *const kinds[] = {"periodic", "poisson", "bimodal", "bursty", "pingpong"};
	const struct hp_gen_param p[] = {{"seed", "7"}, {"cpus", "4"}, {"duration", "50ms"}};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct hp_episodes eps, back;
		struct hp_err err = {""};

		if (hp_gen_run(kinds[i], p, 3, &eps, &err) < 0)
			fail_msg("%s: %s", kinds[i], err.msg);
		round_trip(&eps, &back);
		same_episodes(&eps, &back);
		hp_episodes_free(&eps);
		hp_episodes_free(&back);
	}
}

static void test_round_trip_real_captures(void **unused)
{
	static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat",
	                                     "timer-1ms.dat", "idle-5s.dat"};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		struct hp_episodes eps, back;
		struct hp_err err = {""};
		char path[512];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[i]);
		if (hp_trace_read_opts(path, &nocache, &eps, &err) < 0)
			fail_msg("%s", err.msg);
		round_trip(&eps, &back);
		same_episodes(&eps, &back);
		assert_string_equal(back.format, "csv");
		hp_episodes_free(&eps);
		hp_episodes_free(&back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_accepts_variants),
	    cmocka_unit_test(test_missing_column),
	    cmocka_unit_test(test_non_numeric_time),
	    cmocka_unit_test(test_negative_time),
	    cmocka_unit_test(test_wake_before_halt),
	    cmocka_unit_test(test_empty_and_directory),
	    cmocka_unit_test(test_other_bad_fields),
	    cmocka_unit_test(test_damaged_files_fail_cleanly),
	    cmocka_unit_test(test_round_trip_generated),
	    cmocka_unit_test(test_round_trip_real_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
