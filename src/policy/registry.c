/* The policy registry: adding a policy is one file plus one line here. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "hpsim/policy.h"
#include "ksrc/ksrc.h"

extern const struct hp_policy_ops hp_policy_haltpoll, hp_policy_kvm, hp_policy_vcore;
extern const struct hp_policy_ops hp_policy_guest_none, hp_policy_guest_fixed,
    hp_policy_guest_oracle;
extern const struct hp_policy_ops hp_policy_host_none, hp_policy_host_fixed, hp_policy_host_oracle;
extern const struct hp_policy_ops hp_policy_vcore_none, hp_policy_vcore_fixed,
    hp_policy_vcore_oracle;

/* One line per policy. A name may appear once per layer. */
static const struct hp_policy_ops *const registry[] = {
    &hp_policy_haltpoll, &hp_policy_guest_none, &hp_policy_guest_fixed, &hp_policy_guest_oracle,
    &hp_policy_kvm,      &hp_policy_host_none,  &hp_policy_host_fixed,  &hp_policy_host_oracle,
    &hp_policy_vcore,    &hp_policy_vcore_none, &hp_policy_vcore_fixed, &hp_policy_vcore_oracle,
    HP_KSRC_POLICIES /* haltpoll@kernel, kvm@kernel, vcore@kernel with -DHPSIM_KERNEL_SRC */
};

const struct hp_policy_ops *const *hp_policy_list(size_t *n)
{
	*n = sizeof(registry) / sizeof(registry[0]);
	return registry;
}

const struct hp_policy_ops *hp_policy_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (strcmp(registry[i]->name, name) == 0)
			return registry[i];
	return NULL;
}

const struct hp_policy_ops *hp_policy_lookup(const char *name, enum hp_layer layer,
                                             struct hp_err *err)
{
	const struct hp_policy_ops *ops = hp_policy_find(name);
	char list[256] = "";
	size_t i, len = 0;

	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++)
		if (registry[i]->layer == layer && strcmp(registry[i]->name, name) == 0)
			return registry[i];
	for (i = 0; i < sizeof(registry) / sizeof(registry[0]); i++) {
		if (registry[i]->layer != layer)
			continue;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
		                        registry[i]->name);
		if (len >= sizeof(list))
			break;
	}
	if (ops)
		hp_errf(err, "policy '%s' is a %s policy, not a %s one (valid %s policies: %s)",
		        name, hp_layer_name(ops->layer), hp_layer_name(layer), hp_layer_name(layer),
		        list);
	else
		hp_errf(err, "unknown %s policy '%s' (valid: %s)", hp_layer_name(layer), name,
		        list);
	return NULL;
}

uint32_t hp_param_default(const struct hp_param *p, const struct hp_kernel *k)
{
	if (p->def_changed_kver && k->version < p->def_changed_kver)
		return p->def_before;
	return p->def[k->arch];
}

uint32_t hp_param_value(const struct hp_param *p)
{
	return p->type == HP_PARAM_BOOL ? (uint32_t)*p->bvar : *p->uvar;
}

bool hp_param_is_set(const struct hp_param *p)
{
	return !p->setvar || *p->setvar;
}

bool hp_param_in_arch(const struct hp_param *p, enum hp_arch a)
{
	return !p->arch_mask || (p->arch_mask & (1u << a));
}

const struct hp_param *hp_policy_param(const struct hp_policy_ops *ops, const char *name)
{
	size_t i;

	for (i = 0; i < ops->nparams; i++)
		if (!strcmp(ops->params[i].name, name))
			return &ops->params[i];
	return NULL;
}

static void kver_text(uint32_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", v >> 16, (v >> 8) & 0xff);
}

int hp_param_check_kernel(const struct hp_policy_ops *ops, const struct hp_param *p,
                          const struct hp_kernel *k, struct hp_err *err)
{
	char want[16], have[16];

	if (!p->since_kver || k->version >= p->since_kver)
		return 0;
	kver_text(p->since_kver, want, sizeof(want));
	kver_text(k->version, have, sizeof(have));
	return hp_errf(err, "%s.%s exists from kernel %s on; kernel %s does not have it",
	               hp_layer_name(ops->layer), p->name, want, have);
}

int hp_policy_check_kernel(const struct hp_policy_ops *ops, const struct hp_kernel *k,
                           struct hp_err *err)
{
	char want[16], have[16];

	kver_text(k->version, have, sizeof(have));
	if (ops->since_kver && k->version < ops->since_kver) {
		kver_text(ops->since_kver, want, sizeof(want));
		return hp_errf(
		    err, "the %s policy '%s' is modelled from kernel %s on; kernel %s is older",
		    hp_layer_name(ops->layer), ops->name, want, have);
	}
	return 0;
}

static int parse_param(const struct hp_param *p, const char *value, uint32_t *out,
                       struct hp_err *err)
{
	unsigned long long v;
	char *end;

