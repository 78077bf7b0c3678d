/* Distinguished names over OpenSSL X509_NAME (see dn.h for the contract). */
#include "crypto/dn.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "lib/err.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* One KEY=value element out of text at *pos (up to an unescaped ',' or the end). The key and
 * the unescaped value go to key/val (NUL-terminated, both at most DN_TEXT_MAX + 1 bytes). */
static int next_rdn(const char *text, size_t *pos, char *key, char *val)
{
	size_t i = *pos, k = 0, v = 0, vend = 0;
	bool in_val = false;

	while (is_space(text[i]))
		i++;
	for (; text[i] && text[i] != ','; i++) {
		char c = text[i];
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return ERR_INVAL; /* control characters */
		if (!in_val) {
			if (c == '=') {
				in_val = true;
				continue;
			}
			if (c == '\\')
				return ERR_INVAL;
			key[k++] = c;
			continue;
		}
		if (c == '\\') {
			if ((unsigned char)text[i + 1] < 0x20 || text[i + 1] == 0x7f)
				return ERR_INVAL;
			c = text[++i];
			val[v++] = c;
			vend = v; /* escaped characters are kept, spaces included */
			continue;
		}
		if (v == 0 && is_space(c))
			continue;
		val[v++] = c;
		if (!is_space(c))
			vend = v;
	}
	while (k > 0 && is_space(key[k - 1]))
		k--;
	key[k] = 0;
	val[vend] = 0;
	if (!in_val || k == 0 || vend == 0)
		return ERR_INVAL;
	if (text[i] == ',')
		i++;
	*pos = i;
	return 0;
}

/* One attribute, with strongSwan's choice of string type: PrintableString when every
 * character allows it, UTF8String otherwise; IA5String for emailAddress and domainComponent.
 * Size limits (countryName: exactly 2) and allowed types come from OpenSSL's string table. */
static int add_entry(X509_NAME *name, const char *key, const char *val)
{
	unsigned long mask = B_ASN1_PRINTABLESTRING | B_ASN1_UTF8STRING;
	const ASN1_STRING_TABLE *tbl;
	ASN1_STRING *str = NULL;
	ASN1_OBJECT *obj;
	long minsize = 0, maxsize = 0;
	int nid, ok = 0;

	if (strcmp(key, "E") == 0 || strcasecmp(key, "email") == 0)
		obj = OBJ_txt2obj("emailAddress", 0);
	else
		obj = OBJ_txt2obj(key, 0); /* short or long name, or dotted OID */
	if (!obj)
		return ERR_INVAL;
	nid = OBJ_obj2nid(obj);
	if (nid == NID_pkcs9_emailAddress || nid == NID_domainComponent)
		mask = B_ASN1_IA5STRING | B_ASN1_UTF8STRING;
	tbl = nid != NID_undef ? ASN1_STRING_TABLE_get(nid) : NULL;
	if (tbl) {
		mask = (tbl->mask & mask) ? (tbl->mask & mask) : tbl->mask;
		minsize = tbl->minsize > 0 ? tbl->minsize : 0;
		maxsize = tbl->maxsize > 0 ? tbl->maxsize : 0;
	}
	if (ASN1_mbstring_ncopy(&str, (const unsigned char *)val, -1, MBSTRING_UTF8, mask, minsize,
				maxsize) > 0)
		ok = X509_NAME_add_entry_by_OBJ(name, obj, ASN1_STRING_type(str),
						ASN1_STRING_get0_data(str), ASN1_STRING_length(str),
						-1, 0);
	ASN1_STRING_free(str);
	ASN1_OBJECT_free(obj);
	return ok ? 0 : ERR_INVAL;
}

int dn_from_text(const char *text, uint8_t **der, size_t *len)
{
	X509_NAME *name = X509_NAME_new();
	char *key = NULL, *val = NULL;
	unsigned char *buf = NULL;
	size_t pos = 0, tlen;
	int n, err = ERR_NOMEM;

	if (!name)
		goto out;
	err = ERR_INVAL;
	if (!text)
		goto out;
	tlen = strlen(text);
	if (tlen == 0 || tlen > DN_TEXT_MAX)
		goto out;
	err = ERR_NOMEM;
	key = malloc(tlen + 1);
	val = malloc(tlen + 1);
	if (!key || !val)
		goto out;
	while (text[pos]) {
		err = next_rdn(text, &pos, key, val);
		if (!err)
			err = add_entry(name, key, val);
		if (err)
			goto out;
		while (is_space(text[pos]))
			pos++;
	}
	err = ERR_INVAL;
	if (X509_NAME_entry_count(name) == 0)
		goto out;
	n = i2d_X509_NAME(name, &buf);
	if (n <= 0)
		goto out;
	err = ERR_NOMEM;
	*der = malloc((size_t)n);
	if (!*der)
		goto out;
	memcpy(*der, buf, (size_t)n);
	*len = (size_t)n;
	err = 0;
out:
	if (err)
		ERR_clear_error();
	OPENSSL_free(buf);
	free(key);
	free(val);
	X509_NAME_free(name);
	return err;
}

