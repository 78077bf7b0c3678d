/* The control socket protocol between `rampart` and `rampartd` (a UNIX stream socket).
 *
 * Every message is a frame: a 4-byte big-endian body length (at most CTLMSG_MAX) and the body.
 * The client sends one request frame per connection; the daemon answers with any number of
 * OUT and ERR frames followed by exactly one DONE frame, then closes.
 *
 *   request body:   | version (1) | flags (1) | argc (2) | argc x ( len (2) | bytes ) |
 *                   flags bit 0: the client wants JSON. Arguments hold no NUL byte.
 *   response body:  | kind (1) | payload ... |
 *                   kind 1 OUT: bytes for the client's stdout
 *                   kind 2 ERR: bytes for the client's stderr
 *                   kind 3 DONE: one byte, the client's exit status
 *
 * Decoding goes through the bounded reader; a body must be consumed exactly.
 */
#ifndef RAMPART_LIB_CTLMSG_H
#define RAMPART_LIB_CTLMSG_H

#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define CTLMSG_VERSION	 1
#define CTLMSG_MAX	 65536 /* bytes in one frame body */
#define CTLMSG_HDR	 4     /* the length prefix */
#define CTLMSG_ARGS_MAX	 80    /* arguments in one request */
#define CTLMSG_ARG_MAX	 1024  /* bytes in one argument */
#define CTLMSG_FLAG_JSON 0x01

enum ctlmsg_kind {
	CTLMSG_OUT = 1,
	CTLMSG_ERR = 2,
	CTLMSG_DONE = 3,
};

/* A decoded request. argv[i] point into store and are NUL-terminated. */
struct ctlmsg_request {
	unsigned flags;
	int argc;
	const char *argv[CTLMSG_ARGS_MAX + 1]; /* argv[argc] == NULL */
	char store[CTLMSG_MAX + CTLMSG_ARGS_MAX];
};

/* Reads the length prefix from 4 bytes; ERR_LIMIT when it exceeds CTLMSG_MAX. */
int ctlmsg_frame_len(const uint8_t hdr[CTLMSG_HDR], size_t *len);

/* Writes a whole request frame (prefix included). ERR_LIMIT when argc, an argument or the
 * body is too long; ERR_NOSPACE when w is too small. */
int ctlmsg_request_encode(struct buf_writer *w, unsigned flags, int argc, const char *const *argv);
/* Decodes a request body (without the prefix). ERR_TRUNC, ERR_INVAL (bad version, unknown
 * flags, NUL inside an argument, trailing bytes) or ERR_LIMIT. *req is written only on
 * success. */
int ctlmsg_request_decode(const uint8_t *body, size_t len, struct ctlmsg_request *req);

/* Writes a whole response frame (prefix included). */
int ctlmsg_response_encode(struct buf_writer *w, enum ctlmsg_kind kind, const void *data,
			   size_t len);
/* Decodes a response body; *data and *n borrow from body. ERR_INVAL for an unknown kind or a
 * DONE frame whose payload is not exactly one byte. */
int ctlmsg_response_decode(const uint8_t *body, size_t len, enum ctlmsg_kind *kind,
			   const uint8_t **data, size_t *n);

#endif
