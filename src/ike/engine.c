/* Engine internals: randomness and key-exchange sources, events, sending, the SA table. */
#include "ike/engine.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto/kex.h"
#include "crypto/rand.h"
#include "ike/sa.h"
#include "lib/err.h"

int eng_rand(struct ike_engine *e, enum ike_rand_use use, void *buf, size_t len)
{
	size_t off;
	int rc;

	if (e->have_hooks && e->hooks.rand)
		return e->hooks.rand(e->hooks_ctx, use, buf, len);
	if (len > sizeof(e->rpool))
		return crypto_rand_bytes(buf, len);
	if (e->rpool_left < len) {
		rc = crypto_rand_bytes(e->rpool, sizeof(e->rpool));
		if (rc)
			return rc;
		e->rpool_left = sizeof(e->rpool);
	}
	off = sizeof(e->rpool) - e->rpool_left;
	memcpy(buf, e->rpool + off, len);
	OPENSSL_cleanse(e->rpool + off, len);
	e->rpool_left -= len;
	return 0;
}

struct kex *eng_kex_new(struct ike_engine *e, uint16_t group)
{
	if (e->have_hooks && e->hooks.kex_new)
		return e->hooks.kex_new(e->hooks_ctx, group);
	return kex_new(group);
}

int eng_send(struct ike_engine *e, const struct ike_path *path, const uint8_t *p, size_t len)
{
	e->stats.tx++;
	return e->cb.send(e->ctx, path, p, len);
}

