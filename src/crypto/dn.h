/* X.501 distinguished names for IKE identities (ID_DER_ASN1_DN, RFC 7296 §3.5) and
 * certificate subjects: the textual form used in configuration and logs, and comparison.
 *
 * Text form (strongSwan's): relative distinguished names in order, separated by commas with
 * optional spaces, each KEY=value: "C=CH, O=strongSwan, CN=moon". Keys are OpenSSL short or
 * long names (C, ST, L, O, OU, CN, DC, SN, GN, serialNumber, UID, emailAddress, ...) or dotted
 * OIDs, plus "E" for emailAddress. A backslash escapes the next character (\, \\ \ ); leading
 * and trailing spaces of keys and values are dropped. Values are encoded as strongSwan does:
 * PrintableString when possible, else UTF8String; IA5String for E and DC. Multi-valued RDNs
 * are read as separate RDNs.
 */
#ifndef RAMPART_CRYPTO_DN_H
#define RAMPART_CRYPTO_DN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest text form accepted, and the longest DER name handled. */
#define DN_TEXT_MAX 1024
#define DN_DER_MAX  4096

/* Text -> DER Name (malloc'd, caller frees). ERR_INVAL for empty input, an unknown key, a
 * missing '=' or empty value, a dangling backslash, control characters, invalid UTF-8 or a
 * value the attribute does not allow (C is two letters), or text longer than DN_TEXT_MAX;
 * ERR_NOMEM. */
int dn_from_text(const char *text, uint8_t **der, size_t *len);

/* DER Name -> text in buf (always NUL-terminated when size >= 1), "C=CH, O=strongSwan, CN=moon"
 * as strongSwan prints it (emailAddress as "E"), values in UTF-8 with ',' and '\' and spaces
 * at either end escaped so that dn_from_text reads the text back; control characters print
 * as '?', non-string values as "#hex". ERR_INVAL when der is not exactly one DER Name;
 * ERR_NOSPACE when the text was truncated to fit. */
int dn_to_text(const uint8_t *der, size_t len, char *buf, size_t size);

/* Whether two DER Names denote the same name: byte-equal, or equal under OpenSSL's canonical
 * comparison (X509_NAME_cmp: string types and case of printable strings folded, spaces
 * collapsed). Malformed input never matches. */
bool dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
