/*
 * Policy "kvm@kernel": host KVM halt polling compiled from a kernel tree's
 * virt/kvm/kvm_main.c (the functions and module parameters that
 * scripts/ksrc-prepare.sh extracted into the build directory), driven through
 * the same adapter as the project's "kvm".
 */
#include "rename.h"

#include <linux/kvm_host.h>
#include <linux/module.h>

#include "kvm_main.inc"

#define HP_POLICY_NAME "kvm@kernel"
#define HP_POLICY_SYM  hp_policy_kvm_kernel
#define HP_POLICY_DESC HP_KSRC_DESC("host KVM halt polling (kvm_vcpu_halt)")
#include "kvm_ops.inc"
