#include "cfg/conf_parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cfg/conf_include.h"
#include "cfg/conf_lex.h"
#include "lib/err.h"
#include "lib/secret.h"

static int parse_body(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec,
		      unsigned depth, unsigned open_line);

int conf_parse_buffer(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec,
		      unsigned depth)
{
	return parse_body(ps, s, sec, depth, 0);
}

static int open_section(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec,
			unsigned depth, const char *name, unsigned line, struct conf_node **out)
{
	if (depth + 1 > CONF_MAX_DEPTH) {
		conf_parser_err(ps, s->name, line, "sections nested deeper than %d",
				CONF_MAX_DEPTH);
		return ERR_LIMIT;
	}
	return conf_add_section(ps->c, sec, name, s->name, line, out, ps->err, ps->errlen);
}

/* After "name :" — references up to the '{'. */
static int parse_refs(struct conf_parser *ps, struct conf_src *s, struct conf_node *child,
		      const char *name)
{
	char path[CONF_MAX_PATH], d[CONF_LEX_ECHO_MAX + 8];
	struct conf_token t;
	int rc;

	for (;;) {
		conf_lex(s, &t);
		if (t.t != CONF_T_NAME) {
			conf_parser_err(ps, s->name, t.line,
					"expected a section name after ':' in '%s', got %s", name,
					conf_lex_tok_desc(&t, d, sizeof(d)));
			return ERR_INVAL;
		}
		if (t.n >= sizeof(path)) {
			conf_parser_err(ps, s->name, t.line, "reference longer than %d bytes",
					CONF_MAX_PATH);
			return ERR_LIMIT;
		}
		memcpy(path, t.s, t.n);
		path[t.n] = '\0';
		rc = conf_add_ref(ps->c, child, path, s->name, t.line, ps->err, ps->errlen);
		if (rc)
			return rc;
		conf_lex(s, &t);
		if (t.t == CONF_T_COMMA)
			continue;
		while (t.t == CONF_T_NL)
			conf_lex(s, &t);
		if (t.t == CONF_T_LBRACE)
			return 0;
		conf_parser_err(ps, s->name, t.t == CONF_T_EOF ? conf_lex_eof_line(s) : t.line,
				"expected ',' or '{' after reference '%s' of section '%s', got %s",
				path, name, conf_lex_tok_desc(&t, d, sizeof(d)));
		return ERR_INVAL;
	}
}

static bool at_include(const struct conf_src *s, const char *name)
{
	const char *p = s->p;

	if (strcmp(name, "include") || p >= s->end || (*p != ' ' && *p != '\t'))
		return false;
	while (p < s->end && (*p == ' ' || *p == '\t'))
		p++;
	return p < s->end && *p != '=';
}

