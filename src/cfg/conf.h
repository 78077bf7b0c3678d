/* Configuration tree in strongSwan's strongswan.conf / swanctl.conf model, independent of what
 * the keys mean.
 *
 * A tree of sections; each section holds keys (name = value) and subsections, in the order they
 * first appeared. A section name defined twice is one section (the later definition extends the
 * earlier); a key assigned twice keeps its place and takes the later value, file and line (as
 * strongSwan: "sections extend, values are replaced"). A key and a section may share a name.
 * Every node records the file and line where it was (last) defined. An empty assignment
 * ("key =") leaves a key whose value is NULL: "unset, use the default" (strongSwan's meaning).
 *
 * References ("conn-a : defaults, connections.base { ... }", strongSwan >= 5.7, see
 * strongswan.conf(5) "REFERENCING OTHER SECTIONS") are recorded while building and resolved
 * once by conf_resolve: the referenced sections' keys and subsections are copied into the
 * referencing section after its own, without replacing anything it defines itself (its own
 * values, then the first reference, then the next). References name sections by absolute dotted
 * path and may point forward or into other files.
 *
 * Names of keys and sections never contain '.', so a dotted path is unambiguous.
 *
 * The tree is built by the parser (cfg/conf_parse.h) or programmatically with the conf_add_*
 * functions below, and is read-only afterwards. struct conf owns every node and string; the
 * pointers returned by lookups live as long as the struct conf.
 */
#ifndef RAMPART_CFG_CONF_H
#define RAMPART_CFG_CONF_H

#include <stdbool.h>
#include <stddef.h>

/* Limits. Exceeding one is an error naming the limit (ERR_LIMIT). */
#define CONF_MAX_NODES	   65536 /* keys + sections in one tree, copies from references too */
#define CONF_MAX_DEPTH	   16	 /* section nesting */
#define CONF_MAX_REFS	   16	 /* references of one section */
#define CONF_MAX_REF_DEPTH 16	 /* chain of sections referencing sections */
#define CONF_MAX_NAME	   128	 /* bytes in a key or section name */
#define CONF_MAX_PATH	   1024	 /* bytes in a dotted path */

enum conf_kind {
	CONF_SECTION = 1,
	CONF_KEY = 2,
};

struct conf_ref {
	char *path;	  /* absolute dotted path of the referenced section */
	const char *file; /* where the reference was written */
	unsigned line;
};

/* Read-only for users of the tree. */
struct conf_node {
	enum conf_kind kind;
	char *name;
	char *value;	  /* keys only; NULL after an empty assignment */
	const char *file; /* owned by the struct conf */
	unsigned line;
	struct conf_node *parent;
	struct conf_node *first, *last; /* sections: children in order */
	struct conf_node *next;		/* sibling */
	/* private to the implementation */
	struct conf_node *hnext; /* hash chain */
	struct conf_ref *refs;
	size_t nrefs;
	int state; /* reference resolution */
};

struct conf;

/* An empty tree (a root section without name). NULL on ENOMEM. */
struct conf *conf_new(void);
void conf_free(struct conf *c);

const struct conf_node *conf_root(const struct conf *c);
/* Number of nodes in the tree (for tests and limits). */
size_t conf_node_count(const struct conf *c);

/* Building. file is interned (the tree keeps its own copy); line is 1-based. Errors: ERR_LIMIT
 * (node or name limits), ERR_INVAL (empty name, name containing '.', parent not a section),
 * ERR_NOMEM. With err, a message "FILE:LINE: ..." names the problem. */
const char *conf_intern_file(struct conf *c, const char *file);
/* The subsection `name` of parent, created when absent (an existing one is returned as is). */
int conf_add_section(struct conf *c, struct conf_node *parent, const char *name, const char *file,
		     unsigned line, struct conf_node **out, char *err, size_t errlen);
/* Sets key `name` of parent to value (NULL: empty assignment), replacing an earlier value. */
int conf_set_key(struct conf *c, struct conf_node *parent, const char *name, const char *value,
		 const char *file, unsigned line, char *err, size_t errlen);
/* Records that section sec references the section at absolute path `path`. */
int conf_add_ref(struct conf *c, struct conf_node *sec, const char *path, const char *file,
		 unsigned line, char *err, size_t errlen);
/* Resolves every reference (see above). Errors, with "FILE:LINE:" of the reference: a path that
 * names no section (ERR_NOTFOUND), a loop (ERR_INVAL): a section referencing itself, an
 * ancestor or a descendant (strongSwan 5.9.8 recurses until its stack overflows on each of
 * these), or a cycle through several sections; limits (ERR_LIMIT). Idempotent. */
int conf_resolve(struct conf *c, char *err, size_t errlen);
/* The root as a mutable node, for building. */
struct conf_node *conf_root_mut(struct conf *c);

/* Direct child of a section by name and kind. */
const struct conf_node *conf_child(const struct conf_node *sec, const char *name,
				   enum conf_kind kind);

/* Lookups by path, iteration and paths: cfg/conf_walk.h (included here for every user). */
#include "cfg/conf_walk.h"

#endif