/* Exactly one DER Name, or NULL. */
static X509_NAME *name_from_der(const uint8_t *der, size_t len)
{
	const unsigned char *p = der;
	X509_NAME *name;

	if (!der || len == 0 || len > DN_DER_MAX)
		return NULL;
	name = d2i_X509_NAME(NULL, &p, (long)len);
	if (name && p != der + len) {
		X509_NAME_free(name);
		name = NULL;
	}
	if (!name)
		ERR_clear_error();
	return name;
}

/* Appends to a bounded text buffer, remembering truncation. */
struct text {
	char *buf;
	size_t size, len;
	bool truncated;
};

static void put(struct text *t, const char *p, size_t n)
{
	if (t->len + 1 >= t->size) {
		t->truncated = t->truncated || n > 0;
		return;
	}
	size_t room = t->size - 1 - t->len;
	if (n > room) {
		n = room;
		t->truncated = true;
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
	t->buf[t->len] = 0;
}

/* A value, escaped so that dn_from_text reads it back: ',' and '\\' always, spaces at either
 * end; control characters become '?'. */
static void put_value(struct text *t, const unsigned char *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = (char)v[i];
		if (c == ',' || c == '\\' || (c == ' ' && (i == 0 || i == n - 1)))
			put(t, "\\", 1);
		if (v[i] < 0x20 || v[i] == 0x7f)
			c = '?';
		put(t, &c, 1);
	}
}

static void put_entry(struct text *t, const X509_NAME_ENTRY *e)
{
	const ASN1_OBJECT *obj = X509_NAME_ENTRY_get_object(e);
	const ASN1_STRING *d = X509_NAME_ENTRY_get_data(e);
	int nid = OBJ_obj2nid(obj);
	unsigned char *utf8 = NULL;
	char oid[256];
	int n;

	if (nid == NID_pkcs9_emailAddress) {
		put(t, "E", 1);
	} else if (nid != NID_undef && OBJ_nid2sn(nid)) {
		put(t, OBJ_nid2sn(nid), strlen(OBJ_nid2sn(nid)));
	} else {
		n = OBJ_obj2txt(oid, sizeof(oid), obj, 1);
		if (n <= 0 || (size_t)n >= sizeof(oid))
			t->truncated = true; /* a partial OID would read back as another name */
		else
			put(t, oid, (size_t)n);
	}
	put(t, "=", 1);
	n = ASN1_STRING_to_UTF8(&utf8, d);
	if (n >= 0) {
		put_value(t, utf8, (size_t)n);
	} else {
		/* not a character string: RFC 4514 "#" and the hex of the value's content */
		static const char hex[] = "0123456789abcdef";
		const unsigned char *p = ASN1_STRING_get0_data(d);
		put(t, "#", 1);
		for (int i = 0; i < ASN1_STRING_length(d); i++) {
			put(t, &hex[p[i] >> 4], 1);
			put(t, &hex[p[i] & 15], 1);
		}
	}
	OPENSSL_free(utf8);
}

int dn_to_text(const uint8_t *der, size_t len, char *buf, size_t size)
{
	X509_NAME *name = name_from_der(der, len);
	struct text t = {buf, size, 0, false};
	int err = ERR_INVAL;

	if (size)
		buf[0] = 0;
	if (!name)
		goto out;
	for (int i = 0; i < X509_NAME_entry_count(name); i++) {
		if (i > 0)
			put(&t, ", ", 2);
		put_entry(&t, X509_NAME_get_entry(name, i));
	}
	err = t.truncated || size == 0 ? ERR_NOSPACE : 0;
out:
	ERR_clear_error();
	X509_NAME_free(name);
	return err;
}

bool dn_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	X509_NAME *na = name_from_der(a, alen), *nb = NULL;
	bool eq = false;

	if (!na)
		goto out;
	if (alen == blen && memcmp(a, b, alen) == 0) {
		eq = true;
		goto out;
	}
	nb = name_from_der(b, blen);
	eq = nb && X509_NAME_cmp(na, nb) == 0;
out:
	X509_NAME_free(na);
	X509_NAME_free(nb);
	return eq;
}
