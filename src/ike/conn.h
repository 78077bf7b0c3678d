/* The IKE engine's configuration: what one swanctl.conf connection means to the engine
 * (struct conn, with its auth rounds and children) and the secrets it may use (struct
 * conn_secrets: IKE pre-shared keys by identity, private keys).
 *
 * The structs are plain data the caller fills (the daemon maps swanctl.conf onto them with
 * strongSwan's defaults; tests fill them by hand). conn_new returns a connection with
 * strongSwan's defaults already set, so a caller only overrides what the configuration names.
 *
 * Ownership: a conn owns everything it points to (children, certificates: x509_dup'ed or
 * loaded references). A conn is reference-counted because the engine's IKE SAs keep using the
 * connection they were set up with after a configuration reload: conn_ref takes a reference,
 * conn_free drops one and frees on the last. Conns must not be modified after they are given
 * to the engine (ike_engine_set_config).
 *
 * Times are in seconds, 0 meaning "disabled" (as in swanctl.conf). Byte and packet limits
 * are 0 for "no limit".
 */
#ifndef RAMPART_IKE_CONN_H
#define RAMPART_IKE_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"
#include "lib/addr.h"
#include "lib/secret.h"
#include "lib/ts.h"

struct x509;
struct pkey;

#define CONN_NAME_MAX	    64	/* connection and child names, NUL included */
#define CONN_ID_MAX	    512 /* identification data octets (an ID payload's data) */
#define CONN_MAX_ADDRS	    8	/* local_addrs / remote_addrs entries */
#define CONN_MAX_ROUNDS	    2	/* local / remote authentication rounds (RFC 4739) */
#define CONN_MAX_CERTS	    8	/* certificates of one round (end entity + intermediates) */
#define CONN_MAX_CACERTS    8	/* trust anchors of one remote round */
#define CONN_MAX_CHILDREN   16	/* children of one connection */
#define CONN_MAX_PSK_OWNERS 8	/* identities one IKE secret belongs to */

/* IKE version: swanctl.conf "version" (0 = any). The engine implements 2. */
enum conn_version {
	CONN_VERSION_ANY = 0,
	CONN_VERSION_1 = 1,
	CONN_VERSION_2 = 2,
};

/* An identity as it travels in an ID payload (RFC 7296 §3.5): ID Type (IKEV2_ID_*) and data
 * (addresses as 4 / 16 raw octets, FQDN and RFC822 as text without NUL, DER_ASN1_DN as DER,
 * KEY_ID raw). type 0 is "%any": matches every peer identity (remote rounds only). */
struct conn_id {
	uint8_t type;
	size_t len;
	uint8_t data[CONN_ID_MAX];
};

/* auth = psk | pubkey (swanctl.conf local/remote "auth"). */
enum conn_auth_method {
	CONN_AUTH_PSK = 1,
	CONN_AUTH_PUBKEY = 2,
};

/* One authentication round (local-N or remote-N section).
 *   local:  id to send; certs[0] is the end-entity certificate sent in CERT (its private key
 *           comes from conn_secrets), certs[1..] intermediates sent after it.
 *   remote: id the peer must prove (type 0: any); certs are pinned peer certificates (the
 *           peer's end-entity certificate must be one of them when ncerts > 0); cacerts are the
 *           trust anchors the peer's chain must verify against (none: the engine's global CAs
 *           in conn_secrets). */
struct conn_auth {
	enum conn_auth_method method;
	struct conn_id id;
	size_t ncerts;
	struct x509 *certs[CONN_MAX_CERTS];
	size_t ncacerts;
	struct x509 *cacerts[CONN_MAX_CACERTS];
};

/* Child mode (swanctl.conf children.<name>.mode). */
enum conn_mode {
	CONN_MODE_TUNNEL = 0,
	CONN_MODE_TRANSPORT = 1,
};

/* start_action / dpd_action / close_action (swanctl.conf). Bits: start_action may be
 * "trap|start" (CONN_ACTION_TRAP | CONN_ACTION_START); test with &. */
enum conn_action {
	CONN_ACTION_NONE = 0, /* "none" / dpd "clear" */
	CONN_ACTION_TRAP = 1,
	CONN_ACTION_START = 2, /* start_action "start"; dpd/close "restart" */
};

#define CONN_UPDOWN_MAX 512	    /* updown command line, NUL included */
#define CONN_TFC_MTU	0xffffffffu /* tfc_padding = mtu */

/* One child (children.<name> section). A selector whose type is 0 is "dynamic" (lib/ts.h):
 * the engine replaces its addresses with the IKE SA's outer address of that side. The
 * default for both lists is one dynamic selector. The child protects with ESP when
 * nesp > 0, else with AH (nah > 0); at least one of them must be set. */
