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

static int key_nid(const char *key)
{
	if (strcmp(key, "E") == 0 || strcasecmp(key, "email") == 0)
		return NID_pkcs9_emailAddress;
	return OBJ_txt2nid(key);
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
		int nid;
		err = next_rdn(text, &pos, key, val);
		if (err)
			goto out;
		err = ERR_INVAL;
		nid = key_nid(key);
		if (nid == NID_undef)
			goto out;
		if (!X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8, (unsigned char *)val, -1,
						-1, 0))
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

int dn_to_text(const uint8_t *der, size_t len, char *buf, size_t size)
{
	const unsigned long flags = XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_ESC_2253 |
				    ASN1_STRFLGS_ESC_CTRL | ASN1_STRFLGS_UTF8_CONVERT;
	X509_NAME *name = name_from_der(der, len);
	BIO *bio = NULL;
	char *p = NULL;
	long n;
	int err = ERR_INVAL;

	if (size)
		buf[0] = 0;
	if (!name)
		goto out;
	err = ERR_NOMEM;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		goto out;
	err = ERR_INVAL;
	if (X509_NAME_print_ex(bio, name, 0, flags) < 0)
		goto out;
	n = BIO_get_mem_data(bio, &p);
	if (n < 0)
		goto out;
	err = ERR_NOSPACE;
	if (size == 0)
		goto out;
	if ((size_t)n >= size) {
		memcpy(buf, p, size - 1);
		buf[size - 1] = 0;
		goto out;
	}
	if (n > 0)
		memcpy(buf, p, (size_t)n);
	buf[n] = 0;
	err = 0;
out:
	BIO_free(bio);
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
