/*
 * Host CPU idle states and the host cpuidle governors (menu, teo, ladder)
 * that choose among them. A table lists the states as the kernel's
 * cpuidle driver does, state 0 being POLL; a governor instance holds one
 * CPU's governor data and is driven by select/reflect, as the cpuidle core
 * drives the kernel's governors.
 */
#ifndef HPSIM_IDLE_H
#define HPSIM_IDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hpsim/err.h"

#define HP_IDLE_MAX_STATES 10

/* One idle state, as a cpuidle driver describes it. */
struct hp_idle_state {
	char name[16];
	uint64_t exit_latency_ns;
	uint64_t target_residency_ns;
	double power_mw; /* valid when has_power */
	bool has_power;
	bool polling; /* state 0 POLL */
};

/* A host CPU's idle-state table (state 0 is POLL unless count is 0). */
struct hp_idle_table {
	char name[32];
	unsigned count;
	struct hp_idle_state state[HP_IDLE_MAX_STATES];
};

/* Look up a built-in table (skx, icx, spr, none); 0 or -1 with err. */
int hp_idle_table_builtin(const char *name, struct hp_idle_table *t, struct hp_err *err);
/* Read a table from JSON; 0 or -1 with err naming the field. */
int hp_idle_table_load(const char *path, struct hp_idle_table *t, struct hp_err *err);
/* Resolve --host-idle's argument: a built-in name or a file. */
int hp_idle_table_resolve(const char *arg, struct hp_idle_table *t, struct hp_err *err);
/* Write t as the JSON that hp_idle_table_load reads; 0 or -1 with err. */
int hp_idle_table_write_json(FILE *f, const struct hp_idle_table *t, struct hp_err *err);
/* Read /sys/devices/system/cpu/cpuN/cpuidle under root. */
int hp_idle_table_from_sysfs(const char *root, unsigned cpu, struct hp_idle_table *t,
                             struct hp_err *err);

/* What the governor sees when a host CPU goes idle. */
struct hp_idle_ctx {
	uint64_t now_ns;
	uint64_t sleep_length_ns; /* to the next timer event (tick_nohz_get_sleep_length) */
	uint64_t latency_req_ns;  /* PM QoS limit; UINT64_MAX: none */
	unsigned nr_iowait;
	bool tick_stopped;
};

/* A host cpuidle governor instance for one CPU; kernel-C underneath. */
struct hp_idle_gov;

struct hp_idle_gov_ops {
	const char *name; /* "menu", "teo", "ladder" */
	/* Create per-CPU state for table t (one state or more) and release (major, minor). */
	struct hp_idle_gov *(*create)(const struct hp_idle_table *t, unsigned major, unsigned minor,
	                              struct hp_err *err);
	/* Choose a state index for the idle period starting now; *stop_tick as the kernel's. */
	int (*select)(struct hp_idle_gov *g, const struct hp_idle_ctx *ctx, bool *stop_tick);
	/*
	 * The idle period ended after measured_ns in state idx (the kernel's
	 * reflect/update). A select not followed by reflect before the next
	 * select is a state never entered (a wakeup was already pending when
	 * the CPU was to enter it), as the kernel's call_cpuidle() refuses one.
	 */
	void (*reflect)(struct hp_idle_gov *g, int idx, uint64_t measured_ns);
	void (*destroy)(struct hp_idle_gov *g);
};

/* Find a governor by name (menu, teo, ladder, menu@kernel, teo@kernel); NULL if none. */
const struct hp_idle_gov_ops *hp_idle_gov_find(const char *name);
/* All governors, for listings; *n gets their number. */
const struct hp_idle_gov_ops *const *hp_idle_gov_list(size_t *n);
/*
 * The time limit of the polling state 0 for g's table (the kernel's
 * cpuidle_poll_time(): the first target residency of at least 10 us, at most
 * TICK_NSEC/16): a POLL period ends there and the governor runs again.
 * reflect() on POLL with measured_ns at or past it is a poll that timed out.
 */
uint64_t hp_idle_gov_poll_limit_ns(const struct hp_idle_gov *g);

#endif
