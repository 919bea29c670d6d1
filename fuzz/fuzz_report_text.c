/* `trace-cmd report` text through its reader, strict and lenient. */
#include "hpsim/trace.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_read_opts o;
	struct hp_episodes eps = {0};
	struct hp_err err;

	hp_read_opts_init(&o);
	o.use_cache = 0;
	o.lenient = size && (data[0] & 1);
	hp_reader_report_text.read(fuzz_file(data, size, ".txt"), &o, &eps, &err);
	hp_episodes_free(&eps);
	return 0;
}
