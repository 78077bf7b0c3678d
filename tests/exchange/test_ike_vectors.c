/* The fixed-input IKEv2 exchanges of ../shared/vectors/ike/ikev2_exchange_vectors.json
 * reproduced byte for byte by two engines: SPIs, nonces, DH private keys, IVs and Child SA SPIs
 * are injected through the test hooks; every message the engines send must equal the
 * vector's, and the Child SA keys handed to the data plane must equal the vector's KEYMAT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/kex.h"
#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "lib/log.h"
#include "support/test.h"
#include "support/vec.h"
#include "support/xnet.h"
#include "wire/ikev2_const.h"

struct blob {
	uint8_t *p;
	size_t len;
};

/* The injected inputs of one side. */
struct inputs {
	struct blob spi, nonce, priv, iv, child_spi;
};

static int hook_rand(void *ctx, enum ike_rand_use use, uint8_t *buf, size_t len)
{
	const struct inputs *in = ctx;
	const struct blob *b = NULL;

	switch (use) {
	case IKE_RAND_SPI_IKE:
		b = &in->spi;
		break;
	case IKE_RAND_NONCE:
		b = &in->nonce;
		break;
	case IKE_RAND_IV:
		b = &in->iv;
		break;
	case IKE_RAND_SPI_CHILD:
		b = &in->child_spi;
		break;
	default:
		memset(buf, 0x5a, len);
		return 0;
	}
	if (b->len != len)
		return ERR_INVAL;
	memcpy(buf, b->p, len);
	return 0;
}

static struct kex *hook_kex(void *ctx, uint16_t group)
{
	const struct inputs *in = ctx;
	return kex_new_from_private(group, in->priv.p, in->priv.len);
}

/* "ENCR_AES_CBC-256/PRF_HMAC_SHA2_256/AUTH_HMAC_SHA2_256_128/19" in strongSwan keywords. */
static const struct {
	const char *vec, *kw;
} ike_map[] =
    {
	{"ENCR_AES_CBC-256/PRF_HMAC_SHA2_256/AUTH_HMAC_SHA2_256_128/19",
	 "aes256-sha256-prfsha256-ecp256"},
	{"ENCR_AES_GCM_16-256/PRF_HMAC_SHA2_256/19", "aes256gcm16-prfsha256-ecp256"},
},
  esp_map[] = {
      {"ESP ENCR_AES_GCM_16-256/ESN-none", "aes256gcm16-noesn"},
      {"ESP ENCR_AES_CBC-128/AUTH_HMAC_SHA2_256_128/ESN-none", "aes128-sha256-noesn"},
};

static const char *map(const char *vec, int ike)
{
	for (size_t i = 0; i < 2; i++) {
		if (ike && strcmp(ike_map[i].vec, vec) == 0)
			return ike_map[i].kw;
		if (!ike && strcmp(esp_map[i].vec, vec) == 0)
			return esp_map[i].kw;
	}
	return NULL;
}

static struct conn *mkconn(const char *local, const char *remote, const char *ike, const char *esp,
			   const char *lid, const char *rid)
{
	struct conn *c = conn_new("vec");
	struct conn_child *ch = NULL;
	size_t n = 0;

	c->version = CONN_VERSION_2;
	c->nlocal_addrs = c->nremote_addrs = 1;
	addr_parse(local, &c->local_addrs[0], NULL, 0);
	addr_parse(remote, &c->remote_addrs[0], NULL, 0);
	T_EQ(alg_parse(ALG_PROTO_IKE, ike, c->proposals, ALG_MAX_PROPOSALS, &n, NULL, 0), 0);
	c->nproposals = n;
	c->local_auth[0].method = c->remote_auth[0].method = CONN_AUTH_PSK;
	conn_id_parse(lid, &c->local_auth[0].id, NULL, 0);
	conn_id_parse(rid, &c->remote_auth[0].id, NULL, 0);
	c->unique = CONN_UNIQUE_NEVER;	 /* no INITIAL_CONTACT in the vectors */
	c->fragmentation = CONN_FRAG_NO; /* no IKEV2_FRAGMENTATION_SUPPORTED */
	c->mobike = false;		 /* no MOBIKE_SUPPORTED in the published IKE_AUTH */
	c->childless = CONN_CHILDLESS_NEVER; /* no CHILDLESS_IKEV2_SUPPORTED */
	conn_child_add(c, "net", &ch);
	T_EQ(alg_parse(ALG_PROTO_ESP, esp, ch->esp, ALG_MAX_PROPOSALS, &n, NULL, 0), 0);
	ch->nesp = n;
	return c;
}

struct capture {
	size_t n;
	struct blob msg[8];
};

static enum xnet_action record(void *ctx, const struct xnet_dgram *d)
{
	struct capture *c = ctx;

	if (c->n < 8) {
		c->msg[c->n].p = malloc(d->len);
		memcpy(c->msg[c->n].p, d->data, d->len);
		c->msg[c->n].len = d->len;
		c->n++;
	}
	return XNET_DELIVER;
}

static int hexm(const json_t *o, const char *k, struct blob *b)
{
	return vec_hex_member(o, k, &b->p, &b->len);
}

