/* The IKEv2 engine: a protocol engine with no I/O (STYLE.md, ngtcp2's model).
 *
 * The engine takes datagrams and the current time and answers through callbacks: datagrams to
 * send on a path, Child SAs to install / update / delete in the data plane, and events for the
 * CLI and logs. It never reads a clock, makes no syscall and keeps no global state; several
 * engines can live in one process (the exchange tests run two of them over a fake network).
 * Time is "now" in milliseconds on any monotonic base, given by the caller on every entry
 * point; ike_engine_next_deadline says when ike_engine_timeout must be called next.
 *
 * Not thread-safe: call it from one thread (rampartd's IKE loop). Callbacks run synchronously
 * inside the entry points and must not call back into the engine.
 *
 * Randomness (SPIs, nonces, IVs, DH keys) comes from crypto/rand unless test hooks are set
 * (ike_engine_set_test_hooks, for the fixed-input vectors).
 */
#ifndef RAMPART_IKE_IKE_H
#define RAMPART_IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/conn.h"
#include "lib/addr.h"
#include "lib/secret.h"
#include "lib/ts.h"

struct ike_engine;
struct kex;

/* The engine's named limits and protocol defaults. */
#define IKE_MAX_SAS		 131072 /* IKE SAs per engine, half-open included */
#define IKE_HALF_OPEN_MAX	 1024	/* half-open responder SAs; more are dropped */
#define IKE_COOKIE_THRESHOLD	 30	/* half-open SAs from which COOKIEs are demanded (§2.6) */
#define IKE_MAX_MSG		 65535	/* largest datagram accepted or built */
#define IKE_RETRANSMIT_TIMEOUT	 4000	/* ms, strongSwan retransmit_timeout */
#define IKE_RETRANSMIT_BASE_X10	 18	/* back-off factor 1.8 (strongSwan retransmit_base) */
#define IKE_RETRANSMIT_TRIES	 5	/* strongSwan retransmit_tries */
#define IKE_HALF_OPEN_TIMEOUT_MS 30000	/* responder half-open SAs expire */
#define IKE_PORT		 500
#define IKE_PORT_NATT		 4500
#define IKE_EVENT_MSG_MAX	 512   /* an event sentence, NUL included */
#define IKE_KEEPALIVE_MS	 20000 /* NAT keepalive interval (strongSwan charon.keep_alive) */

/* Where a datagram travels: our address and port, the peer's. Ports are host order. */
struct ike_path {
	struct addr local, remote;
	uint16_t local_port, remote_port;
};

/* One direction of a Child SA for the data plane. Keys are borrowed: valid only during the
 * callback (the data plane copies them). Outbound: src = us, dst = peer; inbound the reverse.
 * Selectors are from this side's point of view (local_ts = our end, remote_ts = the peer's). */
struct ike_child_sa {
	uint32_t ike_id;   /* the IKE SA's unique id */
	uint32_t child_id; /* the Child SA's unique id */
	uint32_t reqid;	   /* binds the inbound and outbound SA and the policies */
	const char *conn_name, *child_name;
	bool inbound;
	uint8_t proto; /* IKEV2_PROTO_ESP or IKEV2_PROTO_AH */
	enum conn_mode mode;
	uint32_t spi; /* host order: the SPI the receiving side chose */
	struct addr src, dst;
	bool encap; /* ESP in UDP (RFC 3948) with the ports below */
	uint16_t src_port, dst_port;
	uint16_t enc_id, enc_key_bits; /* IKEV2_ENCR_*; 0 for AH */
	const struct secret *enc_key;  /* key || salt as enc_new wants; NULL for ENCR_NULL/AH */
	uint16_t integ_id;	       /* IKEV2_INTEG_*; 0 (NONE) with an AEAD */
	const struct secret *integ_key;
	bool esn;
	uint32_t replay_window;					     /* inbound only */
	uint64_t soft_bytes, hard_bytes, soft_packets, hard_packets; /* 0 = none */
	uint32_t soft_time, hard_time;				     /* seconds, 0 = none */
	struct ts_list local_ts, remote_ts;
	/* outbound, tunnel mode: TFC padding (RFC 4303 §2.7) of inner packets up to this many
	 * octets (CONN_TFC_MTU: up to the path's MTU); 0 = none (also when the peer sent
	 * ESP_TFC_PADDING_NOT_SUPPORTED) */
	uint32_t tfc_pad;
};

