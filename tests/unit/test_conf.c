/* strongswan.conf/swanctl.conf syntax: a realistic swanctl.conf walked, syntax details,
 * every error with its FILE:LINE, includes (relative, globs, loops, depth), references,
 * limits, typed values and the unknown-name check with suggestions. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/conf.h"
#include "cfg/conf_parse.h"
#include "cfg/conf_write.h"
#include "cfg/conf_value.h"
#include "lib/err.h"
#include "lib/secret.h"
#include "support/freescan.h"
#include "support/test.h"

/* Whether two trees have the same sections, keys, order and values. */
static bool same_tree(const struct conf_node *a, const struct conf_node *b)
{
	const struct conf_node *x = conf_first(a), *y = conf_first(b);

	for (; x && y; x = conf_next(x), y = conf_next(y)) {
		if (x->kind != y->kind || strcmp(x->name, y->name))
			return false;
		if (!x->value != !y->value || (x->value && strcmp(x->value, y->value)))
			return false;
		if (x->kind == CONF_SECTION && !same_tree(x, y))
			return false;
	}
	return !x && !y;
}

/* conf_format's text parses back into the same tree. */
static void check_format(int row, const struct conf *c)
{
	struct conf *again = NULL;
	char err[CONF_ERR_LEN] = "", *text = NULL;
	size_t len = 0;
	int rc = conf_format(conf_root(c), &text, &len);

	T_EQ_ROW(row, rc, 0);
	if (rc)
		return;
	T_EQ_ROW(row, strlen(text), len);
	rc = conf_parse_string("formatted", text, len, CONF_PARSE_NO_INCLUDE, &again, err,
			       sizeof(err));
	T_EQ_ROW(row, rc, 0);
	T_OK_ROW(row, !rc && same_tree(conf_root(c), conf_root(again)),
		 "formatted text parses back the same: %s\n%s", err, text);
	conf_free(again);
	secret_free_str(text);
}

static int parse(const char *text, struct conf **c, char *err)
{
	err[0] = '\0';
	return conf_parse_string("t.conf", text, strlen(text), 0, c, err, CONF_ERR_LEN);
}

/* Written for these tests in the shape of strongSwan's example configurations. */
static const char swanctl[] =
    "# gateway moon: two sites and road warriors\n"				       /* 1 */
    "connections {\n"								       /* 2 */
    "\n"									       /* 3 */
    "   defaults {\n"								       /* 4 */
    "      version = 2\n"							       /* 5 */
    "      proposals = aes256gcm16-prfsha384-ecp384\n"				       /* 6 */
    "      rekey_time = 4h\n"							       /* 7 */
    "      local {\n"								       /* 8 */
    "         auth = pubkey\n"							       /* 9 */
    "         certs = moonCert.pem\n"						       /* 10 */
    "      }\n"									       /* 11 */
    "   }\n"									       /* 12 */
    "   site-sun : connections.defaults {\n"					       /* 13 */
    "      local_addrs  = 192.168.0.1\n"					       /* 14 */
    "      remote_addrs = 192.168.0.2, sun.example.org\n"			       /* 15 */
    "      local {\n"								       /* 16 */
    "         id = moon.strongswan.org   # own id\n"				       /* 17 */
    "      }\n"									       /* 18 */
    "      remote {\n"								       /* 19 */
    "         auth = pubkey\n"							       /* 20 */
    "         id = \"C=CH, O=Example, CN=sun\"\n"				       /* 21 */
    "      }\n"									       /* 22 */
    "      children {\n"							       /* 23 */
    "         net-net\n"							       /* 24 */
    "         {\n"								       /* 25 */
    "            local_ts  = 10.1.0.0/16\n"					       /* 26 */
    "            remote_ts = 10.2.0.0/16[tcp/1024-65535], 10.3.0.0/16\n"	       /* 27 */
    "            esp_proposals = aes128gcm16-ecp256 , aes256-sha256\n"		       /* 28 */
    "            start_action = trap\n"						       /* 29 */
    "            updown = /usr/lib/updown   --with  \"two  spaces\"\n"		       /* 30 */
    "         }\n"								       /* 31 */
    "      }\n"									       /* 32 */
    "      rekey_time = 2h\n"							       /* 33 */
    "   }\n"									       /* 34 */
    "   rw : connections.defaults { pools = rw_pool\n"				       /* 35 */
    "      remote { auth = eap-mschapv2 }  children { rw { local_ts = 0.0.0.0/0 } }\n" /* 36 */
    "      rekey_time =\n"							       /* 37 */
    "   }\n"									       /* 38 */
    "}\n"									       /* 39 */
    "secrets {\n"								       /* 40 */
    "   eap-carol { id = carol\n"						       /* 41 */
    "      secret = \"Ar3e\\\"t \\\\x\\tq\"\n"					       /* 42 */
    "   }\n"									       /* 43 */
    "   ike-sun { id = sun.example.org\n"					       /* 44 */
    "             secret = 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL }\n"		       /* 45 */
    "}\n"									       /* 46 */
    "pools { rw_pool { addrs = 10.3.0.0/28\n"					       /* 47 */
    "   dns = 10.1.0.53 } }\n"							       /* 48 */
    "connections { site-sun { version = 1 } }\n";				       /* 49 */

