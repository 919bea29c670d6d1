/*
 * Sweeps end to end with the hpsim binary: -j1 and -j2 write identical files;
 * a sweep killed with SIGKILL mid-run resumes to the same files; shards
 * merged (by hand and through GNU parallel) give the single run's files byte
 * for byte; a crashing worker becomes its point's error row; bad configs and
 * directories fail clearly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "helpers.h"

static char tmp[256];

static const char *const outputs[] = {"results.csv", "results.json", "pareto.csv", "oracle.csv"};

/* Run a shell command line; return its exit status (128+ for a signal). */
/* The four output files of two sweep directories are identical byte for byte. */
static void same_outputs(const char *a, const char *b)
{
	char pa[512], pb[512];
	size_t i, la, lb;

	for (i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		char *x, *y;

		snprintf(pa, sizeof(pa), "%s/%s", a, outputs[i]);
		snprintf(pb, sizeof(pb), "%s/%s", b, outputs[i]);
		x = test_slurp(pa, &la);
		y = test_slurp(pb, &lb);
		if (!x || !y)
			fail_msg("missing %s or %s", pa, pb);
		if (la != lb || memcmp(x, y, la))
			fail_msg("%s and %s differ", pa, pb);
		free(x);
		free(y);
	}
}

static const char quick_fmt[] =
    "{\"traces\": [\"%s/traces/pingpong.dat\", \"%s/traces/timer-1ms.dat\"],\n"
    " \"policies\": {\"host\": \"kvm\"},\n"
    " \"params\": {\"halt_poll_ns\": {\"from\": 10000, \"to\": 1000000, \"per_decade\": 2},\n"
    "            \"halt_poll_ns_shrink\": [0, 2]},\n"
    " \"objective\": {\"latency\": \"p99\", \"constraints\": {\"p99_us_max\": 5}},\n"
    " \"oracle\": {\"from\": 1000, \"to\": 1000000, \"per_decade\": 2}}\n";

static void write_config(const char *name, const char *fmt)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, fmt, HPSIM_SOURCE_DIR, HPSIM_SOURCE_DIR);
	fclose(f);
}

/* A reference run of the quick config into tmp/ref, once. */
static void reference(void)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/ref/results.csv", tmp);
	if (access(path, F_OK) == 0)
		return;
	assert_int_equal(test_sh("'%s' sweep %s/quick.json -o %s/ref -j2 --quiet >/dev/null",
	                         HPSIM_BINARY, tmp, tmp),
	                 0);
}

static void dir_of(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", tmp, name);
}

static void test_jobs_identical(void **state)
{
	char ref[512], j1[512], *csv;
	size_t len;

	(void)state;
	reference();
	dir_of(ref, sizeof(ref), "ref");
	dir_of(j1, sizeof(j1), "j1");
	assert_int_equal(
	    test_sh("'%s' sweep %s/quick.json -o %s -j1 --quiet >/dev/null", HPSIM_BINARY, tmp, j1),
	    0);
	same_outputs(ref, j1);
	/* the column contract the plots read */
	snprintf(j1, sizeof(j1), "%s/ref/results.csv", tmp);
	csv = test_slurp(j1, &len);
	assert_non_null(csv);
	assert_memory_equal(
	    csv,
	    "point,trace,series,host.halt_poll_ns,host.halt_poll_ns_shrink,halts,halt_attempted_poll,"
	    "halt_successful_poll,hit_pct,poll_ns,wall_ns,poll_cpu_pct,lat_mean_ns,lat_p50_ns,"
	    "lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,is_default,pareto,recommended,error\n",
	    strlen("point,trace,series,host.halt_poll_ns,host.halt_poll_ns_shrink,halts,"
	           "halt_attempted_poll,halt_successful_poll,hit_pct,poll_ns,wall_ns,poll_cpu_pct,"
	           "lat_mean_ns,lat_p50_ns,lat_p90_ns,lat_p99_ns,lat_p999_ns,lat_max_ns,"
	           "is_default,pareto,recommended,error\n"));
	/* 5 windows x 2 shrinks + the default (200000, 2) = 11 points, on 2 traces */
	assert_non_null(strstr(csv, "\n10,"));
	assert_null(strstr(csv, "\n11,"));
	free(csv);
}

static int count_lines(const char *path)
{
	size_t len, i;
	char *s = test_slurp(path, &len);
	int n = 0;

	if (!s)
		return 0;
	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	free(s);
	return n;
}

