/* IANA numbers for IKEv2 transforms and IKEv1/ISAKMP/IPsec-DOI algorithm attributes.
 *
 * Every registry is one X-macro list X(NAME, value, "log name"), written once; the enums below
 * and the name tables in iana.c are both expanded from it. This header owns transform and
 * algorithm numbers only; payload, notify and exchange numbers live with the wire codecs.
 *
 * Sources: RFC 7296 §3.3.2 (transform types and IDs), §3.3.5 (Key Length attribute) and the
 * IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" registry; RFC 2409 Appendix A
 * (IKEv1 attribute classes and values) and the IANA "IPSEC Registry" / "ISAKMP" registries;
 * RFC 2407 §4.4 and §4.5 (IPsec DOI protocol/transform IDs and SA attributes).
 */
#ifndef RAMPART_WIRE_IANA_H
#define RAMPART_WIRE_IANA_H

#include <stddef.h>
#include <stdint.h>

/* ---- IKEv2 (RFC 7296 §3.3.2, RFC 9370 §2.2) ---------------------------------------------- */

/* Transform Type values. Type 4 is "Diffie-Hellman Group" in RFC 7296, renamed "Key Exchange
 * Method" by RFC 9370, which also adds the Additional Key Exchange types 6..12. */
#define IANA_IKEV2_TRANSFORM_TYPES(X)                                                              \
	X(IKEV2_TRANS_ENCR, 1, "ENCR")                                                             \
	X(IKEV2_TRANS_PRF, 2, "PRF")                                                               \
	X(IKEV2_TRANS_INTEG, 3, "INTEG")                                                           \
	X(IKEV2_TRANS_KE, 4, "KE")                                                                 \
	X(IKEV2_TRANS_ESN, 5, "ESN")                                                               \
	X(IKEV2_TRANS_ADDKE1, 6, "ADDKE1")                                                         \
	X(IKEV2_TRANS_ADDKE2, 7, "ADDKE2")                                                         \
	X(IKEV2_TRANS_ADDKE3, 8, "ADDKE3")                                                         \
	X(IKEV2_TRANS_ADDKE4, 9, "ADDKE4")                                                         \
	X(IKEV2_TRANS_ADDKE5, 10, "ADDKE5")                                                        \
	X(IKEV2_TRANS_ADDKE6, 11, "ADDKE6")                                                        \
	X(IKEV2_TRANS_ADDKE7, 12, "ADDKE7")

/* Transform Type 1, Encryption Algorithm Transform IDs (RFC 7296 §3.3.2; AES-CBC RFC 3602,
 * AES-CTR RFC 3686/5930, CCM RFC 4309, GCM RFC 4106/5282, GMAC RFC 4543, ChaCha20-Poly1305
 * RFC 7634). Values 14..16 and 18..20 encode the ICV length (8, 12, 16 octets). */
#define IANA_IKEV2_ENCR(X)                                                                         \
	X(IKEV2_ENCR_DES_IV64, 1, "DES_IV64")                                                      \
	X(IKEV2_ENCR_DES, 2, "DES")                                                                \
	X(IKEV2_ENCR_3DES, 3, "3DES")                                                              \
	X(IKEV2_ENCR_RC5, 4, "RC5")                                                                \
	X(IKEV2_ENCR_IDEA, 5, "IDEA")                                                              \
	X(IKEV2_ENCR_CAST, 6, "CAST")                                                              \
	X(IKEV2_ENCR_BLOWFISH, 7, "BLOWFISH")                                                      \
	X(IKEV2_ENCR_3IDEA, 8, "3IDEA")                                                            \
	X(IKEV2_ENCR_DES_IV32, 9, "DES_IV32")                                                      \
	X(IKEV2_ENCR_NULL, 11, "NULL")                                                             \
	X(IKEV2_ENCR_AES_CBC, 12, "AES_CBC")                                                       \
	X(IKEV2_ENCR_AES_CTR, 13, "AES_CTR")                                                       \
	X(IKEV2_ENCR_AES_CCM_8, 14, "AES_CCM_8")                                                   \
	X(IKEV2_ENCR_AES_CCM_12, 15, "AES_CCM_12")                                                 \
	X(IKEV2_ENCR_AES_CCM_16, 16, "AES_CCM_16")                                                 \
	X(IKEV2_ENCR_AES_GCM_8, 18, "AES_GCM_8")                                                   \
	X(IKEV2_ENCR_AES_GCM_12, 19, "AES_GCM_12")                                                 \
	X(IKEV2_ENCR_AES_GCM_16, 20, "AES_GCM_16")                                                 \
	X(IKEV2_ENCR_NULL_AUTH_AES_GMAC, 21, "NULL_AUTH_AES_GMAC")                                 \
	X(IKEV2_ENCR_CAMELLIA_CBC, 23, "CAMELLIA_CBC")                                             \
	X(IKEV2_ENCR_CAMELLIA_CTR, 24, "CAMELLIA_CTR")                                             \
	X(IKEV2_ENCR_CHACHA20_POLY1305, 28, "CHACHA20_POLY1305")

