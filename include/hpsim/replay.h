/*
 * Replaying one configuration into metrics: the engine run with the report's
 * metrics as its sink (and any other sink beside them). The sweep stage
 * holds it, so the CLI, the sweep and the host answer drive the engine the
 * same way while src/report/ only accumulates and formats what it is handed.
 */
#ifndef HPSIM_REPLAY_H
#define HPSIM_REPLAY_H

#include "hpsim/engine.h"
#include "hpsim/err.h"
#include "hpsim/report.h"
#include "hpsim/source.h"

/*
 * Replay eps through cfg into m (initialized here; free with hp_metrics_free),
 * also passing each outcome to extra (may be NULL). 0 or -1 with err.
 */
int hp_replay(const struct hp_episodes *eps, struct hp_engine_config *cfg, struct hp_metrics *m,
              struct hp_engine_stats *st, hp_outcome_fn extra, void *extra_ctx, struct hp_err *err);

/* hp_replay() from a source: the episodes streamed, not held. */
int hp_replay_source(struct hp_episode_source *src, struct hp_engine_config *cfg,
                     struct hp_metrics *m, struct hp_engine_stats *st, hp_outcome_fn extra,
                     void *extra_ctx, struct hp_err *err);

#endif
