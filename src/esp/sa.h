/* Security Associations of the data plane and the SAD (RFC 4301 §4.4.2).
 *
 * An esp_sa is created from an esp_sa_cfg (transform IDs are IKEv2's, wire/iana.h; keys are the
 * KEYMAT slices, salt/nonce last as in crypto/enc.h), is immutable afterwards except for its
 * counters, sequence number, replay window and lifetime state, and is reference counted.
 *
 * Sizes: sizeof(struct esp_sa) is reported by esp_sa_footprint(); the replay bitmap
 * (esp_replay_words(window) * 8 bytes) is allocated in the same block. With cfg.ctx_cache (as
 * rampartd makes SAs) that block is all of it (about 630 heap octets for AES-GCM, window 64): the
 * keyed OpenSSL contexts live in the workers' caches (esp/ctxcache.h). Without, the SA owns
 * nworkers enc/integ objects (AES-GCM: 1,168 octets of OpenSSL state each).
 *
 * Threads (the contract the daemon relies on):
 * - Outbound: any number of workers may protect with one SA at once. The sequence number is a
 *   per-SA atomic counter; each worker uses its own crypto context (worker->id selects it, so
 *   an SA is created with nworkers >= the number of workers).
 * - Inbound: any number of workers may process packets of one SA at once; the replay window is
 *   updated under a per-SA spinlock after ICV verification (double acceptance is impossible).
 * - Lifetime: the IKE side creates SAs and publishes them in the SAD; workers find them by
 *   esp_sad_lookup_* which return a new reference (esp_sa_put when done). Deleting an SA from
 *   the SAD only drops the SAD's reference; the memory lives until the last worker's put.
 *   SAD changes take a writer lock; lookups take the reader side of a rwlock (no allocation).
 *
 * Sequence numbers: outbound starts at 1. Without ESN the last usable number is 2^32-1, with
 * ESN 2^64-1; protect then fails with ERR_LIMIT (counted as seq-overflow; RFC 4303 §3.3.3 no
 * cycling). ESP_SEQ_SOFT_MARGIN (2^20) numbers before the end ESP_EV_SOFT (rekey) is raised.
 *
 * Lifetimes (RFC 4301 §4.4.2.1): bytes (inner packet bytes), packets, and "expires at" times
 * in the caller's clock (the same unit as the `now` it passes; 0 = none). Crossing a soft limit
 * raises ESP_EV_SOFT once; crossing a hard limit raises ESP_EV_HARD once and the SA refuses
 * every later packet (counted as hard-expired).
 */
#ifndef RAMPART_ESP_SA_H
#define RAMPART_ESP_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/pkt.h"
#include "esp/replay.h"
#include "esp/sel.h"
#include "esp/stats.h"

struct enc;
struct integ;

enum esp_mode {
	ESP_MODE_TRANSPORT = 1,
	ESP_MODE_TUNNEL = 2,
};

/* Outer IPv4 DF in tunnel mode (RFC 4301 §8.1): copied from an IPv4 inner header (clear for
 * IPv6 inner packets), always set, or always clear. */
enum {
	ESP_DF_COPY = 0,
	ESP_DF_SET = 1,
	ESP_DF_CLEAR = 2,
};

#define ESP_SEQ_SOFT_MARGIN (1ull << 20)
#define ESP_MAX_WORKERS	    64
#define ESP_ENCAP_PORT	    4500
/* Keying material an SA keeps with a context cache: the largest enc key + salt (36) and the
 * largest integrity key (64). */
#define ESP_SA_MAX_KEYS 100

/* Events a processing call reports in esp_result.events (and that esp_sa_poll reports). */
enum {
	ESP_EV_SOFT = 1,    /* a soft lifetime or the sequence soft margin was crossed: rekey */
	ESP_EV_HARD = 2,    /* a hard lifetime was crossed: the SA is dead, delete it */
	ESP_EV_ACQUIRE = 4, /* esp_output: a PROTECT policy has no SA (reqid in the result) */
	/* inbound ESP in UDP: the packet authenticated, was the newest so far (replay window on)
	 * and came from another address or port than the SA's peer (a NAT mapping changed, RFC
	 * 7296 §2.23); raised at most once per unit of now per SA. The caller has the source. */
	ESP_EV_MAPPING = 8,
};

struct esp_lifetime {
	uint64_t bytes;	  /* 0 = unlimited */
	uint64_t packets; /* 0 = unlimited */
	uint64_t expires; /* absolute time in the caller's clock, 0 = never */
};

