#include "ctl/client.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/ctlmsg.h"
#include "lib/err.h"
#include "lib/secret.h"

static int read_full(int fd, void *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(fd, (char *)p + got, n - got, 0);
		if (r == 0)
			return ERR_TRUNC;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		got += (size_t)r;
	}
	return 0;
}

static int write_full(int fd, const void *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = send(fd, (const char *)p + done, n - done, MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return ERR_IO;
		}
		done += (size_t)r;
	}
	return 0;
}

static int call(const char *path, unsigned flags, int argc, const char *const *argv, char *out,
		size_t out_size, bool follow);

int ctl_client_run(const char *path, unsigned flags, int argc, const char *const *argv)
{
	return call(path, flags, argc, argv, NULL, 0, false);
}

int ctl_client_call(const char *path, unsigned flags, int argc, const char *const *argv, char *out,
		    size_t out_size)
{
	return call(path, flags, argc, argv, out, out_size, false);
}

int ctl_client_follow(const char *path, unsigned flags, int argc, const char *const *argv)
{
	return call(path, flags, argc, argv, NULL, 0, true);
}

static int call(const char *path, unsigned flags, int argc, const char *const *argv, char *out,
		size_t out_size, bool follow)
{
	size_t out_len = 0;
	struct sockaddr_un sa;
	struct timeval tv = {CTL_CLIENT_TIMEOUT_S, 0};
	struct buf_writer w;
	uint8_t *buf = NULL;
	uint8_t hdr[CTLMSG_HDR];
	int fd = -1, r;

	if (out && out_size)
		out[0] = '\0';
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "rampart: socket path too long: %s\n", path);
		return ERR_INVAL;
	}
	strcpy(sa.sun_path, path);
	buf = malloc(CTLMSG_HDR + CTLMSG_MAX);
	if (!buf)
		return ERR_NOMEM;
	buf_writer_init(&w, buf, CTLMSG_HDR + CTLMSG_MAX);
	if ((r = ctlmsg_request_encode(&w, flags, argc, argv))) {
		fprintf(stderr, "rampart: command too long: %s\n", err_str(r));
		goto out;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "rampart: cannot connect to rampartd at %s: %s\n", path,
			strerror(errno));
		r = ERR_IO;
		goto out;
	}
	if (!follow)
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((r = write_full(fd, buf, buf_writer_len(&w))))
		goto io;
	for (;;) {
		enum ctlmsg_kind kind;
		const uint8_t *data;
		size_t len, n;
		if ((r = read_full(fd, hdr, sizeof(hdr))) || (r = ctlmsg_frame_len(hdr, &len)) ||
		    (r = read_full(fd, buf, len)))
			goto io;
		if ((r = ctlmsg_response_decode(buf, len, &kind, &data, &n)))
			goto io;
		if (kind == CTLMSG_DONE) {
			r = data[0];
			break;
		}
		if (out && out_size) {
			size_t take = n < out_size - 1 - out_len ? n : out_size - 1 - out_len;
			memcpy(out + out_len, data, take);
			out_len += take;
			out[out_len] = '\0';
			continue;
		}
		fwrite(data, 1, n, kind == CTLMSG_OUT ? stdout : stderr);
		if (kind == CTLMSG_ERR)
			fflush(stderr);
		else if (follow)
			fflush(stdout);
	}
	goto out;
io:
	if (follow && r == ERR_TRUNC) {
		fprintf(stderr, "rampart: rampartd closed the connection\n");
		r = 1;
		goto out;
	}
	fprintf(stderr, "rampart: lost the reply from rampartd: %s\n",
		r == ERR_IO ? strerror(errno) : err_str(r));
out:
	if (fd >= 0)
		close(fd);
	secret_free_buf(buf, CTLMSG_HDR + CTLMSG_MAX); /* the request may carry keys */
	return r;
}
