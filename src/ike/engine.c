/* Engine internals: randomness and key-exchange sources, events, sending, the SA table. */
#include "ike/engine.h"

#include <stdio.h>
#include <string.h>

#include "crypto/kex.h"
#include "crypto/rand.h"
#include "ike/sa.h"
#include "lib/err.h"

int eng_rand(struct ike_engine *e, enum ike_rand_use use, void *buf, size_t len)
{
	if (e->have_hooks && e->hooks.rand)
		return e->hooks.rand(e->hooks_ctx, use, buf, len);
	return crypto_rand_bytes(buf, len);
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

void eng_sa_link(struct ike_engine *e, struct ike_sa *sa)
{
	sa->prev = e->sas_tail;
	sa->next = NULL;
	if (e->sas_tail)
		e->sas_tail->next = sa;
	else
		e->sas = sa;
	e->sas_tail = sa;
	e->nsas++;
}

void eng_sa_unlink(struct ike_engine *e, struct ike_sa *sa)
{
	if (sa->prev)
		sa->prev->next = sa->next;
	else
		e->sas = sa->next;
	if (sa->next)
		sa->next->prev = sa->prev;
	else
		e->sas_tail = sa->prev;
	sa->next = sa->prev = NULL;
	e->nsas--;
}

struct ike_sa *eng_sa_by_local_spi(struct ike_engine *e, const uint8_t spi[8])
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		if (memcmp(sa->initiator ? sa->spi_i : sa->spi_r, spi, 8) == 0)
			return sa;
	return NULL;
}

struct ike_sa *eng_sa_by_init(struct ike_engine *e, const uint8_t spi_i[8],
			      const struct ike_path *path)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		if (!sa->initiator && memcmp(sa->spi_i, spi_i, 8) == 0 &&
		    addr_equal(&sa->path.remote, &path->remote) &&
		    sa->path.remote_port == path->remote_port)
			return sa;
	return NULL;
}

struct ike_sa *eng_sa_by_id(struct ike_engine *e, uint32_t id)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		if (sa->id == id)
			return sa;
	return NULL;
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
