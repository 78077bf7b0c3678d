/* Proposals: configuration to wire, responder selection (RFC 7296 §2.7), response checks. */
#include "ike/proposal.h"

#include <stdio.h>
#include <string.h>

#include "lib/err.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

/* Types in wire order (and as the published vectors order them). */
static const uint8_t wire_order[] = {IKEV2_TRANS_ENCR, IKEV2_TRANS_PRF, IKEV2_TRANS_INTEG,
				     IKEV2_TRANS_KE, IKEV2_TRANS_ESN};

static enum alg_proto alg_proto_of(uint8_t proto)
{
	return proto == IKEV2_PROTO_IKE	 ? ALG_PROTO_IKE
	       : proto == IKEV2_PROTO_AH ? ALG_PROTO_AH
					 : ALG_PROTO_ESP;
}

static bool skip_type(uint8_t type, unsigned flags)
{
	return type == IKEV2_TRANS_KE && (flags & PROP_NO_KE);
}

int prop_to_wire(const struct alg_proposal *p, uint8_t num, uint8_t proto, const uint8_t *spi,
		 uint8_t spi_len, unsigned flags, struct ikev2_sa *sa)
{
	struct ikev2_proposal *wp;

	if (sa->nproposals >= IKEV2_MAX_PROPOSALS)
		return ERR_LIMIT;
	wp = &sa->p[sa->nproposals];
	memset(wp, 0, sizeof(*wp));
	wp->num = num;
	wp->proto = proto;
	wp->spi_size = spi_len;
	wp->spi = spi_len ? spi : NULL;
	for (size_t o = 0; o < sizeof(wire_order); o++) {
		uint8_t type = wire_order[o];
		if (skip_type(type, flags))
			continue;
		for (size_t i = 0; i < p->n[type]; i++) {
			struct ikev2_transform *t;
			if (wp->ntransforms >= IKEV2_MAX_TRANSFORMS)
				return ERR_LIMIT;
			t = &wp->t[wp->ntransforms++];
			t->type = type;
			t->id = p->t[type][i].id;
			t->has_key_len = p->t[type][i].key_bits != 0;
			t->key_len = p->t[type][i].key_bits;
		}
	}
	sa->nproposals++;
	return 0;
}

int prop_choice_to_wire(const struct prop_choice *c, struct ikev2_sa *sa)
{
	struct alg_proposal p;

	memset(&p, 0, sizeof(p));
	p.proto = alg_proto_of(c->proto);
	if (c->encr) {
		p.t[IKEV2_TRANS_ENCR][0].id = c->encr;
		p.t[IKEV2_TRANS_ENCR][0].key_bits = c->encr_bits;
		p.n[IKEV2_TRANS_ENCR] = 1;
	}
	if (c->prf) {
		p.t[IKEV2_TRANS_PRF][0].id = c->prf;
		p.n[IKEV2_TRANS_PRF] = 1;
	}
	if (c->integ) {
		p.t[IKEV2_TRANS_INTEG][0].id = c->integ;
		p.n[IKEV2_TRANS_INTEG] = 1;
	}
	if (c->ke) {
		p.t[IKEV2_TRANS_KE][0].id = c->ke;
		p.n[IKEV2_TRANS_KE] = 1;
	}
	if (c->has_esn) {
		p.t[IKEV2_TRANS_ESN][0].id = c->esn;
		p.n[IKEV2_TRANS_ESN] = 1;
	}
	sa->nproposals = 0;
	return prop_to_wire(&p, c->num, c->proto, c->spi, c->spi_len, 0, sa);
}

/* Whether mine has transform (type, id, bits). */
static bool mine_has(const struct alg_proposal *m, uint8_t type, uint16_t id, uint16_t bits)
{
	for (size_t i = 0; i < m->n[type]; i++)
		if (m->t[type][i].id == id && m->t[type][i].key_bits == bits)
			return true;
	return false;
}

/* Whether a wire transform counts (INTEG NONE is absent). */
static bool counts(const struct ikev2_transform *t, unsigned flags)
{
	if (skip_type(t->type, flags))
		return false;
	if (t->type == IKEV2_TRANS_INTEG && t->id == IKEV2_INTEG_NONE)
		return false;
	return t->type >= IKEV2_TRANS_ENCR && t->type <= IKEV2_TRANS_ESN;
}

static bool mine_type_present(const struct alg_proposal *m, uint8_t type)
{
	if (type == IKEV2_TRANS_INTEG) {
		for (size_t i = 0; i < m->n[type]; i++)
			if (m->t[type][i].id != IKEV2_INTEG_NONE)
				return true;
		return false;
	}
	return m->n[type] > 0;
}

/* Tries to match wire proposal wp against mine; fills out on success. */
static bool match_one(const struct ikev2_proposal *wp, const struct alg_proposal *m, unsigned flags,
		      struct prop_choice *out)
{
	struct prop_choice c;
	bool seen[ALG_NTYPES] = {false};
	bool found[ALG_NTYPES] = {false};

