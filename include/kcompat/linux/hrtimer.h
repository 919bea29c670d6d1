/* kcompat: nothing of <linux/hrtimer.h> is needed by the halt-polling code. */
#ifndef KCOMPAT_LINUX_HRTIMER_H
#define KCOMPAT_LINUX_HRTIMER_H
#include <linux/ktime.h>
#endif
