/*
 * The kernel tree's global names, renamed so that its code links into the
 * same binary as the project's own kernel C (which defines the same names).
 * Included first by every kernel-source policy file. The per-vCPU and
 * per-vcore halt_poll_ns fields are renamed along with the module parameter
 * of the same name: within these files, consistently, without changing the
 * layout of the kcompat structures.
 */
#ifndef HPSIM_KSRC_RENAME_H
#define HPSIM_KSRC_RENAME_H

#define halt_poll_ns            kernel_halt_poll_ns
#define halt_poll_ns_grow       kernel_halt_poll_ns_grow
#define halt_poll_ns_grow_start kernel_halt_poll_ns_grow_start
#define halt_poll_ns_shrink     kernel_halt_poll_ns_shrink
#define kvm_vcpu_halt           kernel_kvm_vcpu_halt
#define kvm_vcpu_block          kernel_kvm_vcpu_block
#define cpuidle_poll_time       kernel_cpuidle_poll_time

#include "hpsim_ksrc.h"

/* The description of a policy built from the tree: what it is and where it came from. */
/* The @kernel policies are the tree's release: their kernel defaults to it. */
#define HP_POLICY_TREE_KVER HPSIM_KSRC_KVER
#define HP_KSRC_DESC(what)  what " from the kernel tree " HPSIM_KSRC_PATH " (" HPSIM_KSRC_VERSION ")"

#endif
