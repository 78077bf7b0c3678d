/* IANA numbers: the values the RFCs assign, name tables derived from the same lists, no value
 * listed twice in one registry, unknown values printed as numbers. */
#include <string.h>

#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"

static const struct {
	int line;
	enum iana_registry reg;
	unsigned value;
	unsigned want_value;
	const char *name;
} names[] = {
    {__LINE__, IANA_REG_IKEV2_TRANSFORM_TYPE, IKEV2_TRANS_KE, 4, "KE"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_3DES, 3, "3DES"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_NULL, 11, "NULL"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_AES_CBC, 12, "AES_CBC"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_AES_CTR, 13, "AES_CTR"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_AES_CCM_8, 14, "AES_CCM_8"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_AES_CCM_16, 16, "AES_CCM_16"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_AES_GCM_8, 18, "AES_GCM_8"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_AES_GCM_16, 20, "AES_GCM_16"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_NULL_AUTH_AES_GMAC, 21, "NULL_AUTH_AES_GMAC"},
    {__LINE__, IANA_REG_IKEV2_ENCR, IKEV2_ENCR_CHACHA20_POLY1305, 28, "CHACHA20_POLY1305"},
    {__LINE__, IANA_REG_IKEV2_PRF, IKEV2_PRF_AES128_XCBC, 4, "PRF_AES128_XCBC"},
    {__LINE__, IANA_REG_IKEV2_PRF, IKEV2_PRF_HMAC_SHA2_512, 7, "PRF_HMAC_SHA2_512"},
    {__LINE__, IANA_REG_IKEV2_PRF, IKEV2_PRF_AES128_CMAC, 8, "PRF_AES128_CMAC"},
    {__LINE__, IANA_REG_IKEV2_INTEG, IKEV2_INTEG_AES_XCBC_96, 5, "AES_XCBC_96"},
    {__LINE__, IANA_REG_IKEV2_INTEG, IKEV2_INTEG_AES_CMAC_96, 8, "AES_CMAC_96"},
    {__LINE__, IANA_REG_IKEV2_INTEG, IKEV2_INTEG_HMAC_SHA2_256_128, 12, "HMAC_SHA2_256_128"},
    {__LINE__, IANA_REG_IKEV2_INTEG, IKEV2_INTEG_HMAC_SHA2_512_256, 14, "HMAC_SHA2_512_256"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_MODP1536, 5, "MODP_1536"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_MODP2048, 14, "MODP_2048"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_ECP256, 19, "ECP_256"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_MODP2048_S256, 24, "MODP_2048_256"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_ECP224_BP, 27, "ECP_224_BP"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_CURVE25519, 31, "CURVE_25519"},
    {__LINE__, IANA_REG_IKEV2_KE, IKEV2_KE_CURVE448, 32, "CURVE_448"},
    {__LINE__, IANA_REG_IKEV2_ESN, IKEV2_ESN_YES, 1, "ESN"},
    {__LINE__, IANA_REG_IKEV1_ENCR, IKEV1_ENCR_DES_CBC, 1, "DES_CBC"},
    {__LINE__, IANA_REG_IKEV1_ENCR, IKEV1_ENCR_3DES_CBC, 5, "3DES_CBC"},
    {__LINE__, IANA_REG_IKEV1_ENCR, IKEV1_ENCR_AES_CBC, 7, "AES_CBC"},
    {__LINE__, IANA_REG_IKEV1_HASH, IKEV1_HASH_SHA1, 2, "SHA"},
    {__LINE__, IANA_REG_IKEV1_HASH, IKEV1_HASH_SHA2_256, 4, "SHA2_256"},
    {__LINE__, IANA_REG_IKEV1_HASH, IKEV1_HASH_SHA2_512, 6, "SHA2_512"},
    {__LINE__, IANA_REG_IKEV1_AUTH, IKEV1_AUTH_PSK, 1, "PRE_SHARED_KEY"},
    {__LINE__, IANA_REG_IKEV1_AUTH, IKEV1_AUTH_RSA_SIG, 3, "RSA_SIGNATURES"},
    {__LINE__, IANA_REG_IKEV1_ATTR, IKEV1_ATTR_GROUP_DESC, 4, "GROUP_DESCRIPTION"},
    {__LINE__, IANA_REG_IKEV1_ATTR, IKEV1_ATTR_KEY_LENGTH, 14, "KEY_LENGTH"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_3DES, 3, "ESP_3DES"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_NULL, 11, "ESP_NULL"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_AES, 12, "ESP_AES"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_AES_CTR, 13, "ESP_AES_CTR"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_AES_CCM_12, 15, "ESP_AES_CCM_12"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_AES_GCM_12, 19, "ESP_AES_GCM_12"},
    {__LINE__, IANA_REG_IPSEC_ESP_TRANSFORM, IPSEC_ESP_NULL_AUTH_AES_GMAC, 23,
     "ESP_NULL_AUTH_AES_GMAC"},
    {__LINE__, IANA_REG_IPSEC_AUTH_ALG, IPSEC_AUTH_HMAC_MD5, 1, "HMAC_MD5"},
    {__LINE__, IANA_REG_IPSEC_AUTH_ALG, IPSEC_AUTH_HMAC_SHA1, 2, "HMAC_SHA"},
    {__LINE__, IANA_REG_IPSEC_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_256, 5, "HMAC_SHA2_256"},
    {__LINE__, IANA_REG_IPSEC_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_384, 6, "HMAC_SHA2_384"},
    {__LINE__, IANA_REG_IPSEC_AUTH_ALG, IPSEC_AUTH_HMAC_SHA2_512, 7, "HMAC_SHA2_512"},
    {__LINE__, IANA_REG_IPSEC_AUTH_ALG, IPSEC_AUTH_AES_XCBC_MAC, 9, "AES_XCBC_MAC"},
    {__LINE__, IANA_REG_IPSEC_AH_TRANSFORM, IPSEC_AH_SHA2_256, 5, "AH_SHA2_256"},
    {__LINE__, IANA_REG_IPSEC_ATTR, IPSEC_ATTR_AUTH_ALG, 5, "AUTHENTICATION_ALGORITHM"},
    {__LINE__, IANA_REG_IPSEC_ENCAP, IPSEC_ENCAP_UDP_TUNNEL, 3, "UDP_TUNNEL"},
};

