/* kcompat: compiler helpers. One simulated CPU runs at a time: plain accesses suffice. */
#ifndef KCOMPAT_LINUX_COMPILER_H
#define KCOMPAT_LINUX_COMPILER_H

#define READ_ONCE(x)     (x)
#define WRITE_ONCE(x, v) ((x) = (v))
#define likely(x)        __builtin_expect(!!(x), 1)
#define unlikely(x)      __builtin_expect(!!(x), 0)
#define smp_rmb()                                                                                  \
	do {                                                                                       \
	} while (0)
#define smp_wmb()                                                                                  \
	do {                                                                                       \
	} while (0)
#define __read_mostly
#define __cpuidle
#define noinstr
#define __init
#define __exit

#endif
