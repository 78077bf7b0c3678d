/* Keys and signatures: every Wycheproof case for ECDSA (DER and r || s), RSA PKCS#1 v1.5,
 * RSA-PSS, Ed25519 and Ed448 (valid must verify, invalid must fail); RFC 8032 Ed25519 known
 * answer; key loading from PEM/DER/PKCS#1/PKCS#8/encrypted; round trips for every scheme,
 * cross-checked with OpenSSL directly; RFC 7427 AlgorithmIdentifiers against OpenSSL's own
 * encoding and the parser's accept/reject table.
 *
 * Wycheproof "acceptable" RSA PKCS#1 case (DigestInfo with the NULL parameter missing): we
 * follow OpenSSL, which re-encodes the DigestInfo with NULL and compares (RFC 8017 §8.2.2
 * step 4), so the case is rejected. Checked explicitly below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/pkey.h"
#include "crypto/sign.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"

/* ---- Wycheproof ---- */

static enum sign_scheme scheme_for(const char *kind, const char *sha)
{
	int h = strcmp(sha, "SHA-256") == 0   ? 256
		: strcmp(sha, "SHA-384") == 0 ? 384
		: strcmp(sha, "SHA-512") == 0 ? 512
					      : 0;
	if (strcmp(kind, "ecdsa") == 0)
		return h == 256	  ? SIGN_ECDSA_SHA256
		       : h == 384 ? SIGN_ECDSA_SHA384
				  : SIGN_ECDSA_SHA512;
	if (strcmp(kind, "p1363") == 0)
		return h == 256	  ? SIGN_ECDSA_P1363_SHA256
		       : h == 384 ? SIGN_ECDSA_P1363_SHA384
				  : SIGN_ECDSA_P1363_SHA512;
	if (strcmp(kind, "pkcs1") == 0)
		return h == 256	  ? SIGN_RSA_PKCS1_SHA256
		       : h == 384 ? SIGN_RSA_PKCS1_SHA384
				  : SIGN_RSA_PKCS1_SHA512;
	if (strcmp(kind, "pss") == 0)
		return h == 256	  ? SIGN_RSA_PSS_SHA256
		       : h == 384 ? SIGN_RSA_PSS_SHA384
				  : SIGN_RSA_PSS_SHA512;
	return SIGN_NONE;
}

static struct pkey *load_hex_public(const char *hex)
{
	uint8_t *der = NULL;
	size_t len;
	struct pkey *k = NULL;

	if (vec_hex(hex, &der, &len) == 0)
		T_OK(pkey_load_public(der, len, &k) == 0, "load public DER");
	free(der);
	return k;
}

/* DigestInfo (RFC 8017 §9.2 note 1) || hash of msg for a PKCS#1 scheme; its length or 0. */
static size_t digest_info(enum sign_scheme s, const uint8_t *msg, size_t len, uint8_t *out)
{
	static const uint8_t p256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				       0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
	static const uint8_t p384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				       0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
	static const uint8_t p512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
				       0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};
	const uint8_t *prefix = s == SIGN_RSA_PKCS1_SHA256   ? p256
				: s == SIGN_RSA_PKCS1_SHA384 ? p384
				: s == SIGN_RSA_PKCS1_SHA512 ? p512
							     : NULL;
	const EVP_MD *md = s == SIGN_RSA_PKCS1_SHA256	? EVP_sha256()
			   : s == SIGN_RSA_PKCS1_SHA384 ? EVP_sha384()
							: EVP_sha512();
	unsigned int hl = 0;

	if (!prefix)
		return 0;
	memcpy(out, prefix, 19);
	if (EVP_Digest(msg, len, out + 19, &hl, md, NULL) != 1)
		return 0;
	return 19 + hl;
}

/* kind: "ecdsa", "p1363", "pkcs1", "pss", "ed25519", "ed448" */
static void wycheproof_verify(const char *file, const char *kind, size_t want_cases)
{
	json_t *j = vec_load(file);
	size_t gi, ti, cases = 0, valid = 0, rejected = 0;
	json_t *g, *t;

	if (!j)
		return;
	json_array_foreach(json_object_get(j, "testGroups"), gi, g)
	{
		enum sign_scheme s;
		struct pkey *k = load_hex_public(vec_str(g, "publicKeyDer"));
		struct pkey *kp = NULL;
		const char *pem = vec_str(g, "publicKeyPem");

		if (strcmp(kind, "ed25519") == 0)
			s = SIGN_ED25519;
		else if (strcmp(kind, "ed448") == 0)
			s = SIGN_ED448;
		else
			s = scheme_for(kind, vec_str(g, "sha"));
		if (strcmp(kind, "pss") == 0) {
			/* the files used here are MGF1 with the same hash, salt = hash length */
			T_OK(strcmp(vec_str(g, "mgfSha"), vec_str(g, "sha")) == 0, "mgf hash");
		}
		/* the PEM form of the same key loads to the same key */
		T_OK(*pem && pkey_load_public(pem, strlen(pem), &kp) == 0, "%s: PEM key", file);
		T_OK(k && kp && pkey_public_equal(k, kp), "%s: PEM == DER", file);
		pkey_free(kp);
		if (!k)
			continue;
		T_OK(sign_scheme_fits(s, k), "%s: scheme %s fits", file, sign_scheme_name(s));
		json_array_foreach(json_object_get(g, "tests"), ti, t)
		{
			uint8_t *msg = NULL, *sig = NULL;
			size_t msgl, sigl;
			int id = (int)json_integer_value(json_object_get(t, "tcId"));
			const char *result = vec_str(t, "result");
			int err;

			cases++;
			if (vec_hex_member(t, "msg", &msg, &msgl) ||
			    vec_hex_member(t, "sig", &sig, &sigl)) {
				T_OK(0, "%s tc %d: bad hex", file, id);
				goto next;
			}
			err = sign_verify(k, s, msg, msgl, sig, sigl);
			if (strcmp(kind, "pkcs1") == 0) {
				/* IKEv1's raw form over DigestInfo || hash decides the same */
				uint8_t di[19 + 64];
				size_t dil = digest_info(s, msg, msgl, di);
				T_OK(dil > 0, "DigestInfo");
				T_EQ(sign_verify(k, SIGN_RSA_PKCS1_RAW, di, dil, sig, sigl), err);
			}
			if (strcmp(result, "valid") == 0) {
				T_OK(err == 0, "%s tc %d: valid -> %d", file, id, err);
				valid += err == 0;
			} else {
				/* invalid, and the one acceptable PKCS#1 case (see top) */
				T_OK(err == ERR_AUTH, "%s tc %d (%s, %s) must fail: %d", file, id,
				     result, vec_str(t, "comment"), err);
				rejected += err == ERR_AUTH;
			}
		next:
			free(msg);
			free(sig);
		}
		pkey_free(k);
	}
	T_EQ(cases, want_cases);
	T_OK(valid > 0 && rejected > 0, "%s: %zu valid, %zu rejected", file, valid, rejected);
	json_decref(j);
}

