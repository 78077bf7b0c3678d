/* ip-xfrm argument parsing: every accepted form and every error message, row by row. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "daemon/xfrm_args.h"
#include "lib/err.h"
#include "support/test.h"

#define K16 "0x00112233445566778899aabbccddeeff"
#define K20 K16 "01020304"
#define K19 K16 "010203"
#define K24 K16 "0011223344556677"
#define K28 K24 "01020304"
#define K32 K16 "00112233445566778899aabbccddeeff"
#define K36 K32 "01020304"
#define K48 K32 "00112233445566778899aabbccddeeff"
#define K64 K32 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SA  "state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 "
#define SA6 "state add src 2001:db8::1 dst 2001:db8::2 proto esp spi 4096 "
#define PA  "policy add src 10.1.0.0/16 dst 10.2.0.0/16 "

static const struct {
	int line;
	const char *cmd;
	const char *err; /* NULL: must parse */
} rows[] = {
    /* accepted forms */
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K20 " 128", NULL},
    {__LINE__,
     SA "mode tunnel reqid 7 replay-window 128 flag esn aead rfc4106(gcm(aes)) " K36 " 64", NULL},
    {__LINE__, SA "aead rfc4309(ccm(aes)) " K19 " 96", NULL},
    {__LINE__, SA "aead rfc7539esp(chacha20,poly1305) " K36 " 128", NULL},
    {__LINE__, SA "aead rfc4543(gcm(aes)) " K28 " 128", NULL},
    {__LINE__, SA "enc cbc(aes) " K32 " auth-trunc hmac(sha256) " K32 " 128", NULL},
    {__LINE__,
     SA "enc rfc3686(ctr(aes)) " K20 " auth hmac(sha1) 0x00112233445566778899aabbccddeeff01020304",
     NULL},
    {__LINE__, SA "enc cbc(des3_ede) " K24 " auth hmac(sha384) " K48, NULL},
    {__LINE__, SA "enc ecb(cipher_null) \"\" auth hmac(sha512) " K64, NULL},
    {__LINE__, SA "enc cipher_null 0x auth xcbc(aes) " K16, NULL},
    {__LINE__, SA "enc cbc(aes) " K16 " auth cmac(aes) " K16, NULL},
    {__LINE__, SA "encap espinudp 4500 4500 0.0.0.0 aead rfc4106(gcm(aes)) " K20 " 128", NULL},
    {__LINE__, SA6 "mode tunnel aead rfc4106(gcm(aes)) " K20 " 128", NULL},
    {__LINE__, "state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 300 auth hmac(sha256) " K32,
     NULL},
    {__LINE__, SA "limit time-soft 10 time-hard 20 aead rfc4106(gcm(aes)) " K20 " 128", NULL},
    {__LINE__,
     SA "limit byte-soft 1000 limit byte-hard 0x1000 packet-hard 9 aead rfc4106(gcm(aes)) " K20
	" 128",
     NULL},
    {__LINE__, SA "limit packet-soft 5 aead rfc4106(gcm(aes)) " K20 " 128", NULL},
    {__LINE__, "state del src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000", NULL},
    {__LINE__, "state list", NULL},
    {__LINE__, "state show", NULL},
    {__LINE__, "state flush", NULL},
    {__LINE__, PA "dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp mode tunnel reqid 1", NULL},
    {__LINE__, PA "proto tcp sport 80 dport 443 dir in action allow priority 5", NULL},
    {__LINE__, PA "proto 47 dir fwd action block", NULL},
    {__LINE__, "policy add src 2001:db8:1::/48 dst 2001:db8:2::1 dir out tmpl proto ah", NULL},
    {__LINE__, "policy del src 10.1.0.0/16 dst 10.2.0.0/16 dir out", NULL},
    {__LINE__, "policy list", NULL},
    {__LINE__, "policy flush", NULL},

    /* command errors */
    {__LINE__, "", "expected \"state\" or \"policy\""},
    {__LINE__, "sa add", "unknown object \"sa\": expected \"state\" or \"policy\""},
    {__LINE__, "state", "expected add, del, list or flush after \"state\""},
    {__LINE__, "state get", "unknown state command \"get\": expected add, del, list or flush"},
    {__LINE__, "policy flush now", "unexpected argument \"now\" after \"flush\""},
    {__LINE__, "state list all", "unexpected argument \"all\" after \"list\""},
    /* state errors */
    {__LINE__, "state add src", "missing value for \"src\""},
    {__LINE__, "state add src 192.0.2.300 dst 192.0.2.2",
     "invalid address \"192.0.2.300\" for \"src\": expected an IPv4 or IPv6 address"},
    {__LINE__, "state add dst 192.0.2.2 proto esp spi 300", "missing \"src\""},
    {__LINE__, "state add src 192.0.2.1 proto esp spi 300", "missing \"dst\""},
    {__LINE__, "state add src 192.0.2.1 dst ::1 proto esp spi 300",
     "\"src\" and \"dst\" must be of the same address family"},
    {__LINE__, "state add src 192.0.2.1 dst 192.0.2.2 spi 300", "missing \"proto\""},
    {__LINE__, "state add src 192.0.2.1 dst 192.0.2.2 proto esp", "missing \"spi\""},
    {__LINE__, "state add src 192.0.2.1 dst 192.0.2.2 proto comp",
     "invalid proto \"comp\": expected esp or ah"},
    {__LINE__, "state add src 192.0.2.1 src 192.0.2.2", "duplicate \"src\""},
    {__LINE__, SA "spi 5", "duplicate \"spi\""},
    {__LINE__, "state add spi 0xzz", "invalid SPI \"0xzz\": expected a number"},
    {__LINE__, "state add spi 0x", "invalid SPI \"0x\": expected a number"},
    {__LINE__, "state add spi 12a", "invalid SPI \"12a\": expected a number"},
    {__LINE__, "state add spi 0x100000000",
     "invalid SPI \"0x100000000\": expected a number from 0 to 4294967295"},
    {__LINE__, "state add spi 255", "invalid SPI \"255\": 0-255 are reserved (RFC 4303 §2.1)"},
    {__LINE__, "state add spi", "missing value for \"spi\""},
    {__LINE__, SA "mode beet", "invalid mode \"beet\": expected tunnel or transport"},
    {__LINE__, SA "reqid -1", "invalid reqid \"-1\": expected a number"},
    {__LINE__, SA "replay-window 5000",
     "invalid replay-window \"5000\": expected a number from 0 to 4096"},
    {__LINE__, SA "flag noecn", "unknown flag \"noecn\": only esn is supported"},
    {__LINE__, SA "encap espinudp-nonike 4500 4500 0.0.0.0",
     "invalid encap type \"espinudp-nonike\": expected espinudp (RFC 3948)"},
    {__LINE__, SA "encap espinudp 0 4500 0.0.0.0",
     "invalid encap source port \"0\": expected a number from 1 to 65535"},
    {__LINE__, SA "encap espinudp 4500 65536 0.0.0.0",
     "invalid encap destination port \"65536\": expected a number from 1 to 65535"},
    {__LINE__, SA "encap espinudp 4500 4500", "missing value for \"encap\""},
    {__LINE__, SA "lifetime 5", "unknown argument \"lifetime\""},
    {__LINE__, SA "limit", "missing value for \"limit\""},
    {__LINE__, SA "limit aead",
     "invalid limit \"aead\": expected time-soft, time-hard, "
     "byte-soft, byte-hard, packet-soft or packet-hard"},
    {__LINE__, SA "limit time-use-soft 5",
     "limit \"time-use-soft\" is not supported: use time-soft or time-hard"},
    {__LINE__, SA "limit byte-soft", "missing value for \"byte-soft\""},
    {__LINE__, SA "limit byte-soft 1k", "invalid byte-soft \"1k\": expected a number"},
    {__LINE__, SA "limit time-soft 30 time-hard 20 aead rfc4106(gcm(aes)) " K20 " 128",
     "limit time-soft (30) is larger than time-hard (20)"},
    {__LINE__, SA "limit packet-soft 2 packet-hard 1 aead rfc4106(gcm(aes)) " K20 " 128",
     "limit packet-soft (2) is larger than packet-hard (1)"},
    {__LINE__, "state del src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 limit time-soft 1",
     "unexpected \"limit\" in \"state del\": expected src, dst, proto, spi"},
    {__LINE__, SA "aead gcm(aes) " K20 " 128", "unknown algorithm \"gcm(aes)\" for \"aead\""},
    {__LINE__, SA "enc rfc4106(gcm(aes)) " K20,
     "algorithm \"rfc4106(gcm(aes))\" goes with \"aead\", not \"enc\""},
    {__LINE__, SA "auth cbc(aes) " K16, "algorithm \"cbc(aes)\" goes with \"enc\", not \"auth\""},
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K16 " 128",
     "key for \"rfc4106(gcm(aes))\" must be 20, 28 or 36 bytes, got 16"},
    {__LINE__, SA "aead rfc4309(ccm(aes)) " K20 " 128",
     "key for \"rfc4309(ccm(aes))\" must be 19, 27 or 35 bytes, got 20"},
    {__LINE__, SA "aead rfc7539esp(chacha20,poly1305) " K32 " 128",
     "key for \"rfc7539esp(chacha20,poly1305)\" must be 36 bytes, got 32"},
    {__LINE__, SA "enc cbc(aes) " K20 " auth hmac(sha1) " K20,
     "key for \"cbc(aes)\" must be 16, 24 or 32 bytes, got 20"},
    {__LINE__, SA "enc cbc(aes) " K16 " auth hmac(sha256) " K20,
     "key for \"hmac(sha256)\" must be 32 bytes, got 20"},
    {__LINE__, SA "enc ecb(cipher_null) " K16 " auth hmac(sha256) " K32,
     "key for \"ecb(cipher_null)\" must be 0 bytes, got 16"},
    {__LINE__, SA "aead rfc4106(gcm(aes)) secret 128",
     "invalid key for \"rfc4106(gcm(aes))\": expected hex digits after 0x"},
    {__LINE__, SA "aead rfc4106(gcm(aes)) 0x0011223344556677889900112233445566778g99 128",
     "invalid key for \"rfc4106(gcm(aes))\": expected hex digits after 0x"},
    {__LINE__, SA "aead rfc4106(gcm(aes)) 0x123 128",
     "invalid key for \"rfc4106(gcm(aes))\": odd number of hex digits"},
    {__LINE__, SA "aead rfc4106(gcm(aes))", "missing value for \"rfc4106(gcm(aes))\""},
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K20, "missing value for \"rfc4106(gcm(aes))\""},
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K20 " 100",
     "ICV length for \"rfc4106(gcm(aes))\" must be 64, 96 or 128 bits, got 100"},
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K20 " big",
     "invalid ICV length \"big\": expected a number"},
    {__LINE__, SA "enc cbc(aes) " K16 " auth-trunc hmac(sha256) " K32 " 96",
     "truncation for \"hmac(sha256)\" must be 128 bits, got 96"},
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K20 " 128 aead rfc4106(gcm(aes)) " K20 " 128",
     "duplicate \"aead\""},
    {__LINE__, SA "auth hmac(sha1) " K20 " auth-trunc hmac(sha1) " K20 " 96", "duplicate \"auth\""},
    {__LINE__, SA "aead rfc4106(gcm(aes)) " K20 " 128 auth hmac(sha256) " K32,
     "\"aead\" cannot be combined with \"enc\" or \"auth\""},
    {__LINE__, SA, "proto esp needs \"aead\", or \"enc\" with \"auth\" or \"auth-trunc\""},
    {__LINE__, SA "auth hmac(sha256) " K32,
     "proto esp needs \"aead\", or \"enc\" with \"auth\" or \"auth-trunc\""},
    {__LINE__, SA "enc cbc(aes) " K16,
     "\"enc\" without \"auth\" or \"auth-trunc\" is not supported: ESP needs integrity "
     "protection (RFC 8221 §5)"},
    {__LINE__, "state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 300 enc cbc(aes) " K16,
     "proto ah takes only \"auth\" or \"auth-trunc\", not \"enc\""},
    {__LINE__, "state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 300",
     "proto ah needs \"auth\" or \"auth-trunc\""},
    {__LINE__,
     "state add src 192.0.2.1 dst 192.0.2.2 proto ah spi 300 encap espinudp 1 2 0.0.0.0 "
     "auth hmac(sha256) " K32,
     "\"encap\" is only possible with proto esp"},
    {__LINE__, "state del src 192.0.2.1 dst 192.0.2.2 proto esp spi 300 mode tunnel",
     "unexpected \"mode\" in \"state del\": expected src, dst, proto, spi"},
    /* policy errors */
    {__LINE__, "policy add src 10.1.0.0/33 dst 10.2.0.0/16 dir out",
     "invalid prefix \"10.1.0.0/33\" for \"src\": length must be 0-32"},
    {__LINE__, "policy add src 10.1.0.1/16 dst 10.2.0.0/16 dir out",
     "invalid prefix \"10.1.0.1/16\" for \"src\": host bits are set"},
    {__LINE__, "policy add src 10.1.0.0/16 dst host dir out",
     "invalid prefix \"host\" for \"dst\": expected ADDRESS[/LENGTH]"},
    {__LINE__, "policy add src 2001:db8::/129 dst ::/0 dir out",
     "invalid prefix \"2001:db8::/129\" for \"src\": length must be 0-128"},
    {__LINE__, "policy add dst 10.2.0.0/16 dir out", "missing \"src\""},
    {__LINE__, "policy add src 10.2.0.0/16 dir out", "missing \"dst\""},
    {__LINE__, "policy add src 10.1.0.0/16 dst ::/0 dir out",
     "\"src\" and \"dst\" must be of the same address family"},
    {__LINE__, PA "proto foo dir out",
     "invalid proto \"foo\": expected tcp, udp, icmp, ipv6-icmp, sctp, any or a number 0-255"},
    {__LINE__, PA "proto icmp dport 80 dir out", "\"dport\" needs proto tcp, udp or sctp"},
    {__LINE__, PA "sport 80 dir out", "\"sport\" needs proto tcp, udp or sctp"},
    {__LINE__, PA "proto tcp dport 0 dir out",
     "invalid dport \"0\": expected a number from 1 to 65535"},
    {__LINE__, PA, "missing \"dir\""},
    {__LINE__, PA "dir sideways", "invalid dir \"sideways\": expected in, out or fwd"},
    {__LINE__, PA "dir out action drop", "invalid action \"drop\": expected allow or block"},
    {__LINE__, PA "dir out action block tmpl proto esp",
     "a policy with action block cannot have a \"tmpl\""},
    {__LINE__, PA "dir out tmpl mode tunnel", "tmpl: missing \"proto\""},
    {__LINE__, PA "dir out tmpl proto esp mode tunnel",
     "tmpl: mode tunnel needs \"src\" and \"dst\""},
    {__LINE__, PA "dir out tmpl src 192.0.2.1 proto esp", "tmpl: \"src\" and \"dst\" go together"},
    {__LINE__, PA "dir out tmpl src 192.0.2.1 dst ::2 proto esp",
     "tmpl: \"src\" and \"dst\" must be of the same address family"},
    {__LINE__, PA "dir out tmpl src 192.0.2.1 dst 192.0.2.2 proto esp dir in",
     "unknown argument \"dir\" in \"tmpl\""},
    {__LINE__, PA "dir out tmpl src x dst 192.0.2.2 proto esp",
     "invalid address \"x\" for \"tmpl src\": expected an IPv4 or IPv6 address"},
    {__LINE__, "policy del src 10.1.0.0/16 dst 10.2.0.0/16 dir out action allow",
     "unexpected \"action\" in \"policy del\": expected src, dst, proto, sport, dport, dir"},
    {__LINE__, PA "dir out bogus", "unknown argument \"bogus\""},
    {__LINE__, PA "dir out dir in", "duplicate \"dir\""},
};

