/*
 * hpsim record: a front end to trace-cmd that records a capture hpsim reads.
 *
 * guest, host: the events are enabled in a private tracefs instance
 * (instances/hpsim-PID), tracing runs while CMD runs (or for --duration), and
 * `trace-cmd extract -B` saves that instance's buffers as FILE. Where
 * /proc/sys/kernel/ftrace_enabled cannot be written (trace-cmd fails on it),
 * trace-cmd runs in a private mount namespace with a writable copy bound over
 * that file. host+guest: `trace-cmd record -A` with the agent in the guest,
 * which writes FILE (host) and FILE-NAME.dat (guest).
 * Beside FILE: FILE.settings.json, what was in force while recording.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "hpsim/atomic_file.h"
#include "hpsim/escape.h"

static const char record_help[] =
    "usage: hpsim record --mode guest|host|host+guest -o FILE [options] [-- CMD [ARGS...]]\n"
    "\n"
    "Records a capture with trace-cmd while CMD runs (or for --duration), and\n"
    "beside it FILE.settings.json: the kernel release, the idle-state table and\n"
    "the kvm and haltpoll module parameters in force (for `replay --recorded-with`).\n"
    "\n"
    "modes:\n"
    "  guest       inside the VM: power:cpu_idle, sched, irq, ipi and timer events\n"
    "  host        on the host: kvm exit/entry/vcpu_wakeup/halt_poll_ns and sched\n"
    "  host+guest  on the host, with `trace-cmd agent` running in the guest:\n"
    "              `trace-cmd record -A`, host and guest buffers with synchronised\n"
    "              clocks (FILE and FILE-NAME.dat)\n"
    "\n"
    "options:\n"
    "  -o, --output FILE    the trace.dat to write (required)\n"
    "  --duration SECS      record this long when no CMD is given\n"
    "  --buffer-kb N        ring buffer per CPU, KiB (default 16384)\n"
    "  --guest SPEC         host+guest: the agent, NAME@CID[:PORT] as trace-cmd -A takes it\n"
    "  --dry-run            check, then print the steps and the trace-cmd command line\n"
    "  -h, --help           this text\n"
    "\n"
    "environment: HPSIM_TRACEFS (default /sys/kernel/tracing), HPSIM_TRACE_CMD\n"
    "(default: trace-cmd from PATH).\n";

enum mode { MODE_GUEST, MODE_HOST, MODE_HOST_GUEST };

struct event {
	const char *sys, *name;
	int required;
};

static const struct event guest_events[] = {
    {"power", "cpu_idle", 1},
    {"sched", "sched_switch", 1},
    {"sched", "sched_wakeup", 1},
    {"irq", "irq_handler_entry", 1},
    {"ipi", "ipi_send_cpu", 1},
    {"ipi", "ipi_send_cpumask", 0}, /* 6.6+ */
    {"timer", "hrtimer_expire_entry", 1},
    {"power", "guest_halt_poll_ns", 0}, /* haltpoll's adjustments, where present */
    {NULL, NULL, 0},
};

static const struct event host_events[] = {
    {"kvm", "kvm_exit", 1},
    {"kvm", "kvm_entry", 1},
    {"kvm", "kvm_vcpu_wakeup", 1},
    {"kvm", "kvm_halt_poll_ns", 1},
    {"sched", "sched_switch", 1},
    {"sched", "sched_wakeup", 1},
    {NULL, NULL, 0},
};

struct rec {
	enum mode mode;
	const char *out, *guest, *tracefs, *tracecmd;
	double duration;
	long buf_kb;
	int dry_run;
	char **cmd;
	char inst[64];
	char tc_path[4096];
	char missing[1024];
};

#define MAX_ARGS 96

/* --- checks ------------------------------------------------------------- */

static int find_tracecmd(struct rec *r)
{
	const char *env = getenv("HPSIM_TRACE_CMD"), *path = getenv("PATH"), *p;

	if (env && *env) {
		snprintf(r->tc_path, sizeof(r->tc_path), "%s", env);
		return access(r->tc_path, X_OK) == 0 ? 0 : -1;
	}
	for (p = path ? path : "/usr/bin:/bin"; *p;) {
		const char *e = strchr(p, ':');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		snprintf(r->tc_path, sizeof(r->tc_path), "%.*s/trace-cmd", (int)n, p);
		if (n && access(r->tc_path, X_OK) == 0)
			return 0;
		p += n + (e ? 1 : 0);
	}
	return -1;
}

