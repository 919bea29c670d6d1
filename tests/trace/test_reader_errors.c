/*
 * Bad input to the readers, one case per test: each fails with a message
 * naming the file (and for text, the line), or, in lenient mode, is skipped
 * and counted. Gaps (EVENTS DROPPED) and cut halts are counted, never merged.
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

/* Three complete guest halts on CPU 0, the second woken by an IPI from CPU 1. */
static const char good[] =
    "cpus=2\n"
    "          <idle>-0     [000]   100.000010000: cpu_idle:             state=1 cpu_id=0\n"
    "          <idle>-0     [000]   100.000050000: cpu_idle:             state=4294967295 "
    "cpu_id=0\n"
    "          <idle>-0     [000]   100.000060000: cpu_idle:             state=1 cpu_id=0\n"
    "            bash-42    [001]   100.000070000: ipi_send_cpu:         cpu=0 "
    "callsite=wakeup_preempt+0x55 callback=0x0\n"
    "          <idle>-0     [000]   100.000080000: cpu_idle:             state=4294967295 "
    "cpu_id=0\n"
    "          <idle>-0     [000]   100.000090000: cpu_idle:             state=1 cpu_id=0\n"
    "          <idle>-0     [000]   100.000095000: cpu_idle:             state=4294967295 "
    "cpu_id=0\n";

static char path[] = "/tmp/hpsim-errors-XXXXXX";

static int setup(void **unused)
{
	int fd = mkstemp(path);

	(void)unused;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **unused)
{
	(void)unused;
	unlink(path);
	return 0;
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* good with line `lineno` (1-based) replaced by repl. */
static void write_with_line(unsigned lineno, const char *repl)
{
	char buf[4096];
	const char *p = good;
	unsigned n = 1;
	size_t used = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = (size_t)(nl - p) + 1;

		if (n == lineno)
			used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s\n", repl);
		else
			used +=
			    (size_t)snprintf(buf + used, sizeof(buf) - used, "%.*s", (int)len, p);
		p += len;
		n++;
	}
	write_file(buf);
}

static int read_with(int lenient, struct hp_episodes *eps, struct hp_err *err)
{
	struct hp_read_opts o;

	hp_read_opts_init(&o);
	o.lenient = lenient;
	return hp_trace_read_opts(path, &o, eps, err);
}

static void expect_error(const char *p, const char *needle)
{
	struct hp_episodes eps;
	struct hp_err err = {""};

	assert_int_equal(hp_trace_read(p, &eps, &err), -1);
	if (!strstr(err.msg, needle))
		fail_msg("error for %s was '%s', expected it to mention '%s'", p, err.msg, needle);
	if (!strstr(err.msg, p))
		fail_msg("error '%s' does not name the file %s", err.msg, p);
	assert_int_equal(eps.n, 0);
}

static void test_good_text(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;

	(void)unused;
	write_file(good);
	assert_int_equal(read_with(0, &eps, &err), 0);
	assert_int_equal(eps.n, 3);
	assert_int_equal(eps.ep[0].halt_start_ns, 100000010000ULL);
	assert_int_equal(eps.ep[0].wake_ns, 100000050000ULL);
	assert_int_equal(eps.ep[1].source, HP_SRC_IPI);
	assert_int_equal(eps.ep[1].source_cpu, 1);
	assert_int_equal(eps.ep[2].source, HP_SRC_UNKNOWN);
	hp_episodes_free(&eps);
	/* NULL options are the defaults */
	assert_int_equal(hp_trace_read_opts(path, NULL, &eps, &err), 0);
	assert_int_equal(eps.n, 3);
	hp_episodes_free(&eps);
}

static void test_garbled_line_names_line(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;
	char needle[600];

	(void)unused;
	write_with_line(4, "this line is garbage");
	assert_int_equal(read_with(0, &eps, &err), -1);
	snprintf(needle, sizeof(needle), "%s:4:", path);
	if (!strstr(err.msg, needle) || !strstr(err.msg, "this line is garbage"))
		fail_msg("error '%s' does not name %s and the line", err.msg, needle);
	assert_null(strstr(err.msg, "ipi_send_cpu")); /* the next line is not quoted */
}

/* Lenient: the garbled line is counted and the rest read (line 4 was the second halt's enter). */
static void test_lenient_counts(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;

	(void)unused;
	write_with_line(4, "this line is garbage");
	assert_int_equal(read_with(1, &eps, &err), 0);
	assert_int_equal(eps.skipped.bad_lines, 1);
	assert_int_equal(eps.n, 2);
	assert_int_equal(eps.skipped.unpaired_exit, 1);
	hp_episodes_free(&eps);
}

