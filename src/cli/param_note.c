/*
 * A parameter value written in octal (a leading 0) or hex (0x) is read as
 * the kernel reads a module parameter (base 0): 0200000 is 65536. hpsim does
 * the same, and says so with the decimal value used.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "hpsim/engine.h"
#include "hpsim/escape.h"

void cli_note_param_bases(const struct hp_setting *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const char *v = s[i].value;
		int hex = v[0] == '0' && (v[1] == 'x' || v[1] == 'X');
		int oct = v[0] == '0' && v[1] >= '0' && v[1] <= '9';
		unsigned long long d;
		char *end, name[512];

		if (!hex && !oct)
			continue;
		d = strtoull(v, &end, 0);
		if (*end)
			continue; /* not a number: the policy's error names it */
		fprintf(stderr,
		        "hpsim: note: %s=%s is read as %s, as the kernel reads a module "
		        "parameter: %llu\n",
		        hp_escape(s[i].name, name, sizeof(name)), v,
		        hex ? "hexadecimal" : "octal (a leading 0)", d);
	}
}
