/* Proposal selection (RFC 7296 §2.7) between wire proposals and configured ones: the
 * responder takes the first offered proposal it accepts and in it the first offered transform
 * of each type; types present on one side only, unknown attributes, ESN defaults and INTEG
 * NONE; the initiator's check of a response; text forms. */
#include <string.h>

#include "crypto/alg.h"
#include "ike/proposal.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

static struct ikev2_sa offered, resp;

/* Builds the wire SA of a proposal string list (one wire proposal per configured one). */
static int wire_of(enum alg_proto proto, const char *s, struct ikev2_sa *out)
{
	struct alg_proposal p[ALG_MAX_PROPOSALS];
	static const uint8_t spi[4] = {1, 2, 3, 4};
	uint8_t wp = proto == ALG_PROTO_IKE   ? IKEV2_PROTO_IKE
		     : proto == ALG_PROTO_ESP ? IKEV2_PROTO_ESP
					      : IKEV2_PROTO_AH;
	size_t n = 0;

	if (alg_parse(proto, s, p, ALG_MAX_PROPOSALS, &n, NULL, 0) != 0)
		return -1;
	out->nproposals = 0;
	for (size_t i = 0; i < n; i++)
		if (prop_to_wire(&p[i], (uint8_t)(i + 1), wp, wp == IKEV2_PROTO_IKE ? NULL : spi,
				 wp == IKEV2_PROTO_IKE ? 0 : 4, 0, out) != 0)
			return -1;
	return 0;
}

static const struct {
	int line;
	enum alg_proto proto;
	const char *offer, *mine;
	int rc;
	uint8_t num;
	uint16_t encr, bits, prf, integ, ke;
} rows[] = {
    /* the first offered proposal we accept, not our first */
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-modp2048, aes256gcm16-prfsha384-ecp384",
     "aes256gcm16-prfsha384-ecp384, aes128-sha256-modp2048", 0, 1, IKEV2_ENCR_AES_CBC, 128,
     IKEV2_PRF_HMAC_SHA2_256, IKEV2_INTEG_HMAC_SHA2_256_128, 14},
    /* in a proposal, the peer's order of transforms */
    {__LINE__, ALG_PROTO_IKE, "aes256-aes128-sha256-ecp256-modp2048",
     "aes128-aes256-sha256-modp2048-ecp256", 0, 1, IKEV2_ENCR_AES_CBC, 256, IKEV2_PRF_HMAC_SHA2_256,
     IKEV2_INTEG_HMAC_SHA2_256_128, 19},
    /* key sizes must match */
    {__LINE__, ALG_PROTO_IKE, "aes192-sha256-modp2048", "aes128-sha256-modp2048", ERR_NOTFOUND, 0,
     0, 0, 0, 0, 0},
    /* no common KE */
    {__LINE__, ALG_PROTO_IKE, "aes128-sha256-modp2048", "aes128-sha256-ecp256", ERR_NOTFOUND, 0, 0,
     0, 0, 0, 0},
    /* the second offered proposal */
    {__LINE__, ALG_PROTO_IKE, "aes128-sha1-modp1024, aes128gcm16-prfsha256-x25519",
     "aes128gcm16-prfsha256-x25519", 0, 2, IKEV2_ENCR_AES_GCM_16, 128, IKEV2_PRF_HMAC_SHA2_256, 0,
     31},
    /* AEAD offer versus a classic configuration */
    {__LINE__, ALG_PROTO_IKE, "aes128gcm16-prfsha256-ecp256", "aes128-sha256-ecp256", ERR_NOTFOUND,
     0, 0, 0, 0, 0, 0},
    /* ESP: ESN no/yes, PFS group dropped in IKE_AUTH (PROP_NO_KE is not set here) */
    {__LINE__, ALG_PROTO_ESP, "aes128gcm16-esn-noesn", "aes128gcm16-noesn", 0, 1,
     IKEV2_ENCR_AES_GCM_16, 128, 0, 0, 0},
    {__LINE__, ALG_PROTO_ESP, "aes128gcm16-esn", "aes128gcm16-noesn", ERR_NOTFOUND, 0, 0, 0, 0, 0,
     0},
    {__LINE__, ALG_PROTO_ESP, "aes128-sha256", "aes128-sha1, aes128-sha256", 0, 1,
     IKEV2_ENCR_AES_CBC, 128, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0},
    {__LINE__, ALG_PROTO_AH, "sha256", "sha256", 0, 1, 0, 0, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 0},
};

static void test_select(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct alg_proposal mine[ALG_MAX_PROPOSALS];
		struct prop_choice c;
		uint8_t wp = rows[i].proto == ALG_PROTO_IKE   ? IKEV2_PROTO_IKE
			     : rows[i].proto == ALG_PROTO_ESP ? IKEV2_PROTO_ESP
							      : IKEV2_PROTO_AH;
		size_t n = 0;
		int line = rows[i].line, rc;

		T_EQ_ROW(line, wire_of(rows[i].proto, rows[i].offer, &offered), 0);
		T_EQ_ROW(
		    line,
		    alg_parse(rows[i].proto, rows[i].mine, mine, ALG_MAX_PROPOSALS, &n, NULL, 0),
		    0);
		memset(&c, 0, sizeof(c));
		rc = prop_select(&offered, wp, mine, n, 0, &c);
		T_EQ_ROW(line, rc, rows[i].rc);
		if (rc)
			continue;
		T_EQ_ROW(line, c.num, rows[i].num);
		T_EQ_ROW(line, c.encr, rows[i].encr);
		T_EQ_ROW(line, c.encr_bits, rows[i].bits);
		T_EQ_ROW(line, c.prf, rows[i].prf);
		T_EQ_ROW(line, c.integ, rows[i].integ);
		T_EQ_ROW(line, c.ke, rows[i].ke);
		if (wp != IKEV2_PROTO_IKE)
			T_EQ_ROW(line, c.spi_len, 4);
		/* the responder's answer passes the initiator's check against the offer */
		T_EQ_ROW(line, prop_choice_to_wire(&c, &resp), 0);
		{
			struct alg_proposal offer_cfg[ALG_MAX_PROPOSALS];
			struct prop_choice back;
			size_t m = 0;
			alg_parse(rows[i].proto, rows[i].offer, offer_cfg, ALG_MAX_PROPOSALS, &m,
				  NULL, 0);
			T_EQ_ROW(line, prop_check_response(&resp, wp, offer_cfg, m, 0, &back), 0);
			T_EQ_ROW(line, back.encr, c.encr);
			T_EQ_ROW(line, back.ke, c.ke);
		}
	}
}

