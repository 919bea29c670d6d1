/* The Pareto front of (CPU, latency) points, minimizing both: one rule for sweeps and plots. */
#ifndef HPSIM_PARETO_H
#define HPSIM_PARETO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Mark the non-dominated points (cpu[k], lat[k]), k < n, minimizing both:
 * front[k] = 1 when no other point is as good on both and better on one
 * (points equal on both are all on the front, or all off it). 0, or -1 out
 * of memory (front all 0).
 */
int hp_pareto_front(const double *cpu, const double *lat, size_t n, uint8_t *front);

#endif
