#include "daemon/ctl_cmds.h"

#include <netinet/in.h>
#include <string.h>

#include "daemon/netmon.h"
#include "daemon/version.h"
#include "lib/err.h"
#include "lib/log.h"

/* Whether a is an address of this host (daemon/netmon.h's cache). */
static bool is_local(const struct ctl_cmds *c, const struct addr *a)
{
	if (c->is_local)
		return c->is_local(a);
	return c->nm && netmon_is_local(c->nm, a);
}

/* The state's spec moved to the new path (see ctl_cmds_move_reqid). */
static void spec_move(struct xfrm_db_state *st, const struct addr *local, uint16_t lport,
		      const struct addr *remote, uint16_t rport)
{
	bool out = st->dir == XFRM_DIR_OUT;

	st->spec.src = out ? *local : *remote;
	st->spec.dst = out ? *remote : *local;
	st->spec.encap_sport = out ? lport : rport;
	st->spec.encap_dport = out ? rport : lport;
}

int ctl_cmds_move_reqid(struct ctl_cmds *c, uint32_t reqid, const struct addr *local,
			uint16_t lport, const struct addr *remote, uint16_t rport, bool encap,
			size_t *moved)
{
	struct xfrm_db *db = c->db;
	size_t n = 0, npol = 0;
	int r = 0;

	/* first check, so that a refusal moves nothing */
	for (const struct xfrm_db_state *st = xfrm_db_state_reqid(db, reqid); st; st = st->rnext) {
		const struct addr *ndst = st->dir == XFRM_DIR_OUT ? remote : local;
		const struct xfrm_db_state *o;
		if (st->spec.reqid != reqid)
			continue;
		if (st->spec.encap != encap || st->spec.src.family != local->family ||
		    local->family != remote->family || !c->ops || !c->ops->state_move)
			return ERR_UNSUPPORTED;
		o = xfrm_db_state_find(db, ndst, st->spec.proto, st->spec.spi);
		if (o && o != st)
			return ERR_EXISTS;
		n++;
	}
	if (n == 0)
		return ERR_NOTFOUND;
	for (struct xfrm_db_state *st = xfrm_db_state_reqid(db, reqid); st; st = st->rnext) {
		struct xfrm_state_spec old;
		int rr;
		if (st->spec.reqid != reqid)
			continue;
		old = st->spec; /* shallow: the keys stay where they are */
		xfrm_db_state_key_detach(db, st);
		spec_move(st, local, lport, remote, rport);
		rr = c->ops->state_move(c->dp, st);
		if (rr) {
			st->spec.src = old.src;
			st->spec.dst = old.dst;
			st->spec.encap_sport = old.encap_sport;
			st->spec.encap_dport = old.encap_dport;
			r = r ? r : rr;
		}
		xfrm_db_state_key_attach(db, st);
	}
	/* tunnel-mode templates name the outer addresses; outbound ones pick the SA by them */
	for (struct xfrm_db_policy *q = db->pfirst; q; q = q->next) {
		struct xfrm_tmpl *t = &q->spec.tmpl;
		bool out = q->spec.dir == XFRM_DIR_OUT;
		if (!t->present || !t->has_addrs || t->reqid != reqid)
			continue;
		t->src = out ? *local : *remote;
		t->dst = out ? *remote : *local;
		npol++;
	}
	if (npol)
		xfrm_db_policies_changed(db);
	if (npol && c->ops->policies_sync) {
		int rr = c->ops->policies_sync(c->dp, db);
		r = r ? r : rr;
	}
	*moved = n;
	return r;
}

static const char *astr(const struct addr *a, char *buf, size_t len)
{
	xfrm_addr_str(a, buf, len);
	return buf;
}

static void state_add(struct ctl_cmds *c, struct xfrm_state_spec *s, struct ctl_reply *rep)
{
	enum log_level lvl = c->quiet ? LOG_LVL_DEBUG : LOG_LVL_INFO;
	char a[64], b[64];
	struct xfrm_db_state *st;
	uint8_t dir;
	int r;

	if (is_local(c, &s->src))
		dir = XFRM_DIR_OUT;
	else if (is_local(c, &s->dst))
		dir = XFRM_DIR_IN;
	else {
		ctl_reply_error(rep, "neither src %s nor dst %s is an address of this host",
				astr(&s->src, a, sizeof(a)), astr(&s->dst, b, sizeof(b)));
		return;
	}
	r = xfrm_db_state_add(c->db, s, dir, &st);
	if (r == ERR_EXISTS) {
		ctl_reply_error(rep, "state dst %s proto %s spi 0x%08x already exists",
				astr(&s->dst, b, sizeof(b)), xfrm_proto_name(s->proto), s->spi);
		return;
	}
	if (r) {
		ctl_reply_error(rep, "cannot add state: %s", err_str(r));
		return;
	}
	if (c->ops && (r = c->ops->state_add(c->dp, st))) {
		ctl_reply_error(rep, "data plane refused the state: %s", err_str(r));
		xfrm_db_state_remove(c->db, st);
		return;
	}
	if (log_enabled(LOG_DAEMON, lvl))
		log_msg(LOG_DAEMON, lvl, "state added: %s -> %s %s spi 0x%08x (%s)",
			astr(&st->spec.src, a, sizeof(a)), astr(&st->spec.dst, b, sizeof(b)),
			xfrm_proto_name(st->spec.proto), st->spec.spi,
			dir == XFRM_DIR_OUT ? "out" : "in");
}

