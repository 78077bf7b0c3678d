/* Traffic selectors (RFC 7296 §3.13.1) and their narrowing (RFC 7296 §2.9).
 *
 * A struct ts is one TS_IPV4_ADDR_RANGE (7) or TS_IPV6_ADDR_RANGE (8) selector in host form:
 * IP protocol (0 = any), start/end port, start/end address, all inclusive. For ICMP and ICMPv6
 * the 16-bit "port" is type << 8 | code (RFC 7296 §3.13.1, RFC 4301 §4.4.1.3), so a single
 * type with any code is [type << 8, type << 8 | 0xff]. Start port 65535 with end port 0 is
 * OPAQUE (RFC 4301 §4.4.1): the ports are not available; ANY ports (0-65535) contain OPAQUE, a
 * narrower port range does not.
 *
 * Text syntax, as strongSwan's swanctl.conf local_ts/remote_ts (5.9.8):
 *
 *   selector := ( CIDR | ADDR | ADDR "-" ADDR | "dynamic" | "%dynamic" ) [ "[" protoport "]" ]
 *               (ADDR ".." ADDR, strongSwan's output form of a range, is accepted too)
 *   protoport := [ PROTO ] [ "/" PORTS ]
 *   PROTO := "any" | name ("tcp", "udp", "icmp", "ipv6-icmp", ... or getprotobyname) | 0-255
 *   PORTS := "any" | "opaque" | name (getservbyname) | N | N "-" N
 *            for ICMP/ICMPv6 (as strongSwan) N < 256 is a type, N >= 256 is type << 8 | code;
 *            Rampart also accepts TYPE "/" CODE, and ranges of these. A type alone means
 *            every code of it ([type << 8, type << 8 | 0xff]) as swanctl.conf(5) describes;
 *            strongSwan 5.9.8 itself stores it as type << 8 exactly (code 0) and relies on
 *            its kernel interface treating code 0 as "any". Selectors from the wire are taken
 *            as they are (strongSwan also shifts wire values below 256; we do not).
 *
 * "dynamic" stands for the tunnel outer address or the virtual IP, known only when an SA is
 * set up: ts_parse reports it and leaves the addresses unset; ts_set_dynamic fills them in.
 * A selector without [..] for IPv6 is accepted (strongSwan requires nothing more either).
 *
 * ts_format writes "10.1.0.0/16", "10.1.0.1..10.1.0.9" for a range that is not a prefix, and a
 * "[tcp/80]" / "[udp/1024-65535]" / "[icmp/8]" / "[tcp/opaque]" suffix unless proto and ports
 * are any. Formatting a parsed selector and parsing it again yields the same selector.
 */
#ifndef RAMPART_LIB_TS_H
#define RAMPART_LIB_TS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

/* TS Type values, RFC 7296 §3.13.1 (IANA "IKEv2 Traffic Selector Types"). */
enum ts_type {
	TS_IPV4_ADDR_RANGE = 7,
	TS_IPV6_ADDR_RANGE = 8,
};

/* The most selectors a list holds (a TSi/TSr payload we build or accept, a narrowing
 * result, a configured local_ts/remote_ts). */
#define TS_LIST_MAX 16
/* Buffer size that always holds ts_format's output. */
#define TS_STRLEN 128

#define TS_PORT_OPAQUE_START 65535
#define TS_PORT_OPAQUE_END   0

struct ts {
	uint8_t type;  /* enum ts_type, or 0 for an unresolved "dynamic" selector */
	uint8_t proto; /* IP protocol, 0 = any */
	uint16_t start_port, end_port;
	struct addr start, end; /* family matches type */
};

struct ts_list {
	size_t n;
	struct ts ts[TS_LIST_MAX];
};

/* The TS type for an address family (0 when neither IPv4 nor IPv6) and back. */
uint8_t ts_type_for_family(int family);
int ts_family(const struct ts *t);

/* Every address of the family, proto any, ports any. */
int ts_any(struct ts *out, int family);
/* A prefix with a protocol and an inclusive port range (start 65535, end 0 for OPAQUE). */
int ts_from_prefix(struct ts *out, const struct prefix *p, uint8_t proto, uint16_t start_port,
		   uint16_t end_port);
/* An inclusive address range; ERR_INVAL when families differ or start > end. */
int ts_from_range(struct ts *out, const struct addr *start, const struct addr *end, uint8_t proto,
		  uint16_t start_port, uint16_t end_port);
/* Checks a selector received from a peer or built by hand: known type, address family matches
 * the type, start <= end address, ports either start <= end or OPAQUE. */
int ts_check(const struct ts *t);

/* Fills the addresses of a dynamic selector with a single host address. */
int ts_set_dynamic(struct ts *t, const struct addr *host);
/* Whether the selector's address range is exactly one prefix, and which. */
bool ts_to_prefix(const struct ts *t, struct prefix *out);
bool ts_equal(const struct ts *a, const struct ts *b);
/* Whether every packet matched by inner is matched by outer. */
bool ts_contains(const struct ts *outer, const struct ts *inner);
/* Whether a packet (address, protocol, port or ICMP type<<8|code) matches. port_known false
 * means the ports are unavailable (fragment): only ANY or OPAQUE ports match then. */
bool ts_match(const struct ts *t, const struct addr *a, uint8_t proto, uint16_t port,
	      bool port_known);
/* The selector matching exactly the packets both match; ERR_NOTFOUND when there is none. */
int ts_intersect(const struct ts *a, const struct ts *b, struct ts *out);

void ts_list_init(struct ts_list *l);
/* Appends; ERR_LIMIT when full. */
int ts_list_add(struct ts_list *l, const struct ts *t);
/* Whether some selector of the list contains t. */
bool ts_list_covers(const struct ts_list *l, const struct ts *t);

/* Narrowing, RFC 7296 §2.9: out receives every non-empty intersection of a proposed selector
 * with a policy selector (proposed order first, then policy order), leaving out any result
 * contained in another (a wider result takes the place of the first narrower one).
 *
 * TS_NARROW_FIRST_IS_PACKET: proposed->ts[0] is the selector of the packet that triggered the
 * initiator (§2.9 "very specific Traffic Selector"), used to choose among policies. The
 * narrowing then succeeds only when its result wholly covers that selector, and the result
 * covering it comes first. A responder with several candidate policies tries each with this
 * flag and takes the first that succeeds, falling back to narrowing without the flag.
 *
 * Returns 0, ERR_NOTFOUND when nothing is left (TS_UNACCEPTABLE) or the packet is not covered,
 * ERR_LIMIT when the result would exceed TS_LIST_MAX. *out is written only on success. */
enum {
	TS_NARROW_FIRST_IS_PACKET = 1,
};
int ts_narrow(const struct ts_list *proposed, const struct ts_list *policy, unsigned flags,
	      struct ts_list *out);

/* Port helpers shared with lib/ts_text.c: OPAQUE (start 65535, end 0), and ANY (0-65535). */
bool ts_ports_opaque(uint16_t start, uint16_t end);
bool ts_ports_any(const struct ts *t);

/* The text syntax above: lib/ts_text.h (included here for every user). */
#include "lib/ts_text.h"

#endif
