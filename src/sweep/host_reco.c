/*
 * The host-wide answer as text and JSON: the setting, each trace at it beside
 * its own best, what to write where, and the KVM statistics to expect.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hpsim/escape.h"
#include "hpsim/host.h"
#include "hpsim/policy.h"

const char *const hp_host_stat_names[HP_HOST_NSTATS] = {
    "halt_attempted_poll",  "halt_successful_poll", "halt_poll_invalid", "halt_wakeup",
    "halt_poll_success_ns", "halt_poll_fail_ns",    "halt_wait_ns"};

uint64_t hp_host_stat(const struct hp_layer_stats *s, int i)
{
	const uint64_t v[HP_HOST_NSTATS] = {
	    s->halt_attempted_poll,  s->halt_successful_poll, s->halt_poll_invalid, s->halt_wakeup,
	    s->halt_poll_success_ns, s->halt_poll_fail_ns,    s->halt_wait_ns};

	return i >= 0 && i < HP_HOST_NSTATS ? v[i] : 0;
}

/* One line of what to do, and where. */
struct todo {
	const char *where;
	char line[512];
};

#define MAX_TODO 40

/* The host layer whose KVM statistics a host shows: host (kvm) or vcore; -1: none. */
static int kvm_layer(const struct hp_sweep_series *s)
{
	if (s->policy[HP_LAYER_HOST] && !strcmp(s->policy[HP_LAYER_HOST], "kvm"))
		return HP_LAYER_HOST;
	if (s->policy[HP_LAYER_VCORE] && !strcmp(s->policy[HP_LAYER_VCORE], "vcore"))
		return HP_LAYER_VCORE;
	return -1;
}

static bool guest_haltpoll(const struct hp_sweep_series *s)
{
	return s->policy[HP_LAYER_GUEST] && !strcmp(s->policy[HP_LAYER_GUEST], "haltpoll");
}

/* Does any series of the sweep run this policy in this layer? */
static bool any_series(const struct hp_sweep_config *c, int layer, const char *policy)
{
	size_t i;

	for (i = 0; i < c->nseries; i++)
		if (c->series[i].policy[layer] && !strcmp(c->series[i].policy[layer], policy))
			return true;
	return false;
}

