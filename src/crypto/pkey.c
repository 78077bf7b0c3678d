/* Keys over OpenSSL 3 EVP_PKEY (see pkey.h for the contract). */
#include "crypto/pkey.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/keyfile.h"
#include "lib/err.h"
#include "lib/secret.h"

struct pkey {
	EVP_PKEY *evp;
	enum pkey_type type;
};

static enum pkey_type classify(EVP_PKEY *evp)
{
	char group[64];
	int nid;

	if (EVP_PKEY_is_a(evp, "RSA"))
		return PKEY_RSA;
	if (EVP_PKEY_is_a(evp, "RSA-PSS"))
		return PKEY_RSA_PSS;
	if (EVP_PKEY_is_a(evp, "ED25519"))
		return PKEY_ED25519;
	if (EVP_PKEY_is_a(evp, "ED448"))
		return PKEY_ED448;
	if (!EVP_PKEY_is_a(evp, "EC") || !EVP_PKEY_get_group_name(evp, group, sizeof(group), NULL))
		return PKEY_NONE;
	nid = OBJ_txt2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (nid == NID_X9_62_prime256v1 || nid == NID_secp384r1 || nid == NID_secp521r1)
		return PKEY_EC;
	return PKEY_NONE;
}

int pkey_from_evp(EVP_PKEY *evp, struct pkey **out)
{
	struct pkey *k = NULL;
	enum pkey_type type;

	if (!evp)
		return ERR_INVAL;
	type = classify(evp);
	if (type == PKEY_NONE) {
		EVP_PKEY_free(evp);
		return ERR_UNSUPPORTED;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(evp);
		return ERR_NOMEM;
	}
	k->evp = evp;
	k->type = type;
	*out = k;
	return 0;
}

EVP_PKEY *pkey_evp(const struct pkey *k)
{
	return k->evp;
}

struct pkey *pkey_dup(const struct pkey *k)
{
	struct pkey *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (!EVP_PKEY_up_ref(k->evp)) {
		free(d);
		return NULL;
	}
	d->evp = k->evp;
	d->type = k->type;
	return d;
}

void pkey_free(struct pkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->evp);
	free(k);
}

enum pkey_type pkey_type(const struct pkey *k)
{
	return k->type;
}

unsigned pkey_bits(const struct pkey *k)
{
	int bits = EVP_PKEY_get_bits(k->evp);
	return bits > 0 ? (unsigned)bits : 0;
}

bool pkey_has_private(const struct pkey *k)
{
	static const char *const names[] = {OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_PRIV_KEY};
	BIGNUM *bn = NULL;
	uint8_t raw[64];
	size_t len = sizeof(raw);
	bool has = false;

	switch (k->type) {
	case PKEY_RSA:
	case PKEY_RSA_PSS:
		has = EVP_PKEY_get_bn_param(k->evp, names[0], &bn) == 1;
		break;
	case PKEY_EC:
		has = EVP_PKEY_get_bn_param(k->evp, names[1], &bn) == 1;
		break;
	case PKEY_ED25519:
	case PKEY_ED448:
		has = EVP_PKEY_get_raw_private_key(k->evp, raw, &len) == 1;
		secret_wipe(raw, sizeof(raw));
		break;
	case PKEY_NONE:
		break;
	}
	BN_clear_free(bn);
	return has;
}

bool pkey_public_equal(const struct pkey *a, const struct pkey *b)
{
	return EVP_PKEY_eq(a->evp, b->evp) == 1;
}

int pkey_spki_der(const struct pkey *k, uint8_t **der, size_t *len)
{
	uint8_t *buf = NULL;
	int n = i2d_PUBKEY(k->evp, &buf);

	if (n <= 0)
		return ERR_CRYPTO;
	/* OPENSSL_malloc'd: hand the caller a plain malloc'd copy */
	uint8_t *copy = malloc((size_t)n);
	if (copy)
		memcpy(copy, buf, (size_t)n);
	OPENSSL_free(buf);
	if (!copy)
		return ERR_NOMEM;
	*der = copy;
	*len = (size_t)n;
	return 0;
}

int pkey_spki_sha1(const struct pkey *k, uint8_t out[PKEY_SHA1_LEN])
{
	uint8_t *der = NULL;
	size_t len;
	unsigned int mdlen = 0;
	int err = pkey_spki_der(k, &der, &len);

	if (err)
		return err;
	err = ERR_CRYPTO;
	if (EVP_Digest(der, len, out, &mdlen, EVP_sha1(), NULL) == 1 && mdlen == PKEY_SHA1_LEN)
		err = 0;
	free(der);
	return err;
}

