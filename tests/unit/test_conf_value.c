/* Typed configuration values (bool, integers, times, byte counts, lists) and the unknown-name
 * check with its "did you mean" suggestions. */
#include <stdio.h>
#include <string.h>

#include "cfg/conf.h"
#include "cfg/conf_parse.h"
#include "cfg/conf_value.h"
#include "lib/err.h"
#include "support/test.h"

enum kind { BOOL, U64, TIME, BYTES };

static const struct {
	int line;
	enum kind kind;
	const char *in;
	int err;
	uint64_t want;
} values[] = {
    {__LINE__, BOOL, "yes", 0, 1},
    {__LINE__, BOOL, "YES", 0, 1},
    {__LINE__, BOOL, "true", 0, 1},
    {__LINE__, BOOL, "enabled", 0, 1},
    {__LINE__, BOOL, "1", 0, 1},
    {__LINE__, BOOL, " no ", 0, 0},
    {__LINE__, BOOL, "False", 0, 0},
    {__LINE__, BOOL, "disabled", 0, 0},
    {__LINE__, BOOL, "0", 0, 0},
    {__LINE__, BOOL, "", ERR_INVAL, 0},
    {__LINE__, BOOL, "yes please", ERR_INVAL, 0},
    {__LINE__, BOOL, "2", ERR_INVAL, 0},
    {__LINE__, BOOL, "y", ERR_INVAL, 0},
    {__LINE__, U64, "0", 0, 0},
    {__LINE__, U64, "4500", 0, 4500},
    {__LINE__, U64, " 010 ", 0, 10}, /* decimal, not octal */
    {__LINE__, U64, "0x1F", 0, 31},
    {__LINE__, U64, "0Xff", 0, 255},
    {__LINE__, U64, "18446744073709551615", 0, UINT64_MAX},
    {__LINE__, U64, "18446744073709551616", ERR_INVAL, 0},
    {__LINE__, U64, "0xffffffffffffffff", 0, UINT64_MAX},
    {__LINE__, U64, "0x10000000000000000", ERR_INVAL, 0},
    {__LINE__, U64, "0x", ERR_INVAL, 0},
    {__LINE__, U64, "-1", ERR_INVAL, 0},
    {__LINE__, U64, "+1", ERR_INVAL, 0},
    {__LINE__, U64, "12abc", ERR_INVAL, 0},
    {__LINE__, U64, "", ERR_INVAL, 0},
    {__LINE__, TIME, "30", 0, 30},
    {__LINE__, TIME, "30s", 0, 30},
    {__LINE__, TIME, "10m", 0, 600},
    {__LINE__, TIME, "4h", 0, 14400},
    {__LINE__, TIME, "4 H", 0, 14400},
    {__LINE__, TIME, "2d", 0, 172800},
    {__LINE__, TIME, "0x10m", 0, 960},
    {__LINE__, TIME, "4hours", ERR_INVAL, 0},
    {__LINE__, TIME, "4h 5m", ERR_INVAL, 0},
    {__LINE__, TIME, "4w", ERR_INVAL, 0},
    {__LINE__, TIME, "h", ERR_INVAL, 0},
    {__LINE__, TIME, "1.5h", ERR_INVAL, 0},
    {__LINE__, TIME, "213503982334601d", 0, 213503982334601ULL * 86400},
    {__LINE__, TIME, "213503982334602d", ERR_INVAL, 0}, /* overflows 64 bits */
    {__LINE__, BYTES, "1000", 0, 1000},
    {__LINE__, BYTES, "1k", 0, 1024},
    {__LINE__, BYTES, "2M", 0, 2097152},
    {__LINE__, BYTES, "3g", 0, 3221225472ULL},
    {__LINE__, BYTES, "3 G", 0, 3221225472ULL},
    {__LINE__, BYTES, "1t", ERR_INVAL, 0},
    {__LINE__, BYTES, "1kb", ERR_INVAL, 0},
    {__LINE__, BYTES, "17179869184g", ERR_INVAL, 0},
};

