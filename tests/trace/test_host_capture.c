/*
 * Host captures built from a known episode list: the test writes the
 * `trace-cmd report` text a host would record for each halt, in the kernel's
 * exact formats (plugin, -N kernel formats, -R raw fields, trace_pipe with
 * `kvm:` prefixes and flag columns, perf script's `COMM PID` form), and the
 * reader must give the list back:
 *
 *  - polled halt: kvm_exit HLT at the halt start, kvm_vcpu_wakeup `poll` at
 *    the wakeup, kvm_entry; the arrival is the wakeup event;
 *  - slept with sched_wakeup: the vCPU thread switches out (S), is woken by
 *    sched_wakeup at the arrival, runs again 4 us later, kvm_vcpu_wakeup
 *    `wait`; the arrival is the sched_wakeup;
 *  - slept without sched_wakeup: kvm_vcpu_wakeup `wait` exactly
 *    host_wakeup_ns after the arrival; the reader subtracts host_wakeup_ns
 *    and flags the episode estimated.
 *
 * vCPUs 0 and 1 are named by their threads ("CPU n/KVM"; vCPU 1 on an SVM
 * host), vCPU 2's thread only by --vcpu-map. All times are whole
 * microseconds so the microsecond trace_pipe form loses nothing.
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

#include "hpsim/trace.h"

/* The flags a reader derives; the recorded outcome (HP_EP_REC_*) is checked by test_validate. */
#define NOREC(f) ((f) & ~(HP_EP_REC_POLLED | HP_EP_REC_SLEPT))

#define HOST_WAKEUP 5000
#define HLT_EXIT    700 /* the episode starts this long before the host saw the halt */
#define NHALT       12

enum style { PLUGIN, KERNEL, RAW, PIPE, PERF, NSTYLES };
enum kind { POLLED, SLEPT_WAKEUP, SLEPT_ESTIMATED };

struct line {
	uint64_t ts;
	char text[320];
};

struct gen {
	enum style st;
	struct line *l;
	size_t n, cap;
};

static const struct {
	int32_t pid;
	const char *comm;
	uint32_t host_cpu;
	int svm;
} vcpus[3] = {{4000, "CPU 0/KVM", 3, 0}, {4001, "CPU 1/KVM", 5, 1}, {4100, "qemu-kvm", 6, 0}};

static void emit(struct gen *g, uint64_t ts, const char *comm, int32_t pid, uint32_t cpu,
                 const char *sys, const char *name, const char *fmt, ...)
{
	char info[256], head[64];
	size_t used;
	va_list ap;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->l = realloc(g->l, g->cap * sizeof(*g->l));
		assert_non_null(g->l);
	}
	va_start(ap, fmt);
	vsnprintf(info, sizeof(info), fmt, ap);
	va_end(ap);
	if (g->st == PIPE)
		used = (size_t)snprintf(g->l[g->n].text, sizeof(g->l[g->n].text),
		                        "%16s-%-5d [%03u] d..2. %5llu.%06llu: ", comm, pid, cpu,
		                        (unsigned long long)(ts / 1000000000),
		                        (unsigned long long)(ts % 1000000000 / 1000));
	else if (g->st == PERF)
		used = (size_t)snprintf(g->l[g->n].text, sizeof(g->l[g->n].text),
		                        "%16s %6d [%03u] %5llu.%06llu: ", comm, pid, cpu,
		                        (unsigned long long)(ts / 1000000000),
		                        (unsigned long long)(ts % 1000000000 / 1000));
	else
		used = (size_t)snprintf(g->l[g->n].text, sizeof(g->l[g->n].text),
		                        "%16s-%-5d [%03u] %5llu.%09llu: ", comm, pid, cpu,
		                        (unsigned long long)(ts / 1000000000),
		                        (unsigned long long)(ts % 1000000000));
	if (g->st == PIPE || g->st == PERF)
		snprintf(head, sizeof(head), "%s:%s:", sys, name);
	else
		snprintf(head, sizeof(head), "%s:", name);
	snprintf(g->l[g->n].text + used, sizeof(g->l[g->n].text) - used, "%-21s %s", head, info);
	g->l[g->n].ts = ts;
	g->n++;
}

