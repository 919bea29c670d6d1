/*
 * Host idle-state tables: the built-in server parts (intel_idle's figures),
 * the JSON format of --host-idle FILE, and the running machine's cpuidle
 * sysfs directory.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hpsim/idle.h"

#define US 1000ull

/* A state of a built-in table: exit latency and target residency in us. */
struct builtin_state {
	const char *name;
	unsigned exit_us, residency_us;
};

struct builtin {
	const char *name;
	const char *desc;
	struct builtin_state states[4];
	unsigned count;
};

/* intel_idle's tables (drivers/idle/intel_idle.c), after the POLL state the cpuidle core adds. */
static const struct builtin builtins[] = {
    {"skx",
     "Skylake-SP (intel_idle skx_cstates)",
     {{"C1", 2, 2}, {"C1E", 10, 20}, {"C6", 133, 600}},
     3},
    {"icx",
     "Ice Lake-SP (intel_idle icx_cstates)",
     {{"C1", 1, 1}, {"C1E", 4, 4}, {"C6", 170, 600}},
     3},
    {"spr",
     "Sapphire Rapids (intel_idle spr_cstates)",
     {{"C1", 1, 1}, {"C1E", 2, 4}, {"C6", 290, 800}},
     3},
    {"none", "no host idle states: every wakeup costs the same", {{NULL, 0, 0}}, 0},
};

static void set_poll(struct hp_idle_state *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "POLL");
	s->polling = true;
}

int hp_idle_table_builtin(const char *name, struct hp_idle_table *t, struct hp_err *err)
{
	size_t i;
	unsigned j;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		const struct builtin *b = &builtins[i];

		if (strcmp(b->name, name) != 0)
			continue;
		memset(t, 0, sizeof(*t));
		snprintf(t->name, sizeof(t->name), "%s", b->name);
		if (!b->count)
			return 0;
		set_poll(&t->state[0]);
		for (j = 0; j < b->count; j++) {
			struct hp_idle_state *s = &t->state[j + 1];

			snprintf(s->name, sizeof(s->name), "%s", b->states[j].name);
			s->exit_latency_ns = b->states[j].exit_us * US;
			s->target_residency_ns = b->states[j].residency_us * US;
		}
		t->count = b->count + 1;
		return 0;
	}
	return hp_errf(err, "unknown built-in idle table '%s' (built-in: skx, icx, spr, none)",
	               name);
}

/*
 * A duration field: "<key>_us" (a number of microseconds, fractions allowed
 * to the nanosecond) or "<key>_ns" (an integer), one of the two. 1 if found,
 * 0 if neither is there, -1 with err.
 */
static int get_duration(json_t *st, const char *path, unsigned idx, const char *key, uint64_t *out,
                        struct hp_err *err)
{
	char kus[48], kns[48];
	json_t *us, *ns;

	snprintf(kus, sizeof(kus), "%s_us", key);
	snprintf(kns, sizeof(kns), "%s_ns", key);
	us = json_object_get(st, kus);
	ns = json_object_get(st, kns);
	if (us && ns)
		return hp_errf(err, "%s: states[%u]: give %s or %s, not both", path, idx, kus, kns);
	if (ns) {
		if (!json_is_integer(ns) || json_integer_value(ns) < 0 ||
		    json_integer_value(ns) > (json_int_t)1000000000000)
			return hp_errf(err,
			               "%s: states[%u].%s: expected an integer number of "
			               "nanoseconds in 0..10^12",
			               path, idx, kns);
		*out = (uint64_t)json_integer_value(ns);
		return 1;
	}
	if (us) {
		double v = json_number_value(us);

		if (!json_is_number(us) || !isfinite(v) || v < 0 || v > 1e9)
			return hp_errf(err,
			               "%s: states[%u].%s: expected a number of microseconds in "
			               "0..10^9",
			               path, idx, kus);
		*out = (uint64_t)llround(v * 1000.0);
		return 1;
	}
	return 0;
}

