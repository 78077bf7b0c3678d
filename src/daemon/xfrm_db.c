#include "daemon/xfrm_db.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"

int xfrm_db_init(struct xfrm_db *db)
{
	memset(db, 0, sizeof(*db));
	db->states = calloc(XFRM_DB_STATES_MAX, sizeof(*db->states));
	db->policies = calloc(XFRM_DB_POLICIES_MAX, sizeof(*db->policies));
	if (!db->states || !db->policies) {
		xfrm_db_cleanup(db);
		return ERR_NOMEM;
	}
	return 0;
}

void xfrm_db_cleanup(struct xfrm_db *db)
{
	if (!db)
		return;
	for (size_t i = 0; db->states && i < db->n_states; i++)
		xfrm_state_spec_cleanup(&db->states[i].spec);
	free(db->states);
	free(db->policies);
	memset(db, 0, sizeof(*db));
}

long xfrm_db_state_find(const struct xfrm_db *db, const struct addr *dst, uint8_t proto,
			uint32_t spi)
{
	for (size_t i = 0; i < db->n_states; i++) {
		const struct xfrm_state_spec *s = &db->states[i].spec;
		if (s->spi == spi && s->proto == proto && addr_equal(&s->dst, dst))
			return (long)i;
	}
	return -1;
}

int xfrm_db_state_add(struct xfrm_db *db, struct xfrm_state_spec *spec, uint8_t dir, size_t *index)
{
	struct xfrm_db_state *st;

	if (xfrm_db_state_find(db, &spec->dst, spec->proto, spec->spi) >= 0)
		return ERR_EXISTS;
	if (db->n_states == XFRM_DB_STATES_MAX)
		return ERR_LIMIT;
	st = &db->states[db->n_states];
	memset(st, 0, sizeof(*st));
	xfrm_state_spec_move(&st->spec, spec);
	st->dir = dir;
	*index = db->n_states++;
	return 0;
}

void xfrm_db_state_remove(struct xfrm_db *db, size_t i)
{
	if (i >= db->n_states)
		return;
	xfrm_state_spec_cleanup(&db->states[i].spec);
	memmove(&db->states[i], &db->states[i + 1], (db->n_states - i - 1) * sizeof(db->states[0]));
	db->n_states--;
	memset(&db->states[db->n_states], 0, sizeof(db->states[0]));
}

static int same_selector(const struct xfrm_policy_spec *a, const struct xfrm_policy_spec *b)
{
	return a->dir == b->dir && a->src.len == b->src.len && a->dst.len == b->dst.len &&
	       addr_equal(&a->src.addr, &b->src.addr) && addr_equal(&a->dst.addr, &b->dst.addr) &&
	       a->proto == b->proto && a->sport == b->sport && a->dport == b->dport;
}

long xfrm_db_policy_find(const struct xfrm_db *db, const struct xfrm_policy_spec *p)
{
	for (size_t i = 0; i < db->n_policies; i++)
		if (same_selector(&db->policies[i].spec, p))
			return (long)i;
	return -1;
}

int xfrm_db_policy_add(struct xfrm_db *db, const struct xfrm_policy_spec *p)
{
	if (xfrm_db_policy_find(db, p) >= 0)
		return ERR_EXISTS;
	if (db->n_policies == XFRM_DB_POLICIES_MAX)
		return ERR_LIMIT;
	db->policies[db->n_policies].spec = *p;
	db->policies[db->n_policies].seq = db->next_seq++;
	db->n_policies++;
	return 0;
}

void xfrm_db_policy_remove(struct xfrm_db *db, size_t i)
{
	if (i >= db->n_policies)
		return;
	memmove(&db->policies[i], &db->policies[i + 1],
		(db->n_policies - i - 1) * sizeof(db->policies[0]));
	db->n_policies--;
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
	for (size_t i = 0; i < db->n_states; i++) {
		const struct xfrm_db_state *st = &db->states[i];
		const struct xfrm_state_spec *s = &st->spec;
		xfrm_addr_str(&s->src, src, sizeof(src));
		xfrm_addr_str(&s->dst, dst, sizeof(dst));
		xfrm_addr_str(&s->encap_oa, oa, sizeof(oa));
		if (rep->json) {
			ctl_reply_printf(rep,
					 "%s{\"src\":\"%s\",\"dst\":\"%s\",\"proto\":\"%s\","
					 "\"spi\":%u,\"dir\":\"%s\",\"mode\":\"%s\",\"reqid\":%u,"
					 "\"replay_window\":%u,\"esn\":%s",
					 i ? "," : "", src, dst, xfrm_proto_name(s->proto), s->spi,
					 dir_name(st->dir), mode_name(s->mode), s->reqid,
					 s->replay_window, s->esn ? "true" : "false");
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
	for (size_t i = 0; i < db->n_policies; i++) {
		const struct xfrm_policy_spec *p = &db->policies[i].spec;
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
			    i ? "," : "", src, dst, p->proto, p->sport, p->dport, dir_name(p->dir),
			    p->action == XFRM_ACTION_BLOCK ? "block" : "allow", p->priority);
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
