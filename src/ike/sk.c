/* SK payload protection: RFC 7296 §3.14 (classic ciphers + integrity) and RFC 5282 (AEAD). */
#include "ike/sk.h"

#include <string.h>
#include <sys/socket.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "ike/engine.h"
#include "ike/sa.h"
#include "lib/err.h"
#include "wire/ikev2_const.h"

void sk_lengths(const struct ike_sa *sa, size_t *iv_len, size_t *block_len, size_t *icv_len)
{
	*iv_len = sa->enc_info.iv_len;
	*block_len = sa->enc_info.block_size;
	*icv_len = sa->enc_info.aead ? sa->enc_info.icv_len : sa->integ_icv_len;
}

int sk_begin(const struct ike_sa *sa, struct ikev2_builder *b)
{
	size_t iv, blk, icv;

	sk_lengths(sa, &iv, &blk, &icv);
	return ikev2_build_sk_begin(b, iv);
}

/* The SK cipher and (without an AEAD) MAC of one direction, keyed from SK_e and SK_a for one
 * message: an SA keeps keys, not OpenSSL contexts (a few KiB each). The cipher is the engine's
 * context of that direction, re-keyed (borrowed: the caller does not free it); the MAC is
 * new (the caller frees it). */
static int keyed(struct ike_engine *e, const struct ike_sa *sa, bool outbound, struct enc **enc,
		 struct integ **integ)
{
	bool ours_i = sa->initiator == outbound; /* the _i keys protect initiator->responder */
	const struct secret *ke = ours_i ? sa->keys.sk_ei : sa->keys.sk_er;
	const struct secret *ka = ours_i ? sa->keys.sk_ai : sa->keys.sk_ar;
	enum enc_dir dir = outbound ? ENC_ENCRYPT : ENC_DECRYPT;
	struct enc **slot = &e->sk_enc[outbound ? 1 : 0];
	int rc = ERR_INVAL;

	*enc = NULL;
	*integ = NULL;
	if (!sa->keyed)
		return ERR_INVAL;
	if (*slot && ke && enc_get_info(*slot)->id == sa->alg.encr &&
	    enc_get_info(*slot)->key_bits == sa->enc_info.key_bits)
		rc = enc_rekey(*slot, dir, ke->p, ke->len);
	if (rc) {
		enc_free(*slot);
		*slot = NULL;
		rc = enc_new(sa->alg.encr, sa->alg.encr_bits, dir, ke ? ke->p : NULL,
			     ke ? ke->len : 0, slot);
	}
	if (rc == 0 && !sa->enc_info.aead)
		rc = ka ? integ_new(sa->alg.integ, ka->p, ka->len, integ) : ERR_INVAL;
	if (rc == 0)
		*enc = *slot;
	return rc;
}

/* Writes a fresh IV, encrypts the plaintext in place and writes the ICV (lay from the
 * builder, header Length already patched). */
static int seal(struct ike_engine *e, struct ike_sa *sa, uint8_t *buf,
		const struct ikev2_sk_layout *lay)
{
	struct enc *enc = NULL;
	struct integ *integ = NULL;
	int rc = eng_rand(e, IKE_RAND_IV, buf + lay->iv_off, lay->iv_len);

	if (rc == 0)
		rc = keyed(e, sa, true, &enc, &integ);
	if (rc)
		return rc;
	if (sa->enc_info.aead) {
		rc = enc_seal(enc, buf + lay->iv_off, buf, lay->aad_len, buf + lay->plain_off,
			      lay->plain_len, buf + lay->plain_off, buf + lay->icv_off);
	} else {
		struct crypto_span span = {buf, lay->icv_off};
		rc = enc_seal(enc, buf + lay->iv_off, NULL, 0, buf + lay->plain_off, lay->plain_len,
			      buf + lay->plain_off, NULL);
		if (rc == 0)
			rc = integ_compute(integ, &span, 1, buf + lay->icv_off);
	}
	integ_free(integ);
	return rc;
}

int sk_end_seal(struct ike_engine *e, struct ike_sa *sa, struct ikev2_builder *b, uint8_t *buf,
		size_t *len)
{
	struct ikev2_sk_layout lay;
	size_t iv, blk, icv, n = 0;
	int rc;

	sk_lengths(sa, &iv, &blk, &icv);
	rc = ikev2_build_sk_end(b, blk, icv, &lay);
	if (rc == 0)
		rc = ikev2_build_finish(b, &n);
	if (rc == 0)
		rc = seal(e, sa, buf, &lay);
	if (rc == 0)
		*len = n;
	return rc;
}

int sk_end_seal_frag(struct ike_engine *e, struct ike_sa *sa, struct ikev2_builder *b, uint8_t *buf,
		     struct ike_dgrams *out)
{
	struct ikev2_sk_layout lay;
	struct ikev2_hdr h;
	size_t iv, blk, icv, n = 0, inner_len, chunk, total, off = 0, used = 0, max;
	uint8_t first_inner;
	int rc;

