/* kcompat: HZ and TICK_NSEC come with <linux/cpuidle.h>. */
#ifndef KCOMPAT_LINUX_JIFFIES_H
#define KCOMPAT_LINUX_JIFFIES_H
#include <linux/cpuidle.h>
#endif