static void kvm_exit(struct gen *g, int v, uint64_t ts, int hlt)
{
	const char *c = vcpus[v].comm;
	int32_t p = vcpus[v].pid;
	uint32_t cpu = vcpus[v].host_cpu;
	int svm = vcpus[v].svm;
	const char *reason = !hlt  ? (svm ? "npf" : "EPT_VIOLATION")
	                     : svm ? (g->st == PLUGIN ? "EXIT_HLT" : "hlt")
	                           : "HLT";

	if (g->st == PLUGIN)
		emit(g, ts, c, p, cpu, "kvm", "kvm_exit",
		     "reason %s rip 0xffffffff81a0b2c4 info 0 0",
		     !hlt && svm ? "EXIT_NPF" : reason);
	else if (g->st == RAW)
		emit(g, ts, c, p, cpu, "kvm", "kvm_exit",
		     "exit_reason=%u guest_rip=0xffffffff81a0b2c4 isa=%d info1=0x0 info2=0x0 "
		     "intr_info=0x0 error_code=0x0 vcpu_id=%d requests=0x0",
		     hlt ? (svm ? 0x78u : 12u) : (svm ? 0x400u : 48u), svm ? 2 : 1, v);
	else
		emit(g, ts, c, p, cpu, "kvm", "kvm_exit",
		     "vcpu %d reason %s rip 0xffffffff81a0b2c4 info1 0x0000000000000000 info2 "
		     "0x0000000000000000 intr_info 0x00000000 error_code 0x00000000 requests "
		     "0x0000000000000000",
		     v, reason);
}

static void kvm_entry(struct gen *g, int v, uint64_t ts)
{
	const char *c = vcpus[v].comm;
	int32_t p = vcpus[v].pid;
	uint32_t cpu = vcpus[v].host_cpu;

	if (g->st == PLUGIN)
		emit(g, ts, c, p, cpu, "kvm", "kvm_entry", " vcpu %d rip 0xffffffff81a0b2c5", v);
	else if (g->st == RAW)
		emit(g, ts, c, p, cpu, "kvm", "kvm_entry",
		     "vcpu_id=%d rip=0xffffffff81a0b2c5 immediate_exit=0 intr_info=0x0 "
		     "error_code=0x0",
		     v);
	else
		emit(g, ts, c, p, cpu, "kvm", "kvm_entry",
		     "vcpu %d, rip 0xffffffff81a0b2c5 intr_info 0x00000000 error_code 0x00000000",
		     v);
}

static void vcpu_wakeup(struct gen *g, int v, uint64_t ts, uint64_t ns, int waited, int valid)
{
	const char *c = vcpus[v].comm;
	int32_t p = vcpus[v].pid;
	uint32_t cpu = vcpus[v].host_cpu;

	if (g->st == RAW)
		emit(g, ts, c, p, cpu, "kvm", "kvm_vcpu_wakeup", "ns=%llu waited=%d valid=%d",
		     (unsigned long long)ns, waited, valid);
	else
		emit(g, ts, c, p, cpu, "kvm", "kvm_vcpu_wakeup", "%s time %llu ns, polling %s",
		     waited ? "wait" : "poll", (unsigned long long)ns, valid ? "valid" : "invalid");
}

/* prev (a task) switches to next on cpu; state 'S' (slept) or 'R' (preempted). */
static void sched_switch(struct gen *g, uint64_t ts, uint32_t cpu, const char *pc, int32_t pp,
                         char state, const char *nc, int32_t np)
{
	if (g->st == PLUGIN)
		emit(g, ts, pc, pp, cpu, "sched", "sched_switch", "%s:%d [120] %c ==> %s:%d [120]",
		     pc, pp, state, nc, np);
	else if (g->st == RAW)
		emit(g, ts, pc, pp, cpu, "sched", "sched_switch",
		     "prev_comm=%s prev_pid=%d prev_prio=120 prev_state=%d next_comm=%s "
		     "next_pid=%d next_prio=120",
		     pc, pp, state == 'S' ? 1 : 256, nc, np);
	else
		emit(g, ts, pc, pp, cpu, "sched", "sched_switch",
		     "prev_comm=%s prev_pid=%d prev_prio=120 prev_state=%s ==> next_comm=%s "
		     "next_pid=%d next_prio=120",
		     pc, pp, state == 'S' ? "S" : "R+", nc, np);
}

