/*
 * The report surfaces of the hpsim binary, end to end on traces/pingpong.dat:
 *  - `hpsim cost --arch ppc` prints the ppc defaults as JSON that `--cost`
 *    reads back unchanged; unknown names, non-numeric values, values past
 *    HP_COST_MAX_NS and missing files fail naming the key or file;
 *  - the JSON report echoes every policy parameter and cost-model value and
 *    the mode, vcore size, host load and cost file;
 *  - `--format csv` has one row per vCPU and a total row, with the same
 *    column count in every row, the time columns add up to wall time, and
 *    the CPU cost is guest poll + host poll + transitions;
 *  - `hpsim compare` shows no difference between a report and itself, and
 *    names the parameter and the figures that differ between two settings,
 *    a histogram or latency CDF as one line (with --all, every bucket);
 *  - --vcore-size: needs --vcore, a whole number >= 1, and with a single
 *    halting vCPU changes no figure.
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

#include "helpers.h"
#include <jansson.h>

#include "hpsim/policy.h"

#define TRACE HPSIM_SOURCE_DIR "/traces/pingpong.dat"

static char dir[] = "/tmp/hpsim-report-cli-XXXXXX";

/* Run `hpsim ARGS` with stdout to dir/NAME.out and stderr to dir/NAME.err; the exit status. */
static int hpsim(const char *name, const char *args)
{
	return test_sh("'%s' %s >'%s/%s.out' 2>'%s/%s.err'", HPSIM_BINARY, args, dir, name, dir,
	               name);
}

/* The contents of dir/NAME (malloc'd). */
static char *slurp(const char *name)
{
	char path[512], *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf = test_slurp(path, NULL);
	assert_non_null(buf);
	return buf;
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static json_t *load_json(const char *name)
{
	char path[512];
	json_error_t je;
	json_t *j;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	j = json_load_file(path, 0, &je);
	if (!j)
		fail_msg("%s: %s", path, je.text);
	return j;
}

static int setup(void **unused)
{
	(void)unused;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **unused)
{
	char cmd[256];

	(void)unused;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_cost_file(void **unused)
{
	char args[1024], *err;
	json_t *cost, *rep;

	(void)unused;
	assert_int_equal(hpsim("cost", "cost --arch ppc"), 0);
	cost = load_json("cost.out");
	assert_int_equal(json_integer_value(json_object_get(cost, "hlt_exit_ns")), 2000);
	assert_int_equal(json_integer_value(json_object_get(cost, "host_wakeup_ns")), 8000);
	/* x86 semantics with ppc costs, from the file */
	snprintf(args, sizeof(args), "replay '%s' --format json --cost '%s/cost.out'", TRACE, dir);
	assert_int_equal(hpsim("rep", args), 0);
	rep = load_json("rep.out");
	assert_true(json_equal(json_object_get(json_object_get(rep, "config"), "cost"), cost));
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(rep, "config"), "arch")), "x86");
	json_decref(rep);
	json_decref(cost);

	write_file("bad1.json", "{\"hlt_exit_ns\": 100, \"wakeup_ns\": 5}");
	snprintf(args, sizeof(args), "replay '%s' --cost '%s/bad1.json'", TRACE, dir);
	assert_int_equal(hpsim("bad1", args), 1);
	err = slurp("bad1.err");
	assert_non_null(strstr(err, "\"wakeup_ns\""));
	free(err);
	write_file("bad2.json", "{\"vm_entry_ns\": \"600\"}");
	snprintf(args, sizeof(args), "replay '%s' --cost '%s/bad2.json'", TRACE, dir);
	assert_int_equal(hpsim("bad2", args), 1);
	err = slurp("bad2.err");
	assert_non_null(strstr(err, "\"vm_entry_ns\""));
	free(err);
	snprintf(args, sizeof(args), "replay '%s' --cost '%s/absent.json'", TRACE, dir);
	assert_int_equal(hpsim("bad3", args), 1);
	err = slurp("bad3.err");
	assert_non_null(strstr(err, "absent.json"));
	free(err);
	/* a cost past HP_COST_MAX_NS would wrap the engine's times: refused, file and flag */
	write_file("bad4.json", "{\"host_wakeup_ns\": 9223372036854775807}");
	snprintf(args, sizeof(args), "replay '%s' --cost '%s/bad4.json'", TRACE, dir);
	assert_int_equal(hpsim("bad4", args), 1);
	err = slurp("bad4.err");
	assert_non_null(strstr(err, "\"host_wakeup_ns\""));
	free(err);
	snprintf(args, sizeof(args), "replay '%s' --cost-set hlt_exit_ns=18446744073709551615",
	         TRACE);
	assert_int_equal(hpsim("bad5", args), 1);
	err = slurp("bad5.err");
	assert_non_null(strstr(err, "hlt_exit_ns"));
	free(err);
	/* the largest value is accepted and echoed */
	snprintf(args, sizeof(args), "replay '%s' --format json --cost-set guest_wakeup_ns=%llu",
	         TRACE, (unsigned long long)HP_COST_MAX_NS);
	assert_int_equal(hpsim("max", args), 0);
	rep = load_json("max.out");
	assert_int_equal(
	    json_integer_value(json_object_get(
	        json_object_get(json_object_get(rep, "config"), "cost"), "guest_wakeup_ns")),
	    HP_COST_MAX_NS);
	json_decref(rep);
}

