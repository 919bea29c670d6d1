/*
 * Policy "haltpoll@kernel": a kernel tree's whole
 * drivers/cpuidle/governors/haltpoll.c and the poll_idle() of its
 * drivers/cpuidle/poll_state.c (copied into the build directory by
 * scripts/ksrc-prepare.sh), in the project's cpuidle core model, driven
 * through the same adapter as the project's "haltpoll".
 */
#include "rename.h"

#include "tree/drivers/cpuidle/governors/haltpoll.c"

/* what poll_state.c includes, for its extracted poll_idle() */
#include <linux/cpuidle.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/idle.h>
#include "poll_state.inc"
#include "kernel/cpuidle.c"

#define HP_POLICY_NAME "haltpoll@kernel"
#define HP_POLICY_SYM  hp_policy_haltpoll_kernel
#define HP_POLICY_DESC HP_KSRC_DESC("guest cpuidle haltpoll governor with poll_idle")
#include "haltpoll_ops.inc"
