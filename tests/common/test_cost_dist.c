/*
 * Cost-model values as distributions:
 *  - quantiles are an inverse CDF with linear interpolation: the value at a
 *    point's P is its NS, halfway between two points it is halfway between
 *    their NS, and 40000 draws put about P of themselves at or below each
 *    point's NS;
 *  - a log-normal returns its median at u = 0.5 and its p99 at u = 0.99;
 *  - a draw depends only on (seed, cpu, halt, field): the same in any order,
 *    different for another seed; constant fields are never touched;
 *  - the text form (--cost-set, sweep configs) and the cost file's JSON
 *    round-trip exactly;
 *  - bad cost files fail naming the key and what was expected;
 *  - `hpsim replay` with a distribution is byte-identical run to run, differs
 *    from the constant, and a cost file of constants changes nothing.
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

#include "hpsim/cost.h"

#define TRACE HPSIM_SOURCE_DIR "/traces/pingpong.dat"

static char dir[] = "/tmp/hpsim-cost-dist-XXXXXX";

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

static int load(struct hp_cost *c, const char *name, const char *text, struct hp_err *err)
{
	char path[512];

	write_file(name, text);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	hp_cost_defaults(c, HP_ARCH_X86);
	return hp_cost_load_json(c, path, err);
}

static size_t field(const char *name)
{
	const struct hp_cost_field *f;
	size_t i, n;

	f = hp_cost_fields(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(f[i].name, name))
			return i;
	fail();
	return 0;
}

static void test_quantiles(void **state)
{
	static struct hp_cost c;
	struct hp_err err;
	const struct hp_cost_dist *d;
	uint64_t below[4] = {0}, k;
	static const double at[4] = {1000, 2000, 4000, 10000}, p[4] = {0.1, 0.5, 0.9, 1.0};
	int i;

	(void)state;
	assert_int_equal(load(&c, "q.json",
	                      "{\"host_wakeup_ns\": {\"quantiles\": [[0, 500], [0.1, 1000], "
	                      "[0.5, 2000], [0.9, 4000], [1.0, 10000]], \"samples\": 99}}",
	                      &err),
	                 0);
	d = &c.dist[field("host_wakeup_ns")];
	assert_true(c.varying == 1u << field("host_wakeup_ns"));
	assert_int_equal(d->samples, 99);
	assert_int_equal(hp_cost_dist_value(d, 0.0), 500);
	assert_int_equal(hp_cost_dist_value(d, 0.1), 1000);
	assert_int_equal(hp_cost_dist_value(d, 0.3), 1500);
	assert_int_equal(hp_cost_dist_value(d, 0.7), 3000);
	assert_int_equal(hp_cost_dist_value(d, 0.95), 7000);
	/* the displayed value is the median */
	assert_int_equal(c.host_wakeup_ns, 2000);
	for (k = 0; k < 40000; k++) {
		struct hp_cost out = c;

		hp_cost_draw(&c, &out, 0, k);
		assert_true(out.host_wakeup_ns >= 500 && out.host_wakeup_ns <= 10000);
		/* the constants stay */
		assert_int_equal(out.hlt_exit_ns, c.hlt_exit_ns);
		for (i = 0; i < 4; i++)
			below[i] += out.host_wakeup_ns <= at[i];
	}
	for (i = 0; i < 4; i++) {
		double frac = (double)below[i] / 40000;

		assert_true(frac > p[i] - 0.01 && frac < p[i] + 0.01);
	}
}

static void test_lognormal(void **state)
{
	static struct hp_cost c;
	struct hp_err err;
	const struct hp_cost_dist *d;
	uint64_t v;

	(void)state;
	assert_int_equal(
	    load(&c, "ln.json",
	         "{\"vm_entry_ns\": {\"lognormal\": {\"median\": 600, \"p99\": 6000}}}", &err),
	    0);
	d = &c.dist[field("vm_entry_ns")];
	assert_int_equal(hp_cost_dist_value(d, 0.5), 600);
	v = hp_cost_dist_value(d, 0.99);
	assert_true(v >= 5995 && v <= 6005);
	assert_true(hp_cost_dist_value(d, 0.999) > v);
	assert_true(hp_cost_dist_value(d, 0.01) < 600);
	/* median == p99: a constant in disguise */
	hp_cost_defaults(&c, HP_ARCH_X86);
	assert_int_equal(hp_cost_set(&c, "vm_entry_ns", "lognormal:700:700", &err), 0);
	assert_int_equal(hp_cost_dist_value(&c.dist[field("vm_entry_ns")], 0.999), 700);
}

static void test_draw_order(void **state)
{
	static struct hp_cost c;
	struct hp_cost *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	uint64_t fwd[64], other = 0;
	struct hp_err err;
	int k, differ = 0;

	(void)state;
	hp_cost_defaults(&c, HP_ARCH_X86);
	assert_int_equal(hp_cost_set(&c, "host_wakeup_ns", "lognormal:5000:50000", &err), 0);
	assert_int_equal(hp_cost_set(&c, "hlt_exit_ns", "quantiles:0:500,1:1500", &err), 0);
	*a = c;
	*b = c;
	for (k = 0; k < 64; k++) {
		hp_cost_draw(&c, a, 3, (uint64_t)k);
		fwd[k] = a->host_wakeup_ns ^ (a->hlt_exit_ns << 32);
	}
	for (k = 63; k >= 0; k--) {
		hp_cost_draw(&c, b, 3, (uint64_t)k);
		assert_int_equal(fwd[k], b->host_wakeup_ns ^ (b->hlt_exit_ns << 32));
		differ += k && fwd[k] != fwd[k - 1];
	}
	assert_true(differ > 60);
	/* another cpu, another seed: other draws */
	hp_cost_draw(&c, b, 4, 0);
	other += b->host_wakeup_ns != (fwd[0] & 0xffffffffu);
	c.seed = 2;
	hp_cost_draw(&c, b, 3, 0);
	other += b->host_wakeup_ns != (fwd[0] & 0xffffffffu);
	assert_int_equal(other, 2);
	free(a);
	free(b);
}

