/* The host idle-state tests' shared fixtures (idle_fixtures.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hpsim/engine.h"
#include "hpsim/trace.h"
#include "idle_fixtures.h"

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int test_idle_tables(char *dir, char *two_states, char *one_state, size_t len)
{
	if (!mkdtemp(dir))
		return -1;
	snprintf(two_states, len, "%s/c1-c6.json", dir);
	snprintf(one_state, len, "%s/c6.json", dir);
	/* no POLL: ladder starts in C1 and climbs to C6 after four long periods */
	if (write_text(two_states, "{\"name\": \"c1-c6\", \"states\": ["
	                           "{\"name\": \"C1\", \"exit_latency_us\": 2, "
	                           "\"target_residency_us\": 2},"
	                           "{\"name\": \"C6\", \"exit_latency_us\": 100, "
	                           "\"target_residency_us\": 200}]}") < 0)
		return -1;
	/* one state: every governor picks it */
	return write_text(one_state, "{\"name\": \"c6\", \"states\": ["
	                             "{\"name\": \"C6\", \"exit_latency_us\": 100, "
	                             "\"target_residency_us\": 200}]}");
}

int test_rm_rf(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

void test_configure_idle(struct hp_engine_config *cfg, const char *policy, const char *arch,
                         uint32_t size, const char *poll_ns, const char *table, const char *gov)
{
	struct hp_run_spec spec;
	struct hp_err err;

	memset(&spec, 0, sizeof(spec));
	if (size)
		spec.policy[HP_LAYER_VCORE] = policy;
	else
		spec.policy[HP_LAYER_HOST] = policy;
	spec.arch = arch;
	spec.vcore_size = size;
	spec.params[0].name = "halt_poll_ns";
	spec.params[0].value = poll_ns;
	spec.nparams = 1;
	spec.idle.table = table;
	spec.idle.governor = gov;
	if (hp_engine_configure(&spec, cfg, &err) < 0)
		fail_msg("%s", err.msg);
}

void test_one_halt(struct hp_episodes *e, uint64_t wake, const uint64_t *b, size_t nb)
{
	struct hp_episode h = {
	    .halt_start_ns = 0, .wake_ns = wake, .cpu = 0, .source = HP_SRC_IPI, .source_cpu = 1};
	struct hp_err err;
	size_t i;

	memset(e, 0, sizeof(*e));
	assert_int_equal(hp_episodes_push(e, &h, &err), 0);
	for (i = 0; i < nb; i++) {
		struct hp_busy x = {.start_ns = b[2 * i], .end_ns = b[2 * i + 1], .cpu = 0};

		assert_int_equal(hp_episodes_push_busy(e, &x, &err), 0);
	}
	hp_episodes_sort(e);
	e->t_first_ns = 0;
	e->t_last_ns = wake + 1000000ull;
}
