/* The host cpuidle governor registry: adding one is one file plus one line here. */
#include <string.h>

#include "hpsim/idle.h"
#include "ksrc/ksrc_idle.h"

extern const struct hp_idle_gov_ops hp_idle_gov_menu, hp_idle_gov_teo, hp_idle_gov_ladder;

static const struct hp_idle_gov_ops *const idle_registry[] = {
    &hp_idle_gov_menu, &hp_idle_gov_teo, &hp_idle_gov_ladder,
    HP_KSRC_IDLE_GOVS /* menu@kernel, teo@kernel with -DHPSIM_KERNEL_SRC */
};

const struct hp_idle_gov_ops *hp_idle_gov_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(idle_registry) / sizeof(idle_registry[0]); i++)
		if (strcmp(idle_registry[i]->name, name) == 0)
			return idle_registry[i];
	return NULL;
}

const struct hp_idle_gov_ops *const *hp_idle_gov_list(size_t *n)
{
	*n = sizeof(idle_registry) / sizeof(idle_registry[0]);
	return idle_registry;
}
