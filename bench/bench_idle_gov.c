/*
 * Host cpuidle governors: the cost of one idle period's decision (select
 * plus reflect) for each governor on the skx table, over a seeded stream of
 * idle periods (timer 1 us .. 100 ms away, wakeups before it). Prints ns per
 * period, best of 3. A benchmark: it prints figures and asserts nothing.
 *
 * usage: bench_idle_gov [PERIODS]   (default 2000000)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "hpsim/idle.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char *const names[] = {"menu", "teo", "ladder", "menu@kernel", "teo@kernel"};
	unsigned long periods = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	struct hp_idle_table t;
	struct hp_err err;
	size_t g;

	if (hp_idle_table_builtin("skx", &t, &err))
		return 1;
	for (g = 0; g < sizeof(names) / sizeof(names[0]); g++) {
		const struct hp_idle_gov_ops *ops = hp_idle_gov_find(names[g]);
		double best = 0;
		int rep;

		if (!ops)
			continue; /* the @kernel ones need -DHPSIM_KERNEL_SRC */
		for (rep = 0; rep < 3; rep++) {
			struct hp_idle_gov *gov = ops->create(&t, 6, 1, &err);
			uint64_t rng = 88172645463325252ull, clock_ns = 0, sink = 0;
			unsigned long k;
			double t0, dt;

			if (!gov) {
				fprintf(stderr, "%s: %s\n", names[g], err.msg);
				return 1;
			}
			t0 = now();
			for (k = 0; k < periods; k++) {
				struct hp_idle_ctx c = {.now_ns = clock_ns,
				                        .latency_req_ns = UINT64_MAX};
				uint64_t measured;
				bool stop;
				int idx;

				rng ^= rng << 13;
				rng ^= rng >> 7;
				rng ^= rng << 17;
				c.sleep_length_ns = 1000 + rng % 100000000;
				measured = (rng >> 20) % c.sleep_length_ns;
				idx = ops->select(gov, &c, &stop);
				ops->reflect(gov, idx, measured);
				sink += (uint64_t)idx;
				clock_ns += measured + 1000;
			}
			dt = now() - t0;
			if (rep == 0 || dt < best)
				best = dt;
			ops->destroy(gov);
			if (sink == UINT64_MAX)
				printf("(unreachable)\n");
		}
		printf("%-12s %8.1f ns per idle period (%lu periods, best of 3)\n", names[g],
		       best * 1e9 / (double)periods, periods);
	}
	return 0;
}
