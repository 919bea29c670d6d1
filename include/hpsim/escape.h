/* Input bytes made safe to print: what a message echoes cannot drive the terminal. */
#ifndef HPSIM_ESCAPE_H
#define HPSIM_ESCAPE_H

#include <stddef.h>

/*
 * Copy in to out (len bytes, always terminated) with control characters
 * (C0, DEL, C1), backslashes and bytes that are not valid UTF-8 written as
 * \n, \t, \e, \\ or \xNN; valid UTF-8 text stays as it is. Returns out.
 */
char *hp_escape(const char *in, char *out, size_t len);

/* A buffer size for hp_escape that holds any path escaped (four bytes per byte at most). */
#define HP_ESC_BUF (4 * 4096 + 1)

#endif
