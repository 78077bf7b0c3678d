/* Certificates: a PKI built at test time with libcrypto (RSA root, ECDSA intermediate, RSA /
 * ECDSA / Ed25519 end entities with DNS, email and IPv4/IPv6 subjectAltNames), loaded through
 * x509 from PEM, DER and PEM bundles; chain verification (good chain, missing intermediate,
 * wrong CA, expired and not yet valid at the caller's time); identity matching for every ID
 * type, good and bad; subject text; textual DNs to DER and back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/dn.h"
#include "crypto/pkey.h"
#include "crypto/sign.h"
#include "crypto/x509.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/ikev2_const.h"

#define T0  1767225600LL /* 2026-01-01T00:00:00Z */
#define DAY 86400LL

struct rdn {
	const char *key, *val;
};

/* A certificate signed by issuer (self-signed when issuer is NULL), built with libcrypto. */
static X509 *make_cert(const struct rdn *subject, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey,
		       bool ca, const char *san, int64_t nb, int64_t na, long serial)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	X509V3_CTX v;
	bool ok = x && name;

	for (size_t i = 0; ok && subject[i].key; i++)
		ok = X509_NAME_add_entry_by_txt(name, subject[i].key, MBSTRING_ASC,
						(const unsigned char *)subject[i].val, -1, -1, 0);
	ok = ok && X509_set_version(x, 2) && ASN1_INTEGER_set(X509_get_serialNumber(x), serial) &&
	     X509_set_subject_name(x, name) &&
	     X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
	     ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) &&
	     ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) && X509_set_pubkey(x, pub);
	if (ok) {
		const char *bc = ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
		const char *ku = ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature";
		X509V3_set_ctx(&v, issuer ? issuer : x, x, NULL, NULL, 0);
		X509_EXTENSION *e1 = X509V3_EXT_conf_nid(NULL, &v, NID_basic_constraints, bc);
		X509_EXTENSION *e2 = X509V3_EXT_conf_nid(NULL, &v, NID_key_usage, ku);
		X509_EXTENSION *e3 =
		    san ? X509V3_EXT_conf_nid(NULL, &v, NID_subject_alt_name, san) : NULL;
		ok = e1 && e2 && (!san || e3) && X509_add_ext(x, e1, -1) &&
		     X509_add_ext(x, e2, -1) && (!san || X509_add_ext(x, e3, -1));
		X509_EXTENSION_free(e1);
		X509_EXTENSION_free(e2);
		X509_EXTENSION_free(e3);
	}
	if (ok) {
		EVP_PKEY *k = ikey ? ikey : NULL;
		const EVP_MD *md = EVP_PKEY_is_a(k, "ED25519") ? NULL : EVP_sha256();
		ok = X509_sign(x, k, md) > 0;
	}
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static int to_bytes(X509 *x, bool pem, uint8_t **out, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ok = b && (pem ? PEM_write_bio_X509(b, x) : i2d_X509_bio(b, x));

	if (ok && (n = BIO_get_mem_data(b, &p)) > 0 && (*out = malloc((size_t)n))) {
		memcpy(*out, p, (size_t)n);
		*len = (size_t)n;
	} else {
		ok = 0;
	}
	BIO_free(b);
	return ok;
}

static struct x509 *load(X509 *x, bool pem)
{
	uint8_t *b = NULL;
	size_t len = 0;
	struct x509 *c = NULL;

	if (to_bytes(x, pem, &b, &len))
		T_OK(x509_load(b, len, &c) == 0, "load %s", pem ? "PEM" : "DER");
	free(b);
	return c;
}

/* The test PKI. */
enum { ROOT, INTER, EE_RSA, EE_EC, EE_ED, OTHER_ROOT, OTHER_EE, NCERTS };
static EVP_PKEY *keys[NCERTS];
static X509 *xs[NCERTS];
static struct x509 *certs[NCERTS];

static const struct rdn root_dn[] = {{"C", "CH"}, {"O", "strongSwan"}, {"CN", "Root CA"}, {0}};
static const struct rdn inter_dn[] = {
    {"C", "CH"}, {"O", "strongSwan"}, {"OU", "Intermediate"}, {"CN", "Sub CA"}, {0}};
static const struct rdn moon_dn[] = {{"C", "CH"}, {"O", "strongSwan"}, {"CN", "moon"}, {0}};
static const struct rdn sun_dn[] = {{"C", "CH"}, {"O", "strongSwan"}, {"CN", "sun"}, {0}};
static const struct rdn carol_dn[] = {
    {"C", "CH"}, {"O", "strongSwan, Inc."}, {"CN", "carol@strongswan.org"}, {0}};
static const struct rdn other_dn[] = {{"C", "XX"}, {"O", "Mallory"}, {"CN", "Root CA"}, {0}};
static const struct rdn other_ee_dn[] = {{"C", "CH"}, {"O", "strongSwan"}, {"CN", "moon"}, {0}};

