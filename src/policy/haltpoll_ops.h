/*
 * The adapter between the engine and the guest haltpoll governor with its
 * cpuidle core. Included after the kernel C it drives (the governor,
 * poll_idle() and kernel/cpuidle.c): by haltpoll.c for the project's own
 * governor, and by the kernel-source build for a real haltpoll.c.
 * HP_POLICY_NAME and HP_POLICY_SYM name the resulting policy.
 */
#include <string.h>

#include "adapter.h"
#include "hpsim/policy.h"

#ifndef HP_POLICY_TREE_KVER
#define HP_POLICY_TREE_KVER 0 /* the project's own code: any modelled release */
#endif
#ifndef HP_POLICY_DESC
#define HP_POLICY_DESC                                                                             \
	"guest cpuidle haltpoll governor with poll_idle (drivers/cpuidle/governors/haltpoll.c)"
#endif

struct haltpoll_policy_state {
	struct cpuidle_device dev;
};

static void haltpoll_policy_init(void *state, uint32_t cpu)
{
	struct haltpoll_policy_state *s = state;

	memset(s, 0, sizeof(*s));
	s->dev.cpu = cpu;
	s->dev.enabled = 1;
	s->dev.registered = 1;
	/* the governor is attached to the device: poll_limit_ns starts at 0 */
	haltpoll_governor.enable(&haltpoll_driver, &s->dev);
}

static void haltpoll_policy_halt(void *state, const struct hp_halt_in *in, struct hp_decision *out)
{
	struct haltpoll_policy_state *s = state;
	struct hp_shim sh, *prev = hp_shim;

	hp_shim_begin(&sh, (int64_t)in->enter_ns, (int64_t)in->wake_ns,
	              (int64_t)in->cost->poll_detect_ns, (int64_t)in->cost->host_wakeup_ns);
	sh.guest = true;
	sh.lower = in->lower;
	sh.lower_ctx = in->lower_ctx;
	sh.guest_relax_ns = (int64_t)in->cost->guest_relax_ns;
	out->poll_limit_before_ns = s->dev.poll_limit_ns;

	hp_cpuidle_idle_period(&haltpoll_driver, &s->dev, &haltpoll_governor);

	out->poll_limit_after_ns = s->dev.poll_limit_ns;
	out->enter_ns = in->enter_ns;
	out->end_ns = (uint64_t)sh.now;
	out->polled_ns = sh.guest_polled_ns;
	out->waited = sh.guest_halts > 0;
	out->wait_ns = sh.guest_halts ? sh.guest_halt_ns : 0;
	out->block_ns = sh.guest_halts ? sh.guest_halt_ns : 0;
	out->outcome = !sh.guest_polls ? HP_NO_POLL : sh.guest_halts ? HP_POLL_MISS : HP_POLL_HIT;
	out->valid = 1;
	out->adjust = (int8_t)sh.adjust;
	out->adj_new = sh.adj_new;
	out->adj_old = sh.adj_old;
	out->stat_cpu = in->cpu;
	hp_shim = prev;
}

static const struct hp_param haltpoll_params[] = {
    HP_UINT_PARAM("guest_halt_poll_ns", "ns",
                  "ceiling of the guest poll window, and the grow/shrink threshold",
                  guest_halt_poll_ns, HP_SAME(200000)),
    HP_UINT_PARAM("guest_halt_poll_grow", "factor",
                  "multiplier when a halt within the ceiling was not covered", guest_halt_poll_grow,
                  HP_SAME(2)),
    HP_UINT_PARAM("guest_halt_poll_shrink", "divisor",
                  "divisor after a halt longer than the ceiling; 0 resets", guest_halt_poll_shrink,
                  HP_SAME(2)),
    HP_UINT_PARAM("guest_halt_poll_grow_start", "ns",
                  "floor after a grow; since v6.9 a shrink below it resets to 0",
                  guest_halt_poll_grow_start, HP_SAME(50000)),
    {.name = "guest_halt_poll_allow_shrink",
     .unit = "bool",
     .desc = "N: never shrink",
     .type = HP_PARAM_BOOL,
     .bvar = &guest_halt_poll_allow_shrink,
     .min = 0,
     .max = 1,
     .def = HP_SAME(1)},
};

const struct hp_policy_ops HP_POLICY_SYM = {
    .name = HP_POLICY_NAME,
    .layer = HP_LAYER_GUEST,
    .desc = HP_POLICY_DESC,
    .params = haltpoll_params,
    .nparams = sizeof(haltpoll_params) / sizeof(haltpoll_params[0]),
    .state_size = sizeof(struct haltpoll_policy_state),
    .init = haltpoll_policy_init,
    .halt = haltpoll_policy_halt,
    .since_kver = HP_KVER(5, 4, 0), /* the haltpoll governor was merged */
    .tree_kver = HP_POLICY_TREE_KVER,
    .disables_host_poll = true,
};
