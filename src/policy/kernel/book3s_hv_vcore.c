// SPDX-License-Identifier: GPL-2.0-only
/*
 * powerpc Book3S HV vcore halt polling, written for hpsim as kernel C after
 * arch/powerpc/kvm/book3s_hv.c: kvmppc_vcore_blocked() with its own grow and
 * shrink. It uses the kvm module's parameters (halt_poll_ns and friends,
 * defined with the host KVM code) without READ_ONCE, ignores the per-VM
 * ceiling, and charges its statistics to the vcore's runner vCPU.
 */
#include <linux/kvm_host.h>
#include <asm/kvm_book3s.h>

static void grow_halt_poll_ns(struct kvmppc_vcore *vc)
{
	if (!halt_poll_ns_grow)
		return;

	vc->halt_poll_ns *= halt_poll_ns_grow;

	if (hpsim_kernel_version >= KERNEL_VERSION(5, 1, 0)) {
		/* v5.1 (dee339b5): never below halt_poll_ns_grow_start */
		if (vc->halt_poll_ns < halt_poll_ns_grow_start)
			vc->halt_poll_ns = halt_poll_ns_grow_start;
	} else if (vc->halt_poll_ns == 0) {
		/* before v5.1 a fixed 10 us start from 0 (UNVERIFIED for v4.10 to v5.0) */
		vc->halt_poll_ns = 10000;
	}
}

static void shrink_halt_poll_ns(struct kvmppc_vcore *vc)
{
	/* no reset below grow_start here, unlike generic KVM since v5.15 */
	if (halt_poll_ns_shrink == 0)
		vc->halt_poll_ns = 0;
	else
		vc->halt_poll_ns /= halt_poll_ns_shrink;
}

/* All runnable vCPUs of the vcore have ceded: poll, then sleep, until one wakes. */
static void kvmppc_vcore_blocked(struct kvmppc_vcore *vc)
{
	ktime_t cur, start_poll, start_wait;
	int do_sleep = 1;
	u64 block_ns;

	WARN_ON_ONCE(cpu_has_feature(CPU_FTR_ARCH_300));

	cur = start_poll = ktime_get();
	if (vc->halt_poll_ns) {
		ktime_t stop = ktime_add_ns(start_poll, vc->halt_poll_ns);

		++vc->runner->stat.generic.halt_attempted_poll;

		vc->vcore_state = VCORE_POLLING;
		spin_unlock(&vc->lock);

		do {
			if (kvmppc_vcore_check_block(vc)) {
				do_sleep = 0;
				break;
			}
			cur = ktime_get();
			/* v5.13: a pending reschedule also ends the poll */
		} while (hpsim_kernel_version >= KERNEL_VERSION(5, 13, 0)
		             ? kvm_vcpu_can_poll(cur, stop)
		             : single_task_running() && ktime_before(cur, stop));

		spin_lock(&vc->lock);
		vc->vcore_state = VCORE_INACTIVE;

		if (!do_sleep) {
			++vc->runner->stat.generic.halt_successful_poll;
			goto out;
		}
	}

	prepare_to_rcuwait(&vc->wait);
	set_current_state(TASK_INTERRUPTIBLE);
	/* a last look before sleeping still counts as a successful poll */
	if (kvmppc_vcore_check_block(vc)) {
		finish_rcuwait(&vc->wait);
		do_sleep = 0;
		if (vc->halt_poll_ns)
			++vc->runner->stat.generic.halt_successful_poll;
		goto out;
	}

	start_wait = ktime_get();

	vc->vcore_state = VCORE_SLEEPING;
	trace_kvmppc_vcore_blocked(vc->runner, 0);
	spin_unlock(&vc->lock);
	schedule();
	finish_rcuwait(&vc->wait);
	spin_lock(&vc->lock);
	vc->vcore_state = VCORE_INACTIVE;
	trace_kvmppc_vcore_blocked(vc->runner, 1);
	++vc->runner->stat.halt_successful_wait;

	cur = ktime_get();

out:
	block_ns = ktime_to_ns(cur) - ktime_to_ns(start_poll);

	if (do_sleep) {
		vc->runner->stat.generic.halt_wait_ns += ktime_to_ns(cur) - ktime_to_ns(start_wait);
		KVM_STATS_LOG_HIST_UPDATE(vc->runner->stat.generic.halt_wait_hist,
		                          ktime_to_ns(cur) - ktime_to_ns(start_wait));
		if (vc->halt_poll_ns) {
			vc->runner->stat.generic.halt_poll_fail_ns +=
			    ktime_to_ns(start_wait) - ktime_to_ns(start_poll);
			KVM_STATS_LOG_HIST_UPDATE(vc->runner->stat.generic.halt_poll_fail_hist,
			                          ktime_to_ns(start_wait) -
			                              ktime_to_ns(start_poll));
		}
	} else if (vc->halt_poll_ns) {
		vc->runner->stat.generic.halt_poll_success_ns +=
		    ktime_to_ns(cur) - ktime_to_ns(start_poll);
		KVM_STATS_LOG_HIST_UPDATE(vc->runner->stat.generic.halt_poll_success_hist,
		                          ktime_to_ns(cur) - ktime_to_ns(start_poll));
	}

	/* decide on the block time, against the module parameter directly */
	if (halt_poll_ns) {
		if (block_ns <= vc->halt_poll_ns)
			;
		else if (vc->halt_poll_ns && block_ns > halt_poll_ns)
			shrink_halt_poll_ns(vc);
		else if (vc->halt_poll_ns < halt_poll_ns && block_ns < halt_poll_ns)
			grow_halt_poll_ns(vc);
		/* the clamp comes after the decision */
		if (vc->halt_poll_ns > halt_poll_ns)
			vc->halt_poll_ns = halt_poll_ns;
	} else {
		vc->halt_poll_ns = 0;
	}

	trace_kvmppc_vcore_wakeup(do_sleep, block_ns);
}
