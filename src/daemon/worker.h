/* Data-plane worker threads: the packet path between the TUN and the network.
 *
 *   outbound (TUN -> net): read clear packets (GSO super-packets segmented by daemon/gso.h),
 *       SPD lookup, SA by reqid, esp_protect in place; ESP in UDP from port 4500 leaves in UDP
 *       GSO trains through the 4500 socket (daemon/udptx.h), everything else in batched
 *       sendmmsg on a raw socket (IP_HDRINCL, marked with the fwmark so it bypasses Rampart's
 *       routing table).
 *   inbound (net -> TUN): recvmmsg on raw ESP/AH sockets (IPv4 delivers the IP header; for
 *       IPv6 it is rebuilt from the ancillary data) and on the UDP 4500 sockets (ESP in UDP,
 *       with UDP_GRO: a coalesced datagram is split into its ESP packets), esp_input /
 *       esp_input_udp, the inbound policy check, TCP segments coalesced (daemon/gro.h), write
 *       to the TUN.
 *
 * With one worker a single thread does both; with two, one thread per direction so one SA's
 * traffic can use two cores. Either way each SA is used by exactly one thread (outbound SAs
 * by the TUN reader, inbound SAs by the socket reader). SAs keep only their keys
 * (daemon/dataplane.c creates them with ctx_cache); each worker keys OpenSSL contexts in its
 * own cache (esp/ctxcache.h, ESP_CC_SLOTS slots), so a busy SA stays keyed once. Buffers
 * are allocated once per worker; nothing on the packet path allocates or hands a packet to
 * another thread. The SPD is read through a hazard pointer (dp_shared_spd_acquire/release);
 * SAs are reference counted by src/esp.
 */
#ifndef RAMPART_DAEMON_WORKER_H
#define RAMPART_DAEMON_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon/tun.h"
#include "esp/pkt.h"
#include "esp/sad.h"
#include "esp/spd.h"

#define DP_WORKERS_MAX 2
#define DP_BATCH       64 /* packets per recvmmsg / sendmmsg */

/* Counters of the daemon's own packet path (src/esp counts per SA and per drop reason). */
enum dp_ctr {
	DP_TUN_RX = 0,	 /* packets read from the TUN (after segmentation) */
	DP_TUN_TX,	 /* packets written to the TUN */
	DP_NET_TX,	 /* protected packets sent */
	DP_NET_RX,	 /* packets received on the ESP/AH/UDP sockets */
	DP_GSO_SUPER,	 /* GSO super-packets segmented */
	DP_GRO_SEGS,	 /* inbound TCP segments written as part of a super-packet */
	DP_NO_POLICY,	 /* outbound: no policy for the flow */
	DP_POLICY_BLOCK, /* outbound or inbound: the policy says block */
	DP_BYPASS,	 /* outbound: sent in the clear by an allow policy without tmpl */
	DP_NO_SA,	 /* outbound: policy without an SA */
	DP_IN_POLICY,	 /* inbound: the SA is not the one the policy requires */
	DP_ESP_ERROR,	 /* esp_protect / esp_input failed (reason counted by src/esp) */
	DP_ICMP_TOO_BIG, /* ICMP errors written back to the TUN */
	DP_FRAGMENTED,	 /* inner IPv4 packets fragmented before protection */
	DP_IKE,		 /* IKE messages on port 4500 (no IKE engine yet: dropped) */
	DP_MALFORMED,	 /* unparseable clear packets, bad GSO headers */
	DP_IO_ERROR,	 /* failed sends/writes */
	DP_UDP_TRAINS,	 /* ESP-in-UDP trains sent with UDP GSO (one sendmsg, many packets) */
	DP_CTR_COUNT,
};

const char *dp_ctr_name(enum dp_ctr c);

struct dp_worker;

/* What the workers share with the control side. Set up by daemon/dataplane.c. */
struct dp_shared {
	struct tun *tun;
	int raw_out[2];	    /* [0] IPv4, [1] IPv6: IPPROTO_RAW, header included */
	int raw_in[4];	    /* ESP v4, AH v4, ESP v6, AH v6 */
	int udp_in[2];	    /* ESP in UDP on 4500, v4 and v6 */
	int stop_fd;	    /* eventfd: readable when the workers must stop */
	int event_fd;	    /* eventfd: written when a packet raised an SA lifetime event */
	_Atomic int ike_fd; /* IKE datagrams from 4500 go here (dp_ike_hdr + message), or -1 */
	size_t buf_size;    /* bytes per packet buffer (headroom + MTU + tailroom) */
	struct esp_sad *sad;
	_Atomic(struct esp_spd *) spd;
	atomic_bool stop;
	unsigned nthreads;
	struct dp_worker *workers[DP_WORKERS_MAX];
	_Atomic uint64_t ctr[DP_CTR_COUNT];
};

/* What the workers hand to the control thread on sh->ike_fd, one datagram each: this header,
 * then (kind DP_IKE_MSG, acquire 0) an IKE message received on port 4500 (non-ESP marker
 * removed). With acquire != 0 it is an acquire instead (header only): an outbound packet from
 * local to remote matched a protect policy configured with reqid acquire that has no SA (RFC
 * 4301 §5.1 step 3b); each worker sends at most one per reqid every DP_ACQUIRE_MS. With kind
 * DP_IKE_MAPPING (header only): ESP in UDP of reqid authenticated from remote:remote_port, not
 * the SA's peer (ESP_EV_MAPPING, RFC 7296 §2.23). */
enum { DP_IKE_MSG = 0, DP_IKE_MAPPING = 1 };
struct dp_ike_hdr {
	struct addr local, remote;
	uint16_t local_port, remote_port;
	uint32_t acquire;
	uint8_t kind; /* DP_IKE_* */
	uint32_t reqid;
};

#define DP_ACQUIRE_MS	 1000
#define DP_ACQUIRE_SLOTS 16 /* per-worker rate-limit slots (by reqid) */

/* Starts the worker threads (one or two). */
int dp_workers_start(struct dp_shared *sh);
/* Signals and joins the workers, frees their buffers. */
void dp_workers_stop(struct dp_shared *sh);
/* Waits until no worker still reads old (after it was replaced in sh->spd). */
void dp_workers_quiesce(struct dp_shared *sh, const struct esp_spd *old);
/* Adds each worker's pre-SA drop counters (esp_worker.stats) into out. */
void dp_workers_stats(struct dp_shared *sh, struct esp_stats *out);

#endif
