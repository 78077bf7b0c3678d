#include "daemon/xfrm_db.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

#define XFRM_DB_HASH_MIN 64

static uint32_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return (uint32_t)(h ^ (h >> 33));
}

static uint32_t addr_mix(const struct addr *a, uint64_t seed)
{
	uint64_t w[2];

	memcpy(w, a->bytes, 16);
	return mix(seed ^ w[0] ^ mix(w[1] ^ a->family));
}

static size_t skey_slot(const struct xfrm_db *db, const struct addr *dst, uint8_t proto,
			uint32_t spi)
{
	return addr_mix(dst, (uint64_t)spi << 8 | proto) & db->smask;
}

static size_t reqid_slot(const struct xfrm_db *db, uint32_t reqid)
{
	return mix(reqid) & db->smask;
}

static size_t pol_slot(const struct xfrm_db *db, const struct xfrm_policy_spec *p)
{
	uint64_t seed = (uint64_t)p->dir << 48 | (uint64_t)p->proto << 40 |
			(uint64_t)p->sport << 24 | (uint64_t)p->dport << 8 | p->src.len;

	return (addr_mix(&p->src.addr, seed) ^ addr_mix(&p->dst.addr, p->dst.len)) & db->pmask;
}

static void reqid_link(struct xfrm_db *db, struct xfrm_db_state *st)
{
	struct xfrm_db_state **h = &db->sreqid[reqid_slot(db, st->spec.reqid)];

	st->rprev = NULL;
	st->rnext = *h;
	if (*h)
		(*h)->rprev = st;
	*h = st;
}

/* Doubles the state hashes (keys and reqids, same size) when full; keeps the reqid chains'
 * newest-first order by relinking oldest first. */
static int states_grow(struct xfrm_db *db)
{
	size_t n = (db->smask + 1) * 2;
	struct xfrm_db_state **k = calloc(n, sizeof(*k)), **q = calloc(n, sizeof(*q));

	if (!k || !q) {
		free(k);
		free(q);
		return ERR_NOMEM;
	}
	free(db->skey);
	free(db->sreqid);
	db->skey = k;
	db->sreqid = q;
	db->smask = n - 1;
	for (struct xfrm_db_state *st = db->first; st; st = st->next) {
		struct xfrm_db_state **h =
		    &db->skey[skey_slot(db, &st->spec.dst, st->spec.proto, st->spec.spi)];
		st->hnext = *h;
		*h = st;
		reqid_link(db, st);
	}
	return 0;
}

static int policies_grow(struct xfrm_db *db)
{
	size_t n = (db->pmask + 1) * 2;
	struct xfrm_db_policy **h = calloc(n, sizeof(*h));

	if (!h)
		return ERR_NOMEM;
	free(db->phash);
	db->phash = h;
	db->pmask = n - 1;
	for (struct xfrm_db_policy *p = db->pfirst; p; p = p->next) {
		struct xfrm_db_policy **b = &db->phash[pol_slot(db, &p->spec)];
		p->hnext = *b;
		*b = p;
	}
	return 0;
}

int xfrm_db_init(struct xfrm_db *db)
{
	memset(db, 0, sizeof(*db));
	db->skey = calloc(XFRM_DB_HASH_MIN, sizeof(*db->skey));
	db->sreqid = calloc(XFRM_DB_HASH_MIN, sizeof(*db->sreqid));
	db->phash = calloc(XFRM_DB_HASH_MIN, sizeof(*db->phash));
	db->smask = db->pmask = XFRM_DB_HASH_MIN - 1;
	if (!db->skey || !db->sreqid || !db->phash) {
		xfrm_db_cleanup(db);
		return ERR_NOMEM;
	}
	return 0;
}

void xfrm_db_cleanup(struct xfrm_db *db)
{
	if (!db)
		return;
	while (db->first)
		xfrm_db_state_remove(db, db->first);
	while (db->pfirst)
		xfrm_db_policy_remove(db, db->pfirst);
	free(db->skey);
	free(db->sreqid);
	free(db->phash);
	memset(db, 0, sizeof(*db));
}

struct xfrm_db_state *xfrm_db_state_find(const struct xfrm_db *db, const struct addr *dst,
					 uint8_t proto, uint32_t spi)
{
	for (struct xfrm_db_state *st = db->skey[skey_slot(db, dst, proto, spi)]; st;
	     st = st->hnext) {
		const struct xfrm_state_spec *s = &st->spec;
		if (s->spi == spi && s->proto == proto && addr_equal(&s->dst, dst))
			return st;
	}
	return NULL;
}

struct xfrm_db_state *xfrm_db_state_reqid(const struct xfrm_db *db, uint32_t reqid)
{
	for (struct xfrm_db_state *st = db->sreqid[reqid_slot(db, reqid)]; st; st = st->rnext)
		if (st->spec.reqid == reqid)
			return st;
	return NULL;
}

