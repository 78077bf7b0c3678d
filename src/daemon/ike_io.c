#include "daemon/ike_io.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cfg/conf_parse.h"
#include "cfg/swanctl.h"
#include "crypto/alg.h"
#include "crypto/integ.h"
#include "daemon/dataplane.h"
#include "daemon/ike_ctl.h"
#include "daemon/ike_inst.h"
#include "daemon/ike_roam.h"
#include "daemon/netmon.h"
#include "daemon/updown.h"
#include "daemon/worker.h"
#include "daemon/xfrm_alg.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

#define IKE_IO_POL_MAX 16 /* policies of one direction of one Child SA */

struct ike_io {
	struct loop *loop;
	struct ctl_cmds *cmds;
	struct dataplane *dp;
	struct ike_engine *eng;
	struct swanctl_config *cfg;
	char path[PATH_MAX];
	int udp500[2];	/* IPv4, IPv6 */
	int handoff[2]; /* [0] read here, [1] written by the data plane's workers */
	int event_fd;	/* the data plane's lifetime-event eventfd (registered, not owned) */
	uint64_t deadline;
	uint64_t next_expire_ms; /* the next periodic lifetime scan */
	struct ike_ctl ctl;
	struct updown *updown;
	struct ike_inst_table *inst; /* what we installed (daemon/ike_inst.h) */
	uint8_t rxbuf[IKE_MAX_MSG + sizeof(struct dp_ike_hdr)];
};

/* ---- sending ---------------------------------------------------------------------------- */

/* One datagram on path: from port 4500 through the data plane's socket, with the non-ESP
 * marker in front when marker is set (IKE), without it for a NAT keepalive. */
