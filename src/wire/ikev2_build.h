/* IKEv2 message builder (RFC 7296 §3): header, payloads with automatic Next Payload chaining and
 * length patching, and an SK/SKF payload laid out so the engine can encrypt in place.
 *
 * Usage:
 *   ikev2_build_init(&b, buf, cap);
 *   ikev2_build_hdr(&b, &hdr);                  // Next Payload and Length are patched later
 *   ikev2_build_sa(&b, &sa); ikev2_build_ke(&b, &ke); ...        // HDR, SAi1, KEi, Ni
 *   -- or, protected --
 *   ikev2_build_sk_begin(&b, iv_len);           // HDR, SK {
 *   ikev2_build_id(&b, IKEV2_PT_IDi, &id); ...  //   IDi, AUTH, SAi2, TSi, TSr
 *   ikev2_build_sk_end(&b, block, icv, &lay);   // } padding, Pad Length, room for the ICV
 *   ikev2_build_finish(&b, &len);               // patches the header Length
 *   then the engine writes the IV at lay.iv_off, encrypts lay.plain_* in place and writes the
 *   ICV at lay.icv_off (integrity over [0, icv_off), or AEAD with AAD [0, aad_len)).
 *
 * Errors are sticky: after the first failure every call returns it, so a sequence of calls can
 * be checked once at ikev2_build_finish(). The builder does not own its buffer. Reserved fields
 * are written as zero and the critical bit is clear for payload types RFC 7296 defines.
 */
#ifndef RAMPART_WIRE_IKEV2_BUILD_H
#define RAMPART_WIRE_IKEV2_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "wire/ikev2_msg.h"
#include "wire/ikev2_payload.h"
#include "wire/ikev2_sa.h"
#include "wire/ikev2_sk.h"
#include "wire/ikev2_ts.h"

enum ikev2_build_state {
	IKEV2_BUILD_EMPTY,  /* nothing written */
	IKEV2_BUILD_PLAIN,  /* header written, unencrypted payloads may follow */
	IKEV2_BUILD_IN_SK,  /* inside SK: inner payloads */
	IKEV2_BUILD_CLOSED, /* SK/SKF closed: nothing may follow */
	IKEV2_BUILD_DONE,   /* length patched */
	IKEV2_BUILD_INNER,  /* a bare inner payload chain (no header), see ikev2_build_init_inner */
};

struct ikev2_builder {
	struct buf_writer w;
	enum ikev2_build_state state;
	size_t np_pos;	 /* Next Payload field the next payload's type is patched into */
	size_t open_pos; /* generic header of the open payload, or SIZE_MAX */
	size_t sk_pos;	 /* generic header of the SK payload */
	size_t iv_len;
	uint8_t first; /* inner chains: type of the first payload */
	int err;       /* first failure, sticky */
};

/* Where the engine encrypts and authenticates an SK/SKF payload, as offsets in the buffer. */
struct ikev2_sk_layout {
	size_t aad_len; /* octets from the message start to the IV (RFC 5282 §5.1 AAD) */
	size_t iv_off, iv_len;
	size_t plain_off; /* inner payloads, Padding, Pad Length: encrypted in place */
	size_t plain_len; /* a multiple of the block length */
	size_t icv_off, icv_len;
};

void ikev2_build_init(struct ikev2_builder *b, void *buf, size_t cap);
/* Writes the IKE header from h (its next_payload and length are ignored and patched). */
int ikev2_build_hdr(struct ikev2_builder *b, const struct ikev2_hdr *h);

/* Opens a payload of `type`: writes its generic header and chains it to the previous one. The
 * body is written through ikev2_build_writer(); ikev2_build_end() patches the length. */
int ikev2_build_begin(struct ikev2_builder *b, uint8_t type, bool critical);
struct buf_writer *ikev2_build_writer(struct ikev2_builder *b);
int ikev2_build_end(struct ikev2_builder *b);
/* A whole payload with an opaque body (Vendor ID-like data, or unknown types in tests). */
int ikev2_build_raw(struct ikev2_builder *b, uint8_t type, bool critical, const void *body,
		    size_t len);

int ikev2_build_sa(struct ikev2_builder *b, const struct ikev2_sa *sa);
int ikev2_build_ke(struct ikev2_builder *b, const struct ikev2_ke_payload *ke);
int ikev2_build_id(struct ikev2_builder *b, uint8_t type, const struct ikev2_id *id);
int ikev2_build_cert(struct ikev2_builder *b, uint8_t type, const struct ikev2_cert *c);
int ikev2_build_auth(struct ikev2_builder *b, const struct ikev2_auth *a);
int ikev2_build_nonce(struct ikev2_builder *b, const struct ikev2_blob *n);
int ikev2_build_notify(struct ikev2_builder *b, const struct ikev2_notify *n);
int ikev2_build_delete(struct ikev2_builder *b, const struct ikev2_delete *d);
int ikev2_build_vendor(struct ikev2_builder *b, const struct ikev2_blob *v);
int ikev2_build_ts(struct ikev2_builder *b, uint8_t type, const struct ikev2_ts_payload *ts);
int ikev2_build_cp(struct ikev2_builder *b, uint8_t cfg_type, const struct ikev2_cp_attr *attrs,
		   size_t nattrs);
int ikev2_build_eap(struct ikev2_builder *b, const struct ikev2_eap *e);

/* Opens the SK payload (RFC 7296 §3.14) and reserves iv_len zeroed octets for the IV. The
 * payloads built next are its inner payloads. */
int ikev2_build_sk_begin(struct ikev2_builder *b, size_t iv_len);
/* Closes SK: appends Padding (zeros) and Pad Length so that the plaintext is a multiple of
 * block_len (0 or 1: no padding), reserves icv_len octets, patches the SK length and fills *lay.
 */
int ikev2_build_sk_end(struct ikev2_builder *b, size_t block_len, size_t icv_len,
		       struct ikev2_sk_layout *lay);
/* One SKF payload (RFC 7383 §2.5) carrying plain_len octets of the inner payload chain of the
 * original message; first_inner is that chain's first type for fragment 1 and must be 0 for the
 * others. Padding, ICV room and *lay as for SK. SKF must be the message's only payload. */
int ikev2_build_skf(struct ikev2_builder *b, uint16_t frag_num, uint16_t frag_total,
		    uint8_t first_inner, size_t iv_len, const uint8_t *plain, size_t plain_len,
		    size_t block_len, size_t icv_len, struct ikev2_sk_layout *lay);

/* Patches the header Length; *len receives the message length. */
int ikev2_build_finish(struct ikev2_builder *b, size_t *len);

/* A bare inner payload chain with no IKE header and no SK: what RFC 7383 §2.5 fragments into
 * SKF payloads (ikev2_build_skf), or an SK plaintext for tests. Payloads are appended with the
 * same calls; ikev2_build_inner_finish() returns the chain length and its first payload type
 * (the Next Payload of the SK/SKF header that will carry it). */
void ikev2_build_init_inner(struct ikev2_builder *b, void *buf, size_t cap);
int ikev2_build_inner_finish(struct ikev2_builder *b, size_t *len, uint8_t *first);

#endif
