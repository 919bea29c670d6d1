/*
 * Policy "kvm": host KVM halt polling (virt/kvm/kvm_main.c): the project's
 * kernel C, driven through the shared adapter.
 */
#include "kernel/kvm_halt_poll.c"

#define HP_POLICY_NAME "kvm"
#define HP_POLICY_SYM  hp_policy_kvm
#include "kvm_ops.inc"
