/*
 * Episodes as CSV: `cpu,halt_start_ns,wake_ns,source,source_cpu` with a header
 * line. The reader is hp_reader_csv (trace.h); this is the writer.
 */
#ifndef HPSIM_EPISODE_CSV_H
#define HPSIM_EPISODE_CSV_H

#include <stdio.h>

#include "hpsim/episode.h"

/* The header line the writer emits and the reader's probe looks for (without newline). */
#define HP_CSV_HEADER "cpu,halt_start_ns,wake_ns,source,source_cpu"

/* Name of a wake source ("ipi", ...; "unknown" for anything out of range). */
const char *hp_wake_source_name(uint32_t source);

/* Parse a wake source name (case-insensitive; empty means unknown); 0, or -1 if not a name. */
int hp_wake_source_parse(const char *s, uint32_t *source);

/* Write every episode of eps to f as CSV with a header line; 0 or -1 with err. */
int hp_csv_write(FILE *f, const struct hp_episodes *eps, struct hp_err *err);

/* Write n episodes as CSV rows (no header) to f, as hp_csv_write does; 0 or -1 with err. */
int hp_csv_write_rows(FILE *f, const struct hp_episode *ep, size_t n, struct hp_err *err);

/* Write eps as episode CSV to path atomically ("-": stdout); 0 or -1 with err naming path. */
int hp_csv_write_path(const char *path, const struct hp_episodes *eps, struct hp_err *err);

#endif