static int send_dgram(struct ike_io *io, const struct ike_path *path, bool with_marker,
		      const uint8_t *data, size_t len)
{
	int v6 = path->local.family == AF_INET6;
	int fd = path->local_port == IKE_PORT_NATT && io->dp ? dataplane_udp4500_fd(io->dp, v6)
							     : io->udp500[v6];
	static const uint8_t marker[4];
	struct sockaddr_storage ss;
	socklen_t sl;
	struct iovec iov[2];
	struct msghdr mh;
	union {
		char b4[CMSG_SPACE(sizeof(struct in_pktinfo))];
		char b6[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	int n = 0;

	if (fd < 0 || addr_to_sockaddr(&path->remote, path->remote_port, &ss, &sl))
		return ERR_IO;
	if (path->local_port == IKE_PORT_NATT && with_marker) {
		iov[n].iov_base = (void *)marker;
		iov[n++].iov_len = sizeof(marker);
	}
	iov[n].iov_base = (void *)data;
	iov[n++].iov_len = len;
	memset(&mh, 0, sizeof(mh));
	memset(&cbuf, 0, sizeof(cbuf));
	mh.msg_name = &ss;
	mh.msg_namelen = sl;
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)n;
	if (path->local.family) {
		struct cmsghdr *cm;
		mh.msg_control = &cbuf;
		if (v6) {
			struct in6_pktinfo pi = {0};
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = IPPROTO_IPV6;
			cm->cmsg_type = IPV6_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(&pi.ipi6_addr, path->local.bytes, 16);
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = {0};
			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			cm = CMSG_FIRSTHDR(&mh);
			cm->cmsg_level = IPPROTO_IP;
			cm->cmsg_type = IP_PKTINFO;
			cm->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(&pi.ipi_spec_dst, path->local.bytes, 4);
			memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		}
	}
	if (sendmsg(fd, &mh, 0) < 0) {
		log_warn(LOG_IKE, "sending %zu bytes to port %u failed: %s", len, path->remote_port,
			 strerror(errno));
		return ERR_IO;
	}
	return 0;
}

static int send_cb(void *ctx, const struct ike_path *path, const uint8_t *data, size_t len)
{
	return send_dgram(ctx, path, true, data, len);
}

/* RFC 3948 §2.3: a single 0xFF octet, from port 4500 (where the NAT mapping is). */
static int keepalive_cb(void *ctx, const struct ike_path *path)
{
	static const uint8_t ka = 0xff;

	if (path->local_port != IKE_PORT_NATT)
		return ERR_INVAL;
	return send_dgram(ctx, path, false, &ka, 1);
}

/* ---- Child SAs into the data plane ---------------------------------------------------------- */

/* The ip-xfrm algorithm entry and ICV bits for an IKEv2 ENCR transform. */
static int find_enc_alg(uint16_t id, struct xfrm_key_alg *out, bool *aead)
{
	for (size_t i = 0; i < xfrm_alg_count(); i++) {
		const struct xfrm_alg *a = xfrm_alg_at(i);
		if (a->kind == XFRM_ALG_ENC && a->ikev2_id == id) {
			out->alg = a;
			out->icv_bits = 0;
			*aead = false;
			return 0;
		}
		if (a->kind != XFRM_ALG_AEAD)
			continue;
		for (size_t j = 0; j < a->n_icvs; j++) {
			if (xfrm_alg_ikev2_id(a, a->icvs[j]) == id) {
				out->alg = a;
				out->icv_bits = a->icvs[j];
				*aead = true;
				return 0;
			}
		}
	}
	return ERR_UNSUPPORTED;
}

static int find_auth_alg(uint16_t id, struct xfrm_key_alg *out)
{
	struct integ_info info;

	if (integ_lookup(id, &info))
		return ERR_UNSUPPORTED;
	for (size_t i = 0; i < xfrm_alg_count(); i++) {
		const struct xfrm_alg *a = xfrm_alg_at(i);
		if (a->kind == XFRM_ALG_AUTH && a->ikev2_id == id) {
			out->alg = a;
			out->icv_bits = (uint16_t)(info.icv_len * 8);
			return 0;
		}
	}
	return ERR_UNSUPPORTED;
}

/* Runs one xfrm command through the CLI's path; 0 or ERR_INVAL after logging the reason. */
static int apply(struct ike_io *io, struct xfrm_cmd *cmd, const char *what, bool tolerate_exists)
{
	struct ctl_reply rep;
	int r = 0;

	ctl_reply_init(&rep, false);
	/* the Child SA's own line says it; the policies are published once per burst of
	 * changes, by ike_io_flush */
	io->cmds->quiet = true;
	io->cmds->defer_sync = true;
	ctl_cmds_xfrm(io->cmds, cmd, &rep);
	io->cmds->quiet = false;
	io->cmds->defer_sync = false;
	if (rep.status) {
		const char *m = rep.err && rep.err_len ? rep.err : "failed";
		if (!(tolerate_exists && strstr(m, "exists"))) {
			log_error(LOG_IKE, "installing %s: %.*s", what, (int)strcspn(m, "\n"), m);
			r = ERR_INVAL;
		}
	}
	ctl_reply_cleanup(&rep);
	return r;
}

/* Policies for one direction: every pair of (local, remote) selectors that are prefixes, at
 * most IKE_IO_POL_MAX into pol; returns how many. */
static size_t make_policies(const struct ike_child_sa *sa, uint8_t xproto,
			    struct xfrm_policy_spec *pol)
{
	const struct ts_list *srcs = sa->inbound ? &sa->remote_ts : &sa->local_ts;
	const struct ts_list *dsts = sa->inbound ? &sa->local_ts : &sa->remote_ts;
	size_t n = 0;

	for (size_t i = 0; i < srcs->n; i++) {
		for (size_t j = 0; j < dsts->n && n < IKE_IO_POL_MAX; j++) {
			const struct ts *s = &srcs->ts[i], *d = &dsts->ts[j];
			struct xfrm_policy_spec *p = &pol[n];
			char buf[TS_STRLEN];

			if (ts_family(s) != ts_family(d))
				continue;
			memset(p, 0, sizeof(*p));
			if (!ts_to_prefix(s, &p->src) || !ts_to_prefix(d, &p->dst)) {
				log_warn(
				    LOG_IKE,
				    "selector %s is an address range, not a prefix: no policy "
				    "for it",
				    ts_format(ts_to_prefix(s, &p->src) ? d : s, buf, sizeof(buf)));
				continue;
			}
			p->proto = s->proto ? s->proto : d->proto;
			if ((p->proto == 6 || p->proto == 17 || p->proto == 132)) {
				if (s->start_port == s->end_port)
					p->sport = s->start_port;
				if (d->start_port == d->end_port)
					p->dport = d->start_port;
			}
			p->dir = sa->inbound ? XFRM_DIR_IN : XFRM_DIR_OUT;
			p->action = XFRM_ACTION_ALLOW;
			p->tmpl.present = true;
			p->tmpl.has_addrs = sa->mode == CONN_MODE_TUNNEL;
			p->tmpl.src = sa->src;
			p->tmpl.dst = sa->dst;
			p->tmpl.proto = xproto;
			p->tmpl.mode =
			    sa->mode == CONN_MODE_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
			p->tmpl.reqid = sa->reqid;
			n++;
		}
	}
	return n;
}

/* Takes in's policies into the data plane: each one's first user of its reqid adds it (an
 * existing identical policy is tolerated). in is in the table already. */
static int install_policies(struct ike_io *io, struct ike_inst *in, const char *what)
{
	for (size_t i = 0; i < in->npol; i++) {
		struct xfrm_cmd pc;
		long refs = ike_inst_pol_ref(io->inst, in->reqid, &in->pol[i]);
		if (refs < 0) {
			in->npol = i; /* the references taken so far are dropped by uninstall */
			return (int)refs;
		}
		if (refs > 1)
			continue;
		memset(&pc, 0, sizeof(pc));
		pc.op = XFRM_POLICY_ADD;
		pc.policy = in->pol[i];
		if (apply(io, &pc, what, true)) {
			in->npol = i + 1;
			return ERR_INVAL;
		}
	}
	return 0;
}

/* Removes in from the table and the data plane (its policies with their last user of the
 * reqid) and frees it. */
static void uninstall(struct ike_io *io, struct ike_inst *in)
{
	struct xfrm_cmd cmd;

	ike_inst_remove(io->inst, in);
	for (size_t i = 0; i < in->npol; i++) {
		if (ike_inst_pol_unref(io->inst, in->reqid, &in->pol[i]) > 0)
			continue;
		memset(&cmd, 0, sizeof(cmd));
		cmd.op = XFRM_POLICY_DEL;
		cmd.policy = in->pol[i];
		apply(io, &cmd, "policy removal", false);
	}
	if (!in->trap) {
		memset(&cmd, 0, sizeof(cmd));
		cmd.op = XFRM_STATE_DEL;
		cmd.state.src = in->src;
		cmd.state.dst = in->dst;
		cmd.state.proto = in->proto;
		cmd.state.spi = in->spi;
		apply(io, &cmd, "SA removal", false);
	}
	free(in);
}

static int child_install_cb(void *ctx, const struct ike_child_sa *sa)
{
	struct ike_io *io = ctx;
	struct ike_inst *in = NULL;
	struct xfrm_policy_spec pol[IKE_IO_POL_MAX];
	struct xfrm_cmd cmd;
	struct xfrm_state_spec *st = &cmd.state;
	bool aead = false;
	size_t npol;
	int r = ERR_INVAL;

	memset(&cmd, 0, sizeof(cmd));
	cmd.op = XFRM_STATE_ADD;
	st->src = sa->src;
	st->dst = sa->dst;
	st->proto = sa->proto == IKEV2_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
	st->spi = sa->spi;
	st->mode = sa->mode == CONN_MODE_TUNNEL ? XFRM_MODE_TUNNEL : XFRM_MODE_TRANSPORT;
	st->reqid = sa->reqid;
	st->replay_window = sa->inbound ? sa->replay_window : 0;
	if (st->replay_window > XFRM_REPLAY_WINDOW_MAX)
		st->replay_window = XFRM_REPLAY_WINDOW_MAX;
	st->esn = sa->esn;
	st->tfcpad = sa->tfc_pad;
	st->encap = sa->encap;
	st->encap_sport = sa->src_port;
	st->encap_dport = sa->dst_port;
	/* rekey_bytes/_packets and life_bytes/_packets are counted by the data plane; its events
	 * come back through expire_cb. Times stay with the engine's timers. */
	st->lft.byte_soft = sa->soft_bytes;
	st->lft.byte_hard = sa->hard_bytes;
	st->lft.packet_soft = sa->soft_packets;
	st->lft.packet_hard = sa->hard_packets;
	if (st->proto == IPPROTO_ESP) {
		struct xfrm_key_alg ea;
		if (find_enc_alg(sa->enc_id, &ea, &aead)) {
			log_error(LOG_IKE, "Child SA %s: cipher %s has no data-plane equivalent",
				  sa->child_name, iana_name(IANA_REG_IKEV2_ENCR, sa->enc_id));
			goto out;
		}
		ea.key = secret_new(sa->enc_key ? sa->enc_key->p : NULL,
				    sa->enc_key ? sa->enc_key->len : 0);
		if (!ea.key) {
			r = ERR_NOMEM;
			goto out;
		}
		if (aead)
			st->aead = ea;
		else
			st->enc = ea;
	}
	if (!aead && sa->integ_id) {
		if (find_auth_alg(sa->integ_id, &st->auth)) {
			log_error(LOG_IKE, "Child SA %s: integrity %s has no data-plane equivalent",
				  sa->child_name, iana_name(IANA_REG_IKEV2_INTEG, sa->integ_id));
			goto out;
		}
		st->auth.key = secret_new(sa->integ_key->p, sa->integ_key->len);
		if (!st->auth.key) {
			r = ERR_NOMEM;
			goto out;
		}
	}
	npol = make_policies(sa, st->proto, pol);
	in = ike_inst_alloc(npol);
	if (!in) {
		r = ERR_NOMEM;
		goto out;
	}
	in->child_id = sa->child_id;
	in->reqid = sa->reqid;
	in->proto = st->proto;
	in->spi = sa->spi;
	in->out = !sa->inbound;
	in->src = sa->src;
	in->dst = sa->dst;
	memcpy(in->pol, pol, npol * sizeof(pol[0]));
	if ((r = ike_inst_add(io->inst, in))) {
		log_error(LOG_IKE, "Child SA %s/%s: %zu directions installed already: %s",
			  sa->conn_name, sa->child_name, ike_inst_count(io->inst), err_str(r));
		free(in);
		goto out;
	}
	r = apply(io, &cmd, "SA", false);
	if (r) {
		ike_inst_remove(io->inst, in);
		free(in);
		goto out;
	}
	if ((r = install_policies(io, in, "policy"))) {
		uninstall(io, in);
		r = ERR_INVAL;
		goto out;
	}
	log_info(LOG_IKE, "Child SA %s/%s %s SPI 0x%08x installed (%zu policies)", sa->conn_name,
		 sa->child_name, sa->inbound ? "in" : "out", sa->spi, in->npol);
out:
	xfrm_cmd_cleanup(&cmd);
	return r;
}

static void child_delete_cb(void *ctx, uint32_t reqid, uint8_t proto, uint32_t spi_in,
			    uint32_t spi_out)
{
	struct ike_io *io = ctx;
	uint8_t xp = proto == IKEV2_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
	const uint32_t spis[2] = {spi_in, spi_out};

	for (int k = 0; k < 2; k++) {
		struct ike_inst *in;
		if (k == 1 && spi_out == spi_in)
			break;
		/* one entry per direction; an SPI could repeat towards another destination */
		while ((in = ike_inst_find_reqid(io->inst, xp, spis[k], reqid)))
			uninstall(io, in);
	}
}

/* A trap: the policies of both directions a Child SA of it would get, with no state; the
 * outbound ones send acquires (daemon/worker.h) until an SA of the reqid is installed. */
static int trap_install_cb(void *ctx, const struct ike_trap *t)
{
	struct ike_io *io = ctx;

	if (!io)
		return 0; /* ike_io_check: no data plane */
	for (int dir = 0; dir < 2; dir++) {
		struct xfrm_policy_spec pol[IKE_IO_POL_MAX];
		struct ike_inst *in;
		struct ike_child_sa sa;
		uint8_t xp = t->proto == IKEV2_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP;
		size_t npol;
		int r;

		memset(&sa, 0, sizeof(sa));
		sa.reqid = t->reqid;
		sa.inbound = dir == 0;
		sa.proto = t->proto;
		sa.mode = t->mode;
		sa.src = sa.inbound ? t->remote : t->local;
		sa.dst = sa.inbound ? t->local : t->remote;
		sa.local_ts = t->local_ts;
		sa.remote_ts = t->remote_ts;
		npol = make_policies(&sa, xp, pol);
		in = ike_inst_alloc(npol);
		if (!in)
			return ERR_NOMEM;
		in->trap = true;
		in->out = !sa.inbound;
		in->reqid = t->reqid;
		in->proto = xp;
		in->src = sa.src;
		in->dst = sa.dst;
		memcpy(in->pol, pol, npol * sizeof(pol[0]));
		if ((r = ike_inst_add(io->inst, in))) {
			log_error(LOG_IKE, "trap %s/%s: %s", t->conn_name, t->child_name,
				  err_str(r));
			free(in);
			return r;
		}
		if (install_policies(io, in, "trap policy")) {
			uninstall(io, in);
			return ERR_INVAL;
		}
	}
	log_info(LOG_IKE, "trap %s/%s{%u} installed in the data plane", t->conn_name, t->child_name,
		 t->reqid);
	return 0;
}

static void trap_uninstall_cb(void *ctx, uint32_t reqid)
{
	struct ike_io *io = ctx;

	if (!io)
		return;
	for (struct ike_inst *in = ike_inst_reqid(io->inst, reqid), *next; in; in = next) {
		next = in->rnext;
		if (in->trap && in->reqid == reqid)
			uninstall(io, in);
	}
}

static void child_updown_cb(void *ctx, const struct ike_updown *u)
{
	struct ike_io *io = ctx;

	if (io && io->updown)
		updown_child(io->updown, u, loop_now_ms());
}

/* ctl_expire_fn: a lifetime event of a state; the engine handles those of its Child SAs. */
static int expire_cb(void *ctx, const struct ctl_expiry *x)
{
	struct ike_io *io = ctx;
	bool hard = x->events & CTL_EV_HARD;
	struct ike_inst *in = ike_inst_find(io->inst, x->proto, x->spi, &x->dst);

	if (in) {
		log_info(LOG_IKE, "Child SA #%u %s SPI 0x%08x reached its %s lifetime (%s)",
			 in->child_id, x->dir == XFRM_DIR_IN ? "in" : "out", x->spi,
			 hard ? "hard" : "soft", hard ? "deleting it" : "rekeying it");
		if (ike_engine_child_expired(io->eng, loop_now_ms(), in->child_id, hard))
			log_info(LOG_IKE, "Child SA #%u is already gone", in->child_id);
		return 0;
	}
	return ERR_NOTFOUND;
}

static void expire_scan(struct ike_io *io, uint64_t now_ms)
{
	ctl_cmds_expire(io->cmds, dataplane_now_s(), expire_cb, io);
	io->next_expire_ms = now_ms + 1000;
}

/* The data plane's workers saw a packet cross a lifetime. */
static void on_dp_event(void *ctx, int fd, uint32_t events)
{
	struct ike_io *io = ctx;
	uint64_t v;
	(void)events;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already cleared */
	}
	expire_scan(io, loop_now_ms());
	ike_io_tick(io, loop_now_ms());
}