static const char *const state_keys[] = {"name",
                                         "exit_latency_us",
                                         "exit_latency_ns",
                                         "target_residency_us",
                                         "target_residency_ns",
                                         "power_mw",
                                         "polling",
                                         "desc",
                                         NULL};

static int load_state(json_t *st, const char *path, unsigned idx, struct hp_idle_state *s,
                      struct hp_err *err)
{
	const char *key;
	json_t *v;
	int rc;

	if (!json_is_object(st))
		return hp_errf(err, "%s: states[%u]: expected an object {\"name\": ..., ...}", path,
		               idx);
	json_object_foreach(st, key, v)
	{
		size_t k;

		for (k = 0; state_keys[k]; k++)
			if (!strcmp(state_keys[k], key))
				break;
		if (!state_keys[k])
			return hp_errf(err,
			               "%s: states[%u].%s: unknown field (known: name, "
			               "exit_latency_us or _ns, target_residency_us or _ns, "
			               "power_mw, polling, desc)",
			               path, idx, key);
	}
	v = json_object_get(st, "name");
	if (!v || !json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) >= sizeof(s->name))
		return hp_errf(err, "%s: states[%u].name: expected a string of 1 to %zu characters",
		               path, idx, sizeof(s->name) - 1);
	snprintf(s->name, sizeof(s->name), "%s", json_string_value(v));
	v = json_object_get(st, "desc");
	if (v && !json_is_string(v))
		return hp_errf(err, "%s: states[%u].desc: expected a string", path, idx);

	v = json_object_get(st, "polling");
	if (v && !json_is_boolean(v))
		return hp_errf(err, "%s: states[%u].polling: expected true or false", path, idx);
	s->polling = v ? json_is_true(v) : (idx == 0 && !strcmp(s->name, "POLL"));
	if (s->polling && idx != 0)
		return hp_errf(err, "%s: states[%u].polling: only state 0 may be a polling state",
		               path, idx);

	rc = get_duration(st, path, idx, "exit_latency", &s->exit_latency_ns, err);
	if (rc < 0)
		return -1;
	if (!rc && !s->polling)
		return hp_errf(err, "%s: states[%u].exit_latency_us: missing (or exit_latency_ns)",
		               path, idx);
	rc = get_duration(st, path, idx, "target_residency", &s->target_residency_ns, err);
	if (rc < 0)
		return -1;
	if (!rc && !s->polling)
		return hp_errf(err,
		               "%s: states[%u].target_residency_us: missing (or "
		               "target_residency_ns)",
		               path, idx);

	v = json_object_get(st, "power_mw");
	if (v) {
		double p = json_number_value(v);

		if (!json_is_number(v) || !isfinite(p) || p < 0 || p > 1e7)
			return hp_errf(
			    err,
			    "%s: states[%u].power_mw: expected a number of milliwatts in "
			    "0..10^7",
			    path, idx);
		s->power_mw = p;
		s->has_power = true;
	}
	return 0;
}

