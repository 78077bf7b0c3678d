/* Signatures over OpenSSL 3 EVP_DigestSign / EVP_DigestVerify (see sign.h for the contract). */
#include "crypto/sign.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "lib/err.h"

enum sign_kind { K_RSA_PKCS1, K_RSA_PSS, K_ECDSA, K_ECDSA_P1363, K_EDDSA, K_RSA_RAW };

/* RFC 7427 Appendix A encodings (PKCS#1 with NULL parameters; RSASSA-PSS with explicit
 * SHA-2 hash, MGF1 over the same hash and salt length = hash length, trailer default;
 * ECDSA and EdDSA without parameters). test_sign checks each against OpenSSL's encoding. */
static const uint8_t algid_rsa_sha1[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					 0xf7, 0x0d, 0x01, 0x01, 0x05, 0x05, 0x00};
static const uint8_t algid_rsa_sha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					   0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};
static const uint8_t algid_rsa_sha384[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					   0xf7, 0x0d, 0x01, 0x01, 0x0c, 0x05, 0x00};
static const uint8_t algid_rsa_sha512[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
					   0xf7, 0x0d, 0x01, 0x01, 0x0d, 0x05, 0x00};
#define PSS_ALGID(h, s)                                                                            \
	{                                                                                          \
		0x30, 0x41, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a,      \
		    0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,  \
		    0x03, 0x04, 0x02, (h), 0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a,   \
		    0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60,  \
		    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, (h), 0x05, 0x00, 0xa2, 0x03, 0x02,   \
		    0x01, (s)                                                                      \
	}
static const uint8_t algid_pss_sha256[] = PSS_ALGID(0x01, 0x20);
static const uint8_t algid_pss_sha384[] = PSS_ALGID(0x02, 0x30);
static const uint8_t algid_pss_sha512[] = PSS_ALGID(0x03, 0x40);
static const uint8_t algid_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					     0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t algid_ecdsa_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					     0x48, 0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t algid_ecdsa_sha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					     0x48, 0xce, 0x3d, 0x04, 0x03, 0x04};
static const uint8_t algid_ed25519[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70};
static const uint8_t algid_ed448[] = {0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x71};

struct scheme_desc {
	enum sign_scheme s;
	const char *name;
	enum sign_kind kind;
	const char *md;	   /* digest name; NULL for EdDSA */
	int sig_nid;	   /* NID of the AlgorithmIdentifier; NID_undef for r || s ECDSA */
	int md_nid;	   /* NID of the digest (PSS parameter checks) */
	enum pkey_type ed; /* EdDSA key type */
	const uint8_t *algid;
	size_t algid_len;
};

