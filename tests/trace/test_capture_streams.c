/*
 * The capture half of the readers on event streams: two VMs in one host
 * capture stay apart (the real host-minivm.dat report with one VM duplicated
 * under another pid), ipi_send_cpumask wakes every CPU of its mask (report
 * text in the kernel's list form and libtraceevent's hex form), and a
 * host+guest stream takes each guest halt's arrival from the host side;
 * --recorded-with's settings and its correction of a guest capture.
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

#include "hpsim/cost.h"
#include "hpsim/recorded.h"
#include "hpsim/trace.h"
#include "src/trace/decode.h"

static void read_nocache(const char *path, struct hp_episodes *eps)
{
	struct hp_read_opts o;
	struct hp_err err = {""};

	hp_read_opts_init(&o);
	o.use_cache = 0;
	memset(eps, 0, sizeof(*eps));
	if (hp_trace_read_opts(path, &o, eps, &err) < 0)
		fail_msg("%s", err.msg);
}

static size_t halts_on(const struct hp_episodes *eps, uint32_t cpu)
{
	size_t i, n = 0;

	for (i = 0; i < eps->n; i++)
		n += eps->ep[i].cpu == cpu;
	return n;
}

/* host-minivm.dat holds two runs of minivm, one after the other: vCPU threads 15631, 15637. */
static void test_two_vms(void **unused)
{
	char cmd[4096], path[] = "/tmp/hpsim-2vm-XXXXXX";
	struct hp_episodes one, two;
	int fd;

	(void)unused;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	/* the report, plus every line of the second VM again as pid 25637 (same times) */
	snprintf(cmd, sizeof(cmd),
	         "trace-cmd report -t %s/traces/host-minivm.dat 2>/dev/null > %s && "
	         "grep 15637 %s | sed 's/15637/25637/g' >> %s",
	         HPSIM_SOURCE_DIR, path, path, path);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/traces/host-minivm.dat", HPSIM_SOURCE_DIR);
	read_nocache(cmd, &one);
	read_nocache(path, &two);
	/* each run is a VM of its own: vCPU 0 of the first, then vCPU 0 of the second */
	assert_int_equal(one.ncpu, 2);
	assert_true(halts_on(&one, 0) > 0 && halts_on(&one, 1) > 0);
	assert_int_equal(one.skipped.overlapping, 0);
	/* the duplicate is a third VM: its halts overlap the second's in time, yet all are kept */
	assert_int_equal(two.ncpu, 3);
	assert_int_equal(two.skipped.overlapping, 0);
	assert_int_equal(halts_on(&two, 0), halts_on(&one, 0));
	assert_int_equal(halts_on(&two, 1), halts_on(&one, 1));
	assert_int_equal(halts_on(&two, 2), halts_on(&one, 1));
	assert_int_equal(two.n, one.n + halts_on(&one, 1));
	hp_episodes_free(&one);
	hp_episodes_free(&two);
	unlink(path);
}

/* Two VMs whose vCPU threads have neighbouring pids: apart only by the record-tgid column. */
static void test_two_vms_by_tgid(void **unused)
{
	char path[] = "/tmp/hpsim-tgid-XXXXXX";
	struct hp_episodes eps;
	int k, fd, with;
	FILE *f;

	(void)unused;
	for (with = 0; with < 2; with++) {
		strcpy(path, "/tmp/hpsim-tgid-XXXXXX");
		fd = mkstemp(path);
		assert_true(fd >= 0);
		f = fdopen(fd, "w");
		assert_non_null(f);
		/* the capture starts before the first halt */
		fprintf(f, "bash-5 [000] 10.000000000: sched_wakeup: comm=foo pid=7 prio=120 "
		           "target_cpu=000\n");
		for (k = 0; k < 4; k++) {
			/* VM A (process 990) runs vCPU 0 as pid 1000, VM B (995) vCPU 1 as 1001 */
			fprintf(f,
			        "CPU 0/KVM-1000  (%7s) [000] 10.%06d000: kvm_vcpu_wakeup: ns=50000 "
			        "waited=0 valid=1\n",
			        with ? "990" : "-------", 100 + k * 200);
			fprintf(f,
			        "CPU 1/KVM-1001  (%7s) [001] 10.%06d000: kvm_vcpu_wakeup: ns=50000 "
			        "waited=0 valid=1\n",
			        with ? "995" : "-------", 150 + k * 200);
		}
		fclose(f);
		read_nocache(path, &eps);
		assert_int_equal(eps.n, 8);
		/* without processes, one VM of two vCPUs; with, VM A's CPU 0 and VM B's 0..1 */
		assert_int_equal(eps.ncpu, with ? 3 : 2);
		assert_int_equal(halts_on(&eps, 0), 4);
		assert_int_equal(halts_on(&eps, with ? 2 : 1), 4);
		hp_episodes_free(&eps);
		unlink(path);
	}
}