/* ---- RFC 8032 §7.1 TEST 1, loaded as PKCS#8 DER ---- */

static void test_ed25519_kat(void)
{
	static const char *pkcs8 =
	    "302e020100300506032b657004220420"
	    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
	static const char *spki =
	    "302a300506032b6570032100"
	    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
	static const char *want =
	    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
	    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
	uint8_t *priv = NULL, *pub = NULL, *wsig = NULL, *sig = NULL;
	size_t privl, publ, wsigl, sigl = 0;
	struct pkey *k = NULL, *kpub = NULL;

	if (vec_hex(pkcs8, &priv, &privl) || vec_hex(spki, &pub, &publ) ||
	    vec_hex(want, &wsig, &wsigl))
		goto out;
	T_EQ(pkey_load_private(priv, privl, NULL, &k), 0);
	T_EQ(pkey_load_public(pub, publ, &kpub), 0);
	if (!k || !kpub)
		goto out;
	T_EQ(pkey_type(k), PKEY_ED25519);
	T_OK(pkey_has_private(k), "private");
	T_OK(!pkey_has_private(kpub), "public only");
	T_OK(pkey_public_equal(k, kpub), "public half matches RFC 8032");
	T_EQ(sign_create(k, SIGN_ED25519, "", 0, &sig, &sigl), 0);
	T_MEM(sig, sigl, wsig, wsigl);
	T_EQ(sign_verify(kpub, SIGN_ED25519, "", 0, wsig, wsigl), 0);
	T_EQ(sign_create(kpub, SIGN_ED25519, "", 0, &sig, &sigl), ERR_INVAL); /* no private */
out:
	free(priv);
	free(pub);
	free(wsig);
	free(sig);
	pkey_free(k);
	pkey_free(kpub);
}

/* SHA-1 of the SubjectPublicKeyInfo of two Wycheproof keys, computed independently (Python
 * hashlib over publicKeyDer). */
static void test_spki_sha1(void)
{
	static const struct {
		int line;
		const char *file;
		const char *sha1;
	} rows[] = {
	    {__LINE__, "wycheproof/ed25519_test.json", "c0716b15b9776c47b45b4d1ba8d350e30a5a73dd"},
	    {__LINE__, "wycheproof/ecdsa_secp256r1_sha256_test.json",
	     "2af0de25f42d05f916ccdb882fb8f7d97ea7d000"},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		json_t *j = vec_load(rows[i].file);
		const json_t *g = json_array_get(json_object_get(j, "testGroups"), 0);
		struct pkey *k = load_hex_public(vec_str(g, "publicKeyDer"));
		uint8_t got[PKEY_SHA1_LEN], *want = NULL, *der = NULL, *spki = NULL;
		size_t wantl, derl = 0, spkil = 0;

		T_OK_ROW(rows[i].line, k != NULL, "key");
		if (k && vec_hex(rows[i].sha1, &want, &wantl) == 0) {
			T_EQ_ROW(rows[i].line, pkey_spki_sha1(k, got), 0);
			T_MEM_ROW(rows[i].line, got, sizeof(got), want, wantl);
			T_EQ_ROW(rows[i].line, pkey_spki_der(k, &der, &derl), 0);
			T_OK_ROW(rows[i].line,
				 vec_hex(vec_str(g, "publicKeyDer"), &spki, &spkil) == 0, "hex");
			T_MEM_ROW(rows[i].line, der, derl, spki, spkil);
		}
		free(want);
		free(der);
		free(spki);
		pkey_free(k);
		json_decref(j);
	}
}

/* ---- key serialisation with OpenSSL, loading with pkey ---- */

static int bio_bytes(BIO *b, uint8_t **out, size_t *len)
{
	char *p;
	long n = BIO_get_mem_data(b, &p);
	if (n <= 0)
		return -1;
	*out = malloc((size_t)n);
	if (!*out)
		return -1;
	memcpy(*out, p, (size_t)n);
	*len = (size_t)n;
	return 0;
}

enum form {
	PRIV_PKCS8_PEM,
	PRIV_PKCS8_DER,
	PRIV_TRAD_PEM,
	PRIV_ENC_PEM,
	PUB_SPKI_PEM,
	PUB_SPKI_DER,
	PUB_PKCS1_PEM,
	PUB_PKCS1_DER,
};

