/*
 * End to end: the hpsim binary on the bundled captures, read back through its
 * JSON report; and its errors on bad input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>
#include <jansson.h>

/* Run `hpsim ARGS`; capture stdout (returned, malloc'd) and stderr; return exit status. */
static int run(const char *args, char **out, char *errbuf, size_t errlen)
{
	char cmd[2048], errpath[] = "/tmp/hpsim-e2e-err-XXXXXX";
	size_t len = 0, cap = 1 << 16;
	FILE *p, *e;
	int fd, st;

	fd = mkstemp(errpath);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "'%s' %s 2>'%s'", HPSIM_BINARY, args, errpath);
	p = popen(cmd, "r");
	assert_non_null(p);
	*out = malloc(cap);
	assert_non_null(*out);
	for (;;) {
		size_t n;

		if (len + 4096 > cap) {
			cap *= 2;
			*out = realloc(*out, cap);
			assert_non_null(*out);
		}
		n = fread(*out + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	(*out)[len] = '\0';
	st = pclose(p);
	e = fopen(errpath, "r");
	assert_non_null(e);
	len = fread(errbuf, 1, errlen - 1, e);
	errbuf[len] = '\0';
	fclose(e);
	unlink(errpath);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static json_t *replay_json(const char *extra)
{
	char args[1024], err[4096], *out;
	json_error_t jerr;
	json_t *root;

	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --format json %s",
	         HPSIM_SOURCE_DIR, extra);
	if (run(args, &out, err, sizeof(err)) != 0)
		fail_msg("hpsim %s failed: %s", args, err);
	root = json_loads(out, 0, &jerr);
	if (!root)
		fail_msg("not JSON (%s): %.200s", jerr.text, out);
	free(out);
	return root;
}

static uint64_t get(json_t *root, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(json_object_get(root, "total"), a), b);

	if (!json_is_integer(v))
		fail_msg("total.%s.%s missing", a, b);
	return (uint64_t)json_integer_value(v);
}

static void test_no_polling_with_zero_ceiling(void **unused)
{
	json_t *r;

	(void)unused;
	r = replay_json("--set halt_poll_ns=0");
	assert_int_equal(get(r, "host", "halt_attempted_poll"), 0);
	assert_int_equal(get(r, "host", "halt_successful_poll"), 0);
	assert_int_equal(get(r, "host", "poll_ns"), 0);
	assert_true(get(r, "host", "halt_wakeup") > 0);
	json_decref(r);
}

static void test_default_polls_most_pingpong_halts(void **unused)
{
	json_t *r, *total;
	uint64_t halts, hits;

	(void)unused;
	r = replay_json("");
	total = json_object_get(r, "total");
	halts = (uint64_t)json_integer_value(json_object_get(total, "halts"));
	hits = get(r, "host", "halt_successful_poll");
	assert_in_range(halts, 19000, 21000);
	/* most halts there are 10-50 us, inside the default 200 us window */
	if (hits * 2 <= halts)
		fail_msg("successful polls %llu of %llu halts, expected more than half",
		         (unsigned long long)hits, (unsigned long long)halts);
	assert_true(get(r, "host", "poll_ns") > 0);
	/* the config is echoed: x86 default ceiling */
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(
	            json_object_get(json_object_get(json_object_get(r, "config"), "layers"),
	                            "host"),
	            "params"),
	        "halt_poll_ns")),
	    200000);
	json_decref(r);
}

static void expect_failure(const char *args, const char *needle)
{
	char err[4096], *out;
	int rc = run(args, &out, err, sizeof(err));

	free(out);
	if (rc == 0)
		fail_msg("hpsim %s succeeded; expected an error", args);
	if (rc >= 128)
		fail_msg("hpsim %s crashed (status %d): %s", args, rc, err);
	if (!strstr(err, needle))
		fail_msg("hpsim %s said '%s'; expected it to mention '%s'", args, err, needle);
}