/* The peer's address or port changed (ike/nat.h): every state of reqid moves in place (the
 * data plane swaps each SA's outer path atomically for its workers), with the templates of its
 * policies and our records of them. A change of encapsulation cannot be made in place: the
 * engine then rekeys the Child SA onto the new path. */
static int child_update_cb(void *ctx, uint32_t reqid, const struct ike_path *path, bool encap)
{
	struct ike_io *io = ctx;
	char r[ADDR_STRLEN];
	size_t moved = 0;
	int rc;

	rc = ctl_cmds_move_reqid(io->cmds, reqid, &path->local, path->local_port, &path->remote,
				 path->remote_port, encap, &moved);
	if (rc) {
		log_warn(LOG_IKE, "Child SAs of reqid %u cannot move to %s[%u]: %s", reqid,
			 addr_str(&path->remote, r, sizeof(r)), path->remote_port, err_str(rc));
		return rc;
	}
	for (struct ike_inst *in = ike_inst_reqid(io->inst, reqid); in; in = in->rnext) {
		bool out;
		if (in->reqid != reqid)
			continue;
		out = in->out;
		in->src = out ? path->local : path->remote;
		in->dst = out ? path->remote : path->local;
		for (size_t j = 0; j < in->npol; j++) {
			if (!in->pol[j].tmpl.has_addrs)
				continue;
			in->pol[j].tmpl.src = in->src;
			in->pol[j].tmpl.dst = in->dst;
		}
	}
	log_info(LOG_IKE, "Child SAs of reqid %u moved to %s[%u] (%zu SAs)", reqid,
		 addr_str(&path->remote, r, sizeof(r)), path->remote_port, moved);
	return 0;
}

