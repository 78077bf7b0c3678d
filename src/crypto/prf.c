#include "crypto/prf.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/mac.h"
#include "lib/err.h"
#include "wire/iana.h"

/* prf+ takes at most this many seed parts (plus Tn-1 and the counter). */
#define PRF_PLUS_MAX_SEED_PARTS 8

struct prf {
	struct prf_info info;
	struct mac *mac;
};

static const struct {
	uint16_t id;
	enum mac_alg alg;
} algs[] = {
    {IKEV2_PRF_HMAC_MD5, MAC_HMAC_MD5},		{IKEV2_PRF_HMAC_SHA1, MAC_HMAC_SHA1},
    {IKEV2_PRF_AES128_XCBC, MAC_AES128_XCBC},	{IKEV2_PRF_HMAC_SHA2_256, MAC_HMAC_SHA256},
    {IKEV2_PRF_HMAC_SHA2_384, MAC_HMAC_SHA384}, {IKEV2_PRF_HMAC_SHA2_512, MAC_HMAC_SHA512},
    {IKEV2_PRF_AES128_CMAC, MAC_AES128_CMAC},
};

static int find(uint16_t id, enum mac_alg *alg)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].id == id) {
			*alg = algs[i].alg;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

int prf_lookup(uint16_t id, struct prf_info *out)
{
	enum mac_alg alg;
	int err = find(id, &alg);

	if (err)
		return err;
	out->id = id;
	out->out_len = mac_alg_out_len(alg);
	out->key_len = out->out_len;
	out->fixed_key = alg == MAC_AES128_XCBC || alg == MAC_AES128_CMAC;
	return 0;
}

/* RFC 4434 §2 (XCBC) and RFC 4615 §3 (CMAC): derive the 16-octet AES key from any key. */
static int aes_prf_key(enum mac_alg alg, const uint8_t *key, size_t key_len, uint8_t k[16])
{
	static const uint8_t zero[16];
	struct mac *m = NULL;
	struct crypto_span part = {key, key_len};
	int err;

	if (key_len == 16) {
		memcpy(k, key, 16);
		return 0;
	}
	if (alg == MAC_AES128_XCBC && key_len < 16) {
		memset(k, 0, 16);
		if (key_len)
			memcpy(k, key, key_len);
		return 0;
	}
	err = mac_new(alg, zero, sizeof(zero), &m);
	if (!err)
		err = mac_compute(m, &part, 1, k);
	mac_free(m);
	return err;
}

int prf_new(uint16_t id, const uint8_t *key, size_t key_len, struct prf **out)
{
	struct prf *p = NULL;
	enum mac_alg alg;
	uint8_t k[16];
	int err = find(id, &alg);

	if (err)
		return err;
	if (key_len && !key)
		return ERR_INVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ERR_NOMEM;
	prf_lookup(id, &p->info);
	if (p->info.fixed_key) {
		err = aes_prf_key(alg, key, key_len, k);
		if (!err)
			err = mac_new(alg, k, sizeof(k), &p->mac);
	} else {
		err = mac_new(alg, key, key_len, &p->mac);
	}
	OPENSSL_cleanse(k, sizeof(k));
	if (err) {
		prf_free(p);
		return err;
	}
	*out = p;
	return 0;
}

void prf_free(struct prf *p)
{
	if (!p)
		return;
	mac_free(p->mac);
	free(p);
}

const struct prf_info *prf_get_info(const struct prf *p)
{
	return &p->info;
}

int prf_compute(struct prf *p, const struct crypto_span *parts, size_t n, uint8_t *out)
{
	return mac_compute(p->mac, parts, n, out);
}

int prf_oneshot(uint16_t id, const uint8_t *key, size_t key_len, const struct crypto_span *parts,
		size_t n, uint8_t *out)
{
	struct prf *p = NULL;
	int err = prf_new(id, key, key_len, &p);

	if (!err)
		err = prf_compute(p, parts, n, out);
	prf_free(p);
	return err;
}

int prf_plus(struct prf *p, const struct crypto_span *seed, size_t nseed, uint8_t *out, size_t len)
{
	struct crypto_span parts[PRF_PLUS_MAX_SEED_PARTS + 2];
	uint8_t t[PRF_MAX_OUT_LEN];
	uint8_t counter = 0;
	size_t olen = p->info.out_len, done = 0;
	int err = 0;

	if (nseed > PRF_PLUS_MAX_SEED_PARTS || (nseed && !seed) || len > PRF_PLUS_MAX_BLOCKS * olen)
		return ERR_INVAL;
	while (done < len) {
		size_t np = 0;

		counter++;
		if (counter > 1)
			parts[np++] = (struct crypto_span){t, olen}; /* Tn-1 */
		for (size_t i = 0; i < nseed; i++)
			parts[np++] = seed[i];
		parts[np++] = (struct crypto_span){&counter, 1};
		err = mac_compute(p->mac, parts, np, t);
		if (err)
			break;
		size_t take = len - done < olen ? len - done : olen;
		memcpy(out + done, t, take);
		done += take;
	}
	OPENSSL_cleanse(t, sizeof(t));
	if (err)
		OPENSSL_cleanse(out, len);
	return err;
}
