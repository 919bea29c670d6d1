/* Replay one configuration into metrics: the engine with the metrics as its sink. */
#include "hpsim/report.h"

struct tee {
	struct hp_metrics *m;
	hp_outcome_fn extra;
	void *extra_ctx;
};

static void tee_outcome(void *ctx, const struct hp_outcome *o)
{
	struct tee *t = ctx;

	hp_metrics_add(t->m, o);
	if (t->extra)
		t->extra(t->extra_ctx, o);
}

int hp_report_replay(const struct hp_episodes *eps, struct hp_engine_config *cfg,
                     struct hp_metrics *m, struct hp_engine_stats *st, hp_outcome_fn extra,
                     void *extra_ctx, struct hp_err *err)
{
	struct hp_episode_source src;
	int rc;

	if (hp_source_from_array(&src, eps, err) < 0)
		return -1;
	rc = hp_report_replay_source(&src, cfg, m, st, extra, extra_ctx, err);
	hp_source_close(&src);
	return rc;
}

int hp_report_replay_source(struct hp_episode_source *src, struct hp_engine_config *cfg,
                            struct hp_metrics *m, struct hp_engine_stats *st, hp_outcome_fn extra,
                            void *extra_ctx, struct hp_err *err)
{
	const struct hp_episodes *eps = src->eps;
	struct tee t = {.m = m, .extra = extra, .extra_ctx = extra_ctx};

	if (hp_metrics_init(m, eps->ncpu, eps->t_last_ns - eps->t_first_ns, err) < 0)
		return -1;
	m->t_first_ns = eps->t_first_ns;
	m->cost = cfg->cost;
	if (hp_host_idle_active(&cfg->idle))
		m->idle = cfg->idle.table;
	cfg->on_outcome = tee_outcome;
	cfg->ctx = &t;
	if (hp_engine_run_source(src, cfg, st, err) < 0) {
		hp_metrics_free(m);
		return -1;
	}
	hp_metrics_total(m);
	cfg->on_outcome = NULL;
	cfg->ctx = NULL;
	return 0;
}
