/*
 * The adapter between the engine and a host cpuidle governor (menu, teo,
 * ladder): one CPU's cpuidle driver and device built from an idle-state
 * table, the CPU's own per-CPU governor data, and the idle inputs of
 * include/kcompat/hpsim_idle_shim.h. Included after the kernel C it drives:
 * by menu.c, teo.c and ladder.c for the project's own governors, and by the
 * kernel-source build for the real ones. The includer defines
 *   HP_IDLE_GOV       the struct cpuidle_governor of the kernel C
 *   HP_IDLE_PCPU      its DEFINE_PER_CPU variable
 *   HP_IDLE_NAME      the name in the registry
 *   HP_IDLE_SYM       the struct hp_idle_gov_ops to define
 *   HP_IDLE_SINCE     the release that merged the governor (KERNEL_VERSION)
 * and, for a kernel tree's governor, HP_IDLE_TREE_KVER, the tree's release:
 * the code is that release's whatever release the instance is created for.
 */
#include <stdlib.h>
#include <string.h>

#include "hpsim/idle.h"
#include "hpsim_idle_shim.h"
#include "idle_adapter.h"

static struct hp_idle_gov *idle_gov_create(const struct hp_idle_table *t, unsigned major,
                                           unsigned minor, struct hp_err *err)
{
	struct hp_idle_gov *g;
	unsigned int kver = (major << 16) + (minor << 8);
	struct hp_idle_call call;

#ifdef HP_IDLE_TREE_KVER
	kver = HP_IDLE_TREE_KVER;
#endif
	if (hp_idle_gov_check(HP_IDLE_NAME, t, kver, HP_IDLE_SINCE, err))
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g || !(g->pcpu = calloc(1, sizeof(HP_IDLE_PCPU)))) {
		free(g);
		hp_errf(err, "%s: out of memory", HP_IDLE_NAME);
		return NULL;
	}
	g->kver = kver;
	g->this_cpu_off = (uintptr_t)g->pcpu - (uintptr_t)&HP_IDLE_PCPU;
	hp_idle_gov_init(g, t);
	hp_idle_enter(g, &call);
	HP_IDLE_GOV.enable(&g->drv, &g->dev);
	hp_idle_leave(&call);
	return g;
}

static int idle_gov_select(struct hp_idle_gov *g, const struct hp_idle_ctx *ctx, bool *stop_tick)
{
	struct hp_idle_call call;
	int idx;

	hp_idle_before_select(g, ctx);
	hp_idle_enter(g, &call);
	*stop_tick = true;
	idx = HP_IDLE_GOV.select(&g->drv, &g->dev, stop_tick);
	hp_idle_leave(&call);
	hp_idle_after_select(g, *stop_tick);
	return idx;
}

static void idle_gov_reflect(struct hp_idle_gov *g, int idx, uint64_t measured_ns)
{
	struct hp_idle_call call;

	hp_idle_before_reflect(g, idx, measured_ns);
	hp_idle_enter(g, &call);
	if (HP_IDLE_GOV.reflect)
		HP_IDLE_GOV.reflect(&g->dev, idx);
	hp_idle_leave(&call);
}

static void idle_gov_destroy(struct hp_idle_gov *g)
{
	if (g)
		free(g->pcpu);
	free(g);
}

const struct hp_idle_gov_ops HP_IDLE_SYM = {
    .name = HP_IDLE_NAME,
    .create = idle_gov_create,
    .select = idle_gov_select,
    .reflect = idle_gov_reflect,
    .destroy = idle_gov_destroy,
};
