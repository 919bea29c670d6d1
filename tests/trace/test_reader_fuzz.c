/*
 * Mutated real inputs (run under ASan/UBSan by scripts/run-tests.sh): the
 * report text of a real capture and a real trace.dat, truncated at many
 * offsets, with bytes flipped, with lines deleted, duplicated and shuffled.
 * Every read must end (an alarm catches hangs) with either a clean error that
 * names the file or a valid, sorted episode stream; reading whole lines in
 * another order or with some missing must succeed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"

#include "hpsim/trace.h"

/*
 * On some corrupted trace.dat files libtracecmd asks malloc for absurd sizes
 * and handles the NULL it gets back; under ASan that request aborts instead
 * unless the allocator may return NULL, as the C library's does.
 */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "allocator_may_return_null=1";
}

static char dir[] = "/tmp/hpsim-fuzz-XXXXXX";
static char text_path[600], mut_path[600], dat_path[600];
static char *text, *dat;
static size_t text_len, dat_len;

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int setup(void **unused)
{
	char cmd[1600];

	(void)unused;
	if (!mkdtemp(dir))
		return -1;
	snprintf(text_path, sizeof(text_path), "%s/base.txt", dir);
	snprintf(mut_path, sizeof(mut_path), "%s/mut", dir);
	snprintf(dat_path, sizeof(dat_path), "%s/traces/timer-1ms.dat", HPSIM_SOURCE_DIR);
	snprintf(cmd, sizeof(cmd),
	         "trace-cmd report -t '%s/traces/pingpong-think50.dat' 2>/dev/null | head -3000 "
	         "> '%s'",
	         HPSIM_SOURCE_DIR, text_path);
	if (system(cmd) != 0)
		return -1;
	text = test_slurp(text_path, &text_len);
	dat = test_slurp(dat_path, &dat_len);
	alarm(240); /* a hang fails the test instead of stalling the suite */
	return text && dat && text_len > 100000 ? 0 : -1;
}

static int teardown(void **unused)
{
	char cmd[700];

	(void)unused;
	free(text);
	free(dat);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *buf, size_t len)
{
	FILE *f = fopen(mut_path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* Read the mutant strictly, and leniently if both; returns how many reads succeeded. */
static int check_modes(int both)
{
	int lenient, ok = 0;

	for (lenient = 0; lenient < 1 + both; lenient++) {
		struct hp_read_opts o;
		struct hp_episodes eps;
		struct hp_err err = {""};

		hp_read_opts_init(&o);
		o.lenient = lenient;
		if (hp_trace_read_opts(mut_path, &o, &eps, &err) < 0) {
			if (!strstr(err.msg, mut_path))
				fail_msg("error without the file name: '%s'", err.msg);
			assert_int_equal(eps.n, 0);
			continue;
		}
		ok++;
		assert_true(eps.n > 0);
		if (hp_episodes_validate(&eps, &err) < 0)
			fail_msg("invalid stream: %s", err.msg);
		hp_episodes_free(&eps);
	}
	return ok;
}

static int check(void)
{
	return check_modes(1);
}

static void test_text_truncated(void **unused)
{
	size_t k;

	(void)unused;
	for (k = 0; k < 80; k++) {
		put(text, k * text_len / 80 + next() % 97);
		check();
	}
}

static void test_text_flipped(void **unused)
{
	char *m = malloc(text_len);
	size_t k, j;

	(void)unused;
	assert_non_null(m);
	for (k = 0; k < 100; k++) {
		memcpy(m, text, text_len);
		for (j = 0; j < 1 + next() % 4; j++) {
			static const char pick[] = "\n\0 :[]-.=0123456789x\xff";

			m[next() % text_len] = pick[next() % (sizeof(pick) - 1)];
		}
		put(m, text_len);
		check();
	}
	free(m);
}

/* Whole lines deleted, duplicated or swapped: still a readable report. */
static void test_text_lines(void **unused)
{
	size_t nlines = 0, i, k, *start = NULL, *len = NULL;
	char *m = malloc(text_len * 2);
	int reads = 0;

	(void)unused;
	assert_non_null(m);
	start = calloc(text_len, sizeof(*start));
	len = calloc(text_len, sizeof(*len));
	assert_non_null(start);
	assert_non_null(len);
	for (i = 0; i < text_len; i++) {
		size_t s = i;

		while (i < text_len && text[i] != '\n')
			i++;
		start[nlines] = s;
		len[nlines++] = i - s + 1;
	}
	for (k = 0; k < 40; k++) {
		size_t used = 0, op = k % 3;

		for (i = 0; i < nlines; i++) {
			size_t at = i;

			if (i > 0 && op == 0 && next() % 50 == 0)
				continue; /* delete */
			if (i > 1 && op == 2 && next() % 20 == 0)
				at = i - 1 -
				     next() % (i - 1); /* an earlier line again, out of order */
			memcpy(m + used, text + start[at], len[at]);
			used += len[at];
			if (op == 1 && next() % 30 == 0) { /* duplicate */
				memcpy(m + used, text + start[at], len[at]);
				used += len[at];
			}
		}
		put(m, used);
		reads += check();
	}
	assert_int_equal(reads, 80);
	free(start);
	free(len);
	free(m);
}

static void test_tracedat_mutated(void **unused)
{
	char *m = malloc(dat_len);
	size_t k;

	(void)unused;
	assert_non_null(m);
	for (k = 1; k <= 12; k++) {
		put(dat, k * dat_len / 13 + next() % 4096);
		check_modes(0); /* lenient changes nothing for trace.dat */
	}
	for (k = 0; k < 12; k++) {
		memcpy(m, dat, dat_len);
		m[next() % dat_len] ^= (char)(1 << (next() % 8));
		m[next() % dat_len] ^= (char)(1 << (next() % 8));
		put(m, dat_len);
		check_modes(0);
	}
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_truncated),
	    cmocka_unit_test(test_text_flipped),
	    cmocka_unit_test(test_text_lines),
	    cmocka_unit_test(test_tracedat_mutated),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