static void event_cb(void *ctx, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		     const char *msg)
{
	struct ike_io *io = ctx;

	/* the engine logs every event itself */
	ike_ctl_event(&io->ctl, id, child_id, kind, msg);
}

static const struct ike_callbacks callbacks = {
    .send = send_cb,
    .child_install = child_install_cb,
    .child_delete = child_delete_cb,
    .child_update = child_update_cb,
    .send_keepalive = keepalive_cb,
    .event = event_cb,
    .trap_install = trap_install_cb,
    .trap_uninstall = trap_uninstall_cb,
    .child_updown = child_updown_cb,
};

/* ike_ctl_traffic_fn: a Child SA direction's counters, from the state the data plane keys by
 * (destination, protocol, SPI) - the inbound SA's destination is us. */
static int traffic_cb(void *ctx, const struct ike_sa_info *sa, const struct ike_child_info *ch,
		      bool in, struct ike_ctl_traffic *out)
{
	struct ike_io *io = ctx;
	struct ctl_sa_counters ctr;
	uint64_t last = 0, now = dataplane_now_s();
	int r = ctl_cmds_counters(io->cmds, in ? &sa->path.local : &sa->path.remote,
				  ch->proto == IKEV2_PROTO_AH ? IPPROTO_AH : IPPROTO_ESP,
				  in ? ch->spi_in : ch->spi_out, &ctr, &last);

	if (r)
		return r;
	out->bytes = ctr.bytes;
	out->packets = ctr.packets;
	out->used = last != 0;
	out->idle_s = last && now > last ? now - last : 0;
	return 0;
}

