// SPDX-License-Identifier: GPL-2.0-only
/*
 * The timer events oriented (TEO) cpuidle governor, written for hpsim as
 * kernel C. It follows drivers/cpuidle/governors/teo.c: the same function
 * names, per-CPU data, arithmetic and control flow, so that the
 * kernel-source build drives a real teo.c through the same adapter
 * (src/policy/idle_gov.h).
 *
 * Each state has a bin of idle durations from its target residency to the
 * next state's. After each idle period the bin of the measured duration gets
 * a "hit" when the timer's bin is the same, an "intercept" otherwise. The
 * candidate state is the deepest that fits the time to the next timer; when
 * intercepts of the shallower bins outweigh the hits and intercepts from the
 * candidate down (or, before v6.12, when most of the last NR_RECENT periods
 * were intercepts), a shallower state whose bins held most of those
 * intercepts is chosen.
 *
 * Releases: teo was merged in v5.1. Up to v6.11 this is the algorithm of
 * v6.1 (bins of hits and intercepts, and the recent intercepts); v6.12
 * (teo_select_v612) dropped the recent intercepts, counts the periods that
 * reached the tick apart when every state is shorter than a tick, starts
 * from the deepest state and looks the timer up only when it matters. The
 * releases whose teo differs from these two are listed in
 * docs/idle-states.md.
 */
#include <linux/cpuidle.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/sched/clock.h>
#include <linux/tick.h>
#include <linux/module.h>

/* v6.6: shorter target residencies than this are not worth a timer lookup */
#define RESIDENCY_THRESHOLD_NS (15 * NSEC_PER_USEC)

/* a metric grows by PULSE and decays by 1/2^DECAY_SHIFT per idle period */
#define PULSE       1024
#define DECAY_SHIFT 3

/* the recent idle periods whose early wakeups are remembered */
#define NR_RECENT 9

struct teo_bin {
	unsigned int intercepts;
	unsigned int hits;
	unsigned int recent;
};

struct teo_cpu {
	s64 time_span_ns;
	s64 sleep_length_ns;
	struct teo_bin state_bins[CPUIDLE_STATE_MAX];
	unsigned int total;
	int next_recent_idx;       /* before v6.12 */
	int recent_idx[NR_RECENT]; /* before v6.12 */
	unsigned int tick_hits;    /* v6.12: periods that reached the tick */
};

static DEFINE_PER_CPU(struct teo_cpu, teo_cpus);

/* v6.12 ("cpuidle: teo: Remove recent intercepts metric") */
static bool teo_has_recent(void)
{
	return hpsim_kernel_version < KERNEL_VERSION(6, 12, 0);
}