static const char big_fmt[] =
    "{\"traces\": [\"%s/traces/pingpong.dat\", \"%s/traces/timer-1ms.dat\"],\n"
    " \"params\": {\"halt_poll_ns\": {\"from\": 1000, \"to\": 1000000, \"per_decade\": 40},\n"
    "            \"halt_poll_ns_shrink\": [0, 2, 4]},\n"
    " \"oracle\": {\"from\": 1000, \"to\": 1000000, \"per_decade\": 3}}\n";

static void test_resume_after_kill(void **state)
{
	char dir[512], ref[512], journal[600], results[600], cfg[512];
	struct timespec ms = {0, 2000000};
	int i, st, lines = 0;
	pid_t pid;
	FILE *f;

	(void)state;
	write_config("big.json", big_fmt);
	snprintf(cfg, sizeof(cfg), "%s/big.json", tmp);
	dir_of(dir, sizeof(dir), "killed");
	dir_of(ref, sizeof(ref), "big-ref");
	snprintf(journal, sizeof(journal), "%s/journal.tsv", dir);
	snprintf(results, sizeof(results), "%s/results.csv", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl(HPSIM_BINARY, "hpsim", "sweep", cfg, "-o", dir, "-j2", (char *)NULL);
		_exit(127);
	}
	/* kill the sweep with SIGKILL once some rows are in its journal */
	for (i = 0; i < 20000 && lines < 30; i++) {
		nanosleep(&ms, NULL);
		lines = count_lines(journal);
	}
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_true(lines >= 30);
	if (access(results, F_OK) == 0)
		fail_msg("the sweep finished before it was killed; the test proves nothing");
	/* a torn last line, as a crash in the middle of a write leaves it */
	f = fopen(journal, "a");
	assert_non_null(f);
	fputs("17\t20084\t19", f);
	fclose(f);
	assert_int_equal(
	    test_sh("'%s' sweep --resume %s -j2 --quiet >/dev/null", HPSIM_BINARY, dir), 0);
	assert_int_equal(
	    test_sh("'%s' sweep %s -o %s -j2 --quiet >/dev/null", HPSIM_BINARY, cfg, ref), 0);
	same_outputs(ref, dir);
	/* nothing was run twice: the torn line was dropped, every unit is in the journal once */
	snprintf(results, sizeof(results), "%s/journal.tsv", ref);
	assert_int_equal(count_lines(journal), count_lines(results));
	/* a finished sweep resumed again changes nothing */
	assert_int_equal(test_sh("'%s' sweep --resume %s --quiet >/dev/null", HPSIM_BINARY, dir),
	                 0);
	same_outputs(ref, dir);
}

/*
 * The journal numbers units by the grid of DIR/config.json: a config.json
 * edited after the sweep started (a value added to extend the grid) would
 * pair the journal's rows with other points, so --resume refuses it.
 */
static void test_resume_edited_config(void **state)
{
	char dir[512];

	(void)state;
	dir_of(dir, sizeof(dir), "edited");
	assert_int_equal(
	    test_sh("'%s' sweep %s/quick.json -o %s --shard 1/2 -j2 --quiet >/dev/null",
	            HPSIM_BINARY, tmp, dir),
	    0);
	/* untouched, it resumes (nothing left to do) */
	assert_int_equal(test_sh("'%s' sweep --resume %s --quiet >/dev/null", HPSIM_BINARY, dir),
	                 0);
	assert_int_equal(
	    test_sh("sed -i 's/\"per_decade\": 2/\"per_decade\": 3/' %s/config.json && "
	            "grep -q '\"per_decade\": 3' %s/config.json",
	            dir, dir),
	    0);
	assert_int_equal(
	    test_sh("'%s' sweep --resume %s --quiet >/dev/null 2>%s.err", HPSIM_BINARY, dir, dir),
	    1);
	assert_int_equal(
	    test_sh("grep -q 'config.json: changed since the sweep started' %s.err", dir), 0);
	assert_int_equal(test_sh("'%s' recommend %s >/dev/null 2>&1", HPSIM_BINARY, dir), 1);
}

/*
 * The files of a sweep directory get the mode of any new file (0666 less
 * the umask), as the journal and the plots do: the atomic writes' private
 * temporary files made results.csv, config.json and the rest 0600, so a
 * shard run by one user could not be merged by another.
 */
