/*
 * Sweep configs and the grid, in-process: every range kind, zipped groups,
 * each error with its JSON path, grid and default-point counts, shards,
 * generator and host-capture traces, and a sweep row against the same
 * replay (the journal, the front and the recommendation: test_sweep_results).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include <jansson.h>

#include "helpers.h"

#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/sweep.h"
#include "hpsim/trace.h"

#define TRACES "\"traces\": [\"traces/pingpong.dat\"]"

/* The config must fail (in parsing or validation) with a message containing want. */
static void parse_err(const char *json, const char *want)
{
	struct hp_sweep_config c;
	struct hp_err err = {""};
	int rc = hp_sweep_config_parse(json, HPSIM_SOURCE_DIR, 0, &c, &err);

	if (rc == 0) {
		rc = hp_sweep_validate(&c, &err);
		hp_sweep_config_free(&c);
	}
	if (rc == 0)
		fail_msg("config accepted, expected an error containing '%s'", want);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

static void values_of(const struct hp_sweep_config *c, const uint32_t *want, size_t n)
{
	size_t i;

	assert_int_equal(c->series[0].axes[0].nvalues, n);
	for (i = 0; i < n; i++)
		assert_int_equal(c->series[0].axes[0].values[i], want[i]);
}

static void test_range_kinds(void **state)
{
	static const uint32_t lin[] = {0, 50000, 100000, 150000, 200000};
	static const uint32_t logr[] = {1000, 3162, 10000, 31623, 100000};
	static const uint32_t list[] = {80000, 200000, 400000};
	static const uint32_t to_rounded[] = {100, 316};
	static const uint32_t small[] = {1, 2, 3, 4, 6, 7, 10};
	struct hp_sweep_config c;

	(void)state;
	test_sweep_config_ok("{" TRACES
	                     ", \"params\": {\"halt_poll_ns\": {\"from\": 0, \"to\": 200000, "
	                     "\"step\": 50000}}}",
	                     &c);
	values_of(&c, lin, 5);
	assert_string_equal(c.cols[0], "host.halt_poll_ns");
	hp_sweep_config_free(&c);
	test_sweep_config_ok("{" TRACES
	                     ", \"params\": {\"halt_poll_ns\": {\"from\": 1000, \"to\": 100000, "
	                     "\"per_decade\": 2}}}",
	                     &c);
	values_of(&c, logr, 5);
	hp_sweep_config_free(&c);
	test_sweep_config_ok(
	    "{" TRACES ", \"params\": {\"host.halt_poll_ns\": [80000, 200000, 400000]}}", &c);
	values_of(&c, list, 3);
	hp_sweep_config_free(&c);
	test_sweep_config_ok("{" TRACES ", \"params\": {\"halt_poll_ns\": 400000}}", &c);
	assert_int_equal(c.series[0].axes[0].nvalues, 1);
	hp_sweep_config_free(&c);
	/* the bound applies to the rounded values: 316.2 rounds to 316, which "to" admits */
	test_sweep_config_ok("{" TRACES
	                     ", \"params\": {\"halt_poll_ns\": {\"from\": 100, \"to\": 316, "
	                     "\"per_decade\": 2}}}",
	                     &c);
	values_of(&c, to_rounded, 2);
	hp_sweep_config_free(&c);
	/* duplicates after rounding are dropped: 1, 1.33, 1.78, 2.37, 3.16, 4.22, 5.62, 7.50, 10 */
	test_sweep_config_ok("{" TRACES
	                     ", \"params\": {\"halt_poll_ns\": {\"from\": 1, \"to\": 10, "
	                     "\"per_decade\": 8}}}",
	                     &c);
	values_of(&c, small, 7);
	hp_sweep_config_free(&c);
}

static void test_zip_and_counts(void **state)
{
	struct hp_sweep_config c;
	uint32_t vals[8];
	uint8_t has[8];

	(void)state;
	/* 3 zipped pairs x 2 shrinks = 6 grid points; the default (200000/10000, 2) is not in it */
	test_sweep_config_ok("{" TRACES ", \"params\": {\"halt_poll_ns_shrink\": [0, 2]},"
	                     " \"zip\": [{\"halt_poll_ns\": [50000, 100000, 400000],"
	                     "            \"halt_poll_ns_grow_start\": [5000, 10000, 40000]}]}",
	                     &c);
	assert_int_equal(c.ngrid, 6);
	assert_int_equal(c.npoints, 7);
	assert_int_equal(c.series[0].default_point, 6);
	assert_int_equal(c.ncols, 3);
	/* point 3: shrink index 1 (2), zip index 0 (50000, 5000): last axis fastest */
	hp_sweep_point_values(&c, 3, vals, has);
	assert_string_equal(c.cols[0], "host.halt_poll_ns_shrink");
	assert_int_equal(vals[0], 2);
	assert_int_equal(vals[1], 50000);
	assert_int_equal(vals[2], 5000);
	/* the added default point carries the kernel's defaults */
	hp_sweep_point_values(&c, 6, vals, has);
	assert_int_equal(vals[0], 2);
	assert_int_equal(vals[1], 200000);
	assert_int_equal(vals[2], 10000);
	assert_int_equal(hp_sweep_nunits(&c), (7 + c.nwindows) * 1);
	hp_sweep_config_free(&c);

	/* the default already in the grid is not added again */
	test_sweep_config_ok(
	    "{" TRACES ", \"params\": {\"halt_poll_ns\": [80000, 200000, 400000]}}", &c);
	assert_int_equal(c.npoints, 3);
	assert_int_equal(c.series[0].default_point, 1);
	hp_sweep_config_free(&c);

	/* two stacks x two kernels = four series; shrink's default is 0 before 6.11 */
	test_sweep_config_ok(
	    "{" TRACES ", \"policies\": [{\"host\": \"kvm\", \"params\": "
	    "{\"halt_poll_ns_shrink\": [0, 2]}}, {\"guest\": \"haltpoll\", \"host\": \"kvm\"}],"
	    " \"kernel\": [\"6.1\", \"6.11\"]}",
	    &c);
	assert_int_equal(c.nseries, 4);
	assert_int_equal(c.ngrid, 2 + 2 + 1 + 1);
	assert_int_equal(c.npoints, 6);
	assert_string_equal(c.series[0].label, "host=kvm k=6.1");
	assert_string_equal(c.series[2].label, "guest=haltpoll host=kvm k=6.1");
	assert_int_equal(c.series[0].default_point, 0);
	assert_int_equal(c.series[1].default_point, 3);
	hp_sweep_config_free(&c);
}

static void test_errors_name_paths(void **state)
{
	(void)state;
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": {\"from\": 0, \"to\": 10, "
	          "\"step\": 0}}}",
	          "$.params.halt_poll_ns.step: a step of 0");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": {\"from\": 10, \"to\": 0, "
	          "\"step\": 1}}}",
	          "$.params.halt_poll_ns: empty range");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": []}}",
	          "$.params.halt_poll_ns: empty list");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": \"fast\"}}",
	          "$.params.halt_poll_ns: expected a value, a list");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": [1, -2]}}",
	          "$.params.halt_poll_ns[1]: -2 is out of range");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": {\"from\": 0, \"to\": 1, "
	          "\"per_decade\": 2}}}",
	          "$.params.halt_poll_ns.from: 0");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_nz\": [1]}}",
	          "$.params.halt_poll_nz: no policy of series 'host=kvm k=6.11' has a parameter");
	parse_err("{" TRACES ", \"params\": {\"guest.halt_poll_ns\": [1]}}",
	          "$.params[\"guest.halt_poll_ns\"]: no policy");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": {\"from\": 1, \"to\": 1000, "
	          "\"step\": 1}}, \"max_points\": 100}",
	          "more than max_points (100)");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": {\"from\": 1, \"to\": 20, \"step\": "
	          "1}, \"halt_poll_ns_grow\": {\"from\": 1, \"to\": 20, \"step\": 1}}, "
	          "\"max_points\": 100}",
	          "$.max_points: the grid has more than 100 points");
	parse_err("{\"traces\": [\"traces/missing.dat\"]}", "$.traces[0]: cannot open trace");
	parse_err("{\"traces\": [{\"gen\": \"sawtooth\", \"params\": {}}]}",
	          "$.traces[0]: unknown generator 'sawtooth'");
	parse_err(
	    "{\"traces\": [{\"gen\": \"periodic\", \"params\": {\"hz\": 100, \"colour\": 1}}]}",
	    "$.traces[0]: periodic: unknown parameter --colour");
	parse_err("{\"traces\": [{\"gen\": \"periodic\", \"params\": [1]}]}",
	          "$.traces[0].params: expected an object");
	parse_err("{\"traces\": [{\"gen\": \"periodic\", \"params\": {\"hz\": true}}]}",
	          "$.traces[0].params.hz: expected a number or a string");
	parse_err("{\"traces\": []}", "$.traces: expected a non-empty array");
	parse_err("{" TRACES ", \"kernel\": \"six\"}", "$.kernel: kernel version 'six'");
	parse_err("{" TRACES ", \"policies\": {\"host\": \"haltpoll\"}}", "$.policies.host:");
	parse_err("{" TRACES ", \"policies\": [{\"host\": \"kvm\"}, {}]}",
	          "$.policies[1]: expected at least one of");
	parse_err("{" TRACES ", \"objective\": {\"latency\": \"p95\"}}", "$.objective.latency:");
	parse_err("{" TRACES ", \"objective\": {\"constraints\": {\"p98_us_max\": 5}}}",
	          "$.objective.constraints.p98_us_max: unknown constraint");
	parse_err("{" TRACES ", \"cost\": {\"hlt_exit_nz\": 5}}", "$.cost.hlt_exit_nz:");
	parse_err("{" TRACES ", \"mode\": \"half\"}", "$.mode: expected \"open\" or \"closed\"");
	parse_err("{" TRACES ", \"zip\": [{\"halt_poll_ns\": [1, 2], "
	          "\"halt_poll_ns_grow\": [1, 2, 3]}]}",
	          "$.zip[0].halt_poll_ns_grow: 3 values");
	parse_err("{" TRACES ", \"zip\": [{\"halt_poll_nz\": [1, 2]}]}",
	          "$.zip[0].halt_poll_nz: no policy");
	parse_err("{" TRACES ", \"paramz\": {}}", "$.paramz: unknown key");
	parse_err("{" TRACES ", \"params\": {\"halt_poll_ns\": 1, \"host.halt_poll_ns\": 2}}",
	          "is swept twice");
	parse_err("{" TRACES ", \"policies\": {\"guest\": \"haltpoll\"}, \"params\": "
	          "{\"guest_halt_poll_allow_shrink\": [0, 1, 2]}}",
	          "$.params.guest_halt_poll_allow_shrink (value 2");
	parse_err("{" TRACES ",", "not valid JSON at line 1");
	/* a stack that a kernel of the list cannot run: the kernel's and the stack's paths */
	parse_err("{" TRACES ", \"kernel\": [\"6.11\", \"4.0\"]}",
	          "$.kernel[1] (series 'host=kvm k=4.0' of $.policies): the host policy 'kvm' is "
	          "modelled from kernel 4.3 on");
	parse_err("{" TRACES ", \"policies\": [{\"host\": \"kvm\"}, {\"guest\": \"haltpoll\"}],"
	          " \"kernel\": \"5.0\"}",
	          "$.kernel (series 'guest=haltpoll k=5.0' of $.policies[1]): the guest policy");
}

