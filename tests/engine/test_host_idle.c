/*
 * Host idle states in the replay, on the bundled captures with the Skylake-SP
 * table (C1 2 us, C1E 10 us, C6 133 us exit latency):
 *  - --host-idle none (and no option) is byte-identical to the replay
 *    without idle states; skx twice is byte-identical too;
 *  - timer-1ms.dat without polling: the CPU sleeps a millisecond per halt,
 *    the governor picks deep states, and the p99 latency carries the C6
 *    exit latency (p99 >= 133 us), while without idle states it is below it;
 *  - pingpong.dat: without polling nearly every short halt (recorded under
 *    100 us) pays an exit latency; with halt_poll_ns=200000 most halts find
 *    the poll window grown past them, and of those none does; p99 is back to the
 *    polled latency of the replay without idle states;
 *  - a PM QoS limit below C6's exit latency keeps every wakeup out of C6;
 *  - the time split still adds up (accounting_errors 0), and the residency
 *    of C0 and the states is the wall time;
 *  - with powers in the table the energy is C0 at POLL's power plus each
 *    state's residency at its power, recomputed here from the report;
 *    without powers it is null;
 *  - a sweep over halt_poll_ns with "host_idle": "skx" has a Pareto front
 *    (polling CPU against mean latency) of more than two latency levels;
 *  - bad options and config keys fail naming the option or key.
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

#include "hpsim/engine.h"
#include "hpsim/trace.h"

#define TRACES     HPSIM_SOURCE_DIR "/traces/"
#define C6_EXIT_NS 133000

static char dir[] = "/tmp/hpsim-host-idle-XXXXXX";

static int hpsim(const char *name, const char *args)
{
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s/%s.out' 2>'%s/%s.err'", HPSIM_BINARY, args, dir,
	         name, dir, name);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int same(const char *a, const char *b)
{
	char cmd[1100];

	snprintf(cmd, sizeof(cmd), "cmp -s '%s/%s.out' '%s/%s.out'", dir, a, dir, b);
	return system(cmd) == 0;
}

static char *slurp(const char *name)
{
	char path[512], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc((size_t)n + 1, 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* Run a JSON replay and return its "total" object (the root is *root, to decref). */
static json_t *replay_json(const char *name, const char *args, json_t **root)
{
	char full[2048], file[128];
	json_error_t je;

	snprintf(full, sizeof(full), "replay %s --format json", args);
	assert_int_equal(hpsim(name, full), 0);
	snprintf(file, sizeof(file), "%s/%s.out", dir, name);
	*root = json_load_file(file, 0, &je);
	assert_non_null(*root);
	return json_object_get(*root, "total");
}

static uint64_t num(json_t *o, const char *path)
{
	char buf[256], *tok, *save;
	json_t *v = o;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		v = json_object_get(v, tok);
	assert_true(json_is_number(v));
	return (uint64_t)json_number_value(v);
}

static json_t *state(json_t *total, const char *name)
{
	json_t *st = json_object_get(json_object_get(total, "host_idle"), "states"), *x;
	size_t i;

	json_array_foreach(
	    st, i, x) if (!strcmp(json_string_value(json_object_get(x, "name")), name)) return x;
	fail_msg("no state %s", name);
	return NULL;
}

static void test_none_is_today(void **state)
{
	(void)state;
	assert_int_equal(hpsim("plain", "replay " TRACES "pingpong.dat --format json"), 0);
	assert_int_equal(
	    hpsim("none", "replay " TRACES "pingpong.dat --format json --host-idle none"), 0);
	assert_true(same("plain", "none"));
	assert_int_equal(
	    hpsim("skx1", "replay " TRACES "pingpong.dat --format csv --host-idle skx"), 0);
	assert_int_equal(
	    hpsim("skx2", "replay " TRACES "pingpong.dat --format csv --host-idle skx"), 0);
	assert_true(same("skx1", "skx2"));
	assert_false(same("plain", "skx1"));
}

static void test_timer_p99_carries_c6(void **st)
{
	json_t *r0, *r1, *t0, *t1;
	uint64_t wall, sum = 0;
	size_t i;
	json_t *x;

	(void)st;
	t0 = replay_json("t0", TRACES "timer-1ms.dat --set halt_poll_ns=0", &r0);
	t1 = replay_json("t1", TRACES "timer-1ms.dat --set halt_poll_ns=0 --host-idle skx", &r1);
	assert_true(num(t0, "latency.p99_ns") < C6_EXIT_NS);
	assert_true(num(t1, "latency.p99_ns") >= C6_EXIT_NS);
	assert_true(num(state(t1, "C6"), "wakeups") > 0);
	assert_null(json_object_get(t0, "host_idle"));
	/* the split still adds up, and the residencies fit in the wall time */
	assert_int_equal(num(t1, "time.accounting_errors"), 0);
	wall = num(t1, "time.wall_ns");
	json_array_foreach(json_object_get(json_object_get(t1, "host_idle"), "states"), i, x) sum +=
	    num(x, "residency_ns");
	assert_true(sum <= wall);
	assert_true(json_is_null(json_object_get(json_object_get(t1, "host_idle"), "energy_mj")));
	json_decref(r0);
	json_decref(r1);
}

