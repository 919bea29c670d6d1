/*
 * Makes a small fuzzing seed from a trace.dat of file version 6 (uncompressed;
 * `trace-cmd convert --file-version 6 --compression none` makes one of any
 * capture): the same file without the recording machine's kallsyms and printk
 * formats, with only the event formats hpsim's reader knows (no ftrace ones),
 * and at most MAXPAGES pages of data per CPU (default 2). Everything else (header
 * pages, saved command lines, options, the CPU data kept) is copied as it is.
 * A megabyte capture becomes a few kilobytes, which libFuzzer mutates a
 * thousand times faster. `trace-cmd convert` of the result makes the
 * version-7 seeds.
 *
 * usage: fuzz_seed_min IN.dat OUT.dat [MAXPAGES]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the events hpsim reads (src/trace/decode.c) */
static const char *const keep[] = {
    "cpu_idle",
    "guest_halt_poll_ns",
    "ipi_send_cpu",
    "ipi_send_cpumask",
    "irq_handler_entry",
    "hrtimer_expire_entry",
    "kvm_vcpu_wakeup",
    "kvm_halt_poll_ns",
    "kvm_exit",
    "kvm_entry",
    "sched_switch",
    "sched_wakeup",
    "kvmppc_vcore_blocked",
    "kvmppc_vcore_wakeup",
};

struct buf {
	const unsigned char *p;
	size_t n, at;
};

static _Noreturn void die(const char *what)
{
	fprintf(stderr, "fuzz_seed_min: %s\n", what);
	exit(1);
}

static const unsigned char *take(struct buf *b, size_t n)
{
	const unsigned char *p = b->p + b->at;

	if (n > b->n - b->at)
		die("input ends early (not an uncompressed version-6 trace.dat?)");
	b->at += n;
	return p;
}

static uint64_t num(struct buf *b, size_t n) /* little-endian, as the captures here are */
{
	const unsigned char *p = take(b, n);
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static const char *str(struct buf *b)
{
	const char *s = (const char *)b->p + b->at;
	const void *end = memchr(s, '\0', b->n - b->at);

	if (!end)
		die("unterminated name");
	take(b, (size_t)((const char *)end - s) + 1);
	return s;
}

static void put(FILE *f, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, f) != n)
		die("cannot write the output");
}

static void putn(FILE *f, uint64_t v, size_t n)
{
	unsigned char b[8];
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> 8 * i);
	put(f, b, n);
}

static int wanted(const unsigned char *fmt, size_t n)
{
	size_t i, k;

	if (n < 6 || memcmp(fmt, "name: ", 6) != 0)
		return 0;
	for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
		i = strlen(keep[k]);
		if (n >= 6 + i + 1 && memcmp(fmt + 6, keep[k], i) == 0 && fmt[6 + i] == '\n')
			return 1;
	}
	return 0;
}

/* "header_page" or "header_event": the name, a 64-bit size and the text */
static void copy_header(struct buf *in, FILE *out, const char *name)
{
	const char *s = str(in);
	uint64_t n;

	if (strcmp(s, name) != 0)
		die("not the expected header section");
	n = num(in, 8);
	put(out, s, strlen(s) + 1);
	putn(out, n, 8);
	put(out, take(in, n), n);
}