#define A(x) x, sizeof(x)
static const struct scheme_desc schemes[] = {
    {SIGN_RSA_PKCS1_SHA1, "RSA_PKCS1_SHA1", K_RSA_PKCS1, "SHA1", NID_sha1WithRSAEncryption,
     NID_sha1, PKEY_NONE, A(algid_rsa_sha1)},
    {SIGN_RSA_PKCS1_SHA256, "RSA_PKCS1_SHA256", K_RSA_PKCS1, "SHA256", NID_sha256WithRSAEncryption,
     NID_sha256, PKEY_NONE, A(algid_rsa_sha256)},
    {SIGN_RSA_PKCS1_SHA384, "RSA_PKCS1_SHA384", K_RSA_PKCS1, "SHA384", NID_sha384WithRSAEncryption,
     NID_sha384, PKEY_NONE, A(algid_rsa_sha384)},
    {SIGN_RSA_PKCS1_SHA512, "RSA_PKCS1_SHA512", K_RSA_PKCS1, "SHA512", NID_sha512WithRSAEncryption,
     NID_sha512, PKEY_NONE, A(algid_rsa_sha512)},
    {SIGN_RSA_PSS_SHA256, "RSA_PSS_SHA256", K_RSA_PSS, "SHA256", NID_rsassaPss, NID_sha256,
     PKEY_NONE, A(algid_pss_sha256)},
    {SIGN_RSA_PSS_SHA384, "RSA_PSS_SHA384", K_RSA_PSS, "SHA384", NID_rsassaPss, NID_sha384,
     PKEY_NONE, A(algid_pss_sha384)},
    {SIGN_RSA_PSS_SHA512, "RSA_PSS_SHA512", K_RSA_PSS, "SHA512", NID_rsassaPss, NID_sha512,
     PKEY_NONE, A(algid_pss_sha512)},
    {SIGN_ECDSA_SHA256, "ECDSA_SHA256", K_ECDSA, "SHA256", NID_ecdsa_with_SHA256, NID_sha256,
     PKEY_NONE, A(algid_ecdsa_sha256)},
    {SIGN_ECDSA_SHA384, "ECDSA_SHA384", K_ECDSA, "SHA384", NID_ecdsa_with_SHA384, NID_sha384,
     PKEY_NONE, A(algid_ecdsa_sha384)},
    {SIGN_ECDSA_SHA512, "ECDSA_SHA512", K_ECDSA, "SHA512", NID_ecdsa_with_SHA512, NID_sha512,
     PKEY_NONE, A(algid_ecdsa_sha512)},
    {SIGN_ECDSA_P1363_SHA256, "ECDSA_P1363_SHA256", K_ECDSA_P1363, "SHA256", NID_undef, NID_sha256,
     PKEY_NONE, NULL, 0},
    {SIGN_ECDSA_P1363_SHA384, "ECDSA_P1363_SHA384", K_ECDSA_P1363, "SHA384", NID_undef, NID_sha384,
     PKEY_NONE, NULL, 0},
    {SIGN_ECDSA_P1363_SHA512, "ECDSA_P1363_SHA512", K_ECDSA_P1363, "SHA512", NID_undef, NID_sha512,
     PKEY_NONE, NULL, 0},
    {SIGN_ED25519, "ED25519", K_EDDSA, NULL, NID_ED25519, NID_undef, PKEY_ED25519,
     A(algid_ed25519)},
    {SIGN_ED448, "ED448", K_EDDSA, NULL, NID_ED448, NID_undef, PKEY_ED448, A(algid_ed448)},
    {SIGN_RSA_PKCS1_RAW, "RSA_PKCS1_RAW", K_RSA_RAW, NULL, NID_undef, NID_undef, PKEY_NONE, NULL,
     0},
};
#undef A

static const struct scheme_desc *scheme_find(enum sign_scheme s)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (schemes[i].s == s)
			return &schemes[i];
	return NULL;
}

const char *sign_scheme_name(enum sign_scheme s)
{
	const struct scheme_desc *d = scheme_find(s);
	return d ? d->name : "unknown";
}

static bool fits(const struct scheme_desc *d, const struct pkey *k)
{
	enum pkey_type t = pkey_type(k);

	switch (d->kind) {
	case K_RSA_PKCS1:
	case K_RSA_RAW:
		return t == PKEY_RSA;
	case K_RSA_PSS:
		return t == PKEY_RSA || t == PKEY_RSA_PSS;
	case K_ECDSA:
	case K_ECDSA_P1363:
		return t == PKEY_EC;
	case K_EDDSA:
		return t == d->ed;
	}
	return false;
}

const char *sign_scheme_digest(enum sign_scheme s)
{
	const struct scheme_desc *d = scheme_find(s);
	return d ? d->md : NULL;
}

size_t sign_schemes_for_key(const struct pkey *k, enum sign_scheme *out, size_t cap)
{
	static const enum sign_scheme rsa[] = {SIGN_RSA_PSS_SHA256,   SIGN_RSA_PSS_SHA384,
					       SIGN_RSA_PSS_SHA512,   SIGN_RSA_PKCS1_SHA256,
					       SIGN_RSA_PKCS1_SHA384, SIGN_RSA_PKCS1_SHA512};
	static const enum sign_scheme ec256[] = {SIGN_ECDSA_SHA256, SIGN_ECDSA_SHA384,
						 SIGN_ECDSA_SHA512};
	static const enum sign_scheme ec384[] = {SIGN_ECDSA_SHA384, SIGN_ECDSA_SHA512,
						 SIGN_ECDSA_SHA256};
	static const enum sign_scheme ec521[] = {SIGN_ECDSA_SHA512, SIGN_ECDSA_SHA384,
						 SIGN_ECDSA_SHA256};
	static const enum sign_scheme ed25519[] = {SIGN_ED25519};
	static const enum sign_scheme ed448[] = {SIGN_ED448};
	const enum sign_scheme *list = NULL;
	size_t n = 0, i;

	switch (pkey_type(k)) {
	case PKEY_RSA:
		list = rsa, n = 6;
		break;
	case PKEY_RSA_PSS:
		list = rsa, n = 3;
		break;
	case PKEY_EC:
		list = pkey_bits(k) <= 256 ? ec256 : pkey_bits(k) <= 384 ? ec384 : ec521;
		n = 3;
		break;
	case PKEY_ED25519:
		list = ed25519, n = 1;
		break;
	case PKEY_ED448:
		list = ed448, n = 1;
		break;
	case PKEY_NONE:
		break;
	}
	for (i = 0; i < n && i < cap; i++)
		out[i] = list[i];
	return i;
}