static int event_present(const struct rec *r, const struct event *e)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/events/%s/%s/enable", r->tracefs, e->sys, e->name);
	return access(p, F_OK) == 0;
}

/* The missing required events of list into r->missing; 0 if none. */
static int missing_events(struct rec *r, const struct event *list)
{
	size_t used = strlen(r->missing);
	int n = 0;

	for (; list->sys; list++) {
		if (!list->required || event_present(r, list))
			continue;
		used += (size_t)snprintf(r->missing + used, sizeof(r->missing) - used, "%s%s:%s",
		                         used ? ", " : "", list->sys, list->name);
		if (used >= sizeof(r->missing))
			used = sizeof(r->missing) - 1;
		n++;
	}
	return n;
}

static int preflight(struct rec *r, struct hp_err *err)
{
	char p[4096];
	struct stat st;
	int fd;

	if (find_tracecmd(r) < 0)
		return hp_errf(err,
		               "record: trace-cmd not found (%s); install it (Debian: apt-get "
		               "install trace-cmd) or set HPSIM_TRACE_CMD",
		               getenv("HPSIM_TRACE_CMD") ? getenv("HPSIM_TRACE_CMD") : "PATH");
	snprintf(p, sizeof(p), "%s/events", r->tracefs);
	if (stat(p, &st) < 0 || !S_ISDIR(st.st_mode))
		return hp_errf(err,
		               "record: tracefs is not mounted at %s (no events/ directory); "
		               "mount it: mount -t tracefs nodev %s",
		               r->tracefs, r->tracefs);
	snprintf(p, sizeof(p), "%s/instances", r->tracefs);
	if (access(p, W_OK) < 0)
		return hp_errf(err,
		               "record: %s is not writable (%s); recording needs root or "
		               "CAP_SYS_ADMIN and a read-write tracefs",
		               p, strerror(errno));
	if (missing_events(r, r->mode == MODE_GUEST ? guest_events : host_events) > 0)
		return hp_errf(err, "record: this kernel has no %s event(s) in %s/events (%s mode)",
		               r->missing, r->tracefs, r->mode == MODE_GUEST ? "guest" : "host");
	if (r->mode == MODE_HOST_GUEST) {
		if (!r->guest)
			return hp_errf(err, "record: host+guest needs --guest NAME@CID[:PORT], "
			                    "the guest running `trace-cmd agent`");
		if (r->dry_run) /* the command line, on a machine that cannot run it */
			return 0;
		if (access("/dev/vsock", F_OK) < 0)
			return hp_errf(err,
			               "record: host+guest needs /dev/vsock (modprobe vhost_vsock) "
			               "to reach the guest's agent");
		fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return hp_errf(err, "record: host+guest needs a KVM host; /dev/kvm: %s",
			               strerror(errno));
		close(fd);
	}
	return 0;
}

/* --- tracefs ------------------------------------------------------------- */

static int write_file(const char *path, const char *val, struct hp_err *err)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return hp_errf(err, "record: cannot open %s: %s", path, strerror(errno));
	n = write(fd, val, strlen(val));
	if (n < 0 || (size_t)n != strlen(val)) {
		int e = errno;

		close(fd);
		return hp_errf(err, "record: cannot write '%s' to %s: %s", val, path,
		               n < 0 ? strerror(e) : "short write");
	}
	close(fd);
	return 0;
}

static int inst_write(const struct rec *r, const char *rel, const char *val, struct hp_err *err)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/instances/%s/%s", r->tracefs, r->inst, rel);
	return write_file(p, val, err);
}

static int setup_instance(struct rec *r, const struct event *list, struct hp_err *err)
{
	char p[4096], v[32];

	snprintf(p, sizeof(p), "%s/instances/%s", r->tracefs, r->inst);
	if (mkdir(p, 0755) < 0)
		return hp_errf(err, "record: cannot create the tracefs instance %s: %s", p,
		               strerror(errno));
	snprintf(v, sizeof(v), "%ld", r->buf_kb);
	if (inst_write(r, "buffer_size_kb", v, err) < 0)
		return -1;
	for (; list->sys; list++) {
		if (!event_present(r, list))
			continue;
		snprintf(p, sizeof(p), "events/%s/%s/enable", list->sys, list->name);
		if (inst_write(r, p, "1", err) < 0)
			return -1;
	}
	return 0;
}

