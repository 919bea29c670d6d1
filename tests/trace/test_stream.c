/*
 * Episode sources (hpsim/source.h) and the streamed episode cache:
 *  - the checksum fed in pieces equals the checksum of the whole;
 *  - the streaming cache writer writes the same bytes as hp_cache_store();
 *  - a replay from the cache file streamed in blocks gives, outcome for
 *    outcome, what the replay of the array gives: open and closed loop,
 *    guest and host layers, vcores of two (per-CPU reading), over the four
 *    bundled captures laid side by side as four vCPUs (more episodes than a
 *    block, IPIs between the vCPUs); again after a rewind;
 *  - a damaged payload or a stale key is refused at open;
 *  - hpsim's reader streams a cache hit (the episodes are not held).
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

#include "hpsim/cache.h"
#include "hpsim/engine.h"
#include "hpsim/report.h"
#include "hpsim/source.h"
#include "hpsim/trace.h"

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat"};

static struct hp_episodes side;
static char dir[] = "/tmp/hpsim-test-stream-XXXXXX";
static char capture[256], cache_a[256], cache_b[256];
static struct hp_cache_key key;

static int setup(void **unused)
{
	struct hp_read_opts o;
	struct hp_err err;
	size_t t, i;
	FILE *f;

	(void)unused;
	hp_read_opts_init(&o);
	o.use_cache = 0;
	memset(&side, 0, sizeof(side));
	for (t = 0; t < 4; t++) {
		struct hp_episodes e;
		char path[512];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		if (hp_trace_read_opts(path, &o, &e, &err) < 0)
			return -1;
		for (i = 0; i < e.n; i++) {
			struct hp_episode x = e.ep[i];

			x.halt_start_ns -= e.t_first_ns;
			x.wake_ns -= e.t_first_ns;
			x.cpu = (uint32_t)t;
			/* every third wakeup an IPI from the next vCPU: closed loop moves it with
			 * it */
			x.source = i % 3 ? x.source : HP_SRC_IPI;
			x.source_cpu = i % 3 ? -1 : (int32_t)((t + 1) % 4);
			if (hp_episodes_push(&side, &x, &err) < 0)
				return -1;
		}
		if (e.t_last_ns - e.t_first_ns > side.t_last_ns)
			side.t_last_ns = e.t_last_ns - e.t_first_ns;
		hp_episodes_free(&e);
	}
	hp_episodes_sort(&side);
	side.format = hp_reader_csv.name;
	snprintf(side.assumption, sizeof(side.assumption), "side by side");
	if (!mkdtemp(dir))
		return -1;
	snprintf(capture, sizeof(capture), "%s/capture.csv", dir);
	snprintf(cache_a, sizeof(cache_a), "%s/a.hpep", dir);
	snprintf(cache_b, sizeof(cache_b), "%s/b.hpep", dir);
	f = fopen(capture, "w");
	if (!f)
		return -1;
	fprintf(f, "cpu,halt_start_ns,wake_ns\n0,1,2\n");
	fclose(f);
	if (hp_cache_key_of(capture, &key, &err) < 0 ||
	    hp_cache_store(cache_a, &key, &side, &err) < 0)
		return -1;
	return 0;
}

static int teardown(void **unused)
{
	char cmd[300];

	(void)unused;
	hp_episodes_free(&side);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) != 0;
}

