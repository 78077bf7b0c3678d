/* libFuzzer harness for swanctl.conf loading (cfg/swanctl.h) on top of the parser
 * (cfg/conf_parse.h), from memory with includes disabled: the text a user (or a configuration
 * generator) hands rampartd --check. Files the configuration names resolve against a fixture
 * directory made once: x509/moon.pem and x509ca/ca.pem (one self-signed P-256 certificate),
 * private/moon.key (its key), so certs = moon.pem, cacerts = ca.pem and secrets' private-*
 * file = moon.key load for real and the swanctl --load-all directory scan runs every time.
 *
 * Checked: success yields a configuration with at most SWANCTL_MAX_CONNS connections, each
 * within conn.h's limits (proposals, 1..CONN_MAX_ROUNDS rounds each way, children with ESP or AH
 * proposals, no life limit below its rekey limit); ERR_INVAL comes after at least one non-empty
 * report; no other result than 0, ERR_INVAL and ERR_NOMEM. */
#include <errno.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/conf_parse.h"
#include "cfg/swanctl.h"
#include "lib/err.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res);

/* No DNS from a fuzzer: every host name is unknown (swanctl.c tries addr_parse first, so
 * numeric addresses never get here). This definition takes the place of libc's. */
int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
		struct addrinfo **res)
{
	(void)node;
	(void)service;
	(void)hints;
	(void)res;
	return EAI_NONAME;
}

static const char cert_pem[] = "-----BEGIN CERTIFICATE-----\n"
			       "MIIBxTCCAWygAwIBAgIUS3V/7vUme8HPrmAFFsQZ1UbFygYwCgYIKoZIzj0EAwIw\n"
			       "KzELMAkGA1UEBhMCQ0gxDTALBgNVBAoMBEZ1enoxDTALBgNVBAMMBG1vb24wIBcN\n"
			       "MjYxMTI3MjA0NTA3WhgPMjEyNjExMDMyMDQ1MDdaMCsxCzAJBgNVBAYTAkNIMQ0w\n"
			       "CwYDVQQKDARGdXp6MQ0wCwYDVQQDDARtb29uMFkwEwYHKoZIzj0CAQYIKoZIzj0D\n"
			       "AQcDQgAECKyj5aULoKBgjiyoqWrzGL2JMW+JVfubQ0MGCq/wW17y859XphziKQsE\n"
			       "z4Fk48i7oAEsYw+nRdNhy8u9CoI93aNsMGowHQYDVR0OBBYEFBiaCwebSZOBqyaP\n"
			       "87QStlKbVOklMB8GA1UdIwQYMBaAFBiaCwebSZOBqyaP87QStlKbVOklMA8GA1Ud\n"
			       "EwEB/wQFMAMBAf8wFwYDVR0RBBAwDoIMbW9vbi5leGFtcGxlMAoGCCqGSM49BAMC\n"
			       "A0cAMEQCICG8BUaPn6jt8+2eLUn8DqhNbmpB/HPPj8qIYoNIiA4aAiBpakhyvBYS\n"
			       "w0AJ6BbPku2n5VntyjhdP1IxAnlMEWyuLw==\n"
			       "-----END CERTIFICATE-----\n";

/* Test-only key of the certificate above; it protects nothing. */
static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
			      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg6oV6fofQ0wdctML8\n"
			      "bW6TqqzvN14jh6zbpBrU6PMZWGmhRANCAAQIrKPlpQugoGCOLKipavMYvYkxb4lV\n"
			      "+5tDQwYKr/BbXvLzn1emHOIpCwTPgWTjyLugASxjD6dF02HLy70Kgj3d\n"
			      "-----END PRIVATE KEY-----\n";

static char fixture[64] = "/tmp/rampart-fuzz-swanctl.XXXXXX";

static const char *const fixture_files[] = {"x509/moon.pem", "x509ca/ca.pem", "private/moon.key",
					    NULL};
static const char *const fixture_dirs[] = {"x509", "x509ca", "private", NULL};

static void fixture_remove(void)
{
	char path[128];

	for (size_t i = 0; fixture_files[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", fixture, fixture_files[i]);
		unlink(path);
	}
	for (size_t i = 0; fixture_dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", fixture, fixture_dirs[i]);
		rmdir(path);
	}
	rmdir(fixture);
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixture, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		fprintf(stderr, "fuzz_swanctl: cannot write %s: %s\n", path, strerror(errno));
		abort();
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[128];

	(void)argc;
	(void)argv;
	if (!mkdtemp(fixture))
		abort();
	atexit(fixture_remove);
	for (size_t i = 0; fixture_dirs[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", fixture, fixture_dirs[i]);
		if (mkdir(path, 0700))
			abort();
	}
	write_file("x509/moon.pem", cert_pem);
	write_file("x509ca/ca.pem", cert_pem);
	write_file("private/moon.key", key_pem);
	return 0;
}

/* A limit pair as the loader promises it: no life shorter than the rekey it follows. */
static void check_limits(uint64_t rekey, uint64_t life)
{
	if (rekey && life && life < rekey)
		abort();
}

/* What conn.h promises of a configured connection. */
static void check_conn(const struct conn *c)
{
	if (!c || c->nproposals < 1 || c->nlocal_auth < 1 || c->nlocal_auth > CONN_MAX_ROUNDS ||
	    c->nremote_auth < 1 || c->nremote_auth > CONN_MAX_ROUNDS ||
	    c->nchildren > CONN_MAX_CHILDREN || c->nlocal_addrs > CONN_MAX_ADDRS ||
	    c->nremote_addrs > CONN_MAX_ADDRS)
		abort();
	for (size_t i = 0; i < c->nchildren; i++) {
		const struct conn_child *ch = c->children[i];

		if (!ch || ch->nesp + ch->nah < 1 || ch->local_ts.n > TS_LIST_MAX ||
		    ch->remote_ts.n > TS_LIST_MAX)
			abort();
		check_limits(ch->rekey_time, ch->life_time);
		check_limits(ch->rekey_bytes, ch->life_bytes);
		check_limits(ch->rekey_packets, ch->life_packets);
	}
}

struct reports {
	unsigned n;
};

static void report(void *ctx, const char *msg)
{
	struct reports *r = ctx;

	if (!msg || !*msg)
		abort();
	r->n++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c = NULL;
	struct swanctl_config *cfg = NULL;
	struct reports r = {0};
	char err[CONF_ERR_LEN];
	int rc;

	if (conf_parse_string("fuzz.conf", (const char *)data, size, CONF_PARSE_NO_INCLUDE, &c, err,
			      sizeof(err)))
		return 0;
	rc = swanctl_load(conf_root(c), fixture, report, &r, &cfg);
	if (rc == 0) {
		if (!cfg || cfg->nconns > SWANCTL_MAX_CONNS || !cfg->secrets)
			abort();
		for (size_t i = 0; i < cfg->nconns; i++)
			check_conn(cfg->conns[i]);
	} else if (cfg || (rc == ERR_INVAL && r.n == 0) || (rc != ERR_INVAL && rc != ERR_NOMEM)) {
		abort();
	}
	swanctl_config_free(cfg);
	conf_free(c);
	return 0;
}
