/* libFuzzer harness for the strongSwan proposal string parser (crypto/alg.h).
 *
 * Input: the first byte picks the protocol, the rest is the proposal string. Checks: the error
 * message is NUL-terminated; every accepted proposal satisfies the protocol's rules and its
 * keyword form parses back to the same proposal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/alg.h"
#include "lib/err.h"
#include "wire/iana.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct alg_proposal props[ALG_MAX_PROPOSALS], back[1];

static int same(const struct alg_proposal *a, const struct alg_proposal *b)
{
	for (int type = 1; type < ALG_NTYPES; type++) {
		if (a->n[type] != b->n[type])
			return 0;
		for (size_t i = 0; i < a->n[type]; i++) {
			if (a->t[type][i].id != b->t[type][i].id ||
			    a->t[type][i].key_bits != b->t[type][i].key_bits)
				return 0;
		}
	}
	return a->proto == b->proto;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[2048], err[128], kw[4096], str[4096];
	enum alg_proto proto;
	size_t n = 0, nb = 0;

	if (size < 1 || size >= sizeof(text))
		return 0;
	proto = data[0] % 3 == 0 ? ALG_PROTO_IKE : data[0] % 3 == 1 ? ALG_PROTO_ESP : ALG_PROTO_AH;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(err, 'x', sizeof(err));
	if (alg_parse(proto, text, props, ALG_MAX_PROPOSALS, &n, err, sizeof(err)) != 0) {
		if (!memchr(err, '\0', sizeof(err)))
			abort();
		return 0;
	}
	if (n == 0 || n > ALG_MAX_PROPOSALS)
		abort();
	for (size_t i = 0; i < n; i++) {
		const struct alg_proposal *p = &props[i];
		if (proto == ALG_PROTO_IKE &&
		    (!p->n[IKEV2_TRANS_PRF] || !p->n[IKEV2_TRANS_KE] || !p->n[IKEV2_TRANS_ENCR]))
			abort();
		if (proto != ALG_PROTO_IKE && (p->n[IKEV2_TRANS_PRF] || !p->n[IKEV2_TRANS_ESN]))
			abort();
		if (proto == ALG_PROTO_AH && (p->n[IKEV2_TRANS_ENCR] || !p->n[IKEV2_TRANS_INTEG]))
			abort();
		alg_proposal_str(p, str, sizeof(str));
		if (proto == ALG_PROTO_AH || alg_proposal_keywords(p, kw, sizeof(kw)) != 0)
			continue;
		if (alg_parse(proto, kw, back, 1, &nb, err, sizeof(err)) != 0 || nb != 1 ||
		    !same(back, p))
			abort();
	}
	return 0;
}