/* Transform Type 2, Pseudorandom Function Transform IDs (RFC 7296 §3.3.2; XCBC RFC 4434,
 * HMAC-SHA2 RFC 4868, CMAC RFC 4615). */
#define IANA_IKEV2_PRF(X)                                                                          \
	X(IKEV2_PRF_HMAC_MD5, 1, "PRF_HMAC_MD5")                                                   \
	X(IKEV2_PRF_HMAC_SHA1, 2, "PRF_HMAC_SHA1")                                                 \
	X(IKEV2_PRF_HMAC_TIGER, 3, "PRF_HMAC_TIGER")                                               \
	X(IKEV2_PRF_AES128_XCBC, 4, "PRF_AES128_XCBC")                                             \
	X(IKEV2_PRF_HMAC_SHA2_256, 5, "PRF_HMAC_SHA2_256")                                         \
	X(IKEV2_PRF_HMAC_SHA2_384, 6, "PRF_HMAC_SHA2_384")                                         \
	X(IKEV2_PRF_HMAC_SHA2_512, 7, "PRF_HMAC_SHA2_512")                                         \
	X(IKEV2_PRF_AES128_CMAC, 8, "PRF_AES128_CMAC")

/* Transform Type 3, Integrity Algorithm Transform IDs (RFC 7296 §3.3.2; XCBC-96 RFC 3566,
 * CMAC-96 RFC 4494, GMAC RFC 4543, HMAC-SHA2 RFC 4868). */
#define IANA_IKEV2_INTEG(X)                                                                        \
	X(IKEV2_INTEG_NONE, 0, "NONE")                                                             \
	X(IKEV2_INTEG_HMAC_MD5_96, 1, "HMAC_MD5_96")                                               \
	X(IKEV2_INTEG_HMAC_SHA1_96, 2, "HMAC_SHA1_96")                                             \
	X(IKEV2_INTEG_DES_MAC, 3, "DES_MAC")                                                       \
	X(IKEV2_INTEG_KPDK_MD5, 4, "KPDK_MD5")                                                     \
	X(IKEV2_INTEG_AES_XCBC_96, 5, "AES_XCBC_96")                                               \
	X(IKEV2_INTEG_HMAC_MD5_128, 6, "HMAC_MD5_128")                                             \
	X(IKEV2_INTEG_HMAC_SHA1_160, 7, "HMAC_SHA1_160")                                           \
	X(IKEV2_INTEG_AES_CMAC_96, 8, "AES_CMAC_96")                                               \
	X(IKEV2_INTEG_AES_128_GMAC, 9, "AES_128_GMAC")                                             \
	X(IKEV2_INTEG_AES_192_GMAC, 10, "AES_192_GMAC")                                            \
	X(IKEV2_INTEG_AES_256_GMAC, 11, "AES_256_GMAC")                                            \
	X(IKEV2_INTEG_HMAC_SHA2_256_128, 12, "HMAC_SHA2_256_128")                                  \
	X(IKEV2_INTEG_HMAC_SHA2_384_192, 13, "HMAC_SHA2_384_192")                                  \
	X(IKEV2_INTEG_HMAC_SHA2_512_256, 14, "HMAC_SHA2_512_256")

/* Transform Type 4, Key Exchange Method (Diffie-Hellman Group) Transform IDs (RFC 7296
 * §3.3.2 and Appendix B; MODP RFC 3526; MODP with prime-order subgroups RFC 5114; ECP RFC 5903
 * and RFC 5114; Brainpool RFC 6954; Curve25519/448 RFC 8031; ML-KEM RFC 9370 framework,
 * IANA assignment per draft-ietf-ipsecme-ikev2-mlkem). The IKEv1 "Group Description" attribute
 * (RFC 2409 §6, IANA IPSEC registry) uses the same numbers for every group listed here, so
 * ISAKMP code uses these values too. */
