/*
 * The streamed first read of a trace.dat or report text (src/trace/dec_stream.c):
 *  - the cache file it writes is byte for byte the one the in-memory read
 *    writes (decode into an array, sort, hp_cache_store), for every bundled
 *    capture as trace.dat (through the isolated reader's child) and as
 *    `trace-cmd report` text, with sorting blocks far smaller than the capture
 *    (many runs merged) and larger (one block);
 *  - a host capture of three VMs whose text is out of time order (the text
 *    reader starts over, the sink forgets what it took; the VMs renumbered);
 *  - --salvage of a cut capture (version 6: the first child dies midway, the
 *    padded copy is read again; version 7: the repaired copy);
 *  - a capture without halts fails with the in-memory read's error and
 *    leaves no cache file;
 *  - hpsim's reader takes the streamed path on a first read: the source it
 *    opens and the array it reads hold the in-memory read's episodes.
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

#include "dec_stream.h"
#include "helpers.h"
#include "hpsim/cache.h"
#include "hpsim/source.h"
#include "hpsim/trace.h"

static char dir[] = "/tmp/hpsim-test-dec-stream-XXXXXX";
static int have_trace_cmd;

static const char *const captures[] = {"pingpong", "drops-pingpong",   "host-minivm",
                                       "idle-5s",  "pingpong-think50", "timer-1ms"};
#define NCAPTURES (sizeof(captures) / sizeof(captures[0]))

static int setup(void **unused)
{
	(void)unused;
	have_trace_cmd = system("trace-cmd -h >/dev/null 2>&1") != 127 * 256;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **unused)
{
	(void)unused;
	return test_sh("rm -rf '%s'", dir);
}

/* The cache of the in-memory read, keyed as the streamed one. */
static void store_in_memory(const char *path, const struct hp_read_opts *opts, const char *cache,
                            const struct hp_cache_key *key)
{
	struct hp_read_opts o = *opts;
	struct hp_episodes eps;
	struct hp_err err;

	o.use_cache = 0;
	if (hp_trace_read_opts(path, &o, &eps, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(eps.n > 0);
	assert_int_equal(hp_cache_store(cache, key, &eps, &err), 0);
	hp_episodes_free(&eps);
}

static void same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *ba = test_slurp(a, &la), *bb = test_slurp(b, &lb);

	assert_non_null(ba);
	assert_non_null(bb);
	assert_true(la > 200);
	assert_int_equal(la, lb);
	assert_memory_equal(ba, bb, la);
	free(ba);
	free(bb);
}

/* The streamed cache of path (read by reader) against the in-memory one, at two block sizes. */
static void same_cache_opts(const char *path, const struct hp_trace_reader *reader,
                            const struct hp_read_opts *opts)
{
	static const size_t blocks[] = {97, 0};
	char a[4096], b[4096];
	struct hp_cache_key key;
	struct hp_err err;
	size_t i;

	snprintf(a, sizeof(a), "%s/memory.hpep", dir);
	assert_int_equal(hp_trace_cache_key(path, opts, &key, &err), 0);
	store_in_memory(path, opts, a, &key);
	for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		snprintf(b, sizeof(b), "%s/stream-%zu.hpep", dir, i);
		if (hp_dec_stream_to_cache(reader, path, opts, b, &key, blocks[i], &err) != 0)
			fail_msg("%s: %s", path, err.msg);
		same_file(a, b);
		unlink(b);
	}
	unlink(a);
}

static void same_cache(const char *path, const struct hp_trace_reader *reader)
{
	struct hp_read_opts o;

	hp_read_opts_init(&o);
	same_cache_opts(path, reader, &o);
}

static void test_tracedat_same_cache(void **unused)
{
	char path[4096];
	size_t i;

	(void)unused;
	for (i = 0; i < NCAPTURES; i++) {
		snprintf(path, sizeof(path), "%s/traces/%s.dat", HPSIM_SOURCE_DIR, captures[i]);
		same_cache(path, &hp_reader_tracedat_isolated);
	}
}

/* The host capture under other reading options (a later host kernel, a vCPU map). */
static void test_tracedat_options_same_cache(void **unused)
{
	char path[4096];
	struct hp_read_opts o;
	struct hp_err err;

	(void)unused;
	snprintf(path, sizeof(path), "%s/traces/host-minivm.dat", HPSIM_SOURCE_DIR);
	hp_read_opts_init(&o);
	o.host_kver = HP_DELAYED_DEQUEUE_KVER;
	o.host_wakeup_ns = 12345;
	same_cache_opts(path, &hp_reader_tracedat_isolated, &o);
	hp_read_opts_init(&o);
	assert_int_equal(hp_vcpu_map_parse(&o, "15637=1,15636=0", &err), 0);
	same_cache_opts(path, &hp_reader_tracedat_isolated, &o);
}

static void test_report_text_same_cache(void **unused)
{
	char path[4096];
	size_t i;

	(void)unused;
	if (!have_trace_cmd)
		skip();
	for (i = 0; i < NCAPTURES; i++) {
		snprintf(path, sizeof(path), "%s/%s.txt", dir, captures[i]);
		assert_int_equal(test_sh("trace-cmd report %s/traces/%s.dat 2>/dev/null > '%s'",
		                         HPSIM_SOURCE_DIR, captures[i], path),
		                 0);
		same_cache(path, &hp_reader_report_text);
		unlink(path);
	}
}