static void test_values(void)
{
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		int line = values[i].line, rc = 0;
		uint64_t v = 12345;
		bool b = false;

		switch (values[i].kind) {
		case BOOL:
			rc = conf_value_bool(values[i].in, &b);
			v = rc ? 12345 : b;
			break;
		case U64:
			rc = conf_value_u64(values[i].in, &v);
			break;
		case TIME:
			rc = conf_value_time(values[i].in, &v);
			break;
		case BYTES:
			rc = conf_value_bytes(values[i].in, &v);
			break;
		}
		T_EQ_ROW(line, rc, values[i].err);
		if (rc)
			T_OK_ROW(line, v == 12345, "output untouched on error");
		else
			T_OK_ROW(line, v == values[i].want, "'%s' = %llu, want %llu", values[i].in,
				 (unsigned long long)v, (unsigned long long)values[i].want);
	}
}

static const struct {
	int line;
	const char *in;
	int n;		  /* items before the end or the error */
	int err;	  /* 0 or the error ending the walk */
	const char *want; /* items joined with '|' */
} lists[] = {
    {__LINE__, "a", 1, 0, "a"},
    {__LINE__, "aes256-sha256, aes128gcm16 ,x", 3, 0, "aes256-sha256|aes128gcm16|x"},
    {__LINE__, "  spaced out  ,\tb\t", 2, 0, "spaced out|b"},
    {__LINE__, "", 0, 0, ""},
    {__LINE__, "a,,b", 1, ERR_INVAL, "a"},
    {__LINE__, "a, ", 0, ERR_INVAL, ""},
    {__LINE__, ",a", 0, ERR_INVAL, ""},
    {__LINE__, "a, 0123456789abcdef", 1, ERR_NOSPACE, "a"},
};

static void test_lists(void)
{
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *cur = lists[i].in;
		char item[16], joined[128] = "";
		int rc, n = 0;

		while ((rc = conf_list_next(&cur, item, sizeof(item))) == 1) {
			if (n++)
				strcat(joined, "|");
			strcat(joined, item);
		}
		T_EQ_ROW(lists[i].line, rc, lists[i].err);
		T_EQ_ROW(lists[i].line, n, lists[i].n);
		T_OK_ROW(lists[i].line, !strcmp(joined, lists[i].want), "items '%s', want '%s'",
			 joined, lists[i].want);
	}
}

static void test_get(void)
{
	static const char text[] = "c {\n"
				   "  mobike = maybe\n"
				   "  port = 70000\n"
				   "  rekey_time = soon\n"
				   "  life_bytes = 4x\n"
				   "  ok = yes\n"
				   "  cleared =\n"
				   "}\n";
	struct conf *c = NULL;
	char err[CONF_ERR_LEN];
	const struct conf_node *sec;
	uint64_t v = 7;
	bool b = false;
	int rc;

	rc = conf_parse_string("g.conf", text, strlen(text), 0, &c, err, sizeof(err));
	T_EQ(rc, 0);
	if (rc)
		return;
	sec = conf_section(conf_root(c), "c");
	rc = conf_get_bool(sec, "mobike", true, &b, err, sizeof(err));
	T_EQ(rc, ERR_INVAL);
	T_OK(!strcmp(err, "g.conf:2: mobike: 'maybe' is not a boolean, expected yes or no"), "%s",
	     err);
	rc = conf_get_u64(sec, "port", 500, 1, 65535, &v, err, sizeof(err));
	T_EQ(rc, ERR_INVAL);
	T_OK(!strcmp(err, "g.conf:3: port: 70000 is out of range, expected 1 to 65535"), "%s", err);
	T_EQ(v, 7);
	rc = conf_get_time(sec, "rekey_time", 0, &v, err, sizeof(err));
	T_EQ(rc, ERR_INVAL);
	T_OK(strstr(err, "g.conf:4: rekey_time: 'soon' is not a time") == err, "%s", err);
	rc = conf_get_bytes(sec, "life_bytes", 0, &v, err, sizeof(err));
	T_EQ(rc, ERR_INVAL);
	T_OK(strstr(err, "g.conf:5: life_bytes: '4x' is not a byte count") == err, "%s", err);
	rc = conf_get_bool(sec, "ok", false, &b, err, sizeof(err));
	T_EQ(rc, 0);
	T_EQ(b, 1);
	rc = conf_get_u64(sec, "cleared", 42, 0, 100, &v, err, sizeof(err));
	T_EQ(rc, 0);
	T_EQ(v, 42);
	rc = conf_get_u64(sec, "absent", 43, 0, 100, &v, err, sizeof(err));
	T_EQ(rc, 0);
	T_EQ(v, 43);
	conf_free(c);
}

