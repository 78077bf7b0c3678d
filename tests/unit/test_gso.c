/* GSO segmentation: TCP over IPv4 and IPv6 and UDP super-packets split into valid segments
 * (lengths, IDs, sequence numbers, flags, checksums verified independently), checksum
 * completion, and malformed headers refused. */
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/gso.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"

#define OFF 64
#define CAP 2048

static uint8_t seg_mem[GSO_MAX_SEGS][CAP];
static uint8_t *segs[GSO_MAX_SEGS];

static void vnet(uint8_t out[GSO_VNET_HDR_LEN], uint8_t flags, uint8_t type, uint16_t hdr_len,
		 uint16_t gso_size, uint16_t cstart, uint16_t coff)
{
	struct virtio_net_hdr h = {flags, type, hdr_len, gso_size, cstart, coff};
	memcpy(out, &h, sizeof(h));
}

/* Independent check: the checksum over pseudo-header + segment folds to zero. */
static int l4_ok(const uint8_t *ip, size_t len, int v6, uint8_t proto, size_t l4off)
{
	uint8_t ph[40];
	size_t l4len = len - l4off, phl;
	if (v6) {
		memcpy(ph, ip + 8, 32);
		buf_store_be32(ph + 32, (uint32_t)l4len);
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = proto;
		phl = 40;
	} else {
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = proto;
		buf_store_be16(ph + 10, (uint16_t)l4len);
		phl = 12;
	}
	uint32_t s = gso_csum_add(0, ph, phl);
	s = gso_csum_add(s, ip + l4off, l4len);
	return gso_csum_fold(s) == 0;
}

static size_t build(uint8_t *p, int v6, uint8_t proto, size_t payload, uint8_t tcp_flags)
{
	size_t l4off = v6 ? 40 : 20, hl = proto == IPPROTO_TCP ? 20 : 8;
	size_t total = l4off + hl + payload;
	memset(p, 0, l4off + hl);
	if (v6) {
		p[0] = 0x60;
		buf_store_be16(p + 4, (uint16_t)(total - 40));
		p[6] = proto;
		p[7] = 64;
		p[23] = 1;
		p[39] = 2;
	} else {
		p[0] = 0x45;
		buf_store_be16(p + 2, (uint16_t)total);
		buf_store_be16(p + 4, 1000);
		p[6] = 0x40;
		p[8] = 64;
		p[9] = proto;
		p[12] = 10, p[15] = 1, p[16] = 10, p[19] = 2;
	}
	uint8_t *l4 = p + l4off;
	buf_store_be16(l4, 5001);
	buf_store_be16(l4 + 2, 80);
	if (proto == IPPROTO_TCP) {
		buf_store_be32(l4 + 4, 0xfffff000u); /* wraps during segmentation */
		l4[12] = 5 << 4;
		l4[13] = tcp_flags;
	}
	for (size_t i = 0; i < payload; i++)
		p[l4off + hl + i] = (uint8_t)(i * 7 + 3);
	return total;
}

