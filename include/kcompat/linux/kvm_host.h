/*
 * kcompat: the parts of struct kvm / struct kvm_vcpu that halt polling
 * touches, with the statistics of struct kvm_vcpu_stat_generic, and the arch
 * hooks answered from the simulation (hpsim_arch, the vCPU's arch fields).
 */
#ifndef KCOMPAT_LINUX_KVM_HOST_H
#define KCOMPAT_LINUX_KVM_HOST_H

#include <linux/types.h>
#include <linux/kernel.h>
#include <linux/compiler.h>
#include <linux/ktime.h>
#include <linux/sched.h>
#include <linux/rcuwait.h>
#include <linux/module.h>
#include "hpsim_shim.h"

/* x86's value; the registry sets the per-architecture default at run time. */
#define KVM_HALT_POLL_NS_DEFAULT 200000
#define HALT_POLL_HIST_COUNT     32
#define KVM_REQ_UNBLOCK          0

/* enum hp_arch values, for the arch hooks below */
#define HPSIM_ARCH_X86   0
#define HPSIM_ARCH_ARM64 1
#define HPSIM_ARCH_S390  2
#define HPSIM_ARCH_PPC   3

struct srcu_struct {
	int unused;
};

struct kvm {
	struct srcu_struct srcu;
	unsigned int max_halt_poll_ns; /* KVM_CAP_HALT_POLL value */
	bool override_halt_poll_ns;    /* the VM enabled KVM_CAP_HALT_POLL (6.1+) */
};

struct kvm_vcpu_stat_generic {
	u64 halt_successful_poll;
	u64 halt_attempted_poll;
	u64 halt_poll_invalid;
	u64 halt_wakeup;
	u64 halt_poll_success_ns;
	u64 halt_poll_fail_ns;
	u64 halt_wait_ns;
	u64 halt_poll_success_hist[HALT_POLL_HIST_COUNT];
	u64 halt_poll_fail_hist[HALT_POLL_HIST_COUNT];
	u64 halt_wait_hist[HALT_POLL_HIST_COUNT];
	u64 blocking;
};

struct kvm_vcpu_stat {
	struct kvm_vcpu_stat_generic generic;
	u64 halt_exits;
	u64 halt_successful_wait; /* powerpc Book3S HV */
};

struct kvm_vcpu_arch {
	u64 msr_kvm_poll_control; /* x86: bit 0 clear = the guest polls, host must not */
	bool steal_too_high;      /* s390: average steal >= halt_poll_max_steal */
};

struct kvm_vcpu {
	struct kvm *kvm;
	int vcpu_id;
	unsigned int halt_poll_ns;
	bool valid_wakeup;
	struct rcuwait wait;
	struct kvm_vcpu_stat stat;
	struct kvm_vcpu_arch arch;
};

static inline int srcu_read_lock(struct srcu_struct *s)
{
	(void)s;
	return 0;
}

static inline void srcu_read_unlock(struct srcu_struct *s, int idx)
{
	(void)s;
	(void)idx;
}

/* The vCPU has a wakeup to run: the simulated one has arrived and is visible. */
static inline bool kvm_arch_vcpu_runnable(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
	return hp_shim_woken();
}

static inline int kvm_cpu_has_pending_timer(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

static inline bool kvm_check_request(int req, struct kvm_vcpu *vcpu)
{
	(void)req;
	(void)vcpu;
	return false;
}

static inline struct rcuwait *kvm_arch_vcpu_get_wait(struct kvm_vcpu *vcpu)
{
	return &vcpu->wait;
}

static inline void kvm_arch_vcpu_blocking(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
}

static inline void kvm_arch_vcpu_unblocking(struct kvm_vcpu *vcpu)
{
	(void)vcpu;
}

static inline bool kvm_vcpu_can_poll(ktime_t cur, ktime_t stop)
{
	return single_task_running() && !need_resched() && ktime_before(cur, stop);
}

/* s390 qualifies wakeups (CONFIG_HAVE_KVM_INVALID_WAKEUPS); elsewhere every wakeup is valid. */
static inline bool vcpu_valid_wakeup(struct kvm_vcpu *vcpu)
{
	return hpsim_arch == HPSIM_ARCH_S390 ? vcpu->valid_wakeup : true;
}

/* x86: the guest's poll-control MSR; s390: steal time; elsewhere host polling is always allowed. */
static inline bool kvm_arch_no_poll(struct kvm_vcpu *vcpu)
{
	if (hpsim_arch == HPSIM_ARCH_X86)
		return (vcpu->arch.msr_kvm_poll_control & 1) == 0;
	if (hpsim_arch == HPSIM_ARCH_S390)
		return vcpu->arch.steal_too_high;
	return false;
}

static inline void kvm_stats_log_hist_update(u64 *data, size_t size, u64 value)
{
	size_t index = (size_t)fls64(value);

	if (index > size - 1)
		index = size - 1;
	++data[index];
}

#define KVM_STATS_LOG_HIST_UPDATE(array, value)                                                    \
	kvm_stats_log_hist_update(array, ARRAY_SIZE(array), value)

extern unsigned int halt_poll_ns;
extern unsigned int halt_poll_ns_grow;
extern unsigned int halt_poll_ns_grow_start;
extern unsigned int halt_poll_ns_shrink;

void kvm_vcpu_halt(struct kvm_vcpu *vcpu);
bool kvm_vcpu_block(struct kvm_vcpu *vcpu);

#include <trace/events/kvm.h>

#endif
