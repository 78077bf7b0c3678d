/* The SAD (RFC 4301 §4.4.2): the table of SAs the packet workers look up.
 *
 * Inbound SAs are keyed by (SPI, destination address, protocol) - RFC 4301 §4.1; an SA whose
 * destination is unset (family 0) matches any destination (behind a NAT the local address the
 * peer sees may differ), and a lookup with dst NULL matches on SPI and protocol only.
 * Outbound SAs are keyed by reqid; the most recently added SA of a reqid wins, so a rekeyed
 * SA takes over the moment it is added.
 *
 * Threads: changes take the writer side of a rwlock, lookups the reader side, and return a
 * new reference to the SA (esp_sa_put when done), so a deleted SA stays valid for a worker
 * still using it. Nothing here allocates on lookup.
 */
#ifndef RAMPART_ESP_SAD_H
#define RAMPART_ESP_SAD_H

#include <stddef.h>
#include <stdint.h>

#include "esp/sa.h"

struct esp_sad;

struct esp_sad *esp_sad_new(void);
/* Drops the SAD's references to every SA and frees it. Accepts NULL. */
void esp_sad_free(struct esp_sad *sad);
/* Adds sa (the SAD takes its own reference). ERR_EXISTS for a duplicate inbound key (same
 * SPI, protocol and destination) or when sa is already in a SAD. */
int esp_sad_add(struct esp_sad *sad, struct esp_sa *sa);
/* Removes sa and drops the SAD's reference. ERR_NOTFOUND. */
int esp_sad_del(struct esp_sad *sad, struct esp_sa *sa);
/* Finds an inbound SA; returns a new reference or NULL. */
struct esp_sa *esp_sad_lookup_in(struct esp_sad *sad, uint32_t spi, const struct addr *dst,
				 uint8_t proto);
/* The current outbound SA of reqid; a new reference or NULL. */
struct esp_sa *esp_sad_lookup_out(struct esp_sad *sad, uint32_t reqid);
/* Moves sa (in the SAD or not) to path p under the writer lock (esp_sa_set_path): an inbound
 * SA's new destination must not give it the key of another SA (ERR_EXISTS); ERR_INVAL for
 * another address family. Lookups see the old or the new destination, whole. */
int esp_sad_set_path(struct esp_sad *sad, struct esp_sa *sa, const struct esp_path *p);
size_t esp_sad_count(struct esp_sad *sad);
/* Calls fn for every SA under the reader lock (fn must not change the SAD). */
void esp_sad_walk(struct esp_sad *sad, void (*fn)(struct esp_sa *sa, void *ctx), void *ctx);

#endif
