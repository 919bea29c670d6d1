/* Atomic output: write path.XXXXXX.tmp, then fsync and rename it over path. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpsim/atomic_file.h"

int hp_atomic_open(struct hp_atomic_file *a, const char *path, struct hp_err *err)
{
	int fd;

	memset(a, 0, sizeof(*a));
	if (strcmp(path, "-") == 0) {
		a->f = stdout;
		return 0;
	}
	if (snprintf(a->path, sizeof(a->path), "%s", path) >= (int)sizeof(a->path) ||
	    snprintf(a->tmp, sizeof(a->tmp), "%s.XXXXXX.tmp", path) >= (int)sizeof(a->tmp))
		return hp_errf(err, "%s: path too long", path);
	fd = mkstemps(a->tmp, 4);
	if (fd < 0)
		return hp_errf(err, "%s: cannot create a temporary file beside it: %s", path,
		               strerror(errno));
	a->f = fdopen(fd, "w");
	if (!a->f) {
		close(fd);
		unlink(a->tmp);
		return hp_errf(err, "%s: %s", path, strerror(errno));
	}
	return 0;
}

int hp_atomic_commit(struct hp_atomic_file *a, struct hp_err *err)
{
	int bad;

	mode_t mask;

	if (a->f == stdout)
		return fflush(stdout) == 0 ? 0 : hp_errf(err, "writing standard output failed");
	/* the mode any new file gets (0666 less the umask), not the temporary file's 0600 */
	mask = umask(022);
	umask(mask);
	bad = fchmod(fileno(a->f), 0666 & ~mask) != 0;
	bad = bad || fflush(a->f) != 0 || ferror(a->f) || fsync(fileno(a->f)) != 0;
	if (fclose(a->f) != 0)
		bad = 1;
	a->f = NULL;
	if (bad) {
		int e = errno;

		unlink(a->tmp);
		return hp_errf(err, "%s: write failed: %s", a->path, strerror(e));
	}
	if (rename(a->tmp, a->path) != 0) {
		int e = errno;

		unlink(a->tmp);
		return hp_errf(err, "%s: cannot rename the temporary file into place: %s", a->path,
		               strerror(e));
	}
	return 0;
}

void hp_atomic_abort(struct hp_atomic_file *a)
{
	if (a->f && a->f != stdout) {
		fclose(a->f);
		unlink(a->tmp);
	}
	a->f = NULL;
}

int hp_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}