static void add(struct todo *td, size_t *n, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add(struct todo *td, size_t *n, const char *where, const char *fmt, ...)
{
	va_list ap;

	if (*n == MAX_TODO)
		return;
	td[*n].where = where;
	va_start(ap, fmt);
	vsnprintf(td[*n].line, sizeof(td[*n].line), fmt, ap);
	va_end(ap);
	(*n)++;
}

/* The recommended value of a layer's parameter, or -1 when the sweep did not set it. */
static int64_t chosen(const struct hp_host_reco *h, int layer, const char *name)
{
	const char *ln = hp_layer_name((enum hp_layer)layer);
	size_t k, n = strlen(ln);

	for (k = 0; k < h->nvals; k++)
		if (!strncmp(h->names[k], ln, n) && h->names[k][n] == '.' &&
		    !strcmp(h->names[k] + n + 1, name))
			return h->vals[k];
	return -1;
}

/*
 * The lines of one layer: every parameter the kernel has, at its recommended
 * value or, where the sweep did not set it, at the default the replay assumed
 * (written too, so that a host on another kernel runs what was simulated).
 */
static void layer_lines(const struct hp_sweep_config *c, const struct hp_sweep_series *s,
                        const struct hp_host_reco *h, int layer, struct todo *td, size_t *n,
                        char *opts, size_t olen)
{
	const struct hp_policy_ops *ops =
	    hp_policy_lookup(s->policy[layer], (enum hp_layer)layer, NULL);
	struct hp_kernel k = {HP_ARCH_X86, 0};
	int arch = c->arch ? hp_arch_parse(c->arch, NULL) : HP_ARCH_X86;
	bool guest = layer == HP_LAYER_GUEST;
	size_t i, o = 0;

	k.arch = arch < 0 ? HP_ARCH_X86 : (enum hp_arch)arch;
	hp_kver_parse(s->kernel, &k.version, NULL);
	for (i = 0; ops && i < ops->nparams; i++) {
		const struct hp_param *p = &ops->params[i];
		int64_t v = chosen(h, layer, p->name);
		char note[64] = "";

		if (!hp_param_in_arch(p, k.arch) || (p->since_kver && k.version < p->since_kver))
			continue;
		if (p->setvar) { /* a per-VM capability: only when the answer sets it */
			if (v >= 0)
				add(td, n, "per VM (a VMM)",
				    "KVM_ENABLE_CAP on the VM fd: cap KVM_CAP_HALT_POLL (182), "
				    "args[0] = %lld (Linux 5.8+; overrides the module's "
				    "halt_poll_ns "
				    "for that VM)",
				    (long long)v);
			continue;
		}
		if (v < 0) {
			v = hp_param_default(p, &k);
			snprintf(note, sizeof(note), "   # the %s default, as replayed", s->kernel);
		}
		add(td, n, guest ? "each guest, now (root)" : "host, now (root)",
		    "echo %lld > /sys/module/%s/parameters/%s%s", (long long)v,
		    guest ? "haltpoll" : "kvm", p->name, note);
		if (o < olen)
			o += (size_t)snprintf(opts + o, olen - o, " %s%s=%lld",
			                      guest ? "haltpoll." : "", p->name, (long long)v);
	}
}

/*
 * What to do for the recommended values: only the layers the series has, and
 * for a layer only its kernel policy (fixed and oracle are models).
 */
static size_t todo_lines(const struct hp_sweep_results *r, const struct hp_host_reco *h,
                         struct todo *td)
{
	const struct hp_sweep_series *s = &r->c->series[h->series];
	char opts[400] = "", cmdline[400] = "";
	size_t n = 0;

	if (kvm_layer(s) >= 0)
		layer_lines(r->c, s, h, kvm_layer(s), td, &n, opts, sizeof(opts));
	if (guest_haltpoll(s))
		layer_lines(r->c, s, h, HP_LAYER_GUEST, td, &n, cmdline, sizeof(cmdline));
	/* a layer the sweep compared but the answer leaves out: switch it off */
	if (kvm_layer(s) < 0 && any_series(r->c, HP_LAYER_HOST, "kvm")) {
		add(td, &n, "host, now (root)",
		    "echo 0 > /sys/module/kvm/parameters/halt_poll_ns%s", " (no host polling)");
		snprintf(opts, sizeof(opts), " halt_poll_ns=0");
	}
	if (opts[0])
		add(td, &n, "host, every boot", "in /etc/modprobe.d/kvm.conf: options kvm%s", opts);
	if (guest_haltpoll(s))
		add(td, &n, "each guest, every boot",
		    "kernel command line: cpuidle_haltpoll.force=1%s (force=1 only where the host "
		    "does not set KVM_HINTS_REALTIME; x86 guests)",
		    cmdline);
	else if (any_series(r->c, HP_LAYER_GUEST, "haltpoll"))
		add(td, &n, "each guest", "%s",
		    "no guest haltpoll: no cpuidle_haltpoll.force=1 on the kernel command line "
		    "(/sys/devices/system/cpu/cpuidle/current_driver is not haltpoll)");
	return n;
}

/* The statistic's rate per second of wall time for one trace at the setting. */
static double rate(const struct hp_host_at *at, int layer, int i)
{
	double s = (double)at->row.wall_ns / 1e9;

	return s > 0 ? (double)hp_host_stat(&at->layer[layer], i) / s : 0;
}

/* Host-wide: the weighted sum over traces (weights as VM counts). */
static double host_rate(const struct hp_sweep_results *r, const struct hp_host_reco *h, int layer,
                        int i)
{
	double sum = 0;
	size_t t;

	for (t = 0; t < r->c->ntraces; t++)
		sum += r->c->host->trace[t].weight * rate(&h->at[t], layer, i);
	return sum;
}

/* The trace's bounds as "p99<=5us,cpu<=2%" ("-": none) into buf. */
static void bounds_text(char *buf, size_t len, const struct hp_host_trace *ht)
{
	size_t n = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k <= HP_LAT_NSTAT && n < len; k++) {
		double b = k < HP_LAT_NSTAT ? ht->lat_max_ns[k] : ht->cpu_max_pct;

		if (b < 0)
			continue;
		if (k < HP_LAT_NSTAT)
			n += (size_t)snprintf(buf + n, len - n, "%s%s<=%gus", n ? "," : "",
			                      hp_sweep_lat_name((enum hp_sweep_lat)k), b / 1e3);
		else
			n += (size_t)snprintf(buf + n, len - n, "%scpu<=%g%%", n ? "," : "", b);
	}
	if (!buf[0])
		snprintf(buf, len, "-");
}

