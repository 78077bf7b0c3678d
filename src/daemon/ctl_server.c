#include "daemon/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "daemon/logq.h"
#include "lib/err.h"
#include "lib/log.h"
#include "lib/secret.h"

struct ctl_client {
	int fd; /* -1 when the slot is free */
	uint64_t since_ms;
	size_t rx_len;
	uint8_t *rx; /* CTLMSG_HDR + CTLMSG_MAX */
	uint8_t *tx; /* framed reply; a follower's queue of CTL_FOLLOW_BUF bytes */
	size_t tx_len, tx_off;
	/* log follower */
	bool follow, follow_json, want_out;
	int level;	  /* enum log_level */
	uint64_t dropped; /* lines not queued since the last notice */
};

struct ctl_server {
	struct loop *loop;
	int fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	ctl_handler_fn fn;
	void *ctx;
	struct ctl_client c[CTL_CLIENTS_MAX];
	struct ctlmsg_request req; /* decoded request; one at a time (single thread) */
	struct logq q;		   /* log lines for the followers */
	bool q_ok;
	int nfollow;
};

static void follow_update_tap(struct ctl_server *s)
{
	int level = LOG_TAP_OFF;

	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		if (s->c[i].fd >= 0 && s->c[i].follow && s->c[i].level > level)
			level = s->c[i].level;
	log_set_tap_level(level);
}

/* lib/log tap: any thread. */
static void follow_tap(void *ctx, enum log_subsys subsys, enum log_level level, const char *line)
{
	struct ctl_server *s = ctx;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	logq_push(&s->q, (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000, subsys, level,
		  line);
}

/* The receive buffer holds whole requests, and `xfrm state add` carries keys: wiped on free. */
static void rx_free(struct ctl_client *c)
{
	secret_free_buf(c->rx, CTLMSG_HDR + CTLMSG_MAX);
	c->rx = NULL;
}

static void client_close(struct ctl_server *s, struct ctl_client *c)
{
	bool was_follower = c->follow;

	if (c->fd < 0)
		return;
	loop_del(s->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	rx_free(c);
	free(c->tx);
	c->tx = NULL;
	c->rx_len = c->tx_len = c->tx_off = 0;
	c->follow = c->follow_json = c->want_out = false;
	c->dropped = 0;
	if (was_follower) {
		s->nfollow--;
		follow_update_tap(s);
	}
}

/* ---- log followers ---- */

static void follow_want_out(struct ctl_server *s, struct ctl_client *c, bool on)
{
	if (c->want_out == on)
		return;
	if (loop_mod(s->loop, c->fd, on ? EPOLLIN | EPOLLOUT : EPOLLIN)) {
		client_close(s, c);
		return;
	}
	c->want_out = on;
}

static void follow_flush(struct ctl_server *s, struct ctl_client *c)
{
	while (c->tx_off < c->tx_len) {
		ssize_t n = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				follow_want_out(s, c, true);
				return;
			}
			client_close(s, c);
			return;
		}
		c->tx_off += (size_t)n;
	}
	c->tx_off = c->tx_len = 0;
	follow_want_out(s, c, false);
}

/* Queues one frame; false when the follower's buffer has no room. */
static bool follow_frame(struct ctl_client *c, enum ctlmsg_kind kind, const void *p, size_t n)
{
	struct buf_writer w;

	if (c->tx_off) {
		memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
		c->tx_len -= c->tx_off;
		c->tx_off = 0;
	}
	if (CTL_FOLLOW_BUF - c->tx_len < CTLMSG_HDR + 1 + n)
		return false;
	buf_writer_init(&w, c->tx + c->tx_len, CTL_FOLLOW_BUF - c->tx_len);
	if (ctlmsg_response_encode(&w, kind, p, n) || buf_writer_failed(&w))
		return false;
	c->tx_len += buf_writer_len(&w);
	return true;
}

