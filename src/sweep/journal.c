/*
 * The journal: one line per finished unit, appended with one write(2) per
 * batch. Each line ends with a checksum of the line, so a line torn by a
 * crash is recognized and dropped (its unit runs again on resume).
 *
 *   unit halts attempted successful poll_ns wall_ns lat_sum p50 p90 p99 p999 max ncpu failed
 *   (tab separated) TAB error TAB checksum(hex) NL
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hpsim/sweep.h"

#define NFIELDS 14

/* The longest line: 14 numbers of up to 20 digits, the error text, the checksum, separators. */
#define LINE_MAX_LEN (NFIELDS * 21 + HP_SWEEP_ERR_LEN + 20)

static uint64_t fnv1a(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static size_t format_row(char *buf, size_t cap, const struct hp_sweep_row *r)
{
	char errtext[HP_SWEEP_ERR_LEN];
	size_t i, n;

	for (i = 0; r->error && i < sizeof(errtext) - 1 && r->error[i]; i++)
		errtext[i] = (unsigned char)r->error[i] < 0x20 ? ' ' : r->error[i];
	errtext[i] = '\0';
	n = (size_t)snprintf(buf, cap,
	                     "%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
	                     "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
	                     "\t%" PRIu64 "\t%" PRIu64 "\t%u\t%u\t%s\t",
	                     r->unit, r->halts, r->attempted, r->successful, r->poll_ns, r->wall_ns,
	                     r->lat_sum, r->lat_q[0], r->lat_q[1], r->lat_q[2], r->lat_q[3],
	                     r->lat_max, r->ncpu, r->failed, errtext);
	n += (size_t)snprintf(buf + n, cap - n, "%016" PRIx64 "\n", fnv1a(buf, n));
	return n;
}

int hp_sweep_journal_append(int fd, const struct hp_sweep_row *rows, size_t n, struct hp_err *err)
{
	size_t cap = n * LINE_MAX_LEN + 1, len = 0, i;
	char *buf = malloc(cap);
	const char *p;
	int rc = 0;

	if (!buf)
		return hp_errf(err, "out of memory");
	for (i = 0; i < n; i++)
		len += format_row(buf + len, cap - len, &rows[i]);
	for (p = buf; len;) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = hp_errf(err, "journal: write failed: %s", strerror(errno));
			break;
		}
		p += w;
		len -= (size_t)w;
	}
	free(buf);
	return rc;
}

/* Parse one line (without its newline); 0 or -1 when it is torn or corrupt. */
static int parse_line(char *line, size_t len, struct hp_sweep_row *r)
{
	char *last = NULL, *p, *field[NFIELDS + 1];
	unsigned long long v[NFIELDS];
	size_t i;

	for (p = line + len; p > line; p--)
		if (p[-1] == '\t') {
			last = p;
			break;
		}
	if (!last || strlen(last) != 16 ||
	    strtoull(last, NULL, 16) != fnv1a(line, (size_t)(last - line)))
		return -1;
	last[-1] = '\0';
	p = line;
	for (i = 0; i <= NFIELDS; i++) {
		field[i] = p;
		if (i < NFIELDS) {
			p = strchr(p, '\t');
			if (!p)
				return -1;
			*p++ = '\0';
		}
	}
	memset(r, 0, sizeof(*r));
	for (i = 0; i < NFIELDS; i++) {
		char *end;

		errno = 0;
		v[i] = strtoull(field[i], &end, 10);
		if (*end || end == field[i] || errno)
			return -1;
	}
	r->unit = v[0];
	r->halts = v[1];
	r->attempted = v[2];
	r->successful = v[3];
	r->poll_ns = v[4];
	r->wall_ns = v[5];
	r->lat_sum = v[6];
	for (i = 0; i < 4; i++)
		r->lat_q[i] = v[7 + i];
	r->lat_max = v[11];
	r->ncpu = (uint32_t)v[12];
	r->failed = (uint32_t)v[13];
	if (r->failed && !(r->error = strdup(field[NFIELDS])))
		return -1;
	return 0;
}

int hp_sweep_journal_read(const char *path, uint64_t nunits, struct hp_sweep_row *rows,
                          uint8_t *have, long *valid_bytes, struct hp_err *err)
{
	FILE *f = fopen(path, "rb");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long good = 0;

	*valid_bytes = 0;
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return hp_errf(err, "%s: %s", path, strerror(errno));
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		struct hp_sweep_row r;

		if (line[n - 1] != '\n')
			break;
		line[n - 1] = '\0';
		if (parse_line(line, (size_t)n - 1, &r) < 0)
			break; /* torn by a crash: everything from here is redone */
		if (r.unit >= nunits) {
			free(line);
			fclose(f);
			return hp_errf(err, "%s: unit %llu is outside this sweep's %llu units",
			               path, (unsigned long long)r.unit,
			               (unsigned long long)nunits);
		}
		if (r.failed && r.error &&
		    (!strncmp(r.error, "worker crashed", 14) ||
		     !strncmp(r.error, "worker exited with status", 25))) {
			/* a unit lost to a dead worker (as earlier versions journaled it): not
			 * done, rerun */
			free(r.error);
			good += n;
			continue;
		}
		free(rows[r.unit].error);
		rows[r.unit] = r;
		have[r.unit] = 1;
		good += n;
	}
	free(line);
	fclose(f);
	*valid_bytes = good;
	return 0;
}
