#include "wire/iana.h"

#include <stdio.h>

#include "lib/err.h"

struct iana_entry {
	unsigned value;
	const char *name;
};

struct iana_table {
	const char *reg_name;
	const struct iana_entry *entries;
	size_t n;
};

#define IANA_TABLE_ENTRY(name, value, str) {(value), (str)},
#define IANA_TABLE(var, list)		   static const struct iana_entry var[] = {list(IANA_TABLE_ENTRY)};

IANA_TABLE(t_ikev2_transform_type, IANA_IKEV2_TRANSFORM_TYPES)
IANA_TABLE(t_ikev2_encr, IANA_IKEV2_ENCR)
IANA_TABLE(t_ikev2_prf, IANA_IKEV2_PRF)
IANA_TABLE(t_ikev2_integ, IANA_IKEV2_INTEG)
IANA_TABLE(t_ikev2_ke, IANA_IKEV2_KE)
IANA_TABLE(t_ikev2_esn, IANA_IKEV2_ESN)
IANA_TABLE(t_ikev2_transform_attr, IANA_IKEV2_TRANSFORM_ATTRS)
IANA_TABLE(t_ikev1_attr, IANA_IKEV1_ATTRS)
IANA_TABLE(t_ikev1_encr, IANA_IKEV1_ENCR)
IANA_TABLE(t_ikev1_hash, IANA_IKEV1_HASH)
IANA_TABLE(t_ikev1_auth, IANA_IKEV1_AUTH)
IANA_TABLE(t_ikev1_group_type, IANA_IKEV1_GROUP_TYPE)
IANA_TABLE(t_ikev1_life_type, IANA_IKEV1_LIFE_TYPE)
IANA_TABLE(t_ipsec_proto, IANA_IPSEC_PROTO)
IANA_TABLE(t_ipsec_isakmp_transform, IANA_IPSEC_ISAKMP_TRANSFORM)
IANA_TABLE(t_ipsec_ah_transform, IANA_IPSEC_AH_TRANSFORM)
IANA_TABLE(t_ipsec_esp_transform, IANA_IPSEC_ESP_TRANSFORM)
IANA_TABLE(t_ipsec_attr, IANA_IPSEC_ATTRS)
IANA_TABLE(t_ipsec_auth_alg, IANA_IPSEC_AUTH_ALG)
IANA_TABLE(t_ipsec_encap, IANA_IPSEC_ENCAP)

#define REG(idx, name, var) [idx] = {(name), (var), sizeof(var) / sizeof((var)[0])}

static const struct iana_table tables[IANA_REG_COUNT] = {
    REG(IANA_REG_IKEV2_TRANSFORM_TYPE, "IKEv2 transform type", t_ikev2_transform_type),
    REG(IANA_REG_IKEV2_ENCR, "IKEv2 ENCR", t_ikev2_encr),
    REG(IANA_REG_IKEV2_PRF, "IKEv2 PRF", t_ikev2_prf),
    REG(IANA_REG_IKEV2_INTEG, "IKEv2 INTEG", t_ikev2_integ),
    REG(IANA_REG_IKEV2_KE, "IKEv2 KE", t_ikev2_ke),
    REG(IANA_REG_IKEV2_ESN, "IKEv2 ESN", t_ikev2_esn),
    REG(IANA_REG_IKEV2_TRANSFORM_ATTR, "IKEv2 transform attribute", t_ikev2_transform_attr),
    REG(IANA_REG_IKEV1_ATTR, "IKEv1 attribute", t_ikev1_attr),
    REG(IANA_REG_IKEV1_ENCR, "IKEv1 encryption", t_ikev1_encr),
    REG(IANA_REG_IKEV1_HASH, "IKEv1 hash", t_ikev1_hash),
    REG(IANA_REG_IKEV1_AUTH, "IKEv1 auth method", t_ikev1_auth),
    REG(IANA_REG_IKEV1_GROUP_TYPE, "IKEv1 group type", t_ikev1_group_type),
    REG(IANA_REG_IKEV1_LIFE_TYPE, "IKEv1 life type", t_ikev1_life_type),
    REG(IANA_REG_IPSEC_PROTO, "IPsec protocol", t_ipsec_proto),
    REG(IANA_REG_IPSEC_ISAKMP_TRANSFORM, "ISAKMP transform", t_ipsec_isakmp_transform),
    REG(IANA_REG_IPSEC_AH_TRANSFORM, "AH transform", t_ipsec_ah_transform),
    REG(IANA_REG_IPSEC_ESP_TRANSFORM, "ESP transform", t_ipsec_esp_transform),
    REG(IANA_REG_IPSEC_ATTR, "IPsec SA attribute", t_ipsec_attr),
    REG(IANA_REG_IPSEC_AUTH_ALG, "IPsec auth algorithm", t_ipsec_auth_alg),
    REG(IANA_REG_IPSEC_ENCAP, "IPsec encapsulation", t_ipsec_encap),
};