int main(int argc, char **argv)
{
	unsigned char *data;
	struct buf in = {NULL, 0, 0};
	long len;
	uint64_t n, k, nsys, nev, cpus, page, maxpages, off[64], size[64], pos, i;
	long dirpos;
	FILE *f, *out;

	if (argc < 3)
		die("usage: fuzz_seed_min IN.dat OUT.dat [MAXPAGES]");
	maxpages = argc > 3 ? strtoull(argv[3], NULL, 10) : 2;
	if (!(f = fopen(argv[1], "rb")))
		die("cannot open the input");
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(data = malloc((size_t)len + 1)) || fread(data, 1, (size_t)len, f) != (size_t)len)
		die("cannot read the input");
	fclose(f);
	in.p = data;
	in.n = (size_t)len;
	if (!(out = fopen(argv[2], "wb")))
		die("cannot create the output");
	/* magic, "6", endianness, long size, page size */
	put(out, take(&in, 10), 10);
	if (strcmp(str(&in), "6") != 0)
		die("not file version 6");
	put(out, "6", 2);
	if (*take(&in, 1) != 0)
		die("big-endian input");
	putn(out, 0, 1);
	put(out, take(&in, 1), 1);
	page = num(&in, 4);
	putn(out, page, 4);
	copy_header(&in, out, "header_page");
	copy_header(&in, out, "header_event");
	/* ftrace formats (function, print, ...): hpsim reads none of them */
	nev = num(&in, 4);
	putn(out, 0, 4);
	for (k = 0; k < nev; k++)
		take(&in, num(&in, 8));
	/* event systems: only the events kept, only the systems with one */
	nsys = num(&in, 4);
	{
		size_t at = in.at, kept = 0;

		for (i = 0; i < nsys; i++) { /* count first */
			int any = 0;

			str(&in);
			nev = num(&in, 4);
			for (k = 0; k < nev; k++) {
				n = num(&in, 8);
				any |= wanted(take(&in, n), n);
			}
			kept += any;
		}
		in.at = at;
		putn(out, kept, 4);
	}
	for (i = 0; i < nsys; i++) {
		const char *sys = str(&in);
		size_t at = in.at, kept = 0;

		nev = num(&in, 4);
		for (k = 0; k < nev; k++) {
			n = num(&in, 8);
			kept += wanted(take(&in, n), n);
		}
		in.at = at + 4;
		if (kept) {
			put(out, sys, strlen(sys) + 1);
			putn(out, kept, 4);
		}
		for (k = 0; k < nev; k++) {
			const unsigned char *fmt;

			n = num(&in, 8);
			fmt = take(&in, n);
			if (wanted(fmt, n)) {
				putn(out, n, 8);
				put(out, fmt, n);
			}
		}
	}
	/* kallsyms and printk formats: dropped; command lines: kept */
	take(&in, num(&in, 4));
	putn(out, 0, 4);
	take(&in, num(&in, 4));
	putn(out, 0, 4);
	n = num(&in, 8);
	putn(out, n, 8);
	put(out, take(&in, n), n);
	cpus = num(&in, 4);
	if (cpus > 64)
		die("more than 64 CPUs");
	putn(out, cpus, 4);
	/* options, as they are (none of a plain capture's carries a file offset) */
	if (memcmp(take(&in, 10), "options  ", 10) != 0)
		die("no options section");
	put(out, "options  ", 10);
	for (;;) {
		uint64_t id = num(&in, 2);

		putn(out, id, 2);
		if (id == 0)
			break;
		if (id == 3) /* a second buffer: its data would need moving too */
			die("captures with more than one buffer are not supported");
		n = num(&in, 4);
		putn(out, n, 4);
		put(out, take(&in, n), n);
	}
	if (memcmp(take(&in, 10), "flyrecord", 10) != 0)
		die("not a flyrecord capture");
	put(out, "flyrecord", 10);
	for (i = 0; i < cpus; i++) {
		off[i] = num(&in, 8);
		size[i] = num(&in, 8);
		if (off[i] > in.n || size[i] > in.n - off[i])
			die("CPU data beyond the end of the file");
		if (size[i] > maxpages * page)
			size[i] = maxpages * page;
	}
	/* the CPU data, page-aligned after the directory */
	dirpos = ftell(out);
	pos = ((uint64_t)dirpos + 16 * cpus + page - 1) / page * page;
	for (i = 0; i < cpus; i++) {
		putn(out, pos, 8);
		putn(out, size[i], 8);
		pos += (size[i] + page - 1) / page * page;
	}
	for (i = 0; i < cpus; i++) {
		long now = ftell(out);
		uint64_t at = ((uint64_t)now + page - 1) / page * page;

		for (; size[i] && (uint64_t)now < at; now++)
			putn(out, 0, 1);
		put(out, data + off[i], size[i]);
	}
	if (fclose(out) != 0)
		die("cannot write the output");
	free(data);
	return 0;
}