static void stats_cb(void *ctx, struct ctl_reply *rep)
{
	struct ike_io *io = ctx;

	ike_ctl_stats(&io->ctl, rep);
}

/* ---- configuration ------------------------------------------------------------------------ */

static void report_cfg(void *ctx, const char *msg)
{
	(void)ctx;
	log_error(LOG_CFG, "%s", msg);
}

static int load_config(const char *path, struct swanctl_config **out)
{
	struct conf *c = NULL;
	char err[CONF_ERR_LEN], dir[PATH_MAX];
	int r;

	r = conf_parse_file(path, 0, &c, err, sizeof(err));
	if (r) {
		log_error(LOG_CFG, "%s", err);
		return ERR_INVAL;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	r = swanctl_load(conf_root(c), dirname(dir), report_cfg, NULL, out);
	conf_free(c);
	return r;
}

int ike_io_check(const char *path, size_t *nconns)
{
	struct swanctl_config *cfg = NULL;
	struct ike_engine *e = NULL;
	int r = load_config(path, &cfg);

	if (r)
		return r;
	/* The engine's own checks (a connection it cannot run) are part of validation. */
	e = ike_engine_new(&callbacks, NULL);
	if (!e) {
		r = ERR_NOMEM;
		goto out;
	}
	r = ike_engine_set_config(e, cfg->conns, cfg->nconns, cfg->secrets);
	if (r == 0)
		cfg->secrets = NULL; /* the engine owns them now */
	*nconns = cfg->nconns;
out:
	ike_engine_free(e);
	swanctl_config_free(cfg);
	return r;
}

static int apply_config(struct ike_io *io)
{
	struct swanctl_config *cfg = NULL;
	int r = load_config(io->path, &cfg);

	if (r)
		return r;
	r = ike_engine_set_config(io->eng, cfg->conns, cfg->nconns, cfg->secrets);
	if (r) {
		swanctl_config_free(cfg);
		return r;
	}
	cfg->secrets = NULL; /* owned by the engine */
	swanctl_config_free(io->cfg);
	io->cfg = cfg;
	log_info(LOG_IKE, "loaded %zu connection%s from %s", cfg->nconns,
		 cfg->nconns == 1 ? "" : "s", io->path);
	return 0;
}

int ike_io_reload(struct ike_io *io)
{
	int r = apply_config(io);

	/* start_action of new or changed connections; SAs of removed/changed ones with start
	 * closed (strongSwan's load-conns) */
	if (r == 0) {
		ike_engine_start_actions(io->eng, loop_now_ms());
		ike_io_tick(io, loop_now_ms());
	}
	return r;
}

/* ---- receiving ---------------------------------------------------------------------------- */

static void input(struct ike_io *io, const struct ike_path *path, const uint8_t *data, size_t len)
{
	ike_engine_input(io->eng, loop_now_ms(), path, data, len);
	ike_io_tick(io, loop_now_ms());
}

static void on_udp500(void *ctx, int fd, uint32_t events)
{
	struct ike_io *io = ctx;
	(void)events;

	for (int budget = 0; budget < 64; budget++) {
		struct sockaddr_storage ss;
		struct iovec iov = {.iov_base = io->rxbuf, .iov_len = IKE_MAX_MSG};
		char cbuf[256];
		struct msghdr mh = {.msg_name = &ss,
				    .msg_namelen = sizeof(ss),
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct ike_path path;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		memset(&path, 0, sizeof(path));
		if (addr_from_sockaddr((struct sockaddr *)&ss, mh.msg_namelen, &path.remote,
				       &path.remote_port))
			continue;
		path.local_port = IKE_PORT;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
				struct in_pktinfo pi;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				addr_from_bytes(&path.local, AF_INET, &pi.ipi_addr, 4);
			} else if (cm->cmsg_level == IPPROTO_IPV6 &&
				   cm->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
				addr_from_bytes(&path.local, AF_INET6, &pi.ipi6_addr, 16);
			}
		}
		input(io, &path, io->rxbuf, (size_t)n);
	}
}

