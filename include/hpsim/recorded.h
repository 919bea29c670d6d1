/*
 * What was in force while a guest-only capture was recorded, and the
 * correction it allows: a guest capture's wake times are the guest's idle
 * exits, so a halt that slept on the recording host carries that host's wake
 * path (thread wakeup, VM entry, guest interrupt entry), which a replay would
 * add again. See docs/capturing.md for how far the estimate can be trusted.
 */
#ifndef HPSIM_RECORDED_H
#define HPSIM_RECORDED_H

#include <stdint.h>

#include "hpsim/cost.h"
#include "hpsim/episode.h"
#include "hpsim/err.h"

#define HP_RECORDED_MAX 32

/* The recording host's policies and parameters (kernel names, as sysfs prints them). */
struct hp_recorded {
	int guest_haltpoll; /* the guest idled through cpuidle-haltpoll */
	size_t n;
	struct {
		char name[64];
		char value[32];
	} set[HP_RECORDED_MAX];
	char source[256]; /* where the settings came from, for the wakeups: line */
};

/* What hp_recorded_correct() did. */
struct hp_recorded_stats {
	uint64_t slept;      /* halts that slept on the modelled recording host: corrected */
	uint64_t polled;     /* halts that did not: kept as recorded */
	uint64_t removed_ns; /* the wake path removed from each slept halt */
	uint64_t clamped;    /* slept halts shorter than the path: wake set to the halt start */
};

/*
 * Add arg to r: a settings sidecar written by `hpsim record` (a path to an
 * existing file), or NAME=VALUE[,NAME=VALUE...] with the module parameters'
 * names (halt_poll_ns, guest_halt_poll_ns, ...). 0, or -1 with err naming the
 * file, key or item.
 */
int hp_recorded_add(struct hp_recorded *r, const char *arg, struct hp_err *err);

/*
 * Replay eps (a guest capture) through the recording host as r describes it
 * (kvm with r's parameters, cpuidle-haltpoll in the guest if r says so, the
 * cost model c) and move the wake time of each halt that slept there earlier
 * by host_wakeup_ns + vm_entry_ns + guest_wakeup_ns. Sets eps->assumption.
 * Changes the policies' module-parameter globals: configure the replay after.
 * 0, or -1 with err (not a guest capture, a bad setting).
 */
int hp_recorded_correct(struct hp_episodes *eps, const struct hp_recorded *r,
                        const struct hp_cost *c, struct hp_recorded_stats *st, struct hp_err *err);

#endif