bool sign_scheme_fits(enum sign_scheme s, const struct pkey *k)
{
	const struct scheme_desc *d = scheme_find(s);
	return d && k && fits(d, k);
}

/* Length of r and of s in the r || s form: the byte length of the group order. */
static size_t ecdsa_half(const struct pkey *k)
{
	return (pkey_bits(k) + 7) / 8;
}

/* A digest-sign/verify context for scheme d with key k. */
static int md_init(const struct scheme_desc *d, const struct pkey *k, bool sign, EVP_MD_CTX **out)
{
	EVP_MD_CTX *mctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	if (!mctx)
		return ERR_NOMEM;
	if (sign)
		ok = EVP_DigestSignInit_ex(mctx, &pctx, d->md, NULL, NULL, pkey_evp(k), NULL);
	else
		ok = EVP_DigestVerifyInit_ex(mctx, &pctx, d->md, NULL, NULL, pkey_evp(k), NULL);
	if (ok == 1 && d->kind == K_RSA_PSS)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, d->md, NULL) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
	else if (ok == 1 && d->kind == K_RSA_PKCS1)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
	if (ok != 1) {
		EVP_MD_CTX_free(mctx);
		ERR_clear_error();
		return ERR_CRYPTO;
	}
	*out = mctx;
	return 0;
}

/* DER Ecdsa-Sig-Value -> r || s, each half bytes. */
static int der_to_p1363(const uint8_t *der, size_t derlen, size_t half, uint8_t **out,
			size_t *outlen)
{
	const unsigned char *p = der;
	ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	const BIGNUM *r, *s;
	uint8_t *buf = NULL;
	int err = ERR_CRYPTO;

	if (!es)
		goto out;
	ECDSA_SIG_get0(es, &r, &s);
	err = ERR_NOMEM;
	buf = malloc(2 * half);
	if (!buf)
		goto out;
	err = ERR_CRYPTO;
	if (BN_bn2binpad(r, buf, (int)half) < 0 || BN_bn2binpad(s, buf + half, (int)half) < 0)
		goto out;
	*out = buf;
	*outlen = 2 * half;
	buf = NULL;
	err = 0;
out:
	free(buf);
	ECDSA_SIG_free(es);
	return err;
}

/* r || s -> DER Ecdsa-Sig-Value (OPENSSL_malloc'd). */
static int p1363_to_der(const uint8_t *sig, size_t len, uint8_t **der, size_t *derlen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, (int)(len / 2), NULL);
	BIGNUM *s = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
	unsigned char *buf = NULL;
	int n, err = ERR_NOMEM;

	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL; /* owned by es now */
	n = i2d_ECDSA_SIG(es, &buf);
	if (n <= 0)
		goto out;
	*der = buf;
	*derlen = (size_t)n;
	err = 0;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return err;
}

/* IKEv1 RSA signatures: PKCS#1 v1.5 type 1 padding around the data itself, no DigestInfo. */
static int raw_create(const struct pkey *k, const void *data, size_t len, uint8_t **sig,
		      size_t *siglen)
{
	EVP_PKEY_CTX *ctx = NULL;
	uint8_t *buf = NULL;
	size_t n = 0, modlen = (pkey_bits(k) + 7) / 8;
	int err = ERR_INVAL;

	if (len + 11 > modlen)
		goto out;
	err = ERR_CRYPTO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey_evp(k), NULL);
	if (!ctx || EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_sign(ctx, NULL, &n, data, len) != 1)
		goto out;
	err = ERR_NOMEM;
	buf = malloc(n);
	if (!buf)
		goto out;
	err = ERR_CRYPTO;
	if (EVP_PKEY_sign(ctx, buf, &n, data, len) != 1 || n != modlen)
		goto out;
	*sig = buf;
	*siglen = n;
	buf = NULL;
	err = 0;
