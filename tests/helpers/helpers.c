/* What the tests share (helpers.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"
#include "hpsim/sweep.h"

char *test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static int status_of(int st)
{
	return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int test_sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return status_of(system(cmd));
}

int test_sh_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	char cmd[8192], full[8400], errpath[] = "/tmp/hpsim-test-err-XXXXXX";
	va_list ap;
	FILE *f;
	size_t n;
	int fd, st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fd = mkstemp(errpath);
	if (fd < 0)
		return 128;
	close(fd);
	snprintf(full, sizeof(full), "%s >/dev/null 2>'%s'", cmd, errpath);
	st = system(full);
	if (errbuf && errlen) {
		errbuf[0] = '\0';
		f = fopen(errpath, "r");
		if (f) {
			n = fread(errbuf, 1, errlen - 1, f);
			errbuf[n] = '\0';
			fclose(f);
		}
	}
	unlink(errpath);
	return status_of(st);
}

void test_sweep_config_ok(const char *json, struct hp_sweep_config *c)
{
	struct hp_err err = {""};

	if (hp_sweep_config_parse(json, HPSIM_SOURCE_DIR, 0, c, &err) < 0)
		fail_msg("config rejected: %s", err.msg);
	if (hp_sweep_validate(c, &err) < 0)
		fail_msg("config invalid: %s", err.msg);
}