/* evp serialised in the given form by OpenSSL's own encoders. */
static int serialise(EVP_PKEY *evp, enum form f, uint8_t **out, size_t *len)
{
	BIO *b = BIO_new(BIO_s_mem());
	OSSL_ENCODER_CTX *ec = NULL;
	int ok = 0;

	if (!b)
		return -1;
	switch (f) {
	case PRIV_PKCS8_PEM:
		ok = PEM_write_bio_PrivateKey(b, evp, NULL, NULL, 0, NULL, NULL);
		break;
	case PRIV_PKCS8_DER:
		ok = i2d_PKCS8PrivateKey_bio(b, evp, NULL, NULL, 0, NULL, NULL);
		break;
	case PRIV_TRAD_PEM:
		ok = PEM_write_bio_PrivateKey_traditional(b, evp, NULL, NULL, 0, NULL, NULL);
		break;
	case PRIV_ENC_PEM:
		ok = PEM_write_bio_PKCS8PrivateKey(b, evp, EVP_aes_256_cbc(), "s3cret", 6, NULL,
						   NULL);
		break;
	case PUB_SPKI_PEM:
		ok = PEM_write_bio_PUBKEY(b, evp);
		break;
	case PUB_SPKI_DER:
		ok = i2d_PUBKEY_bio(b, evp);
		break;
	case PUB_PKCS1_PEM:
	case PUB_PKCS1_DER:
		ec = OSSL_ENCODER_CTX_new_for_pkey(evp, EVP_PKEY_PUBLIC_KEY,
						   f == PUB_PKCS1_PEM ? "PEM" : "DER",
						   "type-specific", NULL);
		ok = ec && OSSL_ENCODER_to_bio(ec, b);
		break;
	}
	OSSL_ENCODER_CTX_free(ec);
	if (ok == 1 && bio_bytes(b, out, len) == 0) {
		BIO_free(b);
		return 0;
	}
	BIO_free(b);
	return -1;
}

static const struct {
	int line;
	const char *alg; /* EVP_PKEY_Q_keygen */
	const char *arg; /* curve name, or NULL; RSA uses 2048 bits */
	enum pkey_type type;
	unsigned bits;
	enum sign_scheme scheme;
} keys[] = {
    {__LINE__, "RSA", NULL, PKEY_RSA, 2048, SIGN_RSA_PKCS1_SHA256},
    {__LINE__, "RSA-PSS", NULL, PKEY_RSA_PSS, 2048, SIGN_RSA_PSS_SHA256},
    {__LINE__, "EC", "P-256", PKEY_EC, 256, SIGN_ECDSA_SHA256},
    {__LINE__, "EC", "P-384", PKEY_EC, 384, SIGN_ECDSA_P1363_SHA384},
    {__LINE__, "EC", "P-521", PKEY_EC, 521, SIGN_ECDSA_SHA512},
    {__LINE__, "ED25519", NULL, PKEY_ED25519, 256, SIGN_ED25519},
    {__LINE__, "ED448", NULL, PKEY_ED448, 456, SIGN_ED448},
};

static EVP_PKEY *keygen(const char *alg, const char *curve)
{
	EVP_PKEY_CTX *c;
	EVP_PKEY *evp = NULL;

	if (curve)
		return EVP_PKEY_Q_keygen(NULL, NULL, alg, curve);
	c = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	if (c && EVP_PKEY_keygen_init(c) == 1 &&
	    (strncmp(alg, "RSA", 3) != 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(c, 2048) == 1))
		EVP_PKEY_generate(c, &evp);
	EVP_PKEY_CTX_free(c);
	return evp;
}

static void test_load(void)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int row = keys[i].line;
		EVP_PKEY *evp = keygen(keys[i].alg, keys[i].arg);
		bool rsa = keys[i].type == PKEY_RSA;
		struct pkey *ref = NULL;

		T_OK_ROW(row, evp != NULL, "keygen");
		if (!evp)
			continue;
		EVP_PKEY_up_ref(evp);
		T_EQ_ROW(row, pkey_from_evp(evp, &ref), 0);
		for (enum form f = PRIV_PKCS8_PEM; f <= PUB_PKCS1_DER; f++) {
			uint8_t *data = NULL, *sig = NULL;
			size_t len = 0, sigl = 0;
			struct pkey *k = NULL;
			bool priv = f <= PRIV_ENC_PEM;
			int err;

			if ((f == PUB_PKCS1_PEM || f == PUB_PKCS1_DER) && !rsa)
				continue;
			if (f == PRIV_TRAD_PEM && keys[i].type != PKEY_RSA &&
			    keys[i].type != PKEY_EC)
				continue;
			if (serialise(evp, f, &data, &len)) {
				T_OK_ROW(row, 0, "serialise form %d", f);
				continue;
			}
			if (priv)
				err = pkey_load_private(data, len,
							f == PRIV_ENC_PEM ? "s3cret" : NULL, &k);
			else
				err = pkey_load_public(data, len, &k);
			T_EQ_ROW(row, err, 0);
			if (k) {
				T_EQ_ROW(row, pkey_type(k), keys[i].type);
				T_EQ_ROW(row, pkey_bits(k), keys[i].bits);
				T_EQ_ROW(row, pkey_has_private(k), priv);
				T_OK_ROW(row, pkey_public_equal(k, ref), "same key, form %d", f);
			}
			if (k && priv) {
				/* the loaded private key signs what the reference verifies */
				T_EQ_ROW(row, sign_create(k, keys[i].scheme, "abc", 3, &sig, &sigl),
					 0);
				T_EQ_ROW(row, sign_verify(ref, keys[i].scheme, "abc", 3, sig, sigl),
					 0);
			}
			if (priv) {
				struct pkey *x = NULL;
				if (f == PRIV_ENC_PEM) {
					T_EQ_ROW(row, pkey_load_private(data, len, "wrong", &x),
						 ERR_INVAL);
					T_EQ_ROW(row, pkey_load_private(data, len, NULL, &x),
						 ERR_INVAL);
					T_OK_ROW(row, x == NULL, "no key");
				}
				/* truncated */
				T_EQ_ROW(row, pkey_load_private(data, len / 2, NULL, &x),
					 ERR_INVAL);
			} else {
				struct pkey *x = NULL;
				T_EQ_ROW(row, pkey_load_private(data, len, NULL, &x), ERR_INVAL);
				T_OK_ROW(row, x == NULL, "no key");
			}
			free(data);
			free(sig);
			pkey_free(k);
		}
		pkey_free(ref);
		EVP_PKEY_free(evp);
	}
}

