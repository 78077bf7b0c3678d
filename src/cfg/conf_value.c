#include "cfg/conf_value.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/err.h"

/* Names longer than this are never compared for suggestions. */
#define SUGGEST_MAX_LEN 64
/* Longest value quoted back in an error message. */
#define ECHO_MAX 60

static void node_msg(char *err, size_t errlen, const struct conf_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void node_msg(char *err, size_t errlen, const struct conf_node *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (!err || !errlen)
		return;
	w = snprintf(err, errlen, "%s:%u: ", n->file ? n->file : "(config)", n->line);
	if (w < 0 || (size_t)w >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + w, errlen - (size_t)w, fmt, ap);
	va_end(ap);
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

int conf_value_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"yes", "true", "enabled", "1"};
	static const char *const no[] = {"no", "false", "disabled", "0"};
	char w[16];
	size_t n;

	if (!s)
		return ERR_INVAL;
	s = skip_blanks(s);
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= sizeof(w))
		return ERR_INVAL;
	memcpy(w, s, n);
	w[n] = '\0';
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcasecmp(w, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(w, no[i])) {
			*out = false;
			return 0;
		}
	}
	return ERR_INVAL;
}

/* Integer at *s (decimal or 0x hex), advancing *s past it. */
static int scan_u64(const char **s, uint64_t *out)
{
	const char *p = skip_blanks(*s);
	uint64_t v = 0;
	unsigned base = 10, digits = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (;; p++, digits++) {
		unsigned d;

		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return ERR_INVAL; /* overflow */
		v = v * base + d;
	}
	if (!digits)
		return ERR_INVAL;
	*s = p;
	*out = v;
	return 0;
}

int conf_value_u64(const char *s, uint64_t *out)
{
	uint64_t v;

	if (!s || scan_u64(&s, &v) || *skip_blanks(s))
		return ERR_INVAL;
	*out = v;
	return 0;
}

/* Integer with an optional one-letter unit from units (lowercase) scaled by mult[]. */
static int scaled(const char *s, const char *units, const uint64_t *mult, uint64_t *out)
{
	const char *u;
	uint64_t v, m = 1;

	if (!s || scan_u64(&s, &v))
		return ERR_INVAL;
	s = skip_blanks(s);
	if (*s) {
		char ch = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);

		u = strchr(units, ch);
		if (!u || !ch)
			return ERR_INVAL;
		m = mult[u - units];
		if (*skip_blanks(s + 1))
			return ERR_INVAL;
	}
	if (v && m > UINT64_MAX / v)
		return ERR_INVAL;
	*out = v * m;
	return 0;
}

int conf_value_time(const char *s, uint64_t *seconds)
{
	static const uint64_t mult[] = {1, 60, 3600, 86400};

	return scaled(s, "smhd", mult, seconds);
}

int conf_value_bytes(const char *s, uint64_t *out)
{
	static const uint64_t mult[] = {1ULL << 10, 1ULL << 20, 1ULL << 30};

	return scaled(s, "kmg", mult, out);
}