static int setup(void)
{
	keys[ROOT] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[INTER] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	keys[EE_RSA] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	keys[EE_EC] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	keys[EE_ED] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys[OTHER_ROOT] = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	keys[OTHER_EE] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	for (int i = 0; i < NCERTS; i++)
		if (!keys[i])
			return 0;
	xs[ROOT] = make_cert(root_dn, keys[ROOT], NULL, keys[ROOT], true, NULL, T0 - 365 * DAY,
			     T0 + 3650 * DAY, 1);
	if (!xs[ROOT])
		return 0;
	xs[INTER] = make_cert(inter_dn, keys[INTER], xs[ROOT], keys[ROOT], true, NULL,
			      T0 - 365 * DAY, T0 + 1825 * DAY, 2);
	xs[OTHER_ROOT] = make_cert(other_dn, keys[OTHER_ROOT], NULL, keys[OTHER_ROOT], true, NULL,
				   T0 - 365 * DAY, T0 + 3650 * DAY, 1);
	if (!xs[INTER] || !xs[OTHER_ROOT])
		return 0;
	xs[EE_RSA] = make_cert(moon_dn, keys[EE_RSA], xs[INTER], keys[INTER], false,
			       "DNS:moon.strongswan.org,DNS:vpn.strongswan.org,"
			       "email:moon@strongswan.org,IP:192.168.0.1,IP:fec0::1",
			       T0, T0 + 365 * DAY, 3);
	xs[EE_EC] = make_cert(sun_dn, keys[EE_EC], xs[INTER], keys[INTER], false,
			      "DNS:sun.strongswan.org,IP:192.168.0.2", T0, T0 + 365 * DAY, 4);
	xs[EE_ED] = make_cert(carol_dn, keys[EE_ED], xs[INTER], keys[INTER], false,
			      "email:carol@strongswan.org,IP:2001:db8::c", T0, T0 + 365 * DAY, 5);
	xs[OTHER_EE] = make_cert(other_ee_dn, keys[OTHER_EE], xs[OTHER_ROOT], keys[OTHER_ROOT],
				 false, "DNS:moon.strongswan.org", T0, T0 + 365 * DAY, 6);
	for (int i = 0; i < NCERTS; i++) {
		if (!xs[i])
			return 0;
		certs[i] = load(xs[i], i % 2 == 0);
		if (!certs[i])
			return 0;
	}
	return 1;
}

static void teardown(void)
{
	for (int i = 0; i < NCERTS; i++) {
		x509_free(certs[i]);
		X509_free(xs[i]);
		EVP_PKEY_free(keys[i]);
	}
}

/* ---- loading, DER, public key, subject ---- */

static void test_load(void)
{
	uint8_t *pem = NULL, *der = NULL, *bundle = NULL;
	size_t peml = 0, derl = 0, n = 0;
	struct x509 *c = NULL, *all[4] = {0};
	const uint8_t *p;
	size_t len;

	T_OK(to_bytes(xs[EE_RSA], true, &pem, &peml) && to_bytes(xs[EE_RSA], false, &der, &derl),
	     "serialise");
	T_EQ(x509_load(der, derl, &c), 0);
	if (c) {
		x509_der(c, &p, &len);
		T_MEM(p, len, der, derl);
		x509_free(c);
		c = NULL;
	}
	T_EQ(x509_load(pem, peml, &c), 0);
	if (c) {
		x509_der(c, &p, &len);
		T_MEM(p, len, der, derl);
		x509_free(c);
		c = NULL;
	}
	/* DER with a trailing byte, truncated DER, garbage, empty */
	uint8_t *longer = malloc(derl + 1);
	if (longer) {
		memcpy(longer, der, derl);
		longer[derl] = 0;
		T_EQ(x509_load(longer, derl + 1, &c), ERR_INVAL);
		free(longer);
	}
	T_EQ(x509_load(der, derl - 1, &c), ERR_INVAL);
	/* the strict DER form for peer CERT payloads */
	T_EQ(x509_from_der(der, derl, &c), 0);
	if (c) {
		x509_der(c, &p, &len);
		T_MEM(p, len, der, derl);
		x509_free(c);
		c = NULL;
	}
	T_EQ(x509_from_der(der, derl - 1, &c), ERR_INVAL);
	T_EQ(x509_from_der(pem, peml, &c), ERR_INVAL);
	T_EQ(x509_from_der(NULL, 0, &c), ERR_INVAL);
	/* a PEM block with encryption headers is refused (and never prompts) */
	{
		static const char head[] =
		    "-----BEGIN CERTIFICATE-----\n"
		    "Proc-Type: 4,ENCRYPTED\n"
		    "DEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n";
		const char *body = strchr((const char *)pem, '\n');
		size_t hl = strlen(head), bl = body ? peml - (size_t)(body + 1 - (char *)pem) : 0;
		uint8_t *enc = malloc(hl + bl);
		if (enc && body) {
			memcpy(enc, head, hl);
			memcpy(enc + hl, body + 1, bl);
			T_EQ(x509_load(enc, hl + bl, &c), ERR_INVAL);
		}
		free(enc);
	}
	T_EQ(x509_load("not a certificate", 17, &c), ERR_INVAL);
	T_EQ(x509_load("", 0, &c), ERR_INVAL);
	T_EQ(x509_load(pem, peml / 2, &c), ERR_INVAL);
	T_OK(c == NULL, "nothing loaded");

	/* a PEM bundle: root, text between, intermediate, end entity */
	uint8_t *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	if (to_bytes(xs[ROOT], true, &a, &al) && to_bytes(xs[INTER], true, &b, &bl)) {
		const char *junk = "# comment between certificates\n";
		size_t jl = strlen(junk), total = al + jl + bl + peml;
		bundle = malloc(total);
		if (bundle) {
			memcpy(bundle, a, al);
			memcpy(bundle + al, junk, jl);
			memcpy(bundle + al + jl, b, bl);
			memcpy(bundle + al + jl + bl, pem, peml);
			T_EQ(x509_load_all(bundle, total, all, 4, &n), 0);
			T_EQ(n, 3);
			if (n == 3) {
				char s[256];
				T_EQ(x509_subject_text(all[0], s, sizeof(s)), 0);
				T_OK(strcmp(s, "C=CH, O=strongSwan, CN=Root CA") == 0, "%s", s);
				T_OK(x509_is_ca(all[0]) && x509_is_ca(all[1]) &&
					 !x509_is_ca(all[2]),
				     "CA flags");
			}
			for (size_t i = 0; i < n; i++)
				x509_free(all[i]);
			T_EQ(x509_load_all(bundle, total, all, 2, &n), ERR_LIMIT);
			/* a truncated last certificate fails the whole bundle */
			T_EQ(x509_load_all(bundle, total - 100, all, 4, &n), ERR_INVAL);
			/* a corrupted middle certificate too */
			uint8_t keep = bundle[al + jl + 100];
			bundle[al + jl + 100] = '*'; /* not base64 */
			T_EQ(x509_load_all(bundle, total, all, 4, &n), ERR_INVAL);
			bundle[al + jl + 100] = keep;
			/* x509_load takes the first */
			T_EQ(x509_load(bundle, total, &c), 0);
			if (c) {
				char s[256];
				T_EQ(x509_subject_text(c, s, sizeof(s)), 0);
				T_OK(strcmp(s, "C=CH, O=strongSwan, CN=Root CA") == 0, "%s", s);
				x509_free(c);
				c = NULL;
			}
			/* the bundle from a file */
			char path[] = "/tmp/rampart-test-x509-XXXXXX";
			int fd = mkstemp(path);
			T_OK(fd >= 0, "temp file");
			if (fd >= 0) {
				T_EQ(write(fd, bundle, total), (long long)total);
				close(fd);
				T_EQ(x509_load_file_all(path, all, 4, &n), 0);
				T_EQ(n, 3);
				for (size_t i = 0; i < n; i++)
					x509_free(all[i]);
				T_EQ(x509_load_file(path, &c), 0);
				x509_free(c);
				c = NULL;
				unlink(path);
			}
			T_EQ(x509_load_file("/nonexistent/cert.pem", &c), ERR_IO);
		}
	}
	free(a);
	free(b);
	free(bundle);
	free(pem);
	free(der);
}

