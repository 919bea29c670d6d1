/*
 * The report-text reader against the trace.dat reader on the real captures:
 * the installed `trace-cmd report` turns each trace.dat into text (with -t,
 * -R, -N and the default microsecond timestamps), and both readers must give
 * the same episodes, field by field, and the same skip counts. Microsecond
 * text is compared with the trace.dat times rounded to the microsecond, half
 * up, as libtraceevent prints them. Text is also rewritten into the other
 * shapes the reader accepts (trace_pipe flag columns, `system:` prefixes,
 * shuffled lines, no final newline, several files in one report).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"

#include "hpsim/trace.h"

static const char *const traces[] = {"pingpong.dat", "pingpong-think50.dat", "timer-1ms.dat",
                                     "idle-5s.dat",  "host-minivm.dat",      "drops-pingpong.dat"};
#define HOST    4 /* the host capture */
#define DROPS   5 /* a guest capture whose ring buffer overflowed */
#define NTRACES (sizeof(traces) / sizeof(traces[0]))

static char dir[] = "/tmp/hpsim-report-text-XXXXXX";
static struct hp_episodes dat[NTRACES];

static void trace_path(char *buf, size_t n, size_t t)
{
	snprintf(buf, n, "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
}

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (test_sh("%s", cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* `trace-cmd report OPTS` of capture t into dir/NAME. */
static void report(size_t t, const char *opts, const char *name)
{
	char path[512];

	trace_path(path, sizeof(path), t);
	sh("trace-cmd report %s '%s' > '%s/%s' 2>/dev/null", opts, path, dir, name);
}

static void read_ok(const char *name, struct hp_episodes *eps)
{
	struct hp_err err;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (hp_trace_read(path, eps, &err) < 0)
		fail_msg("%s", err.msg);
}

static int setup(void **unused)
{
	size_t t;

	(void)unused;
	if (!mkdtemp(dir))
		return -1;
	for (t = 0; t < NTRACES; t++) {
		struct hp_err err;
		char path[512];

		trace_path(path, sizeof(path), t);
		if (hp_trace_read(path, &dat[t], &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return -1;
		}
	}
	return 0;
}

static int teardown(void **unused)
{
	size_t t;
	char cmd[600];

	(void)unused;
	for (t = 0; t < NTRACES; t++)
		hp_episodes_free(&dat[t]);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static uint64_t us_round(uint64_t ns)
{
	return (ns + 500) / 1000 * 1000;
}

static void same_skips(const struct hp_skips *a, const struct hp_skips *b)
{
	assert_int_equal(a->unpaired_enter, b->unpaired_enter);
	assert_int_equal(a->unpaired_exit, b->unpaired_exit);
	assert_int_equal(a->poll_states, b->poll_states);
	assert_int_equal(a->other_events, b->other_events);
	assert_int_equal(a->bad_records, b->bad_records);
	assert_int_equal(a->dropped_events, b->dropped_events);
	assert_int_equal(a->drop_gaps, b->drop_gaps);
	assert_int_equal(a->cut_by_gap, b->cut_by_gap);
	assert_int_equal(a->overlapping, b->overlapping);
	assert_int_equal(a->poll_ns_changes, b->poll_ns_changes);
}

/* Text episodes equal the trace.dat ones (times rounded to us when us_text). */
static void same_episodes(const struct hp_episodes *d, const struct hp_episodes *x, int us_text,
                          uint32_t cpu_off, size_t from)
{
	size_t i;

	assert_true(x->n >= from + d->n);
	for (i = 0; i < d->n; i++) {
		const struct hp_episode *a = &d->ep[i], *b = &x->ep[from + i];
		uint64_t hs = us_text ? us_round(a->halt_start_ns) : a->halt_start_ns;
		uint64_t wk = us_text ? us_round(a->wake_ns) : a->wake_ns;

		if (b->halt_start_ns != hs || b->wake_ns != wk || b->cpu != a->cpu + cpu_off ||
		    b->source != a->source ||
		    b->source_cpu != (a->source_cpu < 0 ? -1 : a->source_cpu + (int32_t)cpu_off) ||
		    b->flags != a->flags)
			fail_msg(
			    "episode %zu: dat {%llu %llu cpu %u src %u/%d} text {%llu %llu cpu %u "
			    "src %u/%d}",
			    i, (unsigned long long)a->halt_start_ns, (unsigned long long)a->wake_ns,
			    a->cpu, a->source, a->source_cpu, (unsigned long long)b->halt_start_ns,
			    (unsigned long long)b->wake_ns, b->cpu, b->source, b->source_cpu);
	}
}

/* Every capture, `report -t`: identical episodes, skips and capture span. */
static void test_ns_text_equals_dat(void **unused)
{
	size_t t, srcs = 0;

	(void)unused;
	for (t = 0; t < NTRACES; t++) {
		struct hp_episodes x;
		size_t i;

		report(t, "-t", "t.txt");
		read_ok("t.txt", &x);
		assert_string_equal(x.format, "report-text");
		assert_int_equal(x.n, dat[t].n);
		same_episodes(&dat[t], &x, 0, 0, 0);
		same_skips(&dat[t].skipped, &x.skipped);
		assert_int_equal(x.t_first_ns, dat[t].t_first_ns);
		assert_int_equal(x.t_last_ns, dat[t].t_last_ns);
		for (i = 0; i < x.n; i++)
			srcs += x.ep[i].source != HP_SRC_UNKNOWN;
		hp_episodes_free(&x);
	}
	/* the overflowed capture's lost events come through libtracecmd and the text alike */
	assert_int_equal(dat[DROPS].skipped.drop_gaps, 2);
	assert_true(dat[DROPS].skipped.dropped_events > 0);
	/* the guest captures record IPIs, interrupts and timers: most halts have a source */
	assert_true(srcs > (dat[0].n + dat[1].n + dat[2].n + dat[3].n) / 2);
}

/*
 * The host capture: the same halts through -t, -R, -N and -l (whose 8-character
 * comm column cuts "CPU 0/KVM": the thread is known from its events' fields).
 */
static void test_host_capture_formats(void **unused)
{
	static const char *const opts[] = {"-t -R", "-t -N", "-t -l"};
	unsigned long long polled, woken, estimated;
	size_t k;

	(void)unused;
	/* the 1 kHz half of the capture sleeps past the 200 us poll window: woken by sched_wakeup
	 */
	assert_int_equal(sscanf(dat[HOST].assumption,
	                        "host capture: arrival = end of halt for %llu polled, sched_wakeup "
	                        "for %llu slept, resume - %*u ns (estimated) for %llu slept",
	                        &polled, &woken, &estimated),
	                 3);
	assert_int_equal(polled + woken + estimated, dat[HOST].n);
	assert_true(woken > dat[HOST].n / 2);
	for (k = 0; k < sizeof(opts) / sizeof(opts[0]); k++) {
		struct hp_episodes x;

		report(HOST, opts[k], "h.txt");
		read_ok("h.txt", &x);
		assert_int_equal(x.n, dat[HOST].n);
		same_episodes(&dat[HOST], &x, 0, 0, 0);
		same_skips(&dat[HOST].skipped, &x.skipped);
		assert_string_equal(x.assumption, dat[HOST].assumption);
		assert_int_equal(x.nbusy, dat[HOST].nbusy);
		hp_episodes_free(&x);
	}
}

/* -R (raw fields), -N (kernel formats), -l (latency columns), with ns and us timestamps. */
static void test_raw_and_kernel_formats(void **unused)
{
	static const struct {
		const char *opts;
		int us;
	} v[] = {{"-t -R", 0}, {"-t -N", 0}, {"-t -l", 0}, {"", 1}, {"-R", 1}, {"-N", 1}};
	size_t k, t = 1; /* pingpong-think50: IPIs, interrupts and timers */

	(void)unused;
	for (k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		struct hp_episodes x;

		report(t, v[k].opts, "v.txt");
		read_ok("v.txt", &x);
		assert_int_equal(x.n, dat[t].n);
		same_episodes(&dat[t], &x, v[k].us, 0, 0);
		same_skips(&dat[t].skipped, &x.skipped);
		hp_episodes_free(&x);
	}
}

/* trace_pipe shapes: 5- and 4-character flag columns, `power:` prefixes, the tracefs `trace`
 * file's '#' header, no final newline. */
static void test_trace_pipe_shapes(void **unused)
{
	static const char *const seds[] = {
	    "s/^(.{16}-[0-9]+ +\\[[0-9]+\\]) /\\1 d..2. /",
	    "s/^(.{16}-[0-9]+ +\\[[0-9]+\\]) /\\1 dNh2 /",
	    "s/ cpu_idle: / power:cpu_idle: /; s/ ipi_send_cpu: / ipi:ipi_send_cpu: /; "
	    "s/ irq_handler_entry: / irq:irq_handler_entry: /; "
	    "s/ hrtimer_expire_entry: / timer:hrtimer_expire_entry: /",
	    /* /sys/kernel/tracing/trace: '#' header lines instead of cpus= */
	    "1s/^cpus=.*/# tracer: nop\\n#\\n#           TASK-PID     CPU#  |||||  TIMESTAMP  "
	    "FUNCTION/; s/^(.{16}-[0-9]+ +\\[[0-9]+\\]) /\\1 ..... /",
	    /* the kernel's record-tgid option: a TGID column before the CPU, dashes if unknown */
	    "s/^(.{16}-[0-9]+ +)(\\[[0-9]+\\]) /\\1(   4242) \\2 d..2. /",
	    "s/^(.{16}-[0-9]+ +)(\\[[0-9]+\\]) /\\1(-------) \\2 d..2. /",
	};
	size_t k, t = 2;

	(void)unused;
	report(t, "-t", "p.txt");
	for (k = 0; k < sizeof(seds) / sizeof(seds[0]); k++) {
		struct hp_episodes x;

		sh("sed -E '%s' '%s/p.txt' | head -c -1 > '%s/q.txt'", seds[k], dir, dir);
		read_ok("q.txt", &x);
		assert_int_equal(x.n, dat[t].n);
		same_episodes(&dat[t], &x, 0, 0, 0);
		hp_episodes_free(&x);
	}
}

/* Lines in any order are sorted on read: the same episodes. */
static void test_unsorted_input(void **unused)
{
	struct hp_episodes x;
	size_t t = 1;

	(void)unused;
	report(t, "-t", "s.txt");
	sh("cd '%s' && head -1 s.txt > u.txt && tail -n +2 s.txt | "
	   "shuf --random-source=s.txt >> u.txt && ! cmp -s s.txt u.txt",
	   dir);
	read_ok("u.txt", &x);
	assert_int_equal(x.n, dat[t].n);
	same_episodes(&dat[t], &x, 0, 0, 0);
	same_skips(&dat[t].skipped, &x.skipped);
	hp_episodes_free(&x);
}

/* Two files in one report: prefixed lines, the second file's CPUs after the first's. */
static void test_two_files(void **unused)
{
	char a[512], b[512];
	struct hp_episodes x, part;
	size_t i;

	(void)unused;
	trace_path(a, sizeof(a), 2);
	trace_path(b, sizeof(b), 3);
	sh("trace-cmd report -t -i '%s' -i '%s' > '%s/two.txt' 2>/dev/null", a, b, dir);
	sh("grep -q '^ *timer-1ms.dat: cpus=2' '%s/two.txt'", dir);
	read_ok("two.txt", &x);
	assert_int_equal(x.n, dat[2].n + dat[3].n);
	/* split by CPU and compare each file's part */
	part = x;
	part.ep = malloc(x.n * sizeof(*part.ep));
	assert_non_null(part.ep);
	part.n = 0;
	for (i = 0; i < x.n; i++)
		if (x.ep[i].cpu < 2)
			part.ep[part.n++] = x.ep[i];
	same_episodes(&dat[2], &part, 0, 0, 0);
	part.n = 0;
	for (i = 0; i < x.n; i++)
		if (x.ep[i].cpu >= 2)
			part.ep[part.n++] = x.ep[i];
	same_episodes(&dat[3], &part, 0, 2, 0);
	free(part.ep);
	hp_episodes_free(&x);
}

/*
 * A guest running the haltpoll driver: a POLL-state period (cpu_idle state 0)
 * that timed out continues into the halt entered right after it, with no task
 * switch between (one idle period from the poll's start to the halt's end);
 * one ended by a wakeup is followed by a task switch and is an idle period of
 * its own; one followed by a halt only after more than the merge window, or
 * cut by the capture's end, stands alone too.
 */
static void test_haltpoll_poll_states(void **unused)
{
	static const struct {
		const char *ts;
		int state; /* -1: exit; -2: a task switch */
	} ev[] = {
	    {"100.000010000", 0},  {"100.000020000", -1}, {"100.000021000", 1},
	    {"100.000300000", -1}, {"100.000301000", -2}, /* poll timed out, then halt */
	    {"100.001000000", 0},  {"100.001005000", -1}, {"100.001006000", -2}, /* poll hit */
	    {"100.002000000", 0},  {"100.002100000", -1}, {"100.002200000", 1},
	    {"100.002500000", -1}, {"100.002501000", -2}, /* poll, then a halt too late to merge */
	    {"100.003000000", 0},  {"100.003001000", -1}, /* the capture ends */
	};
	static const uint64_t want[][2] = {
	    {100000010000, 100000300000}, {100001000000, 100001005000},
	    {100002000000, 100002100000}, {100002200000, 100002500000},
	    {100003000000, 100003001000},
	};
	struct hp_episodes eps;
	char path[512];
	size_t i;
	FILE *f;

	(void)unused;
	snprintf(path, sizeof(path), "%s/haltpoll.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "cpus=1\n");
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (ev[i].state == -2)
			fprintf(
			    f,
			    "          <idle>-0     [000]   %s: sched_switch:         swapper/0:0 "
			    "[120] R ==> db:500 [120]\n",
			    ev[i].ts);
		else
			fprintf(f,
			        "          <idle>-0     [000]   %s: cpu_idle:             state=%u "
			        "cpu_id=0\n",
			        ev[i].ts, ev[i].state < 0 ? 4294967295u : (unsigned)ev[i].state);
	}
	fclose(f);
	read_ok("haltpoll.txt", &eps);
	assert_int_equal(eps.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < eps.n; i++) {
		if (eps.ep[i].halt_start_ns != want[i][0] || eps.ep[i].wake_ns != want[i][1])
			fail_msg("episode %zu: [%llu, %llu), want [%llu, %llu)", i,
			         (unsigned long long)eps.ep[i].halt_start_ns,
			         (unsigned long long)eps.ep[i].wake_ns,
			         (unsigned long long)want[i][0], (unsigned long long)want[i][1]);
	}
	assert_int_equal(eps.skipped.poll_states, 4);
	assert_int_equal(eps.skipped.overlapping, 0);
	hp_episodes_free(&eps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ns_text_equals_dat),
	    cmocka_unit_test(test_host_capture_formats),
	    cmocka_unit_test(test_raw_and_kernel_formats),
	    cmocka_unit_test(test_trace_pipe_shapes),
	    cmocka_unit_test(test_unsorted_input),
	    cmocka_unit_test(test_two_files),
	    cmocka_unit_test(test_haltpoll_poll_states),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
