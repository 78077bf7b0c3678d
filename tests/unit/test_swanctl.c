/* swanctl.conf semantics: realistic files, strongSwan's defaults, and every error reported with
 * FILE:LINE and what was expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg/conf.h"
#include "cfg/conf_parse.h"
#include "cfg/swanctl.h"
#include "cfg/swanctl_secrets.h"
#include "lib/err.h"
#include "lib/secret.h"
#include "support/freescan.h"
#include "support/test.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

static char errors[8][1024];
static size_t nerrors;

static void collect(void *ctx, const char *msg)
{
	(void)ctx;
	if (nerrors < 8)
		snprintf(errors[nerrors], sizeof(errors[0]), "%s", msg);
	nerrors++;
}

/* Parses text as file "swanctl.conf" in dir and loads it. */
static int load(const char *dir, const char *text, struct swanctl_config **out)
{
	struct conf *c = NULL;
	char err[512];
	int rc;

	nerrors = 0;
	rc = conf_parse_string("swanctl.conf", text, strlen(text), CONF_PARSE_NO_INCLUDE, &c, err,
			       sizeof(err));
	if (rc) {
		collect(NULL, err);
		return rc;
	}
	rc = swanctl_load(conf_root(c), dir, collect, NULL, out);
	conf_free(c);
	return rc;
}

static const char gateway[] =
    "# a PSK site-to-site gateway, as in strongSwan's examples\n"
    "connections {\n"
    "    gw-gw {\n"
    "        local_addrs  = 192.168.0.1\n"
    "        remote_addrs = 192.168.0.2, 2001:db8::2\n"
    "        proposals = aes128gcm16-prfsha256-x25519, aes256-sha384-ecp384\n"
    "        dpd_delay = 30s\n"
    "        rekey_time = 2h\n"
    "        local {\n"
    "            auth = psk\n"
    "            id = moon.strongswan.org\n"
    "        }\n"
    "        remote {\n"
    "            auth = psk\n"
    "            id = sun.strongswan.org\n"
    "        }\n"
    "        children {\n"
    "            net-net {\n"
    "                local_ts  = 10.1.0.0/16\n"
    "                remote_ts = 10.2.0.0/16[tcp/80], 10.3.0.0/24\n"
    "                esp_proposals = aes128gcm16, chacha20poly1305\n"
    "                rekey_time = 30m\n"
    "                start_action = start\n"
    "                dpd_action = restart\n"
    "            }\n"
    "            host {\n"
    "                mode = transport\n"
    "                ah_proposals = sha256\n"
    "                rekey_bytes = 1G\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n"
    "secrets {\n"
    "    ike-1 {\n"
    "        id-moon = moon.strongswan.org\n"
    "        id-sun = sun.strongswan.org\n"
    "        secret = 0sv+NkxY9LLZvwj4qCC2o/gGrWDF2d21jL\n"
    "    }\n"
    "    ike-2 {\n"
    "        secret = \"plain text secret\"\n"
    "    }\n"
    "    ike-3 {\n"
    "        id = carol@strongswan.org\n"
    "        secret = 0x0102030405\n"
    "    }\n"
    "}\n"
    "rampart {\n"
    "    control = /tmp/x.ctl\n"
    "}\n";

