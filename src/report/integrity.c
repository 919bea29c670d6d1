/* The warning a report carries when a capture was read only in part. */
#include <inttypes.h>
#include <stdio.h>

#include "hpsim/report.h"

int hp_skips_warning(const struct hp_skips *k, char *buf, size_t len)
{
	int used = 0;

	if (len)
		buf[0] = '\0';
	if (!k || (!k->truncated && !k->unread_events))
		return 0;
	if (k->truncated)
		used = snprintf(buf, len,
		                "the capture is truncated; replaying the halts up to the cut "
		                "(--salvage)%s",
		                k->unread_events ? "; " : "");
	if (k->unread_events && used >= 0 && (size_t)used < len)
		snprintf(buf + used, len - (size_t)used,
		         "%" PRIu64 " of the %" PRIu64
		         " events the capture's CPU statistics record could not be read "
		         "(truncated or corrupt data): halts are missing",
		         k->unread_events, k->recorded_events);
	return 1;
}
