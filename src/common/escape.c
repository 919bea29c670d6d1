/* hp_escape: messages show input bytes, never send them to the terminal raw. */
#include <stdio.h>
#include <string.h>

#include "hpsim/escape.h"

/* The length of the valid, printable UTF-8 sequence at s (2..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0x80 && cp <= 0x9f))
		return 0; /* overlong, a surrogate, beyond Unicode, or a C1 control */
	return n;
}

char *hp_escape(const char *in, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (!len)
		return out;
	while (*s) {
		char tmp[5];
		size_t n = 1, u = 0;

		if (*s == '\\')
			memcpy(tmp, "\\\\", n = 2);
		else if (*s == '\n')
			memcpy(tmp, "\\n", n = 2);
		else if (*s == '\t')
			memcpy(tmp, "\\t", n = 2);
		else if (*s == 0x1b)
			memcpy(tmp, "\\e", n = 2);
		else if (*s < 0x20 || *s == 0x7f || (*s >= 0x80 && !(u = utf8_len(s))))
			n = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", *s);
		else if (u)
			memcpy(tmp, s, n = u);
		else
			tmp[0] = (char)*s;
		if (o + n >= len)
			break;
		memcpy(out + o, tmp, n);
		o += n;
		s += u ? u : 1;
	}
	out[o] = '\0';
	return out;
}
