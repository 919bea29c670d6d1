/*
 * Host cpuidle governor "menu@kernel": a kernel tree's whole
 * drivers/cpuidle/governors/menu.c (copied into the build directory by
 * scripts/ksrc-prepare.sh), driven through the same idle adapter as the
 * project's "menu". It is the tree's release whatever release it is created for.
 */
#include "rename.h"

/* postcore_initcall(), which the kernel has from <linux/init.h> */
#include <linux/module.h>

#include "tree/drivers/cpuidle/governors/menu.c"

#define HP_IDLE_GOV       menu_governor
#define HP_IDLE_PCPU      menu_devices
#define HP_IDLE_SINCE     KERNEL_VERSION(2, 6, 24)
#define HP_IDLE_NAME      "menu@kernel"
#define HP_IDLE_SYM       hp_idle_gov_menu_kernel
#define HP_IDLE_TREE_KVER HPSIM_KSRC_KVER
#include "idle_gov.h"
