/*
 * --recorded-with: the recording host's settings, and the correction of a
 * guest capture's wake times by them. The capture is replayed once through
 * the recording host as described (kvm halt polling with its parameters, the
 * guest's cpuidle-haltpoll if it had it); each halt that slept there is taken
 * to carry the modelled wake path of a sleeping vCPU (the thread's wakeup,
 * VM entry, the guest's interrupt entry) in its recorded length, and its wake
 * time is moved earlier by that path, so that a replay adds it once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hpsim/engine.h"
#include "hpsim/recorded.h"

/* The parameters a recording host's settings may name (sysfs names). */
static const struct {
	const char *module, *name;
	int guest;
} known[] = {
    {"kvm", "halt_poll_ns", 0},
    {"kvm", "halt_poll_ns_grow", 0},
    {"kvm", "halt_poll_ns_grow_start", 0},
    {"kvm", "halt_poll_ns_shrink", 0},
    {"haltpoll", "guest_halt_poll_ns", 1},
    {"haltpoll", "guest_halt_poll_grow", 1},
    {"haltpoll", "guest_halt_poll_shrink", 1},
    {"haltpoll", "guest_halt_poll_grow_start", 1},
    {"haltpoll", "guest_halt_poll_allow_shrink", 1},
};

#define NKNOWN (sizeof(known) / sizeof(known[0]))

static int find_known(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKNOWN; i++)
		if (strlen(known[i].name) == len && !memcmp(known[i].name, name, len))
			return (int)i;
	return -1;
}

/* Set known[k] to value (decimal, or Y/N as sysfs prints booleans); where names the source. */
static int put(struct hp_recorded *r, int k, const char *value, size_t vlen, const char *where,
               struct hp_err *err)
{
	char v[32];
	size_t i, slot;

	if (vlen == 1 && (value[0] == 'Y' || value[0] == 'N')) {
		snprintf(v, sizeof(v), "%d", value[0] == 'Y');
	} else {
		if (vlen == 0 || vlen >= sizeof(v))
			return hp_errf(err, "%s: %s: expected a number, got '%.*s'", where,
			               known[k].name, (int)(vlen < 40 ? vlen : 40), value);
		for (i = 0; i < vlen; i++)
			if (value[i] < '0' || value[i] > '9')
				return hp_errf(err, "%s: %s: expected a number, got '%.*s'", where,
				               known[k].name, (int)(vlen < 40 ? vlen : 40), value);
		memcpy(v, value, vlen);
		v[vlen] = '\0';
	}
	for (slot = 0; slot < r->n; slot++)
		if (!strcmp(r->set[slot].name, known[k].name))
			break;
	if (slot == r->n) {
		if (r->n == HP_RECORDED_MAX)
			return hp_errf(err, "%s: too many settings", where);
		r->n++;
	}
	snprintf(r->set[slot].name, sizeof(r->set[slot].name), "%s", known[k].name);
	snprintf(r->set[slot].value, sizeof(r->set[slot].value), "%s", v);
	if (known[k].guest)
		r->guest_haltpoll = 1;
	return 0;
}

static void note_source(struct hp_recorded *r, const char *what)
{
	size_t used = strlen(r->source);

	snprintf(r->source + used, sizeof(r->source) - used, "%s%s", used ? ", " : "", what);
}

/* The parameters of module (known[].module) from the sidecar's module_parameters. */
static int from_module(struct hp_recorded *r, json_t *mods, const char *module, const char *path,
                       struct hp_err *err)
{
	json_t *m = json_object_get(mods, module);
	size_t i;

	if (!json_is_object(m))
		return 0;
	for (i = 0; i < NKNOWN; i++) {
		json_t *v = json_object_get(m, known[i].name);
		char where[4200];

		if (strcmp(known[i].module, module) || !v)
			continue;
		snprintf(where, sizeof(where), "%s: module_parameters.%s", path, module);
		if (!json_is_string(v))
			return hp_errf(err, "%s.%s: expected a string", where, known[i].name);
		if (put(r, (int)i, json_string_value(v), strlen(json_string_value(v)), where, err) <
		    0)
			return -1;
	}
	return 0;
}

/* A sidecar: the guest's haltpoll (if its cpuidle driver was haltpoll), a host's kvm. */
static int from_sidecar(struct hp_recorded *r, const char *path, struct hp_err *err)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je), *mode, *mods, *drv;
	int rc = 0;

	if (!root)
		return hp_errf(err, "%s:%d: not JSON: %s", path, je.line, je.text);
	mode = json_object_get(root, "mode");
	mods = json_object_get(root, "module_parameters");
	if (!json_is_object(root) || !json_object_get(root, "hpsim_record") ||
	    !json_is_string(mode) || !json_is_object(mods)) {
		json_decref(root);
		return hp_errf(err,
		               "%s: not a settings file written by `hpsim record` (expected the "
		               "keys hpsim_record, mode and module_parameters)",
		               path);
	}
	if (!strcmp(json_string_value(mode), "guest")) {
		/* inside the guest its own kvm module says nothing of the host's */
		drv = json_object_get(json_object_get(root, "cpuidle"), "current_driver");
		if (json_is_string(drv) && !strcmp(json_string_value(drv), "haltpoll")) {
			r->guest_haltpoll = 1;
			rc = from_module(r, mods, "haltpoll", path, err);
		}
	} else {
		rc = from_module(r, mods, "kvm", path, err);
	}
	json_decref(root);
	if (rc == 0)
		note_source(r, path);
	return rc;
}

