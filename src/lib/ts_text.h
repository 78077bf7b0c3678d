/* Traffic selectors as text (syntax in lib/ts.h, strongSwan's local_ts/remote_ts): parsing
 * one selector or a comma-separated list, protocol names, formatting that parses back to the
 * same selector. lib/ts.h includes this header, so users of selectors need only that one.
 */
#ifndef RAMPART_LIB_TS_TEXT_H
#define RAMPART_LIB_TS_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/ts.h"

/* Parses one selector. *dynamic (may be NULL only if the caller rejects "dynamic" itself: a
 * dynamic selector then fails with ERR_INVAL) is set to whether the text was "dynamic". */
int ts_parse(const char *s, struct ts *out, bool *dynamic, char *err, size_t errlen);
/* Parses a comma-separated list ("10.1.0.0/16, fec1::/64[tcp]"), at most TS_LIST_MAX entries.
 * "dynamic" entries are rejected here (the caller resolves them with ts_parse). */
int ts_parse_list(const char *s, struct ts_list *out, char *err, size_t errlen);

/* Writes the text form into buf and returns buf (truncated when len < TS_STRLEN). */
const char *ts_format(const struct ts *t, char *buf, size_t len);

/* IP protocol names as used in selectors: "tcp", "udp", "icmp", "ipv6-icmp", ...; returns a
 * static name or NULL when the number has none in the built-in table. */
const char *ts_proto_name(uint8_t proto);
int ts_proto_parse(const char *s, uint8_t *out);

#endif
