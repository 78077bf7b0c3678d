#include "daemon/config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/conf.h"
#include "cfg/conf_parse.h"
#include "cfg/conf_value.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/secret.h"

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
	c->retransmit_timeout_ms = IKE_RETRANSMIT_TIMEOUT;
	c->retransmit_base_x10 = IKE_RETRANSMIT_BASE_X10;
	c->retransmit_tries = IKE_RETRANSMIT_TRIES;
	c->keep_alive_s = IKE_KEEPALIVE_MS / 1000;
	c->log_default = -1;
	memset(c->log_level, -1, sizeof(c->log_level));
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

struct parse {
	struct daemon_config *c;
	char *err;
	size_t err_size;
	const struct conf_node *node; /* the key being applied, for FILE:LINE */
};

__attribute__((format(printf, 2, 3))) static int perr(struct parse *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->err_size, "%s:%u: %s", p->node->file ? p->node->file : "?",
		 p->node->line, msg);
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

/* A decimal number such as "1.8" or "4" (at most `digits` fractional digits) times 10^digits,
 * at most max. */
static int parse_fixed(const char *s, unsigned digits, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	unsigned frac = 0;
	bool dot = false, any = false;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9' || (dot && frac == digits))
			return ERR_INVAL;
		if (v > (max + 9) / 10)
			return ERR_INVAL;
		v = v * 10 + (unsigned long)(*s - '0');
		any = true;
		if (dot)
			frac++;
	}
	for (; frac < digits; frac++)
		v *= 10;
	if (!any || v > max)
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
	e->line = p->node->line;
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
	} else if (strcmp(key, "retransmit_timeout") == 0) {
		if (parse_fixed(val, 3, 600000, &v) || v < 100)
			return perr(
			    p, "retransmit_timeout: expected seconds from 0.1 to 600, got \"%s\"",
			    val);
		c->retransmit_timeout_ms = (uint32_t)v;
	} else if (strcmp(key, "retransmit_base") == 0) {
		if (parse_fixed(val, 1, 100, &v) || v < 10)
			return perr(
			    p, "retransmit_base: expected a factor from 1.0 to 10.0, got \"%s\"",
			    val);
		c->retransmit_base_x10 = (unsigned)v;
	} else if (strcmp(key, "retransmit_tries") == 0) {
		if (parse_uint(val, IKE_RETRANSMIT_TRIES_MAX, &v))
			return perr(p,
				    "retransmit_tries: expected a number from 0 to %d, got \"%s\"",
				    IKE_RETRANSMIT_TRIES_MAX, val);
		c->retransmit_tries = (unsigned)v;
	} else if (strcmp(key, "keep_alive") == 0) {
		/* strongSwan's charon.keep_alive: seconds ("20" or "20s"), 0 disables */
		char num[16];
		size_t n = strlen(val);
		if (n && n < sizeof(num) && val[n - 1] == 's')
			n--;
		if (n == 0 || n >= sizeof(num))
			return perr(p, "keep_alive: expected seconds from 0 to 3600, got \"%s\"",
				    val);
		memcpy(num, val, n);
		num[n] = 0;
		if (parse_uint(num, 3600, &v))
			return perr(p, "keep_alive: expected seconds from 0 to 3600, got \"%s\"",
				    val);
		c->keep_alive_s = (uint32_t)v;
	} else {
		return perr(p, "unknown setting \"%s\" in rampart", key);
	}
	return 0;
}

static const char *const rampart_keys[] = {"control",
					   "tun",
					   "mtu",
					   "workers",
					   "table",
					   "fwmark",
					   "offload",
					   "retransmit_timeout",
					   "retransmit_base",
					   "retransmit_tries",
					   "keep_alive",
					   NULL};
static const char *const rampart_sections[] = {"xfrm", "log", NULL};
static const char *const log_keys[] = {"default", "lib", "crypto", "wire", "ike",
				       "esp",	  "cfg", "daemon", "ctl",  NULL};
