#include "crypto/enc.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "lib/err.h"
#include "wire/iana.h"

enum enc_mode { MODE_NULL, MODE_CBC, MODE_CTR, MODE_GCM, MODE_GMAC, MODE_CCM, MODE_CHACHA };

struct enc {
	struct enc_info info;
	enum enc_mode mode;
	enum enc_dir dir;
	EVP_CIPHER_CTX *ctx; /* NULL for ENCR_NULL */
	uint8_t salt[4];     /* RFC 3686 nonce / RFC 4106, 4309, 4543, 7634 salt */
};

/* Fills info and mode; name receives the OpenSSL cipher name (NULL for ENCR_NULL). */
static int describe(uint16_t id, unsigned key_bits, struct enc_info *info, enum enc_mode *mode,
		    const char **name)
{
	static const char *const cbc[] = {"AES-128-CBC", "AES-192-CBC", "AES-256-CBC"};
	static const char *const ctr[] = {"AES-128-CTR", "AES-192-CTR", "AES-256-CTR"};
	static const char *const gcm[] = {"AES-128-GCM", "AES-192-GCM", "AES-256-GCM"};
	static const char *const ccm[] = {"AES-128-CCM", "AES-192-CCM", "AES-256-CCM"};
	struct enc_info d = {.id = id, .block_size = 1};
	int aes = -1;

	if (key_bits == 128)
		aes = 0;
	else if (key_bits == 192)
		aes = 1;
	else if (key_bits == 256)
		aes = 2;

	switch (id) {
	case IKEV2_ENCR_NULL:
		if (key_bits != 0)
			return ERR_INVAL;
		*mode = MODE_NULL;
		*name = NULL;
		break;
	case IKEV2_ENCR_3DES:
		if (key_bits != 0 && key_bits != 192)
			return ERR_INVAL;
		d.key_bits = 192;
		d.iv_len = 8;
		d.block_size = 8;
		*mode = MODE_CBC;
		*name = "DES-EDE3-CBC";
		break;
	case IKEV2_ENCR_AES_CBC:
		if (aes < 0)
			return ERR_INVAL;
		d.iv_len = 16;
		d.block_size = 16;
		*mode = MODE_CBC;
		*name = cbc[aes];
		break;
	case IKEV2_ENCR_AES_CTR:
		if (aes < 0)
			return ERR_INVAL;
		d.salt_len = 4;
		d.iv_len = 8;
		*mode = MODE_CTR;
		*name = ctr[aes];
		break;
	case IKEV2_ENCR_AES_GCM_8:
	case IKEV2_ENCR_AES_GCM_12:
	case IKEV2_ENCR_AES_GCM_16:
		if (aes < 0)
			return ERR_INVAL;
		d.salt_len = 4;
		d.iv_len = 8;
		d.icv_len = id == IKEV2_ENCR_AES_GCM_8 ? 8 : id == IKEV2_ENCR_AES_GCM_12 ? 12 : 16;
		d.aead = true;
		*mode = MODE_GCM;
		*name = gcm[aes];
		break;
	case IKEV2_ENCR_NULL_AUTH_AES_GMAC:
		if (aes < 0)
			return ERR_INVAL;
		d.salt_len = 4;
		d.iv_len = 8;
		d.icv_len = 16;
		d.aead = true;
		d.auth_only = true;
		*mode = MODE_GMAC;
		*name = gcm[aes];
		break;
	case IKEV2_ENCR_AES_CCM_8:
	case IKEV2_ENCR_AES_CCM_12:
	case IKEV2_ENCR_AES_CCM_16:
		if (aes < 0)
			return ERR_INVAL;
		d.salt_len = 3;
		d.iv_len = 8;
		d.icv_len = id == IKEV2_ENCR_AES_CCM_8 ? 8 : id == IKEV2_ENCR_AES_CCM_12 ? 12 : 16;
		d.aead = true;
		*mode = MODE_CCM;
		*name = ccm[aes];
		break;
	case IKEV2_ENCR_CHACHA20_POLY1305:
		if (key_bits != 0 && key_bits != 256)
			return ERR_INVAL;
		d.key_bits = 256;
		d.salt_len = 4;
		d.iv_len = 8;
		d.icv_len = 16;
		d.aead = true;
		*mode = MODE_CHACHA;
		*name = "ChaCha20-Poly1305";
		break;
	default:
		return ERR_UNSUPPORTED;
	}
	if (aes >= 0 && d.key_bits == 0)
		d.key_bits = (uint16_t)key_bits;
	d.key_len = d.key_bits / 8 + d.salt_len;
	d.pad_align = d.block_size > 4 ? d.block_size : 4;
	*info = d;
	return 0;
}

