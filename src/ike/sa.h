/* The IKE SA and its Child SAs: state (changed by one function that checks the transition and
 * logs old -> new), keys, message-ID windows (size 1), the request being retransmitted and the
 * cached last response.
 *
 * An SA is owned by the engine's table (engine.h); ike_sa_free unlinks nothing (the caller
 * unlinks first). Secrets (nonces are not secret; keys are) are wiped on free.
 */
#ifndef RAMPART_IKE_SA_H
#define RAMPART_IKE_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "crypto/enc.h"
#include "crypto/kdf.h"
#include "ike/conn.h"
#include "ike/ike.h"
#include "ike/proposal.h"
#include "wire/ikev2_msg.h"

struct ike_engine;
struct integ;
struct kex;

enum ike_state {
	IKE_ST_NEW = 0,	    /* created, nothing sent */
	IKE_ST_INIT_SENT,   /* initiator: IKE_SA_INIT request sent */
	IKE_ST_INIT_DONE,   /* responder: IKE_SA_INIT answered (half-open) */
	IKE_ST_AUTH_SENT,   /* initiator: IKE_AUTH request sent */
	IKE_ST_ESTABLISHED, /* authenticated both ways */
	IKE_ST_DELETING,    /* Delete sent, waiting for the answer */
	IKE_ST_REKEYED,	    /* replaced by a new IKE SA (v2/rekey_ike.c); waits for the Delete */
	IKE_ST_DEAD,	    /* to be freed */
};

/* vici state name ("CONNECTING", "ESTABLISHED", "DELETING"). */
const char *ike_state_vici(enum ike_state s);
const char *ike_state_name(enum ike_state s);

#define IKE_NONCE_LEN	 32
#define IKE_MAX_CHILDREN IKE_LIST_MAX_CHILDREN
#define IKE_COOKIE_MAX	 64
#define IKE_MAX_FRAGS	 16   /* RFC 7383 fragments per message, sent or reassembled */
#define IKE_FRAG_SIZE	 1280 /* largest IP datagram of a fragment (strongSwan fragment_size) */

/* One message as the datagrams that carry it (one, or its fragments), borrowed. */
struct ike_dgrams {
	size_t n;
	const uint8_t *p[IKE_MAX_FRAGS];
	size_t len[IKE_MAX_FRAGS];
};

enum ike_child_state {
	IKE_CHILD_CREATED = 0,
	IKE_CHILD_INSTALLED,
	IKE_CHILD_DELETED,
};

struct ike_ts; /* a selector list stored at its size (sa.c) */

struct ike_child {
	uint32_t id, reqid;
	enum ike_child_state state;
	const struct conn_child *cfg; /* owned by the IKE SA's conn */
	uint8_t proto;
	enum conn_mode mode;
	uint32_t spi_in, spi_out;
	struct prop_choice alg;
	/* selectors at their size (our end, the peer's): ike_child_set_ts / ike_child_ts */
	struct ike_ts *lts, *rts;
	uint8_t del; /* INFO_DEL_* (v2/informational.h): a delete of ours queued or sent */
	/* CREATE_CHILD_SA (v2/create_child_sa.c) */
	uint64_t rekey_at_ms; /* 0: not armed yet */
	bool rekeyed;	      /* replaced by a new Child SA; waits for its Delete */
	/* actions (ike/action.c): created by rekeying another Child SA (no updown "up") */
	bool from_rekey;
	bool peer_no_tfc; /* the peer sent ESP_TFC_PADDING_NOT_SUPPORTED */
	/* Responder of a Child SA rekey (v2/create_child_sa.c, ike/child.c): the outbound SA is
	 * installed only once the initiator's Delete of the replaced SA arrives (or at
	 * out_due_ms), so that nothing is sent with SPIs the initiator has not installed yet
	 * (strongSwan's delayed outbound install); its keys wait here. */
	bool out_pending;
	uint32_t replaces; /* id of the Child SA this one replaces */
	uint64_t out_due_ms;
	struct secret *out_ek, *out_ik;
	/* hard lifetime (ike/expire.c) */
	uint64_t expire_at_ms; /* life_time: deleted at (0: not armed yet, UINT64_MAX: never) */
	bool expired;	       /* out of the data plane at its life_time; its Delete pending */
	uint64_t installed_ms; /* when its expiry was armed, i.e. installed (list-sas) */
};