static void test_edge_cases(void)
{
	struct alg_proposal mine[ALG_MAX_PROPOSALS];
	struct prop_choice c;
	size_t n = 0;

	alg_parse(ALG_PROTO_IKE, "aes128-sha256-modp2048", mine, ALG_MAX_PROPOSALS, &n, NULL, 0);
	/* an unknown attribute makes a transform unacceptable (§3.3.6) */
	T_EQ(wire_of(ALG_PROTO_IKE, "aes128-sha256-modp2048", &offered), 0);
	offered.p[0].t[0].n_unknown = 1;
	T_EQ(prop_select(&offered, IKEV2_PROTO_IKE, mine, n, 0, &c), ERR_NOTFOUND);
	/* a transform type we do not configure (an extra ESN in an IKE proposal) */
	T_EQ(wire_of(ALG_PROTO_IKE, "aes128-sha256-modp2048", &offered), 0);
	offered.p[0].t[offered.p[0].ntransforms++] =
	    (struct ikev2_transform){.type = IKEV2_TRANS_ESN, .id = IKEV2_ESN_NO};
	T_EQ(prop_select(&offered, IKEV2_PROTO_IKE, mine, n, 0, &c), ERR_NOTFOUND);
	/* INTEG NONE next to an AEAD counts as absent */
	alg_parse(ALG_PROTO_IKE, "aes128gcm16-prfsha256-ecp256", mine, ALG_MAX_PROPOSALS, &n, NULL,
		  0);
	T_EQ(wire_of(ALG_PROTO_IKE, "aes128gcm16-prfsha256-ecp256", &offered), 0);
	offered.p[0].t[offered.p[0].ntransforms++] =
	    (struct ikev2_transform){.type = IKEV2_TRANS_INTEG, .id = IKEV2_INTEG_NONE};
	T_EQ(prop_select(&offered, IKEV2_PROTO_IKE, mine, n, 0, &c), 0);
	/* a response with two proposals, or two transforms of a type, is refused */
	T_EQ(wire_of(ALG_PROTO_IKE, "aes128gcm16-prfsha256-ecp256, aes128gcm16-prfsha256-ecp256",
		     &resp),
	     0);
	T_EQ(prop_check_response(&resp, IKEV2_PROTO_IKE, mine, n, 0, &c), ERR_INVAL);
	T_EQ(wire_of(ALG_PROTO_IKE, "aes128gcm16-prfsha256-ecp256-ecp384", &resp), 0);
	T_EQ(prop_check_response(&resp, IKEV2_PROTO_IKE, mine, n, 0, &c), ERR_INVAL);
	/* PROP_NO_KE: a PFS group in an IKE_AUTH child proposal is ignored on both sides */
	alg_parse(ALG_PROTO_ESP, "aes128gcm16-ecp256", mine, ALG_MAX_PROPOSALS, &n, NULL, 0);
	T_EQ(wire_of(ALG_PROTO_ESP, "aes128gcm16-modp2048", &offered), 0);
	T_EQ(prop_select(&offered, IKEV2_PROTO_ESP, mine, n, 0, &c), ERR_NOTFOUND);
	T_EQ(prop_select(&offered, IKEV2_PROTO_ESP, mine, n, PROP_NO_KE, &c), 0);
	T_EQ(c.ke, 0);
	T_OK(prop_has_ke(mine, n, 19) && !prop_has_ke(mine, n, 14), "prop_has_ke");
}

static void test_text(void)
{
	struct alg_proposal p[2];
	char buf[256];
	size_t n = 0;

	alg_parse(ALG_PROTO_IKE, "aes128-sha256-modp2048, aes256gcm16-prfsha384-ecp384", p, 2, &n,
		  NULL, 0);
	T_OK(strcmp(prop_list_str(p, n, buf, sizeof(buf)),
		    "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048, "
		    "IKE:AES_GCM_16_256/PRF_HMAC_SHA2_384/ECP_384") == 0,
	     "'%s'", buf);
	wire_of(ALG_PROTO_IKE, "aes128-sha256-modp2048", &offered);
	T_OK(strcmp(prop_wire_str(&offered, buf, sizeof(buf)),
		    "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048") == 0,
	     "'%s'", buf);
	offered.nproposals = 0;
	T_OK(strcmp(prop_wire_str(&offered, buf, sizeof(buf)), "(none)") == 0, "'%s'", buf);
	T_OK(strcmp(prop_list_str(p, 0, buf, sizeof(buf)), "(none)") == 0, "'%s'", buf);
}

int main(void)
{
	test_select();
	test_edge_cases();
	test_text();
	return t_finish();
}