static void remove_instance(const struct rec *r)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/instances/%s", r->tracefs, r->inst);
	rmdir(p); /* trace-cmd extract may have removed it already */
}

/* --- processes ------------------------------------------------------------ */

/*
 * In the child: a private mount namespace in which ftrace_enabled reads and
 * writes (a temporary file holding "1" bound over it), when it is read-only.
 */
static void ftrace_enabled_workaround(void)
{
	static const char fe[] = "/proc/sys/kernel/ftrace_enabled";
	char tmp[] = "/tmp/hpsim-ftrace-enabled-XXXXXX";
	int fd;

	if (access(fe, W_OK) == 0) {
		fd = open(fe, O_WRONLY);
		if (fd >= 0 && write(fd, "1", 1) == 1) {
			close(fd);
			return;
		}
		if (fd >= 0)
			close(fd);
	}
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return;
	fd = mkstemp(tmp);
	if (fd < 0)
		return;
	if (write(fd, "1\n", 2) == 2)
		mount(tmp, fe, NULL, MS_BIND, NULL);
	close(fd);
	unlink(tmp); /* the bind mount keeps the file */
}

/* Copy what fd holds (from its start) to stderr. */
static void replay_output(int fd)
{
	char buf[4096];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, stderr) != (size_t)n)
			break;
}

/*
 * Run argv; with workaround, trace-cmd's ftrace_enabled problem is worked
 * around; quiet keeps its output, shown only if it fails.
 */
static int run(char **argv, int workaround, int quiet, struct hp_err *err)
{
	char tmp[] = "/tmp/hpsim-record-out-XXXXXX";
	int st, out = quiet ? mkstemp(tmp) : -1;
	pid_t pid;

	if (out >= 0)
		unlink(tmp);
	pid = fork();
	if (pid < 0) {
		if (out >= 0)
			close(out);
		return hp_errf(err, "record: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		if (workaround)
			ftrace_enabled_workaround();
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		execvp(argv[0], argv);
		char safe[HP_ESC_BUF];

		fprintf(stderr, "hpsim record: cannot run %s: %s\n",
		        hp_escape(argv[0], safe, sizeof(safe)), strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			if (out >= 0)
				close(out);
			return hp_errf(err, "record: waitpid: %s", strerror(errno));
		}
	st = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	if (out >= 0) {
		if (st != 0)
			replay_output(out);
		close(out);
	}
	return st;
}

static void sleep_for(double secs)
{
	struct timespec ts = {(time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9)};

	nanosleep(&ts, NULL); /* ^C ends it early */
}

/* ^C reaches CMD (its handler is reset by exec) and ends a --duration early. */
static void on_interrupt(int sig)
{
	(void)sig;
}

/* --- the trace-cmd command lines ------------------------------------------ */

static void add_events(char **av, int *n, const struct rec *r, const struct event *list)
{
	static char buf[32][96];
	int k = 0;

	for (; list->sys && k < 32 && *n < MAX_ARGS - 4; list++) {
		if (!event_present(r, list))
			continue;
		snprintf(buf[k], sizeof(buf[k]), "%s:%s", list->sys, list->name);
		av[(*n)++] = "-e";
		av[(*n)++] = buf[k++];
	}
}

/* The command line that records: extract (guest, host) or record -A (host+guest). */
static int build_argv(struct rec *r, char **av, const char *out)
{
	static char bkb[32];
	int n = 0, i;

	av[n++] = r->tc_path;
	if (r->mode != MODE_HOST_GUEST) {
		av[n++] = "extract";
		av[n++] = "-B";
		av[n++] = r->inst;
		av[n++] = "-o";
		av[n++] = (char *)out;
		av[n] = NULL;
		return n;
	}
	snprintf(bkb, sizeof(bkb), "%ld", r->buf_kb);
	av[n++] = "record";
	av[n++] = "-b";
	av[n++] = bkb;
	av[n++] = "-o";
	av[n++] = (char *)out;
	add_events(av, &n, r, host_events);
	av[n++] = "-A";
	av[n++] = (char *)r->guest;
	/* the guest's events: what the guest kernel has is not known here; the required list */
	for (i = 0; guest_events[i].sys && n < MAX_ARGS - 8; i++) {
		static char gbuf[16][96];

		if (!guest_events[i].required)
			continue;
		snprintf(gbuf[i], sizeof(gbuf[i]), "%s:%s", guest_events[i].sys,
		         guest_events[i].name);
		av[n++] = "-e";
		av[n++] = gbuf[i];
	}
	if (r->cmd && r->cmd[0]) {
		for (i = 0; r->cmd[i] && n < MAX_ARGS - 1; i++)
			av[n++] = r->cmd[i];
	} else {
		static char dur[64];

		snprintf(dur, sizeof(dur), "%g", r->duration);
		av[n++] = "sleep";
		av[n++] = dur;
	}
	av[n] = NULL;
	return n;
}

static void print_argv(FILE *f, char **av)
{
	char safe[HP_ESC_BUF];

	for (; *av; av++)
		fprintf(f, "%s%s", hp_escape(*av, safe, sizeof(safe)), av[1] ? " " : "\n");
}

/* av joined by spaces into buf (cut at its size). */
static void join_argv(char *buf, size_t size, char **av)
{
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; av[i] && used < size - 1; i++) {
		n = snprintf(buf + used, size - used, "%s%s", i ? " " : "", av[i]);
		used = n > 0 && (size_t)n < size - used ? used + (size_t)n : size - 1;
	}
}

/* --- the settings sidecar --------------------------------------------------- */

/* The first line of path, or NULL; trailing newline removed. */
static json_t *read_line(const char *path)
{
	char buf[512];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return json_string(buf);
}

/* Every readable file of dir as NAME: "value"; NULL if the directory is absent. */
static json_t *read_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	json_t *o;

	if (!d)
		return NULL;
	o = json_object();
	while ((de = readdir(d))) {
		char p[4096];
		json_t *v;

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		v = read_line(p);
		if (v)
			json_object_set_new(o, de->d_name, v);
	}
	closedir(d);
	return o;
}

