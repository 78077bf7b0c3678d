/* Child SAs of an IKE SA: selectors between configuration, wire and narrowing, KEYMAT
 * (RFC 7296 §2.17) and installation of both directions through the child_install callback.
 */
#ifndef RAMPART_IKE_CHILD_H
#define RAMPART_IKE_CHILD_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/sa.h"
#include "lib/ts.h"
#include "wire/ikev2_ts.h"

struct ike_engine;

const char *child_state_vici(enum ike_child_state s);
/* c's vici state as list-sas shows it (ike_child_info.state): what its IKE SA is doing with it
 * refines INSTALLED into REKEYING, REKEYED or DELETING. */
const char *child_state_of(const struct ike_sa *sa, const struct ike_child *c);

/* A configured selector list with "dynamic" entries (type 0) resolved to host. */
int child_ts_resolve(const struct ts_list *cfg, const struct addr *host, struct ts_list *out);
/* Selector lists to and from TSi/TSr payloads. from_wire rejects inverted selectors
 * (ERR_INVAL) and skips unknown types. */
int child_ts_to_wire(const struct ts_list *l, struct ikev2_ts_payload *out);
int child_ts_from_wire(const struct ikev2_ts_payload *w, struct ts_list *out);
/* The child's own selectors (local) or the peer's as a TS payload. */
int child_ts_wire(const struct ike_child *c, bool local, struct ikev2_ts_payload *out);
/* "10.1.0.0/16 10.2.0.0/16" into buf. */
const char *child_ts_str(const struct ts_list *l, char *buf, size_t len);

/* A new Child SA slot in sa (ERR_LIMIT when full) with a unique id and a reqid (the
 * configured one or a fresh one). */
int child_new(struct ike_engine *e, struct ike_sa *sa, const struct conn_child *cfg,
	      struct ike_child **out);
/* Responder (§2.9): the first child of sa's connection whose selectors, resolved against the
 * IKE SA's addresses, narrow what the initiator proposed (tsi: its end, tsr: ours); the
 * narrowed lists go to *ntsi and *ntsr. When the first selectors of both lists are single
 * hosts inside wider ones that follow (the packet that triggered the initiator, §2.9), a
 * child whose narrowing covers both hosts is chosen first, its covering selectors first.
 * ERR_NOTFOUND when no child fits. */
int child_select(const struct ike_sa *sa, const struct ts_list *tsi, const struct ts_list *tsr,
		 const struct conn_child **out, struct ts_list *ntsi, struct ts_list *ntsr);
/* What sa's connection allows a peer initiating Child SAs, for TS_UNACCEPTABLE sentences:
 * "TSi 10.1.0.0/16 TSr 10.2.0.0/16 (net), TSi ... (net2)" (TSi: our remote_ts, TSr: our
 * local_ts, resolved against the IKE SA's addresses), truncated to len. */
const char *child_allowed_str(const struct ike_sa *sa, char *buf, size_t len);
/* A fresh inbound SPI (never below 256, RFC 4303 §2.1). */
int child_new_spi(struct ike_engine *e, uint32_t *spi);
/* Derives KEYMAT from SK_d and the IKE_SA_INIT nonces (no PFS) and installs the inbound and
 * outbound SAs through child_install; marks the child INSTALLED and sends IKE_EV_CHILD_UP. */
int child_install(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c);
/* The same with the nonces of a CREATE_CHILD_SA exchange and, with PFS, its new shared
 * secret g_ir (§2.17: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr); NULL without PFS).
 * exch_initiator: we initiated that exchange. The first keys of KEYMAT protect the traffic of
 * the exchange's initiator (§2.17), whichever end initiated the IKE SA. */
int child_install_nonces(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
			 const struct secret *g_ir, const uint8_t *ni, size_t ni_len,
			 const uint8_t *nr, size_t nr_len, bool exch_initiator);
/* With c->out_pending set before child_install_nonces, only the inbound SA is installed and the
 * outbound keys are kept in c; child_install_out installs the outbound SA then (nothing when
 * none is pending). */
void child_install_out(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c);
/* old leaves the data plane: the Child SAs of sa that replace it get their outbound SA first
 * (call before removing old). */
void child_replaced(struct ike_engine *e, struct ike_sa *sa, const struct ike_child *old);

#endif
