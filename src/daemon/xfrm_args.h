/* Parsing iproute2 `ip xfrm` command lines for manual keying: `state add|del|list|flush` and
 * `policy add|del|list|flush`. One parser serves the CLI (validation before anything is sent),
 * the control socket (the daemon re-parses what it receives) and static SAs in the config.
 *
 * Errors are reported as one line naming the argument and the reason, without a program
 * prefix, e.g. `invalid SPI "0xzz": expected a number`. The parser never changes anything; it
 * only fills a struct xfrm_cmd.
 */
#ifndef RAMPART_DAEMON_XFRM_ARGS_H
#define RAMPART_DAEMON_XFRM_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/xfrm_alg.h"
#include "lib/addr.h"
#include "lib/secret.h"

#define XFRM_ARGS_MAX	       64   /* tokens in one command */
#define XFRM_LINE_MAX	       1024 /* bytes in one config line */
#define XFRM_REPLAY_WINDOW_MAX 4096 /* packets; bounded by the data plane's bitmap */
#define XFRM_ERR_MAX	       256  /* bytes of an error message */

enum xfrm_mode {
	XFRM_MODE_TRANSPORT = 0,
	XFRM_MODE_TUNNEL = 1,
};

enum xfrm_dir {
	XFRM_DIR_IN = 0,
	XFRM_DIR_OUT = 1,
	XFRM_DIR_FWD = 2,
};

enum xfrm_action {
	XFRM_ACTION_ALLOW = 0,
	XFRM_ACTION_BLOCK = 1,
};

struct xfrm_key_alg {
	const struct xfrm_alg *alg; /* NULL when absent */
	struct secret *key;	    /* owned; wiped on cleanup */
	uint16_t icv_bits;	    /* aead ICV or auth truncation; 0 for enc */
};

/* `limit` (ip-xfrm): soft and hard lifetimes of a state, 0 = none. Times are seconds after
 * the state is added; bytes count inner packet bytes (RFC 4301 §4.4.2.1). Crossing a soft
 * limit is logged (a key manager would rekey); crossing a hard limit removes the state. */
struct xfrm_lifetime {
	uint64_t time_soft, time_hard;
	uint64_t byte_soft, byte_hard;
	uint64_t packet_soft, packet_hard;
};

struct xfrm_state_spec {
	struct addr src, dst;
	uint8_t proto; /* IPPROTO_ESP or IPPROTO_AH */
	uint32_t spi;
	enum xfrm_mode mode;
	uint32_t reqid;
	uint32_t replay_window;
	bool esn;
	bool encap; /* ESP in UDP (RFC 3948) */
	uint16_t encap_sport, encap_dport;
	struct addr encap_oa; /* original address (NAT-OA); may be unspecified */
	struct xfrm_key_alg aead, enc, auth;
	uint32_t tfcpad; /* outbound tunnel: TFC padding target (0 none; capped at the MTU) */
	struct xfrm_lifetime lft;
};

struct xfrm_tmpl {
	bool present;
	bool has_addrs; /* src/dst given (required in tunnel mode) */
	struct addr src, dst;
	uint8_t proto;
	enum xfrm_mode mode;
	uint32_t reqid;
};

struct xfrm_policy_spec {
	struct prefix src, dst;
	uint8_t proto;	       /* 0 = any upper-layer protocol */
	uint16_t sport, dport; /* 0 = any; only with tcp, udp, sctp */
	enum xfrm_dir dir;
	enum xfrm_action action;
	uint32_t priority;
	struct xfrm_tmpl tmpl;
};

enum xfrm_op {
	XFRM_STATE_ADD = 1,
	XFRM_STATE_DEL,
	XFRM_STATE_LIST,
	XFRM_STATE_FLUSH,
	XFRM_POLICY_ADD,
	XFRM_POLICY_DEL,
	XFRM_POLICY_LIST,
	XFRM_POLICY_FLUSH,
};

struct xfrm_cmd {
	enum xfrm_op op;
	struct xfrm_state_spec state;	/* STATE_ADD, STATE_DEL (src, dst, proto, spi) */
	struct xfrm_policy_spec policy; /* POLICY_ADD, POLICY_DEL (selector and dir) */
};

/* Parses argv[0..argc) (the words after "xfrm", e.g. "state" "add" "src" ...) into *cmd.
 * On failure returns ERR_INVAL (or ERR_NOMEM), writes a message into err and leaves *cmd
 * empty (nothing to clean up). On success the caller releases cmd with xfrm_cmd_cleanup. */
int xfrm_args_parse(int argc, const char *const *argv, struct xfrm_cmd *cmd, char *err,
		    size_t err_size);
/* Wipes and frees the keys a parsed command holds; accepts a zeroed command. */
void xfrm_cmd_cleanup(struct xfrm_cmd *cmd);
/* Moves the keys of src into dst (dst takes ownership, src is left without keys). */
void xfrm_state_spec_move(struct xfrm_state_spec *dst, struct xfrm_state_spec *src);
void xfrm_state_spec_cleanup(struct xfrm_state_spec *s);

/* Splits a line into whitespace-separated words in place (the line is modified; words point
 * into it). Returns the number of words, or ERR_LIMIT when there are more than max. */
int xfrm_args_split(char *line, const char **words, int max);

/* Formatting helpers shared by listings. */
void xfrm_addr_str(const struct addr *a, char *out, size_t out_size);
void xfrm_prefix_str(const struct prefix *p, char *out, size_t out_size);
const char *xfrm_proto_name(uint8_t proto); /* "esp", "ah", "tcp", ... or NULL */

#endif
