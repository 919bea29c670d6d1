/*
 * What a sweep makes of its rows, in-process: the journal's lines round-trip
 * and a torn or corrupted line ends its good part; the Pareto front on
 * constructed points; the recommendation under constraints, at a bound, on
 * a knee tie and when every point failed.
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

#include "hpsim/report.h"
#include "hpsim/sweep.h"
#include "hpsim/trace.h"

#define TRACES "\"traces\": [\"traces/pingpong.dat\"]"

static void test_pareto_constructed(void **state)
{
	/* (cpu, lat): the front is a, b, d, and e (equal to d); c and f are dominated */
	static const double cpu[] = {1, 2, 3, 4, 4, 5, 0.5};
	static const double lat[] = {10, 5, 6, 2, 2, 2, 20};
	static const uint8_t want[] = {1, 1, 0, 1, 1, 0, 1};
	uint8_t front[7];
	size_t i;

	(void)state;
	assert_int_equal(hp_pareto_front(cpu, lat, 7, front), 0);
	for (i = 0; i < 7; i++)
		if (front[i] != want[i])
			fail_msg("point %zu: pareto %d, expected %d", i, front[i], want[i]);
	assert_int_equal(hp_pareto_front(cpu, lat, 0, front), 0);
}

/* Rows with chosen cpu and p99; wall 1e9 ns on one CPU, so poll_ns = cpu% x 1e7. */
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

static void test_recommendation(void **state)
{
	struct hp_sweep_config c;
	struct hp_sweep_results res;
	struct hp_sweep_row *rows;
	struct hp_err err;
	uint64_t n, u;

	(void)state;
	test_sweep_config_ok(
	    "{" TRACES ", \"params\": {\"halt_poll_ns\": [0, 50000, 100000, 200000, 400000]},"
	    " \"objective\": {\"latency\": \"p99\", \"constraints\": {\"p99_us_max\": 5}},"
	    " \"oracle\": {\"from\": 1000, \"to\": 100000, \"per_decade\": 1}}",
	    &c);
	n = hp_sweep_nunits(&c);
	assert_int_equal(n, 5 + 3);
	rows = calloc(n, sizeof(*rows));
	assert_non_null(rows);
	set_row(&rows[0], 0, 0.0, 9000);  /* too slow */
	set_row(&rows[1], 1, 10.0, 4000); /* meets: cheapest that does */
	set_row(&rows[2], 2, 20.0, 3000);
	set_row(&rows[3], 3, 30.0, 3000); /* the default: dominated by point 2 */
	set_row(&rows[4], 4, 40.0, 1000);
	set_row(&rows[5], 5, 1.0, 9000); /* oracle windows */
	set_row(&rows[6], 6, 8.0, 4000);
	set_row(&rows[7], 7, 9.0, 1000);
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, 1);
	assert_int_equal(res.reco[0].default_point, 3);
	assert_int_equal(res.reco[0].oracle_window, 1); /* 8% at p99 = 4 us exactly */
	assert_int_equal(res.reco[0].oracle_next, -1);  /* exact: nothing to interpolate */
	assert_true(res.reco[0].oracle_cpu_pct > 7.999 && res.reco[0].oracle_cpu_pct < 8.001);
	assert_int_equal(res.pareto[3], 0);
	assert_int_equal(res.pareto[2], 1);
	for (u = 0; u < 5; u++)
		assert_int_equal(res.recommended[u], u == 1);
	hp_sweep_results_free(&res);

	/* the oracle front interpolated between windows: p99 2.5 us lies between 1 and 4 us */
	set_row(&rows[2], 2, 5.0, 2500);
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, 2);
	assert_int_equal(res.reco[0].oracle_window, 2);
	assert_int_equal(res.reco[0].oracle_next, 1);
	assert_true(res.reco[0].oracle_cpu_pct > 8.499 && res.reco[0].oracle_cpu_pct < 8.501);
	hp_sweep_results_free(&res);
	set_row(&rows[2], 2, 20.0, 3000);

	/* no point meets a tighter bound: no recommendation */
	c.lat_max_ns[HP_LAT_P99] = 500;
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, -1);
	hp_sweep_results_free(&res);

	/* a failed point is never recommended, and the next cheapest is */
	c.lat_max_ns[HP_LAT_P99] = 5000;
	rows[1].failed = 1;
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, 2);
	hp_sweep_results_free(&res);

	/* without constraints: the knee; front (0,9000) (20,3000) (40,1000): scaled sums 1, 1.0, 1
	 */
	c.lat_max_ns[HP_LAT_P99] = -1;
	rows[1].failed = 0;
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	/* front: 0 (0,9000), 1 (10,4000), 2 (20,3000), 4 (40,1000); scores 1, .625, .75, 1 */
	assert_int_equal(res.reco[0].point, 1);
	assert_false(res.reco[0].constrained);
	hp_sweep_results_free(&res);
	free(rows);
	hp_sweep_config_free(&c);
}