static void test_names(void)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *n = iana_name(names[i].reg, names[i].value);
		T_EQ_ROW(names[i].line, names[i].value, names[i].want_value);
		T_OK_ROW(names[i].line, n && strcmp(n, names[i].name) == 0, "name %s, want %s",
			 n ? n : "(null)", names[i].name);
	}
}

static void test_unknown(void)
{
	char buf[32];

	T_OK(iana_name(IANA_REG_IKEV2_ENCR, 17) == NULL, "17 is unassigned");
	T_OK(iana_name(IANA_REG_COUNT, 1) == NULL, "no such registry");
	T_OK(strcmp(iana_str(IANA_REG_IKEV2_ENCR, 17, buf, sizeof(buf)), "UNKNOWN(17)") == 0,
	     "unknown printed as a number");
	T_OK(strcmp(iana_str(IANA_REG_IKEV2_ENCR, 12, buf, sizeof(buf)), "AES_CBC") == 0,
	     "known printed by name");
	T_OK(strcmp(iana_str(IANA_REG_IKEV2_ENCR, 65535, buf, 8), "UNKNOWN") == 0, "truncated");
	T_OK(strcmp(iana_registry_name(IANA_REG_IKEV2_PRF), "IKEv2 PRF") == 0, "registry name");
	T_OK(strcmp(iana_registry_name(IANA_REG_COUNT), "?") == 0, "unknown registry");
}

