/*
 * What the report says about host idle states beyond the vCPUs' own
 * wakeups, on constructed halts whose figures are worked out by hand:
 *  - the host's other tasks (the contention intervals) that end an idle
 *    stretch pay its exit latency: their count, total and mean per vCPU and
 *    in total, in the metrics, the table and the JSON report;
 *  - with vcores of several vCPUs the table's idle rows are per vcore (one
 *    host CPU each), their shares over that CPU's wall time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "idle_fixtures.h"
#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

#define US 1000ull
#define MS 1000000ull

static char dir[] = "/tmp/hpsim-idle-report-XXXXXX";
static char two_states[600], one_state[600];

static int setup(void **unused)
{
	(void)unused;
	return test_idle_tables(dir, two_states, one_state, sizeof(two_states));
}

static int teardown(void **unused)
{
	(void)unused;
	return test_rm_rf(dir);
}

/* Replay e under cfg: the metrics, and the table and JSON reports (free them). */
static void replay(const struct hp_episodes *e, struct hp_engine_config *cfg, struct hp_metrics *m,
                   char **table, json_t **json)
{
	struct hp_engine_stats st;
	struct hp_run_info in = {.trace = "constructed", .format = "memory"};
	struct hp_err err;
	json_error_t jerr;
	char *buf = NULL;
	size_t n = 0;
	FILE *f;

	if (hp_replay(e, cfg, m, &st, NULL, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	in.cfg = cfg;
	in.st = &st;
	f = open_memstream(table, &n);
	assert_non_null(f);
	hp_report_table(f, m, &in);
	assert_int_equal(fclose(f), 0);
	f = open_memstream(&buf, &n);
	assert_non_null(f);
	assert_int_equal(hp_report_json(f, m, &in, &err), 0);
	assert_int_equal(fclose(f), 0);
	*json = json_loads(buf, 0, &jerr);
	if (!*json)
		fail_msg("JSON report: %s", jerr.text);
	free(buf);
}

/* The line of the idle section whose first field is row. */
static const char *idle_line(const char *table, const char *row, char *out, size_t len)
{
	const char *p = strstr(table, "host idle states (");
	size_t k = strlen(row);

	assert_non_null(p);
	while ((p = strchr(p, '\n'))) {
		p++;
		if (!strncmp(p, row, k) && p[k] == ' ') {
			const char *end = strchr(p, '\n');
			size_t n = end ? (size_t)(end - p) : strlen(p);

			snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), p);
			return out;
		}
	}
	return NULL;
}

static json_t *host_idle(json_t *root, int cpu)
{
	json_t *c = cpu < 0 ? json_object_get(root, "total")
	                    : json_array_get(json_object_get(root, "cpus"), (size_t)cpu);
	json_t *h = json_object_get(c, "host_idle");

	assert_non_null(h);
	return h;
}

static void assert_json_u64(json_t *o, const char *key, uint64_t want)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || (uint64_t)json_integer_value(v) != want)
		fail_msg("%s: expected %llu", key, (unsigned long long)want);
}

/*
 * x86 kvm without polling: the thread sleeps at 1 us (the HLT exit) until
 * the IPI at 5 ms; another task runs 1.0-1.1, 2.0-2.1, 3.0-3.1 and 4.0-4.1
 * ms. ladder (no POLL) keeps C1 for the first four idle stretches (the
 * fourth long period promotes to C6 for the fifth): each of the four ends
 * at the other task's wakeup, which pays C1's 2 us; the vCPU's wakeup at 5
 * ms finds C6 and pays 100 us. So: 4 task wakeups, 8 us, a mean of 2 us;
 * the vCPU's exit latency stays 100 us.
 */
