/* IKEv2 traffic selector payload codec: RFC 7296 §3.13. */
#include "wire/ikev2_ts.h"

#include <string.h>

#include "lib/err.h"
#include "wire/ikev2_const.h"
#include "wire/ikev2_payload.h"

size_t ikev2_ts_addr_len(uint8_t type)
{
	switch (type) {
	case IKEV2_TS_IPV4_ADDR_RANGE:
		return 4;
	case IKEV2_TS_IPV6_ADDR_RANGE:
		return 16;
	}
	return 0;
}

/* RFC 7296 §3.13.1:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |   TS Type     |IP Protocol ID*|       Selector Length         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Start Port*         |           End Port*           |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Starting Address*                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                         Ending Address*                       ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int decode_one(struct buf_reader *r, struct ikev2_ts *ts, bool *known)
{
	struct buf_reader sr;
	uint16_t len;
	size_t alen;

	if (buf_remaining(r) < 4) {
		ikev2_log_bad(r, "TS selector", "truncated header");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(r, &ts->type);
	(void)buf_get_u8(r, &ts->ip_proto);
	(void)buf_peek_u16(r, &len);
	alen = ikev2_ts_addr_len(ts->type);
	if (alen == 0) {
		/* unknown type: only its length is meaningful */
		if (len < 4) {
			ikev2_log_bad(r, "TS selector", "length below its header");
			return ERR_INVAL;
		}
		(void)buf_skip(r, 2);
		if (buf_skip(r, (size_t)len - 4)) {
			ikev2_log_bad(r, "TS selector", "length runs past the payload");
			return ERR_TRUNC;
		}
		*known = false;
		return 0;
	}
	if (len != 8 + 2 * alen) {
		ikev2_log_bad(r, "TS selector", "length does not match its type");
		return ERR_INVAL;
	}
	(void)buf_skip(r, 2);
	if (buf_sub(r, (size_t)len - 4, &sr)) {
		ikev2_log_bad(r, "TS selector", "length runs past the payload");
		return ERR_TRUNC;
	}
	(void)buf_get_u16(&sr, &ts->start_port);
	(void)buf_get_u16(&sr, &ts->end_port);
	memset(ts->start, 0, sizeof(ts->start));
	memset(ts->end, 0, sizeof(ts->end));
	(void)buf_get_bytes(&sr, ts->start, alen);
	(void)buf_get_bytes(&sr, ts->end, alen);
	ts->inverted = ts->start_port > ts->end_port || memcmp(ts->start, ts->end, alen) > 0;
	*known = true;
	return 0;
}

/* RFC 7296 §3.13:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Number of TSs |                 RESERVED                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                       <Traffic Selectors>                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ikev2_ts_decode(struct buf_reader *body, struct ikev2_ts_payload *out)
{
	uint8_t n;
	unsigned count = 0, unknown = 0;
	int err;

	out->count = 0;
	out->n_unknown = 0;
	if (buf_remaining(body) < 4) {
		ikev2_log_bad(body, "TS", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(body, &n);
	(void)buf_skip(body, 3);
	if (n == 0) {
		ikev2_log_bad(body, "TS", "no traffic selectors");
		return ERR_INVAL;
	}
	/* every selector takes at least its 4-octet header */
	if ((size_t)n * 4 > buf_remaining(body)) {
		ikev2_log_bad(body, "TS", "selector count exceeds the payload length");
		return ERR_INVAL;
	}
	for (unsigned i = 0; i < n; i++) {
		struct ikev2_ts ts;
		bool known;

		err = decode_one(body, &ts, &known);
		if (err)
			return err;
		if (!known) {
			unknown++;
			continue;
		}
		if (count >= IKEV2_MAX_TS) {
			ikev2_log_bad(body, "TS", "too many traffic selectors");
			return ERR_LIMIT;
		}
		out->ts[count++] = ts;
	}
	if (!buf_empty(body)) {
		ikev2_log_bad(body, "TS", "bytes after the last selector");
		return ERR_INVAL;
	}
	out->count = (uint8_t)count;
	out->n_unknown = (uint8_t)unknown;
	return 0;
}

int ikev2_ts_encode(struct buf_writer *w, const struct ikev2_ts_payload *tsp)
{
	if (tsp->count == 0 || tsp->count > IKEV2_MAX_TS)
		return ERR_INVAL;
	buf_put_u8(w, tsp->count);
	buf_put_zeros(w, 3);
	for (unsigned i = 0; i < tsp->count; i++) {
		const struct ikev2_ts *ts = &tsp->ts[i];
		size_t alen = ikev2_ts_addr_len(ts->type);

		if (alen == 0)
			return ERR_INVAL;
		buf_put_u8(w, ts->type);
		buf_put_u8(w, ts->ip_proto);
		buf_put_u16(w, (uint16_t)(8 + 2 * alen));
		buf_put_u16(w, ts->start_port);
		buf_put_u16(w, ts->end_port);
		buf_put_bytes(w, ts->start, alen);
		buf_put_bytes(w, ts->end, alen);
	}
	return buf_writer_failed(w);
}
