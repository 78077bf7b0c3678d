/* IKEv2 protocol numbers (IANA "Internet Key Exchange Version 2 (IKEv2) Parameters") other than
 * the transform types and algorithm IDs, which live in src/wire/iana.h.
 *
 * Each registry is one X-macro list X(NAME, value) with the defining RFC section; the enum and
 * the name table used in logs are both derived from it, so a number is written exactly once.
 * Name functions return the registry's name, or NULL for a value not listed here (use the *_str
 * variants in log lines: they never return NULL).
 */
#ifndef RAMPART_WIRE_IKEV2_CONST_H
#define RAMPART_WIRE_IKEV2_CONST_H

#include <stdint.h>

/* Exchange types: RFC 7296 §3.1 and later RFCs. */
#define IKEV2_EXCHANGE_LIST(X)                                                                     \
	X(IKE_SA_INIT, 34)	  /* RFC 7296 §1.2 */                                             \
	X(IKE_AUTH, 35)		  /* RFC 7296 §1.2 */                                             \
	X(CREATE_CHILD_SA, 36)	  /* RFC 7296 §1.3 */                                             \
	X(INFORMATIONAL, 37)	  /* RFC 7296 §1.4 */                                             \
	X(IKE_SESSION_RESUME, 38) /* RFC 5723 §4.1 */                                             \
	X(GSA_AUTH, 39)		  /* RFC 9838 (G-IKEv2) */                                         \
	X(GSA_REGISTRATION, 40)	  /* RFC 9838 */                                                   \
	X(GSA_REKEY, 41)	  /* RFC 9838 */                                                   \
	X(GSA_INBAND_REKEY, 42)	  /* RFC 9838 */                                                   \
	X(IKE_INTERMEDIATE, 43)	  /* RFC 9242 §3 */                                               \
	X(IKE_FOLLOWUP_KE, 44)	  /* RFC 9370 §2.2.2 */

enum ikev2_exchange {
#define X(name, val) IKEV2_EXCH_##name = (val),
	IKEV2_EXCHANGE_LIST(X)
#undef X
};

/* Header flags: RFC 7296 §3.1. Bits other than these are reserved (ignored on receipt). */
enum {
	IKEV2_FLAG_INITIATOR = 0x08, /* I: sent by the original initiator of the IKE SA */
	IKEV2_FLAG_VERSION = 0x10,   /* V: sender can speak a higher major version */
	IKEV2_FLAG_RESPONSE = 0x20,  /* R: this message is a response */
};

/* Payload types: RFC 7296 §3.2 and later RFCs. 0 is "no next payload". */
#define IKEV2_PAYLOAD_LIST(X)                                                                      \
	X(SA, 33)      /* RFC 7296 §3.3 Security Association */                                   \
	X(KE, 34)      /* RFC 7296 §3.4 Key Exchange */                                           \
	X(IDi, 35)     /* RFC 7296 §3.5 Identification - Initiator */                             \
	X(IDr, 36)     /* RFC 7296 §3.5 Identification - Responder */                             \
	X(CERT, 37)    /* RFC 7296 §3.6 Certificate */                                            \
	X(CERTREQ, 38) /* RFC 7296 §3.7 Certificate Request */                                    \
	X(AUTH, 39)    /* RFC 7296 §3.8 Authentication */                                         \
	X(Nx, 40)      /* RFC 7296 §3.9 Nonce (Ni, Nr) */                                         \
	X(N, 41)       /* RFC 7296 §3.10 Notify */                                                \
	X(D, 42)       /* RFC 7296 §3.11 Delete */                                                \
	X(V, 43)       /* RFC 7296 §3.12 Vendor ID */                                             \
	X(TSi, 44)     /* RFC 7296 §3.13 Traffic Selector - Initiator */                          \
	X(TSr, 45)     /* RFC 7296 §3.13 Traffic Selector - Responder */                          \
	X(SK, 46)      /* RFC 7296 §3.14 Encrypted and Authenticated */                           \
	X(CP, 47)      /* RFC 7296 §3.15 Configuration */                                         \
	X(EAP, 48)     /* RFC 7296 §3.16 Extensible Authentication */                             \
	X(GSPM, 49)    /* RFC 6467 Generic Secure Password Method */                               \
	X(IDg, 50)     /* RFC 9838 Group Identification */                                         \
	X(GSA, 51)     /* RFC 9838 Group Security Association */                                   \
	X(KD, 52)      /* RFC 9838 Key Download */                                                 \
	X(SKF, 53)     /* RFC 7383 §2.5 Encrypted and Authenticated Fragment */                   \
	X(PS, 54)      /* RFC 8019 §8.2 Puzzle Solution */

