#include "cfg/swanctl.h"

#include <dirent.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cfg/conf_value.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

#define MSG_LEN 768

/* Load state: where files resolve and where errors go. */
struct load {
	const char *dir;
	swanctl_report_fn report;
	void *ctx;
	unsigned errors;
	struct swanctl_config *cfg;
};

__attribute__((format(printf, 3, 4))) static void bad(struct load *l, const struct conf_node *n,
						      const char *fmt, ...)
{
	char msg[MSG_LEN], full[MSG_LEN + 300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n && n->file)
		snprintf(full, sizeof(full), "%s:%u: %s", n->file, n->line, msg);
	else
		snprintf(full, sizeof(full), "%s", msg);
	l->errors++;
	if (l->report)
		l->report(l->ctx, full);
}

static void report_name(void *ctx, const struct conf_node *node, const char *msg)
{
	struct load *l = ctx;
	(void)node;
	l->errors++;
	if (l->report)
		l->report(l->ctx, msg);
}

/* Report a message that already carries FILE:LINE (from the conf_value getters). */
static void bad_msg(struct load *l, const char *msg)
{
	l->errors++;
	if (l->report)
		l->report(l->ctx, msg);
}

/* strongSwan options Rampart does not implement, with the value that means "off": a file that
 * sets them to that value means what it says; any other value is an error. */
struct unsupported {
	const char *key;
	const char *off;
};

static const struct unsupported conn_unsupported[] = {
    {"aggressive", "no"}, {"pull", "yes"},   {"dscp", "000000"},    {"ppk_required", "no"},
    {"mediation", "no"},  {"if_id_in", "0"}, {"if_id_out", "0"},    {"pools", NULL},
    {"vips", NULL},	  {"ppk_id", NULL},  {"mediated_by", NULL}, {"mediation_peer", NULL},
    {NULL, NULL},
};

static const struct unsupported child_unsupported[] = {
    {"sha256_96", "no"},	{"ipcomp", "no"},     {"hostaccess", "no"}, {"policies", "yes"},
    {"policies_fwd_out", "no"}, {"inactivity", "0"},  {"priority", "0"},    {"interface", NULL},
    {"mark_in", "0"},		{"mark_in_sa", "no"}, {"mark_out", "0"},    {"set_mark_in", "0"},
    {"set_mark_out", "0"},	{"if_id_in", "0"},    {"if_id_out", "0"},   {"label", NULL},
    {"label_mode", "system"},	{"hw_offload", "no"}, {"copy_df", "yes"},   {"copy_ecn", "yes"},
    {"copy_dscp", "out"},	{NULL, NULL},
};

static const struct unsupported auth_unsupported[] = {
    {"eap_id", NULL},	       {"aaa_id", NULL},      {"xauth_id", NULL},
    {"groups", NULL},	       {"cert_policy", NULL}, {"ca_id", NULL},
    {"revocation", "relaxed"}, {"pubkeys", NULL},     {NULL, NULL},
};

static void check_unsupported(struct load *l, const struct conf_node *sec,
			      const struct unsupported *u)
{
	for (; u->key; u++) {
		const struct conf_node *k = conf_child(sec, u->key, CONF_KEY);
		if (!k || !k->value || !*k->value)
			continue;
		if (u->off && strcasecmp(k->value, u->off) == 0)
			continue;
		bad(l, k, "'%s = %s' is a strongSwan option Rampart does not support%s%s%s", u->key,
		    k->value, u->off ? " (only '" : "", u->off ? u->off : "", u->off ? "')" : "");
	}
}

/* Names valid at a level = supported keys + the unsupported ones (checked separately). */
static void check_names(struct load *l, const struct conf_node *sec, const char *const *keys,
			const struct unsupported *u, const char *const *sections)
{
	const char *names[96];
	size_t n = 0;
	char err[8];

	for (size_t i = 0; keys[i] && n + 1 < sizeof(names) / sizeof(names[0]); i++)
		names[n++] = keys[i];
	for (; u && u->key && n + 1 < sizeof(names) / sizeof(names[0]); u++)
		names[n++] = u->key;
	names[n] = NULL;
	conf_check_names(sec, names, sections, report_name, l, err, sizeof(err));
}

static const char *node_value(const struct conf_node *sec, const char *key,
			      const struct conf_node **node)
{
	const struct conf_node *k = conf_child(sec, key, CONF_KEY);
	if (node)
		*node = k;
	return k && k->value && *k->value ? k->value : NULL;
}

