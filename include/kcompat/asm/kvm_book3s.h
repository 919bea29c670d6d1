/*
 * kcompat: the powerpc Book3S HV virtual core as kvmppc_vcore_blocked() sees
 * it. A vcore groups the vCPUs (hardware threads) of one core; its runner is
 * the vCPU whose task runs the vcore loop and is charged the statistics.
 */
#ifndef KCOMPAT_ASM_KVM_BOOK3S_H
#define KCOMPAT_ASM_KVM_BOOK3S_H

#include <linux/kvm_host.h>

enum {
	VCORE_INACTIVE = 0,
	VCORE_SLEEPING = 1,
	VCORE_PREEMPT = 2,
	VCORE_RUNNING = 3,
	VCORE_EXITING = 4,
	VCORE_POLLING = 5,
};

typedef struct {
	int unused;
} spinlock_t;

struct kvmppc_vcore {
	int n_runnable;
	int num_threads;
	spinlock_t lock;
	struct rcuwait wait;
	int vcore_state;
	struct kvm_vcpu *runner;
	struct kvm *kvm;
	unsigned int halt_poll_ns;
};

#define CPU_FTR_ARCH_300 1

static inline bool cpu_has_feature(int feature)
{
	(void)feature; /* the vcore path is the POWER7/8 one: no ISA v3.00 */
	return false;
}

#define WARN_ON_ONCE(cond) ((void)(cond))

static inline void spin_lock(spinlock_t *l)
{
	(void)l;
}

static inline void spin_unlock(spinlock_t *l)
{
	(void)l;
}

/* Some runnable vCPU of the vcore has a wakeup pending (or never ceded): stop blocking. */
static inline int kvmppc_vcore_check_block(struct kvmppc_vcore *vc)
{
	(void)vc;
	return hp_shim_woken();
}

static inline void trace_kvmppc_vcore_blocked(struct kvm_vcpu *runner, int where)
{
	(void)runner;
	(void)where;
}

static inline void trace_kvmppc_vcore_wakeup(int do_sleep, u64 ns)
{
	hp_shim->wakeup_traced = true;
	hp_shim->wakeup_trace_ns = ns;
	hp_shim->wakeup_waited = do_sleep != 0;
	hp_shim->wakeup_valid = true;
}

#endif
