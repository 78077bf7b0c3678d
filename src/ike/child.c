/* Child SA selectors, keys and installation. */
#include "ike/child.h"

#include <stdio.h>
#include <string.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "crypto/kdf.h"
#include "ike/action.h"
#include "ike/engine.h"
#include "ike/trap.h"
#include "ike/v2/informational.h"
#include "lib/err.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

const char *child_state_vici(enum ike_child_state s)
{
	switch (s) {
	case IKE_CHILD_INSTALLED:
		return "INSTALLED";
	case IKE_CHILD_DELETED:
		return "DELETED";
	default:
		return "CREATED";
	}
}

const char *child_state_of(const struct ike_sa *sa, const struct ike_child *c)
{
	if (c->state != IKE_CHILD_INSTALLED)
		return child_state_vici(c->state);
	if (c->del != INFO_DEL_NONE || c->expired)
		return "DELETING";
	if (c->rekeyed)
		return "REKEYED";
	if (sa->ccs.active && sa->ccs.old == c)
		return "REKEYING";
	return "INSTALLED";
}

int child_ts_resolve(const struct ts_list *cfg, const struct addr *host, struct ts_list *out)
{
	struct ts_list l;

	ts_list_init(&l);
	for (size_t i = 0; i < cfg->n; i++) {
		struct ts t = cfg->ts[i];
		int rc;
		if (t.type == 0) {
			rc = ts_set_dynamic(&t, host);
			if (rc)
				return rc;
		}
		rc = ts_list_add(&l, &t);
		if (rc)
			return rc;
	}
	*out = l;
	return 0;
}

int child_ts_to_wire(const struct ts_list *l, struct ikev2_ts_payload *out)
{
	memset(out, 0, sizeof(*out));
	if (l->n > IKEV2_MAX_TS)
		return ERR_LIMIT;
	for (size_t i = 0; i < l->n; i++) {
		const struct ts *t = &l->ts[i];
		struct ikev2_ts *w = &out->ts[i];
		size_t alen = addr_len(&t->start);
		w->type = t->type;
		w->ip_proto = t->proto;
		w->start_port = t->start_port;
		w->end_port = t->end_port;
		memcpy(w->start, t->start.bytes, alen);
		memcpy(w->end, t->end.bytes, alen);
	}
	out->count = (uint8_t)l->n;
	return 0;
}

int child_ts_from_wire(const struct ikev2_ts_payload *w, struct ts_list *out)
{
	struct ts_list l;

	ts_list_init(&l);
	for (size_t i = 0; i < w->count; i++) {
		const struct ikev2_ts *x = &w->ts[i];
		int fam = x->type == TS_IPV4_ADDR_RANGE ? AF_INET : AF_INET6;
		size_t alen = ikev2_ts_addr_len(x->type);
		struct addr a, b;
		struct ts t;
		int rc;
		if (alen == 0)
			continue;
		if (x->inverted)
			return ERR_INVAL;
		if (addr_from_bytes(&a, fam, x->start, alen) ||
		    addr_from_bytes(&b, fam, x->end, alen))
			return ERR_INVAL;
		rc = ts_from_range(&t, &a, &b, x->ip_proto, x->start_port, x->end_port);
		if (rc == 0)
			rc = ts_check(&t);
		if (rc == 0)
			rc = ts_list_add(&l, &t);
		if (rc)
			return rc;
	}
	*out = l;
	return 0;
}

int child_ts_wire(const struct ike_child *c, bool local, struct ikev2_ts_payload *out)
{
	struct ts_list l;

	ike_child_ts(c, local ? &l : NULL, local ? NULL : &l);
	return child_ts_to_wire(&l, out);
}

const char *child_ts_str(const struct ts_list *l, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < l->n && off < len; i++) {
		char one[TS_STRLEN];
		int w = snprintf(buf + off, len - off, "%s%s", i ? " " : "",
				 ts_format(&l->ts[i], one, sizeof(one)));
		off += w > 0 ? (size_t)w : 0;
	}
	if (l->n == 0)
		snprintf(buf, len, "(none)");
	return buf;
}

/* Whether the first selector of l looks like the packet that triggered the initiator (§2.9):
 * a single host, followed by wider selectors of which one contains it. */
