/* Algorithm proposals written in strongSwan's keyword syntax ("aes128gcm16-prfsha256-x25519",
 * "aes256-sha384-ecp384", comma-separated lists, "default"), mapped once to IKEv2 transform
 * types and IDs (wire/iana.h) with their key sizes.
 *
 * Parsing mirrors strongSwan 5.9's proposal_create_from_string / check_proposal:
 * - keywords are separated by '-' (spaces around them are ignored); proposals by ',';
 * - IKE: without an explicit PRF, one PRF per integrity algorithm is derived (HMAC-x ->
 *   PRF_HMAC_x, AES-XCBC -> PRF_AES128_XCBC, AES-CMAC -> PRF_AES128_CMAC); a PRF and a key
 *   exchange method are mandatory ("none"/"modpnone" are dropped);
 * - IKE and ESP: an encryption algorithm is mandatory; AEAD and classic ciphers can't be mixed
 *   in one proposal; with only AEADs any integrity algorithm is removed; IKE with classic
 *   ciphers needs an integrity algorithm;
 * - ESP and AH: PRFs are removed; ESN defaults to "noesn"; a KE method means PFS;
 * - AH: "aesNNNgmac" becomes AUTH_AES_NNN_GMAC, other ciphers are dropped; integrity mandatory.
 * "default" expands to strongSwan 5.9's defaults for the protocol (IKE: an AEAD proposal, then
 * a classic one; ESP and AH: one classic proposal), restricted to what Rampart implements.
 */
#ifndef RAMPART_CRYPTO_ALG_H
#define RAMPART_CRYPTO_ALG_H

#include <stddef.h>
#include <stdint.h>

/* Most transforms of one type in one proposal, and most proposals in one list. */
#define ALG_MAX_PER_TYPE  24
#define ALG_MAX_PROPOSALS 16
/* Transform types handled here: IKEV2_TRANS_ENCR .. IKEV2_TRANS_ESN, used as array index. */
#define ALG_NTYPES 6

enum alg_proto {
	ALG_PROTO_IKE,
	ALG_PROTO_ESP,
	ALG_PROTO_AH,
};

struct alg_transform {
	uint16_t id;	   /* IKEV2_ENCR_*, IKEV2_PRF_*, IKEV2_INTEG_*, IKEV2_KE_*, IKEV2_ESN_* */
	uint16_t key_bits; /* Key Length attribute in bits; 0 when the transform has none */
};

/* One proposal: transforms by type, in the order given (preference order). n[type] and
 * t[type] are indexed by IKEV2_TRANS_*; index 0 is unused. */
struct alg_proposal {
	enum alg_proto proto;
	uint8_t n[ALG_NTYPES];
	struct alg_transform t[ALG_NTYPES][ALG_MAX_PER_TYPE];
};

/* Looks up one keyword (case-sensitive, as strongSwan). Returns 0 with its transform type
 * (IKEV2_TRANS_*) and transform, or ERR_NOTFOUND. */
int alg_keyword(const char *kw, uint8_t *type, struct alg_transform *out);

/* The canonical keyword for a transform (e.g. "aes128gcm16", "prfsha256", "x25519"), or NULL. */
const char *alg_keyword_for(uint8_t type, const struct alg_transform *t);

/* Parses a comma-separated list of proposals for proto into out[0..max). On success *n is the
 * number of proposals. On failure returns ERR_INVAL (unknown keyword or a proposal strongSwan
 * would reject) or ERR_LIMIT (too many proposals/transforms), writes a message naming the bad
 * token or rule into err (if non-NULL, NUL-terminated, truncated to err_size), and leaves *n
 * and out unspecified. */
int alg_parse(enum alg_proto proto, const char *s, struct alg_proposal *out, size_t max, size_t *n,
	      char *err, size_t err_size);

/* Formats a proposal with IANA names, strongSwan style, into buf (NUL-terminated, truncated):
 * "IKE:AES_CBC_128/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/MODP_2048". Returns buf. */
char *alg_proposal_str(const struct alg_proposal *p, char *buf, size_t size);

/* Formats a proposal back into keywords ("aes128-sha256-prfsha256-modp2048"), usable as a
 * strongSwan proposal string. Returns 0, or ERR_NOSPACE / ERR_NOTFOUND (a transform without a
 * keyword). */
int alg_proposal_keywords(const struct alg_proposal *p, char *buf, size_t size);

#endif
