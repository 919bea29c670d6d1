/* Episode CSV through its reader, then the validation every read ends with. */
#include "hpsim/trace.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_read_opts o;
	struct hp_episodes eps = {0};
	struct hp_err err;

	hp_read_opts_init(&o);
	o.use_cache = 0;
	if (hp_reader_csv.read(fuzz_file(data, size, ".csv"), &o, &eps, &err) == 0) {
		hp_episodes_sort(&eps);
		hp_episodes_validate(&eps, &err);
	}
	hp_episodes_free(&eps);
	return 0;
}
