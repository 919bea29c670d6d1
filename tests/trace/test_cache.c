/*
 * The episode cache, on real files in a temporary directory: a hit gives the
 * same episodes and metadata as a parse; a changed capture (size, mtime or
 * header bytes) and a damaged or truncated cache file are never trusted but
 * rebuilt; a read-only capture directory falls back to the cache directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "hpsim/cache.h"
#include "hpsim/trace.h"

struct fixture {
	char dir[64];
	char cache_dir[128];
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	snprintf(fx->dir, sizeof(fx->dir), "/tmp/hpsim-test-cache-XXXXXX");
	if (!mkdtemp(fx->dir))
		return -1;
	snprintf(fx->cache_dir, sizeof(fx->cache_dir), "%s/xdg/hpsim", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "chmod -R u+w '%s' && rm -rf '%s'", fx->dir, fx->dir);
	if (system(cmd) != 0)
		return -1;
	free(fx);
	return 0;
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void write_text(const char *path, const char *text, const char *mode)
{
	FILE *f = fopen(path, mode);

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Read path through the cache; returns what the cache did. */
static enum hp_cache_status cached_read(const struct fixture *fx, const char *path,
                                        struct hp_episodes *eps)
{
	enum hp_cache_status st = HP_CACHE_OFF;
	struct hp_read_opts o = {.use_cache = 1, .cache_dir = fx->cache_dir, .status = &st};
	struct hp_err err = {""};

	if (hp_trace_read_opts(path, &o, eps, &err) < 0)
		fail_msg("%s", err.msg);
	return st;
}

static void assert_same(const struct hp_episodes *a, const struct hp_episodes *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->ep, b->ep, a->n * sizeof(*a->ep));
	assert_int_equal(a->nbusy, b->nbusy);
	if (a->nbusy)
		assert_memory_equal(a->busy, b->busy, a->nbusy * sizeof(*a->busy));
	assert_int_equal(a->ncpu, b->ncpu);
	assert_int_equal(a->t_first_ns, b->t_first_ns);
	assert_int_equal(a->t_last_ns, b->t_last_ns);
	assert_memory_equal(&a->skipped, &b->skipped, sizeof(a->skipped));
	assert_string_equal(a->format, b->format);
	assert_string_equal(a->assumption, b->assumption);
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void test_hit_is_identical(void **state)
{
	struct fixture *fx = *state;
	struct hp_episodes parsed, first, second;
	struct hp_read_opts off = {.use_cache = 0};
	struct hp_err err = {""};
	char cap[256], hpep[512], beside[300];

	snprintf(cap, sizeof(cap), "%s/pingpong.dat", fx->dir);
	snprintf(beside, sizeof(beside), "%s.hpep", cap);
	copy_file(HPSIM_SOURCE_DIR "/traces/pingpong.dat", cap);
	assert_int_equal(hp_cache_path_in_dir(cap, fx->cache_dir, hpep, sizeof(hpep), NULL), 0);
	assert_int_equal(hp_trace_read_opts(cap, &off, &parsed, &err), 0);
	assert_false(exists(hpep));
	assert_int_equal(cached_read(fx, cap, &first), HP_CACHE_STORED);
	assert_true(exists(hpep));
	/* never beside the user's capture */
	assert_false(exists(beside));
	assert_int_equal(cached_read(fx, cap, &second), HP_CACHE_HIT);
	assert_same(&parsed, &first);
	assert_same(&parsed, &second);
	/* the capture cut a halt at each end: counts that must survive the cache */
	assert_true(parsed.skipped.unpaired_enter > 0 && parsed.skipped.unpaired_exit > 0);
	hp_episodes_free(&parsed);
	hp_episodes_free(&first);
	hp_episodes_free(&second);
}

