/* hpsim policies: every policy with its parameters, units, defaults and ranges. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hpsim/policy.h"

int cmd_policies(int argc, char **argv)
{
	const struct hp_policy_ops *const *list;
	size_t n, i, j;
	int a;

	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int ch;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "h", longopts, "policies")) != -1) {
		if (ch != 'h')
			return 2; /* cli_getopt said what was wrong */
		printf("usage: hpsim policies\n\nLists every policy, its layer, and each "
		       "parameter with unit, default per architecture and valid range.\n");
		return 0;
	}
	if (optind < argc)
		return cli_usage_error("policies", "unexpected argument '%s'", argv[optind]);
	list = hp_policy_list(&n);
	for (i = 0; i < n; i++) {
		const struct hp_policy_ops *ops = list[i];

		printf("%s  [%s]  %s", ops->name, hp_layer_name(ops->layer), ops->desc);
		if (ops->since_kver)
			printf("  (kernel %u.%u and later)", ops->since_kver >> 16,
			       (ops->since_kver >> 8) & 0xff);
		printf("\n");
		for (j = 0; j < ops->nparams; j++) {
			const struct hp_param *p = &ops->params[j];

			printf("    %-28s %-8s default", p->name, p->unit);
			if (p->setvar)
				printf(" unset");
			else
				for (a = 0; a < HP_ARCH_COUNT; a++)
					printf(" %s=%u", hp_arch_name((enum hp_arch)a), p->def[a]);
			if (p->def_changed_kver)
				printf(" (before %u.%u: %u)", p->def_changed_kver >> 16,
				       (p->def_changed_kver >> 8) & 0xff, p->def_before);
			printf("  range %u..%u", p->min, p->max);
			for (a = 0; a < HP_ARCH_COUNT; a++)
				if (p->arch_mask & (1u << a))
					printf("  %s only", hp_arch_name((enum hp_arch)a));
			if (p->since_kver)
				printf("  since %u.%u", p->since_kver >> 16,
				       (p->since_kver >> 8) & 0xff);
			printf("\n        %s\n", p->desc);
		}
	}
	return 0;
}
