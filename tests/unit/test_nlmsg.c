/* Netlink framing (daemon/nlmsg.h) on hand-built datagrams: message and attribute walking with
 * and without the last element's padding, lengths shorter than a header or past the end, an
 * acknowledgement found by sequence number among other messages, and RTM_GETROUTE answers
 * (preferred source, none, a refusal, a wrong-sized address). */
#include <errno.h>
#include <string.h>

#include "daemon/nlmsg.h"
#include "lib/addr.h"
#include "lib/err.h"
#include "support/test.h"

struct dg {
	uint8_t b[1024];
	size_t len;
};

static void put(struct dg *d, const void *p, size_t n)
{
	memcpy(d->b + d->len, p, n);
	d->len += n;
}

static void pad4(struct dg *d)
{
	while (d->len % 4)
		d->b[d->len++] = 0;
}

/* Appends a message of type/seq whose body is n bytes of p; pad: align the end. */
static void msg(struct dg *d, uint16_t type, uint32_t seq, const void *p, size_t n, bool pad)
{
	struct nlmsghdr h = {
	    .nlmsg_len = (uint32_t)(NLMSG_HDRLEN + n), .nlmsg_type = type, .nlmsg_seq = seq};

	put(d, &h, sizeof(h));
	put(d, p, n);
	if (pad)
		pad4(d);
}

static void ack(struct dg *d, uint32_t seq, int err)
{
	uint8_t body[sizeof(struct nlmsgerr)] = {0};

	memcpy(body, &err, sizeof(err));
	msg(d, NLMSG_ERROR, seq, body, sizeof(body), true);
}

/* An RTM_NEWROUTE body: struct rtmsg, an RTA_OIF, then RTA_PREFSRC of srclen bytes (0: none). */
static size_t route_body(uint8_t *b, const uint8_t *src, size_t srclen)
{
	struct rtmsg rt = {.rtm_family = AF_INET};
	struct rtattr a = {.rta_len = RTA_LENGTH(4), .rta_type = RTA_OIF};
	uint32_t oif = 7;
	size_t n = 0;

	memcpy(b, &rt, sizeof(rt));
	n = NLMSG_ALIGN(sizeof(rt));
	memcpy(b + n, &a, sizeof(a));
	memcpy(b + n + sizeof(a), &oif, 4);
	n += RTA_LENGTH(4);
	if (srclen) {
		a.rta_len = (unsigned short)RTA_LENGTH(srclen);
		a.rta_type = RTA_PREFSRC;
		memcpy(b + n, &a, sizeof(a));
		memcpy(b + n + sizeof(a), src, srclen);
		n += RTA_ALIGN(RTA_LENGTH(srclen));
	}
	return n;
}

static void test_walk(void)
{
	struct dg d = {.len = 0};
	struct buf_reader r, body;
	struct nlmsghdr h;
	const char one[] = "abc", two[] = "defgh";

	msg(&d, 100, 1, one, 3, true);
	msg(&d, 101, 2, two, 5, false); /* the last one unpadded */
	buf_reader_init(&r, d.b, d.len);
	T_EQ(nlmsg_next(&r, &h, &body), 1);
	T_EQ(h.nlmsg_type, 100);
	T_EQ(buf_remaining(&body), 3);
	T_EQ(nlmsg_next(&r, &h, &body), 1);
	T_EQ(h.nlmsg_seq, 2);
	T_EQ(buf_remaining(&body), 5);
	T_EQ(nlmsg_next(&r, &h, &body), 0);

	/* fewer bytes than a header: the end, not an error */
	buf_reader_init(&r, d.b, NLMSG_HDRLEN - 1);
	T_EQ(nlmsg_next(&r, &h, &body), 0);
	/* a length past the datagram, and one shorter than the header */
	buf_reader_init(&r, d.b, NLMSG_HDRLEN + 2);
	T_EQ(nlmsg_next(&r, &h, &body), ERR_TRUNC);
	((struct nlmsghdr *)(void *)d.b)->nlmsg_len = NLMSG_HDRLEN - 1;
	buf_reader_init(&r, d.b, d.len);
	T_EQ(nlmsg_next(&r, &h, &body), ERR_TRUNC);
}