static const struct {
	int line;
	const char *a, *b;
	unsigned d;
} distances[] = {
    {__LINE__, "", "", 0},
    {__LINE__, "abc", "", 3},
    {__LINE__, "remote_addrs", "remote_addrs", 0},
    {__LINE__, "remote_adrs", "remote_addrs", 1},
    {__LINE__, "remtoe_addrs", "remote_addrs", 1}, /* adjacent swap */
    {__LINE__, "kitten", "sitting", 3},
    {__LINE__, "flaw", "lawn", 2},
    {__LINE__, "local", "remote", 6},
};

struct reports {
	int n;
	char msgs[8][256];
};

static void collect(void *ctx, const struct conf_node *node, const char *msg)
{
	struct reports *r = ctx;

	(void)node;
	if (r->n < 8)
		snprintf(r->msgs[r->n], sizeof(r->msgs[0]), "%s", msg);
	r->n++;
}

static void test_schema(void)
{
	static const char *const conn_keys[] = {"version",   "local_addrs", "remote_addrs",
						"proposals", "rekey_time",  NULL};
	static const char *const conn_secs[] = {"local*", "remote*", "children", NULL};
	static const char text[] = "connections {\n"
				   "  home {\n"
				   "    remote_adrs = 192.0.2.1\n"
				   "    version = 2\n"
				   "    childs { }\n"
				   "    local-1 { }\n"
				   "    remote { }\n"
				   "    children = net\n"
				   "    xyzzy = 1\n"
				   "    proposals { }\n"
				   "  }\n"
				   "}\n";
	static const char *const want[] = {
	    "s.conf:3: unknown key 'remote_adrs' in 'connections.home', did you mean "
	    "'remote_addrs'?",
	    "s.conf:5: unknown section 'childs' in 'connections.home', did you mean "
	    "'children'?",
	    "s.conf:8: 'children' in 'connections.home' must be a section ('name { ... }'), "
	    "not a key",
	    "s.conf:9: unknown key 'xyzzy' in 'connections.home'",
	    "s.conf:10: 'proposals' in 'connections.home' must be a key ('name = value'), "
	    "not a section",
	};
	struct conf *c = NULL;
	struct reports r;
	char err[CONF_ERR_LEN] = "";
	int rc;

	for (size_t i = 0; i < sizeof(distances) / sizeof(distances[0]); i++) {
		T_EQ_ROW(distances[i].line, conf_edit_distance(distances[i].a, distances[i].b),
			 distances[i].d);
		T_EQ_ROW(distances[i].line, conf_edit_distance(distances[i].b, distances[i].a),
			 distances[i].d);
	}
	T_OK(conf_suggest("rekey_tmie", conn_keys) == conn_keys[4], "suggest rekey_time");
	T_OK(conf_suggest("xyzzy", conn_keys) == NULL, "no suggestion when far");
	T_OK(conf_suggest("x", NULL) == NULL, "no candidates");

	rc = conf_parse_string("s.conf", text, strlen(text), 0, &c, err, sizeof(err));
	T_EQ(rc, 0);
	if (rc)
		return;
	memset(&r, 0, sizeof(r));
	rc = conf_check_names(conf_section(conf_root(c), "connections.home"), conn_keys, conn_secs,
			      collect, &r, err, sizeof(err));
	T_EQ(rc, 5);
	T_EQ(r.n, 5);
	for (int i = 0; i < 5 && i < r.n; i++)
		T_OK(!strcmp(r.msgs[i], want[i]), "report %d: '%s'\n  want '%s'", i, r.msgs[i],
		     want[i]);
	T_OK(!strcmp(err, want[0]), "first message in err");
	/* NULL arrays accept any name */
	rc = conf_check_names(conf_section(conf_root(c), "connections"), NULL, NULL, NULL, NULL,
			      NULL, 0);
	T_EQ(rc, 0);
	rc = conf_check_names(conf_root(c), NULL, conn_secs, NULL, NULL, err, sizeof(err));
	T_EQ(rc, 1);
	T_OK(!strcmp(err, "s.conf:1: unknown section 'connections'"), "%s", err);
	conf_free(c);
}

int main(void)
{
	test_values();
	test_lists();
	test_get();
	test_schema();
	return t_finish();
}