static void test_bad_input(void **unused)
{
	char args[1024], cut[] = "/tmp/hpsim-e2e-cut-XXXXXX";
	int fd;

	(void)unused;
	snprintf(cut, sizeof(cut), "/tmp/hpsim-e2e-cut-XXXXXX");
	fd = mkstemp(cut);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args), "head -c 300000 '%s/traces/pingpong.dat' > '%s'",
	         HPSIM_SOURCE_DIR, cut);
	assert_int_equal(system(args), 0);
	snprintf(args, sizeof(args), "replay '%s'", cut);
	expect_failure(args, cut);
	unlink(cut);

	snprintf(args, sizeof(args), "replay '%s/CMakeLists.txt'", HPSIM_SOURCE_DIR);
	expect_failure(args, "not a recognized trace");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --set bogus=1",
	         HPSIM_SOURCE_DIR);
	expect_failure(args,
	               "no configured policy has a parameter 'bogus' (valid: host.halt_poll_ns");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --set halt_poll_ns=-5",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "not an unsigned 32-bit integer");
	snprintf(args, sizeof(args),
	         "replay '%s/traces/pingpong.dat' --set halt_poll_ns=4294967296", HPSIM_SOURCE_DIR);
	expect_failure(args, "out of range");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --host nosuch",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "unknown host policy 'nosuch' (valid: kvm");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --kernel banana",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "kernel version 'banana'");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --arch sparc",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "unknown architecture 'sparc' (valid: x86, arm64, s390, ppc)");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --guest kvm",
	         HPSIM_SOURCE_DIR);
	/* (the list goes on with haltpoll@kernel in a -DHPSIM_KERNEL_SRC build) */
	expect_failure(args,
	               "policy 'kvm' is a host policy, not a guest one (valid guest policies: "
	               "haltpoll, none, fixed, oracle");
	snprintf(args, sizeof(args),
	         "replay '%s/traces/pingpong.dat' --host kvm --set guest_halt_poll_ns=1",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "no configured policy has a parameter 'guest_halt_poll_ns'");
	snprintf(args, sizeof(args),
	         "replay '%s/traces/pingpong.dat' --host fixed --guest fixed --set fixed_poll_ns=1",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "qualify it as guest.fixed_poll_ns or host.fixed_poll_ns");
	snprintf(args, sizeof(args),
	         "replay '%s/traces/pingpong.dat' --guest haltpoll --set "
	         "guest_halt_poll_allow_shrink=maybe",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "is not a boolean");
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --host kvm --vcore vcore",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "not both");
	/* the load model's seed is a whole number: 1.5 would silently be seed 1 */
	snprintf(args, sizeof(args), "replay '%s/traces/pingpong.dat' --host-load 0.2 --seed 1.5",
	         HPSIM_SOURCE_DIR);
	expect_failure(args, "--seed: '1.5' is not a whole number");
}

/* --emit-trace writes the decisions in trace-cmd report form: one kvm_vcpu_wakeup per host halt. */
static void test_emit_trace(void **unused)
{
	char args[1024], err[4096], line[512], *out, path[] = "/tmp/hpsim-e2e-trace-XXXXXX";
	unsigned long long wakeups = 0, adjusts = 0, last_us = 0;
	json_error_t jerr;
	json_t *root;
	FILE *f;
	int fd;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args),
	         "replay '%s/traces/pingpong-think50.dat' --format json --emit-trace '%s'",
	         HPSIM_SOURCE_DIR, path);
	if (run(args, &out, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	root = json_loads(out, 0, &jerr);
	assert_non_null(root);
	free(out);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_string_equal(line, "cpus=1\n");
	while (fgets(line, sizeof(line), f)) {
		unsigned long long sec, usec, ns, vcpu, nw, old;
		char comm[32], what[16], valid[16];
		unsigned int cpu;

		/* "       CPU 0/KVM-4000  [000]   338.382348: kvm_vcpu_wakeup:      wait time ..."
		 */
		assert_int_equal(line[16], '-');
		assert_int_equal(sscanf(line + 23, "[%3u] %llu.%6llu: ", &cpu, &sec, &usec), 3);
		assert_true(sec * 1000000 + usec >= last_us);
		last_us = sec * 1000000 + usec;
		memcpy(comm, line, 16);
		comm[16] = '\0';
		assert_non_null(strstr(comm, "CPU 0/KVM"));
		if (strstr(line, ": kvm_vcpu_wakeup:      ")) {
			assert_int_equal(sscanf(strstr(line, "wakeup:") + 7,
			                        " %15s time %llu ns, polling %15s", what, &ns,
			                        valid),
			                 3);
			assert_true(!strcmp(what, "poll") || !strcmp(what, "wait"));
			assert_string_equal(valid, "valid");
			wakeups++;
		} else if (strstr(line, ": kvm_halt_poll_ns:     ")) {
			assert_int_equal(sscanf(strstr(line, "ns:") + 3,
			                        " vcpu %llu: halt_poll_ns %llu (%15s %llu)", &vcpu,
			                        &nw, what, &old),
			                 4);
			adjusts++;
		} else {
			fail_msg("unexpected line: %s", line);
		}
	}
	fclose(f);
	unlink(path);
	{
		json_t *host = json_object_get(json_object_get(root, "total"), "host");

		assert_int_equal(wakeups, json_integer_value(json_object_get(host, "halts")));
		assert_int_equal(adjusts, json_integer_value(json_object_get(host, "grows")) +
		                              json_integer_value(json_object_get(host, "shrinks")));
	}
	json_decref(root);
}

/* A run with nothing to trace (a guest layer that never adapts) writes the header alone. */
static void test_emit_trace_empty(void **unused)
{
	char args[1024], err[4096], line[512], *out, path[] = "/tmp/hpsim-e2e-trace-XXXXXX";
	FILE *f;
	int fd;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(args, sizeof(args),
	         "replay '%s/traces/pingpong.dat' --guest none --emit-trace '%s'", HPSIM_SOURCE_DIR,
	         path);
	if (run(args, &out, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	free(out);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	assert_true(strncmp(line, "cpus=", 5) == 0);
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
}

static void test_help(void **unused)
{
	char err[4096], *out;

	(void)unused;
	assert_int_equal(run("--help", &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "replay"));
	free(out);
	assert_int_equal(run("replay --help", &out, err, sizeof(err)), 0);
	assert_non_null(strstr(out, "--set NAME=VALUE"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_polling_with_zero_ceiling),
	    cmocka_unit_test(test_default_polls_most_pingpong_halts),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_emit_trace),
	    cmocka_unit_test(test_emit_trace_empty),
	    cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