/* A guest text where CPU 0 wakes CPUs 1 and 2 with one ipi_send_cpumask of the given mask. */
static void cpumask_case(const char *mask, int want_cpu3)
{
	char path[] = "/tmp/hpsim-cpumask-XXXXXX";
	struct hp_episodes eps;
	size_t i;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "cpus=4\n");
	fprintf(f, "<idle>-0 [001] 10.000100000: cpu_idle: state=1 cpu_id=1\n");
	fprintf(f, "<idle>-0 [002] 10.000200000: cpu_idle: state=1 cpu_id=2\n");
	fprintf(f, "<idle>-0 [003] 10.000250000: cpu_idle: state=1 cpu_id=3\n");
	fprintf(f,
	        "bash-42 [000] 10.000500000: ipi_send_cpumask: cpumask=%s "
	        "callsite=on_each_cpu_cond_mask+0x20 callback=do_nothing+0x0\n",
	        mask);
	fprintf(f, "<idle>-0 [001] 10.000510000: cpu_idle: state=4294967295 cpu_id=1\n");
	fprintf(f, "<idle>-0 [002] 10.000520000: cpu_idle: state=4294967295 cpu_id=2\n");
	fprintf(f, "<idle>-0 [003] 10.000530000: cpu_idle: state=4294967295 cpu_id=3\n");
	fclose(f);
	read_nocache(path, &eps);
	assert_int_equal(eps.n, 3);
	for (i = 0; i < eps.n; i++) {
		int in_mask =
		    eps.ep[i].cpu == 1 || eps.ep[i].cpu == 2 || (want_cpu3 && eps.ep[i].cpu == 3);

		assert_int_equal(eps.ep[i].source, in_mask ? HP_SRC_IPI : HP_SRC_UNKNOWN);
		assert_int_equal(eps.ep[i].source_cpu, in_mask ? 0 : -1);
	}
	hp_episodes_free(&eps);
	unlink(path);
}

static void test_cpumask(void **unused)
{
	(void)unused;
	cpumask_case("1-2", 0);               /* the kernel's list form */
	cpumask_case("1,2", 0);               /* a list of single CPUs */
	cpumask_case("00000000,00000006", 0); /* libtraceevent's hex, 32 bits a group */
	cpumask_case("0x0000000e", 1);        /* hex with 0x: CPUs 1-3 */
	cpumask_case("1-3", 1);
}

/* --- host+guest on the decoder's event stream ----------------------------- */

struct kv {
	const char *name;
	uint64_t num;
	const char *str;
};

struct fake {
	const struct kv *f;
	size_t n;
};

static int fake_num(void *ctx, const char *name, uint64_t *out)
{
	const struct fake *x = ctx;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (!strcmp(x->f[i].name, name) && !x->f[i].str) {
			*out = x->f[i].num;
			return 0;
		}
	return -1;
}

static int fake_str(void *ctx, const char *name, const char **s, size_t *len)
{
	const struct fake *x = ctx;
	size_t i;

	for (i = 0; i < x->n; i++)
		if (!strcmp(x->f[i].name, name) && x->f[i].str) {
			*s = x->f[i].str;
			*len = strlen(x->f[i].str);
			return 0;
		}
	return -1;
}

