/*
 * The INFO part of a `trace-cmd report` event line, read into fields by the
 * kernel's field names, whichever way it was printed: raw `-R` fields and most
 * kernel formats are `key=value` pairs (a value runs to the next ` key=`, so
 * comm values keep their spaces); the plugin formats of kvm_vcpu_wakeup,
 * kvm_exit, kvm_entry, sched_switch, sched_wakeup and the kvmppc_vcore
 * events are taken apart by the functions below.
 */
#include <stdio.h>

#include "text_parse.h"

static void add_str(struct tctx *c, const char *name, size_t nlen, const char *v, size_t vlen)
{
	if (c->n == TEXT_MAX_FIELDS)
		return;
	c->f[c->n++] = (struct tfield){.name = name, .nlen = nlen, .val = v, .vlen = vlen};
}

static void add_num(struct tctx *c, const char *name, uint64_t v)
{
	if (c->n == TEXT_MAX_FIELDS)
		return;
	c->f[c->n++] = (struct tfield){.name = name, .nlen = strlen(name), .isnum = true, .num = v};
}

/* Does " ident=" or " ==> " start at s[i]? (the end of a key=value value) */
static bool value_ends(const char *s, size_t len, size_t i)
{
	size_t j = i + 1;

	if (s[i] != ' ')
		return false;
	if (starts(s + i, len - i, " ==> "))
		return true;
	while (j < len && is_ident(s[j]))
		j++;
	return j > i + 1 && j < len && s[j] == '=';
}

/* key=value pairs; a value runs to the next " key=" (comm values hold spaces). */
static void parse_kv(struct tctx *c, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t k = i, v;

		while (i < len && is_ident(s[i]))
			i++;
		if (i == k || i >= len || s[i] != '=') {
			/* not a key: skip the word ("==>", "Enter", ...) */
			while (i < len && s[i] != ' ')
				i++;
			while (i < len && s[i] == ' ')
				i++;
			continue;
		}
		v = ++i;
		while (i < len && !value_ends(s, len, i))
			i++;
		add_str(c, s + k, (v - 1) - k, s + v, i - v);
		while (i < len && s[i] == ' ')
			i++;
	}
}

/* "wait time N ns[, polling valid|invalid][, tgid=T]" (kvm_vcpu_wakeup, vcore_wakeup). */
static bool parse_wakeup(struct tctx *c, const char *s, size_t len)
{
	uint64_t ns;
	size_t i = 10;

	if (!starts(s, len, "wait time ") && !starts(s, len, "poll time "))
		return false;
	add_num(c, "waited", s[0] == 'w');
	if (!parse_dec(s, len, &i, &ns) || !starts(s + i, len - i, " ns"))
		return true; /* "ns" stays absent: a bad record */
	add_num(c, "ns", ns);
	if (find(s + i, len - i, "polling invalid"))
		add_num(c, "valid", 0);
	else if (find(s + i, len - i, "polling valid"))
		add_num(c, "valid", 1);
	return true;
}

/* Plugin sched_switch: "PCOMM:PPID [PRIO] STATE ==> NCOMM:NPID [PRIO]". */
/*
 * "COMM:PID" ending at br (a comm may itself hold ':'): add NAME_comm and
 * NAME_pid (names given whole); false if it does not read.
 */
static bool comm_pid(struct tctx *c, const char *s, const char *br, const char *comm,
                     size_t comm_len, const char *pidname)
{
	const char *colon;
	uint64_t pid;
	size_t i;

	for (colon = br; colon > s && *colon != ':'; colon--)
		;
	i = (size_t)(colon - s) + 1;
	if (*colon != ':' || !parse_dec(s, (size_t)(br - s), &i, &pid) || s + i != br)
		return false;
	add_str(c, comm, comm_len, s, (size_t)(colon - s));
	add_num(c, pidname, pid);
	return true;
}

