/* X.509 certificates over OpenSSL 3 (see x509.h for the contract). */
#include "crypto/x509.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "crypto/dn.h"
#include "crypto/keyfile.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

struct x509 {
	X509 *x;
	uint8_t *der; /* OPENSSL_malloc'd */
	size_t derlen;
	uint8_t *subj; /* OPENSSL_malloc'd */
	size_t subjlen;
};

struct x509_store {
	X509_STORE *st;
	size_t count;
	size_t crls;
	bool crl_strict;
};

void x509_free(struct x509 *c)
{
	if (!c)
		return;
	X509_free(c->x);
	OPENSSL_free(c->der);
	OPENSSL_free(c->subj);
	free(c);
}

/* Takes over x (freed on failure). */
static int wrap(X509 *x, struct x509 **out)
{
	struct x509 *c = calloc(1, sizeof(*c));
	unsigned char *der = NULL, *subj = NULL;
	int n, m;

	if (!c) {
		X509_free(x);
		return ERR_NOMEM;
	}
	c->x = x;
	n = i2d_X509(x, &der);
	m = i2d_X509_NAME(X509_get_subject_name(x), &subj);
	c->der = der;
	c->subj = subj;
	if (n <= 0 || m <= 0) {
		x509_free(c);
		return ERR_INVAL;
	}
	c->derlen = (size_t)n;
	c->subjlen = (size_t)m;
	*out = c;
	return 0;
}

struct x509 *x509_dup(const struct x509 *c)
{
	struct x509 *d = NULL;

	if (!X509_up_ref(c->x))
		return NULL;
	if (wrap(c->x, &d))
		return NULL;
	return d;
}

/* pem_password_cb for PEM blocks with encryption headers: no passphrase, never a prompt. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int x509_from_der(const uint8_t *der, size_t len, struct x509 **out)
{
	const unsigned char *p = der;
	X509 *x;

	if (!der || len == 0 || len > KEYFILE_MAX)
		return ERR_INVAL;
	x = d2i_X509(NULL, &p, (long)len);
	if (!x || p != der + len) {
		X509_free(x);
		ERR_clear_error();
		return ERR_INVAL;
	}
	return wrap(x, out);
}

static bool looks_der(const uint8_t *p, size_t len)
{
	return len >= 2 && p[0] == 0x30 && (p[1] == 0x82 || p[1] == 0x81 || p[1] < 0x80);
}

int x509_load_all(const void *data, size_t len, struct x509 **certs, size_t cap, size_t *n)
{
	const uint8_t *p = data;
	struct x509 *got[X509_BUNDLE_MAX];
	size_t count = 0;
	BIO *bio = NULL;
	X509 *x;
	int err = ERR_INVAL;

	if (!data || len == 0 || len > KEYFILE_MAX)
		goto out;
	if (looks_der(p, len)) {
		const unsigned char *q = p;
		x = d2i_X509(NULL, &q, (long)len);
		if (!x)
			goto out;
		if (q != p + len) {
			X509_free(x);
			goto out;
		}
		err = ERR_LIMIT;
		if (cap < 1) {
			X509_free(x);
			goto out;
		}
		err = wrap(x, &got[0]);
		if (err)
			goto out;
		count = 1;
	} else {
		err = ERR_NOMEM;
		bio = BIO_new_mem_buf(data, (int)len);
		if (!bio)
			goto out;
		while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL) {
			err = ERR_LIMIT;
			if (count == cap || count == X509_BUNDLE_MAX) {
				X509_free(x);
				goto out;
			}
			err = wrap(x, &got[count]);
			if (err)
				goto out;
			count++;
		}
		/* the loop ends at the end of the text (no further BEGIN line) or at a PEM block
		 * that does not decode: the latter fails the whole load */
		err = ERR_INVAL;
		if (count == 0 || ERR_GET_REASON(ERR_peek_last_error()) != PEM_R_NO_START_LINE)
			goto out;
	}
	memcpy(certs, got, count * sizeof(got[0]));
	*n = count;
	count = 0;
	err = 0;
