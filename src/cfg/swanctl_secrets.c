#include "cfg/swanctl_secrets.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg/conf_value.h"
#include "cfg/swanctl_ctx.h"
#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "lib/err.h"

/* ---- secrets and authorities ------------------------------------------------------------ */

static int b64val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int swanctl_secret_value(const char *text, struct secret **out)
{
	size_t len = strlen(text), n = 0;
	struct secret *s = NULL;
	int rc = ERR_INVAL;

	if (len > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		const char *h = text + 2;
		size_t hl = len - 2;
		if (hl % 2)
			goto out;
		s = secret_new(NULL, hl / 2);
		if (!s)
			return ERR_NOMEM;
		for (size_t i = 0; i < hl / 2; i++) {
			int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
			if (hi < 0 || lo < 0)
				goto out;
			s->p[i] = (uint8_t)(hi << 4 | lo);
		}
	} else if (len > 2 && text[0] == '0' && text[1] == 's') {
		const char *b = text + 2;
		uint32_t acc = 0;
		int bits = 0;
		size_t bl = len - 2;

		s = secret_new(NULL, bl * 3 / 4 + 1);
		if (!s)
			return ERR_NOMEM;
		for (size_t i = 0; i < bl; i++) {
			if (b[i] == '=') {
				for (size_t j = i; j < bl; j++)
					if (b[j] != '=')
						goto out;
				break;
			}
			int v = b64val(b[i]);
			if (v < 0)
				goto out;
			acc = acc << 6 | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				s->p[n++] = (uint8_t)(acc >> bits);
			}
		}
		s->len = n; /* the tail beyond n was zero-filled and is wiped on free */
		if (n == 0)
			goto out;
	} else {
		s = secret_new(text, len);
		if (!s)
			return ERR_NOMEM;
	}
	*out = s;
	s = NULL;
	rc = 0;
out:
	secret_free(s);
	return rc;
}

static void load_ike_secret(struct swanctl_ctx *l, const struct conf_node *sec)
{
	struct conn_id owners[CONN_MAX_PSK_OWNERS];
	size_t nowners = 0;
	const struct conf_node *k;
	const char *v;
	struct secret *key = NULL;
	char err[256];

	for (const struct conf_node *n = conf_first_key(sec); n; n = conf_next_key(n)) {
		if (strcmp(n->name, "secret") == 0)
			continue;
		if (strcmp(n->name, "id") != 0 && strncmp(n->name, "id-", 3) != 0) {
			static const char *const keys[] = {"id", "secret", NULL};
			const char *hint = conf_suggest(n->name, keys);
			swanctl_bad(l, n, "unknown key '%s' in secret '%s'%s%s%s", n->name,
				    sec->name,
				    hint ? ", did you mean '" : " (expected id, id-NAME or secret)",
				    hint ? hint : "", hint ? "'?" : "");
			continue;
		}
		if (!n->value || !*n->value)
			continue;
		if (nowners == CONN_MAX_PSK_OWNERS) {
			swanctl_bad(l, n, "more than %d identities for secret '%s'",
				    CONN_MAX_PSK_OWNERS, sec->name);
			break;
		}
		if (conn_id_parse(n->value, &owners[nowners], err, sizeof(err))) {
			swanctl_bad(l, n, "invalid id '%s': %s", n->value, err);
			continue;
		}
		nowners++;
	}
	if (conf_first_section(sec))
		swanctl_bad(l, conf_first_section(sec), "unexpected section '%s' in secret '%s'",
			    conf_first_section(sec)->name, sec->name);
	v = swanctl_value(sec, "secret", &k);
	if (!v) {
		swanctl_bad(l, sec, "secret '%s' has no 'secret = ...'", sec->name);
		return;
	}
	if (swanctl_secret_value(v, &key)) {
		swanctl_bad(l, k, "invalid secret in '%s': expected text, 0x<hex> or 0s<base64>",
			    sec->name);
		return;
	}
	if (conn_secrets_add_psk(l->cfg->secrets, key->p, key->len, owners, nowners))
		swanctl_bad(l, sec, "cannot add secret '%s' (too many secrets or empty key)",
			    sec->name);
	secret_free(key);
}