static void test_load_errors(void)
{
	struct pkey *k = NULL;
	uint8_t *data = NULL;
	size_t len = 0;
	char path[] = "/tmp/rampart-test-sign-XXXXXX";
	int fd;

	T_EQ(pkey_load_private("garbage", 7, NULL, &k), ERR_INVAL);
	T_EQ(pkey_load_public("", 0, &k), ERR_INVAL);
	T_EQ(pkey_load_public(NULL, 10, &k), ERR_INVAL);
	T_EQ(pkey_load_private_file("/nonexistent/key.pem", NULL, &k), ERR_IO);
	T_OK(k == NULL, "nothing loaded");

	/* curves and types outside the supported set */
	EVP_PKEY *k1 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	EVP_PKEY *bp = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	EVP_PKEY *unsup[] = {k1, bp, x25519};
	for (size_t i = 0; i < 3; i++) {
		T_OK(unsup[i] != NULL, "keygen %zu", i);
		if (!unsup[i] || serialise(unsup[i], PUB_SPKI_DER, &data, &len))
			continue;
		T_EQ(pkey_load_public(data, len, &k), ERR_UNSUPPORTED);
		free(data);
		data = NULL;
		EVP_PKEY_up_ref(unsup[i]);
		T_EQ(pkey_from_evp(unsup[i], &k), ERR_UNSUPPORTED);
		EVP_PKEY_free(unsup[i]);
	}

	/* file round trip */
	EVP_PKEY *evp = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	fd = mkstemp(path);
	T_OK(evp && fd >= 0, "temp file");
	if (evp && fd >= 0 && serialise(evp, PRIV_PKCS8_PEM, &data, &len) == 0) {
		T_EQ(write(fd, data, len), (long long)len);
		T_EQ(pkey_load_private_file(path, NULL, &k), 0);
		T_OK(k && pkey_has_private(k), "file key");
		pkey_free(k);
		k = NULL;
		T_EQ(pkey_load_public_file(path, &k), ERR_INVAL);
	}
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	free(data);
	EVP_PKEY_free(evp);

	T_EQ(pkey_generate(PKEY_RSA, 1024, &k), ERR_INVAL);
	T_EQ(pkey_generate(PKEY_EC, 224, &k), ERR_INVAL);
	T_EQ(pkey_generate(PKEY_NONE, 0, &k), ERR_INVAL);
}

/* ---- round trips for every scheme ---- */

static const struct {
	int line;
	enum sign_scheme s;
	enum pkey_type type;
	unsigned param;
	size_t siglen; /* 0: variable (DER ECDSA) */
} schemes[] = {
    {__LINE__, SIGN_RSA_PKCS1_SHA1, PKEY_RSA, 2048, 256},
    {__LINE__, SIGN_RSA_PKCS1_SHA256, PKEY_RSA, 2048, 256},
    {__LINE__, SIGN_RSA_PKCS1_SHA384, PKEY_RSA, 3072, 384}, /* key size != hash */
    {__LINE__, SIGN_RSA_PKCS1_SHA512, PKEY_RSA, 2048, 256},
    {__LINE__, SIGN_RSA_PSS_SHA256, PKEY_RSA, 2048, 256},
    {__LINE__, SIGN_RSA_PSS_SHA384, PKEY_RSA, 2048, 256},
    {__LINE__, SIGN_RSA_PSS_SHA512, PKEY_RSA_PSS, 2048, 256},
    {__LINE__, SIGN_ECDSA_SHA256, PKEY_EC, 256, 0},
    {__LINE__, SIGN_ECDSA_SHA384, PKEY_EC, 384, 0},
    {__LINE__, SIGN_ECDSA_SHA512, PKEY_EC, 521, 0},
    {__LINE__, SIGN_ECDSA_P1363_SHA256, PKEY_EC, 256, 64},
    {__LINE__, SIGN_ECDSA_P1363_SHA384, PKEY_EC, 384, 96},
    {__LINE__, SIGN_ECDSA_P1363_SHA512, PKEY_EC, 521, 132},
    {__LINE__, SIGN_ECDSA_P1363_SHA256, PKEY_EC, 521, 132}, /* hash and curve independent */
    {__LINE__, SIGN_ED25519, PKEY_ED25519, 0, 64},
    {__LINE__, SIGN_ED448, PKEY_ED448, 0, 114},
    {__LINE__, SIGN_RSA_PKCS1_RAW, PKEY_RSA, 2048, 256},
};