/* What only the handshake (IKE_SA_INIT to IKE_AUTH) needs, allocated with the SA and freed
 * with SK_pi/SK_pr when it is established (eng_settle): an established SA keeps only what it
 * uses (issue 4: 100,000 SAs at <= 4 KiB each). Never touch sa->hs of an established SA. */
struct ike_hs {
	struct kex *kex;		/* our key pair */
	uint8_t cookie[IKE_COOKIE_MAX]; /* initiator: the COOKIE to echo */
	size_t cookie_len;
	unsigned init_retries;	       /* COOKIE / INVALID_KE retries */
	uint8_t *init_req, *init_resp; /* IKE_SA_INIT messages, for AUTH (§2.15) */
	size_t init_req_len, init_resp_len;
	struct ts_list pending_tsi, pending_tsr; /* initiator: selectors proposed */
};

/* RFC 7383 reassembly state (allocated with the first fragment, freed with the message). */
struct ike_frag_rx {
	bool active;
	uint32_t msgid;
	uint16_t total, nrecv;
	uint8_t first_inner;
	size_t bytes;
	uint8_t *part[IKE_MAX_FRAGS];
	size_t len[IKE_MAX_FRAGS];
};

struct ike_sa {
	struct ike_sa *next, *prev; /* engine table */
	/* engine table (engine.c): hash chains, keys filed under, heap slot, settle list */
	struct ike_sa *h_spi_next, *h_init_next, *h_id_next, *dirty_next;
	bool linked, dirty, filed_spi, filed_init;
	uint16_t f_init_port;
	uint8_t f_spi[8], f_init_spi[8];
	struct addr f_init_addr;
	size_t heap_idx; /* SIZE_MAX: not in the heap */
	uint64_t due;	 /* deadline the heap holds */
	uint32_t id;
	struct conn *conn; /* a reference */
	bool initiator;
	enum ike_state state;
	uint8_t spi_i[8], spi_r[8];
	struct ike_path path;
	uint64_t created_ms, established_ms;
	/* IKE_SA_INIT */
	struct prop_choice alg;
	uint16_t ke_group; /* group of our KE (may differ from a proposal's first on retry) */
	struct ike_hs *hs; /* handshake state; NULL once established */
	/* the nonces of the exchange that created the SA (KEYMAT of the IKE_AUTH child, §2.8.2
	 * collisions of IKE rekeys) */
	uint8_t ni[IKEV2_NONCE_MAX], nr[IKEV2_NONCE_MAX];
	size_t ni_len, nr_len;
	bool nat_local, nat_remote, peer_frag;
	bool peer_sighash; /* SIGNATURE_HASH_ALGORITHMS received (RFC 7427) */
	bool peer_certreq; /* CERTREQ received */
	/* keys */
	struct kdf_ikev2_sa_keys keys;
	struct enc_info enc_info;
	size_t integ_icv_len;
	bool keyed; /* SK_* derived; SK contexts are keyed per message from them (sk.c) */
	/* identities */
	struct conn_id local_id, remote_id;
	/* message IDs: window size 1 both ways */
	uint32_t next_req_id;  /* our next request */
	uint32_t next_peer_id; /* the peer's next request */
	/* our request in flight: req_len octets holding nreq_parts datagrams back to back */
	uint8_t *req;
	size_t req_len;
	size_t nreq_parts;
	uint16_t req_parts[IKE_MAX_FRAGS]; /* datagram lengths (each <= IKE_MAX_MSG) */
	uint32_t req_msgid;
	uint8_t req_exchange;
	unsigned tries;
	unsigned attempt;		   /* keyingtries: 1 for the first attempt */
	bool gave_up;			   /* no answer after the last retransmission */
	uint64_t req_sent_ms, deadline_ms; /* UINT64_MAX: no timer */
	/* our last response (re-sent for a retransmitted request) */
	uint8_t *resp;
	size_t resp_len;
	size_t nresp_parts;
	uint16_t resp_parts[IKE_MAX_FRAGS];
	/* RFC 7383 reassembly of the message being received in fragments; NULL when none */
	struct ike_frag_rx *frag;
	uint32_t resp_msgid;
	bool have_resp;
	/* children */
	const struct conn_child *want_child; /* initiator: child to set up with IKE_AUTH */
	uint32_t pending_spi;		     /* initiator: our SPI offered in SAi2 */
	bool pending_transport;		     /* initiator: USE_TRANSPORT_MODE sent */
	/* children[0..nchildren) are heap objects owned by the SA (ike_sa_child_add/_remove) */
	size_t nchildren;
	struct ike_child *children[IKE_MAX_CHILDREN];
	/* INFORMATIONAL (v2/informational.c) */
	uint64_t last_rx_ms; /* last authenticated message from the peer (DPD) */
	bool delete_pending; /* a Delete of this IKE SA waits for the window */
	/* CREATE_CHILD_SA in flight (v2/create_child_sa.c) */
	struct {
		bool active;
		struct ike_child *old; /* the Child SA being rekeyed (one of children) */
		uint32_t spi;	       /* our new inbound SPI */
		uint8_t ni[IKE_NONCE_LEN];
		struct kex *kex; /* PFS: our key pair, or NULL */
		/* §2.8.1: the peer rekeyed the same Child SA meanwhile; we answered it */
		bool coll;
		struct ike_child *coll_child; /* the Child SA its exchange created */
		uint8_t coll_ni[IKEV2_NONCE_MAX], coll_nr[IKE_NONCE_LEN];
		size_t coll_ni_len;
	} ccs;
	/* IKE SA rekey (v2/rekey_ike.c) */
	struct {
		bool active;	    /* our CREATE_CHILD_SA rekeying this IKE SA is in flight */
		bool replaced;	    /* superseded by a new IKE SA: its end is no IKE_EV_IKE_DOWN */
		uint8_t tries;	    /* INVALID_KE_PAYLOAD retries of the rekey in flight */
		uint16_t group;	    /* KE group for our next rekey (0: the SA's own) */
		struct ike_sa *nsa; /* while active: the new SA (not linked), owned here */
		uint32_t coll_id;   /* §2.8.2: the SA we created answering the peer's rekey of this
				     * one while ours was in flight (children not moved yet) */
		uint64_t at_ms;	    /* rekey_time deadline (0: not armed) */
		uint64_t expire_ms; /* REKEYED: freed at this time if no Delete came */
	} rk;
	/* NAT traversal after IKE_SA_INIT (ike/nat.c) */
	bool nat_fake;	     /* encap = yes: NAT-D faked, no real NAT */
	uint64_t ka_next_ms; /* next NAT keepalive, 0 = not armed */
	/* ---- extra Child SAs, childless, hard expiry, reauthentication (ike-children) ---- */
	bool peer_childless; /* CHILDLESS_IKEV2_SUPPORTED received (RFC 6023) */
	uint32_t cn_want;    /* bit i: conn->children[i] to create with CREATE_CHILD_SA */
	struct {	     /* our CREATE_CHILD_SA for a new Child SA (v2/child_new.c) */
		bool active;
		uint8_t cfg;	   /* index in conn->children */
		uint8_t retries;   /* INVALID_KE_PAYLOAD retries */
		uint16_t ke_group; /* the group asked for by INVALID_KE_PAYLOAD (0: none) */
		uint8_t ni[IKE_NONCE_LEN];
		struct kex *kex; /* PFS: our key pair, or NULL */
	} cn;
	uint64_t hard_at_ms; /* over_time: the IKE SA is deleted at (0: not armed, ike/expire.c) */
	uint64_t reauth_at_ms; /* reauth_time: reauthentication due (0: not armed, v2/reauth.c) */
	uint32_t reauth_of;    /* id of the IKE SA this one replaces (0: none) */
	uint32_t reauth_by;    /* id of the IKE SA replacing this one (0: none) */
	/* MOBIKE (RFC 4555, v2/mobike.c) */
	struct ike_mobike *mob; /* state once both ends sent MOBIKE_SUPPORTED, else NULL */
};

