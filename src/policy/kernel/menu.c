// SPDX-License-Identifier: GPL-2.0-only
/*
 * The menu cpuidle governor, written for hpsim as kernel C. It follows
 * drivers/cpuidle/governors/menu.c: the same function names, per-CPU data,
 * u64/unsigned int arithmetic and control flow, so that the kernel-source
 * build drives a real menu.c through the same adapter (src/policy/idle_gov.h).
 *
 * The prediction: the time to the next timer, scaled by a correction factor
 * learnt per bucket (order of magnitude of that time, and I/O waiters before
 * v6.12), capped by the typical interval of the last eight idle periods when
 * they are regular enough. The deepest state whose target residency fits the
 * prediction and whose exit latency fits the latency limit is chosen; the
 * tick-stop logic keeps the tick when the prediction is shorter than a tick.
 *
 * Every release difference is a branch on hpsim_kernel_version naming the
 * release that made it: v6.6 (typical interval first), v6.12 (no I/O
 * waiters; latency-first state loop), v6.15 and v6.17 (typical interval
 * computation). The arithmetic is that of the ns-based governor (v5.5 and
 * later); earlier releases computed in microseconds, and releases before
 * v4.17 did not decide about the tick (see docs/idle-states.md).
 */
#include <linux/kernel.h>
#include <linux/cpuidle.h>
#include <linux/time.h>
#include <linux/ktime.h>
#include <linux/hrtimer.h>
#include <linux/tick.h>
#include <linux/sched.h>
#include <linux/sched/loadavg.h>
#include <linux/sched/stat.h>
#include <linux/math64.h>
#include <linux/module.h>

#define BUCKETS         12
#define INTERVAL_SHIFT  3
#define INTERVALS       (1UL << INTERVAL_SHIFT)
#define RESOLUTION      1024
#define DECAY           8
#define MAX_INTERESTING (50000 * NSEC_PER_USEC)
/* v6.6: below this typical interval the next timer is not looked up */
#define RESIDENCY_THRESHOLD_NS (15 * NSEC_PER_USEC)

struct menu_device {
	int needs_update;
	int tick_wakeup;

	u64 next_timer_ns;
	unsigned int bucket;
	unsigned int correction_factor[BUCKETS];
	unsigned int intervals[INTERVALS];
	int interval_ptr;
};

/* The bucket: order of magnitude of the time to the next timer, upper half with I/O waiters. */
static inline int which_bucket(u64 duration_ns, unsigned int nr_iowaiters)
{
	int bucket = 0;

	/* v6.12 (38f83090f515): I/O waiters no longer pick a bucket of their own */
	if (nr_iowaiters && hpsim_kernel_version < KERNEL_VERSION(6, 12, 0))
		bucket = BUCKETS / 2;

	if (duration_ns < 10ULL * NSEC_PER_USEC)
		return bucket;
	if (duration_ns < 100ULL * NSEC_PER_USEC)
		return bucket + 1;
	if (duration_ns < 1000ULL * NSEC_PER_USEC)
		return bucket + 2;
	if (duration_ns < 10000ULL * NSEC_PER_USEC)
		return bucket + 3;
	if (duration_ns < 100000ULL * NSEC_PER_USEC)
		return bucket + 4;
	return bucket + 5;
}

/* The exit-latency multiplier: each task of this CPU waiting for I/O makes deep states dearer. */
static inline int performance_multiplier(unsigned int nr_iowaiters)
{
	return 1 + 10 * nr_iowaiters;
}

static DEFINE_PER_CPU(struct menu_device, menu_devices);

/* Record one idle interval (us) in the ring of the last INTERVALS. */
static void menu_update_intervals(struct menu_device *data, unsigned int interval_us)
{
	data->intervals[data->interval_ptr++] = interval_us;
	if (data->interval_ptr >= (int)INTERVALS)
		data->interval_ptr = 0;
}

static void menu_update(struct cpuidle_driver *drv, struct cpuidle_device *dev);

