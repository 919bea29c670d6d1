/* kcompat: the kernel's 64-bit division helpers, with their types. */
#ifndef KCOMPAT_LINUX_MATH64_H
#define KCOMPAT_LINUX_MATH64_H
#include <linux/types.h>

static inline u64 div_u64(u64 dividend, u32 divisor)
{
	return dividend / divisor;
}

static inline u64 div64_u64(u64 dividend, u64 divisor)
{
	return dividend / divisor;
}

/* divides n in place by base and yields the remainder, as the kernel's macro */
#define do_div(n, base)                                                                            \
	({                                                                                         \
		u32 hp_base_ = (base);                                                             \
		u32 hp_rem_ = (u32)((n) % hp_base_);                                               \
		(n) = (n) / hp_base_;                                                              \
		hp_rem_;                                                                           \
	})

#endif
