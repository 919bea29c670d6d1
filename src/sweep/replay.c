/* Replay one configuration into metrics: the engine with the metrics as its sink. */
#include "hpsim/replay.h"

/* The metrics, then the caller's own sink. */
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

int hp_replay(const struct hp_episodes *eps, struct hp_engine_config *cfg, struct hp_metrics *m,
              struct hp_engine_stats *st, hp_outcome_fn extra, void *extra_ctx, struct hp_err *err)
{
	struct hp_episode_source src;
	int rc;

	if (hp_source_from_array(&src, eps, err) < 0)
		return -1;
	rc = hp_replay_source(&src, cfg, m, st, extra, extra_ctx, err);
	hp_source_close(&src);
	return rc;
}

int hp_replay_source(struct hp_episode_source *src, struct hp_engine_config *cfg,
                     struct hp_metrics *m, struct hp_engine_stats *st, hp_outcome_fn extra,
                     void *extra_ctx, struct hp_err *err)
{
	struct tee t = {.m = m, .extra = extra, .extra_ctx = extra_ctx};

	if (hp_metrics_init_run(m, src->eps, cfg, err) < 0)
		return -1;
	cfg->on_outcome = tee_outcome;
	cfg->ctx = &t;
	if (hp_engine_run_source(src, cfg, st, err) < 0) {
		cfg->on_outcome = NULL;
		cfg->ctx = NULL;
		hp_metrics_free(m);
		return -1;
	}
	hp_metrics_total(m);
	cfg->on_outcome = NULL;
	cfg->ctx = NULL;
	return 0;
}
