/* AUTH payloads, certificates and peer verification (RFC 7296 §2.15, §3.6-§3.8, RFC 7427). */
#include "ike/auth.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/pkey.h"
#include "crypto/prf.h"
#include "crypto/sign.h"
#include "crypto/x509.h"
#include "ike/engine.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

static const char key_pad[] = "Key Pad for IKEv2"; /* §2.15, 17 octets, no NUL */

#define MAX_PEER_CERTS 8

void auth_local_id(const struct ike_sa *sa, struct conn_id *out)
{
	const struct conn_auth *a = &sa->conn->local_auth[0];

	if (a->id.type != 0) {
		*out = a->id;
		return;
	}
	if (a->method == CONN_AUTH_PUBKEY && a->ncerts > 0) {
		const uint8_t *der;
		size_t len;
		x509_subject_der(a->certs[0], &der, &len);
		if (len <= CONN_ID_MAX) {
			memset(out, 0, sizeof(*out));
			out->type = IKEV2_ID_DER_ASN1_DN;
			out->len = len;
			memcpy(out->data, der, len);
			return;
		}
	}
	if (conn_id_from_addr(out, &sa->path.local) != 0)
		memset(out, 0, sizeof(*out));
}

/* The signed octets of side `of_initiator` for identity id into a new buffer (caller frees).
 */
static int signed_octets(const struct ike_sa *sa, bool of_initiator, const struct conn_id *id,
			 uint8_t **out, size_t *out_len)
{
	uint8_t maced[PRF_MAX_OUT_LEN], idhdr[4] = {id->type, 0, 0, 0};
	const struct secret *skp = of_initiator ? sa->keys.sk_pi : sa->keys.sk_pr;
	struct crypto_span idp[2] = {{idhdr, 4}, {id->data, id->len}};
	const uint8_t *msg = of_initiator ? sa->hs->init_req : sa->hs->init_resp;
	size_t msg_len = of_initiator ? sa->hs->init_req_len : sa->hs->init_resp_len;
	const uint8_t *nonce = of_initiator ? sa->nr : sa->ni;
	size_t nonce_len = of_initiator ? sa->nr_len : sa->ni_len;
	struct prf_info pi;
	uint8_t *p;
	int rc;

	if (!skp || !msg)
		return ERR_BADSTATE;
	rc = prf_lookup(sa->alg.prf, &pi);
	if (rc == 0)
		rc = prf_oneshot(sa->alg.prf, skp->p, skp->len, idp, 2, maced);
	if (rc)
		return rc;
	p = malloc(msg_len + nonce_len + pi.out_len);
	if (!p)
		return ERR_NOMEM;
	memcpy(p, msg, msg_len);
	memcpy(p + msg_len, nonce, nonce_len);
	memcpy(p + msg_len + nonce_len, maced, pi.out_len);
	*out = p;
	*out_len = msg_len + nonce_len + pi.out_len;
	return 0;
}

/* AUTH = prf(prf(PSK, "Key Pad for IKEv2"), <signed octets>). The inner value depends on the
 * PSK and the PRF only: the engine keeps the last one (e->pad_*, wiped with the secrets). */
static int psk_mac(struct ike_engine *e, const struct ike_sa *sa, const struct secret *psk,
		   const uint8_t *so, size_t so_len, uint8_t *out, size_t *out_len)
{
	struct crypto_span pad = {key_pad, sizeof(key_pad) - 1}, msg = {so, so_len};
	struct prf_info pi;
	int rc = prf_lookup(sa->alg.prf, &pi);

	if (rc == 0 && pi.out_len > sizeof(e->pad_key))
		rc = ERR_INVAL;
	if (rc == 0 && (e->pad_psk != psk || e->pad_prf != sa->alg.prf)) {
		e->pad_psk = NULL;
		rc = prf_oneshot(sa->alg.prf, psk->p, psk->len, &pad, 1, e->pad_key);
		if (rc == 0) {
			e->pad_psk = psk;
			e->pad_prf = sa->alg.prf;
		}
	}
	if (rc == 0)
		rc = prf_oneshot(sa->alg.prf, e->pad_key, pi.out_len, &msg, 1, out);
	if (rc == 0)
		*out_len = pi.out_len;
	return rc;
}

