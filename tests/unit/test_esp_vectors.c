/* ESP/AH against third-party packets: ODP's IPsec inbound cases and scapy's reference packets
 * (../shared/vectors/esp). Each case is decapsulated to the expected packet or error, and each
 * successful case is re-protected from the clear packet with the same sequence number and IV
 * and compared byte for byte with the protected packet.
 *
 * Re-protecting takes from the expected packet what its generator chose freely: sequence
 * number and IV (test hooks), the outer IPv4 identification (test hook), and the outer TTL and
 * DF (SA configuration). One normalisation: for UDP-encapsulated ESP over IPv6 the UDP checksum
 * is copied from the expected packet (Rampart computes it per RFC 8200 §8.1; ODP leaves it
 * zero).
 */
#include <string.h>
#include <sys/socket.h>

#include "esp/esp.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"

struct algs {
	uint16_t encr, encr_bits, integ;
	uint8_t key[64];
	size_t key_len;
	uint8_t ikey[80];
	size_t ikey_len;
};

static int hex_into(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t *p = NULL;
	size_t n = 0;

	if (hex == NULL || *hex == 0) {
		*len = 0;
		return 0;
	}
	if (vec_hex(hex, &p, &n) != 0 || n > cap) {
		free(p);
		return -1;
	}
	memcpy(out, p, n);
	free(p);
	*len = n;
	return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Maps the vector files' algorithm names to IKEv2 transform IDs. -1 when unknown. */
static int map_algs(const char *crypt, const char *ckey, const char *salt, const char *auth,
		    const char *akey, const char *aextra, struct algs *a)
{
	size_t n = 0, m = 0;

	memset(a, 0, sizeof(*a));
	if (hex_into(ckey, a->key, sizeof(a->key), &n) || hex_into(salt, a->key + n, 8, &m))
		return -1;
	a->key_len = n + m;
	a->encr_bits = (uint16_t)(n * 8);
	if (crypt == NULL || strcmp(crypt, "NULL") == 0)
		a->encr = IKEV2_ENCR_NULL, a->encr_bits = 0;
	else if (strcmp(crypt, "AES-CBC") == 0)
		a->encr = IKEV2_ENCR_AES_CBC;
	else if (strcmp(crypt, "AES-CTR") == 0)
		a->encr = IKEV2_ENCR_AES_CTR;
	else if (strcmp(crypt, "AES-GCM") == 0)
		a->encr = IKEV2_ENCR_AES_GCM_16;
	else if (strcmp(crypt, "CHACHA20-POLY1305") == 0)
		a->encr = IKEV2_ENCR_CHACHA20_POLY1305, a->encr_bits = 0;
	else
		return -1;
	if (hex_into(akey, a->ikey, sizeof(a->ikey), &n) || hex_into(aextra, a->ikey + n, 8, &m))
		return -1;
	a->ikey_len = n + m;
	if (auth == NULL || strcmp(auth, "NULL") == 0 || strcmp(auth, "(combined)") == 0)
		a->integ = 0;
	else if (strcmp(auth, "SHA2-256-128") == 0)
		a->integ = IKEV2_INTEG_HMAC_SHA2_256_128;
	else if (strcmp(auth, "SHA2-384-192") == 0)
		a->integ = IKEV2_INTEG_HMAC_SHA2_384_192;
	else if (strcmp(auth, "SHA2-512-256") == 0)
		a->integ = IKEV2_INTEG_HMAC_SHA2_512_256;
	else if (strcmp(auth, "HMAC-SHA1-96") == 0)
		a->integ = IKEV2_INTEG_HMAC_SHA1_96;
	else if (strcmp(auth, "AES-XCBC-MAC-96") == 0)
		a->integ = IKEV2_INTEG_AES_XCBC_96;
	else if (strcmp(auth, "AES-GMAC") == 0)
		a->integ = (uint16_t)(n == 16	? IKEV2_INTEG_AES_128_GMAC
				      : n == 24 ? IKEV2_INTEG_AES_192_GMAC
						: IKEV2_INTEG_AES_256_GMAC);
	else
		return -1;
	return 0;
}

static int make_sa(uint8_t proto, uint32_t spi, uint8_t mode, uint8_t dir, const struct algs *a,
		   bool encap, uint32_t window, const struct addr *src, const struct addr *dst,
		   const uint8_t *outer, struct esp_sa **out)
{
	struct esp_sa_cfg c;

	memset(&c, 0, sizeof(c));
	c.spi = spi;
	c.proto = proto;
	c.mode = mode;
	c.dir = dir;
	c.replay_window = window;
	c.encap = encap;
	if (src)
		c.src = *src;
	if (dst)
		c.dst = *dst;
	esp_sel_any(&c.sel, 0);
	if (outer && mode == ESP_MODE_TUNNEL) {
		/* The outer header's TTL and DF as the vector's generator chose them. */
		c.outer_ttl = (outer[0] >> 4) == 4 ? outer[8] : outer[7];
		if ((outer[0] >> 4) == 4)
			c.df_mode = (outer[6] & 0x40) ? ESP_DF_SET : ESP_DF_CLEAR;
	}
	if (proto == ESP_IPPROTO_ESP) {
		c.encr_id = a->encr;
		c.encr_key_bits = a->encr_bits;
		c.encr_key = a->key;
		c.encr_key_len = a->key_len;
		c.integ_id = a->integ;
		/* ESP-GMAC is the ENCR transform NULL_AUTH_AES_GMAC (RFC 4543 §9). */
		if (a->integ >= IKEV2_INTEG_AES_128_GMAC && a->integ <= IKEV2_INTEG_AES_256_GMAC) {
			c.encr_id = IKEV2_ENCR_NULL_AUTH_AES_GMAC;
			c.encr_key_bits = (uint16_t)((a->ikey_len - 4) * 8);
			c.encr_key = a->ikey;
			c.encr_key_len = a->ikey_len;
			c.integ_id = 0;
		}
		if (c.integ_id) {
			c.integ_key = a->ikey;
			c.integ_key_len = a->ikey_len;
		}
	} else {
		c.integ_id = a->integ;
		c.integ_key = a->ikey;
		c.integ_key_len = a->ikey_len;
	}
	return esp_sa_new(&c, out);
}

/* Outer addresses of a protected packet. */
static void outer_addrs(const uint8_t *p, struct addr *src, struct addr *dst)
{
	memset(src, 0, sizeof(*src));
	memset(dst, 0, sizeof(*dst));
	if ((p[0] >> 4) == 4) {
		src->family = dst->family = AF_INET;
		memcpy(src->bytes, p + 12, 4);
		memcpy(dst->bytes, p + 16, 4);
	} else {
		src->family = dst->family = AF_INET6;
		memcpy(src->bytes, p + 8, 16);
		memcpy(dst->bytes, p + 24, 16);
	}
}

static uint8_t bufmem[4096];

static int run_in(struct esp_sa *sa, struct esp_sad *sad, struct esp_worker *w, const uint8_t *in,
		  size_t len, struct esp_buf *b, struct esp_result *res)
{
	memcpy(bufmem + 512, in, len);
	esp_buf_init(b, bufmem, sizeof(bufmem), 512, len);
	if (sad)
		return esp_input(sad, w, b, 0, res);
	return esp_unprotect(sa, w, b, 0, res);
}

/* Where the ESP/AH header sits in a protected packet, and its IV. */
static int find_ipsec(const uint8_t *p, size_t len, size_t *off, bool *udp)
{
	struct esp_iphdr h;

	if (esp_ip_parse(p, len, 0, &h) != 0)
		return -1;
	*off = h.off;
	*udp = h.proto == ESP_IPPROTO_UDP;
	if (*udp)
		*off += 8;
	return 0;
}

/* Re-protects clear with the SA parameters and compares with prot. */
static void reprotect(int row, uint8_t proto, uint32_t spi, uint8_t mode, const struct algs *a,
		      bool encap, const uint8_t *clear, size_t clen, const uint8_t *prot,
		      size_t plen, uint64_t seq_hi)
{
	struct addr src, dst;
	struct esp_worker w;
	struct esp_result res;
	struct esp_sa *sa = NULL;
	struct esp_buf b;
	size_t off, iv_len;
	bool udp;
	uint8_t *o;

	outer_addrs(prot, &src, &dst);
	if (find_ipsec(prot, plen, &off, &udp) != 0) {
		T_OK_ROW(row, 0, "protected packet parses");
		return;
	}
	if (make_sa(proto, spi, mode, ESP_DIR_OUT, a, encap, 0, &src, &dst, prot, &sa) != 0) {
		T_OK_ROW(row, 0, "outbound SA");
		return;
	}
	if (mode == ESP_MODE_TUNNEL && (prot[0] >> 4) == 4)
		esp_sa_force_ip_id(sa, buf_load_be16(prot + 4));
	esp_worker_init(&w, 0);
	esp_sa_set_next_seq(sa, seq_hi << 32 |
				    buf_load_be32(prot + off + (proto == ESP_IPPROTO_AH ? 8 : 4)));
	iv_len = sa->iv_len;
	if (iv_len)
		T_EQ_ROW(
		    row,
		    esp_sa_force_iv(sa, prot + off + (proto == ESP_IPPROTO_AH ? 12 : 8), iv_len),
		    0);
	memcpy(bufmem + 512, clear, clen);
	esp_buf_init(&b, bufmem, sizeof(bufmem), 512, clen);
	T_EQ_ROW(row, esp_protect(sa, &w, &b, 0, &res), 0);
	T_EQ_ROW(row, res.kind, ESP_RES_SEND);
	o = esp_buf_data(&b);
	if (b.len == plen && udp && (o[0] >> 4) == 6)
		memcpy(o + off - 2, prot + off - 2, 2);
	T_MEM_ROW(row, o, b.len, prot, plen);
	esp_sa_put(sa);
}

static void odp_cases(void)
{
	json_t *root = vec_load("esp/odp_ipsec_vectors.json");
	const json_t *pkts, *tests, *t;
	size_t i;

	if (root == NULL)
		return;
	pkts = json_object_get(root, "packets");
	tests = json_object_get(root, "inbound_tests");
	json_array_foreach(tests, i, t)
	{
		int row = (int)i + 1;
		const char *name = jstr(t, "test"), *pin = jstr(t, "pkt_in"),
			   *pres = jstr(t, "pkt_res");
		const json_t *err = json_object_get(t, "expect_error"), *ov;
		const char *experr =
		    json_is_array(err) ? json_string_value(json_array_get(err, 0)) : NULL;
		uint8_t proto =
		    strcmp(jstr(t, "proto"), "AH") == 0 ? ESP_IPPROTO_AH : ESP_IPPROTO_ESP;
		uint8_t mode =
		    strcmp(jstr(t, "mode"), "tunnel") == 0 ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
		uint32_t spi = (uint32_t)json_integer_value(json_object_get(t, "spi")), window = 64;
		bool encap = false, lookup = strstr(name, "_lookup") != NULL;
		uint8_t in[2048], exp[2048];
		size_t in_len = 0, exp_len = 0, k;
		struct esp_sa *sa = NULL;
		struct esp_sad *sad = NULL;
		struct esp_worker w;
		struct esp_result res;
		struct esp_buf b;
		struct algs a;
		int rc;

		json_array_foreach(json_object_get(t, "sa_param_overrides"), k, ov)
		{
			const char *s = json_string_value(ov);

			if (strstr(s, "udp_encap = 1"))
				encap = true;
			if (strstr(s, "antireplay_ws = 0"))
				window = 0;
			if (strstr(s, "antireplay_ws = 32"))
				window = 32;
		}
		if (map_algs(jstr(t, "crypt_algo"), jstr(t, "crypt_key"), jstr(t, "crypt_salt"),
			     jstr(t, "auth_algo"), jstr(t, "auth_key"), jstr(t, "auth_extra"),
			     &a)) {
			T_OK_ROW(row, 0, "%s: unknown algorithm", name);
			continue;
		}
		if (hex_into(jstr(json_object_get(pkts, pin), "ip_hex"), in, sizeof(in), &in_len) ||
		    (pres && hex_into(jstr(json_object_get(pkts, pres), "ip_hex"), exp, sizeof(exp),
				      &exp_len))) {
			T_OK_ROW(row, 0, "%s: packet hex", name);
			continue;
		}
		rc =
		    make_sa(proto, spi, mode, ESP_DIR_IN, &a, encap, window, NULL, NULL, NULL, &sa);
		T_OK_ROW(row, rc == 0, "%s: SA (%s)", name, err_str(rc));
		if (rc)
			continue;
		esp_worker_init(&w, 0);
		if (lookup || (experr && strcmp(experr, "sa_lookup") == 0)) {
			sad = esp_sad_new();
			T_EQ_ROW(row, esp_sad_add(sad, sa), 0);
		}
		rc = run_in(sa, sad, &w, in, in_len, &b, &res);
		if (experr && strcmp(experr, "auth") == 0) {
			T_OK_ROW(row,
				 rc == ERR_AUTH ||
				     (rc == ERR_INVAL && res.drop == ESP_DROP_MALFORMED),
				 "%s: auth error (%s, drop %s)", name, err_str(rc),
				 esp_drop_name(res.drop));
		} else if (experr && strcmp(experr, "proto") == 0) {
			T_OK_ROW(row, rc == ERR_INVAL && res.drop == ESP_DROP_PROTO,
				 "%s: proto (%s)", name, err_str(rc));
		} else if (experr && strcmp(experr, "sa_lookup") == 0) {
			T_OK_ROW(row, rc == ERR_NOTFOUND && res.drop == ESP_DROP_NO_SA,
				 "%s: no SA (%s)", name, err_str(rc));
		} else if (exp_len == 0 || (exp_len == 20 && exp[9] == ESP_IPPROTO_NONE)) {
			/* Dummy packet (next header 59): dropped silently and counted. */
			T_OK_ROW(row,
				 rc == 0 && res.kind == ESP_RES_NONE && res.drop == ESP_DROP_DUMMY,
				 "%s: dummy dropped (%s)", name, err_str(rc));
		} else {
			T_OK_ROW(row, rc == 0 && res.kind == ESP_RES_DELIVER,
				 "%s: decap (%s, drop %s)", name, err_str(rc),
				 esp_drop_name(res.drop));
			if (rc == 0)
				T_MEM_ROW(row, esp_buf_data(&b), b.len, exp, exp_len);
			rc = run_in(sa, sad, &w, in, in_len, &b, &res);
			if (window) {
				T_OK_ROW(row, rc == ERR_REPLAY && res.drop == ESP_DROP_REPLAY,
					 "%s: replayed packet dropped (%s)", name, err_str(rc));
			} else {
				T_OK_ROW(row, rc == 0, "%s: window 0 accepts a repeat (%s)", name,
					 err_str(rc));
			}
			if (!lookup)
				reprotect(row, proto, spi, mode, &a, encap, exp, exp_len, in,
					  in_len, 0);
		}
		esp_sad_free(sad);
		esp_sa_put(sa);
	}
	json_decref(root);
}

static void scapy_cases(void)
{
	json_t *root = vec_load("esp/scapy_reference_packets.json");
	const json_t *v;
	size_t i;

	if (root == NULL)
		return;
	json_array_foreach(json_object_get(root, "vectors"), i, v)
	{
		int row = (int)i + 1;
		const char *id = jstr(v, "id");
		uint8_t proto =
		    strcmp(jstr(v, "proto"), "AH") == 0 ? ESP_IPPROTO_AH : ESP_IPPROTO_ESP;
		uint8_t mode =
		    strcmp(jstr(v, "mode"), "tunnel") == 0 ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
		uint8_t clear[2048], prot[2048];
		size_t clen, plen, klen;
		const char *crypt = jstr(v, "crypt_algo");
		struct esp_sa *sa = NULL;
		struct esp_worker w;
		struct esp_result res;
		struct esp_buf b;
		struct algs a;
		uint32_t spi;
		int rc;

		if (hex_into(jstr(v, "clear_packet"), clear, sizeof(clear), &clen) ||
		    hex_into(jstr(v, "protected_packet"), prot, sizeof(prot), &plen)) {
			T_OK_ROW(row, 0, "%s: hex", id);
			continue;
		}
		spi = (uint32_t)strtoul(jstr(v, "spi"), NULL, 16);
		/* crypt_keymat is key || salt for the AEADs: split it for map_algs. */
		klen = jstr(v, "crypt_keymat") ? strlen(jstr(v, "crypt_keymat")) / 2 : 0;
		{
			char key[160] = "", salt[16] = "";
			const char *km = jstr(v, "crypt_keymat");
			size_t kl = klen;

			if (crypt && (strcmp(crypt, "AES-GCM") == 0 ||
				      strcmp(crypt, "CHACHA20-POLY1305") == 0))
				kl -= 4;
			if (km) {
				snprintf(key, sizeof(key), "%.*s", (int)(kl * 2), km);
				snprintf(salt, sizeof(salt), "%s", km + kl * 2);
			}
			if (map_algs(crypt, key, salt, jstr(v, "auth_algo"), jstr(v, "auth_key"),
				     NULL, &a)) {
				T_OK_ROW(row, 0, "%s: algorithms", id);
				continue;
			}
		}
		rc = make_sa(proto, spi, mode, ESP_DIR_IN, &a, false, 64, NULL, NULL, NULL, &sa);
		T_OK_ROW(row, rc == 0, "%s: SA (%s)", id, err_str(rc));
		if (rc)
			continue;
		esp_worker_init(&w, 0);
		rc = run_in(sa, NULL, &w, prot, plen, &b, &res);
		T_OK_ROW(row, rc == 0 && res.kind == ESP_RES_DELIVER, "%s: decap (%s, drop %s)", id,
			 err_str(rc), esp_drop_name(res.drop));
		if (rc == 0)
			T_MEM_ROW(row, esp_buf_data(&b), b.len, clear, clen);
		reprotect(row, proto, spi, mode, &a, false, clear, clen, prot, plen, 0);
		esp_sa_put(sa);
	}
	json_decref(root);
}

int main(void)
{
	odp_cases();
	scapy_cases();
	return t_finish();
}