/* A new SA (not linked) for conn (a reference is taken), with a new unique id. NULL on
 * ENOMEM. */
struct ike_sa *ike_sa_new(struct ike_engine *e, struct conn *conn, bool initiator,
			  const struct ike_path *path, uint64_t now_ms);
void ike_sa_free(struct ike_sa *sa);
/* Drops the handshake state (sa->hs, SK_pi, SK_pr) of an established SA. */
void ike_sa_handshake_done(struct ike_sa *sa);

/* The one function changing an SA's state: checks the transition is legal (ERR_BADSTATE
 * otherwise, state unchanged) and logs old -> new. */
int ike_sa_set_state(struct ike_engine *e, struct ike_sa *sa, enum ike_state to);

/* Derives SKEYSEED and SK_* from the shared secret (RFC 7296 §2.14); the SK payload's cipher
 * and MAC are keyed from them for each message (sk.c), not held per SA. */
int ike_sa_derive_keys(struct ike_sa *sa, const struct secret *g_ir);
/* The same for an IKE SA created by rekeying old (§2.18): SKEYSEED = prf(SK_d (old), g^ir (new)
 * | Ni | Nr) with old's PRF; sa's nonces are the rekey exchange's, its SPIs the new ones. */
int ike_sa_derive_keys_rekey(struct ike_sa *sa, const struct ike_sa *old,
			     const struct secret *g_ir);