static void test_tcp(int v6)
{
	static uint8_t pkt[70000];
	uint8_t vh[GSO_VNET_HDR_LEN];
	size_t lens[GSO_MAX_SEGS], count = 0;
	size_t l4off = v6 ? 40 : 20, mss = 1400, payload = 10000;
	size_t len = build(pkt, v6, IPPROTO_TCP, payload, 0x80 | 0x10 | 0x08 | 0x01);
	int r;

	vnet(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM,
	     v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4, (uint16_t)(l4off + 20),
	     (uint16_t)mss, (uint16_t)l4off, 16);
	r = gso_split(vh, pkt, len, segs, CAP, OFF, GSO_MAX_SEGS, lens, &count);
	T_EQ(r, 0);
	T_EQ(count, 8); /* 7 x 1400 + 200 */
	for (size_t i = 0; i < count && !r; i++) {
		const uint8_t *s = segs[i] + OFF, *th = s + l4off;
		size_t chunk = i + 1 < count ? mss : payload - 7 * mss;
		T_EQ_ROW((int)i, lens[i], l4off + 20 + chunk);
		if (v6) {
			T_EQ_ROW((int)i, buf_load_be16(s + 4), 20 + chunk);
		} else {
			T_EQ_ROW((int)i, buf_load_be16(s + 2), lens[i]);
			T_EQ_ROW((int)i, buf_load_be16(s + 4), 1000 + i);
			T_EQ_ROW((int)i, gso_csum_fold(gso_csum_add(0, s, 20)), 0);
		}
		T_EQ_ROW((int)i, buf_load_be32(th + 4), (uint32_t)(0xfffff000u + i * mss));
		T_EQ_ROW((int)i, (th[13] & 0x80) != 0, i == 0);
		T_EQ_ROW((int)i, (th[13] & 0x09) != 0, i + 1 == count);
		T_EQ_ROW((int)i, th[13] & 0x10, 0x10);
		T_OK_ROW((int)i, l4_ok(s, lens[i], v6, IPPROTO_TCP, l4off), "tcp checksum");
		T_MEM_ROW((int)i, s + l4off + 20, chunk, pkt + l4off + 20 + i * mss, chunk);
	}
	/* too few buffers */
	r = gso_split(vh, pkt, len, segs, CAP, OFF, 7, lens, &count);
	T_EQ(r, ERR_NOSPACE);
	/* buffers too small for one segment */
	r = gso_split(vh, pkt, len, segs, 1000, OFF, GSO_MAX_SEGS, lens, &count);
	T_EQ(r, ERR_NOSPACE);
}

static void test_udp(void)
{
	static uint8_t pkt[70000];
	uint8_t vh[GSO_VNET_HDR_LEN];
	size_t lens[GSO_MAX_SEGS], count = 0;
	size_t len = build(pkt, 0, IPPROTO_UDP, 3000, 0);
	int r;

	vnet(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM, 5 /* UDP_L4 */, 28, 1200, 20, 6);
	r = gso_split(vh, pkt, len, segs, CAP, OFF, GSO_MAX_SEGS, lens, &count);
	T_EQ(r, 0);
	T_EQ(count, 3);
	for (size_t i = 0; i < count; i++) {
		const uint8_t *s = segs[i] + OFF;
		size_t chunk = i < 2 ? 1200 : 600;
		T_EQ_ROW((int)i, lens[i], 28 + chunk);
		T_EQ_ROW((int)i, buf_load_be16(s + 24), 8 + chunk);
		T_OK_ROW((int)i, l4_ok(s, lens[i], 0, IPPROTO_UDP, 20), "udp checksum");
	}
}

static void test_partial(void)
{
	static uint8_t pkt[2000];
	uint8_t vh[GSO_VNET_HDR_LEN], ph[12];
	size_t lens[1], count = 0;
	size_t len = build(pkt, 0, IPPROTO_UDP, 100, 0);
	int r;

	/* CHECKSUM_PARTIAL: the field holds the folded pseudo-header sum, not complemented */
	memcpy(ph, pkt + 12, 8);
	ph[8] = 0, ph[9] = IPPROTO_UDP;
	buf_store_be16(ph + 10, 108);
	buf_store_be16(pkt + 24, 108);
	buf_store_be16(pkt + 26, (uint16_t)~gso_csum_fold(gso_csum_add(0, ph, 12)));
	vnet(vh, VIRTIO_NET_HDR_F_NEEDS_CSUM, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 20, 6);
	r = gso_split(vh, pkt, len, segs, CAP, OFF, 1, lens, &count);
	T_EQ(r, 0);
	T_EQ(count, 1);
	T_OK(l4_ok(segs[0] + OFF, lens[0], 0, IPPROTO_UDP, 20), "completed checksum");
	/* plain packet is copied as is */
	vnet(vh, 0, VIRTIO_NET_HDR_GSO_NONE, 0, 0, 0, 0);
	r = gso_split(vh, pkt, len, segs, CAP, OFF, 1, lens, &count);
	T_EQ(r, 0);
	T_MEM(segs[0] + OFF, lens[0], pkt, len);
}