static int get_time(struct load *l, const struct conf_node *sec, const char *key, uint64_t def,
		    uint32_t *out)
{
	char err[MSG_LEN];
	uint64_t v;

	if (conf_get_time(sec, key, def, &v, err, sizeof(err))) {
		bad_msg(l, err);
		return ERR_INVAL;
	}
	if (v > UINT32_MAX) {
		bad(l, conf_child(sec, key, CONF_KEY), "'%s' is too large", key);
		return ERR_INVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

static int get_u64(struct load *l, const struct conf_node *sec, const char *key, uint64_t def,
		   uint64_t max, uint64_t *out)
{
	char err[MSG_LEN];

	if (conf_get_u64(sec, key, def, 0, max, out, err, sizeof(err))) {
		bad_msg(l, err);
		return ERR_INVAL;
	}
	return 0;
}

static int get_bytes(struct load *l, const struct conf_node *sec, const char *key, uint64_t def,
		     uint64_t *out)
{
	char err[MSG_LEN];

	if (conf_get_bytes(sec, key, def, out, err, sizeof(err))) {
		bad_msg(l, err);
		return ERR_INVAL;
	}
	return 0;
}

static int get_bool(struct load *l, const struct conf_node *sec, const char *key, bool def,
		    bool *out)
{
	char err[MSG_LEN];

	if (conf_get_bool(sec, key, def, out, err, sizeof(err))) {
		bad_msg(l, err);
		return ERR_INVAL;
	}
	return 0;
}

/* A keyword value from a table; 0 or ERR_INVAL after reporting the choices. */
struct choice {
	const char *name;
	int value;
};

static int get_choice(struct load *l, const struct conf_node *sec, const char *key,
		      const struct choice *choices, int def, int *out)
{
	const struct conf_node *k;
	const char *v = node_value(sec, key, &k);
	char list[256] = "";

	if (!v) {
		*out = def;
		return 0;
	}
	for (const struct choice *c = choices; c->name; c++) {
		if (strcmp(v, c->name) == 0) {
			*out = c->value;
			return 0;
		}
		size_t o = strlen(list);
		snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", c->name);
	}
	bad(l, k, "invalid value '%s' for '%s': expected one of %s", v, key, list);
	return ERR_INVAL;
}

/* path = dir/sub/name unless name is absolute. */
static void resolve(const struct load *l, const char *sub, const char *name, char *out, size_t len)
{
	if (name[0] == '/')
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s/%s/%s", l->dir ? l->dir : ".", sub, name);
}

/* ---- addresses ------------------------------------------------------------------------- */

static int parse_addr_item(const char *item, struct addr *out)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	if (addr_parse(item, out, NULL, 0) == 0)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	if (getaddrinfo(item, NULL, &hints, &res) != 0 || !res)
		return ERR_NOTFOUND;
	rc = addr_from_sockaddr(res->ai_addr, res->ai_addrlen, out, NULL);
	freeaddrinfo(res);
	return rc;
}

static void load_addrs(struct load *l, const struct conf_node *sec, const char *key,
		       struct addr *addrs, size_t *n)
{
	const struct conf_node *k;
	const char *v = node_value(sec, key, &k);
	char item[256];

	*n = 0;
	if (!v)
		return;
	for (const char *cur = v; conf_list_next(&cur, item, sizeof(item)) > 0;) {
		if (strcmp(item, "%any") == 0 || strcmp(item, "%any4") == 0 ||
		    strcmp(item, "%any6") == 0 || strcmp(item, "0.0.0.0/0") == 0 ||
		    strcmp(item, "::/0") == 0) {
			*n = 0;
			return; /* any address */
		}
		if (*n == CONN_MAX_ADDRS) {
			bad(l, k, "'%s' lists more than %d addresses", key, CONN_MAX_ADDRS);
			return;
		}
		if (parse_addr_item(item, &addrs[*n])) {
			bad(l, k,
			    "invalid address '%s' in '%s': expected an IP address, a resolvable "
			    "host name or %%any",
			    item, key);
			return;
		}
		(*n)++;
	}
}

/* ---- proposals and selectors ----------------------------------------------------------- */

static void load_proposals(struct load *l, const struct conf_node *sec, const char *key,
			   enum alg_proto proto, struct alg_proposal *out, size_t *n)
{
	const struct conf_node *k;
	const char *v = node_value(sec, key, &k);
	char err[256];

	if (!v)
		return; /* keep the default conn_new / conn_child_add set */
	if (alg_parse(proto, v, out, ALG_MAX_PROPOSALS, n, err, sizeof(err)))
		bad(l, k, "invalid '%s': %s", key, err);
}

static void load_ts(struct load *l, const struct conf_node *sec, const char *key,
		    struct ts_list *out)
{
	const struct conf_node *k;
	const char *v = node_value(sec, key, &k);
	char item[256], err[256];
	struct ts_list list = {0};

	if (!v)
		return;
	for (const char *cur = v; conf_list_next(&cur, item, sizeof(item)) > 0;) {
		struct ts t;
		bool dynamic = false;

		if (list.n == TS_LIST_MAX) {
			bad(l, k, "'%s' lists more than %d selectors", key, TS_LIST_MAX);
			return;
		}
		if (ts_parse(item, &t, &dynamic, err, sizeof(err))) {
			bad(l, k, "invalid traffic selector '%s' in '%s': %s", item, key, err);
			return;
		}
		if (dynamic)
			t.type = 0; /* conn.h: type 0 is "dynamic" */
		list.ts[list.n++] = t;
	}
	*out = list;
}

/* ---- authentication rounds ------------------------------------------------------------- */

static int load_cert_file(struct load *l, const struct conf_node *k, const char *sub,
			  const char *name, struct x509 **out)
{
	char path[PATH_MAX];

	resolve(l, sub, name, path, sizeof(path));
	if (x509_load_file(path, out)) {
		bad(l, k,
		    "cannot load certificate '%s' (%s): not a readable PEM or DER certificate",
		    name, path);
		return ERR_INVAL;
	}
	return 0;
}

static void load_cert_list(struct load *l, const struct conf_node *sec, const char *key,
			   const char *sub, struct x509 **certs, size_t max, size_t *n)
{
	const struct conf_node *k;
	const char *v = node_value(sec, key, &k);
	char item[PATH_MAX];

	if (!v)
		return;
	for (const char *cur = v; conf_list_next(&cur, item, sizeof(item)) > 0;) {
		if (*n == max) {
			bad(l, k, "'%s' lists more than %zu certificates", key, max);
			return;
		}
		if (load_cert_file(l, k, sub, item, &certs[*n]) == 0)
			(*n)++;
	}
}

static const char *const auth_keys[] = {"round", "auth", "id", "certs", "cacerts", NULL};

static void load_auth(struct load *l, const struct conf_node *sec, bool local, struct conn_auth *a)
{
	const struct conf_node *k;
	const char *v;
	char err[256];

	check_names(l, sec, auth_keys, auth_unsupported, NULL);
	check_unsupported(l, sec, auth_unsupported);
	if (local && conf_child(sec, "cacerts", CONF_KEY))
		bad(l, conf_child(sec, "cacerts", CONF_KEY),
		    "'cacerts' belongs in a remote section, not in '%s'", sec->name);

	v = node_value(sec, "auth", &k);
	if (!v || strcmp(v, "pubkey") == 0 || strncmp(v, "pubkey-", 7) == 0 ||
	    strncmp(v, "rsa", 3) == 0 || strncmp(v, "ecdsa", 5) == 0 ||
	    strncmp(v, "ed25519", 7) == 0 || strncmp(v, "ed448", 5) == 0) {
		a->method = CONN_AUTH_PUBKEY;
	} else if (strcmp(v, "psk") == 0) {
		a->method = CONN_AUTH_PSK;
	} else if (strncmp(v, "eap", 3) == 0 || strncmp(v, "xauth", 5) == 0) {
		bad(l, k, "auth = %s: EAP and XAuth are not supported by Rampart yet", v);
	} else {
		bad(l, k, "invalid auth '%s': expected psk, pubkey, rsa, ecdsa, ed25519 or ed448",
		    v);
	}

	v = node_value(sec, "id", &k);
	if (v && conn_id_parse(v, &a->id, err, sizeof(err)))
		bad(l, k, "invalid id '%s': %s", v, err);

	load_cert_list(l, sec, "certs", "x509", a->certs, CONN_MAX_CERTS, &a->ncerts);
	if (!local)
		load_cert_list(l, sec, "cacerts", "x509ca", a->cacerts, CONN_MAX_CACERTS,
			       &a->ncacerts);

	/* strongSwan's default local identity with a certificate is its subject DN. */
	if (local && !v && a->ncerts > 0) {
		const uint8_t *der;
		size_t len;

		x509_subject_der(a->certs[0], &der, &len);
		if (len <= sizeof(a->id.data)) {
			a->id.type = IKEV2_ID_DER_ASN1_DN;
			a->id.len = len;
			memcpy(a->id.data, der, len);
		}
	}
}

/* local, local-*, remote, remote-*: rounds ordered by their "round" key, then file order. */
static void load_rounds(struct load *l, const struct conf_node *conn_sec, const char *prefix,
			bool local, struct conn_auth *rounds, size_t *n)
{
	const struct conf_node *secs[CONN_MAX_ROUNDS];
	uint64_t order[CONN_MAX_ROUNDS];
	size_t plen = strlen(prefix), count = 0;

	for (const struct conf_node *s = conf_first_section(conn_sec); s;
	     s = conf_next_section(s)) {
		if (strncmp(s->name, prefix, plen) != 0 ||
		    (s->name[plen] != '\0' && s->name[plen] != '-'))
			continue;
		if (count == CONN_MAX_ROUNDS) {
			bad(l, s, "more than %d %s authentication rounds", CONN_MAX_ROUNDS, prefix);
			break;
		}
		order[count] = 0;
		get_u64(l, s, "round", 0, 1000, &order[count]);
		secs[count++] = s;
	}
	/* stable insertion sort by round */
	for (size_t i = 1; i < count; i++) {
		for (size_t j = i; j > 0 && order[j] < order[j - 1]; j--) {
			uint64_t t = order[j];
			const struct conf_node *ts = secs[j];
			order[j] = order[j - 1];
			secs[j] = secs[j - 1];
			order[j - 1] = t;
			secs[j - 1] = ts;
		}
	}
	if (count == 0)
		return; /* conn_new's default round stays */
	*n = count;
	for (size_t i = 0; i < count; i++)
		load_auth(l, secs[i], local, &rounds[i]);
}

/* ---- children ---------------------------------------------------------------------------- */

static const char *const child_keys[] = {
    "ah_proposals", "esp_proposals", "local_ts",
    "remote_ts",    "rekey_time",    "life_time",
    "rand_time",    "rekey_bytes",   "life_bytes",
    "rand_bytes",   "rekey_packets", "life_packets",
    "rand_packets", "mode",	     "dpd_action",
    "start_action", "close_action",  "replay_window",
    "reqid",	    "updown",	     "tfc_padding",
    NULL,
};

static const struct choice mode_choices[] = {
    {"tunnel", CONN_MODE_TUNNEL}, {"transport", CONN_MODE_TRANSPORT}, {NULL, 0}};
static const struct choice start_choices[] = {{"none", CONN_ACTION_NONE},
					      {"trap", CONN_ACTION_TRAP},
					      {"start", CONN_ACTION_START},
					      {"trap|start", CONN_ACTION_TRAP | CONN_ACTION_START},
					      {"start|trap", CONN_ACTION_TRAP | CONN_ACTION_START},
					      {NULL, 0}};
static const struct choice dpd_choices[] = {{"clear", CONN_ACTION_NONE},
					    {"none", CONN_ACTION_NONE},
					    {"trap", CONN_ACTION_TRAP},
					    {"restart", CONN_ACTION_START},
					    {NULL, 0}};
static const struct choice close_choices[] = {{"none", CONN_ACTION_NONE},
					      {"trap", CONN_ACTION_TRAP},
					      {"start", CONN_ACTION_START},
					      {NULL, 0}};

/* One limit value: a time (s/m/h/d), a byte count (k/m/g) or a plain count. */
static int get_limit(struct load *l, const struct conf_node *sec, const char *key, const char *what,
		     uint64_t def, uint64_t *out)
{
	uint32_t t;

	if (strcmp(what, "time") == 0) {
		if (get_time(l, sec, key, def, &t))
			return ERR_INVAL;
		*out = t;
		return 0;
	}
	if (strcmp(what, "bytes") == 0)
		return get_bytes(l, sec, key, def, out);
	return get_u64(l, sec, key, def, UINT64_MAX, out);
}

/* Rekey/life/rand triple with strongSwan's derived defaults: life = 110 % of rekey,
 * rand = life - rekey. */
static void load_limits(struct load *l, const struct conf_node *sec, const char *what,
			uint64_t rekey_def, uint64_t *rekey, uint64_t *life, uint64_t *rand)
{
	char kr[32], kl[32], kx[32];
	uint64_t r = 0, f = 0, x = 0;

	snprintf(kr, sizeof(kr), "rekey_%s", what);
	snprintf(kl, sizeof(kl), "life_%s", what);
	snprintf(kx, sizeof(kx), "rand_%s", what);
	get_limit(l, sec, kr, what, rekey_def, &r);
	get_limit(l, sec, kl, what, r + r / 10, &f);
	get_limit(l, sec, kx, what, f > r ? f - r : 0, &x);
	if (r && f && f < r)
		bad(l, conf_child(sec, kl, CONF_KEY) ? conf_child(sec, kl, CONF_KEY) : sec,
		    "%s (%llu) is smaller than %s (%llu)", kl, (unsigned long long)f, kr,
		    (unsigned long long)r);
	*rekey = r;
	*life = f;
	*rand = x;
}

static void load_child(struct load *l, struct conn *c, const struct conf_node *sec)
{
	struct conn_child *ch = NULL;
	uint64_t r, f, x, v;
	int choice;

	check_names(l, sec, child_keys, child_unsupported, NULL);
	check_unsupported(l, sec, child_unsupported);
	if (conn_child_add(c, sec->name, &ch)) {
		bad(l, sec, "too many children in connection '%s' (at most %d)", c->name,
		    CONN_MAX_CHILDREN);
		return;
	}
	load_proposals(l, sec, "esp_proposals", ALG_PROTO_ESP, ch->esp, &ch->nesp);
	if (node_value(sec, "ah_proposals", NULL)) {
		load_proposals(l, sec, "ah_proposals", ALG_PROTO_AH, ch->ah, &ch->nah);
		if (!node_value(sec, "esp_proposals", NULL))
			ch->nesp = 0; /* AH only, as strongSwan */
	}
	load_ts(l, sec, "local_ts", &ch->local_ts);
	load_ts(l, sec, "remote_ts", &ch->remote_ts);

	load_limits(l, sec, "time", 3600, &r, &f, &x);
	ch->rekey_time = (uint32_t)r;
	ch->life_time = (uint32_t)f;
	ch->rand_time = (uint32_t)x;
	load_limits(l, sec, "bytes", 0, &ch->rekey_bytes, &ch->life_bytes, &ch->rand_bytes);
	load_limits(l, sec, "packets", 0, &ch->rekey_packets, &ch->life_packets, &ch->rand_packets);

	if (get_choice(l, sec, "mode", mode_choices, CONN_MODE_TUNNEL, &choice) == 0)
		ch->mode = (enum conn_mode)choice;
	const struct conf_node *mk;
	const char *mode = node_value(sec, "mode", &mk);
	if (mode &&
	    (strcmp(mode, "beet") == 0 || strcmp(mode, "pass") == 0 || strcmp(mode, "drop") == 0))
		bad(l, mk, "mode = %s is not supported by Rampart (tunnel or transport)", mode);
	if (get_choice(l, sec, "start_action", start_choices, CONN_ACTION_NONE, &choice) == 0)
		ch->start_action = (enum conn_action)choice;
	if (get_choice(l, sec, "dpd_action", dpd_choices, CONN_ACTION_NONE, &choice) == 0)
		ch->dpd_action = (enum conn_action)choice;
	if (get_choice(l, sec, "close_action", close_choices, CONN_ACTION_NONE, &choice) == 0)
		ch->close_action = (enum conn_action)choice;
	if (get_u64(l, sec, "replay_window", 32, 1u << 20, &v) == 0)
		ch->replay_window = (uint32_t)v;
	if (get_u64(l, sec, "reqid", 0, UINT32_MAX, &v) == 0)
		ch->reqid = (uint32_t)v;
	/* updown: a command line for /bin/sh, as strongSwan runs it */
	const struct conf_node *uk;
	const char *updown = node_value(sec, "updown", &uk);
	if (updown && strlen(updown) >= sizeof(ch->updown))
		bad(l, uk, "updown command longer than %zu characters", sizeof(ch->updown) - 1);
	else if (updown)
		snprintf(ch->updown, sizeof(ch->updown), "%s", updown);
	/* tfc_padding = 0 | mtu | bytes (RFC 4303 §2.7) */
	const char *tfc = node_value(sec, "tfc_padding", NULL);
	if (tfc && strcmp(tfc, "mtu") == 0)
		ch->tfc_padding = CONN_TFC_MTU;
	else if (get_u64(l, sec, "tfc_padding", 0, 65535, &v) == 0)
		ch->tfc_padding = (uint32_t)v;
}

/* ---- connections ------------------------------------------------------------------------- */

static const char *const conn_keys[] = {
    "version",	 "local_addrs", "remote_addrs", "local_port",  "remote_port",
    "proposals", "dpd_delay",	"dpd_timeout",	"rekey_time",  "reauth_time",
    "over_time", "rand_time",	"encap",	"mobike",      "fragmentation",
    "unique",	 "send_cert",	"send_certreq", "keyingtries", "childless",
    NULL,
};

static const struct choice frag_choices[] = {{"yes", CONN_FRAG_YES},
					     {"no", CONN_FRAG_NO},
					     {"accept", CONN_FRAG_ACCEPT},
					     {"force", CONN_FRAG_FORCE},
					     {NULL, 0}};
static const struct choice unique_choices[] = {{"no", CONN_UNIQUE_NO},
					       {"never", CONN_UNIQUE_NEVER},
					       {"replace", CONN_UNIQUE_REPLACE},
					       {"keep", CONN_UNIQUE_KEEP},
					       {NULL, 0}};
static const struct choice childless_choices[] = {{"allow", CONN_CHILDLESS_ALLOW},
						  {"force", CONN_CHILDLESS_FORCE},
						  {"never", CONN_CHILDLESS_NEVER},
						  {NULL, 0}};
static const struct choice send_cert_choices[] = {{"ifasked", CONN_SEND_CERT_IFASKED},
						  {"always", CONN_SEND_CERT_ALWAYS},
						  {"never", CONN_SEND_CERT_NEVER},
						  {NULL, 0}};

/* Section names of a connection: local*, remote*, children (checked by hand: prefixes). */
static void check_conn_sections(struct load *l, const struct conf_node *sec)
{
	static const char *const known[] = {"local", "remote", "children", NULL};

	for (const struct conf_node *s = conf_first_section(sec); s; s = conf_next_section(s)) {
		if (strcmp(s->name, "children") == 0 || strcmp(s->name, "local") == 0 ||
		    strcmp(s->name, "remote") == 0 || strncmp(s->name, "local-", 6) == 0 ||
		    strncmp(s->name, "remote-", 7) == 0)
			continue;
		const char *hint = conf_suggest(s->name, known);
		if (hint)
			bad(l, s, "unknown section '%s' in connection '%s', did you mean '%s'?",
			    s->name, sec->name, hint);
		else
			bad(l, s,
			    "unknown section '%s' in connection '%s' (expected local, remote or "
			    "children)",
			    s->name, sec->name);
	}
}

static void load_conn(struct load *l, const struct conf_node *sec)
{
	struct conn *c;
	const struct conf_node *children;
	uint64_t v;
	uint32_t t;
	int choice;
	bool b;

	if (l->cfg->nconns == SWANCTL_MAX_CONNS) {
		bad(l, sec, "more than %d connections", SWANCTL_MAX_CONNS);
		return;
	}
	c = conn_new(sec->name);
	if (!c) {
		bad(l, sec, "out of memory");
		return;
	}
	l->cfg->conns[l->cfg->nconns++] = c;
	if (strlen(sec->name) >= CONN_NAME_MAX)
		bad(l, sec, "connection name '%s' is longer than %d characters", sec->name,
		    CONN_NAME_MAX - 1);
	check_names(l, sec, conn_keys, conn_unsupported, NULL);
	check_unsupported(l, sec, conn_unsupported);
	check_conn_sections(l, sec);

	if (get_u64(l, sec, "version", 0, 2, &v) == 0)
		c->version = (enum conn_version)v;
	if (c->version == CONN_VERSION_1)
		bad(l, conf_child(sec, "version", CONF_KEY),
		    "version = 1 (IKEv1) is not supported by Rampart yet");
	load_addrs(l, sec, "local_addrs", c->local_addrs, &c->nlocal_addrs);
	load_addrs(l, sec, "remote_addrs", c->remote_addrs, &c->nremote_addrs);
	if (get_u64(l, sec, "local_port", 500, 65535, &v) == 0)
		c->local_port = (uint16_t)v;
	if (get_u64(l, sec, "remote_port", 500, 65535, &v) == 0)
		c->remote_port = (uint16_t)v;
	load_proposals(l, sec, "proposals", ALG_PROTO_IKE, c->proposals, &c->nproposals);
	if (get_time(l, sec, "dpd_delay", 0, &t) == 0)
		c->dpd_delay = t;
	if (get_time(l, sec, "dpd_timeout", 0, &t) == 0)
		c->dpd_timeout = t;
	if (get_time(l, sec, "reauth_time", 0, &t) == 0)
		c->reauth_time = t;
	/* strongSwan: with a reauth_time, rekey_time defaults to 0 (set both for both) */
	if (get_time(l, sec, "rekey_time", c->reauth_time ? 0 : 14400, &t) == 0)
		c->rekey_time = t;
	uint32_t larger = c->rekey_time > c->reauth_time ? c->rekey_time : c->reauth_time;
	if (get_time(l, sec, "over_time", larger / 10, &t) == 0)
		c->over_time = t;
	if (get_time(l, sec, "rand_time", c->over_time, &t) == 0)
		c->rand_time = t;
	if (get_bool(l, sec, "encap", false, &b) == 0)
		c->encap = b;
	if (get_bool(l, sec, "mobike", true, &b) == 0)
		c->mobike = b;
	if (get_choice(l, sec, "fragmentation", frag_choices, CONN_FRAG_YES, &choice) == 0)
		c->fragmentation = (enum conn_frag)choice;
	if (get_choice(l, sec, "unique", unique_choices, CONN_UNIQUE_NO, &choice) == 0)
		c->unique = (enum conn_unique)choice;
	if (get_choice(l, sec, "send_cert", send_cert_choices, CONN_SEND_CERT_IFASKED, &choice) ==
	    0)
		c->send_cert = (enum conn_send_cert)choice;
	if (get_bool(l, sec, "send_certreq", true, &b) == 0)
		c->send_certreq = b;
	if (get_u64(l, sec, "keyingtries", 1, UINT32_MAX, &v) == 0)
		c->keyingtries = (uint32_t)v;
	if (get_choice(l, sec, "childless", childless_choices, CONN_CHILDLESS_ALLOW, &choice) == 0)
		c->childless = (enum conn_childless)choice;

	load_rounds(l, sec, "local", true, c->local_auth, &c->nlocal_auth);
	load_rounds(l, sec, "remote", false, c->remote_auth, &c->nremote_auth);

	children = conf_child(sec, "children", CONF_SECTION);
	if (children) {
		if (conf_first_key(children))
			bad(l, conf_first_key(children),
			    "'%s' in 'children' must be a section ('name { ... }')",
			    conf_first_key(children)->name);
		for (const struct conf_node *s = conf_first_section(children); s;
		     s = conf_next_section(s))
			load_child(l, c, s);
	}
}

/* ---- secrets and authorities ------------------------------------------------------------ */

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int swanctl_secret_value(const char *text, struct secret **out)
{
	size_t len = strlen(text), n = 0;
	struct secret *s = NULL;
	int rc = ERR_INVAL;

	if (len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		const char *h = text + 2;
		size_t hl = len - 2;
		if (hl % 2)
			goto out;
		s = secret_new(NULL, hl / 2);
		if (!s)
			return ERR_NOMEM;
		for (size_t i = 0; i < hl / 2; i++) {
			int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto out;
			s->p[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (len > 2 && text[0] == '0' && text[1] == 's') {
		const char *b = text + 2;
		uint32_t acc = 0;
		int bits = 0;
		size_t bl = len - 2;

		s = secret_new(NULL, bl * 3 / 4 + 1);
		if (!s)
			return ERR_NOMEM;
		for (size_t i = 0; i < bl; i++) {
			if (b[i] == '=') {
				for (size_t j = i; j < bl; j++)
					if (b[j] != '=')
						goto out;
				break;
			}
			int v = b64val(b[i]);
			if (v < 0)
				goto out;
			acc = acc << 6 | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				s->p[n++] = (uint8_t)(acc >> bits);
			}
		}
		s->len = n; /* the tail beyond n was zero-filled and is wiped on free */
		if (n == 0)
			goto out;
	} else {
		s = secret_new(text, len);
		if (!s)
			return ERR_NOMEM;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	secret_free(s);
	return rc;
}

static void load_ike_secret(struct load *l, const struct conf_node *sec)
{
	struct conn_id owners[CONN_MAX_PSK_OWNERS];
	size_t nowners = 0;
	const struct conf_node *k;
	const char *v;
	struct secret *key = NULL;
	char err[256];

	for (const struct conf_node *n = conf_first_key(sec); n; n = conf_next_key(n)) {
		if (strcmp(n->name, "secret") == 0)
			continue;
		if (strcmp(n->name, "id") != 0 && strncmp(n->name, "id-", 3) != 0) {
			static const char *const keys[] = {"id", "secret", NULL};
			const char *hint = conf_suggest(n->name, keys);
			bad(l, n, "unknown key '%s' in secret '%s'%s%s%s", n->name, sec->name,
			    hint ? ", did you mean '" : " (expected id, id-NAME or secret)",
			    hint ? hint : "", hint ? "'?" : "");
			continue;
		}
		if (!n->value || !*n->value)
			continue;
		if (nowners == CONN_MAX_PSK_OWNERS) {
			bad(l, n, "more than %d identities for secret '%s'", CONN_MAX_PSK_OWNERS,
			    sec->name);
			break;
		}
		if (conn_id_parse(n->value, &owners[nowners], err, sizeof(err))) {
			bad(l, n, "invalid id '%s': %s", n->value, err);
			continue;
		}
		nowners++;
	}
	if (conf_first_section(sec))
		bad(l, conf_first_section(sec), "unexpected section '%s' in secret '%s'",
		    conf_first_section(sec)->name, sec->name);
	v = node_value(sec, "secret", &k);
	if (!v) {
		bad(l, sec, "secret '%s' has no 'secret = ...'", sec->name);
		return;
	}
	if (swanctl_secret_value(v, &key)) {
		bad(l, k, "invalid secret in '%s': expected text, 0x<hex> or 0s<base64>",
		    sec->name);
		return;
	}
	if (conn_secrets_add_psk(l->cfg->secrets, key->p, key->len, owners, nowners))
		bad(l, sec, "cannot add secret '%s' (too many secrets or empty key)", sec->name);
	secret_free(key);
}

static void load_private_secret(struct load *l, const struct conf_node *sec, const char *sub)
{
	const struct conf_node *k;
	const char *file = node_value(sec, "file", &k);
	const char *pass = node_value(sec, "secret", NULL);
	char path[PATH_MAX];
	struct pkey *key = NULL;

	for (const struct conf_node *n = conf_first(sec); n; n = conf_next(n)) {
		if (n->kind == CONF_KEY &&
		    (strcmp(n->name, "file") == 0 || strcmp(n->name, "secret") == 0))
			continue;
		bad(l, n, "unknown %s '%s' in secret '%s' (expected file and secret)",
		    n->kind == CONF_KEY ? "key" : "section", n->name, sec->name);
	}
	if (!file) {
		bad(l, sec, "secret '%s' has no 'file = ...'", sec->name);
		return;
	}
	resolve(l, sub, file, path, sizeof(path));
	if (pkey_load_private_file(path, pass, &key)) {
		bad(l, k, "cannot load private key '%s' (%s)%s", file, path,
		    pass ? "" : ": unreadable, not a key, or encrypted without 'secret'");
		return;
	}
	if (conn_secrets_add_key(l->cfg->secrets, key)) {
		bad(l, sec, "cannot add private key '%s'", file);
		pkey_free(key);
	}
}

static void load_secrets(struct load *l, const struct conf_node *sec)
{
	static const struct {
		const char *prefix;
		const char *dir; /* private key directory, NULL: IKE secret */
	} kinds[] = {
	    {"ike", NULL},	{"private", "private"}, {"rsa", "rsa"},
	    {"ecdsa", "ecdsa"}, {"pkcs8", "pkcs8"},	{NULL, NULL},
	};
	static const char *const other[] = {"eap", "xauth", "ntlm", "ppk", "pkcs12", "token", NULL};

	if (conf_first_key(sec))
		bad(l, conf_first_key(sec), "'%s' in 'secrets' must be a section",
		    conf_first_key(sec)->name);
	for (const struct conf_node *s = conf_first_section(sec); s; s = conf_next_section(s)) {
		bool done = false;
		for (size_t i = 0; kinds[i].prefix && !done; i++) {
			size_t pl = strlen(kinds[i].prefix);
			if (strncmp(s->name, kinds[i].prefix, pl) != 0)
				continue;
			done = true;
			if (kinds[i].dir)
				load_private_secret(l, s, kinds[i].dir);
			else
				load_ike_secret(l, s);
		}
		for (size_t i = 0; other[i] && !done; i++) {
			if (strncmp(s->name, other[i], strlen(other[i])) == 0) {
				bad(l, s, "%s secrets are not supported by Rampart yet", other[i]);
				done = true;
			}
		}
		if (!done)
			bad(l, s,
			    "unknown secret type '%s': a secret's name starts with ike, private, "
			    "rsa, ecdsa or pkcs8",
			    s->name);
	}
}

static void add_ca(struct load *l, const struct conf_node *k, struct x509 *ca)
{
	if (conn_secrets_add_ca(l->cfg->secrets, ca))
		bad(l, k, "cannot add CA certificate");
	x509_free(ca);
}

static void load_authorities(struct load *l, const struct conf_node *sec)
{
	static const char *const keys[] = {"cacert",	"file",		 "crl_uris",
					   "ocsp_uris", "cert_uri_base", NULL};

	for (const struct conf_node *s = conf_first_section(sec); s; s = conf_next_section(s)) {
		const struct conf_node *k;
		const char *v;
		struct x509 *ca = NULL;
		char err[8];

		conf_check_names(s, keys, NULL, report_name, l, err, sizeof(err));
		v = node_value(s, "cacert", &k);
		if (!v)
			v = node_value(s, "file", &k);
		if (!v) {
			bad(l, s, "authority '%s' has no 'cacert = ...'", s->name);
			continue;
		}
		if (load_cert_file(l, k, "x509ca", v, &ca) == 0)
			add_ca(l, k, ca);
	}
}

/* As swanctl --load-all: every file in DIR/x509ca is a trust anchor, every file in
 * DIR/{private,rsa,ecdsa,pkcs8} a private key (unencrypted ones; encrypted keys need a
 * private-NAME secret). Unreadable files are reported. */
static void load_dir(struct load *l, const char *sub, bool keys)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", l->dir ? l->dir : ".", sub);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char file[PATH_MAX + 256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		if (keys) {
			struct pkey *k = NULL;
			if (pkey_load_private_file(file, NULL, &k))
				continue; /* encrypted: a private-NAME secret names it */
			if (conn_secrets_find_key(l->cfg->secrets, k) ||
			    conn_secrets_add_key(l->cfg->secrets, k))
				pkey_free(k);
		} else {
			struct x509 *c = NULL;
			if (x509_load_file(file, &c)) {
				bad(l, NULL, "%s: not a readable certificate", file);
				continue;
			}
			add_ca(l, NULL, c);
		}
	}
	closedir(d);
}

/* ---- entry points ------------------------------------------------------------------------ */

void swanctl_config_free(struct swanctl_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nconns; i++)
		conn_free(cfg->conns[i]);
	conn_secrets_free(cfg->secrets);
	free(cfg);
}