static void test_attrs(void)
{
	uint8_t b[64];
	uint8_t src[4] = {192, 0, 2, 9};
	size_t n = route_body(b, src, 4);
	struct buf_reader r, val;
	struct rtattr a;

	buf_reader_init(&r, b + NLMSG_ALIGN(sizeof(struct rtmsg)),
			n - NLMSG_ALIGN(sizeof(struct rtmsg)));
	T_EQ(nlmsg_attr_next(&r, &a, &val), 1);
	T_EQ(a.rta_type, RTA_OIF);
	T_EQ(buf_remaining(&val), 4);
	T_EQ(nlmsg_attr_next(&r, &a, &val), 1);
	T_EQ(a.rta_type, RTA_PREFSRC);
	T_EQ(nlmsg_attr_next(&r, &a, &val), 0);
	/* an attribute claiming more than is left */
	buf_reader_init(&r, b + NLMSG_ALIGN(sizeof(struct rtmsg)), 6);
	T_EQ(nlmsg_attr_next(&r, &a, &val), ERR_TRUNC);
}

static void test_ack(void)
{
	struct dg d = {.len = 0};
	int err = 1;

	msg(&d, RTM_NEWROUTE, 9, "xxxx", 4, true); /* another request's answer */
	ack(&d, 8, 0);				   /* an older acknowledgement */
	ack(&d, 9, -EEXIST);
	T_EQ(nlmsg_find_ack(d.b, d.len, 9, &err), 1);
	T_EQ(err, -EEXIST);
	T_EQ(nlmsg_find_ack(d.b, d.len, 8, &err), 1);
	T_EQ(err, 0);
	T_EQ(nlmsg_find_ack(d.b, d.len, 10, &err), 0);
	/* an NLMSG_ERROR too short for its code */
	d.len = 0;
	msg(&d, NLMSG_ERROR, 3, "ab", 2, true);
	T_EQ(nlmsg_find_ack(d.b, d.len, 3, &err), ERR_TRUNC);
}

static void test_route_src(void)
{
	struct dg d = {.len = 0};
	uint8_t body[64], src4[4] = {192, 0, 2, 9};
	struct addr a, want;
	int err = 0;

	addr_parse("192.0.2.9", &want, NULL, 0);
	ack(&d, 4, 0); /* not ours */
	msg(&d, RTM_NEWROUTE, 5, body, route_body(body, src4, 4), true);
	T_EQ(nlmsg_route_src(d.b, d.len, 5, AF_INET, &a, &err), 1);
	T_OK(addr_equal(&a, &want), "preferred source read");
	T_EQ(nlmsg_route_src(d.b, d.len, 6, AF_INET, &a, &err), 0);

	d.len = 0;
	msg(&d, RTM_NEWROUTE, 5, body, route_body(body, NULL, 0), true);
	T_EQ(nlmsg_route_src(d.b, d.len, 5, AF_INET, &a, &err), ERR_NOTFOUND);

	d.len = 0;
	msg(&d, RTM_NEWROUTE, 5, body, route_body(body, src4, 3), true);
	T_EQ(nlmsg_route_src(d.b, d.len, 5, AF_INET, &a, &err), ERR_INVAL);

	d.len = 0;
	ack(&d, 5, -ENETUNREACH);
	T_EQ(nlmsg_route_src(d.b, d.len, 5, AF_INET, &a, &err), ERR_IO);
	T_EQ(err, -ENETUNREACH);
	d.len = 0;
	ack(&d, 5, 0);
	T_EQ(nlmsg_route_src(d.b, d.len, 5, AF_INET, &a, &err), ERR_NOTFOUND);
}

int main(void)
{
	test_walk();
	test_attrs();
	test_ack();
	test_route_src();
	return t_finish();
}
