/* kcompat: min/max, ARRAY_SIZE, fls64, KERNEL_VERSION, the integer limits. */
#ifndef KCOMPAT_LINUX_KERNEL_H
#define KCOMPAT_LINUX_KERNEL_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <limits.h>
#include <string.h>

#define U32_MAX ((u32)~0U)
#define S64_MAX ((s64)(~0ULL >> 1))
#define U64_MAX ((u64)~0ULL)

#define ARRAY_SIZE(a)           (sizeof(a) / sizeof((a)[0]))
#define min(a, b)               ((a) < (b) ? (a) : (b))
#define max(a, b)               ((a) > (b) ? (a) : (b))
#define min_t(t, a, b)          ((t)(a) < (t)(b) ? (t)(a) : (t)(b))
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define NSEC_PER_USEC           1000L
#define NSEC_PER_SEC            1000000000L
#define EINTR                   4
#define EBUSY                   16
#define EINVAL                  22

/* 1-based index of the most significant set bit; 0 for 0. */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

#endif