static int parse_body(struct conf_parser *ps, struct conf_src *s, struct conf_node *sec,
		      unsigned depth, unsigned open_line)
{
	char name[CONF_MAX_NAME + 1], d[CONF_LEX_ECHO_MAX + 8], path[CONF_MAX_PATH];
	struct conf_node *child;
	struct conf_token t, t2;
	bool has;
	int rc;

	for (;;) {
		conf_lex(s, &t);
		switch (t.t) {
		case CONF_T_NL:
			continue;
		case CONF_T_EOF:
			if (!open_line)
				return 0;
			conf_parser_err(
			    ps, s->name, conf_lex_eof_line(s),
			    "expected '}' to close section '%s' opened at line %u, got end of "
			    "file",
			    conf_node_path(sec, path, sizeof(path)), open_line);
			return ERR_INVAL;
		case CONF_T_RBRACE:
			if (open_line)
				return 0;
			conf_parser_err(ps, s->name, t.line,
					"unexpected '}': no section is open here");
			return ERR_INVAL;
		case CONF_T_NAME:
			break;
		case CONF_T_QUOTE:
		case CONF_T_NUL:
		default:
			conf_parser_err(ps, s->name, t.line,
					"expected a key or section name, got %s",
					conf_lex_tok_desc(&t, d, sizeof(d)));
			return ERR_INVAL;
		}
		if (t.n > CONF_MAX_NAME) {
			conf_parser_err(ps, s->name, t.line, "name longer than %d bytes",
					CONF_MAX_NAME);
			return ERR_LIMIT;
		}
		memcpy(name, t.s, t.n);
		name[t.n] = '\0';
		if (at_include(s, name)) {
			while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
				s->p++;
			rc = conf_lex_pattern(ps, s);
			if (!rc)
				rc = conf_include(ps, s, sec, depth, t.line);
			if (rc)
				return rc;
			continue;
		}
		conf_lex(s, &t2);
		if (t2.t == CONF_T_NL) {
			/* "name NEWLINE... {" is a section too */
			while (t2.t == CONF_T_NL)
				conf_lex(s, &t2);
			if (t2.t != CONF_T_LBRACE) {
				conf_parser_err(ps, s->name, t.line,
						"expected '=' or '{' after '%s', got end of line",
						name);
				return ERR_INVAL;
			}
		}
		switch (t2.t) {
		case CONF_T_EQ:
			rc = conf_lex_value(ps, s, &has);
			if (!rc)
				rc = conf_set_key(ps->c, sec, name, has ? ps->buf : NULL, s->name,
						  t.line, ps->err, ps->errlen);
			if (rc)
				return rc;
			continue;
		case CONF_T_LBRACE:
		case CONF_T_COLON:
			rc = open_section(ps, s, sec, depth, name, t.line, &child);
			if (!rc && t2.t == CONF_T_COLON)
				rc = parse_refs(ps, s, child, name);
			if (!rc)
				rc = parse_body(ps, s, child, depth + 1, t.line);
			if (rc)
				return rc;
			continue;
		default:
			conf_parser_err(ps, s->name,
					t2.t == CONF_T_EOF ? conf_lex_eof_line(s) : t2.line,
					"expected '=' or '{' after '%s', got %s", name,
					conf_lex_tok_desc(&t2, d, sizeof(d)));
			return ERR_INVAL;
		}
	}
}

static int parse_common(const char *name, const char *text, size_t len, const char *path,
			unsigned flags, struct conf **out, char *err, size_t errlen)
{
	struct conf_parser ps;
	struct conf_src s;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.flags = flags;
	ps.err = err;
	ps.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	ps.c = conf_new();
	if (!ps.c)
		return ERR_NOMEM;
	if (path) {
		rc = conf_include_file(&ps, path, conf_root_mut(ps.c), 0, NULL, 0);
	} else if (len > CONF_MAX_FILE_SIZE) {
		conf_parser_err(&ps, name, 0, "larger than %d bytes", CONF_MAX_FILE_SIZE);
		rc = ERR_LIMIT;
	} else {
		memset(&s, 0, sizeof(s));
		s.name = conf_intern_file(ps.c, name);
		s.base = s.p = text;
		s.end = text + len;
		s.line = 1;
		rc = s.name ? conf_parse_buffer(&ps, &s, conf_root_mut(ps.c), 0) : ERR_NOMEM;
	}
	if (!rc)
		rc = conf_resolve(ps.c, err, errlen);
	if (rc == ERR_NOMEM && err && errlen && !err[0])
		snprintf(err, errlen, "%s: out of memory", path ? path : name);
	secret_free_buf(ps.buf, ps.cap);
	if (rc) {
		conf_free(ps.c);
		return rc;
	}
	*out = ps.c;
	return 0;
}

int conf_parse_file(const char *path, unsigned flags, struct conf **out, char *err, size_t errlen)
{
	return parse_common(path, NULL, 0, path, flags, out, err, errlen);
}

int conf_parse_string(const char *name, const char *text, size_t len, unsigned flags,
		      struct conf **out, char *err, size_t errlen)
{
	return parse_common(name ? name : "(string)", text ? text : "", text ? len : 0, NULL, flags,
			    out, err, errlen);
}