static const char *stat_label(int k)
{
	return k < HP_LAT_NSTAT ? hp_sweep_lat_name((enum hp_sweep_lat)k) : "poll_cpu";
}

static void print_setting(FILE *f, const struct hp_host_reco *h, const uint32_t *v)
{
	size_t k;

	for (k = 0; k < h->nvals; k++)
		fprintf(f, "%s%s=%u", k ? " " : "", h->names[k], v[k]);
	if (!h->nvals)
		fputs("(no swept parameter)", f);
}

/* A guest's POLL state counters per second (all its vCPUs): entries, and time in us. */
static void guest_poll_rates(const struct hp_host_at *at, double *usage, double *time_us)
{
	const struct hp_layer_stats *g = &at->layer[HP_LAYER_GUEST];
	double s = (double)at->row.wall_ns / 1e9;

	*usage = s > 0 ? (double)g->halt_attempted_poll / s : 0;
	*time_us = s > 0 ? (double)hp_layer_poll_ns(g) / 1e3 / s : 0;
}

/* With the guest haltpoll governor: how to see it work inside each guest. */
static void print_guest_check(FILE *f, const struct hp_sweep_results *r,
                              const struct hp_host_reco *h)
{
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_series *s = &c->series[h->series];
	double usage, time_us;
	char e[HP_ESC_BUF];
	size_t t;

	if (!guest_haltpoll(s))
		return;
	fputs("\ncheck in each guest: /sys/devices/system/cpu/cpuidle/current_driver and\n"
	      "current_governor_ro say haltpoll; the POLL state's counters, summed over\n"
	      "/sys/devices/system/cpu/cpu*/cpuidle/state0/{usage,time}, should grow by about:\n",
	      f);
	for (t = 0; t < c->ntraces; t++) {
		guest_poll_rates(&h->at[t], &usage, &time_us);
		fprintf(f, "  %-30s usage %12.1f /s   time %14.1f us/s\n",
		        hp_escape(c->traces[t].label, e, sizeof(e)), usage, time_us);
	}
	if (kvm_layer(s) == HP_LAYER_HOST && (!c->arch || !strcmp(c->arch, "x86")))
		fputs("  (x86: a guest running haltpoll turns host polling off for its vCPUs\n"
		      "  through MSR_KVM_POLL_CONTROL: the host's poll counts of those VMs stay "
		      "near 0)\n",
		      f);
}

