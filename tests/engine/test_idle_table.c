/*
 * Host idle-state tables:
 *  - the built-in tables carry intel_idle's figures after a POLL state 0,
 *    "none" has no state, an unknown name is refused naming the built-ins;
 *  - a table written as JSON reads back identical (durations in whole us
 *    and in ns, power), and --host-idle's argument resolves to a built-in or
 *    a file;
 *  - every malformed table is refused with a message naming the file and
 *    the field (states[N].FIELD) and what was expected;
 *  - a fake sysfs tree of real files (ROOT/devices/system/cpu/cpu0/cpuidle/
 *    stateN/{name,latency,residency,power}) reads as the table it describes,
 *    its driver's name the table's; a tree without a cpuidle directory is
 *    refused saying the machine exposes no cpuidle states; a bad attribute
 *    names its file;
 *  - `hpsim idle-states --sysfs ROOT -o FILE` writes that table, which
 *    --show reads back; without --sysfs it reads this machine's /sys, and
 *    fails clearly when /sys has no cpuidle states.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "hpsim/idle.h"

#define US 1000ull

static char dir[] = "/tmp/hpsim-idle-table-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[1024], cmd[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* dir/rel, in one of four buffers (so that one call may take several). */
static const char *path_of(const char *rel)
{
	static char path[4][512];
	static unsigned k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, rel);
	return path[k];
}

static void test_builtin(void **state)
{
	struct hp_idle_table t;
	struct hp_err err = {{0}};

	(void)state;
	assert_int_equal(hp_idle_table_builtin("skx", &t, &err), 0);
	assert_int_equal(t.count, 4);
	assert_string_equal(t.state[0].name, "POLL");
	assert_true(t.state[0].polling);
	assert_int_equal(t.state[0].exit_latency_ns, 0);
	assert_string_equal(t.state[2].name, "C1E");
	assert_false(t.state[2].polling);
	assert_int_equal(t.state[2].exit_latency_ns, 10 * US);
	assert_int_equal(t.state[2].target_residency_ns, 20 * US);
	assert_int_equal(t.state[3].exit_latency_ns, 133 * US);
	assert_int_equal(t.state[3].target_residency_ns, 600 * US);
	assert_false(t.state[3].has_power);

	assert_int_equal(hp_idle_table_builtin("icx", &t, &err), 0);
	assert_int_equal(t.state[1].exit_latency_ns, 1 * US);
	assert_int_equal(t.state[2].target_residency_ns, 4 * US);
	assert_int_equal(t.state[3].exit_latency_ns, 170 * US);
	assert_int_equal(hp_idle_table_builtin("spr", &t, &err), 0);
	assert_int_equal(t.state[2].exit_latency_ns, 2 * US);
	assert_int_equal(t.state[3].exit_latency_ns, 290 * US);
	assert_int_equal(t.state[3].target_residency_ns, 800 * US);
	assert_int_equal(hp_idle_table_builtin("none", &t, &err), 0);
	assert_int_equal(t.count, 0);
	assert_string_equal(t.name, "none");

	assert_int_equal(hp_idle_table_builtin("hsw", &t, &err), -1);
	assert_non_null(strstr(err.msg, "'hsw'"));
	assert_non_null(strstr(err.msg, "skx, icx, spr, none"));
}

static void test_roundtrip(void **state)
{
	struct hp_idle_table t, u;
	struct hp_err err = {{0}};
	FILE *f;

	(void)state;
	assert_int_equal(hp_idle_table_builtin("spr", &t, &err), 0);
	snprintf(t.name, sizeof(t.name), "spr-measured");
	t.state[1].exit_latency_ns = 1500; /* not whole us: written in ns */
	t.state[3].power_mw = 150.25;
	t.state[3].has_power = true;
	f = fopen(path_of("rt.json"), "w");
	assert_non_null(f);
	assert_int_equal(hp_idle_table_write_json(f, &t, &err), 0);
	fclose(f);
	assert_int_equal(hp_idle_table_load(path_of("rt.json"), &u, &err), 0);
	assert_string_equal(u.name, "spr-measured");
	assert_int_equal(u.count, t.count);
	assert_int_equal(u.state[1].exit_latency_ns, 1500);
	assert_int_equal(u.state[3].target_residency_ns, 800 * US);
	assert_true(u.state[0].polling);
	assert_true(u.state[3].has_power);
	assert_true(u.state[3].power_mw == 150.25);
	assert_false(u.state[2].has_power);

	/* --host-idle: a built-in name, else a file */
	assert_int_equal(hp_idle_table_resolve("icx", &u, &err), 0);
	assert_string_equal(u.name, "icx");
	assert_int_equal(hp_idle_table_resolve(path_of("rt.json"), &u, &err), 0);
	assert_string_equal(u.name, "spr-measured");
	assert_int_equal(hp_idle_table_resolve(path_of("nonexistent.json"), &u, &err), -1);
	assert_non_null(strstr(err.msg, "neither a built-in table"));
	assert_non_null(strstr(err.msg, "nonexistent.json"));

	/* fractional microseconds, and a file without POLL */
	put("frac.json",
	    "{\"name\": \"arm\", \"states\": [{\"name\": \"WFI\", \"exit_latency_us\": "
	    "0.5, \"target_residency_ns\": 1200, \"power_mw\": 80}]}");
	assert_int_equal(hp_idle_table_load(path_of("frac.json"), &u, &err), 0);
	assert_int_equal(u.count, 1);
	assert_false(u.state[0].polling);
	assert_int_equal(u.state[0].exit_latency_ns, 500);
	assert_int_equal(u.state[0].target_residency_ns, 1200);
}