static void test_shards_partition(void **state)
{
	uint64_t u, n = 1003;
	uint32_t i, k, s, cnt;
	struct hp_err err;

	(void)state;
	for (s = 1; s <= 7; s++)
		for (u = 0; u < n; u++) {
			cnt = 0;
			for (i = 1; i <= s; i++)
				cnt += hp_sweep_in_shard(u, i, s);
			assert_int_equal(cnt, 1); /* every unit in exactly one shard */
		}
	assert_int_equal(hp_sweep_shard_parse("2/8", &i, &k, &err), 0);
	assert_int_equal(i, 2);
	assert_int_equal(k, 8);
	assert_int_equal(hp_sweep_shard_parse("0/8", &i, &k, &err), -1);
	assert_int_equal(hp_sweep_shard_parse("9/8", &i, &k, &err), -1);
	assert_int_equal(hp_sweep_shard_parse("1-8", &i, &k, &err), -1);
}

static void test_row_matches_replay(void **state)
{
	struct hp_sweep_config c;
	struct hp_episodes eps[1];
	struct hp_sweep_row row;
	struct hp_sweep_spec spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_metrics m;
	struct hp_err err;
	uint64_t poll = 0, att = 0, succ = 0;
	size_t trace;
	int l;

	(void)state;
	test_sweep_config_ok(
	    "{\"traces\": [\"traces/pingpong-think50.dat\"], \"policies\": {\"guest\": "
	    "\"haltpoll\", \"host\": \"kvm\"}, \"params\": {\"halt_poll_ns\": [50000, "
	    "400000], \"guest_halt_poll_ns\": [20000]}}",
	    &c);
	assert_int_equal(hp_sweep_read_traces(&c, eps, &err), 0);
	hp_sweep_run_unit(&c, eps, 1, &row);
	assert_int_equal(row.failed, 0);
	hp_sweep_unit_spec(&c, 1, &spec, &trace);
	assert_int_equal(hp_engine_configure(&spec.spec, &cfg, &err), 0);
	assert_int_equal(hp_replay(&eps[0], &cfg, &m, &st, NULL, NULL, &err), 0);
	for (l = 0; l < HP_LAYER_COUNT; l++) {
		poll += hp_layer_poll_ns(&m.total.layer[l]);
		att += m.total.layer[l].halt_attempted_poll;
		succ += m.total.layer[l].halt_successful_poll;
	}
	assert_true(row.halts > 0);
	assert_int_equal(row.halts, m.total.halts);
	assert_int_equal(row.attempted, att);
	assert_int_equal(row.successful, succ);
	assert_int_equal(row.poll_ns, poll);
	assert_int_equal(row.wall_ns, m.wall_ns);
	assert_int_equal(row.lat_sum, m.total.latency.sum);
	assert_int_equal(row.lat_q[2], hp_lat_quantile(&m.total.latency, 0.99));
	assert_int_equal(row.lat_max, m.total.latency.max);
	hp_metrics_free(&m);
	hp_episodes_free(&eps[0]);
	hp_sweep_config_free(&c);
}

