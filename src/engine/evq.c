/* A binary min-heap of events; no allocation after hp_evq_init(). */
#include <stdlib.h>

#include "evq.h"

static int before(const struct hp_ev *a, const struct hp_ev *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->id < b->id;
}

int hp_evq_init(struct hp_evq *q, size_t cap)
{
	q->n = 0;
	q->cap = cap ? cap : 1;
	q->h = malloc(q->cap * sizeof(*q->h));
	return q->h ? 0 : -1;
}

void hp_evq_free(struct hp_evq *q)
{
	free(q->h);
	q->h = NULL;
	q->n = q->cap = 0;
}

int hp_evq_push(struct hp_evq *q, struct hp_ev ev)
{
	size_t i;

	if (q->n == q->cap)
		return -1;
	i = q->n++;
	while (i > 0 && before(&ev, &q->h[(i - 1) / 2])) {
		q->h[i] = q->h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	q->h[i] = ev;
	return 0;
}

int hp_evq_pop(struct hp_evq *q, struct hp_ev *ev)
{
	struct hp_ev last;
	size_t i = 0;

	if (!q->n)
		return -1;
	*ev = q->h[0];
	last = q->h[--q->n];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->n)
			break;
		if (c + 1 < q->n && before(&q->h[c + 1], &q->h[c]))
			c++;
		if (!before(&q->h[c], &last))
			break;
		q->h[i] = q->h[c];
		i = c;
	}
	if (q->n)
		q->h[i] = last;
	return 0;
}
