#include "cfg/conf_walk.h"

#include <stdio.h>
#include <string.h>

const struct conf_node *conf_section(const struct conf_node *from, const char *path)
{
	char name[CONF_MAX_NAME + 1];
	const struct conf_node *n = from;

	if (!from || !path || from->kind != CONF_SECTION)
		return NULL;
	while (*path) {
		const char *dot = strchr(path, '.');
		size_t len = dot ? (size_t)(dot - path) : strlen(path);

		if (!len || len > CONF_MAX_NAME)
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		n = conf_child(n, name, CONF_SECTION);
		if (!n)
			return NULL;
		path += len;
		if (*path == '.' && !*++path)
			return NULL; /* trailing '.' */
	}
	return n;
}

const struct conf_node *conf_key(const struct conf_node *from, const char *path)
{
	char sec[CONF_MAX_PATH];
	const char *dot;
	const struct conf_node *s = from;

	if (!path)
		return NULL;
	dot = strrchr(path, '.');
	if (dot) {
		size_t len = (size_t)(dot - path);

		if (len >= sizeof(sec))
			return NULL;
		memcpy(sec, path, len);
		sec[len] = '\0';
		s = conf_section(from, sec);
		path = dot + 1;
	}
	return conf_child(s, path, CONF_KEY);
}

const char *conf_get(const struct conf_node *from, const char *path, const char *def)
{
	const struct conf_node *k = conf_key(from, path);

	return k && k->value ? k->value : def;
}

const struct conf_node *conf_first(const struct conf_node *sec)
{
	return sec && sec->kind == CONF_SECTION ? sec->first : NULL;
}

const struct conf_node *conf_next(const struct conf_node *n)
{
	return n ? n->next : NULL;
}

static const struct conf_node *skip_to(const struct conf_node *n, enum conf_kind kind)
{
	while (n && n->kind != kind)
		n = n->next;
	return n;
}

const struct conf_node *conf_first_section(const struct conf_node *sec)
{
	return skip_to(conf_first(sec), CONF_SECTION);
}

const struct conf_node *conf_next_section(const struct conf_node *n)
{
	return skip_to(conf_next(n), CONF_SECTION);
}

const struct conf_node *conf_first_key(const struct conf_node *sec)
{
	return skip_to(conf_first(sec), CONF_KEY);
}

const struct conf_node *conf_next_key(const struct conf_node *n)
{
	return skip_to(conf_next(n), CONF_KEY);
}

const char *conf_node_path(const struct conf_node *n, char *buf, size_t len)
{
	const struct conf_node *chain[CONF_MAX_DEPTH * (CONF_MAX_REF_DEPTH + 1)];
	size_t depth = 0, off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (; n && n->parent && depth < sizeof(chain) / sizeof(chain[0]); n = n->parent)
		chain[depth++] = n;
	while (depth-- > 0) {
		int w = snprintf(buf + off, len - off, "%s%s", off ? "." : "", chain[depth]->name);

		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
	return buf;
}