static void test_file_modes(void **state)
{
	static const char *const files[] = {"results.csv", "results.json", "pareto.csv",
	                                    "oracle.csv",  "config.json",  "sweep.json",
	                                    "journal.tsv"};
	static const char *const dirs[] = {"modes", "modes-merged"};
	char path[1024];
	struct stat sb;
	mode_t old = umask(022);
	size_t i, k;

	(void)state;
	assert_int_equal(
	    test_sh("'%s' sweep %s/quick.json -o %s/modes -j2 --quiet >/dev/null && '%s' "
	            "merge %s/modes -o %s/modes-merged",
	            HPSIM_BINARY, tmp, tmp, HPSIM_BINARY, tmp, tmp),
	    0);
	umask(old);
	for (k = 0; k < 2; k++)
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s/%s", tmp, dirs[k], files[i]);
			assert_int_equal(stat(path, &sb), 0);
			if ((sb.st_mode & 0777) != 0644)
				fail_msg("%s: mode %03o, expected 644", path,
				         (unsigned)(sb.st_mode & 0777));
		}
}

static void test_shards_merge(void **state)
{
	char ref[512], out[512];
	int i;

	(void)state;
	reference();
	dir_of(ref, sizeof(ref), "ref");
	for (i = 1; i <= 3; i++)
		assert_int_equal(
		    test_sh("'%s' sweep %s/quick.json -o %s/shard%d --shard %d/3 -j1 --quiet "
		            ">/dev/null",
		            HPSIM_BINARY, tmp, tmp, i, i),
		    0);
	dir_of(out, sizeof(out), "merged");
	assert_int_equal(test_sh("'%s' merge %s/shard3 %s/shard1 %s/shard2 -o %s", HPSIM_BINARY,
	                         tmp, tmp, tmp, out),
	                 0);
	same_outputs(ref, out);
	/* a shard missing: an error naming it, no output */
	assert_int_equal(test_sh("'%s' merge %s/shard1 %s/shard3 -o %s/partial 2>%s/merge.err",
	                         HPSIM_BINARY, tmp, tmp, tmp, tmp),
	                 1);
	assert_int_equal(test_sh("grep -q 'shard 2/3' %s/merge.err", tmp), 0);
	/* a directory that already holds a sweep is not overwritten by a merge */
	assert_int_equal(test_sh("cp %s/results.csv %s/ref.results.csv && cp %s/journal.tsv "
	                         "%s/ref.journal.tsv",
	                         ref, tmp, ref, tmp),
	                 0);
	assert_int_equal(test_sh("'%s' merge %s/shard1 %s/shard2 %s/shard3 -o %s 2>%s/merge2.err",
	                         HPSIM_BINARY, tmp, tmp, tmp, ref, tmp),
	                 1);
	assert_int_equal(test_sh("grep -q 'already holds a sweep' %s/merge2.err", tmp), 0);
	assert_int_equal(
	    test_sh("cmp -s %s/results.csv %s/ref.results.csv && cmp -s %s/journal.tsv "
	            "%s/ref.journal.tsv",
	            ref, tmp, ref, tmp),
	    0);
	/* recommend on the merged directory */
	assert_int_equal(
	    test_sh("'%s' recommend --per-trace %s > %s/reco.txt", HPSIM_BINARY, out, tmp), 0);
	assert_int_equal(test_sh("grep -q 'recommended:' %s/reco.txt && grep -q 'kernel default:' "
	                         "%s/reco.txt && grep -q 'oracle:' %s/reco.txt",
	                         tmp, tmp, tmp),
	                 0);
}

static void test_gnu_parallel(void **state)
{
	char ref[512];

	(void)state;
	reference();
	dir_of(ref, sizeof(ref), "ref");
	assert_int_equal(test_sh("command -v parallel >/dev/null"), 0);
	/* the README's command line */
	assert_int_equal(
	    test_sh("cd %s && parallel '%s' sweep quick.json -o out/shard{} --shard {}/4 "
	            "-j1 --quiet ::: 1 2 3 4 >/dev/null </dev/null && '%s' merge out/shard* "
	            "-o par-merged",
	            tmp, HPSIM_BINARY, HPSIM_BINARY),
	    0);
	snprintf(ref, sizeof(ref), "%s/par-merged", tmp);
	{
		char r0[512];

		dir_of(r0, sizeof(r0), "ref");
		same_outputs(r0, ref);
	}
}

