/*
 * trace.dat reader (libtracecmd). Guest captures: each power:cpu_idle enter
 * (state != PWR_EVENT_EXIT) paired with the next exit on the same CPU is one
 * episode. State 0 under the haltpoll driver is the POLL state, not a halt.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <trace-cmd.h>
#include <event-parse.h>

#include "hpsim/trace.h"

#define PWR_EVENT_EXIT 4294967295ULL
#define MAX_CPUS       4096

struct cpu_state {
	bool in_idle;
	unsigned long long state;
	unsigned long long enter_ns;
};

struct ctx {
	struct hp_episodes *eps;
	struct hp_err *err;
	int idle_id;
	struct tep_event *idle_ev;
	struct cpu_state *cpus;
	bool first;
	int failed;
};

static int probe(const unsigned char *head, size_t len)
{
	static const unsigned char magic[] = {0x17, 0x08, 0x44, 't', 'r', 'a', 'c', 'i', 'n', 'g'};

	return len >= sizeof(magic) && memcmp(head, magic, sizeof(magic)) == 0;
}

static int on_record(struct tracecmd_input *handle, struct tep_record *rec, int cpu, void *data)
{
	struct ctx *c = data;
	struct hp_skips *sk = &c->eps->skipped;
	unsigned long long state;
	struct cpu_state *cs;
	int type;

	(void)cpu; /* the iterator's argument is not the record's CPU; rec->cpu is */
	cpu = rec->cpu;
	if (c->first) {
		c->eps->t_first_ns = rec->ts;
		c->first = false;
	}
	c->eps->t_last_ns = rec->ts;
	type = tep_data_type(tracecmd_get_tep(handle), rec);
	if (type != c->idle_id) {
		sk->other_events++;
		return 0;
	}
	if (cpu < 0 || cpu >= MAX_CPUS) {
		sk->bad_records++;
		return 0;
	}
	if (tep_get_field_val(NULL, c->idle_ev, "state", rec, &state, 0) < 0) {
		sk->bad_records++;
		return 0;
	}
	cs = &c->cpus[cpu];
	if (state != PWR_EVENT_EXIT) {
		if (cs->in_idle)
			sk->unpaired_enter++;
		cs->in_idle = true;
		cs->state = state;
		cs->enter_ns = rec->ts;
		return 0;
	}
	if (!cs->in_idle) {
		sk->unpaired_exit++;
		return 0;
	}
	cs->in_idle = false;
	if (cs->state == 0) {
		/* haltpoll's POLL state: the guest polled, it did not halt */
		sk->poll_states++;
		return 0;
	}
	{
		struct hp_episode ep = {
		    .halt_start_ns = cs->enter_ns,
		    .wake_ns = rec->ts,
		    .cpu = (uint32_t)cpu,
		    .source_cpu = -1,
		    .source = HP_SRC_UNKNOWN,
		};

		if (hp_episodes_push(c->eps, &ep, c->err) < 0) {
			c->failed = 1;
			return -1;
		}
	}
	return 0;
}

static int read_tracedat(const char *path, struct hp_episodes *eps, struct hp_err *err)
{
	struct tracecmd_input *h;
	struct tep_handle *tep;
	struct ctx c = {.eps = eps, .err = err, .first = true};
	int cpu;

	tracecmd_set_loglevel(TEP_LOG_NONE);
	h = tracecmd_open(path, 0);
	if (!h)
		return hp_errf(err, "%s: cannot open as trace.dat (truncated or corrupt file?)",
		               path);
	tep = tracecmd_get_tep(h);
	c.idle_ev = tep ? tep_find_event_by_name(tep, "power", "cpu_idle") : NULL;
	if (!c.idle_ev) {
		tracecmd_close(h);
		return hp_errf(err,
		               "%s: no power:cpu_idle events recorded; record the guest with "
		               "`trace-cmd record -e power:cpu_idle`",
		               path);
	}
	c.idle_id = c.idle_ev->id;
	c.cpus = calloc(MAX_CPUS, sizeof(*c.cpus));
	if (!c.cpus) {
		tracecmd_close(h);
		return hp_errf(err, "out of memory");
	}
	tracecmd_iterate_events(h, NULL, 0, on_record, &c);
	for (cpu = 0; cpu < MAX_CPUS; cpu++)
		if (c.cpus[cpu].in_idle)
			eps->skipped.unpaired_enter++;
	free(c.cpus);
	tracecmd_close(h);
	if (c.failed)
		return -1;
	if (eps->n == 0)
		return hp_errf(
		    err, "%s: no complete cpu_idle enter/exit pairs (no halts) in the capture",
		    path);
	snprintf(eps->assumption, sizeof(eps->assumption),
	         "guest capture: wake arrival = cpu_idle exit (includes the recording host's wake "
	         "path)");
	return 0;
}

const struct hp_trace_reader hp_reader_tracedat = {
    .name = "trace.dat",
    .probe = probe,
    .read = read_tracedat,
};