int hp_recorded_add(struct hp_recorded *r, const char *arg, struct hp_err *err)
{
	const char *p = arg;

	if (!strchr(arg, '=')) {
		if (access(arg, R_OK) < 0)
			return hp_errf(err,
			               "--recorded-with: '%s' is neither a readable settings file "
			               "nor NAME=VALUE",
			               arg);
		return from_sidecar(r, arg, err);
	}
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int k;

		eq = memchr(p, '=', len);
		if (!eq)
			return hp_errf(err, "--recorded-with: '%.*s' is not NAME=VALUE", (int)len,
			               p);
		k = find_known(p, (size_t)(eq - p));
		if (k < 0)
			return hp_errf(err,
			               "--recorded-with: unknown parameter '%.*s' (expected one of "
			               "halt_poll_ns, halt_poll_ns_grow, halt_poll_ns_grow_start, "
			               "halt_poll_ns_shrink, guest_halt_poll_*)",
			               (int)(eq - p), p);
		if (put(r, k, eq + 1, len - (size_t)(eq - p) - 1, "--recorded-with", err) < 0)
			return -1;
		p += len + (end ? 1 : 0);
	}
	note_source(r, arg);
	return 0;
}

struct collect {
	const struct hp_episodes *eps;
	uint8_t *slept;
};

static void on_outcome(void *ctx, const struct hp_outcome *o)
{
	struct collect *c = ctx;
	size_t i = (size_t)(o->ep - c->eps->ep);

	if (i < c->eps->n)
		c->slept[i] = o->has[HP_LAYER_HOST] && o->d[HP_LAYER_HOST].waited;
}

int hp_recorded_correct(struct hp_episodes *eps, const struct hp_recorded *r,
                        const struct hp_cost *c, struct hp_recorded_stats *st, struct hp_err *err)
{
	char names[HP_RECORDED_MAX][80];
	struct hp_run_spec spec = {0};
	struct hp_engine_config cfg;
	struct hp_engine_stats est;
	struct collect col = {.eps = eps};
	uint64_t path = c->host_wakeup_ns + c->vm_entry_ns + c->guest_wakeup_ns;
	size_t i;

	memset(st, 0, sizeof(*st));
	if (strncmp(eps->assumption, "guest capture", 13) != 0)
		return hp_errf(err,
		               "--recorded-with applies to guest-only captures; this one's wake "
		               "times are not guest idle exits (%s)",
		               eps->assumption);
	spec.policy[HP_LAYER_HOST] = "kvm";
	spec.policy[HP_LAYER_GUEST] = r->guest_haltpoll ? "haltpoll" : NULL;
	for (i = 0; i < r->n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s.%s",
		         strncmp(r->set[i].name, "guest_", 6) ? "host" : "guest", r->set[i].name);
		spec.params[i].name = names[i];
		spec.params[i].value = r->set[i].value;
	}
	spec.nparams = r->n;
	if (hp_engine_configure(&spec, &cfg, err) < 0)
		return hp_err_prefix(err, "--recorded-with");
	cfg.cost = *c;
	col.slept = calloc(eps->n ? eps->n : 1, 1);
	if (!col.slept)
		return hp_errf(err, "out of memory");
	cfg.on_outcome = on_outcome;
	cfg.ctx = &col;
	if (hp_engine_run(eps, &cfg, &est, err) < 0) {
		free(col.slept);
		return -1;
	}
	if (eps->map) {
		/* the episodes may live in the cache's read-only mapping: correct a copy */
		struct hp_episode *copy = malloc((eps->n ? eps->n : 1) * sizeof(*copy));

		if (!copy) {
			free(col.slept);
			return hp_errf(err, "out of memory");
		}
		memcpy(copy, eps->ep, eps->n * sizeof(*copy));
		eps->ep = copy;
		eps->cap = eps->n;
	}
	st->removed_ns = path;
	for (i = 0; i < eps->n; i++) {
		struct hp_episode *e = &eps->ep[i];

		if (!col.slept[i]) {
			st->polled++;
			continue;
		}
		st->slept++;
		if (e->wake_ns - e->halt_start_ns < path) {
			st->clamped++;
			e->wake_ns = e->halt_start_ns;
		} else {
			e->wake_ns -= path;
		}
	}
	free(col.slept);
	snprintf(eps->assumption, sizeof(eps->assumption),
	         "guest capture, recorded-with: %llu ns host wake path removed from %llu halts "
	         "that slept there, %llu kept as recorded",
	         (unsigned long long)path, (unsigned long long)st->slept,
	         (unsigned long long)st->polled);
	return 0;
}
