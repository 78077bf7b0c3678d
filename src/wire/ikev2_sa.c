/* IKEv2 SA payload codec: RFC 7296 §3.3. */
#include "wire/ikev2_sa.h"

#include <string.h>

#include "lib/err.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"
#include "wire/ikev2_payload.h"

bool ikev2_sa_spi_size_ok(uint8_t proto, uint8_t spi_size)
{
	switch (proto) {
	case IKEV2_PROTO_IKE:
		return spi_size == 0 || spi_size == 8;
	case IKEV2_PROTO_AH:
	case IKEV2_PROTO_ESP:
		return spi_size == 4;
	}
	return false;
}

/* RFC 7296 §3.3.5:
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |A|       Attribute Type        |    AF=0  Attribute Length     |
 * |F|                             |    AF=1  Attribute Value      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                   AF=0  Attribute Value                       |
 * |                   AF=1  Not Transmitted                       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int decode_attrs(struct buf_reader *r, struct ikev2_transform *t)
{
	unsigned n = 0;

	while (!buf_empty(r)) {
		uint16_t type, v;

		if (++n > IKEV2_MAX_ATTRS) {
			ikev2_log_bad(r, "SA transform attribute", "too many attributes");
			return ERR_LIMIT;
		}
		if (buf_remaining(r) < 4) {
			ikev2_log_bad(r, "SA transform attribute", "truncated");
			return ERR_TRUNC;
		}
		(void)buf_get_u16(r, &type);
		(void)buf_get_u16(r, &v);
		if ((type & ~IKEV2_ATTR_AF) == IKEV2_ATTR_KEY_LENGTH) {
			if (!(type & IKEV2_ATTR_AF)) {
				ikev2_log_bad(r, "SA transform attribute",
					      "Key Length must be TV (AF=1)");
				return ERR_INVAL;
			}
			if (t->has_key_len) {
				ikev2_log_bad(r, "SA transform attribute", "duplicate Key Length");
				return ERR_INVAL;
			}
			t->has_key_len = true;
			t->key_len = v;
			continue;
		}
		if (!(type & IKEV2_ATTR_AF) && buf_skip(r, v)) {
			ikev2_log_bad(r, "SA transform attribute",
				      "TLV value runs past the transform");
			return ERR_TRUNC;
		}
		t->n_unknown++;
	}
	return 0;
}

/* RFC 7296 §3.3.2:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |        Transform Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |Transform Type |   RESERVED    |          Transform ID         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                      Transform Attributes                     ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int decode_transform(struct buf_reader *r, bool last_expected, struct ikev2_transform *t)
{
	struct buf_reader tr;
	uint8_t last, rsv;
	uint16_t len;

	memset(t, 0, sizeof(*t));
	if (buf_remaining(r) < 8) {
		ikev2_log_bad(r, "SA transform", "truncated header");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(r, &last);
	(void)buf_get_u8(r, &rsv);
	(void)buf_peek_u16(r, &len);
	if (len < 8) {
		ikev2_log_bad(r, "SA transform", "length below its header");
		return ERR_INVAL;
	}
	(void)buf_skip(r, 2);
	if (buf_sub(r, (size_t)len - 4, &tr)) {
		ikev2_log_bad(r, "SA transform", "length runs past the proposal");
		return ERR_TRUNC;
	}
	if (last != (last_expected ? IKEV2_LAST : IKEV2_MORE_TRANSFORMS)) {
		ikev2_log_bad(r, "SA transform", "last-substructure marker disagrees with count");
		return ERR_INVAL;
	}
	(void)buf_get_u8(&tr, &t->type);
	(void)buf_get_u8(&tr, &rsv);
	(void)buf_get_u16(&tr, &t->id);
	return decode_attrs(&tr, t);
}

/* RFC 7296 §3.3.1:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Last Substruc |   RESERVED    |         Proposal Length       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Proposal Num  |  Protocol ID  |    SPI Size   |Num  Transforms|
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        SPI (variable)                         ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                        <Transforms>                           ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int decode_proposal(struct buf_reader *r, uint8_t *last, struct ikev2_proposal *p)
{
	struct buf_reader pr;
	uint8_t rsv;
	uint16_t len;
	int err;

	if (buf_remaining(r) < 8) {
		ikev2_log_bad(r, "SA proposal", "truncated header");
		return ERR_TRUNC;
	}
	(void)buf_get_u8(r, last);
	(void)buf_get_u8(r, &rsv);
	(void)buf_peek_u16(r, &len);
	if (len < 8) {
		ikev2_log_bad(r, "SA proposal", "length below its header");
		return ERR_INVAL;
	}
	(void)buf_skip(r, 2);
	if (buf_sub(r, (size_t)len - 4, &pr)) {
		ikev2_log_bad(r, "SA proposal", "length runs past the payload");
		return ERR_TRUNC;
	}
	if (*last != IKEV2_LAST && *last != IKEV2_MORE_PROPOSALS) {
		ikev2_log_bad(&pr, "SA proposal", "last-substructure marker neither 0 nor 2");
		return ERR_INVAL;
	}
	(void)buf_get_u8(&pr, &p->num);
	(void)buf_get_u8(&pr, &p->proto);
	(void)buf_get_u8(&pr, &p->spi_size);
	(void)buf_get_u8(&pr, &p->ntransforms);
	if (!ikev2_sa_spi_size_ok(p->proto, p->spi_size)) {
		ikev2_log_bad(&pr, "SA proposal", "SPI size inconsistent with protocol");
		return ERR_INVAL;
	}
	if (buf_get_ref(&pr, p->spi_size, &p->spi)) {
		ikev2_log_bad(&pr, "SA proposal", "SPI runs past the proposal");
		return ERR_TRUNC;
	}
	if (p->spi_size == 0)
		p->spi = NULL;
	if (p->ntransforms == 0) {
		ikev2_log_bad(&pr, "SA proposal", "no transforms");
		return ERR_INVAL;
	}
	if (p->ntransforms > IKEV2_MAX_TRANSFORMS) {
		ikev2_log_bad(&pr, "SA proposal", "too many transforms");
		return ERR_LIMIT;
	}
	/* every transform takes at least 8 octets: check the count before looping */
	if ((size_t)p->ntransforms * 8 > buf_remaining(&pr)) {
		ikev2_log_bad(&pr, "SA proposal", "transform count exceeds the proposal length");
		return ERR_INVAL;
	}
	for (unsigned i = 0; i < p->ntransforms; i++) {
		err = decode_transform(&pr, i + 1 == p->ntransforms, &p->t[i]);
		if (err)
			return err;
	}
	if (!buf_empty(&pr)) {
		ikev2_log_bad(&pr, "SA proposal", "bytes after the last transform");
		return ERR_INVAL;
	}
	return 0;
}