static void load_private_secret(struct swanctl_ctx *l, const struct conf_node *sec, const char *sub)
{
	const struct conf_node *k;
	const char *file = swanctl_value(sec, "file", &k);
	const char *pass = swanctl_value(sec, "secret", NULL);
	char path[PATH_MAX];
	struct pkey *key = NULL;

	for (const struct conf_node *n = conf_first(sec); n; n = conf_next(n)) {
		if (n->kind == CONF_KEY &&
		    (strcmp(n->name, "file") == 0 || strcmp(n->name, "secret") == 0))
			continue;
		swanctl_bad(l, n, "unknown %s '%s' in secret '%s' (expected file and secret)",
			    n->kind == CONF_KEY ? "key" : "section", n->name, sec->name);
	}
	if (!file) {
		swanctl_bad(l, sec, "secret '%s' has no 'file = ...'", sec->name);
		return;
	}
	swanctl_resolve(l, sub, file, path, sizeof(path));
	if (pkey_load_private_file(path, pass, &key)) {
		swanctl_bad(l, k, "cannot load private key '%s' (%s)%s", file, path,
			    pass ? "" : ": unreadable, not a key, or encrypted without 'secret'");
		return;
	}
	if (conn_secrets_add_key(l->cfg->secrets, key)) {
		swanctl_bad(l, sec, "cannot add private key '%s'", file);
		pkey_free(key);
	}
}

void swanctl_load_secrets(struct swanctl_ctx *l, const struct conf_node *sec)
{
	static const struct {
		const char *prefix;
		const char *dir; /* private key directory, NULL: IKE secret */
	} kinds[] = {
	    {"ike", NULL},	{"private", "private"}, {"rsa", "rsa"},
	    {"ecdsa", "ecdsa"}, {"pkcs8", "pkcs8"},	{NULL, NULL},
	};
	static const char *const other[] = {"eap", "xauth", "ntlm", "ppk", "pkcs12", "token", NULL};

	if (conf_first_key(sec))
		swanctl_bad(l, conf_first_key(sec), "'%s' in 'secrets' must be a section",
			    conf_first_key(sec)->name);
	for (const struct conf_node *s = conf_first_section(sec); s; s = conf_next_section(s)) {
		bool done = false;
		for (size_t i = 0; kinds[i].prefix && !done; i++) {
			size_t pl = strlen(kinds[i].prefix);
			if (strncmp(s->name, kinds[i].prefix, pl) != 0)
				continue;
			done = true;
			if (kinds[i].dir)
				load_private_secret(l, s, kinds[i].dir);
			else
				load_ike_secret(l, s);
		}
		for (size_t i = 0; other[i] && !done; i++) {
			if (strncmp(s->name, other[i], strlen(other[i])) == 0) {
				swanctl_bad(l, s, "%s secrets are not supported by Rampart yet",
					    other[i]);
				done = true;
			}
		}
		if (!done)
			swanctl_bad(
			    l, s,
			    "unknown secret type '%s': a secret's name starts with ike, private, "
			    "rsa, ecdsa or pkcs8",
			    s->name);
	}
}

static void add_ca(struct swanctl_ctx *l, const struct conf_node *k, struct x509 *ca)
{
	if (conn_secrets_add_ca(l->cfg->secrets, ca))
		swanctl_bad(l, k, "cannot add CA certificate");
	x509_free(ca);
}

void swanctl_load_authorities(struct swanctl_ctx *l, const struct conf_node *sec)
{
	static const char *const keys[] = {"cacert",	"file",		 "crl_uris",
					   "ocsp_uris", "cert_uri_base", NULL};

	for (const struct conf_node *s = conf_first_section(sec); s; s = conf_next_section(s)) {
		const struct conf_node *k;
		const char *v;
		struct x509 *ca = NULL;
		char err[8];

		conf_check_names(s, keys, NULL, swanctl_report_name, l, err, sizeof(err));
		v = swanctl_value(s, "cacert", &k);
		if (!v)
			v = swanctl_value(s, "file", &k);
		if (!v) {
			swanctl_bad(l, s, "authority '%s' has no 'cacert = ...'", s->name);
			continue;
		}
		if (swanctl_load_cert_file(l, k, "x509ca", v, &ca) == 0)
			add_ca(l, k, ca);
	}
}

/* As swanctl --load-all: every file in DIR/x509ca is a trust anchor, every file in
 * DIR/{private,rsa,ecdsa,pkcs8} a private key (unencrypted ones; encrypted keys need a
 * private-NAME secret). Unreadable files are reported. */
void swanctl_load_dir(struct swanctl_ctx *l, const char *sub, bool keys)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s/%s", l->dir ? l->dir : ".", sub);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char file[PATH_MAX + 256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
		if (keys) {
			struct pkey *k = NULL;
			if (pkey_load_private_file(file, NULL, &k))
				continue; /* encrypted: a private-NAME secret names it */
			if (conn_secrets_find_key(l->cfg->secrets, k) ||
			    conn_secrets_add_key(l->cfg->secrets, k))
				pkey_free(k);
		} else {
			struct x509 *c = NULL;
			if (x509_load_file(file, &c)) {
				swanctl_bad(l, NULL, "%s: not a readable certificate", file);
				continue;
			}
			add_ca(l, NULL, c);
		}
	}
	closedir(d);
}