/* Per CPU, per state: the cpuidle table (name, latency, residency, usage, ...). */
static json_t *idle_states(void)
{
	json_t *cpus = json_object();
	int cpu, st;

	for (cpu = 0; cpu < 4096; cpu++) {
		char p[256];
		json_t *states;

		snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d", cpu);
		if (access(p, F_OK) < 0)
			break;
		states = json_array();
		for (st = 0; st < 64; st++) {
			json_t *s;

			snprintf(p, sizeof(p), "/sys/devices/system/cpu/cpu%d/cpuidle/state%d", cpu,
			         st);
			s = read_dir(p);
			if (!s)
				break;
			json_array_append_new(states, s);
		}
		snprintf(p, sizeof(p), "cpu%d", cpu);
		json_object_set_new(cpus, p, states);
	}
	return cpus;
}

/* The host's vCPU threads ("CPU n/KVM") now: tid, tgid and name. */
static json_t *vcpu_threads(void)
{
	json_t *arr = json_array();
	DIR *proc = opendir("/proc");
	struct dirent *pe;

	while (proc && (pe = readdir(proc))) {
		char p[512];
		DIR *task;
		struct dirent *te;

		if (pe->d_name[0] < '1' || pe->d_name[0] > '9')
			continue;
		snprintf(p, sizeof(p), "/proc/%.32s/task", pe->d_name);
		task = opendir(p);
		while (task && (te = readdir(task))) {
			json_t *comm;
			const char *c;

			if (te->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "/proc/%.32s/task/%.32s/comm", pe->d_name,
			         te->d_name);
			comm = read_line(p);
			c = comm ? json_string_value(comm) : "";
			if (!strncmp(c, "CPU ", 4) && strstr(c, "/KVM"))
				json_array_append_new(
				    arr, json_pack("{s:i,s:i,s:o}", "tid", atoi(te->d_name), "tgid",
				                   atoi(pe->d_name), "comm", comm));
			else if (comm)
				json_decref(comm);
		}
		if (task)
			closedir(task);
	}
	if (proc)
		closedir(proc);
	return arr;
}