/* The short halts (recorded under 100 us) of pingpong.dat, and how many paid an idle exit. */
struct short_count {
	uint64_t shorts, paid, covered, covered_paid;
};

static void count_short(void *ctx, const struct hp_outcome *o)
{
	struct short_count *c = ctx;
	const struct hp_decision *d = &o->d[HP_LAYER_HOST];

	uint64_t len = o->ep->wake_ns - o->ep->halt_start_ns;

	if (len >= 100000)
		return;
	c->shorts++;
	c->paid += o->idle_exit_ns > 0;
	/* the poll window already past the halt when it began */
	if (o->has[HP_LAYER_HOST] && d->poll_limit_before_ns >= len) {
		c->covered++;
		c->covered_paid += o->idle_exit_ns > 0;
	}
}

static void run_pingpong(const char *poll, struct short_count *c)
{
	struct hp_run_spec spec = {0};
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_episodes eps = {0};
	struct hp_err err;

	spec.policy[HP_LAYER_HOST] = "kvm";
	spec.params[0].name = "halt_poll_ns";
	spec.params[0].value = poll;
	spec.nparams = 1;
	spec.idle.table = "skx";
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), 0);
	assert_int_equal(hp_trace_read(TRACES "pingpong.dat", &eps, &err), 0);
	memset(c, 0, sizeof(*c));
	cfg.on_outcome = count_short;
	cfg.ctx = c;
	assert_int_equal(hp_engine_run(&eps, &cfg, &st, &err), 0);
	hp_episodes_free(&eps);
}

static void test_pingpong_poll_removes_exit(void **st)
{
	struct short_count c0, c200;
	json_t *r0, *r1, *t0, *t1;

	(void)st;
	run_pingpong("0", &c0);
	assert_true(c0.shorts > 10000);
	assert_true(c0.paid * 10 >= c0.shorts * 9);
	run_pingpong("200000", &c200);
	assert_true(c200.covered * 10 >= c200.shorts * 9);
	assert_int_equal(c200.covered_paid, 0);
	/* p99 with polling: the polled latency, as without idle states */
	t0 = replay_json("pp0", TRACES "pingpong.dat --set halt_poll_ns=200000", &r0);
	t1 = replay_json("pp1", TRACES "pingpong.dat --set halt_poll_ns=200000 --host-idle skx",
	                 &r1);
	assert_int_equal(num(t1, "latency.p99_ns"), num(t0, "latency.p99_ns"));
	assert_true(num(t1, "latency.p99_ns") < 10000);
	json_decref(r0);
	json_decref(r1);
}

static void test_latency_req(void **st)
{
	json_t *r, *t;

	(void)st;
	t = replay_json("qos",
	                TRACES "timer-1ms.dat --set halt_poll_ns=0 --host-idle skx "
	                       "--host-latency-req 50000",
	                &r);
	assert_int_equal(num(state(t, "C6"), "wakeups"), 0);
	assert_int_equal(num(state(t, "C6"), "residency_ns"), 0);
	assert_true(num(t, "latency.p99_ns") < C6_EXIT_NS);
	json_decref(r);
}

static void test_energy(void **st)
{
	static const char *const names[] = {"POLL", "C1", "C1E", "C6"};
	static const double mw[] = {4000, 1500, 1000, 100};
	char path[512], args[1024];
	json_t *r, *t;
	double pj, idle = 0, wall;
	FILE *f;
	int i;

	(void)st;
	snprintf(path, sizeof(path), "%s/power.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(
	    "{\"name\": \"skx-power\", \"states\": [\n"
	    "{\"name\": \"POLL\", \"exit_latency_ns\": 0, \"target_residency_ns\": 0, "
	    "\"power_mw\": 4000, \"polling\": true},\n"
	    "{\"name\": \"C1\", \"exit_latency_us\": 2, \"target_residency_us\": 2, \"power_mw\": "
	    "1500},\n"
	    "{\"name\": \"C1E\", \"exit_latency_us\": 10, \"target_residency_us\": 20, "
	    "\"power_mw\": 1000},\n"
	    "{\"name\": \"C6\", \"exit_latency_us\": 133, \"target_residency_us\": 600, "
	    "\"power_mw\": 100}]}\n",
	    f);
	fclose(f);
	snprintf(args, sizeof(args), TRACES "timer-1ms.dat --host-idle '%s'", path);
	t = replay_json("energy", args, &r);
	wall = (double)num(t, "time.wall_ns");
	pj = 0;
	for (i = 0; i < 4; i++) {
		double res = (double)num(state(t, names[i]), "residency_ns");

		idle += res;
		pj += mw[i] * res;
	}
	pj += mw[0] * (wall - idle);
	{
		double e =
		    json_real_value(json_object_get(json_object_get(t, "host_idle"), "energy_mj"));

		assert_true(e > 0);
		assert_true(e > pj / 1e9 * 0.999999 && e < pj / 1e9 * 1.000001);
		/* deep states: well under the all-C0 figure */
		assert_true(e < mw[0] * wall / 1e9 * 0.5);
	}
	json_decref(r);
}