static void feed(struct hp_decoder *d, uint64_t ts, uint32_t cpu, int32_t pid, const char *comm,
                 enum hp_ev_kind kind, enum hp_side side, const struct kv *f, size_t n)
{
	struct fake x = {f, n};
	struct hp_dec_event ev = {
	    .ts = ts,
	    .cpu = cpu,
	    .pid = pid,
	    .comm = comm,
	    .comm_len = comm ? strlen(comm) : 0,
	    .kind = kind,
	    .f = {fake_num, fake_str, &x, NULL},
	    .side = (uint8_t)side,
	};
	struct hp_err err = {""};

	assert_int_equal(hp_dec_event(d, &ev, &err), 0);
}

#define ENTER(ts) feed(d, ts, 0, 0, "<idle>", HP_EV_CPU_IDLE, HP_SIDE_GUEST, enter, 1)
#define EXIT(ts)  feed(d, ts, 0, 0, "<idle>", HP_EV_CPU_IDLE, HP_SIDE_GUEST, leave, 1)

static void test_host_guest_arrivals(void **unused)
{
	static const struct kv enter[] = {{"state", 1, NULL}};
	static const struct kv leave[] = {{"state", 4294967295ULL, NULL}};
	static const struct kv wake500[] = {
	    {"pid", 500, NULL}, {"comm", 0, "CPU 0/KVM"}, {"target_cpu", 3, NULL}};
	static const struct kv polled[] = {
	    {"ns", 200, NULL}, {"waited", 0, NULL}, {"valid", 1, NULL}};
	static const struct kv slept[] = {
	    {"ns", 900, NULL}, {"waited", 1, NULL}, {"valid", 1, NULL}};
	/* a guest task switch naming pid 500: a guest pid, not the host's vCPU thread */
	static const struct kv gswitch[] = {{"prev_pid", 500, NULL},
	                                    {"prev_comm", 0, "CPU 0/KVM"},
	                                    {"prev_state", 1, NULL},
	                                    {"next_pid", 0, NULL},
	                                    {"next_comm", 0, "swapper"}};
	struct hp_read_opts o;
	struct hp_episodes eps = {0};
	struct hp_err err = {""};
	struct hp_decoder *d;

	hp_read_opts_init(&o);

	(void)unused;
	d = hp_dec_new(&o, &eps);
	assert_non_null(d);
	hp_dec_set_vcpu_pid(d, 0, 500); /* guest CPU 0 runs on host thread 500 */
	/* halt 1 slept: the host woke the thread at 1500 (sched_wakeup), kvm_vcpu_wakeup later */
	ENTER(1000);
	feed(d, 1100, 0, 500, "CPU 0/KVM", HP_EV_SCHED_SWITCH, HP_SIDE_GUEST, gswitch, 5);
	feed(d, 1500, 2, 77, "vhost-77", HP_EV_SCHED_WAKEUP, HP_SIDE_HOST, wake500, 3);
	feed(d, 1900, 3, 500, "CPU 0/KVM", HP_EV_VCPU_WAKEUP, HP_SIDE_HOST, slept, 3);
	EXIT(2000);
	/* halt 2 polled: kvm_vcpu_wakeup at 3300 ended the poll */
	ENTER(3000);
	feed(d, 3300, 3, 500, "CPU 0/KVM", HP_EV_VCPU_WAKEUP, HP_SIDE_HOST, polled, 3);
	EXIT(3400);
	/* halt 3: no host event for the thread inside it (the host-side event before it is old) */
	ENTER(5000);
	hp_dec_gap_side(d, 0, 3, HP_SIDE_HOST); /* the host's CPU 0 lost events: not the guest's */
	EXIT(6000);
	/* halt 4 is cut by a gap in the guest's own buffer */
	ENTER(7000);
	hp_dec_gap_side(d, 0, 3, HP_SIDE_GUEST);
	EXIT(8000);
	/* the host's own idle is not a guest halt */
	feed(d, 8100, 1, 0, "<idle>", HP_EV_CPU_IDLE, HP_SIDE_HOST, enter, 1);
	feed(d, 8200, 1, 0, "<idle>", HP_EV_CPU_IDLE, HP_SIDE_HOST, leave, 1);
	assert_int_equal(hp_dec_finish(d, "stream", &err), 0);
	hp_dec_free(d);
	assert_int_equal(eps.n, 3);
	assert_int_equal(eps.ep[0].halt_start_ns, 1000);
	assert_int_equal(eps.ep[0].wake_ns, 1500);
	assert_int_equal(eps.ep[1].halt_start_ns, 3000);
	assert_int_equal(eps.ep[1].wake_ns, 3300);
	assert_int_equal(eps.ep[2].halt_start_ns, 5000);
	assert_int_equal(eps.ep[2].wake_ns, 6000);
	assert_int_equal(eps.skipped.cut_by_gap, 1);
	assert_int_equal(eps.skipped.drop_gaps, 2);
	assert_string_equal(eps.assumption,
	                    "host+guest capture: arrival = vCPU thread sched_wakeup for 1 slept, "
	                    "kvm_vcpu_wakeup for 1 polled, guest idle exit (no host event) for 1");
	hp_episodes_free(&eps);
}

