/* The engine's configuration structs: defaults, ownership, identities and secret lookup. */
#include "ike/conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/dn.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, CONN_NAME_MAX, "%s", src ? src : "");
}

struct conn *conn_new(const char *name)
{
	struct conn *c = calloc(1, sizeof(*c));
	size_t n = 0;

	if (!c)
		return NULL;
	c->refs = 1;
	copy_name(c->name, name);
	c->version = CONN_VERSION_ANY;
	c->local_port = 500;
	c->remote_port = 500;
	if (alg_parse(ALG_PROTO_IKE, "default", c->proposals, ALG_MAX_PROPOSALS, &n, NULL, 0) == 0)
		c->nproposals = n;
	c->nlocal_auth = 1;
	c->nremote_auth = 1;
	c->local_auth[0].method = CONN_AUTH_PUBKEY;
	c->remote_auth[0].method = CONN_AUTH_PUBKEY;
	c->rekey_time = 14400;
	c->over_time = 1440;
	c->rand_time = 1440;
	c->mobike = true;
	c->fragmentation = CONN_FRAG_YES;
	c->unique = CONN_UNIQUE_NO;
	c->send_cert = CONN_SEND_CERT_IFASKED;
	c->send_certreq = true;
	c->keyingtries = 1;
	return c;
}

int conn_child_add(struct conn *c, const char *name, struct conn_child **out)
{
	struct conn_child *ch;
	struct ts dyn;
	size_t n = 0;

	if (c->nchildren >= CONN_MAX_CHILDREN)
		return ERR_LIMIT;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return ERR_NOMEM;
	copy_name(ch->name, name);
	/* "dynamic": type 0, any protocol and port (lib/ts.h) */
	memset(&dyn, 0, sizeof(dyn));
	dyn.end_port = 65535;
	ts_list_init(&ch->local_ts);
	ts_list_init(&ch->remote_ts);
	ts_list_add(&ch->local_ts, &dyn);
	ts_list_add(&ch->remote_ts, &dyn);
	ch->mode = CONN_MODE_TUNNEL;
	if (alg_parse(ALG_PROTO_ESP, "default", ch->esp, ALG_MAX_PROPOSALS, &n, NULL, 0) == 0)
		ch->nesp = n;
	ch->rekey_time = 3600;
	ch->life_time = 3960;
	ch->rand_time = 360;
	ch->replay_window = 32;
	c->children[c->nchildren++] = ch;
	*out = ch;
	return 0;
}

struct conn *conn_ref(struct conn *c)
{
	c->refs++;
	return c;
}

static void auth_cleanup(struct conn_auth *a)
{
	for (size_t i = 0; i < a->ncerts; i++)
		x509_free(a->certs[i]);
	for (size_t i = 0; i < a->ncacerts; i++)
		x509_free(a->cacerts[i]);
	a->ncerts = a->ncacerts = 0;
}

void conn_free(struct conn *c)
{
	if (!c)
		return;
	if (--c->refs > 0)
		return;
	for (size_t i = 0; i < CONN_MAX_ROUNDS; i++) {
		auth_cleanup(&c->local_auth[i]);
		auth_cleanup(&c->remote_auth[i]);
	}
	for (size_t i = 0; i < c->nchildren; i++)
		free(c->children[i]);
	free(c);
}

struct conn_child *conn_child_find(const struct conn *c, const char *name)
{
	for (size_t i = 0; i < c->nchildren; i++)
		if (strcmp(c->children[i]->name, name) == 0)
			return c->children[i];
	return NULL;
}

/* ---- identities ------------------------------------------------------------------------- */