static void test_keys_and_names(void)
{
	static const struct {
		int line;
		int cert;
		const char *subject, *issuer;
		enum pkey_type type;
		enum sign_scheme scheme;
	} rows[] = {
	    {__LINE__, EE_RSA, "C=CH, O=strongSwan, CN=moon",
	     "C=CH, O=strongSwan, OU=Intermediate, CN=Sub CA", PKEY_RSA, SIGN_RSA_PSS_SHA256},
	    {__LINE__, EE_EC, "C=CH, O=strongSwan, CN=sun",
	     "C=CH, O=strongSwan, OU=Intermediate, CN=Sub CA", PKEY_EC, SIGN_ECDSA_SHA384},
	    {__LINE__, EE_ED, "C=CH, O=strongSwan\\, Inc., CN=carol@strongswan.org",
	     "C=CH, O=strongSwan, OU=Intermediate, CN=Sub CA", PKEY_ED25519, SIGN_ED25519},
	    {__LINE__, ROOT, "C=CH, O=strongSwan, CN=Root CA", "C=CH, O=strongSwan, CN=Root CA",
	     PKEY_RSA, SIGN_RSA_PKCS1_SHA256},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int row = rows[i].line;
		struct x509 *c = certs[rows[i].cert];
		struct pkey *pub = NULL, *ref = NULL, *priv = NULL;
		uint8_t h1[PKEY_SHA1_LEN], h2[PKEY_SHA1_LEN], *sig = NULL;
		size_t sigl = 0;
		char s[256], small[8];

		T_EQ_ROW(row, x509_subject_text(c, s, sizeof(s)), 0);
		T_OK_ROW(row, strcmp(s, rows[i].subject) == 0, "subject %s", s);
		T_EQ_ROW(row, x509_issuer_text(c, s, sizeof(s)), 0);
		T_OK_ROW(row, strcmp(s, rows[i].issuer) == 0, "issuer %s", s);
		T_EQ_ROW(row, x509_subject_text(c, small, sizeof(small)), ERR_NOSPACE);
		T_EQ_ROW(row, strlen(small), sizeof(small) - 1);

		T_EQ_ROW(row, x509_public_key(c, &pub), 0);
		EVP_PKEY_up_ref(keys[rows[i].cert]);
		T_EQ_ROW(row, pkey_from_evp(keys[rows[i].cert], &ref), 0);
		if (pub && ref) {
			T_EQ_ROW(row, pkey_type(pub), rows[i].type);
			T_OK_ROW(row, pkey_public_equal(pub, ref), "certificate key");
			T_EQ_ROW(row, x509_spki_sha1(c, h1), 0);
			T_EQ_ROW(row, pkey_spki_sha1(ref, h2), 0);
			T_MEM_ROW(row, h1, sizeof(h1), h2, sizeof(h2));
			/* the certificate's key verifies what its private key signs */
			EVP_PKEY_up_ref(keys[rows[i].cert]);
			T_EQ_ROW(row, pkey_from_evp(keys[rows[i].cert], &priv), 0);
			T_EQ_ROW(row, sign_create(priv, rows[i].scheme, "auth", 4, &sig, &sigl), 0);
			T_EQ_ROW(row, sign_verify(pub, rows[i].scheme, "auth", 4, sig, sigl), 0);
		}
		free(sig);
		pkey_free(pub);
		pkey_free(ref);
		pkey_free(priv);
	}
	/* validity and the certificate hash (computed independently over i2d_X509) */
	int64_t nb = 0, na = 0;
	T_EQ(x509_validity(certs[EE_RSA], &nb, &na), 0);
	T_EQ(nb, T0);
	T_EQ(na, T0 + 365 * DAY);
	T_EQ(x509_validity(certs[ROOT], &nb, &na), 0);
	T_EQ(nb, T0 - 365 * DAY);
	uint8_t h[PKEY_SHA1_LEN], w[PKEY_SHA1_LEN], *der = NULL;
	int dl = i2d_X509(xs[EE_EC], &der);
	T_OK(dl > 0 && EVP_Digest(der, (size_t)dl, w, NULL, EVP_sha1(), NULL) == 1, "sha1");
	T_EQ(x509_der_sha1(certs[EE_EC], h), 0);
	T_MEM(h, sizeof(h), w, sizeof(w));
	OPENSSL_free(der);

	/* SPKI hashes differ between certificates */
	uint8_t a[PKEY_SHA1_LEN], b[PKEY_SHA1_LEN];
	T_EQ(x509_spki_sha1(certs[EE_RSA], a), 0);
	T_EQ(x509_spki_sha1(certs[EE_EC], b), 0);
	T_OK(memcmp(a, b, sizeof(a)) != 0, "distinct SPKI hashes");
}

