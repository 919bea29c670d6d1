/* Shared by the libFuzzer harnesses: the input as a file, since every reader takes a path. */
#ifndef HPSIM_FUZZ_UTIL_H
#define HPSIM_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write data to a per-process temporary file (rewritten every run); its path. */
__attribute__((unused)) static const char *fuzz_file(const uint8_t *data, size_t size,
                                                     const char *suffix)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/hpsim-fuzz-%d%s",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), suffix);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	if (fclose(f) != 0)
		abort();
	return path;
}

#endif