#define IANA_IKEV2_KE(X)                                                                           \
	X(IKEV2_KE_NONE, 0, "NONE")                                                                \
	X(IKEV2_KE_MODP768, 1, "MODP_768")                                                         \
	X(IKEV2_KE_MODP1024, 2, "MODP_1024")                                                       \
	X(IKEV2_KE_MODP1536, 5, "MODP_1536")                                                       \
	X(IKEV2_KE_MODP2048, 14, "MODP_2048")                                                      \
	X(IKEV2_KE_MODP3072, 15, "MODP_3072")                                                      \
	X(IKEV2_KE_MODP4096, 16, "MODP_4096")                                                      \
	X(IKEV2_KE_MODP6144, 17, "MODP_6144")                                                      \
	X(IKEV2_KE_MODP8192, 18, "MODP_8192")                                                      \
	X(IKEV2_KE_ECP256, 19, "ECP_256")                                                          \
	X(IKEV2_KE_ECP384, 20, "ECP_384")                                                          \
	X(IKEV2_KE_ECP521, 21, "ECP_521")                                                          \
	X(IKEV2_KE_MODP1024_S160, 22, "MODP_1024_160")                                             \
	X(IKEV2_KE_MODP2048_S224, 23, "MODP_2048_224")                                             \
	X(IKEV2_KE_MODP2048_S256, 24, "MODP_2048_256")                                             \
	X(IKEV2_KE_ECP192, 25, "ECP_192")                                                          \
	X(IKEV2_KE_ECP224, 26, "ECP_224")                                                          \
	X(IKEV2_KE_ECP224_BP, 27, "ECP_224_BP")                                                    \
	X(IKEV2_KE_ECP256_BP, 28, "ECP_256_BP")                                                    \
	X(IKEV2_KE_ECP384_BP, 29, "ECP_384_BP")                                                    \
	X(IKEV2_KE_ECP512_BP, 30, "ECP_512_BP")                                                    \
	X(IKEV2_KE_CURVE25519, 31, "CURVE_25519")                                                  \
	X(IKEV2_KE_CURVE448, 32, "CURVE_448")                                                      \
	X(IKEV2_KE_ML_KEM_512, 35, "ML_KEM_512")                                                   \
	X(IKEV2_KE_ML_KEM_768, 36, "ML_KEM_768")                                                   \
	X(IKEV2_KE_ML_KEM_1024, 37, "ML_KEM_1024")

/* Transform Type 5, Extended Sequence Numbers Transform IDs (RFC 7296 §3.3.2). */
#define IANA_IKEV2_ESN(X)                                                                          \
	X(IKEV2_ESN_NO, 0, "NO_ESN")                                                               \
	X(IKEV2_ESN_YES, 1, "ESN")

/* Transform attribute types (RFC 7296 §3.3.5): only Key Length, always TV format, value in
 * bits (required for AES-based ENCR transforms, forbidden for fixed-size ciphers). */
#define IANA_IKEV2_TRANSFORM_ATTRS(X) X(IKEV2_ATTR_KEY_LENGTH, 14, "KEY_LENGTH")

/* ---- IKEv1 / ISAKMP (RFC 2409 Appendix A) ------------------------------------------------ */

/* Phase 1 attribute classes (RFC 2409 Appendix A). */
#define IANA_IKEV1_ATTRS(X)                                                                        \
	X(IKEV1_ATTR_ENCR, 1, "ENCRYPTION_ALGORITHM")                                              \
	X(IKEV1_ATTR_HASH, 2, "HASH_ALGORITHM")                                                    \
	X(IKEV1_ATTR_AUTH_METHOD, 3, "AUTHENTICATION_METHOD")                                      \
	X(IKEV1_ATTR_GROUP_DESC, 4, "GROUP_DESCRIPTION")                                           \
	X(IKEV1_ATTR_GROUP_TYPE, 5, "GROUP_TYPE")                                                  \
	X(IKEV1_ATTR_GROUP_PRIME, 6, "GROUP_PRIME")                                                \
	X(IKEV1_ATTR_GROUP_GEN_ONE, 7, "GROUP_GENERATOR_ONE")                                      \
	X(IKEV1_ATTR_GROUP_GEN_TWO, 8, "GROUP_GENERATOR_TWO")                                      \
	X(IKEV1_ATTR_GROUP_CURVE_A, 9, "GROUP_CURVE_A")                                            \
	X(IKEV1_ATTR_GROUP_CURVE_B, 10, "GROUP_CURVE_B")                                           \
	X(IKEV1_ATTR_LIFE_TYPE, 11, "LIFE_TYPE")                                                   \
	X(IKEV1_ATTR_LIFE_DURATION, 12, "LIFE_DURATION")                                           \
	X(IKEV1_ATTR_PRF, 13, "PRF")                                                               \
	X(IKEV1_ATTR_KEY_LENGTH, 14, "KEY_LENGTH")                                                 \
	X(IKEV1_ATTR_FIELD_SIZE, 15, "FIELD_SIZE")                                                 \
	X(IKEV1_ATTR_GROUP_ORDER, 16, "GROUP_ORDER")