/* Classic signature methods (RFC 7296 §3.8, RFC 4754) for a key. */
static int classic_method(const struct pkey *k, uint8_t *method, enum sign_scheme *s)
{
	switch (pkey_type(k)) {
	case PKEY_RSA:
		*method = IKEV2_AUTH_RSA_SIG;
		*s = SIGN_RSA_PKCS1_SHA1;
		return 0;
	case PKEY_EC:
		switch (pkey_bits(k)) {
		case 256:
			*method = IKEV2_AUTH_ECDSA_SHA256_P256;
			*s = SIGN_ECDSA_P1363_SHA256;
			return 0;
		case 384:
			*method = IKEV2_AUTH_ECDSA_SHA384_P384;
			*s = SIGN_ECDSA_P1363_SHA384;
			return 0;
		case 521:
			*method = IKEV2_AUTH_ECDSA_SHA512_P521;
			*s = SIGN_ECDSA_P1363_SHA512;
			return 0;
		default:
			return ERR_UNSUPPORTED;
		}
	default:
		return ERR_UNSUPPORTED;
	}
}

int auth_build(struct ike_engine *e, const struct ike_sa *sa, const struct conn_id *id,
	       struct ikev2_auth *a, uint8_t *buf, const char **why)
{
	const struct conn_auth *la = &sa->conn->local_auth[0];
	const struct conn_auth *ra = &sa->conn->remote_auth[0];
	uint8_t *so = NULL, *sig = NULL;
	size_t so_len = 0, sig_len = 0, n = 0;
	struct pkey *pub = NULL;
	const struct pkey *key;
	int rc;

	rc = signed_octets(sa, sa->initiator, id, &so, &so_len);
	if (rc) {
		*why = "internal error";
		goto out;
	}
	if (la->method == CONN_AUTH_PSK) {
		const struct secret *psk = conn_secrets_find_psk(e->secrets, id, &ra->id);
		if (!psk) {
			*why = "no PSK configured for our identity";
			rc = ERR_NOTFOUND;
			goto out;
		}
		rc = psk_mac(e, sa, psk, so, so_len, buf, &n);
		if (rc == 0)
			*a = (struct ikev2_auth){IKEV2_AUTH_SHARED_KEY_MIC, buf, n};
		goto out;
	}
	if (la->ncerts == 0 || x509_public_key(la->certs[0], &pub) != 0 ||
	    !(key = conn_secrets_find_key(e->secrets, pub))) {
		*why = "no certificate with a matching private key";
		rc = ERR_NOTFOUND;
		goto out;
	}
	if (sa->peer_sighash) {
		/* RFC 7427: AUTH data = length | AlgorithmIdentifier | signature */
		enum sign_scheme schemes[8];
		const uint8_t *algid = NULL;
		size_t alen = 0, ns = sign_schemes_for_key(key, schemes, 8);
		if (ns == 0 || sign_algid(schemes[0], &algid, &alen) != 0 || alen > 255) {
			*why = "no RFC 7427 signature scheme for our key";
			rc = ERR_UNSUPPORTED;
			goto out;
		}
		rc = sign_create(key, schemes[0], so, so_len, &sig, &sig_len);
		if (rc == 0 && 1 + alen + sig_len > AUTH_MAX_DATA)
			rc = ERR_NOSPACE;
		if (rc == 0) {
			buf[0] = (uint8_t)alen;
			memcpy(buf + 1, algid, alen);
			memcpy(buf + 1 + alen, sig, sig_len);
			*a = (struct ikev2_auth){IKEV2_AUTH_DIGITAL_SIGNATURE, buf,
						 1 + alen + sig_len};
		}
	} else {
		uint8_t method;
		enum sign_scheme s;
		rc = classic_method(key, &method, &s);
		if (rc == 0)
			rc = sign_create(key, s, so, so_len, &sig, &sig_len);
		if (rc == 0 && sig_len > AUTH_MAX_DATA)
			rc = ERR_NOSPACE;
		if (rc == 0) {
			memcpy(buf, sig, sig_len);
			*a = (struct ikev2_auth){method, buf, sig_len};
		}
	}
	if (rc)
		*why = "signing failed (the peer announced no hash we can use?)";
out:
	if (rc && !*why)
		*why = "internal error";
	free(so);
	free(sig);
	pkey_free(pub);
	return rc;
}

