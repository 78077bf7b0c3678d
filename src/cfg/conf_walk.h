/* Reading a configuration tree (cfg/conf.h): lookups by dotted path, iteration in order of
 * first appearance, a node's path. Read-only; every pointer returned lives as long as the tree.
 * cfg/conf.h includes this header, so users of the tree need only that one.
 */
#ifndef RAMPART_CFG_CONF_WALK_H
#define RAMPART_CFG_CONF_WALK_H

#include <stddef.h>

#include "cfg/conf.h"

/* Walking. Paths are dotted names relative to `from` ("connections.home.children.net");
 * the empty path is `from` itself. NULL when absent. */
const struct conf_node *conf_section(const struct conf_node *from, const char *path);
/* The key at path: sections along the path, the last component a key. */
const struct conf_node *conf_key(const struct conf_node *from, const char *path);
/* The key's value, or def when the key is absent or was cleared ("key ="). */
const char *conf_get(const struct conf_node *from, const char *path, const char *def);

/* Iteration in order of first appearance: all children, or only sections / only keys.
 *   for (n = conf_first(sec); n; n = conf_next(n)) ...
 *   for (s = conf_first_section(sec); s; s = conf_next_section(s)) ... */
const struct conf_node *conf_first(const struct conf_node *sec);
const struct conf_node *conf_next(const struct conf_node *n);
const struct conf_node *conf_first_section(const struct conf_node *sec);
const struct conf_node *conf_next_section(const struct conf_node *n);
const struct conf_node *conf_first_key(const struct conf_node *sec);
const struct conf_node *conf_next_key(const struct conf_node *n);

/* Dotted path of a node from the root ("connections.home"; "" for the root) into buf;
 * returns buf, truncated to fit. */
const char *conf_node_path(const struct conf_node *n, char *buf, size_t len);

#endif
