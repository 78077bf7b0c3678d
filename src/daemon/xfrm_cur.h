/* The word cursor the `ip xfrm` parsers share (daemon/xfrm_args.c, xfrm_state_args.c,
 * xfrm_policy_args.c): the words of one command, the position, and the error message buffer.
 *
 * Every function that fails writes one line into the error buffer (naming the argument and
 * the reason) and returns ERR_INVAL; outputs are written only on success.
 */
#ifndef RAMPART_DAEMON_XFRM_CUR_H
#define RAMPART_DAEMON_XFRM_CUR_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/xfrm_args.h"
#include "lib/addr.h"

/* A cursor over the words of one command and the error it fails with. */
struct xfrm_cur {
	int argc;
	const char *const *argv;
	int i;
	char *err;
	size_t err_size;
};

/* Keywords already seen in one command (xfrm_cur_once). */
enum {
	XFRM_SEEN_SRC = 1,
	XFRM_SEEN_DST = 2,
	XFRM_SEEN_PROTO = 4,
	XFRM_SEEN_SPI = 8,
	XFRM_SEEN_MODE = 16,
	XFRM_SEEN_REQID = 32,
	XFRM_SEEN_REPLAY = 64,
	XFRM_SEEN_ENCAP = 128,
	XFRM_SEEN_FLAG = 256,
};

/* Writes the message into the error buffer; returns ERR_INVAL. */
__attribute__((format(printf, 2, 3))) int xfrm_cur_fail(struct xfrm_cur *c, const char *fmt, ...);
/* The current word (NULL at the end), without / with advancing. */
const char *xfrm_cur_peek(const struct xfrm_cur *c);
const char *xfrm_cur_next(struct xfrm_cur *c);
/* The value that follows keyword `kw`, or an error. */
int xfrm_cur_value(struct xfrm_cur *c, const char *kw, const char **v);
/* Decimal or 0x-hex unsigned number up to max. */
int xfrm_cur_parse_num(const char *s, uint64_t max, uint64_t *out);
/* The number after kw, from min to max; `what` names it in the error. */
int xfrm_cur_num_arg(struct xfrm_cur *c, const char *kw, const char *what, uint64_t min,
		     uint64_t max, uint64_t *out);
/* A literal IPv4 or IPv6 address (no names, no prefix); ERR_INVAL without a message. */
int xfrm_cur_parse_addr(const char *s, struct addr *a);
/* The address after kw; the prefix (ADDR[/LEN], host bits must be zero) after kw. */
int xfrm_cur_addr_arg(struct xfrm_cur *c, const char *kw, struct addr *a);
int xfrm_cur_prefix_arg(struct xfrm_cur *c, const char *kw, struct prefix *p);
/* "esp" or "ah" after kw; "transport" or "tunnel" after "mode". */
int xfrm_cur_ipsec_proto_arg(struct xfrm_cur *c, const char *kw, uint8_t *proto);
int xfrm_cur_mode_arg(struct xfrm_cur *c, enum xfrm_mode *mode);
/* Fails with "duplicate kw" when bit is already in *seen, else adds it. */
int xfrm_cur_once(struct xfrm_cur *c, unsigned *seen, unsigned bit, const char *kw);
/* Fails when words are left after `what`. */
int xfrm_cur_no_more(struct xfrm_cur *c, const char *what);

#endif