int enc_lookup(uint16_t id, unsigned key_bits, struct enc_info *out)
{
	struct enc_info info;
	enum enc_mode mode;
	const char *name;
	int err = describe(id, key_bits, &info, &mode, &name);
	if (!err)
		*out = info;
	return err;
}

/* Keys e->ctx for e->dir; the per-message nonce is set later. */
static int key_ctx(struct enc *e, const char *name, const uint8_t *key)
{
	EVP_CIPHER *cipher = NULL;
	int enc = e->dir == ENC_ENCRYPT;
	int err = ERR_CRYPTO;

	cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	if (!cipher)
		goto out;
	e->ctx = EVP_CIPHER_CTX_new();
	if (!e->ctx) {
		err = ERR_NOMEM;
		goto out;
	}
	if (EVP_CipherInit_ex2(e->ctx, cipher, NULL, NULL, enc, NULL) != 1)
		goto out;
	switch (e->mode) {
	case MODE_CCM:
		/* RFC 4309 §4: 11-octet nonce (L = 4), ICV length fixed per SA. */
		if (EVP_CIPHER_CTX_ctrl(e->ctx, EVP_CTRL_AEAD_SET_IVLEN, 11, NULL) != 1)
			goto out;
		if (EVP_CIPHER_CTX_ctrl(e->ctx, EVP_CTRL_AEAD_SET_TAG, (int)e->info.icv_len,
					NULL) != 1)
			goto out;
		break;
	case MODE_GCM:
	case MODE_GMAC:
	case MODE_CHACHA:
		if (EVP_CIPHER_CTX_ctrl(e->ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) != 1)
			goto out;
		break;
	default:
		break;
	}
	if (EVP_CipherInit_ex2(e->ctx, NULL, key, NULL, enc, NULL) != 1)
		goto out;
	if (e->mode == MODE_CBC && EVP_CIPHER_CTX_set_padding(e->ctx, 0) != 1)
		goto out;
	err = 0;
out:
	EVP_CIPHER_free(cipher);
	return err;
}

int enc_new(uint16_t id, unsigned key_bits, enum enc_dir dir, const uint8_t *key, size_t key_len,
	    struct enc **out)
{
	struct enc *e = NULL;
	const char *name = NULL;
	int err;

	if (dir != ENC_ENCRYPT && dir != ENC_DECRYPT)
		return ERR_INVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return ERR_NOMEM;
	err = describe(id, key_bits, &e->info, &e->mode, &name);
	if (err)
		goto out;
	err = ERR_INVAL;
	if (key_len != e->info.key_len || (key_len && !key))
		goto out;
	e->dir = dir;
	if (e->info.salt_len)
		memcpy(e->salt, key + (key_len - e->info.salt_len), e->info.salt_len);
	err = 0;
	if (name)
		err = key_ctx(e, name, key);
out:
	if (err) {
		enc_free(e);
		return err;
	}
	*out = e;
	return 0;
}

