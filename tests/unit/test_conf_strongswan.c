/* Differential test of cfg/conf_parse against strongSwan's own settings parser.
 *
 * libstrongswan (installed with strongswan-charon, 5.9.8 in Debian 12) is loaded with dlopen;
 * settings_create() parses each case from a file and settings_t->get_str (the first member of
 * the settings_t interface) looks the keys up, references included. A parse failure is what
 * libstrongswan logs to stderr ("invalid config file"), captured around the call. Each row
 * states the keys to compare; both parsers must agree on accepting the text and on every
 * value, or (DEVIATION rows) Rampart must reject what strongSwan accepts, as conf_parse.h
 * documents. Values are never looked up in DEVIATION rows: on the reference loops among them
 * strongSwan 5.9.8's get_str recurses until the stack overflows.
 */
#include <dlfcn.h>
#include <sanitizer/lsan_interface.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/conf.h"
#include "cfg/conf_parse.h"
#include "lib/err.h"
#include "support/test.h"

#define LIBSTRONGSWAN "/usr/lib/ipsec/libstrongswan.so.0"
#define NONE	      "<none>"

/* libstrongswan's objects are never freed here: its allocations happen with leak detection
 * off (__lsan_disable), Rampart's own stay checked. */

typedef char *(*get_str_fn)(void *settings, const char *key, const char *def, ...);

static bool (*ss_library_init)(const char *settings, const char *ns);
static void *(*ss_settings_create)(const char *file);
static char tmpdir[64];

enum mode { SAME, DEVIATION };

