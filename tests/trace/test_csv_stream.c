/*
 * The streamed first read of an episode CSV (src/trace/csv_stream.c):
 *  - the cache file it writes is byte for byte the one the in-memory read
 *    writes (read whole, sort, drop overlaps, hp_cache_store), for a CSV in
 *    time order (read once), each CPU's rows in order but interleaved, and one
 *    out of order (shuffled, with repeated rows that
 *    overlap and ties of halt start and CPU whose order decides which row is
 *    kept), with sorting blocks far smaller than the file (many runs merged)
 *    and larger (one block);
 *  - the external sort is stable and ordered on its own;
 *  - a bad row fails the read naming its line, in order or not, and leaves no
 *    cache file;
 *  - hpsim's reader takes the streamed path on a first read: replaying the
 *    source it opens gives the episodes of the in-memory read, and the cache
 *    is reported as stored, then hit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "csv_stream.h"
#include "episode_sort.h"
#include "helpers.h"
#include "hpsim/cache.h"
#include "hpsim/episode_csv.h"
#include "hpsim/source.h"
#include "hpsim/trace.h"

static char dir[] = "/tmp/hpsim-test-csv-stream-XXXXXX";

static int setup(void **unused)
{
	(void)unused;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	return test_sh("rm -rf '%s'", dir);
}

static uint64_t lcg(uint64_t *x)
{
	*x = *x * 6364136223846793005ull + 1442695040888963407ull;
	return *x >> 33;
}

enum order { IN_TIME, PER_CPU, SHUFFLED };

static int by_time(const void *a, const void *b)
{
	const struct hp_episode *x = a, *y = b;

	if (x->halt_start_ns != y->halt_start_ns)
		return x->halt_start_ns < y->halt_start_ns ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->wake_ns < y->wake_ns ? -1 : x->wake_ns > y->wake_ns;
}

/*
 * A CSV of n rows over 5 CPUs, each CPU's halts back to back, in time order,
 * or each CPU's in order but the CPUs interleaved at random, or shuffled;
 * every 97th row repeated later (an overlap), and every 89th row followed by
 * a row of the same CPU and halt start but another wake (a tie).
 */
