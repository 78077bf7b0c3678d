/* A fake network and clock for exchange tests: two IKE engines (node 0 and node 1) whose
 * send callbacks queue datagrams; the test delivers them one by one, with fault injection
 * (drop / duplicate datagram N, by a filter), an optional NAT in front of node 0 (source
 * address and port rewritten), and a fake data plane that records installed Child SAs with
 * copies of their keys and the events each engine reported.
 */
#ifndef RAMPART_TESTS_XNET_H
#define RAMPART_TESTS_XNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define XNET_MAX_Q	128
#define XNET_MAX_EV	64
#define XNET_MAX_CHILD	32
#define XNET_KEY_MAX	64
#define XNET_MAX_TRAP	16
#define XNET_MAX_UPDOWN 32

struct xnet;

struct xnet_event {
	uint32_t id, child_id;
	enum ike_event_kind kind;
	char msg[IKE_EVENT_MSG_MAX];
};

struct xnet_child {
	struct ike_child_sa sa; /* enc_key / integ_key point at the copies below */
	struct secret enc, integ;
	uint8_t enc_buf[XNET_KEY_MAX], integ_buf[XNET_KEY_MAX];
	bool deleted;
};

/* A trap policy the engine installed (names copied), and whether it was uninstalled. */
struct xnet_trap {
	struct ike_trap t;
	char conn[CONN_NAME_MAX], child[CONN_NAME_MAX];
	bool removed;
};

/* An updown notification (strings copied). */
struct xnet_updown {
	bool up;
	uint32_t ike_id, child_id, reqid;
	char child[CONN_NAME_MAX], updown[64];
};

struct xnet_node {
	struct xnet *net;
	int idx;
	struct ike_engine *e;
	struct addr addr;
	size_t nev;
	struct xnet_event ev[XNET_MAX_EV];
	size_t nchild;
	struct xnet_child child[XNET_MAX_CHILD];
	unsigned updates, deletes;
	size_t ntrap;
	struct xnet_trap trap[XNET_MAX_TRAP];
	size_t nupdown;
	struct xnet_updown updown[XNET_MAX_UPDOWN];
	/* child_update: the last call's arguments; failing it makes the engine rekey instead */
	struct ike_path upd_path;
	uint32_t upd_reqid;
	bool upd_encap, fail_update;
	/* NAT keepalives sent (send_keepalive) and the path of the last */
	unsigned keepalives;
	struct ike_path ka_path;
};

struct xnet_dgram {
	int from;
	unsigned seq;	      /* 1-based: the N-th datagram sent on this network */
	struct ike_path path; /* the sender's view */
	uint8_t *data;
	size_t len;
};

enum xnet_action {
	XNET_DELIVER,
	XNET_DROP,
	XNET_DUP, /* deliver twice */
};

/* Decides the fate of a datagram when it is delivered. */
typedef enum xnet_action (*xnet_filter_fn)(void *ctx, const struct xnet_dgram *d);

struct xnet {
	uint64_t now;
	struct xnet_node node[2];
	size_t nq;
	struct xnet_dgram q[XNET_MAX_Q];
	unsigned seq, delivered, dropped;
	xnet_filter_fn filter;
	void *filter_ctx;
	bool nat;	     /* node 0 sits behind a NAT */
	struct addr nat_pub; /* its public address */
	/* The NAT maps node 0's port p to p + nat_shift (10000 when 0). Changing nat_shift or
	 * nat_pub models a new mapping: datagrams to the old public port are dropped. */
	uint16_t nat_shift;
	unsigned nat_dropped;
	bool quiet; /* no per-datagram trace */
};

/* Two engines at addresses a0 and a1 (text). 0 or -1. */
int xnet_init(struct xnet *n, const char *a0, const char *a1);
void xnet_cleanup(struct xnet *n);
/* A reboot: node idx gets a fresh engine (no configuration) and empty records. 0 or -1. */
int xnet_reset_node(struct xnet *n, int idx);
/* Delivers (or drops) the oldest queued datagram. 1 when one was handled, 0 when none. */
int xnet_step(struct xnet *n);
/* Steps until the queue is empty (at most max datagrams). */
void xnet_flush(struct xnet *n, unsigned max);
/* Moves the clock to the earliest deadline of both engines (at most to limit) and runs
 * their timers. Returns 1 when time moved, 0 when nothing was due before limit. */
int xnet_tick(struct xnet *n, uint64_t limit);
/* Flushes and ticks until nothing is queued and no deadline falls before now + max_ms. */
void xnet_run(struct xnet *n, uint64_t max_ms);
/* xnet_run, then the clock stands at exactly now + ms (a wait of ms with nothing due). */
void xnet_advance(struct xnet *n, uint64_t ms);
/* How many of node's installed Child SAs are not deleted. */
size_t xnet_live(const struct xnet_node *nd);
/* Index of the first event of kind on node (from index from), or -1. */
int xnet_event(const struct xnet_node *nd, enum ike_event_kind kind, size_t from);
/* Count of events of kind. */
size_t xnet_events(const struct xnet_node *nd, enum ike_event_kind kind);
/* The installed SA of node with (inbound, spi), or NULL. */
const struct xnet_child *xnet_child(const struct xnet_node *nd, bool inbound, uint32_t spi);
/* Exchange type and flags of a datagram (0 when too short). */
uint8_t xnet_exchange(const struct xnet_dgram *d);
bool xnet_is_response(const struct xnet_dgram *d);

/* Chosen nonces (RFC 7296 §2.8.1 collisions: the lowest nonce decides): an ike_test_hooks
 * rand hook whose ctx is a struct xnet_nonce fills each nonce with fill and ends it with a
 * counter; other random bytes come from crypto/rand. */
struct xnet_nonce {
	uint8_t fill, ctr;
};
int xnet_nonce_rand(void *ctx, enum ike_rand_use use, uint8_t *buf, size_t len);

/* ---- configurations the exchange tests share ------------------------------------------- */

/* The PSK every xnet_psk_* configuration uses. */
#define XNET_PSK "a shared secret of some length"

/* Connection name from local to remote (NULL: any address): IKEv2, IKE proposals ike
 * (strongSwan syntax), PSK authentication both ways, conn_new's lifetimes. NULL on ENOMEM or a
 * bad proposal string. */
struct conn *xnet_psk_conn_addrs(const char *name, const struct addr *local,
				 const struct addr *remote, const char *ike);
/* Connection name from node i to the other node: xnet_psk_conn_addrs with their addresses and
 * IKE rekey/rand/over_time 0 (timers are each test's business). */
struct conn *xnet_psk_conn(const struct xnet *n, int i, const char *name, const char *ike);
/* Adds child name to c (NULL: none) with ESP proposals esp and conn_child_add's lifetimes; the
 * child or NULL. */
struct conn_child *xnet_esp_child(struct conn *c, const char *name, const char *esp);
/* xnet_esp_child with no time limits. */
struct conn_child *xnet_psk_child(struct conn *c, const char *name, const char *esp);
/* Installs conns[0..count) on engine e with the XNET_PSK secret (the engine takes its own
 * references; the caller frees its conns). 0 or a negative ERR_*. */
int xnet_configure_engine(struct ike_engine *e, struct conn *const *conns, size_t count);
/* xnet_configure_engine on node i. */
int xnet_configure(struct xnet *n, int i, struct conn *const *conns, size_t count);

#endif
