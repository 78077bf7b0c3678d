/* IKEv2 handshake load generator built on the engine (ike/ike.h): one process, one engine,
 * many initiator IKE SAs, each IKE_SA_INIT + IKE_AUTH with one CHILD_SA (PSK, X25519,
 * AES-GCM), at most WINDOW setups in flight at once.
 *
 *   ike_load -r RESPONDER -l LOCAL [-a NADDR] [-n N] [-w WINDOW] [-i IDS] [-k PSK]
 *            [-t TIMEOUT_S] [--reuse-dh]
 *       drives a responder over UDP port 500 (LOCAL:500 must be free: run it in its own
 *       namespace). Identities are c<k>.bench for k < IDS (round robin), unique = never (no
 *       INITIAL_CONTACT, so a responder keeps every SA); the responder must accept any of
 *       them with one PSK. -a: identity k sends from the (k mod NADDR)-th IPv4 address from
 *       LOCAL on (LOCAL, LOCAL+1, ...: all must be configured), as NADDR clients would.
 *       --reuse-dh (BENCH ONLY): the initiator makes one X25519 key pair and sends it in every
 *       IKE_SA_INIT (RFC 7296 §2.12 permits reusing DH values; the engine never does), so
 *       the load generator spends one X25519 operation per setup instead of two and bounds
 *       the measurement less. The responder still makes a fresh key pair for every setup.
 *   ike_load --inproc [-n N] [-w WINDOW]
 *       runs the responder as a second engine in this process over an in-memory network and
 *       counts the heap the responder's calls keep (mallinfo2 around each call): bytes per
 *       established responder IKE SA, everything counted (SA, children, keys, cached
 *       messages, OpenSSL contexts, the engine's tables). The SAs are then deleted by the
 *       initiator and the heap is checked to return. The count is exact: the responder's
 *       own outgoing datagrams are counted out again when freed, and ike_load re-executes
 *       itself with glibc's tcache and fast bins off (GLIBC_TUNABLES), which otherwise hide
 *       mallocs and frees from mallinfo2. --noheap: the same without counting
 *       (mallinfo2 is slow), for the CPU both engines spend per setup.
 *
 * The last line is machine-readable:
 *   result setups=N ok=K failed=F secs=S rate=R [resp_bytes_per_sa=B resp_left=L]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crypto/alg.h"
#include "crypto/kex.h"
#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/addr.h"
#include "lib/log.h"
#include "lib/ts.h"

#define MAX_IDS	  1000
#define MAX_ADDRS 250

struct opts {
	const char *remote, *local, *psk;
	unsigned n, window, ids, timeout_s, naddr;
	bool inproc, noheap, reuse_dh;
};

/* A datagram in flight on the in-memory network. */
struct dgram {
	struct dgram *next;
	int to; /* 0: initiator, 1: responder */
	struct ike_path path;
	size_t len;
	uint8_t data[];
};

struct gen {
	struct opts o;
	struct ike_engine *ini, *resp;
	struct kex *dh; /* --reuse-dh: the initiator's one key pair */
	int fd[MAX_ADDRS];
	struct addr addrs[MAX_ADDRS]; /* the local addresses, fd[i] bound to addrs[i]:500 */
	uint64_t now;
	unsigned started, inflight, ok, failed, resp_up;
	/* in-process network */
	struct dgram *qhead, *qtail;
	uint32_t *ids;	     /* IKE SA ids of the setups started */
	long long resp_heap; /* bytes the responder's calls kept */
	long long peak;	     /* resp_heap with every SA established */
	double resp_cpu;     /* --noheap: thread CPU seconds inside the responder's calls */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long long)(mi.uordblks + mi.hblkhd);
}

/* ---- engine callbacks -------------------------------------------------------------------- */

static int send_udp(void *ctx, const struct ike_path *path, const uint8_t *data, size_t len)
{
	struct gen *g = ctx;
	struct sockaddr_storage ss;
	socklen_t sl;
	unsigned i = 0;

	while (i + 1 < g->o.naddr && !addr_equal(&g->addrs[i], &path->local))
		i++;
	if (addr_to_sockaddr(&path->remote, path->remote_port, &ss, &sl) != 0)
		return -1;
	if (sendto(g->fd[i], data, len, 0, (struct sockaddr *)&ss, sl) < 0)
		return -1;
	return 0;
}

