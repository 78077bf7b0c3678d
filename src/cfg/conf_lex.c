#include "cfg/conf_lex.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/conf_parse.h"
#include "lib/err.h"
#include "lib/secret.h"

void conf_parser_err(struct conf_parser *ps, const char *file, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!ps->err || !ps->errlen)
		return;
	if (line)
		n = snprintf(ps->err, ps->errlen, "%s:%u: ", file, line);
	else
		n = snprintf(ps->err, ps->errlen, "%s: ", file); /* the file as a whole */
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static bool is_name_char(unsigned char ch)
{
	return ch > ' ' && ch != 0x7f && !strchr("#{}:,=\"", ch);
}

void conf_lex(struct conf_src *s, struct conf_token *t)
{
	for (;;) {
		unsigned char ch;

		t->line = s->line;
		if (s->p >= s->end) {
			t->t = CONF_T_EOF;
			return;
		}
		ch = (unsigned char)*s->p;
		switch (ch) {
		case ' ':
		case '\t':
		case '\r':
			s->p++;
			continue;
		case '#':
			while (s->p < s->end && *s->p != '\n')
				s->p++;
			continue;
		case '\n':
			s->p++;
			s->line++;
			t->t = CONF_T_NL;
			return;
		case '{':
			t->t = CONF_T_LBRACE;
			break;
		case '}':
			t->t = CONF_T_RBRACE;
			break;
		case '=':
			t->t = CONF_T_EQ;
			break;
		case ':':
			t->t = CONF_T_COLON;
			break;
		case ',':
			t->t = CONF_T_COMMA;
			break;
		case '"':
			t->t = CONF_T_QUOTE;
			break;
		default:
			if (!is_name_char(ch)) {
				t->t = CONF_T_NUL; /* NUL or another control character */
				return;
			}
			t->t = CONF_T_NAME;
			t->s = s->p;
			while (s->p < s->end && is_name_char((unsigned char)*s->p))
				s->p++;
			t->n = (size_t)(s->p - t->s);
			return;
		}
		s->p++;
		return;
	}
}

/* The line of the last byte: the line "end of file" is on. */
unsigned conf_lex_eof_line(const struct conf_src *s)
{
	return s->line > 1 && s->end > s->base && s->end[-1] == '\n' ? s->line - 1 : s->line;
}

const char *conf_lex_tok_desc(const struct conf_token *t, char *buf, size_t len)
{
	switch (t->t) {
	case CONF_T_EOF:
		return "end of file";
	case CONF_T_NL:
		return "end of line";
	case CONF_T_LBRACE:
		return "'{'";
	case CONF_T_RBRACE:
		return "'}'";
	case CONF_T_EQ:
		return "'='";
	case CONF_T_COLON:
		return "':'";
	case CONF_T_COMMA:
		return "','";
	case CONF_T_QUOTE:
		return "a quoted string";
	case CONF_T_NUL:
		return "a control character";
	case CONF_T_NAME:
		snprintf(buf, len, "'%.*s%s'",
			 (int)(t->n > CONF_LEX_ECHO_MAX ? CONF_LEX_ECHO_MAX : t->n), t->s,
			 t->n > CONF_LEX_ECHO_MAX ? "..." : "");
		return buf;
	}
	return "?";
}

/* Empties the text buffer, leaving a valid empty string. */
int conf_lex_buf_reset(struct conf_parser *ps)
{
	ps->len = 0;
	if (ps->cap) {
		ps->buf[0] = '\0';
		return 0;
	}
	ps->buf = malloc(256);
	if (!ps->buf)
		return ERR_NOMEM;
	ps->cap = 256;
	ps->buf[0] = '\0';
	return 0;
}

int conf_lex_buf_add(struct conf_parser *ps, const char *p, size_t n)
{
	if (ps->len + n + 1 > ps->cap) {
		size_t cap = ps->cap ? ps->cap : 256;
		char *nb;

		while (cap < ps->len + n + 1)
			cap *= 2;
		/* not realloc: the old buffer may hold a secret and is wiped */
		nb = malloc(cap);
		if (!nb)
			return ERR_NOMEM;
		if (ps->buf)
			memcpy(nb, ps->buf, ps->len);
		secret_free_buf(ps->buf, ps->cap);
		ps->buf = nb;
		ps->cap = cap;
	}
	memcpy(ps->buf + ps->len, p, n);
	ps->len += n;
	ps->buf[ps->len] = '\0';
	return 0;
}