static void test_gateway(void)
{
	struct swanctl_config *cfg = NULL;
	struct conn_id moon, sun, carol, other;
	char buf[256];

	T_EQ(load(".", gateway, &cfg), 0);
	for (size_t i = 0; i < nerrors && i < 8; i++)
		T_OK(0, "unexpected error: %s", errors[i]);
	if (!cfg)
		return;
	T_EQ(cfg->nconns, 1);
	struct conn *c = cfg->conns[0];
	T_OK(strcmp(c->name, "gw-gw") == 0, "connection name");
	T_EQ(c->version, CONN_VERSION_ANY);
	T_EQ(c->nlocal_addrs, 1);
	T_EQ(c->nremote_addrs, 2);
	T_EQ(c->remote_addrs[1].family, AF_INET6);
	T_EQ(c->local_port, 500);
	T_EQ(c->nproposals, 2);
	T_EQ(c->proposals[0].t[IKEV2_TRANS_ENCR][0].id, IKEV2_ENCR_AES_GCM_16);
	T_EQ(c->proposals[0].t[IKEV2_TRANS_KE][0].id, IKEV2_KE_CURVE25519);
	T_EQ(c->proposals[1].t[IKEV2_TRANS_KE][0].id, IKEV2_KE_ECP384);
	T_EQ(c->dpd_delay, 30);
	T_EQ(c->rekey_time, 7200);
	T_EQ(c->over_time, 720); /* 10 % of rekey_time */
	T_EQ(c->rand_time, 720); /* = over_time */
	T_EQ(c->mobike, true);
	T_EQ(c->fragmentation, CONN_FRAG_YES);
	T_EQ(c->keyingtries, 1);
	T_EQ(c->nlocal_auth, 1);
	T_EQ(c->local_auth[0].method, CONN_AUTH_PSK);
	T_EQ(c->local_auth[0].id.type, IKEV2_ID_FQDN);
	T_OK(strcmp(conn_id_str(&c->remote_auth[0].id, buf, sizeof(buf)), "sun.strongswan.org") ==
		 0,
	     "remote id %s", buf);
	T_EQ(c->nchildren, 2);
	struct conn_child *net = conn_child_find(c, "net-net");
	struct conn_child *host = conn_child_find(c, "host");
	T_OK(net && host, "children found");
	if (!net || !host)
		goto out;
	T_EQ(net->local_ts.n, 1);
	T_EQ(net->remote_ts.n, 2);
	T_EQ(net->remote_ts.ts[0].proto, 6);
	T_EQ(net->remote_ts.ts[0].start_port, 80);
	T_EQ(net->nesp, 2);
	T_EQ(net->esp[1].t[IKEV2_TRANS_ENCR][0].id, IKEV2_ENCR_CHACHA20_POLY1305);
	T_EQ(net->rekey_time, 1800);
	T_EQ(net->life_time, 1980); /* 110 % */
	T_EQ(net->rand_time, 180);  /* life - rekey */
	T_EQ(net->start_action, CONN_ACTION_START);
	T_EQ(net->dpd_action, CONN_ACTION_START);
	T_EQ(net->mode, CONN_MODE_TUNNEL);
	T_EQ(net->replay_window, 32);
	T_EQ(host->mode, CONN_MODE_TRANSPORT);
	T_EQ(host->nesp, 0);
	T_EQ(host->nah, 1);
	T_EQ(host->rekey_bytes, 1ULL << 30);
	T_EQ(host->life_bytes, (1ULL << 30) + (1ULL << 30) / 10);
	T_EQ(host->local_ts.n, 1);
	T_EQ(host->local_ts.ts[0].type, 0); /* dynamic */
	T_EQ(host->rekey_time, 3600);

	/* PSK selection: the key owned by both identities wins. */
	T_EQ(conn_id_parse("moon.strongswan.org", &moon, NULL, 0), 0);
	T_EQ(conn_id_parse("sun.strongswan.org", &sun, NULL, 0), 0);
	T_EQ(conn_id_parse("carol@strongswan.org", &carol, NULL, 0), 0);
	T_EQ(conn_id_parse("dave.example", &other, NULL, 0), 0);
	const struct secret *k = conn_secrets_find_psk(cfg->secrets, &moon, &sun);
	T_OK(k && k->len == 24, "base64 secret decoded (%zu)", k ? k->len : 0);
	k = conn_secrets_find_psk(cfg->secrets, &other, &carol);
	T_OK(k && k->len == 5 && k->p[4] == 5, "hex secret for carol");
	k = conn_secrets_find_psk(cfg->secrets, &other, &other);
	T_OK(k && k->len == 17 && memcmp(k->p, "plain text secret", 17) == 0,
	     "owner-less text secret as fallback");
out:
	swanctl_config_free(cfg);
}

