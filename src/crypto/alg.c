#include "crypto/alg.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "wire/iana.h"

/* Longest keyword accepted (anything longer is unknown by construction). */
#define ALG_MAX_KEYWORD 32

struct keyword {
	const char *kw;
	uint8_t type;
	uint16_t id;
	uint16_t key_bits;
};

#define E(kw, id, bits)                                                                            \
	{                                                                                          \
		(kw), IKEV2_TRANS_ENCR, (id), (bits)                                               \
	}
#define I(kw, id)                                                                                  \
	{                                                                                          \
		(kw), IKEV2_TRANS_INTEG, (id), 0                                                   \
	}
#define P(kw, id)                                                                                  \
	{                                                                                          \
		(kw), IKEV2_TRANS_PRF, (id), 0                                                     \
	}
#define K(kw, id)                                                                                  \
	{                                                                                          \
		(kw), IKEV2_TRANS_KE, (id), 0                                                      \
	}
#define S(kw, id)                                                                                  \
	{                                                                                          \
		(kw), IKEV2_TRANS_ESN, (id), 0                                                     \
	}

/* The AES keywords of one key size; the first keyword of each transform is its canonical
 * name (alg_keyword_for), the others are strongSwan's aliases (ICV in bits, or no ICV). */
#define AES(b)                                                                                     \
	E("aes" #b, IKEV2_ENCR_AES_CBC, b), E("aes" #b "ctr", IKEV2_ENCR_AES_CTR, b),              \
	    E("aes" #b "ccm8", IKEV2_ENCR_AES_CCM_8, b),                                           \
	    E("aes" #b "ccm64", IKEV2_ENCR_AES_CCM_8, b),                                          \
	    E("aes" #b "ccm12", IKEV2_ENCR_AES_CCM_12, b),                                         \
	    E("aes" #b "ccm96", IKEV2_ENCR_AES_CCM_12, b),                                         \
	    E("aes" #b "ccm16", IKEV2_ENCR_AES_CCM_16, b),                                         \
	    E("aes" #b "ccm128", IKEV2_ENCR_AES_CCM_16, b),                                        \
	    E("aes" #b "ccm", IKEV2_ENCR_AES_CCM_16, b),                                           \
	    E("aes" #b "gcm8", IKEV2_ENCR_AES_GCM_8, b),                                           \
	    E("aes" #b "gcm64", IKEV2_ENCR_AES_GCM_8, b),                                          \
	    E("aes" #b "gcm12", IKEV2_ENCR_AES_GCM_12, b),                                         \
	    E("aes" #b "gcm96", IKEV2_ENCR_AES_GCM_12, b),                                         \
	    E("aes" #b "gcm16", IKEV2_ENCR_AES_GCM_16, b),                                         \
	    E("aes" #b "gcm128", IKEV2_ENCR_AES_GCM_16, b),                                        \
	    E("aes" #b "gcm", IKEV2_ENCR_AES_GCM_16, b),                                           \
	    E("aes" #b "gmac", IKEV2_ENCR_NULL_AUTH_AES_GMAC, b)

/* strongSwan's keywords (proposal_keywords_static.txt) for the algorithms Rampart has. */
static const struct keyword keywords[] = {
    E("null", IKEV2_ENCR_NULL, 0),
    E("3des", IKEV2_ENCR_3DES, 0),
    AES(128),
    AES(192),
    AES(256),
    E("aes", IKEV2_ENCR_AES_CBC, 128),
    E("chacha20poly1305", IKEV2_ENCR_CHACHA20_POLY1305, 0),

    I("sha1", IKEV2_INTEG_HMAC_SHA1_96),
    I("sha", IKEV2_INTEG_HMAC_SHA1_96),
    I("sha1_160", IKEV2_INTEG_HMAC_SHA1_160),
    I("sha256", IKEV2_INTEG_HMAC_SHA2_256_128),
    I("sha2_256", IKEV2_INTEG_HMAC_SHA2_256_128),
    I("sha384", IKEV2_INTEG_HMAC_SHA2_384_192),
    I("sha2_384", IKEV2_INTEG_HMAC_SHA2_384_192),
    I("sha512", IKEV2_INTEG_HMAC_SHA2_512_256),
    I("sha2_512", IKEV2_INTEG_HMAC_SHA2_512_256),
    I("md5", IKEV2_INTEG_HMAC_MD5_96),
    I("md5_128", IKEV2_INTEG_HMAC_MD5_128),
    I("aesxcbc", IKEV2_INTEG_AES_XCBC_96),
    I("aescmac", IKEV2_INTEG_AES_CMAC_96),

    P("prfsha1", IKEV2_PRF_HMAC_SHA1),
    P("prfsha256", IKEV2_PRF_HMAC_SHA2_256),
    P("prfsha384", IKEV2_PRF_HMAC_SHA2_384),
    P("prfsha512", IKEV2_PRF_HMAC_SHA2_512),
    P("prfmd5", IKEV2_PRF_HMAC_MD5),
    P("prfaesxcbc", IKEV2_PRF_AES128_XCBC),
    P("prfaescmac", IKEV2_PRF_AES128_CMAC),

    K("none", IKEV2_KE_NONE),
    K("modpnone", IKEV2_KE_NONE),
    K("modp768", IKEV2_KE_MODP768),
    K("modp1024", IKEV2_KE_MODP1024),
    K("modp1536", IKEV2_KE_MODP1536),
    K("modp2048", IKEV2_KE_MODP2048),
    K("modp3072", IKEV2_KE_MODP3072),
    K("modp4096", IKEV2_KE_MODP4096),
    K("modp6144", IKEV2_KE_MODP6144),
    K("modp8192", IKEV2_KE_MODP8192),
    K("ecp192", IKEV2_KE_ECP192),
    K("ecp224", IKEV2_KE_ECP224),
    K("ecp256", IKEV2_KE_ECP256),
    K("ecp384", IKEV2_KE_ECP384),
    K("ecp521", IKEV2_KE_ECP521),
    K("modp1024s160", IKEV2_KE_MODP1024_S160),
    K("modp2048s224", IKEV2_KE_MODP2048_S224),
    K("modp2048s256", IKEV2_KE_MODP2048_S256),
    K("ecp224bp", IKEV2_KE_ECP224_BP),
    K("ecp256bp", IKEV2_KE_ECP256_BP),
    K("ecp384bp", IKEV2_KE_ECP384_BP),
    K("ecp512bp", IKEV2_KE_ECP512_BP),
    K("x25519", IKEV2_KE_CURVE25519),
    K("curve25519", IKEV2_KE_CURVE25519),
    K("x448", IKEV2_KE_CURVE448),
    K("curve448", IKEV2_KE_CURVE448),
    K("mlkem512", IKEV2_KE_ML_KEM_512),
    K("mlkem768", IKEV2_KE_ML_KEM_768),
    K("mlkem1024", IKEV2_KE_ML_KEM_1024),

    S("noesn", IKEV2_ESN_NO),
    S("esn", IKEV2_ESN_YES),
};

/* RFC 7296 §3.3.2 pairs (as strongSwan's integ_prf_map) for PRFs derived from integrity. */
static const struct {
	uint16_t integ, prf;
} integ_prf[] = {
    {IKEV2_INTEG_HMAC_MD5_96, IKEV2_PRF_HMAC_MD5},
    {IKEV2_INTEG_HMAC_MD5_128, IKEV2_PRF_HMAC_MD5},
    {IKEV2_INTEG_HMAC_SHA1_96, IKEV2_PRF_HMAC_SHA1},
    {IKEV2_INTEG_HMAC_SHA1_160, IKEV2_PRF_HMAC_SHA1},
    {IKEV2_INTEG_HMAC_SHA2_256_128, IKEV2_PRF_HMAC_SHA2_256},
    {IKEV2_INTEG_HMAC_SHA2_384_192, IKEV2_PRF_HMAC_SHA2_384},
    {IKEV2_INTEG_HMAC_SHA2_512_256, IKEV2_PRF_HMAC_SHA2_512},
    {IKEV2_INTEG_AES_XCBC_96, IKEV2_PRF_AES128_XCBC},
    {IKEV2_INTEG_AES_CMAC_96, IKEV2_PRF_AES128_CMAC},
};

/* strongSwan 5.9 defaults (proposal_create_default[_aead]) limited to what Rampart implements;
 * "x" is expanded by alg_parse like any other proposal string. */
static const char *const default_ike[] = {
    "aes128gcm16-aes192gcm16-aes256gcm16-aes128ccm16-aes192ccm16-aes256ccm16-"
    "chacha20poly1305-aes128gcm12-aes192gcm12-aes256gcm12-aes128gcm8-aes192gcm8-aes256gcm8-"
    "aes128ccm12-aes192ccm12-aes256ccm12-aes128ccm8-aes192ccm8-aes256ccm8-"
    "prfsha256-prfsha384-prfsha512-prfaesxcbc-prfaescmac-prfsha1-"
    "ecp256-ecp384-ecp521-ecp256bp-ecp384bp-ecp512bp-x25519-x448-"
    "modp3072-modp4096-modp6144-modp8192-modp2048",
    "aes128-aes192-aes256-aes128ctr-aes192ctr-aes256ctr-3des-"
    "sha256-sha384-sha512-aesxcbc-aescmac-sha1-"
    "prfsha256-prfsha384-prfsha512-prfaesxcbc-prfaescmac-prfsha1-"
    "ecp256-ecp384-ecp521-ecp256bp-ecp384bp-ecp512bp-x25519-x448-"
    "modp3072-modp4096-modp6144-modp8192-modp2048",
};
static const char *const default_esp[] = {
    "aes128-aes192-aes256-sha256-sha384-sha512-sha1-aesxcbc-noesn",
};
static const char *const default_ah[] = {
    "sha256-sha384-sha512-sha1-aesxcbc-noesn",
};

int alg_keyword(const char *kw, uint8_t *type, struct alg_transform *out)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (strcmp(keywords[i].kw, kw) == 0) {
			*type = keywords[i].type;
			out->id = keywords[i].id;
			out->key_bits = keywords[i].key_bits;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

const char *alg_keyword_for(uint8_t type, const struct alg_transform *t)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		if (keywords[i].type == type && keywords[i].id == t->id &&
		    keywords[i].key_bits == t->key_bits)
			return keywords[i].kw;
	}
	return NULL;
}

static void set_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!err || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

/* Appends t to type unless already present. ERR_LIMIT when full. */
static int add(struct alg_proposal *p, uint8_t type, struct alg_transform t)
{
	for (size_t i = 0; i < p->n[type]; i++) {
		if (p->t[type][i].id == t.id && p->t[type][i].key_bits == t.key_bits)
			return 0;
	}
	if (p->n[type] >= ALG_MAX_PER_TYPE)
		return ERR_LIMIT;
	p->t[type][p->n[type]++] = t;
	return 0;
}

static void remove_type(struct alg_proposal *p, uint8_t type)
{
	p->n[type] = 0;
	memset(p->t[type], 0, sizeof(p->t[type]));
}

static bool encr_is_aead(uint16_t id)
{
	switch (id) {
	case IKEV2_ENCR_AES_CCM_8:
	case IKEV2_ENCR_AES_CCM_12:
	case IKEV2_ENCR_AES_CCM_16:
	case IKEV2_ENCR_AES_GCM_8:
	case IKEV2_ENCR_AES_GCM_12:
	case IKEV2_ENCR_AES_GCM_16:
	case IKEV2_ENCR_NULL_AUTH_AES_GMAC:
	case IKEV2_ENCR_CHACHA20_POLY1305:
		return true;
	default:
		return false;
	}
}

static const char *proto_name(enum alg_proto proto)
{
	return proto == ALG_PROTO_IKE ? "IKE" : proto == ALG_PROTO_ESP ? "ESP" : "AH";
}

/* strongSwan's check_proposal: derive, drop and require transforms per protocol. */
static int check(struct alg_proposal *p, char *err, size_t err_size)
{
	uint8_t e = IKEV2_TRANS_ENCR, i = IKEV2_TRANS_INTEG, f = IKEV2_TRANS_PRF;
	uint8_t k = IKEV2_TRANS_KE;

	if (p->proto == ALG_PROTO_IKE) {
		if (p->n[f] == 0) {
			for (size_t a = 0; a < p->n[i]; a++) {
				for (size_t b = 0; b < sizeof(integ_prf) / sizeof(integ_prf[0]);
				     b++) {
					if (integ_prf[b].integ != p->t[i][a].id)
						continue;
					if (add(p, f, (struct alg_transform){integ_prf[b].prf, 0}))
						return ERR_LIMIT;
				}
			}
		}
		if (p->n[f] == 0) {
			set_err(err, err_size, "a PRF algorithm is mandatory in IKE proposals");
			return ERR_INVAL;
		}
		size_t kept = 0;
		for (size_t a = 0; a < p->n[k]; a++) {
			if (p->t[k][a].id != IKEV2_KE_NONE)
				p->t[k][kept++] = p->t[k][a];
		}
		p->n[k] = (uint8_t)kept;
		if (p->n[k] == 0) {
			set_err(err, err_size,
				"a key exchange method is mandatory in IKE proposals");
			return ERR_INVAL;
		}
		remove_type(p, IKEV2_TRANS_ESN);
	} else {
		remove_type(p, f);
	}

	if (p->proto == ALG_PROTO_IKE || p->proto == ALG_PROTO_ESP) {
		bool any_aead = false, all_aead = true;
		for (size_t a = 0; a < p->n[e]; a++) {
			if (encr_is_aead(p->t[e][a].id))
				any_aead = true;
			else
				all_aead = false;
		}
		if (p->n[e] == 0) {
			set_err(err, err_size,
				"an encryption algorithm is mandatory in %s proposals",
				proto_name(p->proto));
			return ERR_INVAL;
		}
		if (any_aead && !all_aead) {
			set_err(err, err_size,
				"classic and combined-mode (AEAD) encryption algorithms can't be "
				"contained in the same %s proposal",
				proto_name(p->proto));
			return ERR_INVAL;
		}
		if (all_aead) {
			remove_type(p, i);
		} else if (p->proto == ALG_PROTO_IKE && p->n[i] == 0) {
			set_err(err, err_size,
				"an integrity algorithm is mandatory in IKE proposals with classic "
				"(non-AEAD) encryption algorithms");
			return ERR_INVAL;
		}
	} else {
		/* AH: AES-GMAC is written as a cipher keyword; it is an integrity transform. */
		for (size_t a = 0; a < p->n[e]; a++) {
			uint16_t id = 0;
			if (p->t[e][a].id != IKEV2_ENCR_NULL_AUTH_AES_GMAC)
				continue;
			if (p->t[e][a].key_bits == 128)
				id = IKEV2_INTEG_AES_128_GMAC;
			else if (p->t[e][a].key_bits == 192)
				id = IKEV2_INTEG_AES_192_GMAC;
			else if (p->t[e][a].key_bits == 256)
				id = IKEV2_INTEG_AES_256_GMAC;
			if (id && add(p, i, (struct alg_transform){id, 0}))
				return ERR_LIMIT;
		}
		remove_type(p, e);
		if (p->n[i] == 0) {
			set_err(err, err_size,
				"an integrity algorithm is mandatory in AH proposals");
			return ERR_INVAL;
		}
	}

	if (p->proto != ALG_PROTO_IKE && p->n[IKEV2_TRANS_ESN] == 0)
		add(p, IKEV2_TRANS_ESN, (struct alg_transform){IKEV2_ESN_NO, 0});
	return 0;
}

/* Parses one proposal: keywords in [s, end). */
static int parse_one(enum alg_proto proto, const char *s, const char *end, struct alg_proposal *p,
		     char *err, size_t err_size)
{
	memset(p, 0, sizeof(*p));
	p->proto = proto;
	while (s < end) {
		const char *dash = memchr(s, '-', (size_t)(end - s));
		const char *tok_end = dash ? dash : end;
		const char *a = s, *b = tok_end;
		char kw[ALG_MAX_KEYWORD + 1];
		struct alg_transform t;
		uint8_t type;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (a == b) {
			set_err(err, err_size, "empty algorithm in proposal '%.*s'",
				(int)(end - s) > 64 ? 64 : (int)(end - s), s);
			return ERR_INVAL;
		}
		if ((size_t)(b - a) > ALG_MAX_KEYWORD ||
		    (memcpy(kw, a, (size_t)(b - a)), kw[b - a] = '\0',
		     alg_keyword(kw, &type, &t))) {
			set_err(err, err_size, "algorithm '%.*s' not recognized",
				(int)(b - a) > 64 ? 64 : (int)(b - a), a);
			return ERR_INVAL;
		}
		if (add(p, type, t)) {
			set_err(err, err_size, "too many algorithms of one type (limit %d)",
				ALG_MAX_PER_TYPE);
			return ERR_LIMIT;
		}
		s = dash ? dash + 1 : end;
		if (dash && s == end) {
			set_err(err, err_size, "empty algorithm after trailing '-'");
			return ERR_INVAL;
		}
	}
	return check(p, err, err_size);
}

static int parse_list(enum alg_proto proto, const char *s, struct alg_proposal *out, size_t max,
		      size_t *n, char *err, size_t err_size, int depth)
{
	size_t count = *n;
	int rc;

	for (;;) {
		const char *comma = strchr(s, ',');
		const char *end = comma ? comma : s + strlen(s);
		const char *a = s, *b = end;

		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (depth == 0 && (size_t)(b - a) == 7 && memcmp(a, "default", 7) == 0) {
			const char *const *defs = proto == ALG_PROTO_IKE   ? default_ike
						  : proto == ALG_PROTO_ESP ? default_esp
									   : default_ah;
			size_t ndefs = proto == ALG_PROTO_IKE ? 2 : 1;
			for (size_t i = 0; i < ndefs; i++) {
				*n = count;
				rc = parse_list(proto, defs[i], out, max, n, err, err_size, 1);
				if (rc)
					return rc;
				count = *n;
			}
		} else {
			if (count >= max) {
				set_err(err, err_size, "too many proposals (limit %zu)", max);
				return ERR_LIMIT;
			}
			if (a == b) {
				set_err(err, err_size, "empty proposal");
				return ERR_INVAL;
			}
			char msg[160] = "";
			rc = parse_one(proto, a, b, &out[count], msg, sizeof(msg));
			if (rc) {
				set_err(err, err_size, "%s (in '%.*s')", msg,
					(int)(b - a) > 96 ? 96 : (int)(b - a), a);
				return rc;
			}
			count++;
		}
		if (!comma)
			break;
		s = comma + 1;
	}
	*n = count;
	return 0;
}

int alg_parse(enum alg_proto proto, const char *s, struct alg_proposal *out, size_t max, size_t *n,
	      char *err, size_t err_size)
{
	size_t count = 0;
	int rc;

	if (err && err_size)
		err[0] = '\0';
	if (!s || (proto != ALG_PROTO_IKE && proto != ALG_PROTO_ESP && proto != ALG_PROTO_AH)) {
		set_err(err, err_size, "no proposal string");
		return ERR_INVAL;
	}
	rc = parse_list(proto, s, out, max, &count, err, err_size, 0);
	if (rc)
		return rc;
	*n = count;
	return 0;
}

static const enum iana_registry type_reg[ALG_NTYPES] = {
    [IKEV2_TRANS_ENCR] = IANA_REG_IKEV2_ENCR,	[IKEV2_TRANS_PRF] = IANA_REG_IKEV2_PRF,
    [IKEV2_TRANS_INTEG] = IANA_REG_IKEV2_INTEG, [IKEV2_TRANS_KE] = IANA_REG_IKEV2_KE,
    [IKEV2_TRANS_ESN] = IANA_REG_IKEV2_ESN,
};

/* strongSwan prints encryption, integrity, PRF, KE, ESN in that order. */
static const uint8_t print_order[] = {IKEV2_TRANS_ENCR, IKEV2_TRANS_INTEG, IKEV2_TRANS_PRF,
				      IKEV2_TRANS_KE, IKEV2_TRANS_ESN};

char *alg_proposal_str(const struct alg_proposal *p, char *buf, size_t size)
{
	size_t off = 0;
	int w;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	w = snprintf(buf, size, "%s:", proto_name(p->proto));
	off = w > 0 ? (size_t)w : 0;
	bool first = true;
	for (size_t o = 0; o < sizeof(print_order); o++) {
		uint8_t type = print_order[o];
		for (size_t i = 0; i < p->n[type] && off < size; i++) {
			char tmp[24];
			const char *name =
			    iana_str(type_reg[type], p->t[type][i].id, tmp, sizeof(tmp));
			if (p->t[type][i].key_bits)
				w = snprintf(buf + off, size - off, "%s%s_%u", first ? "" : "/",
					     name, p->t[type][i].key_bits);
			else
				w = snprintf(buf + off, size - off, "%s%s", first ? "" : "/", name);
			off += w > 0 ? (size_t)w : 0;
			first = false;
		}
	}
	return buf;
}

int alg_proposal_keywords(const struct alg_proposal *p, char *buf, size_t size)
{
	size_t off = 0;

	if (size == 0)
		return ERR_NOSPACE;
	buf[0] = '\0';
	for (size_t o = 0; o < sizeof(print_order); o++) {
		uint8_t type = print_order[o];
		for (size_t i = 0; i < p->n[type]; i++) {
			const char *kw = alg_keyword_for(type, &p->t[type][i]);
			if (!kw)
				return ERR_NOTFOUND;
			int w = snprintf(buf + off, size - off, "%s%s", off ? "-" : "", kw);
			if (w < 0 || (size_t)w >= size - off) {
				buf[off] = '\0';
				return ERR_NOSPACE;
			}
			off += (size_t)w;
		}
	}
	return 0;
}
