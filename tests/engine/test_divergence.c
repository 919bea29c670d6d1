/*
 * Divergences between the replay and the real kernel found by checking the
 * outputs against a real host:
 *  - closed loop: a wakeup that does not move with the vCPU (a device
 *    interrupt, or an IPI from a CPU whose shift is smaller) can arrive
 *    before the vCPU's shifted halt begins; the halt then sees it pending,
 *    and its latency is never more than the vCPU waited (halt start to
 *    resume);
 *  - a wakeup arriving in the last poll_detect_ns of a poll window is seen
 *    by the check the kernel makes once more before it schedules out
 *    (kvm_vcpu_check_block() in kvm_vcpu_block(), the vcore's own last
 *    look), so the halt is a successful poll, not a sleep.
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
#include "hpsim/engine.h"
#include "hpsim/replay.h"
#include "hpsim/report.h"
#include "hpsim/trace.h"

/*
 * Two device-interrupt halts, host `none` (every halt sleeps). The first
 * sleeps 1 ms and resumes the wakeup path late, shifting the vCPU by it; the
 * second was recorded 1 us after the first's wakeup with its interrupt 1 us
 * later, so shifted by more than 1 us it begins after the interrupt came: on
 * x86 the wakeup is pending at the HLT exit and the vCPU waits only the exit,
 * the entry and the interrupt handling.
 */
static void test_closed_irq_before_shifted_halt(void **unused)
{
	static const struct hp_episode in[] = {
	    {.halt_start_ns = 1000, .wake_ns = 1001000, .source = HP_SRC_IRQ, .source_cpu = -1},
	    {.halt_start_ns = 1002000, .wake_ns = 1003000, .source = HP_SRC_IRQ, .source_cpu = -1},
	};
	struct hp_engine_config cfg;
	struct hp_episodes e;
	struct test_rec r;
	uint64_t sleep_path, pending_path;

	(void)unused;
	test_episodes(&e, in, 2, 0, 1100000);
	test_configure(&cfg, NULL, "none", NULL);
	cfg.mode = HP_MODE_CLOSED;
	sleep_path = cfg.cost.host_wakeup_ns + cfg.cost.vm_entry_ns + cfg.cost.guest_wakeup_ns;
	pending_path = cfg.cost.hlt_exit_ns + cfg.cost.vm_entry_ns + cfg.cost.guest_wakeup_ns;
	assert_true(sleep_path > 1000);
	test_replay(&e, &cfg, &r, NULL, NULL);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.o[0].latency_ns, sleep_path);
	assert_int_equal(r.o[1].enter_ns, 1002000 + sleep_path);
	assert_int_equal(r.o[1].pending_at_exit, 1);
	assert_int_equal(r.o[1].resume_ns, r.o[1].enter_ns + pending_path);
	/* not resume minus the recorded 1003000, which counts time the vCPU ran */
	assert_int_equal(r.o[1].latency_ns, pending_path);
	free(r.o);
	hp_episodes_free(&e);
}

/* On the real captures in closed loop, no halt's latency exceeds its halt-to-resume span. */
static void test_closed_latency_within_wait(void **unused)
{
	static const char *const traces[] = {"host-minivm.dat", "pingpong.dat",
	                                     "pingpong-think50.dat", "timer-1ms.dat"};
	static const char *const hosts[] = {"kvm", "none"};
	size_t t, h, i;

	(void)unused;
	for (t = 0; t < sizeof(traces) / sizeof(traces[0]); t++) {
		struct hp_episodes e;
		struct hp_err err;
		char path[512];

		snprintf(path, sizeof(path), "%s/traces/%s", HPSIM_SOURCE_DIR, traces[t]);
		if (hp_trace_read(path, &e, &err) < 0)
			fail_msg("%s", err.msg);
		for (h = 0; h < 2; h++) {
			struct hp_engine_config cfg;
			struct test_rec r;

			test_configure(&cfg, NULL, hosts[h], NULL);
			cfg.mode = HP_MODE_CLOSED;
			test_replay(&e, &cfg, &r, NULL, NULL);
			assert_int_equal(r.n, e.n);
			for (i = 0; i < r.n; i++)
				if (r.o[i].latency_ns > r.o[i].resume_ns - r.o[i].enter_ns)
					fail_msg("%s, %s, halt %zu: latency %llu > waited %llu",
					         traces[t], hosts[h], i,
					         (unsigned long long)r.o[i].latency_ns,
					         (unsigned long long)(r.o[i].resume_ns -
					                              r.o[i].enter_ns));
			free(r.o);
		}
		hp_episodes_free(&e);
	}
}

