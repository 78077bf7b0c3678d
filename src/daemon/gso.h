/* Segmentation of the GSO super-packets a TUN with IFF_VNET_HDR hands over (the kernel's
 * TSO/USO done in userspace, before encryption): TCP over IPv4/IPv6 (RFC 9293 segments: the
 * sequence number advances, FIN/PSH only on the last, CWR only on the first segment; IPv4
 * identification incremented per segment) and UDP (RFC 768 datagrams of gso_size), every
 * checksum computed in full. A packet without GSO whose checksum the kernel left partial
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM) gets it completed.
 *
 * The virtio_net_hdr is read from the first GSO_VNET_HDR_LEN bytes in host byte order (the
 * TUN's default, legacy virtio). All offsets it gives are checked against the packet.
 */
#ifndef RAMPART_DAEMON_GSO_H
#define RAMPART_DAEMON_GSO_H

#include <stddef.h>
#include <stdint.h>

#define GSO_VNET_HDR_LEN 10
#define GSO_MAX_SEGS	 128 /* 64 KiB in segments of at least 512 bytes */

/* The packet pkt[0..len) (after the virtio_net_hdr vh) is split into segments; segment i is
 * written to bufs[i] + off (bufs[i] has cap bytes), its length to lens[i]. *count receives the
 * number of segments (1 without GSO). ERR_INVAL for a malformed packet or header, ERR_NOSPACE
 * when n buffers or cap bytes are not enough, ERR_UNSUPPORTED for a GSO type we do not know. */
int gso_split(const uint8_t vh[GSO_VNET_HDR_LEN], const uint8_t *pkt, size_t len,
	      uint8_t *const *bufs, size_t cap, size_t off, size_t n, size_t *lens, size_t *count);

/* The Internet checksum (RFC 1071) of p[0..len) added to sum, unfolded. */
uint32_t gso_csum_add(uint32_t sum, const uint8_t *p, size_t len);
uint16_t gso_csum_fold(uint32_t sum);

#endif
