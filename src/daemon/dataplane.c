#include "daemon/dataplane.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/netmon.h"
#include "daemon/rtnl.h"
#include "daemon/tun.h"
#include "daemon/worker.h"
#include "esp/esp.h"
#include "esp/sa.h"
#include "esp/sad.h"
#include "esp/spd.h"
#include "lib/err.h"
#include "lib/log.h"

#define DP_REQID_BASE 0x80000000u /* internal reqids of outbound SAs */
#define DP_REQID_NONE 0xffffffffu /* a template no SA matches */
#define DP_SOCKBUF    (4 << 20)
#define DP_OUTER_MTU  1500

struct dp_route {
	struct prefix dst;
	struct addr src;
};

/* Outbound SAs alike for every template - the same (reqid, src, dst, proto, mode) - share one
 * internal reqid. The SAD gives the newest SA of a reqid, which is then the newest state that
 * any template matching one of them matches (RFC 4301 §4.4.1.2 as resolve_out does it), so
 * adding or removing such an SA (a new Child SA of the same peers, a rekey) moves no template
 * and the SPD is not rebuilt. A group whose states moved (NAT, MOBIKE) leaves the index: new
 * states start a new group. */
struct dp_group {
	uint32_t id; /* the internal reqid */
	unsigned long refs;
	bool keyed; /* in the index */
	uint8_t proto, mode;
	uint32_t reqid;
	struct addr src, dst;
	struct dp_group *next; /* index chain */
};

struct dataplane {
	const struct daemon_config *cfg;
	struct tun tun;
	struct rtnl nl;
	bool rule[2];
	struct dp_shared sh;
	uint32_t next_reqid;
	struct dp_group **groups; /* index by key, gmask + 1 heads */
	size_t gmask, ngroups;
	struct dp_route *routes;
	size_t n_routes;
	uint64_t routes_gen; /* db->policy_gen the routes were made from */
	/* The published SPD: made from db->policy_gen spd_gen, with resolved[] the internal reqid
	 * each outbound protect policy resolved to (in policy order). */
	bool spd_valid;
	uint64_t spd_gen;
	uint32_t *resolved;
	size_t n_resolved, resolved_cap;
	bool started;
	const struct netmon *nm;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void sockbuf(int fd, int opt_force, int opt)
{
	int v = DP_SOCKBUF;

	if (setsockopt(fd, SOL_SOCKET, opt_force, &v, sizeof(v)))
		setsockopt(fd, SOL_SOCKET, opt, &v, sizeof(v));
}

static int open_sockets(struct dataplane *dp)
{
	static const int fams[2] = {AF_INET, AF_INET6};
	static const int protos[2] = {IPPROTO_ESP, IPPROTO_AH};
	uint32_t mark = dp->cfg->fwmark;
	int one = 1;

	for (int f = 0; f < 2; f++) {
		int fd = socket(fams[f], SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
		if (fd < 0) {
			log_warn(LOG_DAEMON, "raw socket (%s): %s", f ? "IPv6" : "IPv4",
				 strerror(errno));
			continue;
		}
		if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)))
			log_warn(LOG_DAEMON, "SO_MARK: %s", strerror(errno));
		sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
		dp->sh.raw_out[f] = fd;
		for (int p = 0; p < 2; p++) {
			fd = socket(fams[f], SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protos[p]);
			if (fd < 0)
				continue;
			sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
			if (f) {
				setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
				setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one));
			}
			dp->sh.raw_in[f * 2 + p] = fd;
		}
		fd = socket(fams[f], SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		struct sockaddr_storage ss;
		socklen_t sl;
		struct addr any;
		addr_zero(&any, fams[f]);
		addr_to_sockaddr(&any, ESP_ENCAP_PORT, &ss, &sl);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
		if (f) {
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
			setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
		} else {
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
		}
		sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
		sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF); /* daemon/udptx.h trains */
		/* coalesced datagrams (UDP GRO, Linux 5.0): the workers split them */
		setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss, sl)) {
			log_warn(LOG_DAEMON, "bind UDP %u (%s): %s", ESP_ENCAP_PORT,
				 f ? "IPv6" : "IPv4", strerror(errno));
			close(fd);
			continue;
		}
		dp->sh.udp_in[f] = fd;
	}
	if (dp->sh.raw_out[0] < 0 && dp->sh.raw_out[1] < 0) {
		log_error(LOG_DAEMON, "no raw socket: rampartd needs CAP_NET_RAW");
		return ERR_IO;
	}
	return 0;
}

