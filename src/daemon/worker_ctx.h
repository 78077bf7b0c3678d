/* The data-plane worker's state and the small helpers every direction's packet path uses,
 * shared by daemon/worker.c (threads, set-up), daemon/worker_out.c (TUN -> network) and
 * daemon/worker_in.c (network -> TUN). Private to those three files.
 *
 * The helpers are static inline: they run per packet and each direction keeps its whole packet
 * path in one translation unit. A dp_worker is used by its own thread only (the hazard pointer
 * is the one field other threads read).
 */
#ifndef RAMPART_DAEMON_WORKER_CTX_H
#define RAMPART_DAEMON_WORKER_CTX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "daemon/gro.h"
#include "daemon/gso.h"
#include "daemon/udptx.h"
#include "daemon/worker.h"
#include "esp/esp.h"
#include "esp/pkt.h"
#include "lib/log.h"

#define DPW_POOL_N     (GSO_MAX_SEGS + 2 * DP_BATCH)   /* outbound packet buffers */
#define DPW_SUPER_SIZE (GSO_VNET_HDR_LEN + 65536 + 64) /* one TUN read with IFF_VNET_HDR */
#define DPW_FRAG_MAX   48			       /* fragments of one inner IPv4 packet */
/* UDP receive buffers: a datagram the kernel coalesced (UDP_GRO) holds up to 64 KiB */
#define DPW_RX_BIG_N	16
#define DPW_RX_BIG_SIZE (ESP_HEADROOM + 65536)

enum { DPW_ROLE_OUT = 1, DPW_ROLE_IN = 2 };

/* One family's pending sendmmsg batch; entries reference pool buffers. */
struct dpw_batch {
	unsigned n;
	struct mmsghdr msg[DP_BATCH];
	struct iovec iov[DP_BATCH];
	struct sockaddr_storage to[DP_BATCH];
	unsigned buf[DP_BATCH];
	bool has_udp; /* holds ESP in UDP: trains of the same family wait until it is sent */
};

struct dp_worker {
	struct dp_shared *sh;
	unsigned id;
	int role;
	pthread_t thread;
	bool started;
	_Atomic(struct esp_spd *) hazard;
	struct esp_worker ew;
	struct log_ratelimit rl;
	/* acquires sent (rate limit per reqid, direct-mapped) */
	struct {
		uint32_t reqid;
		uint64_t ms;
	} acq[DP_ACQUIRE_SLOTS];
	/* outbound */
	uint8_t *super;
	uint8_t *pool_mem;
	unsigned free_n, free_idx[DPW_POOL_N];
	struct dpw_batch out[2];
	struct udptx utx[2]; /* ESP in UDP from port 4500, v4 and v6 */
	/* inbound */
	struct gro gro; /* with a vnet-header TUN */
	bool gro_on;
	uint64_t gro_segs; /* not yet added to the shared counter */
	uint8_t *rx_mem;
	uint8_t *rx_big; /* DPW_RX_BIG_N buffers for the UDP sockets */
	struct mmsghdr rx_msg[DP_BATCH];
	struct iovec rx_iov[DP_BATCH];
	struct sockaddr_storage rx_from[DP_BATCH];
	uint8_t rx_ctl[DP_BATCH][128];
};

static inline void dpw_count(struct dp_shared *sh, enum dp_ctr c, uint64_t n)
{
	atomic_fetch_add_explicit(&sh->ctr[c], n, memory_order_relaxed);
}

static inline uint64_t dpw_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

static inline uint64_t dpw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A packet raised a soft or hard lifetime event (rare: once per SA and limit): wake the
 * control thread, which scans the SAs (ctl_cmds_expire). Nothing else on the packet path. */
static inline void dpw_lifetime_event(struct dp_shared *sh, uint8_t events)
{
	uint64_t one = 1;

	if (!(events & (ESP_EV_SOFT | ESP_EV_HARD)) || sh->event_fd < 0)
		return;
	if (write(sh->event_fd, &one, sizeof(one)) < 0) {
		/* the counter is already non-zero: the control thread will look */
	}
}

/* Hazard pointer: publish what we read, then confirm it is still current. */
static inline struct esp_spd *dpw_spd_acquire(struct dp_worker *w)
{
	struct esp_spd *p;

	do {
		p = atomic_load(&w->sh->spd);
		atomic_store(&w->hazard, p);
	} while (p != atomic_load(&w->sh->spd));
	return p;
}

static inline void dpw_spd_release(struct dp_worker *w)
{
	atomic_store(&w->hazard, NULL);
}

static inline uint8_t *dpw_pool_buf(struct dp_worker *w, unsigned i)
{
	return w->pool_mem + (size_t)i * w->sh->buf_size;
}

/* Writes the clear packet b to the TUN (with an all-zero virtio_net_hdr when the TUN wants
 * one: no offload requested, checksums complete). */
static inline void dpw_tun_write(struct dp_worker *w, struct esp_buf *b)
{
	struct dp_shared *sh = w->sh;
	uint8_t *p = esp_buf_data(b);
	size_t n = b->len;

	if (sh->tun->vnet) {
		if (b->off < GSO_VNET_HDR_LEN) {
			dpw_count(sh, DP_MALFORMED, 1);
			return;
		}
		p -= GSO_VNET_HDR_LEN;
		memset(p, 0, GSO_VNET_HDR_LEN);
		n += GSO_VNET_HDR_LEN;
	}
	if (write(sh->tun->fd, p, n) < 0) {
		dpw_count(sh, DP_IO_ERROR, 1);
		return;
	}
	dpw_count(sh, DP_TUN_TX, 1);
}

#endif
