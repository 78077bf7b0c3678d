/* libFuzzer harness for the ESP/AH inbound path (and a differential outbound check).
 *
 * Input, by its first byte:
 *   0x4_ / 0x6_  a whole received IP packet -> esp_input against a SAD of fixed SAs: the scapy
 *                reference vectors' SAs (SPIs 0x1001-0x1006, 0x2001-0x2002) and ODP's SPI 123 (ESP
 * NULL + HMAC-SHA256, AH HMAC-SHA256), so the shared corpus seeds decrypt. 0x00         the rest is
 * a UDP payload on port 4500 -> esp_input_udp (keepalive, IKE marker, ESP in UDP against a
 * UDP-encapsulated transport SA with NAT-OA). 0x01 / 0x02  the rest is the plaintext of an ESP NULL
 * packet (tunnel / transport SA) with a valid ICV computed here: garbage behind a good ICV reaches
 * the padding, next-header, inner-packet and transport rebuild code. 0x03         the rest is a
 * clear packet: protected by an outbound SA, then unprotected by its inbound twin, which must give
 * back the packet (aborts otherwise). Any result is fine except a crash, a sanitizer report, or a
 * broken round trip.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "crypto/integ.h"
#include "crypto/span.h"
#include "esp/esp.h"
#include "esp/sad.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "wire/iana.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct esp_sad *sad;
static struct esp_sa *null_tun, *null_tr, *rt_out[3], *rt_in[3];
static struct integ *null_mac;
static struct esp_worker *w;
static uint8_t mem[70000];

static const uint8_t k5a[32] = {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
				0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
				0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a};

static uint8_t seqkey(uint8_t base, size_t i)
{
	return (uint8_t)(base + i);
}

static struct esp_sa *add(uint32_t spi, uint8_t proto, uint8_t mode, uint16_t encr, uint16_t bits,
			  const uint8_t *ek, size_t eklen, uint16_t integ, const uint8_t *ik,
			  size_t iklen, uint32_t window, bool encap)
{
	struct esp_sa_cfg c;
	struct esp_sa *sa = NULL;

	memset(&c, 0, sizeof(c));
	c.spi = spi;
	c.proto = proto;
	c.mode = mode;
	c.dir = ESP_DIR_IN;
	c.replay_window = window;
	c.encap = encap;
	c.encr_id = encr;
	c.encr_key_bits = bits;
	c.encr_key = ek;
	c.encr_key_len = eklen;
	c.integ_id = integ;
	c.integ_key = ik;
	c.integ_key_len = iklen;
	esp_sel_any(&c.sel, 0);
	if (encap) {
		c.oa_src.family = c.oa_dst.family = AF_INET;
		memcpy(c.oa_src.bytes, "\x0a\x00\x00\x01", 4);
		memcpy(c.oa_dst.bytes, "\x0a\x00\x00\x02", 4);
	}
	if (esp_sa_new(&c, &sa) != 0 || esp_sad_add(sad, sa) != 0)
		abort();
	esp_sa_put(sa); /* the SAD holds it */
	return sa;
}