/* Each row: a configuration and the start of the first error it must produce. */
static const struct {
	int line;
	const char *text;
	const char *want;
} bad_rows[] = {
    {__LINE__, "connections {\n a {\n  remote_adrs = 1.2.3.4\n }\n}\n",
     "swanctl.conf:3: unknown key 'remote_adrs' in 'connections.a', did you mean "
     "'remote_addrs'?"},
    {__LINE__, "connections {\n a {\n  proposals = aes128-sha999-x25519\n }\n}\n",
     "swanctl.conf:3: invalid 'proposals': "},
    {__LINE__, "connections {\n a {\n  remote_addrs = 10.0.0.300\n }\n}\n",
     "swanctl.conf:3: invalid address '10.0.0.300' in 'remote_addrs'"},
    {__LINE__, "connections {\n a {\n  rekey_time = 4 hours\n }\n}\n", "swanctl.conf:3:"},
    {__LINE__, "connections {\n a {\n  fragmentation = maybe\n }\n}\n",
     "swanctl.conf:3: invalid value 'maybe' for 'fragmentation': expected one of yes, no, "
     "accept, force"},
    {__LINE__, "connections {\n a {\n  aggressive = yes\n }\n}\n",
     "swanctl.conf:3: 'aggressive = yes' is a strongSwan option Rampart does not support"},
    {__LINE__, "connections {\n a {\n  locale {\n  }\n }\n}\n",
     "swanctl.conf:3: unknown section 'locale' in connection 'a', did you mean 'local'?"},
    {__LINE__, "connections {\n a {\n  local {\n   auth = eap-mschapv2\n  }\n }\n}\n",
     "swanctl.conf:4: auth = eap-mschapv2: EAP and XAuth are not supported"},
    {__LINE__, "connections {\n a {\n  local {\n   auth = magic\n  }\n }\n}\n",
     "swanctl.conf:4: invalid auth 'magic': expected psk, pubkey"},
    {__LINE__, "connections {\n a {\n  local {\n   certs = missing.pem\n  }\n }\n}\n",
     "swanctl.conf:4: cannot load certificate 'missing.pem' (./x509/missing.pem)"},
    {__LINE__, "connections {\n a {\n  children {\n   c {\n    mode = beet\n   }\n  }\n }\n}\n",
     "swanctl.conf:5: invalid value 'beet' for 'mode'"},
    {__LINE__,
     "connections {\n a {\n  children {\n   c {\n    local_ts = 10.0.0.0/33\n   }\n  }\n }\n}\n",
     "swanctl.conf:5: invalid traffic selector '10.0.0.0/33' in 'local_ts'"},
    {__LINE__,
     "connections {\n a {\n  children {\n   c {\n    rekey_time = 2h\n    life_time = 1h\n   "
     "}\n  }\n }\n}\n",
     "swanctl.conf:6: life_time (3600) is smaller than rekey_time (7200)"},
    {__LINE__,
     "connections {\n a {\n  children {\n   c {\n    esp_proposal = aes128\n   }\n  }\n }\n}\n",
     "swanctl.conf:5: unknown key 'esp_proposal' in 'connections.a.children.c', did you mean "
     "'esp_proposals'?"},
    {__LINE__, "secrets {\n ike-x {\n  id = a\n }\n}\n",
     "swanctl.conf:2: secret 'ike-x' has no 'secret = ...'"},
    {__LINE__, "secrets {\n ike-x {\n  secret = 0xabc\n }\n}\n",
     "swanctl.conf:3: invalid secret in 'ike-x': expected text, 0x<hex> or 0s<base64>"},
    {__LINE__, "secrets {\n ike-x {\n  secert = abc\n }\n}\n",
     "swanctl.conf:3: unknown key 'secert' in secret 'ike-x', did you mean 'secret'?"},
    {__LINE__, "secrets {\n eap-carol {\n  secret = x\n }\n}\n",
     "swanctl.conf:2: eap secrets are not supported by Rampart yet"},
    {__LINE__, "secrets {\n token-1 {\n }\n}\n",
     "swanctl.conf:2: token secrets are not supported by Rampart yet"},
    {__LINE__, "secrets {\n magic-1 {\n }\n}\n", "swanctl.conf:2: unknown secret type 'magic-1'"},
    {__LINE__, "conections {\n}\n",
     "swanctl.conf:1: unknown section 'conections', did you mean 'connections'?"},
    {__LINE__, "connections {\n a {\n  version = 1\n }\n}\n",
     "swanctl.conf:3: version = 1 (IKEv1) is not supported by Rampart yet"},
    {__LINE__,
     "connections {\n a {\n  children {\n   c {\n    start_action = trap|restart\n   }\n  "
     "}\n }\n}\n",
     "swanctl.conf:5: invalid value 'trap|restart' for 'start_action'"},
    {__LINE__,
     "connections {\n a {\n  children {\n   c {\n    tfc_padding = lots\n   }\n  }\n "
     "}\n}\n",
     "swanctl.conf:5:"},
    /* a list that does not read to its end is an error, not the items before the problem
     * (nothing, for a trailing comma: no address would have meant any address) */
    {__LINE__, "connections {\n a {\n  remote_addrs = 192.0.2.1,\n }\n}\n",
     "swanctl.conf:3: invalid list in 'remote_addrs': an empty item"},
    {__LINE__, "connections {\n a {\n  local_addrs = 192.0.2.1,,192.0.2.2\n }\n}\n",
     "swanctl.conf:3: invalid list in 'local_addrs': an empty item"},
    {__LINE__,
     "connections {\n a {\n  remote_addrs = 192.0.2.1, "
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "\n }\n}\n",
     "swanctl.conf:3: invalid list in 'remote_addrs': an item longer than 255 characters"},
    {__LINE__,
     "connections {\n a {\n  children {\n   c {\n    local_ts = 10.1.0.0/24,\n   }\n  }\n "
     "}\n}\n",
     "swanctl.conf:5: invalid list in 'local_ts': an empty item"},
    {__LINE__, "connections {\n a {\n  remote {\n   cacerts = ,ca.pem\n  }\n }\n}\n",
     "swanctl.conf:4: invalid list in 'cacerts': an empty item"},
    {__LINE__, "pools {\n p {\n  addrs = 10.3.0.0/24\n }\n}\n",
     "swanctl.conf:1: 'pools' (virtual IP pools) are not supported"},
};

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		struct swanctl_config *cfg = NULL;
		int rc = load(".", bad_rows[i].text, &cfg);

		T_OK_ROW(bad_rows[i].line, rc != 0, "accepted a bad configuration");
		T_OK_ROW(bad_rows[i].line, cfg == NULL, "no result on error");
		T_OK_ROW(bad_rows[i].line, nerrors >= 1, "an error is reported");
		if (nerrors)
			T_OK_ROW(bad_rows[i].line,
				 strncmp(errors[0], bad_rows[i].want, strlen(bad_rows[i].want)) ==
				     0,
				 "got '%s', want '%s...'", errors[0], bad_rows[i].want);
		swanctl_config_free(cfg);
	}
}

