#include "cfg/swanctl_conn.h"

#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "cfg/conf_value.h"
#include "cfg/swanctl_ctx.h"
#include "crypto/x509.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

static const struct swanctl_unsupported conn_unsupported[] = {
    {"aggressive", "no"}, {"pull", "yes"},   {"dscp", "000000"},    {"ppk_required", "no"},
    {"mediation", "no"},  {"if_id_in", "0"}, {"if_id_out", "0"},    {"pools", NULL},
    {"vips", NULL},	  {"ppk_id", NULL},  {"mediated_by", NULL}, {"mediation_peer", NULL},
    {NULL, NULL},
};

static const struct swanctl_unsupported child_unsupported[] = {
    {"sha256_96", "no"},	{"ipcomp", "no"},     {"hostaccess", "no"}, {"policies", "yes"},
    {"policies_fwd_out", "no"}, {"inactivity", "0"},  {"priority", "0"},    {"interface", NULL},
    {"mark_in", "0"},		{"mark_in_sa", "no"}, {"mark_out", "0"},    {"set_mark_in", "0"},
    {"set_mark_out", "0"},	{"if_id_in", "0"},    {"if_id_out", "0"},   {"label", NULL},
    {"label_mode", "system"},	{"hw_offload", "no"}, {"copy_df", "yes"},   {"copy_ecn", "yes"},
    {"copy_dscp", "out"},	{NULL, NULL},
};

static const struct swanctl_unsupported auth_unsupported[] = {
    {"eap_id", NULL},	       {"aaa_id", NULL},      {"xauth_id", NULL},
    {"groups", NULL},	       {"cert_policy", NULL}, {"ca_id", NULL},
    {"revocation", "relaxed"}, {"pubkeys", NULL},     {NULL, NULL},
};

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

/* After a list loop that conf_list_next ended with rc: a list that did not read to its end
 * (an empty item, an item longer than len - 1) is reported, so that what comes before the
 * problem never stands for the whole list. */
static void list_end(struct swanctl_ctx *l, const struct conf_node *k, const char *key, int rc,
		     size_t len)
{
	if (rc == ERR_NOSPACE)
		swanctl_bad(l, k, "invalid list in '%s': an item longer than %zu characters", key,
			    len - 1);
	else if (rc < 0)
		swanctl_bad(l, k, "invalid list in '%s': an empty item (a stray comma?)", key);
}

static void load_addrs(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		       struct addr *addrs, size_t *n)
{
	const struct conf_node *k;
	const char *v = swanctl_value(sec, key, &k);
	char item[256];
	int rc;

	*n = 0;
	if (!v)
		return;
	for (const char *cur = v; (rc = conf_list_next(&cur, item, sizeof(item))) > 0;) {
		if (strcmp(item, "%any") == 0 || strcmp(item, "%any4") == 0 ||
		    strcmp(item, "%any6") == 0 || strcmp(item, "0.0.0.0/0") == 0 ||
		    strcmp(item, "::/0") == 0) {
			*n = 0;
			return; /* any address */
		}
		if (*n == CONN_MAX_ADDRS) {
			swanctl_bad(l, k, "'%s' lists more than %d addresses", key, CONN_MAX_ADDRS);
			return;
		}
		if (parse_addr_item(item, &addrs[*n])) {
			swanctl_bad(
			    l, k,
			    "invalid address '%s' in '%s': expected an IP address, a resolvable "
			    "host name or %%any",
			    item, key);
			return;
		}
		(*n)++;
	}
	list_end(l, k, key, rc, sizeof(item));
}

/* ---- proposals and selectors ----------------------------------------------------------- */

static void load_proposals(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
			   enum alg_proto proto, struct alg_proposal *out, size_t *n)
{
	const struct conf_node *k;
	const char *v = swanctl_value(sec, key, &k);
	char err[256];

	if (!v)
		return; /* keep the default conn_new / conn_child_add set */
	if (alg_parse(proto, v, out, ALG_MAX_PROPOSALS, n, err, sizeof(err)))
		swanctl_bad(l, k, "invalid '%s': %s", key, err);
}