static const struct {
	int line;
	enum mode mode;
	const char *text;
	const char *keys; /* space-separated, or "*": every key Rampart found */
} rows[] = {
    {__LINE__, SAME, "a = b", "a"},
    {__LINE__, SAME, "a=b", "a"},
    {__LINE__, SAME, "a =    b \t  c   ", "a"},
    {__LINE__, SAME, "a = \"  b  \"  c", "a"},
    {__LINE__, SAME, "a = \"x\"y", "a"},
    {__LINE__, SAME, "a = \"\"\nb = 1", "a b"},
    {__LINE__, SAME, "a =\nb = 1", "a b"},
    {__LINE__, SAME, "a = # comment\nb = 1", "a b"},
    {__LINE__, SAME, "a = b # comment", "a"},
    {__LINE__, SAME, "a = \"b # not a comment\"", "a"},
    {__LINE__, SAME, "a = \"line1\nline2\"", "a"},
    {__LINE__, SAME, "a = \"one \\\ntwo\"", "a"},
    {__LINE__, SAME, "a = \"\\n\\t\\q\\\\\\\"\"", "a"},
    {__LINE__, SAME, "a = b=c,d:e[f]{g", "a"},
    {__LINE__, SAME, "a = b\r\nc = d\r\n", "a c"},
    {__LINE__, SAME, "s { a = b }", "s.a"},
    {__LINE__, SAME, "s { a = b}", "s.a"},
    {__LINE__, SAME, "s{a=b}t{c=d}", "s.a t.c"},
    {__LINE__, SAME, "s\n{\n a = b\n}", "s.a"},
    {__LINE__, SAME, "s { t { u { v = w } } }", "s.t.u.v"},
    {__LINE__, SAME, "a = 1\na = 2", "a"},
    {__LINE__, SAME, "s { a = 1 }\ns { b = 2 }", "s.a s.b"},
    {__LINE__, SAME, "s { a = 1 }\ns { a = 2 }", "s.a"},
    {__LINE__, SAME, "a = 1\na { b = 2 }", "a a.b"},
    {__LINE__, SAME, "include = x\nincludes { a = 1 }", "include includes.a"},
    {__LINE__, SAME, "   # only a comment\n\n\n", "a"},
    {__LINE__, SAME, "s { a = 1 } # c { }", "s.a"},
    {__LINE__, SAME, "ünï = cödé", "ünï"},
    {__LINE__, SAME, "d { a = 1 }\ns : d { }", "s.a"},
    {__LINE__, SAME, "s : d { }\nd { a = 1 }", "s.a"},
    {__LINE__, SAME, "d { a = 1 }\ns : d { a = 2 }", "s.a"},
    {__LINE__, SAME, "d { a = 1 }\ne { a = 3\n b = 4 }\ns : d, e { }", "s.a s.b"},
    {__LINE__, SAME, "d { a = 1 }\ne { a = 3\n b = 4 }\ns : d , e\n{ }", "s.a s.b"},
    {__LINE__, SAME, "d { x { a = 1\n b = 2 } }\ns : d { x { a = 9 } }", "s.x.a s.x.b"},
    {__LINE__, SAME, "d { a = 1 }\ne : d { }\ns : e { }", "s.a e.a"},
    {__LINE__, SAME, "t { d { a = 1 } }\ns : t.d { }", "s.a"},
    {__LINE__, SAME, "d { a = 1 }\ns : d { a = }", "s.a"},
    {__LINE__, SAME, "d { a = 1 }\ns : d { }\ns { b = 2 }", "s.a s.b"},
    {__LINE__, SAME, "c { x : d { } }\nd { k { v = 1 } }", "c.x.k.v"},
    {__LINE__, SAME,
     "# gateway moon\n"
     "connections {\n"
     "   defaults {\n"
     "      version = 2\n"
     "      proposals = aes256gcm16-prfsha384-ecp384, aes256-sha256-modp3072\n"
     "      rekey_time = 4h\n"
     "      local { auth = pubkey\n certs = moonCert.pem }\n"
     "   }\n"
     "   site-sun : connections.defaults {\n"
     "      local_addrs  = 192.168.0.1\n"
     "      remote_addrs = 192.168.0.2, sun.example.org\n"
     "      local {\n         id = moon.strongswan.org   # own id\n      }\n"
     "      remote {\n         auth = pubkey\n         id = \"C=CH, O=Example, CN=sun\"\n      }\n"
     "      children {\n"
     "         net-net\n         {\n"
     "            local_ts  = 10.1.0.0/16\n"
     "            remote_ts = 10.2.0.0/16[tcp/1024-65535], 10.3.0.0/16\n"
     "            esp_proposals = aes128gcm16-ecp256 , aes256-sha256\n"
     "            updown = /usr/lib/updown   --with  \"two  spaces\"\n"
     "         }\n"
     "      }\n"
     "      rekey_time = 2h\n"
     "   }\n"
     "   rw : connections.defaults { pools = rw_pool\n"
     "      remote { auth = eap-mschapv2 }  children { rw { local_ts = 0.0.0.0/0 } }\n"
     "      rekey_time =\n"
     "   }\n"
     "}\n"
     "secrets {\n"
     "   eap-carol { id = carol\n      secret = \"Ar3e\\\"t \\\\x\\tq\"\n   }\n"
     "   ike-sun { id = sun.example.org\n"
     "             secret = 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL }\n"
     "}\n"
     "pools { rw_pool { addrs = 10.3.0.0/28\n   dns = 10.1.0.53 } }\n"
     "connections { site-sun { version = 1 } }\n",
     "*"},
    /* includes: globs in order, relative to the including file, into the current section */
    {__LINE__, SAME, "include inc/*.conf\nconns { a { version = 3 } }", "*"},
    {__LINE__, SAME, "s {\n include body.conf\n k1 = own\n}", "*"},
    {__LINE__, SAME, "s { include inc/sub/*.conf }\nt { include \"my file.conf\" }", "*"},
    {__LINE__, SAME, "t { include my\\ file.conf }", "*"},
    {__LINE__, SAME, "include defs.conf\nconn : defaults { local { id = me } }", "*"},
    {__LINE__, SAME, "include nomatch-*.conf\na = 1", "*"},
    /* both reject */
    {__LINE__, SAME, "a {\n b = 1\n", "a.b"},
    {__LINE__, SAME, "a {\n version 2\n}", "a.version"},
    {__LINE__, SAME, "a", "a"},
    {__LINE__, SAME, "foo\nbar = 1\n", "bar"},
    {__LINE__, SAME, "a = \"abc\n\nb = 2\n", "b"},
    {__LINE__, SAME, "a = 1\n}\n", "a"},
    {__LINE__, SAME, "a = {x}", "a"},
    {__LINE__, SAME, "\"a\" = 1", "a"},
    {__LINE__, SAME, "\n= 1", "a"},
    {__LINE__, SAME, "a : {", "a"},
    {__LINE__, SAME, "b { }\na : b c {", "a"},
    {__LINE__, SAME, "s\n\n{ a = 1 }", "s.a"},
    {__LINE__, SAME, "s\n# comment\n\n{ a = 1 }", "s.a"},
    {__LINE__, SAME, "d { a = 1 }\ns : d\n\n{ }", "s.a"},
    {__LINE__, SAME, "a.b = 1", "a"},
    {__LINE__, SAME, "s {\n a.b { c = 1 }\n}", "s"},
    {__LINE__, SAME, "a : b.c. { }", "a"},
    {__LINE__, SAME, "a = b\x01c\x7f", "a"},
    {__LINE__, SAME, "s { a = 1 }}", "s.a"},
    {__LINE__, SAME, "a = \"x\" \"y\"", "a"},
    {__LINE__, SAME, "include\na = 1", "a"},
    /* Rampart rejects, strongSwan loads (see conf_parse.h) */
    {__LINE__, DEVIATION, "a\x01b = 1", "a"},
    {__LINE__, DEVIATION, "a : nosuch { b = 1 }", "a.b"},
    {__LINE__, DEVIATION, "a : b { }\nb : a { x = 1 }", "b.x"},
    {__LINE__, DEVIATION, "s : s.d { d { a = 1 } }", "s.a"},
    {__LINE__, DEVIATION, "d { a = 1\n c { r : d { } } }\ns : d { }", "s.a"},
    {__LINE__, DEVIATION, "include nosuchfile.conf\na = 1", "a"},
    {__LINE__, DEVIATION, "a{b{c{d{e{f{g{h{i{j{k{l{m{n{o{p{q{ x = 1 }}}}}}}}}}}}}}}}}", "a.b.c"},
};

