/* MOBIKE (RFC 4555): IKEv2 mobility.
 *
 * Negotiation (§3.3): N(MOBIKE_SUPPORTED) goes in our IKE_AUTH request when conn->mobike, and in
 * our IKE_AUTH response when conn->mobike and the request carried it; an SA on which both sent
 * it gets sa->mob (inherited by an IKE SA rekey). With MOBIKE the initiator floats to port 4500
 * for IKE_AUTH whenever the peer does NAT-T (v2/ike_sa_init.c, as strongSwan), and the SA no
 * longer follows the peer's IKE messages implicitly (ike/nat.h, §3.3): UPDATE_SA_ADDRESSES
 * moves it. (The data plane's report of authenticated ESP from a NATed peer's new mapping,
 * ike_engine_peer_moved, still applies, as strongSwan follows the kernel's mapping events.)
 * While a request of the peer is handled, our answer goes back to the addresses and ports it
 * came from (engine reply_path), as strongSwan answers: a peer checking a new path (charon's
 * return-routability probe) or behind a changed NAT mapping gets the answer.
 *
 * Responder of the IKE SA (§3.5): an authenticated INFORMATIONAL request with
 * N(UPDATE_SA_ADDRESSES) that is newer than any before moves the IKE SA to the addresses and
 * ports it came on (both ends) and every Child SA with it (nat_move: child_update, or a rekey
 * when the data plane cannot move one or the encapsulation changes). NAT_DETECTION_* in it
 * decide the NAT flags and so UDP encapsulation (§3.8); with N(NO_NATS_ALLOWED) a NAT (or data
 * that does not name the addresses and ports the request used) is answered
 * N(UNEXPECTED_NAT_DETECTED) and nothing moves (§3.9). The answer goes out on the new path
 * with NAT_DETECTION_* when the request had them and COOKIE2 echoed (§3.5, §4.6).
 * UPDATE_SA_ADDRESSES from the original responder is ignored (only the initiator decides,
 * §3.1). A request that is not authentic never reaches this code.
 *
 * Initiator of the IKE SA (§3.5): ike_engine_mobike_update moves the IKE SA and its Child SAs
 * to a new local address at once and sends HDR, SK {N(UPDATE_SA_ADDRESSES),
 * N(NAT_DETECTION_SOURCE_IP), N(NAT_DETECTION_DESTINATION_IP), N(COOKIE2)} as soon as the
 * window is free; it is retransmitted by the normal rules (from the newest path) and an
 * unanswered one ends like any INFORMATIONAL (the peer is declared dead). The answer's COOKIE2
 * must echo ours; its NAT_DETECTION_* update the NAT flags (Child SAs moved again when the
 * encapsulation changes).
 *
 * ADDITIONAL_IP4_ADDRESS / ADDITIONAL_IP6_ADDRESS / NO_ADDITIONAL_ADDRESSES (§3.6) in IKE_AUTH
 * or INFORMATIONAL replace the peer's list of additional addresses (at most
 * IKE_MOBIKE_ADDR_MAX kept); we send none. Malformed MOBIKE notifies (wrong lengths) get
 * N(INVALID_SYNTAX) and change nothing.
 */
#ifndef RAMPART_IKE_V2_MOBIKE_H
#define RAMPART_IKE_V2_MOBIKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/dispatch.h"
#include "lib/addr.h"

struct ike_engine;
struct ike_sa;
struct ikev2_builder;
struct ikev2_digest;

#define IKE_MOBIKE_ADDR_MAX	8 /* the peer's additional addresses kept */
#define IKE_MOBIKE_COOKIE2_MIN	8 /* §3.5 / §4.6: COOKIE2 data 8..64 octets */
#define IKE_MOBIKE_COOKIE2_MAX	64
#define IKE_MOBIKE_COOKIE2_OURS 16 /* what we send */

/* MOBIKE state of an IKE SA on which both ends support it (sa->mob, heap, owned by the SA). */
struct ike_mobike {
	/* the peer's additional addresses (§3.6) */
	bool peer_no_addl; /* NO_ADDITIONAL_ADDRESSES received */
	uint8_t naddl;
	struct addr addl[IKE_MOBIKE_ADDR_MAX];
	/* initiator: our UPDATE_SA_ADDRESSES */
	bool update_due;  /* to send once the window is free */
	bool update_sent; /* the request in flight */
	uint32_t update_msgid;
	uint8_t cookie2[IKE_MOBIKE_COOKIE2_OURS];
	/* initiator behind a NAT: our liveness checks carry NAT detection (§3.8); a change of
	 * the peer's NAT_DETECTION_DESTINATION_IP hash means our NAT mapping changed */
	bool dpd_sent, have_natd_dst;
	uint32_t dpd_msgid;
	uint8_t natd_dst[20];
	/* responder: the newest UPDATE_SA_ADDRESSES followed */
	bool have_update;
	uint32_t update_peer_msgid;
	uint32_t updates; /* path updates made (sent and answered, or received and followed) */
};

/* What our answer to the peer's INFORMATIONAL request carries for MOBIKE. */
struct mobike_answer {
	bool natd;	/* NAT_DETECTION_* for the request's path */
	uint16_t error; /* UNEXPECTED_NAT_DETECTED or INVALID_SYNTAX, 0: none */
	uint8_t cookie2[IKE_MOBIKE_COOKIE2_MAX];
	size_t cookie2_len; /* 0: none to echo */
};

void mobike_free(struct ike_mobike *m);

/* IKE_AUTH: N(MOBIKE_SUPPORTED) into b when conn->mobike (our request), or when conn->mobike
 * and the peer's request d carried it (our response: d non-NULL). */
int mobike_put_supported(const struct ike_sa *sa, const struct ikev2_digest *d,
			 struct ikev2_builder *b);
/* IKE_AUTH of sa completed with the peer's message d: sa->mob when both support MOBIKE, with
 * the additional addresses d lists. ERR_NOMEM. */
int mobike_auth_done(struct ike_sa *sa, const struct ikev2_digest *d);
/* An IKE SA rekey: nsa inherits old's MOBIKE state (nothing in flight). ERR_NOMEM. */
int mobike_inherit(struct ike_sa *nsa, const struct ike_sa *old);

/* The MOBIKE part of the peer's INFORMATIONAL request rx (see above); may move sa. What the
 * answer must carry goes to *ans. 0 or ERR_NOMEM. */
int mobike_on_request(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx,
		      struct mobike_answer *ans);
/* The notifies of ans into our answer b (for sa's current path). */
int mobike_put_answer(struct ike_engine *e, const struct ike_sa *sa,
		      const struct mobike_answer *ans, struct ikev2_builder *b);
/* Our liveness check (an empty INFORMATIONAL request with msgid): NAT detection into b when we
 * are the initiator behind a NAT with MOBIKE (§3.8, strongSwan's MOBIKE DPD). */
int mobike_put_dpd(struct ike_engine *e, struct ike_sa *sa, uint32_t msgid,
		   struct ikev2_builder *b);
/* The answer to our INFORMATIONAL request rx, before it is marked done: completes our
 * UPDATE_SA_ADDRESSES when it was that request; after a liveness check with NAT detection, an
 * update is due when our NAT mapping changed. */
void mobike_on_response(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

/* Timer work: sends a due UPDATE_SA_ADDRESSES when the window is free. Call before
 * informational_poll (an update goes before liveness checks). */
void mobike_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms);
/* 0 when mobike_poll has work for sa now, else UINT64_MAX. */
uint64_t mobike_deadline(const struct ike_sa *sa);

#endif
