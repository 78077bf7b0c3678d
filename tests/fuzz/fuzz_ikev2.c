/* IKEv2 message decoding: header, payload chain, digest, every payload decoder, the SK region
 * decoded as an inner chain, and a decode -> encode -> decode round trip of SA and TS payloads
 * (a validated payload must re-encode and decode to the same values), and every plaintext chain
 * re-encoded by the builder must decode to the same payload sequence. The input is also tried
 * as an inner chain whose first octet names the first payload type. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "wire/ikev2_build.h"
#include "wire/ikev2_const.h"
#include "wire/ikev2_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ikev2_digest dg, in;
static struct ikev2_sa sa, sa2;
static struct ikev2_ts_payload ts, ts2;
static uint8_t out[70000];

static void check(int cond)
{
	if (!cond)
		abort(); /* a harness invariant, never reached by peer input in the library */
}

static void sa_roundtrip(const struct ikev2_payload *p)
{
	struct buf_writer w;
	struct buf_reader r;

	check(ikev2_payload_sa(p, &sa) == 0);
	buf_writer_init(&w, out, sizeof(out));
	check(ikev2_sa_encode(&w, &sa) == 0);
	buf_reader_init(&r, out, buf_writer_len(&w));
	check(ikev2_sa_decode(&r, &sa2) == 0);
	check(sa2.nproposals == sa.nproposals);
	for (unsigned i = 0; i < sa.nproposals; i++) {
		check(sa2.p[i].num == sa.p[i].num && sa2.p[i].proto == sa.p[i].proto);
		check(sa2.p[i].spi_size == sa.p[i].spi_size);
		check(sa2.p[i].ntransforms == sa.p[i].ntransforms);
		for (unsigned j = 0; j < sa.p[i].ntransforms; j++) {
			check(sa2.p[i].t[j].type == sa.p[i].t[j].type);
			check(sa2.p[i].t[j].id == sa.p[i].t[j].id);
			check(sa2.p[i].t[j].has_key_len == sa.p[i].t[j].has_key_len);
			check(sa2.p[i].t[j].key_len == sa.p[i].t[j].key_len);
		}
	}
}

static void ts_roundtrip(const struct ikev2_payload *p)
{
	struct buf_writer w;
	struct buf_reader r;

	check(ikev2_payload_ts(p, &ts) == 0);
	if (ts.count == 0)
		return; /* only selectors of unknown types */
	buf_writer_init(&w, out, sizeof(out));
	check(ikev2_ts_encode(&w, &ts) == 0);
	buf_reader_init(&r, out, buf_writer_len(&w));
	check(ikev2_ts_decode(&r, &ts2) == 0);
	check(ts2.count == ts.count);
	for (unsigned i = 0; i < ts.count; i++) {
		check(ts2.ts[i].type == ts.ts[i].type && ts2.ts[i].ip_proto == ts.ts[i].ip_proto);
		check(ts2.ts[i].start_port == ts.ts[i].start_port);
		check(ts2.ts[i].end_port == ts.ts[i].end_port);
		check(memcmp(ts2.ts[i].start, ts.ts[i].start, 16) == 0);
		check(memcmp(ts2.ts[i].end, ts.ts[i].end, 16) == 0);
		check(ts2.ts[i].inverted == ts.ts[i].inverted);
	}
}

/* Re-encodes a plaintext digest as a bare inner chain and decodes it again: the same payload
 * types in the same order must come back (encoder and decoder agree on every accepted input). */
static struct ikev2_digest again;
static uint8_t chain[70000];