	sk_lengths(sa, &iv, &blk, &icv);
	rc = ikev2_build_sk_end(b, blk, icv, &lay);
	if (rc == 0)
		rc = ikev2_build_finish(b, &n);
	if (rc)
		return rc;
	/* IKE_FRAG_SIZE bounds the whole IP datagram, as strongSwan's fragment_size: a 1280-octet
	 * path must carry each fragment without IP fragmentation (RFC 7383 §2.5.1) */
	max =
	    IKE_FRAG_SIZE - (sa->path.remote.family == AF_INET6 ? 40 : 20) - 8 -
	    (sa->path.local_port == IKE_PORT_NATT || sa->path.remote_port == IKE_PORT_NATT ? 4 : 0);
	if (n <= max || !sa->peer_frag || sa->conn->fragmentation == CONN_FRAG_NO) {
		rc = seal(e, sa, buf, &lay);
		if (rc == 0) {
			out->n = 1;
			out->p[0] = buf;
			out->len[0] = n;
		}
		return rc;
	}
	/* RFC 7383 §2.5: the inner payload chain (padding removed) split over SKF payloads */
	inner_len = lay.plain_len - 1 - buf[lay.plain_off + lay.plain_len - 1];
	first_inner = buf[lay.iv_off - 4]; /* Next Payload of the SK header */
	rc = ikev2_hdr_decode(buf, n, &h);
	if (rc)
		return rc;
	chunk = max - IKEV2_HDR_LEN - 8 - iv - icv - (blk > 1 ? blk : 1);
	total = (inner_len + chunk - 1) / chunk;
	if (total > IKE_MAX_FRAGS)
		return ERR_LIMIT;
	for (size_t i = 0; i < total; i++) {
		struct ikev2_builder fb;
		struct ikev2_sk_layout fl;
		size_t this = inner_len - off < chunk ? inner_len - off : chunk, fn = 0;
		uint8_t *fbuf = e->frag + used;

		ikev2_build_init(&fb, fbuf, sizeof(e->frag) - used);
		ikev2_build_hdr(&fb, &h);
		ikev2_build_skf(&fb, (uint16_t)(i + 1), (uint16_t)total, i == 0 ? first_inner : 0,
				iv, buf + lay.plain_off + off, this, blk, icv, &fl);
		rc = ikev2_build_finish(&fb, &fn);
		if (rc == 0)
			rc = seal(e, sa, fbuf, &fl);
		if (rc)
			return rc;
		out->p[i] = fbuf;
		out->len[i] = fn;
		used += fn;
		off += this;
	}
	out->n = total;
	return 0;
}

int sk_decrypt(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
	       const struct ikev2_digest *d, uint8_t *plain, size_t cap, size_t *inner_len,
	       size_t *base)
{
	struct ikev2_sk_parts parts;
	size_t iv, blk, icv;
	const struct ikev2_sk *sk;
	struct enc *enc = NULL;
	struct integ *integ = NULL;
	int rc;

	if (!d->sk || !sa->keyed)
		return ERR_INVAL;
	sk = &d->sk->u.sk;
	sk_lengths(sa, &iv, &blk, &icv);
	rc = ikev2_sk_split(sk, iv, icv, blk, &parts);
	if (rc)
		return rc;
	if (parts.ct_len > cap || sk->aad_len > len || len < icv)
		return ERR_LIMIT;
	rc = keyed(e, sa, false, &enc, &integ);
	if (rc)
		return rc;
	if (sa->enc_info.aead) {
		rc = enc_open(enc, parts.iv, msg, sk->aad_len, parts.ct, parts.ct_len, plain,
			      parts.icv);
	} else {
		/* integrity over the message up to the ICV, before decrypting */
		struct crypto_span span = {msg, len - icv};
		rc = integ_verify(integ, &span, 1, parts.icv);
		if (rc == 0)
			rc = enc_open(enc, parts.iv, NULL, 0, parts.ct, parts.ct_len, plain, NULL);
	}
	integ_free(integ);
	if (rc == 0)
		rc = ikev2_sk_unpad(plain, parts.ct_len, inner_len);
	if (rc == 0)
		*base = parts.ct_offset;
	return rc;
}

int sk_open(struct ike_engine *e, struct ike_sa *sa, const uint8_t *msg, size_t len,
	    const struct ikev2_digest *d, uint8_t *plain, size_t cap, struct ikev2_digest *inner,
	    struct ikev2_decode_err *err)
{
	size_t inner_len = 0, base = 0;
	int rc;

	if (!d->sk || d->sk->type != IKEV2_PT_SK)
		return ERR_INVAL;
	rc = sk_decrypt(e, sa, msg, len, d, plain, cap, &inner_len, &base);
	if (rc)
		return rc;
	return ikev2_decode_inner(plain, inner_len, base, d->sk->u.sk.first_inner, inner, err);
}

int sk_answer_notify(struct ike_engine *e, struct ike_sa *sa, uint8_t exchange, uint32_t msgid,
		     uint16_t type, const void *data, size_t len)
{
	struct ikev2_builder b;
	struct ikev2_hdr h;
	struct ikev2_notify n = {.type = type, .data = data, .len = len};
	size_t mlen = 0;
	int rc;

	ike_sa_hdr(sa, exchange, true, msgid, &h);
	ikev2_build_init(&b, e->tx, sizeof(e->tx));
	ikev2_build_hdr(&b, &h);
	sk_begin(sa, &b);
	ikev2_build_notify(&b, &n);
	rc = sk_end_seal(e, sa, &b, e->tx, &mlen);
	if (rc == 0)
		rc = ike_sa_send_response(e, sa, e->tx, mlen, msgid);
	if (rc == 0 && msgid == sa->next_peer_id)
		sa->next_peer_id++;
	return rc;
}