static void expect_key(int row, const struct conf_node *root, const char *path, const char *value,
		       unsigned line)
{
	const struct conf_node *k = conf_key(root, path);

	T_OK_ROW(row, k != NULL, "key %s present", path);
	if (!k)
		return;
	T_OK_ROW(row, value ? k->value && !strcmp(k->value, value) : !k->value,
		 "%s = '%s', want '%s'", path, k->value ? k->value : "(null)",
		 value ? value : "(null)");
	T_EQ_ROW(row, k->line, line);
	T_OK_ROW(row, !strcmp(k->file, "t.conf"), "file of %s is %s", path, k->file);
}

static void test_swanctl(void)
{
	struct conf *c = NULL;
	char err[CONF_ERR_LEN], buf[256];
	const struct conf_node *root, *conns, *sun, *n;
	int rc = parse(swanctl, &c, err);
	uint64_t t;
	bool b;

	T_EQ(rc, 0);
	if (rc) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	root = conf_root(c);
	/* top-level sections in order of first appearance; "connections" was extended */
	static const char *const top[] = {"connections", "secrets", "pools"};
	size_t i = 0;
	for (n = conf_first(root); n; n = conf_next(n), i++)
		T_OK(i < 3 && n->kind == CONF_SECTION && !strcmp(n->name, top[i]), "top %zu", i);
	T_EQ(i, 3);

	conns = conf_section(root, "connections");
	static const char *const conn_names[] = {"defaults", "site-sun", "rw"};
	i = 0;
	for (n = conf_first_section(conns); n; n = conf_next_section(n), i++)
		T_OK(i < 3 && !strcmp(n->name, conn_names[i]), "connection %zu", i);
	T_EQ(i, 3);

	sun = conf_section(root, "connections.site-sun");
	T_OK(sun && sun->line == 13, "site-sun at line 13");
	expect_key(__LINE__, sun, "local_addrs", "192.168.0.1", 14);
	expect_key(__LINE__, sun, "remote_addrs", "192.168.0.2, sun.example.org", 15);
	expect_key(__LINE__, sun, "local.id", "moon.strongswan.org", 17);
	expect_key(__LINE__, sun, "remote.id", "C=CH, O=Example, CN=sun", 21);
	expect_key(__LINE__, root, "connections.site-sun.children.net-net.remote_ts",
		   "10.2.0.0/16[tcp/1024-65535], 10.3.0.0/16", 27);
	expect_key(__LINE__, sun, "children.net-net.esp_proposals",
		   "aes128gcm16-ecp256 , aes256-sha256", 28);
	expect_key(__LINE__, sun, "children.net-net.updown", "/usr/lib/updown --with two  spaces",
		   30);
	/* a later assignment replaces the value (and its line), the first position stays */
	expect_key(__LINE__, sun, "version", "1", 49);
	expect_key(__LINE__, sun, "rekey_time", "2h", 33);
	/* inherited from the referenced section, own keys first, inherited after */
	expect_key(__LINE__, sun, "proposals", "aes256gcm16-prfsha384-ecp384", 6);
	expect_key(__LINE__, sun, "local.auth", "pubkey", 9);
	expect_key(__LINE__, sun, "local.certs", "moonCert.pem", 10);
	n = conf_first_key(conf_section(sun, "local"));
	T_OK(n && !strcmp(n->name, "id"), "own key first");
	n = conf_first(sun);
	T_OK(n && !strcmp(n->name, "local_addrs"), "own keys before inherited");
	T_OK(!strcmp(conf_get(sun, "version", "?"), "1"), "conf_get");
	T_OK(!strcmp(conf_get(sun, "nosuch", "dflt"), "dflt"), "conf_get default");
	/* an empty assignment overrides the inherited value and means "default" */
	expect_key(__LINE__, root, "connections.rw.rekey_time", NULL, 37);
	T_OK(!strcmp(conf_get(root, "connections.rw.rekey_time", "1h"), "1h"), "cleared");
	T_EQ(conf_get_time(conf_section(root, "connections.rw"), "rekey_time", 3600, &t, err,
			   sizeof(err)),
	     0);
	T_EQ(t, 3600);
	T_EQ(conf_get_time(sun, "rekey_time", 0, &t, err, sizeof(err)), 0);
	T_EQ(t, 7200);
	expect_key(__LINE__, root, "connections.rw.remote.auth", "eap-mschapv2", 36);
	expect_key(__LINE__, root, "connections.rw.children.rw.local_ts", "0.0.0.0/0", 36);
	expect_key(__LINE__, root, "connections.rw.pools", "rw_pool", 35);
	expect_key(__LINE__, root, "connections.rw.version", "2", 5);
	/* quoted escapes */
	expect_key(__LINE__, root, "secrets.eap-carol.secret", "Ar3e\"t \\x\tq", 42);
	expect_key(__LINE__, root, "secrets.ike-sun.secret", "0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL",
		   45);
	expect_key(__LINE__, root, "pools.rw_pool.dns", "10.1.0.53", 48);
	T_EQ(conf_get_bool(sun, "mobike", true, &b, err, sizeof(err)), 0);
	T_EQ(b, 1);
	/* paths */
	n = conf_key(root, "connections.site-sun.children.net-net.start_action");
	T_OK(n && !strcmp(conf_node_path(n, buf, sizeof(buf)),
			  "connections.site-sun.children.net-net.start_action"),
	     "node path %s", buf);
	T_OK(conf_section(root, "") == root, "empty path is the section itself");
	T_OK(conf_section(root, "connections.") == NULL, "trailing dot");
	T_OK(conf_section(root, ".connections") == NULL, "leading dot");
	T_OK(conf_section(root, "connections.site-sun.version") == NULL, "key is no section");
	T_OK(conf_key(root, "connections.site-sun") == NULL, "section is no key");
	T_OK(conf_section(root, "connections..rw") == NULL, "empty component");
	check_format(__LINE__, c);
	conf_free(c);
}

