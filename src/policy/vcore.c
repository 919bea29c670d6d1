/*
 * Policy "vcore": powerpc Book3S HV vcore halt polling, the project's kernel
 * C, driven through the adapter. Its parameters are the kvm module's, shared
 * with policy "kvm" (the globals live in kernel/kvm_halt_poll.c).
 */
#include <linux/kvm_host.h>

#include "kernel/book3s_hv_vcore.c"

#define HP_POLICY_NAME "vcore"
#define HP_POLICY_SYM  hp_policy_vcore
#include "vcore_ops.inc"
