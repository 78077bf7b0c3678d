/* IKEv2 SK/SKF payload codec: RFC 7296 §3.14, RFC 7383 §2.5. */
#include "wire/ikev2_sk.h"

#include "lib/err.h"
#include "lib/log.h"
#include "wire/ikev2_payload.h"

/* RFC 7296 §3.14:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * |         (length is block size for encryption algorithm)       |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Encrypted IKE Payloads                     ~
 * +               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               |             Padding (0-255 octets)            |
 * +-+-+-+-+-+-+-+-+                               +-+-+-+-+-+-+-+-+
 * |                                               |  Pad Length   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
static int sk_region(struct buf_reader *body, const char *what, uint8_t first_inner,
		     struct ikev2_sk *sk)
{
	sk->first_inner = first_inner;
	sk->enc_offset = buf_abs_offset(body);
	sk->aad_len = sk->enc_offset;
	if (buf_empty(body)) {
		ikev2_log_bad(body, what, "empty encrypted region");
		return ERR_INVAL;
	}
	buf_get_rest(body, &sk->enc, &sk->enc_len);
	return 0;
}

int ikev2_sk_decode(struct buf_reader *body, uint8_t first_inner, struct ikev2_sk *out)
{
	struct ikev2_sk sk = {0};
	int err = sk_region(body, "SK", first_inner, &sk);

	if (!err)
		*out = sk;
	return err;
}

/* RFC 7383 §2.5:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * | Next Payload  |C|  RESERVED   |         Payload Length        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |        Fragment Number        |        Total Fragments        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                     Initialization Vector                     |
 * ~                      Encrypted content                        ~
 * ~                    Integrity Checksum Data                    ~
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Fragment Number starts at 1 and is at most Total Fragments. Next Payload is the first inner
 * payload type in fragment 1 and zero (ignored here) in the others.
 */
int ikev2_skf_decode(struct buf_reader *body, uint8_t first_inner, struct ikev2_sk *out)
{
	struct ikev2_sk sk = {0};
	int err;

	if (buf_remaining(body) < 4) {
		ikev2_log_bad(body, "SKF", "shorter than its fixed fields");
		return ERR_TRUNC;
	}
	(void)buf_get_u16(body, &sk.frag_num);
	(void)buf_get_u16(body, &sk.frag_total);
	if (sk.frag_num < 1 || sk.frag_num > sk.frag_total) {
		ikev2_log_bad(body, "SKF", "fragment number outside 1..total");
		return ERR_INVAL;
	}
	err = sk_region(body, "SKF", first_inner, &sk);
	if (!err)
		*out = sk;
	return err;
}

int ikev2_sk_split(const struct ikev2_sk *sk, size_t iv_len, size_t icv_len, size_t block_len,
		   struct ikev2_sk_parts *out)
{
	struct buf_reader r;
	struct ikev2_sk_parts parts;

	buf_reader_init(&r, sk->enc, sk->enc_len);
	r.base = sk->enc_offset;
	if (buf_get_ref(&r, iv_len, &parts.iv) || buf_remaining(&r) < icv_len + 1) {
		ikev2_log_bad(&r, "SK", "too short for IV, Pad Length and ICV");
		return ERR_INVAL;
	}
	parts.ct_offset = buf_abs_offset(&r);
	parts.ct_len = buf_remaining(&r) - icv_len;
	if (block_len > 1 && parts.ct_len % block_len != 0) {
		ikev2_log_bad(&r, "SK", "ciphertext not a whole number of blocks");
		return ERR_INVAL;
	}
	(void)buf_get_ref(&r, parts.ct_len, &parts.ct);
	(void)buf_get_ref(&r, icv_len, &parts.icv);
	*out = parts;
	return 0;
}

int ikev2_sk_unpad(const uint8_t *plain, size_t len, size_t *inner_len)
{
	struct buf_reader r;
	uint8_t pad;

	buf_reader_init(&r, plain, len);
	if (len == 0 || buf_skip(&r, len - 1) || buf_get_u8(&r, &pad) || (size_t)pad + 1 > len) {
		log_debug(LOG_WIRE, "ikev2: SK Pad Length does not fit the %zu-octet plaintext",
			  len);
		return ERR_INVAL;
	}
	*inner_len = len - pad - 1;
	return 0;
}
