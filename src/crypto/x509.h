/* X.509 certificates for IKE authentication over OpenSSL 3: loading (PEM, DER, PEM bundles),
 * the DER bytes for CERT payloads, public key and its SPKI SHA-1 (CERTREQ, RFC 7296 §3.7),
 * subject and subjectAltNames, chain verification against trusted CAs at a time the caller
 * gives (engines never read a clock), and matching an IKE identity against a certificate.
 *
 * A struct x509 is immutable after loading; x509_dup takes another reference.
 */
#ifndef RAMPART_CRYPTO_X509_H
#define RAMPART_CRYPTO_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/pkey.h"

struct x509;
struct x509_store;

/* The most certificates one PEM bundle may hold. */
#define X509_BUNDLE_MAX 64

/* Exactly one DER certificate and nothing else: for a peer's CERT payload (encoding 4,
 * X.509 Certificate - Signature). ERR_INVAL when malformed or with trailing bytes. */
int x509_from_der(const uint8_t *der, size_t len, struct x509 **out);

/* Exactly one certificate: DER, or the first certificate of PEM text (configuration files;
 * PEM blocks with encryption headers are refused, never prompted for). 0 and *out (caller
 * frees with x509_free); ERR_INVAL when no certificate can be read (or DER has trailing
 * bytes); ERR_NOMEM. */
int x509_load(const void *data, size_t len, struct x509 **out);
/* Every certificate: one DER certificate, or all certificates of PEM text, in order, into
 * certs[0..*n). ERR_INVAL when there is none or a CERTIFICATE block does not decode (text
 * outside the blocks is ignored); ERR_LIMIT when there are more than cap. On failure nothing
 * is returned. */
int x509_load_all(const void *data, size_t len, struct x509 **certs, size_t cap, size_t *n);
/* The same from files; ERR_IO when unreadable. */
int x509_load_file(const char *path, struct x509 **out);
int x509_load_file_all(const char *path, struct x509 **certs, size_t cap, size_t *n);

struct x509 *x509_dup(const struct x509 *c); /* NULL on ENOMEM */
void x509_free(struct x509 *c);

/* The certificate's DER encoding (for the CERT payload, encoding 4), borrowed. */
void x509_der(const struct x509 *c, const uint8_t **der, size_t *len);
/* The subject's DER Name (for ID_DER_ASN1_DN), borrowed. */
void x509_subject_der(const struct x509 *c, const uint8_t **der, size_t *len);
/* The subject / issuer as text, "C=CH, O=strongSwan, CN=moon" (see dn.h); ERR_NOSPACE when
 * truncated. */
int x509_subject_text(const struct x509 *c, char *buf, size_t size);
int x509_issuer_text(const struct x509 *c, char *buf, size_t size);
/* The public key, a new reference (caller frees with pkey_free). ERR_UNSUPPORTED for key
 * types pkey does not handle. */
int x509_public_key(const struct x509 *c, struct pkey **out);
/* SHA-1 of the SubjectPublicKeyInfo (RFC 7296 §3.7 CERTREQ hashes). */
int x509_spki_sha1(const struct x509 *c, uint8_t out[PKEY_SHA1_LEN]);
/* SHA-1 of the certificate's DER (RFC 7296 §3.6 "Hash and URL" encodings 12 and 13). */
int x509_der_sha1(const struct x509 *c, uint8_t out[PKEY_SHA1_LEN]);
/* The validity period, seconds since the Unix epoch (UTC). */
int x509_validity(const struct x509 *c, int64_t *not_before, int64_t *not_after);
/* basicConstraints CA (or a v1 self-signed root, as OpenSSL's X509_check_ca counts it). */
bool x509_is_ca(const struct x509 *c);

enum x509_san_type {
	X509_SAN_DNS = 1,
	X509_SAN_EMAIL,
	X509_SAN_IPV4,
	X509_SAN_IPV6,
};

#define X509_SAN_VALUE_MAX 255

/* One subjectAltName entry: DNS and email as text (len bytes, NUL-terminated), IP addresses
 * as 4 or 16 raw bytes. */
struct x509_san {
	enum x509_san_type type;
	size_t len;
	uint8_t value[X509_SAN_VALUE_MAX + 1];
};

/* The DNS, email and IP subjectAltNames, in certificate order, into sans[0..*n) (at most cap;
 * ERR_LIMIT when there are more). Other name types are skipped, and so are names longer than
 * X509_SAN_VALUE_MAX, containing NUL bytes, or IP addresses of another length. */
int x509_sans(const struct x509 *c, struct x509_san *sans, size_t cap, size_t *n);

/* Whether the IKE identity (type, data as in the ID payload) names this certificate:
 *   ID_IPV4_ADDR / ID_IPV6_ADDR  a subjectAltName iPAddress with the same bytes
 *   ID_FQDN                      a subjectAltName dNSName, ASCII case-insensitive
 *   ID_RFC822_ADDR               a subjectAltName rfc822Name, ASCII case-insensitive
 *   ID_DER_ASN1_DN               the subject (dn_equal)
 * Types are enum ikev2_id_type (src/wire/ikev2_const.h; IKEv1 uses the same numbers).
 * 0 on a match; ERR_AUTH when the identity does not match; ERR_INVAL when the ID data is
 * malformed for its type; ERR_UNSUPPORTED for other ID types. */
int x509_match_id(const struct x509 *c, unsigned id_type, const uint8_t *id, size_t len);

/* A set of trusted CA certificates (trust anchors). */
struct x509_store *x509_store_new(void); /* NULL on ENOMEM */
void x509_store_free(struct x509_store *s);
/* Adds a trust anchor (the store keeps its own reference). ERR_EXISTS if already there. */
int x509_store_add(struct x509_store *s, const struct x509 *ca);
size_t x509_store_count(const struct x509_store *s);

/* Adds certificate revocation lists: one DER CRL, or every CRL of PEM text; *added (when
 * non-NULL) gets their number. ERR_INVAL when there is none or one does not decode (CRLs
 * read before it stay). Once the store holds a CRL, x509_verify checks every certificate of
 * the chain against its issuer's CRL (signature and validity of the CRL checked by OpenSSL):
 * a revoked certificate fails. By default (strongSwan's strictcrlpolicy=no) an issuer
 * without a CRL here, or with an expired or not yet valid one, does not fail the chain;
 * x509_store_set_crl_strict(s, true) makes each of those a failure. */
int x509_store_add_crls(struct x509_store *s, const void *data, size_t len, size_t *added);
void x509_store_set_crl_strict(struct x509_store *s, bool strict);

/* Verifies the end-entity certificate ee, with untrusted intermediates chain[0..n) in any
 * order, up to a trust anchor in s, with validity periods checked at now (seconds since the
 * Unix epoch, UTC). 0 when the chain verifies; ERR_AUTH otherwise, with *reason (when reason
 * is non-NULL) set to OpenSSL's static description of the failure. */
int x509_verify(const struct x509_store *s, const struct x509 *ee, struct x509 *const *chain,
		size_t n, int64_t now, const char **reason);

#endif