struct conn_child {
	char name[CONN_NAME_MAX];
	struct ts_list local_ts, remote_ts;
	enum conn_mode mode;
	size_t nesp;
	struct alg_proposal esp[ALG_MAX_PROPOSALS];
	size_t nah;
	struct alg_proposal ah[ALG_MAX_PROPOSALS];
	uint32_t rekey_time, life_time, rand_time; /* seconds; life 0: rekey_time * 1.1 */
	uint64_t rekey_bytes, life_bytes, rand_bytes;
	uint64_t rekey_packets, life_packets, rand_packets;
	enum conn_action start_action, dpd_action, close_action;
	uint32_t replay_window; /* packets; strongSwan's default 32 */
	uint32_t reqid;		/* 0: the engine assigns one */
	bool ipcomp;		/* not negotiated by the engine yet: must be false */
	/* updown: a shell command line run when a Child SA of this child comes up or goes
	 * down (strongSwan's _updown plugin); empty: none */
	char updown[CONN_UPDOWN_MAX];
	/* tfc_padding (RFC 4303 §2.7): 0 none, CONN_TFC_MTU, else the minimum ESP packet size */
	uint32_t tfc_padding;
};

/* fragmentation = no | yes | accept | force (RFC 7383). */
enum conn_frag {
	CONN_FRAG_NO = 0,
	CONN_FRAG_YES = 1,
	CONN_FRAG_ACCEPT = 2,
	CONN_FRAG_FORCE = 3,
};

/* unique = no | never | replace | keep. INITIAL_CONTACT is sent unless "never". */
enum conn_unique {
	CONN_UNIQUE_NO = 0,
	CONN_UNIQUE_NEVER = 1,
	CONN_UNIQUE_REPLACE = 2,
	CONN_UNIQUE_KEEP = 3,
};

/* send_cert = ifasked | always | never. */
enum conn_send_cert {
	CONN_SEND_CERT_IFASKED = 0,
	CONN_SEND_CERT_ALWAYS = 1,
	CONN_SEND_CERT_NEVER = 2,
};

/* childless = allow | force | never (RFC 6023; swanctl.conf). allow: accept childless IKE SAs
 * as responder, initiate with the first child in IKE_AUTH unless none is asked for; force:
 * always initiate childless, every child by CREATE_CHILD_SA; never: no childless IKE SA as
 * responder (the notify is not sent either). */
enum conn_childless {
	CONN_CHILDLESS_ALLOW = 0,
	CONN_CHILDLESS_FORCE = 1,
	CONN_CHILDLESS_NEVER = 2,
};

struct conn {
	unsigned refs; /* managed by conn_ref / conn_free */
	char name[CONN_NAME_MAX];
	enum conn_version version;
	/* Addresses: nlocal == 0 means %any (the engine answers on whatever address a request
	 * arrived at; it cannot initiate without a local address: the daemon fills the route's
	 * source). nremote == 0 means %any (responder only). The first remote address is the one
	 * the engine initiates to. */
	size_t nlocal_addrs;
	struct addr local_addrs[CONN_MAX_ADDRS];
	size_t nremote_addrs;
	struct addr remote_addrs[CONN_MAX_ADDRS];
	uint16_t local_port, remote_port; /* default 500 */
	size_t nproposals;		  /* IKE proposals, preference order */
	struct alg_proposal proposals[ALG_MAX_PROPOSALS];
	size_t nlocal_auth, nremote_auth; /* rounds used, 1..CONN_MAX_ROUNDS */
	struct conn_auth local_auth[CONN_MAX_ROUNDS];
	struct conn_auth remote_auth[CONN_MAX_ROUNDS];
	size_t nchildren;
	struct conn_child *children[CONN_MAX_CHILDREN];
	uint32_t dpd_delay, dpd_timeout; /* seconds; 0 disables DPD */
	uint32_t rekey_time;		 /* IKE SA rekey, default 4 h */
	uint32_t reauth_time;		 /* default 0 (off) */
	uint32_t over_time;		 /* default 10 % of the larger of rekey/reauth */
	uint32_t rand_time;		 /* default over_time */
	bool encap;			 /* force UDP encapsulation (fake NAT-D) */
	bool mobike;			 /* default yes */
	enum conn_frag fragmentation;	 /* default yes */
	enum conn_unique unique;	 /* default no */
	enum conn_send_cert send_cert;	 /* default ifasked */
	bool send_certreq;		 /* default yes */
	uint32_t keyingtries;		 /* default 1; 0 = forever */
	enum conn_childless childless;	 /* default allow */
};

