/*
 * One setting for a host: $.recommend parsing and its errors, the 1-2-5
 * rounding, the weighted choice under per-trace bounds on constructed rows
 * (feasible, infeasible with the miss named, the knee without bounds), and
 * the rounding replayed on real generator traces against the sweep's own
 * replay of the same values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hpsim/host.h"
#include "hpsim/sweep.h"

#define GEN_A   "{\"gen\": \"pingpong\", \"params\": {\"count\": 200}}"
#define GEN_B   "{\"gen\": \"periodic\", \"params\": {\"count\": 200}}"
#define LABEL_A "gen:pingpong count=200"
#define LABEL_B "gen:periodic count=200"

static void parse_ok(const char *json, struct hp_sweep_config *c)
{
	struct hp_err err = {""};

	if (hp_sweep_config_parse(json, HPSIM_SOURCE_DIR, 0, c, &err) < 0)
		fail_msg("config rejected: %s", err.msg);
}

static void parse_err(const char *json, const char *want)
{
	struct hp_sweep_config c;
	struct hp_err err = {""};

	if (hp_sweep_config_parse(json, HPSIM_SOURCE_DIR, 0, &c, &err) == 0) {
		hp_sweep_config_free(&c);
		fail_msg("config accepted, expected an error containing '%s'", want);
	}
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not contain '%s'", err.msg, want);
}

static void test_round(void **state)
{
	uint32_t lo, hi;

	(void)state;
	assert_true(hp_host_is_round(0, 0));
	assert_true(hp_host_is_round(1, 0));
	assert_true(hp_host_is_round(200000, 0));
	assert_true(hp_host_is_round(50000, 0));
	assert_false(hp_host_is_round(56234, 0));
	assert_false(hp_host_is_round(300000, 0));
	assert_true(hp_host_is_round(60000, 10000));
	assert_false(hp_host_is_round(56234, 10000));
	hp_host_round_pair(56234, 0, &lo, &hi);
	assert_int_equal(lo, 50000);
	assert_int_equal(hi, 100000);
	hp_host_round_pair(316228, 0, &lo, &hi);
	assert_int_equal(lo, 200000);
	assert_int_equal(hi, 500000);
	hp_host_round_pair(7, 0, &lo, &hi);
	assert_int_equal(lo, 5);
	assert_int_equal(hi, 10);
	hp_host_round_pair(56234, 10000, &lo, &hi);
	assert_int_equal(lo, 50000);
	assert_int_equal(hi, 60000);
	/* above the last 1-2-5 value a u32 holds (2e9): no higher round value, the lower twice */
	hp_host_round_pair(4000000000u, 0, &lo, &hi);
	assert_int_equal(lo, 2000000000u);
	assert_int_equal(hi, 2000000000u);
}