static void test_sans(void)
{
	struct x509_san sans[8];
	size_t n = 0;
	static const uint8_t ip4[] = {192, 168, 0, 1};
	static const uint8_t ip6[] = {0xfe, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	T_EQ(x509_sans(certs[EE_RSA], sans, 8, &n), 0);
	T_EQ(n, 5);
	if (n == 5) {
		T_EQ(sans[0].type, X509_SAN_DNS);
		T_OK(strcmp((char *)sans[0].value, "moon.strongswan.org") == 0, "dns 1");
		T_EQ(sans[1].type, X509_SAN_DNS);
		T_OK(strcmp((char *)sans[1].value, "vpn.strongswan.org") == 0, "dns 2");
		T_EQ(sans[2].type, X509_SAN_EMAIL);
		T_OK(strcmp((char *)sans[2].value, "moon@strongswan.org") == 0, "email");
		T_EQ(sans[3].type, X509_SAN_IPV4);
		T_MEM(sans[3].value, sans[3].len, ip4, sizeof(ip4));
		T_EQ(sans[4].type, X509_SAN_IPV6);
		T_MEM(sans[4].value, sans[4].len, ip6, sizeof(ip6));
	}
	T_EQ(x509_sans(certs[EE_RSA], sans, 4, &n), ERR_LIMIT);
	T_EQ(x509_sans(certs[ROOT], sans, 8, &n), 0);
	T_EQ(n, 0);
}

/* ---- chain verification ---- */

static const struct {
	int line;
	int ee;
	int chain[3]; /* -1 terminated */
	int trusted[3];
	int64_t now;
	int want;
} chains[] = {
    {__LINE__, EE_RSA, {INTER, -1}, {ROOT, -1}, T0 + 30 * DAY, 0},
    {__LINE__, EE_EC, {INTER, -1}, {ROOT, -1}, T0 + 30 * DAY, 0},
    {__LINE__, EE_ED, {INTER, -1}, {ROOT, -1}, T0 + 30 * DAY, 0},
    {__LINE__, EE_ED, {INTER, -1}, {OTHER_ROOT, ROOT, -1}, T0 + 364 * DAY, 0},
    {__LINE__, EE_RSA, {ROOT, INTER, -1}, {ROOT, -1}, T0 + 1, 0}, /* extra cert, any order */
    {__LINE__, INTER, {-1}, {ROOT, -1}, T0, 0},
    {__LINE__, OTHER_EE, {-1}, {OTHER_ROOT, -1}, T0 + DAY, 0},
    /* missing intermediate */
    {__LINE__, EE_RSA, {-1}, {ROOT, -1}, T0 + 30 * DAY, ERR_AUTH},
    /* wrong CA */
    {__LINE__, EE_RSA, {INTER, -1}, {OTHER_ROOT, -1}, T0 + 30 * DAY, ERR_AUTH},
    {__LINE__, OTHER_EE, {INTER, -1}, {ROOT, -1}, T0 + DAY, ERR_AUTH},
    /* no trust anchor at all */
    {__LINE__, EE_RSA, {INTER, -1}, {-1}, T0 + 30 * DAY, ERR_AUTH},
    /* expired, not yet valid (end entity) */
    {__LINE__, EE_RSA, {INTER, -1}, {ROOT, -1}, T0 + 366 * DAY, ERR_AUTH},
    {__LINE__, EE_EC, {INTER, -1}, {ROOT, -1}, T0 - DAY, ERR_AUTH},
    /* expired intermediate (EE valid again by then? no: EE expired too) and root */
    {__LINE__, INTER, {-1}, {ROOT, -1}, T0 + 1826 * DAY, ERR_AUTH},
    {__LINE__, INTER, {-1}, {ROOT, -1}, T0 - 366 * DAY, ERR_AUTH},
    /* an end entity cannot act as a CA */
    {__LINE__, OTHER_EE, {-1}, {OTHER_EE, -1}, T0 + DAY, ERR_AUTH},
};

static void test_chains(void)
{
	for (size_t i = 0; i < sizeof(chains) / sizeof(chains[0]); i++) {
		int row = chains[i].line;
		struct x509_store *s = x509_store_new();
		struct x509 *chain[3];
		const char *reason = NULL;
		size_t n = 0;

		T_OK_ROW(row, s != NULL, "store");
		if (!s)
			continue;
		for (int j = 0; j < 3 && chains[i].trusted[j] >= 0; j++)
			T_EQ_ROW(row, x509_store_add(s, certs[chains[i].trusted[j]]), 0);
		for (int j = 0; j < 3 && chains[i].chain[j] >= 0; j++)
			chain[n++] = certs[chains[i].chain[j]];
		T_EQ_ROW(row, x509_verify(s, certs[chains[i].ee], chain, n, chains[i].now, &reason),
			 chains[i].want);
		T_OK_ROW(row, reason != NULL, "reason given");
		if (reason && chains[i].want)
			T_OK_ROW(row, strcmp(reason, "ok") != 0, "failure reason: %s", reason);
		x509_store_free(s);
	}
	struct x509_store *s = x509_store_new();
	if (s) {
		T_EQ(x509_store_add(s, certs[ROOT]), 0);
		T_EQ(x509_store_add(s, certs[ROOT]), ERR_EXISTS);
		T_EQ(x509_store_count(s), 1);
		/* expired reason is named */
		const char *reason = NULL;
		struct x509 *chain[1] = {certs[INTER]};
		T_EQ(x509_verify(s, certs[EE_RSA], chain, 1, T0 + 400 * DAY, &reason), ERR_AUTH);
		T_OK(reason && strstr(reason, "expired"), "reason: %s", reason ? reason : "");
		T_EQ(x509_verify(s, certs[EE_RSA], chain, 1, T0 - DAY, &reason), ERR_AUTH);
		T_OK(reason && strstr(reason, "not yet valid"), "reason: %s", reason ? reason : "");
		x509_store_free(s);
	}
	x509_store_free(NULL);
	x509_free(NULL);
}

/* ---- revocation ---- */

static X509_CRL *make_crl(X509 *issuer, EVP_PKEY *signer, long revoked, int64_t this_upd,
			  int64_t next_upd)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)this_upd);
	ASN1_TIME *u = ASN1_TIME_set(NULL, (time_t)next_upd);
	bool ok = crl && t && u && X509_CRL_set_version(crl, 1) &&
		  X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) &&
		  X509_CRL_set1_lastUpdate(crl, t) && X509_CRL_set1_nextUpdate(crl, u);

	if (ok && revoked) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();
		ok = r && sn && ASN1_INTEGER_set(sn, revoked) &&
		     X509_REVOKED_set_serialNumber(r, sn) &&
		     X509_REVOKED_set_revocationDate(r, t) && X509_CRL_add0_revoked(crl, r);
		if (!ok)
			X509_REVOKED_free(r);
		ASN1_INTEGER_free(sn);
	}
	ok = ok && X509_CRL_sort(crl) &&
	     X509_CRL_sign(crl, signer, EVP_PKEY_is_a(signer, "ED25519") ? NULL : EVP_sha256()) > 0;
	ASN1_TIME_free(t);
	ASN1_TIME_free(u);
	if (!ok) {
		X509_CRL_free(crl);
		return NULL;
	}
	return crl;
}