/* A connection with strongSwan's defaults (version any, ports 500, IKE proposals "default",
 * one local and one remote round with auth pubkey and id type 0 (the engine then uses the
 * local address as identity, as strongSwan does), rekey_time 14400, over_time 1440, mobike
 * yes, fragmentation yes, send_certreq yes, keyingtries 1) and no children. name is copied
 * (truncated to CONN_NAME_MAX - 1). One reference; NULL on ENOMEM. */
struct conn *conn_new(const char *name);
/* Adds a child with strongSwan's defaults (local_ts and remote_ts dynamic, tunnel mode, ESP
 * proposals "default", rekey_time 3600, life_time 3960, rand_time 360, replay_window 32,
 * start/dpd/close_action none). *out points into the conn (owned by it). ERR_LIMIT when the
 * connection has CONN_MAX_CHILDREN, ERR_NOMEM. */
int conn_child_add(struct conn *c, const char *name, struct conn_child **out);
/* Takes a reference; returns c. */
struct conn *conn_ref(struct conn *c);
/* Drops a reference; the last one frees children and certificate references. Accepts NULL. */
void conn_free(struct conn *c);

/* The child named name, or NULL. */
struct conn_child *conn_child_find(const struct conn *c, const char *name);

/* Identities: parse strongSwan's textual form into an ID, as swanctl.conf local/remote id:
 * "%any" (type 0), an IPv4/IPv6 address, "@fqdn" or a plain name (FQDN), "user@host"
 * (RFC822), a DN ("C=CH, O=strongSwan, CN=moon"), "@#hex" (KEY_ID). ERR_INVAL with a reason
 * in err when malformed. */
int conn_id_parse(const char *s, struct conn_id *out, char *err, size_t errlen);
/* Text form for logs and list-sas: "moon.strongswan.org", "192.0.2.1", the DN text, "%any". */
const char *conn_id_str(const struct conn_id *id, char *buf, size_t len);
/* Whether a received identity (type, data) is what pattern asks for: pattern type 0 matches
 * everything, otherwise type and data must be equal (FQDN/RFC822 compared ASCII
 * case-insensitively, DNs with dn_equal). */
bool conn_id_match(const struct conn_id *pattern, uint8_t type, const uint8_t *data, size_t len);
/* An ID from an address (the default identity of a round with id type 0). */
int conn_id_from_addr(struct conn_id *out, const struct addr *a);

/* ---- secrets ---------------------------------------------------------------------------- */

/* One IKE pre-shared key (swanctl.conf secrets.ike<suffix>): the key and the identities it
 * belongs to (none: any identity, the weakest match). */
struct conn_psk {
	struct secret *key;
	size_t nowners;
	struct conn_id owners[CONN_MAX_PSK_OWNERS];
};

/* Everything secret the engine may use, owned here: PSKs, private keys (each used for the
 * local certificate whose public key it matches), and the global trust anchors used by
 * remote rounds without cacerts. */
struct conn_secrets {
	size_t npsk, psk_cap;
	struct conn_psk *psk;
	size_t nkeys, keys_cap;
	struct pkey **keys;
	size_t ncas, cas_cap;
	struct x509 **cas;
};

struct conn_secrets *conn_secrets_new(void); /* NULL on ENOMEM */
/* Wipes and frees everything it holds. Accepts NULL. */
void conn_secrets_free(struct conn_secrets *s);
/* Adds a PSK (the key is copied) for owners[0..nowners). ERR_LIMIT, ERR_NOMEM, ERR_INVAL for
 * an empty key. */
int conn_secrets_add_psk(struct conn_secrets *s, const void *key, size_t len,
			 const struct conn_id *owners, size_t nowners);
/* Adds a private key (the secrets take ownership of k on success) / a trust anchor (a new
 * reference is taken). */
int conn_secrets_add_key(struct conn_secrets *s, struct pkey *k);
int conn_secrets_add_ca(struct conn_secrets *s, const struct x509 *ca);

/* The PSK for an IKE SA between identities local and remote, as strongSwan's
 * get_shared(IKE, me, other) picks it: a key owned by both identities beats one owned by
 * either, which beats one without owners; among equals the first added wins. Returns the
 * key (borrowed: valid until the secrets are freed) or NULL. */
const struct secret *conn_secrets_find_psk(const struct conn_secrets *s,
					   const struct conn_id *local,
					   const struct conn_id *remote);
/* The private key whose public half equals pub's, or NULL (borrowed). */
struct pkey *conn_secrets_find_key(const struct conn_secrets *s, const struct pkey *pub);

#endif
