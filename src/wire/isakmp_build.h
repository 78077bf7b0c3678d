/* ISAKMP message builder: the header, then payloads chained through their Next Payload fields,
 * each payload length and the total length patched as the message grows.
 *
 * Usage: isakmp_build_init with the header fields (next_payload and length are filled in),
 * then isakmp_build_payload / isakmp_build_raw / isakmp_build_begin..end per payload, then
 * isakmp_build_finish. For an encrypted message (the caller set ISAKMP_FLAG_ENC in the header)
 * call isakmp_build_pad before finishing: the body [ISAKMP_HDR_LEN, len) is then a multiple of
 * the cipher block and the engine encrypts it in place after finishing (the length does not
 * change). isakmp_build_placeholder reserves a payload whose content (HASH(1) of quick mode,
 * for instance) the engine computes once the rest of the message exists.
 *
 * Errors are sticky: after the first failure every call returns it.
 */
#ifndef RAMPART_WIRE_ISAKMP_BUILD_H
#define RAMPART_WIRE_ISAKMP_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "wire/isakmp_msg.h"
#include "wire/isakmp_payload.h"

struct isakmp_builder {
	struct buf_writer w;
	size_t np_pos;	/* offset of the Next Payload octet the next payload is announced in */
	size_t open;	/* offset of the open payload's generic header, or SIZE_MAX */
	size_t padding; /* octets added by isakmp_build_pad */
	bool padded;	/* no payload may follow */
	int err;
};

/* Writes the header into buf[0..cap) (h->next_payload and h->length are ignored). */
int isakmp_build_init(struct isakmp_builder *b, void *buf, size_t cap, const struct isakmp_hdr *h);
/* Opens a payload of the given type: chains it and writes its generic header. The body is then
 * written with isakmp_build_writer(b); isakmp_build_end closes it. */
int isakmp_build_begin(struct isakmp_builder *b, uint8_t type);
struct buf_writer *isakmp_build_writer(struct isakmp_builder *b);
int isakmp_build_end(struct isakmp_builder *b);
/* begin + isakmp_payload_encode + end. */
int isakmp_build_payload(struct isakmp_builder *b, const struct isakmp_payload *p);
/* A payload with an opaque body. */
int isakmp_build_raw(struct isakmp_builder *b, uint8_t type, const void *body, size_t len);
/* A payload with len zero octets; *pos receives the offset of its body in the message. */
int isakmp_build_placeholder(struct isakmp_builder *b, uint8_t type, size_t len, size_t *pos);
/* Zero padding after the last payload up to a multiple of block octets of body (RFC 2408 §3.1,
 * RFC 2409 Appendix B: receivers find the end through the payload chain). block is 1..255. */
int isakmp_build_pad(struct isakmp_builder *b, size_t block);
/* Patches the total length; *len receives the message length. */
int isakmp_build_finish(struct isakmp_builder *b, size_t *len);
/* Pointer to written octets [pos, pos + n) of the message, or NULL. */
uint8_t *isakmp_build_at(struct isakmp_builder *b, size_t pos, size_t n);

#endif