out:
	while (count > 0)
		x509_free(got[--count]);
	ERR_clear_error();
	BIO_free(bio);
	return err;
}

int x509_load(const void *data, size_t len, struct x509 **out)
{
	struct x509 *all[X509_BUNDLE_MAX];
	size_t n = 0;
	int err = x509_load_all(data, len, all, X509_BUNDLE_MAX, &n);

	if (err)
		return err;
	for (size_t i = 1; i < n; i++)
		x509_free(all[i]);
	*out = all[0];
	return 0;
}

int x509_load_file_all(const char *path, struct x509 **certs, size_t cap, size_t *n)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = keyfile_read(path, &buf, &len);

	if (err)
		return err;
	err = x509_load_all(buf, len, certs, cap, n);
	free(buf);
	return err;
}

int x509_load_file(const char *path, struct x509 **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = keyfile_read(path, &buf, &len);

	if (err)
		return err;
	err = x509_load(buf, len, out);
	free(buf);
	return err;
}

void x509_der(const struct x509 *c, const uint8_t **der, size_t *len)
{
	*der = c->der;
	*len = c->derlen;
}

void x509_subject_der(const struct x509 *c, const uint8_t **der, size_t *len)
{
	*der = c->subj;
	*len = c->subjlen;
}

static int name_text(const X509_NAME *name, char *buf, size_t size)
{
	unsigned char *der = NULL;
	int n = i2d_X509_NAME(name, &der);
	int err;

	if (n <= 0) {
		if (size)
			buf[0] = 0;
		return ERR_INVAL;
	}
	err = dn_to_text(der, (size_t)n, buf, size);
	OPENSSL_free(der);
	return err;
}

int x509_subject_text(const struct x509 *c, char *buf, size_t size)
{
	return dn_to_text(c->subj, c->subjlen, buf, size);
}

int x509_issuer_text(const struct x509 *c, char *buf, size_t size)
{
	return name_text(X509_get_issuer_name(c->x), buf, size);
}

int x509_public_key(const struct x509 *c, struct pkey **out)
{
	EVP_PKEY *evp = X509_get_pubkey(c->x); /* a new reference */

	if (!evp) {
		ERR_clear_error();
		return ERR_UNSUPPORTED;
	}
	return pkey_from_evp(evp, out);
}

int x509_spki_sha1(const struct x509 *c, uint8_t out[PKEY_SHA1_LEN])
{
	X509_PUBKEY *pub = X509_get_X509_PUBKEY(c->x);
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int n, err = ERR_CRYPTO;

	/* the certificate's own SubjectPublicKeyInfo bytes, whatever the key type */
	n = i2d_X509_PUBKEY(pub, &der);
	if (n > 0 && EVP_Digest(der, (size_t)n, out, &mdlen, EVP_sha1(), NULL) == 1 &&
	    mdlen == PKEY_SHA1_LEN)
		err = 0;
	OPENSSL_free(der);
	return err;
}

int x509_der_sha1(const struct x509 *c, uint8_t out[PKEY_SHA1_LEN])
{
	unsigned int mdlen = 0;

	if (EVP_Digest(c->der, c->derlen, out, &mdlen, EVP_sha1(), NULL) != 1 ||
	    mdlen != PKEY_SHA1_LEN)
		return ERR_CRYPTO;
	return 0;
}

static int time_of(const ASN1_TIME *t, int64_t *out)
{
	struct tm tm;

	if (!t || !ASN1_TIME_to_tm(t, &tm))
		return ERR_INVAL;
	*out = (int64_t)timegm(&tm);
	return 0;
}

int x509_validity(const struct x509 *c, int64_t *not_before, int64_t *not_after)
{
	int64_t nb, na;

	if (time_of(X509_get0_notBefore(c->x), &nb) || time_of(X509_get0_notAfter(c->x), &na))
		return ERR_INVAL;
	*not_before = nb;
	*not_after = na;
	return 0;
}