out:
	free(buf);
	EVP_PKEY_CTX_free(ctx);
	return err;
}

static int raw_verify(const struct pkey *k, const void *data, size_t len, const uint8_t *sig,
		      size_t siglen)
{
	EVP_PKEY_CTX *ctx = NULL;
	int err = ERR_AUTH;

	if (siglen != (pkey_bits(k) + 7) / 8)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey_evp(k), NULL);
	if (ctx && EVP_PKEY_verify_init(ctx) == 1 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
	    EVP_PKEY_verify(ctx, sig, siglen, data, len) == 1)
		err = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	return err;
}

int sign_create(const struct pkey *k, enum sign_scheme s, const void *data, size_t len,
		uint8_t **sig, size_t *siglen)
{
	const struct scheme_desc *d = scheme_find(s);
	EVP_MD_CTX *mctx = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	int err = ERR_INVAL;

	if (!d || !k || !fits(d, k) || !pkey_has_private(k))
		goto out;
	if (d->kind == K_RSA_RAW) {
		err = raw_create(k, data, len, sig, siglen);
		goto out;
	}
	err = md_init(d, k, true, &mctx);
	if (err)
		goto out;
	err = ERR_CRYPTO;
	if (EVP_DigestSign(mctx, NULL, &n, data, len) != 1)
		goto out;
	err = ERR_NOMEM;
	buf = malloc(n ? n : 1);
	if (!buf)
		goto out;
	err = ERR_CRYPTO;
	if (EVP_DigestSign(mctx, buf, &n, data, len) != 1)
		goto out;
	if (d->kind == K_ECDSA_P1363) {
		uint8_t *raw = NULL;
		size_t rawlen = 0;
		err = der_to_p1363(buf, n, ecdsa_half(k), &raw, &rawlen);
		if (err)
			goto out;
		free(buf);
		buf = raw;
		n = rawlen;
	}
	*sig = buf;
	*siglen = n;
	buf = NULL;
	err = 0;
out:
	if (err)
		ERR_clear_error();
	free(buf);
	EVP_MD_CTX_free(mctx);
	return err;
}

int sign_verify(const struct pkey *k, enum sign_scheme s, const void *data, size_t len,
		const uint8_t *sig, size_t siglen)
{
	const struct scheme_desc *d = scheme_find(s);
	EVP_MD_CTX *mctx = NULL;
	uint8_t *der = NULL;
	int err = ERR_INVAL;

	if (!d || !k || !fits(d, k))
		goto out;
	err = ERR_AUTH;
	if (!sig || siglen == 0)
		goto out;
	if (d->kind == K_RSA_RAW) {
		err = raw_verify(k, data, len, sig, siglen);
		goto out;
	}
	if (d->kind == K_ECDSA_P1363) {
		if (siglen != 2 * ecdsa_half(k))
			goto out;
		err = p1363_to_der(sig, siglen, &der, &siglen);
		if (err)
			goto out;
		sig = der;
	}
	err = md_init(d, k, false, &mctx);
	if (err)
		goto out;
	err = EVP_DigestVerify(mctx, sig, siglen, data, len) == 1 ? 0 : ERR_AUTH;
out:
	if (err)
		ERR_clear_error();
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	return err;
}

int sign_algid(enum sign_scheme s, const uint8_t **der, size_t *len)
{
	const struct scheme_desc *d = scheme_find(s);

	if (!d || !d->algid)
		return ERR_UNSUPPORTED;
	*der = d->algid;
	*len = d->algid_len;
	return 0;
}

/* An AlgorithmIdentifier naming a hash (PSS hashAlgorithm, MGF1 parameter): its digest NID
 * when the parameters are absent or NULL, NID_undef otherwise. */