/* Records msg as our request in flight (copied) with its message ID, sends it and arms the
 * retransmission timer. */
int ike_sa_send_request(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms,
			const uint8_t *msg, size_t len, uint32_t msgid, uint8_t exchange);
/* The same for a message carried by several datagrams (fragments). */
int ike_sa_send_request_v(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms,
			  const struct ike_dgrams *d, uint32_t msgid, uint8_t exchange);
int ike_sa_send_response_v(struct ike_engine *e, struct ike_sa *sa, const struct ike_dgrams *d,
			   uint32_t msgid);
/* Sends our cached response again (a retransmitted request). */
void ike_sa_resend_response(struct ike_engine *e, struct ike_sa *sa);
/* Drops a partial reassembly. */
void ike_sa_frag_reset(struct ike_sa *sa);

/* Drops the request in flight (its response arrived). */
void ike_sa_request_done(struct ike_sa *sa);
/* Records msg as our response to the peer's request msgid (copied) and sends it. */
int ike_sa_send_response(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
			 uint32_t msgid);
/* Retransmission timer: retransmit with back-off or give up (event, SA to DEAD). */
void ike_sa_timeout(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* ms after the send of try n (0-based) at which the next retransmission is due:
 * timeout * base^n (ike_engine_set_retransmit; 4000 * 1.8^n by default). */
uint64_t ike_retransmit_delay(const struct ike_engine *e, unsigned n);

/* A new zeroed Child SA appended to sa->children (owned by sa), or NULL when the SA has
 * IKE_MAX_CHILDREN already or on ENOMEM. */
struct ike_child *ike_sa_child_add(struct ike_sa *sa);
/* Sets c's selectors (copied at their size; either may be NULL: left as is). ERR_NOMEM
 * (nothing changed). */
int ike_child_set_ts(struct ike_child *c, const struct ts_list *local,
		     const struct ts_list *remote);
/* c's selectors into local and remote (either may be NULL); empty lists when unset. */
void ike_child_ts(const struct ike_child *c, struct ts_list *local, struct ts_list *remote);
/* Unlinks c from sa->children (order kept), clears references to it (ccs) and frees it. The
 * data plane is not told: callers delete installed SAs first. */
void ike_sa_child_remove(struct ike_sa *sa, struct ike_child *c);

/* Deletes every Child SA from the data plane (child_delete) and marks the SA DEAD. */
void ike_sa_kill(struct ike_engine *e, struct ike_sa *sa);

/* The IKE header of a message of ours in this SA (spi_r may still be zero). */
void ike_sa_hdr(const struct ike_sa *sa, uint8_t exchange, bool response, uint32_t msgid,
		struct ikev2_hdr *h);

/* The peer address as text for event sentences. */
const char *ike_sa_peer_str(const struct ike_sa *sa, char *buf, size_t len);

#endif
