/* What the host idle-state tests share: two small idle tables, a configured run, one halt. */
#ifndef HPSIM_TEST_IDLE_FIXTURES_H
#define HPSIM_TEST_IDLE_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

struct hp_engine_config;
struct hp_episodes;

/* Idle tables written into a fresh directory made from the template dir (mkdtemp): two_states
 * (C1 2/2 us, C6 100/200 us; no POLL) and one_state (C6 only), paths of len bytes; 0 or -1. */
int test_idle_tables(char *dir, char *two_states, char *one_state, size_t len);

/* Remove the directory dir and everything in it; 0 or -1. */
int test_rm_rf(const char *dir);

/* Configure policy (the vcore layer if size > 0, else the host layer) on arch with halt_poll_ns,
 * the idle table and governor; fail the test naming the error otherwise. */
void test_configure_idle(struct hp_engine_config *cfg, const char *policy, const char *arch,
                         uint32_t size, const char *poll_ns, const char *table, const char *gov);

/* One halt of vCPU 0 from 0 to wake (an IPI from CPU 1), with contention intervals
 * [b[2i], b[2i+1]) on its CPU, over [0, wake + 1 ms]. Free with hp_episodes_free. */
void test_one_halt(struct hp_episodes *e, uint64_t wake, const uint64_t *b, size_t nb);

#endif
