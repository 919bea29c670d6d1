/* A child's run measured from wait4(): wall time, CPU time, peak RSS (measure.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "measure.h"

double bench_wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int bench_measure(char *const argv[], const char *out, double *wall, double *cpu, double *rss_mb)
{
	struct rusage ru;
	double t0;
	int status;
	pid_t pid;

	fflush(stdout); /* not printed again by the child */
	t0 = bench_wall_s();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (!freopen(out, "w", stdout))
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return -1;
	*wall = bench_wall_s() - t0;
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	*rss_mb = (double)ru.ru_maxrss / 1024.0;
	return 0;
}
