/*
 * The episode cache's loader. Its header and payload carry checksums, so raw
 * mutations would only test the checksum test: the harness lays the input
 * over a real cache file's counts, strings and payload (the capture's key
 * kept) and recomputes both sums, so that the loader's own checks of sizes,
 * counts and contents are what the input meets.
 */
#include <stddef.h>
#include <sys/stat.h>

#include "hpsim/cache.h"
#include "fuzz_util.h"

#define KEY_END 88 /* magic .. head_sum: the capture's identity, kept */

static char capture[256], cache[256];
static struct hp_cache_key key;
static uint8_t *tmpl;
static size_t tmpl_len, header_size;

static void setup(void)
{
	struct hp_episode ep[2] = {{100, 200, 0, -1, 0, 0}, {300, 450, 1, 0, 1, 0}};
	struct hp_episodes eps = {.ep = ep, .n = 2, .cap = 2, .ncpu = 2, .format = "csv"};
	struct hp_err err;
	FILE *f;

	/* in TMPDIR (/dev/shm for long runs): the cache is rewritten every run */
	snprintf(capture, sizeof(capture), "%s/hpsim-fuzz-cache-%d.csv",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	snprintf(cache, sizeof(cache), "%s.hpep", capture);
	f = fopen(capture, "w");
	fputs("cpu,halt_start_ns,wake_ns\n0,100,200\n1,300,450\n", f);
	fclose(f);
	if (hp_cache_key_of(capture, &key, &err) < 0 || hp_cache_store(cache, &key, &eps, &err) < 0)
		abort();
	f = fopen(cache, "rb");
	fseek(f, 0, SEEK_END);
	tmpl_len = (size_t)ftell(f);
	rewind(f);
	tmpl = malloc(tmpl_len);
	if (fread(tmpl, 1, tmpl_len, f) != tmpl_len)
		abort();
	fclose(f);
	{
		uint32_t hs;

		memcpy(&hs, tmpl + 16, 4);
		header_size = hs;
	}
	if (header_size > tmpl_len || header_size < KEY_END + 16)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_episodes eps;
	struct hp_err err;
	char format[32];
	size_t len;
	uint8_t *buf;
	uint64_t sum;
	FILE *f;

	if (!tmpl)
		setup();
	len = header_size +
	      (size > header_size - KEY_END - 16 ? size - (header_size - KEY_END - 16) : 0);
	buf = calloc(1, len > tmpl_len ? len : tmpl_len);
	memcpy(buf, tmpl, header_size);
	memcpy(buf + KEY_END, data,
	       size < header_size - KEY_END - 16 ? size : header_size - KEY_END - 16);
	if (len > header_size)
		memcpy(buf + header_size, data + (header_size - KEY_END - 16), len - header_size);
	/* payload_sum: the episodes' bytes (n * ep_size, as the header now says), then the rest */
	{
		uint64_t n, ep_bytes;
		uint32_t ep_size;

		memcpy(&n, buf + KEY_END, 8);
		memcpy(&ep_size, buf + 20, 4);
		ep_bytes = n * ep_size;
		if (ep_bytes > len - header_size || (ep_size && ep_bytes / ep_size != n))
			ep_bytes = len - header_size;
		sum = hp_cache_sum(hp_cache_sum(0, buf + header_size, ep_bytes),
		                   buf + header_size + ep_bytes, len - header_size - ep_bytes);
	}
	memcpy(buf + header_size - 16, &sum, 8);
	sum = hp_cache_sum(0, buf, header_size - 8);
	memcpy(buf + header_size - 8, &sum, 8);
	f = fopen(cache, "wb");
	fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
	if (hp_cache_load(cache, &key, &eps, format, sizeof(format), &err) == 0) {
		hp_episodes_validate(&eps, &err);
		hp_episodes_free(&eps);
	}
	return 0;
}
