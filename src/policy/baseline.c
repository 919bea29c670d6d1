/*
 * Reference policies beside the kernel's, at every layer:
 *  none   never poll;
 *  fixed  always poll up to fixed_poll_ns;
 *  oracle knows when the wakeup will arrive: poll exactly until it when that
 *         is within oracle_window_ns, otherwise halt at once. Sweeping the
 *         window traces the best CPU/latency frontier any policy could reach.
 * They are not kernel code; they charge the same cost model as the kernel
 * policies (a poll sees the wakeup poll_detect_ns after it arrives).
 */
#include <stdint.h>
#include <string.h>

#include "adapter.h"
#include "hpsim/policy.h"

enum kind { NONE, FIXED, ORACLE };

struct baseline {
	enum kind kind;
	const unsigned int *window; /* the policy's parameter global, or NULL */
};

/* How long this halt polls (0: not at all). */
static uint64_t window_for(const struct baseline *b, const struct hp_halt_in *in)
{
	uint64_t visible = in->wake_ns + in->cost->poll_detect_ns;

	switch (b->kind) {
	case FIXED:
		return *b->window;
	case ORACLE:
		if (visible <= in->enter_ns)
			return 1; /* already there: a poll of zero length catches it */
		return visible - in->enter_ns <= *b->window ? visible - in->enter_ns : 0;
	default:
		return 0;
	}
}

/* Host or vcore layer: poll, else sleep until the wakeup plus the wakeup cost. */
static void host_halt(const struct baseline *b, const struct hp_halt_in *in, struct hp_decision *d)
{
	uint64_t window = window_for(b, in), visible = in->wake_ns + in->cost->poll_detect_ns;
	uint64_t sleep_from = in->enter_ns + window;

	d->enter_ns = in->enter_ns;
	d->poll_limit_before_ns = d->poll_limit_after_ns = b->window ? *b->window : 0;
	d->valid = 1;
	d->stat_cpu = in->cpu;
	if (window && visible <= sleep_from) {
		d->outcome = HP_POLL_HIT;
		d->end_ns = visible > in->enter_ns ? visible : in->enter_ns;
		d->polled_ns = d->end_ns - in->enter_ns;
	} else if (visible <= sleep_from) {
		/* no poll, but the wakeup is already there: found before sleeping */
		d->outcome = HP_NO_POLL;
		d->end_ns = sleep_from;
	} else {
		d->outcome = window ? HP_POLL_MISS : HP_NO_POLL;
		d->polled_ns = window;
		d->waited = d->woke_sleeper = 1;
		/* as schedule(): a wakeup that came before the sleep (not yet seen) wakes it at
		 * once */
		d->end_ns = (in->wake_ns > sleep_from ? in->wake_ns : sleep_from) +
		            in->cost->host_wakeup_ns;
		if (in->host_sleep)
			d->end_ns += in->host_sleep(in->host_sleep_ctx, sleep_from, in->wake_ns);
		d->wait_ns = d->end_ns - sleep_from;
	}
	d->block_ns = d->end_ns - in->enter_ns;
}

/* Guest layer: poll in the guest (no VM exit), else HLT into the layer below. */
static void guest_halt(const struct baseline *b, const struct hp_halt_in *in, struct hp_decision *d)
{
	uint64_t window = window_for(b, in), visible = in->wake_ns + in->cost->poll_detect_ns;
	uint64_t hlt = in->enter_ns + window;

	d->enter_ns = in->enter_ns;
	d->poll_limit_before_ns = d->poll_limit_after_ns = b->window ? *b->window : 0;
	d->valid = 1;
	d->stat_cpu = in->cpu;
	if (window && visible <= hlt) {
		d->outcome = HP_POLL_HIT;
		d->end_ns = visible > in->enter_ns ? visible : in->enter_ns;
		d->polled_ns = d->end_ns - in->enter_ns;
		return;
	}
	d->outcome = window ? HP_POLL_MISS : HP_NO_POLL;
	d->polled_ns = window;
	d->end_ns = in->lower(in->lower_ctx, hlt);
	d->waited = 1;
	d->block_ns = d->wait_ns = d->end_ns - hlt;
}

#define BASELINE(sym, nm, lay, knd, var, pname, text)                                              \
	static unsigned int var;                                                                   \
	static const struct baseline sym##_b = {knd, &var};                                        \
	static void sym##_init(void *state, uint32_t cpu)                                          \
	{                                                                                          \
		(void)state;                                                                       \
		(void)cpu;                                                                         \
	}                                                                                          \
	static void sym##_halt(void *state, const struct hp_halt_in *in, struct hp_decision *d)    \
	{                                                                                          \
		(void)state;                                                                       \
		memset(d, 0, sizeof(*d));                                                          \
		if ((lay) == HP_LAYER_GUEST)                                                       \
			guest_halt(&sym##_b, in, d);                                               \
		else                                                                               \
			host_halt(&sym##_b, in, d);                                                \
	}                                                                                          \
	static const struct hp_param sym##_params[] = {                                            \
	    HP_UINT_PARAM(pname, "ns", text, var, HP_SAME(200000)),                                \
	};                                                                                         \
	const struct hp_policy_ops sym = {                                                         \
	    .name = nm,                                                                            \
	    .layer = lay,                                                                          \
	    .desc = text,                                                                          \
	    .params = sym##_params,                                                                \
	    .nparams = (knd) == NONE ? 0 : 1,                                                      \
	    .state_size = 1,                                                                       \
	    .init = sym##_init,                                                                    \
	    .halt = sym##_halt,                                                                    \
	}

#define NONE_DESC   "reference: never poll"
#define FIXED_DESC  "reference: always poll up to fixed_poll_ns"
#define ORACLE_DESC "reference: poll exactly until a wakeup due within oracle_window_ns, else halt"

BASELINE(hp_policy_guest_none, "none", HP_LAYER_GUEST, NONE, guest_none_unused, "unused",
         NONE_DESC);
BASELINE(hp_policy_guest_fixed, "fixed", HP_LAYER_GUEST, FIXED, guest_fixed_poll_ns,
         "fixed_poll_ns", FIXED_DESC);
BASELINE(hp_policy_guest_oracle, "oracle", HP_LAYER_GUEST, ORACLE, guest_oracle_window_ns,
         "oracle_window_ns", ORACLE_DESC);
BASELINE(hp_policy_host_none, "none", HP_LAYER_HOST, NONE, host_none_unused, "unused", NONE_DESC);
BASELINE(hp_policy_host_fixed, "fixed", HP_LAYER_HOST, FIXED, host_fixed_poll_ns, "fixed_poll_ns",
         FIXED_DESC);
BASELINE(hp_policy_host_oracle, "oracle", HP_LAYER_HOST, ORACLE, host_oracle_window_ns,
         "oracle_window_ns", ORACLE_DESC);
BASELINE(hp_policy_vcore_none, "none", HP_LAYER_VCORE, NONE, vcore_none_unused, "unused",
         NONE_DESC);
BASELINE(hp_policy_vcore_fixed, "fixed", HP_LAYER_VCORE, FIXED, vcore_fixed_poll_ns,
         "fixed_poll_ns", FIXED_DESC);
BASELINE(hp_policy_vcore_oracle, "oracle", HP_LAYER_VCORE, ORACLE, vcore_oracle_window_ns,
         "oracle_window_ns", ORACLE_DESC);
