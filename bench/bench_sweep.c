/*
 * bench_sweep: a 10,000-point sweep (host KVM: halt_poll_ns x grow x shrink x
 * grow_start) over the four bundled captures, run by `hpsim sweep` end to end
 * (validation, parsing, workers, journal, output files), against running
 * `hpsim replay` once per point and trace. Prints the figures; asserts nothing.
 *
 *   ./build/bench/bench_sweep [-j N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hpsim/sweep.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds (user + system) of the waited-for children so far. */
static double children_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat"};

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hpsim-bench-sweep-XXXXXX", cfg[256], cmd[1024];
	struct hp_sweep_config c;
	struct hp_episodes eps[4];
	struct hp_err err;
	uint64_t halts = 0, units;
	double t0, sweep_s, replay_s, cpu0, cpu_s;
	const char *jobs = argc > 2 && !strcmp(argv[1], "-j") ? argv[2] : NULL;
	size_t i;
	FILE *f;
	int k;

	if (!mkdtemp(dir))
		return 1;
	snprintf(cfg, sizeof(cfg), "%s/bench.json", dir);
	f = fopen(cfg, "w");
	if (!f)
		return 1;
	fprintf(f, "{\"traces\": [");
	for (i = 0; i < 4; i++)
		fprintf(f, "%s\"%s/traces/%s\"", i ? ", " : "", HPSIM_SOURCE_DIR, traces[i]);
	fprintf(f,
	        "],\n \"params\": {\"halt_poll_ns\": {\"from\": 2000, \"to\": 500000, \"step\": "
	        "2000},\n  \"halt_poll_ns_grow\": [2, 4], \"halt_poll_ns_shrink\": [0, 2],\n"
	        "  \"halt_poll_ns_grow_start\": {\"from\": 1000, \"to\": 10000, \"step\": 1000}},\n"
	        " \"oracle\": false}\n");
	fclose(f);
	if (hp_sweep_config_load(cfg, &c, &err) < 0 || hp_sweep_read_traces(&c, eps, &err) < 0) {
		fprintf(stderr, "bench_sweep: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < c.ntraces; i++)
		halts += eps[i].n;
	units = hp_sweep_nunits(&c);
	printf("grid: %llu points x %zu captures = %llu replays, %llu halts per point\n",
	       (unsigned long long)c.npoints, c.ntraces, (unsigned long long)units,
	       (unsigned long long)halts);

	snprintf(cmd, sizeof(cmd), "'%s' sweep %s -o %s/out --quiet %s%s >/dev/null", HPSIM_BINARY,
	         cfg, dir, jobs ? "-j " : "", jobs ? jobs : "");
	t0 = now_s();
	cpu0 = children_cpu_s();
	if (system(cmd) != 0) {
		fprintf(stderr, "bench_sweep: %s failed\n", cmd);
		return 1;
	}
	sweep_s = now_s() - t0;
	cpu_s = children_cpu_s() - cpu0;
	printf("hpsim sweep (%s jobs, %ld CPUs online): %.2f s\n", jobs ? jobs : "default",
	       sysconf(_SC_NPROCESSORS_ONLN), sweep_s);
	printf("  %.0f points/s, %.0f replays/s, %.2f M halt decisions/s\n",
	       (double)c.npoints / sweep_s, (double)units / sweep_s,
	       (double)halts * (double)c.npoints / sweep_s / 1e6);
	printf(
	    "  CPU time %.2f s (user + sys of all workers): %.2f M halt decisions per CPU-second;\n"
	    "  on %ld otherwise idle CPUs that is %.2f s of wall time (load average now: see "
	    "uptime)\n",
	    cpu_s, (double)halts * (double)c.npoints / cpu_s / 1e6, sysconf(_SC_NPROCESSORS_ONLN),
	    cpu_s / (double)sysconf(_SC_NPROCESSORS_ONLN));

	/* 20 `hpsim replay` runs, 5 per capture, at a mid-grid setting */
	t0 = now_s();
	for (k = 0; k < 20; k++) {
		snprintf(cmd, sizeof(cmd),
		         "'%s' replay %s/traces/%s --set halt_poll_ns=100000 >/dev/null",
		         HPSIM_BINARY, HPSIM_SOURCE_DIR, traces[k % 4]);
		if (system(cmd) != 0)
			return 1;
	}
	replay_s = (now_s() - t0) / 20;
	printf("hpsim replay, one invocation per capture: %.1f ms each (mean of 20)\n",
	       replay_s * 1e3);
	printf("  per replay: sweep %.3f ms, hpsim replay %.1f ms: %.0fx faster\n",
	       sweep_s / (double)units * 1e3, replay_s * 1e3, replay_s / (sweep_s / (double)units));
	printf("  per point (4 captures): sweep %.3f ms, 4 x hpsim replay %.1f ms: %.0fx faster\n",
	       sweep_s / (double)c.npoints * 1e3, 4 * replay_s * 1e3,
	       4 * replay_s / (sweep_s / (double)c.npoints));
	for (i = 0; i < c.ntraces; i++)
		hp_episodes_free(&eps[i]);
	hp_sweep_config_free(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) != 0;
}