static bool parse_switch_plugin(struct tctx *c, const char *s, size_t len)
{
	const char *arrow = find(s, len, " ==> "), *br;
	size_t llen, i;

	if (!arrow || starts(s, len, "prev_comm="))
		return false;
	llen = (size_t)(arrow - s);
	/* left: last token is the state, then " [PRIO]" */
	i = llen;
	while (i > 0 && s[i - 1] != ' ')
		i--;
	if (i == 0)
		return true;
	add_str(c, "prev_state", 10, s + i, llen - i);
	for (br = NULL; i > 1; i--)
		if (s[i - 1] == '[' && s[i - 2] == ' ') {
			br = s + i - 2;
			break;
		}
	if (!br || !comm_pid(c, s, br, "prev_comm", 9, "prev_pid"))
		return true;
	/* right */
	s = arrow + 5;
	len -= llen + 5;
	br = find(s, len, " [");
	if (!br)
		return true;
	comm_pid(c, s, br, "next_comm", 9, "next_pid");
	return true;
}

/* Plugin sched_wakeup: "COMM:PID [PRIO][ success=N] CPU:NNN". */
static bool parse_wakeup_plugin(struct tctx *c, const char *s, size_t len)
{
	const char *cpu = NULL, *br = NULL;
	uint64_t v;
	size_t i;

	if (starts(s, len, "comm="))
		return false;
	for (i = len; i >= 5; i--)
		if (memcmp(s + i - 5, " CPU:", 5) == 0) {
			cpu = s + i;
			break;
		}
	if (!cpu)
		return true;
	if (value_num(cpu, len - (size_t)(cpu - s), &v))
		add_num(c, "target_cpu", v);
	for (i = (size_t)(cpu - s) - 5; i >= 2; i--)
		if (s[i - 1] == '[' && s[i - 2] == ' ') {
			br = s + i - 2;
			break;
		}
	if (br)
		comm_pid(c, s, br, "comm", 4, "pid");
	return true;
}

/*
 * kvm_exit "[vcpu N ]reason R ..." (x86 plugin and kernel formats) or arm64's
 * "TYPE: HSR_EC: 0xEC (CLASS), PC: 0x..."; kvm_entry "vcpu N...".
 */
static bool parse_vcpu_reason(struct tctx *c, const char *s, size_t len)
{
	const char *ec = c->kind == HP_EV_KVM_EXIT ? find(s, len, " HSR_EC: ") : NULL;
	size_t i = 0;
	uint64_t v;

	if (ec) {
		const char *e;

		ec += 9;
		for (e = ec; e < s + len && *e != ' ' && *e != ',';)
			e++;
		if (value_num(ec, (size_t)(e - ec), &v))
			add_num(c, "esr_ec", v);
		return true;
	}
	if (starts(s, len, "vcpu ")) {
		i = 5;
		if (parse_dec(s, len, &i, &v))
			add_num(c, "vcpu_id", v);
		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
	} else if (c->kind == HP_EV_KVM_EXIT && !starts(s, len, "reason ")) {
		return false;
	} else if (c->kind == HP_EV_KVM_ENTRY) {
		return false;
	}
	if (c->kind == HP_EV_KVM_EXIT && starts(s + i, len - i, "reason ")) {
		size_t r = i + 7, e = r;

		while (e < len && s[e] != ' ')
			e++;
		add_str(c, "reason", 6, s + r, e - r);
	}
	return true;
}

static void parse_info(struct tctx *c)
{
	const char *s = c->info;
	size_t len = c->len;
	bool done = false;

	c->parsed = true;
	switch (c->kind) {
	case HP_EV_VCPU_WAKEUP:
		done = parse_wakeup(c, s, len);
		break;
	case HP_EV_VCORE_WAKEUP:
		done = parse_wakeup(c, s, len);
		if (done)
			parse_kv(c, s, len); /* tgid= */
		break;
	case HP_EV_VCORE_BLOCKED:
		if (starts(s, len, "Enter ") || starts(s, len, "Exit ")) {
			add_num(c, "where", s[1] == 'x');
			parse_kv(c, s, len);
			done = true;
		}
		break;
	case HP_EV_KVM_EXIT:
	case HP_EV_KVM_ENTRY:
		done = parse_vcpu_reason(c, s, len);
		break;
	case HP_EV_SCHED_SWITCH:
		done = parse_switch_plugin(c, s, len);
		break;
	case HP_EV_SCHED_WAKEUP:
		done = parse_wakeup_plugin(c, s, len);
		break;
	default:
		break;
	}
	if (!done)
		parse_kv(c, s, len);
}

