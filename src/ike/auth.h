/* IKE_AUTH authentication (RFC 7296 §2.15): the AUTH payload for PSK (SHARED_KEY_MIC) and
 * public keys (RFC 7427 DIGITAL_SIGNATURE with an AlgorithmIdentifier, or the classic methods
 * RSA_SIG 1 and ECDSA 9/10/11 when the peer did not announce SIGNATURE_HASH_ALGORITHMS), CERT
 * and CERTREQ payloads, and verification of the peer: identity, certificate chain (crypto/x509
 * at the engine's wall-clock time), pinned certificates, signature or PSK.
 *
 * Signed octets (§2.15): the side's IKE_SA_INIT message | the other side's nonce |
 * prf(SK_px, ID payload body).
 */
#ifndef RAMPART_IKE_AUTH_H
#define RAMPART_IKE_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "ike/sa.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_msg.h"

struct ike_engine;

#define AUTH_MAX_DATA 1100 /* AUTH payload data we build: 1 + AlgorithmIdentifier + signature */

/* Our identity for the local round: the configured one, the certificate's subject (pubkey
 * rounds), or our address. */
void auth_local_id(const struct ike_sa *sa, struct conn_id *out);
/* Appends CERT payloads (end entity, then intermediates) when the round is pubkey and
 * send_cert says so (ifasked: the peer sent CERTREQ). */
int auth_put_certs(struct ike_engine *e, const struct ike_sa *sa, struct ikev2_builder *b);
/* Appends a CERTREQ with the SHA-1 SPKI hashes of the CAs we trust for the peer, when the
 * remote round is pubkey and send_certreq is set. */
int auth_put_certreq(struct ike_engine *e, const struct ike_sa *sa, struct ikev2_builder *b);
/* Builds our AUTH payload for identity id into *a, its data in buf (AUTH_MAX_DATA octets).
 * *why receives a reason on failure (no PSK, no private key, ...). */
int auth_build(struct ike_engine *e, const struct ike_sa *sa, const struct conn_id *id,
	       struct ikev2_auth *a, uint8_t *buf, const char **why);
/* Verifies the peer of sa (sa->remote_id set from its ID payload) from digest d: AUTH and, for
 * pubkey rounds, CERT payloads. 0, or ERR_AUTH with *why set. */
int auth_verify(struct ike_engine *e, struct ike_sa *sa, const struct ikev2_digest *d,
		uint64_t now_ms, const char **why);

#endif