/* Busy intervals, skips and names survive a store and load unchanged. */
static void test_store_load_everything(void **state)
{
	struct fixture *fx = *state;
	struct hp_episodes eps = {0}, back;
	struct hp_cache_key key = {.size = 123, .mtime_sec = 4, .mtime_nsec = 5, .head_sum = 6};
	struct hp_cache_key other = key;
	struct hp_err err = {""};
	char path[256], format[32];
	uint32_t i;

	snprintf(path, sizeof(path), "%s/direct.hpep", fx->dir);
	for (i = 0; i < 100; i++) {
		struct hp_episode e = {.halt_start_ns = 1000 * i,
		                       .wake_ns = 1000 * i + 500,
		                       .cpu = i % 3,
		                       .source_cpu = (int32_t)(i % 2) - 1,
		                       .source = i % HP_SRC_COUNT,
		                       .flags = i % 2};
		struct hp_busy b = {.start_ns = 7000 * i, .end_ns = 7000 * i + 10, .cpu = i % 2};

		assert_int_equal(hp_episodes_push(&eps, &e, &err), 0);
		assert_int_equal(hp_episodes_push_busy(&eps, &b, &err), 0);
	}
	hp_episodes_sort(&eps);
	eps.t_first_ns = 1;
	eps.t_last_ns = 999999;
	/* every counter distinct, so a field saved into another's place shows */
	for (i = 0; i < sizeof(eps.skipped) / sizeof(uint64_t); i++)
		((uint64_t *)&eps.skipped)[i] = i + 1;
	eps.format = "trace.dat";
	snprintf(eps.assumption, sizeof(eps.assumption), "an assumption");
	assert_int_equal(hp_cache_store(path, &key, &eps, &err), 0);
	assert_int_equal(hp_cache_load(path, &key, &back, format, sizeof(format), &err), 0);
	assert_string_equal(format, "trace.dat");
	back.format = eps.format;
	assert_same(&eps, &back);
	hp_episodes_free(&back);
	/* any part of the key differing is a miss */
	other.head_sum++;
	assert_int_equal(hp_cache_load(path, &other, &back, format, sizeof(format), &err), -1);
	assert_non_null(strstr(err.msg, "stale"));
	assert_null(back.ep);
	hp_episodes_free(&eps);
}

static void test_changed_capture_invalidates(void **state)
{
	struct fixture *fx = *state;
	struct hp_episodes a, b;
	struct timespec times[2];
	struct stat st;
	char cap[256];
	int fd;

	snprintf(cap, sizeof(cap), "%s/small.csv", fx->dir);
	write_text(cap, "cpu,halt_start_ns,wake_ns\n0,100,200\n0,300,450\n", "w");
	assert_int_equal(cached_read(fx, cap, &a), HP_CACHE_STORED);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_HIT);
	hp_episodes_free(&b);

	/* size: one more line */
	write_text(cap, "1,500,900\n", "a");
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
	assert_int_equal(b.n, 3);
	hp_episodes_free(&b);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_HIT);
	hp_episodes_free(&b);

	/* mtime only */
	assert_int_equal(stat(cap, &st), 0);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	times[1].tv_sec -= 100;
	assert_int_equal(utimensat(AT_FDCWD, cap, times, 0), 0);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
	hp_episodes_free(&b);

	/* header bytes only: same size, mtime put back */
	assert_int_equal(stat(cap, &st), 0);
	times[1] = st.st_mtim;
	fd = open(cap, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "9", 1, strlen("cpu,halt_start_ns,wake_ns\n0,100,")), 1);
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, cap, times, 0), 0);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
	assert_int_equal(b.ep[0].wake_ns, 900);
	hp_episodes_free(&b);
	hp_episodes_free(&a);
}

/*
 * A byte past the checksummed head rewritten in place, the size unchanged and
 * the mtime put back (as `touch -r`, `cp -p` or a rewrite within one tick of
 * the file system's clock leave it): the capture changed, so the cache must
 * not be served. Only the inode's change time tells.
 */
static void test_rewrite_past_head_invalidates(void **state)
{
	struct fixture *fx = *state;
	struct timespec times[2], pause = {0, 50000000};
	struct hp_episodes b;
	struct stat st;
	char cap[256], line[64];
	size_t used;
	FILE *f;
	int fd, i;

	snprintf(cap, sizeof(cap), "%s/big.csv", fx->dir);
	f = fopen(cap, "w");
	assert_non_null(f);
	fputs("cpu,halt_start_ns,wake_ns\n", f);
	for (i = 0; i < 400; i++)
		fprintf(f, "0,%d,%d\n", 1000000 + i * 1000, 1000000 + i * 1000 + 500);
	used = (size_t)ftell(f);
	fclose(f);
	assert_true(used > HP_CACHE_HEAD_BYTES + 100);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
	assert_int_equal(b.ep[399].wake_ns, 1000000 + 399 * 1000 + 500);
	hp_episodes_free(&b);

	nanosleep(&pause, NULL); /* past the file system's timestamp tick */
	assert_int_equal(stat(cap, &st), 0);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	/* the last record's wake 1399500 becomes 1399900: same size */
	snprintf(line, sizeof(line), "0,%d,%d\n", 1000000 + 399 * 1000, 1000000 + 399 * 1000 + 900);
	fd = open(cap, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, line, strlen(line), (off_t)(used - strlen(line))),
	                 (ssize_t)strlen(line));
	close(fd);
	assert_int_equal(utimensat(AT_FDCWD, cap, times, 0), 0);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
	assert_int_equal(b.ep[399].wake_ns, 1000000 + 399 * 1000 + 900);
	hp_episodes_free(&b);
}