int auth_put_certs(struct ike_engine *e, const struct ike_sa *sa, struct ikev2_builder *b)
{
	const struct conn_auth *la = &sa->conn->local_auth[0];

	(void)e;
	if (la->method != CONN_AUTH_PUBKEY || sa->conn->send_cert == CONN_SEND_CERT_NEVER)
		return 0;
	if (sa->conn->send_cert == CONN_SEND_CERT_IFASKED && !sa->peer_certreq)
		return 0;
	for (size_t i = 0; i < la->ncerts; i++) {
		struct ikev2_cert c = {.encoding = IKEV2_CERT_X509_SIGNATURE};
		x509_der(la->certs[i], &c.data, &c.len);
		ikev2_build_cert(b, IKEV2_PT_CERT, &c);
	}
	return 0;
}

int auth_put_certreq(struct ike_engine *e, const struct ike_sa *sa, struct ikev2_builder *b)
{
	const struct conn_auth *ra = &sa->conn->remote_auth[0];
	uint8_t hashes[20 * (CONN_MAX_CACERTS + 16)];
	size_t n = 0;

	if (ra->method != CONN_AUTH_PUBKEY || !sa->conn->send_certreq)
		return 0;
	for (size_t i = 0; i < ra->ncacerts && n + 20 <= sizeof(hashes); i++)
		if (x509_spki_sha1(ra->cacerts[i], hashes + n) == 0)
			n += 20;
	for (size_t i = 0;
	     ra->ncacerts == 0 && e->secrets && i < e->secrets->ncas && n + 20 <= sizeof(hashes);
	     i++)
		if (x509_spki_sha1(e->secrets->cas[i], hashes + n) == 0)
			n += 20;
	/* an empty CERTREQ still asks for a certificate */
	struct ikev2_cert c = {.encoding = IKEV2_CERT_X509_SIGNATURE, .data = hashes, .len = n};
	return ikev2_build_cert(b, IKEV2_PT_CERTREQ, &c);
}

static int verify_psk(struct ike_engine *e, struct ike_sa *sa, const struct ikev2_auth *a,
		      const uint8_t *so, size_t so_len, const char **why)
{
	const struct secret *psk;
	uint8_t want[PRF_MAX_OUT_LEN];
	size_t want_len = 0;
	int rc;

	if (a->method != IKEV2_AUTH_SHARED_KEY_MIC) {
		*why = "the peer used another authentication method than PSK";
		return ERR_AUTH;
	}
	psk = conn_secrets_find_psk(e->secrets, &sa->local_id, &sa->remote_id);
	if (!psk) {
		*why = "no PSK configured for this pair of identities";
		return ERR_AUTH;
	}
	rc = psk_mac(e, sa, psk, so, so_len, want, &want_len);
	if (rc == 0 && !secret_equal(a->data, a->len, want, want_len)) {
		*why = "PSK mismatch?";
		rc = ERR_AUTH;
	}
	secret_wipe(want, sizeof(want));
	return rc ? ERR_AUTH : 0;
}

/* The peer's certificates from CERT payloads (X.509 signature encoding only). */
static size_t peer_certs(const struct ikev2_digest *d, struct x509 **out, size_t cap)
{
	size_t n = 0;

	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_CERT); p && n < cap;
	     p = ikev2_digest_next(d, p)) {
		struct x509 *c = NULL;
		if (p->u.cert.encoding != IKEV2_CERT_X509_SIGNATURE)
			continue;
		if (x509_load(p->u.cert.data, p->u.cert.len, &c) == 0)
			out[n++] = c;
	}
	return n;
}

static bool pinned(const struct conn_auth *ra, const struct x509 *ee)
{
	const uint8_t *a, *b;
	size_t alen, blen;

	if (ra->ncerts == 0)
		return true;
	x509_der(ee, &a, &alen);
	for (size_t i = 0; i < ra->ncerts; i++) {
		x509_der(ra->certs[i], &b, &blen);
		if (alen == blen && memcmp(a, b, alen) == 0)
			return true;
	}
	return false;
}

