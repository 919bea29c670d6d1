/* The host cpuidle governors compiled from a kernel tree (cmake -DHPSIM_KERNEL_SRC=...). */
#ifndef HPSIM_KSRC_IDLE_H
#define HPSIM_KSRC_IDLE_H

#ifdef HPSIM_HAVE_KERNEL_SRC
extern const struct hp_idle_gov_ops hp_idle_gov_menu_kernel, hp_idle_gov_teo_kernel;
/* menu@kernel and teo@kernel, as registry entries. */
#define HP_KSRC_IDLE_GOVS &hp_idle_gov_menu_kernel, &hp_idle_gov_teo_kernel,
#else
#define HP_KSRC_IDLE_GOVS
#endif

#endif
