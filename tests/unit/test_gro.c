/* Receive coalescing: segments of one TCP flow coalesce into a super-packet that segments back
 * (daemon/gso.h) into exactly the original segments; anything that breaks the chain is refused. */
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/gro.h"
#include "daemon/gso.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"

#define OFF 64
#define CAP 2048

static uint8_t seg_mem[2][GSO_MAX_SEGS][CAP];
static uint8_t *segs[2][GSO_MAX_SEGS];

/* A TCP super-packet (IPv4 or IPv6, 12 bytes of options) split by gso_split into set k. */
static size_t make_segments(int k, int v6, size_t payload, size_t mss, size_t *lens)
{
	static uint8_t p[70000];
	size_t l4off = v6 ? 40 : 20, thl = 32, total = l4off + thl + payload, n = 0;
	uint8_t vh[GSO_VNET_HDR_LEN];
	struct virtio_net_hdr h = {VIRTIO_NET_HDR_F_NEEDS_CSUM,
				   v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4,
				   (uint16_t)(l4off + thl),
				   (uint16_t)mss,
				   (uint16_t)l4off,
				   16};

	memset(p, 0, l4off + thl);
	if (v6) {
		p[0] = 0x60;
		buf_store_be16(p + 4, (uint16_t)(total - 40));
		p[6] = IPPROTO_TCP;
		p[7] = 64;
		p[23] = 1;
		p[39] = 2;
	} else {
		p[0] = 0x45;
		buf_store_be16(p + 2, (uint16_t)total);
		buf_store_be16(p + 4, 7);
		p[6] = 0x40;
		p[8] = 64;
		p[9] = IPPROTO_TCP;
		p[12] = 10, p[15] = 1, p[16] = 10, p[19] = 2;
	}
	uint8_t *t = p + l4off;
	buf_store_be16(t, 40000);
	buf_store_be16(t + 2, 5201);
	buf_store_be32(t + 4, 0x7ffffff0u);
	buf_store_be32(t + 8, 99);
	t[12] = (uint8_t)((thl / 4) << 4);
	t[13] = 0x18; /* ACK PSH: PSH survives only on the last segment */
	buf_store_be16(t + 14, 512);
	t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10; /* NOP NOP timestamps */
	for (size_t i = 0; i < payload; i++)
		p[l4off + thl + i] = (uint8_t)(i * 13 + 5);
	memcpy(vh, &h, sizeof(h));
	T_EQ(gso_split(vh, p, total, segs[k], CAP, OFF, GSO_MAX_SEGS, lens, &n), 0);
	return n;
}

static void test_roundtrip(int v6)
{
	size_t lens[GSO_MAX_SEGS], lens2[GSO_MAX_SEGS], n, n2 = 0, len = 0;
	struct gro g;
	const uint8_t *out;

	T_EQ(gro_init(&g), 0);
	n = make_segments(0, v6, 5000, 1200, lens); /* 4 x 1200 + 200 */
	T_EQ(n, 5);
	for (size_t i = 0; i < n; i++)
		T_EQ_ROW((int)i, gro_add(&g, segs[0][i] + OFF, lens[i]), 1);
	out = gro_take(&g, &len);
	T_OK(out != NULL, "chain");
	if (!out)
		goto done;
	struct virtio_net_hdr h;
	memcpy(&h, out, sizeof(h));
	T_EQ(h.gso_type, v6 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4);
	T_EQ(h.gso_size, 1200);
	T_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	T_EQ(len, GSO_VNET_HDR_LEN + (v6 ? 40 : 20) + 32 + 5000);
	/* the partial checksum completes to a valid one, as the kernel would complete it */
	{
		static uint8_t ip[70000];
		size_t tot = len - GSO_VNET_HDR_LEN, l4 = h.csum_start, l4len = tot - l4;
		memcpy(ip, out + GSO_VNET_HDR_LEN, tot);
		buf_store_be16(ip + l4 + 16, gso_csum_fold(gso_csum_add(0, ip + l4, l4len)));
		uint8_t ph6[8] = {0, 0, (uint8_t)(l4len >> 8), (uint8_t)l4len, 0, 0, 0, 6};
		uint8_t ph4[4] = {0, 6, (uint8_t)(l4len >> 8), (uint8_t)l4len};
		uint32_t sum = v6 ? gso_csum_add(gso_csum_add(0, ip + 8, 32), ph6, 8)
				  : gso_csum_add(gso_csum_add(0, ip + 12, 8), ph4, 4);
		T_EQ(gso_csum_fold(gso_csum_add(sum, ip + l4, l4len)), 0);
	}
	/* segmenting the super-packet again gives back the very same segments */
	T_EQ(gso_split(out, out + GSO_VNET_HDR_LEN, len - GSO_VNET_HDR_LEN, segs[1], CAP, OFF,
		       GSO_MAX_SEGS, lens2, &n2),
	     0);
	T_EQ(n2, n);
	for (size_t i = 0; i < n && i < n2; i++)
		T_MEM_ROW((int)i, segs[1][i] + OFF, lens2[i], segs[0][i] + OFF, lens[i]);
	T_OK(gro_take(&g, &len) == NULL, "taken chain is empty");
done:
	gro_cleanup(&g);
}

