#include "cfg/conf_parse.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/secret.h"

/* Longest token text quoted back in an error message. */
#define ECHO_MAX 40

enum tok {
	T_EOF,
	T_NL,
	T_LBRACE,
	T_RBRACE,
	T_EQ,
	T_COLON,
	T_COMMA,
	T_NAME,
	T_QUOTE, /* '"' where a name is expected */
	T_NUL,
};

struct token {
	enum tok t;
	unsigned line;
	const char *s; /* T_NAME: text in the source buffer */
	size_t n;
};

/* One file or string being read; up is the source that included it. */
struct src {
	const char *name; /* interned */
	const char *base, *p, *end;
	unsigned line;
	bool has_id;
	dev_t dev;
	ino_t ino;
	unsigned depth; /* 0 for the top-level source */
	const struct src *up;
};

struct parser {
	struct conf *c;
	unsigned flags;
	char *err;
	size_t errlen;
	unsigned files;
	char *buf; /* value / pattern text being built */
	size_t len, cap;
};

static void perr(struct parser *ps, const char *file, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void perr(struct parser *ps, const char *file, unsigned line, const char *fmt, ...)
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

static void lex(struct src *s, struct token *t)
{
	for (;;) {
		unsigned char ch;

		t->line = s->line;
		if (s->p >= s->end) {
			t->t = T_EOF;
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
			t->t = T_NL;
			return;
		case '{':
			t->t = T_LBRACE;
			break;
		case '}':
			t->t = T_RBRACE;
			break;
		case '=':
			t->t = T_EQ;
			break;
		case ':':
			t->t = T_COLON;
			break;
		case ',':
			t->t = T_COMMA;
			break;
		case '"':
			t->t = T_QUOTE;
			break;
		default:
			if (!is_name_char(ch)) {
				t->t = T_NUL; /* NUL or another control character */
				return;
			}
			t->t = T_NAME;
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
static unsigned eof_line(const struct src *s)
{
	return s->line > 1 && s->end > s->base && s->end[-1] == '\n' ? s->line - 1 : s->line;
}

static const char *tok_desc(const struct token *t, char *buf, size_t len)
{
	switch (t->t) {
	case T_EOF:
		return "end of file";
	case T_NL:
		return "end of line";
	case T_LBRACE:
		return "'{'";
	case T_RBRACE:
		return "'}'";
	case T_EQ:
		return "'='";
	case T_COLON:
		return "':'";
	case T_COMMA:
		return "','";
	case T_QUOTE:
		return "a quoted string";
	case T_NUL:
		return "a control character";
	case T_NAME:
		snprintf(buf, len, "'%.*s%s'", (int)(t->n > ECHO_MAX ? ECHO_MAX : t->n), t->s,
			 t->n > ECHO_MAX ? "..." : "");
		return buf;
	}
	return "?";
}

/* Empties the text buffer, leaving a valid empty string. */
static int buf_reset(struct parser *ps)
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

static int buf_add(struct parser *ps, const char *p, size_t n)
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
static int read_quoted(struct parser *ps, struct src *s)
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
			perr(ps, s->name, s->line, "unexpected NUL byte in a quoted string");
			return ERR_INVAL;
		}
		if (ch == '\r') {
			s->p++;
			continue;
		}
		if (ch == '\n')
			s->line++;
		if (ch != '\\') {
			rc = buf_add(ps, s->p++, 1);
			continue;
		}
		if (s->end - s->p < 2)
			break; /* a backslash as the last byte */
		ch = s->p[1];
		s->p += 2;
		if (ch == 'n') {
			rc = buf_add(ps, "\n", 1);
		} else if (ch == 'r') {
			rc = buf_add(ps, "\r", 1);
		} else if (ch == 't') {
			rc = buf_add(ps, "\t", 1);
		} else if (ch == '\n') {
			s->line++; /* line continuation */
		} else if (ch == '\r' && s->p < s->end && *s->p == '\n') {
			s->p++;
			s->line++;
		} else if (ch == '\0') {
			perr(ps, s->name, s->line, "unexpected NUL byte in a quoted string");
			return ERR_INVAL;
		} else {
			rc = buf_add(ps, &ch, 1);
		}
	}
	if (rc)
		return rc;
	perr(ps, s->name, start,
	     "expected '\"' to end the quoted string started here, got end "
	     "of file");
	return ERR_INVAL;
}

/* The value after '=': words joined by one space, up to end of line, '#' or '}' (not
 * consumed). *has is false for an empty assignment. */
static int read_value(struct parser *ps, struct src *s, bool *has)
{
	int rc = buf_reset(ps);

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
			perr(ps, s->name, s->line, "unexpected NUL byte in a value");
			return ERR_INVAL;
		}
		if (*has)
			rc = buf_add(ps, " ", 1);
		*has = true;
		if (rc)
			break;
		if (ch == '"') {
			rc = read_quoted(ps, s);
			continue;
		}
		const char *w = s->p;
		while (s->p < s->end && !strchr("#}\" \t\r\n", *s->p) && *s->p)
			s->p++;
		rc = buf_add(ps, w, (size_t)(s->p - w));
	}
	return rc;
}