/* Encryption Algorithm values (RFC 2409 Appendix A; AES-CBC RFC 3602 §5.1 / IANA). */
#define IANA_IKEV1_ENCR(X)                                                                         \
	X(IKEV1_ENCR_DES_CBC, 1, "DES_CBC")                                                        \
	X(IKEV1_ENCR_IDEA_CBC, 2, "IDEA_CBC")                                                      \
	X(IKEV1_ENCR_BLOWFISH_CBC, 3, "BLOWFISH_CBC")                                              \
	X(IKEV1_ENCR_RC5_CBC, 4, "RC5_R16_B64_CBC")                                                \
	X(IKEV1_ENCR_3DES_CBC, 5, "3DES_CBC")                                                      \
	X(IKEV1_ENCR_CAST_CBC, 6, "CAST_CBC")                                                      \
	X(IKEV1_ENCR_AES_CBC, 7, "AES_CBC")                                                        \
	X(IKEV1_ENCR_CAMELLIA_CBC, 8, "CAMELLIA_CBC")

/* Hash Algorithm values (RFC 2409 Appendix A; SHA2 per RFC 4868 §4 / IANA). */
#define IANA_IKEV1_HASH(X)                                                                         \
	X(IKEV1_HASH_MD5, 1, "MD5")                                                                \
	X(IKEV1_HASH_SHA1, 2, "SHA")                                                               \
	X(IKEV1_HASH_TIGER, 3, "TIGER")                                                            \
	X(IKEV1_HASH_SHA2_256, 4, "SHA2_256")                                                      \
	X(IKEV1_HASH_SHA2_384, 5, "SHA2_384")                                                      \
	X(IKEV1_HASH_SHA2_512, 6, "SHA2_512")

/* Authentication Method values (RFC 2409 Appendix A; ECDSA RFC 4754 §8; XAUTH and hybrid from
 * draft-ietf-ipsec-isakmp-xauth-06 / draft-ietf-ipsec-isakmp-hybrid-auth-05, IANA private use). */
#define IANA_IKEV1_AUTH(X)                                                                         \
	X(IKEV1_AUTH_PSK, 1, "PRE_SHARED_KEY")                                                     \
	X(IKEV1_AUTH_DSS_SIG, 2, "DSS_SIGNATURES")                                                 \
	X(IKEV1_AUTH_RSA_SIG, 3, "RSA_SIGNATURES")                                                 \
	X(IKEV1_AUTH_RSA_ENC, 4, "RSA_ENCRYPTION")                                                 \
	X(IKEV1_AUTH_RSA_ENC_REV, 5, "RSA_ENCRYPTION_REVISED")                                     \
	X(IKEV1_AUTH_ECDSA_SHA256_P256, 9, "ECDSA_SHA256_P256")                                    \
	X(IKEV1_AUTH_ECDSA_SHA384_P384, 10, "ECDSA_SHA384_P384")                                   \
	X(IKEV1_AUTH_ECDSA_SHA512_P521, 11, "ECDSA_SHA512_P521")                                   \
	X(IKEV1_AUTH_HYBRID_INIT_RSA, 64221, "HYBRID_INIT_RSA")                                    \
	X(IKEV1_AUTH_HYBRID_RESP_RSA, 64222, "HYBRID_RESP_RSA")                                    \
	X(IKEV1_AUTH_HYBRID_INIT_DSS, 64223, "HYBRID_INIT_DSS")                                    \
	X(IKEV1_AUTH_HYBRID_RESP_DSS, 64224, "HYBRID_RESP_DSS")                                    \
	X(IKEV1_AUTH_XAUTH_INIT_PSK, 65001, "XAUTH_INIT_PSK")                                      \
	X(IKEV1_AUTH_XAUTH_RESP_PSK, 65002, "XAUTH_RESP_PSK")                                      \
	X(IKEV1_AUTH_XAUTH_INIT_DSS, 65003, "XAUTH_INIT_DSS")                                      \
	X(IKEV1_AUTH_XAUTH_RESP_DSS, 65004, "XAUTH_RESP_DSS")                                      \
	X(IKEV1_AUTH_XAUTH_INIT_RSA, 65005, "XAUTH_INIT_RSA")                                      \
	X(IKEV1_AUTH_XAUTH_RESP_RSA, 65006, "XAUTH_RESP_RSA")