static bool first_is_packet(const struct ts_list *l)
{
	if (l->n < 2 || addr_cmp(&l->ts[0].start, &l->ts[0].end) != 0)
		return false;
	for (size_t i = 1; i < l->n; i++)
		if (!ts_equal(&l->ts[i], &l->ts[0]) && ts_contains(&l->ts[i], &l->ts[0]))
			return true;
	return false;
}

/* One pass over the children, narrowing with flags. */
static int select_pass(const struct ike_sa *sa, const struct ts_list *tsi,
		       const struct ts_list *tsr, unsigned flags, const struct conn_child **out,
		       struct ts_list *ntsi, struct ts_list *ntsr)
{
	struct ts_list lts, rts, a, b;

	for (size_t i = 0; i < sa->conn->nchildren; i++) {
		const struct conn_child *cand = sa->conn->children[i];
		if (child_ts_resolve(&cand->local_ts, &sa->path.local, &lts) ||
		    child_ts_resolve(&cand->remote_ts, &sa->path.remote, &rts))
			continue;
		if (ts_narrow(tsi, &rts, flags, &a) == 0 && ts_narrow(tsr, &lts, flags, &b) == 0) {
			*out = cand;
			*ntsi = a;
			*ntsr = b;
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

const char *child_allowed_str(const struct ike_sa *sa, char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = 0;
	for (size_t i = 0; i < sa->conn->nchildren && off < len; i++) {
		const struct conn_child *ch = sa->conn->children[i];
		struct ts_list lts, rts;
		char l[256], r[256];
		int w;
		if (child_ts_resolve(&ch->local_ts, &sa->path.local, &lts) ||
		    child_ts_resolve(&ch->remote_ts, &sa->path.remote, &rts))
			continue;
		w = snprintf(buf + off, len - off, "%sTSi %s TSr %s (%s)", off ? ", " : "",
			     child_ts_str(&rts, r, sizeof(r)), child_ts_str(&lts, l, sizeof(l)),
			     ch->name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return buf;
}

int child_select(const struct ike_sa *sa, const struct ts_list *tsi, const struct ts_list *tsr,
		 const struct conn_child **out, struct ts_list *ntsi, struct ts_list *ntsr)
{
	/* §2.9: a child whose selectors carry the triggering packet comes first */
	if (first_is_packet(tsi) && first_is_packet(tsr) &&
	    select_pass(sa, tsi, tsr, TS_NARROW_FIRST_IS_PACKET, out, ntsi, ntsr) == 0)
		return 0;
	return select_pass(sa, tsi, tsr, 0, out, ntsi, ntsr);
}

static bool ts_list_same(const struct ts_list *a, const struct ts_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (!ts_equal(&a->ts[i], &b->ts[i]))
			return false;
	return true;
}

/* Whether two Child SAs have the same selectors. */
static bool ts_same(const struct ike_child *a, const struct ike_child *b)
{
	struct ts_list al, ar, bl, br;

	ike_child_ts(a, &al, &ar);
	ike_child_ts(b, &bl, &br);
	return ts_list_same(&al, &bl) && ts_list_same(&ar, &br);
}

/* strongSwan's reqid allocation: a Child SA with the same configuration and selectors as one
 * already installed (in any IKE SA: a reauthentication, a duplicate) shares its reqid, so the
 * data plane's policies stay one set and outlive the older SA. */
static void adopt_reqid(struct ike_engine *e, const struct ike_sa *sa, struct ike_child *c)
{
	if (c->cfg->reqid || trap_reqid(e, sa->conn->name, c->cfg->name))
		return; /* fixed, or the trap's */
	for (const struct ike_sa *o = e->sas; o; o = o->next) {
		if (o->state == IKE_ST_DEAD || strcmp(o->conn->name, sa->conn->name) != 0)
			continue;
		for (size_t i = 0; i < o->nchildren; i++) {
			const struct ike_child *x = o->children[i];
			if (x == c || x->state != IKE_CHILD_INSTALLED || !x->cfg ||
			    strcmp(x->cfg->name, c->cfg->name) != 0 || x->proto != c->proto ||
			    !ts_same(x, c))
				continue;
			c->reqid = x->reqid;
			return;
		}
	}
}

int child_new_spi(struct ike_engine *e, uint32_t *spi)
{
	for (int tries = 0; tries < 16; tries++) {
		uint8_t b[4];
		uint32_t v;
		int rc = eng_rand(e, IKE_RAND_SPI_CHILD, b, 4);
		if (rc)
			return rc;
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
		if (v >= 256) {
			*spi = v;
			return 0;
		}
	}
	return ERR_CRYPTO;
}

int child_new(struct ike_engine *e, struct ike_sa *sa, const struct conn_child *cfg,
	      struct ike_child **out)
{
	struct ike_child *c;

	/* deleted children nothing refers to any more make room */
	for (size_t i = sa->nchildren; i-- > 0;) {
		struct ike_child *x = sa->children[i];
		if (x->state == IKE_CHILD_DELETED && x->del == INFO_DEL_NONE && x != sa->ccs.old &&
		    x != sa->ccs.coll_child)
			ike_sa_child_remove(sa, x);
	}
	if (sa->nchildren >= IKE_MAX_CHILDREN)
		return ERR_LIMIT;
	c = ike_sa_child_add(sa);
	if (!c)
		return ERR_NOMEM;
	c->id = e->next_id++;
	c->cfg = cfg;
	/* a trapped child keeps its trap's reqid, so the SA serves the trap's policies */
	c->reqid = cfg->reqid ? cfg->reqid : trap_reqid(e, sa->conn->name, cfg->name);
	if (!c->reqid)
		c->reqid = e->next_reqid++;
	c->proto = cfg->nesp ? IKEV2_PROTO_ESP : IKEV2_PROTO_AH;
	c->mode = cfg->mode;
	*out = c;
	return 0;
}

/* rekey_bytes / rekey_packets minus a random value up to rand_bytes / rand_packets
 * (swanctl.conf(5)), so both peers do not reach the soft limit with the same packet and
 * rekey at once. The subtracted value is capped at half the limit: rand_bytes defaults to
 * life_bytes - rekey_bytes, which may be many times rekey_bytes. */
static uint64_t soft_limit(struct ike_engine *e, uint64_t rekey, uint64_t rand)
{
	uint8_t r[4];
	uint64_t j;

	if (!rekey || !rand || eng_rand(e, IKE_RAND_JITTER, r, sizeof(r)) != 0)
		return rekey;
	if (rand > rekey / 2)
		rand = rekey / 2;
	j = ((uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]) % (rand + 1);
	return rekey - j;
}

static int install_one(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c, bool in,
		       const struct secret *ek, const struct secret *ik)
{
	struct ike_child_sa s;
	const struct conn_child *cfg = c->cfg;

	memset(&s, 0, sizeof(s));
	s.ike_id = sa->id;
	s.child_id = c->id;
	s.reqid = c->reqid;
	s.conn_name = sa->conn->name;
	s.child_name = cfg->name;
	s.inbound = in;
	s.proto = c->proto;
	s.mode = c->mode;
	s.spi = in ? c->spi_in : c->spi_out;
	s.src = in ? sa->path.remote : sa->path.local;
	s.dst = in ? sa->path.local : sa->path.remote;
	s.encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
	s.src_port = in ? sa->path.remote_port : sa->path.local_port;
	s.dst_port = in ? sa->path.local_port : sa->path.remote_port;
	s.enc_id = c->alg.encr;
	s.enc_key_bits = c->alg.encr_bits;
	s.enc_key = ek;
	s.integ_id = c->alg.integ;
	s.integ_key = ik;
	s.esn = c->alg.has_esn && c->alg.esn == IKEV2_ESN_YES;
	s.replay_window = in ? cfg->replay_window : 0;
	s.soft_bytes = soft_limit(e, cfg->rekey_bytes, cfg->rand_bytes);
	s.hard_bytes = cfg->life_bytes;
	s.soft_packets = soft_limit(e, cfg->rekey_packets, cfg->rand_packets);
	s.hard_packets = cfg->life_packets;
	s.soft_time = cfg->rekey_time;
	s.hard_time = cfg->life_time;
	ike_child_ts(c, &s.local_ts, &s.remote_ts);
	s.tfc_pad =
	    !in && c->mode == CONN_MODE_TUNNEL && c->proto == IKEV2_PROTO_ESP && !c->peer_no_tfc
		? cfg->tfc_padding
		: 0;
	return e->cb.child_install ? e->cb.child_install(e->ctx, &s) : 0;
}

void child_install_out(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c)
{
	if (!c->out_pending)
		return;
	c->out_pending = false;
	if (c->state == IKE_CHILD_INSTALLED &&
	    install_one(e, sa, c, false, c->out_ek, c->out_ik) != 0)
		log_error(LOG_IKE, "#%u: CHILD_SA %s{%u}: outbound SA %08x could not be installed",
			  sa->id, c->cfg->name, c->reqid, c->spi_out);
	secret_free(c->out_ek);
	secret_free(c->out_ik);
	c->out_ek = c->out_ik = NULL;
}

void child_replaced(struct ike_engine *e, struct ike_sa *sa, const struct ike_child *old)
{
	for (size_t i = 0; i < sa->nchildren; i++)
		if (sa->children[i]->out_pending && sa->children[i]->replaces == old->id)
			child_install_out(e, sa, sa->children[i]);
}

int child_install(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c)
{
	return child_install_nonces(e, sa, c, NULL, sa->ni, sa->ni_len, sa->nr, sa->nr_len,
				    sa->initiator);
}

int child_install_nonces(struct ike_engine *e, struct ike_sa *sa, struct ike_child *c,
			 const struct secret *g_ir, const uint8_t *ni, size_t ni_len,
			 const uint8_t *nr, size_t nr_len, bool exch_initiator)
{
	struct kdf_child_keys k;
	struct enc_info ei;
	struct integ_info ii;
	size_t enc_len = 0, integ_len = 0;
	const struct secret *ek_in, *ik_in, *ek_out, *ik_out;
	struct ts_list lts, rts;
	char l[256], r[256];
	int rc;

	memset(&k, 0, sizeof(k));
	if (c->alg.encr) {
		rc = enc_lookup(c->alg.encr, c->alg.encr_bits, &ei);
		if (rc)
			return rc;
		enc_len = ei.key_len;
	}
	if (c->alg.integ) {
		rc = integ_lookup(c->alg.integ, &ii);
		if (rc)
			return rc;
		integ_len = ii.key_len;
	}
	adopt_reqid(e, sa, c);
	rc = kdf_ikev2_child_keys(sa->alg.prf, sa->keys.sk_d, g_ir, ni, ni_len, nr, nr_len, enc_len,
				  integ_len, &k);
	if (rc)
		return rc;
	/* _i keys protect the exchange initiator's traffic to the responder (§2.17) */
	ek_out = exch_initiator ? k.encr_i : k.encr_r;
	ik_out = exch_initiator ? k.integ_i : k.integ_r;
	ek_in = exch_initiator ? k.encr_r : k.encr_i;
	ik_in = exch_initiator ? k.integ_r : k.integ_i;
	rc = install_one(e, sa, c, true, ek_in, ik_in);
	if (rc == 0 && c->out_pending) {
		c->out_ek = secret_dup(ek_out);
		c->out_ik = secret_dup(ik_out);
		if ((ek_out && !c->out_ek) || (ik_out && !c->out_ik))
			rc = ERR_NOMEM;
	} else if (rc == 0) {
		rc = install_one(e, sa, c, false, ek_out, ik_out);
	}
	kdf_child_keys_cleanup(&k);
	if (rc) {
		eng_event(e, sa->id, c->id, IKE_EV_CHILD_FAILED,
			  "CHILD_SA %s could not be installed in the data plane (%d)", c->cfg->name,
			  rc);
		return rc;
	}
	c->state = IKE_CHILD_INSTALLED;
	ike_child_ts(c, &lts, &rts);
	eng_event(e, sa->id, c->id, IKE_EV_CHILD_UP,
		  "CHILD_SA %s{%u} established with SPIs %08x_i %08x_o and TS %s === %s",
		  c->cfg->name, c->reqid, c->spi_in, c->spi_out, child_ts_str(&lts, l, sizeof(l)),
		  child_ts_str(&rts, r, sizeof(r)));
	if (!c->from_rekey)
		action_child_updown(e, sa, c, true);
	return 0;
}