static void test_parse(void **state)
{
	struct hp_sweep_config c;

	(void)state;
	/* absent: weight 1 each, the objective's bounds on every trace */
	parse_ok("{\"traces\": [" GEN_A ", " GEN_B "], \"params\": {\"halt_poll_ns\": [10000]},"
	         " \"objective\": {\"constraints\": {\"p99_us_max\": 7}}, \"oracle\": false}",
	         &c);
	assert_non_null(c.host);
	assert_true(c.host->trace[0].weight == 1 && c.host->trace[1].weight == 1);
	assert_true(c.host->trace[1].lat_max_ns[HP_LAT_P99] == 7000);
	assert_true(c.host->trace[1].lat_max_ns[HP_LAT_MEAN] < 0);
	hp_sweep_config_free(&c);
	/* a trace's own bound replaces the objective's, for that trace only */
	parse_ok("{\"traces\": [" GEN_A ", " GEN_B "], \"params\": {\"halt_poll_ns\": [10000]},"
	         " \"objective\": {\"constraints\": {\"p99_us_max\": 7}}, \"oracle\": false,"
	         " \"recommend\": {\"traces\": {\"" LABEL_B
	         "\": {\"weight\": 2.5, \"p99_us_max\": 30,"
	         " \"poll_cpu_pct_max\": 4}}, \"round\": {\"halt_poll_ns\": 5000}}}",
	         &c);
	assert_true(c.host->trace[0].weight == 1);
	assert_true(c.host->trace[0].lat_max_ns[HP_LAT_P99] == 7000);
	assert_true(c.host->trace[1].weight == 2.5);
	assert_true(c.host->trace[1].lat_max_ns[HP_LAT_P99] == 30000);
	assert_true(c.host->trace[1].cpu_max_pct == 4);
	assert_int_equal(c.host->nsteps, 1);
	assert_int_equal(c.host->steps[0].step, 5000);
	hp_sweep_config_free(&c);

	parse_err("{\"traces\": [" GEN_A "], \"recommend\": {\"traces\": {\"nope.dat\": {}}}}",
	          "$.recommend.traces[\"nope.dat\"]: no such trace in $.traces");
	parse_err("{\"traces\": [" GEN_A "], \"recommend\": {\"traces\": {\"" LABEL_A
	          "\": {\"wieght\": 2}}}}",
	          ".wieght: unknown key");
	parse_err("{\"traces\": [" GEN_A "], \"recommend\": {\"traces\": {\"" LABEL_A
	          "\": {\"weight\": -1}}}}",
	          "-1 is negative");
	parse_err("{\"traces\": [" GEN_A "], \"recommend\": {\"traces\": {\"" LABEL_A
	          "\": {\"weight\": 0}}}}",
	          "every weight is 0");
	parse_err("{\"traces\": [" GEN_A "], \"recommend\": {\"round\": {\"halt_poll_ns\": 0}}}",
	          "$.recommend.round.halt_poll_ns: expected a positive integer");
	parse_err("{\"traces\": [" GEN_A "], \"recommend\": {\"weights\": [1]}}",
	          "$.recommend.weights: unknown key");
}

static void set_row(struct hp_sweep_row *r, uint64_t unit, double cpu, uint64_t p99)
{
	memset(r, 0, sizeof(*r));
	r->unit = unit;
	r->halts = 100;
	r->ncpu = 1;
	r->wall_ns = 1000000000;
	r->poll_ns = (uint64_t)(cpu * 1e7);
	r->lat_q[2] = p99;
	r->lat_sum = 100 * p99;
}

/* Two generator traces, halt_poll_ns 10/20/50/100 us and the 6.11 default appended. */
#define CHOICE_CONFIG(RECO)                                                                        \
	"{\"traces\": [" GEN_A ", " GEN_B "], \"params\": {\"halt_poll_ns\": [10000, 20000, "      \
	"50000, 100000]}, \"objective\": {\"latency\": \"p99\"}, \"oracle\": false, "              \
	"\"recommend\": " RECO "}"

struct fixture {
	struct hp_sweep_config c;
	struct hp_sweep_row rows[10];
	struct hp_episodes eps[2];
};

static void fixture_rows(struct fixture *f)
{
	/* trace A (unit 2p), trace B (unit 2p+1): cpu %, p99 ns */
	static const double cpu[5][2] = {{1, 1}, {5, 2}, {20, 3}, {30, 10}, {40, 50}};
	static const uint64_t p99[5][2] = {
	    {9000, 30000}, {4000, 25000}, {2000, 15000}, {1500, 10000}, {1500, 10000}};
	uint64_t p;
	struct hp_err err = {""};

	assert_int_equal(f->c.npoints, 5); /* 200000, the default, is appended */
	for (p = 0; p < 5; p++) {
		set_row(&f->rows[2 * p], 2 * p, cpu[p][0], p99[p][0]);
		set_row(&f->rows[2 * p + 1], 2 * p + 1, cpu[p][1], p99[p][1]);
	}
	if (hp_sweep_read_traces(&f->c, f->eps, &err) < 0)
		fail_msg("%s", err.msg);
}

