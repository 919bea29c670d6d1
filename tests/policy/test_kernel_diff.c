/*
 * The differential test: the project's kernel C (haltpoll, kvm, vcore) and
 * the same policies compiled from a real kernel tree (haltpoll@kernel,
 * kvm@kernel, vcore@kernel; cmake -DHPSIM_KERNEL_SRC=...) must make the same
 * decisions, halt by halt, with --kernel set to the tree's version:
 *  - every capture in traces/ through `hpsim replay --decisions`, byte for
 *    byte, for each policy alone and for guest over host, with and without
 *    a host load model;
 *  - synthetic streams through the engine, with halts just below, at and
 *    just above every threshold the parameters make reachable, under
 *    parameter edge values (0, 1, u32 maxima, ...), with and without the
 *    cost model, with other host tasks runnable during some halts;
 *  - halt by halt through the policy ops of all three, with every field of
 *    the decision and of the per-vCPU state (statistics included) compared,
 *    while module parameters change mid-run (the ceiling lowered below the
 *    current window, raised to the u32 maximum, 0), and for kvm the per-VM
 *    KVM_CAP_HALT_POLL ceiling is set, the x86 poll-control MSR toggles and
 *    s390 reports invalid wakeups, and for haltpoll the PM QoS latency
 *    limit drops to 0.
 * A difference fails with the first differing row, the parameters and the
 * halt that produced it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers.h"

#include <linux/cpuidle.h>
#include <linux/kvm_host.h>
#include <asm/kvm_book3s.h>

#include "hpsim/engine.h"
#include "hpsim/report.h"
#include "hpsim_ksrc.h"

/* One policy and its twin from the kernel tree. */
struct pair {
	enum hp_layer layer;
	const char *ours, *theirs;
	const char *arch;
};

static const struct pair pairs[] = {
    {HP_LAYER_GUEST, "haltpoll", "haltpoll@kernel", "x86"},
    {HP_LAYER_HOST, "kvm", "kvm@kernel", "x86"},
    {HP_LAYER_VCORE, "vcore", "vcore@kernel", "ppc"},
};
#define NPAIRS (sizeof(pairs) / sizeof(pairs[0]))

/* ---- a buffer and its first differing line -------------------------------- */

static size_t line_start(const char *s, size_t off)
{
	while (off > 0 && s[off - 1] != '\n')
		off--;
	return off;
}

static size_t line_no(const char *s, size_t off)
{
	size_t n = 1, i;

	for (i = 0; i < off; i++)
		n += s[i] == '\n';
	return n;
}

/* Print the first differing line of a and b (with the header line) and return 1; 0 if equal. */
static int report_first_diff(const char *what, const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, s, ea, eb;

	while (i < na && i < nb && a[i] == b[i])
		i++;
	if (i == na && i == nb)
		return 0;
	s = line_start(a, i);
	ea = s;
	while (ea < na && a[ea] != '\n')
		ea++;
	eb = s;
	while (eb < nb && b[eb] != '\n')
		eb++;
	print_message("DIFFERENCE in %s\n  first differing row %zu:\n  %s\n  ours:   %.*s\n"
	              "  kernel: %.*s\n",
	              what, line_no(a, s), HP_DECISIONS_HEADER, (int)(ea - s), a + s, (int)(eb - s),
	              b + s);
	return 1;
}

/* ---- 1. the captures through the hpsim binary ----------------------------- */

static int run_replay(const char *trace, const char *policies, const char *extra, const char *out)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "'%s' replay '%s' %s --kernel %s %s --decisions '%s' >/dev/null",
	         HPSIM_BINARY, trace, policies, HPSIM_KSRC_VERSION, extra, out);
	return system(cmd);
}

/* ours/theirs: the policy options of each run; extra: the options both share. */
static void compare_replay(const char *trace, const char *ours, const char *theirs,
                           const char *extra, unsigned *rows)
{
	char a_path[] = "/tmp/hpsim-kdiff-XXXXXX", b_path[] = "/tmp/hpsim-kdiff-XXXXXX";
	char what[2048];
	char *a, *b;
	size_t na = 0, nb = 0;
	int fa = mkstemp(a_path), fb = mkstemp(b_path);

	assert_true(fa >= 0 && fb >= 0);
	close(fa);
	close(fb);
	assert_int_equal(run_replay(trace, ours, extra, a_path), 0);
	assert_int_equal(run_replay(trace, theirs, extra, b_path), 0);
	a = test_slurp(a_path, &na);
	b = test_slurp(b_path, &nb);
	unlink(a_path);
	unlink(b_path);
	assert_non_null(a);
	assert_non_null(b);
	/* the log has a header and at least one halt */
	assert_true(na > strlen(HP_DECISIONS_HEADER) + 1);
	snprintf(what, sizeof(what), "hpsim replay %s --kernel %s %s: [%s] vs [%s]", trace,
	         HPSIM_KSRC_VERSION, extra, ours, theirs);
	if (report_first_diff(what, a, na, b, nb))
		fail_msg("the kernel tree's policy decided differently (see above)");
	*rows += (unsigned)line_no(a, na) - 2;
	free(a);
	free(b);
}

