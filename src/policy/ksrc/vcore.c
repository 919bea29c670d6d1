/*
 * Policy "vcore@kernel": powerpc Book3S HV vcore polling compiled from a
 * kernel tree's arch/powerpc/kvm/book3s_hv.c (kvmppc_vcore_blocked() and its
 * grow and shrink, extracted into the build directory), driven through the
 * same adapter as the project's "vcore". Its parameters are the kvm module's
 * of the same tree, shared with "kvm@kernel".
 */
#include "rename.h"

#include <linux/kvm_host.h>
#include <asm/kvm_book3s.h>

#include "book3s_hv.inc"

#define HP_POLICY_NAME "vcore@kernel"
#define HP_POLICY_SYM  hp_policy_vcore_kernel
#define HP_POLICY_DESC HP_KSRC_DESC("powerpc Book3S HV vcore polling (kvmppc_vcore_blocked)")
#include "vcore_ops.inc"