int enc_dup(const struct enc *e, struct enc **out)
{
	struct enc *d = calloc(1, sizeof(*d));
	int err = ERR_NOMEM;

	if (!d)
		return ERR_NOMEM;
	d->info = e->info;
	d->mode = e->mode;
	d->dir = e->dir;
	memcpy(d->salt, e->salt, sizeof(d->salt));
	if (e->ctx) {
		d->ctx = EVP_CIPHER_CTX_new();
		if (!d->ctx)
			goto out;
		err = ERR_CRYPTO;
		if (EVP_CIPHER_CTX_copy(d->ctx, e->ctx) != 1)
			goto out;
	}
	err = 0;
out:
	if (err) {
		enc_free(d);
		return err;
	}
	*out = d;
	return 0;
}

int enc_rekey(struct enc *e, enum enc_dir dir, const uint8_t *key, size_t key_len)
{
	if ((dir != ENC_ENCRYPT && dir != ENC_DECRYPT) || key_len != e->info.key_len ||
	    (key_len && !key))
		return ERR_INVAL;
	e->dir = dir;
	if (e->info.salt_len)
		memcpy(e->salt, key + (key_len - e->info.salt_len), e->info.salt_len);
	if (e->ctx == NULL)
		return 0;
	/* A NULL cipher keeps the provider context and its IV/tag length settings. */
	if (EVP_CipherInit_ex2(e->ctx, NULL, key, NULL, dir == ENC_ENCRYPT, NULL) != 1)
		return ERR_CRYPTO;
	return 0;
}

void enc_free(struct enc *e)
{
	if (!e)
		return;
	EVP_CIPHER_CTX_free(e->ctx); /* cleanses the key schedule */
	OPENSSL_cleanse(e, sizeof(*e));
	free(e);
}

const struct enc_info *enc_get_info(const struct enc *e)
{
	return &e->info;
}

/* Builds the nonce / initial counter block for this message into n; returns its length. */
static size_t make_nonce(const struct enc *e, const uint8_t *iv, uint8_t n[16])
{
	size_t s = e->info.salt_len;

	switch (e->mode) {
	case MODE_CBC:
		memcpy(n, iv, e->info.iv_len);
		return e->info.iv_len;
	case MODE_CTR: /* RFC 3686 §4: nonce || IV || block counter starting at 1 */
		memcpy(n, e->salt, 4);
		memcpy(n + 4, iv, 8);
		n[12] = 0;
		n[13] = 0;
		n[14] = 0;
		n[15] = 1;
		return 16;
	default: /* GCM, GMAC, ChaCha20-Poly1305 (salt 4), CCM (salt 3): salt || IV */
		memcpy(n, e->salt, s);
		memcpy(n + s, iv, 8);
		return s + 8;
	}
}

/* Feeds len octets as AAD (out NULL), in chunks the int-based EVP API accepts. */
static int feed_aad(EVP_CIPHER_CTX *ctx, const uint8_t *p, size_t len)
{
	int outl;

	if (len == 0)
		return 0;
	if (EVP_CipherUpdate(ctx, NULL, &outl, p, (int)len) != 1)
		return ERR_CRYPTO;
	return 0;
}

static int check_args(const struct enc *e, enum enc_dir dir, const uint8_t *iv, size_t aad_len,
		      const uint8_t *in, size_t len, const uint8_t *out, const uint8_t *icv)
{
	if (e->dir != dir || len > ENC_MAX_LEN || aad_len > ENC_MAX_LEN)
		return ERR_INVAL;
	if ((len && (!in || !out)) || (e->info.iv_len && !iv))
		return ERR_INVAL;
	if (e->info.aead ? !icv : aad_len != 0)
		return ERR_INVAL;
	if (len % e->info.block_size)
		return ERR_INVAL;
	return 0;
}