/* One halt of a policy used directly (the cost model zero but for poll_detect_ns). */
static struct hp_decision one_halt(const struct hp_policy_ops *ops, void *state,
                                   const struct hp_cost *cost, uint64_t *clock, uint64_t len)
{
	struct hp_halt_in in = {.cpu = 0,
	                        .enter_ns = *clock,
	                        .wake_ns = *clock + len,
	                        .valid_wakeup = true,
	                        .cost = cost};
	struct hp_decision d;

	memset(&d, 0, sizeof(d));
	ops->halt(state, &in, &d);
	*clock = d.end_ns + 1000;
	return d;
}

/*
 * The poll window is 200 us (grow_start 200000: the first short halt grows to
 * it). A wakeup 50 ns before the window ends is within poll_detect_ns (100) of
 * it: the polling loop has not noticed it when the window runs out, but the
 * kernel's last check before scheduling out sees it, so the halt is a
 * successful poll of the whole window, resumed at its end.
 */
static void check_last_look(const char *name, enum hp_layer layer, enum hp_arch arch)
{
	struct hp_kernel k = {.arch = arch, .version = HP_KVER(6, 11, 0)};
	const struct hp_policy_ops *ops;
	struct hp_cost cost;
	struct hp_decision d;
	struct hp_err err;
	uint64_t clock = 1000000;
	void *state;

	ops = hp_policy_lookup(name, layer, &err);
	assert_non_null(ops);
	hp_policy_defaults(ops, &k);
	assert_int_equal(hp_policy_set(ops, "halt_poll_ns", "200000", &err), 0);
	assert_int_equal(hp_policy_set(ops, "halt_poll_ns_grow_start", "200000", &err), 0);
	state = calloc(1, ops->state_size);
	assert_non_null(state);
	ops->init(state, 0);
	memset(&cost, 0, sizeof(cost));
	cost.poll_detect_ns = 100;

	d = one_halt(ops, state, &cost, &clock, 5000);
	assert_int_equal(d.poll_limit_after_ns, 200000);
	d = one_halt(ops, state, &cost, &clock, 200000 - 50);
	assert_int_equal(d.outcome, HP_POLL_HIT);
	assert_false(d.waited);
	assert_int_equal(d.polled_ns, 200000);
	assert_int_equal(d.end_ns - d.enter_ns, 200000);
	/* a wakeup after the window still sleeps */
	d = one_halt(ops, state, &cost, &clock, 200000 + 50);
	assert_int_equal(d.outcome, HP_POLL_MISS);
	assert_true(d.waited);
	free(state);
}

static void test_last_look_kvm(void **unused)
{
	(void)unused;
	check_last_look("kvm", HP_LAYER_HOST, HP_ARCH_X86);
}

static void test_last_look_vcore(void **unused)
{
	(void)unused;
	check_last_look("vcore", HP_LAYER_VCORE, HP_ARCH_PPC);
}

/*
 * What keeps a vCPU's host CPU running more than one task, on report text
 * written here (CPU 1; a kvm-pit thread wakes the vCPU thread "CPU 0/KVM"):
 *  - at .000053 kvm-pit blocks (S) and switches to the vCPU thread: from 6.12
 *    it stays queued (delayed dequeue) until the next switch on CPU 1, the
 *    vCPU sleeping at .000070: contention [53, 70) us; before 6.12 none;
 *  - at .000203 kvm-pit is preempted (R) by the vCPU thread, which sleeps at
 *    .000210: contention [203, 210) us on every release.
 */