/* The include pattern after "include" and its blanks, into ps->buf. */
static int read_pattern(struct parser *ps, struct src *s)
{
	int rc = buf_reset(ps);

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
			perr(ps, s->name, s->line, "unexpected NUL byte in an include pattern");
			return ERR_INVAL;
		}
		if (ch == '"') {
			rc = read_quoted(ps, s);
			break;
		}
		if (ch == '\\' && s->end - s->p >= 2 && strchr("\"#} ", s->p[1])) {
			rc = buf_add(ps, s->p + 1, 1);
			s->p += 2;
			continue;
		}
		rc = buf_add(ps, s->p++, 1);
	}
	return rc;
}

static int parse_body(struct parser *ps, struct src *s, struct conf_node *sec, unsigned depth,
		      unsigned open_line);

static int parse_buffer(struct parser *ps, struct src *s, struct conf_node *sec, unsigned depth)
{
	return parse_body(ps, s, sec, depth, 0);
}

/* "INCLUDER:LINE: cannot include 'PATH': REASON", or "PATH: cannot read: REASON" for the
 * top-level file (included NULL). */
static void file_err(struct parser *ps, const char *where, unsigned line, const char *included,
		     const char *reason)
{
	if (included)
		perr(ps, where, line, "cannot include '%s': %s", included, reason);
	else
		perr(ps, where, 0, "cannot read: %s", reason);
}

static int read_file(struct parser *ps, const char *path, const struct src *from,
		     unsigned from_line, char **data, size_t *len, struct stat *st)
{
	const char *wf = from ? from->name : path;
	unsigned wl = from ? from_line : 0;
	char *buf = NULL;
	size_t got = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		file_err(ps, wf, wl, from ? path : NULL, strerror(errno));
		return from ? ERR_INVAL : ERR_IO;
	}
	if (fstat(fd, st) || !S_ISREG(st->st_mode)) {
		file_err(ps, wf, wl, from ? path : NULL, "not a regular file");
		rc = from ? ERR_INVAL : ERR_IO;
		goto out;
	}
	if (st->st_size > CONF_MAX_FILE_SIZE) {
		char reason[48];

		snprintf(reason, sizeof(reason), "larger than %d bytes", CONF_MAX_FILE_SIZE);
		file_err(ps, wf, wl, from ? path : NULL, reason);
		rc = ERR_LIMIT;
		goto out;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (!buf) {
		rc = ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)st->st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st->st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			file_err(ps, wf, wl, from ? path : NULL, strerror(errno));
			rc = from ? ERR_INVAL : ERR_IO;
			goto out;
		}
		if (n == 0)
			break; /* shrank while reading: parse what is there */
		got += (size_t)n;
	}
	*data = buf;
	*len = got;
	buf = NULL;
out:
	secret_free_buf(buf, got); /* only a failed read leaves buf set */
	close(fd);
	return rc;
}

static int parse_file_into(struct parser *ps, const char *path, struct conf_node *sec,
			   unsigned depth, const struct src *from, unsigned from_line)
{
	struct src s;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int rc;

	if (ps->files >= CONF_MAX_FILES) {
		perr(ps, from ? from->name : path, from_line, "more than %d configuration files",
		     CONF_MAX_FILES);
		return ERR_LIMIT;
	}
	if (from && from->depth + 1 > CONF_MAX_INCLUDE_DEPTH) {
		perr(ps, from->name, from_line, "includes nested deeper than %d",
		     CONF_MAX_INCLUDE_DEPTH);
		return ERR_LIMIT;
	}
	rc = read_file(ps, path, from, from_line, &data, &len, &st);
	if (rc)
		return rc;
	ps->files++;
	for (const struct src *u = from; u; u = u->up) {
		if (u->has_id && u->dev == st.st_dev && u->ino == st.st_ino) {
			perr(ps, from->name, from_line,
			     "include loop: '%s' is already being read (as '%s')", path, u->name);
			secret_free_buf(data, len);
			return ERR_INVAL;
		}
	}
	memset(&s, 0, sizeof(s));
	s.name = conf_intern_file(ps->c, path);
	if (!s.name) {
		secret_free_buf(data, len);
		return ERR_NOMEM;
	}
	s.base = s.p = data;
	s.end = data + len;
	s.line = 1;
	s.has_id = true;
	s.dev = st.st_dev;
	s.ino = st.st_ino;
	s.depth = from ? from->depth + 1 : 0;
	s.up = from;
	rc = parse_buffer(ps, &s, sec, depth);
	secret_free_buf(data, len); /* the text may hold secrets */
	return rc;
}

