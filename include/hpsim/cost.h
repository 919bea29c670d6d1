/*
 * The cost model: everything that is not policy code, as named parameters
 * with a unit and a per-architecture default. All values are nanoseconds.
 */
#ifndef HPSIM_COST_H
#define HPSIM_COST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hpsim/err.h"

enum hp_arch { HP_ARCH_X86 = 0, HP_ARCH_ARM64, HP_ARCH_S390, HP_ARCH_PPC, HP_ARCH_COUNT };

struct hp_cost {
	uint64_t hlt_exit_ns;     /* guest HLT/WFI to the host halt handler (VM exit) */
	uint64_t vm_entry_ns;     /* host handler back to guest execution (VM entry) */
	uint64_t poll_detect_ns;  /* a polling loop notices a wakeup this long after it arrives */
	uint64_t host_wakeup_ns;  /* a sleeping vCPU thread runs again this long after the wakeup
	                             arrives (IPI + try_to_wake_up + context switch) */
	uint64_t guest_relax_ns;  /* one cpu_relax()+need_resched() iteration of guest poll_idle */
	uint64_t guest_wakeup_ns; /* a halted guest CPU resumes its task after the interrupt
	                             reaches it (interrupt entry + guest scheduler) */
};

/*
 * The largest cost-model value, ns (one second): far beyond any machine's
 * transition, and small enough that the engine's sums of times, costs and
 * latencies stay far inside 64 bits.
 */
#define HP_COST_MAX_NS 1000000000ull

/* One named cost-model field, for listing, JSON and --cost files. */
struct hp_cost_field {
	const char *name;
	size_t offset; /* into struct hp_cost */
	const char *desc;
};

/* The documented fields, in order; *n receives the count. */
const struct hp_cost_field *hp_cost_fields(size_t *n);

/* Fill c with the defaults for arch. */
void hp_cost_defaults(struct hp_cost *c, enum hp_arch arch);

/* Set one field by name from a decimal string; 0, or -1 with err naming the field. */
int hp_cost_set(struct hp_cost *c, const char *name, const char *value, struct hp_err *err);

/* Read field f of c. */
uint64_t hp_cost_get(const struct hp_cost *c, const struct hp_cost_field *f);

/*
 * Set fields from a JSON file: one object of NAME: NS (non-negative
 * integers); an unknown name or another kind of value is an error naming the
 * key. Fields the file does not name keep their value. 0 or -1 with err.
 */
int hp_cost_load_json(struct hp_cost *c, const char *path, struct hp_err *err);

/* Write c as such a JSON object (every field, in order); 0 or -1 with err. */
int hp_cost_write_json(FILE *f, const struct hp_cost *c, struct hp_err *err);

/* Parse an architecture name (x86, arm64, s390, ppc); returns the arch or -1 with err. */
int hp_arch_parse(const char *name, struct hp_err *err);

/* The architecture's name. */
const char *hp_arch_name(enum hp_arch arch);

#endif
