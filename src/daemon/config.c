#include "daemon/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/secret.h"

#define TOKEN_MAX 1024
#define DEPTH_MAX 8

void config_defaults(struct daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->control, sizeof(c->control), "%s", CONFIG_DEFAULT_CONTROL);
	snprintf(c->tun, sizeof(c->tun), "%s", CONFIG_DEFAULT_TUN);
	c->mtu = 1400;
	c->workers = 2;
	c->table = 220;
	c->fwmark = 0x2200;
	c->offload = true;
}

void config_cleanup(struct daemon_config *c)
{
	if (!c)
		return;
	if (c->xfrm)
		secret_wipe(c->xfrm, c->cap_xfrm * sizeof(*c->xfrm)); /* entries hold keys */
	free(c->xfrm);
	c->xfrm = NULL;
	c->n_xfrm = c->cap_xfrm = 0;
}

/* A tokenizer over the swanctl.conf syntax (strongSwan's settings format): names, `=`, `{`,
 * `}`, values up to the end of the line (or quoted strings), `#` comments. Reads through the
 * bounded reader. */
enum tok { T_EOF, T_NAME, T_EQ, T_OPEN, T_CLOSE, T_ERR };

struct lexer {
	struct buf_reader r;
	unsigned line;
	char tok[TOKEN_MAX];
	const char *err;
};

static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

static int is_name(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '%' || c == '@' ||
	       c == ',' || c == '*' || c == '(' || c == ')' || c == '[' || c == ']' || c == '+';
}

static enum tok lex(struct lexer *l, int newline_ends)
{
	uint8_t c;
	size_t n = 0;

	(void)newline_ends;
	for (;;) {
		if (buf_peek_u8(&l->r, &c))
			return T_EOF;
		if (c == '#') {
			while (!buf_peek_u8(&l->r, &c) && c != '\n')
				buf_skip(&l->r, 1);
			continue;
		}
		if (c == '\n')
			l->line++;
		if (!is_space(c) && c != '\n')
			break;
		buf_skip(&l->r, 1);
	}
	buf_skip(&l->r, 1);
	if (c == '=')
		return T_EQ;
	if (c == '{')
		return T_OPEN;
	if (c == '}')
		return T_CLOSE;
	if (!is_name(c)) {
		l->err = "unexpected character";
		return T_ERR;
	}
	l->tok[n++] = (char)c;
	while (!buf_peek_u8(&l->r, &c) && is_name(c)) {
		if (n + 1 >= sizeof(l->tok)) {
			l->err = "name too long";
			return T_ERR;
		}
		l->tok[n++] = (char)c;
		buf_skip(&l->r, 1);
	}
	l->tok[n] = '\0';
	return T_NAME;
}

/* The value after `=`: a quoted string, or the rest of the line (trimmed, comment removed). */
static int lex_value(struct lexer *l)
{
	uint8_t c;
	size_t n = 0;

	while (!buf_peek_u8(&l->r, &c) && is_space(c))
		buf_skip(&l->r, 1);
	if (!buf_peek_u8(&l->r, &c) && c == '"') {
		buf_skip(&l->r, 1);
		for (;;) {
			if (buf_get_u8(&l->r, &c) || c == '\n') {
				l->err = "unterminated string";
				return ERR_INVAL;
			}
			if (c == '"')
				break;
			if (c == '\\' && buf_get_u8(&l->r, &c)) {
				l->err = "unterminated string";
				return ERR_INVAL;
			}
			if (n + 1 >= sizeof(l->tok)) {
				l->err = "value too long";
				return ERR_INVAL;
			}
			l->tok[n++] = (char)c;
		}
		l->tok[n] = '\0';
		return 0;
	}
	while (!buf_peek_u8(&l->r, &c) && c != '\n' && c != '#' && c != '}') {
		if (n + 1 >= sizeof(l->tok)) {
			l->err = "value too long";
			return ERR_INVAL;
		}
		l->tok[n++] = (char)c;
		buf_skip(&l->r, 1);
	}
	while (n && is_space((uint8_t)l->tok[n - 1]))
		n--;
	l->tok[n] = '\0';
	return 0;
}

struct parse {
	struct daemon_config *c;
	struct lexer l;
	char *err;
	size_t err_size;
	const char *name;
	char path[DEPTH_MAX][64]; /* section names */
	int depth;
};