static void test_traces(void **unused)
{
	static const struct {
		const char *ours, *theirs, *extra;
	} runs[] = {
	    {"--host kvm", "--host kvm@kernel", ""},
	    {"--host kvm", "--host kvm@kernel",
	     "--set halt_poll_ns_shrink=2 --set halt_poll_ns=50000 --set halt_poll_ns_grow=3"},
	    {"--guest haltpoll", "--guest haltpoll@kernel", ""},
	    {"--guest haltpoll", "--guest haltpoll@kernel",
	     "--set guest_halt_poll_ns=100000 --set guest_halt_poll_grow_start=1000"},
	    {"--guest haltpoll --host kvm", "--guest haltpoll@kernel --host kvm@kernel", ""},
	    {"--host kvm", "--host kvm@kernel", "--host-load 0.3 --seed 7"},
	    {"--vcore vcore", "--vcore vcore@kernel", "--arch ppc"},
	    {"--vcore vcore", "--vcore vcore@kernel", "--arch ppc --host-load 0.5 --seed 3"},
	    {"--vcore vcore", "--vcore vcore@kernel",
	     "--arch ppc --set halt_poll_ns=200000 --set halt_poll_ns_shrink=4"},
	};
	char dir[512], path[1024];
	unsigned ntraces = 0, rows = 0;
	struct dirent *de;
	DIR *d;
	size_t r;

	(void)unused;
	snprintf(dir, sizeof(dir), "%s/traces", HPSIM_SOURCE_DIR);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len < 5 || strcmp(de->d_name + len - 4, ".dat") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		for (r = 0; r < sizeof(runs) / sizeof(runs[0]); r++)
			compare_replay(path, runs[r].ours, runs[r].theirs, runs[r].extra, &rows);
		ntraces++;
	}
	closedir(d);
	/* every bundled capture was compared, with thousands of halts in all */
	assert_true(ntraces >= 4);
	assert_true(rows > 10000);
	print_message("%u captures, %u decision rows identical\n", ntraces, rows);
}

/* `hpsim policies` lists the three with the tree they were compiled from. */
static void test_policies_listing(void **unused)
{
	char cmd[1024], line[1024];
	unsigned found = 0;
	size_t i;
	FILE *f;

	(void)unused;
	snprintf(cmd, sizeof(cmd), "'%s' policies", HPSIM_BINARY);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < NPAIRS; i++) {
			size_t len = strlen(pairs[i].theirs);

			if (!strncmp(line, pairs[i].theirs, len) && line[len] == ' ' &&
			    strstr(line, HPSIM_KSRC_PATH) &&
			    strstr(line, "(" HPSIM_KSRC_VERSION ")"))
				found |= 1u << i;
		}
	assert_int_equal(pclose(f), 0);
	assert_int_equal(found, (1u << NPAIRS) - 1);
}

/* ---- 2. synthetic streams through the engine ------------------------------ */

/* One parameter set: NAME=VALUE settings, NULL-terminated. */
struct pset {
	const char *set[6];
};

static const struct pset kvm_psets[] = {
    {{NULL}},
    {{"halt_poll_ns_shrink=2", NULL}},
    {{"halt_poll_ns=0", NULL}},
    {{"halt_poll_ns=1", NULL}},
    {{"halt_poll_ns=4294967295", "halt_poll_ns_shrink=2", NULL}},
    {{"halt_poll_ns_grow=0", NULL}},
    {{"halt_poll_ns_grow=1", NULL}},
    {{"halt_poll_ns_grow=4294967295", "halt_poll_ns=4294967295", NULL}},
    {{"halt_poll_ns_grow=65536", "halt_poll_ns=4294967295", "halt_poll_ns_grow_start=65537", NULL}},
    {{"halt_poll_ns_grow_start=0", NULL}},
    {{"halt_poll_ns_grow_start=1", "halt_poll_ns_shrink=3", NULL}},
    {{"halt_poll_ns_grow_start=4294967295", NULL}},
    {{"halt_poll_ns_grow_start=300000", "halt_poll_ns_shrink=2", NULL}},
    {{"halt_poll_ns_shrink=1", NULL}},
    {{"halt_poll_ns_shrink=4294967295", NULL}},
    {{"halt_poll_ns=10000", "halt_poll_ns_grow_start=10000", "halt_poll_ns_shrink=2", NULL}},
};