/* Files next to case.conf for the include rows: name, then content. */
static const char *const side_files[][2] = {
    {"inc/10-a.conf", "conns { a { remote_addrs = 192.0.2.1\n version = 1 } }\n"},
    {"inc/20-b.conf", "conns { b { version = 2 }\n a { version = 2 } }\n"},
    {"inc/sub/c.conf", "c { x = \"quoted value\" }\n"},
    {"body.conf", "k1 = v1\ninclude inc/sub/c.conf\n"},
    {"my file.conf", "spaced = yes\n"},
    {"defs.conf", "defaults { version = 2\n local { auth = psk } }\n"},
};

/* Compares every key below sec with strongSwan's value for the same dotted path. */
static size_t compare_all(int line, const struct conf_node *sec, void *ss, get_str_fn get_str)
{
	char path[CONF_MAX_PATH];
	size_t count = 0;

	for (const struct conf_node *n = conf_first(sec); n; n = conf_next(n)) {
		const char *theirs;

		if (n->kind == CONF_SECTION) {
			count += compare_all(line, n, ss, get_str);
			continue;
		}
		count++;
		conf_node_path(n, path, sizeof(path));
		if (strchr(path, '%'))
			continue; /* get_str takes a format string */
		__lsan_disable();
		theirs = get_str(ss, path, NONE);
		__lsan_enable();
		T_OK_ROW(line, theirs && !strcmp(n->value ? n->value : NONE, theirs),
			 "%s: rampart '%s', strongSwan '%s'", path, n->value ? n->value : NONE,
			 theirs ? theirs : "(null)");
	}
	return count;
}

/* Runs libstrongswan's parser on path; returns whether it accepted the file. */
static void *ss_parse(const char *path, bool *ok)
{
	char logpath[128], log[4096];
	int fd, saved;
	ssize_t n;
	void *s;

	snprintf(logpath, sizeof(logpath), "%s/stderr.log", tmpdir);
	fd = open(logpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	__lsan_disable();
	s = ss_settings_create(path);
	__lsan_enable();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	n = read(fd, log, sizeof(log) - 1);
	close(fd);
	log[n > 0 ? n : 0] = '\0';
	*ok = !strstr(log, "invalid config file");
	return s;
}

static void run_row(size_t i)
{
	int line = rows[i].line;
	char path[128], keys[256], err[CONF_ERR_LEN];
	struct conf *c = NULL;
	bool ss_ok;
	void *ss;
	get_str_fn get_str;
	FILE *f;
	int rc;

	for (size_t j = 0; j < sizeof(side_files) / sizeof(side_files[0]); j++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, side_files[j][0]);
		f = fopen(path, "w");
		if (f) {
			fputs(side_files[j][1], f);
			fclose(f);
		}
	}
	snprintf(path, sizeof(path), "%s/case.conf", tmpdir);
	f = fopen(path, "w");
	if (!f) {
		T_OK_ROW(line, 0, "cannot write %s", path);
		return;
	}
	fputs(rows[i].text, f);
	fclose(f);
	rc = conf_parse_file(path, 0, &c, err, sizeof(err));
	ss = ss_parse(path, &ss_ok);
	T_OK_ROW(line, ss != NULL, "settings_create");
	if (!ss)
		goto out;
	if (rows[i].mode == DEVIATION) {
		T_OK_ROW(line, rc != 0 && ss_ok, "deviation: rampart %s (%s), strongSwan %s",
			 rc ? "rejects" : "accepts", err, ss_ok ? "accepts" : "rejects");
		goto out;
	}
	T_OK_ROW(line, (rc == 0) == ss_ok, "rampart %s (%s), strongSwan %s",
		 rc ? "rejects" : "accepts", rc ? err : "", ss_ok ? "accepts" : "rejects");
	if (rc || !ss_ok)
		goto out;
	get_str = *(get_str_fn *)ss;
	if (!strcmp(rows[i].keys, "*")) {
		size_t count = compare_all(line, conf_root(c), ss, get_str);

		T_OK_ROW(line, count > 0, "no keys compared");
		goto out;
	}
	snprintf(keys, sizeof(keys), "%s", rows[i].keys);
	for (char *save = NULL, *k = strtok_r(keys, " ", &save); k;
	     k = strtok_r(NULL, " ", &save)) {
		const char *theirs;

		__lsan_disable();
		theirs = get_str(ss, k, NONE);
		__lsan_enable();
		const char *ours = conf_get(conf_root(c), k, NONE);

		T_OK_ROW(line, theirs && !strcmp(ours, theirs), "%s: rampart '%s', strongSwan '%s'",
			 k, ours, theirs ? theirs : "(null)");
	}
out:
	conf_free(c);
}