static void test_sum_in_pieces(void **unused)
{
	unsigned char buf[1000];
	size_t i, cut;

	(void)unused;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 131 + 7);
	for (cut = 0; cut <= 960; cut += 96) {
		struct hp_cache_sum_state s;
		size_t done;

		hp_cache_sum_begin(&s, 5);
		assert_int_equal(hp_cache_sum_update(&s, buf, cut), cut);
		done = cut + hp_cache_sum_update(&s, buf + cut, sizeof(buf) - cut);
		assert_int_equal(done, sizeof(buf) / 32 * 32);
		assert_true(hp_cache_sum_end(&s, buf + done, sizeof(buf) - done) ==
		            hp_cache_sum(5, buf, sizeof(buf)));
	}
	/* and a changed byte changes it */
	{
		uint64_t before = hp_cache_sum(5, buf, sizeof(buf));
		struct hp_cache_sum_state s;

		buf[500] ^= 1;
		hp_cache_sum_begin(&s, 5);
		hp_cache_sum_update(&s, buf, 992);
		assert_true(hp_cache_sum_end(&s, buf + 992, 8) != before);
	}
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void test_writer_same_bytes(void **unused)
{
	struct hp_cache_writer w;
	struct hp_episodes meta = side;
	struct hp_err err;
	size_t i, la, lb;
	char *a, *b;

	(void)unused;
	assert_int_equal(hp_cache_writer_open(&w, cache_b, &key, &err), 0);
	/* in uneven pieces */
	for (i = 0; i < side.n; i += 1000)
		assert_int_equal(hp_cache_writer_add(&w, side.ep + i,
		                                     side.n - i < 1000 ? side.n - i : 1000, &err),
		                 0);
	meta.ep = NULL;
	meta.n = 0;
	assert_int_equal(hp_cache_writer_commit(&w, &meta, &err), 0);
	a = slurp(cache_a, &la);
	b = slurp(cache_b, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	free(a);
	free(b);
}

struct rec {
	struct hp_outcome *o;
	struct hp_episode *ep; /* copies: a streamed episode lives only during the call */
	size_t n, cap;
};

static void record(void *ctx, const struct hp_outcome *o)
{
	struct rec *r = ctx;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4096;
		r->o = realloc(r->o, r->cap * sizeof(*r->o));
		r->ep = realloc(r->ep, r->cap * sizeof(*r->ep));
		assert_non_null(r->o);
		assert_non_null(r->ep);
	}
	r->o[r->n] = *o;
	r->ep[r->n++] = *o->ep;
}

static void configure(struct hp_engine_config *cfg, const char *guest, const char *host,
                      const char *vcore, const char *mode, uint32_t size)
{
	struct hp_run_spec spec;
	struct hp_err err;

	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_GUEST] = guest;
	spec.policy[HP_LAYER_HOST] = host;
	spec.policy[HP_LAYER_VCORE] = vcore;
	spec.mode = mode;
	spec.vcore_size = size;
	spec.arch = vcore ? "ppc" : NULL;
	if (hp_engine_configure(&spec, cfg, &err) < 0)
		fail_msg("%s", err.msg);
}

static void same(const struct rec *a, const struct rec *b)
{
	size_t i;
	int l;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		const struct hp_outcome *x = &a->o[i], *y = &b->o[i];

		assert_memory_equal(&a->ep[i], &b->ep[i], sizeof(a->ep[i]));
		assert_int_equal(x->enter_ns, y->enter_ns);
		assert_int_equal(x->wake_ns, y->wake_ns);
		assert_int_equal(x->resume_ns, y->resume_ns);
		assert_int_equal(x->latency_ns, y->latency_ns);
		assert_int_equal(x->shift_ns, y->shift_ns);
		for (l = 0; l < HP_LAYER_COUNT; l++) {
			assert_int_equal(x->has[l], y->has[l]);
			if (x->has[l]) {
				assert_int_equal(x->d[l].end_ns, y->d[l].end_ns);
				assert_int_equal(x->d[l].polled_ns, y->d[l].polled_ns);
				assert_int_equal(x->d[l].outcome, y->d[l].outcome);
			}
		}
	}
}

