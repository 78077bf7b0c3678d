/* Decode, then dispatch (STYLE.md): the table of (exchange, message kind, our role, states,
 * required payloads, optional payloads, handler) and the function that picks a row, checks the
 * payloads against it and runs the handler.
 */
#ifndef RAMPART_IKE_DISPATCH_H
#define RAMPART_IKE_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike.h"
#include "wire/ikev2_msg.h"

struct ike_engine;
struct ike_sa;

/* A received message, decoded (and decrypted when it carried SK). */
struct ike_rx {
	uint64_t now;
	const struct ike_path *path;
	const uint8_t *msg;
	size_t len;
	const struct ikev2_hdr *hdr;
	const struct ikev2_digest *outer;
	const struct ikev2_digest *d; /* the payloads: inner digest for SK messages, else outer */
	bool error_only;	      /* a response lacking required payloads but carrying N */
};

typedef int (*ike_handler_fn)(struct ike_engine *e, struct ike_sa *sa, const struct ike_rx *rx);

/* Payload bit for a payload type (33..54). */
#define PL(t) (1u << ((t)-32))

struct ike_transition {
	const char *name;
	uint8_t exchange;
	bool response;		     /* the row handles responses (else requests) */
	bool initiator;		     /* our role in the IKE SA */
	unsigned states;	     /* bit set of enum ike_state in which the row applies */
	uint32_t required, optional; /* PL() sets; N and V are always optional */
	ike_handler_fn handler;
};

/* Runs the row matching (exchange, response, our role, state) for sa. Returns the handler's
 * result; ERR_BADSTATE when no row matches (message dropped), ERR_INVAL when a required
 * payload is missing or a payload not allowed is present (dropped; an error response may
 * still be passed to the handler with rx->error_only set). */
int ike_dispatch(struct ike_engine *e, struct ike_sa *sa, struct ike_rx *rx);

#endif
