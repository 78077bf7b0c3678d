/* The TUN device on the clear side: IFF_TUN | IFF_NO_PI, and with offload IFF_VNET_HDR plus
 * TUNSETOFFLOAD (checksum, TSO4/6, USO4/6 when the kernel has them) so the kernel hands us
 * GSO super-packets of up to 64 KiB with a struct virtio_net_hdr in front (daemon/gso.h
 * segments them) and accepts packets with a header that says "no offload".
 */
#ifndef RAMPART_DAEMON_TUN_H
#define RAMPART_DAEMON_TUN_H

#include <stdbool.h>
#include <stddef.h>

#include <net/if.h>

struct tun {
	int fd;
	int ifindex;
	char name[IF_NAMESIZE];
	bool vnet;	   /* every read and write carries a virtio_net_hdr */
	unsigned offloads; /* TUN_F_* accepted by TUNSETOFFLOAD */
};

/* Creates (or attaches to) the TUN device `name`. With offload, tries IFF_VNET_HDR and the
 * offloads, falling back silently to plain packets. The fd is non-blocking. */
int tun_open(struct tun *t, const char *name, bool offload);
void tun_close(struct tun *t);

#endif