static void test_text_roundtrip(void **state)
{
	static struct hp_cost c, r;
	struct hp_err err;
	size_t i = field("guest_wakeup_ns"), k;
	char *t;

	(void)state;
	assert_int_equal(load(&c, "rt.json",
	                      "{\"guest_wakeup_ns\": {\"quantiles\": [[0, 100], [0.333, 1234.5], "
	                      "[1, 9999]]}}",
	                      &err),
	                 0);
	t = hp_cost_text(&c, i);
	assert_non_null(t);
	hp_cost_defaults(&r, HP_ARCH_X86);
	assert_int_equal(hp_cost_set(&r, "guest_wakeup_ns", t, &err), 0);
	free(t);
	assert_int_equal(r.dist[i].n, 3);
	for (k = 0; k < 3; k++) {
		assert_true(r.dist[i].p[k] == c.dist[i].p[k]);
		assert_true(r.dist[i].ns[k] == c.dist[i].ns[k]);
	}
	/* a constant afterwards makes it a constant again */
	assert_int_equal(hp_cost_set(&r, "guest_wakeup_ns", "800", &err), 0);
	assert_int_equal(r.varying, 0);
}

static void expect_error(const char *json, const char *want1, const char *want2)
{
	static struct hp_cost c;
	struct hp_err err;

	assert_int_equal(load(&c, "bad.json", json, &err), -1);
	if (!strstr(err.msg, want1) || !strstr(err.msg, want2))
		fail_msg("'%s' lacks '%s' or '%s'", err.msg, want1, want2);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{\"host_wakeup_ns\": {\"quantiles\": [[0, 1], [0.5, 2], [0.4, 3], [1, 4]]}}",
	             "host_wakeup_ns", "increase strictly");
	expect_error("{\"hlt_exit_ns\": {\"quantiles\": [[0, 5], [1, 4]]}}", "hlt_exit_ns",
	             "must not decrease");
	expect_error("{\"hlt_exit_ns\": {\"quantiles\": [[0.1, 5], [1, 6]]}}", "hlt_exit_ns",
	             "from P 0.0 to P 1.0");
	expect_error("{\"hlt_exit_ns\": {\"quantiles\": [[0, 5], [1]]}}", "hlt_exit_ns",
	             "[P, NS] pair");
	expect_error("{\"hlt_exit_ns\": {\"quantiles\": [[0, 5], [1, 6]], \"bins\": 3}}",
	             "hlt_exit_ns", "unknown key \"bins\"");
	expect_error("{\"vm_entry_ns\": {\"lognormal\": {\"median\": 600, \"p99\": 500}}}",
	             "vm_entry_ns", "p99");
	expect_error("{\"vm_entry_ns\": {\"lognormal\": {\"median\": 600}}}", "vm_entry_ns",
	             "\"median\": NS, \"p99\": NS");
	expect_error("{\"vm_entry_ns\": \"fast\"}", "vm_entry_ns", "quantiles");
}

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

	snprintf(cmd, sizeof(cmd), "cmp -s '%s/%s' '%s/%s'", dir, a, dir, b);
	return system(cmd) == 0;
}

static void test_replay(void **state)
{
	char args[1024];

	(void)state;
	write_file("d.json",
	           "{\"host_wakeup_ns\": {\"lognormal\": {\"median\": 5000, \"p99\": 40000}}}");
	write_file("k.json", "{\"host_wakeup_ns\": 5000, \"hlt_exit_ns\": 1000}");
	snprintf(args, sizeof(args), "replay '%s' --format json --cost '%s/d.json'", TRACE, dir);
	assert_int_equal(hpsim("d1", args), 0);
	assert_int_equal(hpsim("d2", args), 0);
	assert_true(same("d1.out", "d2.out"));
	snprintf(args, sizeof(args), "replay '%s' --format json --cost '%s/d.json' --seed 7", TRACE,
	         dir);
	assert_int_equal(hpsim("d7", args), 0);
	assert_false(same("d1.out", "d7.out"));
	snprintf(args, sizeof(args), "replay '%s' --format csv", TRACE);
	assert_int_equal(hpsim("plain", args), 0);
	snprintf(args, sizeof(args), "replay '%s' --format csv --cost '%s/k.json'", TRACE, dir);
	assert_int_equal(hpsim("konst", args), 0);
	assert_true(same("plain.out", "konst.out"));
	snprintf(args, sizeof(args), "replay '%s' --format csv --cost '%s/d.json'", TRACE, dir);
	assert_int_equal(hpsim("dcsv", args), 0);
	assert_false(same("plain.out", "dcsv.out"));
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
	    cmocka_unit_test(test_quantiles),  cmocka_unit_test(test_lognormal),
	    cmocka_unit_test(test_draw_order), cmocka_unit_test(test_text_roundtrip),
	    cmocka_unit_test(test_errors),     cmocka_unit_test(test_replay),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