static void test_task_exits_counted(void **unused)
{
	static const uint64_t busy[] = {1 * MS, 1 * MS + 100 * US, 2 * MS, 2 * MS + 100 * US,
	                                3 * MS, 3 * MS + 100 * US, 4 * MS, 4 * MS + 100 * US};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct hp_metrics m;
	char *table, line[512];
	json_t *root, *h;
	int cpu;

	(void)unused;
	test_one_halt(&e, 5 * MS, busy, 4);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", two_states, "ladder");
	replay(&e, &cfg, &m, &table, &root);
	assert_int_equal(m.cpu[0].idle.task_wakes, 4);
	assert_int_equal(m.cpu[0].idle.task_exit_ns, 8 * US);
	assert_int_equal(m.total.idle.task_wakes, 4);
	assert_int_equal(m.total.idle.task_exit_ns, 8 * US);
	assert_int_equal(m.total.idle.exit_ns, 100 * US);
	/* table: task_wakes 4, task_exit 0.008 ms, task_mean 2.00 us, for the vCPU and total */
	for (cpu = -1; cpu <= 0; cpu++) {
		const char *row = cpu < 0 ? "total" : "0";

		if (!idle_line(table, row, line, sizeof(line)))
			fail_msg("no idle row %s in:\n%s", row, table);
		if (!strstr(line, " 4       0.01       2.00"))
			fail_msg("row %s: '%s'", row, line);
		h = host_idle(root, cpu);
		assert_json_u64(h, "task_wakeups", 4);
		assert_json_u64(h, "task_exit_latency_ns", 8 * US);
		assert_true(json_is_real(json_object_get(h, "task_exit_latency_mean_ns")));
		assert_true(json_real_value(json_object_get(h, "task_exit_latency_mean_ns")) ==
		            2000.0);
		assert_json_u64(h, "exit_latency_ns", 100 * US);
	}
	assert_non_null(strstr(table, "task_wakes = wakeups of the host's other tasks"));
	json_decref(root);
	free(table);
	hp_metrics_free(&m);
	hp_episodes_free(&e);
}

/*
 * The same halt with contention 1.0-1.1 ms and 4.9-5.1 ms: the CPU idles
 * 1 us-1 ms and 1.1-4.9 ms, both in C1; both stretches end at the other
 * task's wakeup (2 x 2 us), and the vCPU's wakeup, which finds that task
 * running, pays none. Then a halt without contention (the IPI at 5 ms, C6
 * by menu on the one-state table): no task wakeups, a mean of none.
 */
static void test_task_exits_at_the_wakeup_and_none(void **unused)
{
	static const uint64_t busy[] = {1 * MS, 1 * MS + 100 * US, 4 * MS + 900 * US,
	                                5 * MS + 100 * US};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct hp_metrics m;
	char *table, line[512];
	json_t *root, *h;

	(void)unused;
	test_one_halt(&e, 5 * MS, busy, 2);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", two_states, "ladder");
	replay(&e, &cfg, &m, &table, &root);
	assert_int_equal(m.total.idle.task_wakes, 2);
	assert_int_equal(m.total.idle.task_exit_ns, 4 * US);
	assert_int_equal(m.total.idle.exit_ns, 0);
	h = host_idle(root, -1);
	assert_json_u64(h, "task_wakeups", 2);
	assert_true(json_real_value(json_object_get(h, "task_exit_latency_mean_ns")) == 2000.0);
	json_decref(root);
	free(table);
	hp_metrics_free(&m);
	hp_episodes_free(&e);

	test_one_halt(&e, 5 * MS, NULL, 0);
	test_configure_idle(&cfg, "kvm", "x86", 0, "0", one_state, "menu");
	replay(&e, &cfg, &m, &table, &root);
	assert_int_equal(m.total.idle.task_wakes, 0);
	assert_int_equal(m.total.idle.task_exit_ns, 0);
	assert_int_equal(m.total.idle.exit_ns, 100 * US);
	assert_non_null(idle_line(table, "total", line, sizeof(line)));
	if (!strstr(line, " 0       0.00          -"))
		fail_msg("total: '%s'", line);
	h = host_idle(root, -1);
	assert_json_u64(h, "task_wakeups", 0);
	assert_true(json_is_null(json_object_get(h, "task_exit_latency_mean_ns")));
	json_decref(root);
	free(table);
	hp_metrics_free(&m);
	hp_episodes_free(&e);
}