static const struct tfield *lookup(struct tctx *c, const char *name)
{
	size_t nl = strlen(name);
	int i;

	if (!c->parsed)
		parse_info(c);
	for (i = 0; i < c->n; i++)
		if (c->f[i].nlen == nl && memcmp(c->f[i].name, name, nl) == 0)
			return &c->f[i];
	return NULL;
}

static int missed(struct tctx *c, const char *name, const struct tfield *f, bool want_num)
{
	if (c->nmiss < TEXT_MAX_MISSES)
		c->miss[c->nmiss++] = (struct tmiss){.name = name, .f = f, .want_num = want_num};
	return -1;
}

int hp_text_num(void *p, const char *name, uint64_t *out)
{
	struct tctx *c = p;
	const struct tfield *f = lookup(c, name);

	if (!f)
		return missed(c, name, NULL, true);
	if (f->isnum) {
		*out = f->num;
		return 0;
	}
	return value_num(f->val, f->vlen, out) ? 0 : missed(c, name, f, true);
}

int hp_text_str(void *p, const char *name, const char **s, size_t *len)
{
	struct tctx *c = p;
	const struct tfield *f = lookup(c, name);

	if (!f || f->isnum)
		return missed(c, name, f, false);
	*s = f->val;
	*len = f->vlen;
	return 0;
}

static int hex_digit(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* libtraceevent's hex bitmask, 32-bit groups of 8 digits, most significant first. */
static bool hex_groups(const char *v, size_t n)
{
	size_t i;

	if (n < 8 || (n + 1) % 9 != 0)
		return false;
	for (i = 0; i < n; i++)
		if ((i % 9 == 8) ? v[i] != ',' : hex_digit(v[i]) < 0)
			return false;
	return true;
}

static void set_bit(uint64_t *bits, size_t nwords, uint64_t cpu)
{
	if (cpu / 64 < nwords)
		bits[cpu / 64] |= 1ULL << (cpu % 64);
}

int hp_text_mask(void *p, const char *name, uint64_t *bits, size_t nwords)
{
	struct tctx *c = p;
	const struct tfield *f = lookup(c, name);
	const char *v;
	size_t n, i = 0, bit = 0;
	uint64_t a, b;

	if (!f)
		return missed(c, name, f, false);
	v = f->val;
	n = f->vlen;
	memset(bits, 0, nwords * sizeof(*bits));
	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		v += 2;
		n -= 2;
	} else if (!hex_groups(v, n)) {
		/* the kernel's list form: 0-3,8 */
		while (i < n) {
			if (!parse_dec(v, n, &i, &a))
				return missed(c, name, f, false);
			b = a;
			if (i < n && v[i] == '-') {
				i++;
				if (!parse_dec(v, n, &i, &b) || b < a)
					return missed(c, name, f, false);
			}
			for (; a <= b && a < nwords * 64; a++)
				set_bit(bits, nwords, a);
			if (i < n && v[i] != ',')
				return missed(c, name, f, false);
			i++;
		}
		return 0;
	}
	for (i = n; i-- > 0;) {
		int d;

		if (v[i] == ',')
			continue;
		d = hex_digit(v[i]);
		if (d < 0)
			return missed(c, name, f, false);
		for (a = 0; a < 4; a++, bit++)
			if (d >> a & 1)
				set_bit(bits, nwords, bit);
	}
	return 0;
}

void hp_text_misses(const struct tctx *c, char *buf, size_t len)
{
	size_t used = 0;
	int i, n;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < c->nmiss && used < len; i++) {
		const struct tmiss *m = &c->miss[i];
		const char *sep = i ? "; " : "";

		if (!m->f)
			n = snprintf(buf + used, len - used, "%sno field '%s'", sep, m->name);
		else if (m->want_num)
			n = snprintf(buf + used, len - used,
			             "%sfield '%s' is '%.*s', expected a decimal or 0x hex number",
			             sep, m->name, (int)(m->f->vlen < 40 ? m->f->vlen : 40),
			             m->f->val);
		else
			n = snprintf(buf + used, len - used,
			             "%sfield '%s' is a number, expected text", sep, m->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (!c->nmiss)
		snprintf(buf, len, "a field's value is out of range");
}

void hp_text_fields_init(struct tctx *c, const char *info, size_t len, enum hp_ev_kind kind)
{
	c->info = info;
	c->len = len;
	c->kind = kind;
	c->parsed = false;
	c->n = 0;
	c->nmiss = 0;
}