static int write_sidecar(const struct rec *r, const char *trace_cmd_line, struct hp_err *err)
{
	static const char *modules[] = {"kvm", "kvm_intel", "kvm_amd", "haltpoll",
	                                "cpuidle_haltpoll"};
	struct hp_atomic_file a;
	char path[4096], p[256];
	struct utsname u;
	json_t *root = json_object(), *mods = json_object(), *ev = json_array(), *v;
	const struct event *e;
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "%s.settings.json", r->out);
	uname(&u);
	json_object_set_new(root, "hpsim_record", json_integer(1));
	json_object_set_new(root, "mode",
	                    json_string(r->mode == MODE_GUEST  ? "guest"
	                                : r->mode == MODE_HOST ? "host"
	                                                       : "host+guest"));
	json_object_set_new(root, "trace", json_string(r->out));
	json_object_set_new(root, "kernel_release", json_string(u.release));
	json_object_set_new(root, "machine", json_string(u.machine));
	json_object_set_new(root, "recorded_at", json_integer((json_int_t)time(NULL)));
	json_object_set_new(root, "trace_cmd", json_string(trace_cmd_line));
	for (e = r->mode == MODE_GUEST ? guest_events : host_events; e->sys; e++)
		if (event_present(r, e))
			json_array_append_new(ev, json_sprintf("%s:%s", e->sys, e->name));
	json_object_set_new(root, "events", ev);
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		snprintf(p, sizeof(p), "/sys/module/%s/parameters", modules[i]);
		v = read_dir(p);
		if (v)
			json_object_set_new(mods, modules[i], v);
	}
	json_object_set_new(root, "module_parameters", mods);
	v = read_dir("/sys/devices/system/cpu/cpuidle");
	json_object_set_new(root, "cpuidle", v ? v : json_object());
	json_object_set_new(root, "idle_states", idle_states());
	if (r->mode != MODE_GUEST)
		json_object_set_new(root, "vcpu_threads", vcpu_threads());
	if (hp_atomic_open(&a, path, err) < 0) {
		json_decref(root);
		return -1;
	}
	rc = json_dumpf(root, a.f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc < 0 || fputc('\n', a.f) == EOF) {
		hp_atomic_abort(&a);
		return hp_errf(err, "%s: write failed", path);
	}
	return hp_atomic_commit(&a, err);
}

/* --- the recording ----------------------------------------------------------- */

static int record_extract(struct rec *r, struct hp_err *err)
{
	const struct event *list = r->mode == MODE_GUEST ? guest_events : host_events;
	char *av[MAX_ARGS], tmp[4096], line[8192];
	int rc, status = 0;

	snprintf(tmp, sizeof(tmp), "%s.hpsim-tmp", r->out);
	build_argv(r, av, tmp);
	if (r->dry_run) {
		char fs[HP_ESC_BUF];

		hp_escape(r->tracefs, fs, sizeof(fs)); /* from the environment */
		printf("mkdir %s/instances/%s\n", fs, r->inst);
		printf("echo %ld > %s/instances/%s/buffer_size_kb\n", r->buf_kb, fs, r->inst);
		for (; list->sys; list++)
			if (event_present(r, list))
				printf("echo 1 > %s/instances/%s/events/%s/%s/enable\n", fs,
				       r->inst, list->sys, list->name);
		printf("echo 1 > %s/instances/%s/tracing_on\n", fs, r->inst);
		if (r->cmd && r->cmd[0])
			print_argv(stdout, r->cmd);
		else
			printf("sleep %g\n", r->duration);
		printf("echo 0 > %s/instances/%s/tracing_on\n", fs, r->inst);
		print_argv(stdout, av);
		return 0;
	}
	if (setup_instance(r, list, err) < 0 || inst_write(r, "tracing_on", "1", err) < 0) {
		remove_instance(r);
		return -1;
	}
	if (r->cmd && r->cmd[0]) {
		status = run(r->cmd, 0, 0, err);
		if (status < 0) {
			remove_instance(r);
			return -1;
		}
	} else {
		sleep_for(r->duration);
	}
	if (inst_write(r, "tracing_on", "0", err) < 0) {
		remove_instance(r);
		return -1;
	}
	rc = run(av, 1, 1, err);
	remove_instance(r);
	if (rc != 0) {
		unlink(tmp);
		return rc < 0 ? -1
		              : hp_errf(err, "record: trace-cmd extract failed (status %d)", rc);
	}
	if (rename(tmp, r->out) < 0) {
		unlink(tmp);
		return hp_errf(err, "record: cannot rename %s to %s: %s", tmp, r->out,
		               strerror(errno));
	}
	build_argv(r, av, r->out); /* the command line as it names FILE, for the sidecar */
	join_argv(line, sizeof(line), av);
	if (write_sidecar(r, line, err) < 0)
		return -1;
	if (status != 0)
		fprintf(stderr, "hpsim record: the command exited with status %d\n", status);
	return 0;
}