/* A quoted string starting at s->p (the opening '"'), appended to ps->buf. */
int conf_lex_quoted(struct conf_parser *ps, struct conf_src *s)
{
	unsigned start = s->line;
	int rc = 0;

	s->p++;
	while (!rc) {
		char ch;

		if (s->p >= s->end)
			break;
		ch = *s->p;
		if (ch == '"') {
			s->p++;
			return 0;
		}
		if (ch == '\0') {
			conf_parser_err(ps, s->name, s->line,
					"unexpected NUL byte in a quoted string");
			return ERR_INVAL;
		}
		if (ch == '\r') {
			s->p++;
			continue;
		}
		if (ch == '\n')
			s->line++;
		if (ch != '\\') {
			rc = conf_lex_buf_add(ps, s->p++, 1);
			continue;
		}
		if (s->end - s->p < 2)
			break; /* a backslash as the last byte */
		ch = s->p[1];
		s->p += 2;
		if (ch == 'n') {
			rc = conf_lex_buf_add(ps, "\n", 1);
		} else if (ch == 'r') {
			rc = conf_lex_buf_add(ps, "\r", 1);
		} else if (ch == 't') {
			rc = conf_lex_buf_add(ps, "\t", 1);
		} else if (ch == '\n') {
			s->line++; /* line continuation */
		} else if (ch == '\r' && s->p < s->end && *s->p == '\n') {
			s->p++;
			s->line++;
		} else if (ch == '\0') {
			conf_parser_err(ps, s->name, s->line,
					"unexpected NUL byte in a quoted string");
			return ERR_INVAL;
		} else {
			rc = conf_lex_buf_add(ps, &ch, 1);
		}
	}
	if (rc)
		return rc;
	conf_parser_err(ps, s->name, start,
			"expected '\"' to end the quoted string started here, got end "
			"of file");
	return ERR_INVAL;
}

/* The value after '=': words joined by one space, up to end of line, '#' or '}' (not
 * consumed). *has is false for an empty assignment. */
int conf_lex_value(struct conf_parser *ps, struct conf_src *s, bool *has)
{
	int rc = conf_lex_buf_reset(ps);

	*has = false;
	while (!rc && s->p < s->end) {
		char ch = *s->p;

		if (ch == ' ' || ch == '\t' || ch == '\r') {
			s->p++;
			continue;
		}
		if (ch == '\n' || ch == '#' || ch == '}')
			break;
		if (ch == '\0') {
			conf_parser_err(ps, s->name, s->line, "unexpected NUL byte in a value");
			return ERR_INVAL;
		}
		if (*has)
			rc = conf_lex_buf_add(ps, " ", 1);
		*has = true;
		if (rc)
			break;
		if (ch == '"') {
			rc = conf_lex_quoted(ps, s);
			continue;
		}
		const char *w = s->p;
		while (s->p < s->end && !strchr("#}\" \t\r\n", *s->p) && *s->p)
			s->p++;
		rc = conf_lex_buf_add(ps, w, (size_t)(s->p - w));
	}
	return rc;
}

/* The include pattern after "include" and its blanks, into ps->buf. */
int conf_lex_pattern(struct conf_parser *ps, struct conf_src *s)
{
	int rc = conf_lex_buf_reset(ps);

	while (!rc && s->p < s->end) {
		char ch = *s->p;

		if (ch == '\n' || ch == '#' || ch == '}')
			break;
		if (ch == ' ' || ch == '\t') {
			s->p++;
			break;
		}
		if (ch == '\r') {
			s->p++;
			continue;
		}
		if (ch == '\0') {
			conf_parser_err(ps, s->name, s->line,
					"unexpected NUL byte in an include pattern");
			return ERR_INVAL;
		}
		if (ch == '"') {
			rc = conf_lex_quoted(ps, s);
			break;
		}
		if (ch == '\\' && s->end - s->p >= 2 && strchr("\"#} ", s->p[1])) {
			rc = conf_lex_buf_add(ps, s->p + 1, 1);
			s->p += 2;
			continue;
		}
		rc = conf_lex_buf_add(ps, s->p++, 1);
	}
	return rc;
}