/* --- --recorded-with --------------------------------------------------------- */

/* A guest capture: n halts of len_ns on CPU 0, 1 ms apart. */
static void guest_eps(struct hp_episodes *eps, size_t n, uint64_t len_ns)
{
	struct hp_err err = {""};
	size_t i;

	memset(eps, 0, sizeof(*eps));
	for (i = 0; i < n; i++) {
		struct hp_episode e = {.halt_start_ns = 1000000 + i * 1000000,
		                       .wake_ns = 1000000 + i * 1000000 + len_ns,
		                       .source_cpu = -1};

		assert_int_equal(hp_episodes_push(eps, &e, &err), 0);
	}
	eps->t_first_ns = 0;
	eps->t_last_ns = 1000000 + n * 1000000;
	snprintf(eps->assumption, sizeof(eps->assumption),
	         "guest capture: wake arrival = cpu_idle exit");
}

static void test_recorded_settings(void **unused)
{
	char path[] = "/tmp/hpsim-sidecar-XXXXXX";
	struct hp_recorded r = {0};
	struct hp_err err = {""};
	FILE *f;
	int fd;

	(void)unused;
	assert_int_equal(hp_recorded_add(&r, "halt_poll_ns=50000,halt_poll_ns_shrink=0", &err), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.set[0].value, "50000");
	assert_false(r.guest_haltpoll);
	/* a later value replaces the earlier; a guest_ name means the guest ran haltpoll */
	assert_int_equal(hp_recorded_add(&r, "halt_poll_ns=1,guest_halt_poll_allow_shrink=N", &err),
	                 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.set[0].value, "1");
	assert_string_equal(r.set[2].value, "0");
	assert_true(r.guest_haltpoll);
	assert_int_equal(hp_recorded_add(&r, "halt_pol_ns=5", &err), -1);
	assert_non_null(strstr(err.msg, "unknown parameter 'halt_pol_ns'"));
	assert_int_equal(hp_recorded_add(&r, "halt_poll_ns=5us", &err), -1);
	assert_non_null(strstr(err.msg, "halt_poll_ns: expected a number, got '5us'"));
	assert_int_equal(hp_recorded_add(&r, "/nonexistent/x.settings.json", &err), -1);
	assert_non_null(strstr(err.msg, "neither a readable settings file"));
	/* a guest sidecar: haltpoll's parameters count only when the driver was haltpoll */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "{\"hpsim_record\": 1, \"mode\": \"guest\", \"cpuidle\": "
	           "{\"current_driver\": \"haltpoll\"}, \"module_parameters\": {\"kvm\": "
	           "{\"halt_poll_ns\": \"777\"}, \"haltpoll\": {\"guest_halt_poll_ns\": "
	           "\"123456\", \"guest_halt_poll_allow_shrink\": \"Y\"}}}\n");
	fclose(f);
	memset(&r, 0, sizeof(r));
	assert_int_equal(hp_recorded_add(&r, path, &err), 0);
	assert_true(r.guest_haltpoll);
	assert_int_equal(r.n, 2); /* the guest's own kvm module is not the host's */
	assert_string_equal(r.set[0].name, "guest_halt_poll_ns");
	assert_string_equal(r.set[0].value, "123456");
	assert_string_equal(r.set[1].value, "1");
	f = fopen(path, "w");
	fprintf(f, "{\"mode\": \"guest\"}\n");
	fclose(f);
	assert_int_equal(hp_recorded_add(&r, path, &err), -1);
	assert_non_null(strstr(err.msg, "not a settings file written by `hpsim record`"));
	unlink(path);
}

