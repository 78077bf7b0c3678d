/* The IKEv2 engine over real UDP sockets.
 *
 * Without arguments: two engines on 127.0.0.1 (ephemeral ports) complete a PSK handshake
 * through the kernel's loopback, driven by a poll() loop with a monotonic clock: the engine
 * works outside the fake network too.
 *
 * With --peer: one engine on a UDP socket, for interop scripts (tests/interop/
 * test_charon_ike_engine.sh runs it against strongSwan's charon):
 *   test_ike_udp --peer --local ADDR --remote ADDR --lid ID --rid ID --psk SECRET
 *                --ike PROPOSALS --esp PROPOSALS --lts TS --rts TS [--initiate] [--wait S]
 *                [--cert PEM --key PEM --ca PEM]   (certificates instead of the PSK)
 * It prints every event, and exits 0 once an IKE SA and a Child SA are up (1 on a failure
 * event or after --wait seconds, default 30). Port 500 only (no NAT between the namespaces).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/pkey.h"
#include "crypto/x509.h"
#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/log.h"
#include "support/test.h"

struct peer {
	int fd, fd_natt; /* fd_natt: port 4500 with the non-ESP marker (RFC 3948), or -1 */
	struct ike_engine *e;
	struct addr local;
	uint16_t port;
	int ike_up, child_up, failed;
	bool print;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int p_send(void *ctx, const struct ike_path *path, const uint8_t *d, size_t n)
{
	struct peer *p = ctx;
	struct sockaddr_storage ss;
	socklen_t sl;

	if (addr_to_sockaddr(&path->remote, path->remote_port, &ss, &sl) != 0)
		return -1;
	if (path->local_port == 4500 && p->fd_natt >= 0) {
		uint8_t buf[65536 + 4] = {0};
		if (n > 65536)
			return -1;
		memcpy(buf + 4, d, n);
		return sendto(p->fd_natt, buf, n + 4, 0, (struct sockaddr *)&ss, sl) ==
			       (ssize_t)(n + 4)
			   ? 0
			   : -1;
	}
	return sendto(p->fd, d, n, 0, (struct sockaddr *)&ss, sl) == (ssize_t)n ? 0 : -1;
}

static void p_event(void *ctx, uint32_t id, uint32_t cid, enum ike_event_kind k, const char *m)
{
	struct peer *p = ctx;

	(void)cid;
	if (p->print)
		printf("event %d #%u: %s\n", (int)k, id, m);
	fflush(stdout);
	if (k == IKE_EV_IKE_UP)
		p->ike_up++;
	else if (k == IKE_EV_CHILD_UP)
		p->child_up++;
	else if (k == IKE_EV_IKE_FAILED || k == IKE_EV_CHILD_FAILED)
		p->failed++;
}

static const struct ike_callbacks cb = {.send = p_send, .event = p_event};

static int open_natt(struct peer *p, const struct addr *a)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	p->fd_natt = socket(a->family, SOCK_DGRAM, 0);
	if (p->fd_natt < 0)
		return -1;
	setsockopt(p->fd_natt, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr_to_sockaddr(a, 4500, &ss, &sl) != 0 ||
	    bind(p->fd_natt, (struct sockaddr *)&ss, sl) != 0)
		return -1;
	return 0;
}

static int open_socket(struct peer *p, const struct addr *a, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	p->fd_natt = -1;
	p->fd = socket(a->family, SOCK_DGRAM, 0);
	if (p->fd < 0)
		return -1;
	setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr_to_sockaddr(a, port, &ss, &sl) != 0 ||
	    bind(p->fd, (struct sockaddr *)&ss, sl) != 0)
		return -1;
	if (getsockname(p->fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    addr_from_sockaddr((struct sockaddr *)&ss, sl, &p->local, &p->port) != 0)
		return -1;
	return 0;
}

/* Reads every pending datagram of one socket into the engine. */
static void drain_fd(struct peer *p, int fd, uint16_t port, bool marker)
{
	static uint8_t buf[65536];

	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct ike_path path;
		ssize_t n =
		    recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		size_t skip = 0;
		if (n < 0)
			return;
		if (marker) {
			/* RFC 3948: IKE behind a zero non-ESP marker; anything else is ESP */
			if (n < 4 || buf[0] || buf[1] || buf[2] || buf[3])
				continue;
			skip = 4;
		}
		memset(&path, 0, sizeof(path));
		path.local = p->local;
		path.local_port = port;
		if (addr_from_sockaddr((struct sockaddr *)&ss, sl, &path.remote, &path.remote_port))
			continue;
		ike_engine_input(p->e, now_ms(), &path, buf + skip, (size_t)n - skip);
	}
}