static void run_one(const json_t *ex, size_t idx)
{
	const json_t *in = json_object_get(ex, "inputs");
	const json_t *msgs = json_object_get(ex, "messages");
	const json_t *der = json_object_get(ex, "derived");
	const char *ike = map(vec_str(ex, "ike_proposal"), 1);
	const char *esp = map(vec_str(ex, "child_proposal"), 0);
	static const char *const names[] = {"IKE_SA_INIT_req", "IKE_SA_INIT_resp", "IKE_AUTH_req",
					    "IKE_AUTH_resp"};
	struct inputs ii = {0}, ri = {0};
	struct ike_test_hooks h0 = {
	    .rand = hook_rand, .kex_new = hook_kex, .no_nat_detection = true};
	struct conn_secrets *s0 = conn_secrets_new(), *s1 = conn_secrets_new();
	struct blob ei = {0}, er = {0}, psk = {0};
	const char *pskt = vec_str(in, "psk_ascii");
	struct capture cap = {0};
	struct conn *c0, *c1;
	struct xnet n;
	uint32_t id = 0;

	T_OK(ike && esp, "exchange %zu: proposals known (%s / %s)", idx,
	     vec_str(ex, "ike_proposal"), vec_str(ex, "child_proposal"));
	if (!ike || !esp || xnet_init(&n, "192.0.2.1", "192.0.2.2") != 0)
		return;
	n.quiet = true;
	hexm(in, "SPIi", &ii.spi);
	hexm(in, "Ni", &ii.nonce);
	hexm(in, "priv_i", &ii.priv);
	hexm(in, "iv_msg3", &ii.iv);
	hexm(in, "child_spi_i", &ii.child_spi);
	hexm(in, "SPIr", &ri.spi);
	hexm(in, "Nr", &ri.nonce);
	hexm(in, "priv_r", &ri.priv);
	hexm(in, "iv_msg4", &ri.iv);
	hexm(in, "child_spi_r", &ri.child_spi);
	psk.p = (uint8_t *)(uintptr_t)pskt;
	psk.len = strlen(pskt);
	ike_engine_set_test_hooks(n.node[0].e, &h0, &ii);
	ike_engine_set_test_hooks(n.node[1].e, &h0, &ri);
	/* the initiator's remote id is %any: the vectors carry no IDr in IKE_AUTH */
	c0 = mkconn("192.0.2.1", "192.0.2.2", ike, esp, "initiator.example", "%any");
	c1 = mkconn("192.0.2.2", "192.0.2.1", ike, esp, "responder.example", "initiator.example");
	conn_secrets_add_psk(s0, psk.p, psk.len, NULL, 0);
	conn_secrets_add_psk(s1, psk.p, psk.len, NULL, 0);
	T_EQ(ike_engine_set_config(n.node[0].e, &c0, 1, s0), 0);
	T_EQ(ike_engine_set_config(n.node[1].e, &c1, 1, s1), 0);
	n.filter = record;
	n.filter_ctx = &cap;
	T_EQ(ike_engine_initiate(n.node[0].e, n.now, "vec", NULL, &id), 0);
	xnet_run(&n, 1000);
	T_EQ(cap.n, 4);
	for (size_t i = 0; i < 4 && i < cap.n; i++) {
		struct blob want = {0};
		if (vec_hex_member(msgs, names[i], &want.p, &want.len) == 0) {
			T_OK(t_mem_eq(__FILE__, __LINE__, 0, names[i], cap.msg[i].p, cap.msg[i].len,
				      want.p, want.len),
			     "exchange %zu %s byte for byte", idx, names[i]);
		}
		free(want.p);
	}
	T_EQ(xnet_events(&n.node[0], IKE_EV_CHILD_UP), 1);
	T_EQ(xnet_events(&n.node[1], IKE_EV_CHILD_UP), 1);
	/* the initiator's outbound SA (the responder's SPI) carries KEYMAT's encr_i */
	hexm(der, "child_encr_i", &ei);
	hexm(der, "child_encr_r", &er);
	{
		const struct xnet_child *out = xnet_child(&n.node[0], false, 0xc2000002);
		const struct xnet_child *in0 = xnet_child(&n.node[0], true, 0xc1000001);
		const struct xnet_child *rin = xnet_child(&n.node[1], true, 0xc2000002);
		T_OK(out && in0 && rin, "child SAs installed with the injected SPIs");
		if (out && in0 && rin) {
			T_MEM(out->enc.p, out->enc.len, ei.p, ei.len);
			T_MEM(rin->enc.p, rin->enc.len, ei.p, ei.len);
			T_MEM(in0->enc.p, in0->enc.len, er.p, er.len);
		}
	}
	for (size_t i = 0; i < cap.n; i++)
		free(cap.msg[i].p);
	free(ii.spi.p), free(ii.nonce.p), free(ii.priv.p), free(ii.iv.p), free(ii.child_spi.p);
	free(ri.spi.p), free(ri.nonce.p), free(ri.priv.p), free(ri.iv.p), free(ri.child_spi.p);
	free(ei.p), free(er.p);
	conn_free(c0);
	conn_free(c1);
	xnet_cleanup(&n);
}

int main(void)
{
	json_t *root = vec_load("ike/ikev2_exchange_vectors.json");
	const json_t *exs;

	log_set_level_all(LOG_LVL_ERROR);
	if (!root)
		return t_finish();
	exs = json_object_get(root, "exchanges");
	T_EQ(json_array_size(exs), 2);
	for (size_t i = 0; i < json_array_size(exs); i++)
		run_one(json_array_get(exs, i), i);
	json_decref(root);
	return t_finish();
}
