/* Trap policies of the engine (swanctl.conf start_action / close_action / dpd_action = trap):
 * which connection and child a trap stands for, its reqid, and the acquire that initiates it.
 * The data plane side goes through the trap_install / trap_uninstall callbacks (ike/ike.h).
 *
 * A trap holds a reference to its connection. One trap per (connection name, child name);
 * at most IKE_MAX_TRAPS.
 */
#ifndef RAMPART_IKE_TRAP_H
#define RAMPART_IKE_TRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/conn.h"

struct ike_engine;

#define IKE_MAX_TRAPS	    256
#define IKE_ACQUIRE_HOLD_MS 30000 /* an unsuccessful acquire blocks the next one this long */

struct eng_trap {
	struct conn *conn;	      /* a reference */
	const struct conn_child *cfg; /* owned by conn */
	uint32_t reqid;
	bool from_config;     /* start_action trap (else installed by close/dpd_action) */
	uint32_t pending;     /* IKE SA initiated by the last acquire, 0: none */
	uint64_t acquired_ms; /* when; 0 once a Child SA of the trap came up */
	/* RFC 7296 §2.9: host selectors of the packet that triggered the last acquire (our
	 * source, its destination), proposed first until a Child SA of the trap comes up */
	bool have_pkt;
	struct ts pkt_local, pkt_remote;
};

/* Installs the trap for cfg of conn (a reference is taken) unless one exists for the same
 * connection and child names (then only from_config is added). Its reqid: the configured one,
 * else reqid when not 0 (the Child SA the trap replaces), else a fresh one. 0, ERR_LIMIT,
 * ERR_INVAL (no local or remote address to trap with), or the callback's error (nothing kept
 * then). */
int trap_install(struct ike_engine *e, struct conn *conn, const struct conn_child *cfg,
		 bool from_config, uint32_t reqid);
/* The reqid of the trap for (conn, child) names, or 0. */
uint32_t trap_reqid(const struct ike_engine *e, const char *conn, const char *child);
/* RFC 7296 §2.9 ("the initiator SHOULD include as the first Traffic Selector in each of TSi
 * and TSr a very specific Traffic Selector including the addresses in the packet triggering
 * the request"): while the trap for (conn, child) names waits for its Child SA after an
 * acquire that carried the packet's addresses, those hosts are put in front of tsi (ours)
 * and tsr (the peer's). Nothing otherwise, for a list that is full, or when the list is that
 * very host already. */
void trap_packet_ts(const struct ike_engine *e, const char *conn, const char *child,
		    struct ts_list *tsi, struct ts_list *tsr);
/* A Child SA with reqid came up: its trap (if any) may be acquired again at once. */
void trap_child_up(struct ike_engine *e, uint32_t reqid);
/* After a configuration change: traps whose connection is gone or changed, or whose child no
 * longer says start_action trap (for traps from the configuration), are uninstalled; the
 * others move to the new connection objects; children with start_action trap without a trap
 * get one. */
void trap_sync(struct ike_engine *e);
/* Frees every trap without calling callbacks (engine teardown). */
void trap_free_all(struct ike_engine *e);
/* Whether two connections are the same configuration (names, addresses, proposals, auth,
 * children, times and actions). */
bool trap_conn_same(const struct conn *a, const struct conn *b);

#endif