/* Group Type values (RFC 2409 Appendix A). Group Description values: see IANA_IKEV2_KE. */
#define IANA_IKEV1_GROUP_TYPE(X)                                                                   \
	X(IKEV1_GROUP_TYPE_MODP, 1, "MODP")                                                        \
	X(IKEV1_GROUP_TYPE_ECP, 2, "ECP")                                                          \
	X(IKEV1_GROUP_TYPE_EC2N, 3, "EC2N")

/* Life Type values, shared by phase 1 (RFC 2409 Appendix A) and the IPsec DOI SA Life Type
 * (RFC 2407 §4.5). */
#define IANA_IKEV1_LIFE_TYPE(X)                                                                    \
	X(IKEV1_LIFE_SECONDS, 1, "SECONDS")                                                        \
	X(IKEV1_LIFE_KILOBYTES, 2, "KILOBYTES")

/* ---- IPsec DOI (RFC 2407) ---------------------------------------------------------------- */

/* Protocol IDs (RFC 2407 §4.4.1). */
#define IANA_IPSEC_PROTO(X)                                                                        \
	X(IPSEC_PROTO_ISAKMP, 1, "PROTO_ISAKMP")                                                   \
	X(IPSEC_PROTO_AH, 2, "PROTO_IPSEC_AH")                                                     \
	X(IPSEC_PROTO_ESP, 3, "PROTO_IPSEC_ESP")                                                   \
	X(IPSEC_PROTO_IPCOMP, 4, "PROTO_IPCOMP")

/* ISAKMP transform ID (RFC 2407 §4.4.2). */
#define IANA_IPSEC_ISAKMP_TRANSFORM(X) X(IPSEC_KEY_IKE, 1, "KEY_IKE")

/* AH Transform IDs (RFC 2407 §4.4.3; SHA2 RFC 4868 §4; XCBC RFC 3566 §5; GMAC RFC 4543 §9). */
#define IANA_IPSEC_AH_TRANSFORM(X)                                                                 \
	X(IPSEC_AH_MD5, 2, "AH_MD5")                                                               \
	X(IPSEC_AH_SHA, 3, "AH_SHA")                                                               \
	X(IPSEC_AH_DES, 4, "AH_DES")                                                               \
	X(IPSEC_AH_SHA2_256, 5, "AH_SHA2_256")                                                     \
	X(IPSEC_AH_SHA2_384, 6, "AH_SHA2_384")                                                     \
	X(IPSEC_AH_SHA2_512, 7, "AH_SHA2_512")                                                     \
	X(IPSEC_AH_RIPEMD, 8, "AH_RIPEMD")                                                         \
	X(IPSEC_AH_AES_XCBC_MAC, 9, "AH_AES_XCBC_MAC")                                             \
	X(IPSEC_AH_RSA, 10, "AH_RSA")                                                              \
	X(IPSEC_AH_AES_128_GMAC, 11, "AH_AES_128_GMAC")                                            \
	X(IPSEC_AH_AES_192_GMAC, 12, "AH_AES_192_GMAC")                                            \
	X(IPSEC_AH_AES_256_GMAC, 13, "AH_AES_256_GMAC")

/* ESP Transform IDs (RFC 2407 §4.4.4; AES RFC 3602 §5.1; CTR RFC 3686 §5; CCM RFC 4309 §7;
 * GCM RFC 4106 §9; NULL_AUTH_AES_GMAC RFC 4543 §9 -- note 23 here, 21 in IKEv2). */