static const struct {
	int line;
	const char *text, *path, *want; /* want NULL: key present with NULL value; "-": absent */
} syntax[] = {
    {__LINE__, "a = b", "a", "b"},
    {__LINE__, "a=b", "a", "b"},
    {__LINE__, "a = b=c,d:e[f]{g", "a", "b=c,d:e[f]{g"},
    {__LINE__, "a =    b \t  c   ", "a", "b c"},
    {__LINE__, "a = \"  b  \"  c", "a", "  b   c"},
    {__LINE__, "a = \"x\"y", "a", "x y"},
    {__LINE__, "a = \"\"", "a", ""},
    {__LINE__, "a =", "a", NULL},
    {__LINE__, "a = # comment", "a", NULL},
    {__LINE__, "a = b # comment", "a", "b"},
    {__LINE__, "a = \"b # not a comment\"", "a", "b # not a comment"},
    {__LINE__, "a = \"line1\nline2\"", "a", "line1\nline2"},
    {__LINE__, "a = \"one \\\ntwo\"", "a", "one two"},
    {__LINE__, "a = \"\\n\\r\\t\\q\"", "a", "\n\r\tq"},
    {__LINE__, "a = b\r\nc = d\r\n", "c", "d"},
    {__LINE__, "s { a = b }", "s.a", "b"},
    {__LINE__, "s { a = b}", "s.a", "b"},
    {__LINE__, "s{a=b}t{c=d}", "t.c", "d"},
    {__LINE__, "s\n{\n a = b\n}", "s.a", "b"},
    {__LINE__, "s { t { u { v = w } } }", "s.t.u.v", "w"},
    {__LINE__, "a = 1\na = 2", "a", "2"},
    {__LINE__, "s { a = 1 }\ns { b = 2 }", "s.a", "1"},
    {__LINE__, "s { a = 1 }\ns { a = 2 }", "s.a", "2"},
    {__LINE__, "a = 1\na { b = 2 }", "a", "1"},
    {__LINE__, "a = 1\na { b = 2 }", "a.b", "2"},
    {__LINE__, "include = x", "include", "x"},
    {__LINE__, "include_dir = x", "include_dir", "x"},
    {__LINE__, "includes { a = 1 }", "includes.a", "1"},
    {__LINE__, "   # only a comment\n\n\n", "a", "-"},
    {__LINE__, "", "a", "-"},
    {__LINE__, "s { a = 1 } # c { }", "s.a", "1"},
    {__LINE__, "ünï = cödé", "ünï", "cödé"},
    {__LINE__, "a = \"tab\tx\\\\y \\\"q\\\" \\r\"", "a", "tab\tx\\y \"q\" \r"},
    {__LINE__, "a = \" lead\"", "a", " lead"},
    {__LINE__, "a = \"x}y#z\"", "a", "x}y#z"},
    {__LINE__, "include\n{ a = 1 }", "include.a", "1"},
    /* references */
    {__LINE__, "d { a = 1 }\ns : d { }", "s.a", "1"},
    {__LINE__, "s : d { }\nd { a = 1 }", "s.a", "1"}, /* forward */
    {__LINE__, "d { a = 1 }\ns : d { a = 2 }", "s.a", "2"},
    {__LINE__, "d { a = 1 }\ne { a = 3\n b = 4 }\ns : d, e { }", "s.a", "1"},
    {__LINE__, "d { a = 1 }\ne { a = 3\n b = 4 }\ns : d , e\n{ }", "s.b", "4"},
    {__LINE__, "d { x { a = 1\n b = 2 } }\ns : d { x { a = 9 } }", "s.x.b", "2"},
    {__LINE__, "d { x { a = 1\n b = 2 } }\ns : d { x { a = 9 } }", "s.x.a", "9"},
    {__LINE__, "d { a = 1 }\ne : d { }\ns : e { }", "s.a", "1"},
    {__LINE__, "t { d { a = 1 } }\ns : t.d { }", "s.a", "1"},
    {__LINE__, "d { a = 1 }\ns : d { }\ns : d { }", "s.a", "1"},
    {__LINE__, "d { a = 1 }\ns : d { a = }", "s.a", NULL},
};