__attribute__((format(printf, 2, 3))) static int perr(struct parse *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->err_size, "%s:%u: %s", p->name, p->l.line, msg);
	return ERR_INVAL;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s == '-')
		return ERR_INVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > max)
		return ERR_INVAL;
	*out = v;
	return 0;
}

static int set_xfrm(struct parse *p, const char *key, const char *val)
{
	struct config_xfrm *e;
	char buf[XFRM_LINE_MAX + 32], err[XFRM_ERR_MAX];
	const char *words[XFRM_ARGS_MAX + 2];
	struct xfrm_cmd cmd;
	int policy, n;

	if (strncmp(key, "state-", 6) == 0)
		policy = 0;
	else if (strncmp(key, "policy-", 7) == 0)
		policy = 1;
	else
		return perr(p, "unknown xfrm entry \"%s\": expected state-NAME or policy-NAME",
			    key);
	if (p->c->n_xfrm == CONFIG_XFRM_MAX)
		return perr(p, "too many xfrm entries (at most %d)", CONFIG_XFRM_MAX);
	if (p->c->n_xfrm == p->c->cap_xfrm) {
		/* Grow by copying, so the old block (it holds keys) can be wiped. */
		size_t ncap = p->c->cap_xfrm ? p->c->cap_xfrm * 2 : 8;
		struct config_xfrm *nx = calloc(ncap, sizeof(*nx));
		if (!nx)
			return perr(p, "out of memory");
		if (p->c->xfrm) {
			memcpy(nx, p->c->xfrm, p->c->n_xfrm * sizeof(*nx));
			secret_wipe(p->c->xfrm, p->c->cap_xfrm * sizeof(*nx));
			free(p->c->xfrm);
		}
		p->c->xfrm = nx;
		p->c->cap_xfrm = ncap;
	}
	if (strlen(val) >= XFRM_LINE_MAX || strlen(key) >= sizeof(e->name))
		return perr(p, "xfrm entry too long");
	e = &p->c->xfrm[p->c->n_xfrm];
	memset(e, 0, sizeof(*e));
	e->line = p->l.line;
	e->policy = policy;
	strcpy(e->name, key);
	strcpy(e->args, val);
	n = config_xfrm_argv(e, buf, sizeof(buf), words, XFRM_ARGS_MAX + 2);
	if (n < 0)
		return perr(p, "%s: too many words", key);
	if (xfrm_args_parse(n, words, &cmd, err, sizeof(err)))
		return perr(p, "%s: %s", key, err);
	xfrm_cmd_cleanup(&cmd);
	p->c->n_xfrm++;
	return 0;
}

static int set_key(struct parse *p, const char *key, const char *val)
{
	struct daemon_config *c = p->c;
	unsigned long v;

	if (p->depth == 2 && strcmp(p->path[1], "xfrm") == 0)
		return set_xfrm(p, key, val);
	if (p->depth != 1)
		return perr(p, "unknown section \"%s\" in rampart", p->path[1]);
	if (strcmp(key, "control") == 0) {
		if (!*val || strlen(val) >= sizeof(c->control))
			return perr(p, "control: path empty or too long");
		strcpy(c->control, val);
	} else if (strcmp(key, "tun") == 0) {
		if (!*val || strlen(val) >= sizeof(c->tun))
			return perr(p, "tun: name empty or longer than %d", IF_NAMESIZE - 1);
		strcpy(c->tun, val);
	} else if (strcmp(key, "mtu") == 0) {
		if (parse_uint(val, 65535, &v) || v < 576)
			return perr(p, "mtu: expected a number from 576 to 65535, got \"%s\"", val);
		c->mtu = (unsigned)v;
	} else if (strcmp(key, "workers") == 0) {
		if (parse_uint(val, CONFIG_WORKERS_MAX, &v) || v < 1)
			return perr(p, "workers: expected a number from 1 to %d, got \"%s\"",
				    CONFIG_WORKERS_MAX, val);
		c->workers = (unsigned)v;
	} else if (strcmp(key, "table") == 0) {
		if (parse_uint(val, 0xfffffffful, &v) || v == 0 || v == 253 || v == 254 || v == 255)
			return perr(p,
				    "table: expected a routing table number other than 0, "
				    "253, 254, 255, got \"%s\"",
				    val);
		c->table = (uint32_t)v;
	} else if (strcmp(key, "fwmark") == 0) {
		if (parse_uint(val, 0xfffffffful, &v) || v == 0)
			return perr(p, "fwmark: expected a non-zero number, got \"%s\"", val);
		c->fwmark = (uint32_t)v;
	} else if (strcmp(key, "offload") == 0) {
		if (strcmp(val, "yes") == 0)
			c->offload = true;
		else if (strcmp(val, "no") == 0)
			c->offload = false;
		else
			return perr(p, "offload: expected yes or no, got \"%s\"", val);
	} else {
		return perr(p, "unknown setting \"%s\" in rampart", key);
	}
	return 0;
}

