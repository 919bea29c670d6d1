/*
 * How cost grows: `hpsim replay` from the episode cache at 10^5, 10^6, 10^7
 * (and with --big 10^8) halts, each in a child process whose peak RSS
 * (ru_maxrss) and CPU time are taken from wait4(); and `hpsim sweep` at
 * 10^2 .. 10^4 (--big: 10^5) points over one bundled capture. A benchmark,
 * not a test: it prints figures and asserts only that each run replayed
 * every halt.
 *
 * The captures are synthetic: 8 vCPUs halting every 2 ms for 0.5 .. 1.5 ms,
 * woken by an IPI of the next vCPU or a timer. Their episodes are written
 * straight into the cache file (hpsim/cache.h's streaming writer, in
 * constant memory) keyed to a small episode CSV, as the reader would have
 * left it; the replay then finds the cache beside the CSV and streams it.
 *
 * usage: bench_scale [--big] [--dir DIR]   (DIR: scratch space, default /tmp;
 *        --big needs 3.2 GB there for the 10^8-halt cache)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"
#include "hpsim/cache.h"
#include "hpsim/cost.h"
#include "hpsim/trace.h"

#define NCPU      8
#define PERIOD_NS 2000000ull

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Episode i: step i / NCPU, vCPU i % NCPU; in stream order by construction. */
static void episode(uint64_t i, struct hp_episode *e)
{
	uint64_t step = i / NCPU, r = mix(i);
	uint32_t cpu = (uint32_t)(i % NCPU);

	memset(e, 0, sizeof(*e));
	e->cpu = cpu;
	e->halt_start_ns = 1000000 + step * PERIOD_NS + cpu * (PERIOD_NS / 16) + r % 1000;
	e->wake_ns = e->halt_start_ns + 500000 + (r >> 16) % 1000000;
	if (r & (1ull << 40)) {
		e->source = HP_SRC_IPI;
		e->source_cpu = (int32_t)((cpu + 1) % NCPU);
	} else {
		e->source = HP_SRC_TIMER;
		e->source_cpu = -1;
	}
}

/*
 * A placeholder capture at csv and the cache of n synthetic episodes beside
 * it, keyed for a replay with arch's cost model (its host wake-up and HLT exit
 * costs are reading options of host captures, so part of the key); 0 or -1.
 */