/* Learn from the idle period that ended: decay all bins, then a hit or an intercept. */
static void teo_update(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	struct teo_cpu *cpu_data = per_cpu_ptr(&teo_cpus, dev->cpu);
	int i, idx_timer = 0, idx_duration = 0;
	u64 measured_ns;

	if (cpu_data->time_span_ns >= cpu_data->sleep_length_ns) {
		/* woken by the timer (or a safety net): no information */
		measured_ns = U64_MAX;
	} else {
		u64 lat_ns = (u64)drv->states[dev->last_state_idx].exit_latency_ns;

		/* the residency, less half the exit latency as its likely share */
		measured_ns = dev->last_residency_ns;
		if (measured_ns >= lat_ns)
			measured_ns -= lat_ns / 2;
		else
			measured_ns /= 2;
	}

	cpu_data->total = 0;

	for (i = 0; i < drv->state_count; i++) {
		s64 target_residency_ns = drv->states[i].target_residency_ns;
		struct teo_bin *bin = &cpu_data->state_bins[i];

		bin->hits -= bin->hits >> DECAY_SHIFT;
		bin->intercepts -= bin->intercepts >> DECAY_SHIFT;

		cpu_data->total += bin->hits + bin->intercepts;

		if (target_residency_ns <= cpu_data->sleep_length_ns) {
			idx_timer = i;
			if ((u64)target_residency_ns <= measured_ns)
				idx_duration = i;
		}
	}

	if (hpsim_kernel_version >= KERNEL_VERSION(6, 12, 0)) {
		s64 target_residency_ns = drv->states[drv->state_count - 1].target_residency_ns;

		/*
		 * v6.12: when the deepest state is shorter than a tick, periods
		 * that reached the tick (with the timer beyond it) count apart.
		 */
		if (target_residency_ns < (s64)TICK_NSEC) {
			cpu_data->tick_hits -= cpu_data->tick_hits >> DECAY_SHIFT;

			cpu_data->total += cpu_data->tick_hits;

			if ((s64)TICK_NSEC <= cpu_data->sleep_length_ns) {
				idx_timer = drv->state_count;
				if ((u64)TICK_NSEC <= measured_ns) {
					cpu_data->tick_hits += PULSE;
					goto end;
				}
			}
		}
	}

	if (teo_has_recent()) {
		i = cpu_data->next_recent_idx++;
		if (cpu_data->next_recent_idx >= NR_RECENT)
			cpu_data->next_recent_idx = 0;

		if (cpu_data->recent_idx[i] >= 0)
			cpu_data->state_bins[cpu_data->recent_idx[i]].recent--;
	} else {
		i = 0;
	}

	/* the same bin as the timer's: a hit; else an intercept in the measured bin */
	if (idx_timer == idx_duration) {
		cpu_data->state_bins[idx_timer].hits += PULSE;
		if (teo_has_recent())
			cpu_data->recent_idx[i] = -1;
	} else {
		cpu_data->state_bins[idx_duration].intercepts += PULSE;
		if (teo_has_recent()) {
			cpu_data->state_bins[idx_duration].recent++;
			cpu_data->recent_idx[i] = idx_duration;
		}
	}

end:
	cpu_data->total += PULSE;
}

/* With the tick stopped, only spans of at least a tick are acceptable. */
static bool teo_time_ok(u64 interval_ns)
{
	return !tick_nohz_tick_stopped() || interval_ns >= (u64)TICK_NSEC;
}

/* The middle of state idx's bin: halfway to the next state's target residency. */
static s64 teo_middle_of_bin(int idx, struct cpuidle_driver *drv)
{
	return (drv->states[idx].target_residency_ns + drv->states[idx + 1].target_residency_ns) /
	       2;
}

/*
 * The deepest enabled state shallower than state_idx whose target residency
 * fits duration_ns (v6.12: skipping a polling state when no_poll).
 */
static int teo_find_shallower_state(struct cpuidle_driver *drv, struct cpuidle_device *dev,
                                    int state_idx, s64 duration_ns, bool no_poll)
{
	int i;

	for (i = state_idx - 1; i >= 0; i--) {
		if (dev->states_usage[i].disable ||
		    (no_poll && drv->states[i].flags & CPUIDLE_FLAG_POLLING))
			continue;

		state_idx = i;
		if (drv->states[i].target_residency_ns <= duration_ns)
			break;
	}
	return state_idx;
}

/* v6.12: with the tick stopped, only states of at least a tick are acceptable. */
static bool teo_state_ok(int i, struct cpuidle_driver *drv)
{
	return !tick_nohz_tick_stopped() || drv->states[i].target_residency_ns >= (s64)TICK_NSEC;
}

/*
 * v6.12: the candidate is the deepest enabled state; when the intercepts of
 * the shallower bins outweigh the rest, the shallowest state whose bins hold
 * over half of them. The timer is looked up only when the choice is not the
 * shallowest state already, and then caps the state; a tick-dominated
 * history (intercepts of the deepest bin and below over 5/8 of the total)
 * keeps the tick.
 */