/*
 * v6.15 and later: one pass for mean and variance (the mean of the squares
 * less the square of the mean), outliers dropped from whichever end lies
 * further from the mean; v6.17: with half the samples or more left, the
 * largest of them is the prediction rather than none.
 */
static unsigned int get_typical_interval_v615(struct menu_device *data)
{
	s64 value, min_thresh = -1, max_thresh = UINT_MAX;
	unsigned int max, min, divisor;
	u64 avg, variance, avg_sq;
	int i;

again:
	max = 0;
	min = UINT_MAX;
	avg = 0;
	variance = 0;
	divisor = 0;
	for (i = 0; i < (int)INTERVALS; i++) {
		value = data->intervals[i];
		if (value <= min_thresh || value >= max_thresh)
			continue;

		divisor++;
		avg += (u64)value;
		variance += (u64)value * (u64)value; /* the kernel's s64 product, wrapping */
		if ((unsigned int)value > max)
			max = (unsigned int)value;
		if ((unsigned int)value < min)
			min = (unsigned int)value;
	}

	if (!max)
		return UINT_MAX;

	if (divisor == INTERVALS) {
		avg >>= INTERVAL_SHIFT;
		variance >>= INTERVAL_SHIFT;
	} else {
		do_div(avg, divisor);
		do_div(variance, divisor);
	}

	avg_sq = avg * avg;
	variance -= avg_sq;

	if (likely(variance <= U64_MAX / 36)) {
		if ((avg_sq > variance * 36 && divisor * 4 >= INTERVALS * 3) || variance <= 400)
			return (unsigned int)avg;
	}

	if (divisor * 4 <= INTERVALS * 3) {
		if (hpsim_kernel_version >= KERNEL_VERSION(6, 17, 0) && divisor >= INTERVALS / 2)
			return max;
		return UINT_MAX;
	}

	if (avg - min > max - avg)
		min_thresh = min;
	else
		max_thresh = max;

	goto again;
}

/*
 * One pass over the intervals up to thresh: their count, sum, sum of squares
 * (mod 2^64), smallest and largest. Branch-free: which intervals count is
 * data, and a mispredicted branch per interval cost more than the sums.
 */
struct menu_interval_sums {
	u64 sum, sum_sq;
	unsigned int n, min, max;
};

static inline void menu_interval_sums(const struct menu_device *data, unsigned int thresh,
                                      struct menu_interval_sums *s)
{
	u64 sum = 0, sum_sq = 0;
	unsigned int n = 0, min = UINT_MAX, max = 0;
	int i;

	for (i = 0; i < (int)INTERVALS; i++) {
		unsigned int value = data->intervals[i];
		unsigned int in = value <= thresh;
		/* an interval that does not count adds 0, and is 0 to max, UINT_MAX to min */
		unsigned int hi = value & -in, lo = value | (in - 1);

		sum += hi;
		sum_sq += (u64)hi * hi;
		n += in;
		max = hi > max ? hi : max;
		min = lo < min ? lo : min;
	}
	s->sum = sum;
	s->sum_sq = sum_sq;
	s->n = n;
	s->min = min;
	s->max = max;
}

/*
 * x / n for a count of intervals n (1..INTERVALS): a division by each
 * constant, which the compiler turns into a multiplication, where a 64-bit
 * division by a variable was most of the typical interval's cost.
 */
static inline u64 menu_div_count(u64 x, unsigned int n)
{
	switch (n) {
	case 1:
		return x;
	case 2:
		return x / 2;
	case 3:
		return x / 3;
	case 4:
		return x / 4;
	case 5:
		return x / 5;
	case 6:
		return x / 6;
	case 7:
		return x / 7;
	case 8:
		return x / 8;
	default:
		return div64_u64(x, n);
	}
}

/*
 * The typical interval of the last INTERVALS idle periods, in us, or
 * UINT_MAX: their mean when their spread is small (standard deviation at
 * most 20 us, or at most a sixth of the mean), after dropping the largest
 * while more than three quarters of them remain.
 *
 * The variance is the kernel's sum of squared differences from the
 * (truncated) mean, divided by the count, computed from one pass's sums:
 * sum((v - avg)^2) = sum(v^2) - 2 avg sum(v) + n avg^2 holds exactly in
 * integers, hence also mod 2^64, where the kernel's sum wraps (intervals
 * over INT_MAX never count, so no single square overflows).
 */
