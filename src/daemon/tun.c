#include "daemon/tun.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#define TUN_F_USO6 0x40
#endif

int tun_open(struct tun *t, const char *name, bool offload)
{
	struct ifreq ifr;
	int fd, hdrsz = (int)sizeof(struct virtio_net_hdr);

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (strlen(name) >= IF_NAMESIZE)
		return ERR_INVAL;
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		log_error(LOG_DAEMON, "open /dev/net/tun: %s", strerror(errno));
		return ERR_IO;
	}
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (offload ? IFF_VNET_HDR : 0);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		log_error(LOG_DAEMON, "TUNSETIFF %s: %s", name, strerror(errno));
		close(fd);
		return ERR_IO;
	}
	t->fd = fd;
	snprintf(t->name, sizeof(t->name), "%s", ifr.ifr_name);
	t->ifindex = (int)if_nametoindex(t->name);
	if (offload) {
		t->vnet = true;
		if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz)) {
			log_warn(LOG_DAEMON, "TUNSETVNETHDRSZ: %s", strerror(errno));
		}
		/* Most to least capable: USO needs Linux 6.2. */
		static const unsigned sets[] = {
		    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
		    TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		    TUN_F_CSUM,
		};
		for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)sets[i]) == 0) {
				t->offloads = sets[i];
				break;
			}
		}
	}
	log_info(LOG_DAEMON, "tun %s (ifindex %d): %s offloads 0x%x", t->name, t->ifindex,
		 t->vnet ? "vnet header," : "plain,", t->offloads);
	return 0;
}

void tun_close(struct tun *t)
{
	if (t && t->fd >= 0) {
		close(t->fd);
		t->fd = -1;
	}
}