/*
 * The knee of a two-point front: both scaled sums are exactly 1, a tie that the
 * documented rule breaks by the lower latency statistic (then the lower point),
 * never by the lower CPU.
 */
static void test_knee_tie(void **state)
{
	struct hp_sweep_config c;
	struct hp_sweep_results res;
	struct hp_sweep_row *rows;
	struct hp_err err;
	uint64_t n;

	(void)state;
	test_sweep_config_ok("{" TRACES ", \"params\": {\"halt_poll_ns\": [0, 100000, 200000]},"
	                     " \"oracle\": false}",
	                     &c);
	n = hp_sweep_nunits(&c);
	assert_int_equal(n, 3);
	rows = calloc(n, sizeof(*rows));
	assert_non_null(rows);
	set_row(&rows[0], 0, 10.0, 9000); /* cheap and slow */
	set_row(&rows[1], 1, 30.0, 9500); /* dominated by both */
	set_row(&rows[2], 2, 20.0, 3000); /* the default: fast and dearer */
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.pareto[0] + res.pareto[1] + res.pareto[2], 2);
	assert_false(res.reco[0].constrained);
	assert_int_equal(res.reco[0].point, 2);
	assert_int_equal(res.recommended[2], 1);
	hp_sweep_results_free(&res);

	/* the same tie with the points swapped: still the lower latency */
	set_row(&rows[0], 0, 20.0, 3000);
	set_row(&rows[2], 2, 10.0, 9000);
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, 0);
	hp_sweep_results_free(&res);

	/* equal points tie on everything: the lower point */
	set_row(&rows[0], 0, 20.0, 3000);
	set_row(&rows[1], 1, 20.0, 3000);
	set_row(&rows[2], 2, 20.0, 3000);
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, 0);
	hp_sweep_results_free(&res);
	free(rows);
	hp_sweep_config_free(&c);
}

/*
 * A latency bound given in microseconds holds for a point exactly at it:
 * 64.1 us is 64100 ns, though 64.1 * 1000 is 64099.99999999999 in doubles.
 */
static void test_constraint_at_bound(void **state)
{
	struct hp_sweep_config c;
	struct hp_sweep_results res;
	struct hp_sweep_row rows[2];
	struct hp_err err;

	(void)state;
	test_sweep_config_ok(
	    "{" TRACES ", \"params\": {\"halt_poll_ns\": [0, 200000]},"
	    " \"objective\": {\"constraints\": {\"p99_us_max\": 64.1}}, \"oracle\": false}",
	    &c);
	assert_int_equal(hp_sweep_nunits(&c), 2);
	set_row(&rows[0], 0, 1.0, 64100); /* exactly at the bound: meets it, and cheapest */
	set_row(&rows[1], 1, 20.0, 1000);
	assert_true(hp_sweep_meets(&c, &rows[0]));
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, 0);
	hp_sweep_results_free(&res);
	hp_sweep_config_free(&c);
}