int conf_list_next(const char **cursor, char *item, size_t len)
{
	const char *s = *cursor, *end;
	size_t n;

	if (!*s)
		return 0;
	end = strchr(s, ',');
	if (!end)
		end = s + strlen(s);
	s = skip_blanks(s);
	n = (size_t)(end - s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (!n)
		return ERR_INVAL;
	if (n >= len)
		return ERR_NOSPACE;
	/* "a," has an empty last item */
	if (*end == ',' && !*skip_blanks(end + 1))
		return ERR_INVAL;
	memcpy(item, s, n);
	item[n] = '\0';
	*cursor = *end ? end + 1 : end;
	return 1;
}

/* The key node and its value; NULL value (absent or cleared) means "use the default". */
static const struct conf_node *get_key(const struct conf_node *sec, const char *path)
{
	const struct conf_node *k = conf_key(sec, path);

	return k && k->value ? k : NULL;
}

int conf_get_bool(const struct conf_node *sec, const char *path, bool def, bool *out, char *err,
		  size_t errlen)
{
	const struct conf_node *k = get_key(sec, path);

	if (!k) {
		*out = def;
		return 0;
	}
	if (conf_value_bool(k->value, out)) {
		node_msg(err, errlen, k, "%s: '%.*s' is not a boolean, expected yes or no", k->name,
			 ECHO_MAX, k->value);
		return ERR_INVAL;
	}
	return 0;
}

int conf_get_u64(const struct conf_node *sec, const char *path, uint64_t def, uint64_t min,
		 uint64_t max, uint64_t *out, char *err, size_t errlen)
{
	const struct conf_node *k = get_key(sec, path);
	uint64_t v;

	if (!k) {
		*out = def;
		return 0;
	}
	if (conf_value_u64(k->value, &v)) {
		node_msg(err, errlen, k, "%s: '%.*s' is not a number, expected an integer", k->name,
			 ECHO_MAX, k->value);
		return ERR_INVAL;
	}
	if (v < min || v > max) {
		node_msg(err, errlen, k, "%s: %llu is out of range, expected %llu to %llu", k->name,
			 (unsigned long long)v, (unsigned long long)min, (unsigned long long)max);
		return ERR_INVAL;
	}
	*out = v;
	return 0;
}

int conf_get_time(const struct conf_node *sec, const char *path, uint64_t def, uint64_t *out,
		  char *err, size_t errlen)
{
	const struct conf_node *k = get_key(sec, path);

	if (!k) {
		*out = def;
		return 0;
	}
	if (conf_value_time(k->value, out)) {
		node_msg(err, errlen, k,
			 "%s: '%.*s' is not a time, expected a number with an optional unit "
			 "s, m, h or d",
			 k->name, ECHO_MAX, k->value);
		return ERR_INVAL;
	}
	return 0;
}

int conf_get_bytes(const struct conf_node *sec, const char *path, uint64_t def, uint64_t *out,
		   char *err, size_t errlen)
{
	const struct conf_node *k = get_key(sec, path);

	if (!k) {
		*out = def;
		return 0;
	}
	if (conf_value_bytes(k->value, out)) {
		node_msg(err, errlen, k,
			 "%s: '%.*s' is not a byte count, expected a number with an optional "
			 "unit k, m or g",
			 k->name, ECHO_MAX, k->value);
		return ERR_INVAL;
	}
	return 0;
}

unsigned conf_edit_distance(const char *a, const char *b)
{
	/* rows i-2, i-1, i of the optimal string alignment matrix */
	unsigned r0[SUGGEST_MAX_LEN + 1], r1[SUGGEST_MAX_LEN + 1], r2[SUGGEST_MAX_LEN + 1];
	unsigned *pp = r0, *p = r1, *c = r2, *t;
	size_t n = strlen(a), m = strlen(b);

	if (n > SUGGEST_MAX_LEN || m > SUGGEST_MAX_LEN)
		return 255;
	for (size_t j = 0; j <= m; j++)
		p[j] = (unsigned)j;
	for (size_t i = 1; i <= n; i++) {
		c[0] = (unsigned)i;
		for (size_t j = 1; j <= m; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = p[j] + 1;

			if (c[j - 1] + 1 < v)
				v = c[j - 1] + 1;
			if (p[j - 1] + cost < v)
				v = p[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			c[j] = v;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[m] > 255 ? 255 : p[m];
}

const char *conf_suggest(const char *name, const char *const *candidates)
{
	const char *best = NULL;
	unsigned best_d = 1 + (unsigned)(strlen(name) / 3) + 1;

	if (!candidates)
		return NULL;
	for (size_t i = 0; candidates[i]; i++) {
		char cand[SUGGEST_MAX_LEN + 1];
		size_t n = strlen(candidates[i]);
		unsigned d;

		if (n > SUGGEST_MAX_LEN)
			continue;
		memcpy(cand, candidates[i], n + 1);
		if (n && cand[n - 1] == '*')
			cand[n - 1] = '\0'; /* suggest the prefix itself */
		d = conf_edit_distance(name, cand);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best;
}

static bool name_known(const char *name, const char *const *valid)
{
	if (!valid)
		return true;
	for (size_t i = 0; valid[i]; i++) {
		size_t n = strlen(valid[i]);

		if (n && valid[i][n - 1] == '*') {
			if (!strncmp(name, valid[i], n - 1))
				return true;
		} else if (!strcmp(name, valid[i])) {
			return true;
		}
	}
	return false;
}

/* Exact membership (wildcards do not count): for "must be a key/section" hints. */
static bool in_list(const char *name, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (!strcmp(name, list[i]))
			return true;
	return false;
}

int conf_check_names(const struct conf_node *sec, const char *const *keys,
		     const char *const *sections, conf_report_fn report, void *ctx, char *err,
		     size_t errlen)
{
	char path[CONF_MAX_PATH], msg[CONF_MAX_PATH + 256], where[CONF_MAX_PATH + 8];
	int unknown = 0;

	conf_node_path(sec, path, sizeof(path));
	if (*path)
		snprintf(where, sizeof(where), " in '%s'", path);
	else
		where[0] = '\0';
	for (const struct conf_node *n = conf_first(sec); n; n = conf_next(n)) {
		bool is_key = n->kind == CONF_KEY;
		const char *const *own = is_key ? keys : sections;
		const char *const *other = is_key ? sections : keys;
		const char *hint;

		if (name_known(n->name, own))
			continue;
		if (in_list(n->name, other)) {
			node_msg(msg, sizeof(msg), n, "'%s'%s must be a %s, not a %s", n->name,
				 where,
				 is_key ? "section ('name { ... }')" : "key ('name = value')",
				 is_key ? "key" : "section");
		} else {
			hint = conf_suggest(n->name, own);
			if (hint)
				node_msg(msg, sizeof(msg), n,
					 "unknown %s '%s'%s, did you mean '%s'?",
					 is_key ? "key" : "section", n->name, where, hint);
			else
				node_msg(msg, sizeof(msg), n, "unknown %s '%s'%s",
					 is_key ? "key" : "section", n->name, where);
		}
		if (!unknown && err && errlen)
			snprintf(err, errlen, "%s", msg);
		if (report)
			report(ctx, n, msg);
		unknown++;
	}
	return unknown;
}
