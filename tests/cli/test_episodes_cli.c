/*
 * hpsim gen, convert and info end to end: gen is byte-identical for the same
 * command; convert of each bundled capture reads back as the same episodes;
 * info's JSON agrees with statistics computed here from the episodes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "helpers.h"
#include <jansson.h>

#include "hpsim/trace.h"

static char dir[] = "/tmp/hpsim-test-epcli-XXXXXX";

/* Run hpsim with args (HPSIM_NO_CACHE unset); stdout to out_path, stderr to err (if not NULL). */
static int hpsim(const char *args, const char *out_path, char *err, size_t errlen)
{
	char cmd[2048], errfile[128];
	FILE *f;
	size_t n;
	int st;

	snprintf(errfile, sizeof(errfile), "%s/stderr", dir);
	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>'%s'", HPSIM_BINARY, args,
	         out_path ? out_path : "/dev/null", errfile);
	st = system(cmd);
	if (err) {
		f = fopen(errfile, "r");
		assert_non_null(f);
		n = fread(err, 1, errlen - 1, f);
		err[n] = '\0';
		fclose(f);
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = test_slurp(path, len);

	assert_non_null(buf);
	return buf;
}

static void test_gen_is_byte_identical(void **unused)
{
	static const char *const kinds[] = {
	    "periodic --hz=250 --jitter-us=30", "poisson --rate=5000", "bimodal --mix=0.5",
	    "bursty --on-ms=2 --off-ms=3", "pingpong --rtt-us=30 --jitter-us=2"};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		char args[512], a[128], b[128], c[128], err[1024];
		char *x, *y, *z;
		size_t nx, ny, nz;

		snprintf(a, sizeof(a), "%s/a.csv", dir);
		snprintf(b, sizeof(b), "%s/b.csv", dir);
		snprintf(c, sizeof(c), "%s/c.csv", dir);
		snprintf(args, sizeof(args), "gen %s --seed=9 --cpus=2 --duration=50ms -o '%s'",
		         kinds[i], a);
		if (hpsim(args, NULL, err, sizeof(err)))
			fail_msg("hpsim %s: %s", args, err);
		snprintf(args, sizeof(args), "gen %s --seed=9 --cpus=2 --duration=50ms -o '%s'",
		         kinds[i], b);
		assert_int_equal(hpsim(args, NULL, NULL, 0), 0);
		snprintf(args, sizeof(args), "gen %s --seed=10 --cpus=2 --duration=50ms -o '%s'",
		         kinds[i], c);
		assert_int_equal(hpsim(args, NULL, NULL, 0), 0);
		x = slurp(a, &nx);
		y = slurp(b, &ny);
		z = slurp(c, &nz);
		assert_int_equal(nx, ny);
		assert_memory_equal(x, y, nx);
		assert_true(nx != nz || memcmp(x, z, nx));
		assert_true(!strncmp(x, "cpu,halt_start_ns,wake_ns,source,source_cpu\n", 44));
		free(x);
		free(y);
		free(z);
	}
}

static void test_gen_errors(void **unused)
{
	char err[1024], args[256];

	(void)unused;
	snprintf(args, sizeof(args), "gen triangle -o '%s/x.csv'", dir);
	assert_int_not_equal(hpsim(args, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "periodic, poisson, bimodal, bursty, pingpong"));
	snprintf(args, sizeof(args), "gen poisson --hz=3 -o '%s/x.csv'", dir);
	assert_int_not_equal(hpsim(args, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown parameter --hz; valid: --seed"));
	assert_int_not_equal(hpsim("gen poisson", NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "-o"));
	assert_true(access(args, F_OK) != 0);
}

/* No temporary files are left in dir after atomic writes. */
static void no_tmp_left(void)
{
	struct dirent *d;
	DIR *dp = opendir(dir);

	assert_non_null(dp);
	while ((d = readdir(dp)))
		if (strstr(d->d_name, ".tmp"))
			fail_msg("left behind: %s", d->d_name);
	closedir(dp);
}

static void test_convert_bundled(void **unused)
{
	static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat",
	                                     "timer-1ms.dat", "idle-5s.dat"};
	const struct hp_read_opts off = {.use_cache = 0};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		char args[1024], src[512], csv[128], err[1024];
		struct hp_episodes a, b;
		struct hp_err e = {""};

		snprintf(src, sizeof(src), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[i]);
		snprintf(csv, sizeof(csv), "%s/%s.csv", dir, traces[i]);
		snprintf(args, sizeof(args), "convert --no-cache '%s' -o '%s'", src, csv);
		if (hpsim(args, NULL, err, sizeof(err)))
			fail_msg("hpsim %s: %s", args, err);
		assert_int_equal(hp_trace_read_opts(src, &off, &a, &e), 0);
		if (hp_trace_read_opts(csv, &off, &b, &e) < 0)
			fail_msg("%s", e.msg);
		assert_int_equal(a.n, b.n);
		assert_memory_equal(a.ep, b.ep, a.n * sizeof(*a.ep));
		hp_episodes_free(&a);
		hp_episodes_free(&b);
	}
	no_tmp_left();
	assert_int_not_equal(hpsim("convert /nonexistent.dat -o /tmp/never.csv", NULL, NULL, 0), 0);
}