static unsigned int get_typical_interval(struct menu_device *data, unsigned int predicted_us)
{
	struct menu_interval_sums s;
	unsigned int thresh, avg;
	u64 variance;

	if (hpsim_kernel_version >= KERNEL_VERSION(6, 15, 0))
		return get_typical_interval_v615(data);

	thresh = INT_MAX;

again:
	menu_interval_sums(data, thresh, &s);

	if (hpsim_kernel_version >= KERNEL_VERSION(6, 6, 0)) {
		/* v6.6: there is no timer-based prediction yet; only zeros make none */
		if (!s.max)
			return UINT_MAX;
	} else if (s.min >= predicted_us) {
		/* the timer-based prediction is lower anyway */
		return UINT_MAX;
	}

	/* the kernel shifts for a full ring and divides otherwise: the same quotients */
	avg = (unsigned int)menu_div_count(s.sum, s.n);
	variance = menu_div_count(s.sum_sq - 2 * (u64)avg * s.sum + (u64)s.n * avg * avg, s.n);

	if (likely(variance <= U64_MAX / 36)) {
		if ((((u64)avg * avg > variance * 36) && (s.n * 4 >= INTERVALS * 3)) ||
		    variance <= 400)
			return avg;
	}

	if (s.n * 4 <= INTERVALS * 3)
		return UINT_MAX;

	thresh = s.max - 1;
	goto again;
}

