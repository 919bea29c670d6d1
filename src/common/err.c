/* The error message buffer shared by every stage. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hpsim/err.h"

int hp_errf(struct hp_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int hp_err_prefix(struct hp_err *err, const char *fmt, ...)
{
	char old[HP_ERR_MSG], pre[HP_ERR_MSG];
	va_list ap;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	{
		size_t lp = strlen(pre), lo = strlen(old);

		if (lp > sizeof(err->msg) - 1)
			lp = sizeof(err->msg) - 1;
		if (lo > sizeof(err->msg) - 1 - lp)
			lo = sizeof(err->msg) - 1 - lp;
		memcpy(err->msg, pre, lp);
		memcpy(err->msg + lp, old, lo);
		err->msg[lp + lo] = '\0';
	}
	return -1;
}
