/* Pick the reader for a capture by its content and normalize what it gives. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hpsim/cost.h"
#include "hpsim/trace.h"

static const struct hp_trace_reader *const readers[] = {
    &hp_reader_tracedat,
    &hp_reader_report_text,
};

void hp_read_opts_init(struct hp_read_opts *opts)
{
	struct hp_cost c;

	memset(opts, 0, sizeof(*opts));
	hp_cost_defaults(&c, HP_ARCH_X86);
	opts->host_wakeup_ns = c.host_wakeup_ns;
}

int hp_vcpu_map_parse(struct hp_read_opts *opts, const char *spec, struct hp_err *err)
{
	const char *p = spec;

	if (!*p)
		return hp_errf(err, "--vcpu-map: empty, expected PID=VCPU[,PID=VCPU...]");
	while (*p) {
		const char *item = p;
		unsigned long pid, vcpu;
		char *end;

		if (*p < '0' || *p > '9')
			goto bad;
		pid = strtoul(p, &end, 10);
		if (*end != '=' || pid > 0x7fffffff)
			goto bad;
		p = end + 1;
		if (*p < '0' || *p > '9')
			goto bad;
		vcpu = strtoul(p, &end, 10);
		if ((*end != ',' && *end != '\0') || vcpu >= 4096)
			goto bad;
		if (opts->nmap == HP_VCPU_MAP_MAX)
			return hp_errf(err, "--vcpu-map: more than %d threads", HP_VCPU_MAP_MAX);
		opts->map[opts->nmap].pid = (int32_t)pid;
		opts->map[opts->nmap].vcpu = (uint32_t)vcpu;
		opts->nmap++;
		p = *end ? end + 1 : end;
		continue;
	bad:
		return hp_errf(err,
		               "--vcpu-map: '%.*s' is not PID=VCPU (a thread id, '=', a vCPU "
		               "index below 4096), in '%s'",
		               (int)strcspn(item, ","), item, spec);
	}

	return 0;
}

int hp_trace_read_opts(const char *path, const struct hp_read_opts *opts, struct hp_episodes *eps,
                       struct hp_err *err)
{
	unsigned char head[4096];
	struct hp_read_opts defaults;
	struct stat st;
	size_t len, i;
	FILE *f;

	memset(eps, 0, sizeof(*eps));
	if (!opts) {
		hp_read_opts_init(&defaults);
		opts = &defaults;
	}
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
		if (readers[i]->read(path, opts, eps, err) < 0) {
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
	return hp_errf(err,
	               "%s: not a recognized trace (expected a trace-cmd trace.dat file or "
	               "`trace-cmd report` text)",
	               path);
}

int hp_trace_read(const char *path, struct hp_episodes *eps, struct hp_err *err)
{
	struct hp_read_opts o;

	hp_read_opts_init(&o);
	return hp_trace_read_opts(path, &o, eps, err);
}