/* Every error is reported, not only the first. */
static void test_all_errors(void)
{
	struct swanctl_config *cfg = NULL;

	T_OK(load(".", "connections {\n a {\n  foo = 1\n  bar = 2\n  encap = perhaps\n }\n}\n",
		  &cfg) != 0,
	     "rejected");
	T_EQ(nerrors, 3);
	swanctl_config_free(cfg);
}

static void test_defaults(void)
{
	struct swanctl_config *cfg = NULL;

	T_EQ(load(".", "connections {\n a {\n  children {\n   c {\n   }\n  }\n }\n}\n", &cfg), 0);
	if (!cfg)
		return;
	struct conn *c = cfg->conns[0];
	T_EQ(c->rekey_time, 14400);
	T_EQ(c->over_time, 1440);
	T_EQ(c->reauth_time, 0);
	T_EQ(c->nlocal_addrs, 0);
	T_EQ(c->remote_port, 500);
	T_EQ(c->encap, false);
	T_EQ(c->unique, CONN_UNIQUE_NO);
	T_EQ(c->send_certreq, true);
	T_EQ(c->childless, CONN_CHILDLESS_ALLOW);
	T_EQ(c->local_auth[0].method, CONN_AUTH_PUBKEY);
	T_OK(c->nproposals >= 1, "default IKE proposals");
	T_EQ(c->children[0]->rekey_time, 3600);
	T_EQ(c->children[0]->life_time, 3960);
	T_EQ(c->children[0]->rand_time, 360);
	T_OK(c->children[0]->nesp >= 1, "default ESP proposals");
	T_EQ(c->children[0]->start_action, CONN_ACTION_NONE);
	T_EQ(c->children[0]->close_action, CONN_ACTION_NONE);
	T_EQ(c->children[0]->dpd_action, CONN_ACTION_NONE);
	T_EQ(c->children[0]->tfc_padding, 0);
	T_OK(c->children[0]->updown[0] == 0, "no updown by default");
	swanctl_config_free(cfg);
}

/* A rekey limit near the top of its range: the derived life (110 %) saturates at the largest
 * value the limit holds instead of wrapping below rekey or overflowing the 32-bit time, which
 * rejected the file with an error about a key it did not set. */
