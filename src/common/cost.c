/*
 * Cost-model defaults. These are modelling choices, not kernel facts: round
 * figures of the order published for each architecture's exit, entry and
 * wakeup paths. Users calibrate them for their hosts (--cost, --set-cost).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hpsim/cost.h"

#define F(n, d)                                                                                    \
	{                                                                                          \
#n, offsetof(struct hp_cost, n), d                                                 \
	}
static const struct hp_cost_field fields[] = {
    F(hlt_exit_ns, "guest HLT/WFI to the host halt handler (VM exit), ns"),
    F(vm_entry_ns, "host handler back to guest execution (VM entry), ns"),
    F(poll_detect_ns, "delay before a polling loop notices an arrived wakeup, ns"),
    F(host_wakeup_ns, "wakeup arrival to a sleeping vCPU thread running again, ns"),
    F(guest_relax_ns, "one iteration of the guest poll_idle loop (cpu_relax + checks), ns"),
    F(guest_wakeup_ns, "interrupt arrival to a halted guest CPU running its task, ns"),
};
#undef F

_Static_assert(sizeof(fields) / sizeof(fields[0]) == HP_COST_NFIELDS,
               "HP_COST_NFIELDS counts the fields");

static const struct hp_cost defaults[HP_ARCH_COUNT] = {
    [HP_ARCH_X86] = {.hlt_exit_ns = 1000,
                     .vm_entry_ns = 600,
                     .poll_detect_ns = 100,
                     .host_wakeup_ns = 5000,
                     .guest_relax_ns = 40,
                     .guest_wakeup_ns = 1000},
    [HP_ARCH_ARM64] = {.hlt_exit_ns = 1500,
                       .vm_entry_ns = 800,
                       .poll_detect_ns = 100,
                       .host_wakeup_ns = 6000,
                       .guest_relax_ns = 20,
                       .guest_wakeup_ns = 1200},
    [HP_ARCH_S390] = {.hlt_exit_ns = 1500,
                      .vm_entry_ns = 800,
                      .poll_detect_ns = 100,
                      .host_wakeup_ns = 6000,
                      .guest_relax_ns = 20,
                      .guest_wakeup_ns = 1200},
    [HP_ARCH_PPC] = {.hlt_exit_ns = 2000,
                     .vm_entry_ns = 1000,
                     .poll_detect_ns = 100,
                     .host_wakeup_ns = 8000,
                     .guest_relax_ns = 20,
                     .guest_wakeup_ns = 1500},
};

static const char *const arch_names[HP_ARCH_COUNT] = {"x86", "arm64", "s390", "ppc"};

const struct hp_cost_field *hp_cost_fields(size_t *n)
{
	*n = sizeof(fields) / sizeof(fields[0]);
	return fields;
}

void hp_cost_defaults(struct hp_cost *c, enum hp_arch arch)
{
	*c = defaults[arch];
	c->seed = 1; /* as replay's --seed */
}

uint64_t hp_cost_get(const struct hp_cost *c, const struct hp_cost_field *f)
{
	return *(const uint64_t *)((const char *)c + f->offset);
}

size_t hp_cost_index(const struct hp_cost_field *f)
{
	return (size_t)(f - fields);
}

/* "lognormal:MEDIAN:P99" for field i. */
static int set_lognormal(struct hp_cost *c, size_t i, const char *value, struct hp_err *err)
{
	double median, p99;
	char *end;

	errno = 0;
	median = strtod(value + strlen("lognormal:"), &end);
	if (!errno && *end == ':') {
		const char *q = end + 1;

		p99 = strtod(q, &end);
		if (!errno && end != q && !*end)
			return hp_cost_set_lognormal(c, i, median, p99, err);
	}
	return hp_errf(err, "cost %s: '%s' is not lognormal:MEDIAN:P99 (ns)", fields[i].name,
	               value);
}

/* "quantiles:P:NS,P:NS,..." for field i. */
static int set_quantiles(struct hp_cost *c, size_t i, const char *value, struct hp_err *err)
{
	double p[HP_COST_MAX_POINTS], ns[HP_COST_MAX_POINTS];
	const char *q = value + strlen("quantiles:");
	size_t n = 0;
	char *end;

	while (n < HP_COST_MAX_POINTS) {
		errno = 0;
		p[n] = strtod(q, &end);
		if (errno || end == q || *end != ':')
			break;
		q = end + 1;
		ns[n] = strtod(q, &end);
		if (errno || end == q || (*end && *end != ','))
			break;
		n++;
		if (!*end)
			return hp_cost_set_quantiles(c, i, p, ns, n, 0, err);
		q = end + 1;
	}
	return hp_errf(err, "cost %s: '%s' is not quantiles:P:NS,P:NS,... (up to %d points)",
	               fields[i].name, value, HP_COST_MAX_POINTS);
}

int hp_cost_set(struct hp_cost *c, const char *name, const char *value, struct hp_err *err)
{
	unsigned long long v;
	char *end;
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		if (strcmp(fields[i].name, name) != 0)
			continue;
		if (!strncmp(value, "lognormal:", strlen("lognormal:")))
			return set_lognormal(c, i, value, err);
		if (!strncmp(value, "quantiles:", strlen("quantiles:")))
			return set_quantiles(c, i, value, err);
		errno = 0;
		v = strtoull(value, &end, 10);
		if (errno || end == value || *end || value[0] == '-' || v > HP_COST_MAX_NS)
			return hp_errf(err,
			               "cost %s: '%s' is not an integer in 0..%llu (ns) nor "
			               "lognormal:MEDIAN:P99",
			               name, value, HP_COST_MAX_NS);
		*(uint64_t *)((char *)c + fields[i].offset) = v;
		c->varying &= ~(1u << i);
		return 0;
	}
	return hp_errf(err, "unknown cost-model field '%s' (see `hpsim cost`)", name);
}

int hp_arch_parse(const char *name, struct hp_err *err)
{
	int i;

	for (i = 0; i < HP_ARCH_COUNT; i++)
		if (strcmp(name, arch_names[i]) == 0)
			return i;
	if (strcmp(name, "x86_64") == 0 || strcmp(name, "amd64") == 0)
		return HP_ARCH_X86;
	if (strcmp(name, "aarch64") == 0)
		return HP_ARCH_ARM64;
	if (strcmp(name, "powerpc") == 0 || strcmp(name, "ppc64le") == 0)
		return HP_ARCH_PPC;
	return hp_errf(err, "unknown architecture '%s' (valid: x86, arm64, s390, ppc)", name);
}

const char *hp_arch_name(enum hp_arch arch)
{
	return arch_names[arch];
}