/* sched_wakeup of (comm, pid) onto target, recorded on CPU 1 by the idle task. */
static void sched_wakeup(struct gen *g, uint64_t ts, const char *comm, int32_t pid, uint32_t target)
{
	if (g->st == PLUGIN)
		emit(g, ts, "<idle>", 0, 1, "sched", "sched_wakeup", "%s:%d [120] CPU:%03u", comm,
		     pid, target);
	else
		emit(g, ts, "<idle>", 0, 1, "sched", "sched_wakeup",
		     "comm=%s pid=%d prio=120 target_cpu=%03u", comm, pid, target);
}

static void swapper(char *buf, size_t n, uint32_t cpu)
{
	snprintf(buf, n, "swapper/%u", cpu);
}

/* One halt of vCPU v in the host's words. */
static void halt(struct gen *g, int v, enum kind k, uint64_t start, uint64_t wake)
{
	uint32_t cpu = vcpus[v].host_cpu;
	const char *c = vcpus[v].comm;
	int32_t p = vcpus[v].pid;
	uint64_t resumed;
	char sw[32];

	swapper(sw, sizeof(sw), cpu);
	kvm_exit(g, v, start, 1);
	if (k == POLLED) {
		vcpu_wakeup(g, v, wake, wake - start, 0, 1);
		kvm_entry(g, v, wake + 1000);
		return;
	}
	sched_switch(g, start + 2000, cpu, c, p, 'S', sw, 0);
	if (k == SLEPT_WAKEUP) {
		sched_wakeup(g, wake, c, p, cpu);
		resumed = wake + 4000;
	} else {
		resumed = wake + HOST_WAKEUP;
	}
	sched_switch(g, resumed - 1000, cpu, sw, 0, 'R', c, p);
	vcpu_wakeup(g, v, resumed, resumed - start, 1, 1);
	kvm_entry(g, v, resumed + 1000);
}

