/* kcompat: cpu_relax() is a polling step of the simulated clock. */
#ifndef KCOMPAT_ASM_PROCESSOR_H
#define KCOMPAT_ASM_PROCESSOR_H

#include "hpsim_shim.h"

static inline void cpu_relax(void)
{
	hp_shim_poll_step();
}

#endif