/* Every point failed and there are no constraints: the answer says so, not "constraints". */
static void test_reco_all_failed(void **state)
{
	struct hp_sweep_config c;
	struct hp_sweep_results res;
	struct hp_sweep_row rows[2];
	struct hp_err err;
	char text[4096];
	size_t n;
	FILE *f;

	(void)state;
	test_sweep_config_ok(
	    "{" TRACES ", \"params\": {\"halt_poll_ns\": [0, 200000]}, \"oracle\": false}", &c);
	set_row(&rows[0], 0, 1.0, 1000);
	set_row(&rows[1], 1, 2.0, 1000);
	rows[0].failed = rows[1].failed = 1;
	rows[0].error = rows[1].error = "replay failed";
	assert_int_equal(hp_sweep_analyze(&c, rows, &res, &err), 0);
	assert_int_equal(res.reco[0].point, -1);
	f = tmpfile();
	assert_non_null(f);
	hp_sweep_print_reco(f, &res);
	rewind(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	if (strstr(text, "constraints") || !strstr(text, "no point ran without an error"))
		fail_msg("unexpected answer:\n%s", text);
	hp_sweep_results_free(&res);
	hp_sweep_config_free(&c);
}

/* A sweep's row has the figures `hpsim replay` reports for the same settings (stacked layers). */
/* Journal lines round-trip (a long error text too); a torn or corrupted line ends the good part. */
static void test_journal(void **state)
{
	char path[] = "/tmp/hpsim-journal-XXXXXX", longerr[1000];
	struct hp_sweep_row in[3], out[8];
	uint8_t have[8];
	struct hp_err err;
	long good, full;
	FILE *f;
	int fd, i;

	(void)state;
	memset(in, 0, sizeof(in));
	memset(longerr, 'x', sizeof(longerr) - 1);
	longerr[sizeof(longerr) - 1] = '\0';
	for (i = 0; i < 3; i++) {
		set_row(&in[i], (uint64_t)(2 * i + 1), 10.0 * i, 1000 + (uint64_t)i);
		in[i].lat_max = UINT64_MAX;
	}
	in[1].failed = 1;
	in[1].error = longerr;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(hp_sweep_journal_append(fd, in, 3, &err), 0);
	close(fd);
	memset(out, 0, sizeof(out));
	memset(have, 0, sizeof(have));
	assert_int_equal(hp_sweep_journal_read(path, 8, out, have, &full, &err), 0);
	assert_int_equal(have[1] + have[3] + have[5], 3);
	assert_int_equal(have[0] + have[2] + have[4] + have[6] + have[7], 0);
	assert_int_equal(out[5].poll_ns, in[2].poll_ns);
	assert_true(out[5].lat_max == UINT64_MAX);
	assert_int_equal(out[3].failed, 1);
	assert_int_equal(strlen(out[3].error), HP_SWEEP_ERR_LEN - 1); /* kept, cut to length */
	free(out[3].error);
	out[3].error = NULL;
	/* a torn line after them is not read */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("7\t1\t2", f);
	fclose(f);
	memset(have, 0, sizeof(have));
	assert_int_equal(hp_sweep_journal_read(path, 8, out, have, &good, &err), 0);
	assert_int_equal(good, full);
	assert_int_equal(have[7], 0);
	free(out[3].error);
	out[3].error = NULL;
	/* a flipped digit in the second line: only the first counts */
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	{
		char buf[4096];
		ssize_t n = read(fd, buf, sizeof(buf));
		char *second = memchr(buf, '\n', (size_t)n) + 1;

		second[2] = second[2] == '0' ? '1' : '0';
		assert_int_equal(pwrite(fd, buf, (size_t)n, 0), n);
	}
	close(fd);
	memset(have, 0, sizeof(have));
	assert_int_equal(hp_sweep_journal_read(path, 8, out, have, &good, &err), 0);
	assert_int_equal(have[1] + have[3] + have[5], 1);
	assert_true(good > 0 && good < full);
	/* a unit outside the sweep: the journal belongs to another sweep */
	assert_int_equal(hp_sweep_journal_read(path, 1, out, have, &good, &err), -1);
	unlink(path);
}

/* Every key configs/schema.json documents is one the parser knows (none is an "unknown key"). */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pareto_constructed),
	    cmocka_unit_test(test_recommendation),
	    cmocka_unit_test(test_journal),
	    cmocka_unit_test(test_knee_tie),
	    cmocka_unit_test(test_constraint_at_bound),
	    cmocka_unit_test(test_reco_all_failed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
