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

#include <string.h>

#include "helpers.h"
#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
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

void test_episodes(struct hp_episodes *e, const struct hp_episode *in, size_t n,
                   uint64_t t_first_ns, uint64_t t_last_ns)
{
	struct hp_err err;
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < n; i++)
		if (hp_episodes_push(e, &in[i], &err) < 0)
			fail_msg("%s", err.msg);
	e->t_first_ns = t_first_ns;
	e->t_last_ns = t_last_ns;
}

void test_configure(struct hp_engine_config *cfg, const char *guest, const char *host,
                    const char *const *params)
{
	struct hp_run_spec spec;
	struct hp_err err;

	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_GUEST] = guest;
	spec.policy[HP_LAYER_HOST] = host;
	for (; params && *params; params += 2) {
		spec.params[spec.nparams].name = params[0];
		spec.params[spec.nparams].value = params[1];
		spec.nparams++;
	}
	if (hp_engine_configure(&spec, cfg, &err) < 0)
		fail_msg("%s", err.msg);
}

void test_record(void *ctx, const struct hp_outcome *o)
{
	struct test_rec *r = ctx;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->o = realloc(r->o, r->cap * sizeof(*r->o));
		assert_non_null(r->o);
	}
	r->o[r->n++] = *o;
}

void test_replay(const struct hp_episodes *e, struct hp_engine_config *cfg, struct test_rec *r,
                 struct hp_metrics *m, struct hp_engine_stats *st)
{
	struct hp_engine_stats own_st;
	struct hp_metrics own_m;
	struct hp_err err;

	memset(r, 0, sizeof(*r));
	if (hp_replay(e, cfg, m ? m : &own_m, st ? st : &own_st, test_record, r, &err) < 0)
		fail_msg("%s", err.msg);
	if (!m)
		hp_metrics_free(&own_m);
}
