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

struct json_t; /* jansson's value */

enum hp_arch { HP_ARCH_X86 = 0, HP_ARCH_ARM64, HP_ARCH_S390, HP_ARCH_PPC, HP_ARCH_COUNT };

/* How many quantile points an empirical cost distribution may have. */
#define HP_COST_MAX_POINTS 128

/* The number of cost-model fields (struct hp_cost's values). */
#define HP_COST_NFIELDS 6

enum hp_cost_kind { HP_COST_CONST = 0, HP_COST_QUANTILES, HP_COST_LOGNORMAL };

/*
 * A cost-model value that varies from halt to halt. Quantiles: the inverse
 * CDF through n points (p[0] = 0 < ... < p[n-1] = 1, ns non-decreasing),
 * linear between them. Log-normal: by its median and 99th percentile.
 */
struct hp_cost_dist {
	enum hp_cost_kind kind;
	uint32_t n;       /* quantile points */
	uint64_t samples; /* quantiles: the calibration's sample count (0: not given) */
	double median_ns, p99_ns; /* log-normal, as given */
	double mu, sigma;         /* log-normal: of ln(ns) */
	double p[HP_COST_MAX_POINTS];
	double ns[HP_COST_MAX_POINTS];
};

/*
 * The six values are what a halt pays. A field whose bit is set in varying
 * is drawn per halt from dist[] (hp_cost_draw()); its value here is then the
 * distribution's median, for display.
 */
struct hp_cost {
	uint64_t hlt_exit_ns;     /* guest HLT/WFI to the host halt handler (VM exit) */
	uint64_t vm_entry_ns;     /* host handler back to guest execution (VM entry) */
	uint64_t poll_detect_ns;  /* a polling loop notices a wakeup this long after it arrives */
	uint64_t host_wakeup_ns;  /* a sleeping vCPU thread runs again this long after the wakeup
	                             arrives (IPI + try_to_wake_up + context switch) */
	uint64_t guest_relax_ns;  /* one cpu_relax()+need_resched() iteration of guest poll_idle */
	uint64_t guest_wakeup_ns; /* a halted guest CPU resumes its task after the interrupt
	                             reaches it (interrupt entry + guest scheduler) */
	uint32_t varying; /* bit i: field i (in hp_cost_fields() order) is a distribution */
	uint64_t seed;    /* the draws' seed (hp_cost_draw()) */
	struct hp_cost_dist dist[HP_COST_NFIELDS];
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

/*
 * Set one field by name from text: a decimal integer (a constant),
 * "lognormal:MEDIAN:P99" or "quantiles:P:NS,P:NS,..." (ns); 0, or -1 with
 * err naming the field.
 */
int hp_cost_set(struct hp_cost *c, const char *name, const char *value, struct hp_err *err);

/* Read field f of c (a distribution's median). */
uint64_t hp_cost_get(const struct hp_cost *c, const struct hp_cost_field *f);

/* The index of field f in hp_cost_fields() (its bit in varying). */
size_t hp_cost_index(const struct hp_cost_field *f);

/*
 * Make field i a log-normal distribution by median and p99 (p99 >= median >
 * 0, both at most HP_COST_MAX_NS); 0, or -1 with err naming the field.
 */
int hp_cost_set_lognormal(struct hp_cost *c, size_t i, double median_ns, double p99_ns,
                          struct hp_err *err);

/*
 * Make field i an empirical distribution from n (P, NS) points; 0, or -1
 * with err naming the field and what is wrong with the points.
 */
int hp_cost_set_quantiles(struct hp_cost *c, size_t i, const double *p, const double *ns,
                          size_t n, uint64_t samples, struct hp_err *err);

/* The value of distribution d at probability u in [0, 1), ns. */
uint64_t hp_cost_dist_value(const struct hp_cost_dist *d, double u);

/*
 * Draw the varying fields of model into out (whose other fields are left
 * alone) for one halt: each draw depends only on (model->seed, cpu, halt,
 * field), so a replay gives the same costs in any order.
 */
void hp_cost_draw(const struct hp_cost *model, struct hp_cost *out, uint32_t cpu, uint64_t halt);

/*
 * hp_cost_draw() for the many halts of one replay, the same draws faster: a
 * log-normal field remembers, per 1/65536 of the probability range, the one
 * value all of that range's draws round to, where there is one.
 */
struct hp_cost_sampler {
	const struct hp_cost *model;
	uint64_t seed;                    /* the seed's part of every draw */
	uint64_t cpu_part;                /* ... and with the CPU's, for cpu ... */
	uint32_t cpu;                     /* ... the last CPU drawn for */
	int cpu_valid;                    /* cpu_part is set */
	size_t offset[HP_COST_NFIELDS];   /* where field i goes in struct hp_cost */
	uint32_t *slice[HP_COST_NFIELDS]; /* log-normal fields: the remembered slices */
};

/* Prepare s to draw model's varying fields (model must outlive s); 0, or -1 (out of memory). */
int hp_cost_sampler_init(struct hp_cost_sampler *s, const struct hp_cost *model,
                         struct hp_err *err);

/* hp_cost_draw(s->model, out, cpu, halt), value for value. */
void hp_cost_sampler_draw(struct hp_cost_sampler *s, struct hp_cost *out, uint32_t cpu,
                          uint64_t halt);

/* Free what hp_cost_sampler_init() allocated. */
void hp_cost_sampler_free(struct hp_cost_sampler *s);

/* Field i as hp_cost_set() reads it, exactly (malloc'd; NULL when out of memory). */
char *hp_cost_text(const struct hp_cost *c, size_t i);

/* A one-line description of field i ("lognormal median 5000 p99 20000"), into buf. */
const char *hp_cost_describe(const struct hp_cost *c, size_t i, char *buf, size_t size);

/*
 * Set fields from a JSON file: one object of NAME: VALUE, VALUE an integer
 * ns (a constant), {"quantiles": [[P, NS], ...], "samples": N} or
 * {"lognormal": {"median": NS, "p99": NS}}; an unknown name or another kind
 * of value is an error naming the key. Fields the file does not name keep
 * their value. 0 or -1 with err.
 */
int hp_cost_load_json(struct hp_cost *c, const char *path, struct hp_err *err);

/*
 * Set field i from a cost file's JSON value (an integer or a distribution
 * object); where names it in errors. 0, or -1 with err.
 */
int hp_cost_set_json(struct hp_cost *c, size_t i, struct json_t *val, const char *where,
                     struct hp_err *err);

/* Field i of c as the cost file writes it (an integer or a distribution object), a new reference. */
struct json_t *hp_cost_value_json(const struct hp_cost *c, size_t i);

/* Write c as such a JSON object (every field, in order, distributions as such); 0 or -1 with err. */
int hp_cost_write_json(FILE *f, const struct hp_cost *c, struct hp_err *err);

/* Parse an architecture name (x86, arm64, s390, ppc); returns the arch or -1 with err. */
int hp_arch_parse(const char *name, struct hp_err *err);

/* The architecture's name. */
const char *hp_arch_name(enum hp_arch arch);

#endif