static void damage(const char *path, long offset, int truncate_to)
{
	int fd = open(path, O_RDWR);
	unsigned char c;

	assert_true(fd >= 0);
	if (truncate_to >= 0) {
		assert_int_equal(ftruncate(fd, truncate_to), 0);
	} else {
		assert_int_equal(pread(fd, &c, 1, offset), 1);
		c ^= 0x40;
		assert_int_equal(pwrite(fd, &c, 1, offset), 1);
	}
	close(fd);
}

static void test_damaged_cache_is_rebuilt(void **state)
{
	struct fixture *fx = *state;
	struct hp_episodes good, b;
	char cap[256], hpep[512];
	struct stat st;

	snprintf(cap, sizeof(cap), "%s/d.csv", fx->dir);
	write_text(cap, "cpu,halt_start_ns,wake_ns\n0,100,200\n1,300,450\n0,500,800\n", "w");
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
	hp_episodes_free(&b);
	{
		/* the parse itself: a cached read maps the cache file, which this test damages */
		struct hp_read_opts off = {.use_cache = 0};
		struct hp_err err = {""};

		assert_int_equal(hp_trace_read_opts(cap, &off, &good, &err), 0);
	}
	assert_int_equal(hp_cache_path_in_dir(cap, fx->cache_dir, hpep, sizeof(hpep), NULL), 0);
	assert_int_equal(stat(hpep, &st), 0);
	{
		/* a payload byte (the last episode), a header byte, a truncation, garbage */
		long where[] = {(long)st.st_size - 20, 40, 0, 0};
		int cut[] = {-1, -1, (int)st.st_size - 1, 10};
		size_t i;

		for (i = 0; i < 4; i++) {
			damage(hpep, where[i], cut[i]);
			assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_STORED);
			assert_same(&good, &b);
			hp_episodes_free(&b);
			assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_HIT);
			assert_same(&good, &b);
			hp_episodes_free(&b);
		}
	}
	hp_episodes_free(&good);
}

/* In a read-only directory: the cache goes to the cache directory. Returns a failure code. */
static int readonly_case(const struct fixture *fx, const char *cap, const char *beside)
{
	enum hp_cache_status st1 = HP_CACHE_OFF, st2 = HP_CACHE_OFF;
	struct hp_read_opts o = {.use_cache = 1, .cache_dir = fx->cache_dir};
	struct hp_episodes a, b;
	struct hp_err err = {""};
	int rc = 0;

	o.status = &st1;
	if (hp_trace_read_opts(cap, &o, &a, &err) < 0)
		return 10;
	o.status = &st2;
	if (hp_trace_read_opts(cap, &o, &b, &err) < 0)
		return 11;
	if (st1 != HP_CACHE_STORED)
		rc = 12;
	else if (st2 != HP_CACHE_HIT)
		rc = 13;
	else if (exists(beside))
		rc = 14;
	else if (a.n != b.n || memcmp(a.ep, b.ep, a.n * sizeof(*a.ep)))
		rc = 15;
	hp_episodes_free(&a);
	hp_episodes_free(&b);
	return rc;
}

static void test_readonly_dir_uses_cache_dir(void **state)
{
	struct fixture *fx = *state;
	char ro[128], cap[256], beside[300], found[512];
	int status;
	pid_t pid;

	snprintf(ro, sizeof(ro), "%s/ro", fx->dir);
	snprintf(cap, sizeof(cap), "%s/t.csv", ro);
	snprintf(beside, sizeof(beside), "%s.hpep", cap);
	assert_int_equal(mkdir(ro, 0755), 0);
	write_text(cap, "cpu,halt_start_ns,wake_ns\n0,100,200\n", "w");
	assert_int_equal(chmod(ro, 0555), 0);
	assert_int_equal(chmod(fx->dir, 0755), 0);
	if (geteuid() != 0) {
		assert_int_equal(readonly_case(fx, cap, beside), 0);
	} else {
		/* root writes anywhere: check as an unprivileged user in a child */
		char xdg[128];

		snprintf(xdg, sizeof(xdg), "%s/xdg", fx->dir);
		assert_int_equal(mkdir(xdg, 0755), 0);
		if (chown(xdg, 65534, 65534) < 0) {
			print_message("cannot hand a directory to uid 65534 here; not checked\n");
			skip();
		}
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			if (setgid(65534) < 0 || setuid(65534) < 0)
				_exit(77);
			_exit(readonly_case(fx, cap, beside));
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 77) {
			print_message("cannot become uid 65534 here; not checked\n");
			skip();
		}
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(hp_cache_path_in_dir(cap, fx->cache_dir, found, sizeof(found), NULL), 0);
	assert_true(exists(found));
	assert_false(exists(beside));
}

