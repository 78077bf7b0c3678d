/* The strongswan.conf / swanctl.conf lexer (syntax in cfg/conf_parse.h): tokens, the sources
 * being read, and the readers of quoted strings, values and include patterns. Shared by
 * cfg/conf_parse.c (the grammar) and cfg/conf_include.c (files and includes).
 *
 * The lexer reads s->p .. s->end and never past it; line counts follow newlines.
 */
#ifndef RAMPART_CFG_CONF_LEX_H
#define RAMPART_CFG_CONF_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cfg/conf.h"

/* Longest token text quoted back in an error message. */
#define CONF_LEX_ECHO_MAX 40

enum conf_tok {
	CONF_T_EOF,
	CONF_T_NL,
	CONF_T_LBRACE,
	CONF_T_RBRACE,
	CONF_T_EQ,
	CONF_T_COLON,
	CONF_T_COMMA,
	CONF_T_NAME,
	CONF_T_QUOTE, /* '"' where a name is expected */
	CONF_T_NUL,
};

struct conf_token {
	enum conf_tok t;
	unsigned line;
	const char *s; /* CONF_T_NAME: text in the source buffer */
	size_t n;
};

/* One file or string being read; up is the source that included it (include loops and depth
 * are checked along that chain). */
struct conf_src {
	const char *name; /* interned */
	const char *base, *p, *end;
	unsigned line;
	bool has_id;
	dev_t dev;
	ino_t ino;
	unsigned depth; /* 0 for the top-level source */
	const struct conf_src *up;
};

/* One parse: the tree being built, flags (CONF_PARSE_*), the caller's error buffer, files read
 * so far, and the text buffer values and include patterns are built in (it may hold secrets:
 * grown without realloc, wiped when freed). */
struct conf_parser {
	struct conf *c;
	unsigned flags;
	char *err;
	size_t errlen;
	unsigned files;
	char *buf; /* value / pattern text being built */
	size_t len, cap;
};

/* Writes "FILE:LINE: message" (or "FILE: message" for line 0) into the parser's error buffer. */
void conf_parser_err(struct conf_parser *ps, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The next token of s into *t (names point into the source; comments and blanks skipped). */
void conf_lex(struct conf_src *s, struct conf_token *t);
/* The line of the last byte: the line "end of file" is on. */
unsigned conf_lex_eof_line(const struct conf_src *s);
/* A token for an error message ("'name'", "'{'", "end of line"...), in buf when it needs one;
 * names are cut at CONF_LEX_ECHO_MAX bytes. */
const char *conf_lex_tok_desc(const struct conf_token *t, char *buf, size_t len);
/* Empties the text buffer, leaving a valid empty string. 0 or ERR_NOMEM. */
int conf_lex_buf_reset(struct conf_parser *ps);
/* Appends n bytes to the text buffer (never longer than its source text, which is bounded by
 * CONF_MAX_FILE_SIZE). 0 or ERR_NOMEM. */
int conf_lex_buf_add(struct conf_parser *ps, const char *p, size_t n);
/* A quoted string starting at s->p (the opening '"'), appended to ps->buf; escapes resolved. */
int conf_lex_quoted(struct conf_parser *ps, struct conf_src *s);
/* The value after '=': words joined by one space, up to end of line, '#' or '}' (not
 * consumed), into ps->buf. *has is false for an empty assignment. */
int conf_lex_value(struct conf_parser *ps, struct conf_src *s, bool *has);
/* The include pattern after "include" and its blanks, into ps->buf. */
int conf_lex_pattern(struct conf_parser *ps, struct conf_src *s);

#endif