static const struct {
	int line;
	uint8_t flags, type;
	uint16_t gso_size, cstart, coff;
	int want;
} bad[] = {
    {__LINE__, 1, VIRTIO_NET_HDR_GSO_NONE, 0, 200, 6, ERR_INVAL},    /* csum_start past end */
    {__LINE__, 1, VIRTIO_NET_HDR_GSO_NONE, 0, 20, 200, ERR_INVAL},   /* csum field past end */
    {__LINE__, 1, VIRTIO_NET_HDR_GSO_TCPV4, 0, 20, 16, ERR_INVAL},   /* gso_size 0 */
    {__LINE__, 1, VIRTIO_NET_HDR_GSO_TCPV4, 500, 24, 16, ERR_INVAL}, /* l4 != ihl */
    {__LINE__, 1, VIRTIO_NET_HDR_GSO_TCPV6, 500, 20, 16, ERR_INVAL}, /* v6 type on v4 */
    {__LINE__, 1, 3 /* UFO */, 500, 20, 6, ERR_UNSUPPORTED},
};

static void test_bad(void)
{
	static uint8_t pkt[2000];
	uint8_t vh[GSO_VNET_HDR_LEN];
	size_t lens[GSO_MAX_SEGS], count;
	size_t len = build(pkt, 0, IPPROTO_TCP, 100, 0x10);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vnet(vh, bad[i].flags, bad[i].type, 40, bad[i].gso_size, bad[i].cstart,
		     bad[i].coff);
		int r = gso_split(vh, pkt, len, segs, CAP, OFF, GSO_MAX_SEGS, lens, &count);
		T_EQ_ROW(bad[i].line, r, bad[i].want);
	}
	pkt[32] = 0x10; /* TCP data offset 1 (< 5) */
	vnet(vh, 1, VIRTIO_NET_HDR_GSO_TCPV4, 40, 50, 20, 16);
	int r = gso_split(vh, pkt, len, segs, CAP, OFF, GSO_MAX_SEGS, lens, &count);
	T_EQ(r, ERR_INVAL);
	pkt[0] = 0x55; /* IP version 5 */
	r = gso_split(vh, pkt, len, segs, CAP, OFF, GSO_MAX_SEGS, lens, &count);
	T_EQ(r, ERR_INVAL);
}

/* RFC 1071 by the book: 16-bit big-endian words, a zero byte after an odd tail. */
static uint16_t csum_ref(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;

	for (size_t i = 0; i < len; i += 2)
		s += (uint32_t)p[i] << 8 | (i + 1 < len ? p[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The word-at-a-time checksum against the reference: every length up to 1500 at every
 * alignment, random bytes, all-0xff bytes (carries on every add) and a running sum. */
static void test_csum(void)
{
	static uint8_t buf[1600];
	uint32_t x = 12345;
	int nbad = 0;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t len = 0; len <= 1500; len++)
		for (size_t al = 0; al < 8; al++) {
			uint32_t start = len * 2654435761u;
			if (gso_csum_fold(gso_csum_add(start, buf + al, len)) !=
			    csum_ref(start, buf + al, len))
				nbad++;
		}
	T_EQ(nbad, 0);
	memset(buf, 0xff, sizeof(buf));
	for (size_t len = 0; len <= 1500; len += 7)
		if (gso_csum_fold(gso_csum_add(0xffffffffu, buf + 1, len)) !=
		    csum_ref(0xffffffffu, buf + 1, len))
			nbad++;
	T_EQ(nbad, 0);
	memset(buf, 0, sizeof(buf));
	T_EQ(gso_csum_fold(gso_csum_add(0, buf, 1500)), 0xffff);
}

int main(void)
{
	test_csum();
	for (size_t i = 0; i < GSO_MAX_SEGS; i++)
		segs[i] = seg_mem[i];
	test_tcp(0);
	test_tcp(1);
	test_udp();
	test_partial();
	test_bad();
	return t_finish();
}
