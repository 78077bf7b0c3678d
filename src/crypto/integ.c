#include "crypto/integ.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/mac.h"
#include "lib/err.h"
#include "wire/iana.h"

struct integ {
	struct integ_info info;
	struct mac *mac;
};

static const struct {
	uint16_t id;
	enum mac_alg alg;
	uint8_t key_len, icv_len;
} algs[] = {
    {IKEV2_INTEG_HMAC_MD5_96, MAC_HMAC_MD5, 16, 12},
    {IKEV2_INTEG_HMAC_SHA1_96, MAC_HMAC_SHA1, 20, 12},
    {IKEV2_INTEG_AES_XCBC_96, MAC_AES128_XCBC, 16, 12},
    {IKEV2_INTEG_HMAC_MD5_128, MAC_HMAC_MD5, 16, 16},
    {IKEV2_INTEG_HMAC_SHA1_160, MAC_HMAC_SHA1, 20, 20},
    {IKEV2_INTEG_AES_CMAC_96, MAC_AES128_CMAC, 16, 12},
    {IKEV2_INTEG_HMAC_SHA2_256_128, MAC_HMAC_SHA256, 32, 16},
    {IKEV2_INTEG_HMAC_SHA2_384_192, MAC_HMAC_SHA384, 48, 24},
    {IKEV2_INTEG_HMAC_SHA2_512_256, MAC_HMAC_SHA512, 64, 32},
};

static int find(uint16_t id, size_t *idx)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].id == id) {
			*idx = i;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

int integ_lookup(uint16_t id, struct integ_info *out)
{
	size_t i;
	int err = find(id, &i);

	if (err)
		return err;
	out->id = id;
	out->key_len = algs[i].key_len;
	out->icv_len = algs[i].icv_len;
	return 0;
}

int integ_new(uint16_t id, const uint8_t *key, size_t key_len, struct integ **out)
{
	struct integ *m = NULL;
	size_t i;
	int err = find(id, &i);

	if (err)
		return err;
	if (key_len != algs[i].key_len || !key)
		return ERR_INVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return ERR_NOMEM;
	integ_lookup(id, &m->info);
	err = mac_new(algs[i].alg, key, key_len, &m->mac);
	if (err) {
		integ_free(m);
		return err;
	}
	*out = m;
	return 0;
}

int integ_dup(const struct integ *m, struct integ **out)
{
	struct integ *d = calloc(1, sizeof(*d));
	int err;

	if (!d)
		return ERR_NOMEM;
	d->info = m->info;
	err = mac_dup(m->mac, &d->mac);
	if (err) {
		integ_free(d);
		return err;
	}
	*out = d;
	return 0;
}

int integ_rekey(struct integ *m, const uint8_t *key, size_t key_len)
{
	if (key_len != m->info.key_len || !key)
		return ERR_INVAL;
	return mac_rekey(m->mac, key, key_len);
}

void integ_free(struct integ *m)
{
	if (!m)
		return;
	mac_free(m->mac);
	free(m);
}

const struct integ_info *integ_get_info(const struct integ *m)
{
	return &m->info;
}

int integ_compute(struct integ *m, const struct crypto_span *parts, size_t n, uint8_t *icv)
{
	uint8_t full[MAC_MAX_OUT_LEN];
	int err = mac_compute(m->mac, parts, n, full);

	if (!err)
		memcpy(icv, full, m->info.icv_len);
	OPENSSL_cleanse(full, sizeof(full));
	return err;
}

int integ_verify(struct integ *m, const struct crypto_span *parts, size_t n, const uint8_t *icv)
{
	uint8_t full[MAC_MAX_OUT_LEN];
	int err = mac_compute(m->mac, parts, n, full);

	if (!err && CRYPTO_memcmp(full, icv, m->info.icv_len) != 0)
		err = ERR_AUTH;
	OPENSSL_cleanse(full, sizeof(full));
	return err;
}
