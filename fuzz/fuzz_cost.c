/* Cost-model JSON files (--cost FILE). */
#include "hpsim/cost.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_cost c;
	struct hp_err err;

	hp_cost_defaults(&c, HP_ARCH_X86);
	hp_cost_load_json(&c, fuzz_file(data, size, ".json"), &err);
	return 0;
}