/* Independent check with OpenSSL for the DER and EdDSA forms. */
static int openssl_verify(struct pkey *k, enum sign_scheme s, const uint8_t *sig, size_t sigl)
{
	const char *md = NULL;
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	int ok;

	switch (s) {
	case SIGN_RSA_PKCS1_SHA1:
		md = "SHA1";
		break;
	case SIGN_RSA_PKCS1_SHA256:
	case SIGN_RSA_PSS_SHA256:
	case SIGN_ECDSA_SHA256:
		md = "SHA256";
		break;
	case SIGN_RSA_PKCS1_SHA384:
	case SIGN_RSA_PSS_SHA384:
	case SIGN_ECDSA_SHA384:
		md = "SHA384";
		break;
	case SIGN_RSA_PKCS1_SHA512:
	case SIGN_RSA_PSS_SHA512:
	case SIGN_ECDSA_SHA512:
		md = "SHA512";
		break;
	default:
		break;
	}
	ok = EVP_DigestVerifyInit_ex(m, &pctx, md, NULL, NULL, pkey_evp(k), NULL) == 1;
	if (ok &&
	    (s == SIGN_RSA_PSS_SHA256 || s == SIGN_RSA_PSS_SHA384 || s == SIGN_RSA_PSS_SHA512))
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
		     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
	ok = ok && EVP_DigestVerify(m, sig, sigl, (const uint8_t *)"message", 7) == 1;
	EVP_MD_CTX_free(m);
	return ok;
}

/* Generated keys, two per (type, size), shared by the round-trip rows (RSA keygen is slow). */
static struct {
	enum pkey_type type;
	unsigned param;
	struct pkey *k[2];
} cache[16];

static struct pkey *cached_key(enum pkey_type type, unsigned param, int which)
{
	size_t i;

	for (i = 0; i < sizeof(cache) / sizeof(cache[0]) && cache[i].k[0]; i++)
		if (cache[i].type == type && cache[i].param == param)
			return cache[i].k[which];
	if (i == sizeof(cache) / sizeof(cache[0]))
		return NULL;
	cache[i].type = type;
	cache[i].param = param;
	if (pkey_generate(type, param, &cache[i].k[0]) ||
	    pkey_generate(type, param, &cache[i].k[1])) {
		pkey_free(cache[i].k[0]);
		cache[i].k[0] = NULL;
		return NULL;
	}
	return cache[i].k[which];
}

static void cache_free(void)
{
	for (size_t i = 0; i < sizeof(cache) / sizeof(cache[0]); i++) {
		pkey_free(cache[i].k[0]);
		pkey_free(cache[i].k[1]);
	}
}

static void test_roundtrip(void)
{
	struct pkey *ed = NULL;
	T_EQ(pkey_generate(PKEY_ED25519, 0, &ed), 0);

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		int row = schemes[i].line;
		enum sign_scheme s = schemes[i].s;
		struct pkey *k = NULL, *other = NULL;
		uint8_t *sig = NULL, *sig2 = NULL;
		size_t sigl = 0, sig2l = 0;

		k = cached_key(schemes[i].type, schemes[i].param, 0);
		other = cached_key(schemes[i].type, schemes[i].param, 1);
		T_OK_ROW(row, k && other, "keys");
		if (!k || !other)
			goto next;
		T_OK_ROW(row, sign_scheme_fits(s, k), "fits");
		T_OK_ROW(row, !sign_scheme_fits(s, ed) || s == SIGN_ED25519, "ed key does not fit");
		T_EQ_ROW(row, sign_create(k, s, "message", 7, &sig, &sigl), 0);
		if (!sig)
			goto next;
		if (schemes[i].siglen)
			T_EQ_ROW(row, sigl, schemes[i].siglen);
		T_EQ_ROW(row, sign_verify(k, s, "message", 7, sig, sigl), 0);
		if ((s < SIGN_ECDSA_P1363_SHA256 || s > SIGN_ECDSA_P1363_SHA512) &&
		    s != SIGN_RSA_PKCS1_RAW)
			T_OK_ROW(row, openssl_verify(k, s, sig, sigl), "OpenSSL verifies");
		/* failures */
		T_EQ_ROW(row, sign_verify(k, s, "messagf", 7, sig, sigl), ERR_AUTH);
		T_EQ_ROW(row, sign_verify(k, s, "message", 6, sig, sigl), ERR_AUTH);
		T_EQ_ROW(row, sign_verify(other, s, "message", 7, sig, sigl), ERR_AUTH);
		T_EQ_ROW(row, sign_verify(k, s, "message", 7, sig, sigl - 1), ERR_AUTH);
		T_EQ_ROW(row, sign_verify(k, s, "message", 7, sig, 0), ERR_AUTH);
		T_EQ_ROW(row, sign_verify(k, s, "message", 7, NULL, 0), ERR_AUTH);
		sig[sigl / 2] ^= 0x40;
		T_EQ_ROW(row, sign_verify(k, s, "message", 7, sig, sigl), ERR_AUTH);
		sig[sigl / 2] ^= 0x40;
		sig2 = malloc(sigl + 1);
		if (sig2) {
			memcpy(sig2, sig, sigl);
			sig2[sigl] = 0;
			T_EQ_ROW(row, sign_verify(k, s, "message", 7, sig2, sigl + 1), ERR_AUTH);
			free(sig2);
			sig2 = NULL;
		}
		/* a key of another type does not fit */
		if (s != SIGN_ED25519) {
			T_EQ_ROW(row, sign_verify(ed, s, "message", 7, sig, sigl), ERR_INVAL);
			T_EQ_ROW(row, sign_create(ed, s, "message", 7, &sig2, &sig2l), ERR_INVAL);
		}
	next:
		free(sig);
	}
	/* PSS-only keys refuse PKCS#1 v1.5 */
	struct pkey *pss = NULL;
	uint8_t *sig = NULL;
	size_t sigl = 0;
	pss = cached_key(PKEY_RSA_PSS, 2048, 0);
	if (pss) {
		T_OK(!sign_scheme_fits(SIGN_RSA_PKCS1_SHA256, pss), "PSS key, PKCS#1 scheme");
		T_EQ(sign_create(pss, SIGN_RSA_PKCS1_SHA256, "m", 1, &sig, &sigl), ERR_INVAL);
	}
	T_EQ(sign_verify(ed, SIGN_NONE, "m", 1, (const uint8_t *)"s", 1), ERR_INVAL);
	T_EQ(sign_verify(ed, SIGN_SCHEME_COUNT, "m", 1, (const uint8_t *)"s", 1), ERR_INVAL);
	pkey_free(ed);
}