static void test_syntax(void)
{
	for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
		int line = syntax[i].line;
		struct conf *c = NULL;
		char err[CONF_ERR_LEN];
		const struct conf_node *k;
		int rc = parse(syntax[i].text, &c, err);

		T_EQ_ROW(line, rc, 0);
		if (rc) {
			fprintf(stderr, "  %s\n", err);
			continue;
		}
		k = conf_key(conf_root(c), syntax[i].path);
		if (syntax[i].want && !strcmp(syntax[i].want, "-"))
			T_OK_ROW(line, k == NULL, "%s absent", syntax[i].path);
		else if (!syntax[i].want)
			T_OK_ROW(line, k && !k->value, "%s cleared", syntax[i].path);
		else
			T_OK_ROW(line, k && k->value && !strcmp(k->value, syntax[i].want),
				 "%s = '%s', want '%s'", syntax[i].path,
				 k && k->value ? k->value : "(none)", syntax[i].want);
		check_format(line, c);
		conf_free(c);
	}
}

static const struct {
	int line;
	const char *text;
	int err;
	const char *msg; /* expected prefix of the error message */
} errors[] = {
    {__LINE__, "a {\n b = 1\n", ERR_INVAL,
     "t.conf:2: expected '}' to close section 'a' opened at line 1, got end of file"},
    {__LINE__, "a {\n b {\n c = 1\n }", ERR_INVAL,
     "t.conf:4: expected '}' to close section 'a' opened at line 1"},
    {__LINE__, "x = 1\na {\n version 2\n}", ERR_INVAL,
     "t.conf:3: expected '=' or '{' after 'version', got '2'"},
    {__LINE__, "a", ERR_INVAL, "t.conf:1: expected '=' or '{' after 'a', got end of file"},
    {__LINE__, "foo\nbar = 1\n", ERR_INVAL,
     "t.conf:1: expected '=' or '{' after 'foo', got end of line"},
    {__LINE__, "a }", ERR_INVAL, "t.conf:1: expected '=' or '{' after 'a', got '}'"},
    {__LINE__, "a = \"abc\n\nb = 2\n", ERR_INVAL,
     "t.conf:1: expected '\"' to end the quoted string started here, got end of file"},
    {__LINE__, "\n\na = \"abc\\", ERR_INVAL, "t.conf:3: expected '\"' to end the quoted"},
    {__LINE__, "a = 1\n}\n", ERR_INVAL, "t.conf:2: unexpected '}': no section is open here"},
    {__LINE__, "a { }\n}", ERR_INVAL, "t.conf:2: unexpected '}'"},
    {__LINE__, "a = {x}", ERR_INVAL, "t.conf:1: unexpected '}'"},
    {__LINE__, "\"a\" = 1", ERR_INVAL,
     "t.conf:1: expected a key or section name, got a quoted string"},
    {__LINE__, "\n= 1", ERR_INVAL, "t.conf:2: expected a key or section name, got '='"},
    {__LINE__, "a.b = 1", ERR_INVAL, "t.conf:1: name 'a.b' contains '.'"},
    {__LINE__, "s {\n a.b { }\n}", ERR_INVAL, "t.conf:2: name 'a.b' contains '.'"},
    {__LINE__, "a : {", ERR_INVAL, "t.conf:1: expected a section name after ':' in 'a', got '{'"},
    {__LINE__, "b { }\na : b c {", ERR_INVAL,
     "t.conf:2: expected ',' or '{' after reference 'b' of section 'a', got 'c'"},
    {__LINE__, "a : nosuch { }", ERR_NOTFOUND,
     "t.conf:1: section 'a' references 'nosuch', which is not a section"},
    {__LINE__, "x = 1\na : x { }", ERR_NOTFOUND, "t.conf:2: section 'a' references 'x'"},
    {__LINE__, "a : b { }\nb : a { }", ERR_INVAL, "t.conf:2: reference loop: section 'b'"},
    {__LINE__, "a : a { }", ERR_INVAL, "t.conf:1: reference loop: section 'a' references 'a'"},
    {__LINE__, "a {\n x : a { }\n}", ERR_INVAL, "t.conf:2: reference loop: section 'a.x'"},
    {__LINE__, "a = 1\0b = 2", ERR_INVAL, "t.conf:1: unexpected NUL byte in a value"},
    {__LINE__, "a\x01 = 1", ERR_INVAL, "t.conf:1: expected '=' or '{' after 'a', got a control"},
    {__LINE__, "include x.conf", ERR_INVAL, "t.conf:1: include is not allowed here"},
    {__LINE__, "s {\n include   \n}", ERR_INVAL, "t.conf:2: include is not allowed here"},
};

