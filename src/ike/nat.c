/* NAT traversal after IKE_SA_INIT: path updates and keepalives (ike/nat.h). */
#include "ike/nat.h"

#include <string.h>

#include <openssl/evp.h>

#include "ike/engine.h"
#include "ike/sa.h"
#include "ike/v2/create_child_sa.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"

int nat_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct addr *a,
		  uint16_t port, uint8_t out[NAT_NATD_LEN])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t pb[2] = {(uint8_t)(port >> 8), (uint8_t)port};
	unsigned olen = 0;
	int rc = ERR_CRYPTO;

	if (!ctx)
		return ERR_NOMEM;
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 && EVP_DigestUpdate(ctx, spi_i, 8) == 1 &&
	    EVP_DigestUpdate(ctx, spi_r, 8) == 1 &&
	    EVP_DigestUpdate(ctx, a->bytes, addr_len(a)) == 1 &&
	    EVP_DigestUpdate(ctx, pb, 2) == 1 && EVP_DigestFinal_ex(ctx, out, &olen) == 1 &&
	    olen == NAT_NATD_LEN)
		rc = 0;
	EVP_MD_CTX_free(ctx);
	return rc;
}

int nat_put_natd(struct ike_engine *e, const struct ike_sa *sa, const struct ike_path *path,
		 struct ikev2_builder *b)
{
	uint8_t src[NAT_NATD_LEN], dst[NAT_NATD_LEN];
	struct ikev2_notify n = {0};
	int rc;

	if (sa->conn->encap)
		rc = eng_rand(e, IKE_RAND_NONCE, src, sizeof(src)); /* fake: force NAT-T */
	else
		rc = nat_natd_hash(sa->spi_i, sa->spi_r, &path->local, path->local_port, src);
	if (rc == 0)
		rc = nat_natd_hash(sa->spi_i, sa->spi_r, &path->remote, path->remote_port, dst);
	if (rc)
		return rc;
	n.type = IKEV2_N_NAT_DETECTION_SOURCE_IP;
	n.data = src;
	n.len = sizeof(src);
	ikev2_build_notify(b, &n);
	n.type = IKEV2_N_NAT_DETECTION_DESTINATION_IP;
	n.data = dst;
	n.len = sizeof(dst);
	return ikev2_build_notify(b, &n);
}

void nat_natd_eval(const struct ike_sa *sa, const struct ike_path *path,
		   const struct ikev2_digest *d, bool *seen, bool *nat_local, bool *nat_remote)
{
	uint8_t want_src[NAT_NATD_LEN], want_dst[NAT_NATD_LEN];
	bool any_src = false, any_dst = false, src_ok = false, dst_ok = false;

	if (nat_natd_hash(sa->spi_i, sa->spi_r, &path->remote, path->remote_port, want_src) ||
	    nat_natd_hash(sa->spi_i, sa->spi_r, &path->local, path->local_port, want_dst))
		return;
	for (const struct ikev2_payload *p = ikev2_digest_first(d, IKEV2_PT_N); p;
	     p = ikev2_digest_next(d, p)) {
		const struct ikev2_notify *n = &p->u.n;
		bool match =
		    n->len == NAT_NATD_LEN &&
		    memcmp(n->data,
			   n->type == IKEV2_N_NAT_DETECTION_SOURCE_IP ? want_src : want_dst,
			   NAT_NATD_LEN) == 0;
		if (n->type == IKEV2_N_NAT_DETECTION_SOURCE_IP) {
			any_src = true;
			src_ok |= match; /* several source hashes: any may match (§2.23) */
		} else if (n->type == IKEV2_N_NAT_DETECTION_DESTINATION_IP) {
			any_dst = true;
			dst_ok = match;
		}
	}
	if (!any_src || !any_dst)
		return;
	*seen = true;
	*nat_local = !dst_ok;
	*nat_remote = !src_ok;
}

static bool same_path(const struct ike_path *a, const struct ike_path *b)
{
	return addr_equal(&a->remote, &b->remote) && a->remote_port == b->remote_port &&
	       addr_equal(&a->local, &b->local) && a->local_port == b->local_port;
}

/* Whether an established SA may follow the peer to a new address (strongSwan's update_hosts):
 * the peer is behind a NAT, and we are not, or we are the original responder. */
static bool may_follow(const struct ike_sa *sa)
{
	return sa->nat_remote && (!sa->nat_local || !sa->initiator);
}