static const struct pset haltpoll_psets[] = {
    {{NULL}},
    {{"guest_halt_poll_ns=0", NULL}},
    {{"guest_halt_poll_ns=1", NULL}},
    {{"guest_halt_poll_ns=4294967295", NULL}},
    {{"guest_halt_poll_grow=0", NULL}},
    {{"guest_halt_poll_grow=1", NULL}},
    {{"guest_halt_poll_grow=4294967295", "guest_halt_poll_ns=4294967295", NULL}},
    {{"guest_halt_poll_grow_start=0", NULL}},
    {{"guest_halt_poll_grow_start=1", NULL}},
    {{"guest_halt_poll_grow_start=4294967295", NULL}},
    {{"guest_halt_poll_shrink=0", NULL}},
    {{"guest_halt_poll_shrink=1", NULL}},
    {{"guest_halt_poll_shrink=4294967295", NULL}},
    {{"guest_halt_poll_allow_shrink=N", NULL}},
    {{"guest_halt_poll_ns=50000", "guest_halt_poll_grow_start=50000", NULL}},
};

/* The thresholds a parameter set makes reachable, for the halt lengths around them. */
static void thresholds(const struct pair *p, const struct pset *ps, uint64_t *t, size_t *n,
                       size_t cap)
{
	uint64_t max = p->layer == HP_LAYER_VCORE ? 10000 : 200000;
	uint64_t start = p->layer == HP_LAYER_GUEST ? 50000 : 10000, grow = 2;
	uint64_t shrink = 2, v;
	size_t i;
	int k;

	for (i = 0; ps->set[i]; i++) {
		const char *eq = strchr(ps->set[i], '=');
		uint64_t val = strtoull(eq + 1, NULL, 0);

		if (strstr(ps->set[i], "grow_start"))
			start = val;
		else if (strstr(ps->set[i], "grow="))
			grow = val;
		else if (strstr(ps->set[i], "shrink="))
			shrink = val;
		else if (strstr(ps->set[i], "halt_poll_ns="))
			max = val;
	}
	*n = 0;
#define ADD(x)                                                                                     \
	do {                                                                                       \
		if (*n < cap)                                                                      \
			t[(*n)++] = (x);                                                           \
	} while (0)
	ADD(0);
	ADD(1);
	ADD(max);
	ADD(start);
	ADD(10000); /* the vcore ceiling, the kvm start */
	ADD(200000);
	for (v = start ? start : 1, k = 0; k < 24 && v < (1ull << 40); k++) {
		ADD(v);
		v *= grow > 1 ? grow : 2;
	}
	for (v = max, k = 0; k < 24 && v; k++) {
		ADD(v);
		v /= shrink > 1 ? shrink : 2;
	}
#undef ADD
}

/*
 * A stream on two CPUs whose halts sit at, just below and just above each
 * threshold; during one halt in four another host task becomes runnable.
 */
static void build_stream(struct hp_episodes *eps, const uint64_t *t, size_t nt, uint64_t seed)
{
	uint64_t now[2] = {1000000, 1000000 + 777}, x = seed;
	struct hp_err err;
	size_t i;

	memset(eps, 0, sizeof(*eps));
	for (i = 0; i < 1500; i++) {
		struct hp_episode ep;
		uint64_t len;
		uint32_t cpu = (uint32_t)(i & 1);

		x = x * 6364136223846793005ull + 1442695040888963407ull;
		if ((x >> 60) < 13) {
			int64_t d = (int64_t)((x >> 33) % 5) - 2; /* -2 .. +2 */

			len = t[(x >> 40) % nt];
			len = (d < 0 && len < (uint64_t)-d) ? 0 : len + (uint64_t)d;
		} else {
			len = (x >> 30) % 3000000; /* anything up to 3 ms */
		}
		if (len > 4000000000ull)
			len = 4000000000ull; /* 4 s at most */
		memset(&ep, 0, sizeof(ep));
		ep.cpu = cpu;
		ep.source_cpu = -1;
		ep.halt_start_ns = now[cpu];
		ep.wake_ns = now[cpu] + len;
		assert_int_equal(hp_episodes_push(eps, &ep, &err), 0);
		if (((x >> 24) & 3) == 0) {
			/* another host task becomes runnable during the halt (or at its start) */
			struct hp_busy b = {.cpu = cpu};

			b.start_ns = ep.halt_start_ns + (len ? (x >> 8) % (len + 1) : 0);
			b.end_ns = b.start_ns + 1 + (x >> 36) % 50000;
			assert_int_equal(hp_episodes_push_busy(eps, &b, &err), 0);
		}
		/* the vCPU runs a while before its next halt */
		now[cpu] = ep.wake_ns + 20000 + (x >> 50) % 50000;
	}
	hp_episodes_sort(eps);
	eps->t_first_ns = 1000000;
	eps->t_last_ns = (now[0] > now[1] ? now[0] : now[1]) + 1;
	assert_int_equal(hp_episodes_validate(eps, &err), 0);
}