bool x509_is_ca(const struct x509 *c)
{
	return X509_check_ca(c->x) != 0;
}

int x509_sans(const struct x509 *c, struct x509_san *sans, size_t cap, size_t *n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(c->x, NID_subject_alt_name, NULL, NULL);
	size_t count = 0;
	int err = 0;

	for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *str;
		enum x509_san_type type;
		size_t len;

		switch (g->type) {
		case GEN_DNS:
			type = X509_SAN_DNS;
			str = g->d.dNSName;
			break;
		case GEN_EMAIL:
			type = X509_SAN_EMAIL;
			str = g->d.rfc822Name;
			break;
		case GEN_IPADD:
			str = g->d.iPAddress;
			type = ASN1_STRING_length(str) == 4 ? X509_SAN_IPV4 : X509_SAN_IPV6;
			break;
		default:
			continue;
		}
		len = (size_t)ASN1_STRING_length(str);
		if (len == 0 || len > X509_SAN_VALUE_MAX)
			continue;
		if ((type == X509_SAN_IPV4 && len != 4) || (type == X509_SAN_IPV6 && len != 16))
			continue;
		if ((type == X509_SAN_DNS || type == X509_SAN_EMAIL) &&
		    memchr(ASN1_STRING_get0_data(str), 0, len))
			continue;
		if (count == cap) {
			err = ERR_LIMIT;
			break;
		}
		sans[count].type = type;
		sans[count].len = len;
		memcpy(sans[count].value, ASN1_STRING_get0_data(str), len);
		sans[count].value[len] = 0;
		count++;
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	if (!err)
		*n = count;
	return err;
}

/* The most subjectAltNames looked at when matching an identity. */
#define X509_MATCH_SANS 64

int x509_match_id(const struct x509 *c, unsigned id_type, const uint8_t *id, size_t len)
{
	struct x509_san *sans = NULL;
	enum x509_san_type want;
	size_t n = 0;
	int err = ERR_INVAL;

	if (!id || len == 0)
		goto out;
	switch (id_type) {
	case IKEV2_ID_DER_ASN1_DN:
		err = dn_equal(id, len, c->subj, c->subjlen) ? 0 : ERR_AUTH;
		goto out;
	case IKEV2_ID_IPV4_ADDR:
		want = X509_SAN_IPV4;
		if (len != 4)
			goto out;
		break;
	case IKEV2_ID_IPV6_ADDR:
		want = X509_SAN_IPV6;
		if (len != 16)
			goto out;
		break;
	case IKEV2_ID_FQDN:
	case IKEV2_ID_RFC822_ADDR:
		want = id_type == IKEV2_ID_FQDN ? X509_SAN_DNS : X509_SAN_EMAIL;
		if (len > X509_SAN_VALUE_MAX || memchr(id, 0, len))
			goto out;
		break;
	default:
		err = ERR_UNSUPPORTED;
		goto out;
	}
	err = ERR_NOMEM;
	sans = calloc(X509_MATCH_SANS, sizeof(*sans));
	if (!sans)
		goto out;
	/* more names than we look at: the first X509_MATCH_SANS are matched */
	if (x509_sans(c, sans, X509_MATCH_SANS, &n) == ERR_LIMIT)
		n = X509_MATCH_SANS;
	err = ERR_AUTH;
	for (size_t i = 0; i < n; i++) {
		if (sans[i].type != want || sans[i].len != len)
			continue;
		if (want == X509_SAN_IPV4 || want == X509_SAN_IPV6) {
			if (memcmp(sans[i].value, id, len) == 0)
				err = 0;
		} else if (strncasecmp((const char *)sans[i].value, (const char *)id, len) == 0) {
			err = 0;
		}
	}
out:
	free(sans);
	return err;
}

struct x509_store *x509_store_new(void)
{
	struct x509_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->st = X509_STORE_new();
	if (!s->st) {
		free(s);
		return NULL;
	}
	return s;
}