/* A trap policy for the data plane (start_action / close_action / dpd_action = trap): outbound
 * packets from local_ts to remote_ts that find no SA are dropped and reported to the engine
 * with ike_engine_acquire(reqid); a Child SA negotiated for the trap carries the same reqid.
 * Selectors are this side's (dynamic ones resolved to the tunnel endpoints local/remote).
 * Borrowed for the call. */
struct ike_trap {
	uint32_t reqid;
	const char *conn_name, *child_name;
	uint8_t proto; /* IKEV2_PROTO_ESP or IKEV2_PROTO_AH */
	enum conn_mode mode;
	struct addr local, remote;
	struct ts_list local_ts, remote_ts;
};

/* A Child SA came up or went down as strongSwan's updown plugin sees it: "up" once when it is
 * established, "down" once when it goes (deleted by either side, with its IKE SA, peer dead);
 * never for rekeying (the new SA silently takes the old one's place). Borrowed for the call. */
struct ike_updown {
	bool up;
	uint32_t ike_id, child_id, reqid;
	const char *conn_name, *child_name;
	const char *updown; /* the child's updown command line ("" for none) */
	uint8_t proto;	    /* IKEV2_PROTO_ESP or IKEV2_PROTO_AH */
	enum conn_mode mode;
	const struct ike_path *path;
	bool nat; /* NAT detected on either side (ESP in UDP to path->remote_port) */
	const struct conn_id *local_id, *remote_id;
	const struct ts_list *local_ts, *remote_ts;
};

/* Event kinds; every event has a one-sentence human message. */
enum ike_event_kind {
	IKE_EV_IKE_UP = 1,   /* IKE SA established */
	IKE_EV_CHILD_UP,     /* Child SA installed (both directions) */
	IKE_EV_IKE_FAILED,   /* IKE SA could not be set up (no proposal, auth, timeout...) */
	IKE_EV_CHILD_FAILED, /* Child SA refused; the IKE SA stays up (childless) */
	IKE_EV_IKE_DOWN,     /* established IKE SA deleted */
	IKE_EV_CHILD_DOWN,   /* Child SA deleted */
	IKE_EV_IKE_REKEYED,  /* IKE SA rekeyed: id is the new SA's, the sentence names the old */
};

/* Callbacks; ctx is the pointer given to ike_engine_new. send and event are required, the
 * child callbacks may be NULL (no data plane). Return 0 or a negative ERR_*: a failing
 * child_install fails the Child SA (the peer is told with a delete later). */
struct ike_callbacks {
	/* A datagram to send on path. On port 4500 the caller prepends the non-ESP marker. */
	int (*send)(void *ctx, const struct ike_path *path, const uint8_t *data, size_t len);
	int (*child_install)(void *ctx, const struct ike_child_sa *sa);
	/* Both directions of a Child SA go: the outbound SA by (proto, spi_out, peer), the
	 * inbound by (proto, spi_in, us). */
	void (*child_delete)(void *ctx, uint32_t reqid, uint8_t proto, uint32_t spi_in,
			     uint32_t spi_out);
	/* The peer's address or port changed (NAT mapping, RFC 7296 §2.23): update both
	 * directions of every Child SA of reqid to the new path and encapsulation. */
	int (*child_update)(void *ctx, uint32_t reqid, const struct ike_path *path, bool encap);
	/* A NAT keepalive (RFC 3948 §2.3): one octet 0xFF to path (from local port 4500, no
	 * non-ESP marker). NULL: no keepalives are sent. */
	int (*send_keepalive)(void *ctx, const struct ike_path *path);
	/* id is the IKE SA's unique id (what ike_engine_initiate returned); child_id is 0 for
	 * IKE-level events. msg is a sentence such as "no proposal chosen: we proposed X, peer
	 * proposed Y" (valid during the call). */
	void (*event)(void *ctx, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		      const char *msg);
	/* Optional (may be NULL): trap policies into and out of the data plane (a failing
	 * trap_install leaves the trap out, logged), and updown notifications. */
	int (*trap_install)(void *ctx, const struct ike_trap *t);
	void (*trap_uninstall)(void *ctx, uint32_t reqid);
	void (*child_updown)(void *ctx, const struct ike_updown *u);
};