/* A table that must fail, with every expected fragment in the message. */
static void bad(const char *json, const char *frag1, const char *frag2)
{
	struct hp_idle_table t;
	struct hp_err err = {{0}};

	put("bad.json", json);
	assert_int_equal(hp_idle_table_load(path_of("bad.json"), &t, &err), -1);
	if (!strstr(err.msg, "bad.json") || !strstr(err.msg, frag1) ||
	    (frag2 && !strstr(err.msg, frag2)))
		fail_msg("for %s: message \"%s\" lacks \"%s\"/\"%s\"", json, err.msg, frag1,
		         frag2 ? frag2 : "");
}

#define C1 "{\"name\": \"C1\", \"exit_latency_us\": 2, \"target_residency_us\": 2}"

static void test_errors(void **state)
{
	(void)state;
	bad("{\"name\": \"x\", \"states\": [", "not JSON", NULL);
	bad("[1, 2]", "one JSON object", NULL);
	bad("{\"states\": []}", "name:", "expected a string");
	bad("{\"name\": \"x\"}", "states:", "expected an array");
	bad("{\"name\": \"x\", \"states\": [], \"stats\": 1}", "stats: unknown field", NULL);
	bad("{\"name\": \"x\", \"states\": [" C1
	    ", {\"name\": \"C6\", \"target_residency_us\": 600}]}",
	    "states[1].exit_latency_us", "missing");
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"C6\", \"exit_latency_us\": 1}]}",
	    "states[0].target_residency_us", "missing");
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"C6\", \"exit_latency_us\": \"133\", "
	    "\"target_residency_us\": 600}]}",
	    "states[0].exit_latency_us", "expected a number of microseconds");
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"C6\", \"exit_latency_us\": -1, "
	    "\"target_residency_us\": 600}]}",
	    "states[0].exit_latency_us", NULL);
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"C6\", \"exit_latency_ns\": 1.5, "
	    "\"target_residency_us\": 600}]}",
	    "states[0].exit_latency_ns", "integer number of nanoseconds");
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"C6\", \"exit_latency_ns\": 1, "
	    "\"exit_latency_us\": 1, \"target_residency_us\": 600}]}",
	    "states[0]", "not both");
	bad("{\"name\": \"x\", \"states\": [" C1 ", {\"name\": \"C6\", \"exit_latency_us\": 1, "
	    "\"target_residency_us\": 6, \"power_mw\": \"lots\"}]}",
	    "states[1].power_mw", "milliwatts");
	bad("{\"name\": \"x\", \"states\": [" C1 ", {\"name\": \"C6\", \"exit_latency_us\": 1, "
	    "\"target_residency_us\": 6, \"latency\": 3}]}",
	    "states[1].latency: unknown field", NULL);
	bad("{\"name\": \"x\", \"states\": [" C1 ", {\"name\": \"P\", \"polling\": true}]}",
	    "states[1].polling", "only state 0");
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"\", \"exit_latency_us\": 1, "
	    "\"target_residency_us\": 1}]}",
	    "states[0].name", "1 to 15 characters");
	bad("{\"name\": \"x\", \"states\": [{\"name\": \"C6\", \"exit_latency_us\": 133, "
	    "\"target_residency_us\": 600}, " C1 "]}",
	    "states[1].target_residency", "below the previous state");
	bad("{\"name\": \"x\", \"states\": [" C1 "," C1 "," C1 "," C1 "," C1 "," C1 "," C1 "," C1
	    "," C1 "," C1 "," C1 "]}",
	    "states:", "0 to 10 states");
}

