/* Host cpuidle governor "teo": the project's kernel C (kernel/teo.c) through the idle adapter. */
#include "kernel/teo.c"

#define HP_IDLE_GOV   teo_governor
#define HP_IDLE_PCPU  teo_cpus
#define HP_IDLE_SINCE KERNEL_VERSION(5, 1, 0)
#define HP_IDLE_NAME  "teo"
#define HP_IDLE_SYM   hp_idle_gov_teo
#include "idle_gov.h"