/* Test hooks (deterministic runs and the fixed-input vectors). Any member may be NULL. */
enum ike_rand_use {
	IKE_RAND_SPI_IKE,   /* 8 octets, our IKE SPI */
	IKE_RAND_SPI_CHILD, /* 4 octets, our inbound Child SA SPI */
	IKE_RAND_NONCE,	    /* our nonce (32 octets) */
	IKE_RAND_IV,	    /* an SK payload IV */
	IKE_RAND_COOKIE,    /* the cookie secret */
	IKE_RAND_JITTER,    /* 4 octets: rekey time jitter (rand_time) */
};
struct ike_test_hooks {
	/* Fills buf with len "random" octets for use; 0 or a negative ERR_*. */
	int (*rand)(void *ctx, enum ike_rand_use use, uint8_t *buf, size_t len);
	/* A key pair for group (e.g. kex_new_from_private), or NULL for a failure. */
	struct kex *(*kex_new)(void *ctx, uint16_t group);
	/* Omit NAT_DETECTION_* notifies (the published vectors carry none). */
	bool no_nat_detection;
	/* Omit SIGNATURE_HASH_ALGORITHMS: the peer then signs with the classic methods. */
	bool no_sighash;
	/* Send ESP_TFC_PADDING_NOT_SUPPORTED with the Child SA of IKE_AUTH (as a peer without TFC
	 * support would; the engine itself accepts TFC padding). */
	bool no_tfc;
};

/* A new engine without configuration. cb is copied; ctx is passed to every callback. NULL on
 * ENOMEM or when cb lacks send or event. Free with ike_engine_free. */
struct ike_engine *ike_engine_new(const struct ike_callbacks *cb, void *ctx);
/* Frees every SA (without sending or calling callbacks) and the configuration. Accepts NULL. */
void ike_engine_free(struct ike_engine *e);

/* Installs a configuration: conns[0..n) (the engine takes a reference to each; the caller
 * keeps its own and drops it with conn_free) and secrets (the engine takes ownership; the
 * previous secrets are freed). Existing SAs keep the connection they were set up with; new
 * exchanges use the new set. ERR_INVAL for a connection the engine cannot run (no IKE
 * proposal, a child without ESP/AH proposals, version 1 only), with a log line naming it;
 * nothing is changed then (secrets are still owned by the caller on failure). */
int ike_engine_set_config(struct ike_engine *e, struct conn *const *conns, size_t n,
			  struct conn_secrets *secrets);
/* The configured connection named name (borrowed), or NULL. */
const struct conn *ike_engine_conn(const struct ike_engine *e, const char *name);

/* A datagram received on path (non-ESP marker already stripped on port 4500). Malformed or
 * unexpected messages are dropped (counted by reason, logged with a rate limit) without
 * harming existing SAs; answers go out through send. Returns 0, or a negative ERR_* for a
 * local failure (ERR_NOMEM); a dropped datagram is not an error. */
int ike_engine_input(struct ike_engine *e, uint64_t now_ms, const struct ike_path *path,
		     const uint8_t *data, size_t len);

/* Starts connection conn_name, and its child child_name (NULL: every child of the
 * connection, on a new IKE SA). With a child_name, when an IKE SA of the connection is
 * established (either role) or being set up by us, the child is created on it with
 * CREATE_CHILD_SA (RFC 7296 §1.3.1) and that SA's id is returned; ERR_EXISTS when it already
 * has the child (installed or under way). Otherwise a new IKE SA: the first child is
 * negotiated with IKE_AUTH, the others with CREATE_CHILD_SA once it is up; a connection
 * without children, or with childless = force, sets up a childless IKE SA (RFC 6023) first.
 * The IKE SA's unique id (> 0) goes to *id: events of this SA carry it. ERR_NOTFOUND (no
 * such connection or child), ERR_INVAL (no remote or local address), ERR_LIMIT (too many
 * SAs). */