/* Choose the idle state for the period starting now; *stop_tick false keeps the tick. */
static int menu_select(struct cpuidle_driver *drv, struct cpuidle_device *dev, bool *stop_tick)
{
	struct menu_device *data = this_cpu_ptr(&menu_devices);
	s64 latency_req = cpuidle_governor_latency_req(dev->cpu);
	unsigned int predicted_us;
	u64 predicted_ns;
	u64 interactivity_req;
	unsigned int nr_iowaiters;
	ktime_t delta, delta_tick;
	int i, idx;

	if (data->needs_update) {
		menu_update(drv, dev);
		data->needs_update = 0;
	} else if (!dev->last_residency_ns) {
		/* the previous state was refused: do not learn from that period */
		menu_update_intervals(data, UINT_MAX);
	}

	nr_iowaiters = nr_iowait_cpu(dev->cpu);

	if (hpsim_kernel_version >= KERNEL_VERSION(6, 6, 0)) {
		/*
		 * v6.6 ("cpuidle: menu: Skip tick_nohz_get_sleep_length() call in
		 * some cases"): the typical interval first; the next timer only
		 * when that interval is long enough to matter.
		 */
		predicted_ns = (u64)get_typical_interval(data, UINT_MAX) * NSEC_PER_USEC;
		/* v6.12: with the tick stopped the timer is always looked up */
		if (predicted_ns > RESIDENCY_THRESHOLD_NS ||
		    (hpsim_kernel_version >= KERNEL_VERSION(6, 12, 0) &&
		     tick_nohz_tick_stopped())) {
			unsigned int timer_us;

			delta = tick_nohz_get_sleep_length(&delta_tick);
			if (unlikely(delta < 0)) {
				delta = 0;
				delta_tick = 0;
			}
			data->next_timer_ns = (u64)delta;
			data->bucket =
			    (unsigned int)which_bucket(data->next_timer_ns, nr_iowaiters);

			timer_us = (unsigned int)div_u64(
			    (RESOLUTION * DECAY * NSEC_PER_USEC) / 2 +
			        data->next_timer_ns * data->correction_factor[data->bucket],
			    RESOLUTION * DECAY * NSEC_PER_USEC);
			predicted_ns = min((u64)timer_us * NSEC_PER_USEC, predicted_ns);
		} else {
			/* no timer looked up: assume it far off, and the tick half a period away */
			data->next_timer_ns = KTIME_MAX;
			delta_tick = TICK_NSEC / 2;
			data->bucket = (unsigned int)which_bucket(KTIME_MAX, nr_iowaiters);
		}
	} else {
		delta = tick_nohz_get_sleep_length(&delta_tick);
		if (unlikely(delta < 0)) {
			delta = 0;
			delta_tick = 0;
		}
		data->next_timer_ns = (u64)delta;
		data->bucket = (unsigned int)which_bucket(data->next_timer_ns, nr_iowaiters);
		predicted_ns = 0;
	}

	if (unlikely(drv->state_count <= 1 || latency_req == 0) ||
	    ((data->next_timer_ns < (u64)drv->states[1].target_residency_ns ||
	      latency_req < drv->states[1].exit_latency_ns) &&
	     !dev->states_usage[0].disable)) {
		/* state 0 it is; keep the tick if it polls */
		*stop_tick = !(drv->states[0].flags & CPUIDLE_FLAG_POLLING);
		return 0;
	}

	if (hpsim_kernel_version < KERNEL_VERSION(6, 6, 0)) {
		/* round to the nearest microsecond */
		predicted_us = (unsigned int)div_u64(data->next_timer_ns *
		                                             data->correction_factor[data->bucket] +
		                                         (RESOLUTION * DECAY * NSEC_PER_USEC) / 2,
		                                     RESOLUTION * DECAY * NSEC_PER_USEC);
		/* the lower of the two predictions */
		predicted_ns = (u64)min(predicted_us, get_typical_interval(data, predicted_us)) *
		               NSEC_PER_USEC;
	}

	if (tick_nohz_tick_stopped()) {
		/* with the tick stopped, a short misprediction costs long: trust the timer */
		if (predicted_ns < (u64)TICK_NSEC)
			predicted_ns = data->next_timer_ns;
	} else if (hpsim_kernel_version < KERNEL_VERSION(6, 12, 0)) {
		/* v6.12 (38f83090f515) dropped this: I/O waiters cap the exit latency */
		interactivity_req = div64_u64(predicted_ns, performance_multiplier(nr_iowaiters));
		if (latency_req > (s64)interactivity_req)
			latency_req = (s64)interactivity_req;
	}

	idx = -1;
	for (i = 0; i < drv->state_count; i++) {
		struct cpuidle_state *s = &drv->states[i];

		if (dev->states_usage[i].disable)
			continue;

		if (idx == -1)
			idx = i; /* first enabled state */

		if (hpsim_kernel_version >= KERNEL_VERSION(6, 12, 0)) {
			/* v6.12: a state over the latency limit ends the search first */
			if (s->exit_latency_ns > latency_req)
				break;

			if ((u64)s->target_residency_ns <= predicted_ns) {
				idx = i;
				continue;
			}

			/*
			 * Rather a real idle state than polling when it is a short
			 * one (under RESIDENCY_THRESHOLD_NS), the timer is not
			 * sooner, and its exit latency fits the prediction.
			 */
			if ((drv->states[idx].flags & CPUIDLE_FLAG_POLLING) &&
			    s->target_residency_ns < RESIDENCY_THRESHOLD_NS &&
			    (u64)s->target_residency_ns <= data->next_timer_ns &&
			    (u64)s->exit_latency_ns <= predicted_ns) {
				predicted_ns = (u64)s->target_residency_ns;
				idx = i;
				break;
			}
		} else {
			if ((u64)s->target_residency_ns <= predicted_ns) {
				if (s->exit_latency_ns > latency_req)
					break;

				idx = i;
				continue;
			}

			/* rather a real idle state than polling, when a timer comes soon enough */
			if ((drv->states[idx].flags & CPUIDLE_FLAG_POLLING) &&
			    s->exit_latency_ns <= latency_req &&
			    (u64)s->target_residency_ns <= data->next_timer_ns) {
				predicted_ns = (u64)s->target_residency_ns;
				idx = i;
				break;
			}
		}

		/* this state's target residency is beyond the prediction */
		if (predicted_ns < (u64)TICK_NSEC)
			break;

		if (!tick_nohz_tick_stopped()) {
			/* a shallow state with the tick kept: the next tick re-selects */
			predicted_ns = (u64)drv->states[idx].target_residency_ns;
			break;
		}

		/* tick stopped: go deeper if this state still fits before the next event */
		if (drv->states[idx].target_residency_ns < (s64)TICK_NSEC &&
		    s->target_residency_ns <= delta_tick)
			idx = i;

		return idx;
	}

	if (idx == -1)
		idx = 0; /* no state enabled: state 0 */

	/* keep the tick for a polling state or a prediction shorter than a tick */
	if (((drv->states[idx].flags & CPUIDLE_FLAG_POLLING) || predicted_ns < (u64)TICK_NSEC) &&
	    !tick_nohz_tick_stopped()) {
		*stop_tick = false;

		/* the tick will wake us: the state must pay off before it does */
		if (idx > 0 && drv->states[idx].target_residency_ns > delta_tick) {
			for (i = idx - 1; i >= 0; i--) {
				if (dev->states_usage[i].disable)
					continue;

				idx = i;
				if (drv->states[i].target_residency_ns <= delta_tick)
					break;
			}
		}
	}

	return idx;
}

