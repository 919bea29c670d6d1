/* Shared by the files of src/plot/: CSV tables, gnuplot variables, the runner. */
#ifndef HPSIM_PLOT_INT_H
#define HPSIM_PLOT_INT_H

#include <stdio.h>
#include <sys/types.h>

#include "hpsim/atomic_file.h"

#include "hpsim/plot.h"

/* A CSV file read whole: a header row and string cells, read by column name. */
struct plot_table {
	const char *path;
	size_t ncols, nrows;
	char **head; /* ncols names */
	char **cell; /* nrows * ncols values, row-major */
};

/* Read a CSV file with a header row (libcsv); 0 or -1 with err naming the file. */
int plot_table_read(const char *path, struct plot_table *t, struct hp_err *err);

/* Free the table's cells. */
void plot_table_free(struct plot_table *t);

/* The index of column name, or -1 if there is none. */
int plot_table_find(const struct plot_table *t, const char *name);

/* The index of a needed column, or -1 with err naming the file and the column. */
int plot_table_col(const struct plot_table *t, const char *name, struct hp_err *err);

/* The text of a cell ("" when col < 0). */
const char *plot_table_get(const struct plot_table *t, size_t row, int col);

/* A cell as a number; 0, or -1 with err naming the file, line and column. */
int plot_table_num(const struct plot_table *t, size_t row, int col, double *out,
                   struct hp_err *err);

/* Write one CSV field (quoted by libcsv only when needed), then ',' or '\n' if last. */
void plot_csv_field(FILE *f, const char *s, int last);

/* The mode new output files get: 0666 less the process's umask. */
mode_t plot_file_mode(void);

/* Commit a data CSV opened with hp_atomic_open, readable as the umask allows; 0 or -1. */
int plot_csv_commit(struct hp_atomic_file *a, struct hp_err *err);

/* The gnuplot variables (-e "name='value'; ...") handed to a plot script. */
struct plot_vars {
	char buf[6144];
	size_t len;
	int overflow;
};

/* Add name='text' (quotes doubled as gnuplot wants). */
void plot_var_str(struct plot_vars *v, const char *name, const char *text);

/* Add name=number. */
void plot_var_num(struct plot_vars *v, const char *name, double x);

/* Append a title as one double-quoted word of a gnuplot word list. */
void plot_word_append(char *list, size_t size, const char *word);

/* base + suffix: the output's path without its extension, then e.g. ".pareto.csv". */
int plot_sibling(const char *output, const char *suffix, char *buf, size_t size,
                 struct hp_err *err);

/* The last path component of path. */
const char *plot_basename(const char *path);

/* Check that output ends in .png, .svg or .pdf; 0 or -1 with err. */
int plot_check_output(const char *output, struct hp_err *err);

/* Run gnuplot on scripts/plot/SCRIPT with vars, writing req->output atomically. */
int plot_gnuplot_run(const char *script, const struct plot_vars *vars, const char *output,
                     struct hp_plot_result *res, struct hp_err *err);

/* Each kind: write its data CSV(s) beside the output and fill in the script's variables. */
int plot_pareto_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                        size_t size, struct hp_err *err);
int plot_timeline_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                          size_t size, struct hp_err *err);
int plot_hist_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                      size_t size, struct hp_err *err);
int plot_heatmap_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                         size_t size, struct hp_err *err);
int plot_cdf_prepare(const struct hp_plot_request *req, struct plot_vars *v, char *data,
                     size_t size, struct hp_err *err);

#endif