/* An event line whose fields do not read: strict names the line, lenient counts it. */
static void test_bad_fields(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;

	(void)unused;
	write_with_line(2, "          <idle>-0     [000]   100.000010000: cpu_idle:             "
	                   "state=abc cpu_id=0");
	assert_int_equal(read_with(0, &eps, &err), -1);
	assert_non_null(strstr(err.msg, ":2:"));
	assert_non_null(strstr(err.msg, "state=abc"));
	/* which field, and what it should have been */
	assert_non_null(strstr(err.msg, "field 'state'"));
	assert_non_null(strstr(err.msg, "expected a decimal or 0x hex number"));
	assert_int_equal(read_with(1, &eps, &err), 0);
	assert_int_equal(eps.skipped.bad_lines, 1);
	assert_int_equal(eps.n, 2);
	hp_episodes_free(&eps);
	/* a host event: every field the decoder tried is named */
	write_with_line(4, "       CPU 0/KVM-4000  [001]   100.000070000: kvm_exit:             "
	                   "exit_reason=twelve isa=1");
	assert_int_equal(read_with(0, &eps, &err), -1);
	assert_non_null(strstr(err.msg, ":4:"));
	assert_non_null(strstr(err.msg, "'exit_reason'"));
}

/* A dropped-event gap inside a halt discards that halt and counts it. */
static void test_dropped_events(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;

	(void)unused;
	write_with_line(5, "CPU:0 [7 EVENTS DROPPED]");
	assert_int_equal(read_with(0, &eps, &err), 0);
	/* line 5 was a wake-source line; the gap at it cut the halt opened on line 4 */
	assert_int_equal(eps.n, 2);
	assert_int_equal(eps.skipped.dropped_events, 7);
	assert_int_equal(eps.skipped.drop_gaps, 1);
	assert_int_equal(eps.skipped.cut_by_gap, 1);
	assert_int_equal(eps.skipped.unpaired_exit, 1);
	hp_episodes_free(&eps);
	write_with_line(5, "CPU:0 [EVENTS DROPPED]"); /* a count the recorder did not know */
	assert_int_equal(read_with(0, &eps, &err), 0);
	assert_int_equal(eps.skipped.cut_by_gap, 1);
	assert_int_equal(eps.skipped.drop_gaps, 1);
	assert_int_equal(eps.skipped.dropped_events, 0);
	hp_episodes_free(&eps);
	/* the kernel's own trace and trace_pipe files say LOST, with or without a count */
	write_with_line(5, "CPU:0 [LOST 7 EVENTS]");
	assert_int_equal(read_with(0, &eps, &err), 0);
	assert_int_equal(eps.n, 2);
	assert_int_equal(eps.skipped.dropped_events, 7);
	assert_int_equal(eps.skipped.drop_gaps, 1);
	assert_int_equal(eps.skipped.cut_by_gap, 1);
	assert_int_equal(eps.skipped.unpaired_exit, 1);
	hp_episodes_free(&eps);
	write_with_line(5, "CPU:0 [LOST EVENTS]");
	assert_int_equal(read_with(0, &eps, &err), 0);
	assert_int_equal(eps.n, 2);
	assert_int_equal(eps.skipped.cut_by_gap, 1);
	assert_int_equal(eps.skipped.drop_gaps, 1);
	assert_int_equal(eps.skipped.dropped_events, 0);
	hp_episodes_free(&eps);
}

/* Halts cut by the start and end, a second enter before an exit, haltpoll's POLL state. */
static void test_cut_and_poll(void **unused)
{
	struct hp_episodes eps;
	struct hp_err err;

	(void)unused;
	write_file("cpus=2\n"
	           "  <idle>-0 [000] 1.000001: cpu_idle: state=4294967295 cpu_id=0\n"
	           "  <idle>-0 [000] 1.000002: cpu_idle: state=0 cpu_id=0\n"
	           "  <idle>-0 [000] 1.000003: cpu_idle: state=4294967295 cpu_id=0\n"
	           "  <idle>-0 [000] 1.000004: cpu_idle: state=1 cpu_id=0\n"
	           "  <idle>-0 [000] 1.000005: cpu_idle: state=1 cpu_id=0\n"
	           "  <idle>-0 [000] 1.000009: cpu_idle: state=4294967295 cpu_id=0\n"
	           "  <idle>-0 [001] 1.000010: cpu_idle: state=1 cpu_id=1");
	assert_int_equal(read_with(0, &eps, &err), 0);
	assert_int_equal(eps.n, 1);
	assert_int_equal(eps.ep[0].halt_start_ns, 1000005000ULL);
	assert_int_equal(eps.skipped.unpaired_exit, 1);
	assert_int_equal(eps.skipped.poll_states, 1);
	assert_int_equal(eps.skipped.unpaired_enter, 2); /* the re-entered one, CPU 1 at the end */
	hp_episodes_free(&eps);
}

static void test_empty_directory_missing(void **unused)
{
	(void)unused;
	write_file("");
	expect_error(path, "empty");
	expect_error("/tmp", "directory");
	expect_error("/nonexistent/x.dat", "No such file");
}