enum ikev2_payload_type {
	IKEV2_PT_NONE = 0,
#define X(name, val) IKEV2_PT_##name = (val),
	IKEV2_PAYLOAD_LIST(X)
#undef X
};

/* Notify message types: RFC 7296 §3.10.1. 1..16383 are errors, 16384.. are status types. */
#define IKEV2_NOTIFY_LIST(X)                                                                       \
	X(UNSUPPORTED_CRITICAL_PAYLOAD, 1)	      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_IKE_SPI, 4)			      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_MAJOR_VERSION, 5)		      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_SYNTAX, 7)			      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_MESSAGE_ID, 9)		      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_SPI, 11)			      /* RFC 7296 §3.10.1 */                      \
	X(NO_PROPOSAL_CHOSEN, 14)		      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_KE_PAYLOAD, 17)		      /* RFC 7296 §3.10.1 */                      \
	X(AUTHENTICATION_FAILED, 24)		      /* RFC 7296 §3.10.1 */                      \
	X(SINGLE_PAIR_REQUIRED, 34)		      /* RFC 7296 §3.10.1 */                      \
	X(NO_ADDITIONAL_SAS, 35)		      /* RFC 7296 §3.10.1 */                      \
	X(INTERNAL_ADDRESS_FAILURE, 36)		      /* RFC 7296 §3.10.1 */                      \
	X(FAILED_CP_REQUIRED, 37)		      /* RFC 7296 §3.10.1 */                      \
	X(TS_UNACCEPTABLE, 38)			      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_SELECTORS, 39)		      /* RFC 7296 §3.10.1 */                      \
	X(UNACCEPTABLE_ADDRESSES, 40)		      /* RFC 4555 §4.3 */                         \
	X(UNEXPECTED_NAT_DETECTED, 41)		      /* RFC 4555 §4.3 */                         \
	X(USE_ASSIGNED_HoA, 42)			      /* RFC 5026 */                               \
	X(TEMPORARY_FAILURE, 43)		      /* RFC 7296 §3.10.1 */                      \
	X(CHILD_SA_NOT_FOUND, 44)		      /* RFC 7296 §3.10.1 */                      \
	X(INVALID_GROUP_ID, 45)			      /* RFC 9838 */                               \
	X(AUTHORIZATION_FAILED, 46)		      /* RFC 9838 */                               \
	X(STATE_NOT_FOUND, 47)			      /* RFC 9370 §2.2.2 */                       \
	X(TS_MAX_QUEUE, 48)			      /* RFC 9611 */                               \
	X(REGISTRATION_FAILED, 49)		      /* RFC 9838 */                               \
	X(INITIAL_CONTACT, 16384)		      /* RFC 7296 §3.10.1 */                      \
	X(SET_WINDOW_SIZE, 16385)		      /* RFC 7296 §3.10.1 */                      \
	X(ADDITIONAL_TS_POSSIBLE, 16386)	      /* RFC 7296 §3.10.1 */                      \
	X(IPCOMP_SUPPORTED, 16387)		      /* RFC 7296 §3.10.1 */                      \
	X(NAT_DETECTION_SOURCE_IP, 16388)	      /* RFC 7296 §3.10.1 */                      \
	X(NAT_DETECTION_DESTINATION_IP, 16389)	      /* RFC 7296 §3.10.1 */                      \
	X(COOKIE, 16390)			      /* RFC 7296 §3.10.1 */                      \
	X(USE_TRANSPORT_MODE, 16391)		      /* RFC 7296 §3.10.1 */                      \
	X(HTTP_CERT_LOOKUP_SUPPORTED, 16392)	      /* RFC 7296 §3.10.1 */                      \
	X(REKEY_SA, 16393)			      /* RFC 7296 §3.10.1 */                      \
	X(ESP_TFC_PADDING_NOT_SUPPORTED, 16394)	      /* RFC 7296 §3.10.1 */                      \
	X(NON_FIRST_FRAGMENTS_ALSO, 16395)	      /* RFC 7296 §3.10.1 */                      \
	X(MOBIKE_SUPPORTED, 16396)		      /* RFC 4555 §4.3 */                         \
	X(ADDITIONAL_IP4_ADDRESS, 16397)	      /* RFC 4555 §4.3 */                         \
	X(ADDITIONAL_IP6_ADDRESS, 16398)	      /* RFC 4555 §4.3 */                         \
	X(NO_ADDITIONAL_ADDRESSES, 16399)	      /* RFC 4555 §4.3 */                         \
	X(UPDATE_SA_ADDRESSES, 16400)		      /* RFC 4555 §4.3 */                         \
	X(COOKIE2, 16401)			      /* RFC 4555 §4.3 */                         \
	X(NO_NATS_ALLOWED, 16402)		      /* RFC 4555 §4.3 */                         \
	X(AUTH_LIFETIME, 16403)			      /* RFC 4478 */                               \
	X(MULTIPLE_AUTH_SUPPORTED, 16404)	      /* RFC 4739 §3.1 */                         \
	X(ANOTHER_AUTH_FOLLOWS, 16405)		      /* RFC 4739 §3.2 */                         \
	X(REDIRECT_SUPPORTED, 16406)		      /* RFC 5685 §4 */                           \
	X(REDIRECT, 16407)			      /* RFC 5685 §4 */                           \
	X(REDIRECTED_FROM, 16408)		      /* RFC 5685 §4 */                           \
	X(TICKET_LT_OPAQUE, 16409)		      /* RFC 5723 §7 */                           \
	X(TICKET_REQUEST, 16410)		      /* RFC 5723 §7 */                           \
	X(TICKET_ACK, 16411)			      /* RFC 5723 §7 */                           \
	X(TICKET_NACK, 16412)			      /* RFC 5723 §7 */                           \
	X(TICKET_OPAQUE, 16413)			      /* RFC 5723 §7 */                           \
	X(LINK_ID, 16414)			      /* RFC 5739 */                               \
	X(USE_WESP_MODE, 16415)			      /* RFC 5840 */                               \
	X(ROHC_SUPPORTED, 16416)		      /* RFC 5857 */                               \
	X(EAP_ONLY_AUTHENTICATION, 16417)	      /* RFC 5998 */                               \
	X(CHILDLESS_IKEV2_SUPPORTED, 16418)	      /* RFC 6023 */                               \
	X(QUICK_CRASH_DETECTION, 16419)		      /* RFC 6290 */                               \
	X(IKEV2_MESSAGE_ID_SYNC_SUPPORTED, 16420)     /* RFC 6311 */                               \
	X(IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED, 16421) /* RFC 6311 */                               \
	X(IKEV2_MESSAGE_ID_SYNC, 16422)		      /* RFC 6311 */                               \
	X(IPSEC_REPLAY_COUNTER_SYNC, 16423)	      /* RFC 6311 */                               \
	X(SECURE_PASSWORD_METHODS, 16424)	      /* RFC 6467 */                               \
	X(PSK_PERSIST, 16425)			      /* RFC 6631 */                               \
	X(PSK_CONFIRM, 16426)			      /* RFC 6631 */                               \
	X(ERX_SUPPORTED, 16427)			      /* RFC 6867 */                               \
	X(IFOM_CAPABILITY, 16428)		      /* 3GPP TS 24.303 */                         \
	X(GROUP_SENDER, 16429)			      /* RFC 9838 (was SENDER_REQUEST_ID) */       \
	X(IKEV2_FRAGMENTATION_SUPPORTED, 16430)	      /* RFC 7383 §2.3 */                         \
	X(SIGNATURE_HASH_ALGORITHMS, 16431)	      /* RFC 7427 §4 */                           \
	X(CLONE_IKE_SA_SUPPORTED, 16432)	      /* RFC 7791 */                               \
	X(CLONE_IKE_SA, 16433)			      /* RFC 7791 */                               \
	X(PUZZLE, 16434)			      /* RFC 8019 §8.1 */                         \
	X(USE_PPK, 16435)			      /* RFC 8784 §3 */                           \
	X(PPK_IDENTITY, 16436)			      /* RFC 8784 §3 */                           \
	X(NO_PPK_AUTH, 16437)			      /* RFC 8784 §3 */                           \
	X(INTERMEDIATE_EXCHANGE_SUPPORTED, 16438)     /* RFC 9242 §3 */                           \
	X(IP4_ALLOWED, 16439)			      /* RFC 8983 */                               \
	X(IP6_ALLOWED, 16440)			      /* RFC 8983 */                               \
	X(ADDITIONAL_KEY_EXCHANGE, 16441)	      /* RFC 9370 §2.2.2 */                       \
	X(USE_AGGFRAG, 16442)			      /* RFC 9347 §6.1.4 */                       \
	X(SUPPORTED_AUTH_METHODS, 16443)	      /* RFC 9593 */                               \
	X(SA_RESOURCE_INFO, 16444)		      /* RFC 9611 */                               \
	X(USE_PPK_INT, 16445)			      /* RFC 9867 */                               \
	X(PPK_IDENTITY_KEY, 16446)		      /* RFC 9867 */                               \
	X(IKE_SA_INIT_FULL_TRANSCRIPT_AUTH,                                                        \
	  16447) /* draft-ietf-ipsecme-ikev2-downgrade-prevention */