/* CONF_SS_CORPUS=DIR: every file of DIR through both parsers (a fuzz corpus, say). Files
 * with "include" are skipped; Rampart may reject what strongSwan loads only for its documented
 * reasons (references, loops, limits). */
static void run_corpus(const char *dir)
{
	char cmd[512], path[1024], err[CONF_ERR_LEN];
	FILE *list;

	snprintf(cmd, sizeof(cmd), "find '%s' -type f", dir);
	list = popen(cmd, "r");
	if (!list)
		return;
	while (fgets(path, sizeof(path), list)) {
		struct conf *c = NULL;
		char text[8192];
		bool ss_ok;
		size_t n;
		void *ss;
		FILE *f;
		int rc;

		path[strcspn(path, "\n")] = '\0';
		f = fopen(path, "r");
		if (!f)
			continue;
		n = fread(text, 1, sizeof(text) - 1, f);
		fclose(f);
		text[n] = '\0';
		if (strlen(text) != n || strstr(text, "include"))
			continue;
		rc = conf_parse_file(path, 0, &c, err, sizeof(err));
		ss = ss_parse(path, &ss_ok);
		if (rc && ss_ok &&
		    (strstr(err, "reference") || strstr(err, "deeper") ||
		     strstr(err, "more than") || strstr(err, "longer than")))
			continue;
		T_OK((rc == 0) == ss_ok, "%s: rampart %s (%s), strongSwan %s", path,
		     rc ? "rejects" : "accepts", rc ? err : "", ss_ok ? "accepts" : "rejects");
		if (!rc && ss_ok)
			compare_all(0, conf_root(c), ss, *(get_str_fn *)ss);
		conf_free(c);
	}
	pclose(list);
}

int main(void)
{
	char path[128], cmd[160];
	bool ok;
	void *lib;
	FILE *f;

	__lsan_disable();
	lib = dlopen(LIBSTRONGSWAN, RTLD_NOW | RTLD_LOCAL);
	__lsan_enable();
	T_OK(lib != NULL, "dlopen %s: %s (install strongswan-charon: sh scripts/deps.sh check)",
	     LIBSTRONGSWAN, lib ? "" : dlerror());
	if (!lib)
		return t_finish();
	*(void **)&ss_library_init = dlsym(lib, "library_init");
	*(void **)&ss_settings_create = dlsym(lib, "settings_create");
	T_OK(ss_library_init && ss_settings_create, "libstrongswan symbols");
	if (!ss_library_init || !ss_settings_create)
		return t_finish();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/rampart-ss-XXXXXX");
	T_OK(mkdtemp(tmpdir) != NULL, "mkdtemp");
	snprintf(path, sizeof(path), "%s/inc", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/inc/sub", tmpdir);
	mkdir(path, 0700);
	/* an empty strongswan.conf for the library itself */
	snprintf(path, sizeof(path), "%s/strongswan.conf", tmpdir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	__lsan_disable();
	ok = ss_library_init(path, "rampart-test");
	__lsan_enable();
	T_OK(ok, "library_init");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(i);
	if (getenv("CONF_SS_CORPUS"))
		run_corpus(getenv("CONF_SS_CORPUS"));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	T_EQ(system(cmd), 0);
	return t_finish();
}
