#include "cfg/conf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/secret.h"

#define HASH_MIN_BUCKETS 256

enum { REF_NONE = 0, REF_ACTIVE, REF_DONE };

struct conf {
	struct conf_node root; /* first member: a root node converts back to its struct conf */
	struct conf_node **buckets;
	size_t nbuckets;
	size_t nhashed;
	size_t nnodes;
	char **files;
	size_t nfiles;
};

static void conf_msg(char *err, size_t errlen, const char *file, unsigned line, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));

static void conf_msg(char *err, size_t errlen, const char *file, unsigned line, const char *fmt,
		     ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return;
	n = snprintf(err, errlen, "%s:%u: ", file ? file : "(config)", line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

static struct conf *conf_of(const struct conf_node *n)
{
	while (n->parent)
		n = n->parent;
	return (struct conf *)(uintptr_t)n;
}

static size_t hash_of(const struct conf_node *parent, enum conf_kind kind, const char *name)
{
	uint64_t h = 1469598103934665603ULL;
	uintptr_t p = (uintptr_t)parent;

	for (size_t i = 0; i < sizeof(p); i++) {
		h ^= (p >> (8 * i)) & 0xff;
		h *= 1099511628211ULL;
	}
	h ^= (uint64_t)kind;
	h *= 1099511628211ULL;
	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

static int hash_grow(struct conf *c)
{
	size_t n = c->nbuckets ? c->nbuckets * 2 : HASH_MIN_BUCKETS;
	struct conf_node **b = calloc(n, sizeof(*b));

	if (!b)
		return ERR_NOMEM;
	for (size_t i = 0; i < c->nbuckets; i++) {
		struct conf_node *x = c->buckets[i], *next;

		for (; x; x = next) {
			size_t h = hash_of(x->parent, x->kind, x->name) & (n - 1);

			next = x->hnext;
			x->hnext = b[h];
			b[h] = x;
		}
	}
	free(c->buckets);
	c->buckets = b;
	c->nbuckets = n;
	return 0;
}

/* Makes n (whose parent is set) findable by name. */
static int hash_insert(struct conf *c, struct conf_node *n)
{
	size_t h;

	if (c->nhashed >= c->nbuckets) {
		int rc = hash_grow(c);
		if (rc)
			return rc;
	}
	h = hash_of(n->parent, n->kind, n->name) & (c->nbuckets - 1);
	n->hnext = c->buckets[h];
	c->buckets[h] = n;
	c->nhashed++;
	return 0;
}

const struct conf_node *conf_child(const struct conf_node *sec, const char *name,
				   enum conf_kind kind)
{
	struct conf *c;
	struct conf_node *x;

	if (!sec || sec->kind != CONF_SECTION || !name)
		return NULL;
	c = conf_of(sec);
	if (!c->nbuckets)
		return NULL;
	x = c->buckets[hash_of(sec, kind, name) & (c->nbuckets - 1)];
	for (; x; x = x->hnext)
		if (x->parent == sec && x->kind == kind && !strcmp(x->name, name))
			return x;
	return NULL;
}

static struct conf_node *child_mut(struct conf_node *sec, const char *name, enum conf_kind kind)
{
	return (struct conf_node *)(uintptr_t)conf_child(sec, name, kind);
}

struct conf *conf_new(void)
{
	struct conf *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->root.kind = CONF_SECTION;
	c->root.name = NULL;
	return c;
}

static void node_free(struct conf *c, struct conf_node *n)
{
	struct conf_node *x, *next;

	if (!n)
		return;
	for (x = n->first; x; x = next) {
		next = x->next;
		node_free(c, x);
	}
	for (size_t i = 0; i < n->nrefs; i++)
		free(n->refs[i].path);
	free(n->refs);
	free(n->name);
	secret_free_str(n->value); /* values may be PSKs */
	if (c->nnodes)
		c->nnodes--;
	free(n);
}

void conf_free(struct conf *c)
{
	struct conf_node *x, *next;

	if (!c)
		return;
	for (x = c->root.first; x; x = next) {
		next = x->next;
		node_free(c, x);
	}
	for (size_t i = 0; i < c->root.nrefs; i++)
		free(c->root.refs[i].path);
	free(c->root.refs);
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->buckets);
	free(c);
}

const struct conf_node *conf_root(const struct conf *c)
{
	return &c->root;
}

struct conf_node *conf_root_mut(struct conf *c)
{
	return &c->root;
}

size_t conf_node_count(const struct conf *c)
{
	return c->nnodes;
}

const char *conf_intern_file(struct conf *c, const char *file)
{
	char **files;
	char *dup;

	for (size_t i = 0; i < c->nfiles; i++)
		if (!strcmp(c->files[i], file))
			return c->files[i];
	files = realloc(c->files, (c->nfiles + 1) * sizeof(*files));
	if (!files)
		return NULL;
	c->files = files;
	dup = strdup(file);
	if (!dup)
		return NULL;
	c->files[c->nfiles++] = dup;
	return dup;
}

static int check_name(const char *name, const char *file, unsigned line, char *err, size_t errlen)
{
	size_t n = name ? strlen(name) : 0;

	if (!n) {
		conf_msg(err, errlen, file, line, "empty name");
		return ERR_INVAL;
	}
	if (n > CONF_MAX_NAME) {
		conf_msg(err, errlen, file, line, "name longer than %d bytes", CONF_MAX_NAME);
		return ERR_LIMIT;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (ch == '.') {
			conf_msg(err, errlen, file, line, "name '%s' contains '.'", name);
			return ERR_INVAL;
		}
		if (ch <= ' ' || ch == 0x7f) {
			conf_msg(err, errlen, file, line,
				 "name contains a space or control character");
			return ERR_INVAL;
		}
	}
	return 0;
}

/* A new node of c; counts against CONF_MAX_NODES. */
static int node_new(struct conf *c, enum conf_kind kind, const char *name, const char *value,
		    const char *file, unsigned line, struct conf_node **out)
{
	struct conf_node *n;

	if (c->nnodes >= CONF_MAX_NODES)
		return ERR_LIMIT;
	n = calloc(1, sizeof(*n));
	if (!n)
		return ERR_NOMEM;
	n->kind = kind;
	n->file = file;
	n->line = line;
	n->name = strdup(name);
	n->value = value ? strdup(value) : NULL;
	c->nnodes++;
	if (!n->name || (value && !n->value)) {
		node_free(c, n);
		return ERR_NOMEM;
	}
	*out = n;
	return 0;
}

static void append(struct conf_node *parent, struct conf_node *n)
{
	n->parent = parent;
	n->next = NULL;
	if (parent->last)
		parent->last->next = n;
	else
		parent->first = n;
	parent->last = n;
}

static int limit_msg(int rc, char *err, size_t errlen, const char *file, unsigned line)
{
	if (rc == ERR_LIMIT)
		conf_msg(err, errlen, file, line, "more than %d configuration entries",
			 CONF_MAX_NODES);
	else if (rc == ERR_NOMEM)
		conf_msg(err, errlen, file, line, "out of memory");
	return rc;
}

int conf_add_section(struct conf *c, struct conf_node *parent, const char *name, const char *file,
		     unsigned line, struct conf_node **out, char *err, size_t errlen)
{
	struct conf_node *n;
	int rc;

	if (!parent || parent->kind != CONF_SECTION)
		return ERR_INVAL;
	rc = check_name(name, file, line, err, errlen);
	if (rc)
		return rc;
	n = child_mut(parent, name, CONF_SECTION);
	if (!n) {
		rc = node_new(c, CONF_SECTION, name, NULL, file, line, &n);
		if (!rc) {
			n->parent = parent;
			rc = hash_insert(c, n);
			if (rc)
				node_free(c, n);
		}
		if (rc)
			return limit_msg(rc, err, errlen, file, line);
		append(parent, n);
	}
	if (out)
		*out = n;
	return 0;
}

int conf_set_key(struct conf *c, struct conf_node *parent, const char *name, const char *value,
		 const char *file, unsigned line, char *err, size_t errlen)
{
	struct conf_node *n;
	char *dup = NULL;
	int rc;

	if (!parent || parent->kind != CONF_SECTION)
		return ERR_INVAL;
	rc = check_name(name, file, line, err, errlen);
	if (rc)
		return rc;
	n = child_mut(parent, name, CONF_KEY);
	if (n) {
		if (value && !(dup = strdup(value)))
			return limit_msg(ERR_NOMEM, err, errlen, file, line);
		secret_free_str(n->value);
		n->value = dup;
		n->file = file;
		n->line = line;
		return 0;
	}
	rc = node_new(c, CONF_KEY, name, value, file, line, &n);
	if (!rc) {
		n->parent = parent;
		rc = hash_insert(c, n);
		if (rc)
			node_free(c, n);
	}
	if (rc)
		return limit_msg(rc, err, errlen, file, line);
	append(parent, n);
	return 0;
}

int conf_add_ref(struct conf *c, struct conf_node *sec, const char *path, const char *file,
		 unsigned line, char *err, size_t errlen)
{
	struct conf_ref *refs;
	char *dup;

	(void)c;
	if (!sec || sec->kind != CONF_SECTION || !path || !*path)
		return ERR_INVAL;
	for (size_t i = 0; i < sec->nrefs; i++)
		if (!strcmp(sec->refs[i].path, path))
			return 0; /* a repeated definition repeating its reference */
	if (sec->nrefs >= CONF_MAX_REFS) {
		conf_msg(err, errlen, file, line, "section references more than %d sections",
			 CONF_MAX_REFS);
		return ERR_LIMIT;
	}
	if (strlen(path) >= CONF_MAX_PATH) {
		conf_msg(err, errlen, file, line, "reference longer than %d bytes", CONF_MAX_PATH);
		return ERR_LIMIT;
	}
	refs = realloc(sec->refs, (sec->nrefs + 1) * sizeof(*refs));
	if (!refs)
		return limit_msg(ERR_NOMEM, err, errlen, file, line);
	sec->refs = refs;
	dup = strdup(path);
	if (!dup)
		return limit_msg(ERR_NOMEM, err, errlen, file, line);
	refs[sec->nrefs].path = dup;
	refs[sec->nrefs].file = file;
	refs[sec->nrefs].line = line;
	sec->nrefs++;
	sec->state = REF_NONE;
	return 0;
}

/* Detached deep copy of src (references already resolved, so not copied), to become a node
 * at depth `depth` (the root is 0): ERR_LIMIT when one of its sections would be deeper than
 * CONF_MAX_DEPTH. */
static int clone_tree(struct conf *c, const struct conf_node *src, unsigned depth,
		      struct conf_node **out)
{
	struct conf_node *n, *x;
	int rc;

	if (src->kind == CONF_SECTION && depth > CONF_MAX_DEPTH)
		return ERR_LIMIT;
	rc = node_new(c, src->kind, src->name ? src->name : "", src->value, src->file, src->line,
		      &n);
	if (rc)
		return rc;
	n->state = REF_DONE;
	for (const struct conf_node *s = src->first; s; s = s->next) {
		rc = clone_tree(c, s, depth + 1, &x);
		if (rc) {
			node_free(c, n);
			return rc;
		}
		append(n, x);
	}
	*out = n;
	return 0;
}

static unsigned node_depth(const struct conf_node *n)
{
	unsigned d = 0;

	for (; n->parent; n = n->parent)
		d++;
	return d;
}

static int hash_subtree(struct conf *c, struct conf_node *n)
{
	int rc = hash_insert(c, n);

	for (struct conf_node *x = n->first; !rc && x; x = x->next)
		rc = hash_subtree(c, x);
	return rc;
}

/* Attaches a detached subtree under parent and makes all of it findable. */
static int attach_tree(struct conf *c, struct conf_node *parent, struct conf_node *n)
{
	append(parent, n);
	return hash_subtree(c, n);
}

/* Copies what src (elsewhere in the tree, resolved) has and dst (at depth `depth`) lacks into
 * dst. */
static int merge_from(struct conf *c, struct conf_node *dst, unsigned depth,
		      const struct conf_node *src)
{
	int rc = 0;

	for (const struct conf_node *x = src->first; !rc && x; x = x->next) {
		struct conf_node *d = child_mut(dst, x->name, x->kind), *copy;

		if (d) {
			if (x->kind == CONF_SECTION)
				rc = merge_from(c, d, depth + 1, x);
			continue; /* own values win */
		}
		rc = clone_tree(c, x, depth + 1, &copy);
		if (!rc)
			rc = attach_tree(c, dst, copy);
	}
	return rc;
}

static bool is_ancestor(const struct conf_node *a, const struct conf_node *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* Resolves s: its own subsections first, then its references in order. Returns ERR_BADSTATE
 * without a message when s is already being resolved (the caller names the loop). */
static int resolve_sec(struct conf *c, struct conf_node *s, unsigned hops, char *err, size_t errlen)
{
	char path[CONF_MAX_PATH];
	int rc = 0;

	if (s->state == REF_DONE)
		return 0;
	if (s->state == REF_ACTIVE)
		return ERR_BADSTATE;
	s->state = REF_ACTIVE;
	for (struct conf_node *x = s->first; !rc && x; x = x->next)
		if (x->kind == CONF_SECTION)
			rc = resolve_sec(c, x, hops, err, errlen);
	for (size_t i = 0; !rc && i < s->nrefs; i++) {
		const struct conf_ref *r = &s->refs[i];
		struct conf_node *t;

		t = (struct conf_node *)(uintptr_t)conf_section(&c->root, r->path);
		conf_node_path(s, path, sizeof(path));
		if (!t) {
			conf_msg(err, errlen, r->file, r->line,
				 "section '%s' references '%s', which is not a section", path,
				 r->path);
			rc = ERR_NOTFOUND;
			break;
		}
		if (hops >= CONF_MAX_REF_DEPTH) {
			conf_msg(err, errlen, r->file, r->line,
				 "references nested deeper than %d (at '%s')", CONF_MAX_REF_DEPTH,
				 path);
			rc = ERR_LIMIT;
			break;
		}
		if (is_ancestor(t, s) || is_ancestor(s, t))
			rc = ERR_BADSTATE; /* t contains s, or s contains t (strongSwan recurses
					    * forever on both) */
		else
			rc = resolve_sec(c, t, hops + 1, err, errlen);
		if (rc == ERR_BADSTATE) {
			conf_msg(err, errlen, r->file, r->line,
				 "reference loop: section '%s' references '%s', which contains, "
				 "lies inside or references '%s'",
				 path, r->path, path);
			rc = ERR_INVAL;
			break;
		}
		if (rc)
			break;
		rc = merge_from(c, s, node_depth(s), t);
		if (rc == ERR_LIMIT && c->nnodes < CONF_MAX_NODES) {
			conf_msg(err, errlen, r->file, r->line,
				 "section '%s' inherits '%s', which nests sections deeper than %d",
				 path, r->path, CONF_MAX_DEPTH);
			break;
		}
		if (rc)
			limit_msg(rc, err, errlen, r->file, r->line);
	}
	if (!rc)
		s->state = REF_DONE;
	else if (rc != ERR_BADSTATE)
		s->state = REF_NONE;
	return rc;
}

int conf_resolve(struct conf *c, char *err, size_t errlen)
{
	int rc = resolve_sec(c, &c->root, 0, err, errlen);

	if (rc == ERR_BADSTATE)
		rc = ERR_INVAL; /* not reachable: the root is no one's reference */
	return rc;
}
