/* rampartd's config: defaults, every setting, static xfrm entries and the errors with lines. */
#include <string.h>

#include "daemon/config.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "support/test.h"

#define K20 "0x00112233445566778899aabbccddeeff01020304"

static const struct {
	int line;
	const char *text;
	const char *err; /* NULL: accepted */
} rows[] = {
    {__LINE__, "", NULL},
    {__LINE__, "connections { a { remote_addrs = 192.0.2.1 } }\nsecrets { }\n", NULL},
    {__LINE__,
     "rampart {\n control = /tmp/x.ctl\n tun = rt9\n mtu = 1300\n workers = 1\n"
     " table = 100\n fwmark = 0x10\n offload = no\n}\n",
     NULL},
    {__LINE__,
     "rampart {\n xfrm {\n  state-a = \"src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 "
     "aead rfc4106(gcm(aes)) " K20 " 128\"  # comment\n"
     "  policy-a = src 10.1.0.0/24 dst 10.2.0.0/24 dir out tmpl proto esp\n }\n}\n",
     NULL},
    {__LINE__, "rampart {\n mtu = 10\n}\n",
     "t:2: mtu: expected a number from 576 to 65535, got \"10\""},
    {__LINE__, "rampart {\n workers = 0\n}\n",
     "t:2: workers: expected a number from 1 to 16, got \"0\""},
    {__LINE__, "rampart {\n table = 254\n}\n",
     "t:2: table: expected a routing table number other than 0, 253, 254, 255, got \"254\""},
    {__LINE__, "rampart {\n fwmark = x\n}\n", "t:2: fwmark: expected a non-zero number, got \"x\""},
    {__LINE__, "rampart {\n offload = maybe\n}\n",
     "t:2: offload: expected yes or no, got \"maybe\""},
    {__LINE__, "rampart {\n tun = abcdefghijklmnopq\n}\n",
     "t:2: tun: name empty or longer than 15"},
    {__LINE__, "rampart {\n retransmit_timeout = 0.05\n}\n",
     "t:2: retransmit_timeout: expected seconds from 0.1 to 600, got \"0.05\""},
    {__LINE__, "rampart {\n retransmit_timeout = 1.0005\n}\n",
     "t:2: retransmit_timeout: expected seconds from 0.1 to 600, got \"1.0005\""},
    {__LINE__, "rampart {\n retransmit_timeout = 1s\n}\n",
     "t:2: retransmit_timeout: expected seconds from 0.1 to 600, got \"1s\""},
    {__LINE__, "rampart {\n retransmit_timeout = .\n}\n",
     "t:2: retransmit_timeout: expected seconds from 0.1 to 600, got \".\""},
    {__LINE__, "rampart {\n retransmit_base = 0.9\n}\n",
     "t:2: retransmit_base: expected a factor from 1.0 to 10.0, got \"0.9\""},
    {__LINE__, "rampart {\n retransmit_base = 1.85\n}\n",
     "t:2: retransmit_base: expected a factor from 1.0 to 10.0, got \"1.85\""},
    {__LINE__, "rampart {\n keep_alive = 20m\n}\n",
     "t:2: keep_alive: expected seconds from 0 to 3600, got \"20m\""},
    {__LINE__, "rampart {\n keep_alive = 3601\n}\n",
     "t:2: keep_alive: expected seconds from 0 to 3600, got \"3601\""},
    {__LINE__, "rampart {\n retransmit_tries = 21\n}\n",
     "t:2: retransmit_tries: expected a number from 0 to 20, got \"21\""},
    {__LINE__, "rampart {\n retransmit_timeout = 99999999999999999999999\n}\n",
     "t:2: retransmit_timeout: expected seconds from 0.1 to 600, got "
     "\"99999999999999999999999\""},
    {__LINE__, "rampart {\n colour = blue\n}\n", "t:2: unknown key 'colour' in 'rampart'"},
    {__LINE__, "rampart {\n\n interfaces {\n }\n}\n",
     "t:3: unknown section 'interfaces' in 'rampart'"},
    {__LINE__, "rampart {\n xfrm {\n  sa-1 = x\n }\n}\n",
     "t:3: unknown key 'sa-1' in 'rampart.xfrm'"},
    {__LINE__,
     "rampart {\n xfrm {\n  state-1 = src 192.0.2.1 dst 192.0.2.2 proto esp spi 0xzz\n"
     " }\n}\n",
     "t:3: state-1: invalid SPI \"0xzz\": expected a number"},
    {__LINE__, "rampart {\n xfrm {\n  policy-1 = \"src 10.0.0.0/8 dir out\n }\n}\n",
     "t:3: expected '\"' to end the quoted string started here, got end of file"},
    {__LINE__, "rampart {\n",
     "t:1: expected '}' to close section 'rampart' opened at line 1, got end of file"},
    {__LINE__, "}\n", "t:1: unexpected '}': no section is open here"},
    {__LINE__, "a = b\n", NULL}, /* top-level keys belong to others */
    {__LINE__, "rampart {\n mtu 1400\n}\n", "t:2: expected '=' or '{' after 'mtu', got '1400'"},
    {__LINE__, "rampart {\n = 3\n}\n", "t:2: expected a key or section name, got '='"},
    {__LINE__, "rampart {\n mtu = 1400;\n}\n",
     "t:2: mtu: expected a number from 576 to 65535, got \"1400;\""},
    {__LINE__, "rampart { $ }\n", "t:1: expected '=' or '{' after '$', got '}'"},
    {__LINE__, "rampart {\n log {\n  default = warn\n  ike = debug\n  esp = error\n }\n}\n", NULL},
    {__LINE__, "rampart {\n log {\n  ike = verbose\n }\n}\n",
     "t:3: log.ike: expected error, warn, info or debug, got \"verbose\""},
    {__LINE__, "rampart {\n log {\n  ikev2 = debug\n }\n}\n",
     "t:3: unknown key 'ikev2' in 'rampart.log', did you mean 'ike'?"},
};

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct daemon_config c;
		char err[512] = "";
		int r = config_parse(&c, "t", rows[i].text, strlen(rows[i].text), err, sizeof(err));
		if (!rows[i].err) {
			T_OK_ROW(rows[i].line, r == 0, "parse failed: %s", err);
		} else {
			T_EQ_ROW(rows[i].line, r, ERR_INVAL);
			T_OK_ROW(rows[i].line, strcmp(err, rows[i].err) == 0,
				 "error\n  got  '%s'\n  want '%s'", err, rows[i].err);
		}
		config_cleanup(&c);
	}
}