void nat_move(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *path, uint64_t now_ms,
	      const char *why)
{
	char from[ADDR_STRLEN], to[ADDR_STRLEN];
	bool encap;
	size_t moved = 0, rekeyed = 0;

	eng_sa_touch(e, sa); /* filed under its path, keepalive timer */
	addr_str(&sa->path.remote, from, sizeof(from));
	addr_str(&path->remote, to, sizeof(to));
	if (!addr_equal(&sa->path.local, &path->local) || sa->path.local_port != path->local_port) {
		char lf[ADDR_STRLEN], lt[ADDR_STRLEN];
		log_info(LOG_IKE, "#%u: path moved from %s[%u]...%s[%u] to %s[%u]...%s[%u] (%s)",
			 sa->id, addr_str(&sa->path.local, lf, sizeof(lf)), sa->path.local_port,
			 from, sa->path.remote_port, addr_str(&path->local, lt, sizeof(lt)),
			 path->local_port, to, path->remote_port, why);
	} else {
		log_info(LOG_IKE, "#%u: peer moved from %s[%u] to %s[%u] (%s)", sa->id, from,
			 sa->path.remote_port, to, path->remote_port, why);
	}
	sa->path = *path;
	encap = sa->nat_local || sa->nat_remote || sa->conn->encap;
	for (size_t i = 0; i < sa->nchildren; i++) {
		struct ike_child *c = sa->children[i];
		if (c->state != IKE_CHILD_INSTALLED || c->rekeyed)
			continue;
		if (e->cb.child_update &&
		    e->cb.child_update(e->ctx, c->reqid, &sa->path, encap) == 0) {
			moved++;
			continue;
		}
		/* the data plane cannot move it: a new Child SA on the new path replaces it */
		if (create_child_sa_rekey(e, sa, c, now_ms) == 0)
			rekeyed++;
		else
			c->rekey_at_ms = now_ms; /* at the next free window */
	}
	if (moved || rekeyed)
		log_info(LOG_IKE, "#%u: %zu Child SA%s moved, %zu rekeyed onto the new path",
			 sa->id, moved, moved == 1 ? "" : "s", rekeyed);
}

void nat_path_seen(struct ike_engine *e, struct ike_sa *sa, const struct ike_path *path,
		   uint64_t now_ms)
{
	struct ike_path p;

	if (same_path(&sa->path, path))
		return;
	if (sa->state != IKE_ST_ESTABLISHED && sa->state != IKE_ST_DELETING) {
		/* IKE_AUTH: the float to 4500 (and the NAT's port for it), §2.23 */
		sa->path = *path;
		if (path->remote_port != IKE_PORT && path->remote_port != IKE_PORT_NATT)
			sa->nat_remote = true;
		return;
	}
	if (!may_follow(sa) || sa->mob)
		return;
	/* our own address stays: without MOBIKE only the peer's side is followed */
	p = sa->path;
	p.remote = path->remote;
	p.remote_port = path->remote_port;
	if (!same_path(&sa->path, &p))
		nat_move(e, sa, &p, now_ms, "authenticated IKE message, NAT mapping changed");
}

int ike_engine_peer_moved(struct ike_engine *e, uint64_t now_ms, uint32_t reqid,
			  const struct addr *remote, uint16_t remote_port)
{
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next) {
		struct ike_path p;
		if (sa->state != IKE_ST_ESTABLISHED)
			continue;
		for (size_t i = 0; i < sa->nchildren; i++) {
			const struct ike_child *c = sa->children[i];
			if (c->reqid != reqid || c->state != IKE_CHILD_INSTALLED)
				continue;
			/* strongSwan's update_sa_job: the peer is NATed and we are not */
			if (!sa->nat_remote || sa->nat_local)
				return ERR_BADSTATE;
			p = sa->path;
			p.remote = *remote;
			p.remote_port = remote_port;
			if (!same_path(&sa->path, &p))
				nat_move(e, sa, &p, now_ms,
					 "authenticated ESP packet, NAT mapping changed");
			eng_settle(e);
			return 0;
		}
	}
	return ERR_NOTFOUND;
}

/* ---- keepalives (RFC 3948 §2.3) ---------------------------------------------------------------
 */

static bool wants_keepalive(const struct ike_engine *e, const struct ike_sa *sa)
{
	return e->cb.send_keepalive && e->keepalive_ms && sa->nat_local &&
	       sa->state == IKE_ST_ESTABLISHED;
}

void nat_poll(struct ike_engine *e, struct ike_sa *sa, uint64_t now_ms)
{
	if (!wants_keepalive(e, sa)) {
		sa->ka_next_ms = 0;
		return;
	}
	if (sa->ka_next_ms == 0) {
		sa->ka_next_ms = now_ms + e->keepalive_ms; /* armed when established */
		return;
	}
	if (now_ms < sa->ka_next_ms)
		return;
	sa->ka_next_ms = now_ms + e->keepalive_ms;
	e->stats.keepalives++;
	e->cb.send_keepalive(e->ctx, &sa->path);
}

uint64_t nat_deadline(const struct ike_engine *e, const struct ike_sa *sa)
{
	if (!wants_keepalive(e, sa))
		return sa->ka_next_ms ? 0 : UINT64_MAX; /* 0: disarm */
	return sa->ka_next_ms;
}

void ike_engine_set_keepalive(struct ike_engine *e, uint32_t interval_ms)
{
	e->keepalive_ms = interval_ms;
	/* every SA's keepalive deadline may move */
	for (struct ike_sa *sa = e->sas; sa; sa = sa->next)
		eng_sa_touch(e, sa);
	eng_settle(e);
}