static void follow_put(struct ctl_client *c, const char *line, size_t n)
{
	if (c->dropped) {
		char note[96];
		int k = snprintf(note, sizeof(note),
				 "rampartd: %llu log lines dropped (the reader was too slow)\n",
				 (unsigned long long)c->dropped);
		if (!follow_frame(c, CTLMSG_ERR, note, (size_t)k)) {
			c->dropped++;
			return;
		}
		c->dropped = 0;
	}
	if (!follow_frame(c, CTLMSG_OUT, line, n))
		c->dropped++;
}

static void on_logq(void *ctx, int fd, uint32_t events)
{
	static char text[LOG_LINE_MAX + 128], json[LOG_LINE_MAX * 6 + 160];
	struct ctl_server *s = ctx;
	struct logq_rec r;
	uint64_t lost;
	(void)fd;
	(void)events;

	logq_clear_fd(&s->q);
	int budget = 0;

	for (; budget < LOGQ_LINES && logq_pop(&s->q, &r, &lost); budget++) {
		size_t nt = 0, nj = 0;
		for (int i = 0; i < CTL_CLIENTS_MAX; i++) {
			struct ctl_client *c = &s->c[i];
			if (c->fd < 0 || !c->follow)
				continue;
			c->dropped += lost;
			if ((int)r.level > c->level)
				continue;
			if (c->follow_json) {
				if (!nj)
					nj = logq_format(&r, true, false, json, sizeof(json));
				follow_put(c, json, nj);
			} else {
				if (!nt)
					nt = logq_format(&r, false, false, text, sizeof(text));
				follow_put(c, text, nt);
			}
		}
	}
	for (int i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *c = &s->c[i];
		if (c->fd >= 0 && c->follow && c->tx_len > c->tx_off)
			follow_flush(s, c);
	}
	if (budget == LOGQ_LINES)
		logq_rearm(&s->q); /* more than one round's worth: come back */
}

/* The reply asked to follow the log: the connection becomes a follower. */
static int follow_start(struct ctl_server *s, struct ctl_client *c, const struct ctl_reply *rep)
{
	if (!s->q_ok || s->nfollow >= CTL_FOLLOWERS_MAX)
		return ERR_LIMIT;
	c->tx = malloc(CTL_FOLLOW_BUF);
	if (!c->tx)
		return ERR_NOMEM;
	rx_free(c);
	c->tx_len = c->tx_off = 0;
	c->follow = true;
	c->follow_json = rep->json;
	c->level = rep->follow_level;
	c->want_out = false;
	s->nfollow++;
	follow_update_tap(s);
	if (rep->out_len)
		follow_frame(c, CTLMSG_OUT, rep->out, rep->out_len < 4096 ? rep->out_len : 4096);
	return 0;
}

/* Frames the reply: OUT chunks, ERR chunks, DONE. */
static int frame_reply(struct ctl_client *c, const struct ctl_reply *rep)
{
	static const char cut[] = "rampartd: reply truncated\n";
	const size_t chunk = CTLMSG_MAX - 1;
	size_t nframes = rep->out_len / chunk + rep->err_len / chunk + 4;
	size_t cap = rep->out_len + rep->err_len + sizeof(cut) + nframes * (CTLMSG_HDR + 1) + 1;
	struct buf_writer w;
	uint8_t status = (uint8_t)rep->status;

	c->tx = malloc(cap);
	if (!c->tx)
		return ERR_NOMEM;
	buf_writer_init(&w, c->tx, cap);
	for (size_t o = 0; o < rep->out_len; o += chunk) {
		size_t n = rep->out_len - o < chunk ? rep->out_len - o : chunk;
		ctlmsg_response_encode(&w, CTLMSG_OUT, rep->out + o, n);
	}
	for (size_t o = 0; o < rep->err_len; o += chunk) {
		size_t n = rep->err_len - o < chunk ? rep->err_len - o : chunk;
		ctlmsg_response_encode(&w, CTLMSG_ERR, rep->err + o, n);
	}
	if (rep->truncated) {
		ctlmsg_response_encode(&w, CTLMSG_ERR, cut, sizeof(cut) - 1);
		status = status ? status : 1;
	}
	ctlmsg_response_encode(&w, CTLMSG_DONE, &status, 1);
	if (buf_writer_failed(&w))
		return ERR_NOSPACE;
	c->tx_len = buf_writer_len(&w);
	c->tx_off = 0;
	return 0;
}