static void setup(void)
{
	static uint8_t k1[20], k2[36], k3[16], k3i[32], k4[32], k4i[32], k5[36], k6[20], k7[32],
	    k8[32];
	struct esp_sa_cfg c;

	/* The keys of scapy_reference_packets.json: runs of consecutive byte values. */
	for (size_t i = 0; i < 16; i++)
		k1[i] = seqkey(0x10, i), k3[i] = seqkey(0x30, i), k6[i] = seqkey(0xa0, i);
	memcpy(k1 + 16, "\xa0\xa1\xa2\xa3", 4);
	memcpy(k6 + 16, "\xd0\xd1\xd2\xd3", 4);
	for (size_t i = 0; i < 32; i++) {
		k2[i] = seqkey(0x20, i);
		k3i[i] = seqkey(0x40, i);
		k4[i] = seqkey(0x60, i);
		k4i[i] = seqkey(0x70, i);
		k5[i] = seqkey(0x90, i);
		k7[i] = seqkey(0xb0, i);
		k8[i] = seqkey(0xc0, i);
	}
	memcpy(k2 + 32, "\xb0\xb1\xb2\xb3", 4);
	memcpy(k5 + 32, "\xc0\xc1\xc2\xc3", 4);
	sad = esp_sad_new();
	w = malloc(sizeof(*w));
	if (sad == NULL || w == NULL)
		abort();
	esp_worker_init(w, 0);
	/* The scapy reference vectors' SAs (their keys follow a byte-counting pattern). */
	add(0x1001, ESP_IPPROTO_ESP, ESP_MODE_TRANSPORT, IKEV2_ENCR_AES_GCM_16, 128, k1, 20, 0,
	    NULL, 0, 64, false);
	add(0x1002, ESP_IPPROTO_ESP, ESP_MODE_TUNNEL, IKEV2_ENCR_AES_GCM_16, 256, k2, 36, 0, NULL,
	    0, 0, false);
	add(0x1003, ESP_IPPROTO_ESP, ESP_MODE_TRANSPORT, IKEV2_ENCR_AES_CBC, 128, k3, 16,
	    IKEV2_INTEG_HMAC_SHA2_256_128, k3i, 32, 0, false);
	add(0x1004, ESP_IPPROTO_ESP, ESP_MODE_TUNNEL, IKEV2_ENCR_AES_CBC, 256, k4, 32,
	    IKEV2_INTEG_HMAC_SHA2_256_128, k4i, 32, 4096, false);
	add(0x1005, ESP_IPPROTO_ESP, ESP_MODE_TRANSPORT, IKEV2_ENCR_CHACHA20_POLY1305, 0, k5, 36, 0,
	    NULL, 0, 0, false);
	add(0x1006, ESP_IPPROTO_ESP, ESP_MODE_TRANSPORT, IKEV2_ENCR_AES_GCM_16, 128, k6, 20, 0,
	    NULL, 0, 0, false);
	add(0x2001, ESP_IPPROTO_AH, ESP_MODE_TRANSPORT, 0, 0, NULL, 0,
	    IKEV2_INTEG_HMAC_SHA2_256_128, k7, 32, 0, false);
	add(0x2002, ESP_IPPROTO_AH, ESP_MODE_TUNNEL, 0, 0, NULL, 0, IKEV2_INTEG_HMAC_SHA2_256_128,
	    k8, 32, 0, false);
	/* ODP's SPI 123: ESP NULL + HMAC-SHA256 and AH HMAC-SHA256, transport. */
	null_tr = add(123, ESP_IPPROTO_ESP, ESP_MODE_TRANSPORT, IKEV2_ENCR_NULL, 0, NULL, 0,
		      IKEV2_INTEG_HMAC_SHA2_256_128, k5a, 32, 0, false);
	add(123, ESP_IPPROTO_AH, ESP_MODE_TRANSPORT, 0, 0, NULL, 0, IKEV2_INTEG_HMAC_SHA2_256_128,
	    k5a, 32, 0, false);
	null_tun = add(124, ESP_IPPROTO_ESP, ESP_MODE_TUNNEL, IKEV2_ENCR_NULL, 0, NULL, 0,
		       IKEV2_INTEG_HMAC_SHA2_256_128, k5a, 32, 0, false);
	add(4500, ESP_IPPROTO_ESP, ESP_MODE_TRANSPORT, IKEV2_ENCR_NULL, 0, NULL, 0,
	    IKEV2_INTEG_HMAC_SHA2_256_128, k5a, 32, 0, true);
	if (integ_new(IKEV2_INTEG_HMAC_SHA2_256_128, k5a, 32, &null_mac) != 0)
		abort();
	/* Round-trip pairs: GCM tunnel (IPv6 outer, ESN, TFC), AH transport, CBC transport. */
	for (int i = 0; i < 3; i++) {
		memset(&c, 0, sizeof(c));
		c.spi = 77 + (uint32_t)i;
		c.proto = i == 1 ? ESP_IPPROTO_AH : ESP_IPPROTO_ESP;
		c.mode = i == 0 ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
		c.dir = ESP_DIR_OUT;
		c.esn = i == 0;
		c.tfc_pad = i == 0 ? 100 : 0;
		c.src.family = c.dst.family = AF_INET6;
		c.src.bytes[15] = 1;
		c.dst.bytes[15] = 2;
		if (i == 0) {
			c.encr_id = IKEV2_ENCR_AES_GCM_16;
			c.encr_key_bits = 128;
			c.encr_key = k1;
			c.encr_key_len = 20;
		} else if (i == 2) {
			c.encr_id = IKEV2_ENCR_AES_CBC;
			c.encr_key_bits = 128;
			c.encr_key = k3;
			c.encr_key_len = 16;
		}
		if (i != 0) {
			c.integ_id = IKEV2_INTEG_HMAC_SHA1_96;
			c.integ_key = k7;
			c.integ_key_len = 20;
		}
		esp_sel_any(&c.sel, 0);
		if (esp_sa_new(&c, &rt_out[i]) != 0)
			abort();
		c.dir = ESP_DIR_IN;
		if (esp_sa_new(&c, &rt_in[i]) != 0)
			abort();
	}
}

