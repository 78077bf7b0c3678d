/* Configuration files and `include` for the strongswan.conf parser: reading a file whole
 * (bounded by CONF_MAX_FILE_SIZE, wiped after parsing: it may hold secrets), include loops by
 * device and inode, CONF_MAX_INCLUDE_DEPTH and CONF_MAX_FILES, glob patterns relative to the
 * including file (sorted matches; a literal path that does not exist is an error).
 */
#ifndef RAMPART_CFG_CONF_INCLUDE_H
#define RAMPART_CFG_CONF_INCLUDE_H

#include "cfg/conf.h"

struct conf_parser;
struct conf_src;

/* Parses file path into section sec at nesting depth; from/from_line is the include statement
 * (NULL for the top-level file, whose read errors are ERR_IO). Errors as cfg/conf_parse.h. */
int conf_include_file(struct conf_parser *ps, const char *path, struct conf_node *sec,
		      unsigned depth, const struct conf_src *from, unsigned from_line);
/* The include statement at line of s whose pattern is in ps->buf: every matching file parsed
 * into sec. ERR_INVAL with CONF_PARSE_NO_INCLUDE. */
int conf_include(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec, unsigned depth,
		 unsigned line);

#endif