int swanctl_load(const struct conf_node *root, const char *dir, swanctl_report_fn report, void *ctx,
		 struct swanctl_config **out)
{
	static const char *const top[] = {"connections", "secrets", "authorities",
					  "rampart",	 "pools",   NULL};
	static const char *const none[] = {NULL};
	struct load l = {.dir = dir, .report = report, .ctx = ctx};
	const struct conf_node *sec;
	char err[8];
	int rc = ERR_NOMEM;

	l.cfg = calloc(1, sizeof(*l.cfg));
	if (!l.cfg)
		goto out;
	l.cfg->secrets = conn_secrets_new();
	if (!l.cfg->secrets)
		goto out;

	conf_check_names(root, none, top, report_name, &l, err, sizeof(err));
	if ((sec = conf_child(root, "pools", CONF_SECTION)))
		bad(&l, sec, "'pools' (virtual IP pools) are not supported by Rampart yet");

	load_dir(&l, "x509ca", false);
	load_dir(&l, "private", true);
	load_dir(&l, "rsa", true);
	load_dir(&l, "ecdsa", true);
	load_dir(&l, "pkcs8", true);

	if ((sec = conf_child(root, "secrets", CONF_SECTION)))
		load_secrets(&l, sec);
	if ((sec = conf_child(root, "authorities", CONF_SECTION)))
		load_authorities(&l, sec);
	if ((sec = conf_child(root, "connections", CONF_SECTION))) {
		if (conf_first_key(sec))
			bad(&l, conf_first_key(sec), "'%s' in 'connections' must be a section",
			    conf_first_key(sec)->name);
		for (const struct conf_node *s = conf_first_section(sec); s;
		     s = conf_next_section(s))
			load_conn(&l, s);
	}
	if (l.errors) {
		rc = ERR_INVAL;
		goto out;
	}
	*out = l.cfg;
	l.cfg = NULL;
	rc = 0;
out:
	swanctl_config_free(l.cfg);
	return rc;
}