/* The workers saw ESP in UDP of reqid authenticate from a new address or port (ESP_EV_MAPPING,
 * rate-limited per SA): the engine decides whether the SA follows (ike/nat.h). */
static void mapping(struct ike_io *io, const struct dp_ike_hdr *h)
{
	char r[ADDR_STRLEN];
	int rc =
	    ike_engine_peer_moved(io->eng, loop_now_ms(), h->reqid, &h->remote, h->remote_port);

	log_info(LOG_IKE, "ESP of reqid %u from %s[%u]: %s", h->reqid,
		 addr_str(&h->remote, r, sizeof(r)), h->remote_port,
		 rc == 0 ? "peer followed"
		 : rc == ERR_BADSTATE
		     ? "not followed (no NAT on the peer's side, or we are behind one)"
		     : err_str(rc));
	ike_io_tick(io, loop_now_ms());
}

/* IKE datagrams from port 4500, handed over by the data plane's workers. */
static void on_handoff(void *ctx, int fd, uint32_t events)
{
	struct ike_io *io = ctx;
	(void)events;

	for (int budget = 0; budget < 64; budget++) {
		struct dp_ike_hdr h;
		ssize_t n = recv(fd, io->rxbuf, sizeof(io->rxbuf), MSG_DONTWAIT);
		struct ike_path path;

		if (n < 0)
			return;
		if ((size_t)n < sizeof(h))
			continue;
		memcpy(&h, io->rxbuf, sizeof(h));
		if (h.kind == DP_IKE_MAPPING) {
			mapping(io, &h);
			continue;
		}
		if (h.acquire) {
			char s[ADDR_STRLEN], d[ADDR_STRLEN];
			log_debug(LOG_IKE, "acquire for reqid %u (%s -> %s)", h.acquire,
				  addr_str(&h.local, s, sizeof(s)),
				  addr_str(&h.remote, d, sizeof(d)));
			ike_engine_acquire_packet(io->eng, loop_now_ms(), h.acquire, &h.local,
						  &h.remote);
			ike_io_tick(io, loop_now_ms());
			continue;
		}
		memset(&path, 0, sizeof(path));
		path.local = h.local;
		path.remote = h.remote;
		path.local_port = h.local_port;
		path.remote_port = h.remote_port;
		input(io, &path, io->rxbuf + sizeof(h), (size_t)n - sizeof(h));
	}
}