static void load_ts(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		    struct ts_list *out)
{
	const struct conf_node *k;
	const char *v = swanctl_value(sec, key, &k);
	char item[256], err[256];
	struct ts_list list = {0};
	int rc;

	if (!v)
		return;
	for (const char *cur = v; (rc = conf_list_next(&cur, item, sizeof(item))) > 0;) {
		struct ts t;
		bool dynamic = false;

		if (list.n == TS_LIST_MAX) {
			swanctl_bad(l, k, "'%s' lists more than %d selectors", key, TS_LIST_MAX);
			return;
		}
		if (ts_parse(item, &t, &dynamic, err, sizeof(err))) {
			swanctl_bad(l, k, "invalid traffic selector '%s' in '%s': %s", item, key,
				    err);
			return;
		}
		if (dynamic)
			t.type = 0; /* conn.h: type 0 is "dynamic" */
		list.ts[list.n++] = t;
	}
	list_end(l, k, key, rc, sizeof(item));
	if (rc == 0)
		*out = list;
}

/* ---- authentication rounds ------------------------------------------------------------- */

static void load_cert_list(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
			   const char *sub, struct x509 **certs, size_t max, size_t *n)
{
	const struct conf_node *k;
	const char *v = swanctl_value(sec, key, &k);
	char item[PATH_MAX];
	int rc;

	if (!v)
		return;
	for (const char *cur = v; (rc = conf_list_next(&cur, item, sizeof(item))) > 0;) {
		if (*n == max) {
			swanctl_bad(l, k, "'%s' lists more than %zu certificates", key, max);
			return;
		}
		if (swanctl_load_cert_file(l, k, sub, item, &certs[*n]) == 0)
			(*n)++;
	}
	list_end(l, k, key, rc, sizeof(item));
}

static const char *const auth_keys[] = {"round", "auth", "id", "certs", "cacerts", NULL};

static void load_auth(struct swanctl_ctx *l, const struct conf_node *sec, bool local,
		      struct conn_auth *a)
{
	const struct conf_node *k;
	const char *v;
	char err[256];

	swanctl_check_names(l, sec, auth_keys, auth_unsupported, NULL);
	swanctl_check_unsupported(l, sec, auth_unsupported);
	if (local && conf_child(sec, "cacerts", CONF_KEY))
		swanctl_bad(l, conf_child(sec, "cacerts", CONF_KEY),
			    "'cacerts' belongs in a remote section, not in '%s'", sec->name);

	v = swanctl_value(sec, "auth", &k);
	if (!v || strcmp(v, "pubkey") == 0 || strncmp(v, "pubkey-", 7) == 0 ||
	    strncmp(v, "rsa", 3) == 0 || strncmp(v, "ecdsa", 5) == 0 ||
	    strncmp(v, "ed25519", 7) == 0 || strncmp(v, "ed448", 5) == 0) {
		a->method = CONN_AUTH_PUBKEY;
	} else if (strcmp(v, "psk") == 0) {
		a->method = CONN_AUTH_PSK;
	} else if (strncmp(v, "eap", 3) == 0 || strncmp(v, "xauth", 5) == 0) {
		swanctl_bad(l, k, "auth = %s: EAP and XAuth are not supported by Rampart yet", v);
	} else {
		swanctl_bad(l, k,
			    "invalid auth '%s': expected psk, pubkey, rsa, ecdsa, ed25519 or ed448",
			    v);
	}