void hp_host_print(FILE *f, const struct hp_sweep_results *r, const struct hp_host_reco *h)
{
	const struct hp_sweep_config *c = r->c;
	const char *lat = hp_sweep_lat_name(c->lat_stat);
	struct todo td[MAX_TODO];
	char e[HP_ESC_BUF];
	size_t t, n, k;
	int layer = kvm_layer(&c->series[h->series]), i;

	fprintf(f, "one setting for the host (%zu traces, weighted): ", c->ntraces);
	fputs(h->constrained ? "least weighted poll_cpu_pct with every trace within its bounds\n"
	                     : "the knee of the weighted Pareto front (no bounds)\n",
	      f);
	if (h->status == HP_HOST_INFEASIBLE) {
		fprintf(f,
		        "  no setting of the sweep meets every bound; the closest, point %" PRId64
		        " [%s] ",
		        h->grid_point, hp_escape(c->series[h->series].label, e, sizeof(e)));
		print_setting(f, h, h->grid_vals);
		fputs(", misses:\n", f);
		for (k = 0; k < h->nmiss; k++) {
			const struct hp_host_miss *m = &h->miss[k];
			bool cpu = m->stat == HP_LAT_NSTAT;

			fprintf(f, "    trace %s: %s %.2f%s > %g%s (by %.2f%s, %+.0f%%)\n",
			        hp_escape(c->traces[m->trace].label, e, sizeof(e)),
			        stat_label(m->stat), cpu ? m->value : m->value / 1e3,
			        cpu ? "%" : " us", cpu ? m->bound : m->bound / 1e3,
			        cpu ? "%" : " us",
			        cpu ? m->value - m->bound : (m->value - m->bound) / 1e3,
			        cpu ? " points" : " us",
			        m->bound > 0 ? 100.0 * (m->value - m->bound) / m->bound : 0.0);
		}
		for (t = 0; t < c->ntraces; t++)
			if (h->at[t].own_point < 0)
				fprintf(f,
				        "    trace %s meets its bounds at no point of the sweep, "
				        "even on "
				        "a host of its own\n",
				        hp_escape(c->traces[t].label, e, sizeof(e)));
		fputs("  nothing to apply: relax or drop the bound a trace misses, or sweep "
		      "other values\n",
		      f);
		return;
	}
	fprintf(f, "  setting:   [%s] ", hp_escape(c->series[h->series].label, e, sizeof(e)));
	print_setting(f, h, h->vals);
	fputc('\n', f);
	if (h->status == HP_HOST_ROUND_FAILS)
		fprintf(f,
		        "  rounding:  none of the %d round values next to the grid's answer meets "
		        "every bound; this is the grid's own value\n",
		        h->candidates);
	else if (h->rounded) {
		fputs("  rounding:  the grid's best was ", f);
		print_setting(f, h, h->grid_vals);
		fprintf(f,
		        "; of its %d round neighbours (1-2-5 series or the config's step), %d "
		        "replayed here, this one is best\n",
		        h->candidates, h->replayed);
	}
	fprintf(f, "  weighted:  poll_cpu %.2f%%  %s latency %.2f us", h->cpu_pct, lat,
	        h->lat_ns / 1e3);
	if (h->dflt_ok)
		fprintf(f, "   (kernel default: poll_cpu %.2f%%, %s %.2f us)", h->dflt_cpu_pct, lat,
		        h->dflt_lat_ns / 1e3);
	fputc('\n', f);
	fprintf(f, "  %-30s %6s %-16s %9s %10s   %s\n", "trace", "weight", "bounds", "poll_cpu",
	        lat, "its own best: poll_cpu, latency, setting");
	for (t = 0; t < c->ntraces; t++) {
		const int64_t own = h->at[t].own_point;
		const struct hp_host_at *at = &h->at[t];

		char b[96];

		bounds_text(b, sizeof(b), &c->host->trace[t]);
		fprintf(f, "  %-30s %6g %-16s %8.2f%% %7.2f us   ",
		        hp_escape(c->traces[t].label, e, sizeof(e)), c->host->trace[t].weight, b,
		        hp_sweep_row_cpu(&at->row), hp_sweep_row_lat(&at->row, c->lat_stat) / 1e3);
		if (own < 0) {
			fputs("none (no point meets its bounds)\n", f);
			continue;
		} else {
			const struct hp_sweep_row *o = &r->rows[(uint64_t)own * c->ntraces + t];
			uint32_t v[HP_MAX_SETTINGS * 2];
			uint8_t has[HP_MAX_SETTINGS * 2];

			fprintf(f, "%.2f%%, %.2f us,", hp_sweep_row_cpu(o),
			        hp_sweep_row_lat(o, c->lat_stat) / 1e3);
			hp_sweep_point_values(c, (uint64_t)own, v, has);
			for (k = 0; k < c->ncols; k++)
				if (has[k])
					fprintf(f, " %s=%u", c->cols[k], v[k]);
			fputc('\n', f);
		}
	}
	n = todo_lines(r, h, td);
	fputs("\nwhat to do:\n", f);
	if (!n)
		fputs("  nothing: the series' policies are models (fixed, oracle, none) or the "
		      "defaults, not settings\n",
		      f);
	for (k = 0; k < n; k++)
		fprintf(f, "  %-24s %s\n", td[k].where, td[k].line);
	print_guest_check(f, r, h);
	if (layer < 0)
		return;
	fputs(
	    "\ncheck on the host afterwards (kvm_stat -d -l -s 10 -f halt_ > kvm_stat.log, or two\n"
	    "snapshots of /sys/kernel/debug/kvm; then hpsim check). Predicted, per second of wall\n"
	    "time, all VMs together (weights as VM counts):\n",
	    f);
	for (i = 0; i < HP_HOST_NSTATS; i++) {
		double v = host_rate(r, h, layer, i);

		fprintf(f, "  %-22s %16.1f /s", hp_host_stat_names[i], v);
		if (strstr(hp_host_stat_names[i], "_ns"))
			fprintf(f, "   (%.3f CPUs)", v / 1e9);
		fputc('\n', f);
	}
}