static int queue(struct gen *g, int to, const struct ike_path *from, const uint8_t *data,
		 size_t len)
{
	struct dgram *d = malloc(sizeof(*d) + len);

	if (!d)
		return -1;
	d->next = NULL;
	d->to = to;
	d->path.local = from->remote;
	d->path.local_port = from->remote_port;
	d->path.remote = from->local;
	d->path.remote_port = from->local_port;
	d->len = len;
	memcpy(d->data, data, len);
	if (g->qtail)
		g->qtail->next = d;
	else
		g->qhead = d;
	g->qtail = d;
	return 0;
}

static int send_to_resp(void *ctx, const struct ike_path *path, const uint8_t *data, size_t len)
{
	return queue(ctx, 1, path, data, len);
}

static int send_to_ini(void *ctx, const struct ike_path *path, const uint8_t *data, size_t len)
{
	return queue(ctx, 0, path, data, len);
}

static void ini_event(void *ctx, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		      const char *msg)
{
	struct gen *g = ctx;

	(void)id;
	(void)child_id;
	if (kind == IKE_EV_CHILD_UP) {
		g->ok++;
		g->inflight--;
	} else if (kind == IKE_EV_IKE_FAILED || kind == IKE_EV_CHILD_FAILED) {
		if (g->failed < 5)
			fprintf(stderr, "ike_load: %s\n", msg);
		g->failed++;
		g->inflight--;
	}
}

static void resp_event(void *ctx, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		       const char *msg)
{
	struct gen *g = ctx;

	(void)id;
	(void)child_id;
	(void)msg;
	if (kind == IKE_EV_CHILD_UP)
		g->resp_up++;
}

/* ---- configuration ----------------------------------------------------------------------- */

static struct conn *mkconn(const char *name, const struct addr *local, const char *remote,
			   const char *lid, bool initiator)
{
	struct conn *c = conn_new(name);
	struct conn_child *ch = NULL;
	size_t n = 0;

	if (!c || conn_child_add(c, "net", &ch) != 0) {
		conn_free(c);
		return NULL;
	}
	c->version = CONN_VERSION_2;
	if (local) {
		c->nlocal_addrs = 1;
		c->local_addrs[0] = *local;
	}
	if (remote) {
		c->nremote_addrs = 1;
		addr_parse(remote, &c->remote_addrs[0], NULL, 0);
	}
	alg_parse(ALG_PROTO_IKE, "aes128gcm16-prfsha256-x25519", c->proposals, ALG_MAX_PROPOSALS,
		  &n, NULL, 0);
	c->nproposals = n;
	c->local_auth[0].method = CONN_AUTH_PSK;
	c->remote_auth[0].method = CONN_AUTH_PSK;
	if (lid)
		conn_id_parse(lid, &c->local_auth[0].id, NULL, 0);
	c->unique = initiator ? CONN_UNIQUE_NEVER : CONN_UNIQUE_NO;
	c->dpd_delay = 0;
	c->mobike = false; /* stay on port 500: the load socket speaks no non-ESP marker */
	alg_parse(ALG_PROTO_ESP, "aes128gcm16", ch->esp, ALG_MAX_PROPOSALS, &n, NULL, 0);
	ch->nesp = n;
	if (initiator) {
		ts_parse_list("10.1.0.0/16", &ch->local_ts, NULL, 0);
		ts_parse_list("10.2.0.0/16", &ch->remote_ts, NULL, 0);
	} else {
		ts_parse_list("10.2.0.0/16", &ch->local_ts, NULL, 0);
		ts_parse_list("10.1.0.0/16", &ch->remote_ts, NULL, 0);
	}
	return c;
}

static int configure(struct ike_engine *e, struct conn **conns, size_t n, const char *psk)
{
	struct conn_secrets *sec = conn_secrets_new();
	int rc;

	if (!sec || conn_secrets_add_psk(sec, psk, strlen(psk), NULL, 0) != 0) {
		conn_secrets_free(sec);
		return -1;
	}
	rc = ike_engine_set_config(e, conns, n, sec);
	if (rc)
		conn_secrets_free(sec);
	for (size_t i = 0; i < n; i++)
		conn_free(conns[i]);
	return rc;
}