#define IANA_IPSEC_ESP_TRANSFORM(X)                                                                \
	X(IPSEC_ESP_DES_IV64, 1, "ESP_DES_IV64")                                                   \
	X(IPSEC_ESP_DES, 2, "ESP_DES")                                                             \
	X(IPSEC_ESP_3DES, 3, "ESP_3DES")                                                           \
	X(IPSEC_ESP_RC5, 4, "ESP_RC5")                                                             \
	X(IPSEC_ESP_IDEA, 5, "ESP_IDEA")                                                           \
	X(IPSEC_ESP_CAST, 6, "ESP_CAST")                                                           \
	X(IPSEC_ESP_BLOWFISH, 7, "ESP_BLOWFISH")                                                   \
	X(IPSEC_ESP_3IDEA, 8, "ESP_3IDEA")                                                         \
	X(IPSEC_ESP_DES_IV32, 9, "ESP_DES_IV32")                                                   \
	X(IPSEC_ESP_RC4, 10, "ESP_RC4")                                                            \
	X(IPSEC_ESP_NULL, 11, "ESP_NULL")                                                          \
	X(IPSEC_ESP_AES, 12, "ESP_AES")                                                            \
	X(IPSEC_ESP_AES_CTR, 13, "ESP_AES_CTR")                                                    \
	X(IPSEC_ESP_AES_CCM_8, 14, "ESP_AES_CCM_8")                                                \
	X(IPSEC_ESP_AES_CCM_12, 15, "ESP_AES_CCM_12")                                              \
	X(IPSEC_ESP_AES_CCM_16, 16, "ESP_AES_CCM_16")                                              \
	X(IPSEC_ESP_AES_GCM_8, 18, "ESP_AES_GCM_8")                                                \
	X(IPSEC_ESP_AES_GCM_12, 19, "ESP_AES_GCM_12")                                              \
	X(IPSEC_ESP_AES_GCM_16, 20, "ESP_AES_GCM_16")                                              \
	X(IPSEC_ESP_SEED_CBC, 21, "ESP_SEED_CBC")                                                  \
	X(IPSEC_ESP_CAMELLIA, 22, "ESP_CAMELLIA")                                                  \
	X(IPSEC_ESP_NULL_AUTH_AES_GMAC, 23, "ESP_NULL_AUTH_AES_GMAC")

/* IPsec DOI SA attribute types (RFC 2407 §4.5; ESN RFC 4304 §2). */
#define IANA_IPSEC_ATTRS(X)                                                                        \
	X(IPSEC_ATTR_LIFE_TYPE, 1, "SA_LIFE_TYPE")                                                 \
	X(IPSEC_ATTR_LIFE_DURATION, 2, "SA_LIFE_DURATION")                                         \
	X(IPSEC_ATTR_GROUP_DESC, 3, "GROUP_DESCRIPTION")                                           \
	X(IPSEC_ATTR_ENCAP_MODE, 4, "ENCAPSULATION_MODE")                                          \
	X(IPSEC_ATTR_AUTH_ALG, 5, "AUTHENTICATION_ALGORITHM")                                      \
	X(IPSEC_ATTR_KEY_LENGTH, 6, "KEY_LENGTH")                                                  \
	X(IPSEC_ATTR_KEY_ROUNDS, 7, "KEY_ROUNDS")                                                  \
	X(IPSEC_ATTR_COMP_DICT_SIZE, 8, "COMPRESS_DICTIONARY_SIZE")                                \
	X(IPSEC_ATTR_COMP_PRIV_ALG, 9, "COMPRESS_PRIVATE_ALGORITHM")                               \
	X(IPSEC_ATTR_ECN_TUNNEL, 10, "ECN_TUNNEL")                                                 \
	X(IPSEC_ATTR_ESN, 11, "EXTENDED_SEQUENCE_NUMBER")

/* Authentication Algorithm attribute values (RFC 2407 §4.5; SHA2 RFC 4868 §4; XCBC RFC 3566
 * §5; GMAC RFC 4543 §9). */
