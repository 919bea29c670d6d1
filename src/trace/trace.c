/* Pick the reader for a capture by its content and normalize what it gives. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "hpsim/trace.h"

static const struct hp_trace_reader *const readers[] = {
    &hp_reader_tracedat,
};

int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err)
{
	unsigned char head[64];
	struct stat st;
	size_t len, i;
	FILE *f;

	memset(eps, 0, sizeof(*eps));
	if (stat(path, &st) < 0)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return hp_errf(err, "%s: is a directory, expected a trace file", path);
	f = fopen(path, "rb");
	if (!f)
		return hp_errf(err, "%s: %s", path, strerror(errno));
	len = fread(head, 1, sizeof(head), f);
	fclose(f);
	if (len == 0)
		return hp_errf(err, "%s: empty file, expected a trace", path);
	for (i = 0; i < sizeof(readers) / sizeof(readers[0]); i++) {
		if (!readers[i]->probe(head, len))
			continue;
		if (readers[i]->read(path, eps, err) < 0) {
			hp_episodes_free(eps);
			return -1;
		}
		eps->format = readers[i]->name;
		hp_episodes_sort(eps);
		if (hp_episodes_validate(eps, err) < 0) {
			hp_err_prefix(err, "%s: ", path);
			hp_episodes_free(eps);
			return -1;
		}
		return 0;
	}
	return hp_errf(err, "%s: not a recognized trace (expected a trace-cmd trace.dat file)",
	               path);
}
