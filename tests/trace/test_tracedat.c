/*
 * The trace.dat reader on the real captures: its episodes per CPU must match
 * the cpu_idle enter/exit pairs that the installed `trace-cmd report` prints
 * for the same file (an independent parser of the same bytes).
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

#define MAXCPU 64

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat"};

/* Count cpu_idle pairs per CPU from `trace-cmd report -t` text. */
static void count_with_trace_cmd(const char *path, uint64_t *pairs, uint64_t *first_enter_ns)
{
	char cmd[1024], line[1024];
	int in_idle[MAXCPU] = {0};
	FILE *p;

	memset(pairs, 0, sizeof(uint64_t) * MAXCPU);
	snprintf(cmd, sizeof(cmd), "trace-cmd report -t '%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	*first_enter_ns = 0;
	while (fgets(line, sizeof(line), p)) {
		char *ev = strstr(line, " cpu_idle: "), *cpu_s, *ts_s;
		unsigned long long state, sec, nsec;
		unsigned int cpu;

		if (!ev)
			continue;
		cpu_s = strchr(line, '[');
		assert_non_null(cpu_s);
		assert_int_equal(sscanf(cpu_s, "[%u]", &cpu), 1);
		assert_true(cpu < MAXCPU);
		ts_s = strchr(cpu_s, ']') + 1;
		assert_int_equal(sscanf(ts_s, " %llu.%llu:", &sec, &nsec), 2);
		assert_int_equal(sscanf(ev, " cpu_idle: state=%llu", &state), 1);
		if (state != 4294967295ULL) {
			in_idle[cpu] = 1;
			if (!*first_enter_ns)
				*first_enter_ns = sec * 1000000000ULL + nsec;
		} else if (in_idle[cpu]) {
			in_idle[cpu] = 0;
			pairs[cpu]++;
		}
	}
	assert_int_equal(pclose(p), 0);
}

static void test_real_captures_match_trace_cmd(void **unused)
{
	size_t t;

	(void)unused;
	assert_int_equal(system("command -v trace-cmd >/dev/null"), 0);
	for (t = 0; t < sizeof(traces) / sizeof(traces[0]); t++) {
		uint64_t want[MAXCPU], got[MAXCPU] = {0}, first_enter, total = 0;
		struct hp_episodes eps;
		struct hp_err err;
		char path[512];
		size_t i;

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		count_with_trace_cmd(path, want, &first_enter);
		if (hp_trace_read(path, &eps, &err) < 0)
			fail_msg("%s", err.msg);
		assert_int_equal(hp_episodes_validate(&eps, &err), 0);
		for (i = 0; i < eps.n; i++) {
			assert_true(eps.ep[i].cpu < MAXCPU);
			got[eps.ep[i].cpu]++;
		}
		for (i = 0; i < MAXCPU; i++) {
			if (got[i] != want[i])
				fail_msg("%s cpu %zu: reader found %llu halts, trace-cmd report "
				         "shows %llu",
				         traces[t], i, (unsigned long long)got[i],
				         (unsigned long long)want[i]);
			total += want[i];
		}
		assert_int_equal(eps.n, total);
		assert_true(eps.n > 0);
		/* the first episode starts at the first enter trace-cmd prints (ns timestamps) */
		assert_int_equal(eps.ep[0].halt_start_ns, first_enter);
		assert_true(eps.t_last_ns > eps.t_first_ns);
		assert_string_equal(eps.format, "trace.dat");
		hp_episodes_free(&eps);
	}
}

/* The README figure: pingpong.dat holds about 20,000 halts, all on CPU 0. */
static void test_pingpong_shape(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;
	char path[512];

	(void)unused;
	snprintf(path, sizeof(path), "%s/traces/pingpong.dat", HPSIM_SOURCE_DIR);
	assert_int_equal(hp_trace_read(path, &eps, &err), 0);
	/* the ping-pong partner on CPU1 never idled during the capture */
	assert_int_equal(eps.ncpu, 1);
	assert_in_range(eps.n, 19000, 21000);
	hp_episodes_free(&eps);
}

static void expect_error(const char *path, const char *needle)
{
	struct hp_episodes eps;
	struct hp_err err = {""};

	assert_int_equal(hp_trace_read(path, &eps, &err), -1);
	if (!strstr(err.msg, needle))
		fail_msg("error for %s was '%s', expected it to mention '%s'", path, err.msg,
		         needle);
	assert_int_equal(eps.n, 0);
}

static void test_bad_inputs(void **unused)
{
	char src[512], cut[] = "/tmp/hpsim-test-cut-XXXXXX", txt[] = "/tmp/hpsim-test-txt-XXXXXX";
	char buf[65536];
	FILE *in, *out;
	size_t n;
	int fd;

	(void)unused;
	expect_error("/nonexistent/trace.dat", "/nonexistent/trace.dat");
	expect_error("/tmp", "directory");
	/* a truncated copy of a real capture: keep its first 64 KiB */
	snprintf(src, sizeof(src), "%s/traces/pingpong.dat", HPSIM_SOURCE_DIR);
	fd = mkstemp(cut);
	assert_true(fd >= 0);
	in = fopen(src, "rb");
	out = fdopen(fd, "wb");
	assert_non_null(in);
	assert_non_null(out);
	n = fread(buf, 1, sizeof(buf), in);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	expect_error(cut, cut);
	unlink(cut);
	/* a file that is not a trace at all */
	fd = mkstemp(txt);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "hello, world\n", 13), 13);
	close(fd);
	expect_error(txt, "not a recognized trace");
	unlink(txt);
}

/*
 * trace.dat version 6, and version 7 uncompressed, made from each capture by
 * the installed `trace-cmd convert`, read as the same episodes as the
 * zstd-compressed version 7 original.
 */
static void test_file_versions(void **unused)
{
	static const char *const variants[] = {"--file-version 6", "--compression none"};
	char dir[] = "/tmp/hpsim-versions-XXXXXX", out[512], cmd[2048], src[512];
	size_t t, k, i;

	(void)unused;
	assert_non_null(mkdtemp(dir));
	for (t = 0; t < 3; t++) { /* the idle capture has too few halts to say much */
		struct hp_episodes orig;
		struct hp_err err;

		snprintf(src, sizeof(src), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		assert_int_equal(hp_trace_read(src, &orig, &err), 0);
		for (k = 0; k < 2; k++) {
			struct hp_episodes conv;

			snprintf(out, sizeof(out), "%s/v%zu-%s", dir, k, traces[t]);
			snprintf(cmd, sizeof(cmd),
			         "trace-cmd convert -i '%s' -o '%s' %s >/dev/null 2>&1", src, out,
			         variants[k]);
			assert_int_equal(system(cmd), 0);
			if (hp_trace_read(out, &conv, &err) < 0)
				fail_msg("%s (%s): %s", traces[t], variants[k], err.msg);
			assert_int_equal(conv.n, orig.n);
			for (i = 0; i < orig.n; i++)
				assert_memory_equal(&conv.ep[i], &orig.ep[i], sizeof(orig.ep[i]));
			assert_memory_equal(&conv.skipped, &orig.skipped, sizeof(orig.skipped));
			hp_episodes_free(&conv);
			unlink(out);
		}
		hp_episodes_free(&orig);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_captures_match_trace_cmd),
	    cmocka_unit_test(test_pingpong_shape),
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_file_versions),
	};

	/* test the reader itself, not a cache file left by an earlier run */
	setenv("HPSIM_NO_CACHE", "1", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