#define IANA_IPSEC_AUTH_ALG(X)                                                                     \
	X(IPSEC_AUTH_HMAC_MD5, 1, "HMAC_MD5")                                                      \
	X(IPSEC_AUTH_HMAC_SHA1, 2, "HMAC_SHA")                                                     \
	X(IPSEC_AUTH_DES_MAC, 3, "DES_MAC")                                                        \
	X(IPSEC_AUTH_KPDK, 4, "KPDK")                                                              \
	X(IPSEC_AUTH_HMAC_SHA2_256, 5, "HMAC_SHA2_256")                                            \
	X(IPSEC_AUTH_HMAC_SHA2_384, 6, "HMAC_SHA2_384")                                            \
	X(IPSEC_AUTH_HMAC_SHA2_512, 7, "HMAC_SHA2_512")                                            \
	X(IPSEC_AUTH_HMAC_RIPEMD, 8, "HMAC_RIPEMD")                                                \
	X(IPSEC_AUTH_AES_XCBC_MAC, 9, "AES_XCBC_MAC")                                              \
	X(IPSEC_AUTH_SIG_RSA, 10, "SIG_RSA")                                                       \
	X(IPSEC_AUTH_AES_128_GMAC, 11, "AES_128_GMAC")                                             \
	X(IPSEC_AUTH_AES_192_GMAC, 12, "AES_192_GMAC")                                             \
	X(IPSEC_AUTH_AES_256_GMAC, 13, "AES_256_GMAC")

/* Encapsulation Mode values (RFC 2407 §4.5; UDP encapsulation RFC 3947 §5.1, with the
 * pre-RFC draft values still sent by old implementations). */
#define IANA_IPSEC_ENCAP(X)                                                                        \
	X(IPSEC_ENCAP_TUNNEL, 1, "TUNNEL")                                                         \
	X(IPSEC_ENCAP_TRANSPORT, 2, "TRANSPORT")                                                   \
	X(IPSEC_ENCAP_UDP_TUNNEL, 3, "UDP_TUNNEL")                                                 \
	X(IPSEC_ENCAP_UDP_TRANSPORT, 4, "UDP_TRANSPORT")                                           \
	X(IPSEC_ENCAP_UDP_TUNNEL_DRAFT, 61443, "UDP_TUNNEL_DRAFT")                                 \
	X(IPSEC_ENCAP_UDP_TRANSPORT_DRAFT, 61444, "UDP_TRANSPORT_DRAFT")

/* ---- enums expanded from the lists ------------------------------------------------------- */

#define IANA_ENUM_ENTRY(name, value, str) name = (value),

enum ikev2_transform_type { IANA_IKEV2_TRANSFORM_TYPES(IANA_ENUM_ENTRY) };
enum ikev2_encr { IANA_IKEV2_ENCR(IANA_ENUM_ENTRY) };
enum ikev2_prf { IANA_IKEV2_PRF(IANA_ENUM_ENTRY) };
enum ikev2_integ { IANA_IKEV2_INTEG(IANA_ENUM_ENTRY) };
enum ikev2_ke { IANA_IKEV2_KE(IANA_ENUM_ENTRY) };
enum ikev2_esn { IANA_IKEV2_ESN(IANA_ENUM_ENTRY) };
enum ikev2_transform_attr { IANA_IKEV2_TRANSFORM_ATTRS(IANA_ENUM_ENTRY) };
enum ikev1_attr { IANA_IKEV1_ATTRS(IANA_ENUM_ENTRY) };
enum ikev1_encr { IANA_IKEV1_ENCR(IANA_ENUM_ENTRY) };
enum ikev1_hash { IANA_IKEV1_HASH(IANA_ENUM_ENTRY) };
enum ikev1_auth { IANA_IKEV1_AUTH(IANA_ENUM_ENTRY) };
enum ikev1_group_type { IANA_IKEV1_GROUP_TYPE(IANA_ENUM_ENTRY) };
enum ikev1_life_type { IANA_IKEV1_LIFE_TYPE(IANA_ENUM_ENTRY) };
enum ipsec_proto { IANA_IPSEC_PROTO(IANA_ENUM_ENTRY) };
enum ipsec_isakmp_transform { IANA_IPSEC_ISAKMP_TRANSFORM(IANA_ENUM_ENTRY) };
enum ipsec_ah_transform { IANA_IPSEC_AH_TRANSFORM(IANA_ENUM_ENTRY) };
enum ipsec_esp_transform { IANA_IPSEC_ESP_TRANSFORM(IANA_ENUM_ENTRY) };
enum ipsec_attr { IANA_IPSEC_ATTRS(IANA_ENUM_ENTRY) };
enum ipsec_auth_alg { IANA_IPSEC_AUTH_ALG(IANA_ENUM_ENTRY) };
enum ipsec_encap { IANA_IPSEC_ENCAP(IANA_ENUM_ENTRY) };