static void client_write(struct ctl_server *s, struct ctl_client *c)
{
	while (c->tx_off < c->tx_len) {
		ssize_t n = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			if (errno == EINTR)
				continue;
			client_close(s, c);
			return;
		}
		c->tx_off += (size_t)n;
	}
	client_close(s, c);
}

static void handle_request(struct ctl_server *s, struct ctl_client *c, size_t body_len)
{
	struct ctl_reply rep;
	int r;

	r = ctlmsg_request_decode(c->rx + CTLMSG_HDR, body_len, &s->req);
	ctl_reply_init(&rep, r == 0 && (s->req.flags & CTLMSG_FLAG_JSON));
	if (r) {
		log_warn(LOG_CTL, "malformed control request: %s", err_str(r));
		ctl_reply_error(&rep, "malformed request: %s", err_str(r));
	} else {
		s->fn(s->ctx, &s->req, &rep);
	}
	secret_wipe(&s->req, sizeof(s->req)); /* the decoded copy of the request's words */
	if (rep.follow_log && rep.status == 0) {
		r = follow_start(s, c, &rep);
		if (r == 0) {
			ctl_reply_cleanup(&rep);
			if (loop_mod(s->loop, c->fd, EPOLLIN))
				client_close(s, c);
			else
				follow_flush(s, c);
			return;
		}
		ctl_reply_error(&rep, "cannot follow the log: %s",
				r == ERR_LIMIT ? "too many followers" : err_str(r));
	}
	r = frame_reply(c, &rep);
	ctl_reply_cleanup(&rep);
	if (r) {
		client_close(s, c);
		return;
	}
	rx_free(c);
	if (loop_mod(s->loop, c->fd, EPOLLOUT)) {
		client_close(s, c);
		return;
	}
	client_write(s, c);
}

static void client_read(struct ctl_server *s, struct ctl_client *c)
{
	size_t want, body = 0;

	for (;;) {
		want = CTLMSG_HDR;
		if (c->rx_len >= CTLMSG_HDR) {
			if (ctlmsg_frame_len(c->rx, &body)) {
				log_warn(LOG_CTL, "control request too long");
				client_close(s, c);
				return;
			}
			want = CTLMSG_HDR + body;
		}
		if (c->rx_len >= CTLMSG_HDR && c->rx_len == want) {
			handle_request(s, c, body);
			return;
		}
		ssize_t n = recv(c->fd, c->rx + c->rx_len, want - c->rx_len, 0);
		if (n == 0) {
			client_close(s, c);
			return;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				client_close(s, c);
			return;
		}
		c->rx_len += (size_t)n;
	}
}

static void on_client(void *ctx, int fd, uint32_t events)
{
	struct ctl_server *s = ctx;
	struct ctl_client *c = NULL;

	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		if (s->c[i].fd == fd)
			c = &s->c[i];
	if (!c)
		return;
	if (c->follow) {
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
			char sink[64];
			ssize_t n = recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT);
			if (n == 0 ||
			    (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
				client_close(s, c); /* the follower went away */
				return;
			}
		}
		if (events & EPOLLOUT)
			follow_flush(s, c);
		return;
	}
	if (c->tx) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			client_write(s, c);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		client_read(s, c);
}