/* After an idle period: remember the state; the learning waits for the next select. */
static void menu_reflect(struct cpuidle_device *dev, int index)
{
	struct menu_device *data = this_cpu_ptr(&menu_devices);

	dev->last_state_idx = index;
	data->needs_update = 1;
	data->tick_wakeup = tick_nohz_idle_got_tick();
}

/* Learn from the idle period that ended: the bucket's correction factor and the intervals. */
static void menu_update(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	struct menu_device *data = this_cpu_ptr(&menu_devices);
	int last_idx = dev->last_state_idx;
	struct cpuidle_state *target = &drv->states[last_idx];
	u64 measured_ns;
	unsigned int new_factor;

	if (data->tick_wakeup && data->next_timer_ns > (u64)TICK_NSEC) {
		/* the tick woke a CPU that expected a long sleep: call it long */
		measured_ns = 9 * MAX_INTERESTING / 10;
	} else if ((drv->states[last_idx].flags & CPUIDLE_FLAG_POLLING) && dev->poll_time_limit) {
		/* polling ran out of time: assume the timer would have woken it */
		measured_ns = data->next_timer_ns;
	} else {
		measured_ns = dev->last_residency_ns;

		/* the wakeup began an exit latency before the measurement ended */
		if (measured_ns > 2 * (u64)target->exit_latency_ns)
			measured_ns -= (u64)target->exit_latency_ns;
		else
			measured_ns /= 2;
	}

	/* the factor never exceeds unity */
	if (measured_ns > data->next_timer_ns)
		measured_ns = data->next_timer_ns;

	new_factor = data->correction_factor[data->bucket];
	new_factor -= new_factor / DECAY;

	if (data->next_timer_ns > 0 && measured_ns < MAX_INTERESTING)
		new_factor +=
		    (unsigned int)div64_u64(RESOLUTION * measured_ns, data->next_timer_ns);
	else
		new_factor += RESOLUTION; /* idle so long it counts as a perfect prediction */

	if (DECAY == 1 && unlikely(new_factor == 0))
		new_factor = 1;

	data->correction_factor[data->bucket] = new_factor;

	menu_update_intervals(data, (unsigned int)ktime_to_us(measured_ns));
}

/* Attach the governor to a CPU: unity correction factors, empty history. */
static int menu_enable_device(struct cpuidle_driver *drv, struct cpuidle_device *dev)
{
	struct menu_device *data = &per_cpu(menu_devices, dev->cpu);
	int i;

	(void)drv;
	memset(data, 0, sizeof(struct menu_device));

	for (i = 0; i < BUCKETS; i++)
		data->correction_factor[i] = RESOLUTION * DECAY;

	return 0;
}

static struct cpuidle_governor menu_governor = {
    .name = "menu",
    .rating = 20,
    .enable = menu_enable_device,
    .select = menu_select,
    .reflect = menu_reflect,
};

static int __init init_menu(void)
{
	return cpuidle_register_governor(&menu_governor);
}

postcore_initcall(init_menu);
