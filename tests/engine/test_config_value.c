/*
 * A configuration is a value: configuring another run does not change one
 * already configured. Configure A (host.halt_poll_ns=0), then B (the
 * defaults), then replay A: A polls never, and its reports print A's
 * settings; B replayed after A polls as B replayed alone.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/sweep.h"
#include "hpsim/trace.h"

static struct hp_episodes eps;

static int load(void **unused)
{
	struct hp_err err;

	(void)unused;
	if (hp_trace_read(HPSIM_SOURCE_DIR "/traces/pingpong.dat", &eps, &err) < 0)
		fail_msg("read: %s", err.msg);
	return 0;
}

static int unload(void **unused)
{
	(void)unused;
	hp_episodes_free(&eps);
	return 0;
}

/* Configure kvm on the host with at most one setting. */
static void configure(struct hp_engine_config *cfg, const char *name, const char *value)
{
	struct hp_run_spec spec;
	struct hp_err err;

	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_HOST] = "kvm";
	if (name)
		spec.params[spec.nparams++] = (struct hp_setting){name, value};
	if (hp_engine_configure(&spec, cfg, &err) < 0)
		fail_msg("configure: %s", err.msg);
}

/* Replay cfg; the host layer's attempted and successful polls. */
static void replay(struct hp_engine_config *cfg, uint64_t *attempted, uint64_t *successful)
{
	struct hp_metrics m;
	struct hp_engine_stats st;
	struct hp_err err;

	if (hp_replay(&eps, cfg, &m, &st, NULL, NULL, &err) < 0)
		fail_msg("replay: %s", err.msg);
	assert_int_equal(m.total.halts, eps.n);
	*attempted = m.total.layer[HP_LAYER_HOST].halt_attempted_poll;
	*successful = m.total.layer[HP_LAYER_HOST].halt_successful_poll;
	hp_metrics_free(&m);
}

/* The table and the JSON report of cfg, in one string (free it). */
static char *reports(struct hp_engine_config *cfg)
{
	struct hp_metrics m;
	struct hp_engine_stats st;
	struct hp_err err;
	struct hp_run_info in = {.trace = "pingpong.dat", .format = "trace.dat"};
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if (hp_replay(&eps, cfg, &m, &st, NULL, NULL, &err) < 0)
		fail_msg("replay: %s", err.msg);
	in.cfg = cfg;
	in.st = &st;
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	hp_report_table(f, &m, &in);
	assert_int_equal(hp_report_json(f, &m, &in, &err), 0);
	assert_int_equal(fclose(f), 0);
	hp_metrics_free(&m);
	return buf;
}

static void test_last_configuration_does_not_win(void **unused)
{
	struct hp_engine_config a, b;
	uint64_t att_a, succ_a, att_b, succ_b, att_b0, succ_b0;
	char *text;

	(void)unused;
	configure(&b, NULL, NULL);
	replay(&b, &att_b0, &succ_b0);
	assert_true(succ_b0 > 0); /* the default window catches some of pingpong's wakeups */

	configure(&a, "host.halt_poll_ns", "0");
	configure(&b, NULL, NULL);
	replay(&a, &att_a, &succ_a);
	assert_int_equal(att_a, 0);
	assert_int_equal(succ_a, 0);
	text = reports(&a);
	assert_non_null(strstr(text, "halt_poll_ns=0 "));
	assert_non_null(strstr(text, "\"halt_poll_ns\": 0,"));
	free(text);

	/* and the other way round: B after A is B */
	replay(&b, &att_b, &succ_b);
	assert_int_equal(att_b, att_b0);
	assert_int_equal(succ_b, succ_b0);
	text = reports(&b);
	assert_non_null(strstr(text, "halt_poll_ns=200000 "));
	assert_null(strstr(text, "halt_poll_ns=0 "));
	free(text);
}