const char *iana_name(enum iana_registry reg, unsigned value)
{
	if ((unsigned)reg >= IANA_REG_COUNT)
		return NULL;
	const struct iana_table *t = &tables[reg];
	for (size_t i = 0; i < t->n; i++) {
		if (t->entries[i].value == value)
			return t->entries[i].name;
	}
	return NULL;
}

const char *iana_str(enum iana_registry reg, unsigned value, char *buf, size_t size)
{
	const char *name = iana_name(reg, value);
	if (name)
		return name;
	snprintf(buf, size, "UNKNOWN(%u)", value);
	return buf;
}

const char *iana_registry_name(enum iana_registry reg)
{
	if ((unsigned)reg >= IANA_REG_COUNT)
		return "?";
	return tables[reg].reg_name;
}

struct iana_pair {
	uint16_t a, b;
};

/* Looks v up in column a (to_b) or b (!to_b) of a mapping table. */
static int map(const struct iana_pair *t, size_t n, int to_b, uint16_t v, uint16_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if ((to_b ? t[i].a : t[i].b) == v) {
			*out = to_b ? t[i].b : t[i].a;
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

#define MAP(t, to_b, v, out) map((t), sizeof(t) / sizeof((t)[0]), (to_b), (v), (out))

static const struct iana_pair ikev1_encr_map[] = {
    {IKEV1_ENCR_DES_CBC, IKEV2_ENCR_DES},
    {IKEV1_ENCR_IDEA_CBC, IKEV2_ENCR_IDEA},
    {IKEV1_ENCR_BLOWFISH_CBC, IKEV2_ENCR_BLOWFISH},
    {IKEV1_ENCR_3DES_CBC, IKEV2_ENCR_3DES},
    {IKEV1_ENCR_CAST_CBC, IKEV2_ENCR_CAST},
    {IKEV1_ENCR_AES_CBC, IKEV2_ENCR_AES_CBC},
    {IKEV1_ENCR_CAMELLIA_CBC, IKEV2_ENCR_CAMELLIA_CBC},
};

static const struct iana_pair esp_encr_map[] = {
    {IPSEC_ESP_DES_IV64, IKEV2_ENCR_DES_IV64},
    {IPSEC_ESP_DES, IKEV2_ENCR_DES},
    {IPSEC_ESP_3DES, IKEV2_ENCR_3DES},
    {IPSEC_ESP_RC5, IKEV2_ENCR_RC5},
    {IPSEC_ESP_IDEA, IKEV2_ENCR_IDEA},
    {IPSEC_ESP_CAST, IKEV2_ENCR_CAST},
    {IPSEC_ESP_BLOWFISH, IKEV2_ENCR_BLOWFISH},
    {IPSEC_ESP_3IDEA, IKEV2_ENCR_3IDEA},
    {IPSEC_ESP_DES_IV32, IKEV2_ENCR_DES_IV32},
    {IPSEC_ESP_NULL, IKEV2_ENCR_NULL},
    {IPSEC_ESP_AES, IKEV2_ENCR_AES_CBC},
    {IPSEC_ESP_AES_CTR, IKEV2_ENCR_AES_CTR},
    {IPSEC_ESP_AES_CCM_8, IKEV2_ENCR_AES_CCM_8},
    {IPSEC_ESP_AES_CCM_12, IKEV2_ENCR_AES_CCM_12},
    {IPSEC_ESP_AES_CCM_16, IKEV2_ENCR_AES_CCM_16},
    {IPSEC_ESP_AES_GCM_8, IKEV2_ENCR_AES_GCM_8},
    {IPSEC_ESP_AES_GCM_12, IKEV2_ENCR_AES_GCM_12},
    {IPSEC_ESP_AES_GCM_16, IKEV2_ENCR_AES_GCM_16},
    {IPSEC_ESP_CAMELLIA, IKEV2_ENCR_CAMELLIA_CBC},
    {IPSEC_ESP_NULL_AUTH_AES_GMAC, IKEV2_ENCR_NULL_AUTH_AES_GMAC},
};

static const struct iana_pair auth_integ_map[] = {
    {IPSEC_AUTH_HMAC_MD5, IKEV2_INTEG_HMAC_MD5_96},
    {IPSEC_AUTH_HMAC_SHA1, IKEV2_INTEG_HMAC_SHA1_96},
    {IPSEC_AUTH_DES_MAC, IKEV2_INTEG_DES_MAC},
    {IPSEC_AUTH_KPDK, IKEV2_INTEG_KPDK_MD5},
    {IPSEC_AUTH_HMAC_SHA2_256, IKEV2_INTEG_HMAC_SHA2_256_128},
    {IPSEC_AUTH_HMAC_SHA2_384, IKEV2_INTEG_HMAC_SHA2_384_192},
    {IPSEC_AUTH_HMAC_SHA2_512, IKEV2_INTEG_HMAC_SHA2_512_256},
    {IPSEC_AUTH_AES_XCBC_MAC, IKEV2_INTEG_AES_XCBC_96},
    {IPSEC_AUTH_AES_128_GMAC, IKEV2_INTEG_AES_128_GMAC},
    {IPSEC_AUTH_AES_192_GMAC, IKEV2_INTEG_AES_192_GMAC},
    {IPSEC_AUTH_AES_256_GMAC, IKEV2_INTEG_AES_256_GMAC},
};

static const struct iana_pair ah_integ_map[] = {
    {IPSEC_AH_MD5, IKEV2_INTEG_HMAC_MD5_96},
    {IPSEC_AH_SHA, IKEV2_INTEG_HMAC_SHA1_96},
    {IPSEC_AH_DES, IKEV2_INTEG_DES_MAC},
    {IPSEC_AH_SHA2_256, IKEV2_INTEG_HMAC_SHA2_256_128},
    {IPSEC_AH_SHA2_384, IKEV2_INTEG_HMAC_SHA2_384_192},
    {IPSEC_AH_SHA2_512, IKEV2_INTEG_HMAC_SHA2_512_256},
    {IPSEC_AH_AES_XCBC_MAC, IKEV2_INTEG_AES_XCBC_96},
    {IPSEC_AH_AES_128_GMAC, IKEV2_INTEG_AES_128_GMAC},
    {IPSEC_AH_AES_192_GMAC, IKEV2_INTEG_AES_192_GMAC},
    {IPSEC_AH_AES_256_GMAC, IKEV2_INTEG_AES_256_GMAC},
};

int iana_ikev1_encr_to_ikev2(uint16_t ikev1_encr, uint16_t *ikev2_encr)
{
	return MAP(ikev1_encr_map, 1, ikev1_encr, ikev2_encr);
}

int iana_ikev2_encr_to_ikev1(uint16_t ikev2_encr, uint16_t *ikev1_encr)
{
	return MAP(ikev1_encr_map, 0, ikev2_encr, ikev1_encr);
}

int iana_ipsec_esp_to_ikev2_encr(uint16_t esp_id, uint16_t *ikev2_encr)
{
	return MAP(esp_encr_map, 1, esp_id, ikev2_encr);
}

int iana_ikev2_encr_to_ipsec_esp(uint16_t ikev2_encr, uint16_t *esp_id)
{
	return MAP(esp_encr_map, 0, ikev2_encr, esp_id);
}

int iana_ipsec_auth_to_ikev2_integ(uint16_t auth_alg, uint16_t *ikev2_integ)
{
	return MAP(auth_integ_map, 1, auth_alg, ikev2_integ);
}

int iana_ikev2_integ_to_ipsec_auth(uint16_t ikev2_integ, uint16_t *auth_alg)
{
	return MAP(auth_integ_map, 0, ikev2_integ, auth_alg);
}

int iana_ipsec_ah_to_ikev2_integ(uint16_t ah_id, uint16_t *ikev2_integ)
{
	return MAP(ah_integ_map, 1, ah_id, ikev2_integ);
}

int iana_ikev2_integ_to_ipsec_ah(uint16_t ikev2_integ, uint16_t *ah_id)
{
	return MAP(ah_integ_map, 0, ikev2_integ, ah_id);
}
