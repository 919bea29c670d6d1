/*
 * Units lost to a worker that died (the OOM killer, kill -9, a crash): they
 * are not journaled, so `hpsim sweep --resume` reruns them, and the sweep
 * fails with a message naming them, never a quiet error row.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hpsim/sweep.h"
#include "sweep_int.h"

#define SHOWN 4

int sweep_lost_add(struct sweep_lost *l, uint64_t unit, int status)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		uint64_t *nu = realloc(l->unit, cap * sizeof(*nu));

		if (!nu)
			return -1;
		l->unit = nu;
		l->cap = cap;
	}
	if (!l->n)
		l->first_status = status;
	l->unit[l->n++] = unit;
	return 0;
}

/* "unit 6 (trace a.dat: halt_poll_ns=1000)" into buf. */
static size_t describe(const struct hp_sweep_config *c, uint64_t unit, char *buf, size_t len)
{
	struct hp_sweep_spec s;
	size_t t = 0, i, used;

	hp_sweep_unit_spec(c, unit, &s, &t);
	used = (size_t)snprintf(buf, len, "unit %llu (%s", (unsigned long long)unit,
	                        t < c->ntraces ? c->traces[t].label : "?");
	for (i = 0; i < s.spec.nparams && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? " " : ": ",
		                         s.spec.params[i].name, s.spec.params[i].value);
	if (used < len)
		used += (size_t)snprintf(buf + used, len - used, ")");
	return used < len ? used : len;
}

void sweep_lost_message(const struct hp_sweep_config *c, const struct sweep_lost *l,
                        struct hp_err *err)
{
	char how[96], list[320];
	size_t used = 0, i;
	int st = l->first_status;

	if (WIFSIGNALED(st))
		snprintf(how, sizeof(how), "killed by signal %d (%s)", WTERMSIG(st),
		         strsignal(WTERMSIG(st)));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(st));
	list[0] = '\0';
	for (i = 0; i < l->n && i < SHOWN && used < sizeof(list); i++) {
		if (i)
			used += (size_t)snprintf(list + used, sizeof(list) - used, ", ");
		if (used < sizeof(list))
			used += describe(c, l->unit[i], list + used, sizeof(list) - used);
	}
	hp_errf(err,
	        "%zu point%s lost: the worker process running %s%s was %s; the other results "
	        "are kept: rerun the lost point%s with `hpsim sweep --resume DIR`",
	        l->n, l->n == 1 ? "" : "s", list, l->n > SHOWN ? ", ..." : "", how,
	        l->n == 1 ? "" : "s");
}