static void test_limit_defaults_saturate(void)
{
	struct swanctl_config *cfg = NULL;

	T_EQ(
	    load(
		".",
		"connections {\n a {\n  children {\n   c {\n    rekey_time = 4000000000\n"
		"    rekey_packets = 18446744073709551615\n    rekey_bytes = 18000000000000000000\n"
		"   }\n  }\n }\n}\n",
		&cfg),
	    0);
	T_EQ(nerrors, 0);
	if (!cfg)
		return;
	const struct conn_child *ch = cfg->conns[0]->children[0];
	T_EQ(ch->rekey_time, 4000000000u);
	T_EQ(ch->life_time, UINT32_MAX);
	T_EQ(ch->rand_time, UINT32_MAX - 4000000000u);
	T_OK(ch->rekey_packets == UINT64_MAX && ch->life_packets == UINT64_MAX &&
		 ch->rand_packets == 0,
	     "packets: life saturates at rekey = UINT64_MAX");
	T_OK(ch->rekey_bytes == 18000000000000000000u && ch->life_bytes == UINT64_MAX &&
		 ch->rand_bytes == UINT64_MAX - 18000000000000000000u,
	     "bytes: life saturates above rekey");
	swanctl_config_free(cfg);
}

/* The action keys, updown and tfc_padding as strongSwan reads them. */
static void test_actions(void)
{
	static const struct {
		int line;
		const char *keys;
		int start, close, dpd;
		uint32_t tfc;
		const char *updown;
	} rows[] = {
	    {__LINE__, "start_action = trap", CONN_ACTION_TRAP, 0, 0, 0, ""},
	    {__LINE__, "start_action = trap|start", CONN_ACTION_TRAP | CONN_ACTION_START, 0, 0, 0,
	     ""},
	    {__LINE__, "start_action = start|trap", CONN_ACTION_TRAP | CONN_ACTION_START, 0, 0, 0,
	     ""},
	    {__LINE__, "close_action = start\n dpd_action = restart", 0, CONN_ACTION_START,
	     CONN_ACTION_START, 0, ""},
	    {__LINE__, "close_action = trap\n dpd_action = trap", 0, CONN_ACTION_TRAP,
	     CONN_ACTION_TRAP, 0, ""},
	    {__LINE__, "dpd_action = clear", 0, 0, 0, 0, ""},
	    {__LINE__, "tfc_padding = mtu", 0, 0, 0, CONN_TFC_MTU, ""},
	    {__LINE__, "tfc_padding = 1200", 0, 0, 0, 1200, ""},
	    {__LINE__, "updown = /usr/lib/ipsec/_updown iptables", 0, 0, 0, 0,
	     "/usr/lib/ipsec/_updown iptables"},
	    {__LINE__, "updown = \"my-updown --log 'a b'\"", 0, 0, 0, 0, "my-updown --log 'a b'"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct swanctl_config *cfg = NULL;
		char text[512];

		snprintf(text, sizeof(text),
			 "connections {\n a {\n  children {\n   c {\n %s\n   }\n  }\n }\n}\n",
			 rows[i].keys);
		T_EQ_ROW(rows[i].line, load(".", text, &cfg), 0);
		if (!cfg)
			continue;
		const struct conn_child *ch = cfg->conns[0]->children[0];
		T_EQ_ROW(rows[i].line, ch->start_action, rows[i].start);
		T_EQ_ROW(rows[i].line, ch->close_action, rows[i].close);
		T_EQ_ROW(rows[i].line, ch->dpd_action, rows[i].dpd);
		T_EQ_ROW(rows[i].line, ch->tfc_padding, rows[i].tfc);
		T_OK_ROW(rows[i].line, strcmp(ch->updown, rows[i].updown) == 0, "updown '%s'",
			 ch->updown);
		swanctl_config_free(cfg);
	}
}

/* reauth_time turns IKE rekeying off unless rekey_time is set; over_time follows the larger. */
static void test_reauth_defaults(void)
{
	static const struct {
		int line;
		const char *keys;
		uint32_t rekey, reauth, over;
	} rows[] = {
	    {__LINE__, "reauth_time = 1h", 0, 3600, 360},
	    {__LINE__, "reauth_time = 1h\n  rekey_time = 2h", 7200, 3600, 720},
	    {__LINE__, "reauth_time = 1h\n  over_time = 5m", 0, 3600, 300},
	    {__LINE__, "rekey_time = 1h", 3600, 0, 360},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct swanctl_config *cfg = NULL;
		char text[256];

		snprintf(text, sizeof(text), "connections {\n a {\n  %s\n }\n}\n", rows[r].keys);
		T_EQ_ROW(rows[r].line, load(".", text, &cfg), 0);
		if (cfg) {
			T_EQ_ROW(rows[r].line, cfg->conns[0]->rekey_time, rows[r].rekey);
			T_EQ_ROW(rows[r].line, cfg->conns[0]->reauth_time, rows[r].reauth);
			T_EQ_ROW(rows[r].line, cfg->conns[0]->over_time, rows[r].over);
		}
		swanctl_config_free(cfg);
	}
}

/* childless = allow | force | never (RFC 6023). */
static void test_childless(void)
{
	static const struct {
		int line;
		const char *v;
		int rc;
		enum conn_childless want;
	} rows[] = {
	    {__LINE__, "allow", 0, CONN_CHILDLESS_ALLOW},
	    {__LINE__, "force", 0, CONN_CHILDLESS_FORCE},
	    {__LINE__, "never", 0, CONN_CHILDLESS_NEVER},
	    {__LINE__, "sometimes", -1, CONN_CHILDLESS_ALLOW},
	};

	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		struct swanctl_config *cfg = NULL;
		char text[128];
		int rc;

		snprintf(text, sizeof(text), "connections {\n a {\n  childless = %s\n }\n}\n",
			 rows[r].v);
		rc = load(".", text, &cfg);
		T_EQ_ROW(rows[r].line, rc == 0 ? 0 : -1, rows[r].rc);
		if (rc == 0 && cfg)
			T_EQ_ROW(rows[r].line, cfg->conns[0]->childless, rows[r].want);
		swanctl_config_free(cfg);
	}
}