/* One resolver for NAME and LAYER.NAME, for replay settings and sweep axes alike. */
static void test_resolver(void **unused)
{
	const struct hp_policy_ops *layer[HP_LAYER_COUNT] = {0};
	struct hp_param_ref r;
	struct hp_err err;

	(void)unused;
	layer[HP_LAYER_GUEST] = hp_policy_lookup("fixed", HP_LAYER_GUEST, NULL);
	layer[HP_LAYER_HOST] = hp_policy_lookup("kvm", HP_LAYER_HOST, NULL);
	assert_int_equal(hp_param_resolve(layer, "halt_poll_ns", "configured policy", &r, &err), 0);
	assert_int_equal(r.layer, HP_LAYER_HOST);
	assert_string_equal(r.param->name, "halt_poll_ns");
	assert_ptr_equal(&layer[HP_LAYER_HOST]->params[r.index], r.param);
	assert_int_equal(hp_param_resolve(layer, "guest.fixed_poll_ns", "x", &r, &err), 0);
	assert_int_equal(r.layer, HP_LAYER_GUEST);
	assert_int_equal(
	    hp_param_resolve(layer, "host.fixed_poll_ns", "configured policy", &r, &err), -1);
	assert_non_null(strstr(err.msg, "no configured policy has a parameter 'fixed_poll_ns' "
	                                "(valid: host.halt_poll_ns"));
	assert_int_equal(hp_param_resolve(layer, "vcore.halt_poll_ns", "policy of S", &r, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "no policy of S has a parameter 'vcore.halt_poll_ns'"));
	assert_int_equal(hp_param_resolve(layer, "hots.halt_poll_ns", "p", &r, &err), -1);
	assert_non_null(strstr(err.msg, "unknown layer"));
	layer[HP_LAYER_HOST] = hp_policy_lookup("fixed", HP_LAYER_HOST, NULL);
	assert_int_equal(hp_param_resolve(layer, "fixed_poll_ns", "p", &r, &err), -1);
	assert_non_null(strstr(err.msg, "qualify it as guest.fixed_poll_ns or host.fixed_poll_ns"));
}

/* p999 is the statistic's one name; configs written with p99.9 still parse to it. */
static void test_p999_one_name(void **unused)
{
	static const char *const spellings[] = {"\"p999\"", "\"p99.9\""};
	struct hp_sweep_config c;
	struct hp_err err;
	char json[512];
	size_t i;

	(void)unused;
	assert_string_equal(hp_sweep_lat_name(HP_LAT_P999), "p999");
	for (i = 0; i < 2; i++) {
		snprintf(json, sizeof(json),
		         "{\"traces\": [\"traces/pingpong.dat\"], \"policies\": {\"host\": "
		         "\"kvm\"}, \"objective\": {\"latency\": %s, \"constraints\": "
		         "{\"%s_us_max\": 7}}}",
		         spellings[i], i ? "p99.9" : "p999");
		memset(&c, 0, sizeof(c));
		if (hp_sweep_config_parse(json, HPSIM_SOURCE_DIR, 0, &c, &err) < 0)
			fail_msg("%s: %s", spellings[i], err.msg);
		assert_int_equal(c.lat_stat, HP_LAT_P999);
		assert_true(c.lat_max_ns[HP_LAT_P999] == 7000.0);
		hp_sweep_config_free(&c);
	}
	memset(&c, 0, sizeof(c));
	assert_int_equal(hp_sweep_config_parse("{\"traces\": [\"traces/pingpong.dat\"], "
	                                       "\"objective\": {\"latency\": \"p99.99\"}}",
	                                       HPSIM_SOURCE_DIR, 0, &c, &err),
	                 -1);
	assert_non_null(strstr(err.msg, "p999 (or p99.9, its old name)"));
	hp_sweep_config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_last_configuration_does_not_win),
	    cmocka_unit_test(test_resolver),
	    cmocka_unit_test(test_p999_one_name),
	};

	return cmocka_run_group_tests(tests, load, unload);
}