int ike_engine_initiate(struct ike_engine *e, uint64_t now_ms, const char *conn_name,
			const char *child_name, uint32_t *id);
/* Deletes the IKE SA with unique id (INFORMATIONAL Delete when established, else silently),
 * its Child SAs leaving the data plane through child_delete. ERR_NOTFOUND. */
int ike_engine_terminate(struct ike_engine *e, uint64_t now_ms, uint32_t id);

/* Deletes the Child SA with unique child_id (any IKE SA) with an INFORMATIONAL Delete; it
 * leaves the data plane (child_delete) when the peer answers, or with its IKE SA.
 * ERR_NOTFOUND when no installed Child SA has that id. */
int ike_engine_terminate_child(struct ike_engine *e, uint64_t now_ms, uint32_t child_id);

/* Rekeys the Child SA with unique child_id now (CREATE_CHILD_SA with REKEY_SA; the old SA is
 * deleted once the new one is installed). ERR_NOTFOUND; ERR_BADSTATE while another exchange
 * of its IKE SA is in flight. Children are also rekeyed on their own at rekey_time. */
int ike_engine_rekey_child(struct ike_engine *e, uint64_t now_ms, uint32_t child_id);

/* Rekeys the IKE SA with unique id now (CREATE_CHILD_SA with an IKE proposal, §1.3.2): the
 * new SA gets a new unique id (IKE_EV_IKE_REKEYED), the Child SAs move to it and the old SA is
 * deleted. ERR_NOTFOUND; ERR_BADSTATE when not established, another exchange is in flight or
 * it is being rekeyed or deleted. IKE SAs are also rekeyed on their own at the connection's
 * rekey_time (minus up to rand_time). */
int ike_engine_rekey_ike(struct ike_engine *e, uint64_t now_ms, uint32_t id);
/* The data plane reports that a direction of the Child SA with unique child_id crossed a
 * lifetime (rekey_bytes / rekey_packets: soft; life_bytes / life_packets: hard).
 * Soft: the child is rekeyed as soon as its IKE SA has no exchange in flight (at once when
 * it is idle; nothing when it is already being rekeyed or deleted). Hard: the data plane no
 * longer uses the SA; it is deleted with an INFORMATIONAL Delete (as
 * ike_engine_terminate_child). ERR_NOTFOUND when no installed Child SA has that id. */
int ike_engine_child_expired(struct ike_engine *e, uint64_t now_ms, uint32_t child_id, bool hard);

/* ---- actions (ike/action.c, ike/trap.c) ---------------------------------------------------
 * start_action: after each ike_engine_set_config, children with trap get their trap policy
 * (trap_install; traps of removed or changed connections are uninstalled), and
 * ike_engine_start_actions initiates the children with start of connections that are new or
 * changed (all of them after the first configuration) and deletes the IKE SAs of removed or
 * changed connections that had children with start (strongSwan's inverse action on unload).
 * close_action: when the peer deletes a Child SA (not a rekeyed one) or the IKE SA, each
 * child with trap gets its trap policy and each with start is initiated again.
 * dpd_action trap installs the trap of the children when the peer is declared dead. */

/* Runs the pending start_action work of the last configuration change (see above). */
void ike_engine_start_actions(struct ike_engine *e, uint64_t now_ms);

/* The data plane dropped a packet that matched the trap policy of reqid without an SA (an
 * acquire, RFC 4301 §5.1 step 3b): the trap's connection and child are initiated, unless an
 * IKE SA started for that trap is still being set up, or one was started less than
 * IKE_ACQUIRE_HOLD_MS ago without success (Linux's larval acquire state). 0 (initiated or
 * ignored), ERR_NOTFOUND (no trap has reqid), or ike_engine_initiate's error. */
