/*
 * hpsim check: kvm_stat logs (plain and CSV, written here in kvm_stat's own
 * formats), debugfs snapshot pairs, predictions from recommend and replay
 * JSON, the tolerance rule, and the command's exit statuses; and the
 * recommend command's text and JSON on a small generated sweep.
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
#include <jansson.h>

#include "hpsim/host.h"

static char tmp[256];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static const char *at(const char *name)
{
	static char path[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", tmp, name);
	return path[k];
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/hpsim-check-XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return sh("rm -rf '%s'", tmp);
}

static bool near(double a, double b)
{
	return a - b < 1e-6 && b - a < 1e-6;
}

/* kvm_stat -l: a banner of names (space-separated, trailing space), then DATE TIME and %9d deltas.
 */
static const char plain_log[] =
    "exits halt_attempted_poll halt_exits halt_successful_poll halt_wait_ns \n"
    "2026-12-05 23:10:00       500       120       130       100   4000000\n"
    "2026-12-05 23:10:10       500       220       230       200   4000000\n"
    "exits halt_attempted_poll halt_exits halt_successful_poll halt_wait_ns \n"
    "2026-12-05 23:10:20       500       320       330       300   4000000\n";

static void test_kvm_stat_plain(void **state)
{
	struct hp_host_rates o;
	struct hp_err err = {""};

	(void)state;
	write_file("plain.log", plain_log);
	/* 3 lines 10 s apart: from 10 s before the first to the last, 30 s */
	assert_int_equal(hp_host_rates_kvm_stat(at("plain.log"), 0, &o, &err), 0);
	assert_true(near(o.seconds, 30));
	assert_true(near(o.v[1], 600.0 / 30)); /* halt_successful_poll */
	assert_true(near(o.v[0], 660.0 / 30)); /* halt_attempted_poll */
	assert_true(near(o.v[6], 12e6 / 30));  /* halt_wait_ns */
	assert_int_equal(o.have[0] + o.have[1] + o.have[6], 3);
	assert_int_equal(o.have[2] + o.have[3] + o.have[4] + o.have[5], 0); /* not logged */
	/* an interval given: lines -s 5 apart would make it 25 s */
	assert_int_equal(hp_host_rates_kvm_stat(at("plain.log"), 5, &o, &err), 0);
	assert_true(near(o.seconds, 25));
}

static void test_kvm_stat_csv(void **state)
{
	struct hp_host_rates o;
	struct hp_err err = {""};

	(void)state;
	/* kvm_stat -l -c: "timestamp,NAMES", then "DATE TIME,deltas"; across midnight */
	write_file("csv.log",
	           "timestamp,halt_attempted_poll,halt_poll_fail_ns,halt_successful_poll\n"
	           "2026-12-05 23:59:58,50,1000000,40\n"
	           "2026-12-06 00:00:01,70,2000000,60\n");
	assert_int_equal(hp_host_rates_kvm_stat(at("csv.log"), 3, &o, &err), 0);
	assert_true(near(o.seconds, 6));
	assert_true(near(o.v[0], 20));
	assert_true(near(o.v[1], 100.0 / 6));
	assert_true(near(o.v[5], 3e6 / 6));
	/* without --interval, from the timestamps: 3 s apart, the same */
	assert_int_equal(hp_host_rates_kvm_stat(at("csv.log"), 0, &o, &err), 0);
	assert_true(near(o.seconds, 6));
}