enum ikev2_notify_type {
#define X(name, val) IKEV2_N_##name = (val),
	IKEV2_NOTIFY_LIST(X)
#undef X
};

/* RFC 7296 §3.10.1: types below this are errors, from it on status types. */
#define IKEV2_NOTIFY_STATUS_MIN 16384

/* Security protocol IDs: RFC 7296 §3.3.1 (proposal), §3.10 (notify), §3.11 (delete). */
#define IKEV2_PROTO_LIST(X)                                                                        \
	X(IKE, 1) /* RFC 7296 §3.3.1 */                                                           \
	X(AH, 2)  /* RFC 7296 §3.3.1 */                                                           \
	X(ESP, 3) /* RFC 7296 §3.3.1 */

enum ikev2_proto {
	IKEV2_PROTO_NONE = 0,
#define X(name, val) IKEV2_PROTO_##name = (val),
	IKEV2_PROTO_LIST(X)
#undef X
};

/* Transform types (IKEV2_TRANS_*) and the Key Length attribute (IKEV2_ATTR_KEY_LENGTH) are in
 * src/wire/iana.h with the algorithm IDs. */

/* Identification types: RFC 7296 §3.5. */
#define IKEV2_ID_LIST(X)                                                                           \
	X(IPV4_ADDR, 1)	   /* RFC 7296 §3.5 */                                                    \
	X(FQDN, 2)	   /* RFC 7296 §3.5 */                                                    \
	X(RFC822_ADDR, 3)  /* RFC 7296 §3.5 */                                                    \
	X(IPV6_ADDR, 5)	   /* RFC 7296 §3.5 */                                                    \
	X(DER_ASN1_DN, 9)  /* RFC 7296 §3.5 */                                                    \
	X(DER_ASN1_GN, 10) /* RFC 7296 §3.5 */                                                    \
	X(KEY_ID, 11)	   /* RFC 7296 §3.5 */                                                    \
	X(FC_NAME, 12)	   /* RFC 4595 */                                                          \
	X(NULL, 13)	   /* RFC 7619 §3.3 */