static void drain(struct peer *p)
{
	drain_fd(p, p->fd, p->port, false);
	if (p->fd_natt >= 0)
		drain_fd(p, p->fd_natt, 4500, true);
}

/* Runs the engines of peers[0..n) until done() or the deadline. */
static void loop(struct peer *peers, int n, uint64_t until, int (*done)(struct peer *, int))
{
	while (now_ms() < until && !done(peers, n)) {
		struct pollfd pfd[4];
		uint64_t next = until, t = now_ms();
		for (int i = 0; i < n; i++) {
			uint64_t d = ike_engine_next_deadline(peers[i].e);
			if (d < next)
				next = d;
			pfd[2 * i].fd = peers[i].fd;
			pfd[2 * i].events = POLLIN;
			pfd[2 * i + 1].fd = peers[i].fd_natt;
			pfd[2 * i + 1].events = POLLIN;
		}
		poll(pfd, (nfds_t)(2 * n), next > t ? (int)(next - t) : 0);
		for (int i = 0; i < n; i++) {
			drain(&peers[i]);
			ike_engine_timeout(peers[i].e, now_ms());
		}
	}
}

static struct conn *mkconn(const struct addr *l, uint16_t lport, const struct addr *r,
			   uint16_t rport, const char *lid, const char *rid, const char *ike,
			   const char *esp, const char *lts, const char *rts)
{
	struct conn *c = conn_new("gw");
	struct conn_child *ch;
	size_t k = 0;

	c->version = CONN_VERSION_2;
	c->nlocal_addrs = c->nremote_addrs = 1;
	c->local_addrs[0] = *l;
	c->remote_addrs[0] = *r;
	c->local_port = lport;
	c->remote_port = rport;
	if (alg_parse(ALG_PROTO_IKE, ike, c->proposals, ALG_MAX_PROPOSALS, &k, NULL, 0) == 0)
		c->nproposals = k;
	c->local_auth[0].method = c->remote_auth[0].method = CONN_AUTH_PSK;
	if (lid)
		conn_id_parse(lid, &c->local_auth[0].id, NULL, 0);
	if (rid)
		conn_id_parse(rid, &c->remote_auth[0].id, NULL, 0);
	conn_child_add(c, "net", &ch);
	if (alg_parse(ALG_PROTO_ESP, esp, ch->esp, ALG_MAX_PROPOSALS, &k, NULL, 0) == 0)
		ch->nesp = k;
	if (lts)
		ts_parse_list(lts, &ch->local_ts, NULL, 0);
	if (rts)
		ts_parse_list(rts, &ch->remote_ts, NULL, 0);
	return c;
}

static int set(struct peer *p, struct conn *c, const char *psk)
{
	struct conn_secrets *s = conn_secrets_new();
	int rc;

	conn_secrets_add_psk(s, psk, strlen(psk), NULL, 0);
	rc = ike_engine_set_config(p->e, &c, 1, s);
	conn_free(c);
	return rc;
}

static int both_up(struct peer *p, int n)
{
	(void)n;
	return p[0].child_up && p[1].child_up;
}

static void self_test(void)
{
	struct peer p[2];
	struct addr lo;
	uint32_t id = 0;

	memset(p, 0, sizeof(p));
	addr_parse("127.0.0.1", &lo, NULL, 0);
	for (int i = 0; i < 2; i++) {
		T_EQ(open_socket(&p[i], &lo, 0), 0);
		p[i].e = ike_engine_new(&cb, &p[i]);
	}
	T_EQ(
	    set(&p[0],
		mkconn(&lo, p[0].port, &lo, p[1].port, "@a.test", "@b.test",
		       "aes256gcm16-prfsha384-x25519", "aes128gcm16", "10.1.0.0/24", "10.2.0.0/24"),
		"loopback secret"),
	    0);
	T_EQ(
	    set(&p[1],
		mkconn(&lo, p[1].port, &lo, p[0].port, "@b.test", "@a.test",
		       "aes256gcm16-prfsha384-x25519", "aes128gcm16", "10.2.0.0/24", "10.1.0.0/24"),
		"loopback secret"),
	    0);
	T_EQ(ike_engine_initiate(p[0].e, now_ms(), "gw", NULL, &id), 0);
	loop(p, 2, now_ms() + 10000, both_up);
	T_EQ(p[0].ike_up, 1);
	T_EQ(p[1].ike_up, 1);
	T_EQ(p[0].child_up, 1);
	T_EQ(p[1].child_up, 1);
	T_EQ(p[0].failed + p[1].failed, 0);
	for (int i = 0; i < 2; i++) {
		ike_engine_free(p[i].e);
		close(p[i].fd);
	}
}

