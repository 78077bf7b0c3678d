/* IPv4 and IPv6 addresses and prefixes.
 *
 * A struct addr is a value: family (AF_INET or AF_INET6, 0 when unset) and the address bytes in
 * network order (4 or 16 of them used; the unused tail is always zero so addresses can be
 * compared with memcmp). A struct prefix is an address and a length; the host bits of a parsed
 * or constructed prefix are always zero.
 *
 * Text: "192.0.2.1", "2001:db8::1"; prefixes "10.0.0.0/24", "fec1::/64", and a bare address is
 * the host prefix (/32 or /128). IPv6 scope ids ("fe80::1%eth0") are rejected. Parse functions
 * return 0 or ERR_INVAL and, when err is not NULL, write a one-line reason naming the input
 * ("'10.0.0.0/33': prefix length 33 exceeds 32 for IPv4").
 *
 * Port numbers are plain host-order uint16_t everywhere; only the sockaddr conversions touch
 * network order.
 */
#ifndef RAMPART_LIB_ADDR_H
#define RAMPART_LIB_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ADDR_MAX_BYTES 16
/* Buffer sizes for the text forms, NUL included (INET6_ADDRSTRLEN, plus "/128"). */
#define ADDR_STRLEN   46
#define PREFIX_STRLEN 50

struct addr {
	uint8_t family; /* AF_INET, AF_INET6, or 0 when unset */
	uint8_t bytes[ADDR_MAX_BYTES];
};

struct prefix {
	struct addr addr; /* host bits zero */
	uint8_t len;	  /* 0..32 or 0..128 */
};

/* Bytes of the address family: 4, 16, or 0 for anything else. */
size_t addr_family_len(int family);
/* Bits of the address family: 32, 128, or 0. */
unsigned addr_family_bits(int family);
size_t addr_len(const struct addr *a);

/* Build from raw bytes (len must match the family). */
int addr_from_bytes(struct addr *out, int family, const void *p, size_t len);
/* The all-zero address ("0.0.0.0", "::") and the all-ones address of a family. */
int addr_zero(struct addr *out, int family);
int addr_ones(struct addr *out, int family);

int addr_parse(const char *s, struct addr *out, char *err, size_t errlen);
/* Writes the text form into buf (at least ADDR_STRLEN bytes recommended) and returns buf;
 * "(none)" for an unset address, truncated when buf is smaller. */
const char *addr_str(const struct addr *a, char *buf, size_t len);

/* Total order: family first (unset < IPv4 < IPv6), then bytes. */
int addr_cmp(const struct addr *a, const struct addr *b);
bool addr_equal(const struct addr *a, const struct addr *b);
bool addr_is_zero(const struct addr *a);

/* a + 1 and a - 1 with carry across bytes. ERR_LIMIT (and *a unchanged) when the result would
 * wrap past all-ones / below all-zeros; ERR_INVAL for an unset address. */
int addr_inc(struct addr *a);
int addr_dec(struct addr *a);

/* Socket address conversion; port in host order. addr_to_sockaddr sets *sslen to the size
 * of the filled structure. IPv4-mapped IPv6 addresses stay IPv6. */
int addr_to_sockaddr(const struct addr *a, uint16_t port, struct sockaddr_storage *ss,
		     socklen_t *sslen);
int addr_from_sockaddr(const struct sockaddr *sa, socklen_t salen, struct addr *out,
		       uint16_t *port);

/* Prefix from address and length; host bits are cleared. ERR_INVAL when len is too long. */
int prefix_make(struct prefix *out, const struct addr *a, unsigned len);
/* "10.0.0.0/24", "fec1::/64", or a bare address (host prefix). Host bits set in the text
 * ("10.0.0.1/24") are cleared, as strongSwan does. */
int prefix_parse(const char *s, struct prefix *out, char *err, size_t errlen);
/* "a.b.c.d/len"; the length is always written. */
const char *prefix_str(const struct prefix *p, char *buf, size_t len);

bool prefix_contains(const struct prefix *p, const struct addr *a);
/* Whether inner lies wholly inside outer (same family, outer not longer). */
bool prefix_contains_prefix(const struct prefix *outer, const struct prefix *inner);
void prefix_first(const struct prefix *p, struct addr *out);
void prefix_last(const struct prefix *p, struct addr *out);
/* The prefix whose first and last addresses are exactly [first, last]; ERR_INVAL when the
 * range is not a prefix (or families differ, or first > last). */
int prefix_from_range(const struct addr *first, const struct addr *last, struct prefix *out);

/* An inclusive address range, as swanctl.conf's local_addrs/remote_addrs and pools take them:
 * "192.0.2.1", "10.0.0.0/24", "10.0.0.10-10.0.0.20" (blanks around '-' allowed). */
struct addr_range {
	struct addr first, last; /* same family, first <= last */
};

int addr_range_parse(const char *s, struct addr_range *out, char *err, size_t errlen);
/* "first-last", or the prefix / single address form when the range is one. */
const char *addr_range_str(const struct addr_range *r, char *buf, size_t len);
bool addr_range_contains(const struct addr_range *r, const struct addr *a);
/* Number of addresses, saturating at UINT64_MAX (IPv6). */
uint64_t addr_range_size(const struct addr_range *r);

#endif