/* Loaded episodes are a private mapping: writes and appends stay in memory. */
static void test_loaded_set_is_private(void **state)
{
	struct fixture *fx = *state;
	struct hp_episode extra = {.halt_start_ns = 5000, .wake_ns = 6000, .source_cpu = -1};
	struct hp_busy busy = {.start_ns = 1, .end_ns = 2};
	struct hp_episodes a, b;
	struct hp_err err = {""};
	char cap[256];
	size_t i;

	snprintf(cap, sizeof(cap), "%s/p.csv", fx->dir);
	write_text(cap, "cpu,halt_start_ns,wake_ns\n0,100,200\n0,300,450\n", "w");
	assert_int_equal(cached_read(fx, cap, &a), HP_CACHE_STORED);
	hp_episodes_free(&a);
	assert_int_equal(cached_read(fx, cap, &a), HP_CACHE_HIT);
	assert_non_null(a.map);
	a.ep[0].wake_ns = 250;
	for (i = 0; i < 5000; i++) /* past the mapped capacity: copied out, then grown */
		assert_int_equal(hp_episodes_push(&a, &extra, &err), 0);
	assert_int_equal(hp_episodes_push_busy(&a, &busy, &err), 0);
	hp_episodes_sort(&a);
	assert_int_equal(a.n, 5002);
	assert_int_equal(a.ep[0].wake_ns, 250);
	hp_episodes_free(&a);
	assert_int_equal(cached_read(fx, cap, &b), HP_CACHE_HIT);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.nbusy, 0);
	assert_int_equal(b.ep[0].wake_ns, 200);
	hp_episodes_free(&b);
}

static void test_env_disables(void **unused)
{
	struct hp_read_opts o;

	(void)unused;
	assert_int_equal(setenv("HPSIM_NO_CACHE", "1", 1), 0);
	hp_read_opts_init(&o);
	assert_int_equal(o.use_cache, 0);
	assert_int_equal(setenv("HPSIM_NO_CACHE", "0", 1), 0);
	hp_read_opts_init(&o);
	assert_int_equal(o.use_cache, 1);
	assert_int_equal(unsetenv("HPSIM_NO_CACHE"), 0);
	hp_read_opts_init(&o);
	assert_int_equal(o.use_cache, 1);
}

/* Reading options that change the episodes are part of the key: no hit across them. */
static void test_options_are_keyed(void **state)
{
	struct fixture *fx = *state;
	enum hp_cache_status st = HP_CACHE_OFF;
	struct hp_read_opts o;
	struct hp_episodes a, b;
	struct hp_err err = {""};
	char cap[256];

	snprintf(cap, sizeof(cap), "%s/pingpong.dat", fx->dir);
	copy_file(HPSIM_SOURCE_DIR "/traces/pingpong.dat", cap);
	hp_read_opts_init(&o);
	o.use_cache = 1;
	o.cache_dir = fx->cache_dir;
	o.status = &st;
	assert_int_equal(hp_trace_read_opts(cap, &o, &a, &err), 0);
	assert_int_equal(st, HP_CACHE_STORED);
	assert_int_equal(hp_trace_read_opts(cap, &o, &b, &err), 0);
	assert_int_equal(st, HP_CACHE_HIT);
	hp_episodes_free(&b);
	o.host_wakeup_ns += 1000;
	assert_int_equal(hp_trace_read_opts(cap, &o, &b, &err), 0);
	assert_int_equal(st, HP_CACHE_STORED);
	hp_episodes_free(&b);
	o.lenient = 1;
	assert_int_equal(hp_trace_read_opts(cap, &o, &b, &err), 0);
	assert_int_equal(st, HP_CACHE_STORED);
	hp_episodes_free(&b);
	assert_int_equal(hp_vcpu_map_parse(&o, "4000=0", &err), 0);
	assert_int_equal(hp_trace_read_opts(cap, &o, &b, &err), 0);
	assert_int_equal(st, HP_CACHE_STORED);
	/* a guest capture reads the same whatever the host options */
	assert_same(&a, &b);
	hp_episodes_free(&a);
	hp_episodes_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_hit_is_identical, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_store_load_everything, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changed_capture_invalidates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rewrite_past_head_invalidates, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_cache_is_rebuilt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_readonly_dir_uses_cache_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loaded_set_is_private, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_options_are_keyed, setup, teardown),
	    cmocka_unit_test(test_env_disables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