struct esp_sa_cfg {
	uint32_t spi;	/* host order */
	uint8_t proto;	/* ESP_IPPROTO_ESP or ESP_IPPROTO_AH */
	uint8_t mode;	/* enum esp_mode */
	uint8_t dir;	/* ESP_DIR_IN or ESP_DIR_OUT (esp/spd.h) */
	bool esn;	/* RFC 4303 §2.2.1 extended sequence numbers */
	uint32_t reqid; /* links the SA to its policies */
	/* Outer addresses: source and destination of the protected packets (for inbound the
	 * destination is part of the SAD key). */
	struct addr src, dst;
	/* ESP: encryption transform (IKEV2_ENCR_*, key bits for AES), key = key || salt.
	 * AH: encr_id 0. */
	uint16_t encr_id;
	uint16_t encr_key_bits;
	const uint8_t *encr_key;
	size_t encr_key_len;
	/* Integrity transform (IKEV2_AUTH_*, 0 = none, required for AH and non-AEAD ESP except
	 * NULL-encryption is never allowed without integrity). For AH with AES-GMAC the key is
	 * key || salt. */
	uint16_t integ_id;
	const uint8_t *integ_key;
	size_t integ_key_len;
	uint32_t replay_window; /* inbound, 0 disables, <= ESP_REPLAY_WINDOW_MAX */
	/* RFC 3948 UDP encapsulation (ESP only). Ports in host order (0 -> 4500). oa_src/oa_dst
	 * are the original addresses (NAT-OA) the peer used in transport-mode TCP/UDP
	 * checksums; family 0 when unknown. */
	bool encap;
	uint16_t encap_sport, encap_dport;
	struct addr oa_src, oa_dst;
	struct esp_lifetime soft, hard;
	uint16_t tfc_pad;  /* tunnel outbound: pad inner packets up to this size (RFC 4303 §2.7) */
	uint8_t outer_ttl; /* tunnel outbound: outer TTL / hop limit, 0 -> 64 */
	uint16_t mtu;	   /* outbound path MTU of the outer packets, 0 = unchecked */
	uint8_t df_mode;   /* tunnel outbound, outer IPv4 DF (RFC 4301 §8.1): ESP_DF_* */
	struct esp_sel sel; /* inbound: inner packets must match (family 0 + esp_sel_any = all) */
	unsigned nworkers;  /* crypto contexts, 1..ESP_MAX_WORKERS (0 -> 1) */
	/* true: the SA keeps only its keys (in a buffer wiped on free) and the workers' caches
	 * of keyed contexts (esp/ctxcache.h) serve it; nworkers is ignored and every worker
	 * that processes it needs a cache (esp_worker_cache_init). false: the SA owns nworkers
	 * keyed contexts. */
	bool ctx_cache;
};

/* The outer path of an SA: addresses and (with UDP encapsulation) ports in host order. It may
 * change while workers use the SA (a NATed peer's new mapping, RFC 7296 §2.23; MOBIKE): see
 * esp_sa_set_path. Its address family never changes. */
struct esp_path {
	struct addr src, dst;
	uint16_t sport, dport;
};
#define ESP_PATH_WORDS 5 /* uint64_t words holding a struct esp_path */

/* Per-worker crypto contexts. */
struct esp_sa_crypto {
	struct enc *enc;     /* NULL for AH */
	struct integ *integ; /* NULL for AEAD (and GMAC) ESP */
};

/* The SA. Fields are private to src/esp (other modules use the functions below). */
struct esp_sa {
	/* Immutable after esp_sa_new. */
	uint32_t spi;
	uint32_t reqid;
	uint8_t proto, mode, dir;
	bool esn, encap, aead;
	uint8_t iv_len;	    /* explicit IV on the wire (ESP), or AH-GMAC IV */
	uint8_t icv_len;    /* ICV octets */
	uint8_t pad_align;  /* ESP: encrypted part aligned to this (>= 4) */
	uint8_t iv_counter; /* 1: IV = 64-bit counter (sequence number), 0: random (CBC) */
	uint8_t ah_len;	    /* AH header incl. ICV and alignment padding, per family [v4] */
	uint8_t ah_len6;
	uint8_t outer_ttl;
	uint16_t tfc_pad;
	uint8_t family; /* outer address family (of src for outbound, dst for inbound; 0 = any) */
	uint16_t encr_id, integ_id;
	struct addr oa_src, oa_dst;
	struct esp_sel sel;
	struct esp_lifetime soft, hard;
	unsigned nworkers;
	struct esp_sa_crypto *crypto; /* nworkers entries, NULL with a context cache */
	/* Context cache (cfg.ctx_cache): cc_id != 0 names the SA in the workers' caches (never
	 * reused); a miss re-keys a cached context from cc_key (wiped on free): cc_encr_len
	 * octets for enc (cc_encr_id/bits; AH-GMAC too), then cc_integ_len for integ. */
	uint64_t cc_id;
	uint16_t cc_encr_id, cc_encr_bits, cc_integ_id;
	uint8_t cc_encr_len, cc_integ_len;
	uint8_t cc_key[ESP_SA_MAX_KEYS];
	/* Mutable. */
	/* The outer path (esp_sa_set_path / esp_sa_path): a sequence lock, even when stable,
	 * over words read and written with relaxed atomics, so a reader never sees half of a
	 * change and never waits for more than the writer's few stores. */
	_Atomic uint32_t path_seq;
	_Atomic uint64_t path_w[ESP_PATH_WORDS];
	uint32_t map_ev_at; /* ESP_EV_MAPPING last raised at this now (atomic), + 1 */
	uint64_t seq;	    /* outbound: last number used (atomic) */
	uint16_t mtu;	    /* atomic */
	uint8_t ev_raised;  /* ESP_EV_* already reported (atomic) */
	uint8_t dead;	    /* hard limit reached (atomic) */
	int refcnt;	    /* atomic */
	uint8_t df_mode;
	uint64_t iv_mask;    /* counter-mode IVs are seq ^ iv_mask (random per SA) */
	int32_t force_ip_id; /* test hook, -1 = off */
	uint8_t force_iv_len;
	uint8_t force_iv[16];
	struct esp_stats stats;
	struct esp_replay replay;
	struct esp_sa *next_in, *next_out; /* SAD chains */
	struct esp_sa **pprev_out; /* the link to this SA in its SAD chain; NULL: in no SAD */
	uint64_t bitmap[];	   /* replay bitmap */
};

