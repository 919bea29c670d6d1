/* kcompat: the architecture's idle instruction (x86 `sti; hlt`) exits to the host. */
#ifndef KCOMPAT_ASM_IDLE_H
#define KCOMPAT_ASM_IDLE_H

#include "hpsim_shim.h"

static inline void default_idle(void)
{
	hp_shim_hlt();
}

#endif