static json_t *setting_json(const struct hp_host_reco *h, const uint32_t *v)
{
	json_t *o = json_object();
	size_t k;

	for (k = 0; k < h->nvals; k++)
		json_object_set_new(o, h->names[k], json_integer(v[k]));
	return o;
}

static json_t *rates_json(const struct hp_sweep_results *r, const struct hp_host_reco *h, int layer,
                          const struct hp_host_at *one)
{
	json_t *o = json_object();
	int i;

	for (i = 0; i < HP_HOST_NSTATS && layer >= 0; i++)
		json_object_set_new(
		    o, hp_host_stat_names[i],
		    json_real(one ? rate(one, layer, i) : host_rate(r, h, layer, i)));
	return o;
}

static json_t *row_json(const struct hp_sweep_row *w)
{
	return json_pack("{s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I}", "poll_cpu_pct", hp_sweep_row_cpu(w),
	                 "lat_mean_ns", hp_sweep_row_lat(w, HP_LAT_MEAN), "lat_p50_ns",
	                 (json_int_t)w->lat_q[0], "lat_p90_ns", (json_int_t)w->lat_q[1],
	                 "lat_p99_ns", (json_int_t)w->lat_q[2], "lat_p999_ns",
	                 (json_int_t)w->lat_q[3], "halts", (json_int_t)w->halts, "wall_ns",
	                 (json_int_t)w->wall_ns);
}

static json_t *bounds_json(const struct hp_host_trace *ht)
{
	json_t *o = json_object();
	char k[32];
	int s;

	for (s = 0; s < HP_LAT_NSTAT; s++)
		if (ht->lat_max_ns[s] >= 0) {
			snprintf(k, sizeof(k), "%s_us_max",
			         hp_sweep_lat_name((enum hp_sweep_lat)s));
			json_object_set_new(o, k, json_real(ht->lat_max_ns[s] / 1e3));
		}
	if (ht->cpu_max_pct >= 0)
		json_object_set_new(o, "poll_cpu_pct_max", json_real(ht->cpu_max_pct));
	return o;
}

int hp_host_json(FILE *f, const struct hp_sweep_results *r, const struct hp_host_reco *h,
                 struct hp_err *err)
{
	static const char *const status[] = {"ok", "infeasible", "round_fails"};
	const struct hp_sweep_config *c = r->c;
	const struct hp_sweep_series *s = &c->series[h->series];
	json_t *root = json_object(), *a, *pol = json_object(), *todo = json_array();
	struct todo td[MAX_TODO];
	int layer = kvm_layer(s), l, rc;
	size_t t, k, n;

