/* Security Policy Database (RFC 4301 §4.4.1): ordered policies per direction (in, out, fwd),
 * each a selector and an action: protect (with an SA template: proto, mode, reqid, tunnel
 * endpoints), bypass or discard.
 *
 * Order: lower priority value first; among equal priorities the earlier-added policy wins.
 *
 * Lookup is indexed: policies are grouped by (family, destination prefix length) and hashed by
 * masked destination, each bucket sorted by order. A lookup costs one hash probe per distinct
 * destination prefix length in the direction (typically 1-3) plus the selector checks of one
 * bucket, independent of the total number of policies. esp_spd_add/del mark the index stale;
 * esp_spd_commit rebuilds it (O(n log n)); lookups on a stale index fall back to a linear scan
 * (correct, slower), so batches of changes should be followed by one commit.
 *
 * Threads: an esp_spd is not internally synchronised. The writer (IKE side) changes and commits
 * a private copy and publishes it to packet workers by an atomic pointer swap, freeing the old
 * one after every worker has passed a quiescent point (RCU-style). Concurrent lookups on one
 * committed esp_spd are safe (they only read, except the per-policy hit counter, which is
 * updated with a relaxed atomic add).
 */
#ifndef RAMPART_ESP_SPD_H
#define RAMPART_ESP_SPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "esp/sel.h"

#define ESP_SPD_MAX_POLICIES 1000000u

enum esp_action {
	ESP_ACTION_PROTECT = 0,
	ESP_ACTION_BYPASS = 1,
	ESP_ACTION_DISCARD = 2,
};

/* What protect means: the SA to use is found by reqid (outbound) or checked against it
 * (inbound). Addresses are the tunnel endpoints in tunnel mode. */
struct esp_tmpl {
	uint8_t proto; /* ESP_IPPROTO_ESP or ESP_IPPROTO_AH */
	uint8_t mode;  /* ESP_MODE_TRANSPORT or ESP_MODE_TUNNEL (esp/sa.h) */
	uint32_t reqid;
	struct addr src, dst;
	/* outbound: the reqid the policy was configured with, reported when a packet finds no
	 * SA (an acquire for the IKE side; 0: none) */
	uint32_t acq_reqid;
};

struct esp_policy {
	uint32_t id; /* assigned by esp_spd_add, unique in the SPD */
	uint32_t priority;
	uint8_t dir;	/* enum esp_dir */
	uint8_t action; /* enum esp_action */
	struct esp_sel sel;
	struct esp_tmpl tmpl; /* ESP_ACTION_PROTECT only */
	uint64_t hits;	      /* lookups that returned this policy */
	uint64_t seq;	      /* insertion order (internal) */
};

struct esp_spd;

struct esp_spd *esp_spd_new(void);
void esp_spd_free(struct esp_spd *spd);
/* Copies *p (its selector normalised) into the SPD; *id receives the new policy's id.
 * ERR_INVAL on a bad selector/dir/action, ERR_LIMIT past ESP_SPD_MAX_POLICIES, ERR_NOMEM. */
int esp_spd_add(struct esp_spd *spd, const struct esp_policy *p, uint32_t *id);
/* ERR_NOTFOUND when no policy has that id. */
int esp_spd_del(struct esp_spd *spd, uint32_t id);
void esp_spd_flush(struct esp_spd *spd);
/* Rebuilds the lookup index. ERR_NOMEM leaves the SPD usable (linear lookups). */
int esp_spd_commit(struct esp_spd *spd);
size_t esp_spd_count(const struct esp_spd *spd);
/* The first policy (in order) of direction dir matching flow, or NULL. The pointer stays valid
 * until the next change to the SPD. */
const struct esp_policy *esp_spd_lookup(struct esp_spd *spd, uint8_t dir,
					const struct esp_flow *flow);
/* Policy number i (0-based) in order of (dir, priority, insertion) for listings, or NULL. */
const struct esp_policy *esp_spd_get(const struct esp_spd *spd, size_t i);

#endif
