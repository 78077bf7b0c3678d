/* Hard lifetimes of Child SAs (life_time) and IKE SAs (over_time). */
#include "ike/expire.h"

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/v2/informational.h"
#include "lib/log.h"

/* life_time in ms, or 0 for none (life_time 0 is rekey_time + 10 %, conn.h). */
static uint64_t child_life(const struct conn_child *cfg)
{
	if (cfg->life_time)
		return (uint64_t)cfg->life_time * 1000;
	return (uint64_t)cfg->rekey_time * 1100;
}

void expire_arm(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conn *c = sa->conn;

	(void)e;
	if (sa->state != IKE_ST_ESTABLISHED)
		return;
	if (!sa->hard_at_ms) {
		uint64_t base = c->rekey_time ? now_ms + (uint64_t)c->rekey_time * 1000 : 0;
		uint64_t reauth = sa->reauth_at_ms;
		if (!reauth && c->reauth_time)
			reauth = now_ms + (uint64_t)c->reauth_time * 1000;
		if (reauth && (!base || reauth < base))
			base = reauth;
		/* over_time 0: no hard limit (swanctl's default is 10 %, never 0) */
		sa->hard_at_ms =
		    base && c->over_time ? base + (uint64_t)c->over_time * 1000 : UINT64_MAX;
	}
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *ch = sa->children[i];
		uint64_t life;
		if (ch->state != IKE_CHILD_INSTALLED || ch->expire_at_ms || !ch->cfg)
			continue;
		life = child_life(ch->cfg);
		ch->expire_at_ms = life ? now_ms + life : UINT64_MAX;
		ch->installed_ms = now_ms ? now_ms : 1;
	}
}

uint64_t expire_deadline(const struct ike_sa *sa)
{
	uint64_t d = UINT64_MAX;

	if (sa->state != IKE_ST_ESTABLISHED)
		return d;
	if (sa->hard_at_ms && !sa->delete_pending)
		d = sa->hard_at_ms;
	for (size_t i = 0; i < sa->nchildren; i++) {
		const struct ike_child *ch = sa->children[i];
		if (ch->state == IKE_CHILD_INSTALLED && !ch->expired && ch->expire_at_ms &&
		    ch->expire_at_ms < d)
			d = ch->expire_at_ms;
	}
	return d;
}

/* The Child SA's hard lifetime passed: out of the data plane now (its keys must not protect
 * more traffic), the peer told with a Delete. */
static void expire_child(struct ike_engine *e, struct ike_sa *sa, struct ike_child *ch,
			 uint64_t now_ms)
{
	uint64_t life = child_life(ch->cfg);

	ch->expired = true;
	if (e->cb.child_delete)
		e->cb.child_delete(e->ctx, ch->reqid, ch->proto, ch->spi_in, ch->spi_out);
	eng_event(e, sa->id, ch->id, IKE_EV_CHILD_DOWN,
		  "CHILD_SA %s{%u} with SPIs %08x_i %08x_o expired: not rekeyed within its "
		  "life_time of %llus",
		  ch->cfg->name, ch->reqid, ch->spi_in, ch->spi_out,
		  (unsigned long long)(life / 1000));
	informational_delete_child(e, sa, ch, now_ms);
}

void expire_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (sa->state != IKE_ST_ESTABLISHED)
		return;
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *ch = sa->children[i];
		if (ch->state == IKE_CHILD_INSTALLED && !ch->expired && ch->expire_at_ms &&
		    now_ms >= ch->expire_at_ms)
			expire_child(e, sa, ch, now_ms);
	}
	if (sa->hard_at_ms && now_ms >= sa->hard_at_ms && !sa->delete_pending) {
		log_info(LOG_IKE,
			 "#%u: IKE_SA %s[%u] neither rekeyed nor reauthenticated within over_time "
			 "(%us): deleting it",
			 sa->id, sa->conn->name, sa->id, sa->conn->over_time);
		sa->hard_at_ms = UINT64_MAX;
		informational_delete_ike(e, sa, now_ms);
	}
}
