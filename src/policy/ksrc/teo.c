/*
 * Host cpuidle governor "teo@kernel": a kernel tree's whole
 * drivers/cpuidle/governors/teo.c (copied into the build directory by
 * scripts/ksrc-prepare.sh), driven through the same idle adapter as the
 * project's "teo". It is the tree's release whatever release it is created for.
 */
#include "rename.h"

/* postcore_initcall(), which the kernel has from <linux/init.h> */
#include <linux/module.h>

#include "tree/drivers/cpuidle/governors/teo.c"

#define HP_IDLE_GOV       teo_governor
#define HP_IDLE_PCPU      teo_cpus
#define HP_IDLE_SINCE     KERNEL_VERSION(5, 1, 0)
#define HP_IDLE_NAME      "teo@kernel"
#define HP_IDLE_SYM       hp_idle_gov_teo_kernel
#define HP_IDLE_TREE_KVER HPSIM_KSRC_KVER
#include "idle_gov.h"