/* The configs shipped in configs/ parse and validate (every point configures). */
static void test_shipped_configs(void **state)
{
	static const char *const names[] = {"quick.json", "halt-poll-ns-debate.json",
	                                    "shrink-0-vs-2.json", "database-guest-2.4ms.json",
	                                    "guest-vs-host-pingpong.json"};
	struct hp_sweep_config c;
	struct hp_err err;
	char path[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/configs/%s", HPSIM_SOURCE_DIR, names[i]);
		if (hp_sweep_config_load(path, &c, &err) < 0 || hp_sweep_validate(&c, &err) < 0)
			fail_msg("%s: %s", names[i], err.msg);
		assert_true(c.npoints >= 2);
		hp_sweep_config_free(&c);
	}
}

static void test_schema_keys(void **state)
{
	char path[512], text[1024];
	json_error_t je;
	json_t *schema, *props, *v;
	const char *key;
	struct hp_sweep_config c;
	struct hp_err err;

	(void)state;
	snprintf(path, sizeof(path), "%s/configs/schema.json", HPSIM_SOURCE_DIR);
	schema = json_load_file(path, 0, &je);
	if (!schema)
		fail_msg("%s: %s", path, je.text);
	props = json_object_get(schema, "properties");
	assert_true(json_object_size(props) >= 10);
	json_object_foreach(props, key, v)
	{
		snprintf(text, sizeof(text), "{" TRACES ", \"%s\": null}", key);
		if (!strcmp(key, "traces"))
			continue;
		if (hp_sweep_config_parse(text, HPSIM_SOURCE_DIR, 0, &c, &err) == 0)
			hp_sweep_config_free(&c);
		else if (strstr(err.msg, "unknown key"))
			fail_msg("schema key %s: %s", key, err.msg);
	}
	props = json_object_get(
	    json_object_get(json_object_get(json_object_get(props, "objective"), "properties"),
	                    "constraints"),
	    "properties");
	assert_true(json_object_size(props) >= 6);
	json_object_foreach(props, key, v)
	{
		snprintf(text, sizeof(text),
		         "{" TRACES ", \"objective\": {\"constraints\": {\"%s\": 1}}}", key);
		if (hp_sweep_config_parse(text, HPSIM_SOURCE_DIR, 0, &c, &err) < 0)
			fail_msg("schema constraint %s: %s", key, err.msg);
		hp_sweep_config_free(&c);
	}
	json_decref(schema);
}

