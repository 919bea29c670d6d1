/* What the benchmarks that run hpsim as a child share: wall time and a child's measured run. */
#ifndef HPSIM_BENCH_MEASURE_H
#define HPSIM_BENCH_MEASURE_H

/* Seconds on the monotonic clock. */
double bench_wall_s(void);

/* Run argv in a child with its stdout to the file out; its wall and CPU (user + sys) seconds and
 * peak RSS in MB; 0, or -1 if it could not run or did not exit 0. */
int bench_measure(char *const argv[], const char *out, double *wall, double *cpu, double *rss_mb);

#endif