/* IKEv1 raw RSA over DigestInfo || SHA-256(m) is the PKCS#1 SHA-256 signature of m
 * (deterministic padding), and data too long for the modulus is refused. */
static void test_rsa_raw(void)
{
	struct pkey *k = cached_key(PKEY_RSA, 2048, 0);
	uint8_t di[19 + 64], *a = NULL, *b = NULL, big[246] = {0};
	size_t dil, al = 0, bl = 0;

	if (!k)
		return;
	dil = digest_info(SIGN_RSA_PKCS1_SHA256, (const uint8_t *)"abc", 3, di);
	T_EQ(sign_create(k, SIGN_RSA_PKCS1_RAW, di, dil, &a, &al), 0);
	T_EQ(sign_create(k, SIGN_RSA_PKCS1_SHA256, "abc", 3, &b, &bl), 0);
	if (a && b)
		T_MEM(a, al, b, bl);
	T_EQ(sign_verify(k, SIGN_RSA_PKCS1_RAW, di, dil - 1, a, al), ERR_AUTH);
	free(a);
	a = NULL;
	T_EQ(sign_create(k, SIGN_RSA_PKCS1_RAW, big, 245, &a, &al), 0);
	T_EQ(sign_verify(k, SIGN_RSA_PKCS1_RAW, big, 245, a, al), 0);
	free(a);
	a = NULL;
	T_EQ(sign_create(k, SIGN_RSA_PKCS1_RAW, big, 246, &a, &al), ERR_INVAL);
	T_OK(a == NULL, "nothing signed");
	free(b);
}

/* ---- RFC 7427 AlgorithmIdentifiers ---- */

/* OpenSSL's own AlgorithmIdentifier for a certificate signed with scheme s by key k. */
static int openssl_algid(struct pkey *k, enum sign_scheme s, uint8_t **der, size_t *len)
{
	const char *md = NULL;
	bool pss = false;
	X509 *x = X509_new();
	EVP_MD_CTX *m = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	const X509_ALGOR *alg = NULL;
	unsigned char *buf = NULL;
	int n, ok = 0;

	switch (s) {
	case SIGN_RSA_PKCS1_SHA1:
		md = "SHA1";
		break;
	case SIGN_RSA_PSS_SHA256:
		pss = true;
		/* fall through */
	case SIGN_RSA_PKCS1_SHA256:
	case SIGN_ECDSA_SHA256:
		md = "SHA256";
		break;
	case SIGN_RSA_PSS_SHA384:
		pss = true;
		/* fall through */
	case SIGN_RSA_PKCS1_SHA384:
	case SIGN_ECDSA_SHA384:
		md = "SHA384";
		break;
	case SIGN_RSA_PSS_SHA512:
		pss = true;
		/* fall through */
	case SIGN_RSA_PKCS1_SHA512:
	case SIGN_ECDSA_SHA512:
		md = "SHA512";
		break;
	default:
		break;
	}
	if (!x || !m || !X509_set_pubkey(x, pkey_evp(k)))
		goto out;
	if (EVP_DigestSignInit_ex(m, &pctx, md, NULL, NULL, pkey_evp(k), NULL) != 1)
		goto out;
	if (pss && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, md, NULL) != 1))
		goto out;
	if (X509_sign_ctx(x, m) <= 0)
		goto out;
	X509_get0_signature(NULL, &alg, x);
	n = i2d_X509_ALGOR(alg, &buf);
	if (n <= 0)
		goto out;
	*der = malloc((size_t)n);
	if (*der) {
		memcpy(*der, buf, (size_t)n);
		*len = (size_t)n;
		ok = 1;
	}
out:
	OPENSSL_free(buf);
	EVP_MD_CTX_free(m);
	X509_free(x);
	return ok;
}

static void test_algid_vs_openssl(void)
{
	struct pkey *rsa = cached_key(PKEY_RSA, 2048, 0), *ec = cached_key(PKEY_EC, 256, 0);
	struct pkey *ed = cached_key(PKEY_ED25519, 0, 0), *ed4 = cached_key(PKEY_ED448, 0, 0);
	for (enum sign_scheme s = SIGN_RSA_PKCS1_SHA1; s < SIGN_SCHEME_COUNT; s++) {
		const uint8_t *der = NULL;
		uint8_t *want = NULL;
		size_t len = 0, wantl = 0;
		enum sign_scheme back = SIGN_NONE;
		bool p1363 = s >= SIGN_ECDSA_P1363_SHA256 && s <= SIGN_ECDSA_P1363_SHA512;
		struct pkey *k = s <= SIGN_RSA_PSS_SHA512 || s == SIGN_RSA_PKCS1_RAW ? rsa
				 : s == SIGN_ED25519				     ? ed
				 : s == SIGN_ED448				     ? ed4
										     : ec;

		if (p1363 || s == SIGN_RSA_PKCS1_RAW) {
			T_EQ(sign_algid(s, &der, &len), ERR_UNSUPPORTED);
			continue;
		}
		T_EQ(sign_algid(s, &der, &len), 0);
		T_OK(k && openssl_algid(k, s, &want, &wantl), "%s: OpenSSL algid",
		     sign_scheme_name(s));
		T_MEM(der, len, want, wantl);
		T_EQ(sign_algid_parse(der, len, &back), 0);
		T_EQ(back, s);
		free(want);
	}
}