/* Wraps plaintext p[0..n) (its own padding/trailer included) into an IPv4 ESP NULL packet for
 * SPI spi with a valid HMAC-SHA256-128 ICV, at mem + 256. Returns the packet length. */
static size_t wrap_null(uint32_t spi, const uint8_t *p, size_t n)
{
	uint8_t *d = mem + 256;
	size_t total = 20 + 8 + n + 16;
	struct crypto_span part;

	if (total > 65535)
		return 0;
	memset(d, 0, 28);
	d[0] = 0x45;
	buf_store_be16(d + 2, (uint16_t)total);
	d[8] = 64;
	d[9] = ESP_IPPROTO_ESP;
	memcpy(d + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	esp_ipv4_set_csum(d, 20);
	buf_store_be32(d + 20, spi);
	buf_store_be32(d + 24, 1);
	memcpy(d + 28, p, n);
	part.p = d + 20;
	part.len = 8 + n;
	if (integ_compute(null_mac, &part, 1, d + 28 + n) != 0)
		abort();
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esp_result r;
	struct esp_buf b;
	struct addr src, dst;
	size_t n;

	if (sad == NULL)
		setup();
	if (size == 0 || size > 60000)
		return 0;
	switch (data[0] >> 4 == 4 || data[0] >> 4 == 6 ? 0xff : data[0]) {
	case 0xff:
		memcpy(mem + 256, data, size);
		esp_buf_init(&b, mem, sizeof(mem), 256, size);
		n = (size_t)esp_input(sad, w, &b, 0, &r);
		if (getenv("FUZZ_ESP_VERBOSE"))
			fprintf(stderr, "rc %d kind %u drop %s spi %x\n", (int)n, r.kind,
				esp_drop_name(r.drop), r.spi);
		break;
	case 0x00:
		memset(&src, 0, sizeof(src));
		memset(&dst, 0, sizeof(dst));
		src.family = dst.family = AF_INET;
		memcpy(src.bytes, "\xc0\x00\x02\x01", 4);
		memcpy(dst.bytes, "\xc0\x00\x02\x02", 4);
		memcpy(mem + 256, data + 1, size - 1);
		esp_buf_init(&b, mem, sizeof(mem), 256, size - 1);
		(void)esp_input_udp(sad, w, &b, &src, &dst, 4500, 4500, 0, &r);
		break;
	case 0x01:
	case 0x02:
		n = wrap_null(data[0] == 1 ? 124 : 123, data + 1, size - 1);
		if (n == 0)
			break;
		esp_buf_init(&b, mem, sizeof(mem), 256, n);
		if (esp_unprotect(data[0] == 1 ? null_tun : null_tr, w, &b, 0, &r) == 0 &&
		    r.kind == ESP_RES_DELIVER && (b.len == 0 || b.off + b.len > sizeof(mem)))
			abort();
		break;
	case 0x03:
	case 0x04:
	case 0x05: {
		struct esp_iphdr h;
		static uint8_t clear[70000];
		int k = data[0] - 3, rc;

		memcpy(mem + 256, data + 1, size - 1);
		if (size - 1 >= 20 && (mem[256] >> 4) == 4 && (mem[256] & 0x0f) >= 5 &&
		    (size_t)(mem[256] & 0x0f) * 4 <= size - 1)
			esp_ipv4_set_csum(mem + 256, (size_t)(mem[256] & 0x0f) * 4);
		memcpy(clear, mem + 256, size - 1);
		esp_buf_init(&b, mem, sizeof(mem), 256, size - 1);
		rc = esp_protect(rt_out[k], w, &b, 0, &r);
		if (rc != 0 || r.kind != ESP_RES_SEND)
			break;
		/* Transport mode parses only up to where ESP/AH goes. */
		if (esp_ip_parse(clear, size - 1, k != 0, &h) != 0)
			abort(); /* protect accepted something unparseable */
		rc = esp_unprotect(rt_in[k], w, &b, 0, &r);
		/* ESP transport of a packet whose protocol is 59 looks like a dummy packet
		 * (RFC 4303 §2.6) and is dropped; an inherent ambiguity of the RFC. */
		if (rc == 0 && k == 2 && h.proto == ESP_IPPROTO_NONE && r.kind == ESP_RES_NONE &&
		    r.drop == ESP_DROP_DUMMY)
			break;
		if (rc != 0 || r.kind != ESP_RES_DELIVER || b.len != h.total ||
		    memcmp(esp_buf_data(&b), clear, h.total) != 0)
			abort();
		break;
	}
	default:
		break;
	}
	return 0;
}
