/* Typed values of configuration keys, as strongSwan reads them (strongswan.conf(5),
 * swanctl.conf(5)), and the schema check that reports unknown names.
 *
 * Text helpers return 0 or ERR_INVAL and write *out only on success:
 * - booleans: yes/no, true/false, enabled/disabled, 1/0, case-insensitive;
 * - integers: decimal, or hexadecimal with a 0x/0X prefix; surrounding blanks allowed;
 * - times: an integer with an optional unit s, m, h or d (case-insensitive, blanks allowed
 *   before it), in seconds: "4h" = 14400;
 * - byte counts: an integer with an optional k, m or g (binary multiples, case-insensitive);
 * - lists: comma-separated items with blanks trimmed around each.
 *
 * The conf_get_* helpers read a key below a section and, on a bad value, write
 * "FILE:LINE: KEY: 'VALUE' is not ..., expected ..." into err. A missing key or an empty
 * assignment yields the default.
 */
#ifndef RAMPART_CFG_CONF_VALUE_H
#define RAMPART_CFG_CONF_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/conf.h"

int conf_value_bool(const char *s, bool *out);
int conf_value_u64(const char *s, uint64_t *out);
int conf_value_time(const char *s, uint64_t *seconds);
int conf_value_bytes(const char *s, uint64_t *out);

/* Next item of a comma-separated list: *cursor starts at the list text and advances. Returns
 * 1 with the trimmed item in item (NUL-terminated), 0 at the end of the list, ERR_INVAL for an
 * empty item ("a,,b", "a,"), ERR_NOSPACE when the item does not fit (the cursor then stays). */
int conf_list_next(const char **cursor, char *item, size_t len);

int conf_get_bool(const struct conf_node *sec, const char *path, bool def, bool *out, char *err,
		  size_t errlen);
/* Also checks min <= value <= max. */
int conf_get_u64(const struct conf_node *sec, const char *path, uint64_t def, uint64_t min,
		 uint64_t max, uint64_t *out, char *err, size_t errlen);
int conf_get_time(const struct conf_node *sec, const char *path, uint64_t def, uint64_t *out,
		  char *err, size_t errlen);
int conf_get_bytes(const struct conf_node *sec, const char *path, uint64_t def, uint64_t *out,
		   char *err, size_t errlen);

/* Schema check of one section level. keys and sections are NULL-terminated arrays of the
 * valid key names and subsection names (NULL array: any name is valid); a name ending in '*'
 * matches every name with that prefix ("local*" for swanctl's local<suffix> rounds).
 * Each unknown name is reported through report (when not NULL) as
 *   "FILE:LINE: unknown key 'remote_adrs' in 'connections.home', did you mean 'remote_addrs'?"
 * and the first message is also written to err. Returns the number of unknown names. */
typedef void (*conf_report_fn)(void *ctx, const struct conf_node *node, const char *msg);
int conf_check_names(const struct conf_node *sec, const char *const *keys,
		     const char *const *sections, conf_report_fn report, void *ctx, char *err,
		     size_t errlen);
/* The candidate nearest to name by edit distance (insert, delete, substitute, swap adjacent),
 * if it is close enough to be a plausible typo (distance <= 1 + len/3), else NULL. */
const char *conf_suggest(const char *name, const char *const *candidates);
/* Optimal string alignment distance, saturating at 255 for long inputs. */
unsigned conf_edit_distance(const char *a, const char *b);

#endif