	json_object_set_new(root, "hpsim_host_recommendation", json_integer(1));
	json_object_set_new(root, "status", json_string(status[h->status]));
	json_object_set_new(root, "rule", json_string(h->constrained ? "constraints" : "knee"));
	json_object_set_new(root, "latency", json_string(hp_sweep_lat_name(c->lat_stat)));
	json_object_set_new(root, "series", json_string(s->label));
	json_object_set_new(root, "kernel", json_string(s->kernel));
	json_object_set_new(root, "arch", json_string(c->arch ? c->arch : "x86"));
	for (l = 0; l < HP_LAYER_COUNT; l++)
		if (s->policy[l])
			json_object_set_new(pol, hp_layer_name((enum hp_layer)l),
			                    json_string(s->policy[l]));
	json_object_set_new(root, "policies", pol);
	json_object_set_new(root, "grid_point", json_integer(h->grid_point));
	json_object_set_new(root, "grid_setting", setting_json(h, h->grid_vals));
	json_object_set_new(root, "setting",
	                    h->status == HP_HOST_INFEASIBLE ? json_null()
	                                                    : setting_json(h, h->vals));
	json_object_set_new(root, "rounded", json_boolean(h->rounded));
	json_object_set_new(root, "round_candidates", json_integer(h->candidates));
	json_object_set_new(root, "round_replayed", json_integer(h->replayed));
	a = json_array();
	for (k = 0; k < h->nmiss; k++) {
		const struct hp_host_miss *m = &h->miss[k];

		json_array_append_new(a, json_pack("{s:s,s:s,s:f,s:f}", "trace",
		                                   c->traces[m->trace].label, "statistic",
		                                   stat_label(m->stat), "value", m->value, "bound",
		                                   m->bound));
	}
	json_object_set_new(root, "misses", a);
	a = json_array();
	for (t = 0; t < c->ntraces; t++)
		if (h->at[t].own_point < 0)
			json_array_append_new(a, json_string(c->traces[t].label));
	json_object_set_new(root, "never_within_bounds", a);
	if (h->status != HP_HOST_INFEASIBLE) {
		json_object_set_new(
		    root, "weighted",
		    json_pack("{s:f,s:f}", "poll_cpu_pct", h->cpu_pct, "lat_ns", h->lat_ns));
		if (h->dflt_ok)
			json_object_set_new(root, "kernel_default",
			                    json_pack("{s:f,s:f}", "poll_cpu_pct", h->dflt_cpu_pct,
			                              "lat_ns", h->dflt_lat_ns));
		a = json_array();
		for (t = 0; t < c->ntraces; t++) {
			const int64_t own = h->at[t].own_point;
			json_t *o = json_object();

			json_object_set_new(o, "trace", json_string(c->traces[t].label));
			json_object_set_new(o, "weight", json_real(c->host->trace[t].weight));
			json_object_set_new(o, "bounds", bounds_json(&c->host->trace[t]));
			json_object_set_new(o, "at_setting", row_json(&h->at[t].row));
			if (own >= 0) {
				json_t *b = row_json(&r->rows[(uint64_t)own * c->ntraces + t]);
				uint32_t v[HP_MAX_SETTINGS * 2];
				uint8_t has[HP_MAX_SETTINGS * 2];
				json_t *sv = json_object();

				hp_sweep_point_values(c, (uint64_t)own, v, has);
				for (k = 0; k < c->ncols; k++)
					if (has[k])
						json_object_set_new(sv, c->cols[k],
						                    json_integer(v[k]));
				json_object_set_new(b, "point", json_integer(own));
				json_object_set_new(
				    b, "series",
				    json_string(
				        c->series[hp_sweep_point_series(c, (uint64_t)own)].label));
				json_object_set_new(b, "setting", sv);
				json_object_set_new(o, "own_best", b);
			} else {
				json_object_set_new(o, "own_best", json_null());
			}
			json_object_set_new(o, "predicted_per_s",
			                    rates_json(r, h, layer, &h->at[t]));
			if (guest_haltpoll(s)) {
				double usage, time_us;

				guest_poll_rates(&h->at[t], &usage, &time_us);
				json_object_set_new(o, "guest_predicted_per_s",
				                    json_pack("{s:f,s:f}", "cpuidle_state0_usage",
				                              usage, "cpuidle_state0_time_us",
				                              time_us));
			}
			json_array_append_new(a, o);
		}
		json_object_set_new(root, "traces", a);
		n = todo_lines(r, h, td);
		for (k = 0; k < n; k++)
			json_array_append_new(
			    todo, json_pack("{s:s,s:s}", "where", td[k].where, "line", td[k].line));
		json_object_set_new(root, "predicted_layer",
		                    layer >= 0 ? json_string(hp_layer_name((enum hp_layer)layer))
		                               : json_null());
		json_object_set_new(root, "predicted_per_s", rates_json(r, h, layer, NULL));
	}
	json_object_set_new(root, "what_to_do", todo);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', f);
	json_decref(root);
	if (rc < 0)
		return hp_errf(err, "could not write the JSON");
	return 0;
}
