/* SK payload protection: RFC 7296 §3.14 (classic ciphers + integrity) and RFC 5282 (AEAD). */
#include "ike/sk.h"

#include <string.h>

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
	if (rc)
		return rc;
	rc = eng_rand(e, IKE_RAND_IV, buf + lay.iv_off, lay.iv_len);
	if (rc)
		return rc;
	if (sa->enc_info.aead) {
		rc = enc_seal(sa->enc_out, buf + lay.iv_off, buf, lay.aad_len, buf + lay.plain_off,
			      lay.plain_len, buf + lay.plain_off, buf + lay.icv_off);
	} else {
		struct crypto_span span = {buf, lay.icv_off};
		rc = enc_seal(sa->enc_out, buf + lay.iv_off, NULL, 0, buf + lay.plain_off,
			      lay.plain_len, buf + lay.plain_off, NULL);
		if (rc == 0)
			rc = integ_compute(sa->integ_out, &span, 1, buf + lay.icv_off);
	}
	if (rc == 0)
		*len = n;
	return rc;
}

int sk_open(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct ikev2_digest *d,
	    uint8_t *plain, size_t cap, struct ikev2_digest *inner)
{
	struct ikev2_sk_parts parts;
	size_t iv, blk, icv, inner_len = 0;
	const struct ikev2_sk *sk;
	int rc;

	if (!d->sk || d->sk->type != IKEV2_PT_SK || !sa->enc_in)
		return ERR_INVAL;
	sk = &d->sk->u.sk;
	sk_lengths(sa, &iv, &blk, &icv);
	rc = ikev2_sk_split(sk, iv, icv, blk, &parts);
	if (rc)
		return rc;
	if (parts.ct_len > cap || sk->aad_len > len)
		return ERR_LIMIT;
	if (sa->enc_info.aead) {
		rc = enc_open(sa->enc_in, parts.iv, msg, sk->aad_len, parts.ct, parts.ct_len, plain,
			      parts.icv);
	} else {
		/* integrity over the message up to the ICV, before decrypting */
		struct crypto_span span = {msg, len - icv};
		if (len < icv)
			return ERR_INVAL;
		rc = integ_verify(sa->integ_in, &span, 1, parts.icv);
		if (rc == 0)
			rc = enc_open(sa->enc_in, parts.iv, NULL, 0, parts.ct, parts.ct_len, plain,
				      NULL);
	}
	if (rc)
		return rc;
	rc = ikev2_sk_unpad(plain, parts.ct_len, &inner_len);
	if (rc)
		return rc;
	return ikev2_decode_inner(plain, inner_len, parts.ct_offset, sk->first_inner, inner, NULL);
}
