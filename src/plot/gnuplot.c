/*
 * Running gnuplot: find the kind's script, pick the terminal from the
 * output's extension, fork/exec gnuplot writing a temporary file beside the
 * output, check its exit status and the file, then rename it into place.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_int.h"

/*
 * The scripts are found beside the running binary, never by a path baked in
 * at build time: PREFIX/bin/hpsim reads PREFIX/share/hpsim/plot (an install,
 * or a package unpacked anywhere), and the build tree keeps a copy in
 * BUILD/share/hpsim/plot for build/hpsim and the programs of build/tests and
 * build/bench. HPSIM_PLOT_DIR overrides both.
 */
static int find_script(const char *script, char *path, size_t size, struct hp_err *err)
{
	static const char *const rel[] = {"../share/hpsim/plot", "share/hpsim/plot"};
	const char *env = getenv("HPSIM_PLOT_DIR");
	char exe[4096], *slash;
	ssize_t n;
	size_t i;

	if (env && *env) {
		if (snprintf(path, size, "%s/%s", env, script) < (int)size && access(path, R_OK) == 0)
			return 0;
		return hp_errf(err, "plot script %s not found in HPSIM_PLOT_DIR=%s", script, env);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return hp_errf(err, "cannot find the plot scripts: /proc/self/exe: %s (set "
		                    "HPSIM_PLOT_DIR to the scripts/plot directory of the hpsim sources)",
		               strerror(errno));
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		if (snprintf(path, size, "%s/%s/%s", exe, rel[i], script) >= (int)size)
			continue;
		if (access(path, R_OK) == 0)
			return 0;
	}
	return hp_errf(err,
	               "plot script %s not found in %s/%s or %s/%s (set HPSIM_PLOT_DIR to the "
	               "scripts/plot directory of the hpsim sources)",
	               script, exe, rel[0], exe, rel[1]);
}

static const char *terminal_for(const char *output)
{
	const char *dot = strrchr(plot_basename(output), '.');

	if (!dot)
		return NULL;
	if (!strcmp(dot, ".png"))
		return "pngcairo";
	if (!strcmp(dot, ".svg"))
		return "svg";
	if (!strcmp(dot, ".pdf"))
		return "pdfcairo";
	return NULL;
}

int plot_check_output(const char *output, struct hp_err *err)
{
	const char *dot = strrchr(plot_basename(output), '.');

	if (!terminal_for(output))
		return hp_errf(err, "%s: unknown output extension '%s' (use .png, .svg or .pdf)",
		               output, dot ? dot : "");
	return 0;
}

/* Read what gnuplot said on stderr (the start of it) until it closes. */
static void drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	char scratch[512];
	ssize_t n;

	buf[0] = '\0';
	for (;;) {
		if (len + 1 < size)
			n = read(fd, buf + len, size - 1 - len);
		else
			n = read(fd, scratch, sizeof(scratch));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + 1 < size)
			len += (size_t)n;
	}
	buf[len] = '\0';
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
}

/* Append s to buf quoted for a POSIX shell. */
static size_t shell_quote(char *buf, size_t len, size_t size, const char *s)
{
	for (len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "'");
	     *s && len + 5 < size; s++)
		len += (size_t)(*s == '\'' ? snprintf(buf + len, size - len, "'\\''")
		                           : snprintf(buf + len, size - len, "%c", *s));
	return len + (size_t)snprintf(buf + len, len < size ? size - len : 0, "'");
}

/* The command line that redraws output by hand, shell-quoted. */
static void record_command(struct hp_plot_result *res, const char *gp, const char *vars,
                           const char *script, const char *output)
{
	struct plot_vars v = {0};
	size_t len, size;

	if (!res)
		return;
	size = sizeof(res->command);
	plot_var_str(&v, "outfile", output);
	len = shell_quote(res->command, 0, size, gp);
	len += (size_t)snprintf(res->command + len, len < size ? size - len : 0, " -e ");
	if (v.overflow || strlen(vars) >= sizeof(v.buf) - v.len) {
		res->command[0] = '\0';
		return;
	}
	strcat(v.buf, vars);
	len = shell_quote(res->command, len, size, v.buf);
	len += (size_t)snprintf(res->command + len, len < size ? size - len : 0, " ");
	len = shell_quote(res->command, len, size, script);
	if (len >= size)
		res->command[0] = '\0'; /* too long to be useful */
}