static void test_recorded_correct(void **unused)
{
	struct hp_recorded r = {0};
	struct hp_recorded_stats st;
	struct hp_episodes eps;
	struct hp_err err = {""};
	struct hp_cost c;
	uint64_t path;
	size_t i;

	(void)unused;
	hp_cost_defaults(&c, HP_ARCH_X86);
	path = c.host_wakeup_ns + c.vm_entry_ns + c.guest_wakeup_ns;
	/* no host polling while recording: every 100 us halt slept there and loses the path */
	guest_eps(&eps, 50, 100000);
	assert_int_equal(hp_recorded_add(&r, "halt_poll_ns=0", &err), 0);
	assert_int_equal(hp_recorded_correct(&eps, &r, &c, &st, &err), 0);
	assert_int_equal(st.slept, 50);
	assert_int_equal(st.polled, 0);
	for (i = 0; i < eps.n; i++)
		assert_int_equal(eps.ep[i].wake_ns - eps.ep[i].halt_start_ns, 100000 - path);
	assert_non_null(strstr(eps.assumption, "removed from 50 halts that slept there, 0 kept"));
	hp_episodes_free(&eps);
	/* a 1 ms poll window: once grown, the 100 us halts polled and keep their times */
	guest_eps(&eps, 50, 100000);
	memset(&r, 0, sizeof(r));
	assert_int_equal(hp_recorded_add(&r, "halt_poll_ns=1000000", &err), 0);
	assert_int_equal(hp_recorded_correct(&eps, &r, &c, &st, &err), 0);
	assert_true(st.slept >= 1 && st.slept < 10);
	assert_int_equal(st.slept + st.polled, 50);
	assert_int_equal(eps.ep[49].wake_ns - eps.ep[49].halt_start_ns, 100000);
	hp_episodes_free(&eps);
	/* halts shorter than the path start and wake at once */
	guest_eps(&eps, 3, path / 2);
	memset(&r, 0, sizeof(r));
	assert_int_equal(hp_recorded_add(&r, "halt_poll_ns=0", &err), 0);
	assert_int_equal(hp_recorded_correct(&eps, &r, &c, &st, &err), 0);
	assert_int_equal(st.clamped, 3);
	assert_int_equal(eps.ep[0].wake_ns, eps.ep[0].halt_start_ns);
	/* a host capture's arrivals are the host's: refused */
	snprintf(eps.assumption, sizeof(eps.assumption), "host capture: arrival = ...");
	assert_int_equal(hp_recorded_correct(&eps, &r, &c, &st, &err), -1);
	assert_non_null(strstr(err.msg, "applies to guest-only captures"));
	hp_episodes_free(&eps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_vms),           cmocka_unit_test(test_two_vms_by_tgid),
	    cmocka_unit_test(test_cpumask),           cmocka_unit_test(test_host_guest_arrivals),
	    cmocka_unit_test(test_recorded_settings), cmocka_unit_test(test_recorded_correct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
