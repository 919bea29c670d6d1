/*
 * s390 steal time, for kvm_arch_no_poll(): the host skips halt polling while
 * the average steal-time percentage of the vCPU's CPU is at least
 * halt_poll_max_steal (kernel-policies.md §3.1). The average is modelled as
 * the s390 tick accounting keeps it: at every tick it halves and adds the
 * steal time of the tick just ended, and the percentage is that average over
 * one tick (UNVERIFIED beyond "average steal-time percentage": the halving
 * per tick and the 100 Hz tick are taken from the s390 accounting code as
 * recalled, not from the checked sources). Steal is the time another host
 * task held the CPU: the capture's or the load model's contention intervals.
 */
#include "engine_int.h"

/* Steal time of tick k: the contention intervals' overlap with it. */
static uint64_t tick_steal(const struct hp_episodes *eps, struct hp_steal *s, uint32_t cpu,
                           uint64_t k)
{
	uint64_t from = k * HP_STEAL_TICK_NS, to = from + HP_STEAL_TICK_NS, sum = 0;
	size_t i;

	/* intervals that ended before this tick are done with for good */
	while (s->busy < eps->nbusy &&
	       (eps->busy[s->busy].cpu < cpu ||
	        (eps->busy[s->busy].cpu == cpu && eps->busy[s->busy].end_ns <= from)))
		s->busy++;
	for (i = s->busy; i < eps->nbusy && eps->busy[i].cpu == cpu && eps->busy[i].start_ns < to;
	     i++) {
		uint64_t a = eps->busy[i].start_ns > from ? eps->busy[i].start_ns : from;
		uint64_t b = eps->busy[i].end_ns < to ? eps->busy[i].end_ns : to;

		sum += b > a ? b - a : 0;
	}
	return sum;
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
		while (s->busy < eps->nbusy &&
		       (eps->busy[s->busy].cpu < cpu ||
		        (eps->busy[s->busy].cpu == cpu &&
		         eps->busy[s->busy].end_ns <= s->tick * HP_STEAL_TICK_NS)))
			s->busy++;
		if (s->busy == eps->nbusy || eps->busy[s->busy].cpu != cpu)
			next = target;
		else
			next = eps->busy[s->busy].start_ns / HP_STEAL_TICK_NS;
		if (next > s->tick) {
			decay(s, (next < target ? next : target) - s->tick);
			continue;
		}
		s->avg_ns = s->avg_ns / 2 + tick_steal(eps, s, cpu, s->tick);
		s->tick++;
	}
	return (uint32_t)(s->avg_ns * 100 / HP_STEAL_TICK_NS);
}