static int id_set(struct conn_id *out, uint8_t type, const void *p, size_t len)
{
	if (len > CONN_ID_MAX)
		return ERR_LIMIT;
	memset(out, 0, sizeof(*out));
	out->type = type;
	out->len = len;
	if (len)
		memcpy(out->data, p, len);
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int conn_id_parse(const char *s, struct conn_id *out, char *err, size_t errlen)
{
	struct addr a;
	struct conn_id tmp;
	uint8_t *der = NULL;
	size_t len = 0;
	int rc = ERR_INVAL;

	if (!s || !*s) {
		if (err)
			snprintf(err, errlen, "empty identity");
		goto out;
	}
	if (strcmp(s, "%any") == 0 || strcmp(s, "%any6") == 0) {
		rc = id_set(&tmp, 0, NULL, 0);
	} else if (addr_parse(s, &a, NULL, 0) == 0) {
		rc = conn_id_from_addr(&tmp, &a);
	} else if (strncmp(s, "@#", 2) == 0) {
		const char *h = s + 2;
		size_t hl = strlen(h);
		uint8_t buf[CONN_ID_MAX];

		if (hl % 2 || hl / 2 > sizeof(buf) || hl == 0) {
			if (err)
				snprintf(err, errlen, "'%s': bad KEY_ID hex", s);
			goto out;
		}
		for (size_t i = 0; i < hl / 2; i++) {
			int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				if (err)
					snprintf(err, errlen, "'%s': bad KEY_ID hex", s);
				goto out;
			}
			buf[i] = (uint8_t)(hi << 4 | lo);
		}
		rc = id_set(&tmp, IKEV2_ID_KEY_ID, buf, hl / 2);
	} else if (s[0] == '@') {
		rc = id_set(&tmp, IKEV2_ID_FQDN, s + 1, strlen(s + 1));
	} else if (strchr(s, '=')) {
		rc = dn_from_text(s, &der, &len);
		if (rc == 0)
			rc = id_set(&tmp, IKEV2_ID_DER_ASN1_DN, der, len);
		else if (err)
			snprintf(err, errlen, "'%s': not a distinguished name", s);
	} else if (strchr(s, '@')) {
		rc = id_set(&tmp, IKEV2_ID_RFC822_ADDR, s, strlen(s));
	} else {
		rc = id_set(&tmp, IKEV2_ID_FQDN, s, strlen(s));
	}
	if (rc == ERR_LIMIT && err)
		snprintf(err, errlen, "identity too long");
	if (rc == 0)
		*out = tmp;
out:
	free(der);
	return rc;
}

const char *conn_id_str(const struct conn_id *id, char *buf, size_t len)
{
	struct addr a;

	if (len == 0)
		return buf;
	switch (id->type) {
	case 0:
		snprintf(buf, len, "%%any");
		break;
	case IKEV2_ID_IPV4_ADDR:
	case IKEV2_ID_IPV6_ADDR:
		if (addr_from_bytes(&a, id->type == IKEV2_ID_IPV4_ADDR ? AF_INET : AF_INET6,
				    id->data, id->len) == 0)
			addr_str(&a, buf, len);
		else
			snprintf(buf, len, "(bad address)");
		break;
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR: {
		size_t n = 0;
		for (size_t i = 0; i < id->len && n + 1 < len; i++) {
			uint8_t c = id->data[i];
			buf[n++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
		}
		buf[n] = 0;
		break;
	}
	case IKEV2_ID_DER_ASN1_DN:
		if (dn_to_text(id->data, id->len, buf, len) != 0)
			snprintf(buf, len, "(bad DN)");
		break;
	default: {
		size_t n = (size_t)snprintf(buf, len, "@#");
		for (size_t i = 0; i < id->len && n + 3 <= len; i++)
			n += (size_t)snprintf(buf + n, len - n, "%02x", id->data[i]);
		break;
	}
	}
	return buf;
}

bool conn_id_match(const struct conn_id *pattern, uint8_t type, const uint8_t *data, size_t len)
{
	if (pattern->type == 0)
		return true;
	if (pattern->type != type)
		return false;
	switch (type) {
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
		if (len != pattern->len)
			return false;
		for (size_t i = 0; i < len; i++) {
			uint8_t a = pattern->data[i], b = data[i];
			if (a >= 'A' && a <= 'Z')
				a = (uint8_t)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (uint8_t)(b + 32);
			if (a != b)
				return false;
		}
		return true;
	case IKEV2_ID_DER_ASN1_DN:
		return dn_equal(pattern->data, pattern->len, data, len);
	default:
		return len == pattern->len && (len == 0 || memcmp(pattern->data, data, len) == 0);
	}
}

int conn_id_from_addr(struct conn_id *out, const struct addr *a)
{
	if (a->family == AF_INET)
		return id_set(out, IKEV2_ID_IPV4_ADDR, a->bytes, 4);
	if (a->family == AF_INET6)
		return id_set(out, IKEV2_ID_IPV6_ADDR, a->bytes, 16);
	return ERR_INVAL;
}

/* ---- secrets ---------------------------------------------------------------------------- */

struct conn_secrets *conn_secrets_new(void)
{
	return calloc(1, sizeof(struct conn_secrets));
}

void conn_secrets_free(struct conn_secrets *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->npsk; i++)
		secret_free(s->psk[i].key);
	for (size_t i = 0; i < s->nkeys; i++)
		pkey_free(s->keys[i]);
	for (size_t i = 0; i < s->ncas; i++)
		x509_free(s->cas[i]);
	free(s->psk);
	free(s->keys);
	free(s->cas);
	free(s);
}