void x509_store_free(struct x509_store *s)
{
	if (!s)
		return;
	X509_STORE_free(s->st);
	free(s);
}

int x509_store_add(struct x509_store *s, const struct x509 *ca)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(s->st);

	for (int i = 0; objs && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *have = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (have && X509_cmp(have, ca->x) == 0)
			return ERR_EXISTS;
	}
	if (!X509_STORE_add_cert(s->st, ca->x)) {
		ERR_clear_error();
		return ERR_NOMEM;
	}
	s->count++;
	return 0;
}

/* CRLs: DER (one) or PEM (any number). */
int x509_store_add_crls(struct x509_store *s, const void *data, size_t len, size_t *added)
{
	const uint8_t *p = data;
	X509_CRL *crl = NULL;
	BIO *bio = NULL;
	size_t n = 0;
	int err = ERR_INVAL;

	if (!data || len == 0 || len > KEYFILE_MAX)
		goto out;
	if (looks_der(p, len)) {
		const unsigned char *q = p;
		crl = d2i_X509_CRL(NULL, &q, (long)len);
		if (!crl || q != p + len)
			goto out;
		err = ERR_NOMEM;
		if (!X509_STORE_add_crl(s->st, crl))
			goto out;
		n = 1;
		err = 0;
		goto out;
	}
	err = ERR_NOMEM;
	bio = BIO_new_mem_buf(data, (int)len);
	if (!bio)
		goto out;
	while ((crl = PEM_read_bio_X509_CRL(bio, NULL, no_passphrase, NULL)) != NULL) {
		err = ERR_NOMEM;
		if (!X509_STORE_add_crl(s->st, crl))
			goto out;
		X509_CRL_free(crl);
		crl = NULL;
		n++;
	}
	err = ERR_INVAL;
	if (n > 0 && ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE)
		err = 0;
out:
	/* CRLs added before a failure stay: they are valid revocation information */
	if (n > 0) {
		s->crls += n;
		X509_STORE_set_flags(s->st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
	}
	if (!err && added)
		*added = n;
	X509_CRL_free(crl);
	BIO_free(bio);
	ERR_clear_error();
	return err;
}

void x509_store_set_crl_strict(struct x509_store *s, bool strict)
{
	s->crl_strict = strict;
}

/* strongSwan's default CRL policy: a certificate listed in a CRL is refused, but a missing,
 * expired or not yet valid CRL does not by itself fail the chain. */
static int relaxed_crl_cb(int ok, X509_STORE_CTX *ctx)
{
	int e = X509_STORE_CTX_get_error(ctx);

	if (!ok && (e == X509_V_ERR_UNABLE_TO_GET_CRL || e == X509_V_ERR_CRL_HAS_EXPIRED ||
		    e == X509_V_ERR_CRL_NOT_YET_VALID))
		return 1;
	return ok;
}

size_t x509_store_count(const struct x509_store *s)
{
	return s->count;
}

int x509_verify(const struct x509_store *s, const struct x509 *ee, struct x509 *const *chain,
		size_t n, int64_t now, const char **reason)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	const char *why = "out of memory";
	int err = ERR_NOMEM;

	if (!untrusted || !ctx)
		goto out;
	for (size_t i = 0; i < n; i++)
		if (!sk_X509_push(untrusted, chain[i]->x))
			goto out;
	if (!X509_STORE_CTX_init(ctx, s->st, ee->x, untrusted))
		goto out;
	X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	if (s->crls && !s->crl_strict)
		X509_STORE_CTX_set_verify_cb(ctx, relaxed_crl_cb);
	err = ERR_AUTH;
	if (X509_verify_cert(ctx) == 1) {
		why = "ok";
		err = 0;
	} else {
		why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
	}
out:
	if (reason)
		*reason = why;
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	sk_X509_free(untrusted); /* the stack only, the certificates are borrowed */
	return err;
}
