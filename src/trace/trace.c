/* Pick the reader for a capture by its content, through the episode cache. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csv_stream.h"
#include "dec_stream.h"
#include "hpsim/cache.h"
#include "hpsim/cost.h"
#include "hpsim/source.h"
#include "hpsim/trace.h"

static const struct hp_trace_reader *const readers[] = {
    &hp_reader_tracedat_isolated,
    &hp_reader_csv,
    &hp_reader_report_text,
};

void hp_read_opts_init(struct hp_read_opts *opts)
{
	const char *env = getenv("HPSIM_NO_CACHE");
	struct hp_cost c;

	memset(opts, 0, sizeof(*opts));
	hp_cost_defaults(&c, HP_ARCH_X86);
	hp_read_opts_cost(opts, &c);
	opts->use_cache = !(env && *env && strcmp(env, "0"));
}

void hp_read_opts_cost(struct hp_read_opts *opts, const struct hp_cost *c)
{
	opts->host_wakeup_ns = c->host_wakeup_ns;
	opts->hlt_exit_ns = c->hlt_exit_ns;
}

int hp_vcpu_map_parse(struct hp_read_opts *opts, const char *spec, struct hp_err *err)
{
	const char *p = spec;

	if (!*p)
		return hp_errf(err, "--vcpu-map: empty, expected PID=VCPU[,PID=VCPU...]");
	while (*p) {
		const char *item = p;
		unsigned long pid, vcpu;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		pid = strtoul(p, &end, 10);
		if (*end != '=' || pid > 0x7fffffff)
			goto bad;
		p = end + 1;
		if (*p < '0' || *p > '9')
			goto bad;
		vcpu = strtoul(p, &end, 10);
		if ((*end != ',' && *end != '\0') || vcpu >= 4096)
			goto bad;
		if (opts->nmap == HP_VCPU_MAP_MAX)
			return hp_errf(err, "--vcpu-map: more than %d threads", HP_VCPU_MAP_MAX);
		opts->map[opts->nmap].pid = (int32_t)pid;
		opts->map[opts->nmap].vcpu = (uint32_t)vcpu;
		opts->nmap++;
		p = *end ? end + 1 : end;
		continue;
	bad:
		return hp_errf(err,
		               "--vcpu-map: '%.*s' is not PID=VCPU (a thread id, '=', a vCPU "
		               "index below 4096), in '%s'",
		               (int)strcspn(item, ","), item, spec);
	}

	return 0;
}

/*
 * An episode CSV's halts that begin before the previous halt of their CPU
 * ended (rows repeated, overlapping intervals): dropped and counted as
 * overlapping, as the trace decoders do. eps is sorted.
 */
static int drop_overlaps(struct hp_episodes *eps, struct hp_err *err)
{
	uint64_t *last = calloc(eps->ncpu ? eps->ncpu : 1, sizeof(*last));
	size_t i, kept = 0;

	if (!last)
		return hp_errf(err, "out of memory");
	for (i = 0; i < eps->n; i++) {
		const struct hp_episode *e = &eps->ep[i];

		if (e->cpu < eps->ncpu && e->halt_start_ns < last[e->cpu]) {
			eps->skipped.overlapping++;
			continue;
		}
		if (e->cpu < eps->ncpu)
			last[e->cpu] = e->wake_ns;
		if (kept != i)
			eps->ep[kept] = eps->ep[i];
		kept++;
	}
	eps->n = kept;
	free(last);
	return 0;
}

/* The first line of a file that names some of the episode CSV's columns but not all. */
static int csv_missing_column(const char *path, const unsigned char *head, size_t len,
                              struct hp_err *err)
{
	static const char *const need[] = {"cpu", "halt_start_ns", "wake_ns"};
	char line[256];
	size_t n = 0, i;

	while (n < len && n < sizeof(line) - 1 && head[n] != '\n' && head[n] != '\r') {
		line[n] = (char)head[n];
		n++;
	}
	line[n] = '\0';
	if (!strchr(line, ',') ||
	    !(strstr(line, "halt_start_ns") || strstr(line, "wake_ns") || strstr(line, "source")))
		return 0;
	for (i = 0; i < 3; i++) {
		char *p = line;
		size_t l = strlen(need[i]);
		int found = 0;

		while (*p) {
			size_t w = strcspn(p, ",");

			if (w == l && !strncasecmp(p, need[i], l))
				found = 1;
			p += w + (p[w] == ',');
		}
		if (!found) {
			hp_errf(err,
			        "%s:1: an episode CSV without the column '%s' (the header needs "
			        "cpu,halt_start_ns,wake_ns, then optionally source,source_cpu)",
			        path, need[i]);
			return 1;
		}
	}
	return 0;
}