/* Each registry lists each value once, so a name lookup is unambiguous. */
#define COUNT_ENTRY(name, value, str) +1
#define VALUE_ENTRY(name, value, str) (value),
#define CHECK_UNIQUE(list)                                                                         \
	do {                                                                                       \
		static const unsigned v[] = {list(VALUE_ENTRY)};                                   \
		size_t n = 0 list(COUNT_ENTRY);                                                    \
		int dup = 0;                                                                       \
		for (size_t a = 0; a < n; a++)                                                     \
			for (size_t b = a + 1; b < n; b++)                                         \
				dup |= v[a] == v[b];                                               \
		T_OK(!dup, "%s has a duplicate value", #list);                                     \
	} while (0)

static void test_unique(void)
{
	CHECK_UNIQUE(IANA_IKEV2_TRANSFORM_TYPES);
	CHECK_UNIQUE(IANA_IKEV2_ENCR);
	CHECK_UNIQUE(IANA_IKEV2_PRF);
	CHECK_UNIQUE(IANA_IKEV2_INTEG);
	CHECK_UNIQUE(IANA_IKEV2_KE);
	CHECK_UNIQUE(IANA_IKEV2_ESN);
	CHECK_UNIQUE(IANA_IKEV1_ATTRS);
	CHECK_UNIQUE(IANA_IKEV1_ENCR);
	CHECK_UNIQUE(IANA_IKEV1_HASH);
	CHECK_UNIQUE(IANA_IKEV1_AUTH);
	CHECK_UNIQUE(IANA_IPSEC_PROTO);
	CHECK_UNIQUE(IANA_IPSEC_AH_TRANSFORM);
	CHECK_UNIQUE(IANA_IPSEC_ESP_TRANSFORM);
	CHECK_UNIQUE(IANA_IPSEC_ATTRS);
	CHECK_UNIQUE(IANA_IPSEC_AUTH_ALG);
	CHECK_UNIQUE(IANA_IPSEC_ENCAP);
}

enum mapping { V1_ENCR, ESP_ENCR, AUTH_INTEG, AH_INTEG };

static const struct {
	int line;
	enum mapping m;
	uint16_t from; /* IKEv1 / DOI value */
	int err;
	uint16_t to; /* IKEv2 value */
} maps[] = {
    {__LINE__, V1_ENCR, IKEV1_ENCR_AES_CBC, 0, IKEV2_ENCR_AES_CBC},
    {__LINE__, V1_ENCR, IKEV1_ENCR_3DES_CBC, 0, IKEV2_ENCR_3DES},
    {__LINE__, V1_ENCR, IKEV1_ENCR_DES_CBC, 0, IKEV2_ENCR_DES},
    {__LINE__, V1_ENCR, 99, ERR_UNSUPPORTED, 0},
    {__LINE__, ESP_ENCR, IPSEC_ESP_AES, 0, IKEV2_ENCR_AES_CBC},
    {__LINE__, ESP_ENCR, IPSEC_ESP_AES_GCM_16, 0, IKEV2_ENCR_AES_GCM_16},
    {__LINE__, ESP_ENCR, IPSEC_ESP_AES_CCM_8, 0, IKEV2_ENCR_AES_CCM_8},
    {__LINE__, ESP_ENCR, IPSEC_ESP_NULL, 0, IKEV2_ENCR_NULL},
    {__LINE__, ESP_ENCR, IPSEC_ESP_NULL_AUTH_AES_GMAC, 0, IKEV2_ENCR_NULL_AUTH_AES_GMAC},
    {__LINE__, ESP_ENCR, IPSEC_ESP_CAMELLIA, 0, IKEV2_ENCR_CAMELLIA_CBC},
    {__LINE__, ESP_ENCR, IPSEC_ESP_SEED_CBC, ERR_UNSUPPORTED, 0},
    {__LINE__, AUTH_INTEG, IPSEC_AUTH_HMAC_SHA1, 0, IKEV2_INTEG_HMAC_SHA1_96},
    {__LINE__, AUTH_INTEG, IPSEC_AUTH_HMAC_SHA2_256, 0, IKEV2_INTEG_HMAC_SHA2_256_128},
    {__LINE__, AUTH_INTEG, IPSEC_AUTH_HMAC_SHA2_512, 0, IKEV2_INTEG_HMAC_SHA2_512_256},
    {__LINE__, AUTH_INTEG, IPSEC_AUTH_AES_XCBC_MAC, 0, IKEV2_INTEG_AES_XCBC_96},
    {__LINE__, AUTH_INTEG, IPSEC_AUTH_AES_256_GMAC, 0, IKEV2_INTEG_AES_256_GMAC},
    {__LINE__, AUTH_INTEG, IPSEC_AUTH_HMAC_RIPEMD, ERR_UNSUPPORTED, 0},
    {__LINE__, AH_INTEG, IPSEC_AH_SHA, 0, IKEV2_INTEG_HMAC_SHA1_96},
    {__LINE__, AH_INTEG, IPSEC_AH_MD5, 0, IKEV2_INTEG_HMAC_MD5_96},
    {__LINE__, AH_INTEG, IPSEC_AH_SHA2_384, 0, IKEV2_INTEG_HMAC_SHA2_384_192},
    {__LINE__, AH_INTEG, IPSEC_AH_AES_XCBC_MAC, 0, IKEV2_INTEG_AES_XCBC_96},
    {__LINE__, AH_INTEG, IPSEC_AH_RSA, ERR_UNSUPPORTED, 0},
};

static void test_mappings(void)
{
	static int (*const fwd[])(uint16_t, uint16_t *) = {
	    iana_ikev1_encr_to_ikev2, iana_ipsec_esp_to_ikev2_encr, iana_ipsec_auth_to_ikev2_integ,
	    iana_ipsec_ah_to_ikev2_integ};
	static int (*const rev[])(uint16_t, uint16_t *) = {
	    iana_ikev2_encr_to_ikev1, iana_ikev2_encr_to_ipsec_esp, iana_ikev2_integ_to_ipsec_auth,
	    iana_ikev2_integ_to_ipsec_ah};

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		uint16_t to = 0xffff, back = 0xffff;
		int row = maps[i].line;

		T_EQ_ROW(row, fwd[maps[i].m](maps[i].from, &to), maps[i].err);
		if (maps[i].err) {
			T_EQ_ROW(row, to, 0xffff); /* untouched on failure */
			continue;
		}
		T_EQ_ROW(row, to, maps[i].to);
		T_EQ_ROW(row, rev[maps[i].m](to, &back), 0);
		T_EQ_ROW(row, back, maps[i].from);
	}
	uint16_t v;
	T_EQ(iana_ikev2_encr_to_ikev1(IKEV2_ENCR_CHACHA20_POLY1305, &v), ERR_UNSUPPORTED);
	T_EQ(iana_ikev2_encr_to_ipsec_esp(IKEV2_ENCR_CHACHA20_POLY1305, &v), ERR_UNSUPPORTED);
	T_EQ(iana_ikev2_integ_to_ipsec_ah(IKEV2_INTEG_AES_CMAC_96, &v), ERR_UNSUPPORTED);
}

int main(void)
{
	test_names();
	test_unknown();
	test_unique();
	test_mappings();
	return t_finish();
}