static int record_host_guest(struct rec *r, struct hp_err *err)
{
	char *av[MAX_ARGS], line[8192];
	int rc;

	build_argv(r, av, r->out);
	if (r->dry_run) {
		print_argv(stdout, av);
		return 0;
	}
	rc = run(av, 1, 0, err);
	if (rc != 0)
		return rc < 0 ? -1
		              : hp_errf(err, "record: trace-cmd record -A failed (status %d)", rc);
	join_argv(line, sizeof(line), av);
	return write_sidecar(r, line, err);
}

static int parse_mode(const char *s, enum mode *m)
{
	if (!strcmp(s, "guest"))
		*m = MODE_GUEST;
	else if (!strcmp(s, "host"))
		*m = MODE_HOST;
	else if (!strcmp(s, "host+guest"))
		*m = MODE_HOST_GUEST;
	else
		return -1;
	return 0;
}

int cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"mode", required_argument, NULL, 'm'},     {"output", required_argument, NULL, 'o'},
	    {"duration", required_argument, NULL, 'd'}, {"buffer-kb", required_argument, NULL, 'b'},
	    {"guest", required_argument, NULL, 'g'},    {"dry-run", no_argument, NULL, 'n'},
	    {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	struct rec r = {.buf_kb = 16384, .duration = -1};
	struct hp_err err = {""};
	const char *mode = NULL;
	char *end;
	int ch;

	optind = 1;
	while ((ch = cli_getopt(argc, argv, "+ho:", longopts, "record")) != -1) {
		switch (ch) {
		case 'm':
			mode = optarg;
			break;
		case 'o':
			r.out = optarg;
			break;
		case 'd':
			r.duration = strtod(optarg, &end);
			if (end == optarg || *end || !(r.duration > 0 && r.duration <= 86400))
				return cli_usage_error("record",
				                       "--duration: '%s' is not a number of "
				                       "seconds in (0, 86400]",
				                       optarg);
			break;
		case 'b':
			r.buf_kb = strtol(optarg, &end, 10);
			if (end == optarg || *end || r.buf_kb < 64 || r.buf_kb > 4194304)
				return cli_usage_error("record",
				                       "--buffer-kb: '%s' is not a size in "
				                       "64..4194304 KiB",
				                       optarg);
			break;
		case 'g':
			r.guest = optarg;
			break;
		case 'n':
			r.dry_run = 1;
			break;
		case 'h':
			fputs(record_help, stdout);
			return 0;
		default: /* cli_getopt said what was wrong */
			return 2;
		}
	}
	if (!mode || parse_mode(mode, &r.mode) < 0)
		return cli_usage_error("record", "--mode must be guest, host or host+guest%s%s%s",
		                       mode ? ", not '" : "", mode ? mode : "", mode ? "'" : "");
	if (!r.out)
		return cli_usage_error("record", "-o FILE is required");
	if (optind < argc)
		r.cmd = argv + optind;
	if (!r.cmd && r.duration < 0)
		return cli_usage_error("record", "give a command after `--` or --duration SECS");
	if (r.cmd && r.duration >= 0)
		return cli_usage_error("record", "give a command or --duration, not both");
	if (r.guest && r.mode != MODE_HOST_GUEST)
		return cli_usage_error("record", "--guest is for --mode host+guest");
	r.tracefs = getenv("HPSIM_TRACEFS") ? getenv("HPSIM_TRACEFS") : "/sys/kernel/tracing";
	snprintf(r.inst, sizeof(r.inst), "hpsim-%ld", (long)getpid());
	if (preflight(&r, &err) < 0)
		return cli_fail(&err);
	{
		struct sigaction sa = {.sa_handler = on_interrupt};

		sigaction(SIGINT, &sa, NULL); /* ^C stops CMD; the capture is still saved */
	}
	if ((r.mode == MODE_HOST_GUEST ? record_host_guest(&r, &err) : record_extract(&r, &err)) <
	    0)
		return cli_fail(&err);
	if (!r.dry_run) {
		char safe[HP_ESC_BUF];

		hp_escape(r.out, safe, sizeof(safe));
		fprintf(stderr, "hpsim record: wrote %s and %s.settings.json\n", safe, safe);
	}
	return 0;
}