/* Three VMs, the third's lines appended out of time order: the text reader starts over. */
static void test_report_text_restart_same_cache(void **unused)
{
	char path[4096];

	(void)unused;
	if (!have_trace_cmd)
		skip();
	snprintf(path, sizeof(path), "%s/three-vms.txt", dir);
	assert_int_equal(test_sh("trace-cmd report -t %s/traces/host-minivm.dat 2>/dev/null > '%s' "
	                         "&& grep 15637 '%s' | sed 's/15637/25637/g' >> '%s'",
	                         HPSIM_SOURCE_DIR, path, path, path),
	                 0);
	same_cache(path, &hp_reader_report_text);
	unlink(path);
}

/* --salvage: a cut version-6 capture (its first child dies) and a cut version-7 one. */
static void test_salvage_same_cache(void **unused)
{
	char v6[4096], cut6[4096], cut7[4096];
	struct hp_read_opts o;

	(void)unused;
	hp_read_opts_init(&o);
	o.salvage = 1;
	snprintf(cut7, sizeof(cut7), "%s/cut7.dat", dir);
	assert_int_equal(
	    test_sh("head -c 1600000 %s/traces/pingpong.dat > '%s'", HPSIM_SOURCE_DIR, cut7), 0);
	same_cache_opts(cut7, &hp_reader_tracedat_isolated, &o);
	if (!have_trace_cmd)
		return;
	snprintf(v6, sizeof(v6), "%s/v6.dat", dir);
	snprintf(cut6, sizeof(cut6), "%s/cut6.dat", dir);
	assert_int_equal(test_sh("trace-cmd convert -i %s/traces/pingpong.dat -o '%s' "
	                         "--file-version 6 --compression none >/dev/null 2>&1 && "
	                         "head -c 8000000 '%s' > '%s'",
	                         HPSIM_SOURCE_DIR, v6, v6, cut6),
	                 0);
	same_cache_opts(cut6, &hp_reader_tracedat_isolated, &o);
}

/* No halts: the in-memory read's error, and no cache file. */
static void test_no_halts(void **unused)
{
	char path[4096], cache[4096];
	struct hp_read_opts o;
	struct hp_episodes eps;
	struct hp_cache_key key;
	struct hp_err want, err;
	struct stat st;

	(void)unused;
	snprintf(path, sizeof(path), "%s/nohalts.txt", dir);
	snprintf(cache, sizeof(cache), "%s/nohalts.hpep", dir);
	assert_int_equal(test_sh("printf '%%s\\n' 'cpus=1' "
	                         "'  <idle>-0     [000]   100.000001: sched_switch: prev_comm=a "
	                         "prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=b next_pid=2 "
	                         "next_prio=120' > '%s'",
	                         path),
	                 0);
	hp_read_opts_init(&o);
	o.use_cache = 0;
	assert_int_equal(hp_trace_read_opts(path, &o, &eps, &want), -1);
	assert_int_equal(hp_trace_cache_key(path, &o, &key, &err), 0);
	assert_int_equal(
	    hp_dec_stream_to_cache(&hp_reader_report_text, path, &o, cache, &key, 0, &err),
	    HP_DEC_STREAM_BAD);
	assert_string_equal(err.msg, want.msg);
	assert_int_equal(stat(cache, &st), -1);
}

/* hpsim's reader on a first read: streamed into the cache, then streamed (or mapped) from it. */
static void test_first_read(void **unused)
{
	char path[4096], cachedir[4096];
	struct hp_read_opts o;
	enum hp_cache_status st;
	struct hp_episodes mem, meta, arr;
	struct hp_episode_source src;
	const struct hp_episode *b;
	struct hp_err err;
	size_t n, at;
	int round;

	(void)unused;
	snprintf(path, sizeof(path), "%s/traces/host-minivm.dat", HPSIM_SOURCE_DIR);
	hp_read_opts_init(&o);
	o.use_cache = 0;
	assert_int_equal(hp_trace_read_opts(path, &o, &mem, &err), 0);
	o.use_cache = 1;
	o.status = &st;
	for (round = 0; round < 2; round++) {
		snprintf(cachedir, sizeof(cachedir), "%s/cache-src", dir);
		o.cache_dir = cachedir;
		assert_int_equal(hp_trace_open_source(path, &o, &meta, &src, &err), 0);
		assert_int_equal(st, round == 0 ? HP_CACHE_STORED : HP_CACHE_HIT);
		assert_null(meta.ep);
		assert_int_equal(src.n, mem.n);
		assert_int_equal(meta.ncpu, mem.ncpu);
		assert_int_equal(meta.nbusy, mem.nbusy);
		assert_memory_equal(meta.busy, mem.busy, mem.nbusy * sizeof(*mem.busy));
		assert_memory_equal(&meta.skipped, &mem.skipped, sizeof(mem.skipped));
		assert_string_equal(meta.format, "trace.dat");
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

		/* the array read (info, sweep) of a first read goes through the cache too */
		snprintf(cachedir, sizeof(cachedir), "%s/cache-arr", dir);
		assert_int_equal(hp_trace_read_opts(path, &o, &arr, &err), 0);
		assert_int_equal(st, round == 0 ? HP_CACHE_STORED : HP_CACHE_HIT);
		assert_int_equal(arr.n, mem.n);
		assert_memory_equal(arr.ep, mem.ep, mem.n * sizeof(*mem.ep));
		assert_int_equal(arr.ncpu, mem.ncpu);
		assert_memory_equal(&arr.skipped, &mem.skipped, sizeof(mem.skipped));
		hp_episodes_free(&arr);
	}
	hp_episodes_free(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tracedat_same_cache),
	    cmocka_unit_test(test_tracedat_options_same_cache),
	    cmocka_unit_test(test_report_text_same_cache),
	    cmocka_unit_test(test_report_text_restart_same_cache),
	    cmocka_unit_test(test_salvage_same_cache),
	    cmocka_unit_test(test_no_halts),
	    cmocka_unit_test(test_first_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
