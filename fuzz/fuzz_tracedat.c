/*
 * trace.dat through the in-process reader (libtracecmd and libtraceevent in
 * this process, as the isolated reader's child runs them): finds what our own
 * code does with what the libraries hand back. A crash inside the libraries
 * stops this harness; hpsim itself survives those (src/trace/isolate.c), and
 * fuzz_trace covers that path.
 */
#include "hpsim/trace.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_read_opts o;
	struct hp_episodes eps = {0};
	struct hp_err err;

	if (!hp_reader_tracedat.probe(data, size))
		return 0;
	hp_read_opts_init(&o);
	o.use_cache = 0;
	if (hp_reader_tracedat.read(fuzz_file(data, size, ".dat"), &o, &eps, &err) == 0 || eps.ep)
		hp_episodes_free(&eps);
	return 0;
}
