/* ISAKMP / IKEv1 structural numbers, each registry defined once as an X-macro list from which
 * the enum and the name table (isakmp_const.c) are derived.
 *
 * Sources: RFC 2408 (ISAKMP), RFC 2409 (IKE, Appendix A), RFC 2407 (IPsec DOI), RFC 3947
 * (NAT-T), RFC 3706 (DPD), draft-dukes-ike-mode-cfg-02 / draft-ietf-ipsec-isakmp-mode-cfg-05
 * (Transaction exchange and attributes), draft-beaulieu-ike-xauth-02 (XAUTH attributes), and
 * the Cisco Unity private attribute numbers as deployed. Algorithm numbers (encryption, hash,
 * group, authentication method, life type, protocol and transform IDs, phase-1 and IPsec DOI
 * attribute types, encapsulation modes) are not here: they live in src/wire/iana.h.
 *
 * Name functions return a static string for every value, "UNKNOWN" when not listed.
 */
#ifndef RAMPART_WIRE_ISAKMP_CONST_H
#define RAMPART_WIRE_ISAKMP_CONST_H

#include <stdbool.h>
#include <stdint.h>

/* RFC 2408 §3.1: version 1.0 (major 1, minor 0). */
#define ISAKMP_MAJOR_VERSION 1
#define ISAKMP_MINOR_VERSION 0

/* RFC 2408 §3.1 header flags. */
#define ISAKMP_FLAG_ENC	   0x01 /* E: payloads after the header are encrypted */
#define ISAKMP_FLAG_COMMIT 0x02 /* C: commit */
#define ISAKMP_FLAG_AUTH   0x04 /* A: authentication only */
#define ISAKMP_FLAGS_KNOWN (ISAKMP_FLAG_ENC | ISAKMP_FLAG_COMMIT | ISAKMP_FLAG_AUTH)

/* Exchange types: RFC 2408 §4.4-4.8 (1-5), mode-cfg draft §3.1 (6), RFC 2409 §5.5, §6 (32, 33). */
#define ISAKMP_EXCH_LIST(X)                                                                        \
	X(BASE, 1, "Base")                                                                         \
	X(IDPROT, 2, "Identity Protection (Main Mode)")                                            \
	X(AUTH_ONLY, 3, "Authentication Only")                                                     \
	X(AGGRESSIVE, 4, "Aggressive")                                                             \
	X(INFO, 5, "Informational")                                                                \
	X(TRANSACTION, 6, "Transaction (Mode-Config)")                                             \
	X(QUICK, 32, "Quick Mode")                                                                 \
	X(NEW_GROUP, 33, "New Group Mode")

/* Payload types: RFC 2408 §3.1 (0-13), mode-cfg draft (14), RFC 3547 GDOI (15-19, 22),
 * RFC 3947 §3.2, §5.2 (20, 21), draft-ietf-ipsec-nat-t-ike-01..03 (130, 131), Cisco/strongSwan
 * IKEv1 fragmentation (132). */
#define ISAKMP_PAYLOAD_LIST(X)                                                                     \
	X(NONE, 0, "NONE")                                                                         \
	X(SA, 1, "SA")                                                                             \
	X(P, 2, "Proposal")                                                                        \
	X(T, 3, "Transform")                                                                       \
	X(KE, 4, "KE")                                                                             \
	X(ID, 5, "ID")                                                                             \
	X(CERT, 6, "CERT")                                                                         \
	X(CR, 7, "CR")                                                                             \
	X(HASH, 8, "HASH")                                                                         \
	X(SIG, 9, "SIG")                                                                           \
	X(NONCE, 10, "NONCE")                                                                      \
	X(N, 11, "N")                                                                              \
	X(D, 12, "D")                                                                              \
	X(VID, 13, "VID")                                                                          \
	X(ATTR, 14, "ATTR")                                                                        \
	X(SAK, 15, "SAK")                                                                          \
	X(SAT, 16, "SAT")                                                                          \
	X(KD, 17, "KD")                                                                            \
	X(SEQ, 18, "SEQ")                                                                          \
	X(POP, 19, "POP")                                                                          \
	X(NAT_D, 20, "NAT-D")                                                                      \
	X(NAT_OA, 21, "NAT-OA")                                                                    \
	X(GAP, 22, "GAP")                                                                          \
	X(NAT_D_DRAFT, 130, "NAT-D (draft)")                                                       \
	X(NAT_OA_DRAFT, 131, "NAT-OA (draft)")                                                     \
	X(FRAG, 132, "FRAGMENT")