/* Certificates resolve against x509/ beside the file; the local id defaults to the subject. */
static void test_certs(void)
{
	char dir[] = "/tmp/rampart-swanctl-XXXXXX", cmd[1024];
	struct swanctl_config *cfg = NULL;

	if (!mkdtemp(dir)) {
		T_OK(0, "mkdtemp");
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/x509 %s/x509ca %s/private && cd %s && "
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 "
		 "-subj '/C=CH/O=Test/CN=ca' -keyout private/ca.pem -out x509ca/ca.pem "
		 ">/dev/null 2>&1 && cp x509ca/ca.pem x509/moon.pem",
		 dir, dir, dir, dir);
	T_EQ(system(cmd), 0);
	T_EQ(load(dir,
		  "connections {\n a {\n  local {\n   certs = moon.pem\n  }\n  remote {\n   "
		  "cacerts = ca.pem\n  }\n }\n}\n",
		  &cfg),
	     0);
	for (size_t i = 0; i < nerrors && i < 8; i++)
		T_OK(0, "unexpected error: %s", errors[i]);
	if (cfg) {
		struct conn *c = cfg->conns[0];
		char buf[256];
		T_EQ(c->local_auth[0].ncerts, 1);
		T_EQ(c->remote_auth[0].ncacerts, 1);
		T_EQ(c->local_auth[0].id.type, IKEV2_ID_DER_ASN1_DN);
		conn_id_str(&c->local_auth[0].id, buf, sizeof(buf));
		T_OK(strstr(buf, "CN=ca") != NULL, "local id from the certificate: %s", buf);
		T_EQ(cfg->secrets->ncas, 1);  /* x509ca/ loaded as swanctl --load-all does */
		T_EQ(cfg->secrets->nkeys, 1); /* private/ too */
	}
	swanctl_config_free(cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T_EQ(system(cmd), 0);
}

static void test_secret_values(void)
{
	static const struct {
		int line;
		const char *text;
		int rc;
		size_t len;
	} rows[] = {
	    {__LINE__, "0x00ff", 0, 2},
	    {__LINE__, "0xzz", ERR_INVAL, 0},
	    {__LINE__, "0x0", ERR_INVAL, 0},
	    {__LINE__, "0sAAEC", 0, 3},
	    {__LINE__, "0sAQ==", 0, 1},
	    {__LINE__, "0sA!==", ERR_INVAL, 0},
	    {__LINE__, "0sAQ=x", ERR_INVAL, 0},
	    {__LINE__, "hello", 0, 5},
	    {__LINE__, "0x", 0, 2}, /* too short to be hex: literal text */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct secret *s = NULL;
		int rc = swanctl_secret_value(rows[i].text, &s);
		T_EQ_ROW(rows[i].line, rc, rows[i].rc);
		if (!rc)
			T_EQ_ROW(rows[i].line, s->len, rows[i].len);
		secret_free(s);
	}
}

/* Secrets never reach the allocator unwiped while swanctl.conf is loaded and freed: the PSK in
 * each of its three spellings (text, 0x hex, 0s base64: the decoded bytes are the needle), and
 * a private key's passphrase, the text of a private key file; every freed block is searched
 * (support/freescan.h). */
static void test_secret_wipe(void)
{
	static const char psk[] = "Wipe-me-PSK-5f2c9e1a", pass[] = "Wipe-me-passphrase-77d1";
	char dir[] = "/tmp/rampart-swanctl-wipe-XXXXXX", cmd[1024], text[1024], hex[64] = "0x";
	struct swanctl_config *cfg = NULL;
	char pem[128] = "";
	size_t freed = 0;
	FILE *f;

	T_OK(freescan_available(), "the test build has ASan's allocator hooks");
	if (!freescan_available() || !mkdtemp(dir))
		return;
	for (size_t i = 0; psk[i]; i++)
		snprintf(hex + 2 + 2 * i, sizeof(hex) - 2 - 2 * i, "%02x", (unsigned char)psk[i]);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/private && cd %s && openssl genpkey -algorithm ec -pkeyopt "
		 "ec_paramgen_curve:P-256 -aes256 -pass pass:%s -out enc.pem >/dev/null 2>&1",
		 dir, dir, pass);
	T_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd),
		 "cd %s && openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 "
		 "-out private/plain.pem >/dev/null 2>&1",
		 dir);
	T_EQ(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/private/plain.pem", dir);
	f = fopen(cmd, "r");
	T_OK(f && fgets(pem, sizeof(pem), f) && fgets(pem, sizeof(pem), f) && strlen(pem) > 40,
	     "a line of the private key's PEM text");
	pem[40] = '\0';
	if (f)
		fclose(f);
	snprintf(text, sizeof(text),
		 "secrets {\n"
		 " ike-text {\n  id = a\n  secret = \"%s\"\n }\n"
		 " ike-hex {\n  id = b\n  secret = %s\n }\n"
		 " ike-b64 {\n  id = c\n  secret = 0sV2lwZS1tZS1QU0stNWYyYzllMWE=\n }\n"
		 " private-enc {\n  file = %s/enc.pem\n  secret = \"%s\"\n }\n"
		 "}\n",
		 psk, hex, dir, pass);

	/* the PSK, the passphrase, a piece of an unencrypted private key file's text */
	for (int round = 0; round < 3; round++) {
		const char *needle = round == 0 ? psk : round == 1 ? pass : pem;

		T_OK_ROW(round, freescan_start(needle, strlen(needle)), "scanner starts");
		T_EQ_ROW(round, load(dir, text, &cfg), 0);
		for (size_t i = 0; i < nerrors && i < 8; i++)
			T_OK_ROW(round, 0, "unexpected error: %s", errors[i]);
		if (cfg) {
			T_EQ_ROW(round, cfg->secrets->npsk, 3);
			T_EQ_ROW(round, cfg->secrets->nkeys, 2);
			for (size_t i = 0; i < cfg->secrets->npsk; i++)
				T_MEM_ROW(round, cfg->secrets->psk[i].key->p,
					  cfg->secrets->psk[i].key->len, psk, strlen(psk));
		}
		swanctl_config_free(cfg);
		cfg = NULL;
		T_EQ_ROW(round, freescan_stop(&freed), 0);
		T_OK_ROW(round, freed > 10, "the scanner saw %zu blocks freed", freed);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T_EQ(system(cmd), 0);
}

int main(void)
{
	test_gateway();
	test_bad();
	test_all_errors();
	test_defaults();
	test_limit_defaults_saturate();
	test_actions();
	test_childless();
	test_reauth_defaults();
	test_certs();
	test_secret_values();
	test_secret_wipe();
	return t_finish();
}