/* Splits a row's command into words, treating "" as an empty word. */
static int split(const char *cmd, char *buf, size_t size, const char **words)
{
	int n;

	snprintf(buf, size, "%s", cmd);
	n = xfrm_args_split(buf, words, XFRM_ARGS_MAX);
	for (int i = 0; i < n; i++)
		if (strcmp(words[i], "\"\"") == 0)
			words[i] = "";
	return n;
}

static void test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char buf[2048], err[XFRM_ERR_MAX];
		const char *words[XFRM_ARGS_MAX];
		struct xfrm_cmd cmd;
		int n = split(rows[i].cmd, buf, sizeof(buf), words);
		T_OK_ROW(rows[i].line, n >= 0, "split");
		if (n < 0)
			continue;
		memset(&cmd, 0xa5, sizeof(cmd));
		int r = xfrm_args_parse(n, words, &cmd, err, sizeof(err));
		if (!rows[i].err) {
			T_OK_ROW(rows[i].line, r == 0, "parse failed: %s", err);
			if (r == 0)
				xfrm_cmd_cleanup(&cmd);
		} else {
			T_EQ_ROW(rows[i].line, r, ERR_INVAL);
			T_OK_ROW(rows[i].line, strcmp(err, rows[i].err) == 0,
				 "error\n  got  '%s'\n  want '%s'", err, rows[i].err);
		}
	}
}

