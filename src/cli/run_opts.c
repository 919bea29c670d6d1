/*
 * The options every command that replays a capture shares (hpsim replay,
 * hpsim validate): the kernel and architecture, policy parameters, the cost
 * model, and how the capture is read. One table, one parser.
 */
#include <string.h>

#include "cli.h"
#include "hpsim/engine.h"
#include "hpsim/trace.h"

/* NAME=VALUE into arr[*n], the name copied into o's storage; 0 or a usage exit status. */
static int add_setting(struct cli_run_opts *o, struct hp_setting *arr, size_t *n, const char *arg,
                       const char *cmd)
{
	const char *eq = strchr(arg, '=');
	char *name;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(o->names[0]))
		return cli_usage_error(cmd, "'%s' is not of the form NAME=VALUE", arg);
	if (*n + o->reserve >= HP_MAX_SETTINGS ||
	    o->nnames == sizeof(o->names) / sizeof(o->names[0]))
		return cli_usage_error(cmd, "too many settings");
	name = o->names[o->nnames++];
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	arr[*n].name = name;
	arr[*n].value = eq + 1;
	(*n)++;
	return 0;
}

int cli_run_option(struct cli_run_opts *o, int ch, const char *arg, const char *cmd)
{
	struct hp_err e;

	switch (ch) {
	case CLI_OPT_KERNEL:
		o->spec->kernel = arg;
		return 0;
	case CLI_OPT_ARCH:
		o->spec->arch = arg;
		return 0;
	case CLI_OPT_SET:
		return add_setting(o, o->spec->params, &o->spec->nparams, arg, cmd);
	case CLI_OPT_COST:
		o->spec->cost_file = arg;
		return 0;
	case CLI_OPT_COST_SET:
		return add_setting(o, o->spec->cost, &o->spec->ncost, arg, cmd);
	case CLI_OPT_VCPU_MAP:
		if (hp_vcpu_map_parse(o->read, arg, &e) < 0)
			return cli_usage_error(cmd, "%s", e.msg);
		return 0;
	case CLI_OPT_NO_CACHE:
		o->read->use_cache = 0;
		return 0;
	default:
		return -1;
	}
}