/* Grows an array of elem-sized entries to hold one more; 0 or ERR_NOMEM / ERR_LIMIT. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	if (n >= 65536)
		return ERR_LIMIT;
	ncap = *cap ? *cap * 2 : 4;
	p = realloc(*arr, ncap * elem);
	if (!p)
		return ERR_NOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

int conn_secrets_add_psk(struct conn_secrets *s, const void *key, size_t len,
			 const struct conn_id *owners, size_t nowners)
{
	struct conn_psk *p;
	void *arr = s->psk;
	int rc;

	if (len == 0)
		return ERR_INVAL;
	if (nowners > CONN_MAX_PSK_OWNERS)
		return ERR_LIMIT;
	rc = grow(&arr, &s->psk_cap, s->npsk, sizeof(*s->psk));
	s->psk = arr;
	if (rc)
		return rc;
	p = &s->psk[s->npsk];
	memset(p, 0, sizeof(*p));
	p->key = secret_new(key, len);
	if (!p->key)
		return ERR_NOMEM;
	for (size_t i = 0; i < nowners; i++)
		p->owners[i] = owners[i];
	p->nowners = nowners;
	s->npsk++;
	return 0;
}

int conn_secrets_add_key(struct conn_secrets *s, struct pkey *k)
{
	void *arr = s->keys;
	int rc = grow(&arr, &s->keys_cap, s->nkeys, sizeof(*s->keys));

	s->keys = arr;
	if (rc)
		return rc;
	s->keys[s->nkeys++] = k;
	return 0;
}

int conn_secrets_add_ca(struct conn_secrets *s, const struct x509 *ca)
{
	void *arr = s->cas;
	struct x509 *ref;
	int rc = grow(&arr, &s->cas_cap, s->ncas, sizeof(*s->cas));

	s->cas = arr;
	if (rc)
		return rc;
	ref = x509_dup(ca);
	if (!ref)
		return ERR_NOMEM;
	s->cas[s->ncas++] = ref;
	return 0;
}

static bool owned_by(const struct conn_psk *p, const struct conn_id *id)
{
	for (size_t i = 0; i < p->nowners; i++)
		if (p->owners[i].type != 0 &&
		    conn_id_match(&p->owners[i], id->type, id->data, id->len))
			return true;
	return false;
}

const struct secret *conn_secrets_find_psk(const struct conn_secrets *s,
					   const struct conn_id *local,
					   const struct conn_id *remote)
{
	const struct secret *best = NULL;
	int best_score = 0;

	if (!s)
		return NULL;
	for (size_t i = 0; i < s->npsk; i++) {
		const struct conn_psk *p = &s->psk[i];
		int score;

		if (p->nowners == 0) {
			score = 1;
		} else {
			bool l = owned_by(p, local), r = owned_by(p, remote);
			score = (l && r) ? 4 : (r ? 3 : (l ? 2 : 0));
		}
		if (score > best_score) {
			best_score = score;
			best = p->key;
		}
	}
	return best;
}

struct pkey *conn_secrets_find_key(const struct conn_secrets *s, const struct pkey *pub)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->nkeys; i++)
		if (pkey_public_equal(s->keys[i], pub))
			return s->keys[i];
	return NULL;
}