static int parse_capture(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                         struct hp_err *err)
{
	unsigned char head[4096];
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
		if (readers[i]->read(path, opts, eps, err) < 0) {
			hp_episodes_free(eps);
			return -1;
		}
		eps->format = readers[i]->name;
		hp_episodes_sort(eps);
		if (readers[i] == &hp_reader_csv && drop_overlaps(eps, err) < 0) {
			hp_episodes_free(eps);
			return -1;
		}
		if (hp_episodes_validate(eps, err) < 0) {
			hp_err_prefix(err, "%s: ", path);
			hp_episodes_free(eps);
			return -1;
		}
		return 0;
	}
	if (csv_missing_column(path, head, len, err))
		return -1;
	return hp_errf(err,
	               "%s: not a recognized trace (expected a trace-cmd trace.dat file, "
	               "`trace-cmd report` text or an episode CSV with the header "
	               "\"cpu,halt_start_ns,wake_ns,...\")",
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

/* A valid cache file in the cache directory: 0 on a hit. */
static int load_cached(const struct hp_cache_key *key, const char *cache, struct hp_episodes *eps)
{
	struct hp_err ignored;
	char format[32];

	if (hp_cache_load(cache, key, eps, format, sizeof(format), &ignored) < 0)
		return -1;
	eps->format = reader_name(format);
	if (eps->format && hp_episodes_validate(eps, &ignored) == 0)
		return 0;
	hp_episodes_free(eps);
	return -1;
}

/*
 * The reading options that change what a reader produces, folded into the
 * cache key: a capture cached under other options is a miss, not a wrong hit.
 */
static void key_options(struct hp_cache_key *key, const struct hp_read_opts *o)
{
	uint64_t fixed[5] = {(uint64_t)o->lenient, o->host_wakeup_ns, o->hlt_exit_ns,
	                     (uint64_t)o->nmap, o->host_kver >= HP_DELAYED_DEQUEUE_KVER};

	key->head_sum = hp_cache_sum(key->head_sum, fixed, sizeof(fixed));
	key->head_sum = hp_cache_sum(key->head_sum, o->map, o->nmap * sizeof(o->map[0]));
	if (o->salvage) /* a salvaged read is not the strict one */
		key->head_sum = hp_cache_sum(key->head_sum, "salvage", 7);
}

/* A pipe, FIFO, socket or device is refused before anything opens it (which could block). */
static int not_a_file(const char *path, struct hp_err *err)
{
	struct stat st;

	if (stat(path, &st) < 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
		return 0; /* the reader names a missing file or a directory */
	return hp_errf(err,
	               "%s: is a %s, not a regular file: hpsim reads captures from files "
	               "(trace.dat, `trace-cmd report` text, episode CSV); save the stream "
	               "to a file first",
	               path,
	               S_ISFIFO(st.st_mode)   ? "pipe or FIFO"
	               : S_ISSOCK(st.st_mode) ? "socket"
	               : S_ISCHR(st.st_mode)  ? "character device"
	                                      : "block device");
}

/* The reader for path: the first whose probe takes its head; NULL if none. */
static const struct hp_trace_reader *reader_of(const char *path)
{
	unsigned char head[4096];
	size_t len, i;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	len = fread(head, 1, sizeof(head), f);
	fclose(f);
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++)
		if (len && readers[i]->probe(head, len))
			return readers[i];
	return NULL;
}

/*
 * A first read that writes the cache without holding the capture (episode
 * CSV, trace.dat, report text): 0 when the cache file is written, -1 with err
 * for a bad capture, 1 when this capture or cache cannot be read so (the
 * caller reads into memory).
 */
static int first_read_streamed(const char *path, const struct hp_read_opts *o,
                               const struct hp_cache_key *key, const char *cache,
                               struct hp_err *err)
{
	const struct hp_trace_reader *r = reader_of(path);
	struct hp_err why;
	int rc;

	if (!r)
		return 1;
	if (r == &hp_reader_csv) {
		rc = hp_csv_stream_to_cache(path, cache, key, 0, &why);
		if (rc == HP_CSV_STREAM_BAD) {
			*err = why;
			return -1;
		}
		return rc == 0 ? 0 : 1;
	}
	if (o->calib || o->sink) /* the calibration collector reads in this process, in memory */
		return 1;
	rc = hp_dec_stream_to_cache(r, path, o, cache, key, 0, &why);
	if (rc == HP_DEC_STREAM_BAD) {
		*err = why;
		return -1;
	}
	return rc == 0 ? 0 : 1;
}

int hp_trace_read_opts(const char *path, const struct hp_read_opts *o, struct hp_episodes *eps,
                       struct hp_err *err)
{
	enum hp_cache_status dummy, *status;
	struct hp_read_opts defaults;
	struct hp_cache_key key;
	struct hp_err ignored;
	char cache[4096];

	if (!o) {
		hp_read_opts_init(&defaults);
		o = &defaults;
	}
	status = o->status ? o->status : &dummy;
	*status = HP_CACHE_OFF;
	memset(eps, 0, sizeof(*eps));
	if (not_a_file(path, err) < 0)
		return -1;
	if (!o->use_cache || hp_cache_key_of(path, &key, &ignored) < 0)
		return parse_capture(path, o, eps, err);
	key_options(&key, o);
	/* the cache lives in the cache directory, never beside the user's capture */
	if (hp_cache_path_in_dir(path, o->cache_dir, cache, sizeof(cache), &ignored) < 0)
		return parse_capture(path, o, eps, err);
	if (load_cached(&key, cache, eps) == 0) {
		*status = HP_CACHE_HIT;
		return 0;
	}
	/* a first read: into the cache without holding the capture, then mapped from it */
	switch (first_read_streamed(path, o, &key, cache, err)) {
	case 0:
		if (load_cached(&key, cache, eps) == 0) {
			*status = HP_CACHE_STORED;
			return 0;
		}
		break;
	case -1:
		return -1;
	}
	if (parse_capture(path, o, eps, err) < 0)
		return -1;
	if (hp_cache_store(cache, &key, eps, &ignored) == 0)
		*status = HP_CACHE_STORED;
	else
		*status = HP_CACHE_UNWRITABLE;
	return 0;
}

int hp_trace_cache_key(const char *path, const struct hp_read_opts *o, struct hp_cache_key *key,
                       struct hp_err *err)
{
	if (hp_cache_key_of(path, key, err) < 0)
		return -1;
	key_options(key, o);
	return 0;
}

/* A valid cache file in the cache directory, streamed: 0 on a hit. */
static int stream_cached(const struct hp_cache_key *key, const char *cache, struct hp_episodes *eps,
                         struct hp_episode_source *src)
{
	struct hp_err ignored;
	char format[32];

	if (hp_source_from_cache(src, eps, cache, key, format, sizeof(format), &ignored) < 0)
		return -1;
	eps->format = reader_name(format);
	if (eps->format)
		return 0;
	hp_source_close(src);
	hp_episodes_free(eps);
	return -1;
}

int hp_trace_open_source(const char *path, const struct hp_read_opts *o, struct hp_episodes *eps,
                         struct hp_episode_source *src, struct hp_err *err)
{
	struct hp_read_opts defaults;
	struct hp_cache_key key;
	struct hp_err ignored;
	char cache[4096];

	if (!o) {
		hp_read_opts_init(&defaults);
		o = &defaults;
	}
	memset(src, 0, sizeof(*src));
	memset(eps, 0, sizeof(*eps));
	if (o->use_cache && hp_cache_key_of(path, &key, &ignored) == 0) {
		key_options(&key, o);
		if (hp_cache_path_in_dir(path, o->cache_dir, cache, sizeof(cache), &ignored) == 0) {
			if (stream_cached(&key, cache, eps, src) == 0) {
				if (o->status)
					*o->status = HP_CACHE_HIT;
				return 0;
			}
			if (not_a_file(path, err) < 0)
				return -1;
			/* a first read: into the cache, then streamed from it */
			switch (first_read_streamed(path, o, &key, cache, err)) {
			case 0:
				if (stream_cached(&key, cache, eps, src) == 0) {
					if (o->status)
						*o->status = HP_CACHE_STORED;
					return 0;
				}
				break;
			case -1:
				return -1;
			}
		}
	}
	if (hp_trace_read_opts(path, o, eps, err) < 0)
		return -1;
	if (hp_source_from_array(src, eps, err) < 0) {
		hp_episodes_free(eps);
		return -1;
	}
	return 0;
}

int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err)
{
	return hp_trace_read_opts(path, NULL, eps, err);
}