static const char *const zero_costs[] = {"hlt_exit_ns=0",    "vm_entry_ns=0",
                                         "poll_detect_ns=0", "host_wakeup_ns=0",
                                         "guest_relax_ns=1", "guest_wakeup_ns=0"};

/* Run eps through one configuration into a memory buffer of decision rows. */
static char *run_engine(const struct hp_episodes *eps, const char *const policy[HP_LAYER_COUNT],
                        const char *arch, const struct pset *ps, int zero, size_t *n)
{
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	struct hp_engine_stats st;
	struct hp_err err;
	char *buf = NULL;
	FILE *f;
	size_t i;
	int l;

	memset(&spec, 0, sizeof(spec));
	for (l = 0; l < HP_LAYER_COUNT; l++)
		spec.policy[l] = policy[l];
	spec.kernel = HPSIM_KSRC_VERSION;
	spec.arch = arch;
	for (i = 0; ps->set[i]; i++) {
		char *eq = strchr(ps->set[i], '=');

		spec.params[spec.nparams].name = strndup(ps->set[i], (size_t)(eq - ps->set[i]));
		spec.params[spec.nparams++].value = eq + 1;
	}
	for (i = 0; zero && i < sizeof(zero_costs) / sizeof(zero_costs[0]); i++) {
		char *eq = strchr(zero_costs[i], '=');

		spec.cost[spec.ncost].name = strndup(zero_costs[i], (size_t)(eq - zero_costs[i]));
		spec.cost[spec.ncost++].value = eq + 1;
	}
	if (hp_engine_configure(&spec, &cfg, &err) < 0)
		fail_msg("configure: %s", err.msg);
	f = open_memstream(&buf, n);
	assert_non_null(f);
	cfg.on_outcome = hp_decisions_add;
	cfg.ctx = f;
	if (hp_engine_run(eps, &cfg, &st, &err) < 0)
		fail_msg("run: %s", err.msg);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(st.halts, eps->n);
	for (i = 0; i < spec.nparams; i++)
		free((char *)spec.params[i].name);
	for (i = 0; i < spec.ncost; i++)
		free((char *)spec.cost[i].name);
	return buf;
}

static void param_text(const struct pset *ps, char *out, size_t cap)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; ps->set[i] && len < cap; i++)
		len +=
		    (size_t)snprintf(out + len, cap - len, "%s--set %s", i ? " " : "", ps->set[i]);
	if (!ps->set[0])
		snprintf(out, cap, "(defaults)");
}

/* Rows of layer's decisions in a log whose poll limit changed (column 5 != column 9). */
static unsigned limit_changes(const char *log, enum hp_layer layer)
{
	const char *line = strchr(log, '\n');
	unsigned n = 0;

	while (line && line[1]) {
		char field[10][32];
		int f = 0, c = 0;
		const char *q;

		memset(field, 0, sizeof(field));
		for (q = line + 1; *q && *q != '\n' && f < 10; q++) {
			if (*q == ',') {
				f++;
				c = 0;
			} else if (c < 31) {
				field[f][c++] = *q;
			}
		}
		if (!strcmp(field[1], hp_layer_name(layer)) && strcmp(field[4], field[8]) != 0)
			n++;
		line = strchr(line + 1, '\n');
	}
	return n;
}

/* Compare pair p (and optionally stacked under a guest/over a host) on synthetic streams. */
static void synthetic(const struct pair *p, const struct pset *psets, size_t npsets,
                      const char *const stack[HP_LAYER_COUNT])
{
	unsigned compared = 0, adjusted = 0;
	size_t s;
	int zero;

	for (s = 0; s < npsets; s++) {
		uint64_t t[64];
		size_t nt;
		struct hp_episodes eps;

		thresholds(p, &psets[s], t, &nt, 64);
		build_stream(&eps, t, nt, 0x9e3779b97f4a7c15ull + s);
		for (zero = 0; zero < 2; zero++) {
			const char *ours[HP_LAYER_COUNT], *theirs[HP_LAYER_COUNT];
			char *a, *b, what[1024], params[512];
			size_t na, nb;
			int l;

			for (l = 0; l < HP_LAYER_COUNT; l++)
				ours[l] = theirs[l] = stack ? stack[l] : NULL;
			ours[p->layer] = p->ours;
			theirs[p->layer] = p->theirs;
			a = run_engine(&eps, ours, p->arch, &psets[s], zero, &na);
			b = run_engine(&eps, theirs, p->arch, &psets[s], zero, &nb);
			param_text(&psets[s], params, sizeof(params));
			snprintf(
			    what, sizeof(what),
			    "synthetic stream %zu (%zu halts), %s vs %s, --kernel %s --arch %s "
			    "%s%s%s%s",
			    s, eps.n, p->ours, p->theirs, HPSIM_KSRC_VERSION, p->arch, params,
			    zero ? ", all costs 0" : ", default costs",
			    stack && stack[HP_LAYER_HOST] ? ", over host " : "",
			    stack && stack[HP_LAYER_HOST] ? stack[HP_LAYER_HOST] : "");
			if (report_first_diff(what, a, na, b, nb))
				fail_msg(
				    "the kernel tree's policy decided differently (see above)");
			adjusted += limit_changes(a, p->layer);
			compared++;
			free(a);
			free(b);
		}
		hp_episodes_free(&eps);
	}
	assert_int_equal(compared, 2 * npsets);
	assert_true(adjusted > 0);
}