static void write_csv(const char *path, size_t n, enum order shuffle)
{
	struct hp_episode *e = calloc(2 * n, sizeof(*e));
	uint64_t t[5] = {100, 100, 250, 300, 1000}, x = 42;
	size_t m = 0, i;
	FILE *f;

	assert_non_null(e);
	for (i = 0; i < n; i++) {
		uint32_t cpu = (uint32_t)(lcg(&x) % 5);
		uint64_t len = lcg(&x) % 5000;

		e[m++] = (struct hp_episode){.halt_start_ns = t[cpu],
		                             .wake_ns = t[cpu] + len,
		                             .cpu = cpu,
		                             .source_cpu = (int32_t)(i % 7) - 1,
		                             .source = (uint32_t)(i % 4)};
		if (i % 89 == 0) {
			e[m] = e[m - 1];
			e[m].wake_ns += 7;
			m++;
		}
		t[cpu] += len + lcg(&x) % 300;
		if (i % 97 == 0 && i)
			e[m++] = e[i / 2];
	}
	if (shuffle == IN_TIME)
		qsort(e, m, sizeof(*e), by_time);
	for (i = m; shuffle == SHUFFLED && i > 1; i--) {
		size_t j = lcg(&x) % i;
		struct hp_episode s = e[i - 1];

		e[i - 1] = e[j];
		e[j] = s;
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(HP_CSV_HEADER "\n", f);
	assert_int_equal(hp_csv_write_rows(f, e, m, NULL), 0);
	assert_int_equal(fclose(f), 0);
	free(e);
}

/* The cache of the in-memory read, keyed as the streamed one. */
static void store_in_memory(const char *csv, const char *cache, const struct hp_cache_key *key)
{
	struct hp_read_opts o;
	struct hp_episodes eps;
	struct hp_err err;

	hp_read_opts_init(&o);
	o.use_cache = 0;
	assert_int_equal(hp_trace_read_opts(csv, &o, &eps, &err), 0);
	assert_int_equal(hp_cache_store(cache, key, &eps, &err), 0);
	hp_episodes_free(&eps);
}

static void same_cache(const char *name, size_t n, enum order shuffle, size_t block)
{
	char csv[256], a[256], b[256];
	struct hp_cache_key key;
	struct hp_err err;
	size_t la, lb;
	char *ba, *bb;

	snprintf(csv, sizeof(csv), "%s/%s.csv", dir, name);
	snprintf(a, sizeof(a), "%s/%s-memory.hpep", dir, name);
	snprintf(b, sizeof(b), "%s/%s-stream.hpep", dir, name);
	write_csv(csv, n, shuffle);
	assert_int_equal(hp_cache_key_of(csv, &key, &err), 0);
	store_in_memory(csv, a, &key);
	if (hp_csv_stream_to_cache(csv, b, &key, block, &err) != 0)
		fail_msg("%s", err.msg);
	ba = test_slurp(a, &la);
	bb = test_slurp(b, &lb);
	assert_non_null(ba);
	assert_non_null(bb);
	assert_true(la > 1000);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(ba);
	free(bb);
}

static void test_sorted_same_cache(void **unused)
{
	(void)unused;
	same_cache("sorted", 20000, IN_TIME, 1000);
}

static void test_per_cpu_same_cache(void **unused)
{
	(void)unused;
	same_cache("per-cpu", 20000, PER_CPU, 1000);
}

static void test_unsorted_same_cache_many_runs(void **unused)
{
	(void)unused;
	same_cache("shuffled", 20000, SHUFFLED, 1000);
}

static void test_unsorted_same_cache_odd_runs(void **unused)
{
	(void)unused;
	same_cache("shuffled-odd", 7777, SHUFFLED, 333);
}

static void test_unsorted_same_cache_one_block(void **unused)
{
	(void)unused;
	same_cache("shuffled-one", 20000, SHUFFLED, 0);
}

struct collect {
	struct hp_episode *ep;
	size_t n;
};

static int collect(void *arg, const struct hp_episode *ep, size_t n, struct hp_err *err)
{
	struct collect *c = arg;

	(void)err;
	memcpy(c->ep + c->n, ep, n * sizeof(*ep));
	c->n += n;
	return 0;
}

/* The sort on its own: ordered by halt start then CPU, ties in the order added. */
static void test_sorter_stable(void **unused)
{
	struct hp_ep_sorter s;
	struct collect c = {calloc(5000, sizeof(struct hp_episode)), 0};
	struct hp_err err;
	uint64_t x = 7;
	size_t i;

	(void)unused;
	assert_non_null(c.ep);
	assert_int_equal(hp_ep_sorter_init(&s, 300, &err), 0);
	for (i = 0; i < 5000; i++) {
		/* few distinct keys, so that most episodes tie; wake_ns records the order added */
		struct hp_episode e = {
		    .halt_start_ns = lcg(&x) % 20, .wake_ns = i, .cpu = (uint32_t)(lcg(&x) % 3)};

		assert_int_equal(hp_ep_sorter_add(&s, &e, &err), 0);
	}
	assert_int_equal(hp_ep_sorter_finish(&s, collect, &c, &err), 0);
	hp_ep_sorter_free(&s);
	assert_int_equal(c.n, 5000);
	for (i = 1; i < c.n; i++) {
		const struct hp_episode *p = &c.ep[i - 1], *e = &c.ep[i];

		assert_true(p->halt_start_ns <= e->halt_start_ns);
		if (p->halt_start_ns == e->halt_start_ns) {
			assert_true(p->cpu <= e->cpu);
			if (p->cpu == e->cpu)
				assert_true(p->wake_ns < e->wake_ns);
		}
	}
	free(c.ep);
}

/* A bad row: the error names its line; no cache file is left. */
static void bad_row(enum order shuffle, size_t block)
{
	char csv[256], cache[256], sh[1024];
	struct hp_cache_key key;
	struct hp_err err;
	struct stat st;

	snprintf(csv, sizeof(csv), "%s/bad.csv", dir);
	snprintf(cache, sizeof(cache), "%s/bad.hpep", dir);
	write_csv(csv, 3000, shuffle);
	/* line 2000 (1999 rows after the header) becomes a row whose wake comes first */
	snprintf(sh, sizeof(sh), "sed -i '2000s/.*/3,5000,4000,irq,/' '%s'", csv);
	assert_int_equal(test_sh("%s", sh), 0);
	assert_int_equal(hp_cache_key_of(csv, &key, &err), 0);
	assert_int_equal(hp_csv_stream_to_cache(csv, cache, &key, block, &err), HP_CSV_STREAM_BAD);
	assert_non_null(strstr(err.msg, "bad.csv:2000:"));
	assert_non_null(strstr(err.msg, "wake_ns 4000 is before halt_start_ns 5000"));
	assert_int_equal(stat(cache, &st), -1);
	assert_int_equal(test_sh("ls '%s' | grep -q tmp", dir), 1);
}

static void test_bad_row_sorted(void **unused)
{
	(void)unused;
	bad_row(IN_TIME, 100);
}

static void test_bad_row_unsorted(void **unused)
{
	(void)unused;
	bad_row(SHUFFLED, 100);
}

/* hpsim's reader: a first read streamed into the cache, replayed from it; then a hit. */
static void test_open_source_first_read(void **unused)
{
	char csv[256], cachedir[256];
	struct hp_read_opts o;
	enum hp_cache_status st;
	struct hp_episodes mem, meta;
	struct hp_episode_source src;
	const struct hp_episode *b;
	struct hp_err err;
	size_t n, at = 0;
	int round;

	(void)unused;
	snprintf(csv, sizeof(csv), "%s/replay.csv", dir);
	snprintf(cachedir, sizeof(cachedir), "%s/cache", dir);
	write_csv(csv, 30000, SHUFFLED);
	hp_read_opts_init(&o);
	o.use_cache = 0;
	assert_int_equal(hp_trace_read_opts(csv, &o, &mem, &err), 0);
	assert_true(mem.skipped.overlapping > 0);
	o.use_cache = 1;
	o.cache_dir = cachedir;
	o.status = &st;
	for (round = 0; round < 2; round++) {
		assert_int_equal(hp_trace_open_source(csv, &o, &meta, &src, &err), 0);
		assert_int_equal(st, round == 0 ? HP_CACHE_STORED : HP_CACHE_HIT);
		/* streamed from the cache file: nothing held */
		assert_null(meta.ep);
		assert_int_equal(src.n, mem.n);
		assert_int_equal(meta.ncpu, mem.ncpu);
		assert_int_equal(meta.t_first_ns, mem.t_first_ns);
		assert_int_equal(meta.t_last_ns, mem.t_last_ns);
		assert_int_equal(meta.skipped.overlapping, mem.skipped.overlapping);
		assert_string_equal(meta.format, "csv");
		assert_string_equal(meta.assumption, mem.assumption);
		at = 0;
		while (src.next_block(&src, &b, &n, &err) == 0 && n) {
			assert_true(at + n <= mem.n);
			assert_memory_equal(b, mem.ep + at, n * sizeof(*b));
			at += n;
		}
		assert_int_equal(at, mem.n);
		hp_source_close(&src);
		hp_episodes_free(&meta);
	}
	hp_episodes_free(&mem);
}

/* A bad row through hpsim's reader: the same error as the in-memory read. */
static void test_open_source_bad_row(void **unused)
{
	char csv[256], cachedir[256];
	struct hp_read_opts o;
	struct hp_episodes meta;
	struct hp_episode_source src;
	struct hp_err err, want;

	(void)unused;
	snprintf(csv, sizeof(csv), "%s/badrow.csv", dir);
	snprintf(cachedir, sizeof(cachedir), "%s/cache2", dir);
	write_csv(csv, 2000, SHUFFLED);
	assert_int_equal(test_sh("sed -i '1500s/,/,x/' '%s'", csv), 0);
	hp_read_opts_init(&o);
	o.use_cache = 0;
	assert_int_equal(hp_trace_read_opts(csv, &o, &meta, &want), -1);
	o.use_cache = 1;
	o.cache_dir = cachedir;
	assert_int_equal(hp_trace_open_source(csv, &o, &meta, &src, &err), -1);
	assert_string_equal(err.msg, want.msg);
	assert_non_null(strstr(err.msg, "badrow.csv:1500:"));
	assert_int_equal(test_sh("[ -z \"$(ls -A '%s' 2>/dev/null)\" ]", cachedir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sorted_same_cache),
	    cmocka_unit_test(test_per_cpu_same_cache),
	    cmocka_unit_test(test_unsorted_same_cache_many_runs),
	    cmocka_unit_test(test_unsorted_same_cache_odd_runs),
	    cmocka_unit_test(test_unsorted_same_cache_one_block),
	    cmocka_unit_test(test_sorter_stable),
	    cmocka_unit_test(test_bad_row_sorted),
	    cmocka_unit_test(test_bad_row_unsorted),
	    cmocka_unit_test(test_open_source_first_read),
	    cmocka_unit_test(test_open_source_bad_row),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