int hp_idle_table_load(const char *path, struct hp_idle_table *t, struct hp_err *err)
{
	json_error_t jerr;
	json_t *root, *v, *states;
	const char *key;
	size_t i;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	root = json_load_file(path, 0, &jerr);
	if (!root)
		return hp_errf(err, "%s:%d: not JSON: %s", path, jerr.line, jerr.text);
	if (!json_is_object(root)) {
		hp_errf(err,
		        "%s: an idle table is one JSON object {\"name\": ..., \"states\": [...]}",
		        path);
		goto out;
	}
	json_object_foreach(root, key, v)
	{
		if (strcmp(key, "name") && strcmp(key, "states") && strcmp(key, "desc")) {
			hp_errf(err, "%s: %s: unknown field (known: name, desc, states)", path,
			        key);
			goto out;
		}
	}
	v = json_object_get(root, "name");
	if (!v || !json_is_string(v) || !json_string_length(v) ||
	    json_string_length(v) >= sizeof(t->name)) {
		hp_errf(err, "%s: name: expected a string of 1 to %zu characters", path,
		        sizeof(t->name) - 1);
		goto out;
	}
	snprintf(t->name, sizeof(t->name), "%s", json_string_value(v));
	v = json_object_get(root, "desc");
	if (v && !json_is_string(v)) {
		hp_errf(err, "%s: desc: expected a string", path);
		goto out;
	}
	states = json_object_get(root, "states");
	if (!states || !json_is_array(states) || json_array_size(states) > HP_IDLE_MAX_STATES) {
		hp_errf(err, "%s: states: expected an array of 0 to %d states", path,
		        HP_IDLE_MAX_STATES);
		goto out;
	}
	for (i = 0; i < json_array_size(states); i++) {
		struct hp_idle_state *s = &t->state[i];

		if (load_state(json_array_get(states, i), path, (unsigned)i, s, err))
			goto out;
		if (i > 0 && s->target_residency_ns < t->state[i - 1].target_residency_ns) {
			hp_errf(err,
			        "%s: states[%zu].target_residency: %" PRIu64
			        " ns is below the previous state's %" PRIu64
			        " ns (states go from shallow to deep)",
			        path, i, s->target_residency_ns,
			        t->state[i - 1].target_residency_ns);
			goto out;
		}
	}
	t->count = (unsigned)json_array_size(states);
	rc = 0;
out:
	json_decref(root);
	return rc;
}

int hp_idle_table_resolve(const char *arg, struct hp_idle_table *t, struct hp_err *err)
{
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (!strcmp(builtins[i].name, arg))
			return hp_idle_table_builtin(arg, t, err);
	if (stat(arg, &st) != 0)
		return hp_errf(err,
		               "--host-idle %s: neither a built-in table (skx, icx, spr, none) nor "
		               "a file: %s",
		               arg, strerror(errno));
	return hp_idle_table_load(arg, t, err);
}

/* A duration as the format writes it: whole microseconds as _us, anything else as _ns. */
static void put_duration(json_t *o, const char *key, uint64_t ns)
{
	char k[48];

	if (ns % US == 0) {
		snprintf(k, sizeof(k), "%s_us", key);
		json_object_set_new(o, k, json_integer((json_int_t)(ns / US)));
	} else {
		snprintf(k, sizeof(k), "%s_ns", key);
		json_object_set_new(o, k, json_integer((json_int_t)ns));
	}
}

int hp_idle_table_write_json(FILE *f, const struct hp_idle_table *t, struct hp_err *err)
{
	json_t *root = json_object(), *states = json_array();
	unsigned i;
	int rc;

	json_object_set_new(root, "name", json_string(t->name));
	for (i = 0; i < t->count && i < HP_IDLE_MAX_STATES; i++) {
		const struct hp_idle_state *s = &t->state[i];
		json_t *o = json_object();

		json_object_set_new(o, "name", json_string(s->name));
		put_duration(o, "exit_latency", s->exit_latency_ns);
		put_duration(o, "target_residency", s->target_residency_ns);
		if (s->has_power)
			json_object_set_new(o, "power_mw", json_real(s->power_mw));
		if (s->polling)
			json_object_set_new(o, "polling", json_true());
		json_array_append_new(states, o);
	}
	json_object_set_new(root, "states", states);
	rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(root);
	if (rc < 0 || fputc('\n', f) == EOF)
		return hp_errf(err, "could not write the idle table");
	return 0;
}

/* Read one line of a sysfs attribute into buf (newline dropped); 0, or -1 with errno. */
static int read_attr(const char *dir, const char *attr, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	n = strcspn(buf, "\n");
	buf[n] = '\0';
	return 0;
}