static void test_values(void)
{
	static const uint8_t want_key[20] = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					     0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
					     0xee, 0xff, 0x01, 0x02, 0x03, 0x04};
	char buf[1024], err[XFRM_ERR_MAX];
	const char *w[XFRM_ARGS_MAX];
	struct xfrm_cmd cmd;
	int n, r;

	n = split(SA6 "mode tunnel reqid 7 replay-window 0 flag esn encap espinudp 4500 4501 "
		      "198.51.100.1 aead rfc4106(gcm(aes)) " K20 " 96",
		  buf, sizeof(buf), w);
	r = xfrm_args_parse(n, w, &cmd, err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(cmd.op, XFRM_STATE_ADD);
	T_EQ(cmd.state.src.family, AF_INET6);
	T_EQ(cmd.state.dst.bytes[15], 2);
	T_EQ(cmd.state.proto, IPPROTO_ESP);
	T_EQ(cmd.state.spi, 4096);
	T_EQ(cmd.state.mode, XFRM_MODE_TUNNEL);
	T_EQ(cmd.state.reqid, 7);
	T_EQ(cmd.state.replay_window, 0);
	T_OK(cmd.state.esn, "esn");
	T_OK(cmd.state.encap, "encap");
	T_EQ(cmd.state.encap_sport, 4500);
	T_EQ(cmd.state.encap_dport, 4501);
	T_EQ(cmd.state.encap_oa.bytes[0], 198);
	T_OK(cmd.state.aead.alg && strcmp(cmd.state.aead.alg->name, "rfc4106(gcm(aes))") == 0,
	     "aead alg");
	T_EQ(cmd.state.aead.icv_bits, 96);
	T_EQ(xfrm_alg_ikev2_id(cmd.state.aead.alg, 96), 19); /* ENCR_AES_GCM_12 */
	T_MEM(cmd.state.aead.key->p, cmd.state.aead.key->len, want_key, sizeof(want_key));
	xfrm_cmd_cleanup(&cmd);
	T_OK(cmd.state.aead.key == NULL, "cleanup drops keys");

	n = split("state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 300 enc cbc(aes) " K16
		  " auth hmac(sha256) " K32,
		  buf, sizeof(buf), w);
	r = xfrm_args_parse(n, w, &cmd, err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(cmd.state.mode, XFRM_MODE_TRANSPORT);
	T_EQ(cmd.state.replay_window, 64);
	T_EQ(cmd.state.auth.icv_bits, 128); /* RFC 4868, not Linux's 96 */
	T_EQ(xfrm_alg_ikev2_id(cmd.state.enc.alg, 0), 12);
	T_EQ(xfrm_alg_ikev2_id(cmd.state.auth.alg, 128), 12);
	xfrm_cmd_cleanup(&cmd);

	n = split(SA "limit time-soft 10 byte-hard 0x100000 limit packet-soft 7 packet-hard 8 "
		     "aead rfc4106(gcm(aes)) " K20 " 128",
		  buf, sizeof(buf), w);
	r = xfrm_args_parse(n, w, &cmd, err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(cmd.state.lft.time_soft, 10);
	T_EQ(cmd.state.lft.time_hard, 0);
	T_EQ(cmd.state.lft.byte_soft, 0);
	T_EQ(cmd.state.lft.byte_hard, 0x100000);
	T_EQ(cmd.state.lft.packet_soft, 7);
	T_EQ(cmd.state.lft.packet_hard, 8);
	xfrm_cmd_cleanup(&cmd);

	n = split(PA "proto udp dport 53 dir in action block priority 9", buf, sizeof(buf), w);
	r = xfrm_args_parse(n, w, &cmd, err, sizeof(err));
	T_EQ(r, 0);
	T_EQ(cmd.op, XFRM_POLICY_ADD);
	T_EQ(cmd.policy.src.len, 16);
	T_EQ(cmd.policy.proto, IPPROTO_UDP);
	T_EQ(cmd.policy.dport, 53);
	T_EQ(cmd.policy.dir, XFRM_DIR_IN);
	T_EQ(cmd.policy.action, XFRM_ACTION_BLOCK);
	T_EQ(cmd.policy.priority, 9);
	struct addr a = {AF_INET, {10, 1, 200, 3}};
	T_OK(prefix_contains(&cmd.policy.src, &a), "10.1.200.3 in 10.1/16");
	a.bytes[1] = 2;
	T_OK(!prefix_contains(&cmd.policy.src, &a), "10.2.200.3 not in 10.1/16");
	xfrm_cmd_cleanup(&cmd);
}

static void test_split(void)
{
	char line[] = "  a\tbb  c \n";
	const char *w[2];

	int n = xfrm_args_split(line, w, 2);
	T_EQ(n, ERR_LIMIT);
	char line2[] = " state  list ";
	n = xfrm_args_split(line2, w, 2);
	T_EQ(n, 2);
	T_OK(strcmp(w[1], "list") == 0, "second word");
	char empty[] = "   ";
	n = xfrm_args_split(empty, w, 2);
	T_EQ(n, 0);
}

int main(void)
{
	test_rows();
	test_values();
	test_split();
	return t_finish();
}