static const char *const xfrm_keys[] = {"state-*", "policy-*", NULL};
static const char *const no_names[] = {NULL};

/* Applies the rampart section of a parsed tree. */
static int apply(struct parse *p, const struct conf_node *root)
{
	const struct conf_node *sec = conf_section(root, "rampart"), *x, *k;
	char msg[CONF_ERR_LEN];
	int r;

	if (!sec)
		return 0;
	if (conf_check_names(sec, rampart_keys, rampart_sections, NULL, NULL, msg, sizeof(msg))) {
		snprintf(p->err, p->err_size, "%s", msg);
		return ERR_INVAL;
	}
	for (k = conf_first_key(sec); k; k = conf_next_key(k)) {
		p->node = k;
		if (!k->value)
			continue; /* "key =": the default */
		if ((r = set_key(p, k->name, k->value)))
			return r;
	}
	x = conf_section(sec, "log");
	if (x && conf_check_names(x, log_keys, no_names, NULL, NULL, msg, sizeof(msg))) {
		snprintf(p->err, p->err_size, "%s", msg);
		return ERR_INVAL;
	}
	for (k = x ? conf_first_key(x) : NULL; k; k = conf_next_key(k)) {
		enum log_level lvl;
		enum log_subsys ss;
		p->node = k;
		if (!k->value)
			continue;
		if (log_level_parse(k->value, &lvl))
			return perr(p, "log.%s: expected error, warn, info or debug, got \"%s\"",
				    k->name, k->value);
		if (strcmp(k->name, "default") == 0)
			p->c->log_default = (int8_t)lvl;
		else if (log_subsys_parse(k->name, &ss) == 0)
			p->c->log_level[ss] = (int8_t)lvl;
	}
	x = conf_section(sec, "xfrm");
	if (!x)
		return 0;
	if (conf_check_names(x, xfrm_keys, no_names, NULL, NULL, msg, sizeof(msg))) {
		snprintf(p->err, p->err_size, "%s", msg);
		return ERR_INVAL;
	}
	for (k = conf_first_key(x); k; k = conf_next_key(k)) {
		p->node = k;
		if ((r = set_xfrm(p, k->name, k->value ? k->value : "")))
			return r;
	}
	return 0;
}

static int parse_tree(struct daemon_config *c, struct conf *tree, char *err, size_t err_size)
{
	struct parse p;
	int r;

	memset(&p, 0, sizeof(p));
	p.c = c;
	p.err = err;
	p.err_size = err_size;
	r = apply(&p, conf_root(tree));
	if (r) {
		config_cleanup(c);
		config_defaults(c);
	}
	return r;
}

int config_parse(struct daemon_config *c, const char *name, const char *text, size_t len, char *err,
		 size_t err_size)
{
	struct conf *tree = NULL;
	int r;

	config_defaults(c);
	r = conf_parse_string(name, text, len, CONF_PARSE_NO_INCLUDE, &tree, err, err_size);
	if (!r)
		r = parse_tree(c, tree, err, err_size);
	conf_free(tree);
	return r;
}

int config_load(struct daemon_config *c, const char *path, char *err, size_t err_size)
{
	struct conf *tree = NULL;
	int r;

	config_defaults(c);
	r = conf_parse_file(path, 0, &tree, err, err_size);
	if (!r)
		r = parse_tree(c, tree, err, err_size);
	if (!r)
		snprintf(c->path, sizeof(c->path), "%s", path);
	conf_free(tree);
	return r;
}

void config_apply_log(const struct daemon_config *c, uint32_t debug_mask)
{
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++) {
		int lvl = c->log_level[i] >= 0	? c->log_level[i]
			  : c->log_default >= 0 ? c->log_default
						: LOG_LVL_INFO;
		if (debug_mask & (1u << i))
			lvl = LOG_LVL_DEBUG;
		log_set_level((enum log_subsys)i, (enum log_level)lvl);
	}
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
