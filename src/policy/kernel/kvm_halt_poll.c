// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host KVM halt polling, written for hpsim as kernel C. It mirrors the
 * halt-polling part of virt/kvm/kvm_main.c: the same function names, types,
 * u32 arithmetic, module-parameter globals and control flow, so that the
 * same shim also compiles the real functions (the kernel-source build).
 *
 * One copy of each function serves every modelled release; each difference
 * is a branch on hpsim_kernel_version naming the release that introduced it.
 * Releases marked UNVERIFIED are from commit messages, not read in source.
 */
#include <linux/kvm_host.h>
#include <linux/module.h>

#define KVER hpsim_kernel_version

/* The newest defaults; the registry resets them per --kernel and --arch. */
unsigned int halt_poll_ns = KVM_HALT_POLL_NS_DEFAULT;
module_param(halt_poll_ns, uint, 0644);

unsigned int halt_poll_ns_grow = 2;
module_param(halt_poll_ns_grow, uint, 0644);

/* v5.1 (49113d360bde); before it the start value was a fixed 10 us. */
unsigned int halt_poll_ns_grow_start = 10000;
module_param(halt_poll_ns_grow_start, uint, 0644);

/* 0 through v6.10; 2 from v6.11 (aeb1b22a3ac8). */
unsigned int halt_poll_ns_shrink = 2;
module_param(halt_poll_ns_shrink, uint, 0644);

static void grow_halt_poll_ns(struct kvm_vcpu *vcpu)
{
	unsigned int old, val, grow, grow_start;

	old = val = vcpu->halt_poll_ns;
	grow_start = READ_ONCE(halt_poll_ns_grow_start);
	grow = READ_ONCE(halt_poll_ns_grow);

	if (KVER < KERNEL_VERSION(5, 1, 0)) {
		/* v4.3: from 0 start at a fixed 10 us; grow == 0 multiplies the value to 0 */
		if (val == 0 && grow)
			val = 10000;
		else
			val *= grow;
	} else {
		/* v5.1 (7fa08e71, dee339b5): grow == 0 keeps the value; never below grow_start */
		if (!grow)
			goto out;
		val *= grow;
		if (val < grow_start)
			val = grow_start;
	}

	/*
	 * v4.6 (313f636d5c49, UNVERIFIED whether 4.5 or 4.6) to v6.0: clamp at
	 * the ceiling, the module parameter until v5.13 (258785ef08b3) and the
	 * VM's max_halt_poll_ns after. v6.1 (97b6847ac10b) caps at the next
	 * halt's entry instead.
	 */
	if (KVER >= KERNEL_VERSION(4, 6, 0) && KVER < KERNEL_VERSION(6, 1, 0)) {
		unsigned int ceiling = KVER >= KERNEL_VERSION(5, 13, 0)
		                           ? vcpu->kvm->max_halt_poll_ns
		                           : READ_ONCE(halt_poll_ns);

		if (val > ceiling)
			val = ceiling;
	}

	vcpu->halt_poll_ns = val;
out:
	trace_kvm_halt_poll_ns_grow(vcpu->vcpu_id, val, old);
}

static void shrink_halt_poll_ns(struct kvm_vcpu *vcpu)
{
	unsigned int old, val, shrink, grow_start;

	old = val = vcpu->halt_poll_ns;
	shrink = READ_ONCE(halt_poll_ns_shrink);
	grow_start = READ_ONCE(halt_poll_ns_grow_start);

	if (shrink == 0)
		val = 0;
	else
		val /= shrink;

	/* v5.15 (ae232ea46088): a value below grow_start resets to 0 */
	if (KVER >= KERNEL_VERSION(5, 15, 0) && val < grow_start)
		val = 0;

	vcpu->halt_poll_ns = val;
	trace_kvm_halt_poll_ns_shrink(vcpu->vcpu_id, val, old);
}

static int kvm_vcpu_check_block(struct kvm_vcpu *vcpu)
{
	int ret = -EINTR;
	int idx = srcu_read_lock(&vcpu->kvm->srcu);

	if (kvm_arch_vcpu_runnable(vcpu))
		goto out;
	if (kvm_cpu_has_pending_timer(vcpu))
		goto out;
	if (signal_pending(current))
		goto out;
	if (kvm_check_request(KVM_REQ_UNBLOCK, vcpu))
		goto out;

	ret = 0;
out:
	srcu_read_unlock(&vcpu->kvm->srcu, idx);
	return ret;
}

/* Sleep until a wake event; true if schedule() ran at least once. */
bool kvm_vcpu_block(struct kvm_vcpu *vcpu)
{
	struct rcuwait *wait = kvm_arch_vcpu_get_wait(vcpu);
	bool waited = false;

	vcpu->stat.generic.blocking = 1;

	preempt_disable();
	kvm_arch_vcpu_blocking(vcpu);
	prepare_to_rcuwait(wait);
	preempt_enable();

	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);

		if (kvm_vcpu_check_block(vcpu) < 0)
			break;

		waited = true;
		schedule();
	}

	preempt_disable();
	finish_rcuwait(wait);
	kvm_arch_vcpu_unblocking(vcpu);
	preempt_enable();

	vcpu->stat.generic.blocking = 0;

	return waited;
}

/*
 * The v5.17 statistics (Sean Christopherson's series): counted if and only
 * if polling was attempted, successful meaning "never scheduled out". The
 * older counting rules differ in detail but not in any decision; hpsim
 * reports the v5.17 meaning for every release.
 */