	memset(&c, 0, sizeof(c));
	for (size_t i = 0; i < wp->ntransforms; i++) {
		const struct ikev2_transform *t = &wp->t[i];
		if (t->type > IKEV2_TRANS_ESN && t->type < 13)
			return false; /* additional key exchanges: not offered by us */
		if (!counts(t, flags))
			continue;
		seen[t->type] = true;
		if (found[t->type] || t->n_unknown)
			continue;
		if (!mine_has(m, t->type, t->id, t->has_key_len ? t->key_len : 0))
			continue;
		found[t->type] = true;
		switch (t->type) {
		case IKEV2_TRANS_ENCR:
			c.encr = t->id;
			c.encr_bits = t->has_key_len ? t->key_len : 0;
			break;
		case IKEV2_TRANS_PRF:
			c.prf = t->id;
			break;
		case IKEV2_TRANS_INTEG:
			c.integ = t->id;
			break;
		case IKEV2_TRANS_KE:
			c.ke = t->id;
			break;
		default:
			c.esn = t->id;
			c.has_esn = true;
			break;
		}
	}
	for (uint8_t type = IKEV2_TRANS_ENCR; type <= IKEV2_TRANS_ESN; type++) {
		bool mine_present = mine_type_present(m, type) && !skip_type(type, flags);
		if (seen[type] && !found[type])
			return false;
		if (type == IKEV2_TRANS_ESN) {
			/* absent ESN: no ESN, acceptable when we allow it */
			if (!seen[type] && mine_present &&
			    !mine_has(m, IKEV2_TRANS_ESN, IKEV2_ESN_NO, 0))
				return false;
			continue;
		}
		if (mine_present != seen[type])
			return false;
	}
	c.num = wp->num;
	c.proto = wp->proto;
	c.spi_len = wp->spi_size <= sizeof(c.spi) ? wp->spi_size : 0;
	if (c.spi_len)
		memcpy(c.spi, wp->spi, c.spi_len);
	*out = c;
	return true;
}

int prop_select(const struct ikev2_sa *offered, uint8_t proto, const struct alg_proposal *mine,
		size_t n, unsigned flags, struct prop_choice *out)
{
	for (size_t i = 0; i < offered->nproposals; i++) {
		const struct ikev2_proposal *wp = &offered->p[i];
		if (wp->proto != proto)
			continue;
		for (size_t j = 0; j < n; j++)
			if (mine[j].proto == alg_proto_of(proto) &&
			    match_one(wp, &mine[j], flags, out))
				return 0;
	}
	return ERR_NOTFOUND;
}

int prop_check_response(const struct ikev2_sa *resp, uint8_t proto, const struct alg_proposal *mine,
			size_t n, unsigned flags, struct prop_choice *out)
{
	const struct ikev2_proposal *wp;
	uint8_t per_type[ALG_NTYPES] = {0};

	if (resp->nproposals != 1)
		return ERR_INVAL;
	wp = &resp->p[0];
	if (wp->proto != proto)
		return ERR_INVAL;
	for (size_t i = 0; i < wp->ntransforms; i++) {
		const struct ikev2_transform *t = &wp->t[i];
		if (t->type < IKEV2_TRANS_ENCR || t->type > IKEV2_TRANS_ESN)
			return ERR_INVAL;
		if (++per_type[t->type] > 1)
			return ERR_INVAL;
	}
	for (size_t j = 0; j < n; j++)
		if (mine[j].proto == alg_proto_of(proto) && match_one(wp, &mine[j], flags, out))
			return 0;
	return ERR_INVAL;
}

bool prop_has_ke(const struct alg_proposal *mine, size_t n, uint16_t group)
{
	for (size_t j = 0; j < n; j++)
		if (mine_has(&mine[j], IKEV2_TRANS_KE, group, 0))
			return true;
	return false;
}

/* Converts a wire proposal to the configured form (for alg_proposal_str). */
static void wire_to_alg(const struct ikev2_proposal *wp, struct alg_proposal *p)
{
	memset(p, 0, sizeof(*p));
	p->proto = alg_proto_of(wp->proto);
	for (size_t i = 0; i < wp->ntransforms; i++) {
		const struct ikev2_transform *t = &wp->t[i];
		if (t->type < IKEV2_TRANS_ENCR || t->type > IKEV2_TRANS_ESN)
			continue;
		if (p->n[t->type] >= ALG_MAX_PER_TYPE)
			continue;
		p->t[t->type][p->n[t->type]].id = t->id;
		p->t[t->type][p->n[t->type]].key_bits = t->has_key_len ? t->key_len : 0;
		p->n[t->type]++;
	}
}

static void append(char *buf, size_t len, size_t *off, const char *s)
{
	int w;

	if (*off >= len)
		return;
	w = snprintf(buf + *off, len - *off, "%s%s", *off ? ", " : "", s);
	*off += w > 0 ? (size_t)w : 0;
}

char *prop_wire_str(const struct ikev2_sa *sa, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < sa->nproposals; i++) {
		struct alg_proposal p;
		char one[256];
		wire_to_alg(&sa->p[i], &p);
		append(buf, len, &off, alg_proposal_str(&p, one, sizeof(one)));
	}
	if (off == 0)
		snprintf(buf, len, "(none)");
	return buf;
}

char *prop_list_str(const struct alg_proposal *p, size_t n, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		char one[256];
		append(buf, len, &off, alg_proposal_str(&p[i], one, sizeof(one)));
	}
	if (off == 0)
		snprintf(buf, len, "(none)");
	return buf;
}

char *prop_choice_str(const struct prop_choice *c, char *buf, size_t len)
{
	struct ikev2_sa sa;

	if (prop_choice_to_wire(c, &sa) != 0) {
		snprintf(buf, len, "(?)");
		return buf;
	}
	return prop_wire_str(&sa, buf, len);
}