static int make_capture(const char *csv, uint64_t n, enum hp_arch arch)
{
	static struct hp_episode blk[8192];
	struct hp_read_opts o;
	struct hp_cost cost;
	struct hp_cache_writer w;
	struct hp_cache_key key;
	struct hp_episodes meta;
	struct hp_episode last;
	char cache[4200];
	struct hp_err err;
	uint64_t i = 0;
	FILE *f = fopen(csv, "w");

	if (!f)
		return -1;
	fprintf(f, "cpu,halt_start_ns,wake_ns\n0,1000,2000\n");
	if (fclose(f) != 0)
		return -1;
	hp_read_opts_init(&o);
	hp_cost_defaults(&cost, arch);
	o.host_wakeup_ns = cost.host_wakeup_ns;
	o.hlt_exit_ns = cost.hlt_exit_ns;
	if (hp_trace_cache_key(csv, &o, &key, &err) < 0 ||
	    hp_cache_path_in_dir(csv, NULL, cache, sizeof(cache), &err) < 0 ||
	    hp_cache_writer_open(&w, cache, &key, &err) < 0)
		return -1;
	while (i < n) {
		size_t k;

		for (k = 0; k < 8192 && i < n; k++, i++)
			episode(i, &blk[k]);
		if (hp_cache_writer_add(&w, blk, k, &err) < 0) {
			fprintf(stderr, "bench_scale: %s\n", err.msg);
			return -1;
		}
	}
	memset(&meta, 0, sizeof(meta));
	episode(n - 1, &last);
	meta.ncpu = n < NCPU ? (uint32_t)n : NCPU;
	meta.t_first_ns = 1000000;
	meta.t_last_ns = last.wake_ns + PERIOD_NS;
	meta.format = hp_reader_csv.name;
	snprintf(meta.assumption, sizeof(meta.assumption), "synthetic (bench_scale)");
	if (hp_cache_writer_commit(&w, &meta, &err) < 0) {
		fprintf(stderr, "bench_scale: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Does the JSON report at path count n halts in total? */
static int replayed_all(const char *path, uint64_t n)
{
	char want[64], line[512];
	int found = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "\"halts\": %llu", (unsigned long long)n);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, want) != NULL;
	fclose(f);
	return found;
}

static int replay_scale(const char *dir, int big)
{
	static const char *const stacks[][8] = {
	    {"--host", "kvm", NULL},
	    {"--guest", "haltpoll", "--host", "kvm", "--mode", "closed", NULL},
	    {"--vcore", "vcore", "--arch", "ppc", "--vcore-size", "2", NULL},
	};
	static const char *const names[] = {"host kvm", "guest haltpoll + host kvm, closed",
	                                    "vcore (ppc), size 2"};
	static const enum hp_arch arches[] = {HP_ARCH_X86, HP_ARCH_X86, HP_ARCH_PPC};
	uint64_t n;
	size_t s;

	printf("hpsim replay from the episode cache (child process; CPU = user + sys, RSS = "
	       "ru_maxrss)\n");
	printf("%-12s %-36s %9s %9s %10s %11s\n", "halts", "stack", "wall s", "CPU s", "RSS MB",
	       "M halts/s");
	for (n = 100000; n <= (big ? 100000000ull : 10000000ull); n *= 10) {
		char csv[4200], cache[4300], out[4200];

		snprintf(csv, sizeof(csv), "%s/scale-%llu.csv", dir, (unsigned long long)n);
		snprintf(cache, sizeof(cache), "%s.hpep", csv);
		snprintf(out, sizeof(out), "%s/scale.json", dir);
		for (s = 0; s < sizeof(names) / sizeof(names[0]); s++) {
			char *argv[16];
			double wall, cpu, rss;
			int a = 0, k;

			if ((s == 0 || arches[s] != arches[s - 1]) &&
			    make_capture(csv, n, arches[s]) < 0) {
				fprintf(stderr,
				        "bench_scale: cannot write the %llu-halt capture in %s\n",
				        (unsigned long long)n, dir);
				return -1;
			}

			argv[a++] = (char *)HPSIM_BINARY;
			argv[a++] = (char *)"replay";
			argv[a++] = csv;
			for (k = 0; stacks[s][k]; k++)
				argv[a++] = (char *)stacks[s][k];
			argv[a++] = (char *)"--format";
			argv[a++] = (char *)"json";
			argv[a] = NULL;
			if (bench_measure(argv, out, &wall, &cpu, &rss) < 0 ||
			    !replayed_all(out, n)) {
				fprintf(stderr, "bench_scale: replay of %llu halts (%s) failed\n",
				        (unsigned long long)n, names[s]);
				return -1;
			}
			printf("%-12llu %-36s %9.2f %9.2f %10.1f %11.2f\n", (unsigned long long)n,
			       names[s], wall, cpu, rss, (double)n / cpu / 1e6);
			fflush(stdout);
		}
		unlink(csv);
		unlink(cache);
		unlink(out);
	}
	return 0;
}

static int sweep_scale(const char *dir, int big)
{
	uint64_t points;

	printf("\nhpsim sweep over %s/traces/pingpong.dat (children: CPU = user + sys of all "
	       "workers, RSS = the largest one's ru_maxrss)\n",
	       HPSIM_SOURCE_DIR);
	printf("%-10s %9s %9s %10s %12s\n", "points", "wall s", "CPU s", "RSS MB", "ms/point");
	for (points = 100; points <= (big ? 100000ull : 10000ull); points *= 10) {
		char cfg[4200], outdir[4200], log[4200];
		char *argv[] = {(char *)HPSIM_BINARY,
		                (char *)"sweep",
		                cfg,
		                (char *)"-o",
		                outdir,
		                (char *)"--quiet",
		                NULL};
		double wall, cpu, rss;
		FILE *f;

		snprintf(cfg, sizeof(cfg), "%s/scale-sweep.json", dir);
		snprintf(outdir, sizeof(outdir), "%s/scale-sweep-%llu", dir,
		         (unsigned long long)points);
		snprintf(log, sizeof(log), "%s/scale-sweep.log", dir);
		f = fopen(cfg, "w");
		if (!f)
			return -1;
		/* halt_poll_ns over `points` values: one parameter, one capture */
		fprintf(
		    f,
		    "{\"traces\": [\"%s/traces/pingpong.dat\"],\n \"params\": {\"halt_poll_ns\": "
		    "{\"from\": 10, \"to\": %llu, \"step\": 10}},\n \"oracle\": false}\n",
		    HPSIM_SOURCE_DIR, (unsigned long long)points * 10);
		fclose(f);
		if (bench_measure(argv, log, &wall, &cpu, &rss) < 0) {
			fprintf(stderr, "bench_scale: sweep of %llu points failed\n",
			        (unsigned long long)points);
			return -1;
		}
		printf("%-10llu %9.2f %9.2f %10.1f %12.3f\n", (unsigned long long)points, wall, cpu,
		       rss, wall / (double)points * 1e3);
		fflush(stdout);
		{
			char cmd[8600];

			snprintf(cmd, sizeof(cmd), "rm -rf '%s'", outdir);
			if (system(cmd) != 0)
				return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = "/tmp";
	char dir[4096];
	int big = 0, i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--big")) {
			big = 1;
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			base = argv[++i];
		} else {
			fprintf(stderr, "usage: bench_scale [--big] [--dir DIR]\n");
			return 2;
		}
	}
	snprintf(dir, sizeof(dir), "%s/hpsim-bench-scale-XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror(dir);
		return 1;
	}
	printf("%ld CPUs online; figures from one run each\n", sysconf(_SC_NPROCESSORS_ONLN));
	rc = replay_scale(dir, big) < 0 || sweep_scale(dir, big) < 0;
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		rc |= system(cmd) != 0;
	}
	return rc;
}