static void test_worker_crash(void **state)
{
	char ref[512], crash[512];

	(void)state;
	reference();
	/* unit 6 is point 3 on the first trace: the test's LD_PRELOAD shim aborts the worker
	 * running it (ASan: the shim loads first); the point is lost, the sweep fails naming it
	 * and keeps the other rows */
	assert_int_equal(test_sh("HPSIM_CRASH_SHIM_UNIT=6 LD_PRELOAD='%s' "
	                         "ASAN_OPTIONS=\"$ASAN_OPTIONS:verify_asan_link_order=0\" "
	                         "'%s' sweep %s/quick.json -o %s/crash -j2 --quiet >/dev/null "
	                         "2>%s/crash.err",
	                         HPSIM_CRASH_SHIM, HPSIM_BINARY, tmp, tmp, tmp),
	                 1);
	assert_int_equal(test_sh("grep -q '1 point lost: the worker process running unit 6 .* was "
	                         "killed by signal 6' %s/crash.err",
	                         tmp),
	                 0);
	assert_int_equal(test_sh("grep -q -- '--resume %s/crash' %s/crash.err", tmp, tmp), 0);
	/* --resume reruns the lost point: the same outputs as an uninterrupted sweep */
	assert_int_equal(
	    test_sh("'%s' sweep --resume %s/crash -j2 --quiet >/dev/null", HPSIM_BINARY, tmp), 0);
	dir_of(crash, sizeof(crash), "crash");
	dir_of(ref, sizeof(ref), "ref");
	same_outputs(crash, ref);
}

static void test_bad_input(void **state)
{
	(void)state;
	reference();
	assert_int_equal(test_sh("echo '{\"traces\": [\"%s/traces/pingpong.dat\"], \"params\": "
	                         "{\"halt_poll_ns\": {\"from\": 1, \"to\": 9, \"step\": 0}}}' > "
	                         "%s/bad.json",
	                         HPSIM_SOURCE_DIR, tmp),
	                 0);
	assert_int_equal(
	    test_sh("'%s' sweep %s/bad.json -o %s/bad 2>%s/bad.err", HPSIM_BINARY, tmp, tmp, tmp),
	    1);
	assert_int_equal(
	    test_sh("grep -q '\\$.params.halt_poll_ns.step: a step of 0' %s/bad.err", tmp), 0);
	/* a directory that holds a sweep is not overwritten */
	assert_int_equal(test_sh("'%s' sweep %s/quick.json -o %s/ref 2>%s/again.err", HPSIM_BINARY,
	                         tmp, tmp, tmp),
	                 1);
	assert_int_equal(test_sh("grep -q -- '--resume' %s/again.err", tmp), 0);
	/* not a sweep directory */
	assert_int_equal(test_sh("'%s' recommend %s 2>/dev/null", HPSIM_BINARY, tmp), 1);
}

/* The width and height in a PNG's IHDR, or 0 when path is not a PNG. */
static void png_size(const char *path, unsigned *w, unsigned *h)
{
	unsigned char b[24];
	FILE *f = fopen(path, "rb");

	*w = *h = 0;
	if (!f)
		return;
	if (fread(b, 1, sizeof(b), f) == sizeof(b) && !memcmp(b, "\x89PNG\r\n\x1a\n", 8) &&
	    !memcmp(b + 12, "IHDR", 4)) {
		*w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
		*h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
	}
	fclose(f);
}

/* --plot: a Pareto plot per trace and the heatmaps over the two swept parameters. */
static void test_plot(void **state)
{
	static const char *const images[] = {"pareto-0", "pareto-1", "heatmap-poll_cpu_pct-0",
	                                     "heatmap-lat_p99_ns-1"};
	char dir[512], path[1024], *listing;
	unsigned w, h;
	size_t i, len;

	(void)state;
	dir_of(dir, sizeof(dir), "plotted");
	assert_int_equal(test_sh("'%s' sweep %s/quick.json -o %s -j2 --quiet --plot >%s.out",
	                         HPSIM_BINARY, tmp, dir, dir),
	                 0);
	snprintf(path, sizeof(path), "%s.out", dir);
	listing = test_slurp(path, &len);
	assert_non_null(listing);
	for (i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.png", dir, images[i]);
		png_size(path, &w, &h);
		if (w != 1200 || h != 800)
			fail_msg("%s: not a 1200x800 PNG (%ux%u)", path, w, h);
		/* each image is named on stdout */
		assert_non_null(strstr(listing, path));
	}
	free(listing);
}

/*
 * --plot on two series that sweep different parameters: a heatmap per series
 * over its own two parameters (never cells of one series averaged with
 * another's), and every shipped config plots.
 */
