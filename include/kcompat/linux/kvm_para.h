/* kcompat: the simulated guest always runs on KVM. */
#ifndef KCOMPAT_LINUX_KVM_PARA_H
#define KCOMPAT_LINUX_KVM_PARA_H

#include <linux/types.h>

static inline bool kvm_para_available(void)
{
	return true;
}

#endif