static int do_include(struct parser *ps, struct src *s, struct conf_node *sec, unsigned depth,
		      unsigned line)
{
	char full[PATH_MAX];
	char *pattern = NULL;
	glob_t g;
	int n, grc, rc = 0;

	if (ps->flags & CONF_PARSE_NO_INCLUDE) {
		perr(ps, s->name, line, "include is not allowed here");
		return ERR_INVAL;
	}
	if (!ps->len) {
		perr(ps, s->name, line, "expected a file name after 'include', got end of line");
		return ERR_INVAL;
	}
	pattern = strdup(ps->buf);
	if (!pattern)
		return ERR_NOMEM;
	if (pattern[0] == '/') {
		n = snprintf(full, sizeof(full), "%s", pattern);
	} else {
		const char *slash = strrchr(s->name, '/');
		int dl = slash ? (int)(slash - s->name) : 1;

		n = snprintf(full, sizeof(full), "%.*s/%s", dl, slash ? s->name : ".", pattern);
		if (slash && dl == 0)
			n = snprintf(full, sizeof(full), "/%s", pattern);
	}
	if (n < 0 || (size_t)n >= sizeof(full)) {
		perr(ps, s->name, line, "include path longer than %d bytes", PATH_MAX - 1);
		rc = ERR_LIMIT;
		goto out;
	}
	grc = glob(full, GLOB_ERR, NULL, &g);
	if (grc == GLOB_NOMATCH) {
		if (strpbrk(pattern, "*?[")) {
			rc = 0; /* a pattern matching nothing includes nothing */
		} else {
			perr(ps, s->name, line, "cannot include '%s': No such file or directory",
			     full);
			rc = ERR_INVAL;
		}
		goto out;
	}
	if (grc) {
		perr(ps, s->name, line, "cannot include '%s': %s", full,
		     grc == GLOB_NOSPACE ? "out of memory" : "cannot read the directory");
		rc = grc == GLOB_NOSPACE ? ERR_NOMEM : ERR_INVAL;
		goto out;
	}
	for (size_t i = 0; !rc && i < g.gl_pathc; i++)
		rc = parse_file_into(ps, g.gl_pathv[i], sec, depth, s, line);
	globfree(&g);
out:
	free(pattern);
	return rc;
}

static int open_section(struct parser *ps, struct src *s, struct conf_node *sec, unsigned depth,
			const char *name, unsigned line, struct conf_node **out)
{
	if (depth + 1 > CONF_MAX_DEPTH) {
		perr(ps, s->name, line, "sections nested deeper than %d", CONF_MAX_DEPTH);
		return ERR_LIMIT;
	}
	return conf_add_section(ps->c, sec, name, s->name, line, out, ps->err, ps->errlen);
}

/* After "name :" — references up to the '{'. */
static int parse_refs(struct parser *ps, struct src *s, struct conf_node *child, const char *name)
{
	char path[CONF_MAX_PATH], d[ECHO_MAX + 8];
	struct token t;
	int rc;

	for (;;) {
		lex(s, &t);
		if (t.t != T_NAME) {
			perr(ps, s->name, t.line,
			     "expected a section name after ':' in '%s', got %s", name,
			     tok_desc(&t, d, sizeof(d)));
			return ERR_INVAL;
		}
		if (t.n >= sizeof(path)) {
			perr(ps, s->name, t.line, "reference longer than %d bytes", CONF_MAX_PATH);
			return ERR_LIMIT;
		}
		memcpy(path, t.s, t.n);
		path[t.n] = '\0';
		rc = conf_add_ref(ps->c, child, path, s->name, t.line, ps->err, ps->errlen);
		if (rc)
			return rc;
		lex(s, &t);
		if (t.t == T_COMMA)
			continue;
		while (t.t == T_NL)
			lex(s, &t);
		if (t.t == T_LBRACE)
			return 0;
		perr(ps, s->name, t.t == T_EOF ? eof_line(s) : t.line,
		     "expected ',' or '{' after reference '%s' of section '%s', got %s", path, name,
		     tok_desc(&t, d, sizeof(d)));
		return ERR_INVAL;
	}
}

