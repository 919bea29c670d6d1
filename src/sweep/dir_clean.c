/*
 * Tidying a sweep directory: a new sweep that failed before it ran a point
 * leaves nothing behind (a rerun would refuse the half-made directory), and a
 * resumed sweep removes the temporary files an interrupted write left.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hpsim/sweep.h"

static void join(char *out, size_t n, const char *dir, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

int hp_sweep_dir_discard_new(const char *dir, int remove_dir)
{
	static const char *const files[] = {"journal.tsv", "config.json", "sweep.json"};
	char path[4096];
	struct stat st;
	size_t i;

	join(path, sizeof(path), dir, "journal.tsv");
	if (stat(path, &st) < 0 || st.st_size != 0)
		return -1; /* not new, or rows were journaled: keep them */
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		join(path, sizeof(path), dir, files[i]);
		unlink(path);
	}
	if (remove_dir)
		rmdir(dir);
	return 0;
}

/* Is name what hp_atomic_open() makes: BASE.XXXXXX.tmp? */
static int is_atomic_tmp(const char *name)
{
	size_t n = strlen(name), i;

	if (n < 12 || strcmp(name + n - 4, ".tmp") || name[n - 11] != '.')
		return 0;
	for (i = n - 10; i < n - 4; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

size_t hp_sweep_dir_clean_tmp(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	size_t removed = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct stat st;

		if (!is_atomic_tmp(e->d_name))
			continue;
		join(path, sizeof(path), dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
			removed++;
	}
	closedir(d);
	return removed;
}