void xfrm_db_state_key_attach(struct xfrm_db *db, struct xfrm_db_state *st)
{
	struct xfrm_db_state **h =
	    &db->skey[skey_slot(db, &st->spec.dst, st->spec.proto, st->spec.spi)];

	st->hnext = *h;
	*h = st;
}

void xfrm_db_state_key_detach(struct xfrm_db *db, struct xfrm_db_state *st)
{
	struct xfrm_db_state **pp =
	    &db->skey[skey_slot(db, &st->spec.dst, st->spec.proto, st->spec.spi)];

	while (*pp && *pp != st)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = st->hnext;
	st->hnext = NULL;
}

int xfrm_db_state_add(struct xfrm_db *db, struct xfrm_state_spec *spec, uint8_t dir,
		      struct xfrm_db_state **out)
{
	struct xfrm_db_state *st;

	if (xfrm_db_state_find(db, &spec->dst, spec->proto, spec->spi))
		return ERR_EXISTS;
	if (db->n_states >= XFRM_DB_STATES_MAX)
		return ERR_LIMIT;
	if (db->n_states > db->smask && states_grow(db))
		return ERR_NOMEM;
	st = calloc(1, sizeof(*st));
	if (!st)
		return ERR_NOMEM;
	xfrm_state_spec_move(&st->spec, spec);
	st->dir = dir;
	st->prev = db->last;
	if (db->last)
		db->last->next = st;
	else
		db->first = st;
	db->last = st;
	xfrm_db_state_key_attach(db, st);
	reqid_link(db, st);
	db->n_states++;
	*out = st;
	return 0;
}

void xfrm_db_state_remove(struct xfrm_db *db, struct xfrm_db_state *st)
{
	if (!st)
		return;
	xfrm_db_state_key_detach(db, st);
	if (st->rprev)
		st->rprev->rnext = st->rnext;
	else
		db->sreqid[reqid_slot(db, st->spec.reqid)] = st->rnext;
	if (st->rnext)
		st->rnext->rprev = st->rprev;
	if (st->prev)
		st->prev->next = st->next;
	else
		db->first = st->next;
	if (st->next)
		st->next->prev = st->prev;
	else
		db->last = st->prev;
	db->n_states--;
	xfrm_state_spec_cleanup(&st->spec);
	free(st);
}

static int same_selector(const struct xfrm_policy_spec *a, const struct xfrm_policy_spec *b)
{
	return a->dir == b->dir && a->src.len == b->src.len && a->dst.len == b->dst.len &&
	       addr_equal(&a->src.addr, &b->src.addr) && addr_equal(&a->dst.addr, &b->dst.addr) &&
	       a->proto == b->proto && a->sport == b->sport && a->dport == b->dport;
}

struct xfrm_db_policy *xfrm_db_policy_find(const struct xfrm_db *db,
					   const struct xfrm_policy_spec *p)
{
	for (struct xfrm_db_policy *q = db->phash[pol_slot(db, p)]; q; q = q->hnext)
		if (same_selector(&q->spec, p))
			return q;
	return NULL;
}

int xfrm_db_policy_add(struct xfrm_db *db, const struct xfrm_policy_spec *p)
{
	struct xfrm_db_policy *q, **h;

	if (xfrm_db_policy_find(db, p))
		return ERR_EXISTS;
	if (db->n_policies >= XFRM_DB_POLICIES_MAX)
		return ERR_LIMIT;
	if (db->n_policies > db->pmask && policies_grow(db))
		return ERR_NOMEM;
	q = calloc(1, sizeof(*q));
	if (!q)
		return ERR_NOMEM;
	q->spec = *p;
	q->seq = db->next_seq++;
	q->prev = db->plast;
	if (db->plast)
		db->plast->next = q;
	else
		db->pfirst = q;
	db->plast = q;
	h = &db->phash[pol_slot(db, p)];
	q->hnext = *h;
	*h = q;
	db->n_policies++;
	db->policy_gen++;
	return 0;
}

void xfrm_db_policy_remove(struct xfrm_db *db, struct xfrm_db_policy *pol)
{
	struct xfrm_db_policy **pp;

	if (!pol)
		return;
	for (pp = &db->phash[pol_slot(db, &pol->spec)]; *pp && *pp != pol; pp = &(*pp)->hnext)
		;
	if (*pp)
		*pp = pol->hnext;
	if (pol->prev)
		pol->prev->next = pol->next;
	else
		db->pfirst = pol->next;
	if (pol->next)
		pol->next->prev = pol->prev;
	else
		db->plast = pol->prev;
	db->n_policies--;
	db->policy_gen++;
	free(pol);
}

