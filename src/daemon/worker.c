#include "daemon/worker.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "daemon/worker_ctx.h"
#include "daemon/worker_in.h"
#include "daemon/worker_out.h"
#include "esp/ctxcache.h"
#include "lib/err.h"
#include "lib/log.h"

static const char *const ctr_names[DP_CTR_COUNT] = {
    [DP_TUN_RX] = "tun-rx",
    [DP_TUN_TX] = "tun-tx",
    [DP_NET_TX] = "net-tx",
    [DP_NET_RX] = "net-rx",
    [DP_GSO_SUPER] = "gso-superpackets",
    [DP_GRO_SEGS] = "gro-segments",
    [DP_UDP_TRAINS] = "udp-gso-trains",
    [DP_NO_POLICY] = "no-policy",
    [DP_POLICY_BLOCK] = "policy-block",
    [DP_BYPASS] = "bypass",
    [DP_NO_SA] = "no-sa",
    [DP_IN_POLICY] = "inbound-policy-mismatch",
    [DP_ESP_ERROR] = "esp-error",
    [DP_ICMP_TOO_BIG] = "icmp-too-big",
    [DP_FRAGMENTED] = "fragmented",
    [DP_IKE] = "ike-dropped",
    [DP_MALFORMED] = "malformed",
    [DP_IO_ERROR] = "io-error",
};

const char *dp_ctr_name(enum dp_ctr c)
{
	return (unsigned)c < DP_CTR_COUNT ? ctr_names[c] : "?";
}

static void *worker_main(void *arg)
{
	struct dp_worker *w = arg;
	struct dp_shared *sh = w->sh;
	struct pollfd pfd[8];
	int kinds[8];
	uint8_t protos[8];
	nfds_t n = 0;

	pfd[n].fd = sh->stop_fd;
	pfd[n++].events = POLLIN;
	if (w->role & DPW_ROLE_OUT) {
		kinds[n] = -1;
		pfd[n].fd = sh->tun->fd;
		pfd[n++].events = POLLIN;
	}
	if (w->role & DPW_ROLE_IN) {
		static const int raw_kind[4] = {0, 0, 1, 1};
		static const uint8_t raw_proto[4] = {IPPROTO_ESP, IPPROTO_AH, IPPROTO_ESP,
						     IPPROTO_AH};
		for (int i = 0; i < 4; i++) {
			if (sh->raw_in[i] < 0)
				continue;
			kinds[n] = raw_kind[i];
			protos[n] = raw_proto[i];
			pfd[n].fd = sh->raw_in[i];
			pfd[n++].events = POLLIN;
		}
		for (int i = 0; i < 2; i++) {
			if (sh->udp_in[i] < 0)
				continue;
			kinds[n] = 2 + i;
			protos[n] = IPPROTO_ESP;
			pfd[n].fd = sh->udp_in[i];
			pfd[n++].events = POLLIN;
		}
	}
	/* epoll: a wakeup costs the same whatever the number of sockets (poll walks them all) */
	int ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0) {
		log_error(LOG_DAEMON, "worker %u: epoll: %s", w->id, strerror(errno));
		return NULL;
	}
	for (nfds_t i = 0; i < n; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
		if (epoll_ctl(ep, EPOLL_CTL_ADD, pfd[i].fd, &ev)) {
			log_error(LOG_DAEMON, "worker %u: epoll_ctl: %s", w->id, strerror(errno));
			goto out;
		}
	}
	while (!atomic_load(&sh->stop)) {
		struct epoll_event evs[8];
		int k = epoll_wait(ep, evs, 8, -1);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			log_error(LOG_DAEMON, "worker %u: epoll_wait: %s", w->id, strerror(errno));
			break;
		}
		for (int j = 0; j < k; j++)
			if (evs[j].data.u32 == 0)
				goto out; /* stop_fd */
		for (int j = 0; j < k; j++) {
			uint32_t i = evs[j].data.u32;
			if (!(evs[j].events & (EPOLLIN | EPOLLERR)))
				continue;
			if (kinds[i] < 0)
				dpw_out_drain(w);
			else
				dpw_in_drain(w, pfd[i].fd, kinds[i], protos[i]);
		}
	}
out:
	close(ep);
	return NULL;
}

static void worker_free(struct dp_worker *w)
{
	if (!w)
		return;
	dpw_out_cleanup(w);
	dpw_in_cleanup(w);
	esp_worker_cleanup(&w->ew);
	free(w);
}

static int worker_new(struct dp_shared *sh, unsigned id, int role, struct dp_worker **out)
{
	struct dp_worker *w = calloc(1, sizeof(*w));

	if (!w)
		return ERR_NOMEM;
	w->sh = sh;
	w->id = id;
	w->role = role;
	esp_worker_init(&w->ew, id);
	if (esp_worker_cache_init(&w->ew) != 0) {
		free(w);
		return ERR_NOMEM;
	}
	log_ratelimit_init(&w->rl, 1000, 5);
	if ((role & DPW_ROLE_OUT) && dpw_out_init(w))
		goto fail;
	if ((role & DPW_ROLE_IN) && dpw_in_init(w))
		goto fail;
	*out = w;
	return 0;
fail:
	worker_free(w);
	return ERR_NOMEM;
}

int dp_workers_start(struct dp_shared *sh)
{
	int r;

	for (unsigned i = 0; i < sh->nthreads; i++) {
		int role = sh->nthreads == 1 ? (DPW_ROLE_OUT | DPW_ROLE_IN)
					     : (i == 0 ? DPW_ROLE_OUT : DPW_ROLE_IN);
		if ((r = worker_new(sh, i, role, &sh->workers[i])))
			return r;
	}
	for (unsigned i = 0; i < sh->nthreads; i++) {
		if (pthread_create(&sh->workers[i]->thread, NULL, worker_main, sh->workers[i]))
			return ERR_IO;
		sh->workers[i]->started = true;
	}
	return 0;
}

void dp_workers_stop(struct dp_shared *sh)
{
	uint64_t one = 1;

	atomic_store(&sh->stop, true);
	if (write(sh->stop_fd, &one, sizeof(one)) < 0) {
		/* the eventfd cannot be full after one write */
	}
	for (unsigned i = 0; i < DP_WORKERS_MAX; i++) {
		struct dp_worker *w = sh->workers[i];
		if (!w)
			continue;
		if (w->started)
			pthread_join(w->thread, NULL);
		worker_free(w);
		sh->workers[i] = NULL;
	}
}

void dp_workers_quiesce(struct dp_shared *sh, const struct esp_spd *old)
{
	if (!old)
		return; /* an idle worker's hazard is NULL too */
	for (unsigned i = 0; i < DP_WORKERS_MAX; i++) {
		struct dp_worker *w = sh->workers[i];
		if (!w)
			continue;
		while (atomic_load(&w->hazard) == old) {
			struct timespec ts = {0, 20000};
			nanosleep(&ts, NULL);
		}
	}
}

void dp_workers_stats(struct dp_shared *sh, struct esp_stats *out)
{
	for (unsigned i = 0; i < DP_WORKERS_MAX; i++) {
		struct esp_stats s;
		if (!sh->workers[i])
			continue;
		esp_stats_read(&sh->workers[i]->ew.stats, &s);
		out->in_packets += s.in_packets;
		out->out_packets += s.out_packets;
		for (int d = 0; d < ESP_DROP_COUNT; d++)
			out->drops[d] += s.drops[d];
	}
}