	if (p->type == HP_PARAM_BOOL) {
		if (!strcmp(value, "1") || !strcmp(value, "Y") || !strcmp(value, "y") ||
		    !strcmp(value, "true"))
			*out = 1;
		else if (!strcmp(value, "0") || !strcmp(value, "N") || !strcmp(value, "n") ||
		         !strcmp(value, "false"))
			*out = 0;
		else
			return hp_errf(err,
			               "%s: '%s' is not a boolean (expected Y/N, 1/0, true/false)",
			               p->name, value);
		return 0;
	}
	errno = 0;
	v = strtoull(value, &end, 0);
	if (value[0] == '\0' || value[0] == '-' || *end || errno == ERANGE || end == value)
		return hp_errf(err, "%s: '%s' is not an unsigned 32-bit integer", p->name, value);
	if (v > p->max || v < p->min)
		return hp_errf(err, "%s: %llu is out of range (valid: %u..%u %s)", p->name, v,
		               p->min, p->max, p->unit);
	*out = (uint32_t)v;
	return 0;
}

void hp_param_values_default(const struct hp_policy_ops *ops, const struct hp_kernel *k,
                             struct hp_param_values *pv)
{
	size_t i;

	memset(pv, 0, sizeof(*pv));
	for (i = 0; i < ops->nparams && i < HP_MAX_PARAMS; i++) {
		const struct hp_param *p = &ops->params[i];

		pv->v[i] =
		    p->type == HP_PARAM_BOOL ? hp_param_default(p, k) != 0 : hp_param_default(p, k);
		pv->set[i] = !p->setvar;
	}
}

int hp_param_values_set(const struct hp_policy_ops *ops, struct hp_param_values *pv,
                        const char *name, const char *value, struct hp_err *err)
{
	char list[512] = "";
	size_t i, len = 0;
	uint32_t v = 0;

	for (i = 0; i < ops->nparams && i < HP_MAX_PARAMS; i++) {
		const struct hp_param *p = &ops->params[i];

		if (strcmp(p->name, name) != 0)
			continue;
		if (p->setvar && !strcmp(value, "unset")) {
			pv->set[i] = false;
			pv->v[i] = p->def[0];
			return 0;
		}
		if (parse_param(p, value, &v, err) < 0)
			return -1;
		pv->v[i] = p->type == HP_PARAM_BOOL ? v != 0 : v;
		pv->set[i] = true;
		return 0;
	}
	for (i = 0; i < ops->nparams && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
		                        ops->params[i].name);
	return hp_errf(err, "policy '%s' has no parameter '%s' (valid: %s)", ops->name, name,
	               ops->nparams ? list : "none");
}

void hp_policy_defaults(const struct hp_policy_ops *ops, const struct hp_kernel *k)
{
	struct hp_param_values pv;

	hp_param_values_default(ops, k, &pv);
	hp_policy_load(ops, k, &pv);
}

int hp_policy_set(const struct hp_policy_ops *ops, const char *name, const char *value,
                  struct hp_err *err)
{
	struct hp_param_values pv;

	hp_policy_read(ops, &pv);
	if (hp_param_values_set(ops, &pv, name, value, err) < 0)
		return -1;
	hp_policy_write(ops, &pv);
	return 0;
}

int hp_kver_parse(const char *s, uint32_t *out, struct hp_err *err)
{
	unsigned int part[3] = {0, 0, 0}, a, b, c;
	const char *p = s;
	int n = 0;

	/* digits only, at most three per part: sscanf's %u would wrap 4294967302 to 6 */
	while (n < 3) {
		int digits = 0;

		while (*p >= '0' && *p <= '9' && digits < 4) {
			part[n] = part[n] * 10 + (unsigned)(*p++ - '0');
			digits++;
		}
		if (!digits || digits > 3)
			break;
		n++;
		if (*p != '.')
			break;
		p++;
	}
	a = part[0];
	b = part[1];
	c = part[2];
	if (*p || (p > s && p[-1] == '.') || n < 2 || a < 2 || a > 99 || b > 255 || c > 255)
		return hp_errf(err,
		               "kernel version '%s' is not of the form MAJOR.MINOR[.PATCH] "
		               "(e.g. 4.3, 5.15, 6.1, 6.11)",
		               s);
	if (HP_KVER(a, b, c) > HP_KVER_CHECKED)
		return hp_errf(
		    err,
		    "kernel %s is newer than the newest release whose policy code hpsim "
		    "was checked against (%u.%u); use --kernel %u.%u if its policies are "
		    "unchanged, or build hpsim against its tree (HPSIM_KERNEL_SRC)",
		    s, HP_KVER_CHECKED >> 16, (HP_KVER_CHECKED >> 8) & 0xff, HP_KVER_CHECKED >> 16,
		    (HP_KVER_CHECKED >> 8) & 0xff);
	*out = HP_KVER(a, b, c);
	return 0;
}

const char *hp_layer_name(enum hp_layer layer)
{
	static const char *const names[] = {"guest", "host", "vcore"};

	return layer < HP_LAYER_COUNT ? names[layer] : "?";
}

const char *hp_outcome_name(enum hp_outcome_kind k)
{
	static const char *const names[] = {"no_poll", "poll_hit", "poll_miss"};

	return names[k];
}

const char *hp_policy_release_range(void)
{
	/* the oldest is kvm's dynamic halt polling (4.3); the newest the last release checked */
	_Static_assert(HP_KVER_CHECKED == HP_KVER(6, 18, 255), "update the text below");
	return "4.3..6.18";
}