static uint32_t rule_pref(const struct daemon_config *cfg)
{
	return cfg->table < 32000 ? cfg->table : 220;
}

int dataplane_new(struct dataplane **out, const struct daemon_config *cfg)
{
	struct dataplane *dp = calloc(1, sizeof(*dp));
	int r = ERR_IO;

	if (!dp)
		return ERR_NOMEM;
	dp->cfg = cfg;
	dp->tun.fd = -1;
	dp->nl.fd = -1;
	dp->next_reqid = DP_REQID_BASE;
	for (int i = 0; i < 2; i++)
		dp->sh.raw_out[i] = dp->sh.udp_in[i] = -1;
	atomic_store(&dp->sh.ike_fd, -1);
	for (int i = 0; i < 4; i++)
		dp->sh.raw_in[i] = -1;
	dp->sh.stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	dp->sh.event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	dp->sh.nthreads = cfg->workers >= 2 ? 2 : 1;
	dp->sh.buf_size =
	    ESP_HEADROOM + (cfg->mtu > DP_OUTER_MTU ? cfg->mtu : DP_OUTER_MTU) + ESP_TAILROOM + 256;
	dp->sh.tun = &dp->tun;
	dp->sh.sad = esp_sad_new();
	dp->gmask = 63;
	dp->groups = calloc(dp->gmask + 1, sizeof(*dp->groups));
	if (dp->sh.stop_fd < 0 || dp->sh.event_fd < 0 || !dp->sh.sad || !dp->groups) {
		r = ERR_NOMEM;
		goto out;
	}
	if ((r = tun_open(&dp->tun, cfg->tun, cfg->offload)))
		goto out;
	if ((r = rtnl_open(&dp->nl))) {
		log_error(LOG_DAEMON, "rtnetlink: %s", strerror(errno));
		goto out;
	}
	if ((r = rtnl_link_up(&dp->nl, dp->tun.ifindex, cfg->mtu))) {
		log_error(LOG_DAEMON, "bringing %s up: %s", dp->tun.name, strerror(errno));
		goto out;
	}
	for (int f = 0; f < 2; f++) {
		int fam = f ? AF_INET6 : AF_INET;
		int rr = rtnl_rule(&dp->nl, true, fam, rule_pref(cfg), cfg->fwmark, cfg->table);
		if (rr && errno != EEXIST) {
			log_warn(LOG_DAEMON, "ip rule (%s): %s", f ? "IPv6" : "IPv4",
				 strerror(errno));
			continue;
		}
		dp->rule[f] = rr == 0;
	}
	if ((r = open_sockets(dp)))
		goto out;
	*out = dp;
	dp = NULL;
	r = 0;
out:
	dataplane_free(dp);
	return r;
}

void dataplane_set_netmon(struct dataplane *dp, const struct netmon *nm)
{
	dp->nm = nm;
}

int dataplane_start(struct dataplane *dp)
{
	int r = dp_workers_start(&dp->sh);

	dp->started = true;
	if (r)
		log_error(LOG_DAEMON, "starting the data-plane workers: %s", err_str(r));
	else
		log_info(LOG_DAEMON, "data plane: %u worker thread%s", dp->sh.nthreads,
			 dp->sh.nthreads == 1 ? "" : "s");
	return r;
}

static void routes_clear(struct dataplane *dp)
{
	for (size_t i = 0; i < dp->n_routes; i++)
		rtnl_route(&dp->nl, false, &dp->routes[i].dst, dp->tun.ifindex, dp->cfg->table,
			   NULL);
	dp->n_routes = 0;
}