static int crl_bytes(X509_CRL *crl, bool pem, uint8_t **out, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int ok = b && crl && (pem ? PEM_write_bio_X509_CRL(b, crl) : i2d_X509_CRL_bio(b, crl));

	if (ok && (n = BIO_get_mem_data(b, &p)) > 0 && (*out = malloc((size_t)n))) {
		memcpy(*out, p, (size_t)n);
		*len = (size_t)n;
	} else {
		ok = 0;
	}
	BIO_free(b);
	return ok;
}

enum crlset { CRL_NONE, CRL_GOOD, CRL_FORGED };

static const struct {
	int line;
	int ee;
	enum crlset crl;
	bool strict;
	int64_t now;
	int want;
	const char *reason; /* substring, or NULL */
} revocations[] = {
    {__LINE__, EE_EC, CRL_NONE, false, T0 + DAY, 0, NULL},
    {__LINE__, EE_EC, CRL_GOOD, false, T0 + DAY, ERR_AUTH, "revoked"},
    {__LINE__, EE_RSA, CRL_GOOD, false, T0 + DAY, 0, NULL},
    {__LINE__, EE_ED, CRL_GOOD, false, T0 + DAY, 0, NULL},
    /* a stale CRL still revokes; otherwise it is tolerated unless strict */
    {__LINE__, EE_EC, CRL_GOOD, false, T0 + 40 * DAY, ERR_AUTH, "revoked"},
    {__LINE__, EE_RSA, CRL_GOOD, false, T0 + 40 * DAY, 0, NULL},
    {__LINE__, EE_RSA, CRL_GOOD, true, T0 + 40 * DAY, ERR_AUTH, "expired"},
    /* strict: the intermediate has no CRL from the root */
    {__LINE__, EE_RSA, CRL_GOOD, true, T0 + DAY, ERR_AUTH, "CRL"},
    /* a CRL with a bad signature fails the chain */
    {__LINE__, EE_RSA, CRL_FORGED, false, T0 + DAY, ERR_AUTH, "signature"},
};

static void test_crls(void)
{
	X509_CRL *good = make_crl(xs[INTER], keys[INTER], 4 /* EE_EC */, T0, T0 + 30 * DAY);
	X509_CRL *forged = make_crl(xs[INTER], keys[OTHER_EE], 0, T0, T0 + 30 * DAY);
	uint8_t *gpem = NULL, *gder = NULL, *fpem = NULL;
	size_t gpeml = 0, gderl = 0, fpeml = 0, added = 0;

	T_OK(crl_bytes(good, true, &gpem, &gpeml) && crl_bytes(good, false, &gder, &gderl) &&
		 crl_bytes(forged, true, &fpem, &fpeml),
	     "CRLs");
	if (!gpem || !gder || !fpem)
		goto out;
	for (size_t i = 0; i < sizeof(revocations) / sizeof(revocations[0]); i++) {
		int row = revocations[i].line;
		struct x509_store *s = x509_store_new();
		struct x509 *chain[1] = {certs[INTER]};
		const char *reason = NULL;

		if (!s)
			continue;
		T_EQ_ROW(row, x509_store_add(s, certs[ROOT]), 0);
		if (revocations[i].crl == CRL_GOOD)
			T_EQ_ROW(row,
				 x509_store_add_crls(s, i % 2 ? gpem : gder, i % 2 ? gpeml : gderl,
						     &added),
				 0);
		if (revocations[i].crl == CRL_FORGED)
			T_EQ_ROW(row, x509_store_add_crls(s, fpem, fpeml, &added), 0);
		x509_store_set_crl_strict(s, revocations[i].strict);
		T_EQ_ROW(
		    row,
		    x509_verify(s, certs[revocations[i].ee], chain, 1, revocations[i].now, &reason),
		    revocations[i].want);
		if (revocations[i].reason)
			T_OK_ROW(row, reason && strstr(reason, revocations[i].reason), "reason: %s",
				 reason ? reason : "");
		x509_store_free(s);
	}
	/* loading: two CRLs in one PEM text; garbage; truncated DER */
	struct x509_store *s = x509_store_new();
	uint8_t *two = malloc(gpeml + fpeml);
	if (s && two) {
		memcpy(two, gpem, gpeml);
		memcpy(two + gpeml, fpem, fpeml);
		T_EQ(x509_store_add_crls(s, two, gpeml + fpeml, &added), 0);
		T_EQ(added, 2);
		T_EQ(x509_store_add_crls(s, "garbage", 7, &added), ERR_INVAL);
		T_EQ(x509_store_add_crls(s, gder, gderl - 1, &added), ERR_INVAL);
		T_EQ(x509_store_add_crls(s, gpem, gpeml / 2, &added), ERR_INVAL);
	}
	free(two);
	x509_store_free(s);
out:
	free(gpem);
	free(gder);
	free(fpem);
	X509_CRL_free(good);
	X509_CRL_free(forged);
}