static const struct {
	int line;
	const char *hex;
	int want_err;
	enum sign_scheme want;
} algid_rows[] = {
    /* RSA PKCS#1 with absent parameters */
    {__LINE__, "300b06092a864886f70d01010b", 0, SIGN_RSA_PKCS1_SHA256},
    /* ECDSA and Ed25519 with a NULL parameter */
    {__LINE__, "300c06082a8648ce3d0403020500", 0, SIGN_ECDSA_SHA256},
    {__LINE__, "300706032b65700500", 0, SIGN_ED25519},
    /* PSS: hash identifiers without NULL; explicit trailer 1 */
    {__LINE__,
     "303d06092a864886f70d01010a3030a00d300b0609608648016503040201a11a301806092a864886f70d01"
     "0108300b0609608648016503040201a203020120",
     0, SIGN_RSA_PSS_SHA256},
    {__LINE__,
     "304606092a864886f70d01010a3039a00f300d06096086480165030402020500a11c301a06092a864886f7"
     "0d010108300d06096086480165030402020500a203020130a303020101",
     0, SIGN_RSA_PSS_SHA384},
    /* PSS with parameters we do not do: trailer 2, salt 20, MGF1 hash differs, SHA-1
     * defaults, no parameters at all */
    {__LINE__,
     "304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a864886f7"
     "0d010108300d06096086480165030402010500a203020120a303020102",
     ERR_UNSUPPORTED, SIGN_NONE},
    {__LINE__,
     "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f7"
     "0d010108300d06096086480165030402010500a203020114",
     ERR_UNSUPPORTED, SIGN_NONE},
    {__LINE__,
     "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f7"
     "0d010108300d06096086480165030402020500a203020120",
     ERR_UNSUPPORTED, SIGN_NONE},
    {__LINE__,
     "302c06092a864886f70d01010a301fa118301606092a864886f70d010108300906052b0e03021a0500a2"
     "03020114",
     ERR_UNSUPPORTED, SIGN_NONE},
    {__LINE__, "300b06092a864886f70d01010a", ERR_UNSUPPORTED, SIGN_NONE},
    /* other algorithms: md5WithRSA, ECDSA with an INTEGER parameter, an unknown OID */
    {__LINE__, "300d06092a864886f70d0101040500", ERR_UNSUPPORTED, SIGN_NONE},
    {__LINE__, "300d06082a8648ce3d040302020101", ERR_UNSUPPORTED, SIGN_NONE},
    {__LINE__, "300606042a030405", ERR_UNSUPPORTED, SIGN_NONE},
    /* malformed: truncated, trailing byte, non-minimal length, wrong tag, empty */
    {__LINE__, "300d06092a864886f70d01010b05", ERR_INVAL, SIGN_NONE},
    {__LINE__, "300d06092a864886f70d01010b050000", ERR_INVAL, SIGN_NONE},
    {__LINE__, "30810d06092a864886f70d01010b0500", ERR_INVAL, SIGN_NONE},
    {__LINE__, "310d06092a864886f70d01010b0500", ERR_INVAL, SIGN_NONE},
    {__LINE__, "", ERR_INVAL, SIGN_NONE},
    {__LINE__, "3000", ERR_INVAL, SIGN_NONE},
};

static void test_algid_parse(void)
{
	for (size_t i = 0; i < sizeof(algid_rows) / sizeof(algid_rows[0]); i++) {
		int row = algid_rows[i].line;
		uint8_t *der = NULL;
		size_t len = 0;
		enum sign_scheme s = SIGN_SCHEME_COUNT;

		T_OK_ROW(row, vec_hex(algid_rows[i].hex, &der, &len) == 0, "hex");
		T_EQ_ROW(row, sign_algid_parse(der, len, &s), algid_rows[i].want_err);
		T_EQ_ROW(row, s, algid_rows[i].want_err ? SIGN_SCHEME_COUNT : algid_rows[i].want);
		free(der);
	}
}

/* ---- scheme lists and digests; SPKI from a peer ---- */

static void test_scheme_lists(void)
{
	static const struct {
		int line;
		enum pkey_type type;
		unsigned param;
		size_t n;
		enum sign_scheme want[6];
	} rows[] = {
	    {__LINE__,
	     PKEY_RSA,
	     2048,
	     6,
	     {SIGN_RSA_PSS_SHA256, SIGN_RSA_PSS_SHA384, SIGN_RSA_PSS_SHA512, SIGN_RSA_PKCS1_SHA256,
	      SIGN_RSA_PKCS1_SHA384, SIGN_RSA_PKCS1_SHA512}},
	    {__LINE__,
	     PKEY_RSA_PSS,
	     2048,
	     3,
	     {SIGN_RSA_PSS_SHA256, SIGN_RSA_PSS_SHA384, SIGN_RSA_PSS_SHA512}},
	    {__LINE__, PKEY_EC, 256, 3, {SIGN_ECDSA_SHA256, SIGN_ECDSA_SHA384, SIGN_ECDSA_SHA512}},
	    {__LINE__, PKEY_EC, 384, 3, {SIGN_ECDSA_SHA384, SIGN_ECDSA_SHA512, SIGN_ECDSA_SHA256}},
	    {__LINE__, PKEY_EC, 521, 3, {SIGN_ECDSA_SHA512, SIGN_ECDSA_SHA384, SIGN_ECDSA_SHA256}},
	    {__LINE__, PKEY_ED25519, 0, 1, {SIGN_ED25519}},
	    {__LINE__, PKEY_ED448, 0, 1, {SIGN_ED448}},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int row = rows[i].line;
		struct pkey *k = cached_key(rows[i].type, rows[i].param, 0);
		enum sign_scheme got[8];
		const uint8_t *der;
		size_t n, len;

		T_OK_ROW(row, k != NULL, "key");
		if (!k)
			continue;
		n = sign_schemes_for_key(k, got, 8);
		T_EQ_ROW(row, n, rows[i].n);
		for (size_t j = 0; j < n && j < rows[i].n; j++) {
			uint8_t *sig = NULL;
			size_t sigl = 0;
			T_EQ_ROW(row, got[j], rows[i].want[j]);
			/* every listed scheme fits, has an RFC 7427 identifier, and signs */
			T_OK_ROW(row, sign_scheme_fits(got[j], k), "fits");
			T_EQ_ROW(row, sign_algid(got[j], &der, &len), 0);
			T_EQ_ROW(row, sign_create(k, got[j], "m", 1, &sig, &sigl), 0);
			T_EQ_ROW(row, sign_verify(k, got[j], "m", 1, sig, sigl), 0);
			free(sig);
		}
		T_EQ_ROW(row, sign_schemes_for_key(k, got, 1), 1);
		T_EQ_ROW(row, got[0], rows[i].want[0]);
		T_EQ_ROW(row, sign_schemes_for_key(k, got, 0), 0);
	}

	static const struct {
		int line;
		enum sign_scheme s;
		const char *md;
	} digests[] = {
	    {__LINE__, SIGN_RSA_PKCS1_SHA1, "SHA1"},
	    {__LINE__, SIGN_RSA_PSS_SHA384, "SHA384"},
	    {__LINE__, SIGN_ECDSA_SHA256, "SHA256"},
	    {__LINE__, SIGN_ECDSA_P1363_SHA512, "SHA512"},
	    {__LINE__, SIGN_RSA_PKCS1_SHA512, "SHA512"},
	    {__LINE__, SIGN_ED25519, NULL},
	    {__LINE__, SIGN_ED448, NULL},
	    {__LINE__, SIGN_RSA_PKCS1_RAW, NULL},
	    {__LINE__, SIGN_NONE, NULL},
	    {__LINE__, SIGN_SCHEME_COUNT, NULL},
	};
	for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		const char *md = sign_scheme_digest(digests[i].s);
		T_OK_ROW(digests[i].line,
			 md == digests[i].md ||
			     (md && digests[i].md && strcmp(md, digests[i].md) == 0),
			 "digest %s", md ? md : "(none)");
	}
}