static int hash_alg_nid(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;

	if (!alg)
		return NID_undef;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (ptype != V_ASN1_UNDEF && ptype != V_ASN1_NULL)
		return NID_undef;
	return OBJ_obj2nid(obj);
}

/* RSASSA-PSS-params (RFC 8017 A.2.3) with the hash, MGF1 over the same hash, salt length =
 * hash length and trailer field 1: the matching PSS scheme, or SIGN_NONE. */
static enum sign_scheme pss_scheme(const ASN1_STRING *seq)
{
	const unsigned char *p = ASN1_STRING_get0_data(seq);
	long plen = ASN1_STRING_length(seq);
	RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, plen);
	enum sign_scheme out = SIGN_NONE;
	X509_ALGOR *mgf_hash = NULL;
	const ASN1_OBJECT *mgf_obj;
	const void *mgf_pval;
	int mgf_ptype, md_nid;
	int64_t salt = 0, trailer = 1;

	if (!pss || p != ASN1_STRING_get0_data(seq) + plen)
		goto out;
	md_nid = hash_alg_nid(pss->hashAlgorithm); /* absent: SHA-1, unsupported */
	if (!pss->maskGenAlgorithm)
		goto out;
	X509_ALGOR_get0(&mgf_obj, &mgf_ptype, &mgf_pval, pss->maskGenAlgorithm);
	if (OBJ_obj2nid(mgf_obj) != NID_mgf1 || mgf_ptype != V_ASN1_SEQUENCE)
		goto out;
	const ASN1_STRING *ms = mgf_pval;
	const unsigned char *mp = ASN1_STRING_get0_data(ms);
	long mlen = ASN1_STRING_length(ms);
	mgf_hash = d2i_X509_ALGOR(NULL, &mp, mlen);
	if (!mgf_hash || mp != ASN1_STRING_get0_data(ms) + mlen || hash_alg_nid(mgf_hash) != md_nid)
		goto out;
	if (!pss->saltLength || !ASN1_INTEGER_get_int64(&salt, pss->saltLength))
		goto out;
	if (pss->trailerField && !ASN1_INTEGER_get_int64(&trailer, pss->trailerField))
		goto out;
	if (trailer != 1)
		goto out;
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		const EVP_MD *md;
		if (schemes[i].kind != K_RSA_PSS || schemes[i].md_nid != md_nid)
			continue;
		md = EVP_get_digestbynid(md_nid);
		if (md && salt == EVP_MD_get_size(md))
			out = schemes[i].s;
	}
out:
	X509_ALGOR_free(mgf_hash);
	RSA_PSS_PARAMS_free(pss);
	return out;
}

int sign_algid_parse(const uint8_t *der, size_t len, enum sign_scheme *out)
{
	const unsigned char *p = der;
	X509_ALGOR *alg = NULL;
	unsigned char *re = NULL;
	const ASN1_OBJECT *obj;
	const void *pval;
	enum sign_scheme found = SIGN_NONE;
	int ptype, nid, relen, err = ERR_INVAL;

	if (!der || len == 0 || len > 1024)
		goto out;
	alg = d2i_X509_ALGOR(NULL, &p, (long)len);
	if (!alg || p != der + len)
		goto out;
	/* DER only: the re-encoding must give back the same bytes */
	relen = i2d_X509_ALGOR(alg, &re);
	if (relen <= 0 || (size_t)relen != len || memcmp(re, der, len) != 0)
		goto out;
	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	nid = OBJ_obj2nid(obj);
	err = ERR_UNSUPPORTED;
	if (nid == NID_undef)
		goto out;
	if (nid == NID_rsassaPss) {
		if (ptype == V_ASN1_SEQUENCE)
			found = pss_scheme(pval);
	} else {
		for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
			if (schemes[i].sig_nid != nid || schemes[i].kind == K_RSA_PSS)
				continue;
			if (ptype == V_ASN1_UNDEF || ptype == V_ASN1_NULL)
				found = schemes[i].s;
		}
	}
	if (found == SIGN_NONE)
		goto out;
	*out = found;
	err = 0;
out:
	ERR_clear_error();
	OPENSSL_free(re);
	X509_ALGOR_free(alg);
	return err;
}
