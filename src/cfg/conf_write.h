/* Writing a configuration tree back as strongswan.conf/swanctl.conf text.
 *
 * The output parses (cfg/conf_parse.h) into the same tree: same sections, keys, order and
 * values, empty assignments included. References were resolved when the tree was built, so
 * inherited keys and sections are written out in full and no "name : ref" appears. Values
 * are quoted (with \" \\ \n \r escapes) unless they are words separated by single spaces made
 * of bytes with no meaning to the parser. For `rampart config show`-style output and tests.
 */
#ifndef RAMPART_CFG_CONF_WRITE_H
#define RAMPART_CFG_CONF_WRITE_H

#include <stddef.h>

#include "cfg/conf.h"

/* The children of sec as text, in a NUL-terminated heap string the caller frees with
 * secret_free_str (values may be PSKs; the buffers outgrown while writing are wiped); *len (may
 * be NULL) receives its length. 0 or ERR_NOMEM. */
int conf_format(const struct conf_node *sec, char **out, size_t *len);

#endif
