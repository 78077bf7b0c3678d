/* Parser for the strongswan.conf / swanctl.conf syntax (strongSwan 5.9.8, strongswan.conf(5)
 * "SYNTAX", "REFERENCING OTHER SECTIONS", "INCLUDING FILES"), into a cfg/conf.h tree.
 *
 *   settings  := ( section | keyvalue | include | NEWLINE )*
 *   section   := name [ ":" absname ( "," absname )* ] NEWLINE* "{" settings "}"
 *   keyvalue  := name "=" [ value ] ( NEWLINE | "#" comment | "}" | EOF )
 *   include   := "include" ( space | tab )+ pattern
 *
 * - Names are any bytes except  . , : { } = " # space tab CR LF  and control characters.
 * - A value runs to the end of the line, a '#' comment or a '}'; it may contain '=', ',', ':',
 *   '[', ']', '{'. Runs of blanks between value words collapse to one space; a quoted part
 *   "..." keeps its text exactly, may span lines and knows the escapes \n \r \t, \<newline>
 *   (line continuation) and \X for any other X (\" and \\ in particular). "key =" with no
 *   value is an empty assignment (value NULL: use the default).
 * - Comments start with '#' anywhere outside a quoted string and run to the end of the line.
 * - include PATTERN: PATTERN is a glob(3) pattern; relative patterns are resolved against the
 *   directory of the file containing the include, and the matching files (sorted) are parsed
 *   as if their text stood in the current section. Escapes \" \# \} \<space> or a quoted
 *   pattern allow those characters in a pattern.
 *
 * Deliberate differences from strongSwan, all rejecting input strongSwan would load with a
 * surprising result: an include of a literal path (no * ? [) that does not exist is an error
 * (strongSwan ignores it silently; a glob matching nothing is still fine); an included file
 * must close every section it opens (strongSwan lets a section span files); a control character
 * in a name is an error (strongSwan takes it as part of the name); a reference to a
 * section that does not exist, and reference loops, are errors (strongSwan 5.9.8 overflows its
 * stack looking up keys through a loop). tests/unit/test_conf_strongswan.c checks these and
 * the common syntax against libstrongswan itself.
 *
 * Errors: the parse functions return ERR_INVAL for syntax and reference errors, ERR_LIMIT when
 * a limit below is exceeded, ERR_IO when the top-level file cannot be read, ERR_NOMEM; err
 * receives one line "FILE:LINE: expected X, got Y" (or another reason after "FILE:LINE: "),
 * FILE being the path as opened, so the reader knows where to look. *out is set only on
 * success; the caller frees it with conf_free.
 */
#ifndef RAMPART_CFG_CONF_PARSE_H
#define RAMPART_CFG_CONF_PARSE_H

#include <stddef.h>

#include "cfg/conf.h"

#define CONF_MAX_FILE_SIZE     (1024 * 1024) /* bytes per file or string */
#define CONF_MAX_INCLUDE_DEPTH 10	     /* file including file ... */
#define CONF_MAX_FILES	       256	     /* files read for one tree */
/* Suggested size for the caller's error buffer. */
#define CONF_ERR_LEN 512

enum {
	CONF_PARSE_NO_INCLUDE = 1, /* an include statement is an error (untrusted text) */
};

int conf_parse_file(const char *path, unsigned flags, struct conf **out, char *err, size_t errlen);
/* Parses len bytes of text (NUL bytes inside are an error). name appears in messages and
 * node locations; relative includes are resolved against its directory. */
int conf_parse_string(const char *name, const char *text, size_t len, unsigned flags,
		      struct conf **out, char *err, size_t errlen);

struct conf_parser;
struct conf_src;
/* For cfg/conf_include.c: parses source s (a whole file or string) into sec at nesting depth;
 * every section s opens must close in s. */
int conf_parse_buffer(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec,
		      unsigned depth);

#endif
