/*
 * The discrete-event engine's event queue: a binary min-heap of fixed
 * capacity, ordered by time, then kind, then the vCPU or vcore it concerns,
 * so that simultaneous events run in a fixed order. Internal to src/engine/.
 */
#ifndef HPSIM_ENGINE_EVQ_H
#define HPSIM_ENGINE_EVQ_H

#include <stddef.h>
#include <stdint.h>

/* Kinds in the order simultaneous events are handled. */
enum hp_ev_kind {
	HP_EV_WAKE = 0,  /* a ceded vCPU's wakeup arrives */
	HP_EV_BLOCK_END, /* a vcore's block ends: the host hands the core back */
	HP_EV_CEDE,      /* a vCPU's halt reaches the host (after the HLT/H_CEDE exit) */
};

struct hp_ev {
	uint64_t t;
	uint32_t kind; /* enum hp_ev_kind */
	uint32_t id;   /* vCPU (WAKE, CEDE) or vcore (BLOCK_END) index */
};

struct hp_evq {
	struct hp_ev *h;
	size_t n, cap;
};

/* Allocate a queue for at most cap pending events; 0, or -1 when out of memory. */
int hp_evq_init(struct hp_evq *q, size_t cap);

/* Free the queue's storage. */
void hp_evq_free(struct hp_evq *q);

/* Add an event; 0, or -1 when the queue is full. */
int hp_evq_push(struct hp_evq *q, struct hp_ev ev);

/* Remove the earliest event into *ev; 0, or -1 when the queue is empty. */
int hp_evq_pop(struct hp_evq *q, struct hp_ev *ev);

#endif
