#include "daemon/nlmsg.h"

#include <string.h>

#include "lib/addr.h"
#include "lib/err.h"

/* Skips the padding after an element of len bytes; the last element may omit it. */
static void skip_pad(struct buf_reader *r, size_t pad)
{
	(void)buf_skip(r, pad < buf_remaining(r) ? pad : buf_remaining(r));
}

int nlmsg_next(struct buf_reader *r, struct nlmsghdr *h, struct buf_reader *body)
{
	const uint8_t *p;

	if (buf_remaining(r) < NLMSG_HDRLEN)
		return 0;
	(void)buf_get_ref(r, NLMSG_HDRLEN, &p);
	memcpy(h, p, sizeof(*h));
	if (h->nlmsg_len < NLMSG_HDRLEN || buf_sub(r, h->nlmsg_len - NLMSG_HDRLEN, body))
		return ERR_TRUNC;
	skip_pad(r, NLMSG_ALIGN(h->nlmsg_len) - h->nlmsg_len);
	return 1;
}

int nlmsg_attr_next(struct buf_reader *r, struct rtattr *a, struct buf_reader *val)
{
	const uint8_t *p;

	if (buf_remaining(r) < RTA_LENGTH(0))
		return 0;
	(void)buf_get_ref(r, RTA_LENGTH(0), &p);
	memcpy(a, p, sizeof(*a));
	if (a->rta_len < RTA_LENGTH(0) || buf_sub(r, a->rta_len - RTA_LENGTH(0), val))
		return ERR_TRUNC;
	skip_pad(r, RTA_ALIGN(a->rta_len) - a->rta_len);
	return 1;
}

int nlmsg_error_code(struct buf_reader *body, int *err)
{
	const uint8_t *p;

	if (buf_get_ref(body, sizeof(*err), &p))
		return ERR_TRUNC;
	memcpy(err, p, sizeof(*err));
	return 0;
}

int nlmsg_find_ack(const uint8_t *data, size_t len, uint32_t seq, int *err)
{
	struct buf_reader r, body;
	struct nlmsghdr h;
	int rc;

	buf_reader_init(&r, data, len);
	while ((rc = nlmsg_next(&r, &h, &body)) == 1) {
		if (h.nlmsg_seq != seq || h.nlmsg_type != NLMSG_ERROR)
			continue;
		return nlmsg_error_code(&body, err) ? ERR_TRUNC : 1;
	}
	return rc;
}

/* The attributes of an RTM_NEWROUTE answer (after its struct rtmsg): RTA_PREFSRC into *src. */
static int route_answer_src(struct buf_reader *body, int family, struct addr *src)
{
	size_t alen = addr_family_len(family);
	struct buf_reader val;
	struct rtattr a;
	int rc;

	if (buf_skip(body, NLMSG_ALIGN(sizeof(struct rtmsg))))
		return ERR_TRUNC;
	while ((rc = nlmsg_attr_next(body, &a, &val)) == 1) {
		const uint8_t *p;
		if (a.rta_type != RTA_PREFSRC)
			continue;
		if (alen == 0 || buf_remaining(&val) != alen)
			return ERR_INVAL;
		(void)buf_get_ref(&val, alen, &p);
		return addr_from_bytes(src, family, p, alen) ? ERR_INVAL : 1;
	}
	return rc ? rc : ERR_NOTFOUND;
}

int nlmsg_route_src(const uint8_t *data, size_t len, uint32_t seq, int family, struct addr *src,
		    int *err)
{
	struct buf_reader r, body;
	struct nlmsghdr h;
	int rc;

	buf_reader_init(&r, data, len);
	while ((rc = nlmsg_next(&r, &h, &body)) == 1) {
		if (h.nlmsg_seq != seq)
			continue;
		if (h.nlmsg_type == NLMSG_ERROR) {
			if (nlmsg_error_code(&body, err))
				return ERR_TRUNC;
			return *err ? ERR_IO : ERR_NOTFOUND;
		}
		if (h.nlmsg_type == RTM_NEWROUTE)
			return route_answer_src(&body, family, src);
	}
	return rc;
}