static int teo_select_v612(struct cpuidle_driver *drv, struct cpuidle_device *dev, bool *stop_tick)
{
	struct teo_cpu *cpu_data = per_cpu_ptr(&teo_cpus, dev->cpu);
	s64 latency_req = cpuidle_governor_latency_req(dev->cpu);
	ktime_t delta_tick = TICK_NSEC / 2;
	unsigned int tick_intercept_sum = 0;
	unsigned int idx_intercept_sum = 0;
	unsigned int intercept_sum = 0;
	unsigned int idx_hit_sum = 0;
	unsigned int hit_sum = 0;
	int constraint_idx = 0;
	int idx0 = 0, idx = -1;
	int prev_intercept_idx;
	s64 duration_ns;
	int i;

	if (dev->last_state_idx >= 0) {
		teo_update(drv, dev);
		dev->last_state_idx = -1;
	}

	cpu_data->time_span_ns = (s64)local_clock();
	/* no timer looked up yet: as good as none */
	cpu_data->sleep_length_ns = KTIME_MAX;

	if (drv->state_count < 2) {
		idx = 0;
		goto out_tick;
	}

	if (!dev->states_usage[0].disable)
		idx = 0;

	/* the deepest enabled state, the deepest within the latency limit, the sums below it */
	for (i = 1; i < drv->state_count; i++) {
		struct teo_bin *prev_bin = &cpu_data->state_bins[i - 1];
		struct cpuidle_state *s = &drv->states[i];

		intercept_sum += prev_bin->intercepts;
		hit_sum += prev_bin->hits;

		if (dev->states_usage[i].disable)
			continue;

		if (idx < 0)
			idx0 = i; /* first enabled state */

		idx = i;

		if (s->exit_latency_ns <= latency_req)
			constraint_idx = i;

		idx_intercept_sum = intercept_sum;
		idx_hit_sum = hit_sum;
	}

	if (idx < 0) {
		idx = 0; /* no state enabled: state 0 */
		goto out_tick;
	}

	if (idx == idx0) {
		/* one state to choose: expect its target residency */
		duration_ns = drv->states[idx].target_residency_ns;
		goto end;
	}

	tick_intercept_sum = intercept_sum + cpu_data->state_bins[drv->state_count - 1].intercepts;

	prev_intercept_idx = idx;
	if (2 * idx_intercept_sum > cpu_data->total - idx_hit_sum) {
		int first_suitable_idx = idx;

		/* early wakeups likely: walk down until the bins hold over half the intercepts */
		intercept_sum = 0;

		for (i = idx - 1; i >= 0; i--) {
			struct teo_bin *bin = &cpu_data->state_bins[i];

			intercept_sum += bin->intercepts;

			if (2 * intercept_sum > idx_intercept_sum) {
				if (teo_state_ok(i, drv) && !dev->states_usage[i].disable)
					idx = i;
				else
					idx = first_suitable_idx;

				break;
			}

			if (dev->states_usage[i].disable)
				continue;

			if (!teo_state_ok(i, drv)) {
				/* too shallow, but a suitable candidate found so far may do */
				if (first_suitable_idx != idx)
					continue;

				break;
			}

			first_suitable_idx = i;
		}
	}
	if (!idx && prev_intercept_idx) {
		/* state 0 after all: look the timer up for the tick decision only */
		duration_ns = tick_nohz_get_sleep_length(&delta_tick);
		cpu_data->sleep_length_ns = duration_ns;
		goto out_tick;
	}

	/* the latency limit may call for a shallower state */
	if (idx > constraint_idx)
		idx = constraint_idx;

	if (!idx)
		goto out_tick;

	/* a state this short after a polling state 0 is not worth a timer lookup */
	if ((drv->states[0].flags & CPUIDLE_FLAG_POLLING) &&
	    drv->states[idx].target_residency_ns < RESIDENCY_THRESHOLD_NS)
		goto out_tick;

	duration_ns = tick_nohz_get_sleep_length(&delta_tick);
	cpu_data->sleep_length_ns = duration_ns;

	/* the timer comes before the state pays off: a shallower one */
	if (drv->states[idx].target_residency_ns > duration_ns)
		idx = teo_find_shallower_state(drv, dev, idx, duration_ns, false);

	/* mostly woken before the tick: expect half a tick, which keeps it */
	if (drv->states[idx].target_residency_ns < (s64)TICK_NSEC &&
	    tick_intercept_sum > cpu_data->total / 2 + cpu_data->total / 8)
		duration_ns = TICK_NSEC / 2;

end:
	/* a non-polling state for at least a tick, or the tick already stopped: stop it */
	if ((!(drv->states[idx].flags & CPUIDLE_FLAG_POLLING) && duration_ns >= (s64)TICK_NSEC) ||
	    tick_nohz_tick_stopped())
		return idx;

	/* the tick will wake us: the state must pay off before it does */
	if (idx > idx0 && drv->states[idx].target_residency_ns > delta_tick)
		idx = teo_find_shallower_state(drv, dev, idx, delta_tick, false);

out_tick:
	*stop_tick = false;
	return idx;
}