/* ---- identities ---- */

enum idform { TEXT, HEX, DNTEXT };

static const struct {
	int line;
	int cert;
	unsigned type;
	enum idform form;
	const char *id;
	int want;
} ids[] = {
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "moon.strongswan.org", 0},
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "VPN.strongSwan.ORG", 0},
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "sun.strongswan.org", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "moon.strongswan.org.evil.com", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "moon.strongswan.or", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "moon", ERR_AUTH}, /* CN is not a SAN */
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, HEX, "6d6f6f6e002e636f6d", ERR_INVAL},
    {__LINE__, EE_RSA, IKEV2_ID_FQDN, TEXT, "", ERR_INVAL},
    {__LINE__, EE_EC, IKEV2_ID_FQDN, TEXT, "sun.strongswan.org", 0},
    {__LINE__, EE_ED, IKEV2_ID_FQDN, TEXT, "carol.strongswan.org", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_RFC822_ADDR, TEXT, "moon@strongswan.org", 0},
    {__LINE__, EE_RSA, IKEV2_ID_RFC822_ADDR, TEXT, "sun@strongswan.org", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_RFC822_ADDR, TEXT, "moon.strongswan.org", ERR_AUTH},
    {__LINE__, EE_ED, IKEV2_ID_RFC822_ADDR, TEXT, "carol@strongswan.org", 0},
    {__LINE__, EE_ED, IKEV2_ID_RFC822_ADDR, TEXT, "Carol@StrongSwan.org", 0},
    {__LINE__, EE_RSA, IKEV2_ID_IPV4_ADDR, HEX, "c0a80001", 0},
    {__LINE__, EE_RSA, IKEV2_ID_IPV4_ADDR, HEX, "c0a80002", ERR_AUTH},
    {__LINE__, EE_EC, IKEV2_ID_IPV4_ADDR, HEX, "c0a80002", 0},
    {__LINE__, EE_RSA, IKEV2_ID_IPV4_ADDR, HEX, "c0a800", ERR_INVAL},
    {__LINE__, EE_RSA, IKEV2_ID_IPV4_ADDR, HEX, "c0a8000100", ERR_INVAL},
    {__LINE__, EE_RSA, IKEV2_ID_IPV6_ADDR, HEX, "fec00000000000000000000000000001", 0},
    {__LINE__, EE_RSA, IKEV2_ID_IPV6_ADDR, HEX, "fec00000000000000000000000000002", ERR_AUTH},
    {__LINE__, EE_ED, IKEV2_ID_IPV6_ADDR, HEX, "20010db800000000000000000000000c", 0},
    {__LINE__, EE_ED, IKEV2_ID_IPV4_ADDR, HEX, "c0a80001", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_IPV6_ADDR, HEX, "c0a80001", ERR_INVAL},
    /* the IPv4 address as an IPv4-mapped IPv6 address is a different identity */
    {__LINE__, EE_RSA, IKEV2_ID_IPV6_ADDR, HEX, "00000000000000000000ffffc0a80001", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, DNTEXT, "C=CH, O=strongSwan, CN=moon", 0},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, DNTEXT, "C=CH,O=strongSwan,CN=moon", 0},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, DNTEXT, "C=CH, O=strongswan, CN=MOON", 0},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, DNTEXT, "C=CH, O=strongSwan, CN=sun", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, DNTEXT, "O=strongSwan, C=CH, CN=moon", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, DNTEXT, "C=CH, O=strongSwan", ERR_AUTH},
    {__LINE__, EE_ED, IKEV2_ID_DER_ASN1_DN, DNTEXT,
     "C=CH, O=strongSwan\\, Inc., CN=carol@strongswan.org", 0},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, HEX, "3000", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_DN, HEX, "301f310b", ERR_AUTH},
    {__LINE__, EE_RSA, IKEV2_ID_KEY_ID, TEXT, "moon", ERR_UNSUPPORTED},
    {__LINE__, EE_RSA, IKEV2_ID_DER_ASN1_GN, HEX, "3000", ERR_UNSUPPORTED},
    {__LINE__, EE_RSA, 200, TEXT, "moon", ERR_UNSUPPORTED},
};

static int hex_decode(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	size_t n = strlen(hex) / 2;
	if (n > cap)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	*len = n;
	return 0;
}

static void test_ids(void)
{
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		int row = ids[i].line;
		uint8_t buf[256], *der = NULL;
		const uint8_t *id = buf;
		size_t len = 0;

		switch (ids[i].form) {
		case TEXT:
			len = strlen(ids[i].id);
			memcpy(buf, ids[i].id, len);
			break;
		case HEX:
			T_OK_ROW(row, hex_decode(ids[i].id, buf, sizeof(buf), &len) == 0, "hex");
			break;
		case DNTEXT:
			T_EQ_ROW(row, dn_from_text(ids[i].id, &der, &len), 0);
			id = der;
			break;
		}
		T_EQ_ROW(row, x509_match_id(certs[ids[i].cert], ids[i].type, id, len), ids[i].want);
		free(der);
	}
	/* the subject DER itself is ID_DER_ASN1_DN, and the config text gives the same bytes */
	const uint8_t *subj;
	size_t subjl, len = 0;
	uint8_t *der = NULL;
	x509_subject_der(certs[EE_RSA], &subj, &subjl);
	T_EQ(x509_match_id(certs[EE_RSA], IKEV2_ID_DER_ASN1_DN, subj, subjl), 0);
	T_EQ(x509_match_id(certs[EE_EC], IKEV2_ID_DER_ASN1_DN, subj, subjl), ERR_AUTH);
	/* this test PKI encodes UTF8String, the text parser PrintableString (as strongSwan):
	 * different bytes, the same name */
	T_EQ(dn_from_text("C=CH, O=strongSwan, CN=moon", &der, &len), 0);
	T_OK(der && (len != subjl || memcmp(der, subj, len) != 0), "string types differ");
	T_OK(der && dn_equal(der, len, subj, subjl), "same name");
	free(der);
}

