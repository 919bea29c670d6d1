/* kcompat: nothing of <linux/time.h> is needed by the halt-polling code. */
#ifndef KCOMPAT_LINUX_TIME_H
#define KCOMPAT_LINUX_TIME_H
#include <linux/ktime.h>
#endif