/* Notify message types: RFC 2408 §3.14.1 (errors 1-30, status 16384), RFC 2407 §4.6.3
 * (24576-24578), RFC 3706 §5 (36136, 36137), Cisco Unity (40501). */
#define ISAKMP_NOTIFY_LIST(X)                                                                      \
	X(INVALID_PAYLOAD_TYPE, 1, "INVALID-PAYLOAD-TYPE")                                         \
	X(DOI_NOT_SUPPORTED, 2, "DOI-NOT-SUPPORTED")                                               \
	X(SITUATION_NOT_SUPPORTED, 3, "SITUATION-NOT-SUPPORTED")                                   \
	X(INVALID_COOKIE, 4, "INVALID-COOKIE")                                                     \
	X(INVALID_MAJOR_VERSION, 5, "INVALID-MAJOR-VERSION")                                       \
	X(INVALID_MINOR_VERSION, 6, "INVALID-MINOR-VERSION")                                       \
	X(INVALID_EXCHANGE_TYPE, 7, "INVALID-EXCHANGE-TYPE")                                       \
	X(INVALID_FLAGS, 8, "INVALID-FLAGS")                                                       \
	X(INVALID_MESSAGE_ID, 9, "INVALID-MESSAGE-ID")                                             \
	X(INVALID_PROTOCOL_ID, 10, "INVALID-PROTOCOL-ID")                                          \
	X(INVALID_SPI, 11, "INVALID-SPI")                                                          \
	X(INVALID_TRANSFORM_ID, 12, "INVALID-TRANSFORM-ID")                                        \
	X(ATTRIBUTES_NOT_SUPPORTED, 13, "ATTRIBUTES-NOT-SUPPORTED")                                \
	X(NO_PROPOSAL_CHOSEN, 14, "NO-PROPOSAL-CHOSEN")                                            \
	X(BAD_PROPOSAL_SYNTAX, 15, "BAD-PROPOSAL-SYNTAX")                                          \
	X(PAYLOAD_MALFORMED, 16, "PAYLOAD-MALFORMED")                                              \
	X(INVALID_KEY_INFORMATION, 17, "INVALID-KEY-INFORMATION")                                  \
	X(INVALID_ID_INFORMATION, 18, "INVALID-ID-INFORMATION")                                    \
	X(INVALID_CERT_ENCODING, 19, "INVALID-CERT-ENCODING")                                      \
	X(INVALID_CERTIFICATE, 20, "INVALID-CERTIFICATE")                                          \
	X(CERT_TYPE_UNSUPPORTED, 21, "CERT-TYPE-UNSUPPORTED")                                      \
	X(INVALID_CERT_AUTHORITY, 22, "INVALID-CERT-AUTHORITY")                                    \
	X(INVALID_HASH_INFORMATION, 23, "INVALID-HASH-INFORMATION")                                \
	X(AUTHENTICATION_FAILED, 24, "AUTHENTICATION-FAILED")                                      \
	X(INVALID_SIGNATURE, 25, "INVALID-SIGNATURE")                                              \
	X(ADDRESS_NOTIFICATION, 26, "ADDRESS-NOTIFICATION")                                        \
	X(NOTIFY_SA_LIFETIME, 27, "NOTIFY-SA-LIFETIME")                                            \
	X(CERTIFICATE_UNAVAILABLE, 28, "CERTIFICATE-UNAVAILABLE")                                  \
	X(UNSUPPORTED_EXCHANGE_TYPE, 29, "UNSUPPORTED-EXCHANGE-TYPE")                              \
	X(UNEQUAL_PAYLOAD_LENGTHS, 30, "UNEQUAL-PAYLOAD-LENGTHS")                                  \
	X(CONNECTED, 16384, "CONNECTED")                                                           \
	X(RESPONDER_LIFETIME, 24576, "RESPONDER-LIFETIME")                                         \
	X(REPLAY_STATUS, 24577, "REPLAY-STATUS")                                                   \
	X(INITIAL_CONTACT, 24578, "INITIAL-CONTACT")                                               \
	X(R_U_THERE, 36136, "R-U-THERE")                                                           \
	X(R_U_THERE_ACK, 36137, "R-U-THERE-ACK")                                                   \
	X(UNITY_LOAD_BALANCE, 40501, "UNITY-LOAD-BALANCE")

