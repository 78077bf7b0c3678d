/* udpblast: small-packet rate for bench/run.sh. A sender that pushes fixed-size UDP datagrams
 * as fast as sendmmsg allows, and a receiver that counts what arrives (recvmmsg), so the
 * figure is packets per second delivered to the receiving application.
 *
 *   udpblast recv BIND_ADDR PORT SECONDS    waits (up to 10 s) for the first datagram, counts
 *                                           for SECONDS from it, prints "received N packets
 *                                           in S s: P pps"
 *   udpblast send SRC_ADDR DST_ADDR PORT SECONDS [SIZE]
 *                                           prints "sent N packets in S s: P pps"
 *
 * SIZE is the UDP payload (default 64, 16..1472). Each datagram starts with a 64-bit sequence
 * number; the receiver reports the highest one it saw so the caller can derive loss.
 * IPv4 and IPv6 addresses; no names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define UDPBLAST_BATCH	  64   /* datagrams per sendmmsg/recvmmsg */
#define UDPBLAST_SIZE_MAX 1472 /* payload that fits a 1500-byte IPv4 frame */
#define UDPBLAST_SIZE_MIN 16
#define UDPBLAST_WAIT_S	  10 /* receiver: how long to wait for the first datagram */
#define UDPBLAST_RCVBUF	  (8 << 20)

static double udpblast_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Parses ADDR and PORT into ss; 0 or -1. */
static int udpblast_addr(const char *addr, unsigned port, struct sockaddr_storage *ss,
			 socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
		return 0;
	}
	fprintf(stderr, "udpblast: not an IP address: %s\n", addr);
	return -1;
}

static int udpblast_number(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end = NULL;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "udpblast: bad number %s (%lu..%lu)\n", s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int udpblast_recv(const char *bind_addr, unsigned port, unsigned seconds)
{
	static unsigned char bufs[UDPBLAST_BATCH][UDPBLAST_SIZE_MAX + 1];
	struct mmsghdr msgs[UDPBLAST_BATCH];
	struct iovec iov[UDPBLAST_BATCH];
	struct sockaddr_storage ss;
	struct timeval tv = {.tv_sec = 0, .tv_usec = 100000};
	socklen_t len;
	int rcvbuf = UDPBLAST_RCVBUF;
	int fd = -1, rc = 1;
	unsigned long long count = 0, max_seq = 0;
	double start = 0, end, deadline;

	if (udpblast_addr(bind_addr, port, &ss, &len))
		goto out;
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpblast: socket");
		goto out;
	}
	/* Root may exceed rmem_max; a failure only means a smaller buffer. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(fd, (struct sockaddr *)&ss, len)) {
		perror("udpblast: bind");
		goto out;
	}
	printf("listening\n");
	fflush(stdout);
	memset(msgs, 0, sizeof(msgs));
	for (int i = 0; i < UDPBLAST_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	deadline = udpblast_now() + UDPBLAST_WAIT_S;
	for (;;) {
		int n = recvmmsg(fd, msgs, UDPBLAST_BATCH, 0, NULL);
		double now = udpblast_now();

		if (n > 0) {
			if (start == 0) {
				start = now;
				deadline = start + seconds;
			}
			if (now > deadline)
				break;
			count += (unsigned)n;
			for (int i = 0; i < n; i++) {
				uint64_t seq;

				if (msgs[i].msg_len < sizeof(seq))
					continue;
				memcpy(&seq, bufs[i], sizeof(seq));
				if (seq > max_seq)
					max_seq = seq;
			}
		} else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			perror("udpblast: recvmmsg");
			goto out;
		}
		if (now > deadline)
			break;
	}
	if (start == 0) {
		fprintf(stderr, "udpblast: nothing received in %d s\n", UDPBLAST_WAIT_S);
		goto out;
	}
	end = udpblast_now();
	if (end > start + seconds)
		end = start + seconds;
	printf("received %llu packets in %.3f s: %.0f pps (highest sequence %llu)\n", count,
	       end - start, (double)count / (end - start), max_seq);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static int udpblast_send(const char *src, const char *dst, unsigned port, unsigned seconds,
			 unsigned size)
{
	static unsigned char bufs[UDPBLAST_BATCH][UDPBLAST_SIZE_MAX];
	struct mmsghdr msgs[UDPBLAST_BATCH];
	struct iovec iov[UDPBLAST_BATCH];
	struct sockaddr_storage sa, da;
	socklen_t slen, dlen;
	int fd = -1, rc = 1;
	unsigned long long sent = 0;
	uint64_t seq = 0;
	double start, end;

	if (udpblast_addr(src, 0, &sa, &slen) || udpblast_addr(dst, port, &da, &dlen))
		goto out;
	fd = socket(da.ss_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("udpblast: socket");
		goto out;
	}
	if (bind(fd, (struct sockaddr *)&sa, slen) || connect(fd, (struct sockaddr *)&da, dlen)) {
		perror("udpblast: bind/connect");
		goto out;
	}
	memset(msgs, 0, sizeof(msgs));
	memset(bufs, 0xa5, sizeof(bufs));
	for (int i = 0; i < UDPBLAST_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = udpblast_now();
	end = start + seconds;
	for (;;) {
		double now = udpblast_now();
		int n;

		if (now >= end)
			break;
		for (int i = 0; i < UDPBLAST_BATCH; i++) {
			uint64_t s = seq + 1 + (uint64_t)i;

			memcpy(bufs[i], &s, sizeof(s));
		}
		n = sendmmsg(fd, msgs, UDPBLAST_BATCH, 0);
		if (n > 0) {
			sent += (unsigned)n;
			seq += (uint64_t)n;
		} else if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR &&
			   errno != ECONNREFUSED) {
			perror("udpblast: sendmmsg");
			goto out;
		}
	}
	end = udpblast_now();
	printf("sent %llu packets in %.3f s: %.0f pps\n", sent, end - start,
	       (double)sent / (end - start));
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

static void udpblast_usage(void)
{
	fprintf(stderr, "usage: udpblast recv BIND_ADDR PORT SECONDS\n"
			"       udpblast send SRC_ADDR DST_ADDR PORT SECONDS [SIZE]\n");
}

int main(int argc, char **argv)
{
	unsigned long port, secs, size = 64;

	if (argc == 5 && strcmp(argv[1], "recv") == 0) {
		if (udpblast_number(argv[3], 1, 65535, &port) ||
		    udpblast_number(argv[4], 1, 3600, &secs))
			return 2;
		return udpblast_recv(argv[2], (unsigned)port, (unsigned)secs);
	}
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "send") == 0) {
		if (udpblast_number(argv[4], 1, 65535, &port) ||
		    udpblast_number(argv[5], 1, 3600, &secs) ||
		    (argc == 7 &&
		     udpblast_number(argv[6], UDPBLAST_SIZE_MIN, UDPBLAST_SIZE_MAX, &size)))
			return 2;
		return udpblast_send(argv[2], argv[3], (unsigned)port, (unsigned)secs,
				     (unsigned)size);
	}
	udpblast_usage();
	return 2;
}