/* --reuse-dh: every IKE_SA_INIT of the initiator carries the same key pair. */
static struct kex *reused_kex(void *ctx, uint16_t group)
{
	struct gen *g = ctx;

	if (g->dh && kex_group(g->dh) != group) {
		kex_free(g->dh);
		g->dh = NULL;
	}
	if (!g->dh)
		g->dh = kex_new(group);
	return g->dh ? kex_dup(g->dh) : NULL;
}

/* The local addresses: o.local and the next naddr - 1 IPv4 addresses. 0 or -1. */
static int local_addrs(struct gen *g)
{
	if (addr_parse(g->o.local, &g->addrs[0], NULL, 0) != 0 ||
	    (g->o.naddr > 1 && g->addrs[0].family != AF_INET))
		return -1;
	for (unsigned i = 1; i < g->o.naddr; i++) {
		uint32_t v;
		memcpy(&v, g->addrs[0].bytes, 4);
		v = htonl(ntohl(v) + i);
		g->addrs[i] = g->addrs[0];
		memcpy(g->addrs[i].bytes, &v, 4);
	}
	return 0;
}

static int setup_initiator(struct gen *g, const struct ike_callbacks *cb)
{
	static struct conn *conns[MAX_IDS];
	const struct ike_test_hooks hooks = {.kex_new = reused_kex};
	unsigned k = g->o.ids;

	g->ini = ike_engine_new(cb, g);
	if (!g->ini || local_addrs(g) != 0)
		return -1;
	if (g->o.reuse_dh)
		ike_engine_set_test_hooks(g->ini, &hooks, g);
	for (unsigned i = 0; i < k; i++) {
		char name[32], id[64];
		snprintf(name, sizeof(name), "c%u", i);
		snprintf(id, sizeof(id), "c%u.bench", i);
		conns[i] = mkconn(name, &g->addrs[i % g->o.naddr], g->o.remote, id, true);
		if (!conns[i])
			return -1;
	}
	return configure(g->ini, conns, k, g->o.psk);
}

/* Starts setups while the window has room. */
static void top_up(struct gen *g)
{
	while (g->started < g->o.n && g->inflight < g->o.window) {
		char name[32];
		uint32_t id;
		snprintf(name, sizeof(name), "c%u", g->started % g->o.ids);
		g->started++;
		if (ike_engine_initiate(g->ini, g->now, name, NULL, &id) != 0) {
			g->failed++;
			continue;
		}
		if (g->ids)
			g->ids[g->started - 1] = id;
		g->inflight++;
	}
}

/* ---- UDP mode ---------------------------------------------------------------------------- */