/*
 * Four vCPUs in vcores of two, on the one-state table (C6, 100 us exit):
 * vCPUs 0 and 1 halt 100-300 and 150-250 us (the vcore blocks at 152 us,
 * when vCPU 1's 2 us exit completes, and idles in C6 until 250 us: 98 us,
 * carried by vCPU 1); vCPUs 2 and 3 the same 1 ms later (98 us, carried by
 * vCPU 3). The idle rows are vc0 and vc1, not 0 to 3: each vcore's 98 us
 * over its host CPU's wall time W (the longer of its two vCPUs'), and the
 * total 196 us over the two host CPUs' 2 W; the per-vCPU JSON keeps the
 * residency in the runner's row.
 */
static void test_vcore_rows(void **unused)
{
	struct hp_episodes e = {0};
	struct hp_engine_config cfg;
	struct hp_metrics m;
	struct hp_err err;
	char *table, line[512], want[64];
	json_t *root;
	uint64_t wall[2] = {0, 0};
	uint32_t i;

	(void)unused;
	for (i = 0; i < 4; i++) {
		uint64_t at = (i / 2) * MS;
		struct hp_episode h = {.halt_start_ns = at + (i % 2 ? 150 : 100) * US,
		                       .wake_ns = at + (i % 2 ? 250 : 300) * US,
		                       .cpu = i,
		                       .source_cpu = -1};

		assert_int_equal(hp_episodes_push(&e, &h, &err), 0);
	}
	hp_episodes_sort(&e);
	e.t_first_ns = 0;
	e.t_last_ns = 2 * MS;
	test_configure_idle(&cfg, "vcore", "ppc", 2, "200000", one_state, "menu");
	replay(&e, &cfg, &m, &table, &root);
	assert_int_equal(m.ncpu, 4);
	assert_int_equal(m.cpu[1].idle.res_ns[0], 98 * US);
	assert_int_equal(m.cpu[3].idle.res_ns[0], 98 * US);
	assert_int_equal(m.cpu[0].idle.res_ns[0] + m.cpu[2].idle.res_ns[0], 0);
	for (i = 0; i < 4; i++) {
		struct hp_summary s;

		hp_summarize(&m, (int)i, &s);
		if (s.wall_ns > wall[i / 2])
			wall[i / 2] = s.wall_ns;
	}
	assert_true(wall[0] > 0 && wall[1] > 0);
	for (i = 0; i < 2; i++) {
		char row[8];

		snprintf(row, sizeof(row), "vc%u", i);
		if (!idle_line(table, row, line, sizeof(line)))
			fail_msg("no idle row %s in:\n%s", row, table);
		snprintf(want, sizeof(want), " %9.2f ",
		         100.0 * (double)(98 * US) / (double)wall[i]);
		if (!strstr(line, want))
			fail_msg("row %s: '%s' lacks '%s'", row, line, want);
	}
	assert_non_null(idle_line(table, "total", line, sizeof(line)));
	snprintf(want, sizeof(want), " %9.2f ",
	         100.0 * (double)(196 * US) / (double)(wall[0] + wall[1]));
	if (!strstr(line, want))
		fail_msg("total: '%s' lacks '%s'", line, want);
	/* no per-vCPU rows in the idle section, and the output says what the rows are */
	assert_null(idle_line(table, "0", line, sizeof(line)));
	assert_null(idle_line(table, "3", line, sizeof(line)));
	assert_non_null(strstr(table, "vcN = vcore N, vCPUs 2*N to 2*N+1: one host CPU"));
	assert_non_null(strstr(table, "the vcore's host CPU over wall time"));
	assert_json_u64(json_array_get(json_object_get(host_idle(root, 1), "states"), 0),
	                "residency_ns", 98 * US);
	json_decref(root);
	free(table);
	hp_metrics_free(&m);
	hp_episodes_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_task_exits_counted),
	    cmocka_unit_test(test_task_exits_at_the_wakeup_and_none),
	    cmocka_unit_test(test_vcore_rows),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