static void test_plot_series(void **state)
{
	static const char fmt[] =
	    "{\"traces\": [\"%s/traces/pingpong.dat\"],\n"
	    " \"policies\": [{\"host\": \"kvm\", \"params\": {\"halt_poll_ns\": [50000, "
	    "200000], \"halt_poll_ns_shrink\": [0, 2]}},\n"
	    "              {\"guest\": \"haltpoll\", \"host\": \"kvm\", \"params\": "
	    "{\"guest_halt_poll_ns\": [50000, 200000], \"guest_halt_poll_allow_shrink\": [0, "
	    "1]}},\n"
	    "              {\"host\": \"fixed\"}],\n"
	    " \"oracle\": false, \"description\": \"%s\"}\n";
	static const char *const images[] = {"pareto", "heatmap-poll_cpu_pct-s0",
	                                     "heatmap-lat_p99_ns-s0", "heatmap-poll_cpu_pct-s1",
	                                     "heatmap-lat_p99_ns-s1"};
	static const char *const shipped[] = {"quick", "halt-poll-ns-debate", "shrink-0-vs-2",
	                                      "database-guest-2.4ms", "guest-vs-host-pingpong"};
	char dir[512], path[1024], *text;
	unsigned w, h;
	size_t i, len;

	(void)state;
	write_config("series.json", fmt);
	dir_of(dir, sizeof(dir), "plotted-series");
	assert_int_equal(test_sh("'%s' sweep %s/series.json -o %s -j2 --quiet --plot >%s.out",
	                         HPSIM_BINARY, tmp, dir, dir),
	                 0);
	for (i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.png", dir, images[i]);
		png_size(path, &w, &h);
		if (w != 1200 || h != 800)
			fail_msg("%s: not a 1200x800 PNG (%ux%u)", path, w, h);
	}
	/* the second series' heatmap holds its own points only: 2 x 2 cells, one point each */
	snprintf(path, sizeof(path), "%s/heatmap-poll_cpu_pct-s1.heatmap.csv", dir);
	text = test_slurp(path, &len);
	assert_non_null(text);
	assert_int_equal(
	    test_sh("test $(grep -c ',1$' '%s') -eq 4 && test $(wc -l < '%s') -eq 5", path, path),
	    0);
	free(text);
	/* the third series sweeps nothing: no heatmap of it */
	snprintf(path, sizeof(path), "%s/heatmap-poll_cpu_pct-s2.png", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	for (i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++)
		if (test_sh("'%s' sweep '%s/configs/%s.json' -o '%s/shipped-%s' -j2 --quiet --plot "
		            ">/dev/null",
		            HPSIM_BINARY, HPSIM_SOURCE_DIR, shipped[i], tmp, shipped[i]) != 0)
			fail_msg("sweep --plot of configs/%s.json failed", shipped[i]);
}

/* --plot draws every image, however many: 3 traces x (a Pareto plot + 3 series x 2 heatmaps). */
static void test_plot_many_images(void **state)
{
	static const char fmt[] =
	    "{\"traces\": [\"%s/traces/pingpong.dat\", \"%s/traces/timer-1ms.dat\", "
	    "{\"gen\": \"periodic\", \"params\": {\"hz\": 250, \"count\": 500, \"seed\": 7}}],\n"
	    " \"params\": {\"halt_poll_ns\": [50000, 200000], \"halt_poll_ns_shrink\": [0, 2]},\n"
	    " \"kernel\": [\"6.1\", \"6.6\", \"6.11\"], \"oracle\": false}\n";
	char dir[512], path[1024];
	size_t k, s;

	(void)state;
	write_config("many.json", fmt);
	dir_of(dir, sizeof(dir), "plotted-many");
	assert_int_equal(test_sh("'%s' sweep %s/many.json -o %s -j2 --quiet --plot >%s.out",
	                         HPSIM_BINARY, tmp, dir, dir),
	                 0);
	for (k = 0; k < 3; k++)
		for (s = 0; s < 3; s++) {
			snprintf(path, sizeof(path), "%s/heatmap-lat_p99_ns-s%zu-%zu.png", dir, s,
			         k);
			if (access(path, F_OK) != 0)
				fail_msg("%s was not drawn", path);
		}
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/hpsim-sweep-e2e-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	write_config("quick.json", quick_fmt);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return test_sh("rm -rf '%s'", tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jobs_identical),
	    cmocka_unit_test(test_resume_after_kill),
	    cmocka_unit_test(test_shards_merge),
	    cmocka_unit_test(test_gnu_parallel),
	    cmocka_unit_test(test_worker_crash),
	    cmocka_unit_test(test_bad_input),
	    cmocka_unit_test(test_plot),
	    cmocka_unit_test(test_plot_series),
	    cmocka_unit_test(test_resume_edited_config),
	    cmocka_unit_test(test_file_modes),
	    cmocka_unit_test(test_plot_many_images),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