/* An unsigned decimal attribute; 0 or -1 with err naming the file. */
static int read_uint_attr(const char *dir, const char *attr, unsigned long long *v,
                          struct hp_err *err)
{
	char buf[64], *end;

	if (read_attr(dir, attr, buf, sizeof(buf)))
		return hp_errf(err, "%s/%s: %s", dir, attr, strerror(errno));
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (end == buf || *end || errno || buf[0] == '-')
		return hp_errf(err, "%s/%s: expected an unsigned number, found \"%s\"", dir, attr,
		               buf);
	return 0;
}

int hp_idle_table_from_sysfs(const char *root, unsigned cpu, struct hp_idle_table *t,
                             struct hp_err *err)
{
	char dir[PATH_MAX], sdir[PATH_MAX + 32], buf[64];
	struct stat st;
	unsigned i;

	memset(t, 0, sizeof(*t));
	snprintf(dir, sizeof(dir), "%s/devices/system/cpu/cpu%u/cpuidle", root, cpu);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		char cpudir[PATH_MAX];

		snprintf(cpudir, sizeof(cpudir), "%s/devices/system/cpu/cpu%u", root, cpu);
		if (stat(cpudir, &st) != 0)
			return hp_errf(err, "%s: no such CPU", cpudir);
		snprintf(sdir, sizeof(sdir), "%s/devices/system/cpu/cpuidle", root);
		if (read_attr(sdir, "current_driver", buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "unknown");
		return hp_errf(err,
		               "%s: no such directory: this machine exposes no cpuidle states "
		               "(cpuidle driver: %s; none is registered on many virtual machines "
		               "and with cpuidle.off=1); use a built-in table (skx, icx, spr) "
		               "or write one",
		               dir, buf[0] ? buf : "unknown");
	}
	snprintf(t->name, sizeof(t->name), "cpu%u", cpu);
	snprintf(sdir, sizeof(sdir), "%s/devices/system/cpu/cpuidle", root);
	if (!read_attr(sdir, "current_driver", buf, sizeof(buf)) && buf[0])
		snprintf(t->name, sizeof(t->name), "%.31s", buf);

	for (i = 0;; i++) {
		struct hp_idle_state *s;
		unsigned long long lat, res, power;

		snprintf(sdir, sizeof(sdir), "%s/state%u", dir, i);
		if (stat(sdir, &st) != 0)
			break;
		if (i >= HP_IDLE_MAX_STATES)
			return hp_errf(err, "%s: more than %d idle states", dir,
			               HP_IDLE_MAX_STATES);
		s = &t->state[i];
		if (read_attr(sdir, "name", buf, sizeof(buf)))
			return hp_errf(err, "%s/name: %s", sdir, strerror(errno));
		if (!buf[0])
			return hp_errf(err, "%s/name: empty", sdir);
		snprintf(s->name, sizeof(s->name), "%.15s", buf);
		if (read_uint_attr(sdir, "latency", &lat, err) ||
		    read_uint_attr(sdir, "residency", &res, err))
			return -1;
		if (lat > 1000000000ull || res > 1000000000ull)
			return hp_errf(err, "%s: latency or residency above 10^9 us", sdir);
		s->exit_latency_ns = lat * US;
		s->target_residency_ns = res * US;
		/* the POLL state the cpuidle core adds on x86 is the one polling state */
		s->polling = i == 0 && !strcmp(s->name, "POLL");
		/* power_usage: 0 or -1 (read back unsigned) mean the driver gives none */
		if (!read_uint_attr(sdir, "power", &power, err) && power > 0 && power < INT_MAX) {
			s->power_mw = (double)power;
			s->has_power = true;
		}
		if (i > 0 && s->target_residency_ns < t->state[i - 1].target_residency_ns)
			return hp_errf(err, "%s/residency: below the previous state's", sdir);
	}
	if (i == 0)
		return hp_errf(err, "%s: no state0 directory: the cpuidle driver has no states",
		               dir);
	t->count = i;
	return 0;
}
