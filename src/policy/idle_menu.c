/* Host cpuidle governor "menu": the project's kernel C (kernel/menu.c) through the idle adapter. */
#include "kernel/menu.c"

#define HP_IDLE_GOV   menu_governor
#define HP_IDLE_PCPU  menu_devices
#define HP_IDLE_SINCE KERNEL_VERSION(2, 6, 24)
#define HP_IDLE_NAME  "menu"
#define HP_IDLE_SYM   hp_idle_gov_menu
#include "idle_gov.h"