enum ikev2_id_type {
#define X(name, val) IKEV2_ID_##name = (val),
	IKEV2_ID_LIST(X)
#undef X
};

/* Certificate encodings (CERT and CERTREQ): RFC 7296 §3.6. */
#define IKEV2_CERT_LIST(X)                                                                         \
	X(PKCS7_X509, 1)	    /* RFC 7296 §3.6 PKCS #7 wrapped X.509 certificate */         \
	X(PGP, 2)		    /* RFC 7296 §3.6 */                                           \
	X(DNS_SIGNED_KEY, 3)	    /* RFC 7296 §3.6 */                                           \
	X(X509_SIGNATURE, 4)	    /* RFC 7296 §3.6 X.509 Certificate - Signature */             \
	X(KERBEROS, 6)		    /* RFC 7296 §3.6 */                                           \
	X(CRL, 7)		    /* RFC 7296 §3.6 */                                           \
	X(ARL, 8)		    /* RFC 7296 §3.6 */                                           \
	X(SPKI, 9)		    /* RFC 7296 §3.6 */                                           \
	X(X509_ATTRIBUTE, 10)	    /* RFC 7296 §3.6 */                                           \
	X(RAW_RSA_KEY, 11)	    /* RFC 7296 §3.6 (deprecated by RFC 7670) */                  \
	X(HASH_URL_X509_CERT, 12)   /* RFC 7296 §3.6 */                                           \
	X(HASH_URL_X509_BUNDLE, 13) /* RFC 7296 §3.6 */                                           \
	X(OCSP_CONTENT, 14)	    /* RFC 4806 */                                                 \
	X(RAW_PUBLIC_KEY, 15)	    /* RFC 7670 */

