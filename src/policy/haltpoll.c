/*
 * Policy "haltpoll": the guest cpuidle haltpoll governor and poll_idle(), the
 * project's kernel C, in the cpuidle core model, driven through the adapter.
 */
#include "kernel/haltpoll.c"
#include "kernel/poll_state.c"
#include "kernel/cpuidle.c"

#define HP_POLICY_NAME "haltpoll"
#define HP_POLICY_SYM  hp_policy_haltpoll
#include "haltpoll_ops.inc"