static void test_cache_stream_is_the_array(void **unused)
{
	static const struct {
		const char *guest, *host, *vcore, *mode;
		uint32_t size;
	} stacks[] = {
	    {NULL, "kvm", NULL, NULL, 0},
	    {"haltpoll", "kvm", NULL, "closed", 0},
	    {NULL, NULL, "vcore", NULL, 2},
	    {NULL, NULL, "vcore", "closed", 2},
	};
	struct hp_episode_source src;
	struct hp_episodes meta;
	char format[32];
	struct hp_err err;
	size_t s;
	int pass;

	(void)unused;
	assert_true(side.n > HP_SOURCE_BLOCK);
	assert_int_equal(
	    hp_source_from_cache(&src, &meta, cache_a, &key, format, sizeof(format), &err), 0);
	assert_string_equal(format, "csv");
	assert_null(meta.ep);
	assert_int_equal(src.n, side.n);
	assert_int_equal(meta.ncpu, 4);
	for (s = 0; s < sizeof(stacks) / sizeof(stacks[0]); s++)
		for (pass = 0; pass < 2; pass++) {
			struct hp_engine_config cfg;
			struct hp_engine_stats sa, sb;
			struct rec ra = {0}, rb = {0};

			configure(&cfg, stacks[s].guest, stacks[s].host, stacks[s].vcore,
			          stacks[s].mode, stacks[s].size);
			cfg.on_outcome = record;
			cfg.ctx = &ra;
			assert_int_equal(hp_engine_run(&side, &cfg, &sa, &err), 0);
			cfg.ctx = &rb;
			assert_int_equal(src.rewind(&src, &err), 0);
			assert_int_equal(hp_engine_run_source(&src, &cfg, &sb, &err), 0);
			assert_int_equal(ra.n, side.n);
			same(&ra, &rb);
			assert_memory_equal(&sa, &sb, sizeof(sa));
			free(ra.o);
			free(ra.ep);
			free(rb.o);
			free(rb.ep);
		}
	hp_source_close(&src);
	hp_episodes_free(&meta);
}

static void test_damaged_or_stale_refused(void **unused)
{
	struct hp_episode_source src;
	struct hp_episodes meta;
	struct hp_cache_key other = key;
	char format[32];
	struct hp_err err;
	size_t len;
	char *bytes = slurp(cache_a, &len);
	FILE *f;

	(void)unused;
	other.size++;
	assert_int_equal(
	    hp_source_from_cache(&src, &meta, cache_a, &other, format, sizeof(format), &err), -1);
	assert_non_null(strstr(err.msg, "stale"));
	/* one byte of one episode in the middle of the payload */
	bytes[len / 2] ^= 0x10;
	f = fopen(cache_b, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	fclose(f);
	free(bytes);
	assert_int_equal(
	    hp_source_from_cache(&src, &meta, cache_b, &key, format, sizeof(format), &err), -1);
	assert_non_null(strstr(err.msg, cache_b));
	assert_null(meta.busy);
}

static void test_reader_streams_a_hit(void **unused)
{
	enum hp_cache_status status = HP_CACHE_OFF;
	struct hp_episode_source src;
	struct hp_read_opts o;
	struct hp_episodes meta;
	struct hp_cache_key k;
	char cache[512];
	struct hp_err err;

	(void)unused;
	hp_read_opts_init(&o);
	o.use_cache = 1;
	o.cache_dir = dir; /* the cache directory, never beside the capture */
	o.status = &status;
	assert_int_equal(hp_trace_cache_key(capture, &o, &k, &err), 0);
	assert_int_equal(hp_cache_path_in_dir(capture, o.cache_dir, cache, sizeof(cache), &err), 0);
	assert_int_equal(hp_cache_store(cache, &k, &side, &err), 0);
	assert_int_equal(hp_trace_open_source(capture, &o, &meta, &src, &err), 0);
	assert_int_equal(status, HP_CACHE_HIT);
	assert_null(meta.ep);
	assert_int_equal(src.n, side.n);
	hp_source_close(&src);
	hp_episodes_free(&meta);
	/* without the cache, the capture itself (one episode) is read into an array */
	o.use_cache = 0;
	assert_int_equal(hp_trace_open_source(capture, &o, &meta, &src, &err), 0);
	assert_int_equal(src.n, 1);
	assert_non_null(meta.ep);
	hp_source_close(&src);
	hp_episodes_free(&meta);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sum_in_pieces),
	    cmocka_unit_test(test_writer_same_bytes),
	    cmocka_unit_test(test_cache_stream_is_the_array),
	    cmocka_unit_test(test_damaged_or_stale_refused),
	    cmocka_unit_test(test_reader_streams_a_hit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