/* mark: the data plane's fwmark (0: none), so IKE bypasses Rampart's routing table like the
 * data plane's own sockets: a policy between the IKE peers themselves (transport mode, a trap)
 * must not swallow IKE (strongSwan installs socket bypass policies for the same reason). */
static int open500(int family, uint32_t mark)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	struct addr any;
	int one = 1;
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return -1;
	addr_zero(&any, family);
	addr_to_sockaddr(&any, IKE_PORT, &ss, &sl);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
		log_warn(LOG_IKE, "SO_MARK on the IKE socket: %s", strerror(errno));
	if (family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, sl)) {
		log_warn(LOG_IKE, "bind UDP %u (%s): %s", IKE_PORT,
			 family == AF_INET6 ? "IPv6" : "IPv4", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Wall-clock minus monotonic time: certificate validity is judged in wall-clock time. */
static int64_t wall_offset_ms(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return ((int64_t)rt.tv_sec - (int64_t)mono.tv_sec) * 1000 +
	       ((int64_t)rt.tv_nsec - (int64_t)mono.tv_nsec) / 1000000;
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

void ike_io_set_keepalive(struct ike_io *io, uint32_t seconds)
{
	ike_engine_set_keepalive(io->eng, seconds * 1000);
}

int ike_io_set_retransmit(struct ike_io *io, uint32_t timeout_ms, unsigned base_x10, unsigned tries)
{
	return ike_engine_set_retransmit(io->eng, timeout_ms, base_x10, tries);
}

static void on_addr_change(void *ctx, enum netmon_event ev, const struct netmon_addr *a);

int ike_io_new(struct ike_io **out, struct loop *loop, struct ctl_cmds *cmds, struct dataplane *dp,
	       const char *path)
{
	struct ike_io *io = calloc(1, sizeof(*io));
	int r = ERR_NOMEM;

	if (!io)
		return ERR_NOMEM;
	io->loop = loop;
	io->cmds = cmds;
	io->dp = dp;
	io->udp500[0] = io->udp500[1] = io->handoff[0] = io->handoff[1] = -1;
	io->event_fd = -1;
	io->deadline = UINT64_MAX;
	snprintf(io->path, sizeof(io->path), "%s", path);
	if (updown_new(&io->updown) || ike_inst_table_new(&io->inst))
		goto fail;
	updown_set_netmon(io->updown, cmds->nm);
	if (cmds->nm && netmon_watch(cmds->nm, on_addr_change, io) != 0)
		log_warn(LOG_IKE, "MOBIKE: address changes not watched (too many watchers)");
	io->eng = ike_engine_new(&callbacks, io);
	if (!io->eng)
		goto fail;
	ike_ctl_init(&io->ctl, io->eng);
	io->ctl.traffic = traffic_cb;
	io->ctl.traffic_ctx = io;
	cmds->stats_extra = stats_cb;
	cmds->stats_ctx = io;
	ike_engine_set_wall_offset(io->eng, wall_offset_ms());
	r = apply_config(io);
	if (r)
		goto fail;
	r = ERR_IO;
	io->udp500[0] = open500(AF_INET, dp ? dataplane_fwmark(dp) : 0);
	io->udp500[1] = open500(AF_INET6, dp ? dataplane_fwmark(dp) : 0);
	if (io->udp500[0] < 0 && io->udp500[1] < 0)
		goto fail;
	for (int i = 0; i < 2; i++)
		if (io->udp500[i] >= 0 && loop_add(loop, io->udp500[i], EPOLLIN, on_udp500, io))
			goto fail;
	if (dp) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, io->handoff))
			goto fail;
		if (loop_add(loop, io->handoff[0], EPOLLIN, on_handoff, io))
			goto fail;
		dataplane_set_ike_fd(dp, io->handoff[1]);
		if (loop_add(loop, dataplane_event_fd(dp), EPOLLIN, on_dp_event, io))
			goto fail;
		io->event_fd = dataplane_event_fd(dp);
	}
	ctl_cmds_flush(cmds); /* traps installed with the configuration */
	*out = io;
	return 0;
fail:
	ike_io_free(io);
	return r;
}

void ike_io_start(struct ike_io *io)
{
	/* start_action = start (and trap|start) of every connection */
	ike_engine_start_actions(io->eng, loop_now_ms());
	ike_io_tick(io, loop_now_ms());
}