static bool at_include(const struct src *s, const char *name)
{
	const char *p = s->p;

	if (strcmp(name, "include") || p >= s->end || (*p != ' ' && *p != '\t'))
		return false;
	while (p < s->end && (*p == ' ' || *p == '\t'))
		p++;
	return p < s->end && *p != '=';
}

static int parse_body(struct parser *ps, struct src *s, struct conf_node *sec, unsigned depth,
		      unsigned open_line)
{
	char name[CONF_MAX_NAME + 1], d[ECHO_MAX + 8], path[CONF_MAX_PATH];
	struct conf_node *child;
	struct token t, t2;
	bool has;
	int rc;

	for (;;) {
		lex(s, &t);
		switch (t.t) {
		case T_NL:
			continue;
		case T_EOF:
			if (!open_line)
				return 0;
			perr(ps, s->name, eof_line(s),
			     "expected '}' to close section '%s' opened at line %u, got end of "
			     "file",
			     conf_node_path(sec, path, sizeof(path)), open_line);
			return ERR_INVAL;
		case T_RBRACE:
			if (open_line)
				return 0;
			perr(ps, s->name, t.line, "unexpected '}': no section is open here");
			return ERR_INVAL;
		case T_NAME:
			break;
		case T_QUOTE:
		case T_NUL:
		default:
			perr(ps, s->name, t.line, "expected a key or section name, got %s",
			     tok_desc(&t, d, sizeof(d)));
			return ERR_INVAL;
		}
		if (t.n > CONF_MAX_NAME) {
			perr(ps, s->name, t.line, "name longer than %d bytes", CONF_MAX_NAME);
			return ERR_LIMIT;
		}
		memcpy(name, t.s, t.n);
		name[t.n] = '\0';
		if (at_include(s, name)) {
			while (s->p < s->end && (*s->p == ' ' || *s->p == '\t'))
				s->p++;
			rc = read_pattern(ps, s);
			if (!rc)
				rc = do_include(ps, s, sec, depth, t.line);
			if (rc)
				return rc;
			continue;
		}
		lex(s, &t2);
		if (t2.t == T_NL) {
			/* "name NEWLINE... {" is a section too */
			while (t2.t == T_NL)
				lex(s, &t2);
			if (t2.t != T_LBRACE) {
				perr(ps, s->name, t.line,
				     "expected '=' or '{' after '%s', got end of line", name);
				return ERR_INVAL;
			}
		}
		switch (t2.t) {
		case T_EQ:
			rc = read_value(ps, s, &has);
			if (!rc)
				rc = conf_set_key(ps->c, sec, name, has ? ps->buf : NULL, s->name,
						  t.line, ps->err, ps->errlen);
			if (rc)
				return rc;
			continue;
		case T_LBRACE:
		case T_COLON:
			rc = open_section(ps, s, sec, depth, name, t.line, &child);
			if (!rc && t2.t == T_COLON)
				rc = parse_refs(ps, s, child, name);
			if (!rc)
				rc = parse_body(ps, s, child, depth + 1, t.line);
			if (rc)
				return rc;
			continue;
		default:
			perr(ps, s->name, t2.t == T_EOF ? eof_line(s) : t2.line,
			     "expected '=' or '{' after '%s', got %s", name,
			     tok_desc(&t2, d, sizeof(d)));
			return ERR_INVAL;
		}
	}
}

static int parse_common(const char *name, const char *text, size_t len, const char *path,
			unsigned flags, struct conf **out, char *err, size_t errlen)
{
	struct parser ps;
	struct src s;
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
		rc = parse_file_into(&ps, path, conf_root_mut(ps.c), 0, NULL, 0);
	} else if (len > CONF_MAX_FILE_SIZE) {
		perr(&ps, name, 0, "larger than %d bytes", CONF_MAX_FILE_SIZE);
		rc = ERR_LIMIT;
	} else {
		memset(&s, 0, sizeof(s));
		s.name = conf_intern_file(ps.c, name);
		s.base = s.p = text;
		s.end = text + len;
		s.line = 1;
		rc = s.name ? parse_buffer(&ps, &s, conf_root_mut(ps.c), 0) : ERR_NOMEM;
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
