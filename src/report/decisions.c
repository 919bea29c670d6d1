/* The per-halt decisions log: what each layer decided for each halt, as CSV. */
#include <inttypes.h>

#include "hpsim/report.h"

void hp_decisions_header(FILE *f)
{
	fputs(HP_DECISIONS_HEADER "\n", f);
}

void hp_decisions_add(void *ctx, const struct hp_outcome *o)
{
	FILE *f = ctx;
	int l;

	for (l = 0; l < HP_LAYER_COUNT; l++) {
		const struct hp_decision *d = &o->d[l];

		if (!o->has[l])
			continue;
		fprintf(f,
		        "%" PRIu32 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%" PRIu64
		        ",%" PRIu64 ",%" PRIu64 "\n",
		        o->ep->cpu, hp_layer_name((enum hp_layer)l), o->ep->halt_start_ns,
		        o->ep->wake_ns, d->poll_limit_before_ns, d->polled_ns,
		        hp_outcome_name((enum hp_outcome_kind)d->outcome), d->block_ns,
		        d->poll_limit_after_ns, o->latency_ns);
	}
}