static int open_socket(const struct addr *a)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	char txt[ADDR_STRLEN];
	int fd, one = 1, big = 8 << 20;

	if (addr_to_sockaddr(a, IKE_PORT, &ss, &sl) != 0)
		return -1;
	fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		fprintf(stderr, "ike_load: bind %s:500: %s\n", addr_str(a, txt, sizeof(txt)),
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what socket i has queued (at most a budget) into the initiator. */
static void drain(struct gen *g, unsigned i)
{
	static uint8_t buf[IKE_MAX_MSG];

	for (int budget = 0; budget < 256; budget++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct ike_path path;
		ssize_t n = recvfrom(g->fd[i], buf, sizeof(buf), 0, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			break;
		memset(&path, 0, sizeof(path));
		if (addr_from_sockaddr((struct sockaddr *)&ss, sl, &path.remote,
				       &path.remote_port) != 0)
			continue;
		path.local = g->addrs[i];
		path.local_port = IKE_PORT;
		ike_engine_input(g->ini, g->now, &path, buf, (size_t)n);
	}
}

static int run_udp(struct gen *g)
{
	static struct pollfd pfd[MAX_ADDRS];
	const struct ike_callbacks cb = {.send = send_udp, .event = ini_event};
	uint64_t end;

	if (setup_initiator(g, &cb) != 0)
		return -1;
	for (unsigned i = 0; i < g->o.naddr; i++) {
		g->fd[i] = open_socket(&g->addrs[i]);
		if (g->fd[i] < 0)
			return -1;
		pfd[i] = (struct pollfd){.fd = g->fd[i], .events = POLLIN};
	}
	g->now = mono_ms();
	end = g->now + (uint64_t)g->o.timeout_s * 1000;
	top_up(g);
	while ((g->inflight > 0 || g->started < g->o.n) && g->now < end) {
		uint64_t d = ike_engine_next_deadline(g->ini);
		int wait = 100;
		if (d != UINT64_MAX)
			wait = d <= g->now ? 0 : (int)(d - g->now < 100 ? d - g->now : 100);
		poll(pfd, g->o.naddr, wait);
		g->now = mono_ms();
		for (unsigned i = 0; i < g->o.naddr; i++)
			if (pfd[i].revents & POLLIN)
				drain(g, i);
		if (ike_engine_next_deadline(g->ini) <= g->now)
			ike_engine_timeout(g->ini, g->now);
		top_up(g);
	}
	return 0;
}

/* ---- in-process mode --------------------------------------------------------------------- */

/* One datagram into the responder (its own function: `valgrind --tool=callgrind
 * --toggle-collect=resp_input` profiles the responder alone). */
__attribute__((noinline)) static void resp_input(struct gen *g, const struct dgram *d)
{
	ike_engine_input(g->resp, g->now, &d->path, d->data, d->len);
}

/* Delivers queued datagrams; calls into the responder are measured. */
static void pump(struct gen *g)
{
	while (g->qhead) {
		struct dgram *d = g->qhead;
		g->qhead = d->next;
		if (!g->qhead)
			g->qtail = NULL;
		if (d->to == 1 && g->o.noheap) {
			double c0 = thread_cpu_s();
			resp_input(g, d);
			g->resp_cpu += thread_cpu_s() - c0;
		} else if (d->to == 1) {
			long long before = heap_used(), after;
			/* the datagram is freed after the call: not part of the responder's heap */
			ike_engine_input(g->resp, g->now, &d->path, d->data, d->len);
			after = heap_used();
			g->resp_heap += after - before;
		} else {
			ike_engine_input(g->ini, g->now, &d->path, d->data, d->len);
		}
		if (d->to == 0 && !g->o.noheap) {
			/* the responder's own datagram, counted when its call queued it: its free
			 * counts too, or every answer it ever sent would stay in its heap */
			long long before = heap_used();
			free(d);
			g->resp_heap += heap_used() - before;
		} else {
			free(d);
		}
	}
}

static int run_inproc(struct gen *g, long long *left)
{
	const struct ike_callbacks ci = {.send = send_to_resp, .event = ini_event};
	const struct ike_callbacks cr = {.send = send_to_ini, .event = resp_event};
	struct conn *rc;
	size_t n, total;
	long long before;

	g->o.remote = "10.99.0.2";
	g->o.local = "10.99.0.1";
	g->o.naddr = 1;
	g->ids = calloc(g->o.n, sizeof(*g->ids));
	if (!g->ids || setup_initiator(g, &ci) != 0)
		return -1;
	before = heap_used();
	g->resp = ike_engine_new(&cr, g);
	rc = mkconn("rw", NULL, NULL, NULL, false);
	if (!g->resp || !rc || configure(g->resp, &rc, 1, g->o.psk) != 0)
		return -1;
	g->resp_heap += heap_used() - before; /* the empty engine and its configuration */
	g->now = 1000000;
	top_up(g);
	while (g->inflight > 0 || g->started < g->o.n) {
		unsigned done = g->ok + g->failed;
		pump(g);
		top_up(g);
		if (g->ok + g->failed == done && !g->qhead) {
			/* nothing moved: let timers run (retransmissions) */
			uint64_t d = ike_engine_next_deadline(g->ini);
			if (d == UINT64_MAX)
				break;
			g->now = d > g->now ? d : g->now + 1;
			ike_engine_timeout(g->ini, g->now);
		}
	}
	g->peak = g->resp_heap;
	/* tear down from the initiator: Deletes reach the responder, which frees its SAs */
	for (unsigned i = 0; i < g->started; i++) {
		ike_engine_terminate(g->ini, g->now, g->ids[i]);
		pump(g);
	}
	ike_engine_list(g->resp, NULL, 0, &n, &total);
	if (total != 0)
		fprintf(stderr, "ike_load: %zu responder SAs left after the deletes\n", total);
	*left = g->resp_heap; /* heap the responder still holds (its empty engine included) */
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: ike_load -r RESPONDER -l LOCAL [-a NADDR] [-n N] [-w WINDOW] "
			"[-i IDS] [-k PSK] [-t TIMEOUT_S] [--reuse-dh]\n"
			"       ike_load --inproc|--noheap [-n N] [-w WINDOW] [--reuse-dh]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct gen *g = calloc(1, sizeof(*g));
	double t0, c0, secs, cpu;
	long long left = 0;
	int rc;

	if (!g)
		return 1;
	g->o = (struct opts){.psk = "a bench shared secret",
			     .n = 1000,
			     .window = 32,
			     .ids = 100,
			     .timeout_s = 600,
			     .naddr = 1};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--inproc") == 0 || strcmp(a, "--noheap") == 0) {
			g->o.inproc = true;
			g->o.noheap = g->o.noheap || strcmp(a, "--noheap") == 0;
			continue;
		}
		if (strcmp(a, "--reuse-dh") == 0) {
			g->o.reuse_dh = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "-r") == 0)
			g->o.remote = v;
		else if (strcmp(a, "-l") == 0)
			g->o.local = v;
		else if (strcmp(a, "-k") == 0)
			g->o.psk = v;
		else if (strcmp(a, "-n") == 0)
			g->o.n = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "-w") == 0)
			g->o.window = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "-i") == 0)
			g->o.ids = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "-t") == 0)
			g->o.timeout_s = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(a, "-a") == 0)
			g->o.naddr = (unsigned)strtoul(v, NULL, 10);
		else
			usage();
	}
	if (g->o.ids == 0 || g->o.ids > MAX_IDS || g->o.window == 0 || g->o.naddr == 0 ||
	    g->o.naddr > MAX_ADDRS || (!g->o.inproc && (!g->o.remote || !g->o.local)))
		usage();
	if (g->o.inproc && !g->o.noheap && !getenv("GLIBC_TUNABLES")) {
		/* Exact heap accounting: with glibc's per-thread cache and fast bins a malloc or
		 * free can leave mallinfo2's in-use total unchanged (the chunk stays "in use" in
		 * the cache), so deltas around calls would miscount. Tunables are read at start:
		 * run again with both off. */
		setenv("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0:glibc.malloc.mxfast=0", 1);
		execv("/proc/self/exe", argv);
		fprintf(stderr,
			"ike_load: re-exec without the malloc caches: %s (counting anyway)\n",
			strerror(errno));
	}
	log_set_level_all(LOG_LVL_WARN);
	t0 = mono_s();
	c0 = cpu_s();
	if (g->o.inproc) {
		rc = run_inproc(g, &left);
	} else {
		rc = run_udp(g);
	}
	secs = mono_s() - t0;
	cpu = cpu_s() - c0;
	if (rc) {
		fprintf(stderr, "ike_load: setup failed\n");
		return 1;
	}
	printf("result setups=%u ok=%u failed=%u secs=%.3f rate=%.1f cpu_us_per_setup=%.0f", g->o.n,
	       g->ok, g->failed, secs, secs > 0 ? g->ok / secs : 0.0,
	       g->ok ? cpu * 1e6 / g->ok : 0.0);
	if (g->o.inproc && !g->o.noheap)
		printf(" resp_bytes_per_sa=%.0f resp_left=%lld", (double)g->peak / g->ok, left);
	if (g->o.noheap)
		printf(" resp_cpu_us_per_setup=%.0f", g->ok ? g->resp_cpu * 1e6 / g->ok : 0.0);
	printf("\n");
	kex_free(g->dh);
	return g->failed ? 1 : 0;
}
