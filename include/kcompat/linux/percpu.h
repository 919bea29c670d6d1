/*
 * kcompat: per-CPU variables as the kernel lays them out. DEFINE_PER_CPU
 * defines the template (never used for data); each simulated CPU owns its
 * own area of the same type, and this_cpu_ptr()/per_cpu_ptr() add the running
 * CPU's offset (hp_idle_io->this_cpu_off) to the template's address, as the
 * kernel adds __per_cpu_offset. A governor instance is one CPU: the cpu
 * argument names the CPU that is running, so the offset is the same.
 */
#ifndef KCOMPAT_LINUX_PERCPU_H
#define KCOMPAT_LINUX_PERCPU_H

#include <stdint.h>
#include "hpsim_idle_shim.h"

#define DEFINE_PER_CPU(type, name) type name
#define this_cpu_ptr(ptr)          ((__typeof__(ptr))((uintptr_t)(ptr) + hp_idle_io->this_cpu_off))
#define per_cpu_ptr(ptr, cpu)      ((void)(cpu), this_cpu_ptr(ptr))
#define per_cpu(var, cpu)          (*per_cpu_ptr(&(var), cpu))

#endif
