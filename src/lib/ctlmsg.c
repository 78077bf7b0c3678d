#include "lib/ctlmsg.h"

#include <string.h>

#include "lib/err.h"

int ctlmsg_frame_len(const uint8_t hdr[CTLMSG_HDR], size_t *len)
{
	uint32_t v = buf_load_be32(hdr);

	if (v > CTLMSG_MAX)
		return ERR_LIMIT;
	*len = v;
	return 0;
}

int ctlmsg_request_encode(struct buf_writer *w, unsigned flags, int argc, const char *const *argv)
{
	size_t pos, start;
	int r;

	if (argc < 0 || argc > CTLMSG_ARGS_MAX)
		return ERR_LIMIT;
	if ((r = buf_reserve(w, CTLMSG_HDR, &pos, NULL)))
		return r;
	start = buf_writer_len(w);
	buf_put_u8(w, CTLMSG_VERSION);
	buf_put_u8(w, (uint8_t)flags);
	buf_put_u16(w, (uint16_t)argc);
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (n > CTLMSG_ARG_MAX)
			return ERR_LIMIT;
		buf_put_u16(w, (uint16_t)n);
		buf_put_bytes(w, argv[i], n);
	}
	if ((r = buf_writer_failed(w)))
		return r;
	if (buf_writer_len(w) - start > CTLMSG_MAX)
		return ERR_LIMIT;
	return buf_patch_u32(w, pos, (uint32_t)(buf_writer_len(w) - start));
}

int ctlmsg_request_decode(const uint8_t *body, size_t len, struct ctlmsg_request *req)
{
	struct buf_reader r;
	uint8_t version, flags;
	uint16_t argc, n;
	const uint8_t *p;
	size_t used = 0;
	int err;

	if (len > CTLMSG_MAX)
		return ERR_LIMIT;
	buf_reader_init(&r, body, len);
	if ((err = buf_get_u8(&r, &version)) || (err = buf_get_u8(&r, &flags)) ||
	    (err = buf_get_u16(&r, &argc)))
		return err;
	if (version != CTLMSG_VERSION || (flags & ~CTLMSG_FLAG_JSON))
		return ERR_INVAL;
	if (argc > CTLMSG_ARGS_MAX)
		return ERR_LIMIT;
	/* Each argument needs at least its 2-byte length. */
	if ((size_t)argc * 2 > buf_remaining(&r))
		return ERR_TRUNC;
	for (unsigned i = 0; i < argc; i++) {
		if ((err = buf_get_u16(&r, &n)))
			return err;
		if (n > CTLMSG_ARG_MAX)
			return ERR_LIMIT;
		if ((err = buf_get_ref(&r, n, &p)))
			return err;
		if (memchr(p, '\0', n))
			return ERR_INVAL;
		if (used + n + 1 > sizeof(req->store))
			return ERR_LIMIT;
		memcpy(req->store + used, p, n);
		req->store[used + n] = '\0';
		req->argv[i] = req->store + used;
		used += n + 1;
	}
	if (!buf_empty(&r))
		return ERR_INVAL;
	req->argv[argc] = NULL;
	req->argc = argc;
	req->flags = flags;
	return 0;
}

int ctlmsg_response_encode(struct buf_writer *w, enum ctlmsg_kind kind, const void *data,
			   size_t len)
{
	if (len + 1 > CTLMSG_MAX)
		return ERR_LIMIT;
	if (kind == CTLMSG_DONE && len != 1)
		return ERR_INVAL;
	buf_put_u32(w, (uint32_t)(len + 1));
	buf_put_u8(w, (uint8_t)kind);
	buf_put_bytes(w, data, len);
	return buf_writer_failed(w);
}

int ctlmsg_response_decode(const uint8_t *body, size_t len, enum ctlmsg_kind *kind,
			   const uint8_t **data, size_t *n)
{
	struct buf_reader r;
	uint8_t k;
	const uint8_t *p;
	size_t rest;

	buf_reader_init(&r, body, len);
	if (buf_get_u8(&r, &k))
		return ERR_TRUNC;
	if (k != CTLMSG_OUT && k != CTLMSG_ERR && k != CTLMSG_DONE)
		return ERR_INVAL;
	buf_get_rest(&r, &p, &rest);
	if (k == CTLMSG_DONE && rest != 1)
		return ERR_INVAL;
	*kind = (enum ctlmsg_kind)k;
	*data = p;
	*n = rest;
	return 0;
}