enum ikev2_cert_encoding {
#define X(name, val) IKEV2_CERT_##name = (val),
	IKEV2_CERT_LIST(X)
#undef X
};

/* Authentication methods: RFC 7296 §3.8 and later RFCs. */
#define IKEV2_AUTH_LIST(X)                                                                         \
	X(RSA_SIG, 1)		 /* RFC 7296 §3.8 RSA Digital Signature */                        \
	X(SHARED_KEY_MIC, 2)	 /* RFC 7296 §3.8 Shared Key Message Integrity Code */            \
	X(DSS_SIG, 3)		 /* RFC 7296 §3.8 DSS Digital Signature */                        \
	X(ECDSA_SHA256_P256, 9)	 /* RFC 4754 */                                                    \
	X(ECDSA_SHA384_P384, 10) /* RFC 4754 */                                                    \
	X(ECDSA_SHA512_P521, 11) /* RFC 4754 */                                                    \
	X(GSPAM, 12)		 /* RFC 6467 Generic Secure Password Authentication Method */      \
	X(NULL, 13)		 /* RFC 7619 */                                                    \
	X(DIGITAL_SIGNATURE, 14) /* RFC 7427 §3 */

enum ikev2_auth_method {
#define X(name, val) IKEV2_AUTH_##name = (val),
	IKEV2_AUTH_LIST(X)
#undef X
};

/* Traffic selector types: RFC 7296 §3.13.1 and later RFCs. */
#define IKEV2_TS_LIST(X)                                                                           \
	X(IPV4_ADDR_RANGE, 7) /* RFC 7296 §3.13.1 */                                              \
	X(IPV6_ADDR_RANGE, 8) /* RFC 7296 §3.13.1 */                                              \
	X(FC_ADDR_RANGE, 9)   /* RFC 4595 */                                                       \
	X(SECLABEL, 10)	      /* RFC 9478 */

enum ikev2_ts_type {
#define X(name, val) IKEV2_TS_##name = (val),
	IKEV2_TS_LIST(X)
#undef X
};

/* Configuration payload types: RFC 7296 §3.15. */
#define IKEV2_CFG_TYPE_LIST(X)                                                                     \
	X(REQUEST, 1) /* RFC 7296 §3.15 */                                                        \
	X(REPLY, 2)   /* RFC 7296 §3.15 */                                                        \
	X(SET, 3)     /* RFC 7296 §3.15 */                                                        \
	X(ACK, 4)     /* RFC 7296 §3.15 */

enum ikev2_cfg_type {
#define X(name, val) IKEV2_CFG_##name = (val),
	IKEV2_CFG_TYPE_LIST(X)
#undef X
};