void xfrm_db_policy_flush(struct xfrm_db *db)
{
	while (db->pfirst)
		xfrm_db_policy_remove(db, db->pfirst);
	db->policy_gen++;
}

void xfrm_db_policies_changed(struct xfrm_db *db)
{
	db->policy_gen++;
}

static const char *mode_name(enum xfrm_mode m)
{
	return m == XFRM_MODE_TUNNEL ? "tunnel" : "transport";
}

static const char *dir_name(unsigned d)
{
	return d == XFRM_DIR_IN ? "in" : d == XFRM_DIR_OUT ? "out" : "fwd";
}

static void print_alg_text(struct ctl_reply *rep, const char *kw, const struct xfrm_key_alg *k)
{
	if (!k->alg)
		return;
	ctl_reply_printf(rep, "\t%s %s (%zu-byte key hidden)", kw, k->alg->name,
			 k->key ? k->key->len : 0);
	if (k->icv_bits)
		ctl_reply_printf(rep, " %u", k->icv_bits);
	ctl_reply_printf(rep, "\n");
}

static void print_alg_json(struct ctl_reply *rep, const char *kw, const struct xfrm_key_alg *k)
{
	if (!k->alg)
		return;
	ctl_reply_printf(rep, ",\"%s\":{\"name\":", kw);
	ctl_reply_json_str(rep, k->alg->name);
	ctl_reply_printf(rep, ",\"key_bytes\":%zu,\"icv_bits\":%u}", k->key ? k->key->len : 0,
			 k->icv_bits);
}

static void print_limits_json(struct ctl_reply *rep, const struct xfrm_lifetime *l)
{
	ctl_reply_printf(rep,
			 ",\"limits\":{\"time_soft\":%llu,\"time_hard\":%llu,\"byte_soft\":%llu,"
			 "\"byte_hard\":%llu,\"packet_soft\":%llu,\"packet_hard\":%llu}",
			 (unsigned long long)l->time_soft, (unsigned long long)l->time_hard,
			 (unsigned long long)l->byte_soft, (unsigned long long)l->byte_hard,
			 (unsigned long long)l->packet_soft, (unsigned long long)l->packet_hard);
}

/* iproute2's "lifetime config" block, shown only when a limit is set (0 = unlimited). */
static void print_limits_text(struct ctl_reply *rep, const struct xfrm_lifetime *l)
{
	static const char inf[] = "(INF)";
	char v[6][24];
	const uint64_t x[6] = {l->byte_soft,   l->byte_hard, l->packet_soft,
			       l->packet_hard, l->time_soft, l->time_hard};

	if (!(x[0] | x[1] | x[2] | x[3] | x[4] | x[5]))
		return;
	for (int i = 0; i < 6; i++)
		snprintf(v[i], sizeof(v[i]), "%llu", (unsigned long long)x[i]);
	ctl_reply_printf(rep,
			 "\tlifetime config:\n\t  limit: soft %s(bytes), hard %s(bytes)\n"
			 "\t  limit: soft %s(packets), hard %s(packets)\n"
			 "\t  expire add: soft %s(sec), hard %s(sec)\n",
			 x[0] ? v[0] : inf, x[1] ? v[1] : inf, x[2] ? v[2] : inf, x[3] ? v[3] : inf,
			 x[4] ? v[4] : inf, x[5] ? v[5] : inf);
}