static void reencode_check(const struct ikev2_digest *d)
{
	struct ikev2_builder b;
	struct ikev2_cp_attr attrs[IKEV2_MAX_CP_ATTRS];
	size_t na, len = 0;
	uint8_t first = 0;

	ikev2_build_init_inner(&b, chain, sizeof(chain));
	for (unsigned i = 0; i < d->n; i++) {
		const struct ikev2_payload *p = &d->pl[i];
		const uint8_t *body;
		size_t blen;
		struct buf_reader r = p->body;

		if (!p->known) {
			buf_get_rest(&r, &body, &blen);
			ikev2_build_raw(&b, p->type, false, body, blen);
			continue;
		}
		switch (p->type) {
		case IKEV2_PT_SA:
			check(ikev2_payload_sa(p, &sa) == 0);
			ikev2_build_sa(&b, &sa);
			break;
		case IKEV2_PT_TSi:
		case IKEV2_PT_TSr:
			check(ikev2_payload_ts(p, &ts) == 0);
			if (ts.count == 0)
				return; /* only unknown selector types: nothing to re-encode */
			ikev2_build_ts(&b, p->type, &ts);
			break;
		case IKEV2_PT_KE:
			ikev2_build_ke(&b, &p->u.ke);
			break;
		case IKEV2_PT_IDi:
		case IKEV2_PT_IDr:
			ikev2_build_id(&b, p->type, &p->u.id);
			break;
		case IKEV2_PT_CERT:
		case IKEV2_PT_CERTREQ:
			ikev2_build_cert(&b, p->type, &p->u.cert);
			break;
		case IKEV2_PT_AUTH:
			ikev2_build_auth(&b, &p->u.auth);
			break;
		case IKEV2_PT_Nx:
			ikev2_build_nonce(&b, &p->u.nonce);
			break;
		case IKEV2_PT_N:
			ikev2_build_notify(&b, &p->u.n);
			break;
		case IKEV2_PT_D:
			ikev2_build_delete(&b, &p->u.d);
			break;
		case IKEV2_PT_V:
			ikev2_build_vendor(&b, &p->u.vendor);
			break;
		case IKEV2_PT_CP:
			check(ikev2_cp_attrs(&p->u.cp, attrs, IKEV2_MAX_CP_ATTRS, &na) == 0);
			ikev2_build_cp(&b, p->u.cp.type, attrs, na);
			break;
		case IKEV2_PT_EAP:
			ikev2_build_eap(&b, &p->u.eap);
			break;
		default:
			return; /* SK/SKF: not part of a plaintext chain */
		}
	}
	check(ikev2_build_inner_finish(&b, &len, &first) == 0);
	check(ikev2_decode_inner(chain, len, 0, first, &again, NULL) == 0);
	check(again.n == d->n);
	for (unsigned i = 0; i < d->n; i++)
		check(again.pl[i].type == d->pl[i].type && again.pl[i].known == d->pl[i].known);
}

static void walk(const struct ikev2_digest *d)
{
	unsigned total = 0;
	struct ikev2_cp_attr attrs[IKEV2_MAX_CP_ATTRS];
	size_t n;
	uint32_t spi;

	for (unsigned t = 0; t < 256; t++)
		total += ikev2_digest_count(d, (uint8_t)t);
	check(total == d->n);
	for (unsigned i = 0; i < d->n; i++) {
		const struct ikev2_payload *p = &d->pl[i];

		check(ikev2_digest_first(d, p->type) != NULL);
		(void)ikev2_payload_str(p->type);
		if (!p->known)
			continue;
		switch (p->type) {
		case IKEV2_PT_SA:
			sa_roundtrip(p);
			break;
		case IKEV2_PT_TSi:
		case IKEV2_PT_TSr:
			ts_roundtrip(p);
			break;
		case IKEV2_PT_CP:
			check(ikev2_cp_attrs(&p->u.cp, attrs, IKEV2_MAX_CP_ATTRS, &n) == 0);
			check(n == p->u.cp.nattrs);
			break;
		case IKEV2_PT_D:
			for (uint16_t k = 0; k < p->u.d.count; k++)
				check(ikev2_delete_spi(&p->u.d, k, &spi) == 0);
			break;
		case IKEV2_PT_N:
			(void)ikev2_notify_str(p->u.n.type);
			check(ikev2_digest_notify(d, p->u.n.type) != NULL);
			break;
		case IKEV2_PT_Nx:
			check(p->u.nonce.len >= IKEV2_NONCE_MIN &&
			      p->u.nonce.len <= IKEV2_NONCE_MAX);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ikev2_decode_err e;

	log_set_level_all(LOG_LVL_ERROR);
	if (ikev2_decode(data, size, &dg, &e) == 0) {
		check(dg.hdr.length == size);
		walk(&dg);
		if (!dg.sk)
			reencode_check(&dg);
		if (dg.sk) {
			const struct ikev2_sk *sk = &dg.sk->u.sk;
			check(sk->enc_offset + sk->enc_len == size);
			if (ikev2_decode_inner(sk->enc, sk->enc_len, sk->enc_offset,
					       sk->first_inner, &in, &e) == 0)
				walk(&in);
		}
	}
	if (size > 0 && ikev2_decode_inner(data + 1, size - 1, 1, data[0], &in, &e) == 0) {
		walk(&in);
		reencode_check(&in);
	}
	return 0;
}
