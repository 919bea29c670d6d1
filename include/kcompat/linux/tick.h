/* kcompat: nothing of <linux/tick.h> is needed by the halt-polling code. */
#ifndef KCOMPAT_LINUX_TICK_H
#define KCOMPAT_LINUX_TICK_H
#include <linux/ktime.h>
#endif