static int in_rampart(const struct parse *p)
{
	return p->depth >= 1 && strcmp(p->path[0], "rampart") == 0;
}

int config_parse(struct daemon_config *c, const char *name, const char *text, size_t len, char *err,
		 size_t err_size)
{
	struct parse p;
	char key[64];
	int r = 0;

	config_defaults(c);
	memset(&p, 0, sizeof(p));
	p.c = c;
	p.err = err;
	p.err_size = err_size;
	p.name = name;
	p.l.line = 1;
	buf_reader_init(&p.l.r, text, len);
	for (;;) {
		enum tok t = lex(&p.l, 0);
		if (t == T_EOF)
			break;
		if (t == T_ERR) {
			r = perr(&p, "%s", p.l.err);
			goto out;
		}
		if (t == T_CLOSE) {
			if (p.depth == 0) {
				r = perr(&p, "unexpected \"}\"");
				goto out;
			}
			p.depth--;
			continue;
		}
		if (t != T_NAME) {
			r = perr(&p, "expected a name");
			goto out;
		}
		if (strlen(p.l.tok) >= sizeof(key)) {
			r = perr(&p, "name too long");
			goto out;
		}
		strcpy(key, p.l.tok);
		t = lex(&p.l, 0);
		if (t == T_OPEN) {
			if (p.depth == DEPTH_MAX) {
				r = perr(&p, "sections nested too deeply");
				goto out;
			}
			strcpy(p.path[p.depth++], key);
			if (in_rampart(&p) && p.depth > 1 &&
			    !(p.depth == 2 && strcmp(key, "xfrm") == 0)) {
				r = perr(&p, "unknown section \"%s\" in rampart", key);
				goto out;
			}
			continue;
		}
		if (t != T_EQ) {
			r = perr(&p, "expected \"=\" or \"{\" after \"%s\"", key);
			goto out;
		}
		if (lex_value(&p.l)) {
			r = perr(&p, "%s", p.l.err);
			goto out;
		}
		if (in_rampart(&p) && (r = set_key(&p, key, p.l.tok)))
			goto out;
		if (p.depth == 0) {
			r = perr(&p, "setting \"%s\" outside any section", key);
			goto out;
		}
	}
	if (p.depth) {
		r = perr(&p, "missing \"}\" at end of file");
		goto out;
	}
out:
	secret_wipe(p.l.tok, sizeof(p.l.tok)); /* may have held a key */
	if (r) {
		config_cleanup(c);
		config_defaults(c);
	}
	return r;
}

int config_load(struct daemon_config *c, const char *path, char *err, size_t err_size)
{
	FILE *f = NULL;
	char *text = NULL;
	size_t n;
	int r = ERR_IO;

	config_defaults(c);
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		goto out;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	if (!text) {
		r = ERR_NOMEM;
		goto out;
	}
	n = fread(text, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(err, err_size, "%s: read error", path);
		goto out;
	}
	if (n > CONFIG_FILE_MAX) {
		snprintf(err, err_size, "%s: larger than %u bytes", path, CONFIG_FILE_MAX);
		r = ERR_LIMIT;
		goto out;
	}
	r = config_parse(c, path, text, n, err, err_size);
	if (!r)
		snprintf(c->path, sizeof(c->path), "%s", path);
out:
	if (text) {
		secret_wipe(text, CONFIG_FILE_MAX + 1);
		free(text);
	}
	if (f)
		fclose(f);
	return r;
}

int config_xfrm_argv(const struct config_xfrm *e, char *buf, size_t buf_size, const char **words,
		     int max)
{
	int n;

	if (max < 2)
		return ERR_LIMIT;
	if ((size_t)snprintf(buf, buf_size, "%s", e->args) >= buf_size)
		return ERR_LIMIT;
	words[0] = e->policy ? "policy" : "state";
	words[1] = "add";
	n = xfrm_args_split(buf, words + 2, max - 2);
	return n < 0 ? n : n + 2;
}