void eng_event(struct ike_engine *e, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
	       const char *fmt, ...)
{
	char msg[IKE_EVENT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_info(LOG_IKE, "#%u: %s", id, msg);
	e->cb.event(e->ctx, id, child_id, kind, msg);
}

void eng_event_peer(struct ike_engine *e, uint64_t now_ms, uint32_t id, uint32_t child_id,
		    enum ike_event_kind kind, const char *fmt, ...)
{
	char msg[IKE_EVENT_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_peer(&e->rl, now_ms, LOG_IKE, LOG_LVL_INFO, "#%u: %s", id, msg);
	e->cb.event(e->ctx, id, child_id, kind, msg);
}

/* ---- the SA table ------------------------------------------------------------------------ */

#define TABLE_MIN 64 /* buckets of each hash table at first */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static size_t hash_spi(const struct ike_engine *e, const uint8_t spi[8])
{
	return (size_t)(mix64(load64(spi) ^ e->hkey[0]) & e->hmask);
}

/* The initiator chooses spi_i and its address: keyed so that it cannot aim at one bucket. */
static size_t hash_init(const struct ike_engine *e, const uint8_t spi_i[8], const struct addr *a,
			uint16_t port)
{
	uint64_t h = mix64(load64(spi_i) ^ e->hkey[1]);

	for (size_t i = 0; i < ADDR_MAX_BYTES; i += 8)
		h = mix64(h ^ load64(a->bytes + i));
	return (size_t)(mix64(h ^ ((uint64_t)a->family << 16 | port)) & e->hmask);
}

static size_t hash_id(const struct ike_engine *e, uint32_t id)
{
	return id & e->hmask;
}

static void chain_remove(struct ike_sa **bucket, struct ike_sa *sa, size_t next_off)
{
	for (struct ike_sa **pp = bucket; *pp; pp = (struct ike_sa **)((char *)*pp + next_off)) {
		if (*pp == sa) {
			*pp = *(struct ike_sa **)((char *)sa + next_off);
			return;
		}
	}
}

#define NEXT(f) offsetof(struct ike_sa, f)

static void unfile(struct ike_engine *e, struct ike_sa *sa)
{
	if (sa->filed_spi)
		chain_remove(&e->h_spi[hash_spi(e, sa->f_spi)], sa, NEXT(h_spi_next));
	if (sa->filed_init)
		chain_remove(
		    &e->h_init[hash_init(e, sa->f_init_spi, &sa->f_init_addr, sa->f_init_port)], sa,
		    NEXT(h_init_next));
	sa->filed_spi = sa->filed_init = false;
	sa->h_spi_next = sa->h_init_next = NULL;
}

/* Files sa under its current local SPI (when set) and, for a responder, its IKE_SA_INIT key. */
static void file(struct ike_engine *e, struct ike_sa *sa)
{
	static const uint8_t zero[8];
	const uint8_t *spi = sa->initiator ? sa->spi_i : sa->spi_r;

	if (memcmp(spi, zero, 8) != 0) {
		size_t b;
		memcpy(sa->f_spi, spi, 8);
		b = hash_spi(e, sa->f_spi);
		sa->h_spi_next = e->h_spi[b];
		e->h_spi[b] = sa;
		sa->filed_spi = true;
	}
	if (!sa->initiator) {
		size_t b;
		memcpy(sa->f_init_spi, sa->spi_i, 8);
		sa->f_init_addr = sa->path.remote;
		sa->f_init_port = sa->path.remote_port;
		b = hash_init(e, sa->f_init_spi, &sa->f_init_addr, sa->f_init_port);
		sa->h_init_next = e->h_init[b];
		e->h_init[b] = sa;
		sa->filed_init = true;
	}
}

static bool filed_current(const struct ike_sa *sa)
{
	static const uint8_t zero[8];
	const uint8_t *spi = sa->initiator ? sa->spi_i : sa->spi_r;

	if (sa->filed_spi ? memcmp(sa->f_spi, spi, 8) != 0 : memcmp(spi, zero, 8) != 0)
		return false;
	if (sa->initiator)
		return true;
	return sa->filed_init && memcmp(sa->f_init_spi, sa->spi_i, 8) == 0 &&
	       addr_equal(&sa->f_init_addr, &sa->path.remote) &&
	       sa->f_init_port == sa->path.remote_port;
}

/* Doubles the tables (or makes the first ones) and files every SA again. */
static int grow(struct ike_engine *e)
{
	size_t n = e->hmask ? (e->hmask + 1) * 2 : TABLE_MIN;
	struct ike_sa **s = calloc(n, sizeof(*s)), **i = calloc(n, sizeof(*i)),
		      **d = calloc(n, sizeof(*d));

	if (!s || !i || !d) {
		free(s);
		free(i);
		free(d);
		return ERR_NOMEM;
	}
	free(e->h_spi);
	free(e->h_init);
	free(e->h_id);
	e->h_spi = s;
	e->h_init = i;
	e->h_id = d;
	e->hmask = n - 1;
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		size_t b = hash_id(e, sa->id);
		sa->h_id_next = e->h_id[b];
		e->h_id[b] = sa;
		if (sa->filed_spi || sa->filed_init) {
			sa->filed_spi = sa->filed_init = false;
			file(e, sa);
		}
	}
	return 0;
}

/* Min-heap of SAs by due. */
static void heap_swap(struct ike_engine *e, size_t a, size_t b)
{
	struct ike_sa *t = e->heap[a];

	e->heap[a] = e->heap[b];
	e->heap[b] = t;
	e->heap[a]->heap_idx = a;
	e->heap[b]->heap_idx = b;
}

static void heap_up(struct ike_engine *e, size_t i)
{
	while (i > 0 && e->heap[(i - 1) / 2]->due > e->heap[i]->due) {
		heap_swap(e, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct ike_engine *e, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < e->nheap && e->heap[l]->due < e->heap[m]->due)
			m = l;
		if (r < e->nheap && e->heap[r]->due < e->heap[m]->due)
			m = r;
		if (m == i)
			return;
		heap_swap(e, i, m);
		i = m;
	}
}

static void heap_remove(struct ike_engine *e, struct ike_sa *sa)
{
	size_t i = sa->heap_idx;

	if (i == SIZE_MAX)
		return;
	sa->heap_idx = SIZE_MAX;
	if (i != --e->nheap) {
		e->heap[i] = e->heap[e->nheap];
		e->heap[i]->heap_idx = i;
		heap_up(e, i);
		heap_down(e, e->heap[i]->heap_idx);
	}
}

/* Puts sa in the heap at deadline due (out of it for UINT64_MAX). */
static int heap_set(struct ike_engine *e, struct ike_sa *sa, uint64_t due)
{
	if (due == UINT64_MAX) {
		heap_remove(e, sa);
		sa->due = due;
		return 0;
	}
	if (sa->heap_idx != SIZE_MAX) {
		sa->due = due;
		heap_up(e, sa->heap_idx);
		heap_down(e, sa->heap_idx);
		return 0;
	}
	if (e->nheap == e->heap_cap) {
		size_t cap = e->heap_cap ? e->heap_cap * 2 : TABLE_MIN;
		struct ike_sa **h = realloc(e->heap, cap * sizeof(*h));
		if (!h)
			return ERR_NOMEM;
		e->heap = h;
		e->heap_cap = cap;
	}
	sa->due = due;
	sa->heap_idx = e->nheap;
	e->heap[e->nheap++] = sa;
	heap_up(e, sa->heap_idx);
	return 0;
}

int eng_table_init(struct ike_engine *e)
{
	int rc = crypto_rand_bytes(e->hkey, sizeof(e->hkey));

	return rc ? rc : grow(e);
}

void eng_table_cleanup(struct ike_engine *e)
{
	while (e->sas) {
		struct ike_sa *sa = e->sas;
		eng_sa_unlink(e, sa);
		ike_sa_free(sa);
	}
	free(e->h_spi);
	free(e->h_init);
	free(e->h_id);
	free(e->heap);
	e->h_spi = e->h_init = e->h_id = e->heap = NULL;
	e->hmask = e->nheap = e->heap_cap = 0;
}

void eng_sa_link(struct ike_engine *e, struct ike_sa *sa)
{
	size_t b;

	if (e->nsas + 1 > e->hmask + 1)
		grow(e); /* one SA per bucket reached; on ENOMEM the chains grow longer */
	sa->prev = e->sas_tail;
	sa->next = NULL;
	if (e->sas_tail)
		e->sas_tail->next = sa;
	else
		e->sas = sa;
	e->sas_tail = sa;
	e->nsas++;
	b = hash_id(e, sa->id);
	sa->h_id_next = e->h_id[b];
	e->h_id[b] = sa;
	sa->heap_idx = SIZE_MAX;
	sa->due = UINT64_MAX;
	sa->linked = true;
	eng_sa_touch(e, sa);
}

void eng_sa_unlink(struct ike_engine *e, struct ike_sa *sa)
{
	if (!sa->linked)
		return;
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		e->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	else
		e->sas_tail = sa->prev;
	sa->next = sa->prev = NULL;
	unfile(e, sa);
	chain_remove(&e->h_id[hash_id(e, sa->id)], sa, NEXT(h_id_next));
	heap_remove(e, sa);
	if (sa->dirty) {
		for (struct ike_sa **pp = &e->dirty; *pp; pp = &(*pp)->dirty_next)
			if (*pp == sa) {
				*pp = sa->dirty_next;
				break;
			}
		sa->dirty = false;
	}
	sa->linked = false;
	e->nsas--;
}

void eng_sa_touch(struct ike_engine *e, struct ike_sa *sa)
{
	if (!sa->linked || sa->dirty)
		return;
	sa->dirty = true;
	sa->dirty_next = e->dirty;
	e->dirty = sa;
}

void eng_settle(struct ike_engine *e)
{
	while (e->dirty) {
		struct ike_sa *sa = e->dirty;
		e->dirty = sa->dirty_next;
		sa->dirty = false;
		sa->dirty_next = NULL;
		if (sa->state == IKE_ST_DEAD) {
			eng_sa_unlink(e, sa);
			ike_sa_free(sa);
			continue;
		}
		if (sa->hs && sa->state >= IKE_ST_ESTABLISHED)
			ike_sa_handshake_done(sa);
		if (!filed_current(sa)) {
			unfile(e, sa);
			file(e, sa);
		}
		if (heap_set(e, sa, eng_sa_deadline(e, sa)) != 0)
			heap_set(e, sa, 0); /* no room in the heap: due now, tried again */
	}
}

struct ike_sa *eng_sa_due(struct ike_engine *e, uint64_t now_ms)
{
	struct ike_sa *sa;

	if (!e->nheap || e->heap[0]->due > now_ms)
		return NULL;
	sa = e->heap[0];
	heap_remove(e, sa);
	sa->due = UINT64_MAX;
	eng_sa_touch(e, sa);
	return sa;
}

uint64_t eng_next_due(const struct ike_engine *e)
{
	return e->nheap ? e->heap[0]->due : UINT64_MAX;
}

struct ike_sa *eng_sa_by_local_spi(struct ike_engine *e, const uint8_t spi[8])
{
	for (struct ike_sa *sa = e->h_spi[hash_spi(e, spi)]; sa; sa = sa->h_spi_next)
		if (memcmp(sa->f_spi, spi, 8) == 0)
			return sa;
	return NULL;
}

struct ike_sa *eng_sa_by_init(struct ike_engine *e, const uint8_t spi_i[8],
			      const struct ike_path *path)
{
	for (struct ike_sa *sa = e->h_init[hash_init(e, spi_i, &path->remote, path->remote_port)];
	     sa; sa = sa->h_init_next)
		if (memcmp(sa->f_init_spi, spi_i, 8) == 0 &&
		    addr_equal(&sa->f_init_addr, &path->remote) &&
		    sa->f_init_port == path->remote_port)
			return sa;
	return NULL;
}

struct ike_sa *eng_sa_by_id(struct ike_engine *e, uint32_t id)
{
	struct ike_sa *dead = NULL;

	for (struct ike_sa *sa = e->h_id[hash_id(e, id)]; sa; sa = sa->h_id_next)
		if (sa->id == id) {
			if (sa->state != IKE_ST_DEAD)
				return sa;
			dead = sa;
		}
	return dead;
}

int eng_new_spi(struct ike_engine *e, uint8_t spi[8])
{
	static const uint8_t zero[8];

	for (int tries = 0; tries < 16; tries++) {
		uint8_t cand[8];
		int rc = eng_rand(e, IKE_RAND_SPI_IKE, cand, 8);
		if (rc)
			return rc;
		if (memcmp(cand, zero, 8) != 0 && !eng_sa_by_local_spi(e, cand)) {
			memcpy(spi, cand, 8);
			return 0;
		}
	}
	return ERR_EXISTS;
}

struct conn *eng_conn(const struct ike_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nconns; i++)
		if (strcmp(e->conns[i]->name, name) == 0)
			return e->conns[i];
	return NULL;
}