static void check_contention(uint32_t kver, size_t want_n, const uint64_t *want)
{
	static const char text[] = "       CPU 0/KVM-4000  [001] 100.000000000: sched_switch: CPU "
	                           "0/KVM:4000 [120] S ==> swapper/1:0 [120]\n"
	                           "          <idle>-0     [001] 100.000050000: sched_switch: "
	                           "swapper/1:0 [120] R ==> kvm-pit:500 [120]\n"
	                           "         kvm-pit-500   [001] 100.000052000: sched_wakeup: CPU "
	                           "0/KVM:4000 [120] CPU:001\n"
	                           "         kvm-pit-500   [001] 100.000053000: sched_switch: "
	                           "kvm-pit:500 [120] S ==> CPU 0/KVM:4000 [120]\n"
	                           "       CPU 0/KVM-4000  [001] 100.000058000: kvm_vcpu_wakeup: "
	                           "wait time 57000 ns, polling valid\n"
	                           "       CPU 0/KVM-4000  [001] 100.000070000: sched_switch: CPU "
	                           "0/KVM:4000 [120] S ==> swapper/1:0 [120]\n"
	                           "          <idle>-0     [001] 100.000200000: sched_switch: "
	                           "swapper/1:0 [120] R ==> kvm-pit:500 [120]\n"
	                           "         kvm-pit-500   [001] 100.000202000: sched_wakeup: CPU "
	                           "0/KVM:4000 [120] CPU:001\n"
	                           "         kvm-pit-500   [001] 100.000203000: sched_switch: "
	                           "kvm-pit:500 [120] R ==> CPU 0/KVM:4000 [120]\n"
	                           "       CPU 0/KVM-4000  [001] 100.000205000: kvm_vcpu_wakeup: "
	                           "wait time 140000 ns, polling valid\n"
	                           "       CPU 0/KVM-4000  [001] 100.000210000: sched_switch: CPU "
	                           "0/KVM:4000 [120] S ==> swapper/1:0 [120]\n"
	                           "          <idle>-0     [001] 100.000300000: sched_switch: "
	                           "swapper/1:0 [120] R ==> kvm-pit:500 [120]\n";
	char path[] = "/tmp/hpsim-divergence-XXXXXX";
	struct hp_read_opts o;
	struct hp_episodes e;
	struct hp_err err;
	size_t i;

	hp_read_opts_init(&o);
	int fd = mkstemp(path);
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	o.use_cache = 0;
	o.host_kver = kver;
	if (hp_trace_read_opts(path, &o, &e, &err) < 0)
		fail_msg("%s", err.msg);
	unlink(path);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.ep[0].flags & HP_EP_REC_SLEPT, HP_EP_REC_SLEPT);
	assert_int_equal(e.nbusy, want_n);
	for (i = 0; i < want_n; i++) {
		assert_int_equal(e.busy[i].cpu, 0);
		assert_int_equal(e.busy[i].start_ns, 100000000000ull + want[2 * i]);
		assert_int_equal(e.busy[i].end_ns, 100000000000ull + want[2 * i + 1]);
	}
	hp_episodes_free(&e);
}

static void test_contention_delayed_dequeue(void **unused)
{
	static const uint64_t v612[] = {53000, 70000, 203000, 210000};
	static const uint64_t v611[] = {203000, 210000};

	(void)unused;
	check_contention(HP_KVER(6, 12, 0), 2, v612);
	check_contention(HP_KVER(6, 18, 0), 2, v612);
	check_contention(HP_KVER(6, 11, 0), 1, v611);
	check_contention(0, 1, v611); /* release unknown: no delayed dequeue */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_closed_irq_before_shifted_halt),
	    cmocka_unit_test(test_closed_latency_within_wait),
	    cmocka_unit_test(test_last_look_kvm),
	    cmocka_unit_test(test_last_look_vcore),
	    cmocka_unit_test(test_contention_delayed_dequeue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