int plot_gnuplot_run(const char *script, const struct plot_vars *vars, const char *output,
                     struct hp_plot_result *res, struct hp_err *err)
{
	const char *gp = getenv("HPSIM_GNUPLOT"), *term = terminal_for(output);
	char path[4096], tmp[4096], said[400];
	struct plot_vars all = {0};
	int errpipe[2], execpipe[2], fd, st, exec_errno = 0;
	struct stat sb;
	pid_t pid;
	ssize_t n;

	if (!gp || !*gp)
		gp = "gnuplot";
	if (plot_check_output(output, err) < 0 || find_script(script, path, sizeof(path), err) < 0)
		return -1;
	if (vars->overflow)
		return hp_errf(err, "%s: too many gnuplot variables", output);
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX.tmp", output) >= (int)sizeof(tmp))
		return hp_errf(err, "%s: path too long", output);
	fd = mkstemps(tmp, 4);
	if (fd < 0)
		return hp_errf(err, "%s: cannot create a temporary file beside it: %s", output,
		               strerror(errno));
	fchmod(fd, plot_file_mode()); /* gnuplot rewrites it in place: the mode stays */
	close(fd);
	plot_var_str(&all, "outfile", tmp);
	plot_var_str(&all, "term", term);
	memcpy(all.buf + all.len, vars->buf, vars->len + 1);
	all.len += vars->len;
	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		unlink(tmp);
		return hp_errf(err, "cannot create a pipe: %s", strerror(errno));
	}
	if (pipe2(execpipe, O_CLOEXEC) < 0) {
		close(errpipe[0]);
		close(errpipe[1]);
		unlink(tmp);
		return hp_errf(err, "cannot create a pipe: %s", strerror(errno));
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(errpipe[0]);
		close(errpipe[1]);
		close(execpipe[0]);
		close(execpipe[1]);
		unlink(tmp);
		return hp_errf(err, "cannot start gnuplot: %s", strerror(e));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		char *argv[] = {(char *)gp, "-e", all.buf, path, NULL};
		int e;

		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(errpipe[1], 2);
		execvp(gp, argv);
		e = errno;
		if (write(execpipe[1], &e, sizeof(e)) < 0)
			_exit(126);
		_exit(127);
	}
	close(errpipe[1]);
	close(execpipe[1]);
	drain(errpipe[0], said, sizeof(said));
	close(errpipe[0]);
	do
		n = read(execpipe[0], &exec_errno, sizeof(exec_errno));
	while (n < 0 && errno == EINTR);
	close(execpipe[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			st = -1;
			break;
		}
	record_command(res, gp, vars->buf, path, output);
	if (n == (ssize_t)sizeof(exec_errno)) {
		unlink(tmp);
		if (exec_errno == ENOENT)
			return hp_errf(err,
			               "gnuplot not found ('%s'): install the Debian package "
			               "gnuplot-nox (apt-get install gnuplot-nox), or set "
			               "HPSIM_GNUPLOT to a gnuplot binary",
			               gp);
		return hp_errf(err,
		               "cannot run gnuplot '%s': %s (the Debian package is gnuplot-nox)",
		               gp, strerror(exec_errno));
	}
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		unlink(tmp);
		if (st != -1 && WIFSIGNALED(st))
			return hp_errf(err, "gnuplot was killed by signal %d drawing %s: %s",
			               WTERMSIG(st), output, said);
		return hp_errf(err, "gnuplot failed (exit status %d) drawing %s with %s: %s",
		               st == -1 ? -1 : WEXITSTATUS(st), output, path, said);
	}
	if (stat(tmp, &sb) < 0 || sb.st_size == 0) {
		unlink(tmp);
		return hp_errf(err, "gnuplot exited 0 but wrote nothing for %s: %s", output, said);
	}
	if (rename(tmp, output) < 0) {
		int e = errno;

		unlink(tmp);
		return hp_errf(err, "%s: cannot rename the temporary file into place: %s", output,
		               strerror(e));
	}
	return 0;
}