static void state_del(struct ctl_cmds *c, const struct xfrm_state_spec *s, struct ctl_reply *rep)
{
	struct xfrm_db_state *st = xfrm_db_state_find(c->db, &s->dst, s->proto, s->spi);
	char b[64];

	if (!st || !addr_equal(&st->spec.src, &s->src)) {
		xfrm_addr_str(&s->dst, b, sizeof(b));
		ctl_reply_error(rep, "no state dst %s proto %s spi 0x%08x", b,
				xfrm_proto_name(s->proto), s->spi);
		return;
	}
	if (c->ops)
		c->ops->state_del(c->dp, st);
	xfrm_db_state_remove(c->db, st);
}

static void state_flush(struct ctl_cmds *c)
{
	while (c->db->last) {
		if (c->ops)
			c->ops->state_del(c->dp, c->db->last);
		xfrm_db_state_remove(c->db, c->db->last);
	}
}

static void policies_changed(struct ctl_cmds *c, struct ctl_reply *rep)
{
	int r;

	if (c->defer_sync) {
		c->sync_pending = true;
		return;
	}
	if (c->ops && (r = c->ops->policies_sync(c->dp, c->db)))
		ctl_reply_error(rep, "data plane: %s", err_str(r));
}

void ctl_cmds_flush(struct ctl_cmds *c)
{
	int r;

	if (!c->sync_pending)
		return;
	c->sync_pending = false;
	if (c->ops && (r = c->ops->policies_sync(c->dp, c->db)))
		log_error(LOG_DAEMON, "data plane: policies not published: %s", err_str(r));
}

static void stats_cb(void *ctx, const struct xfrm_db_state *st, struct ctl_reply *rep)
{
	struct ctl_cmds *c = ctx;

	if (c->ops)
		c->ops->state_stats(c->dp, st, rep);
}

void ctl_cmds_xfrm(struct ctl_cmds *c, struct xfrm_cmd *cmd, struct ctl_reply *rep)
{
	struct xfrm_db_policy *pol;
	int r;

	switch (cmd->op) {
	case XFRM_STATE_ADD:
		state_add(c, &cmd->state, rep);
		if (!rep->status)
			policies_changed(c, rep); /* templates may now resolve to the new SA */
		break;
	case XFRM_STATE_DEL:
		state_del(c, &cmd->state, rep);
		if (!rep->status)
			policies_changed(c, rep);
		break;
	case XFRM_STATE_LIST:
		xfrm_db_state_print(c->db, rep, stats_cb, c);
		break;
	case XFRM_STATE_FLUSH:
		state_flush(c);
		policies_changed(c, rep);
		break;
	case XFRM_POLICY_ADD:
		r = xfrm_db_policy_add(c->db, &cmd->policy);
		if (r == ERR_EXISTS) {
			ctl_reply_error(rep, "a policy with this selector and dir already exists");
			break;
		}
		if (r) {
			ctl_reply_error(rep, "cannot add policy: %s", err_str(r));
			break;
		}
		policies_changed(c, rep);
		break;
	case XFRM_POLICY_DEL:
		pol = xfrm_db_policy_find(c->db, &cmd->policy);
		if (!pol) {
			ctl_reply_error(rep, "no policy with this selector and dir");
			break;
		}
		xfrm_db_policy_remove(c->db, pol);
		policies_changed(c, rep);
		break;
	case XFRM_POLICY_LIST:
		xfrm_db_policy_print(c->db, rep);
		break;
	case XFRM_POLICY_FLUSH:
		xfrm_db_policy_flush(c->db);
		policies_changed(c, rep);
		break;
	}
}

/* A manual state crossed a limit: soft is only logged (no key manager to rekey it), hard
 * removes it (the data plane refuses it already) - as the kernel does without a daemon. */
static void expire_manual(struct ctl_cmds *c, const struct ctl_expiry *x)
{
	char a[64], b[64];
	struct ctl_reply rep;
	struct xfrm_db_state *st;

	xfrm_addr_str(&x->src, a, sizeof(a));
	xfrm_addr_str(&x->dst, b, sizeof(b));
	if (!(x->events & CTL_EV_HARD)) {
		log_warn(LOG_DAEMON,
			 "state %s -> %s %s spi 0x%08x reached its soft lifetime (manual keying: "
			 "replace it before the hard limit)",
			 a, b, xfrm_proto_name(x->proto), x->spi);
		return;
	}
	st = xfrm_db_state_find(c->db, &x->dst, x->proto, x->spi);
	if (!st)
		return;
	if (c->ops)
		c->ops->state_del(c->dp, st);
	xfrm_db_state_remove(c->db, st);
	ctl_reply_init(&rep, false);
	policies_changed(c, &rep);
	ctl_reply_cleanup(&rep);
	log_warn(LOG_DAEMON, "state %s -> %s %s spi 0x%08x reached its hard lifetime: removed", a,
		 b, xfrm_proto_name(x->proto), x->spi);
}