/* A cpuidle sysfs directory for cpu0: POLL, C1, C6 of some driver. */
static void fake_sysfs(const char *root)
{
	char rel[256];
	static const char *const names[] = {"POLL", "C1", "C6"};
	static const char *const lat[] = {"0", "2", "133"};
	static const char *const res[] = {"0", "2", "600"};
	static const char *const pw[] = {"4294967295", "0", "75"};
	int i;

	for (i = 0; i < 3; i++) {
#define PUT(attr, v)                                                                               \
	snprintf(rel, sizeof(rel), "%s/devices/system/cpu/cpu0/cpuidle/state%d/" attr, root, i);   \
	put(rel, v)
		PUT("name", names[i]);
		PUT("latency", lat[i]);
		PUT("residency", res[i]);
		PUT("power", pw[i]);
		PUT("desc", "a state\n");
#undef PUT
	}
	snprintf(rel, sizeof(rel), "%s/devices/system/cpu/cpuidle/current_driver", root);
	put(rel, "intel_idle\n");
}

static void test_sysfs(void **state)
{
	struct hp_idle_table t;
	struct hp_err err = {{0}};

	(void)state;
	fake_sysfs("sys");
	assert_int_equal(hp_idle_table_from_sysfs(path_of("sys"), 0, &t, &err), 0);
	assert_string_equal(t.name, "intel_idle");
	assert_int_equal(t.count, 3);
	assert_true(t.state[0].polling);
	assert_false(t.state[0].has_power);
	assert_string_equal(t.state[2].name, "C6");
	assert_int_equal(t.state[2].exit_latency_ns, 133 * US);
	assert_int_equal(t.state[2].target_residency_ns, 600 * US);
	assert_true(t.state[2].has_power);
	assert_true(t.state[2].power_mw == 75.0);
	assert_false(t.state[1].has_power);

	/* a CPU with no cpuidle directory */
	put("nocpuidle/devices/system/cpu/cpu0/uevent", "");
	put("nocpuidle/devices/system/cpu/cpuidle/current_driver", "none\n");
	assert_int_equal(hp_idle_table_from_sysfs(path_of("nocpuidle"), 0, &t, &err), -1);
	assert_non_null(strstr(err.msg, "exposes no cpuidle states"));
	assert_non_null(strstr(err.msg, "cpuidle driver: none"));
	assert_int_equal(hp_idle_table_from_sysfs(path_of("nocpuidle"), 7, &t, &err), -1);
	assert_non_null(strstr(err.msg, "cpu7: no such CPU"));

	/* a bad attribute names its file */
	fake_sysfs("badsys");
	put("badsys/devices/system/cpu/cpu0/cpuidle/state2/latency", "lots\n");
	assert_int_equal(hp_idle_table_from_sysfs(path_of("badsys"), 0, &t, &err), -1);
	assert_non_null(strstr(err.msg, "state2/latency"));
	assert_non_null(strstr(err.msg, "\"lots\""));
}

static int hpsim(const char *args, const char *out, const char *errf)
{
	char cmd[8192];
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>'%s'", HPSIM_BINARY, args, path_of(out),
	         path_of(errf));
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *rel)
{
	FILE *f = fopen(path_of(rel), "r");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	assert_non_null(buf);
	if (fread(buf, 1, 65535, f) == 0)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static void test_cli(void **state)
{
	struct hp_idle_table t;
	struct hp_err err = {{0}};
	char args[4096], *e;
	struct stat st;

	(void)state;
	fake_sysfs("clisys");
	snprintf(args, sizeof(args), "idle-states --sysfs '%s' -o '%s'", path_of("clisys"),
	         path_of("dump.json"));
	assert_int_equal(hpsim(args, "o1", "e1"), 0);
	assert_int_equal(hp_idle_table_load(path_of("dump.json"), &t, &err), 0);
	assert_string_equal(t.name, "intel_idle");
	assert_int_equal(t.count, 3);
	assert_int_equal(t.state[2].target_residency_ns, 600 * US);

	snprintf(args, sizeof(args), "idle-states --show '%s'", path_of("dump.json"));
	assert_int_equal(hpsim(args, "o2", "e2"), 0);
	assert_int_equal(hp_idle_table_load(path_of("o2"), &t, &err), 0);
	assert_int_equal(t.state[2].exit_latency_ns, 133 * US);
	assert_int_equal(hpsim("idle-states --show skx", "o3", "e3"), 0);
	assert_int_equal(hp_idle_table_load(path_of("o3"), &t, &err), 0);
	assert_int_equal(t.state[3].target_residency_ns, 600 * US);
	assert_int_equal(hpsim("idle-states --cpu x", "o4", "e4"), 2);

	/* this machine: its table, or a clear refusal when it has none */
	if (stat("/sys/devices/system/cpu/cpu0/cpuidle", &st) == 0) {
		assert_int_equal(hpsim("idle-states", "o5", "e5"), 0);
		assert_int_equal(hp_idle_table_load(path_of("o5"), &t, &err), 0);
	} else {
		assert_int_equal(hpsim("idle-states", "o5", "e5"), 1);
		e = slurp("e5");
		assert_non_null(strstr(e, "exposes no cpuidle states"));
		free(e);
	}
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_builtin), cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_errors),  cmocka_unit_test(test_sysfs),
	    cmocka_unit_test(test_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