static void test_errors(void)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		int line = errors[i].line;
		struct conf *c = (struct conf *)&line; /* must stay untouched */
		char err[CONF_ERR_LEN] = "";
		size_t len = strlen(errors[i].text);
		int rc;

		if (!strncmp(errors[i].text, "a = 1", 5) && len == 5)
			len = 11; /* the row with an embedded NUL */
		rc = conf_parse_string("t.conf", errors[i].text, len, CONF_PARSE_NO_INCLUDE, &c,
				       err, sizeof(err));
		T_EQ_ROW(line, rc, errors[i].err);
		T_OK_ROW(line, !strncmp(err, errors[i].msg, strlen(errors[i].msg)),
			 "message '%s', want '%s...'", err, errors[i].msg);
		T_OK_ROW(line, c == (struct conf *)&line, "output untouched");
	}
}

static void test_limits(void)
{
	struct conf *c = NULL;
	char err[CONF_ERR_LEN];
	char *text;
	size_t n = 0, cap = (size_t)(CONF_MAX_NODES + 8) * 16;
	int rc;

	/* sections nested exactly CONF_MAX_DEPTH deep are fine, one more is not */
	text = malloc(cap);
	for (int depth = CONF_MAX_DEPTH; depth <= CONF_MAX_DEPTH + 1; depth++) {
		n = 0;
		for (int i = 0; i < depth; i++)
			n += (size_t)snprintf(text + n, cap - n, "s%d {\n", i);
		for (int i = 0; i < depth; i++)
			n += (size_t)snprintf(text + n, cap - n, "}\n");
		rc = conf_parse_string("t.conf", text, n, 0, &c, err, sizeof(err));
		if (depth == CONF_MAX_DEPTH) {
			T_EQ(rc, 0);
			conf_free(c);
		} else {
			T_EQ(rc, ERR_LIMIT);
			T_OK(strstr(err, "t.conf:17: sections nested deeper than 16") == err, "%s",
			     err);
		}
	}
	/* inherited sections count towards the nesting limit: d holds 7 levels, s sits at 10 */
	n = (size_t)snprintf(text, cap,
			     "d { l1 { l2 { l3 { l4 { l5 { l6 { l7 { v = 1 } } } } } } } }\n");
	for (int depth = 0; depth < 9; depth++)
		n += (size_t)snprintf(text + n, cap - n, "o%d {\n", depth);
	n += (size_t)snprintf(text + n, cap - n, "s : d { }\n");
	for (int depth = 0; depth < 9; depth++)
		n += (size_t)snprintf(text + n, cap - n, "}\n");
	rc = conf_parse_string("t.conf", text, n, 0, &c, err, sizeof(err));
	T_EQ(rc, ERR_LIMIT);
	T_OK(strstr(err, "t.conf:11: section 'o0.o1.o2.o3.o4.o5.o6.o7.o8.s' inherits 'd', which nests "
			 "sections deeper than 16") == err,
	     "%s", err);
	/* one level less fits exactly */
	n = (size_t)snprintf(text, cap,
			     "d { l1 { l2 { l3 { l4 { l5 { l6 { l7 { v = 1 } } } } } } } }\n");
	for (int depth = 0; depth < 8; depth++)
		n += (size_t)snprintf(text + n, cap - n, "o%d {\n", depth);
	n += (size_t)snprintf(text + n, cap - n, "s : d { }\n");
	for (int depth = 0; depth < 8; depth++)
		n += (size_t)snprintf(text + n, cap - n, "}\n");
	rc = conf_parse_string("t.conf", text, n, 0, &c, err, sizeof(err));
	T_EQ(rc, 0);
	if (!rc) {
		T_OK(!strcmp(conf_get(conf_root(c),
				      "o0.o1.o2.o3.o4.o5.o6.o7.s.d.l1.l2.l3.l4.l5.l6.l7.v", "x"),
			     "x"),
		     "no d below s");
		T_OK(!strcmp(conf_get(conf_root(c), "o0.o1.o2.o3.o4.o5.o6.o7.s.l1.l2.l3.l4.l5.l6.l7.v",
				      "x"),
			     "1"),
		     "inherited 16 deep");
		conf_free(c);
	}
	/* node limit */
	n = 0;
	for (int i = 0; i <= CONF_MAX_NODES; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%d=1\n", i);
	rc = conf_parse_string("t.conf", text, n, 0, &c, err, sizeof(err));
	T_EQ(rc, ERR_LIMIT);
	T_OK(strstr(err, "t.conf:65537: more than 65536 configuration entries") == err, "%s", err);
	/* a tree of CONF_MAX_NODES - 1 parses and finds every key */
	n = 0;
	for (int i = 0; i < CONF_MAX_NODES; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%d=%d\n", i, i);
	rc = conf_parse_string("t.conf", text, n, 0, &c, err, sizeof(err));
	T_EQ(rc, 0);
	if (!rc) {
		T_EQ(conf_node_count(c), CONF_MAX_NODES);
		T_OK(!strcmp(conf_get(conf_root(c), "k4242", ""), "4242"), "hash lookup");
		conf_free(c);
	}
	/* reference copies count against the node limit too */
	n = (size_t)snprintf(text, cap, "d {\n");
	for (int i = 0; i < CONF_MAX_NODES / 2; i++)
		n += (size_t)snprintf(text + n, cap - n, "k%d=1\n", i);
	n += (size_t)snprintf(text + n, cap - n, "}\ns : d { }\n");
	rc = conf_parse_string("t.conf", text, n, 0, &c, err, sizeof(err));
	T_EQ(rc, ERR_LIMIT);
	T_OK(strstr(err, "more than 65536") != NULL, "%s", err);
	/* size and name length */
	rc = conf_parse_string("t.conf", text, CONF_MAX_FILE_SIZE + 1, 0, &c, err, sizeof(err));
	T_EQ(rc, ERR_LIMIT);
	memset(text, 'k', CONF_MAX_NAME + 1);
	memcpy(text + CONF_MAX_NAME + 1, " = 1", 5);
	rc = conf_parse_string("t.conf", text, strlen(text), 0, &c, err, sizeof(err));
	T_EQ(rc, ERR_LIMIT);
	T_OK(strstr(err, "t.conf:1: name longer than 128 bytes") == err, "%s", err);
	free(text);
}

static char tmpdir[64];

static void write_file(const char *rel, const char *content)
{
	char path[512], dir[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + strlen(tmpdir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	f = fopen(path, "w");
	T_OK(f != NULL, "create %s", path);
	if (!f)
		return;
	fputs(content, f);
	fclose(f);
}

static int parse_file(const char *rel, struct conf **c, char *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	err[0] = '\0';
	return conf_parse_file(path, 0, c, err, CONF_ERR_LEN);
}

static void expect_at(int row, const struct conf_node *root, const char *path, const char *value,
		      const char *file, unsigned line)
{
	const struct conf_node *k = conf_key(root, path);
	char want[512];

	snprintf(want, sizeof(want), "%s/%s", tmpdir, file);
	T_OK_ROW(row, k && k->value && !strcmp(k->value, value), "%s = %s", path, value);
	T_OK_ROW(row, k && !strcmp(k->file, want), "%s from %s, want %s", path, k ? k->file : "-",
		 want);
	T_OK_ROW(row, k && k->line == line, "%s at line %u", path, k ? k->line : 0);
}

static const struct {
	int line;
	const char *file;
	int err;
	const char *msg; /* after "TMPDIR/" */
} include_errors[] = {
    {__LINE__, "missing.conf", ERR_INVAL,
     "missing.conf:2: cannot include 'TMP/nope.conf': No such file or directory"},
    {__LINE__, "loop-a.conf", ERR_INVAL,
     "loop-b.conf:2: include loop: 'TMP/./loop-a.conf' is already being read"},
    {__LINE__, "self.conf", ERR_INVAL, "self.conf:1: include loop"},
    {__LINE__, "d0.conf", ERR_LIMIT, "d10.conf:1: includes nested deeper than 10"},
    {__LINE__, "bad-inc.conf", ERR_INVAL,
     "broken.conf:2: expected '}' to close section 's.t' opened at line 1, got end of file"},
    {__LINE__, "closer.conf", ERR_INVAL, "closes.conf:2: unexpected '}': no section is open here"},
    {__LINE__, "dir.conf", ERR_INVAL, "dir.conf:1: cannot include 'TMP/conns': not a regular"},
    {__LINE__, "empty-inc.conf", ERR_INVAL,
     "empty-inc.conf:1: expected a file name after 'include', got end of line"},
    {__LINE__, "none.conf", ERR_IO, "none.conf: cannot read: No such file or directory"},
};

static void test_includes(void)
{
	struct conf *c = NULL;
	char err[CONF_ERR_LEN], want[CONF_ERR_LEN], path[512];
	const struct conf_node *root, *n;
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rampart-conf-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		T_OK(0, "mkdtemp");
		return;
	}
	write_file("main.conf", "connections {\n"
				"   include conns/*.conf\n"
				"}\n"
				"secrets {\n"
				"   include \"my secrets.conf\"\n"
				"}\n"
				"include missing-*.conf # a glob matching nothing is fine\n"
				"pools { include pools.conf }\n"
				"include ./refs/defaults.conf\n"
				"uses : conn-defaults { own = 1 }\n");
	write_file("conns/a.conf", "a { remote_addrs = 192.0.2.1 }\n");
	write_file("conns/b.conf", "b {\n  version = 2\n  include ../extra/b-children.conf\n}\n");
	write_file("extra/b-children.conf", "\nchildren { c { local_ts = 10.0.0.0/8 } }\n");
	write_file("my secrets.conf", "ike { secret = x }\n");
	write_file("pools.conf", "p { addrs = 10.9.0.0/24 }");
	write_file("refs/defaults.conf", "conn-defaults {\n version = 2\n}\n");

	rc = parse_file("main.conf", &c, err);
	T_EQ(rc, 0);
	if (rc) {
		fprintf(stderr, "  %s\n", err);
	} else {
		root = conf_root(c);
		n = conf_first_section(conf_section(root, "connections"));
		T_OK(n && !strcmp(n->name, "a"), "glob matches in sorted order");
		n = conf_next_section(n);
		T_OK(n && !strcmp(n->name, "b"), "second match");
		expect_at(__LINE__, root, "connections.a.remote_addrs", "192.0.2.1", "conns/a.conf",
			  1);
		expect_at(__LINE__, root, "connections.b.version", "2", "conns/b.conf", 2);
		expect_at(__LINE__, root, "connections.b.children.c.local_ts", "10.0.0.0/8",
			  "conns/../extra/b-children.conf", 2);
		expect_at(__LINE__, root, "secrets.ike.secret", "x", "my secrets.conf", 1);
		expect_at(__LINE__, root, "pools.p.addrs", "10.9.0.0/24", "pools.conf", 1);
		expect_at(__LINE__, root, "uses.version", "2", "./refs/defaults.conf", 2);
		expect_at(__LINE__, root, "uses.own", "1", "main.conf", 10);
		conf_free(c);
	}

	write_file("missing.conf", "x = 1\ninclude nope.conf\n");
	write_file("loop-a.conf", "include loop-b.conf\n");
	write_file("loop-b.conf", "x = 1\ninclude ./loop-a.conf\n");
	write_file("self.conf", "include self.conf\n");
	for (int i = 0; i < 12; i++) {
		char name[32], body[64];

		snprintf(name, sizeof(name), "d%d.conf", i);
		snprintf(body, sizeof(body), "include d%d.conf\n", i + 1);
		write_file(name, body);
	}
	write_file("bad-inc.conf", "s {\n include broken.conf\n}\n");
	write_file("broken.conf", "t {\n a = 1\n");
	write_file("closer.conf", "s {\n include closes.conf\n a = 1\n}\n");
	write_file("closes.conf", "b = 2\n}\n");
	write_file("dir.conf", "include conns\n");
	write_file("empty-inc.conf", "include \t \nx = 1\n");
	for (size_t i = 0; i < sizeof(include_errors) / sizeof(include_errors[0]); i++) {
		const char *m = include_errors[i].msg, *tmp = strstr(m, "TMP");
		int line = include_errors[i].line;
		size_t w = 0;

		c = (struct conf *)&line;
		if (strncmp(m, "cannot", 6))
			w = (size_t)snprintf(want, sizeof(want), "%s/", tmpdir);
		if (tmp)
			snprintf(want + w, sizeof(want) - w, "%.*s%s%s", (int)(tmp - m), m, tmpdir,
				 tmp + 3);
		else
			snprintf(want + w, sizeof(want) - w, "%s", m);
		rc = parse_file(include_errors[i].file, &c, err);
		T_EQ_ROW(line, rc, include_errors[i].err);
		T_OK_ROW(line, strstr(err, want) == err, "message '%s', want '%s...'", err, want);
		T_OK_ROW(line, c == (struct conf *)&line, "output untouched");
	}
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpdir);
	T_EQ(system(path), 0);
}

/* Secret values never reach the allocator unwiped: every heap block freed while a tree holding
 * a PSK is parsed (from a string and from a file, a long quoted value growing the token buffer,
 * a value replaced, a section copied by reference, a parse error half way), formatted back to
 * text and freed is searched for the PSK (support/freescan.h). */
#define WIPE_PSK "Wipe-me-PSK-5f2c9e1a"

static const char wipe_conf[] =
    "secrets {\n"
    "   ike-base {\n      id = moon\n      secret = " WIPE_PSK "-replaced\n   }\n"
    "   ike-base { secret = \"" WIPE_PSK "\\t quoted\" }\n"
    "   ike-copy : secrets.ike-base { id = sun }\n"
    "   ike-long { secret = \"%s\" }\n"
    "}\n"
    "%s";

static void wipe_text(char *text, size_t len, const char *tail)
{
	char longv[1600];

	snprintf(longv, sizeof(longv), "%s", WIPE_PSK);
	memset(longv + strlen(WIPE_PSK), 'y', sizeof(longv) - strlen(WIPE_PSK) - 1);
	longv[sizeof(longv) - 1] = '\0';
	snprintf(text, len, wipe_conf, longv, tail);
}

static void test_secret_wipe(void)
{
	char text[4096], err[CONF_ERR_LEN], dir[] = "/tmp/rampart-conf-wipe-XXXXXX", path[512];
	struct conf *c = NULL;
	char *out = NULL, *copy;
	size_t freed = 0, hits;
	FILE *f;
	int rc;

	T_OK(freescan_available(), "the test build has ASan's allocator hooks");
	if (!freescan_available())
		return;
	wipe_text(text, sizeof(text), "");

	/* the scanner finds a copy freed without wiping, and not one wiped first */
	T_OK(freescan_start(WIPE_PSK, strlen(WIPE_PSK)), "scanner starts");
	copy = strdup(text);
	free(copy);
	T_EQ(freescan_stop(&freed), 1);
	T_EQ(freed, 1);
	T_OK(freescan_start(WIPE_PSK, strlen(WIPE_PSK)), "scanner starts");
	copy = strdup(text);
	secret_free_str(copy);
	T_EQ(freescan_stop(NULL), 0);

	/* from a string: parse, look, format, free */
	T_OK(freescan_start(WIPE_PSK, strlen(WIPE_PSK)), "scanner starts");
	rc = conf_parse_string("wipe.conf", text, strlen(text), CONF_PARSE_NO_INCLUDE, &c, err,
			       sizeof(err));
	T_EQ(rc, 0);
	if (!rc) {
		const char *v = conf_get(conf_root(c), "secrets.ike-copy.secret", NULL);
		T_OK(v && !strcmp(v, WIPE_PSK "\t quoted"), "the copy took the replaced value");
		T_EQ(conf_format(conf_root(c), &out, NULL), 0);
		T_OK(out && strstr(out, WIPE_PSK), "the formatted text holds the PSK");
		secret_free_str(out);
		conf_free(c);
	}
	hits = freescan_stop(&freed);
	T_EQ(hits, 0);
	T_OK(freed > 10, "the scanner saw the tree's %zu blocks freed", freed);

	/* from a file, and a file whose parse fails after the secrets */
	if (!mkdtemp(dir)) {
		T_OK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/swanctl.conf", dir);
	for (int bad = 0; bad < 2; bad++) {
		wipe_text(text, sizeof(text), bad ? "connections { a = 1\n" : "");
		f = fopen(path, "w");
		T_OK(f != NULL, "create %s", path);
		if (!f)
			break;
		fputs(text, f);
		fclose(f);
		c = NULL;
		T_OK(freescan_start(WIPE_PSK, strlen(WIPE_PSK)), "scanner starts");
		rc = conf_parse_file(path, 0, &c, err, sizeof(err));
		T_EQ_ROW(bad, rc == 0, !bad);
		conf_free(rc ? NULL : c);
		hits = freescan_stop(&freed);
		T_EQ_ROW(bad, hits, 0);
		T_OK_ROW(bad, freed > 0, "blocks freed: %zu", freed);
	}
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_swanctl();
	test_syntax();
	test_errors();
	test_limits();
	test_includes();
	test_secret_wipe();
	return t_finish();
}
