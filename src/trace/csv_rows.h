/*
 * The episode CSV's rows one at a time (src/trace/csv.c), for the readers
 * that do not hold them all: the streamed first read (csv_stream.c).
 */
#ifndef HPSIM_CSV_ROWS_H
#define HPSIM_CSV_ROWS_H

#include <stdint.h>

#include "hpsim/episode.h"

/* What the rows of a whole file came to. */
struct hp_csv_rows {
	uint64_t n;                     /* rows read */
	uint32_t ncpu;                  /* largest cpu + 1 */
	uint64_t t_first_ns, t_last_ns; /* earliest halt start, latest wake */
};

/* Called with each row (file line `line`) in file order; 0, or nonzero to stop (err set). */
typedef int (*hp_csv_row_fn)(void *arg, const struct hp_episode *e, unsigned long line,
                             struct hp_err *err);

/* Parse the episode CSV at path, row by row into row(); 0, or -1 with err naming the line. */
int hp_csv_parse(const char *path, hp_csv_row_fn row, void *arg, struct hp_csv_rows *rows,
                 struct hp_err *err);

/* Set eps's assumption to the CSV reader's. */
void hp_csv_assumption(struct hp_episodes *eps);

#endif
