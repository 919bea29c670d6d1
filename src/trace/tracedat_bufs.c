/*
 * The buffers of a trace.dat (libtracecmd): the top buffer, every buffer
 * instance stored in the file (`trace-cmd record/extract -B NAME`), and, for a
 * host capture recorded with `trace-cmd record -A`, the guest files written
 * beside it (HOST-NAME.dat for HOST.dat) that name this host file as theirs:
 * libtracecmd's guest map (tracecmd_get_guest_cpumap) gives each guest vCPU's
 * host thread, and libtracecmd applies the guest's recorded clock offsets
 * when it opens the guest file, so its timestamps are on the host's clock.
 */
#define _GNU_SOURCE
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracedat_bufs.h"

static void add(struct hp_tdat_bufs *b, struct tracecmd_input *h, const char *name, int guest,
                int owned)
{
	struct hp_tdat_buf *x = &b->buf[b->n++];

	memset(x, 0, sizeof(*x));
	x->h = h;
	x->tep = tracecmd_get_tep(h);
	x->guest = guest;
	x->owned = owned;
	snprintf(x->name, sizeof(x->name), "%s", name ? name : "");
}

/* The instances of h (and h itself) into b. */
static void add_instances(struct hp_tdat_bufs *b, struct tracecmd_input *h, int guest)
{
	int i, n = tracecmd_buffer_instances(h);

	for (i = 0; i < n && b->n < HP_TDAT_MAX_BUFS; i++) {
		struct tracecmd_input *ih = tracecmd_buffer_instance_handle(h, i);

		if (ih)
			add(b, ih, tracecmd_buffer_instance_name(h, i), guest, 1);
	}
}

/* HOST-*.dat beside path that are guests of host; added with their vCPU threads. */
static void add_guests(struct hp_tdat_bufs *b, const char *path, struct tracecmd_input *host)
{
	char pat[4200];
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t base = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
	glob_t g;
	size_t i;

	if (base + 16 > sizeof(pat))
		return;
	snprintf(pat, sizeof(pat), "%.*s-*%s", (int)base, path, path + base);
	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (i = 0; i < g.gl_pathc && b->n < HP_TDAT_MAX_BUFS && b->nguests < HP_TDAT_MAX_GUESTS;
	     i++) {
		struct tracecmd_input *gh =
		    tracecmd_open(g.gl_pathv[i], TRACECMD_FL_LOAD_NO_PLUGINS);
		const char *name = NULL;
		const int *cpu_pid = NULL;
		int ncpu = 0, k, gi;

		if (!gh)
			continue;
		if (tracecmd_get_guest_cpumap(host, tracecmd_get_traceid(gh), &name, &ncpu,
		                              &cpu_pid) < 0 ||
		    ncpu <= 0 || !cpu_pid) {
			tracecmd_close(gh);
			continue;
		}
		gi = ++b->nguests;
		b->guest_cpus[gi - 1] = ncpu;
		b->guest_base[gi - 1] = b->next_base;
		for (k = 0; k < ncpu && b->next_base + (uint32_t)k < HP_DEC_MAX_CPUS; k++)
			b->vcpu_pid[b->next_base + (uint32_t)k] = cpu_pid[k];
		add(b, gh, name, gi, 1);
		b->buf[b->n - 1].cpu_base = b->next_base;
		b->buf[b->n - 1].file_handle = 1;
		b->next_base += (uint32_t)ncpu;
		add_instances(b, gh, gi);
		for (k = b->n - 1; k >= 0 && b->buf[k].guest == gi; k--)
			b->buf[k].cpu_base = b->guest_base[gi - 1];
	}
	globfree(&g);
}

void hp_tdat_bufs_open(struct hp_tdat_bufs *b, const char *path, struct tracecmd_input *top)
{
	memset(b, 0, sizeof(*b));
	add(b, top, "", 0, 0);
	add_instances(b, top, 0);
	add_guests(b, path, top);
}

void hp_tdat_bufs_close(struct hp_tdat_bufs *b)
{
	int i;

	/* instance handles first: they borrow from their file's handle */
	for (i = b->n - 1; i >= 0; i--)
		if (b->buf[i].owned && !b->buf[i].file_handle)
			tracecmd_close(b->buf[i].h);
	for (i = b->n - 1; i >= 0; i--)
		if (b->buf[i].owned && b->buf[i].file_handle)
			tracecmd_close(b->buf[i].h);
	b->n = 0;
}
