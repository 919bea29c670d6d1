/* Errors travel as return codes with a message; only src/cli/ prints them. */
#ifndef HPSIM_ERR_H
#define HPSIM_ERR_H

#define HP_ERR_MSG 512

struct hp_err {
	char msg[HP_ERR_MSG];
};

/* Format a message into err (may be NULL) and return -1, for `return hp_errf(...)`. */
int hp_errf(struct hp_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the message already in err with more context ("file: " + old message); returns -1. */
int hp_err_prefix(struct hp_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
