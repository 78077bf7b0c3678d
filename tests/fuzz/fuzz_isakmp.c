/* libFuzzer harness for the ISAKMP (IKEv1) codec.
 *
 * Input: one UDP datagram, as received on port 500 or (with the non-ESP marker) 4500. Decodes
 * the message into a digest (strictly and recording unknown payloads), then every payload; an
 * encrypted body is decoded as if it were the decrypted plaintext, and a fragment's data as the
 * message it carries. Checks the invariants: what decodes re-encodes to bytes that decode and
 * re-encode identically; the whole message rebuilt from its decoded payloads decodes to the
 * same payload types; decoding never reads outside the input (ASan). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "wire/isakmp_build.h"
#include "wire/isakmp_const.h"
#include "wire/isakmp_msg.h"
#include "wire/isakmp_payload.h"
#include "wire/isakmp_vid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct isakmp_payload decs[2][ISAKMP_MAX_PAYLOADS]; /* per nesting depth */
static struct isakmp_payload again;
static uint8_t enc1[ISAKMP_MAX_MSG_LEN], enc2[ISAKMP_MAX_MSG_LEN];
static uint8_t rebuilt[ISAKMP_MAX_MSG_LEN + 4096];

/* encode(decode(encode(p))) == encode(p) */
static void check_payload_roundtrip(const struct isakmp_payload *p)
{
	struct buf_writer w1, w2;
	struct isakmp_pld pld = {.type = p->type, .off = 32};

	buf_writer_init(&w1, enc1, sizeof(enc1));
	if (isakmp_payload_encode(&w1, p))
		abort(); /* whatever decoded must encode */
	if (buf_writer_len(&w1) > UINT16_MAX - ISAKMP_GENERIC_HDR_LEN)
		abort();
	pld.len = (uint16_t)buf_writer_len(&w1);
	pld.body = enc1;
	if (isakmp_payload_decode(&pld, &again, NULL))
		abort();
	buf_writer_init(&w2, enc2, sizeof(enc2));
	if (isakmp_payload_encode(&w2, &again))
		abort();
	if (buf_writer_len(&w1) != buf_writer_len(&w2) ||
	    memcmp(enc1, enc2, buf_writer_len(&w1)) != 0)
		abort();
}

static void use_payload(const struct isakmp_payload *p)
{
	const uint8_t *spi;

	switch (p->type) {
	case ISAKMP_PT_VID:
		(void)isakmp_vid_lookup(p->u.data.p, p->u.data.len);
		break;
	case ISAKMP_PT_D:
		for (unsigned i = 0; i < p->u.d.n_spis; i++)
			if (isakmp_delete_spi(&p->u.d, i, &spi))
				abort();
		break;
	case ISAKMP_PT_SA:
		for (unsigned i = 0; i < p->u.sa.n_props; i++) {
			const struct isakmp_proposal *pr = &p->u.sa.props[i];
			for (unsigned j = 0; j < pr->n_xforms; j++) {
				const struct isakmp_transform *xf =
				    isakmp_sa_xform(&p->u.sa, pr, j);
				for (unsigned k = 0; k < xf->n_attrs; k++) {
					uint64_t v;
					(void)isakmp_attr_uint(isakmp_sa_attr(&p->u.sa, xf, k), &v);
				}
			}
		}
		break;
	default:
		break;
	}
}

static void decode_message(const uint8_t *data, size_t size, int depth);

/* Decodes every payload of a digest; rebuilds the message when all of them decoded. */
static void decode_payloads(const struct isakmp_msg *m, int depth)
{
	static struct isakmp_msg m2s[2];
	struct isakmp_msg *m2 = &m2s[depth];
	struct isakmp_payload *dec = decs[depth];
	struct isakmp_builder b;
	unsigned ok = 0;
	size_t len;

	for (unsigned i = 0; i < m->n; i++) {
		if (isakmp_payload_decode(&m->pld[i], &dec[i], NULL))
			continue;
		ok++;
		use_payload(&dec[i]);
		check_payload_roundtrip(&dec[i]);
		if (dec[i].type == ISAKMP_PT_FRAG && depth == 0)
			decode_message(dec[i].u.frag.data, dec[i].u.frag.len, depth + 1);
	}
	if (ok != m->n || m->encrypted)
		return;
	if (isakmp_build_init(&b, rebuilt, sizeof(rebuilt), &m->hdr))
		abort();
	for (unsigned i = 0; i < m->n; i++)
		if (isakmp_build_payload(&b, &dec[i]))
			return; /* a re-encoded SA may outgrow 64 KiB: not a decoder bug */
	if (isakmp_build_finish(&b, &len))
		return;
	if (isakmp_msg_decode(m2, rebuilt, len, 0, NULL) || m2->n != m->n)
		abort();
	for (unsigned i = 0; i < m->n; i++)
		if (m2->pld[i].type != m->pld[i].type)
			abort();
}

static void decode_message(const uint8_t *data, size_t size, int depth)
{
	static struct isakmp_msg ms[2];
	struct isakmp_msg *m = &ms[depth];
	struct isakmp_err e;

	if (isakmp_msg_decode(m, data, size, 0, &e)) {
		if (isakmp_msg_decode(m, data, size, ISAKMP_DEC_ALLOW_UNKNOWN, &e))
			return;
		if (m->n_unknown == 0)
			abort(); /* strict decoding failed for another reason than an unknown type
				  */
	}
	if (m->encrypted) {
		/* treat the ciphertext as if it had been decrypted */
		if (isakmp_msg_decode_plain(m, m->cipher, m->cipher_len, ISAKMP_DEC_ALLOW_UNKNOWN,
					    &e))
			return;
	}
	decode_payloads(m, depth);
	for (unsigned t = 0; t < 256; t++) {
		const struct isakmp_pld *p = isakmp_msg_first(m, (uint8_t)t);
		unsigned n = 0;
		for (; p; p = isakmp_msg_next(m, p))
			n++;
		if (n != isakmp_msg_count(m, (uint8_t)t) && isakmp_msg_count(m, (uint8_t)t) < 255)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *ike;
	size_t ike_len;

	if (isakmp_udp4500_classify(data, size, &ike, &ike_len) == ISAKMP_UDP4500_IKE)
		decode_message(ike, ike_len, 0);
	decode_message(data, size, 0);
	return 0;
}