/* Choose the idle state for the period starting now; *stop_tick false keeps the tick. */
static int teo_select(struct cpuidle_driver *drv, struct cpuidle_device *dev, bool *stop_tick)
{
	struct teo_cpu *cpu_data = per_cpu_ptr(&teo_cpus, dev->cpu);
	s64 latency_req = cpuidle_governor_latency_req(dev->cpu);
	unsigned int idx_intercept_sum = 0;
	unsigned int intercept_sum = 0;
	unsigned int idx_recent_sum = 0;
	unsigned int recent_sum = 0;
	unsigned int idx_hit_sum = 0;
	unsigned int hit_sum = 0;
	int constraint_idx = 0;
	int idx0 = 0, idx = -1;
	bool alt_intercepts, alt_recent;
	ktime_t delta_tick;
	s64 duration_ns;
	int i;

	if (hpsim_kernel_version >= KERNEL_VERSION(6, 12, 0))
		return teo_select_v612(drv, dev, stop_tick);

	if (dev->last_state_idx >= 0) {
		teo_update(drv, dev);
		dev->last_state_idx = -1;
	}

	cpu_data->time_span_ns = (s64)local_clock();

	duration_ns = tick_nohz_get_sleep_length(&delta_tick);
	cpu_data->sleep_length_ns = duration_ns;

	/* one state, or the timer too close for state 1: nothing to choose */
	if (drv->state_count < 2) {
		idx = 0;
		goto end;
	}
	if (!dev->states_usage[0].disable) {
		idx = 0;
		if (drv->states[1].target_residency_ns > duration_ns)
			goto end;
	}

	/*
	 * The candidate: the deepest state whose target residency fits the sleep
	 * length; constraint_idx, the deepest of those within the latency limit;
	 * the sums of the metrics of the bins shallower than the candidate.
	 */
	for (i = 1; i < drv->state_count; i++) {
		struct teo_bin *prev_bin = &cpu_data->state_bins[i - 1];
		struct cpuidle_state *s = &drv->states[i];

		intercept_sum += prev_bin->intercepts;
		hit_sum += prev_bin->hits;
		recent_sum += prev_bin->recent;

		if (dev->states_usage[i].disable)
			continue;

		if (idx < 0) {
			idx = i; /* first enabled state */
			idx0 = i;
		}

		if (s->target_residency_ns > duration_ns)
			break;

		idx = i;

		if (s->exit_latency_ns <= latency_req)
			constraint_idx = i;

		idx_intercept_sum = intercept_sum;
		idx_hit_sum = hit_sum;
		idx_recent_sum = recent_sum;
	}

	if (idx < 0) {
		idx = 0; /* no state enabled: state 0 */
		goto end;
	} else if (idx == idx0) {
		goto end;
	}

	/*
	 * Early wakeups likely: the shallower bins' intercepts outweigh the hits
	 * and intercepts from the candidate down, or (before v6.12) most recent
	 * periods were intercepts in shallower bins.
	 */
	alt_intercepts = 2 * idx_intercept_sum > cpu_data->total - idx_hit_sum;
	alt_recent = teo_has_recent() && idx_recent_sum > NR_RECENT / 2;
	if (alt_recent || alt_intercepts) {
		s64 first_suitable_span_ns = duration_ns;
		int first_suitable_idx = idx;

		/*
		 * The deepest state whose bin and the shallower ones held over half
		 * of those intercepts (overall and recent), within what the stopped
		 * tick allows.
		 */
		intercept_sum = 0;
		recent_sum = 0;

		for (i = idx - 1; i >= 0; i--) {
			struct teo_bin *bin = &cpu_data->state_bins[i];
			s64 span_ns;

			intercept_sum += bin->intercepts;
			recent_sum += bin->recent;

			span_ns = teo_middle_of_bin(i, drv);

			if ((!alt_recent || 2 * recent_sum > idx_recent_sum) &&
			    (!alt_intercepts || 2 * intercept_sum > idx_intercept_sum)) {
				if (teo_time_ok((u64)span_ns) && !dev->states_usage[i].disable) {
					idx = i;
					duration_ns = span_ns;
				} else {
					/* too shallow or disabled: the first suitable deeper one */
					idx = first_suitable_idx;
					duration_ns = first_suitable_span_ns;
				}
				break;
			}

			if (dev->states_usage[i].disable)
				continue;

			if (!teo_time_ok((u64)span_ns)) {
				/* too shallow, but a suitable candidate found so far may do */
				if (first_suitable_idx != idx)
					continue;

				break;
			}

			first_suitable_span_ns = span_ns;
			first_suitable_idx = i;
		}
	}

	/* the latency limit may call for a shallower state */
	if (idx > constraint_idx)
		idx = constraint_idx;

end:
	/* keep the tick for a polling state or an expected duration shorter than a tick */
	if (((drv->states[idx].flags & CPUIDLE_FLAG_POLLING) || duration_ns < (s64)TICK_NSEC) &&
	    !tick_nohz_tick_stopped()) {
		*stop_tick = false;

		/* the tick will wake us: the state must pay off before it does */
		if (idx > idx0 && drv->states[idx].target_residency_ns > delta_tick)
			idx = teo_find_shallower_state(drv, dev, idx, delta_tick, false);
	}

	return idx;
}

