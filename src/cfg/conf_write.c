#include "cfg/conf_write.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/secret.h"

struct out {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 1024;
		char *np;

		while (cap < o->len + n + 1)
			cap *= 2;
		/* not realloc: the old text may hold a secret and is wiped */
		np = malloc(cap);
		if (!np) {
			o->err = ERR_NOMEM;
			return;
		}
		if (o->p)
			memcpy(np, o->p, o->len + 1);
		secret_free_buf(o->p, o->cap);
		o->p = np;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void indent(struct out *o, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		put(o, "\t", 1);
}

/* Whether the parser reads the value back unchanged without quotes: words of bytes that are
 * not blanks, control characters or # } " \ separated by single spaces. */
static bool plain(const char *v)
{
	size_t n = strlen(v);

	if (!n || v[0] == ' ' || v[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)v[i];

		if (ch == ' ' && v[i + 1] == ' ')
			return false;
		if ((ch < ' ' && ch != ' ') || ch == 0x7f || strchr("#}\"\\", ch))
			return false;
	}
	return true;
}

static void put_value(struct out *o, const char *v)
{
	if (plain(v)) {
		puts_(o, v);
		return;
	}
	put(o, "\"", 1);
	for (; *v; v++) {
		switch (*v) {
		case '"':
			puts_(o, "\\\"");
			break;
		case '\\':
			puts_(o, "\\\\");
			break;
		case '\n':
			puts_(o, "\\n");
			break;
		case '\r':
			puts_(o, "\\r"); /* a raw CR inside quotes is dropped by the parser */
			break;
		default:
			put(o, v, 1);
		}
	}
	put(o, "\"", 1);
}

static void body(struct out *o, const struct conf_node *sec, unsigned depth)
{
	for (const struct conf_node *n = conf_first(sec); n && !o->err; n = conf_next(n)) {
		indent(o, depth);
		puts_(o, n->name);
		if (n->kind == CONF_SECTION) {
			if (!strcmp(n->name, "include")) {
				/* "include {" would read as an include statement */
				put(o, "\n", 1);
				indent(o, depth);
				puts_(o, "{\n");
			} else {
				puts_(o, " {\n");
			}
			body(o, n, depth + 1);
			indent(o, depth);
			puts_(o, "}\n");
		} else if (n->value) {
			puts_(o, " = ");
			put_value(o, n->value);
			put(o, "\n", 1);
		} else {
			puts_(o, " =\n");
		}
	}
}

int conf_format(const struct conf_node *sec, char **out, size_t *len)
{
	struct out o = {0};

	put(&o, "", 0);
	body(&o, sec, 0);
	if (o.err) {
		secret_free_buf(o.p, o.cap);
		return o.err;
	}
	*out = o.p;
	if (len)
		*len = o.len;
	return 0;
}