static void test_breaks(void)
{
	size_t lens[GSO_MAX_SEGS], len = 0, n;
	struct gro g;
	uint8_t tmp[CAP];
	const uint8_t *out;

	T_EQ(gro_init(&g), 0);
	n = make_segments(0, 0, 3600, 1200, lens);
	T_EQ(n, 3);
	/* a gap in the sequence */
	T_EQ(gro_add(&g, segs[0][0] + OFF, lens[0]), 1);
	T_EQ(gro_add(&g, segs[0][2] + OFF, lens[2]), 0);
	T_OK(gro_candidate(segs[0][2] + OFF, lens[2]), "still a candidate");
	/* a different port */
	memcpy(tmp, segs[0][1] + OFF, lens[1]);
	tmp[20 + 1] ^= 1;
	T_EQ(gro_add(&g, tmp, lens[1]), 0);
	/* a different window */
	memcpy(tmp, segs[0][1] + OFF, lens[1]);
	tmp[20 + 15] ^= 1;
	T_EQ(gro_add(&g, tmp, lens[1]), 0);
	/* a different timestamp option */
	memcpy(tmp, segs[0][1] + OFF, lens[1]);
	tmp[20 + 25] ^= 1;
	T_EQ(gro_add(&g, tmp, lens[1]), 0);
	/* the right next segment joins */
	T_EQ(gro_add(&g, segs[0][1] + OFF, lens[1]), 1);
	/* a one-segment chain comes out plain */
	out = gro_take(&g, &len);
	T_OK(out && out[1] == VIRTIO_NET_HDR_GSO_TCPV4, "two segments: GSO");
	T_EQ(gro_add(&g, segs[0][2] + OFF, lens[2]), 1);
	out = gro_take(&g, &len);
	T_OK(out && out[0] == 0 && out[1] == VIRTIO_NET_HDR_GSO_NONE, "one segment: plain");
	T_MEM(out + GSO_VNET_HDR_LEN, len - GSO_VNET_HDR_LEN, segs[0][2] + OFF, lens[2]);
	/* PSH (only on the last segment of the split) closes a chain */
	T_EQ(gro_add(&g, segs[0][2] + OFF, lens[2]), 1);
	T_EQ(gro_add(&g, segs[0][0] + OFF, lens[0]), 0);
	gro_take(&g, &len);
	/* not coalescible at all: SYN, no payload, UDP, IPv4 options */
	memcpy(tmp, segs[0][0] + OFF, lens[0]);
	tmp[20 + 13] |= 0x02;
	T_OK(!gro_candidate(tmp, lens[0]), "SYN");
	T_OK(!gro_candidate(segs[0][0] + OFF, 52), "no payload (length mismatch)");
	memcpy(tmp, segs[0][0] + OFF, lens[0]);
	tmp[9] = IPPROTO_UDP;
	T_OK(!gro_candidate(tmp, lens[0]), "UDP");
	memcpy(tmp, segs[0][0] + OFF, lens[0]);
	tmp[0] = 0x46;
	T_OK(!gro_candidate(tmp, lens[0]), "IPv4 options");
	T_EQ(gro_add(&g, tmp, lens[0]), 0);
	gro_cleanup(&g);
}

int main(void)
{
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < GSO_MAX_SEGS; i++)
			segs[k][i] = seg_mem[k][i];
	test_roundtrip(0);
	test_roundtrip(1);
	test_breaks();
	return t_finish();
}