static void on_listen(void *ctx, int fd, uint32_t events)
{
	struct ctl_server *s = ctx;
	(void)events;

	for (;;) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *c = NULL;
		if (cfd < 0)
			return;
		for (int i = 0; i < CTL_CLIENTS_MAX && !c; i++)
			if (s->c[i].fd < 0)
				c = &s->c[i];
		if (!c) {
			log_warn(LOG_CTL, "too many control clients (max %d)", CTL_CLIENTS_MAX);
			close(cfd);
			continue;
		}
		c->rx = malloc(CTLMSG_HDR + CTLMSG_MAX);
		if (!c->rx || loop_add(s->loop, cfd, EPOLLIN, on_client, s)) {
			free(c->rx);
			c->rx = NULL;
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->rx_len = 0;
		c->since_ms = loop_now_ms();
	}
}

/* Whether a daemon answers on path. */
static int socket_alive(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int alive;

	if (fd < 0)
		return 0;
	alive = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return alive;
}

int ctl_server_new(struct ctl_server **out, struct loop *l, const char *path, ctl_handler_fn fn,
		   void *ctx)
{
	struct ctl_server *s = NULL;
	struct sockaddr_un sa;
	char dir[sizeof(sa.sun_path)];
	char *slash;
	int r = ERR_IO;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_error(LOG_CTL, "control socket path too long: %s", path);
		return ERR_INVAL;
	}
	strcpy(sa.sun_path, path);
	s = calloc(1, sizeof(*s));
	if (!s)
		return ERR_NOMEM;
	s->fd = -1;
	s->q.efd = -1;
	s->loop = l;
	s->fn = fn;
	s->ctx = ctx;
	for (int i = 0; i < CTL_CLIENTS_MAX; i++)
		s->c[i].fd = -1;
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST) {
			log_error(LOG_CTL, "mkdir %s: %s", dir, strerror(errno));
			goto out;
		}
	}
	if (socket_alive(&sa)) {
		log_error(LOG_CTL, "another rampartd answers on %s", path);
		r = ERR_EXISTS;
		goto out;
	}
	unlink(path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		goto out;
	mode_t old = umask(0077);
	int b = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (b || listen(s->fd, CTL_CLIENTS_MAX)) {
		log_error(LOG_CTL, "control socket %s: %s", path, strerror(errno));
		goto out;
	}
	strcpy(s->path, path);
	if ((r = loop_add(l, s->fd, EPOLLIN, on_listen, s)))
		goto out;
	if (logq_init(&s->q, true) == 0) {
		s->q_ok = true;
		if (loop_add(l, s->q.efd, EPOLLIN, on_logq, s) == 0) {
			log_set_tap_level(LOG_TAP_OFF);
			log_set_tap(follow_tap, s);
		}
	}
	*out = s;
	s = NULL;
	r = 0;
out:
	ctl_server_free(s);
	return r;
}

void ctl_server_free(struct ctl_server *s)
{
	if (!s)
		return;
	if (s->q_ok) {
		log_set_tap(NULL, NULL); /* waits for threads inside the tap */
		loop_del(s->loop, s->q.efd);
	}
	for (int i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *c = &s->c[i];
		uint8_t st = 0;
		if (c->fd >= 0 && c->follow && follow_frame(c, CTLMSG_DONE, &st, 1))
			follow_flush(s, c); /* best effort: the follower exits 0 */
		client_close(s, c);
	}
	if (s->q_ok)
		logq_cleanup(&s->q);
	if (s->fd >= 0) {
		loop_del(s->loop, s->fd);
		close(s->fd);
		if (s->path[0])
			unlink(s->path);
	}
	free(s);
}

void ctl_server_tick(struct ctl_server *s, uint64_t now_ms)
{
	for (int i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *c = &s->c[i];
		if (c->fd >= 0 && !c->follow && now_ms - c->since_ms > CTL_CLIENT_TIMEOUT_MS) {
			log_debug(LOG_CTL, "dropping idle control client");
			client_close(s, c);
		}
	}
}
