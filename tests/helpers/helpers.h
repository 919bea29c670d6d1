/* What the tests share: reading a file whole and running shell commands. */
#ifndef HPSIM_TEST_HELPERS_H
#define HPSIM_TEST_HELPERS_H

#include <stddef.h>

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

/* Parse and validate a sweep config (relative paths from the source tree) into c; fail the test
 * naming the error otherwise. */
void test_sweep_config_ok(const char *json, struct hp_sweep_config *c);

#endif