/* Highest notify type that is an error (RFC 2408 §3.14.1: 1-16383 are errors). */
#define ISAKMP_NOTIFY_ERROR_MAX 16383

/* Domains of interpretation: RFC 2408 §3.4 (0), RFC 2407 §4.2 (1), RFC 3547 (2). */
#define ISAKMP_DOI_LIST(X)                                                                         \
	X(ISAKMP, 0, "ISAKMP")                                                                     \
	X(IPSEC, 1, "IPSEC")                                                                       \
	X(GDOI, 2, "GDOI")

/* IPsec DOI situation bits, RFC 2407 §4.2. Only IDENTITY_ONLY is supported. */
#define ISAKMP_SIT_LIST(X)                                                                         \
	X(IDENTITY_ONLY, 0x01, "SIT_IDENTITY_ONLY")                                                \
	X(SECRECY, 0x02, "SIT_SECRECY")                                                            \
	X(INTEGRITY, 0x04, "SIT_INTEGRITY")

/* Attribute classes: B = basic only (TV, AF=1), V = variable (TLV, AF=0, or TV when the value
 * fits two octets; RFC 2409 Appendix A and RFC 2407 §4.5: "Attributes described as basic MUST
 * NOT be encoded as variable"). */
enum isakmp_attr_class {
	ISAKMP_ATTR_CLASS_UNKNOWN = 0,
	ISAKMP_ATTR_CLASS_B = 1,
	ISAKMP_ATTR_CLASS_V = 2,
};

/* Basic/variable class of the phase-1 (Oakley) SA attribute types, RFC 2409 Appendix A. The
 * numbers themselves (and the authentication methods, life types, protocol IDs, KEY_IKE,
 * encapsulation modes) are in src/wire/iana.h. */
#define ISAKMP_P1_ATTR_CLASS_LIST(X)                                                               \
	X(IKEV1_ATTR_ENCR, B)                                                                      \
	X(IKEV1_ATTR_HASH, B)                                                                      \
	X(IKEV1_ATTR_AUTH_METHOD, B)                                                               \
	X(IKEV1_ATTR_GROUP_DESC, B)                                                                \
	X(IKEV1_ATTR_GROUP_TYPE, B)                                                                \
	X(IKEV1_ATTR_GROUP_PRIME, V)                                                               \
	X(IKEV1_ATTR_GROUP_GEN_ONE, V)                                                             \
	X(IKEV1_ATTR_GROUP_GEN_TWO, V)                                                             \
	X(IKEV1_ATTR_GROUP_CURVE_A, V)                                                             \
	X(IKEV1_ATTR_GROUP_CURVE_B, V)                                                             \
	X(IKEV1_ATTR_LIFE_TYPE, B)                                                                 \
	X(IKEV1_ATTR_LIFE_DURATION, V)                                                             \
	X(IKEV1_ATTR_PRF, B)                                                                       \
	X(IKEV1_ATTR_KEY_LENGTH, B)                                                                \
	X(IKEV1_ATTR_FIELD_SIZE, B)                                                                \
	X(IKEV1_ATTR_GROUP_ORDER, V)

