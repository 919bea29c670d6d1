/*
 * The episode cache: a capture's parsed episodes in a compact, versioned
 * binary file in the cache directory ($XDG_CACHE_HOME/hpsim, else
 * ~/.cache/hpsim, or --cache-dir), never beside the user's capture. A cache
 * file is keyed by the
 * capture's inode, size, mtime, change time and a checksum of its first
 * bytes, and checked on load (magic, version, key, sizes, payload checksum):
 * a stale or damaged file is reported as a miss, never trusted.
 */
#ifndef HPSIM_CACHE_H
#define HPSIM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/atomic_file.h"
#include "hpsim/episode.h"

/* Bump when the file layout or any reader's episode semantics change. */
/* 2: wake sources and host events of the shared decoder; 3: tracefs LOST lines are gaps;
 * 4: a host capture's own cpu_idle events are not counted as cut or polled halts;
 * 5: arm64 kvm_exit events are not bad records; 6: the key has the inode and change time;
 * 7: tracefs lines with a (TGID) column are events; 8: haltpoll POLL periods are replayed;
 * 9: host halts start hlt_exit_ns before the host saw them; 10: idle_unseen_* skips and
 * the recorded poll/sleep flags of host halts; 11: the skips hold the recorded and unread
 * event counts and the truncation flag */
#define HP_CACHE_VERSION 11u

/* How many leading bytes of the capture the key's checksum covers. */
#define HP_CACHE_HEAD_BYTES 4096u

/* What identifies one state of a capture file. */
struct hp_cache_key {
	uint64_t size;
	int64_t mtime_sec, mtime_nsec;
	/* the change time: no one sets it back (touch -r, cp -p and utimensat set the mtime) */
	int64_t ctime_sec, ctime_nsec;
	uint64_t ino;
	uint64_t head_sum; /* of the head, and of the reading options that change the episodes */
};

/* Stat and checksum the capture's head into k; 0 or -1 with err. */
int hp_cache_key_of(const char *capture, struct hp_cache_key *k, struct hp_err *err);

/* The cache directory: dir, else $XDG_CACHE_HOME/hpsim, else ~/.cache/hpsim; 0 or -1 with err. */
int hp_cache_dir(const char *dir, char *out, size_t len, struct hp_err *err);

/* Remove hpsim's cache files (and temporaries) from the cache directory; counts what went. */
int hp_cache_clean(const char *dir, uint64_t *files, uint64_t *bytes, struct hp_err *err);

/* The cache file in dir (NULL: $XDG_CACHE_HOME/hpsim or ~/.cache/hpsim); 0 or -1 with err. */
int hp_cache_path_in_dir(const char *capture, const char *dir, char *out, size_t len,
                         struct hp_err *err);

/* Load a cache file valid for key (reader name into format); 0, or -1 with why (eps empty). */
int hp_cache_load(const char *cache_path, const struct hp_cache_key *key, struct hp_episodes *eps,
                  char *format, size_t format_len, struct hp_err *err);

/* An open cache file whose episodes are read in blocks (hpsim/source.h streams them). */
struct hp_cache_stream {
	int fd;
	uint64_t ep_off;      /* file offset of the first episode */
	uint64_t n;           /* episodes in the file */
	uint64_t payload_sum; /* what the episodes then the busy intervals must sum to */
};

/*
 * Open a cache file valid for key for streaming: check its header, read the
 * description and the busy intervals into eps (eps->ep stays NULL, eps->n 0;
 * the count is cs->n); the caller checks the payload sum. 0, or -1 with why (eps empty).
 */
int hp_cache_open_stream(const char *cache_path, const struct hp_cache_key *key,
                         struct hp_episodes *eps, char *format, size_t format_len,
                         struct hp_cache_stream *cs, struct hp_err *err);

/* Read len bytes at off of an open cache file; 0, or -1 if short. */
int hp_cache_read_at(const struct hp_cache_stream *cs, void *buf, size_t len, uint64_t off);

/* Write eps keyed to key to cache_path atomically, making missing parents; 0 or -1 with err. */
int hp_cache_store(const char *cache_path, const struct hp_cache_key *key,
                   const struct hp_episodes *eps, struct hp_err *err);

/* The checksum below, fed in pieces: begin, update (whole 32-byte words), end (the tail). */
struct hp_cache_sum_state {
	uint64_t l[4];
};

/* Start a checksum continuing from h. */
void hp_cache_sum_begin(struct hp_cache_sum_state *s, uint64_t h);

/* Fold in the leading multiple of 32 bytes of p[0..n); returns how many bytes it took. */
size_t hp_cache_sum_update(struct hp_cache_sum_state *s, const void *p, size_t n);

/* Fold in the last n (< 32) bytes and return the sum. */
uint64_t hp_cache_sum_end(const struct hp_cache_sum_state *s, const void *p, size_t n);

/* A cache file written episode block by episode block, in constant memory. */
struct hp_cache_writer {
	struct hp_atomic_file file;
	struct hp_cache_key key;
	struct hp_cache_sum_state sum;
	uint64_t n;
};

/* Start writing cache_path (atomically, making missing parents) for key; 0 or -1 with err. */
int hp_cache_writer_open(struct hp_cache_writer *w, const char *cache_path,
                         const struct hp_cache_key *key, struct hp_err *err);

/* Append n episodes in stream order; 0, or -1 with err (the writer is then aborted). */
int hp_cache_writer_add(struct hp_cache_writer *w, const struct hp_episode *ep, size_t n,
                        struct hp_err *err);

/* Write eps's description and busy intervals (its ep is not used) and commit; 0 or -1 with err. */
int hp_cache_writer_commit(struct hp_cache_writer *w, const struct hp_episodes *eps,
                           struct hp_err *err);

/* Drop a writer that will not be committed. */
void hp_cache_writer_abort(struct hp_cache_writer *w);

/* Checksum of n bytes continuing from h (start with 0); detects any change within one word. */
uint64_t hp_cache_sum(uint64_t h, const void *p, size_t n);

#endif