/* ---- name tables for logs ---------------------------------------------------------------- */

/* One value per registry above. */
enum iana_registry {
	IANA_REG_IKEV2_TRANSFORM_TYPE,
	IANA_REG_IKEV2_ENCR,
	IANA_REG_IKEV2_PRF,
	IANA_REG_IKEV2_INTEG,
	IANA_REG_IKEV2_KE,
	IANA_REG_IKEV2_ESN,
	IANA_REG_IKEV2_TRANSFORM_ATTR,
	IANA_REG_IKEV1_ATTR,
	IANA_REG_IKEV1_ENCR,
	IANA_REG_IKEV1_HASH,
	IANA_REG_IKEV1_AUTH,
	IANA_REG_IKEV1_GROUP_TYPE,
	IANA_REG_IKEV1_LIFE_TYPE,
	IANA_REG_IPSEC_PROTO,
	IANA_REG_IPSEC_ISAKMP_TRANSFORM,
	IANA_REG_IPSEC_AH_TRANSFORM,
	IANA_REG_IPSEC_ESP_TRANSFORM,
	IANA_REG_IPSEC_ATTR,
	IANA_REG_IPSEC_AUTH_ALG,
	IANA_REG_IPSEC_ENCAP,
	IANA_REG_COUNT,
};

/* The log name of value in registry reg (a static string), or NULL when the value (or the
 * registry) is unknown. */
const char *iana_name(enum iana_registry reg, unsigned value);

/* Like iana_name, but never NULL: unknown values are written into buf as "UNKNOWN(<value>)"
 * (truncated to size) and buf is returned. buf must be non-NULL with size >= 1. */
const char *iana_str(enum iana_registry reg, unsigned value, char *buf, size_t size);

/* Short name of a registry ("IKEv2 ENCR"), or "?" for an unknown one. */
const char *iana_registry_name(enum iana_registry reg);

/* ---- IKEv1 / IPsec-DOI numbers <-> IKEv2 transform IDs ------------------------------------
 *
 * Rampart's crypto layer names algorithms by IKEv2 transform ID; ISAKMP code maps the
 * attribute values it negotiates with these. Each mapping is one table used in both
 * directions. Returns 0, or ERR_UNSUPPORTED when the value has no counterpart (e.g. ESP
 * SEED_CBC, HMAC-RIPEMD, IKEv2 ChaCha20-Poly1305 in IKEv1 phase 1). */

/* IKEv1 phase-1 Encryption Algorithm (RFC 2409 App. A) <-> IKEv2 ENCR. The key size travels in
 * the Key Length attribute on both sides. */
int iana_ikev1_encr_to_ikev2(uint16_t ikev1_encr, uint16_t *ikev2_encr);
int iana_ikev2_encr_to_ikev1(uint16_t ikev2_encr, uint16_t *ikev1_encr);

/* IPsec DOI ESP Transform ID (RFC 2407 §4.4.4) <-> IKEv2 ENCR: equal numbers for 1..20, but
 * NULL_AUTH_AES_GMAC is 23 in the DOI and 21 in IKEv2, and CAMELLIA is 22 vs 23. */
int iana_ipsec_esp_to_ikev2_encr(uint16_t esp_id, uint16_t *ikev2_encr);
int iana_ikev2_encr_to_ipsec_esp(uint16_t ikev2_encr, uint16_t *esp_id);

/* IPsec DOI Authentication Algorithm attribute (RFC 2407 §4.5, RFC 4868 §4, RFC 3566 §5,
 * RFC 4543 §9) <-> IKEv2 INTEG. */
int iana_ipsec_auth_to_ikev2_integ(uint16_t auth_alg, uint16_t *ikev2_integ);
int iana_ikev2_integ_to_ipsec_auth(uint16_t ikev2_integ, uint16_t *auth_alg);

/* IPsec DOI AH Transform ID (RFC 2407 §4.4.3) <-> IKEv2 INTEG. */
int iana_ipsec_ah_to_ikev2_integ(uint16_t ah_id, uint16_t *ikev2_integ);
int iana_ikev2_integ_to_ipsec_ah(uint16_t ikev2_integ, uint16_t *ah_id);

#endif