static inline void update_halt_poll_stats(struct kvm_vcpu *vcpu, ktime_t start, ktime_t end,
                                          bool success)
{
	struct kvm_vcpu_stat_generic *stats = &vcpu->stat.generic;
	u64 poll_ns = ktime_to_ns(ktime_sub(end, start));

	++stats->halt_attempted_poll;

	if (success) {
		++stats->halt_successful_poll;

		if (!vcpu_valid_wakeup(vcpu))
			++stats->halt_poll_invalid;

		stats->halt_poll_success_ns += poll_ns;
		KVM_STATS_LOG_HIST_UPDATE(stats->halt_poll_success_hist, poll_ns);
	} else {
		stats->halt_poll_fail_ns += poll_ns;
		KVM_STATS_LOG_HIST_UPDATE(stats->halt_poll_fail_hist, poll_ns);
	}
}

static unsigned int kvm_vcpu_max_halt_poll_ns(struct kvm_vcpu *vcpu)
{
	struct kvm *kvm = vcpu->kvm;

	/* v6.1 (9eb8ca049c23): the module parameter unless the VM used KVM_CAP_HALT_POLL */
	if (KVER >= KERNEL_VERSION(6, 1, 0)) {
		if (kvm->override_halt_poll_ns) {
			smp_rmb();
			return READ_ONCE(kvm->max_halt_poll_ns);
		}
		return READ_ONCE(halt_poll_ns);
	}
	/* v5.8 (acd05785e48c) to v6.0: the VM's value, snapshot at creation or set by the cap */
	if (KVER >= KERNEL_VERSION(5, 8, 0))
		return READ_ONCE(kvm->max_halt_poll_ns);
	return READ_ONCE(halt_poll_ns);
}

void kvm_vcpu_halt(struct kvm_vcpu *vcpu)
{
	unsigned int max_halt_poll_ns = kvm_vcpu_max_halt_poll_ns(vcpu);
	bool halt_poll_allowed = true;
	ktime_t start, cur, poll_end;
	bool waited = false;
	bool do_halt_poll;
	u64 halt_ns;

	/* v5.3 (kvm_arch_no_poll; UNVERIFIED whether 5.2 or 5.3): the arch may forbid polling */
	if (KVER >= KERNEL_VERSION(5, 3, 0))
		halt_poll_allowed = !kvm_arch_no_poll(vcpu);

	/* v6.1 (97b6847ac10b): cap at entry, silently, rather than in grow */
	if (KVER >= KERNEL_VERSION(6, 1, 0) && vcpu->halt_poll_ns > max_halt_poll_ns)
		vcpu->halt_poll_ns = max_halt_poll_ns;

	do_halt_poll = halt_poll_allowed && vcpu->halt_poll_ns;

	start = cur = poll_end = ktime_get();
	if (do_halt_poll) {
		ktime_t stop = ktime_add_ns(start, vcpu->halt_poll_ns);

		do {
			if (kvm_vcpu_check_block(vcpu) < 0)
				goto out;
			cpu_relax();
			poll_end = cur = ktime_get();
			/* v5.13 (Segall): a pending reschedule also ends the poll */
		} while (KVER >= KERNEL_VERSION(5, 13, 0)
		             ? kvm_vcpu_can_poll(cur, stop)
		             : single_task_running() && ktime_before(cur, stop));
	}

	waited = kvm_vcpu_block(vcpu);

	cur = ktime_get();
	if (waited) {
		vcpu->stat.generic.halt_wait_ns += ktime_to_ns(cur) - ktime_to_ns(poll_end);
		KVM_STATS_LOG_HIST_UPDATE(vcpu->stat.generic.halt_wait_hist,
		                          ktime_to_ns(cur) - ktime_to_ns(poll_end));
	}
out:
	/* everything from entry to running again, polling included */
	halt_ns = ktime_to_ns(cur) - ktime_to_ns(start);

	if (do_halt_poll)
		update_halt_poll_stats(vcpu, start, poll_end, !waited);

	/* v5.5 (44551b2f693d): no adjustment while the arch forbids polling */
	if (halt_poll_allowed || KVER < KERNEL_VERSION(5, 5, 0)) {
		max_halt_poll_ns = kvm_vcpu_max_halt_poll_ns(vcpu);

		/* v4.8 (3491caf2755e; UNVERIFIED whether 4.7 or 4.8): an invalid wakeup shrinks */
		if (KVER >= KERNEL_VERSION(4, 8, 0) && !vcpu_valid_wakeup(vcpu)) {
			shrink_halt_poll_ns(vcpu);
		} else if (max_halt_poll_ns) {
			if (halt_ns <= vcpu->halt_poll_ns)
				;
			/* a long halt: poll less */
			else if (vcpu->halt_poll_ns && halt_ns > max_halt_poll_ns)
				shrink_halt_poll_ns(vcpu);
			/* a short halt the poll did not cover: poll more */
			else if (vcpu->halt_poll_ns < max_halt_poll_ns &&
			         halt_ns < max_halt_poll_ns)
				grow_halt_poll_ns(vcpu);
		} else {
			vcpu->halt_poll_ns = 0;
		}
	}

	trace_kvm_vcpu_wakeup(halt_ns, waited, vcpu_valid_wakeup(vcpu));
}