/* pem_password_cb that has no passphrase to give. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* PEM or DER, any structure OpenSSL's decoders know for the selection. */
static int decode(const void *data, size_t len, int selection, const char *passphrase,
		  struct pkey **out)
{
	OSSL_DECODER_CTX *dctx = NULL;
	EVP_PKEY *evp = NULL;
	const unsigned char *p = data;
	size_t left = len;
	int err = ERR_INVAL;

	if (!data || len == 0 || len > KEYFILE_MAX)
		goto out;
	err = ERR_NOMEM;
	dctx = OSSL_DECODER_CTX_new_for_pkey(&evp, NULL, NULL, NULL, selection, NULL, NULL);
	if (!dctx)
		goto out;
	/* never a terminal prompt: the given passphrase, or a callback that has none */
	if (passphrase ? !OSSL_DECODER_CTX_set_passphrase(dctx, (const unsigned char *)passphrase,
							  strlen(passphrase))
		       : !OSSL_DECODER_CTX_set_pem_password_cb(dctx, no_passphrase, NULL))
		goto out;
	err = ERR_INVAL;
	if (!OSSL_DECODER_from_data(dctx, &p, &left) || !evp)
		goto out;
	err = pkey_from_evp(evp, out);
	evp = NULL;
	if (err)
		goto out;
	if (selection == EVP_PKEY_KEYPAIR && !pkey_has_private(*out)) {
		pkey_free(*out);
		*out = NULL;
		err = ERR_INVAL;
	}
out:
	EVP_PKEY_free(evp);
	OSSL_DECODER_CTX_free(dctx);
	return err;
}

int pkey_load_private(const void *data, size_t len, const char *passphrase, struct pkey **out)
{
	struct pkey *k = NULL;
	int err = decode(data, len, EVP_PKEY_KEYPAIR, passphrase, &k);

	if (!err)
		*out = k;
	return err;
}

int pkey_load_public(const void *data, size_t len, struct pkey **out)
{
	struct pkey *k = NULL;
	int err = decode(data, len, EVP_PKEY_PUBLIC_KEY, NULL, &k);

	if (!err)
		*out = k;
	return err;
}

int pkey_from_spki_der(const uint8_t *der, size_t len, struct pkey **out)
{
	const unsigned char *p = der;
	EVP_PKEY *evp;

	if (!der || len == 0 || len > KEYFILE_MAX)
		return ERR_INVAL;
	evp = d2i_PUBKEY(NULL, &p, (long)len);
	if (!evp || p != der + len) {
		EVP_PKEY_free(evp);
		ERR_clear_error();
		return ERR_INVAL;
	}
	return pkey_from_evp(evp, out);
}

int pkey_load_private_file(const char *path, const char *passphrase, struct pkey **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = keyfile_read(path, &buf, &len);

	if (err)
		return err;
	err = pkey_load_private(buf, len, passphrase, out);
	secret_wipe(buf, len);
	free(buf);
	return err;
}

int pkey_load_public_file(const char *path, struct pkey **out)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int err = keyfile_read(path, &buf, &len);

	if (err)
		return err;
	err = pkey_load_public(buf, len, out);
	free(buf);
	return err;
}

static int rsa_generate(const char *name, unsigned bits, struct pkey **out)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, name, NULL);
	EVP_PKEY *evp = NULL;
	int ok;

	ok = ctx && EVP_PKEY_keygen_init(ctx) == 1 &&
	     EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) == 1 &&
	     EVP_PKEY_generate(ctx, &evp) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return ERR_CRYPTO;
	return pkey_from_evp(evp, out);
}

int pkey_generate(enum pkey_type type, unsigned param, struct pkey **out)
{
	EVP_PKEY *evp = NULL;

	switch (type) {
	case PKEY_RSA:
	case PKEY_RSA_PSS:
		if (param < 2048 || param > 16384)
			return ERR_INVAL;
		return rsa_generate(type == PKEY_RSA ? "RSA" : "RSA-PSS", param, out);
	case PKEY_EC:
		if (param != 256 && param != 384 && param != 521)
			return ERR_INVAL;
		evp = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
					param == 256   ? "P-256"
					: param == 384 ? "P-384"
						       : "P-521");
		break;
	case PKEY_ED25519:
		evp = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	case PKEY_ED448:
		evp = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
		break;
	case PKEY_NONE:
	default:
		return ERR_INVAL;
	}
	if (!evp)
		return ERR_CRYPTO;
	return pkey_from_evp(evp, out);
}