static void kvm_stat_err(const char *text, double interval, const char *want)
{
	struct hp_host_rates o;
	struct hp_err err = {""};

	write_file("bad.log", text);
	assert_int_equal(hp_host_rates_kvm_stat(at("bad.log"), interval, &o, &err), -1);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

static void test_kvm_stat_errors(void **state)
{
	(void)state;
	kvm_stat_err("2026-12-05 23:10:00 1 2\n", 0, "bad.log:1: a value line before any banner");
	kvm_stat_err("a b \n2026-12-05 23:10:00 1 2 3\n", 3,
	             "bad.log:2: 3 values, but the banner names 2");
	kvm_stat_err("a b \n2026-12-05 23:10:00 1 x\n", 3,
	             "bad.log:2: column 2: 'x' is not a number");
	kvm_stat_err("a b \n2026-12-05 23:10:00 1 2\n", 0, "one value line: give --interval");
	kvm_stat_err("a b \n", 0, "no value lines");
	kvm_stat_err("timestamp,a\n2026-12-05 23:10:00,\"1\n", 3,
	             "bad.log:2: not a kvm_stat log line");
}

static void test_debugfs(void **state)
{
	struct hp_host_rates o;
	struct hp_err err = {""};

	(void)state;
	assert_int_equal(sh("mkdir -p %s/before %s/after %s/before/1234-11", tmp, tmp, tmp), 0);
	write_file("before/halt_successful_poll", "1000\n");
	write_file("after/halt_successful_poll", "6000\n");
	write_file("before/halt_poll_success_ns", "0\n");
	write_file("after/halt_poll_success_ns", "250000000\n");
	assert_int_equal(hp_host_rates_debugfs(at("before"), at("after"), 5, &o, &err), 0);
	assert_true(near(o.v[1], 1000));
	assert_true(near(o.v[4], 5e7));
	assert_int_equal(o.have[0], 0);
	/* swapped: a count that goes down */
	assert_int_equal(hp_host_rates_debugfs(at("after"), at("before"), 5, &o, &err), -1);
	assert_non_null(strstr(err.msg, "went down"));
	assert_int_equal(hp_host_rates_debugfs(at("before"), at("after"), 0, &o, &err), -1);
	assert_non_null(strstr(err.msg, "--interval"));
	write_file("after/halt_wakeup", "12\n");
	assert_int_equal(hp_host_rates_debugfs(at("before"), at("after"), 5, &o, &err), -1);
	assert_non_null(strstr(err.msg, "halt_wakeup is in"));
	write_file("before/halt_wakeup", "ten\n");
	assert_int_equal(hp_host_rates_debugfs(at("before"), at("after"), 5, &o, &err), -1);
	assert_non_null(strstr(err.msg, "before/halt_wakeup: expected one non-negative integer"));
}

static const char reco_json[] =
    "{\"hpsim_host_recommendation\": 1, \"traces\": ["
    " {\"trace\": \"a.dat\", \"predicted_per_s\": {\"halt_successful_poll\": 5}}],"
    " \"predicted_per_s\": {\"halt_attempted_poll\": 22, \"halt_successful_poll\": 30,"
    " \"halt_wait_ns\": 400000}}\n";

static void test_compare(void **state)
{
	struct hp_host_rates p, o;
	struct hp_err err = {""};
	FILE *f;
	char buf[4096];
	size_t n;
	int outside;

	(void)state;
	write_file("reco.json", reco_json);
	write_file("plain.log", plain_log);
	assert_int_equal(hp_host_rates_predicted(at("reco.json"), NULL, &p, &err), 0);
	assert_true(near(p.v[1], 30) && p.have[1] && !p.have[2]);
	assert_int_equal(hp_host_rates_predicted(at("reco.json"), "a.dat", &p, &err), 0);
	assert_true(near(p.v[1], 5) && !p.have[0]);
	assert_int_equal(hp_host_rates_predicted(at("reco.json"), "b.dat", &p, &err), -1);
	assert_non_null(strstr(err.msg, "no trace 'b.dat'"));
	assert_int_equal(hp_host_rates_predicted(at("plain.log"), NULL, &p, &err), -1);

	assert_int_equal(hp_host_rates_predicted(at("reco.json"), NULL, &p, &err), 0);
	assert_int_equal(hp_host_rates_kvm_stat(at("plain.log"), 0, &o, &err), 0);
	/*
	 * Observed over 30 s: attempted 22/s, successful 20/s, wait 400000 ns/s.
	 * successful: 20 - 30 = -10; allowed 0.25 * 30 + 1 + 3 * sqrt(30 * 30) / 30
	 * = 11.5: within. At a 10% tolerance 3 + 1 + 3 = 7: not.
	 */
	f = fopen(at("out.txt"), "w+");
	assert_non_null(f);
	hp_host_check_print(f, &p, &o, 0.25, &outside);
	assert_int_equal(outside, 0);
	hp_host_check_print(f, &p, &o, 0.10, &outside);
	assert_int_equal(outside, 1);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_non_null(strstr(buf, "halt_successful_poll"));
	assert_non_null(strstr(buf, "3 of 3 statistics within"));
	assert_non_null(strstr(buf, "2 of 3 statistics within"));
	assert_non_null(strstr(buf, "(not observed)")); /* halt_poll_invalid: neither */
}

/* A replay report predicts its host layer's totals over the capture's wall time. */
static void test_replay_prediction(void **state)
{
	struct hp_host_rates p;
	struct hp_err err = {""};
	json_error_t je;
	json_t *root, *host;
	double s;

	(void)state;
	assert_int_equal(
	    sh("'%s' replay %s/traces/pingpong.dat --host kvm --format json > %s/r.json",
	       HPSIM_BINARY, HPSIM_SOURCE_DIR, tmp),
	    0);
	assert_int_equal(hp_host_rates_predicted(at("r.json"), NULL, &p, &err), 0);
	root = json_load_file(at("r.json"), 0, &je);
	assert_non_null(root);
	host = json_object_get(json_object_get(root, "total"), "host");
	s = (double)json_integer_value(json_object_get(json_object_get(root, "trace"), "wall_ns")) /
	    1e9;
	assert_true(s > 0);
	assert_true(near(
	    p.v[1] * s, (double)json_integer_value(json_object_get(host, "halt_successful_poll"))));
	assert_true(p.v[1] > 0);
	json_decref(root);
	write_file("g.json", "{\"hpsim_report\": 1, \"trace\": {\"wall_ns\": 5}, \"total\": {}}");
	assert_int_equal(hp_host_rates_predicted(at("g.json"), NULL, &p, &err), -1);
	assert_non_null(strstr(err.msg, "no host or vcore layer"));
}

static void test_cli(void **state)
{
	(void)state;
	write_file("reco.json", reco_json);
	write_file("plain.log", plain_log);
	assert_int_equal(
	    sh("'%s' check %s %s > %s/c.out", HPSIM_BINARY, at("reco.json"), at("plain.log"), tmp),
	    0);
	assert_int_equal(sh("grep -q '^halt_successful_poll .* yes' %s/c.out", tmp), 0);
	assert_int_equal(sh("'%s' check %s %s --tolerance 10 > %s/c.out 2>%s/c.err", HPSIM_BINARY,
	                    at("reco.json"), at("plain.log"), tmp, tmp),
	                 1);
	assert_int_equal(sh("grep -q 'outside the tolerance' %s/c.err", tmp), 0);
	assert_int_equal(sh("grep -q '^halt_successful_poll .* NO' %s/c.out", tmp), 0);
	assert_int_equal(
	    sh("'%s' check %s %s 2>/dev/null", HPSIM_BINARY, at("reco.json"), at("nothere.log")),
	    1);
	assert_int_equal(sh("'%s' check %s 2>/dev/null", HPSIM_BINARY, at("reco.json")), 2);
	assert_int_equal(sh("mkdir -p %s/d1 %s/d2", tmp, tmp), 0);
	assert_int_equal(
	    sh("'%s' check %s %s 2>/dev/null", HPSIM_BINARY, at("reco.json"), at("d1")), 2);
}

/* recommend's text and JSON agree, and the JSON is check's input. */
static void test_recommend_cli(void **state)
{
	json_error_t je;
	json_t *root, *set;
	char cmd[1024];
	uint32_t v;

	(void)state;
	write_file(
	    "sweep.json",
	    "{\"traces\": [{\"gen\": \"pingpong\", \"params\": {\"count\": 300}},"
	    " {\"gen\": \"periodic\", \"params\": {\"count\": 300}}],"
	    " \"policies\": {\"host\": \"kvm\"}, \"kernel\": \"6.11\","
	    " \"params\": {\"halt_poll_ns\": {\"from\": 10000, \"to\": 400000,"
	    " \"per_decade\": 5}}, \"oracle\": false,"
	    " \"recommend\": {\"traces\": {\"gen:periodic count=300\": {\"weight\": 10}}}}\n");
	assert_int_equal(sh("'%s' sweep %s -o %s/sw -j1 --quiet > /dev/null", HPSIM_BINARY,
	                    at("sweep.json"), tmp),
	                 0);
	assert_int_equal(sh("'%s' recommend %s/sw > %s/r.txt && '%s' recommend %s/sw --format json "
	                    "-o %s/r.json",
	                    HPSIM_BINARY, tmp, tmp, HPSIM_BINARY, tmp, tmp),
	                 0);
	root = json_load_file(at("r.json"), 0, &je);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "status")), "ok");
	set = json_object_get(root, "setting");
	v = (uint32_t)json_integer_value(json_object_get(set, "host.halt_poll_ns"));
	assert_true(hp_host_is_round(v, 0));
	snprintf(
	    cmd, sizeof(cmd),
	    "grep -q '^  host, now (root) *echo %u > /sys/module/kvm/parameters/halt_poll_ns$' "
	    "%s/r.txt && grep -q 'options kvm halt_poll_ns=%u halt_poll_ns_grow=2 ' %s/r.txt",
	    v, tmp, v, tmp);
	assert_int_equal(sh("%s", cmd), 0);
	/* what was not swept is written at the 6.11 default the replay used (shrink 2, grow 2) */
	assert_int_equal(sh("grep -q 'echo 2 > /sys/module/kvm/parameters/halt_poll_ns_shrink   # "
	                    "the 6.11 default, as replayed$' %s/r.txt && grep -q 'echo 10000 > "
	                    "/sys/module/kvm/parameters/halt_poll_ns_grow_start ' %s/r.txt",
	                    tmp, tmp),
	                 0);
	assert_int_equal(json_array_size(json_object_get(root, "traces")), 2);
	assert_true(json_is_object(json_object_get(root, "predicted_per_s")));
	/* the prediction checked against itself as a debugfs pair: every statistic within */
	assert_int_equal(sh("mkdir -p %s/s0 %s/s1", tmp, tmp), 0);
	{
		const char *k;
		json_t *x;

		json_object_foreach(json_object_get(root, "predicted_per_s"), k, x)
		{
			char name[128], val[64];

			snprintf(name, sizeof(name), "s0/%s", k);
			write_file(name, "0\n");
			snprintf(name, sizeof(name), "s1/%s", k);
			snprintf(val, sizeof(val), "%.0f\n", json_number_value(x) * 10);
			write_file(name, val);
		}
	}
	json_decref(root);
	assert_int_equal(sh("'%s' check %s/r.json %s/s0 %s/s1 --interval 10 > %s/c.out",
	                    HPSIM_BINARY, tmp, tmp, tmp, tmp),
	                 0);
	assert_int_equal(sh("grep -q '7 of 7 statistics within' %s/c.out", tmp), 0);
	/* the per-trace answer is still there */
	assert_int_equal(
	    sh("'%s' recommend --per-trace %s/sw | grep -q 'recommended:'", HPSIM_BINARY, tmp), 0);
}

