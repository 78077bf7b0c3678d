/* strongSwan proposal strings: keywords to transforms, derived PRFs, AEAD rules, ESN defaults,
 * "default", and errors that name the bad token. */
#include <stdio.h>
#include <string.h>

#include "crypto/alg.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"

static const struct {
	int line;
	enum alg_proto proto;
	const char *in;
	int err;
	const char *want; /* proposals printed with alg_proposal_str, joined by ", " */
} rows[] = {
    /* the brief's examples */
    {__LINE__, ALG_PROTO_IKE, "aes128gcm16-prfsha256-x25519", 0,
     "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/CURVE_25519"},
    {__LINE__, ALG_PROTO_IKE, "aes256-sha384-ecp384", 0,
     "IKE:AES_CBC_256/HMAC_SHA2_384_192/PRF_HMAC_SHA2_384/ECP_384"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-modp2048", 0,
     "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"},
    /* one PRF derived per integrity algorithm, in order */
    {__LINE__, ALG_PROTO_IKE, "aes128-aes256-sha1-aesxcbc-aescmac-md5-ecp256", 0,
     "IKE:AES_CBC_128/AES_CBC_256/HMAC_SHA1_96/AES_XCBC_96/AES_CMAC_96/HMAC_MD5_96/"
     "PRF_HMAC_SHA1/PRF_AES128_XCBC/PRF_AES128_CMAC/PRF_HMAC_MD5/ECP_256"},
    /* an explicit PRF wins over derivation */
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-prfsha512-modp3072", 0,
     "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_512/MODP_3072"},
    /* aliases */
    {__LINE__, ALG_PROTO_IKE, "aes-sha-prfsha1-modp1024", 0,
     "IKE:AES_CBC_128/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP_1024"},
    {__LINE__, ALG_PROTO_IKE, "aes128gcm-aes256gcm128-aes192gcm96-aes128gcm64-prfsha256-curve448",
     0,
     "IKE:AES_GCM_16_128/AES_GCM_16_256/AES_GCM_12_192/AES_GCM_8_128/PRF_HMAC_SHA2_256/"
     "CURVE_448"},
    {__LINE__, ALG_PROTO_IKE, "aes128ccm8-aes256ccm12-aes192ccm16-aes128ccm-prfsha384-ecp521", 0,
     "IKE:AES_CCM_8_128/AES_CCM_12_256/AES_CCM_16_192/AES_CCM_16_128/PRF_HMAC_SHA2_384/ECP_521"},
    {__LINE__, ALG_PROTO_IKE, "chacha20poly1305-prfsha256-x25519-curve25519", 0,
     "IKE:CHACHA20_POLY1305/PRF_HMAC_SHA2_256/CURVE_25519"},
    {__LINE__, ALG_PROTO_IKE, "3des-sha2_256-md5_128-sha1_160-prfmd5-modp768", 0,
     "IKE:3DES/HMAC_SHA2_256_128/HMAC_MD5_128/HMAC_SHA1_160/PRF_HMAC_MD5/MODP_768"},
    {__LINE__, ALG_PROTO_IKE,
     "aes128ctr-sha512-modp1536-modp4096-modp6144-modp8192-modp1024s160-modp2048s224-"
     "modp2048s256-ecp192-ecp224-ecp224bp-ecp256bp-ecp384bp-ecp512bp",
     0,
     "IKE:AES_CTR_128/HMAC_SHA2_512_256/PRF_HMAC_SHA2_512/MODP_1536/MODP_4096/MODP_6144/"
     "MODP_8192/MODP_1024_160/MODP_2048_224/MODP_2048_256/ECP_192/ECP_224/ECP_224_BP/"
     "ECP_256_BP/ECP_384_BP/ECP_512_BP"},
    /* spaces around keywords and proposals are ignored; lists */
    {__LINE__, ALG_PROTO_IKE, " aes128 - sha256 - x25519 , aes256gcm16-prfsha384-ecp384 ", 0,
     "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/CURVE_25519, "
     "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384"},
    /* IKE drops "none" and ESN */
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-none-modp2048-esn", 0,
     "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048"},
    /* AEAD-only proposals lose their integrity algorithms */
    {__LINE__, ALG_PROTO_IKE, "aes128gcm16-sha256-prfsha256-ecp256", 0,
     "IKE:AES_GCM_16_128/PRF_HMAC_SHA2_256/ECP_256"},
    {__LINE__, ALG_PROTO_ESP, "aes128gcm16-sha256", 0, "ESP:AES_GCM_16_128/NO_ESN"},

    /* ESP: no PRF, ESN default, KE for PFS */
    {__LINE__, ALG_PROTO_ESP, "aes128-sha256", 0, "ESP:AES_CBC_128/HMAC_SHA2_256_128/NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "aes256gcm16-ecp384-esn", 0, "ESP:AES_GCM_16_256/ECP_384/ESN"},
    {__LINE__, ALG_PROTO_ESP, "aes128-sha1-prfsha1-esn-noesn", 0,
     "ESP:AES_CBC_128/HMAC_SHA1_96/ESN/NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "null-sha256", 0, "ESP:NULL/HMAC_SHA2_256_128/NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "aes128", 0, "ESP:AES_CBC_128/NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "aes128gmac", 0, "ESP:NULL_AUTH_AES_GMAC_128/NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "aes128gcm16-modpnone-ecp256", 0,
     "ESP:AES_GCM_16_128/NONE/ECP_256/NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "chacha20poly1305", 0, "ESP:CHACHA20_POLY1305/NO_ESN"},
    /* AH: integrity only, GMAC keyword becomes an integrity transform */
    {__LINE__, ALG_PROTO_AH, "sha256-esn", 0, "AH:HMAC_SHA2_256_128/ESN"},
    {__LINE__, ALG_PROTO_AH, "aes256gmac-aes128-sha1", 0, "AH:HMAC_SHA1_96/AES_256_GMAC/NO_ESN"},

    /* default */
    {__LINE__, ALG_PROTO_ESP, "default", 0,
     "ESP:AES_CBC_128/AES_CBC_192/AES_CBC_256/HMAC_SHA2_256_128/HMAC_SHA2_384_192/"
     "HMAC_SHA2_512_256/HMAC_SHA1_96/AES_XCBC_96/NO_ESN"},
    {__LINE__, ALG_PROTO_AH, "default", 0,
     "AH:HMAC_SHA2_256_128/HMAC_SHA2_384_192/HMAC_SHA2_512_256/HMAC_SHA1_96/AES_XCBC_96/"
     "NO_ESN"},
    {__LINE__, ALG_PROTO_ESP, "aes256gcm16,default", 0,
     "ESP:AES_GCM_16_256/NO_ESN, ESP:AES_CBC_128/AES_CBC_192/AES_CBC_256/HMAC_SHA2_256_128/"
     "HMAC_SHA2_384_192/HMAC_SHA2_512_256/HMAC_SHA1_96/AES_XCBC_96/NO_ESN"},

    /* errors name the token or the rule */
    {__LINE__, ALG_PROTO_IKE, "aes129-sha256-modp2048", ERR_INVAL, "'aes129' not recognized"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-modp2047", ERR_INVAL, "'modp2047' not recognized"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-modp2048,aes256-sah384-ecp384", ERR_INVAL,
     "'sah384' not recognized"},
    {__LINE__, ALG_PROTO_IKE, "AES128-sha256-modp2048", ERR_INVAL, "'AES128' not recognized"},
    {__LINE__, ALG_PROTO_IKE, "des-sha1-modp1024", ERR_INVAL, "'des' not recognized"},
    {__LINE__, ALG_PROTO_IKE, "aes128gcm16-x25519", ERR_INVAL, "a PRF algorithm is mandatory"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256", ERR_INVAL, "key exchange method is mandatory"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-none", ERR_INVAL, "key exchange method is mandatory"},
    {__LINE__, ALG_PROTO_IKE, "aes128-prfsha256-x25519", ERR_INVAL,
     "integrity algorithm is mandatory"},
    {__LINE__, ALG_PROTO_IKE, "sha256-x25519", ERR_INVAL, "encryption algorithm is mandatory"},
    {__LINE__, ALG_PROTO_ESP, "aes128gcm16-aes128-sha256", ERR_INVAL,
     "can't be contained in the same ESP proposal"},
    {__LINE__, ALG_PROTO_ESP, "sha256", ERR_INVAL, "encryption algorithm is mandatory in ESP"},
    {__LINE__, ALG_PROTO_AH, "aes128", ERR_INVAL, "integrity algorithm is mandatory in AH"},
    {__LINE__, ALG_PROTO_IKE, "aes128--sha256-x25519", ERR_INVAL, "empty algorithm"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-x25519-", ERR_INVAL, "trailing '-'"},
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-x25519,", ERR_INVAL, "empty proposal"},
    {__LINE__, ALG_PROTO_IKE, "", ERR_INVAL, "empty proposal"},
    {__LINE__, ALG_PROTO_ESP, "aes128-sha256-averyveryveryveryveryverylongkeywordthatdoesnotexist",
     ERR_INVAL, "'averyveryveryveryveryverylongkeywordthatdoesnotexist' not recognized"},
};

static int proposal_eq(const struct alg_proposal *a, const struct alg_proposal *b)
{
	if (a->proto != b->proto)
		return 0;
	for (int type = 1; type < ALG_NTYPES; type++) {
		if (a->n[type] != b->n[type])
			return 0;
		for (size_t i = 0; i < a->n[type]; i++) {
			if (a->t[type][i].id != b->t[type][i].id ||
			    a->t[type][i].key_bits != b->t[type][i].key_bits)
				return 0;
		}
	}
	return 1;
}

static void test_rows(void)
{
	static struct alg_proposal props[ALG_MAX_PROPOSALS];

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		char err[256], got[2048], one[1024];
		size_t n = 0;
		int line = rows[r].line;
		int rc = alg_parse(rows[r].proto, rows[r].in, props, ALG_MAX_PROPOSALS, &n, err,
				   sizeof(err));

		T_EQ_ROW(line, rc, rows[r].err);
		if (rc) {
			T_OK_ROW(line, strstr(err, rows[r].want) != NULL, "error '%s' lacks '%s'",
				 err, rows[r].want);
			continue;
		}
		got[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			if (i)
				strncat(got, ", ", sizeof(got) - strlen(got) - 1);
			strncat(got, alg_proposal_str(&props[i], one, sizeof(one)),
				sizeof(got) - strlen(got) - 1);
		}
		T_OK_ROW(line, strcmp(got, rows[r].want) == 0, "got '%s'\n  want '%s'", got,
			 rows[r].want);
		/* keyword form parses back to the same proposal (AH GMAC has no keyword form) */
		for (size_t i = 0; i < n && rows[r].proto != ALG_PROTO_AH; i++) {
			struct alg_proposal back;
			size_t nb = 0;
			T_EQ_ROW(line, alg_proposal_keywords(&props[i], one, sizeof(one)), 0);
			T_EQ_ROW(line,
				 alg_parse(rows[r].proto, one, &back, 1, &nb, err, sizeof(err)), 0);
			T_OK_ROW(line, nb == 1 && proposal_eq(&back, &props[i]),
				 "round trip of '%s'", one);
		}
	}
}

static void test_default_ike(void)
{
	struct alg_proposal props[ALG_MAX_PROPOSALS];
	char err[256], buf[2048];
	size_t n = 0;

	T_EQ(alg_parse(ALG_PROTO_IKE, "default", props, ALG_MAX_PROPOSALS, &n, err, sizeof(err)),
	     0);
	T_EQ(n, 2);
	if (n != 2)
		return;
	/* AEAD proposal first: no integrity; then the classic one with integrity */
	T_EQ(props[0].n[IKEV2_TRANS_INTEG], 0);
	T_EQ(props[0].t[IKEV2_TRANS_ENCR][0].id, IKEV2_ENCR_AES_GCM_16);
	T_EQ(props[0].t[IKEV2_TRANS_ENCR][0].key_bits, 128);
	T_EQ(props[1].t[IKEV2_TRANS_ENCR][0].id, IKEV2_ENCR_AES_CBC);
	T_EQ(props[1].t[IKEV2_TRANS_INTEG][0].id, IKEV2_INTEG_HMAC_SHA2_256_128);
	T_EQ(props[1].t[IKEV2_TRANS_PRF][0].id, IKEV2_PRF_HMAC_SHA2_256);
	T_EQ(props[1].t[IKEV2_TRANS_KE][0].id, IKEV2_KE_ECP256);
	T_EQ(props[1].n[IKEV2_TRANS_ESN], 0);
	alg_proposal_str(&props[1], buf, sizeof(buf));
	T_OK(strstr(buf, "MODP_2048") != NULL && strstr(buf, "3DES") != NULL, "%s", buf);
	/* the limit on proposals is honoured */
	T_EQ(alg_parse(ALG_PROTO_IKE, "default", props, 1, &n, err, sizeof(err)), ERR_LIMIT);
	T_OK(strstr(err, "too many proposals") != NULL, "%s", err);
}

static void test_keywords(void)
{
	struct alg_transform t;
	uint8_t type = 0;

	T_EQ(alg_keyword("aes192ctr", &type, &t), 0);
	T_EQ(type, IKEV2_TRANS_ENCR);
	T_EQ(t.id, IKEV2_ENCR_AES_CTR);
	T_EQ(t.key_bits, 192);
	T_EQ(alg_keyword("x448", &type, &t), 0);
	T_EQ(type, IKEV2_TRANS_KE);
	T_EQ(t.id, IKEV2_KE_CURVE448);
	T_EQ(alg_keyword("prfaescmac", &type, &t), 0);
	T_EQ(type, IKEV2_TRANS_PRF);
	T_EQ(t.id, IKEV2_PRF_AES128_CMAC);
	T_EQ(alg_keyword("esn", &type, &t), 0);
	T_EQ(t.id, IKEV2_ESN_YES);
	T_EQ(alg_keyword("aes", &type, &t), 0);
	T_EQ(t.key_bits, 128);
	T_EQ(alg_keyword("nope", &type, &t), ERR_NOTFOUND);
	/* canonical names */
	struct alg_transform gcm = {IKEV2_ENCR_AES_GCM_16, 128};
	struct alg_transform cbc = {IKEV2_ENCR_AES_CBC, 128};
	struct alg_transform sha = {IKEV2_INTEG_HMAC_SHA1_96, 0};
	struct alg_transform x = {IKEV2_KE_CURVE25519, 0};
	struct alg_transform bad = {IKEV2_ENCR_AES_CBC, 64};
	T_OK(strcmp(alg_keyword_for(IKEV2_TRANS_ENCR, &gcm), "aes128gcm16") == 0, "gcm16");
	T_OK(strcmp(alg_keyword_for(IKEV2_TRANS_ENCR, &cbc), "aes128") == 0, "aes128");
	T_OK(strcmp(alg_keyword_for(IKEV2_TRANS_INTEG, &sha), "sha1") == 0, "sha1");
	T_OK(strcmp(alg_keyword_for(IKEV2_TRANS_KE, &x), "x25519") == 0, "x25519");
	T_OK(alg_keyword_for(IKEV2_TRANS_ENCR, &bad) == NULL, "no keyword for AES-64");
}

int main(void)
{
	test_keywords();
	test_rows();
	test_default_ike();
	return t_finish();
}