static void test_synthetic_kvm(void **unused)
{
	(void)unused;
	synthetic(&pairs[1], kvm_psets, sizeof(kvm_psets) / sizeof(kvm_psets[0]), NULL);
}

static void test_synthetic_vcore(void **unused)
{
	(void)unused;
	synthetic(&pairs[2], kvm_psets, sizeof(kvm_psets) / sizeof(kvm_psets[0]), NULL);
}

static void test_synthetic_haltpoll(void **unused)
{
	static const char *const over_kvm[HP_LAYER_COUNT] = {NULL, "kvm", NULL};

	(void)unused;
	synthetic(&pairs[0], haltpoll_psets, sizeof(haltpoll_psets) / sizeof(haltpoll_psets[0]),
	          NULL);
	/* the guest's halts go through the host's poll: its residencies are longer */
	synthetic(&pairs[0], haltpoll_psets, sizeof(haltpoll_psets) / sizeof(haltpoll_psets[0]),
	          over_kvm);
}

/* ---- 3. halt by halt through the ops, with changes between halts ---------- */

/* The layouts the adapters give their per-vCPU states (the same for both twins). */
struct kvm_policy_state {
	struct kvm kvm;
	struct kvm_vcpu vcpu;
};

struct haltpoll_policy_state {
	struct cpuidle_device dev;
};

struct vcore_policy_state {
	struct kvm kvm;
	struct kvm_vcpu runner;
	struct kvmppc_vcore vc;
};

struct twin {
	const struct hp_policy_ops *ops;
	unsigned char state[4096];
	struct hp_decision d;
};

static void set_both(struct twin tw[2], const char *name, const char *value)
{
	struct hp_err err;
	int i;

	for (i = 0; i < 2; i++)
		if (hp_policy_set(tw[i].ops, name, value, &err) < 0)
			fail_msg("%s", err.msg);
}

static void param_dump(const struct hp_policy_ops *ops, char *out, size_t cap)
{
	size_t i, len = 0;

	for (i = 0; i < ops->nparams && len < cap; i++)
		len += (size_t)snprintf(out + len, cap - len, " %s=%u", ops->params[i].name,
		                        hp_param_value(&ops->params[i]));
}

#define DIFF_FIELD(f)                                                                              \
	do {                                                                                       \
		if (a->f != b->f)                                                                  \
			return snprintf(buf, cap, "%s: ours %llu, kernel %llu", #f,                \
			                (unsigned long long)a->f, (unsigned long long)b->f);       \
	} while (0)

/* Name the first field in which two decisions differ; 0 if none. */
static int decision_diff(const struct hp_decision *a, const struct hp_decision *b, char *buf,
                         size_t cap)
{
	DIFF_FIELD(enter_ns);
	DIFF_FIELD(end_ns);
	DIFF_FIELD(poll_limit_before_ns);
	DIFF_FIELD(poll_limit_after_ns);
	DIFF_FIELD(polled_ns);
	DIFF_FIELD(wait_ns);
	DIFF_FIELD(block_ns);
	DIFF_FIELD(outcome);
	DIFF_FIELD(waited);
	DIFF_FIELD(valid);
	DIFF_FIELD(adjust);
	DIFF_FIELD(woke_sleeper);
	DIFF_FIELD(stat_cpu);
	DIFF_FIELD(adj_new);
	DIFF_FIELD(adj_old);
	return 0;
}

/* Name the first per-vCPU halt-polling field or statistic in which a and b differ; 0 if none. */
static int vcpu_diff(const struct kvm_vcpu *a, const struct kvm_vcpu *b, char *buf, size_t cap)
{
	int i;

	DIFF_FIELD(halt_poll_ns);
	DIFF_FIELD(stat.generic.halt_successful_poll);
	DIFF_FIELD(stat.generic.halt_attempted_poll);
	DIFF_FIELD(stat.generic.halt_poll_invalid);
	DIFF_FIELD(stat.generic.halt_poll_success_ns);
	DIFF_FIELD(stat.generic.halt_poll_fail_ns);
	DIFF_FIELD(stat.generic.halt_wait_ns);
	DIFF_FIELD(stat.generic.blocking);
	DIFF_FIELD(stat.halt_successful_wait);
	for (i = 0; i < HALT_POLL_HIST_COUNT; i++) {
		DIFF_FIELD(stat.generic.halt_poll_success_hist[i]);
		DIFF_FIELD(stat.generic.halt_poll_fail_hist[i]);
		DIFF_FIELD(stat.generic.halt_wait_hist[i]);
	}
	return 0;
}