/*
 * A host capture as the observation: replayed at the prediction's own
 * setting it is the prediction (every statistic within); replayed at
 * halt_poll_ns=0 (what --set says was in force) nothing polls.
 */
static void test_capture(void **state)
{
	(void)state;
	assert_int_equal(sh("'%s' replay %s/traces/host-minivm.dat --host kvm --format json > "
	                    "%s/hm.json",
	                    HPSIM_BINARY, HPSIM_SOURCE_DIR, tmp),
	                 0);
	assert_int_equal(sh("'%s' check %s/hm.json %s/traces/host-minivm.dat > %s/c.out",
	                    HPSIM_BINARY, tmp, HPSIM_SOURCE_DIR, tmp),
	                 0);
	assert_int_equal(sh("grep -q '7 of 7 statistics within' %s/c.out", tmp), 0);
	assert_int_equal(
	    sh("'%s' check %s/hm.json %s/traces/host-minivm.dat --set halt_poll_ns=0 > "
	       "%s/c.out",
	       HPSIM_BINARY, tmp, HPSIM_SOURCE_DIR, tmp),
	    1);
	assert_int_equal(sh("grep -Eq '^halt_attempted_poll +[0-9.]+ +0\\.0 .* NO' %s/c.out && "
	                    "grep -Eq '^halt_poll_success_ns +[0-9.]+ +0\\.0 .* NO' %s/c.out",
	                    tmp, tmp),
	                 0);
	assert_int_equal(sh("'%s' check %s/hm.json %s/traces/host-minivm.dat --set nope=1 "
	                    "2>/dev/null",
	                    HPSIM_BINARY, tmp, HPSIM_SOURCE_DIR),
	                 1);
}

