/* The policies compiled from a kernel tree (cmake -DHPSIM_KERNEL_SRC=...), for the registry. */
#ifndef HPSIM_KSRC_H
#define HPSIM_KSRC_H

#ifdef HPSIM_HAVE_KERNEL_SRC
extern const struct hp_policy_ops hp_policy_haltpoll_kernel, hp_policy_kvm_kernel,
    hp_policy_vcore_kernel;
/* haltpoll@kernel, kvm@kernel and vcore@kernel, as registry entries. */
#define HP_KSRC_POLICIES &hp_policy_haltpoll_kernel, &hp_policy_kvm_kernel, &hp_policy_vcore_kernel,
#else
#define HP_KSRC_POLICIES
#endif

#endif