	v = swanctl_value(sec, "id", &k);
	if (v && conn_id_parse(v, &a->id, err, sizeof(err)))
		swanctl_bad(l, k, "invalid id '%s': %s", v, err);

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
static void load_rounds(struct swanctl_ctx *l, const struct conf_node *conn_sec, const char *prefix,
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
			swanctl_bad(l, s, "more than %d %s authentication rounds", CONN_MAX_ROUNDS,
				    prefix);
			break;
		}
		order[count] = 0;
		swanctl_get_u64(l, s, "round", 0, 1000, &order[count]);
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

static const struct swanctl_choice mode_choices[] = {
    {"tunnel", CONN_MODE_TUNNEL}, {"transport", CONN_MODE_TRANSPORT}, {NULL, 0}};
static const struct swanctl_choice start_choices[] = {
    {"none", CONN_ACTION_NONE},
    {"trap", CONN_ACTION_TRAP},
    {"start", CONN_ACTION_START},
    {"trap|start", CONN_ACTION_TRAP | CONN_ACTION_START},
    {"start|trap", CONN_ACTION_TRAP | CONN_ACTION_START},
    {NULL, 0}};
static const struct swanctl_choice dpd_choices[] = {{"clear", CONN_ACTION_NONE},
						    {"none", CONN_ACTION_NONE},
						    {"trap", CONN_ACTION_TRAP},
						    {"restart", CONN_ACTION_START},
						    {NULL, 0}};
static const struct swanctl_choice close_choices[] = {{"none", CONN_ACTION_NONE},
						      {"trap", CONN_ACTION_TRAP},
						      {"start", CONN_ACTION_START},
						      {NULL, 0}};

/* One limit value: a time (s/m/h/d), a byte count (k/m/g) or a plain count. */
static int get_limit(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		     const char *what, uint64_t def, uint64_t *out)
{
	uint32_t t;

	if (strcmp(what, "time") == 0) {
		if (swanctl_get_time(l, sec, key, def, &t))
			return ERR_INVAL;
		*out = t;
		return 0;
	}
	if (strcmp(what, "bytes") == 0)
		return swanctl_get_bytes(l, sec, key, def, out);
	return swanctl_get_u64(l, sec, key, def, UINT64_MAX, out);
}

/* Rekey/life/rand triple with strongSwan's derived defaults: life = 110 % of rekey (at most
 * the largest value the limit holds: 32 bits for times), rand = life - rekey. */
static void load_limits(struct swanctl_ctx *l, const struct conf_node *sec, const char *what,
			uint64_t rekey_def, uint64_t *rekey, uint64_t *life, uint64_t *rand)
{
	const uint64_t max = strcmp(what, "time") == 0 ? UINT32_MAX : UINT64_MAX;
	char kr[32], kl[32], kx[32];
	uint64_t r = 0, f = 0, x = 0;

	snprintf(kr, sizeof(kr), "rekey_%s", what);
	snprintf(kl, sizeof(kl), "life_%s", what);
	snprintf(kx, sizeof(kx), "rand_%s", what);
	get_limit(l, sec, kr, what, rekey_def, &r);
	get_limit(l, sec, kl, what, r > max - r / 10 ? max : r + r / 10, &f);
	get_limit(l, sec, kx, what, f > r ? f - r : 0, &x);
	if (r && f && f < r)
		swanctl_bad(l, conf_child(sec, kl, CONF_KEY) ? conf_child(sec, kl, CONF_KEY) : sec,
			    "%s (%llu) is smaller than %s (%llu)", kl, (unsigned long long)f, kr,
			    (unsigned long long)r);
	*rekey = r;
	*life = f;
	*rand = x;
}

static void load_child(struct swanctl_ctx *l, struct conn *c, const struct conf_node *sec)
{
	struct conn_child *ch = NULL;
	uint64_t r, f, x, v;
	int choice;

	swanctl_check_names(l, sec, child_keys, child_unsupported, NULL);
	swanctl_check_unsupported(l, sec, child_unsupported);
	if (conn_child_add(c, sec->name, &ch)) {
		swanctl_bad(l, sec, "too many children in connection '%s' (at most %d)", c->name,
			    CONN_MAX_CHILDREN);
		return;
	}
	load_proposals(l, sec, "esp_proposals", ALG_PROTO_ESP, ch->esp, &ch->nesp);
	if (swanctl_value(sec, "ah_proposals", NULL)) {
		load_proposals(l, sec, "ah_proposals", ALG_PROTO_AH, ch->ah, &ch->nah);
		if (!swanctl_value(sec, "esp_proposals", NULL))
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

	if (swanctl_get_choice(l, sec, "mode", mode_choices, CONN_MODE_TUNNEL, &choice) == 0)
		ch->mode = (enum conn_mode)choice;
	const struct conf_node *mk;
	const char *mode = swanctl_value(sec, "mode", &mk);
	if (mode &&
	    (strcmp(mode, "beet") == 0 || strcmp(mode, "pass") == 0 || strcmp(mode, "drop") == 0))
		swanctl_bad(l, mk, "mode = %s is not supported by Rampart (tunnel or transport)",
			    mode);
	if (swanctl_get_choice(l, sec, "start_action", start_choices, CONN_ACTION_NONE, &choice) ==
	    0)
		ch->start_action = (enum conn_action)choice;
	if (swanctl_get_choice(l, sec, "dpd_action", dpd_choices, CONN_ACTION_NONE, &choice) == 0)
		ch->dpd_action = (enum conn_action)choice;
	if (swanctl_get_choice(l, sec, "close_action", close_choices, CONN_ACTION_NONE, &choice) ==
	    0)
		ch->close_action = (enum conn_action)choice;
	if (swanctl_get_u64(l, sec, "replay_window", 32, 1u << 20, &v) == 0)
		ch->replay_window = (uint32_t)v;
	if (swanctl_get_u64(l, sec, "reqid", 0, UINT32_MAX, &v) == 0)
		ch->reqid = (uint32_t)v;
	/* updown: a command line for /bin/sh, as strongSwan runs it */
	const struct conf_node *uk;
	const char *updown = swanctl_value(sec, "updown", &uk);
	if (updown && strlen(updown) >= sizeof(ch->updown))
		swanctl_bad(l, uk, "updown command longer than %zu characters",
			    sizeof(ch->updown) - 1);
	else if (updown)
		snprintf(ch->updown, sizeof(ch->updown), "%s", updown);
	/* tfc_padding = 0 | mtu | bytes (RFC 4303 §2.7) */
	const char *tfc = swanctl_value(sec, "tfc_padding", NULL);
	if (tfc && strcmp(tfc, "mtu") == 0)
		ch->tfc_padding = CONN_TFC_MTU;
	else if (swanctl_get_u64(l, sec, "tfc_padding", 0, 65535, &v) == 0)
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

static const struct swanctl_choice frag_choices[] = {{"yes", CONN_FRAG_YES},
						     {"no", CONN_FRAG_NO},
						     {"accept", CONN_FRAG_ACCEPT},
						     {"force", CONN_FRAG_FORCE},
						     {NULL, 0}};
static const struct swanctl_choice unique_choices[] = {{"no", CONN_UNIQUE_NO},
						       {"never", CONN_UNIQUE_NEVER},
						       {"replace", CONN_UNIQUE_REPLACE},
						       {"keep", CONN_UNIQUE_KEEP},
						       {NULL, 0}};
static const struct swanctl_choice childless_choices[] = {{"allow", CONN_CHILDLESS_ALLOW},
							  {"force", CONN_CHILDLESS_FORCE},
							  {"never", CONN_CHILDLESS_NEVER},
							  {NULL, 0}};
static const struct swanctl_choice send_cert_choices[] = {{"ifasked", CONN_SEND_CERT_IFASKED},
							  {"always", CONN_SEND_CERT_ALWAYS},
							  {"never", CONN_SEND_CERT_NEVER},
							  {NULL, 0}};

/* Section names of a connection: local*, remote*, children (checked by hand: prefixes). */
static void check_conn_sections(struct swanctl_ctx *l, const struct conf_node *sec)
{
	static const char *const known[] = {"local", "remote", "children", NULL};

	for (const struct conf_node *s = conf_first_section(sec); s; s = conf_next_section(s)) {
		if (strcmp(s->name, "children") == 0 || strcmp(s->name, "local") == 0 ||
		    strcmp(s->name, "remote") == 0 || strncmp(s->name, "local-", 6) == 0 ||
		    strncmp(s->name, "remote-", 7) == 0)
			continue;
		const char *hint = conf_suggest(s->name, known);
		if (hint)
			swanctl_bad(l, s,
				    "unknown section '%s' in connection '%s', did you mean '%s'?",
				    s->name, sec->name, hint);
		else
			swanctl_bad(
			    l, s,
			    "unknown section '%s' in connection '%s' (expected local, remote or "
			    "children)",
			    s->name, sec->name);
	}
}

void swanctl_load_conn(struct swanctl_ctx *l, const struct conf_node *sec)
{
	struct conn *c;
	const struct conf_node *children;
	uint64_t v;
	uint32_t t;
	int choice;
	bool b;

	if (l->cfg->nconns == SWANCTL_MAX_CONNS) {
		swanctl_bad(l, sec, "more than %d connections", SWANCTL_MAX_CONNS);
		return;
	}
	c = conn_new(sec->name);
	if (!c) {
		swanctl_bad(l, sec, "out of memory");
		return;
	}
	l->cfg->conns[l->cfg->nconns++] = c;
	if (strlen(sec->name) >= CONN_NAME_MAX)
		swanctl_bad(l, sec, "connection name '%s' is longer than %d characters", sec->name,
			    CONN_NAME_MAX - 1);
	swanctl_check_names(l, sec, conn_keys, conn_unsupported, NULL);
	swanctl_check_unsupported(l, sec, conn_unsupported);
	check_conn_sections(l, sec);

	if (swanctl_get_u64(l, sec, "version", 0, 2, &v) == 0)
		c->version = (enum conn_version)v;
	if (c->version == CONN_VERSION_1)
		swanctl_bad(l, conf_child(sec, "version", CONF_KEY),
			    "version = 1 (IKEv1) is not supported by Rampart yet");
	load_addrs(l, sec, "local_addrs", c->local_addrs, &c->nlocal_addrs);
	load_addrs(l, sec, "remote_addrs", c->remote_addrs, &c->nremote_addrs);
	if (swanctl_get_u64(l, sec, "local_port", 500, 65535, &v) == 0)
		c->local_port = (uint16_t)v;
	if (swanctl_get_u64(l, sec, "remote_port", 500, 65535, &v) == 0)
		c->remote_port = (uint16_t)v;
	load_proposals(l, sec, "proposals", ALG_PROTO_IKE, c->proposals, &c->nproposals);
	if (swanctl_get_time(l, sec, "dpd_delay", 0, &t) == 0)
		c->dpd_delay = t;
	if (swanctl_get_time(l, sec, "dpd_timeout", 0, &t) == 0)
		c->dpd_timeout = t;
	if (swanctl_get_time(l, sec, "reauth_time", 0, &t) == 0)
		c->reauth_time = t;
	/* strongSwan: with a reauth_time, rekey_time defaults to 0 (set both for both) */
	if (swanctl_get_time(l, sec, "rekey_time", c->reauth_time ? 0 : 14400, &t) == 0)
		c->rekey_time = t;
	uint32_t larger = c->rekey_time > c->reauth_time ? c->rekey_time : c->reauth_time;
	if (swanctl_get_time(l, sec, "over_time", larger / 10, &t) == 0)
		c->over_time = t;
	if (swanctl_get_time(l, sec, "rand_time", c->over_time, &t) == 0)
		c->rand_time = t;
	if (swanctl_get_bool(l, sec, "encap", false, &b) == 0)
		c->encap = b;
	if (swanctl_get_bool(l, sec, "mobike", true, &b) == 0)
		c->mobike = b;
	if (swanctl_get_choice(l, sec, "fragmentation", frag_choices, CONN_FRAG_YES, &choice) == 0)
		c->fragmentation = (enum conn_frag)choice;
	if (swanctl_get_choice(l, sec, "unique", unique_choices, CONN_UNIQUE_NO, &choice) == 0)
		c->unique = (enum conn_unique)choice;
	if (swanctl_get_choice(l, sec, "send_cert", send_cert_choices, CONN_SEND_CERT_IFASKED,
			       &choice) == 0)
		c->send_cert = (enum conn_send_cert)choice;
	if (swanctl_get_bool(l, sec, "send_certreq", true, &b) == 0)
		c->send_certreq = b;
	if (swanctl_get_u64(l, sec, "keyingtries", 1, UINT32_MAX, &v) == 0)
		c->keyingtries = (uint32_t)v;
	if (swanctl_get_choice(l, sec, "childless", childless_choices, CONN_CHILDLESS_ALLOW,
			       &choice) == 0)
		c->childless = (enum conn_childless)choice;

	load_rounds(l, sec, "local", true, c->local_auth, &c->nlocal_auth);
	load_rounds(l, sec, "remote", false, c->remote_auth, &c->nremote_auth);

	children = conf_child(sec, "children", CONF_SECTION);
	if (children) {
		if (conf_first_key(children))
			swanctl_bad(l, conf_first_key(children),
				    "'%s' in 'children' must be a section ('name { ... }')",
				    conf_first_key(children)->name);
		for (const struct conf_node *s = conf_first_section(children); s;
		     s = conf_next_section(s))
			load_child(l, c, s);
	}
}