static void expect_fail(const char *name, const char *args, const char *want)
{
	char *msg;
	char file[64];

	assert_int_not_equal(hpsim(name, args), 0);
	snprintf(file, sizeof(file), "%s.err", name);
	msg = slurp(file);
	if (!strstr(msg, want))
		fail_msg("'%s' lacks '%s'", msg, want);
	free(msg);
}

static void test_errors(void **st)
{
	(void)st;
	expect_fail("e1", "replay " TRACES "pingpong.dat --host-idle nosuch", "nosuch");
	expect_fail("e2", "replay " TRACES "pingpong.dat --host-idle skx --host-governor nosuch",
	            "--host-governor");
	expect_fail("e3", "replay " TRACES "pingpong.dat --host-idle skx --host-latency-req 5us",
	            "--host-latency-req");
}

/* Count the distinct latencies of the Pareto front of (poll_cpu_pct, lat_mean_ns) points. */
static int front_levels(const char *csv)
{
	double cpu[64], lat[64], levels[64];
	int n = 0, nl = 0, i, j, cc = -1, lc = -1, col;
	char *line, *save, *tok, *save2;

	for (line = strtok_r((char *)csv, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double v[2] = {0, 0};

		col = 0;
		for (tok = strtok_r(line, ",", &save2); tok;
		     tok = strtok_r(NULL, ",", &save2), col++) {
			if (cc < 0 || lc < 0) {
				if (!strcmp(tok, "poll_cpu_pct"))
					cc = col;
				if (!strcmp(tok, "lat_mean_ns"))
					lc = col;
				continue;
			}
			if (col == cc)
				v[0] = atof(tok);
			if (col == lc)
				v[1] = atof(tok);
		}
		if (cc >= 0 && lc >= 0 && v[1] > 0 && n < 64) {
			cpu[n] = v[0];
			lat[n++] = v[1];
		}
	}
	assert_true(n > 2);
	for (i = 0; i < n; i++) {
		int dominated = 0;

		for (j = 0; j < n; j++)
			dominated |= cpu[j] <= cpu[i] && lat[j] <= lat[i] &&
			             (cpu[j] < cpu[i] || lat[j] < lat[i]);
		if (dominated)
			continue;
		for (j = 0; j < nl && levels[j] != lat[i]; j++)
			;
		if (j == nl)
			levels[nl++] = lat[i];
	}
	return nl;
}

static void test_sweep_front(void **st)
{
	char path[512], args[1024];
	char *csv;
	FILE *f;

	(void)st;
	snprintf(path, sizeof(path), "%s/sweep.json", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "{\"traces\": [\"%spingpong.dat\"], \"policies\": {\"host\": \"kvm\"}, "
	        "\"host_idle\": \"skx\", \"host_governor\": \"menu\", \"params\": "
	        "{\"host.halt_poll_ns\": [0, 10000, 20000, 50000, 100000, 200000, 400000]}}\n",
	        TRACES);
	fclose(f);
	snprintf(args, sizeof(args), "sweep '%s' -o '%s/sw' -j 2 --quiet", path, dir);
	assert_int_equal(hpsim("sweep", args), 0);
	csv = slurp("sw/results.csv");
	assert_true(front_levels(csv) > 2);
	free(csv);
	/* a bad key value names the key */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f,
	        "{\"traces\": [\"%spingpong.dat\"], \"policies\": {\"host\": \"kvm\"}, "
	        "\"host_idle\": \"nosuch\"}\n",
	        TRACES);
	fclose(f);
	snprintf(args, sizeof(args), "sweep '%s' -o '%s/sw2' -j 1 --quiet", path, dir);
	expect_fail("sweep2", args, "$.host_idle");
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_none_is_today),
	    cmocka_unit_test(test_timer_p99_carries_c6),
	    cmocka_unit_test(test_pingpong_poll_removes_exit),
	    cmocka_unit_test(test_latency_req),
	    cmocka_unit_test(test_energy),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_sweep_front),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
