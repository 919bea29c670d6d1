/*
 * A sweep directory: config.json (the config as run, with a cost file
 * inlined), sweep.json (where relative trace paths resolve, which shard), and
 * journal.tsv (finished units). The results are computed from these alone,
 * so a resumed or merged sweep writes the same files as an uninterrupted one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hpsim/atomic_file.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

static void join(char *out, size_t n, const char *dir, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static int write_json(const char *path, json_t *v, struct hp_err *err)
{
	struct hp_atomic_file a;

	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	if (json_dumpf(v, a.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
	    fputc('\n', a.f) == EOF) {
		hp_atomic_abort(&a);
		return hp_errf(err, "%s: write failed", path);
	}
	return hp_atomic_commit(&a, err);
}

/* mkdir -p */
static int make_dir(const char *dir, struct hp_err *err)
{
	char p[4096], *s;

	snprintf(p, sizeof(p), "%s", dir);
	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST)
			return hp_errf(err, "%s: cannot create the directory: %s", p,
			               strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST)
		return hp_errf(err, "%s: cannot create the directory: %s", dir, strerror(errno));
	return 0;
}

/* FNV-1a of config.json's text, as hex: the journal's unit numbers belong to that config. */
static void config_hash(const char *text, char out[17])
{
	uint64_t h = 1469598103934665603ull;

	for (; *text; text++) {
		h ^= (unsigned char)*text;
		h *= 1099511628211ull;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int write_meta(const char *dir, const char *config_dir, const char *config_text, uint32_t i,
                      uint32_t n, struct hp_err *err)
{
	char path[4096], shard[32], hash[17];
	json_t *meta;
	int rc;

	snprintf(shard, sizeof(shard), "%u/%u", i, n);
	config_hash(config_text, hash);
	meta = json_pack("{s:s,s:s,s:s}", "config_dir", config_dir, "shard", shard, "config_fnv1a",
	                 hash);
	if (!meta)
		return hp_errf(err, "out of memory");
	join(path, sizeof(path), dir, "sweep.json");
	rc = write_json(path, meta, err);
	json_decref(meta);
	return rc;
}

static char *slurp(const char *path, struct hp_err *err);

static int touch_journal(const char *dir, int excl, struct hp_err *err)
{
	char path[4096];
	int fd;

	join(path, sizeof(path), dir, "journal.tsv");
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | (excl ? O_EXCL : 0), 0666);
	if (fd < 0)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	fsync(fd);
	close(fd);
	return 0;
}

/* Replace root's keys by those of the JSON object text patch (a null value removes one). */
static int apply_patch(json_t *root, const char *patch, struct hp_err *err)
{
	json_error_t je;
	json_t *p, *v;
	const char *key;

	if (!patch)
		return 0;
	p = json_loads(patch, 0, &je);
	if (!json_is_object(p) || !json_is_object(root)) {
		json_decref(p);
		return hp_errf(err, "cannot change the config: %s", p ? "not an object" : je.text);
	}
	json_object_foreach(p, key, v)
	{
		if (json_is_null(v))
			json_object_del(root, key);
		else
			json_object_set(root, key, v);
	}
	json_decref(p);
	return 0;
}

int hp_sweep_dir_create_from(const char *dir, const char *config_path, const char *config_dir,
                             const char *patch, uint32_t shard_i, uint32_t shard_n,
                             struct hp_err *err)
{
	char path[4096], cdir[PATH_MAX], *slash, *abs, *text = NULL;
	json_error_t je;
	json_t *root, *cost;
	int rc = -1;

	if (make_dir(dir, err) < 0)
		return -1;
	join(path, sizeof(path), dir, "journal.tsv");
	if (access(path, F_OK) == 0)
		return hp_errf(
		    err,
		    "%s already holds a sweep: continue it with `hpsim sweep --resume %s`, "
		    "or choose another -o directory",
		    dir, dir);
	snprintf(cdir, sizeof(cdir), "%s", config_dir ? config_dir : config_path);
	slash = config_dir ? NULL : strrchr(cdir, '/');
	if (slash)
		*slash = '\0';
	else if (!config_dir)
		strcpy(cdir, ".");
	abs = realpath(cdir, NULL);
	if (!abs)
		return hp_errf(err, "%s: %s", cdir, strerror(errno));
	root = json_load_file(config_path, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		hp_errf(err, "%s: %s", config_path, je.text);
		goto out;
	}
	if (apply_patch(root, patch, err) < 0)
		goto out;
	cost = json_object_get(root, "cost");
	if (json_is_string(cost)) {
		char cpath[PATH_MAX + 256];
		json_t *inl;

		if (json_string_value(cost)[0] == '/')
			snprintf(cpath, sizeof(cpath), "%s", json_string_value(cost));
		else
			snprintf(cpath, sizeof(cpath), "%s/%s", abs, json_string_value(cost));
		inl = json_load_file(cpath, JSON_REJECT_DUPLICATES, &je);
		if (!inl) {
			hp_errf(err, "$.cost: cannot read the cost file '%s': %s", cpath, je.text);
			goto out;
		}
		json_object_set_new(root, "cost", inl);
	}
	join(path, sizeof(path), dir, "config.json");
	if (write_json(path, root, err) < 0 || !(text = slurp(path, err)) ||
	    write_meta(dir, abs, text, shard_i, shard_n, err) < 0 || touch_journal(dir, 1, err) < 0)
		goto out;
	rc = 0;
out:
	json_decref(root);
	free(abs);
	free(text);
	return rc;
}

int hp_sweep_dir_create(const char *dir, const char *config_path, uint32_t shard_i,
                        uint32_t shard_n, struct hp_err *err)
{
	return hp_sweep_dir_create_from(dir, config_path, NULL, NULL, shard_i, shard_n, err);
}

static char *slurp(const char *path, struct hp_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f) {
		hp_errf(err, "%s: %s (not a sweep directory?)", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		hp_errf(err, "%s: read failed", path);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int hp_sweep_dir_open(const char *dir, struct hp_sweep_dir *d, struct hp_err *err)
{
	char path[4096];
	json_error_t je;
	json_t *meta;
	const char *cd, *shard, *want;
	char hash[17], want_hash[17] = "";
	uint64_t u, n;

	memset(d, 0, sizeof(*d));
	join(path, sizeof(path), dir, "sweep.json");
	meta = json_load_file(path, 0, &je);
	if (!meta)
		return hp_errf(err, "%s: %s (not a sweep directory?)", path, je.text);
	cd = json_string_value(json_object_get(meta, "config_dir"));
	shard = json_string_value(json_object_get(meta, "shard"));
	if (!cd || !shard || hp_sweep_shard_parse(shard, &d->shard_i, &d->shard_n, err) < 0) {
		json_decref(meta);
		return hp_errf(err, "%s: damaged (expected config_dir and shard)", path);
	}
	snprintf(d->config_dir, sizeof(d->config_dir), "%s", cd);
	want = json_string_value(json_object_get(meta, "config_fnv1a"));
	if (want)
		snprintf(want_hash, sizeof(want_hash), "%.16s", want);
	json_decref(meta);
	join(path, sizeof(path), dir, "config.json");
	d->config_text = slurp(path, err);
	if (!d->config_text)
		return -1;
	/* (a directory written before sweep.json recorded the hash is taken as it is) */
	config_hash(d->config_text, hash);
	if (*want_hash && strcmp(hash, want_hash)) {
		free(d->config_text);
		d->config_text = NULL;
		return hp_errf(
		    err,
		    "%s: changed since the sweep started (its journal's units are the "
		    "points of the config as run, not of this one): restore it, or start "
		    "a new sweep with the new config",
		    path);
	}
	if (hp_sweep_config_parse(d->config_text, d->config_dir, HP_SWEEP_NO_FILE_CHECK, &d->cfg,
	                          err) < 0) {
		free(d->config_text);
		d->config_text = NULL;
		return hp_err_prefix(err, "%s: ", path);
	}
	n = hp_sweep_nunits(&d->cfg);
	d->rows = calloc(n ? n : 1, sizeof(*d->rows));
	d->have = calloc(n ? n : 1, 1);
	if (!d->rows || !d->have) {
		hp_sweep_dir_free(d);
		return hp_errf(err, "out of memory for %llu rows", (unsigned long long)n);
	}
	join(path, sizeof(path), dir, "journal.tsv");
	if (hp_sweep_journal_read(path, n, d->rows, d->have, &d->journal_bytes, err) < 0) {
		hp_sweep_dir_free(d);
		return -1;
	}
	for (u = 0; u < n; u++)
		if (hp_sweep_in_shard(u, d->shard_i, d->shard_n)) {
			d->nmine++;
			d->ndone += d->have[u];
		}
	return 0;
}

/* Do two rows hold the same result? */
static bool same_row(const struct hp_sweep_row *a, const struct hp_sweep_row *b)
{
	struct hp_sweep_row x = *a, y = *b;

	x.error = y.error = NULL;
	if (memcmp(&x, &y, sizeof(x)))
		return false;
	return !a->error == !b->error && (!a->error || !strcmp(a->error, b->error));
}

void hp_sweep_dir_free(struct hp_sweep_dir *d)
{
	uint64_t u, n = d->rows ? hp_sweep_nunits(&d->cfg) : 0;

	for (u = 0; u < n; u++)
		free(d->rows[u].error);
	hp_sweep_config_free(&d->cfg);
	free(d->config_text);
	free(d->rows);
	free(d->have);
	memset(d, 0, sizeof(*d));
}

int hp_sweep_dir_merge(struct hp_sweep_dir *into, const struct hp_sweep_dir *from,
                       const char *from_name, struct hp_err *err)
{
	uint64_t u, n = hp_sweep_nunits(&into->cfg);

	if (strcmp(into->config_text, from->config_text))
		return hp_errf(err,
		               "%s: its config.json differs from the first directory's (a "
		               "shard of another sweep?)",
		               from_name);
	for (u = 0; u < n; u++) {
		if (!from->have[u])
			continue;
		if (into->have[u] && !same_row(&into->rows[u], &from->rows[u]))
			return hp_errf(err,
			               "%s: unit %llu has a different result than in another "
			               "directory",
			               from_name, (unsigned long long)u);
		if (into->have[u])
			continue;
		into->rows[u] = from->rows[u];
		if (from->rows[u].error && !(into->rows[u].error = strdup(from->rows[u].error)))
			return hp_errf(err, "out of memory");
		into->have[u] = 1;
	}
	return 0;
}

int hp_sweep_dir_write_merged(const char *out, const struct hp_sweep_dir *d, struct hp_err *err)
{
	char path[4096];
	struct hp_atomic_file a;
	uint64_t u, n = hp_sweep_nunits(&d->cfg);

	if (make_dir(out, err) < 0)
		return -1;
	join(path, sizeof(path), out, "journal.tsv");
	if (access(path, F_OK) == 0)
		return hp_errf(
		    err,
		    "%s already holds a sweep (its journal.tsv would be replaced): choose "
		    "another -o directory",
		    out);
	join(path, sizeof(path), out, "config.json");
	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	fputs(d->config_text, a.f);
	if (hp_atomic_commit(&a, err) < 0 ||
	    write_meta(out, d->config_dir, d->config_text, 1, 1, err) < 0)
		return -1;
	/* the journal last, and whole or not at all: its presence marks a sweep directory */
	join(path, sizeof(path), out, "journal.tsv");
	if (hp_atomic_open(&a, path, err) < 0)
		return -1;
	if (fflush(a.f) != 0) {
		hp_atomic_abort(&a);
		return hp_errf(err, "%s: %s", path, strerror(errno));
	}
	for (u = 0; u < n; u++)
		if (d->have[u] && hp_sweep_journal_append(fileno(a.f), &d->rows[u], 1, err) < 0) {
			hp_atomic_abort(&a);
			return -1;
		}
	return hp_atomic_commit(&a, err);
}