/* A generator trace is the generator's episodes, labelled as its command line would read. */
static void test_generator_trace(void **unused)
{
	static const struct hp_gen_param gp[] = {{"hz", "250"}, {"count", "500"}, {"seed", "7"}};
	struct hp_sweep_config c;
	struct hp_episodes got[1], want;
	struct hp_err err = {""};
	size_t i;

	(void)unused;
	test_sweep_config_ok("{\"traces\": [{\"gen\": \"periodic\", \"params\": {\"hz\": 250, "
	                     "\"count\": \"500\", \"seed\": 7}}]}",
	                     &c);
	assert_int_equal(c.ntraces, 1);
	assert_string_equal(c.traces[0].label, "gen:periodic hz=250,count=500,seed=7");
	assert_null(c.traces[0].path);
	assert_int_equal(hp_sweep_read_traces(&c, got, &err), 0);
	memset(&want, 0, sizeof(want));
	assert_int_equal(hp_gen_run("periodic", gp, 3, &want, &err), 0);
	assert_int_equal(got[0].n, 500);
	assert_int_equal(got[0].n, want.n);
	for (i = 0; i < want.n; i++) {
		assert_int_equal(got[0].ep[i].halt_start_ns, want.ep[i].halt_start_ns);
		assert_int_equal(got[0].ep[i].wake_ns, want.ep[i].wake_ns);
		assert_int_equal(got[0].ep[i].cpu, want.ep[i].cpu);
	}
	hp_episodes_free(&got[0]);
	hp_episodes_free(&want);
	hp_sweep_config_free(&c);
}

