/*
 * s390 steal time, for kvm_arch_no_poll(): the host skips halt polling while
 * the average steal-time percentage of the vCPU's CPU is at least
 * halt_poll_max_steal. The average is modelled as
 * the s390 tick accounting keeps it: at every tick it halves and adds the
 * steal time of the tick just ended, and the percentage is that average over
 * one tick (UNVERIFIED beyond "average steal-time percentage": the halving
 * per tick and the 100 Hz tick are taken from the s390 accounting code as
 * recalled, not from the checked sources). Steal is the time another host
 * task held the CPU: the capture's or the load model's contention intervals.
 */
#include "engine_int.h"

/* Move the cursor past the intervals of cpu that ended by t (and those of earlier CPUs). */
static void skip_ended(struct hp_steal *s, const struct hp_episodes *eps, uint32_t cpu, uint64_t t)
{
	while (s->busy < eps->nbusy &&
	       (eps->busy[s->busy].cpu < cpu ||
	        (eps->busy[s->busy].cpu == cpu && eps->busy[s->busy].end_ns <= t)))
		s->busy++;
}

/* Halve the average once per tick for n ticks without steal. */
static void decay(struct hp_steal *s, uint64_t n)
{
	s->avg_ns = n >= 64 ? 0 : s->avg_ns >> n;
	s->tick += n;
}

uint32_t hp_steal_pct(struct hp_steal *s, const struct hp_episodes *eps, uint32_t cpu, uint64_t t)
{
	uint64_t target = t / HP_STEAL_TICK_NS; /* ticks that ended by t */

	while (s->tick < target) {
		uint64_t next;

		/* skip the ticks before the next contention interval in one step */
		skip_ended(s, eps, cpu, s->tick * HP_STEAL_TICK_NS);
		if (s->busy == eps->nbusy || eps->busy[s->busy].cpu != cpu)
			next = target;
		else
			next = eps->busy[s->busy].start_ns / HP_STEAL_TICK_NS;
		if (next > s->tick) {
			decay(s, (next < target ? next : target) - s->tick);
			continue;
		}
		/* the tick's steal: the contention intervals' overlap with it */
		s->avg_ns = s->avg_ns / 2 +
		            hp_engine_busy_overlap(eps, s->busy, cpu, s->tick * HP_STEAL_TICK_NS,
		                                   (s->tick + 1) * HP_STEAL_TICK_NS);
		s->tick++;
	}
	return (uint32_t)(s->avg_ns * 100 / HP_STEAL_TICK_NS);
}