static int one_up(struct peer *p, int n)
{
	(void)n;
	return (p->ike_up && p->child_up) || p->failed;
}

static int peer_main(int argc, char **argv)
{
	const char *local = NULL, *remote = NULL, *lid = NULL, *rid = NULL, *psk = "";
	const char *ike = "default", *esp = "default", *lts = NULL, *rts = NULL;
	const char *cert = NULL, *key = NULL, *ca = NULL;
	bool initiate = false;
	int wait_s = 30;
	struct peer p;
	struct addr l, r;
	uint32_t id = 0;

	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--initiate") == 0) {
			initiate = true;
			continue;
		}
		if (!v)
			return 2;
		i++;
		if (strcmp(a, "--local") == 0)
			local = v;
		else if (strcmp(a, "--remote") == 0)
			remote = v;
		else if (strcmp(a, "--lid") == 0)
			lid = v;
		else if (strcmp(a, "--rid") == 0)
			rid = v;
		else if (strcmp(a, "--psk") == 0)
			psk = v;
		else if (strcmp(a, "--ike") == 0)
			ike = v;
		else if (strcmp(a, "--esp") == 0)
			esp = v;
		else if (strcmp(a, "--lts") == 0)
			lts = v;
		else if (strcmp(a, "--rts") == 0)
			rts = v;
		else if (strcmp(a, "--wait") == 0)
			wait_s = atoi(v);
		else if (strcmp(a, "--cert") == 0)
			cert = v;
		else if (strcmp(a, "--key") == 0)
			key = v;
		else if (strcmp(a, "--ca") == 0)
			ca = v;
		else
			return 2;
	}
	if (!local || !remote || addr_parse(local, &l, NULL, 0) || addr_parse(remote, &r, NULL, 0))
		return 2;
	memset(&p, 0, sizeof(p));
	p.print = true;
	if (open_socket(&p, &l, 500) != 0 || open_natt(&p, &l) != 0) {
		perror("socket");
		return 1;
	}
	p.e = ike_engine_new(&cb, &p);
	if (cert && key && ca) {
		/* certificates: pubkey rounds both ways, validity at the real time */
		struct conn *c = mkconn(&l, 500, &r, 500, lid, rid, ike, esp, lts, rts);
		struct conn_secrets *s = conn_secrets_new();
		struct x509 *cax = NULL;
		struct pkey *k = NULL;
		struct timespec rt;
		size_t nc = 0;
		/* --cert may be a bundle: the end entity, then certificates sent along */
		if (x509_load_file_all(cert, c->local_auth[0].certs, CONN_MAX_CERTS, &nc) ||
		    x509_load_file(ca, &cax) || pkey_load_private_file(key, NULL, &k)) {
			fprintf(stderr, "cannot load %s / %s / %s\n", cert, ca, key);
			return 1;
		}
		c->local_auth[0].method = c->remote_auth[0].method = CONN_AUTH_PUBKEY;
		c->local_auth[0].ncerts = nc;
		conn_secrets_add_key(s, k);
		conn_secrets_add_ca(s, cax);
		x509_free(cax);
		if (ike_engine_set_config(p.e, &c, 1, s) != 0)
			return 1;
		conn_free(c);
		clock_gettime(CLOCK_REALTIME, &rt);
		ike_engine_set_wall_offset(p.e, (int64_t)rt.tv_sec * 1000 + rt.tv_nsec / 1000000 -
						    (int64_t)now_ms());
	} else if (set(&p, mkconn(&l, 500, &r, 500, lid, rid, ike, esp, lts, rts), psk) != 0) {
		return 1;
	}
	if (initiate && ike_engine_initiate(p.e, now_ms(), "gw", NULL, &id) != 0)
		return 1;
	loop(&p, 1, now_ms() + (uint64_t)wait_s * 1000, one_up);
	/* keep answering a little (the peer may retransmit its last request) */
	loop(&p, 1, now_ms() + 1000, one_up);
	ike_engine_free(p.e);
	close(p.fd);
	close(p.fd_natt);
	return p.ike_up && p.child_up && !p.failed ? 0 : 1;
}

int main(int argc, char **argv)
{
	log_set_level_all(argc > 1 ? LOG_LVL_INFO : LOG_LVL_ERROR);
	if (argc > 1 && strcmp(argv[1], "--peer") == 0)
		return peer_main(argc, argv);
	self_test();
	return t_finish();
}