void dataplane_free(struct dataplane *dp)
{
	if (!dp)
		return;
	if (dp->started)
		dp_workers_stop(&dp->sh);
	if (dp->nl.fd >= 0) {
		routes_clear(dp);
		for (int f = 0; f < 2; f++)
			if (dp->rule[f])
				rtnl_rule(&dp->nl, false, f ? AF_INET6 : AF_INET,
					  rule_pref(dp->cfg), dp->cfg->fwmark, dp->cfg->table);
	}
	rtnl_close(&dp->nl);
	tun_close(&dp->tun);
	for (int i = 0; i < 2; i++) {
		close_fd(&dp->sh.raw_out[i]);
		close_fd(&dp->sh.udp_in[i]);
	}
	for (int i = 0; i < 4; i++)
		close_fd(&dp->sh.raw_in[i]);
	close_fd(&dp->sh.stop_fd);
	close_fd(&dp->sh.event_fd);
	esp_spd_free(atomic_load(&dp->sh.spd));
	esp_sad_free(dp->sh.sad);
	free(dp->routes);
	free(dp->resolved);
	for (size_t i = 0; dp->groups && i <= dp->gmask; i++) {
		while (dp->groups[i]) {
			struct dp_group *g = dp->groups[i];
			dp->groups[i] = g->next;
			free(g);
		}
	}
	free(dp->groups);
	free(dp);
}

int dataplane_udp4500_fd(const struct dataplane *dp, int v6)
{
	return dp->sh.udp_in[v6 ? 1 : 0];
}

uint32_t dataplane_fwmark(const struct dataplane *dp)
{
	return dp->cfg->fwmark;
}

void dataplane_set_ike_fd(struct dataplane *dp, int fd)
{
	atomic_store(&dp->sh.ike_fd, fd);
}

int dataplane_event_fd(const struct dataplane *dp)
{
	return dp->sh.event_fd;
}

uint64_t dataplane_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec;
}

void dataplane_tick(struct dataplane *dp, uint64_t now_ms)
{
	(void)dp;
	(void)now_ms;
}

/* --- states --- */

static unsigned key_bits(const struct xfrm_key_alg *k)
{
	/* AES modes are keyed by size; NULL, 3DES and ChaCha20-Poly1305 have one size. */
	switch (k->alg->ikev2_id) {
	case 3:	 /* ENCR_3DES */
	case 11: /* ENCR_NULL */
	case 28: /* ENCR_CHACHA20_POLY1305 */
		return 0;
	default:
		return (unsigned)(k->key->len - k->alg->salt_len) * 8;
	}
}