/* Sweep two stacks on a generated 1 ms timer, recommend into m.txt. */
static void mixed(const char *first, const char *second)
{
	char json[1024];

	snprintf(json, sizeof(json),
	         "{\"traces\": [{\"gen\": \"periodic\", \"params\": {\"count\": 300}}],"
	         " \"policies\": [%s, %s], \"oracle\": false,"
	         " \"objective\": {\"constraints\": {\"poll_cpu_pct_max\": 0}}}\n",
	         first, second);
	write_file("mixed.json", json);
	assert_int_equal(sh("rm -rf %s/ms && '%s' sweep %s -o %s/ms -j1 --quiet > /dev/null && "
	                    "'%s' recommend %s/ms > %s/m.txt",
	                    tmp, HPSIM_BINARY, at("mixed.json"), tmp, HPSIM_BINARY, tmp, tmp),
	                 0);
}

/* The lines to apply name the layer the answer uses, and switch off the one it leaves out. */
static void test_apply_lines(void **state)
{
	json_error_t je;
	json_t *root;
	uint32_t v;

	(void)state;
	write_file("guest.json",
	           "{\"traces\": [{\"gen\": \"pingpong\", \"params\": {\"count\": 300}}],"
	           " \"policies\": [{\"guest\": \"haltpoll\", \"host\": \"kvm\", \"params\":"
	           " {\"guest_halt_poll_ns\": [30000, 300000]}}], \"oracle\": false}\n");
	assert_int_equal(sh("'%s' sweep %s -o %s/gs -j1 --quiet > /dev/null && '%s' recommend "
	                    "%s/gs > %s/g.txt && '%s' recommend %s/gs --format json -o %s/g.json",
	                    HPSIM_BINARY, at("guest.json"), tmp, HPSIM_BINARY, tmp, tmp,
	                    HPSIM_BINARY, tmp, tmp),
	                 0);
	root = json_load_file(at("g.json"), 0, &je);
	assert_non_null(root);
	v = (uint32_t)json_integer_value(
	    json_object_get(json_object_get(root, "setting"), "guest.guest_halt_poll_ns"));
	json_decref(root);
	/*
	 * The stack is haltpoll over kvm: the host's lines are kvm's 6.11 defaults
	 * (halt_poll_ns 200000), the guest's the answer. 30000 and 300000 are
	 * not round: the answer is 20000, 50000, 200000 or 500000.
	 */
	assert_true(v == 20000 || v == 50000 || v == 200000 || v == 500000);
	assert_int_equal(
	    sh("grep -q 'echo %u > /sys/module/haltpoll/parameters/guest_halt_poll_ns$' %s/g.txt "
	       "&& "
	       "grep -q 'cpuidle_haltpoll.force=1 haltpoll.guest_halt_poll_ns=%u ' %s/g.txt && "
	       "grep -q 'state0/{usage,time}' %s/g.txt && grep -q 'echo 200000 > "
	       "/sys/module/kvm/parameters/halt_poll_ns   # the 6.11 default' %s/g.txt",
	       v, tmp, v, tmp, tmp, tmp),
	    0);
	/*
	 * Guest polling only against host polling only, on a 1 ms timer neither
	 * polls for (every poll window is far shorter): equal figures, the lower
	 * point wins, and the lines switch the other layer off.
	 */
	mixed("{\"guest\": \"haltpoll\", \"host\": \"none\"}",
	      "{\"host\": \"kvm\", \"params\": {\"halt_poll_ns\": [0]}}");
	assert_int_equal(sh("grep -q 'echo 0 > /sys/module/kvm/parameters/halt_poll_ns (no host "
	                    "polling)$' %s/m.txt && grep -q 'cpuidle_haltpoll.force=1 ' %s/m.txt",
	                    tmp, tmp),
	                 0);
	mixed("{\"host\": \"kvm\", \"params\": {\"halt_poll_ns\": [0]}}",
	      "{\"guest\": \"haltpoll\", \"host\": \"none\"}");
	assert_int_equal(
	    sh("grep -q 'echo 0 > /sys/module/kvm/parameters/halt_poll_ns$' %s/m.txt && "
	       "grep -q 'no guest haltpoll' %s/m.txt",
	       tmp, tmp),
	    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kvm_stat_plain),
	    cmocka_unit_test(test_kvm_stat_csv),
	    cmocka_unit_test(test_kvm_stat_errors),
	    cmocka_unit_test(test_debugfs),
	    cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_replay_prediction),
	    cmocka_unit_test(test_cli),
	    cmocka_unit_test(test_recommend_cli),
	    cmocka_unit_test(test_apply_lines),
	    cmocka_unit_test(test_capture),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
