/* What the tests share: reading a file whole and running shell commands. */
#ifndef HPSIM_TEST_HELPERS_H
#define HPSIM_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

/* The whole file at path, NUL-terminated (free it), its length in *len (len may be NULL); NULL if
 * it cannot be read. */
char *test_slurp(const char *path, size_t *len);

/* Run a shell command (printf-style); its exit status, 128 if a signal ended it. */
int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Run a shell command (printf-style) with its stdout discarded, its stderr
 * into errbuf (errlen bytes, NUL-terminated; errbuf may be NULL); its exit
 * status, 128 if a signal ended it.
 */
int test_sh_err(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct hp_sweep_config;
struct hp_engine_config;
struct hp_engine_stats;
struct hp_episode;
struct hp_episodes;
struct hp_metrics;
struct hp_outcome;

/* Parse and validate a sweep config (relative paths from the source tree) into c; fail the test
 * naming the error otherwise. */
void test_sweep_config_ok(const char *json, struct hp_sweep_config *c);

/* Episodes from an array (pushed in order) over [t_first_ns, t_last_ns]; fail the test if out of
 * memory. Free with hp_episodes_free. */
void test_episodes(struct hp_episodes *e, const struct hp_episode *in, size_t n,
                   uint64_t t_first_ns, uint64_t t_last_ns);

/* Configure a run with the guest and host policies (either NULL) and params, NULL-terminated
 * NAME, VALUE pairs (may be NULL); fail the test naming the error otherwise. */
void test_configure(struct hp_engine_config *cfg, const char *guest, const char *host,
                    const char *const *params);

/* Every outcome of a replay, in the order the engine gave them (free o). */
struct test_rec {
	size_t n, cap;
	struct hp_outcome *o;
};

/* Append one outcome to the test_rec ctx (an hp_outcome_fn). */
void test_record(void *ctx, const struct hp_outcome *o);

/* Replay e through cfg into m and st (either NULL: not kept), every outcome into r (emptied
 * first); fail the test naming the error otherwise. */
void test_replay(const struct hp_episodes *e, struct hp_engine_config *cfg, struct test_rec *r,
                 struct hp_metrics *m, struct hp_engine_stats *st);

#endif