/* After an idle period: the state, and the span to learn from at the next select. */
static void teo_reflect(struct cpuidle_device *dev, int state)
{
	struct teo_cpu *cpu_data = per_cpu_ptr(&teo_cpus, dev->cpu);

	dev->last_state_idx = state;
	/* a safety net (poll limit, an unexpected tick) ended it: assume the full sleep length */
	if (dev->poll_time_limit ||
	    (tick_nohz_idle_got_tick() && cpu_data->sleep_length_ns > (s64)TICK_NSEC)) {
		dev->poll_time_limit = false;
		cpu_data->time_span_ns = cpu_data->sleep_length_ns;
	} else {
		cpu_data->time_span_ns = (s64)local_clock() - cpu_data->time_span_ns;
	}
}

/* Attach the governor to a CPU: empty bins, no recent intercepts. */
static int teo_enable_device(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	struct teo_cpu *cpu_data = per_cpu_ptr(&teo_cpus, dev->cpu);
	int i;

	(void)drv;
	memset(cpu_data, 0, sizeof(*cpu_data));

	for (i = 0; i < NR_RECENT; i++)
		cpu_data->recent_idx[i] = -1;

	return 0;
}

static struct cpuidle_governor teo_governor = {
    .name = "teo",
    .rating = 19,
    .enable = teo_enable_device,
    .select = teo_select,
    .reflect = teo_reflect,
};

static int __init teo_governor_init(void)
{
	return cpuidle_register_governor(&teo_governor);
}

postcore_initcall(teo_governor_init);
