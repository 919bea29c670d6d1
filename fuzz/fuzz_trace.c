/*
 * Any capture through hp_trace_read_opts(), the path every command takes: the
 * reader is picked by content, so one harness reaches trace.dat (in its
 * isolated child, and with --salvage the repair of a file cut short, in this
 * process), `trace-cmd report` text and episode CSV. Seeds: the
 * bundled captures in every trace.dat version and compression, their report
 * text and CSV (fuzz/make-corpus.sh).
 */
#include "hpsim/trace.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_read_opts o;
	struct hp_episodes eps;
	struct hp_err err;

	hp_read_opts_init(&o);
	o.use_cache = 0;
	o.lenient = size && (data[0] & 1); /* both the strict and the lenient text reader */
	o.salvage = size && (data[size - 1] & 1); /* and trace.dat cut short, repaired */
	if (hp_trace_read_opts(fuzz_file(data, size, ""), &o, &eps, &err) == 0)
		hp_episodes_free(&eps);
	return 0;
}