/* Basic/variable class of the IPsec DOI (phase-2) SA attribute types, RFC 2407 §4.5 (1-9),
 * RFC 3168 §9.2.1 (10), RFC 4304 §2 (11). */
#define ISAKMP_P2_ATTR_CLASS_LIST(X)                                                               \
	X(IPSEC_ATTR_LIFE_TYPE, B)                                                                 \
	X(IPSEC_ATTR_LIFE_DURATION, V)                                                             \
	X(IPSEC_ATTR_GROUP_DESC, B)                                                                \
	X(IPSEC_ATTR_ENCAP_MODE, B)                                                                \
	X(IPSEC_ATTR_AUTH_ALG, B)                                                                  \
	X(IPSEC_ATTR_KEY_LENGTH, B)                                                                \
	X(IPSEC_ATTR_KEY_ROUNDS, B)                                                                \
	X(IPSEC_ATTR_COMP_DICT_SIZE, B)                                                            \
	X(IPSEC_ATTR_COMP_PRIV_ALG, V)                                                             \
	X(IPSEC_ATTR_ECN_TUNNEL, B)                                                                \
	X(IPSEC_ATTR_ESN, B)

/* Identification types, RFC 2407 §4.6.2.1 (1-11), RFC 3554 §3 (12). */
#define ISAKMP_ID_LIST(X)                                                                          \
	X(IPV4_ADDR, 1, "ID_IPV4_ADDR")                                                            \
	X(FQDN, 2, "ID_FQDN")                                                                      \
	X(USER_FQDN, 3, "ID_USER_FQDN")                                                            \
	X(IPV4_ADDR_SUBNET, 4, "ID_IPV4_ADDR_SUBNET")                                              \
	X(IPV6_ADDR, 5, "ID_IPV6_ADDR")                                                            \
	X(IPV6_ADDR_SUBNET, 6, "ID_IPV6_ADDR_SUBNET")                                              \
	X(IPV4_ADDR_RANGE, 7, "ID_IPV4_ADDR_RANGE")                                                \
	X(IPV6_ADDR_RANGE, 8, "ID_IPV6_ADDR_RANGE")                                                \
	X(DER_ASN1_DN, 9, "ID_DER_ASN1_DN")                                                        \
	X(DER_ASN1_GN, 10, "ID_DER_ASN1_GN")                                                       \
	X(KEY_ID, 11, "ID_KEY_ID")                                                                 \
	X(LIST, 12, "ID_LIST")

/* Certificate encodings, RFC 2408 §3.9 (0-10), RFC 4306 §3.6 as reused by IKEv1 peers
 * (12, 13). */
#define ISAKMP_CERT_LIST(X)                                                                        \
	X(NONE, 0, "NONE")                                                                         \
	X(PKCS7, 1, "PKCS #7 wrapped X.509")                                                       \
	X(PGP, 2, "PGP")                                                                           \
	X(DNS_SIGNED_KEY, 3, "DNS Signed Key")                                                     \
	X(X509_SIG, 4, "X.509 Certificate - Signature")                                            \
	X(X509_KE, 5, "X.509 Certificate - Key Exchange")                                          \
	X(KERBEROS, 6, "Kerberos Tokens")                                                          \
	X(CRL, 7, "CRL")                                                                           \
	X(ARL, 8, "ARL")                                                                           \
	X(SPKI, 9, "SPKI")                                                                         \
	X(X509_ATTR, 10, "X.509 Certificate - Attribute")                                          \
	X(HASH_URL_X509, 12, "Hash and URL of X.509 certificate")                                  \
	X(HASH_URL_BUNDLE, 13, "Hash and URL of X.509 bundle")