static void test_bad_csv_exits_with_location(void **unused)
{
	char csv[128], args[256], err[1024], want[256];
	FILE *f;

	(void)unused;
	snprintf(csv, sizeof(csv), "%s/bad.csv", dir);
	f = fopen(csv, "w");
	assert_non_null(f);
	fputs("cpu,halt_start_ns,wake_ns\n0,100,1e3\n", f);
	assert_int_equal(fclose(f), 0);
	snprintf(args, sizeof(args), "info '%s'", csv);
	assert_int_equal(hpsim(args, NULL, err, sizeof(err)), 1);
	snprintf(want, sizeof(want), "%s:2: column 3 (wake_ns): '1e3'", csv);
	if (!strstr(err, want))
		fail_msg("stderr '%s' should contain '%s'", err, want);
	snprintf(args, sizeof(args), "replay '%s'", csv);
	assert_int_equal(hpsim(args, NULL, err, sizeof(err)), 1);
	assert_non_null(strstr(err, want));
}

static uint64_t jget(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		fail_msg("key %s missing or not an integer", k);
	return (uint64_t)json_integer_value(v);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void test_info_json_matches_episodes(void **unused)
{
	const struct hp_read_opts off = {.use_cache = 0};
	char csv[128], out[128], args[512], err[1024];
	struct hp_episodes eps;
	struct hp_err e = {""};
	json_error_t jerr;
	json_t *root, *cpus;
	size_t i, idx;

	(void)unused;
	snprintf(csv, sizeof(csv), "%s/info.csv", dir);
	snprintf(out, sizeof(out), "%s/info.json", dir);
	snprintf(args, sizeof(args), "gen pingpong --cpus=4 --count=500 --jitter-us=2 -o '%s'",
	         csv);
	assert_int_equal(hpsim(args, NULL, NULL, 0), 0);
	snprintf(args, sizeof(args), "info '%s' --format json", csv);
	if (hpsim(args, out, err, sizeof(err)))
		fail_msg("hpsim %s: %s", args, err);
	root = json_load_file(out, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s", jerr.text);
	assert_int_equal(hp_trace_read_opts(csv, &off, &eps, &e), 0);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(root, "trace"), "format")), "csv");
	assert_int_equal(jget(json_object_get(root, "trace"), "cpus"), 4);
	cpus = json_object_get(root, "cpus");
	assert_int_equal(json_array_size(cpus), 4);
	for (idx = 0; idx < json_array_size(cpus); idx++) {
		json_t *c = json_array_get(cpus, idx), *h = json_object_get(c, "halt_ns");
		uint64_t *len = malloc(eps.n * sizeof(*len)), idle = 0, hist = 0;
		uint32_t cpu = (uint32_t)jget(c, "cpu");
		size_t n = 0;

		assert_non_null(len);
		for (i = 0; i < eps.n; i++) {
			if (eps.ep[i].cpu != cpu)
				continue;
			len[n] = eps.ep[i].wake_ns - eps.ep[i].halt_start_ns;
			idle += len[n++];
		}
		qsort(len, n, sizeof(*len), cmp_u64);
		assert_int_equal(jget(c, "halts"), n);
		assert_int_equal(jget(c, "idle_ns"), idle);
		assert_int_equal(jget(h, "min"), len[0]);
		assert_int_equal(jget(h, "max"), len[n - 1]);
		/* nearest rank: the smallest value with at least p% of halts at or below it */
		assert_int_equal(jget(h, "p50"), len[(n * 50 + 99) / 100 - 1]);
		assert_int_equal(jget(h, "p90"), len[(n * 90 + 99) / 100 - 1]);
		assert_int_equal(jget(h, "p99"), len[(n * 99 + 99) / 100 - 1]);
		for (i = 0; i < 32; i++)
			hist += (uint64_t)json_integer_value(
			    json_array_get(json_object_get(c, "log2_hist"), i));
		assert_int_equal(hist, n);
		assert_int_equal(jget(json_object_get(c, "sources"), "ipi"), n);
		assert_int_equal(jget(json_object_get(c, "sources"), "timer"), 0);
		free(len);
	}
	assert_int_equal(jget(json_object_get(root, "total"), "halts"), eps.n);
	json_decref(root);
	hp_episodes_free(&eps);
}

static int setup(void **state)
{
	(void)state;
	unsetenv("HPSIM_NO_CACHE");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_gen_is_byte_identical),
	    cmocka_unit_test(test_gen_errors),
	    cmocka_unit_test(test_convert_bundled),
	    cmocka_unit_test(test_info_json_matches_episodes),
	    cmocka_unit_test(test_bad_csv_exits_with_location),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