static size_t group_slot(size_t mask, const struct xfrm_state_spec *s)
{
	uint64_t w[4], h;

	memcpy(w, s->src.bytes, 16);
	memcpy(w + 2, s->dst.bytes, 16);
	h = ((uint64_t)s->reqid << 16 | (uint64_t)s->proto << 8 | (uint64_t)s->mode) ^
	    ((uint64_t)s->src.family << 56);
	for (int i = 0; i < 4; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
	return (size_t)(h ^ (h >> 29)) & mask;
}

static bool group_is(const struct dp_group *g, const struct xfrm_state_spec *s)
{
	return g->reqid == s->reqid && g->proto == s->proto && g->mode == s->mode &&
	       addr_equal(&g->src, &s->src) && addr_equal(&g->dst, &s->dst);
}

static void groups_grow(struct dataplane *dp)
{
	size_t n = (dp->gmask + 1) * 2;
	struct dp_group **h = calloc(n, sizeof(*h));

	if (!h)
		return; /* longer chains */
	for (size_t i = 0; i <= dp->gmask; i++) {
		while (dp->groups[i]) {
			struct dp_group *g = dp->groups[i], **b;
			struct xfrm_state_spec k;
			dp->groups[i] = g->next;
			memset(&k, 0, sizeof(k));
			k.reqid = g->reqid;
			k.proto = g->proto;
			k.mode = g->mode;
			k.src = g->src;
			k.dst = g->dst;
			b = &h[group_slot(n - 1, &k)];
			g->next = *b;
			*b = g;
		}
	}
	free(dp->groups);
	dp->groups = h;
	dp->gmask = n - 1;
}

/* The group of outbound state s (made when new), with a reference taken; NULL: no memory. */
static struct dp_group *group_get(struct dataplane *dp, const struct xfrm_state_spec *s)
{
	struct dp_group **h = &dp->groups[group_slot(dp->gmask, s)], *g;

	for (g = *h; g; g = g->next)
		if (group_is(g, s))
			break;
	if (!g) {
		g = calloc(1, sizeof(*g));
		if (!g)
			return NULL;
		g->id = dp->next_reqid++;
		if (dp->next_reqid == DP_REQID_NONE)
			dp->next_reqid = DP_REQID_BASE;
		g->keyed = true;
		g->reqid = s->reqid;
		g->proto = s->proto;
		g->mode = (uint8_t)s->mode;
		g->src = s->src;
		g->dst = s->dst;
		g->next = *h;
		*h = g;
		if (++dp->ngroups > dp->gmask)
			groups_grow(dp);
	}
	g->refs++;
	return g;
}

static void group_unkey(struct dataplane *dp, struct dp_group *g)
{
	struct xfrm_state_spec k;
	struct dp_group **pp;

	if (!g->keyed)
		return;
	memset(&k, 0, sizeof(k));
	k.reqid = g->reqid;
	k.proto = g->proto;
	k.mode = g->mode;
	k.src = g->src;
	k.dst = g->dst;
	for (pp = &dp->groups[group_slot(dp->gmask, &k)]; *pp && *pp != g; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = g->next;
	g->keyed = false;
	dp->ngroups--;
}

static void group_put(struct dataplane *dp, struct dp_group *g)
{
	if (!g || --g->refs)
		return;
	group_unkey(dp, g);
	free(g);
}

static int dp_state_add(void *ctx, struct xfrm_db_state *st)
{
	struct dataplane *dp = ctx;
	const struct xfrm_state_spec *s = &st->spec;
	struct esp_sa_cfg c;
	struct esp_sa *sa = NULL;
	int r;

	memset(&c, 0, sizeof(c));
	c.spi = s->spi;
	c.proto = s->proto;
	c.mode = s->mode == XFRM_MODE_TUNNEL ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
	c.dir = st->dir == XFRM_DIR_OUT ? ESP_DIR_OUT : ESP_DIR_IN;
	c.esn = s->esn;
	c.reqid = s->reqid;
	if (st->dir == XFRM_DIR_OUT) {
		struct dp_group *g = group_get(dp, s);
		if (!g)
			return ERR_NOMEM;
		st->dp_group = g;
		c.reqid = g->id;
	}
	c.src = s->src;
	c.dst = s->dst;
	if (s->aead.alg) {
		c.encr_id = xfrm_alg_ikev2_id(s->aead.alg, s->aead.icv_bits);
		c.encr_key_bits = (uint16_t)key_bits(&s->aead);
		c.encr_key = s->aead.key->p;
		c.encr_key_len = s->aead.key->len;
	} else if (s->enc.alg) {
		c.encr_id = xfrm_alg_ikev2_id(s->enc.alg, 0);
		c.encr_key_bits = (uint16_t)key_bits(&s->enc);
		c.encr_key = s->enc.key->p;
		c.encr_key_len = s->enc.key->len;
	}
	if (s->auth.alg) {
		c.integ_id = xfrm_alg_ikev2_id(s->auth.alg, s->auth.icv_bits);
		c.integ_key = s->auth.key->p;
		c.integ_key_len = s->auth.key->len;
	}
	c.replay_window = s->replay_window;
	c.encap = s->encap;
	c.encap_sport = s->encap_sport;
	c.encap_dport = s->encap_dport;
	if (s->encap && !addr_is_zero(&s->encap_oa)) {
		if (st->dir == XFRM_DIR_IN)
			c.oa_src = s->encap_oa;
		else
			c.oa_dst = s->encap_oa;
	}
	c.soft.bytes = s->lft.byte_soft;
	c.hard.bytes = s->lft.byte_hard;
	c.soft.packets = s->lft.packet_soft;
	c.hard.packets = s->lft.packet_hard;
	if (s->lft.time_soft || s->lft.time_hard) {
		uint64_t now = dataplane_now_s();
		c.soft.expires = s->lft.time_soft ? now + s->lft.time_soft : 0;
		c.hard.expires = s->lft.time_hard ? now + s->lft.time_hard : 0;
	}
	c.mtu = s->mode == XFRM_MODE_TUNNEL ? DP_OUTER_MTU : 0;
	/* TFC padding (RFC 4303 §2.7) of inner packets, at most up to the TUN MTU (the largest
	 * inner packet), as the kernel caps tfcpad at the state's MTU */
	if (s->tfcpad && s->mode == XFRM_MODE_TUNNEL && st->dir == XFRM_DIR_OUT)
		c.tfc_pad = (uint16_t)(s->tfcpad < dp->cfg->mtu ? s->tfcpad : dp->cfg->mtu);
	esp_sel_any(&c.sel, 0);
	/* The SA keeps only its keys; each worker keys contexts in its cache (esp/ctxcache.h):
	 * an AES-GCM context is over 1 KiB of OpenSSL state, beyond an SA's budget. */
	c.ctx_cache = true;
	r = esp_sa_new(&c, &sa);
	if (r) {
		log_warn(LOG_DAEMON, "esp_sa_new spi 0x%08x: %s", s->spi, err_str(r));
		goto fail;
	}
	r = esp_sad_add(dp->sh.sad, sa);
	if (r) {
		esp_sa_put(sa);
		goto fail;
	}
	st->dp = sa; /* our reference; the SAD holds its own */
	return 0;
fail:
	group_put(dp, st->dp_group);
	st->dp_group = NULL;
	return r;
}

static void dp_state_del(void *ctx, struct xfrm_db_state *st)
{
	struct dataplane *dp = ctx;
	struct esp_sa *sa = st->dp;

	if (!sa)
		return;
	esp_sad_del(dp->sh.sad, sa);
	esp_sa_put(sa);
	st->dp = NULL;
	group_put(dp, st->dp_group);
	st->dp_group = NULL;
}

static int dp_state_move(void *ctx, struct xfrm_db_state *st)
{
	struct dataplane *dp = ctx;
	const struct xfrm_state_spec *s = &st->spec;
	struct esp_path p = {.src = s->src,
			     .dst = s->dst,
			     .sport = s->encap_sport ? s->encap_sport : ESP_ENCAP_PORT,
			     .dport = s->encap_dport ? s->encap_dport : ESP_ENCAP_PORT};

	if (!st->dp)
		return ERR_NOTFOUND;
	/* its group's key names the old addresses: new states must not join it */
	if (st->dp_group)
		group_unkey(dp, st->dp_group);
	/* the SAD takes its writer lock: an inbound SA's destination is part of its key */
	return esp_sad_set_path(dp->sh.sad, st->dp, &p);
}

static uint8_t dp_state_poll(void *ctx, const struct xfrm_db_state *st, uint64_t now_s,
			     struct ctl_sa_counters *ctr)
{
	struct esp_sa *sa = st->dp;
	struct esp_stats s;
	uint8_t ev, out = 0;
	(void)ctx;

	if (!sa)
		return 0;
	if (now_s)
		esp_sa_poll(sa, now_s);
	ev = esp_sa_events(sa);
	if (ev & ESP_EV_SOFT)
		out |= CTL_EV_SOFT;
	if (ev & ESP_EV_HARD)
		out |= CTL_EV_HARD;
	esp_sa_stats(sa, &s);
	ctr->bytes = st->dir == XFRM_DIR_OUT ? s.out_bytes : s.in_bytes;
	ctr->packets = st->dir == XFRM_DIR_OUT ? s.out_packets : s.in_packets;
	return out;
}

/* --- policies and routes --- */

static void sel_from_policy(const struct xfrm_policy_spec *p, struct esp_sel *sel)
{
	esp_sel_any(sel, p->src.addr.family);
	sel->src_len = p->src.len;
	sel->dst_len = p->dst.len;
	memcpy(sel->src, p->src.addr.bytes, 16);
	memcpy(sel->dst, p->dst.addr.bytes, 16);
	sel->proto = p->proto;
	if (p->sport)
		sel->sport_lo = sel->sport_hi = p->sport;
	if (p->dport)
		sel->dport_lo = sel->dport_hi = p->dport;
}

/* The internal reqid of the outbound SA that matches the template (RFC 4301 §4.4.1.2): the
 * newest such state. With a reqid, only that reqid's states are looked at (newest first). */
static uint32_t resolve_out(const struct xfrm_db *db, const struct xfrm_tmpl *t)
{
	const struct xfrm_db_state *st = t->reqid ? xfrm_db_state_reqid(db, t->reqid) : db->last;

	for (; st; st = t->reqid ? st->rnext : st->prev) {
		const struct xfrm_state_spec *s = &st->spec;
		if (st->dir != XFRM_DIR_OUT || !st->dp || s->proto != t->proto ||
		    s->mode != t->mode)
			continue;
		if (t->has_addrs &&
		    (!addr_equal(&s->src, &t->src) || !addr_equal(&s->dst, &t->dst)))
			continue;
		if (t->reqid && s->reqid != t->reqid)
			continue;
		return esp_sa_reqid(st->dp);
	}
	return DP_REQID_NONE;
}

/* An index of routes by destination prefix: open addressing over positions in an array
 * (stored +1, 0 empty), mask + 1 slots, at most half full. */
struct route_index {
	uint32_t *slot;
	size_t mask;
};

static int route_index_init(struct route_index *ix, size_t n)
{
	size_t size = 16;

	while (size < n * 2)
		size <<= 1;
	ix->slot = calloc(size, sizeof(*ix->slot));
	ix->mask = size - 1;
	return ix->slot ? 0 : ERR_NOMEM;
}

/* The slot of dst in ix over routes: holding its position + 1, or 0 where it would go. */
static uint32_t *route_slot(const struct route_index *ix, const struct dp_route *routes,
			    const struct prefix *dst)
{
	uint64_t w[2];
	size_t i;

	memcpy(w, dst->addr.bytes, 16);
	i = (size_t)((w[0] * 0x9e3779b97f4a7c15ull) ^ (w[1] * 0xc2b2ae3d27d4eb4full) ^
		     ((uint64_t)dst->len << 32 | dst->addr.family)) &
	    ix->mask;
	for (;; i = (i + 1) & ix->mask) {
		const struct dp_route *r;
		if (!ix->slot[i])
			return &ix->slot[i];
		r = &routes[ix->slot[i] - 1];
		if (r->dst.len == dst->len && addr_equal(&r->dst.addr, &dst->addr))
			return &ix->slot[i];
	}
}

/* Routes wanted: one per destination of an outbound protect policy. Only the differences with
 * the routes in place go to the kernel (one rtnetlink round trip each). */
static void routes_sync(struct dataplane *dp, const struct xfrm_db *db)
{
	struct dp_route *nw = NULL;
	struct route_index inew = {NULL, 0}, iold = {NULL, 0};
	size_t n = 0;

	nw = malloc((db->n_policies ? db->n_policies : 1) * sizeof(*nw));
	if (!nw || route_index_init(&inew, db->n_policies) ||
	    route_index_init(&iold, dp->n_routes)) {
		log_warn(LOG_DAEMON, "routes not updated: out of memory");
		goto out;
	}
	for (const struct xfrm_db_policy *q = db->pfirst; q; q = q->next) {
		const struct xfrm_policy_spec *p = &q->spec;
		uint32_t *sl;
		if (p->dir != XFRM_DIR_OUT || p->action != XFRM_ACTION_ALLOW || !p->tmpl.present)
			continue;
		sl = route_slot(&inew, nw, &p->dst);
		if (*sl)
			continue;
		nw[n].dst = p->dst;
		memset(&nw[n].src, 0, sizeof(nw[n].src));
		if (dp->nm)
			netmon_local_in_prefix(dp->nm, &p->src, &nw[n].src);
		*sl = (uint32_t)++n;
	}
	for (size_t i = 0; i < dp->n_routes; i++)
		*route_slot(&iold, dp->routes, &dp->routes[i].dst) = (uint32_t)(i + 1);
	/* remove routes no longer wanted */
	for (size_t i = 0; i < dp->n_routes; i++)
		if (!*route_slot(&inew, nw, &dp->routes[i].dst))
			rtnl_route(&dp->nl, false, &dp->routes[i].dst, dp->tun.ifindex,
				   dp->cfg->table, NULL);
	/* add new ones, replace those whose preferred source changed */
	for (size_t k = 0; k < n; k++) {
		char b[PREFIX_STRLEN];
		uint32_t o = *route_slot(&iold, dp->routes, &nw[k].dst);
		if (o && addr_equal(&dp->routes[o - 1].src, &nw[k].src))
			continue;
		if (rtnl_route(&dp->nl, true, &nw[k].dst, dp->tun.ifindex, dp->cfg->table,
			       nw[k].src.family ? &nw[k].src : NULL))
			log_warn(LOG_DAEMON, "route %s dev %s table %u: %s",
				 prefix_str(&nw[k].dst, b, sizeof(b)), dp->tun.name, dp->cfg->table,
				 strerror(errno));
	}
	free(dp->routes);
	dp->routes = nw;
	dp->n_routes = n;
	nw = NULL;
out:
	free(nw);
	free(inew.slot);
	free(iold.slot);
}

/* Whether the published SPD still holds: same policies, and every outbound template resolves
 * to the same SA as when it was made (a state change that moves no template changes nothing). */
static bool spd_current(const struct dataplane *dp, const struct xfrm_db *db)
{
	size_t k = 0;

	if (!dp->spd_valid || dp->spd_gen != db->policy_gen)
		return false;
	for (const struct xfrm_db_policy *q = db->pfirst; q; q = q->next) {
		const struct xfrm_policy_spec *p = &q->spec;
		if (p->dir != XFRM_DIR_OUT || p->action == XFRM_ACTION_BLOCK || !p->tmpl.present)
			continue;
		if (k >= dp->n_resolved || dp->resolved[k++] != resolve_out(db, &p->tmpl))
			return false;
	}
	return k == dp->n_resolved;
}

static int dp_policies_sync(void *ctx, const struct xfrm_db *db)
{
	struct dataplane *dp = ctx;
	struct esp_spd *spd, *old;
	size_t nres = 0;
	int r = 0;

	if (spd_current(dp, db))
		return 0;
	if (dp->resolved_cap < db->n_policies) {
		uint32_t *v = realloc(dp->resolved, db->n_policies * sizeof(*v));
		if (!v)
			return ERR_NOMEM;
		dp->resolved = v;
		dp->resolved_cap = db->n_policies;
	}
	dp->spd_valid = false;
	spd = esp_spd_new();
	if (!spd)
		return ERR_NOMEM;
	for (const struct xfrm_db_policy *q = db->pfirst; q && !r; q = q->next) {
		const struct xfrm_policy_spec *p = &q->spec;
		struct esp_policy ep;
		uint32_t id;
		memset(&ep, 0, sizeof(ep));
		ep.priority = p->priority;
		ep.dir = p->dir == XFRM_DIR_IN	  ? ESP_DIR_IN
			 : p->dir == XFRM_DIR_OUT ? ESP_DIR_OUT
						  : ESP_DIR_FWD;
		sel_from_policy(p, &ep.sel);
		if (p->action == XFRM_ACTION_BLOCK) {
			ep.action = ESP_ACTION_DISCARD;
		} else if (!p->tmpl.present) {
			ep.action = ESP_ACTION_BYPASS;
		} else {
			ep.action = ESP_ACTION_PROTECT;
			ep.tmpl.proto = p->tmpl.proto;
			ep.tmpl.mode =
			    p->tmpl.mode == XFRM_MODE_TUNNEL ? ESP_MODE_TUNNEL : ESP_MODE_TRANSPORT;
			ep.tmpl.src = p->tmpl.src;
			ep.tmpl.dst = p->tmpl.dst;
			ep.tmpl.reqid = p->tmpl.reqid;
			if (p->dir == XFRM_DIR_OUT)
				ep.tmpl.reqid = dp->resolved[nres++] = resolve_out(db, &p->tmpl);
			ep.tmpl.acq_reqid = p->dir == XFRM_DIR_OUT ? p->tmpl.reqid : 0;
		}
		r = esp_spd_add(spd, &ep, &id);
	}
	if (r) {
		esp_spd_free(spd);
		return r;
	}
	esp_spd_commit(spd);
	old = atomic_exchange(&dp->sh.spd, spd);
	dp_workers_quiesce(&dp->sh, old);
	esp_spd_free(old);
	dp->n_resolved = nres;
	dp->spd_gen = db->policy_gen;
	dp->spd_valid = true;
	if (dp->routes_gen != db->policy_gen || !dp->routes_gen) {
		routes_sync(dp, db);
		dp->routes_gen = db->policy_gen;
	}
	return 0;
}

/* --- counters --- */

static void print_drops(struct ctl_reply *rep, const struct esp_stats *s, const char *indent)
{
	int any = 0;

	for (int d = 0; d < ESP_DROP_COUNT; d++) {
		if (!s->drops[d])
			continue;
		if (rep->json)
			ctl_reply_printf(rep, "%s\"%s\":%llu", any ? "," : "",
					 esp_drop_name((enum esp_drop)d),
					 (unsigned long long)s->drops[d]);
		else
			ctl_reply_printf(rep, "%s%s %llu", any ? ", " : indent,
					 esp_drop_name((enum esp_drop)d),
					 (unsigned long long)s->drops[d]);
		any = 1;
	}
	if (any && !rep->json)
		ctl_reply_printf(rep, "\n");
}

static void dp_state_stats(void *ctx, const struct xfrm_db_state *st, struct ctl_reply *rep)
{
	struct esp_stats s;
	(void)ctx;

	if (!st->dp)
		return;
	esp_sa_stats(st->dp, &s);
	if (rep->json) {
		ctl_reply_printf(rep,
				 ",\"stats\":{\"in_packets\":%llu,\"in_bytes\":%llu,"
				 "\"out_packets\":%llu,\"out_bytes\":%llu,\"drops\":{",
				 (unsigned long long)s.in_packets, (unsigned long long)s.in_bytes,
				 (unsigned long long)s.out_packets,
				 (unsigned long long)s.out_bytes);
		print_drops(rep, &s, "");
		ctl_reply_printf(rep, "}}");
		return;
	}
	if (st->dir == XFRM_DIR_OUT)
		ctl_reply_printf(rep, "\tstats: %llu packets, %llu bytes out\n",
				 (unsigned long long)s.out_packets,
				 (unsigned long long)s.out_bytes);
	else
		ctl_reply_printf(rep, "\tstats: %llu packets, %llu bytes in\n",
				 (unsigned long long)s.in_packets, (unsigned long long)s.in_bytes);
	print_drops(rep, &s, "\tdrops: ");
}

static void dp_stats(void *ctx, const struct xfrm_db *db, struct ctl_reply *rep)
{
	struct dataplane *dp = ctx;
	struct esp_stats ws;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];

	memset(&ws, 0, sizeof(ws));
	dp_workers_stats(&dp->sh, &ws);
	if (rep->json) {
		ctl_reply_printf(rep, "\"dataplane\":{");
		for (int c = 0; c < DP_CTR_COUNT; c++)
			ctl_reply_printf(rep, "%s\"%s\":%llu", c ? "," : "",
					 dp_ctr_name((enum dp_ctr)c),
					 (unsigned long long)atomic_load(&dp->sh.ctr[c]));
		ctl_reply_printf(rep, "},\"drops\":{");
		print_drops(rep, &ws, "");
		ctl_reply_printf(rep, "},\"sas\":[");
	} else {
		ctl_reply_printf(rep, "data plane (%u thread%s, tun %s%s):\n", dp->sh.nthreads,
				 dp->sh.nthreads == 1 ? "" : "s", dp->tun.name,
				 dp->tun.vnet ? ", offloads" : "");
		for (int c = 0; c < DP_CTR_COUNT; c++)
			ctl_reply_printf(rep, "  %-24s %llu\n", dp_ctr_name((enum dp_ctr)c),
					 (unsigned long long)atomic_load(&dp->sh.ctr[c]));
		print_drops(rep, &ws, "  drops before an SA was found: ");
	}
	for (const struct xfrm_db_state *st = db->first; st; st = st->next) {
		addr_str(&st->spec.src, src, sizeof(src));
		addr_str(&st->spec.dst, dst, sizeof(dst));
		if (rep->json)
			ctl_reply_printf(rep, "%s{\"spi\":%u,\"src\":\"%s\",\"dst\":\"%s\"",
					 st != db->first ? "," : "", st->spec.spi, src, dst);
		else
			ctl_reply_printf(rep, "sa %s spi 0x%08x %s -> %s\n",
					 xfrm_proto_name(st->spec.proto), st->spec.spi, src, dst);
		dp_state_stats(dp, st, rep);
		if (rep->json)
			ctl_reply_printf(rep, "}");
	}
	if (rep->json)
		ctl_reply_printf(rep, "]");
}

const struct ctl_dp_ops dataplane_ops = {
    .state_add = dp_state_add,
    .state_del = dp_state_del,
    .state_move = dp_state_move,
    .policies_sync = dp_policies_sync,
    .state_stats = dp_state_stats,
    .stats = dp_stats,
    .state_poll = dp_state_poll,
};
