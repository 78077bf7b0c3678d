#include "cfg/swanctl_ctx.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cfg/conf_value.h"
#include "crypto/x509.h"
#include "lib/err.h"

__attribute__((format(printf, 3, 4))) void
swanctl_bad(struct swanctl_ctx *l, const struct conf_node *n, const char *fmt, ...)
{
	char msg[SWANCTL_MSG_LEN], full[SWANCTL_MSG_LEN + 300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n && n->file)
		snprintf(full, sizeof(full), "%s:%u: %s", n->file, n->line, msg);
	else
		snprintf(full, sizeof(full), "%s", msg);
	l->errors++;
	if (l->report)
		l->report(l->ctx, full);
}

void swanctl_report_name(void *ctx, const struct conf_node *node, const char *msg)
{
	struct swanctl_ctx *l = ctx;
	(void)node;
	l->errors++;
	if (l->report)
		l->report(l->ctx, msg);
}

/* Report a message that already carries FILE:LINE (from the conf_value getters). */
void swanctl_bad_msg(struct swanctl_ctx *l, const char *msg)
{
	l->errors++;
	if (l->report)
		l->report(l->ctx, msg);
}

void swanctl_check_unsupported(struct swanctl_ctx *l, const struct conf_node *sec,
			       const struct swanctl_unsupported *u)
{
	for (; u->key; u++) {
		const struct conf_node *k = conf_child(sec, u->key, CONF_KEY);
		if (!k || !k->value || !*k->value)
			continue;
		if (u->off && strcasecmp(k->value, u->off) == 0)
			continue;
		swanctl_bad(l, k, "'%s = %s' is a strongSwan option Rampart does not support%s%s%s",
			    u->key, k->value, u->off ? " (only '" : "", u->off ? u->off : "",
			    u->off ? "')" : "");
	}
}

/* Names valid at a level = supported keys + the unsupported ones (checked separately). */
void swanctl_check_names(struct swanctl_ctx *l, const struct conf_node *sec,
			 const char *const *keys, const struct swanctl_unsupported *u,
			 const char *const *sections)
{
	const char *names[96];
	size_t n = 0;
	char err[8];

	for (size_t i = 0; keys[i] && n + 1 < sizeof(names) / sizeof(names[0]); i++)
		names[n++] = keys[i];
	for (; u && u->key && n + 1 < sizeof(names) / sizeof(names[0]); u++)
		names[n++] = u->key;
	names[n] = NULL;
	conf_check_names(sec, names, sections, swanctl_report_name, l, err, sizeof(err));
}

const char *swanctl_value(const struct conf_node *sec, const char *key,
			  const struct conf_node **node)
{
	const struct conf_node *k = conf_child(sec, key, CONF_KEY);
	if (node)
		*node = k;
	return k && k->value && *k->value ? k->value : NULL;
}

int swanctl_get_time(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		     uint64_t def, uint32_t *out)
{
	char err[SWANCTL_MSG_LEN];
	uint64_t v;

	if (conf_get_time(sec, key, def, &v, err, sizeof(err))) {
		swanctl_bad_msg(l, err);
		return ERR_INVAL;
	}
	if (v > UINT32_MAX) {
		swanctl_bad(l, conf_child(sec, key, CONF_KEY), "'%s' is too large", key);
		return ERR_INVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int swanctl_get_u64(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		    uint64_t def, uint64_t max, uint64_t *out)
{
	char err[SWANCTL_MSG_LEN];

	if (conf_get_u64(sec, key, def, 0, max, out, err, sizeof(err))) {
		swanctl_bad_msg(l, err);
		return ERR_INVAL;
	}
	return 0;
}

int swanctl_get_bytes(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		      uint64_t def, uint64_t *out)
{
	char err[SWANCTL_MSG_LEN];

	if (conf_get_bytes(sec, key, def, out, err, sizeof(err))) {
		swanctl_bad_msg(l, err);
		return ERR_INVAL;
	}
	return 0;
}

int swanctl_get_bool(struct swanctl_ctx *l, const struct conf_node *sec, const char *key, bool def,
		     bool *out)
{
	char err[SWANCTL_MSG_LEN];

	if (conf_get_bool(sec, key, def, out, err, sizeof(err))) {
		swanctl_bad_msg(l, err);
		return ERR_INVAL;
	}
	return 0;
}

int swanctl_get_choice(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		       const struct swanctl_choice *choices, int def, int *out)
{
	const struct conf_node *k;
	const char *v = swanctl_value(sec, key, &k);
	char list[256] = "";

	if (!v) {
		*out = def;
		return 0;
	}
	for (const struct swanctl_choice *c = choices; c->name; c++) {
		if (strcmp(v, c->name) == 0) {
			*out = c->value;
			return 0;
		}
		size_t o = strlen(list);
		snprintf(list + o, sizeof(list) - o, "%s%s", o ? ", " : "", c->name);
	}
	swanctl_bad(l, k, "invalid value '%s' for '%s': expected one of %s", v, key, list);
	return ERR_INVAL;
}

/* path = dir/sub/name unless name is absolute. */
void swanctl_resolve(const struct swanctl_ctx *l, const char *sub, const char *name, char *out,
		     size_t len)
{
	if (name[0] == '/')
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "%s/%s/%s", l->dir ? l->dir : ".", sub, name);
}

int swanctl_load_cert_file(struct swanctl_ctx *l, const struct conf_node *k, const char *sub,
			   const char *name, struct x509 **out)
{
	char path[PATH_MAX];

	swanctl_resolve(l, sub, name, path, sizeof(path));
	if (x509_load_file(path, out)) {
		swanctl_bad(
		    l, k,
		    "cannot load certificate '%s' (%s): not a readable PEM or DER certificate",
		    name, path);
		return ERR_INVAL;
	}
	return 0;
}