static int cpuidle_diff(const struct cpuidle_device *a, const struct cpuidle_device *b, char *buf,
                        size_t cap)
{
	DIFF_FIELD(poll_limit_ns);
	DIFF_FIELD(last_state_idx);
	DIFF_FIELD(last_residency_ns);
	DIFF_FIELD(poll_time_limit);
	return 0;
}

static int vcore_diff(const struct kvmppc_vcore *a, const struct kvmppc_vcore *b, char *buf,
                      size_t cap)
{
	DIFF_FIELD(halt_poll_ns);
	DIFF_FIELD(vcore_state);
	return vcpu_diff(a->runner, b->runner, buf, cap);
}

/* Name the first difference of the twins' per-vCPU states; 0 if none. */
static int state_diff(enum hp_layer layer, const void *a, const void *b, char *buf, size_t cap)
{
	const struct kvm_policy_state *ka = a, *kb = b;
	const struct haltpoll_policy_state *ha = a, *hb = b;
	const struct vcore_policy_state *va = a, *vb = b;

	if (layer == HP_LAYER_HOST)
		return vcpu_diff(&ka->vcpu, &kb->vcpu, buf, cap);
	if (layer == HP_LAYER_GUEST)
		return cpuidle_diff(&ha->dev, &hb->dev, buf, cap);
	return vcore_diff(&va->vc, &vb->vc, buf, cap);
}

/* The events of a halt-by-halt run, keyed by halt index. */
struct step {
	size_t at;
	const char *param, *value; /* a module parameter write, or NULL */
	int vm_cap;                /* kvm: 1: KVM_CAP_HALT_POLL sets the VM's ceiling to vm_max */
	unsigned int vm_max;
	int poll_disabled; /* -1 unchanged, 0/1: MSR_KVM_POLL_CONTROL bit 0 clear */
	int invalid;       /* -1 unchanged, 0/1: the following wakeups are invalid (s390) */
	int latency_req;   /* guest: 0 unchanged, 1: PM QoS resume latency 0, 2: no constraint */
};

#define NHALTS 2000

/*
 * Drive both twins of pair p halt by halt on arch, applying steps between
 * halts, and fail at the first halt whose decision or resulting state differ.
 * Returns how many halts grew or shrank the poll limit.
 */
