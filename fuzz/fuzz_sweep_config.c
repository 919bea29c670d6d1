/* Sweep configs: JSON text through the parser and the per-point validation. */
#include "hpsim/sweep.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hp_sweep_config c;
	struct hp_err err;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (hp_sweep_config_parse(text, "/nonexistent", HP_SWEEP_NO_FILE_CHECK, &c, &err) == 0) {
		if (hp_sweep_nunits(&c) < 10000)
			hp_sweep_validate(&c, &err);
		hp_sweep_config_free(&c);
	}
	free(text);
	return 0;
}