static int cmp_line(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

struct want {
	struct hp_episode ep[3 * NHALT + 1];
	size_t n;
	uint64_t busy_start, busy_end;
};

/* The capture: NHALT halts per vCPU of the three kinds, with extras around them. */
static void build(enum style st, const char *path, struct want *w)
{
	struct gen g = {.st = st};
	uint64_t t0 = 5000000000000ULL, wake;
	size_t i;
	int v;
	FILE *f;

	memset(w, 0, sizeof(*w));
	/* cut by the trace's start: resumes 300 us in, after a 1 ms halt */
	vcpu_wakeup(&g, 2, t0 + 300000, 1000000, 0, 1);
	emit(&g, t0, "<idle>", 0, 0, "sched", "sched_wakeup",
	     g.st == PLUGIN ? "rcu_sched:15 [120] CPU:000"
	                    : "comm=rcu_sched pid=15 prio=120 "
	                      "target_cpu=000");
	for (i = 0; i < NHALT; i++) {
		for (v = 0; v < 3; v++) {
			uint64_t start = t0 + 1000000 + i * 400000 + (uint64_t)v * 7000;
			enum kind k = (enum kind)((i + (size_t)v) % 3);
			struct hp_episode *e = &w->ep[w->n++];

			wake = start + 20000 + i * 9000;
			halt(&g, v, k, start, wake);
			kvm_exit(&g, v, start - 50000, 0); /* a non-halt exit before it */
			*e = (struct hp_episode){
			    .halt_start_ns = start - HLT_EXIT,
			    .wake_ns = wake,
			    .cpu = (uint32_t)v,
			    .source_cpu = -1,
			    .flags = k == SLEPT_ESTIMATED ? HP_EP_WAKE_ESTIMATED : 0};
		}
	}
	/* an invalid wakeup: a halt all the same, flagged for the policy (s390) */
	kvm_exit(&g, 0, t0 + 9000000, 1);
	vcpu_wakeup(&g, 0, t0 + 9010000, 10000, 0, 0);
	w->ep[w->n++] = (struct hp_episode){.halt_start_ns = t0 + 9000000 - HLT_EXIT,
	                                    .wake_ns = t0 + 9010000,
	                                    .cpu = 0,
	                                    .source_cpu = -1,
	                                    .flags = HP_EP_WAKE_INVALID};
	/* contention: a kworker woken onto vCPU 0's CPU until the vCPU is preempted */
	sched_wakeup(&g, t0 + 9100000, "kworker/3:1", 77, 3);
	sched_switch(&g, t0 + 9150000, 3, "CPU 0/KVM", 4000, 'R', "kworker/3:1", 77);
	w->busy_start = t0 + 9100000;
	w->busy_end = t0 + 9150000;
	/* a poll-window change, and a halt cut by the trace's end */
	emit(&g, t0 + 9200000, "CPU 0/KVM", 4000, 3, "kvm", "kvm_halt_poll_ns",
	     g.st == RAW ? "grow=1 vcpu_id=0 new=20000 old=10000"
	                 : "vcpu 0: halt_poll_ns 20000 (grow 10000)");
	kvm_exit(&g, 1, t0 + 9300000, 1);

	qsort(g.l, g.n, sizeof(*g.l), cmp_line);
	f = fopen(path, "w");
	assert_non_null(f);
	if (st != PIPE && st != PERF)
		fprintf(f, "cpus=8\n");
	for (i = 0; i < g.n; i++)
		fprintf(f, "%s\n", g.l[i].text);
	fclose(f);
	free(g.l);
}

static void check(const struct hp_episodes *eps, const struct want *w)
{
	size_t i, est = 0;

	assert_int_equal(eps->n, w->n);
	for (i = 0; i < w->n; i++) {
		const struct hp_episode *a = &w->ep[i], *b = &eps->ep[i];

		if (a->halt_start_ns != b->halt_start_ns || a->wake_ns != b->wake_ns ||
		    a->cpu != b->cpu || a->flags != NOREC(b->flags) || b->source_cpu != -1)
			fail_msg("episode %zu: want {%llu %llu cpu %u flags %u} got {%llu %llu cpu "
			         "%u flags %u}",
			         i, (unsigned long long)a->halt_start_ns,
			         (unsigned long long)a->wake_ns, a->cpu, a->flags,
			         (unsigned long long)b->halt_start_ns,
			         (unsigned long long)b->wake_ns, b->cpu, NOREC(b->flags));
		est += (b->flags & HP_EP_WAKE_ESTIMATED) != 0;
	}
	assert_int_equal(est, NHALT); /* a third of the regular halts */
	assert_int_equal(eps->skipped.unpaired_exit, 1);
	assert_int_equal(eps->skipped.unpaired_enter, 1);
	assert_int_equal(eps->skipped.invalid_wakeups, 1);
	assert_int_equal(eps->skipped.poll_ns_changes, 1);
	assert_int_equal(eps->skipped.unmapped_threads, 0);
	assert_int_equal(eps->nbusy, 1);
	assert_int_equal(eps->busy[0].cpu, 0);
	assert_int_equal(eps->busy[0].start_ns, w->busy_start);
	assert_int_equal(eps->busy[0].end_ns, w->busy_end);
	assert_non_null(strstr(eps->assumption, "host capture"));
	assert_non_null(strstr(eps->assumption, "sched_wakeup for 12 slept"));
	assert_non_null(strstr(eps->assumption, "(estimated) for 12 slept"));
}

static void read_opts(const char *path, int with_map, struct hp_episodes *eps)
{
	struct hp_read_opts o;
	struct hp_err err;

	hp_read_opts_init(&o);
	o.host_wakeup_ns = HOST_WAKEUP;
	o.hlt_exit_ns = HLT_EXIT;
	if (with_map)
		assert_int_equal(hp_vcpu_map_parse(&o, "4100=2", &err), 0);
	if (hp_trace_read_opts(path, &o, eps, &err) < 0)
		fail_msg("%s", err.msg);
}

static void test_host_styles(void **unused)
{
	char path[] = "/tmp/hpsim-host-XXXXXX";
	int fd, st;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (st = 0; st < NSTYLES; st++) {
		struct hp_episodes eps;
		struct want w;

		build((enum style)st, path, &w);
		read_opts(path, 1, &eps);
		check(&eps, &w);
		hp_episodes_free(&eps);
	}
	unlink(path);
}

/*
 * Without --vcpu-map the qemu-kvm thread is known as a vCPU only once an event
 * names its vcpu_id (here the kvm_entry closing its first halt): that first
 * halt is counted as unmapped, the others are kept as vCPU 2.
 */
static void test_unmapped_thread(void **unused)
{
	char path[] = "/tmp/hpsim-host-XXXXXX";
	struct hp_episodes eps;
	struct want w;
	size_t i;
	int fd;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	build(PLUGIN, path, &w);
	read_opts(path, 0, &eps);
	assert_int_equal(eps.n, w.n - 1);
	assert_int_equal(eps.skipped.unmapped_threads, 1);
	for (i = 0; i < eps.n; i++)
		if (eps.ep[i].cpu == 2)
			break;
	assert_true(i < eps.n);
	assert_true(eps.ep[i].halt_start_ns > w.ep[2].halt_start_ns);
	hp_episodes_free(&eps);
	unlink(path);
}

/* powerpc: kvmppc_vcore_wakeup gives the halt's length; sleep shows in vcore_blocked. */
static void test_ppc_vcore(void **unused)
{
	char path[] = "/tmp/hpsim-vcore-XXXXXX";
	int fd, raw;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	for (raw = 0; raw < 2; raw++) {
		uint64_t t0 = 100000000000ULL, s1 = t0 + 1000000, w1 = s1 + 15000;
		uint64_t s2 = t0 + 2000000, w2 = s2 + 400000, r2 = w2 + 6000, s3 = t0 + 3000000;
		struct hp_episodes eps;
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fprintf(f, "cpus=4\n");
		fprintf(f, "          <idle>-0     [000] %llu.%09llu: hrtimer_start:        x\n",
		        (unsigned long long)(t0 / 1000000000),
		        (unsigned long long)(t0 % 1000000000));
		fprintf(f, "       CPU 0/KVM-4000  [002] %llu.%09llu: kvmppc_vcore_wakeup:  %s\n",
		        (unsigned long long)(w1 / 1000000000),
		        (unsigned long long)(w1 % 1000000000),
		        raw ? "ns=15000 waited=0 tgid=3999" : "poll time 15000 ns, tgid=3999");
		fprintf(f, "       CPU 0/KVM-4000  [002] %llu.%09llu: kvmppc_vcore_blocked: %s\n",
		        (unsigned long long)((s2 + 50000) / 1000000000),
		        (unsigned long long)((s2 + 50000) % 1000000000),
		        raw ? "n_runnable=1 runner_vcpu=0 where=0 tgid=3999"
		            : "Enter runner_vcpu=0 runnable=1 tgid=3999");
		fprintf(f, "          <idle>-0     [001] %llu.%09llu: sched_wakeup:         %s\n",
		        (unsigned long long)(w2 / 1000000000),
		        (unsigned long long)(w2 % 1000000000),
		        raw ? "comm=CPU 0/KVM pid=4000 prio=120 target_cpu=002"
		            : "CPU 0/KVM:4000 [120] CPU:002");
		fprintf(f, "       CPU 0/KVM-4000  [002] %llu.%09llu: kvmppc_vcore_blocked: %s\n",
		        (unsigned long long)(r2 / 1000000000),
		        (unsigned long long)(r2 % 1000000000),
		        raw ? "n_runnable=1 runner_vcpu=0 where=1 tgid=3999"
		            : "Exit runner_vcpu=0 runnable=1 tgid=3999");
		fprintf(
		    f, "       CPU 0/KVM-4000  [002] %llu.%09llu: kvmppc_vcore_wakeup:  %s%llu%s\n",
		    (unsigned long long)((r2 + 1000) / 1000000000),
		    (unsigned long long)((r2 + 1000) % 1000000000), raw ? "ns=" : "wait time ",
		    (unsigned long long)(r2 + 1000 - s2),
		    raw ? " waited=1 tgid=3999" : " ns, tgid=3999");
		/* slept, no sched_wakeup: resumed host_wakeup_ns after the arrival */
		fprintf(f,
		        "       CPU 0/KVM-4000  [002] %llu.%09llu: kvmppc_vcore_wakeup:  %s%d%s\n",
		        (unsigned long long)((s3 + 80000) / 1000000000),
		        (unsigned long long)((s3 + 80000) % 1000000000), raw ? "ns=" : "wait time ",
		        80000, raw ? " waited=1 tgid=3999" : " ns, tgid=3999");
		fclose(f);
		read_opts(path, 0, &eps);
		assert_int_equal(eps.n, 3);
		assert_int_equal(eps.ep[0].halt_start_ns, s1 - HLT_EXIT);
		assert_int_equal(eps.ep[0].wake_ns, w1);
		assert_int_equal(NOREC(eps.ep[0].flags), 0);
		assert_int_equal(eps.ep[1].halt_start_ns, s2 - HLT_EXIT);
		assert_int_equal(eps.ep[1].wake_ns, w2);
		assert_int_equal(NOREC(eps.ep[1].flags), 0);
		assert_int_equal(eps.ep[2].halt_start_ns, s3 - HLT_EXIT);
		assert_int_equal(eps.ep[2].wake_ns, s3 + 80000 - HOST_WAKEUP);
		assert_int_equal(NOREC(eps.ep[2].flags), HP_EP_WAKE_ESTIMATED);
		hp_episodes_free(&eps);
	}
	unlink(path);
}

/*
 * A host capture recorded with power:cpu_idle as well: those are the host's
 * own idle periods, not halts of any vCPU, so they are other events only and
 * add nothing to the counts of cut, polled or overlapping halts.
 */
static void test_host_idle_not_counted(void **unused)
{
	static const char text[] =
	    "cpus=4\n"
	    "          <idle>-0     [002]   100.000000000: cpu_idle:             "
	    "state=4294967295 cpu_id=2\n"
	    "          <idle>-0     [000]   100.000010000: cpu_idle:             state=0 cpu_id=0\n"
	    "       CPU 0/KVM-4000  [001]   100.000100000: kvm_exit:             reason HLT rip "
	    "0xffffffff81a0b2c4 info 0 0\n"
	    "          <idle>-0     [000]   100.000150000: cpu_idle:             "
	    "state=4294967295 cpu_id=0\n"
	    "       CPU 0/KVM-4000  [001]   100.000200000: kvm_vcpu_wakeup:      poll time 100000 "
	    "ns, polling valid\n"
	    "          <idle>-0     [003]   100.000300000: cpu_idle:             state=1 "
	    "cpu_id=3\n";
	char path[] = "/tmp/hpsim-hostidle-XXXXXX";
	struct hp_episodes eps;
	FILE *f;
	int fd;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	read_opts(path, 0, &eps);
	assert_int_equal(eps.n, 1);
	assert_int_equal(eps.ep[0].halt_start_ns, 100000100000ULL - HLT_EXIT);
	assert_int_equal(eps.ep[0].wake_ns, 100000200000ULL);
	assert_int_equal(eps.skipped.other_events, 4); /* the four cpu_idle events */
	assert_int_equal(eps.skipped.unpaired_enter, 0);
	assert_int_equal(eps.skipped.unpaired_exit, 0);
	assert_int_equal(eps.skipped.poll_states, 0);
	hp_episodes_free(&eps);
	unlink(path);
}

/*
 * An arm64 host: kvm:kvm_exit has no exit reason there, only the exception
 * class (`ret`, `esr_ec`, `vcpu_pc`; printed by the kernel's format, as
 * trace-cmd's kvm plugin does not know it), and WFx covers WFI and WFE alike,
 * so no exit opens a halt: each begins kvm_vcpu_wakeup's ns before it. The
 * exits are read, not bad records.
 */
static void test_arm64_host(void **unused)
{
	static const char text[] =
	    "cpus=4\n"
	    "       CPU 0/KVM-5000  [002]   100.000100000: kvm_exit:             TRAP: HSR_EC: "
	    "0x0001 (WFx), PC: 0xffff800008a1b2c4\n"
	    "       CPU 0/KVM-5000  [002]   100.000150000: kvm_vcpu_wakeup:      poll time 40000 "
	    "ns, polling valid\n"
	    "       CPU 0/KVM-5000  [002]   100.000151000: kvm_entry:            PC: "
	    "0xffff800008a1b2c8\n"
	    "       CPU 0/KVM-5000  [002]   100.000300000: kvm_exit:             IRQ: HSR_EC: "
	    "0x0000 (UNKNOWN), PC: 0xffff800008a1b400\n"
	    "       CPU 0/KVM-5000  [002]   100.000400000: kvm_exit:             TRAP: HSR_EC: "
	    "0x0001 (WFx), PC: 0xffff800008a1b2c4\n"
	    "       CPU 0/KVM-5000  [002]   100.000620000: kvm_vcpu_wakeup:      wait time 200000 "
	    "ns, polling valid\n"
	    "       CPU 0/KVM-5000  [002]   100.000621000: kvm_entry:            PC: "
	    "0xffff800008a1b2c8\n";
	char path[] = "/tmp/hpsim-arm64-XXXXXX";
	struct hp_episodes eps;
	FILE *f;
	int fd;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	read_opts(path, 0, &eps); /* strict: fails if an exit does not read */
	assert_int_equal(eps.n, 2);
	assert_int_equal(eps.ep[0].halt_start_ns, 100000110000ULL - HLT_EXIT);
	assert_int_equal(eps.ep[0].wake_ns, 100000150000ULL);
	assert_int_equal(NOREC(eps.ep[0].flags), 0);
	assert_int_equal(eps.ep[1].halt_start_ns, 100000420000ULL - HLT_EXIT);
	assert_int_equal(eps.ep[1].wake_ns, 100000620000ULL - HOST_WAKEUP);
	assert_int_equal(NOREC(eps.ep[1].flags), HP_EP_WAKE_ESTIMATED);
	assert_int_equal(eps.skipped.bad_records, 0);
	assert_int_equal(eps.skipped.unpaired_exit, 0);
	assert_int_equal(eps.skipped.unpaired_enter, 0);
	hp_episodes_free(&eps);
	unlink(path);
}

static void test_vcpu_map_parse(void **unused)
{
	struct hp_read_opts o;
	struct hp_err err;

	(void)unused;
	hp_read_opts_init(&o);
	assert_int_equal(hp_vcpu_map_parse(&o, "4100=2,4101=3", &err), 0);
	assert_int_equal(o.nmap, 2);
	assert_int_equal(o.map[1].pid, 4101);
	assert_int_equal(o.map[1].vcpu, 3);
	hp_read_opts_init(&o);
	assert_int_equal(hp_vcpu_map_parse(&o, "4100=2,x=3", &err), -1);
	assert_non_null(strstr(err.msg, "'x=3'"));
	assert_int_equal(hp_vcpu_map_parse(&o, "4100", &err), -1);
	assert_int_equal(hp_vcpu_map_parse(&o, "", &err), -1);
}

/* A halt that exits less than hlt_exit_ns after the previous wakeup starts at that wakeup. */
static void test_start_after_previous_wakeup(void **unused)
{
	struct gen g = {.st = PLUGIN};
	uint64_t t0 = 100000000000ULL;
	struct hp_episodes eps;
	char path[] = "/tmp/hpsim-host-back-XXXXXX";
	size_t i;
	int fd;
	FILE *f;

	(void)unused;
	kvm_exit(&g, 0, t0, 1);
	vcpu_wakeup(&g, 0, t0 + 100000, 100000, 0, 1);
	kvm_exit(&g, 0, t0 + 100000 + HLT_EXIT / 2, 1); /* back at once */
	vcpu_wakeup(&g, 0, t0 + 200000, 100000 - HLT_EXIT / 2, 0, 1);
	qsort(g.l, g.n, sizeof(*g.l), cmp_line);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "cpus=8\n");
	for (i = 0; i < g.n; i++)
		fprintf(f, "%s\n", g.l[i].text);
	fclose(f);
	free(g.l);
	read_opts(path, 0, &eps);
	unlink(path);
	assert_int_equal(eps.n, 2);
	assert_int_equal(eps.ep[0].halt_start_ns, t0 - HLT_EXIT);
	assert_int_equal(eps.ep[0].wake_ns, t0 + 100000);
	/* not HLT_EXIT before the exit, which would overlap the first halt: at its wakeup */
	assert_int_equal(eps.ep[1].halt_start_ns, t0 + 100000);
	assert_int_equal(eps.ep[1].wake_ns, t0 + 200000);
	assert_int_equal(eps.skipped.overlapping, 0);
	hp_episodes_free(&eps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_styles),
	    cmocka_unit_test(test_unmapped_thread),
	    cmocka_unit_test(test_ppc_vcore),
	    cmocka_unit_test(test_host_idle_not_counted),
	    cmocka_unit_test(test_arm64_host),
	    cmocka_unit_test(test_vcpu_map_parse),
	    cmocka_unit_test(test_start_after_previous_wakeup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
