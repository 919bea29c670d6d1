/* JSON helpers of the sweep config parser: paths for messages, typed getters, key checks. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "config_int.h"
#include "hpsim/policy.h"
#include "hpsim/sweep.h"
#include "sweep_int.h"

/* path + ".key" (or ["key"] when the key is not a plain name). */
void path_key(char *out, const char *path, const char *key)
{
	const char *p;
	int plain = *key != '\0';

	for (p = key; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			plain = 0;
	if (plain)
		snprintf(out, PATH_LEN, "%s.%s", path, key);
	else
		snprintf(out, PATH_LEN, "%s[\"%s\"]", path, key);
}

void path_idx(char *out, const char *path, size_t i)
{
	snprintf(out, PATH_LEN, "%s[%zu]", path, i);
}

const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

char *xstrdup(const char *s)
{
	char *d = malloc(strlen(s) + 1);

	if (d)
		strcpy(d, s);
	return d;
}

/* Reject keys other than the allowed ones. */
int check_keys(json_t *obj, const char *path, const char *const *allowed, struct hp_err *err)
{
	const char *key;
	json_t *v;
	char p[PATH_LEN], list[256] = "";
	size_t i, len = 0;

	json_object_foreach(obj, key, v)
	{
		int ok = 0;

		for (i = 0; allowed[i]; i++)
			ok |= !strcmp(key, allowed[i]);
		if (ok)
			continue;
		for (i = 0; allowed[i] && len < sizeof(list); i++)
			len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
			                        i ? ", " : "", allowed[i]);
		path_key(p, path, key);
		return hp_errf(err, "%s: unknown key (expected one of: %s)", p, list);
	}
	return 0;
}

/* A non-negative integer (a real must be integral) up to max. */
int get_uint(json_t *v, const char *path, uint64_t max, uint64_t *out, struct hp_err *err)
{
	double d;

	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		if (i < 0 || (uint64_t)i > max)
			return hp_errf(err, "%s: %lld is out of range (expected 0..%llu)", path,
			               (long long)i, (unsigned long long)max);
		*out = (uint64_t)i;
		return 0;
	}
	if (json_is_real(v)) {
		d = json_real_value(v);
		if (d != floor(d) || d < 0 || d > (double)max)
			return hp_errf(err, "%s: %g is not an integer in 0..%llu", path, d,
			               (unsigned long long)max);
		*out = (uint64_t)d;
		return 0;
	}
	if (json_is_boolean(v) && max >= 1) {
		*out = json_is_true(v);
		return 0;
	}
	return hp_errf(err, "%s: expected a non-negative integer, not %s", path, type_name(v));
}

int get_number(json_t *v, const char *path, double *out, struct hp_err *err)
{
	if (!json_is_number(v))
		return hp_errf(err, "%s: expected a number, not %s", path, type_name(v));
	*out = json_number_value(v);
	return 0;
}