static void test_json_echoes_inputs(void **unused)
{
	char args[1024];
	json_t *rep, *cfg, *host, *cost, *load;

	(void)unused;
	snprintf(args, sizeof(args),
	         "replay '%s' --format json --set halt_poll_ns=123456 --cost-set "
	         "poll_detect_ns=77 --mode closed --host-load 0.25 --host-load-model periodic "
	         "--host-load-burst-us 30 --seed 9",
	         TRACE);
	assert_int_equal(hpsim("echo", args), 0);
	rep = load_json("echo.out");
	cfg = json_object_get(rep, "config");
	host = json_object_get(json_object_get(json_object_get(cfg, "layers"), "host"), "params");
	assert_int_equal(json_integer_value(json_object_get(host, "halt_poll_ns")), 123456);
	/* every parameter the policy has on x86 (not s390's steal limit), the unset ceiling null */
	assert_int_equal(json_object_size(host), hp_policy_find("kvm")->nparams - 1);
	assert_null(json_object_get(host, "halt_poll_max_steal"));
	assert_true(json_is_null(json_object_get(host, "max_halt_poll_ns")));
	cost = json_object_get(cfg, "cost");
	assert_int_equal(json_object_size(cost), 6);
	assert_int_equal(json_integer_value(json_object_get(cost, "poll_detect_ns")), 77);
	assert_string_equal(json_string_value(json_object_get(cfg, "mode")), "closed");
	assert_int_equal(json_integer_value(json_object_get(cfg, "vcore_size")), 1);
	assert_true(json_is_null(json_object_get(cfg, "cost_file")));
	load = json_object_get(cfg, "host_load");
	assert_true(json_real_value(json_object_get(load, "fraction")) == 0.25);
	assert_string_equal(json_string_value(json_object_get(load, "model")), "periodic");
	assert_int_equal(json_integer_value(json_object_get(load, "burst_ns")), 30000);
	assert_int_equal(json_integer_value(json_object_get(load, "seed")), 9);
	json_decref(rep);
}

