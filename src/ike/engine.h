/* Engine internals shared by src/ike and src/ike/v2: the engine struct, its SA table,
 * randomness and key-exchange sources (test hooks), events and sending. Not a public API:
 * the daemon uses ike/ike.h only.
 */
#ifndef RAMPART_IKE_ENGINE_H
#define RAMPART_IKE_ENGINE_H

#include <stdarg.h>
#include <stdint.h>

#include "ike/ike.h"
#include "lib/log.h"
#include "wire/ikev2_msg.h"
#include "wire/ikev2_sa.h"
#include "wire/ikev2_ts.h"

struct ike_sa;

struct ike_engine {
	struct ike_callbacks cb;
	void *ctx;
	struct ike_test_hooks hooks;
	void *hooks_ctx;
	bool have_hooks;
	size_t nconns;
	struct conn **conns;
	struct conn_secrets *secrets;
	/* SA table (engine.c): every SA on a list in creation order, filed in hash tables by
	 * local SPI, by (initiator SPI, peer) for responder SAs and by id, and in a min-heap of
	 * deadlines. SAs touched during an entry point (eng_sa_touch) are settled at its end
	 * (eng_settle): re-filed under their current keys, re-timed, freed when DEAD. */
	struct ike_sa *sas, *sas_tail;
	size_t nsas, nhalf_open;
	struct ike_sa **h_spi, **h_init, **h_id;
	size_t hmask;	  /* buckets - 1 of each table (a power of two), 0 before the first */
	uint64_t hkey[2]; /* keys the hashes of peer-chosen values (random per engine) */
	struct ike_sa **heap;
	size_t nheap, heap_cap;
	struct ike_sa *dirty; /* touched SAs, to be settled */
	uint32_t next_id, next_reqid;
	uint8_t cookie_secret[32];
	bool cookie_secret_set;
	/* eng_rand's pool: the unused octets are the last rpool_left, used ones are wiped */
	uint8_t rpool[256];
	size_t rpool_left;
	/* auth.c: prf(PSK, "Key Pad for IKEv2") of the last PSK used (a pointer into secrets)
	 * with PRF pad_prf, until the secrets change (drop_config wipes it) */
	const struct secret *pad_psk;
	uint16_t pad_prf;
	uint8_t pad_key[64];
	/* sk.c: the SK cipher contexts of the last message opened [0] and sealed [1], re-keyed
	 * per message from the SA's keys (an SA keeps keys, not contexts; a new OpenSSL context
	 * per message cost four times the re-keying). Freed with the engine. */
	struct enc *sk_enc[2];
	struct ike_stats stats;
	int64_t wall_offset_ms; /* Unix time in ms = wall_offset_ms + now_ms */
	/* retransmission (ike_engine_set_retransmit) */
	uint32_t rt_timeout_ms;
	unsigned rt_base_x10, rt_tries;
	struct log_ratelimit rl;
	/* actions (ike/trap.c, ike/action.c): installed traps, start_action work pending */
	struct eng_trap *traps;
	size_t ntraps;
	struct eng_actions *actions;
	uint32_t keepalive_ms; /* NAT keepalives (ike/nat.h), 0 = none */
	/* MOBIKE (RFC 4555, v2/mobike.h): while a request of an SA with MOBIKE is handled, our
	 * responses go back to the path it came on (strongSwan's rule), not the SA's; NULL else */
	const struct ike_path *reply_path;
	/* scratch space for one message at a time (the engine is single-threaded) */
	uint8_t tx[IKE_MAX_MSG];
	uint8_t plain[IKE_MAX_MSG];
	uint8_t frag[IKE_MAX_MSG + 16 * 128]; /* outgoing fragments, back to back */
	struct ikev2_digest outer, inner;
	struct ikev2_sa sa_a, sa_b;
	struct ikev2_ts_payload ts_a, ts_b;
};

/* Random octets for use (test hook, or crypto/rand through the engine's pool: one
 * RAND_bytes call costs OpenSSL's DRBG about the same for 32 octets as for 1 KiB, and a
 * setup draws six or seven times; octets leave the pool once and are wiped there). */
int eng_rand(struct ike_engine *e, enum ike_rand_use use, void *buf, size_t len);
/* A key pair for group (test hook, or kex_new). NULL on failure. */
struct kex *eng_kex_new(struct ike_engine *e, uint16_t group);
/* Sends a datagram; counts it. */
int eng_send(struct ike_engine *e, const struct ike_path *path, const uint8_t *p, size_t len);
/* Formats and delivers an event (and logs it at info level). */
void eng_event(struct ike_engine *e, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
	       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The same for an event a peer can cause at will (an unacceptable IKE_SA_INIT from anywhere):
 * the log line goes through the engine's peer rate limiter; the event is always delivered. */
void eng_event_peer(struct ike_engine *e, uint64_t now_ms, uint32_t id, uint32_t child_id,
		    enum ike_event_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* The SA table's first buckets and hash keys (ike_engine_new); cleanup frees every SA. */
int eng_table_init(struct ike_engine *e);
void eng_table_cleanup(struct ike_engine *e);
/* SA table. link adds sa (and touches it: filed and timed when the entry point settles).
 * unlink takes it out of the list, the tables and the heap (ike_engine_free). */
void eng_sa_link(struct ike_engine *e, struct ike_sa *sa);
void eng_sa_unlink(struct ike_engine *e, struct ike_sa *sa);
/* Marks sa for settling at the end of the entry point: its keys (SPIs, path) or deadlines may
 * have changed, or it became DEAD. ike_sa_set_state and the entry points call it; code that
 * changes another SA's timers or SPIs outside a state change must call it too. */
void eng_sa_touch(struct ike_engine *e, struct ike_sa *sa);
/* End of an entry point: touched SAs are freed when DEAD, else re-filed and re-timed. */
void eng_settle(struct ike_engine *e);
/* The SA due first (its deadline <= now_ms), taken out of the heap and touched; NULL when
 * none is due. */
struct ike_sa *eng_sa_due(struct ike_engine *e, uint64_t now_ms);
/* The earliest deadline in the heap, UINT64_MAX when empty. */
uint64_t eng_next_due(const struct ike_engine *e);
/* The SA's next deadline: retransmission or expiry, DPD, queued deletes, rekeys. Every timer
 * source of an SA belongs here (ike.c). */
uint64_t eng_sa_deadline(const struct ike_engine *e, const struct ike_sa *sa);
/* The SA whose local SPI is spi (our role's SPI), or NULL. */
struct ike_sa *eng_sa_by_local_spi(struct ike_engine *e, const uint8_t spi[8]);
/* A responder SA created by an IKE_SA_INIT with initiator SPI spi_i from remote. */
struct ike_sa *eng_sa_by_init(struct ike_engine *e, const uint8_t spi_i[8],
			      const struct ike_path *path);
/* The SA with unique id (a live one before a DEAD one: a keyingtries retry keeps the id). */
struct ike_sa *eng_sa_by_id(struct ike_engine *e, uint32_t id);
/* A fresh local IKE SPI not used by any SA (never zero). */
int eng_new_spi(struct ike_engine *e, uint8_t spi[8]);
/* The configured connection named name, or NULL. */
struct conn *eng_conn(const struct ike_engine *e, const char *name);

#endif