static void fixture_free(struct fixture *f)
{
	hp_episodes_free(&f->eps[0]);
	hp_episodes_free(&f->eps[1]);
	hp_sweep_config_free(&f->c);
}

static void recommend(struct fixture *f, struct hp_sweep_results *r, struct hp_host_reco *h)
{
	struct hp_err err = {""};

	assert_int_equal(hp_sweep_analyze(&f->c, f->rows, r, &err), 0);
	if (hp_host_recommend(r, f->eps, h, &err) < 0)
		fail_msg("%s", err.msg);
}

static void test_choice(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct hp_sweep_results r;
	struct hp_host_reco h;

	(void)state;
	assert_non_null(f);
	parse_ok(CHOICE_CONFIG("{\"traces\": {\"" LABEL_A "\": {\"weight\": 3, \"p99_us_max\": 5},"
	                       " \"" LABEL_B "\": {\"p99_us_max\": 20}}}"),
	         &f->c);
	fixture_rows(f);
	recommend(f, &r, &h);
	/*
	 * A meets p99 <= 5 us at points 1..4, B meets 20 us at 2..4; of 2, 3, 4 the
	 * weighted CPU is (3*20 + 3)/4 = 15.75, (90 + 10)/4 = 25, (120 + 50)/4 = 42.5.
	 */
	assert_int_equal(h.status, HP_HOST_OK);
	assert_true(h.constrained);
	assert_int_equal(h.grid_point, 2);
	assert_int_equal(h.nvals, 1);
	assert_string_equal(h.names[0], "host.halt_poll_ns");
	assert_int_equal(h.vals[0], 50000);
	assert_false(h.rounded); /* 50000 is round already */
	assert_int_equal(h.candidates, 0);
	/* each trace's own best under its own bound: A the cheapest meeting 5 us, B 20 us */
	assert_int_equal(h.at[0].own_point, 1);
	assert_int_equal(h.at[1].own_point, 2);
	assert_true(h.dflt_ok && h.dflt_cpu_pct > 42.49 && h.dflt_cpu_pct < 42.51);
	/* the figures at the setting are the real replay's: halts of the generated traces */
	assert_int_equal(h.at[0].row.halts, f->eps[0].n);
	assert_int_equal(h.at[1].row.halts, f->eps[1].n);
	hp_host_reco_free(&h);
	hp_sweep_results_free(&r);
	fixture_free(f);

	/* A's bound of 1 us is met nowhere: the closest point is the least relative miss */
	parse_ok(CHOICE_CONFIG("{\"traces\": {\"" LABEL_A "\": {\"weight\": 3, \"p99_us_max\": 1},"
	                       " \"" LABEL_B "\": {\"p99_us_max\": 20}}}"),
	         &f->c);
	fixture_rows(f);
	recommend(f, &r, &h);
	/* worst misses: p0 8x (A), p1 3x, p2 1x, p3 0.5x, p4 0.5x (A): p3 first */
	assert_int_equal(h.status, HP_HOST_INFEASIBLE);
	assert_int_equal(h.grid_point, 3);
	assert_int_equal(h.nmiss, 1);
	assert_int_equal(h.miss[0].trace, 0);
	assert_int_equal(h.miss[0].stat, HP_LAT_P99);
	assert_true(h.miss[0].value == 1500 && h.miss[0].bound == 1000);
	/* A misses its bound everywhere, even alone; B alone would take point 2 */
	assert_int_equal(h.at[0].own_point, -1);
	assert_int_equal(h.at[1].own_point, 2);
	hp_host_reco_free(&h);
	hp_sweep_results_free(&r);
	fixture_free(f);

	/*
	 * No bounds: the knee of the weighted front. Weighted (cpu, p99):
	 * p0 (1, 14250), p1 (4.25, 9250), p2 (15.75, 5250), p3 (25, 3625), p4
	 * (42.5, 3625) dominated. Scaled sums over spans 24 and 10625: p0 1,
	 * p1 0.135 + 0.529 = 0.665, p2 0.615 + 0.153 = 0.768, p3 1.
	 */
	parse_ok(CHOICE_CONFIG("{\"traces\": {\"" LABEL_A "\": {\"weight\": 3}}}"), &f->c);
	fixture_rows(f);
	recommend(f, &r, &h);
	assert_int_equal(h.status, HP_HOST_OK);
	assert_false(h.constrained);
	assert_int_equal(h.grid_point, 1);
	assert_int_equal(h.vals[0], 20000);
	hp_host_reco_free(&h);
	hp_sweep_results_free(&r);
	fixture_free(f);
	free(f);
}

