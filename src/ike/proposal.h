/* Proposals on the wire (RFC 7296 §3.3) versus configured ones (crypto/alg.h): building SA
 * payload proposals from configuration, selecting one as a responder (§2.7) and checking the
 * responder's choice as an initiator; text forms for "no proposal chosen" sentences.
 */
#ifndef RAMPART_IKE_PROPOSAL_H
#define RAMPART_IKE_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/alg.h"
#include "wire/ikev2_sa.h"

/* One negotiated proposal: a single transform per type (0 where absent). */
struct prop_choice {
	uint8_t num;   /* proposal number of the chosen proposal */
	uint8_t proto; /* IKEV2_PROTO_* */
	uint16_t encr, encr_bits, prf, integ, ke, esn;
	bool has_esn;
	uint8_t spi_len;
	uint8_t spi[8]; /* the proposal's SPI (the sender's) */
};

/* Flags for building and selecting. */
enum {
	PROP_NO_KE = 1, /* drop KE transforms (a Child SA created with IKE_AUTH, §1.2) */
};

/* Appends p as proposal number num of proto with spi (spi_len octets: 0, 4 or 8) to sa:
 * transforms ordered by type (ENCR, PRF, INTEG, KE, ESN), each type in p's order. ERR_LIMIT
 * when sa is full. */
int prop_to_wire(const struct alg_proposal *p, uint8_t num, uint8_t proto, const uint8_t *spi,
		 uint8_t spi_len, unsigned flags, struct ikev2_sa *sa);
/* The single-proposal SA payload of a choice (a response, or our new offer). */
int prop_choice_to_wire(const struct prop_choice *c, struct ikev2_sa *sa);

/* Responder selection (§2.7): the first proposal of offered (in the peer's order) for proto
 * that one of mine[0..n) accepts; in it, for each type the first offered transform mine has.
 * Proposals with transforms carrying unknown attributes, or types one side has and the other
 * lacks, do not match (INTEG NONE counts as absent; ESN absent counts as "no ESN").
 * ERR_NOTFOUND when none matches. */
int prop_select(const struct ikev2_sa *offered, uint8_t proto, const struct alg_proposal *mine,
		size_t n, unsigned flags, struct prop_choice *out);
/* Initiator check of a response: exactly one proposal, one transform per type, all within
 * one of mine. ERR_INVAL otherwise (the response is unacceptable). */
int prop_check_response(const struct ikev2_sa *resp, uint8_t proto, const struct alg_proposal *mine,
			size_t n, unsigned flags, struct prop_choice *out);

/* Whether group is a KE method of one of mine. */
bool prop_has_ke(const struct alg_proposal *mine, size_t n, uint16_t group);

/* "IKE:AES_CBC_256/HMAC_SHA2_256_128/PRF_HMAC_SHA2_256/ECP_256, IKE:..." for the proposals of
 * an SA payload / a configured list (truncated to len). Returns buf. */
char *prop_wire_str(const struct ikev2_sa *sa, char *buf, size_t len);
char *prop_list_str(const struct alg_proposal *p, size_t n, char *buf, size_t len);
/* The same for a choice. */
char *prop_choice_str(const struct prop_choice *c, char *buf, size_t len);

#endif