/* ---- textual DNs ---- */

static const struct {
	int line;
	const char *in;
	int want;
	const char *out; /* the text form of the DER, NULL: same as in */
} dns[] = {
    {__LINE__, "C=CH, O=strongSwan, CN=moon", 0, NULL},
    {__LINE__, "  C = CH ,O=strongSwan,   CN=moon  ", 0, "C=CH, O=strongSwan, CN=moon"},
    {__LINE__, "CN=a\\,b", 0, "CN=a\\,b"},
    {__LINE__, "CN=a\\\\b", 0, "CN=a\\\\b"},
    {__LINE__, "CN=x=y", 0, NULL},
    {__LINE__, "E=carol@strongswan.org, CN=carol", 0, NULL},
    {__LINE__, "emailAddress=a@b.c", 0, "E=a@b.c"},
    {__LINE__, "2.5.4.3=moon, 1.2.3.4=x", 0, "CN=moon, 1.2.3.4=x"},
    {__LINE__, "CN=caf\xc3\xa9\xff", ERR_INVAL, NULL}, /* invalid UTF-8 */
    {__LINE__, "E=\xc3\xa9@b.c", ERR_INVAL, NULL},     /* IA5String only */
    {__LINE__, "CN=a\tb", ERR_INVAL, NULL},
    {__LINE__, "DC=org, DC=strongswan, OU=VPN, L=Zurich, ST=ZH, CN=gw", 0, NULL},
    {__LINE__, "CN=Zürich", 0, NULL},
    {__LINE__, "CN=\\ padded\\ ", 0, "CN=\\ padded\\ "},
    {__LINE__, "", ERR_INVAL, NULL},
    {__LINE__, "   ", ERR_INVAL, NULL},
    {__LINE__, "CN", ERR_INVAL, NULL},
    {__LINE__, "CN=", ERR_INVAL, NULL},
    {__LINE__, "=moon", ERR_INVAL, NULL},
    {__LINE__, "XYZ=moon", ERR_INVAL, NULL},
    {__LINE__, "CN=moon,,O=x", ERR_INVAL, NULL},
    {__LINE__, "CN=moon\\", ERR_INVAL, NULL},
    {__LINE__, "C=CHE", ERR_INVAL, NULL}, /* countryName is two letters */
};

static void test_dn_text(void)
{
	for (size_t i = 0; i < sizeof(dns) / sizeof(dns[0]); i++) {
		int row = dns[i].line;
		uint8_t *der = NULL, *der2 = NULL;
		size_t len = 0, len2 = 0;
		char text[512];
		const char *want = dns[i].out ? dns[i].out : dns[i].in;

		T_EQ_ROW(row, dn_from_text(dns[i].in, &der, &len), dns[i].want);
		if (!der)
			continue;
		T_EQ_ROW(row, dn_to_text(der, len, text, sizeof(text)), 0);
		T_OK_ROW(row, strcmp(text, want) == 0, "'%s' vs '%s'", text, want);
		/* and the text parses back to the same name */
		T_EQ_ROW(row, dn_from_text(text, &der2, &len2), 0);
		T_OK_ROW(row, der2 && dn_equal(der, len, der2, len2), "round trip");
		free(der);
		free(der2);
	}
	char text[16];
	T_EQ(dn_to_text((const uint8_t *)"\x30\x00\x00", 3, text, sizeof(text)), ERR_INVAL);
	T_EQ(dn_to_text((const uint8_t *)"\x31\x00", 2, text, sizeof(text)), ERR_INVAL);
	T_OK(!dn_equal((const uint8_t *)"\x30\x01", 2, (const uint8_t *)"\x30\x01", 2),
	     "malformed names never match");
}

/* ---- strongSwan's pki as an independent implementation ---- */

/* Runs a shell command (pki's plugin chatter on stderr discarded); 1 on success. */
static int sh(const char *fmt, const char *dir)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), "cd '%s' && ( %s ) 2>/dev/null", dir, fmt);
	return system(cmd) == 0;
}

/* The value of "label" in pki's output file (the text after the label, up to the line end,
 * quotes stripped); for keyid the hex on the following line. */
static int pki_field(const char *path, const char *label, bool next_line, char *out, size_t size)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f)) {
		char *p = strstr(line, label);
		if (!p)
			continue;
		if (next_line && !fgets(line, sizeof(line), f))
			break;
		p = next_line ? line : p + strlen(label);
		while (*p == ' ' || *p == '"')
			p++;
		size_t n = strcspn(p, "\"\n");
		if (n >= size)
			break;
		memcpy(out, p, n);
		out[n] = 0;
		found = 1;
	}
	fclose(f);
	return found;
}

static const struct {
	int line;
	const char *name, *keytype, *dn, *sans;
	enum sign_scheme scheme;
	unsigned id_type;
	const char *id;
	size_t id_len; /* 0: strlen(id) */
} pki_certs[] = {
    {__LINE__, "moon", "ecdsa --size 384", "C=CH, O=strongSwan Project, CN=moon.strongswan.org",
     "--san moon.strongswan.org --san 192.168.0.1 --san fec0::1", SIGN_ECDSA_P1363_SHA384,
     IKEV2_ID_FQDN, "moon.strongswan.org", 0},
    {__LINE__, "carol", "rsa --size 2048",
     "C=CH, O=strongSwan, OU=Research, E=carol@strongswan.org, CN=carol",
     "--san carol@strongswan.org", SIGN_RSA_PSS_SHA256, IKEV2_ID_RFC822_ADDR,
     "carol@strongswan.org", 0},
    {__LINE__, "dave", "ed25519", "C=CH, O=strongSwan, OU=Sales / EMEA, CN=dave", "--san 10.1.0.20",
     SIGN_ED25519, IKEV2_ID_IPV4_ADDR, "\x0a\x01\x00\x14", 4},
};