static void test_spki_from_peer(void)
{
	static const char *files[] = {"wycheproof/ed25519_test.json", "wycheproof/ed448_test.json",
				      "wycheproof/ecdsa_secp384r1_sha384_test.json",
				      "wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		json_t *j = vec_load(files[i]);
		const json_t *g = json_array_get(json_object_get(j, "testGroups"), 0);
		const char *pem = vec_str(g, "publicKeyPem");
		uint8_t *der = NULL, *longer = NULL;
		size_t len = 0;
		struct pkey *a = NULL, *b = NULL, *x = NULL;

		if (vec_hex(vec_str(g, "publicKeyDer"), &der, &len) == 0 && len > 0) {
			T_EQ(pkey_from_spki_der(der, len, &a), 0);
			T_EQ(pkey_load_public(der, len, &b), 0);
			T_OK(a && b && pkey_public_equal(a, b), "%s: same key", files[i]);
			T_EQ(pkey_from_spki_der(der, len - 1, &x), ERR_INVAL);
			longer = malloc(len + 1);
			if (longer) {
				memcpy(longer, der, len);
				longer[len] = 0;
				T_EQ(pkey_from_spki_der(longer, len + 1, &x), ERR_INVAL);
			}
			/* PEM is configuration, not peer input */
			T_EQ(pkey_from_spki_der((const uint8_t *)pem, strlen(pem), &x), ERR_INVAL);
			T_OK(x == NULL, "nothing loaded");
		}
		free(der);
		free(longer);
		pkey_free(a);
		pkey_free(b);
		json_decref(j);
	}
	EVP_PKEY *x25519 = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	uint8_t *der = NULL;
	size_t len = 0;
	struct pkey *x = NULL;
	if (x25519 && serialise(x25519, PUB_SPKI_DER, &der, &len) == 0)
		T_EQ(pkey_from_spki_der(der, len, &x), ERR_UNSUPPORTED);
	free(der);
	EVP_PKEY_free(x25519);
	T_EQ(pkey_from_spki_der(NULL, 0, &x), ERR_INVAL);
}

int main(void)
{
	wycheproof_verify("wycheproof/ecdsa_secp256r1_sha256_test.json", "ecdsa", 484);
	wycheproof_verify("wycheproof/ecdsa_secp384r1_sha384_test.json", "ecdsa", 504);
	wycheproof_verify("wycheproof/ecdsa_secp521r1_sha512_test.json", "ecdsa", 542);
	wycheproof_verify("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json", "p1363", 262);
	wycheproof_verify("wycheproof/ecdsa_secp384r1_sha384_p1363_test.json", "p1363", 280);
	wycheproof_verify("wycheproof/ecdsa_secp521r1_sha512_p1363_test.json", "p1363", 318);
	wycheproof_verify("wycheproof/rsa_signature_2048_sha256_test.json", "pkcs1", 259);
	wycheproof_verify("wycheproof/rsa_signature_2048_sha384_test.json", "pkcs1", 258);
	wycheproof_verify("wycheproof/rsa_signature_2048_sha512_test.json", "pkcs1", 259);
	wycheproof_verify("wycheproof/rsa_signature_3072_sha256_test.json", "pkcs1", 259);
	wycheproof_verify("wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json", "pss", 108);
	wycheproof_verify("wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json", "pss", 108);
	wycheproof_verify("wycheproof/ed25519_test.json", "ed25519", 151);
	wycheproof_verify("wycheproof/ed448_test.json", "ed448", 87);
	test_ed25519_kat();
	test_spki_sha1();
	test_load();
	test_load_errors();
	test_roundtrip();
	test_rsa_raw();
	test_scheme_lists();
	test_spki_from_peer();
	test_algid_vs_openssl();
	test_algid_parse();
	cache_free();
	return t_finish();
}
