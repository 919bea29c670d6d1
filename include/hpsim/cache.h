/*
 * The episode cache: a capture's parsed episodes in a compact, versioned
 * binary file (FILE.hpep beside the capture, or in a cache directory when the
 * capture's directory is not writable). A cache file is keyed by the
 * capture's inode, size, mtime, change time and a checksum of its first
 * bytes, and checked on load (magic, version, key, sizes, payload checksum):
 * a stale or damaged file is reported as a miss, never trusted.
 */
#ifndef HPSIM_CACHE_H
#define HPSIM_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "hpsim/episode.h"

/* Bump when the file layout or any reader's episode semantics change. */
/* 2: wake sources and host events of the shared decoder; 3: tracefs LOST lines are gaps;
 * 4: a host capture's own cpu_idle events are not counted as cut or polled halts;
 * 5: arm64 kvm_exit events are not bad records; 6: the key has the inode and change time;
 * 7: tracefs lines with a (TGID) column are events; 8: haltpoll POLL periods are replayed;
 * 9: host halts start hlt_exit_ns before the host saw them;
 * 10: the skips hold the recorded and unread event counts and the truncation flag */
#define HP_CACHE_VERSION 10u

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

/* The cache file beside the capture (capture + ".hpep"); 0, or -1 if it does not fit. */
int hp_cache_path_beside(const char *capture, char *out, size_t len);

/* The cache file in dir (NULL: $XDG_CACHE_HOME/hpsim or ~/.cache/hpsim); 0 or -1 with err. */
int hp_cache_path_in_dir(const char *capture, const char *dir, char *out, size_t len,
                         struct hp_err *err);

/* Load a cache file valid for key (reader name into format); 0, or -1 with why (eps empty). */
int hp_cache_load(const char *cache_path, const struct hp_cache_key *key, struct hp_episodes *eps,
                  char *format, size_t format_len, struct hp_err *err);

/* Write eps keyed to key to cache_path atomically, making missing parents; 0 or -1 with err. */
int hp_cache_store(const char *cache_path, const struct hp_cache_key *key,
                   const struct hp_episodes *eps, struct hp_err *err);

/* Checksum of n bytes continuing from h (start with 0); detects any change within one word. */
uint64_t hp_cache_sum(uint64_t h, const void *p, size_t n);

#endif