int enc_seal(struct enc *e, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
	     const uint8_t *in, size_t len, uint8_t *out, uint8_t *icv)
{
	uint8_t nonce[16];
	uint8_t dummy[ENC_MAX_BLOCK_LEN];
	int outl, err;

	err = check_args(e, ENC_ENCRYPT, iv, aad_len, in, len, out, icv);
	if (err)
		return err;
	if (e->mode == MODE_NULL) {
		if (len && out != in)
			memmove(out, in, len);
		return 0;
	}
	err = ERR_CRYPTO;
	make_nonce(e, iv, nonce);
	if (EVP_EncryptInit_ex2(e->ctx, NULL, NULL, nonce, NULL) != 1)
		goto out;
	/* RFC 4309 / OpenSSL CCM: the message length must be known before any AAD. */
	if (e->mode == MODE_CCM && EVP_EncryptUpdate(e->ctx, NULL, &outl, NULL, (int)len) != 1)
		goto out;
	if (feed_aad(e->ctx, aad, aad_len))
		goto out;
	if (e->mode == MODE_GMAC) {
		/* RFC 4543 §3.3: AAD = SPI || seq || IV || payload; nothing is encrypted. */
		if (feed_aad(e->ctx, iv, e->info.iv_len) || feed_aad(e->ctx, in, len))
			goto out;
		if (len && out != in)
			memmove(out, in, len);
	} else if (len || e->mode == MODE_CCM) {
		if (EVP_EncryptUpdate(e->ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len)
			goto out;
	}
	if (EVP_EncryptFinal_ex(e->ctx, dummy, &outl) != 1 || outl != 0)
		goto out;
	if (e->info.aead &&
	    EVP_CIPHER_CTX_ctrl(e->ctx, EVP_CTRL_AEAD_GET_TAG, (int)e->info.icv_len, icv) != 1)
		goto out;
	err = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return err;
}

int enc_open(struct enc *e, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
	     const uint8_t *in, size_t len, uint8_t *out, const uint8_t *icv)
{
	uint8_t nonce[16];
	uint8_t dummy[ENC_MAX_BLOCK_LEN];
	uint8_t tag[ENC_MAX_ICV_LEN];
	int outl, err;

	err = check_args(e, ENC_DECRYPT, iv, aad_len, in, len, out, icv);
	if (err)
		return err;
	if (e->mode == MODE_NULL) {
		if (len && out != in)
			memmove(out, in, len);
		return 0;
	}
	err = ERR_CRYPTO;
	make_nonce(e, iv, nonce);
	if (EVP_DecryptInit_ex2(e->ctx, NULL, NULL, nonce, NULL) != 1)
		goto out;
	if (e->info.aead) {
		/* OpenSSL may keep the pointer until Final: give it a copy we own. */
		memcpy(tag, icv, e->info.icv_len);
		if (EVP_CIPHER_CTX_ctrl(e->ctx, EVP_CTRL_AEAD_SET_TAG, (int)e->info.icv_len, tag) !=
		    1)
			goto out;
	}
	if (e->mode == MODE_CCM) {
		if (EVP_DecryptUpdate(e->ctx, NULL, &outl, NULL, (int)len) != 1)
			goto out;
		if (feed_aad(e->ctx, aad, aad_len))
			goto out;
		/* CCM verifies the tag in the data update; there is no Final step. */
		if (EVP_DecryptUpdate(e->ctx, out, &outl, in, (int)len) != 1) {
			err = ERR_AUTH;
			goto out;
		}
		err = 0;
		goto out;
	}
	if (feed_aad(e->ctx, aad, aad_len))
		goto out;
	if (e->mode == MODE_GMAC) {
		if (feed_aad(e->ctx, iv, e->info.iv_len) || feed_aad(e->ctx, in, len))
			goto out;
	} else if (len) {
		if (EVP_DecryptUpdate(e->ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len)
			goto out;
	}
	if (EVP_DecryptFinal_ex(e->ctx, dummy, &outl) != 1) {
		err = e->info.aead ? ERR_AUTH : ERR_CRYPTO;
		goto out;
	}
	if (e->mode == MODE_GMAC && len && out != in)
		memmove(out, in, len);
	err = 0;
out:
	if (err == ERR_AUTH && len)
		OPENSSL_cleanse(out, len);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return err;
}
