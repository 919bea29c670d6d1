/* Host cpuidle governor "ladder": the project's kernel C (kernel/ladder.c) through the idle
 * adapter. */
#include "kernel/ladder.c"

#define HP_IDLE_GOV   ladder_governor
#define HP_IDLE_PCPU  ladder_devices
#define HP_IDLE_SINCE KERNEL_VERSION(2, 6, 24)
#define HP_IDLE_NAME  "ladder"
#define HP_IDLE_SYM   hp_idle_gov_ladder
#include "idle_gov.h"