/* Run every unit of c for real (as a sweep's workers do). */
static struct hp_sweep_row *run_all(const struct hp_sweep_config *c, const struct hp_episodes *eps)
{
	uint64_t n = hp_sweep_nunits(c), u;
	struct hp_sweep_row *rows = calloc(n, sizeof(*rows));

	assert_non_null(rows);
	for (u = 0; u < n; u++) {
		hp_sweep_run_unit(c, eps, u, &rows[u]);
		assert_int_equal(rows[u].failed, 0);
	}
	return rows;
}

/* The answer's rounded value replayed here equals the sweep's replay of the same value. */
static void rounded_matches_sweep(const char *round, uint32_t lo, uint32_t hi)
{
	char json[512];
	struct hp_sweep_config c, c2;
	struct hp_episodes eps[1];
	struct hp_sweep_results r;
	struct hp_host_reco h;
	struct hp_sweep_row *rows, *rows2;
	struct hp_err err = {""};

	snprintf(json, sizeof(json),
	         "{\"traces\": [" GEN_A "], \"params\": {\"halt_poll_ns\": [56234]},"
	         " \"oracle\": false, \"recommend\": {%s}}",
	         round);
	parse_ok(json, &c);
	assert_int_equal(hp_sweep_read_traces(&c, eps, &err), 0);
	rows = run_all(&c, eps);
	assert_int_equal(hp_sweep_analyze(&c, rows, &r, &err), 0);
	if (hp_host_recommend(&r, eps, &h, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(h.grid_vals[0], 56234);
	assert_true(h.rounded);
	assert_int_equal(h.candidates, 2);
	assert_int_equal(h.replayed, 2); /* neither neighbour is in the grid */
	assert_true(h.vals[0] == lo || h.vals[0] == hi);
	/* the same value swept: its row is the answer's figures */
	snprintf(json, sizeof(json),
	         "{\"traces\": [" GEN_A
	         "], \"params\": {\"halt_poll_ns\": [%u]}, \"oracle\": false}",
	         h.vals[0]);
	parse_ok(json, &c2);
	rows2 = run_all(&c2, eps);
	assert_int_equal(h.at[0].row.halts, rows2[0].halts);
	assert_int_equal(h.at[0].row.attempted, rows2[0].attempted);
	assert_int_equal(h.at[0].row.successful, rows2[0].successful);
	assert_int_equal(h.at[0].row.poll_ns, rows2[0].poll_ns);
	assert_int_equal(h.at[0].row.lat_q[2], rows2[0].lat_q[2]);
	assert_int_equal(h.at[0].row.lat_sum, rows2[0].lat_sum);
	/* and the KVM statistics add up to the totals */
	assert_int_equal(h.at[0].layer[HP_LAYER_HOST].halt_poll_success_ns +
	                     h.at[0].layer[HP_LAYER_HOST].halt_poll_fail_ns,
	                 rows2[0].poll_ns);
	free(rows);
	free(rows2);
	hp_host_reco_free(&h);
	hp_sweep_results_free(&r);
	hp_sweep_config_free(&c2);
	hp_sweep_config_free(&c);
	hp_episodes_free(&eps[0]);
}

static void test_rounding_replayed(void **state)
{
	(void)state;
	rounded_matches_sweep("", 50000, 100000);
	rounded_matches_sweep("\"round\": {\"halt_poll_ns\": 10000}", 50000, 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round),
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_choice),
	    cmocka_unit_test(test_rounding_replayed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