static void test_csv(void **unused)
{
	char args[1024], *csv, *line, *save = NULL;
	size_t rows = 0, cols0 = 0;
	int c_wall = -1, c_busy = -1, c_gp = -1, c_hp = -1, c_sl = -1, c_tr = -1, c_cost = -1;

	(void)unused;
	snprintf(args, sizeof(args), "replay '%s' --format csv", TRACE);
	assert_int_equal(hpsim("csv", args), 0);
	csv = slurp("csv.out");
	for (line = strtok_r(csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f, *s2 = NULL;
		size_t cols = 0;
		uint64_t v[7] = {0};

		for (f = strtok_r(line, ",", &s2); f; f = strtok_r(NULL, ",", &s2), cols++) {
			int col = (int)cols;

			if (rows == 0) {
				c_wall = !strcmp(f, "\"wall_ns\"") ? col : c_wall;
				c_busy = !strcmp(f, "\"busy_ns\"") ? col : c_busy;
				c_gp = !strcmp(f, "\"guest_poll_ns\"") ? col : c_gp;
				c_hp = !strcmp(f, "\"host_poll_ns\"") ? col : c_hp;
				c_sl = !strcmp(f, "\"sleep_ns\"") ? col : c_sl;
				c_tr = !strcmp(f, "\"transition_ns\"") ? col : c_tr;
				c_cost = !strcmp(f, "\"cpu_cost_ns\"") ? col : c_cost;
				continue;
			}
			if (col == 0)
				assert_string_equal(f, rows == 1 ? "\"0\"" : "\"total\"");
			v[0] = col == c_wall ? strtoull(f + 1, NULL, 10) : v[0];
			v[1] = col == c_busy ? strtoull(f + 1, NULL, 10) : v[1];
			v[2] = col == c_gp ? strtoull(f + 1, NULL, 10) : v[2];
			v[3] = col == c_hp ? strtoull(f + 1, NULL, 10) : v[3];
			v[4] = col == c_sl ? strtoull(f + 1, NULL, 10) : v[4];
			v[5] = col == c_tr ? strtoull(f + 1, NULL, 10) : v[5];
			v[6] = col == c_cost ? strtoull(f + 1, NULL, 10) : v[6];
		}
		if (rows == 0) {
			cols0 = cols;
			assert_true(c_wall > 0 && c_busy > 0 && c_gp > 0 && c_hp > 0 && c_sl > 0 &&
			            c_tr > 0 && c_cost > 0);
		} else {
			assert_int_equal(cols, cols0);
			assert_true(v[0] > 0);
			assert_int_equal(v[1] + v[2] + v[3] + v[4] + v[5], v[0]);
			assert_int_equal(v[2] + v[3] + v[5], v[6]);
		}
		rows++;
	}
	assert_int_equal(rows, 3); /* header, vCPU 0, total */
	free(csv);
}

static void test_compare(void **unused)
{
	char args[1024], *out;

	(void)unused;
	snprintf(args, sizeof(args), "replay '%s' --format json", TRACE);
	assert_int_equal(hpsim("a", args), 0);
	snprintf(args, sizeof(args), "replay '%s' --format json --set halt_poll_ns=50000", TRACE);
	assert_int_equal(hpsim("b", args), 0);
	snprintf(args, sizeof(args), "compare '%s/a.out' '%s/a.out'", dir, dir);
	assert_int_equal(hpsim("same", args), 0);
	out = slurp("same.out");
	assert_non_null(strstr(out, "(no differences)"));
	free(out);
	snprintf(args, sizeof(args), "compare '%s/a.out' '%s/b.out'", dir, dir);
	assert_int_equal(hpsim("diff", args), 0);
	out = slurp("diff.out");
	assert_non_null(strstr(out, "config.layers.host.params.halt_poll_ns"));
	assert_non_null(strstr(out, "-75.00%"));
	assert_non_null(strstr(out, "total.host.halt_poll_fail_ns"));
	assert_null(strstr(out, "total.halts "));
	/* a latency CDF ([ns, fraction] pairs) is one distribution: one line, like a histogram */
	assert_non_null(strstr(out, "total.latency.cdf "));
	assert_null(strstr(out, "total.latency.cdf["));
	free(out);
	snprintf(args, sizeof(args), "compare --all '%s/a.out' '%s/b.out'", dir, dir);
	assert_int_equal(hpsim("diffall", args), 0);
	out = slurp("diffall.out");
	assert_non_null(strstr(out, "total.latency.cdf[0][0] "));
	assert_non_null(strstr(out, "total.latency.log2_hist[0] "));
	free(out);
	snprintf(args, sizeof(args), "compare '%s/a.out' '%s/csv.out'", dir, dir);
	assert_int_equal(hpsim("notjson", args), 1);
	/* JSON that is not a report: the error names that file, whichever it is */
	write_file("arr.json", "[1, 2]");
	snprintf(args, sizeof(args), "compare '%s/a.out' '%s/arr.json'", dir, dir);
	assert_int_equal(hpsim("notrep", args), 1);
	out = slurp("notrep.err");
	assert_non_null(strstr(out, "arr.json is not an hpsim report"));
	free(out);
	snprintf(args, sizeof(args), "compare '%s/arr.json' '%s/a.out'", dir, dir);
	assert_int_equal(hpsim("notrep2", args), 1);
	out = slurp("notrep2.err");
	assert_non_null(strstr(out, "arr.json is not an hpsim report"));
	free(out);
}

static void test_vcore_size_option(void **unused)
{
	char args[1024], *err;
	json_t *rep;

	(void)unused;
	snprintf(args, sizeof(args), "replay '%s' --vcore-size 2", TRACE);
	assert_int_equal(hpsim("vs1", args), 1);
	err = slurp("vs1.err");
	assert_non_null(strstr(err, "--vcore"));
	free(err);
	snprintf(args, sizeof(args), "replay '%s' --vcore vcore --vcore-size 0", TRACE);
	assert_int_equal(hpsim("vs2", args), 2);
	snprintf(args, sizeof(args), "replay '%s' --vcore vcore --vcore-size 1.5", TRACE);
	assert_int_equal(hpsim("vs3", args), 2);
	/* one halting vCPU: a vcore of two holds it alone, and nothing changes */
	snprintf(args, sizeof(args), "replay '%s' --vcore vcore --arch ppc --format json", TRACE);
	assert_int_equal(hpsim("vs4", args), 0);
	snprintf(args, sizeof(args),
	         "replay '%s' --vcore vcore --arch ppc --vcore-size 2 --format json", TRACE);
	assert_int_equal(hpsim("vs5", args), 0);
	rep = load_json("vs5.out");
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(rep, "config"), "vcore_size")), 2);
	json_decref(rep);
	snprintf(args, sizeof(args), "compare '%s/vs4.out' '%s/vs5.out'", dir, dir);
	assert_int_equal(hpsim("vs6", args), 0);
	err = slurp("vs6.out");
	/* only the echoed setting differs */
	assert_non_null(strstr(err, "config.vcore_size"));
	assert_null(strstr(err, "total."));
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cost_file),
	    cmocka_unit_test(test_json_echoes_inputs),
	    cmocka_unit_test(test_csv),
	    cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_vcore_size_option),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