void ike_io_free(struct ike_io *io)
{
	if (!io)
		return;
	if (io->dp)
		dataplane_set_ike_fd(io->dp, -1);
	if (io->event_fd >= 0)
		loop_del(io->loop, io->event_fd);
	for (int i = 0; i < 2; i++) {
		if (io->udp500[i] >= 0) {
			loop_del(io->loop, io->udp500[i]);
			close(io->udp500[i]);
		}
		if (io->handoff[i] >= 0) {
			if (i == 0)
				loop_del(io->loop, io->handoff[i]);
			close(io->handoff[i]);
		}
	}
	if (io->cmds && io->cmds->stats_ctx == io)
		io->cmds->stats_extra = NULL;
	if (io->cmds && io->cmds->nm)
		netmon_unwatch(io->cmds->nm, on_addr_change, io);
	ike_engine_free(io->eng);
	swanctl_config_free(io->cfg);
	updown_free(io->updown);
	ike_inst_table_free(io->inst);
	free(io);
}

void ike_io_tick(struct ike_io *io, uint64_t now_ms)
{
	if (now_ms >= io->next_expire_ms)
		expire_scan(io, now_ms); /* time limits of manual states; last-use bookkeeping */
	if (ike_engine_next_deadline(io->eng) <= now_ms)
		ike_engine_timeout(io->eng, now_ms);
	updown_poll(io->updown, now_ms);
	ctl_cmds_flush(io->cmds);
}

/* MOBIKE (RFC 4555 §3.5): an address of ours came, went or finished DAD. The IKE SAs we
 * initiated with MOBIKE whose kernel source toward the peer changed move and tell the peer
 * (daemon/ike_roam.h); one whose address went without a replacement waits for the next change. */
static void on_addr_change(void *ctx, enum netmon_event ev, const struct netmon_addr *a)
{
	struct ike_io *io = ctx;
	char s[ADDR_STRLEN];
	size_t n;

	n = ike_roam(io->eng, loop_now_ms(), io->dp ? dataplane_fwmark(io->dp) : 0, 0, NULL, false,
		     NULL, 0);
	if (n)
		log_info(LOG_IKE, "address %s %s: %zu IKE_SA%s moved (MOBIKE)",
			 addr_str(&a->addr, s, sizeof(s)),
			 ev == NETMON_ADDR_ADD	 ? "added"
			 : ev == NETMON_ADDR_DEL ? "removed"
						 : "changed",
			 n, n == 1 ? "" : "s");
	ike_io_tick(io, loop_now_ms());
}

/* ---- control commands --------------------------------------------------------------------- */

/* mobike [ID|all [ADDR]]: IKE SAs with MOBIKE that we initiated move to where the kernel routes
 * to their peer now (or to ADDR) and send UPDATE_SA_ADDRESSES (RFC 4555 §3.5); with an ID the
 * update goes out even when the address stays. */
static void cmd_mobike(struct ike_io *io, const struct ctlmsg_request *req, struct ctl_reply *rep)
{
	unsigned long id = 0;
	struct addr a;
	char msg[2048];
	size_t n;

	if (req->argc >= 2 && strcmp(req->argv[1], "all") != 0) {
		char *end;
		id = strtoul(req->argv[1], &end, 10);
		if (*end || id == 0 || id > UINT32_MAX) {
			ctl_reply_error(rep, "usage: mobike [ID|all [ADDR]]");
			return;
		}
	}
	if (req->argc == 3 && addr_parse(req->argv[2], &a, NULL, 0) != 0) {
		ctl_reply_error(rep, "mobike: not an address");
		return;
	}
	n = ike_roam(io->eng, loop_now_ms(), io->dp ? dataplane_fwmark(io->dp) : 0, (uint32_t)id,
		     req->argc == 3 ? &a : NULL, id != 0, msg, sizeof(msg));
	if (rep->json)
		ctl_reply_printf(rep, "{\"updates\":%zu}\n", n);
	else
		ctl_reply_printf(rep, "%s%zu address update%s started\n", msg, n,
				 n == 1 ? "" : "s");
}

void ike_io_handle(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep)
{
	struct ike_io *io = ctx;

	if (req->argc >= 1 && strcmp(req->argv[0], "reload") == 0 && req->argc == 1) {
		if (ike_io_reload(io))
			ctl_reply_error(rep, "reload failed: the configuration has errors (see "
					     "the log); the previous configuration stays");
		else
			ctl_reply_printf(
			    rep, rep->json ? "{\"reloaded\":%zu}\n" : "reloaded %zu connections\n",
			    io->cfg->nconns);
		return;
	}
	if (req->argc >= 1 && req->argc <= 3 && strcmp(req->argv[0], "mobike") == 0) {
		cmd_mobike(io, req, rep);
		ctl_cmds_flush(io->cmds); /* Child SAs moved */
		ike_io_tick(io, loop_now_ms());
		return;
	}
	if (ike_ctl_handle(&io->ctl, io->cfg, loop_now_ms(), req, rep)) {
		ctl_cmds_flush(io->cmds); /* up, down: Child SAs installed or removed */
		return;
	}
	ctl_cmds_handle(io->cmds, req, rep);
	ike_io_tick(io, loop_now_ms());
}