int ike_engine_acquire(struct ike_engine *e, uint64_t now_ms, uint32_t reqid);
/* The same with the addresses of the packet that triggered it (src: ours, dst: the peer's
 * side; either NULL: unknown): the Child SA is then proposed with the two hosts as the first
 * selectors of TSi and TSr (RFC 7296 §2.9), so that a responder with several subnets narrows
 * to the one that carries the packet. Addresses outside the trap's selectors are ignored. */
int ike_engine_acquire_packet(struct ike_engine *e, uint64_t now_ms, uint32_t reqid,
			      const struct addr *src, const struct addr *dst);

/* The data plane saw an ESP-in-UDP packet of the Child SA with reqid authenticate, newer than
 * any before it, from remote:remote_port instead of the SA's peer (RFC 7296 §2.23). The IKE SA
 * follows when its peer is behind a NAT and we are not (ike/nat.h): its path and every Child
 * SA move (child_update). 0 (moved or already there), ERR_NOTFOUND (no such Child SA),
 * ERR_BADSTATE (not followed: nobody or we are behind the NAT). */
int ike_engine_peer_moved(struct ike_engine *e, uint64_t now_ms, uint32_t reqid,
			  const struct addr *remote, uint16_t remote_port);

/* MOBIKE (RFC 4555, ike/v2/mobike.h): our address of the IKE SA with unique id changed (the
 * old one disappeared or a better one appeared). The IKE SA and its Child SAs move to local
 * (NULL: the path stays) at once (child_update) and HDR, SK {N(UPDATE_SA_ADDRESSES), NAT
 * detection, N(COOKIE2)} goes to the peer from there as soon as the window is free,
 * retransmitted by the normal rules. ERR_NOTFOUND; ERR_BADSTATE when the SA is not
 * established, MOBIKE was not negotiated, or we are not its initiator (only the initiator
 * moves an IKE SA, §3.1); ERR_INVAL when local is not of the peer's address family. */
int ike_engine_mobike_update(struct ike_engine *e, uint64_t now_ms, uint32_t id,
			     const struct addr *local);
/* An IKE SA that ike_engine_mobike_update can move: established, MOBIKE, we initiated it. */
struct ike_mobike_sa {
	uint32_t id;
	struct ike_path path;
};
/* Up to cap such SAs into out[0..), in creation order; returns how many were written. */
size_t ike_engine_mobike_sas(const struct ike_engine *e, struct ike_mobike_sa *out, size_t cap);

/* NAT keepalive interval in ms (default IKE_KEEPALIVE_MS; 0 disables keepalives). */
void ike_engine_set_keepalive(struct ike_engine *e, uint32_t interval_ms);

/* Runs timers due at now_ms (retransmissions, give-up, half-open expiry). */
void ike_engine_timeout(struct ike_engine *e, uint64_t now_ms);
/* The earliest time ike_engine_timeout has work, or UINT64_MAX when none. */
uint64_t ike_engine_next_deadline(const struct ike_engine *e);

/* ---- list-sas snapshots (vici key names in comments) ------------------------------------- */

#define IKE_LIST_MAX_CHILDREN 8
#define IKE_ID_STRLEN	      256

struct ike_child_info {
	uint32_t child_id; /* uniqueid */
	uint32_t reqid;	   /* reqid */
	char name[CONN_NAME_MAX];
	/* state: "INSTALLED"; "REKEYING" while our rekey of it runs, "REKEYED" once replaced,
	 * "DELETING" from our Delete (or its hard expiry) until the peer answers; "CREATED" */
	const char *state;
	enum conn_mode mode;
	uint8_t proto;				    /* protocol: IKEV2_PROTO_ESP / AH */
	uint32_t spi_in, spi_out;		    /* spi-in, spi-out (host order) */
	uint16_t encr_alg, encr_keysize, integ_alg; /* encr-alg, encr-keysize, integ-alg */
	bool esn;
	bool encap;
	struct ts_list local_ts, remote_ts; /* local-ts, remote-ts */
	/* now_ms values (0: none): installed (install-time), rekey due (rekey-time), hard
	 * expiry (life-time) */
	uint64_t installed_ms, rekey_at_ms, expire_at_ms;
};