/* A host capture in a sweep is read with the config's cost model, as the replay charges it. */
static void test_host_trace_uses_config_costs(void **unused)
{
	struct hp_sweep_config c;
	struct hp_episodes got[1], want;
	struct hp_read_opts o;
	struct hp_err err = {""};
	size_t i;

	(void)unused;
	test_sweep_config_ok("{\"traces\": [\"traces/host-minivm.dat\"], \"arch\": \"arm64\", "
	                     "\"cost\": {\"hlt_exit_ns\": 700}}",
	                     &c);
	assert_int_equal(hp_sweep_read_traces(&c, got, &err), 0);
	hp_read_opts_init(&o);
	o.hlt_exit_ns = 700;
	o.host_wakeup_ns = 6000; /* arm64's default */
	assert_int_equal(
	    hp_trace_read_opts(HPSIM_SOURCE_DIR "/traces/host-minivm.dat", &o, &want, &err), 0);
	assert_int_equal(got[0].n, want.n);
	for (i = 0; i < want.n; i++)
		assert_memory_equal(&got[0].ep[i], &want.ep[i], sizeof(want.ep[i]));
	hp_episodes_free(&got[0]);
	hp_episodes_free(&want);
	hp_sweep_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_range_kinds),
	    cmocka_unit_test(test_generator_trace),
	    cmocka_unit_test(test_host_trace_uses_config_costs),
	    cmocka_unit_test(test_zip_and_counts),
	    cmocka_unit_test(test_errors_name_paths),
	    cmocka_unit_test(test_shards_partition),
	    cmocka_unit_test(test_row_matches_replay),
	    cmocka_unit_test(test_shipped_configs),
	    cmocka_unit_test(test_schema_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