static void test_values(void)
{
	struct daemon_config c;
	char err[512], buf[XFRM_LINE_MAX + 32];
	const char *w[XFRM_ARGS_MAX + 2];
	int r, n;

	r = config_parse(&c, "t", rows[2].text, strlen(rows[2].text), err, sizeof(err));
	T_EQ(r, 0);
	T_OK(strcmp(c.control, "/tmp/x.ctl") == 0, "control");
	T_OK(strcmp(c.tun, "rt9") == 0, "tun");
	T_EQ(c.mtu, 1300);
	T_EQ(c.workers, 1);
	T_EQ(c.table, 100);
	T_EQ(c.fwmark, 0x10);
	T_OK(!c.offload, "offload");
	config_cleanup(&c);

	r = config_parse(&c, "t", "", 0, err, sizeof(err));
	T_EQ(r, 0);
	T_OK(strcmp(c.control, CONFIG_DEFAULT_CONTROL) == 0, "default control");
	T_OK(strcmp(c.tun, CONFIG_DEFAULT_TUN) == 0, "default tun");
	T_EQ(c.workers, 2);
	T_EQ(c.retransmit_timeout_ms, IKE_RETRANSMIT_TIMEOUT);
	T_EQ(c.retransmit_base_x10, IKE_RETRANSMIT_BASE_X10);
	T_EQ(c.retransmit_tries, IKE_RETRANSMIT_TRIES);
	T_EQ(c.keep_alive_s, 20);
	config_cleanup(&c);

	/* strongSwan's charon.retransmit_* spellings: seconds and a factor with decimals */
	static const char rt[] = "rampart {\n retransmit_timeout = 0.5\n retransmit_base = 1.4\n"
				 " retransmit_tries = 2\n}\n";
	r = config_parse(&c, "t", rt, strlen(rt), err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(c.retransmit_timeout_ms, 500);
	T_EQ(c.retransmit_base_x10, 14);
	T_EQ(c.retransmit_tries, 2);
	config_cleanup(&c);
	static const char rt2[] = "rampart {\n retransmit_timeout = 600\n retransmit_base = 10\n"
				  " retransmit_tries = 0\n}\n";
	r = config_parse(&c, "t", rt2, strlen(rt2), err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(c.retransmit_timeout_ms, 600000);
	T_EQ(c.retransmit_base_x10, 100);
	T_EQ(c.retransmit_tries, 0);
	config_cleanup(&c);
	static const char ka[] = "rampart {\n keep_alive = 5s\n}\n";
	r = config_parse(&c, "t", ka, strlen(ka), err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(c.keep_alive_s, 5);
	config_cleanup(&c);
	static const char ka0[] = "rampart {\n keep_alive = 0\n}\n";
	r = config_parse(&c, "t", ka0, strlen(ka0), err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(c.keep_alive_s, 0);
	config_cleanup(&c);

	r = config_parse(&c, "t", rows[3].text, strlen(rows[3].text), err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(c.n_xfrm, 2);
	if (c.n_xfrm == 2) {
		T_OK(!c.xfrm[0].policy && c.xfrm[1].policy, "order kept");
		T_EQ(c.xfrm[1].line, 4);
		n = config_xfrm_argv(&c.xfrm[1], buf, sizeof(buf), w, XFRM_ARGS_MAX + 2);
		T_EQ(n, 11);
		T_OK(n == 11 && strcmp(w[0], "policy") == 0 && strcmp(w[1], "add") == 0 &&
			 strcmp(w[10], "esp") == 0,
		     "argv");
	}
	config_cleanup(&c);
}

/* log { }: levels per subsystem, the default for the others, --debug on top. */
static void test_log(void)
{
	static const char text[] = "rampart {\n log {\n  default = warn\n  ike = debug\n"
				   "  esp = error\n }\n}\n";
	struct daemon_config c;
	char err[512] = "";

	T_EQ(config_parse(&c, "t", text, strlen(text), err, sizeof(err)), 0);
	config_apply_log(&c, 0);
	T_EQ(log_get_level(LOG_IKE), LOG_LVL_DEBUG);
	T_EQ(log_get_level(LOG_ESP), LOG_LVL_ERROR);
	T_EQ(log_get_level(LOG_CFG), LOG_LVL_WARN);
	T_EQ(log_get_level(LOG_DAEMON), LOG_LVL_WARN);
	config_apply_log(&c, 1u << LOG_ESP);
	T_EQ(log_get_level(LOG_ESP), LOG_LVL_DEBUG);
	T_EQ(log_get_level(LOG_IKE), LOG_LVL_DEBUG);
	T_EQ(log_get_level(LOG_CTL), LOG_LVL_WARN);
	config_cleanup(&c);
	/* nothing configured: info everywhere */
	T_EQ(config_parse(&c, "t", "", 0, err, sizeof(err)), 0);
	config_apply_log(&c, 0);
	for (int i = 0; i < LOG_SUBSYS_COUNT; i++)
		T_EQ(log_get_level((enum log_subsys)i), LOG_LVL_INFO);
	config_cleanup(&c);
}

int main(void)
{
	test_rows();
	test_values();
	test_log();
	return t_finish();
}