/* Creates an SA (reference count 1). ERR_INVAL for inconsistent configuration,
 * ERR_UNSUPPORTED for an unknown transform, ERR_NOMEM, ERR_CRYPTO. */
int esp_sa_new(const struct esp_sa_cfg *cfg, struct esp_sa **out);
void esp_sa_get(struct esp_sa *sa);
/* Drops a reference, freeing (and wiping the keys) at zero. Accepts NULL. */
void esp_sa_put(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
uint32_t esp_sa_reqid(const struct esp_sa *sa);
uint8_t esp_sa_proto(const struct esp_sa *sa);
uint8_t esp_sa_mode(const struct esp_sa *sa);
uint8_t esp_sa_dir(const struct esp_sa *sa);
bool esp_sa_encap(const struct esp_sa *sa);
/* A consistent snapshot of the SA's outer path (lock-free; never torn). */
void esp_sa_path(const struct esp_sa *sa, struct esp_path *out);
/* Moves the SA to path p (same address family; ports used with UDP encapsulation). Workers
 * see the old or the new path whole, from one packet to the next. One writer at a time (the
 * control thread); for an inbound SA in a SAD use esp_sad_set_path (the destination is part
 * of its key). ERR_INVAL for a different family. */
int esp_sa_set_path(struct esp_sa *sa, const struct esp_path *p);
/* Bytes a protected packet adds in front of / behind the inner packet at most (outer header in
 * tunnel mode, UDP, ESP/AH header, IV; padding, trailer and ICV), for MTU computations. */
size_t esp_sa_overhead(const struct esp_sa *sa, uint8_t inner_family);
/* Largest inner packet that fits an outer MTU (accounts for block padding). */
size_t esp_sa_max_inner(const struct esp_sa *sa, uint8_t inner_family, size_t mtu);
void esp_sa_set_mtu(struct esp_sa *sa, uint16_t mtu);
uint16_t esp_sa_mtu(const struct esp_sa *sa);
/* Counters (see stats.h). */
void esp_sa_stats(const struct esp_sa *sa, struct esp_stats *out);
/* Last sequence number sent (outbound) or highest authenticated (inbound). */
uint64_t esp_sa_seq(struct esp_sa *sa);
/* Time-based lifetime check for idle SAs: events newly raised at now (ESP_EV_*). */
int esp_sa_poll(struct esp_sa *sa, uint64_t now);
bool esp_sa_dead(const struct esp_sa *sa);
/* Every event (ESP_EV_SOFT / ESP_EV_HARD) the SA has raised so far, by packets or by
 * esp_sa_poll, for a control thread that scans SAs instead of watching each packet. */
uint8_t esp_sa_events(const struct esp_sa *sa);
/* The inbound policy check: whether the clear packet p[0..len) lies within the SA's selectors
 * (RFC 4301 §5.2). 0 or ERR_INVAL (unparseable) / ERR_NOTFOUND (outside). */
int esp_sa_check_inner(const struct esp_sa *sa, const uint8_t *p, size_t len);
/* sizeof(struct esp_sa), for the documentation's < 1 KiB promise. */
size_t esp_sa_footprint(void);

/* Test hooks: the next outbound sequence number (>= 1), and a fixed IV used for every packet
 * instead of the counter/random one (len must be the transform's IV length; NULL clears). */
void esp_sa_set_next_seq(struct esp_sa *sa, uint64_t next);
int esp_sa_force_iv(struct esp_sa *sa, const uint8_t *iv, size_t len);
/* Test hook: the outer IPv4 identification of tunnel-mode packets (-1: the default, derived
 * from the sequence number). */
void esp_sa_force_ip_id(struct esp_sa *sa, int id);

#endif