/* Configuration attribute types: RFC 7296 §3.15.1 and later RFCs. */
#define IKEV2_CFG_ATTR_LIST(X)                                                                     \
	X(INTERNAL_IP4_ADDRESS, 1)		 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP4_NETMASK, 2)		 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP4_DNS, 3)			 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP4_NBNS, 4)			 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP4_DHCP, 6)			 /* RFC 7296 §3.15.1 */                           \
	X(APPLICATION_VERSION, 7)		 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP6_ADDRESS, 8)		 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP6_DNS, 10)			 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP6_DHCP, 12)		 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP4_SUBNET, 13)		 /* RFC 7296 §3.15.1 */                           \
	X(SUPPORTED_ATTRIBUTES, 14)		 /* RFC 7296 §3.15.1 */                           \
	X(INTERNAL_IP6_SUBNET, 15)		 /* RFC 7296 §3.15.1 */                           \
	X(MIP6_HOME_PREFIX, 16)			 /* RFC 5026 */                                    \
	X(INTERNAL_IP6_LINK, 17)		 /* RFC 5739 */                                    \
	X(INTERNAL_IP6_PREFIX, 18)		 /* RFC 5739 */                                    \
	X(HOME_AGENT_ADDRESS, 19)		 /* RFC 5026 */                                    \
	X(P_CSCF_IP4_ADDRESS, 20)		 /* RFC 7651 */                                    \
	X(P_CSCF_IP6_ADDRESS, 21)		 /* RFC 7651 */                                    \
	X(FTT_KAT, 22)				 /* RFC 8311 */                                    \
	X(EXTERNAL_SOURCE_IP4_NAT_INFO, 23)	 /* 3GPP TS 24.502 */                              \
	X(TIMEOUT_PERIOD_FOR_LIVENESS_CHECK, 24) /* 3GPP TS 24.502 */                              \
	X(INTERNAL_DNS_DOMAIN, 25)		 /* RFC 8598 */                                    \
	X(INTERNAL_DNSSEC_TA, 26)		 /* RFC 8598 */                                    \
	X(ENCDNS_IP4, 27)			 /* RFC 9464 */                                    \
	X(ENCDNS_IP6, 28)			 /* RFC 9464 */                                    \
	X(ENCDNS_DIGEST_INFO, 29)		 /* RFC 9464 */

enum ikev2_cfg_attr_type {
#define X(name, val) IKEV2_CFG_ATTR_##name = (val),
	IKEV2_CFG_ATTR_LIST(X)
#undef X
};

/* EAP codes carried in the EAP payload: RFC 3748 §4, RFC 7296 §3.16. */
#define IKEV2_EAP_CODE_LIST(X)                                                                     \
	X(REQUEST, 1)  /* RFC 3748 §4.1 */                                                        \
	X(RESPONSE, 2) /* RFC 3748 §4.1 */                                                        \
	X(SUCCESS, 3)  /* RFC 3748 §4.2 */                                                        \
	X(FAILURE, 4)  /* RFC 3748 §4.2 */

enum ikev2_eap_code {
#define X(name, val) IKEV2_EAP_##name = (val),
	IKEV2_EAP_CODE_LIST(X)
#undef X
};

/* Names for logs: the registry name, or NULL when the value is not listed. */
const char *ikev2_exchange_name(unsigned v);
const char *ikev2_payload_name(unsigned v);
const char *ikev2_notify_name(unsigned v);
const char *ikev2_proto_name(unsigned v);
const char *ikev2_id_name(unsigned v);
const char *ikev2_cert_name(unsigned v);
const char *ikev2_auth_name(unsigned v);
const char *ikev2_ts_name(unsigned v);
const char *ikev2_cfg_type_name(unsigned v);
const char *ikev2_cfg_attr_name(unsigned v);
const char *ikev2_eap_code_name(unsigned v);

/* As above but never NULL ("?" for unlisted values): for log lines. */
const char *ikev2_payload_str(unsigned v);
const char *ikev2_exchange_str(unsigned v);
const char *ikev2_notify_str(unsigned v);

/* RFC 7296 §3.10.1: error types are 1..16383. */
int ikev2_notify_is_error(unsigned v);

#endif