static unsigned halt_by_halt(const struct pair *p, const char *arch, const struct step *steps,
                             size_t nsteps)
{
	struct hp_kernel kern = {.version = 0};
	struct hp_cost cost;
	struct hp_err err;
	struct twin tw[2];
	uint64_t now = 1000000, x = 12345;
	size_t i, k, next = 0;
	int a, poll_disabled = 0, invalid = 0;
	unsigned changes = 0;
	const s64 no_constraint = hpsim_latency_req_ns;
	uint32_t v;

	a = hp_arch_parse(arch, &err);
	assert_true(a >= 0);
	kern.arch = (enum hp_arch)a;
	assert_int_equal(hp_kver_parse(HPSIM_KSRC_VERSION, &v, &err), 0);
	kern.version = v;
	hp_cost_defaults(&cost, kern.arch);
	tw[0].ops = hp_policy_find(p->ours);
	tw[1].ops = hp_policy_find(p->theirs);
	assert_non_null(tw[0].ops);
	assert_non_null(tw[1].ops);
	for (k = 0; k < 2; k++) {
		assert_true(tw[k].ops->state_size <= sizeof(tw[k].state));
		hp_policy_defaults(tw[k].ops, &kern);
		tw[k].ops->init(tw[k].state, 0);
	}
	for (i = 0; i < NHALTS; i++) {
		struct hp_halt_in in;
		uint64_t len;
		char why[256] = "", params[2][512], ceiling[96] = "";

		while (next < nsteps && steps[next].at == i) {
			const struct step *st = &steps[next++];

			if (st->param)
				set_both(tw, st->param, st->value);
			for (k = 0; k < 2 && st->vm_cap; k++) {
				struct kvm_policy_state *s = (void *)tw[k].state;

				s->kvm.max_halt_poll_ns = st->vm_max;
				s->kvm.override_halt_poll_ns = true;
			}
			if (st->poll_disabled >= 0)
				poll_disabled = st->poll_disabled;
			if (st->invalid >= 0)
				invalid = st->invalid;
			if (st->latency_req)
				hpsim_latency_req_ns = st->latency_req == 1 ? 0 : no_constraint;
		}
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		len = (x >> 60) < 8 ? (x >> 20) % 60000 : (x >> 20) % 400000;
		memset(&in, 0, sizeof(in));
		in.cpu = 0;
		in.enter_ns = now;
		in.wake_ns = now + len;
		if ((x >> 56) % 5 == 0) {
			/* another host task runnable for a while from somewhere in the halt */
			in.busy_from = now + (x >> 8) % (len + 1);
			in.busy_until = in.busy_from + 1 + (x >> 30) % 40000;
		}
		in.valid_wakeup = !invalid;
		in.host_poll_disabled = poll_disabled;
		in.cost = &cost;
		for (k = 0; k < 2; k++) {
			memset(&tw[k].d, 0, sizeof(tw[k].d));
			tw[k].ops->halt(tw[k].state, &in, &tw[k].d);
		}
		if (!decision_diff(&tw[0].d, &tw[1].d, why, sizeof(why)))
			state_diff(p->layer, tw[0].state, tw[1].state, why, sizeof(why));
		if (why[0]) {
			const struct kvm_policy_state *ks = (const void *)tw[0].state;

			param_dump(tw[0].ops, params[0], sizeof(params[0]));
			param_dump(tw[1].ops, params[1], sizeof(params[1]));
			if (p->layer == HP_LAYER_HOST)
				snprintf(ceiling, sizeof(ceiling), ", VM ceiling %u (%s)",
				         ks->kvm.override_halt_poll_ns
				             ? ks->kvm.max_halt_poll_ns
				             : hp_param_value(&tw[0].ops->params[0]),
				         ks->kvm.override_halt_poll_ns ? "KVM_CAP_HALT_POLL"
				                                       : "module halt_poll_ns");
			if (p->layer == HP_LAYER_GUEST && hpsim_latency_req_ns == 0)
				snprintf(ceiling, sizeof(ceiling),
				         ", PM QoS resume latency limit 0");
			fail_msg("DIFFERENCE at halt %zu, %s vs %s (--arch %s --kernel %s): enter "
			         "%llu, wake %llu (%llu ns), valid %d, poll_disabled %d%s\n"
			         "  ours:  %s\n  kernel:%s\n  %s",
			         i, p->ours, p->theirs, arch, HPSIM_KSRC_VERSION,
			         (unsigned long long)in.enter_ns, (unsigned long long)in.wake_ns,
			         (unsigned long long)len, in.valid_wakeup, poll_disabled, ceiling,
			         params[0], params[1], why);
		}
		changes += tw[0].d.adjust != 0;
		now = tw[0].d.end_ns + 30000;
	}
	hpsim_latency_req_ns = no_constraint;
	return changes;
}

/* A @kernel policy is its tree's release: the run's kernel defaults to it, another is refused. */
static void test_tree_release(void **unused)
{
	struct hp_run_spec spec;
	struct hp_engine_config cfg;
	struct hp_err err;

	(void)unused;
	memset(&spec, 0, sizeof(spec));
	spec.policy[HP_LAYER_HOST] = "kvm@kernel";
	spec.policy[HP_LAYER_GUEST] = "haltpoll";
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), 0);
	assert_int_equal(cfg.kernel.version, HPSIM_KSRC_KVER);
	spec.kernel = HPSIM_KSRC_VERSION ".7";
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), 0);
	assert_int_equal(cfg.kernel.version & ~0xffu, HPSIM_KSRC_KVER);
	spec.kernel = "5.15";
	assert_int_equal(hp_engine_configure(&spec, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "kvm@kernel"));
	assert_non_null(strstr(err.msg, HPSIM_KSRC_VERSION));
}

static void test_halt_by_halt_kvm(void **unused)
{
	static const struct step steps[] = {
	    {0, "halt_poll_ns_shrink", "2", 0, 0, -1, -1, 0},
	    {300, "halt_poll_ns", "50000", 0, 0, -1, -1,
	     0},                                           /* the module ceiling lowered mid-run */
	    {600, NULL, NULL, 1, 20000, -1, -1, 0},        /* the per-VM ceiling, lower still */
	    {900, NULL, NULL, 1, 0, -1, -1, 0},            /* the per-VM ceiling at 0 */
	    {1000, NULL, NULL, 1, 4294967295u, -1, -1, 0}, /* and at the u32 maximum */
	    {1300, "halt_poll_ns", "1", 0, 0, -1, -1, 0},  /* ignored while the VM overrides */
	    {1400, NULL, NULL, 1, 100000, 1, -1, 0},       /* the guest turns host polling off */
	    {1500, "halt_poll_ns_grow", "0", 0, 0, 0, -1, 0},
	    {1600, "halt_poll_ns_grow", "4294967295", 0, 0, -1, -1, 0},
	    {1700, "halt_poll_ns_grow_start", "0", 0, 0, -1, -1, 0},
	    {1800, "halt_poll_ns_shrink", "1", 0, 0, -1, 1, 0}, /* invalid wakeups shrink */
	    {1900, "halt_poll_ns_shrink", "0", 0, 0, -1, 0, 0},
	};
	static const char *const archs[] = {"x86", "s390", "arm64"};
	size_t a;

	(void)unused;
	for (a = 0; a < sizeof(archs) / sizeof(archs[0]); a++)
		/* every run grew and shrank the window many times */
		assert_true(halt_by_halt(&pairs[1], archs[a], steps,
		                         sizeof(steps) / sizeof(steps[0])) > 100);
}