/* RFC 7296 §3.3:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                          <Proposals>                          ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
int ikev2_sa_decode(struct buf_reader *body, struct ikev2_sa *out)
{
	uint8_t last = IKEV2_MORE_PROPOSALS;
	unsigned n = 0;
	int err;

	out->nproposals = 0;
	while (last == IKEV2_MORE_PROPOSALS) {
		if (n >= IKEV2_MAX_PROPOSALS) {
			ikev2_log_bad(body, "SA", "too many proposals");
			return ERR_LIMIT;
		}
		err = decode_proposal(body, &last, &out->p[n]);
		if (err)
			return err;
		n++;
	}
	if (!buf_empty(body)) {
		ikev2_log_bad(body, "SA", "bytes after the last proposal");
		return ERR_INVAL;
	}
	/* RFC 7296 §3.3.1: "the first Proposal MUST have a Proposal Num of one (1)... each
	 * subsequent proposal MUST be one more than the previous"; a response carries the one it
	 * accepted. */
	for (unsigned i = 0; i < n; i++) {
		if (out->p[i].num == 0 || (n > 1 && out->p[i].num != i + 1)) {
			ikev2_log_bad(body, "SA", "proposal numbers not 1, 2, 3 ...");
			return ERR_INVAL;
		}
	}
	out->nproposals = (uint8_t)n;
	return 0;
}

static int check_numbers(const struct ikev2_sa *sa)
{
	if (sa->nproposals == 0 || sa->nproposals > IKEV2_MAX_PROPOSALS)
		return ERR_INVAL;
	for (unsigned i = 0; i < sa->nproposals; i++) {
		const struct ikev2_proposal *p = &sa->p[i];

		if (p->num == 0 || (sa->nproposals > 1 && p->num != i + 1))
			return ERR_INVAL;
		if (!ikev2_sa_spi_size_ok(p->proto, p->spi_size))
			return ERR_INVAL;
		if (p->ntransforms == 0 || p->ntransforms > IKEV2_MAX_TRANSFORMS)
			return ERR_INVAL;
	}
	return 0;
}

int ikev2_sa_encode(struct buf_writer *w, const struct ikev2_sa *sa)
{
	int err = check_numbers(sa);

	if (err)
		return err;
	for (unsigned i = 0; i < sa->nproposals; i++) {
		const struct ikev2_proposal *p = &sa->p[i];
		size_t plen_pos, pstart = buf_writer_len(w);

		buf_put_u8(w, i + 1 == sa->nproposals ? IKEV2_LAST : IKEV2_MORE_PROPOSALS);
		buf_put_u8(w, 0);
		buf_reserve(w, 2, &plen_pos, NULL);
		buf_put_u8(w, p->num);
		buf_put_u8(w, p->proto);
		buf_put_u8(w, p->spi_size);
		buf_put_u8(w, p->ntransforms);
		buf_put_bytes(w, p->spi, p->spi_size);
		for (unsigned j = 0; j < p->ntransforms; j++) {
			const struct ikev2_transform *t = &p->t[j];
			uint16_t tlen = t->has_key_len ? 12 : 8;

			buf_put_u8(w, j + 1 == p->ntransforms ? IKEV2_LAST : IKEV2_MORE_TRANSFORMS);
			buf_put_u8(w, 0);
			buf_put_u16(w, tlen);
			buf_put_u8(w, t->type);
			buf_put_u8(w, 0);
			buf_put_u16(w, t->id);
			if (t->has_key_len) {
				buf_put_u16(w, IKEV2_ATTR_AF | IKEV2_ATTR_KEY_LENGTH);
				buf_put_u16(w, t->key_len);
			}
		}
		if (buf_writer_failed(w))
			return buf_writer_failed(w);
		if (buf_writer_len(w) - pstart > UINT16_MAX)
			return ERR_INVAL;
		buf_patch_u16(w, plen_pos, (uint16_t)(buf_writer_len(w) - pstart));
	}
	return buf_writer_failed(w);
}