/* Mode-config message types (ATTR payload "Type"), mode-cfg draft §3.2. */
#define ISAKMP_CFG_LIST(X)                                                                         \
	X(REQUEST, 1, "ISAKMP_CFG_REQUEST")                                                        \
	X(REPLY, 2, "ISAKMP_CFG_REPLY")                                                            \
	X(SET, 3, "ISAKMP_CFG_SET")                                                                \
	X(ACK, 4, "ISAKMP_CFG_ACK")

/* Mode-config attribute types: mode-cfg draft §3.3 (1-15), draft-beaulieu-ike-xauth-02 §6
 * (16520-16529, XAUTH_TYPE and XAUTH_STATUS basic), Cisco Unity (28672-28682). */
#define ISAKMP_CFG_ATTR_LIST(X)                                                                    \
	X(INTERNAL_IP4_ADDRESS, 1, "INTERNAL_IP4_ADDRESS", V)                                      \
	X(INTERNAL_IP4_NETMASK, 2, "INTERNAL_IP4_NETMASK", V)                                      \
	X(INTERNAL_IP4_DNS, 3, "INTERNAL_IP4_DNS", V)                                              \
	X(INTERNAL_IP4_NBNS, 4, "INTERNAL_IP4_NBNS", V)                                            \
	X(INTERNAL_ADDRESS_EXPIRY, 5, "INTERNAL_ADDRESS_EXPIRY", V)                                \
	X(INTERNAL_IP4_DHCP, 6, "INTERNAL_IP4_DHCP", V)                                            \
	X(APPLICATION_VERSION, 7, "APPLICATION_VERSION", V)                                        \
	X(INTERNAL_IP6_ADDRESS, 8, "INTERNAL_IP6_ADDRESS", V)                                      \
	X(INTERNAL_IP6_NETMASK, 9, "INTERNAL_IP6_NETMASK", V)                                      \
	X(INTERNAL_IP6_DNS, 10, "INTERNAL_IP6_DNS", V)                                             \
	X(INTERNAL_IP6_NBNS, 11, "INTERNAL_IP6_NBNS", V)                                           \
	X(INTERNAL_IP6_DHCP, 12, "INTERNAL_IP6_DHCP", V)                                           \
	X(INTERNAL_IP4_SUBNET, 13, "INTERNAL_IP4_SUBNET", V)                                       \
	X(SUPPORTED_ATTRIBUTES, 14, "SUPPORTED_ATTRIBUTES", V)                                     \
	X(INTERNAL_IP6_SUBNET, 15, "INTERNAL_IP6_SUBNET", V)                                       \
	X(XAUTH_TYPE, 16520, "XAUTH_TYPE", B)                                                      \
	X(XAUTH_USER_NAME, 16521, "XAUTH_USER_NAME", V)                                            \
	X(XAUTH_USER_PASSWORD, 16522, "XAUTH_USER_PASSWORD", V)                                    \
	X(XAUTH_PASSCODE, 16523, "XAUTH_PASSCODE", V)                                              \
	X(XAUTH_MESSAGE, 16524, "XAUTH_MESSAGE", V)                                                \
	X(XAUTH_CHALLENGE, 16525, "XAUTH_CHALLENGE", V)                                            \
	X(XAUTH_DOMAIN, 16526, "XAUTH_DOMAIN", V)                                                  \
	X(XAUTH_STATUS, 16527, "XAUTH_STATUS", B)                                                  \
	X(XAUTH_NEXT_PIN, 16528, "XAUTH_NEXT_PIN", V)                                              \
	X(XAUTH_ANSWER, 16529, "XAUTH_ANSWER", V)                                                  \
	X(UNITY_BANNER, 28672, "UNITY_BANNER", V)                                                  \
	X(UNITY_SAVE_PASSWD, 28673, "UNITY_SAVE_PASSWD", V)                                        \
	X(UNITY_DEF_DOMAIN, 28674, "UNITY_DEF_DOMAIN", V)                                          \
	X(UNITY_SPLIT_DOMAIN, 28675, "UNITY_SPLIT_DOMAIN", V)                                      \
	X(UNITY_SPLIT_INCLUDE, 28676, "UNITY_SPLIT_INCLUDE", V)                                    \
	X(UNITY_NATT_PORT, 28677, "UNITY_NATT_PORT", V)                                            \
	X(UNITY_LOCAL_LAN, 28678, "UNITY_LOCAL_LAN", V)                                            \
	X(UNITY_PFS, 28679, "UNITY_PFS", V)                                                        \
	X(UNITY_FW_TYPE, 28680, "UNITY_FW_TYPE", V)                                                \
	X(UNITY_BACKUP_SERVERS, 28681, "UNITY_BACKUP_SERVERS", V)                                  \
	X(UNITY_DDNS_HOSTNAME, 28682, "UNITY_DDNS_HOSTNAME", V)