static void test_halt_by_halt_vcore(void **unused)
{
	static const struct step steps[] = {
	    {0, "halt_poll_ns", "200000", 0, 0, -1, -1, 0},
	    {200, "halt_poll_ns_shrink", "2", 0, 0, -1, -1, 0},
	    {500, "halt_poll_ns", "30000", 0, 0, -1, -1,
	     0}, /* the ceiling lowered below the value */
	    {800, "halt_poll_ns", "0", 0, 0, -1, -1, 0},
	    {900, "halt_poll_ns", "4294967295", 0, 0, -1, -1, 0},
	    {1000, "halt_poll_ns", "200000", 0, 0, -1, -1, 0},
	    {1100, "halt_poll_ns_grow", "0", 0, 0, -1, -1, 0},
	    {1300, "halt_poll_ns_grow", "4294967295", 0, 0, -1, -1, 0},
	    {1500, "halt_poll_ns_grow_start", "0", 0, 0, -1, -1, 0},
	    {1600, "halt_poll_ns_grow", "2", 0, 0, -1, -1, 0},
	    {1700, "halt_poll_ns_shrink", "1", 0, 0, -1, -1, 0},
	    {1850, "halt_poll_ns_grow_start", "4294967295", 0, 0, -1, -1, 0},
	};

	(void)unused;
	assert_true(halt_by_halt(&pairs[2], "ppc", steps, sizeof(steps) / sizeof(steps[0])) > 100);
}

static void test_halt_by_halt_haltpoll(void **unused)
{
	static const struct step steps[] = {
	    {300, "guest_halt_poll_ns", "30000", 0, 0, -1, -1, 0}, /* lowered below the limit */
	    {600, "guest_halt_poll_ns", "400000", 0, 0, -1, -1, 0},
	    {800, "guest_halt_poll_allow_shrink", "N", 0, 0, -1, -1, 0},
	    {900, "guest_halt_poll_ns", "0", 0, 0, -1, -1, 0},
	    {1000, "guest_halt_poll_allow_shrink", "Y", 0, 0, -1, -1, 0},
	    {1100, "guest_halt_poll_ns", "4294967295", 0, 0, -1, -1, 0},
	    {1200, "guest_halt_poll_grow", "4294967295", 0, 0, -1, -1, 0},
	    {1400, "guest_halt_poll_grow", "0", 0, 0, -1, -1, 0},
	    {1500, "guest_halt_poll_ns", "200000", 0, 0, -1, -1, 0},
	    {1600, "guest_halt_poll_shrink", "0", 0, 0, -1, -1, 0},
	    {1700, "guest_halt_poll_grow_start", "1", 0, 0, -1, -1, 0},
	    {1800, "guest_halt_poll_shrink", "1", 0, 0, -1, -1, 0},
	    {1900, "guest_halt_poll_grow_start", "0", 0, 0, -1, -1, 0},
	    /* a zero latency limit: always poll, poll_idle() sets the limit itself */
	    {1920, "guest_halt_poll_ns", "200000", 0, 0, -1, -1, 1},
	    {1950, NULL, NULL, 0, 0, -1, -1, 2},
	    {1960, "guest_halt_poll_grow_start", "50000", 0, 0, -1, -1, 1},
	    {1980, NULL, NULL, 0, 0, -1, -1, 2},
	};

	(void)unused;
	assert_true(halt_by_halt(&pairs[0], "x86", steps, sizeof(steps) / sizeof(steps[0])) > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tree_release),
	    cmocka_unit_test(test_policies_listing),
	    cmocka_unit_test(test_traces),
	    cmocka_unit_test(test_synthetic_kvm),
	    cmocka_unit_test(test_synthetic_vcore),
	    cmocka_unit_test(test_synthetic_haltpoll),
	    cmocka_unit_test(test_halt_by_halt_kvm),
	    cmocka_unit_test(test_halt_by_halt_vcore),
	    cmocka_unit_test(test_halt_by_halt_haltpoll),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