static void test_not_a_trace(void **unused)
{
	static const unsigned char bin[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0};
	FILE *f;

	(void)unused;
	write_file("hello, world\nthis is text\n");
	expect_error(path, "not a recognized trace");
	f = fopen(path, "wb");
	assert_non_null(f);
	fwrite(bin, 1, sizeof(bin), f);
	fclose(f);
	expect_error(path, "not a recognized trace");
	/* text that starts like a report but has no halts */
	write_file(
	    "cpus=2\n            bash-42    [001]   100.000070000: ipi_send_cpu:         cpu=0 "
	    "callsite=x callback=0x0\n");
	expect_error(path, "no complete halts");
}

/*
 * A dropped-events line cut right after "CPU:0 [" at the end of the first 4096
 * bytes (all the reader probes): the next byte is past the probed head, and
 * must not be read (ASan names a stack-buffer-overflow if it is).
 */
static void test_dropped_line_cut_at_head_end(void **unused)
{
	static const char tail[] = "CPU:0 [";
	char buf[4096];
	FILE *f;

	(void)unused;
	memset(buf, 'x', sizeof(buf));
	buf[0] = '#';
	buf[sizeof(buf) - sizeof(tail)] = '\n';
	memcpy(buf + sizeof(buf) - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, sizeof(buf), f), sizeof(buf));
	fclose(f);
	expect_error(path, "not a recognized trace");
}

static void copy_prefix(const char *src, const char *dst, size_t n)
{
	char *buf = malloc(n);
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");

	assert_non_null(buf);
	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(fread(buf, 1, n, in), n);
	assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	fclose(out);
	free(buf);
}

static void test_truncated_tracedat(void **unused)
{
	char src[512];

	(void)unused;
	snprintf(src, sizeof(src), "%s/traces/timer-1ms.dat", HPSIM_SOURCE_DIR);
	copy_prefix(src, path, 700000);
	expect_error(path, "trace.dat");
	copy_prefix(src, path, 12);
	expect_error(path, "trace.dat");
}

/* A real trace.dat cut by `trace-cmd split` to its first three events: no complete halt. */
static void test_tracedat_without_halts(void **unused)
{
	char cmd[1200], out[600];

	(void)unused;
	snprintf(cmd, sizeof(cmd),
	         "cd /tmp && trace-cmd split -i '%s/traces/idle-5s.dat' -o '%s.split' -e 3 "
	         ">/dev/null 2>&1",
	         HPSIM_SOURCE_DIR, path);
	assert_int_equal(system(cmd), 0);
	snprintf(out, sizeof(out), "%s.split.1", path);
	expect_error(out, "no complete halts");
	unlink(out);
}

/* Lines prefixed by an instance name that no cpus= line announced: read as the same CPUs. */
static void test_instance_prefix(void **unused)
{
	char buf[4096];
	const char *p = good;
	size_t used = 0;
	struct hp_episodes eps;
	struct hp_err err;

	(void)unused;
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = (int)(nl - p) + 1;

		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%.*s",
		                         strncmp(p, "cpus=", 5) ? "  host: " : "", len, p);
		p += len;
	}
	write_file(buf);
	assert_int_equal(read_with(0, &eps, &err), 0);
	assert_int_equal(eps.n, 3);
	assert_int_equal(eps.ep[1].source, HP_SRC_IPI);
	assert_int_equal(eps.ep[1].source_cpu, 1);
	assert_int_equal(eps.ep[2].wake_ns, 100000095000ULL);
	hp_episodes_free(&eps);
}

/* The CLI: a garbled line fails naming it, --lenient reads on, a bad --vcpu-map is refused. */
static void test_cli_options(void **unused)
{
	char cmd[1200];

	(void)unused;
	write_with_line(4, "this line is garbage");
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' 2>&1 | grep -q '%s:4:'", HPSIM_BINARY, path,
	         path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' >/dev/null 2>&1", HPSIM_BINARY, path);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd),
	         "'%s' replay '%s' --lenient --format json | grep -q '\"bad_lines\": 1'",
	         HPSIM_BINARY, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --vcpu-map 12=x 2>&1 | grep -q 'vcpu-map'",
	         HPSIM_BINARY, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' --vcpu-map 12=x >/dev/null 2>&1", HPSIM_BINARY,
	         path);
	assert_int_not_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_text),
	    cmocka_unit_test(test_garbled_line_names_line),
	    cmocka_unit_test(test_lenient_counts),
	    cmocka_unit_test(test_bad_fields),
	    cmocka_unit_test(test_dropped_events),
	    cmocka_unit_test(test_cut_and_poll),
	    cmocka_unit_test(test_empty_directory_missing),
	    cmocka_unit_test(test_not_a_trace),
	    cmocka_unit_test(test_dropped_line_cut_at_head_end),
	    cmocka_unit_test(test_truncated_tracedat),
	    cmocka_unit_test(test_tracedat_without_halts),
	    cmocka_unit_test(test_instance_prefix),
	    cmocka_unit_test(test_cli_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
