/*
 * Text parsing shared by the report-text reader (internal to src/trace/):
 * small hand-written scanners, and the INFO part of an event line read into
 * fields by the kernel's field names (text_fields.c).
 */
#ifndef HPSIM_TRACE_TEXT_PARSE_H
#define HPSIM_TRACE_TEXT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "decode.h"

#define TEXT_MAX_FIELDS 16

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* Decimal digits at s[*i..]; false if none or overflow. */
static inline bool parse_dec(const char *s, size_t len, size_t *i, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len && is_digit(s[*i])) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[*i] - '0');
		(*i)++;
	}
	*out = v;
	return *i > start;
}

/* A whole value as a number: decimal, or 0x hex. */
static inline bool value_num(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < len; i++) {
			char c = s[i];
			unsigned d;

			if (is_digit(c))
				d = (unsigned)(c - '0');
			else if (c >= 'a' && c <= 'f')
				d = (unsigned)(c - 'a' + 10);
			else if (c >= 'A' && c <= 'F')
				d = (unsigned)(c - 'A' + 10);
			else
				return false;
			if (v >> 60)
				return false;
			v = v << 4 | d;
		}
		*out = v;
		return true;
	}
	if (!parse_dec(s, len, &i, &v) || i != len)
		return false;
	*out = v;
	return true;
}

static inline bool starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

static inline const char *find(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; i + n <= len; i++)
		if (s[i] == lit[0] && memcmp(s + i, lit, n) == 0)
			return s + i;
	return NULL;
}

static inline void skip_sp(const char *s, size_t len, size_t *i)
{
	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
}

/* The parsed view of one line's fields. */
struct tfield {
	const char *name;
	size_t nlen;
	const char *val;
	size_t vlen;
	bool isnum;
	uint64_t num;
};

#define TEXT_MAX_MISSES 4

/* A field asked for that did not read: absent (f NULL), or not of the type wanted. */
struct tmiss {
	const char *name;
	const struct tfield *f;
	bool want_num;
};

/* One event's INFO text and, once asked for, its fields. */
struct tctx {
	const char *info;
	size_t len;
	enum hp_ev_kind kind;
	bool parsed;
	int n, nmiss;
	struct tfield f[TEXT_MAX_FIELDS];
	struct tmiss miss[TEXT_MAX_MISSES]; /* the first that did not read, for the error */
};

/* Start the view of one event's INFO text (parsed on the first field asked for). */
void hp_text_fields_init(struct tctx *c, const char *info, size_t len, enum hp_ev_kind kind);

/* hp_dec_fields.num over a tctx: a field as a number (decimal or 0x hex); 0 or -1. */
int hp_text_num(void *ctx, const char *name, uint64_t *out);

/* hp_dec_fields.str over a tctx: a field's text; 0 or -1. */
int hp_text_str(void *ctx, const char *name, const char **s, size_t *len);

/* hp_dec_fields.mask over a tctx: a cpumask, hex (0x.. or 8-digit groups) or a list (0-3,8). */
int hp_text_mask(void *ctx, const char *name, uint64_t *bits, size_t nwords);

/* Say which fields asked for did not read and what each should have been, into buf. */
void hp_text_misses(const struct tctx *c, char *buf, size_t len);

#endif