static int verify_sig(struct ike_engine *e, struct ike_sa *sa, const struct ikev2_auth *a,
		      const struct ikev2_digest *d, const uint8_t *so, size_t so_len,
		      uint64_t now_ms, const char **why)
{
	const struct conn_auth *ra = &sa->conn->remote_auth[0];
	struct x509 *certs[MAX_PEER_CERTS];
	struct x509_store *store = NULL;
	struct pkey *pub = NULL;
	enum sign_scheme s = SIGN_NONE;
	const uint8_t *sig = a->data;
	size_t sig_len = a->len, n;
	const char *reason = NULL;
	int64_t now_s = (int64_t)((e->wall_offset_ms + (int64_t)now_ms) / 1000);
	int rc = ERR_AUTH;

	n = peer_certs(d, certs, MAX_PEER_CERTS);
	if (n == 0) {
		*why = "no certificate received";
		goto out;
	}
	if (sa->remote_id.type != IKEV2_ID_DER_ASN1_DN || ra->id.type != 0) {
		if (x509_match_id(certs[0], sa->remote_id.type, sa->remote_id.data,
				  sa->remote_id.len) != 0) {
			*why = "the identity is not in the certificate";
			goto out;
		}
	} else if (x509_match_id(certs[0], IKEV2_ID_DER_ASN1_DN, sa->remote_id.data,
				 sa->remote_id.len) != 0) {
		*why = "the identity is not the certificate's subject";
		goto out;
	}
	if (!pinned(ra, certs[0])) {
		*why = "the certificate is not the one configured";
		goto out;
	}
	store = x509_store_new();
	if (!store)
		goto out;
	for (size_t i = 0; i < ra->ncacerts; i++)
		x509_store_add(store, ra->cacerts[i]);
	for (size_t i = 0; ra->ncacerts == 0 && e->secrets && i < e->secrets->ncas; i++)
		x509_store_add(store, e->secrets->cas[i]);
	if (ra->ncerts == 0 &&
	    x509_verify(store, certs[0], certs + 1, n - 1, now_s, &reason) != 0) {
		*why = reason ? reason : "certificate chain does not verify";
		goto out;
	}
	if (x509_public_key(certs[0], &pub) != 0) {
		*why = "unsupported public key";
		goto out;
	}
	switch (a->method) {
	case IKEV2_AUTH_DIGITAL_SIGNATURE: {
		size_t alen = a->len ? a->data[0] : 0;
		if (a->len < 1 + alen || sign_algid_parse(a->data + 1, alen, &s) != 0) {
			*why = "unsupported or malformed signature AlgorithmIdentifier";
			goto out;
		}
		sig = a->data + 1 + alen;
		sig_len = a->len - 1 - alen;
		break;
	}
	case IKEV2_AUTH_RSA_SIG:
		s = SIGN_RSA_PKCS1_SHA1;
		break;
	case IKEV2_AUTH_ECDSA_SHA256_P256:
		s = SIGN_ECDSA_P1363_SHA256;
		break;
	case IKEV2_AUTH_ECDSA_SHA384_P384:
		s = SIGN_ECDSA_P1363_SHA384;
		break;
	case IKEV2_AUTH_ECDSA_SHA512_P521:
		s = SIGN_ECDSA_P1363_SHA512;
		break;
	default:
		*why = "the peer used an authentication method we do not accept with certificates";
		goto out;
	}
	if (!sign_scheme_fits(s, pub) || sign_verify(pub, s, so, so_len, sig, sig_len) != 0) {
		*why = "signature does not verify";
		goto out;
	}
	rc = 0;
out:
	for (size_t i = 0; i < n; i++)
		x509_free(certs[i]);
	x509_store_free(store);
	pkey_free(pub);
	return rc;
}

int auth_verify(struct ike_engine *e, struct ike_sa *sa, const struct ikev2_digest *d,
		uint64_t now_ms, const char **why)
{
	const struct ikev2_payload *pa = ikev2_digest_first(d, IKEV2_PT_AUTH);
	uint8_t *so = NULL;
	size_t so_len = 0;
	int rc;

	if (!pa) {
		*why = "no AUTH payload";
		return ERR_AUTH;
	}
	rc = signed_octets(sa, !sa->initiator, &sa->remote_id, &so, &so_len);
	if (rc) {
		*why = "internal error";
		return ERR_AUTH;
	}
	if (sa->conn->remote_auth[0].method == CONN_AUTH_PSK)
		rc = verify_psk(e, sa, &pa->u.auth, so, so_len, why);
	else
		rc = verify_sig(e, sa, &pa->u.auth, d, so, so_len, now_ms, why);
	free(so);
	return rc ? ERR_AUTH : 0;
}