void xfrm_db_state_print(const struct xfrm_db *db, struct ctl_reply *rep, xfrm_db_stats_fn fn,
			 void *ctx)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], oa[INET6_ADDRSTRLEN];

	if (rep->json)
		ctl_reply_printf(rep, "[");
	for (const struct xfrm_db_state *st = db->first; st; st = st->next) {
		const struct xfrm_state_spec *s = &st->spec;
		xfrm_addr_str(&s->src, src, sizeof(src));
		xfrm_addr_str(&s->dst, dst, sizeof(dst));
		xfrm_addr_str(&s->encap_oa, oa, sizeof(oa));
		if (rep->json) {
			ctl_reply_printf(rep,
					 "%s{\"src\":\"%s\",\"dst\":\"%s\",\"proto\":\"%s\","
					 "\"spi\":%u,\"dir\":\"%s\",\"mode\":\"%s\",\"reqid\":%u,"
					 "\"replay_window\":%u,\"esn\":%s",
					 st != db->first ? "," : "", src, dst,
					 xfrm_proto_name(s->proto), s->spi, dir_name(st->dir),
					 mode_name(s->mode), s->reqid, s->replay_window,
					 s->esn ? "true" : "false");
			if (s->encap)
				ctl_reply_printf(rep,
						 ",\"encap\":{\"type\":\"espinudp\",\"sport\":%u,"
						 "\"dport\":%u,\"oa\":\"%s\"}",
						 s->encap_sport, s->encap_dport, oa);
			print_alg_json(rep, "aead", &s->aead);
			print_alg_json(rep, "enc", &s->enc);
			print_alg_json(rep, "auth", &s->auth);
			print_limits_json(rep, &s->lft);
			if (fn)
				fn(ctx, st, rep);
			ctl_reply_printf(rep, "}");
			continue;
		}
		ctl_reply_printf(rep, "src %s dst %s\n", src, dst);
		ctl_reply_printf(rep, "\tproto %s spi 0x%08x reqid %u mode %s dir %s\n",
				 xfrm_proto_name(s->proto), s->spi, s->reqid, mode_name(s->mode),
				 dir_name(st->dir));
		ctl_reply_printf(rep, "\treplay-window %u%s\n", s->replay_window,
				 s->esn ? " flag esn" : "");
		print_alg_text(rep, "aead", &s->aead);
		print_alg_text(rep, "enc", &s->enc);
		print_alg_text(rep, s->auth.icv_bits ? "auth-trunc" : "auth", &s->auth);
		if (s->encap)
			ctl_reply_printf(rep, "\tencap type espinudp sport %u dport %u addr %s\n",
					 s->encap_sport, s->encap_dport, oa);
		print_limits_text(rep, &s->lft);
		if (fn)
			fn(ctx, st, rep);
	}
	if (rep->json)
		ctl_reply_printf(rep, "]\n");
}

void xfrm_db_policy_print(const struct xfrm_db *db, struct ctl_reply *rep)
{
	char src[INET6_ADDRSTRLEN + 4], dst[INET6_ADDRSTRLEN + 4];
	char tsrc[INET6_ADDRSTRLEN], tdst[INET6_ADDRSTRLEN];

	if (rep->json)
		ctl_reply_printf(rep, "[");
	for (const struct xfrm_db_policy *q = db->pfirst; q; q = q->next) {
		const struct xfrm_policy_spec *p = &q->spec;
		const char *proto = xfrm_proto_name(p->proto);
		xfrm_prefix_str(&p->src, src, sizeof(src));
		xfrm_prefix_str(&p->dst, dst, sizeof(dst));
		xfrm_addr_str(&p->tmpl.src, tsrc, sizeof(tsrc));
		xfrm_addr_str(&p->tmpl.dst, tdst, sizeof(tdst));
		if (rep->json) {
			ctl_reply_printf(
			    rep,
			    "%s{\"src\":\"%s\",\"dst\":\"%s\",\"proto\":%u,"
			    "\"sport\":%u,\"dport\":%u,\"dir\":\"%s\",\"action\":\"%s\","
			    "\"priority\":%u",
			    q != db->pfirst ? "," : "", src, dst, p->proto, p->sport, p->dport,
			    dir_name(p->dir), p->action == XFRM_ACTION_BLOCK ? "block" : "allow",
			    p->priority);
			if (p->tmpl.present) {
				ctl_reply_printf(rep,
						 ",\"tmpl\":{\"proto\":\"%s\",\"mode\":\"%s\","
						 "\"reqid\":%u",
						 xfrm_proto_name(p->tmpl.proto),
						 mode_name(p->tmpl.mode), p->tmpl.reqid);
				if (p->tmpl.has_addrs)
					ctl_reply_printf(rep, ",\"src\":\"%s\",\"dst\":\"%s\"",
							 tsrc, tdst);
				ctl_reply_printf(rep, "}");
			}
			ctl_reply_printf(rep, "}");
			continue;
		}
		ctl_reply_printf(rep, "src %s dst %s", src, dst);
		if (p->proto) {
			if (proto)
				ctl_reply_printf(rep, " proto %s", proto);
			else
				ctl_reply_printf(rep, " proto %u", p->proto);
		}
		if (p->sport)
			ctl_reply_printf(rep, " sport %u", p->sport);
		if (p->dport)
			ctl_reply_printf(rep, " dport %u", p->dport);
		ctl_reply_printf(rep, "\n\tdir %s action %s priority %u\n", dir_name(p->dir),
				 p->action == XFRM_ACTION_BLOCK ? "block" : "allow", p->priority);
		if (p->tmpl.present) {
			ctl_reply_printf(rep, "\ttmpl");
			if (p->tmpl.has_addrs)
				ctl_reply_printf(rep, " src %s dst %s", tsrc, tdst);
			ctl_reply_printf(rep, " proto %s reqid %u mode %s\n",
					 xfrm_proto_name(p->tmpl.proto), p->tmpl.reqid,
					 mode_name(p->tmpl.mode));
		}
	}
	if (rep->json)
		ctl_reply_printf(rep, "]\n");
}
