/*
 * Ingest speed. A benchmark, not a test: it prints figures and asserts nothing.
 *
 *  1. trace.dat: hpsim's reader (hp_trace_read_opts, cache off) against `trace-cmd report
 *     FILE > /dev/null` on the same file, both timed as wall time and as CPU time (user +
 *     sys of the child processes: the reader runs in one), best of 3.
 *     The file is the largest bundled capture, or --dat FILE, or with
 *     --record a fresh pipe ping-pong capture made with `hpsim record --mode guest`
 *     (root and tracefs needed; it uses the machine's global tracefs).
 *  2. report text: the `trace-cmd report -t` text of every bundled capture,
 *     each copy shifted later in time so the whole stays sorted, repeated
 *     to at least 64 MB in a temp dir; prints MB/s of hp_trace_read on it.
 *
 * usage: bench_ingest [SOURCE_DIR] [--dat FILE] [--record ROUND_TRIPS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hpsim/trace.h"

static const char *const names[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                    "idle-5s.dat"};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + sys) the waited-for children have used so far. */
static double child_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static long long file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

/* Best wall time of 3 reads (parsing, never the episode cache), and in *cpu the best CPU
 * time of its reader processes (0 for a format read in this process); -1 on a read error. */
static double time_read(const char *path, size_t *halts, double *cpu)
{
	struct hp_read_opts opts;
	double best = 1e30;
	int k;

	hp_read_opts_init(&opts);
	opts.use_cache = 0;
	*cpu = 1e30;
	for (k = 0; k < 3; k++) {
		struct hp_episodes eps;
		struct hp_err err;
		double t0 = now(), c0 = child_cpu(), dt;

		if (hp_trace_read_opts(path, &opts, &eps, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
		dt = now() - t0;
		if (child_cpu() - c0 < *cpu)
			*cpu = child_cpu() - c0;
		*halts = eps.n;
		hp_episodes_free(&eps);
		if (dt < best)
			best = dt;
	}
	return best;
}

static double time_cmd(const char *cmd, double *cpu)
{
	double best = 1e30;
	int k;

	*cpu = 1e30;
	for (k = 0; k < 3; k++) {
		double t0 = now(), c0 = child_cpu(), dt;

		if (system(cmd) != 0)
			return -1;
		dt = now() - t0;
		if (child_cpu() - c0 < *cpu)
			*cpu = child_cpu() - c0;
		if (dt < best)
			best = dt;
	}
	return best;
}

/* Append the -t text of src to out with every timestamp moved later by shift_s seconds. */
static int append_shifted(const char *txt, FILE *out, unsigned long long shift_s, int header)
{
	FILE *in = fopen(txt, "r");
	char line[4096];

	if (!in)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		char *br = strstr(line, "] "), *end;
		unsigned long long sec;

		if (!strncmp(line, "cpus=", 5)) {
			if (header)
				fputs(line, out);
			continue;
		}
		if (!br) {
			fputs(line, out);
			continue;
		}
		br += 2;
		while (*br == ' ')
			br++;
		sec = strtoull(br, &end, 10);
		if (*end != '.') {
			fputs(line, out);
			continue;
		}
		fprintf(out, "%.*s%5llu%s", (int)(br - line), line, sec + shift_s, end);
	}
	fclose(in);
	return 0;
}

int main(int argc, char **argv)
{
	const char *src = argc > 1 && argv[1][0] != '-' ? argv[1] : ".";
	char tmp[] = "/tmp/hpsim-bench-ingest-XXXXXX", dat[1200], cmd[4096], txt[1200];
	unsigned long long shift = 0;
	const char *given = NULL;
	long record = 0;
	double t_hp, t_tc, c_hp, c_tc;
	size_t halts = 0;
	long long sz = 0, best = -1;
	int i, k, rep;
	FILE *out;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dat") && i + 1 < argc)
			given = argv[++i];
		else if (!strcmp(argv[i], "--record") && i + 1 < argc)
			record = atol(argv[++i]);
	}
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}

	/* 1. trace.dat against trace-cmd report */
	if (given) {
		snprintf(dat, sizeof(dat), "%s", given);
	} else if (record > 0) {
		/* a real guest capture of a pipe ping-pong between two shells, RECORD round trips
		 */
		snprintf(
		    cmd, sizeof(cmd),
		    "'%s' record --mode guest --buffer-kb 262144 -o %s/rec.dat -- sh -c "
		    "'i=0; while [ $i -lt %ld ]; do echo x | cat >/dev/null; i=$((i+1)); done' "
		    ">/dev/null 2>&1; test -s %s/rec.dat",
		    HPSIM_BINARY, tmp, record, tmp);
		if (system(cmd) != 0) {
			fprintf(stderr, "recording failed: %s\n", cmd);
			return 1;
		}
		snprintf(dat, sizeof(dat), "%s/rec.dat", tmp);
	} else {
		for (k = 0; k < 4; k++) {
			char p[1200];

			snprintf(p, sizeof(p), "%s/traces/%s", src, names[k]);
			if (file_size(p) > best) {
				best = file_size(p);
				snprintf(dat, sizeof(dat), "%s", p);
			}
		}
	}
	t_hp = time_read(dat, &halts, &c_hp);
	snprintf(cmd, sizeof(cmd), "trace-cmd report '%s' > /dev/null 2>&1", dat);
	t_tc = time_cmd(cmd, &c_tc);
	if (t_hp < 0 || t_tc < 0)
		return 1;
	printf("trace.dat %s: %.1f MB, %zu halts\n", dat, (double)file_size(dat) / 1e6, halts);
	printf("                            wall s     CPU s\n");
	printf("  hpsim ingest            %8.3f  %8.3f\n", t_hp, c_hp);
	printf("  trace-cmd report >null  %8.3f  %8.3f\n", t_tc, c_tc);
	printf("  ratio                   %8.2fx %8.2fx faster\n", t_tc / t_hp, c_tc / c_hp);

	/* 2. report text, tiled to >= 64 MB */
	snprintf(txt, sizeof(txt), "%s/tiled.txt", tmp);
	out = fopen(txt, "w");
	if (!out)
		return 1;
	for (k = 0; k < 4; k++) {
		snprintf(cmd, sizeof(cmd),
		         "trace-cmd report -t '%s/traces/%s' > %s/%d.txt 2>/dev/null", src,
		         names[k], tmp, k);
		if (system(cmd) != 0)
			return 1;
	}
	for (rep = 0; sz < 64000000; rep++) {
		for (k = 0; k < 4; k++) {
			char p[1300];

			snprintf(p, sizeof(p), "%s/%d.txt", tmp, k);
			if (append_shifted(p, out, shift, rep == 0 && k == 0) < 0)
				return 1;
			shift += 1000;
		}
		fflush(out);
		sz = file_size(txt);
	}
	fclose(out);
	t_hp = time_read(txt, &halts, &c_hp);
	if (t_hp < 0)
		return 1;
	printf("report text (trace-cmd report -t of the 4 captures, tiled): %.1f MB, %zu halts\n",
	       (double)sz / 1e6, halts);
	printf("  hpsim ingest            %8.3f s\n", t_hp);
	printf("  throughput              %8.1f MB/s (target >= 200 MB/s)\n",
	       (double)sz / 1e6 / t_hp);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : 1;
}