static void test_strongswan_pki(void)
{
	char dir[] = "/tmp/rampart-test-pki-XXXXXX";
	char cmd[1024], path[512], want[512], got[512];
	struct x509 *ca = NULL;
	struct x509_store *store = NULL;
	int64_t now;

	T_OK(access("/usr/bin/pki", X_OK) == 0, "strongSwan pki installed (strongswan-pki)");
	if (!mkdtemp(dir))
		return;
	T_OK(sh("pki --gen --type ed25519 --outform pem > ca.key && "
		"pki --self --ca --lifetime 3650 --in ca.key --outform pem "
		"--dn 'C=CH, O=strongSwan, CN=strongSwan Root CA' > ca.crt",
		dir),
	     "pki CA");
	snprintf(path, sizeof(path), "%s/ca.crt", dir);
	T_EQ(x509_load_file(path, &ca), 0);
	store = x509_store_new();
	if (!ca || !store || x509_store_add(store, ca) != 0)
		goto out;
	for (size_t i = 0; i < sizeof(pki_certs) / sizeof(pki_certs[0]); i++) {
		int row = pki_certs[i].line;
		const char *n = pki_certs[i].name;
		struct x509 *c = NULL;
		struct pkey *priv = NULL, *pub = NULL, *pubfile = NULL;
		uint8_t *der = NULL, *sig = NULL, hash[PKEY_SHA1_LEN];
		size_t len = 0, sigl = 0;
		const uint8_t *subj;
		size_t subjl;
		const char *reason = NULL;

		snprintf(cmd, sizeof(cmd),
			 "pki --gen --type %s --outform pem > %s.key && "
			 "pki --pub --in %s.key --outform pem > %s.pub && "
			 "pki --issue --cacert ca.crt --cakey ca.key --type priv --in %s.key "
			 "--dn \"%s\" %s --outform pem > %s.crt && "
			 "pki --print --in %s.crt > %s.txt && "
			 "pki --keyid --type x509 --in %s.crt > %s.keyid",
			 pki_certs[i].keytype, n, n, n, n, pki_certs[i].dn, pki_certs[i].sans, n, n,
			 n, n, n);
		T_OK_ROW(row, sh(cmd, dir), "pki issue %s", n);
		snprintf(path, sizeof(path), "%s/%s.crt", dir, n);
		T_EQ_ROW(row, x509_load_file(path, &c), 0);
		if (!c)
			continue;
		/* subject text as strongSwan prints it */
		snprintf(path, sizeof(path), "%s/%s.txt", dir, n);
		T_OK_ROW(row, pki_field(path, "subject:", false, want, sizeof(want)),
			 "pki subject");
		T_EQ_ROW(row, x509_subject_text(c, got, sizeof(got)), 0);
		T_OK_ROW(row, strcmp(got, want) == 0, "'%s' vs pki '%s'", got, want);
		/* the configured DN text encodes to strongSwan's bytes */
		x509_subject_der(c, &subj, &subjl);
		T_EQ_ROW(row, dn_from_text(pki_certs[i].dn, &der, &len), 0);
		T_MEM_ROW(row, der, len, subj, subjl);
		T_EQ_ROW(row, x509_match_id(c, IKEV2_ID_DER_ASN1_DN, der, len), 0);
		T_EQ_ROW(row,
			 x509_match_id(c, pki_certs[i].id_type, (const uint8_t *)pki_certs[i].id,
				       pki_certs[i].id_len ? pki_certs[i].id_len
							   : strlen(pki_certs[i].id)),
			 0);
		/* SPKI SHA-1 as pki computes it */
		snprintf(path, sizeof(path), "%s/%s.keyid", dir, n);
		T_OK_ROW(row,
			 pki_field(path, "SHA-1 of subjectPublicKeyInfo", true, want, sizeof(want)),
			 "pki keyid");
		T_EQ_ROW(row, x509_spki_sha1(c, hash), 0);
		for (size_t b = 0; b < sizeof(hash); b++)
			snprintf(got + 3 * b, 4, b + 1 < sizeof(hash) ? "%02x:" : "%02x", hash[b]);
		T_OK_ROW(row, strcmp(got, want) == 0, "%s vs pki %s", got, want);
		/* chain a minute after issuing (pki's notBefore is the issuing second), and
		 * twenty years on */
		now = (int64_t)time(NULL) + 60;
		T_EQ_ROW(row, x509_verify(store, c, NULL, 0, now, &reason), 0);
		T_EQ_ROW(row, x509_verify(store, c, NULL, 0, now + 7300 * DAY, &reason), ERR_AUTH);
		/* pki's key files: private key signs, certificate and pub file verify */
		snprintf(path, sizeof(path), "%s/%s.key", dir, n);
		T_EQ_ROW(row, pkey_load_private_file(path, NULL, &priv), 0);
		snprintf(path, sizeof(path), "%s/%s.pub", dir, n);
		T_EQ_ROW(row, pkey_load_public_file(path, &pubfile), 0);
		T_EQ_ROW(row, x509_public_key(c, &pub), 0);
		if (priv && pub && pubfile) {
			T_OK_ROW(row, pkey_public_equal(pub, pubfile), "pub file == cert key");
			T_EQ_ROW(row, sign_create(priv, pki_certs[i].scheme, "x", 1, &sig, &sigl),
				 0);
			T_EQ_ROW(row, sign_verify(pub, pki_certs[i].scheme, "x", 1, sig, sigl), 0);
		}
		free(sig);
		free(der);
		pkey_free(priv);
		pkey_free(pub);
		pkey_free(pubfile);
		x509_free(c);
	}
out:
	x509_store_free(store);
	x509_free(ca);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	T_OK(system(cmd) == 0, "cleanup");
}

int main(void)
{
	if (!setup()) {
		T_OK(0, "PKI setup");
		teardown();
		return t_finish();
	}
	test_load();
	test_keys_and_names();
	test_sans();
	test_chains();
	test_crls();
	test_ids();
	test_dn_text();
	test_strongswan_pki();
	teardown();
	return t_finish();
}
