/*
 * Episode cache: how much faster the second read of a capture is than the
 * first. For each bundled capture (copied to a temporary directory) and for a
 * big capture made at run time (the bundled episodes tiled end to end into
 * one CSV), prints the parse alone (no cache), the first read through the
 * cache (parse + writing FILE.hpep), the second read (a cache hit) and the
 * ratio first/second. Each figure is the best of 3. A benchmark: it prints
 * figures and asserts nothing.
 *
 * usage: bench_cache [SOURCE_DIR] [BIG_HALTS]   (default BIG_HALTS 2000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hpsim/episode_csv.h"
#include "hpsim/trace.h"

static const char *const names[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                    "idle-5s.dat"};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Time one read of path; the status it had goes to *st. Negative on failure. */
static double timed_read(const char *path, int use_cache, const char *cache_dir,
                         enum hp_cache_status *st)
{
	struct hp_read_opts o = {.use_cache = use_cache, .cache_dir = cache_dir, .status = st};
	struct hp_episodes eps;
	struct hp_err err;
	double t0 = now(), t;

	if (hp_trace_read_opts(path, &o, &eps, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	t = now() - t0;
	hp_episodes_free(&eps);
	return t;
}

static int measure(const char *label, const char *path, const char *cache_dir, size_t halts)
{
	double parse = 1e30, first = 1e30, second = 1e30, t;
	enum hp_cache_status st;
	char hpep[4200];
	int i;

	snprintf(hpep, sizeof(hpep), "%s.hpep", path);
	for (i = 0; i < 3; i++) {
		if ((t = timed_read(path, 0, cache_dir, &st)) < 0)
			return -1;
		parse = t < parse ? t : parse;
		unlink(hpep);
		if ((t = timed_read(path, 1, cache_dir, &st)) < 0 || st != HP_CACHE_STORED)
			return -1;
		first = t < first ? t : first;
		if ((t = timed_read(path, 1, cache_dir, &st)) < 0 || st != HP_CACHE_HIT)
			return -1;
		second = t < second ? t : second;
	}
	printf("%-24s %10zu %12.2f %12.2f %12.3f %9.0fx %9.0fx\n", label, halts, parse * 1e3,
	       first * 1e3, second * 1e3, first / second, parse / second);
	return 0;
}

static int copy(const char *from, const char *to)
{
	char buf[1 << 16];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;
	int rc = 0;

	if (!in || !out)
		rc = -1;
	while (!rc && (n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (in)
		fclose(in);
	if (out && fclose(out) != 0)
		rc = -1;
	return rc;
}

/* The bundled captures' episodes laid end to end until there are n, written as CSV. */
static int write_tiled(const char *src_dir, const char *csv, size_t n)
{
	struct hp_read_opts off = {.use_cache = 0};
	struct hp_episodes src[4], big = {0};
	uint64_t offset = 0;
	struct hp_err err;
	FILE *f;
	size_t i, k;
	int rc = -1;

	for (k = 0; k < 4; k++) {
		char path[4200];

		snprintf(path, sizeof(path), "%s/traces/%s", src_dir, names[k]);
		if (hp_trace_read_opts(path, &off, &src[k], &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			while (k--)
				hp_episodes_free(&src[k]);
			return -1;
		}
	}
	for (k = 0; big.n < n; k = (k + 1) % 4) {
		uint64_t base = src[k].t_first_ns;

		for (i = 0; i < src[k].n && big.n < n; i++) {
			struct hp_episode e = src[k].ep[i];

			e.halt_start_ns += offset - base;
			e.wake_ns += offset - base;
			if (hp_episodes_push(&big, &e, &err) < 0)
				goto out;
		}
		offset += src[k].t_last_ns - base + 1000;
	}
	f = fopen(csv, "w");
	if (!f)
		goto out;
	rc = hp_csv_write(f, &big, &err);
	if (fclose(f) != 0)
		rc = -1;
out:
	for (k = 0; k < 4; k++)
		hp_episodes_free(&src[k]);
	hp_episodes_free(&big);
	return rc;
}

int main(int argc, char **argv)
{
	const char *src_dir = argc > 1 ? argv[1] : ".";
	size_t big_n = argc > 2 ? (size_t)strtoull(argv[2], NULL, 10) : 2000000;
	char dir[] = "/tmp/hpsim-bench-cache-XXXXXX", path[4200], cache_dir[4200], cmd[4300];
	size_t k;
	int rc = 0;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cache_dir, sizeof(cache_dir), "%s/cache", dir);
	printf("%-24s %10s %12s %12s %12s %10s %10s\n", "capture", "halts", "parse_ms", "first_ms",
	       "second_ms", "first/2nd", "parse/2nd");
	for (k = 0; k < 4 && !rc; k++) {
		char from[4200];
		struct hp_read_opts off = {.use_cache = 0};
		struct hp_episodes eps;
		struct hp_err err;

		snprintf(from, sizeof(from), "%s/traces/%s", src_dir, names[k]);
		snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
		if (copy(from, path) < 0 || hp_trace_read_opts(path, &off, &eps, &err) < 0) {
			fprintf(stderr, "cannot copy or read %s\n", from);
			rc = 1;
			break;
		}
		rc = measure(names[k], path, cache_dir, eps.n) < 0;
		hp_episodes_free(&eps);
	}
	if (!rc) {
		char label[64];

		snprintf(path, sizeof(path), "%s/tiled.csv", dir);
		snprintf(label, sizeof(label), "tiled.csv (generated)");
		if (write_tiled(src_dir, path, big_n) < 0)
			rc = 1;
		else
			rc = measure(label, path, cache_dir, big_n) < 0;
	}
	if (rc)
		fprintf(stderr, "bench_cache: a read failed or the cache did not behave\n");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
