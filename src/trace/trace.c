/* Pick the reader for a capture by its content and normalize what it gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hpsim/cache.h"
#include "hpsim/trace.h"

static const struct hp_trace_reader *const readers[] = {
    &hp_reader_tracedat,
    &hp_reader_csv,
};

static int parse_capture(const char *path, struct hp_episodes *eps, struct hp_err *err)
{
	unsigned char head[64];
	struct stat st;
	size_t len, i;
	FILE *f;

	memset(eps, 0, sizeof(*eps));
	if (stat(path, &st) < 0)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return hp_errf(err, "%s: is a directory, expected a trace file", path);
	f = fopen(path, "rb");
	if (!f)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	len = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (len == 0)
		return hp_errf(err, "%s: empty file, expected a trace", path);
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (!readers[i]->probe(head, len))
			continue;
		if (readers[i]->read(path, eps, err) < 0) {
			hp_episodes_free(eps);
			return -1;
		}
		eps->format = readers[i]->name;
		hp_episodes_sort(eps);
		if (hp_episodes_validate(eps, err) < 0) {
			hp_err_prefix(err, "%s: ", path);
			hp_episodes_free(eps);
			return -1;
		}
		return 0;
	}
	return hp_errf(err,
	               "%s: not a recognized trace (expected a trace-cmd trace.dat file or an "
	               "episode CSV with the header \"cpu,halt_start_ns,wake_ns,...\")",
	               path);
}

/* The reader whose name a cache file recorded, so that eps->format points at static text. */
static const char *reader_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (!strcmp(readers[i]->name, name))
			return readers[i]->name;
	return NULL;
}

struct hp_read_opts hp_read_opts_default(void)
{
	const char *env = getenv("HPSIM_NO_CACHE");
	struct hp_read_opts o = {.use_cache = !(env && *env && strcmp(env, "0"))};

	return o;
}

/* A valid cache file beside the capture or in the cache directory: 0 on a hit. */
static int load_cached(const struct hp_cache_key *key, const char *beside, const char *indir,
                       struct hp_episodes *eps)
{
	const char *cands[2] = {beside, indir};
	struct hp_err ignored;
	char format[32];
	size_t i;

	for (i = 0; i < 2; i++) {
		if (!cands[i][0] ||
		    hp_cache_load(cands[i], key, eps, format, sizeof(format), &ignored) < 0)
			continue;
		eps->format = reader_name(format);
		if (eps->format && hp_episodes_validate(eps, &ignored) == 0)
			return 0;
		hp_episodes_free(eps);
	}
	return -1;
}

int hp_trace_read_opts(const char *path, const struct hp_read_opts *o, struct hp_episodes *eps,
                       struct hp_err *err)
{
	enum hp_cache_status dummy, *status = o->status ? o->status : &dummy;
	char beside[4096] = "", indir[4096] = "";
	struct hp_cache_key key;
	struct hp_err ignored;

	*status = HP_CACHE_OFF;
	memset(eps, 0, sizeof(*eps));
	if (!o->use_cache || hp_cache_key_of(path, &key, &ignored) < 0)
		return parse_capture(path, eps, err);
	if (hp_cache_path_beside(path, beside, sizeof(beside)) < 0)
		beside[0] = '\0';
	if (hp_cache_path_in_dir(path, o->cache_dir, indir, sizeof(indir), &ignored) < 0)
		indir[0] = '\0';
	if (load_cached(&key, beside, indir, eps) == 0) {
		*status = HP_CACHE_HIT;
		return 0;
	}
	if (parse_capture(path, eps, err) < 0)
		return -1;
	if ((beside[0] && hp_cache_store(beside, &key, eps, &ignored) == 0) ||
	    (indir[0] && hp_cache_store(indir, &key, eps, &ignored) == 0))
		*status = HP_CACHE_STORED;
	else
		*status = HP_CACHE_UNWRITABLE;
	return 0;
}

int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err)
{
	struct hp_read_opts o = hp_read_opts_default();

	return hp_trace_read_opts(path, &o, eps, err);
}