struct ike_sa_info {
	uint32_t id; /* uniqueid */
	char conn[CONN_NAME_MAX];
	const char *state;    /* state: "CONNECTING", "ESTABLISHED", "DELETING", ... */
	bool initiator;	      /* initiator: yes/no */
	struct ike_path path; /* local-host/-port, remote-host/-port */
	char local_id[IKE_ID_STRLEN], remote_id[IKE_ID_STRLEN]; /* local-id, remote-id */
	uint8_t spi_i[8], spi_r[8];				/* initiator-spi, responder-spi */
	bool nat_local, nat_remote;				/* nat-local, nat-remote */
	bool nat_fake;		 /* nat-fake: encap = yes faked a NAT where there is none */
	bool mobike;		 /* MOBIKE (RFC 4555) negotiated: both ends sent MOBIKE_SUPPORTED */
	uint32_t mobike_updates; /* path updates by UPDATE_SA_ADDRESSES made */
	uint8_t peer_addrs;	 /* additional addresses the peer announced (kept) */
	uint16_t encr_alg, encr_keysize, integ_alg, prf_alg, dh_group;
	uint64_t established_ms; /* now_ms when it was established (0 while connecting) */
	uint64_t rekey_at_ms, reauth_at_ms; /* rekey-time, reauth-time: due at (0: none) */
	size_t nchildren;
	struct ike_child_info children[IKE_LIST_MAX_CHILDREN]; /* child-sas */
};

/* Snapshots of up to cap IKE SAs into out[0..*n), in creation order; *total receives how many
 * exist (may exceed cap). */
void ike_engine_list(const struct ike_engine *e, struct ike_sa_info *out, size_t cap, size_t *n,
		     size_t *total);

/* Certificate validity is checked at Unix time offset_ms + now_ms (the daemon passes its
 * realtime minus monotonic clock once; default 0: now_ms is taken as Unix time). */
void ike_engine_set_wall_offset(struct ike_engine *e, int64_t offset_ms);

/* Retransmission of our requests (strongSwan's charon.retransmit_timeout/_base/_tries): the
 * first retransmit after timeout_ms, each next one base_x10/10 times later, giving up (or, for
 * an INFORMATIONAL, declaring the peer dead) after tries retransmits. Defaults
 * IKE_RETRANSMIT_TIMEOUT, IKE_RETRANSMIT_BASE_X10, IKE_RETRANSMIT_TRIES. ERR_INVAL outside
 * timeout_ms 100..600000, base_x10 10..100, tries 0..IKE_RETRANSMIT_TRIES_MAX (nothing
 * changed); applies to requests sent from then on. */
#define IKE_RETRANSMIT_TRIES_MAX 20
int ike_engine_set_retransmit(struct ike_engine *e, uint32_t timeout_ms, unsigned base_x10,
			      unsigned tries);

/* Installs test hooks (copied; NULL removes them); ctx is passed to them. */
void ike_engine_set_test_hooks(struct ike_engine *e, const struct ike_test_hooks *h, void *ctx);

/* Drop counters by reason, for tests and `rampart stats`. */
struct ike_stats {
	uint64_t rx, tx, retransmits;
	uint64_t drop_malformed, drop_no_sa, drop_msgid, drop_auth, drop_state, drop_limit;
	uint64_t keepalives; /* NAT keepalives sent */
	/* Exchanges by type, index IKE_STATS_EXCH(exchange type): [0] ours (a response to our
	 * request arrived), [1] the peer's (a new request reached its handler; retransmissions
	 * answered from the cache are not counted). */
	uint64_t exchanges[4][2];
	uint64_t ike_established; /* IKE SAs that reached ESTABLISHED, ever */
	/* Gauges, filled in by ike_engine_stats. */
	uint64_t sas, half_open, established;
};
/* IKEv2 exchange types 34..37 (IKE_SA_INIT, IKE_AUTH, CREATE_CHILD_SA, INFORMATIONAL). */
#define IKE_STATS_EXCH(t) ((unsigned)(t)-34u)
void ike_engine_stats(const struct ike_engine *e, struct ike_stats *out);

#endif
