#include "daemon/loop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/log.h"

struct watch {
	int fd; /* -1 when free */
	loop_fd_fn fn;
	void *ctx;
};

struct loop {
	int epfd;
	int sigfd;
	int stop;
	loop_signal_fn sig_fn;
	void *sig_ctx;
	uint64_t tick_ms, next_tick;
	loop_tick_fn tick_fn;
	void *tick_ctx;
	struct watch w[LOOP_FDS_MAX];
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct watch *find(struct loop *l, int fd)
{
	for (int i = 0; i < LOOP_FDS_MAX; i++)
		if (l->w[i].fd == fd)
			return &l->w[i];
	return NULL;
}

int loop_new(struct loop **out, loop_signal_fn sig_fn, void *sig_ctx)
{
	struct loop *l = NULL;
	sigset_t set;
	struct epoll_event ev;
	int r = ERR_IO;

	l = calloc(1, sizeof(*l));
	if (!l)
		return ERR_NOMEM;
	for (int i = 0; i < LOOP_FDS_MAX; i++)
		l->w[i].fd = -1;
	l->epfd = l->sigfd = -1;
	l->sig_fn = sig_fn;
	l->sig_ctx = sig_ctx;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		goto out;
	sigdelset(&set, SIGPIPE);
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->epfd < 0 || l->sigfd < 0)
		goto out;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = l->sigfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->sigfd, &ev))
		goto out;
	*out = l;
	l = NULL;
	r = 0;
out:
	if (r)
		log_error(LOG_DAEMON, "event loop: %s", strerror(errno));
	loop_free(l);
	return r;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->sigfd >= 0)
		close(l->sigfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l);
}

int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *ctx)
{
	struct watch *w = find(l, -1);
	struct epoll_event ev;

	if (!w)
		return ERR_LIMIT;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev))
		return ERR_IO;
	w->fd = fd;
	w->fn = fn;
	w->ctx = ctx;
	return 0;
}

int loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) ? ERR_IO : 0;
}

void loop_del(struct loop *l, int fd)
{
	struct watch *w = find(l, fd);

	if (!w || fd < 0)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	w->fd = -1;
}

void loop_set_tick(struct loop *l, uint64_t interval_ms, loop_tick_fn fn, void *ctx)
{
	l->tick_ms = interval_ms;
	l->tick_fn = fn;
	l->tick_ctx = ctx;
	l->next_tick = loop_now_ms() + interval_ms;
}

void loop_stop(struct loop *l)
{
	l->stop = 1;
}

static void read_signals(struct loop *l)
{
	struct signalfd_siginfo si;

	while (read(l->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (l->sig_fn)
			l->sig_fn(l->sig_ctx, (int)si.ssi_signo);
	}
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[16];

	while (!l->stop) {
		int timeout = -1;
		uint64_t now = loop_now_ms();
		if (l->tick_ms) {
			if (now >= l->next_tick) {
				l->next_tick = now + l->tick_ms;
				l->tick_fn(l->tick_ctx, now);
				continue;
			}
			timeout = (int)(l->next_tick - now);
		}
		int n = epoll_wait(l->epfd, evs, 16, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error(LOG_DAEMON, "epoll_wait: %s", strerror(errno));
			return ERR_IO;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			int fd = evs[i].data.fd;
			if (fd == l->sigfd) {
				read_signals(l);
				continue;
			}
			struct watch *w = find(l, fd);
			if (w)
				w->fn(w->ctx, fd, evs[i].events);
		}
	}
	return 0;
}
