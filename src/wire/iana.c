#include "wire/iana.h"

#include <stdio.h>

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