#define ISAKMP_ENUM3_(pfx, name, val, str)     pfx##name = (val),
#define ISAKMP_ENUM4_(pfx, name, val, str, cl) pfx##name = (val),

#define ISAKMP_E3_EXCH(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_EXCH_, n, v, s)
#define ISAKMP_E3_PT(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_PT_, n, v, s)
#define ISAKMP_E3_N(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_N_, n, v, s)
#define ISAKMP_E3_DOI(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_DOI_, n, v, s)
#define ISAKMP_E3_SIT(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_SIT_, n, v, s)
#define ISAKMP_E3_ID(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_ID_, n, v, s)
#define ISAKMP_E3_CERT(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_CERT_, n, v, s)
#define ISAKMP_E3_CFG(n, v, s)	      ISAKMP_ENUM3_(ISAKMP_CFG_, n, v, s)
#define ISAKMP_E4_CFGATTR(n, v, s, c) ISAKMP_ENUM4_(ISAKMP_CFG_ATTR_, n, v, s, c)

enum isakmp_exch { ISAKMP_EXCH_LIST(ISAKMP_E3_EXCH) };
enum isakmp_payload_type { ISAKMP_PAYLOAD_LIST(ISAKMP_E3_PT) };
enum isakmp_notify { ISAKMP_NOTIFY_LIST(ISAKMP_E3_N) };
enum isakmp_doi { ISAKMP_DOI_LIST(ISAKMP_E3_DOI) };
enum isakmp_sit { ISAKMP_SIT_LIST(ISAKMP_E3_SIT) };
enum isakmp_id_type { ISAKMP_ID_LIST(ISAKMP_E3_ID) };
enum isakmp_cert_enc { ISAKMP_CERT_LIST(ISAKMP_E3_CERT) };
enum isakmp_cfg_type { ISAKMP_CFG_LIST(ISAKMP_E3_CFG) };
enum isakmp_cfg_attr { ISAKMP_CFG_ATTR_LIST(ISAKMP_E4_CFGATTR) };

const char *isakmp_exch_name(unsigned v);
const char *isakmp_payload_name(unsigned v);
const char *isakmp_notify_name(unsigned v);
const char *isakmp_doi_name(unsigned v);
const char *isakmp_sit_name(unsigned v);
const char *isakmp_id_name(unsigned v);
const char *isakmp_cert_name(unsigned v);
const char *isakmp_cfg_name(unsigned v);
const char *isakmp_cfg_attr_name(unsigned v);

/* Whether a value is listed in its registry. */
bool isakmp_exch_known(unsigned v);
bool isakmp_payload_listed(unsigned v);
bool isakmp_notify_known(unsigned v);

/* Attribute class (B or V) of a listed attribute type; UNKNOWN for unlisted types. */
enum isakmp_attr_class isakmp_p1_attr_class(unsigned type);
enum isakmp_attr_class isakmp_p2_attr_class(unsigned type);
enum isakmp_attr_class isakmp_cfg_attr_class(unsigned type);

#endif