void ctl_cmds_expire(struct ctl_cmds *c, uint64_t now_s, ctl_expire_fn fn, void *ctx)
{
	struct ctl_expiry xs[CTL_EXPIRE_BATCH];
	size_t n = 0;

	if (!c->ops || !c->ops->state_poll)
		return;
	/* collect first: handlers change the state table */
	for (struct xfrm_db_state *st = c->db->first; st; st = st->next) {
		struct ctl_sa_counters ctr = {0, 0};
		uint8_t ev, fresh;

		if (!st->dp)
			continue;
		ev = c->ops->state_poll(c->dp, st, now_s, &ctr);
		if (ctr.packets != st->use_packets) {
			st->use_packets = ctr.packets;
			st->last_use_s = now_s;
		}
		fresh = (uint8_t)(ev & ~st->ev_seen);
		if (!fresh || n == CTL_EXPIRE_BATCH)
			continue;
		st->ev_seen |= fresh;
		memset(&xs[n], 0, sizeof(xs[n]));
		xs[n].src = st->spec.src;
		xs[n].dst = st->spec.dst;
		xs[n].proto = st->spec.proto;
		xs[n].spi = st->spec.spi;
		xs[n].reqid = st->spec.reqid;
		xs[n].dir = st->dir;
		xs[n].events = fresh;
		n++;
	}
	for (size_t k = 0; k < n; k++) {
		log_debug(LOG_DAEMON, "state spi 0x%08x: %s lifetime reached", xs[k].spi,
			  xs[k].events & CTL_EV_HARD ? "hard" : "soft");
		if (!fn || fn(ctx, &xs[k]) == ERR_NOTFOUND)
			expire_manual(c, &xs[k]);
	}
}

int ctl_cmds_counters(struct ctl_cmds *c, const struct addr *dst, uint8_t proto, uint32_t spi,
		      struct ctl_sa_counters *ctr, uint64_t *last_use_s)
{
	const struct xfrm_db_state *st = xfrm_db_state_find(c->db, dst, proto, spi);
	struct ctl_sa_counters v = {0, 0};

	if (!st)
		return ERR_NOTFOUND;
	if (c->ops && c->ops->state_poll && st->dp)
		c->ops->state_poll(c->dp, st, 0, &v);
	*ctr = v;
	*last_use_s = st->last_use_s;
	return 0;
}

void ctl_cmds_handle(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep)
{
	struct ctl_cmds *c = ctx;
	char err[XFRM_ERR_MAX];
	struct xfrm_cmd cmd;

	if (req->argc < 1) {
		ctl_reply_error(rep, "empty command");
		return;
	}
	if (strcmp(req->argv[0], "xfrm") == 0) {
		if (xfrm_args_parse(req->argc - 1, req->argv + 1, &cmd, err, sizeof(err))) {
			ctl_reply_error(rep, "%s", err);
			return;
		}
		ctl_cmds_xfrm(c, &cmd, rep);
		xfrm_cmd_cleanup(&cmd);
	} else if (strcmp(req->argv[0], "stats") == 0 && req->argc == 1) {
		if (rep->json)
			ctl_reply_printf(rep, "{");
		if (c->stats_extra)
			c->stats_extra(c->stats_ctx, rep);
		if (c->ops)
			c->ops->stats(c->dp, c->db, rep);
		else if (rep->json)
			ctl_reply_printf(rep, "\"dataplane\":null");
		else
			ctl_reply_printf(rep, "data plane: not running\n");
		if (rep->json)
			ctl_reply_printf(rep, "}\n");
	} else if (strcmp(req->argv[0], "log") == 0) {
		enum log_level lvl = LOG_LVL_INFO;
		if (req->argc == 3 && strcmp(req->argv[1], "--level") == 0 &&
		    log_level_parse(req->argv[2], &lvl) == 0) {
			rep->follow_log = true;
		} else if (req->argc == 1) {
			rep->follow_log = true;
		} else if (req->argc == 3 && strcmp(req->argv[1], "--level") == 0) {
			ctl_reply_error(
			    rep, "invalid log level \"%s\": expected error, warn, info or debug",
			    req->argv[2]);
		} else {
			ctl_reply_error(rep, "usage: log [--level error|warn|info|debug]");
		}
		rep->follow_level = (int)lvl;
	} else if (strcmp(req->argv[0], "version") == 0 && req->argc == 1) {
		if (rep->json)
			ctl_reply_printf(rep, "{\"version\":\"%s\"}\n", RAMPART_VERSION);
		else
			ctl_reply_printf(rep, "rampartd %s\n", RAMPART_VERSION);
	} else {
		ctl_reply_error(rep, "unknown command \"%s\"", req->argv[0]);
	}
}
