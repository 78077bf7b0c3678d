/* SPD: ordering (priority, then insertion), selector matching (prefixes, protocol, port ranges,
 * ICMP type/code, opaque fragments), directions, indexed lookups agreeing with the linear scan
 * on 10,000 policies, and their speed. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "esp/dp.h"
#include "esp/ip.h"
#include "lib/buf.h"
#include "wire/iana.h"
#include "esp/sa.h"
#include "esp/spd.h"
#include "lib/err.h"
#include "support/test.h"

static void v4(uint8_t *a, const char *s)
{
	memset(a, 0, 16);
	inet_pton(AF_INET, s, a);
}

static struct esp_policy pol(uint8_t dir, uint32_t prio, const char *src, uint8_t sl,
			     const char *dst, uint8_t dl, uint8_t proto, uint8_t action)
{
	struct esp_policy p;

	memset(&p, 0, sizeof(p));
	p.dir = dir;
	p.priority = prio;
	p.action = action;
	esp_sel_any(&p.sel, AF_INET);
	v4(p.sel.src, src);
	v4(p.sel.dst, dst);
	p.sel.src_len = sl;
	p.sel.dst_len = dl;
	p.sel.proto = proto;
	p.tmpl.proto = ESP_IPPROTO_ESP;
	p.tmpl.mode = ESP_MODE_TUNNEL;
	return p;
}

static struct esp_flow flow(const char *src, const char *dst, uint8_t proto, uint16_t sp,
			    uint16_t dp)
{
	struct esp_flow f;

	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	v4(f.src, src);
	v4(f.dst, dst);
	f.proto = proto;
	f.sport = sp;
	f.dport = dp;
	f.ports_known = proto == ESP_IPPROTO_TCP || proto == ESP_IPPROTO_UDP;
	return f;
}

static void ordering(void)
{
	struct esp_spd *spd = esp_spd_new();
	struct esp_policy p;
	struct esp_flow f;
	uint32_t id_a, id_b, id_c, id_d;
	const struct esp_policy *r;

	p = pol(ESP_DIR_OUT, 100, "10.0.0.0", 8, "10.1.0.0", 16, 0, ESP_ACTION_PROTECT);
	T_EQ(esp_spd_add(spd, &p, &id_a), 0);
	p = pol(ESP_DIR_OUT, 50, "10.0.0.0", 8, "10.1.2.0", 24, ESP_IPPROTO_TCP, ESP_ACTION_BYPASS);
	p.sel.dport_lo = 22;
	p.sel.dport_hi = 22;
	T_EQ(esp_spd_add(spd, &p, &id_b), 0);
	p = pol(ESP_DIR_OUT, 100, "0.0.0.0", 0, "0.0.0.0", 0, 0, ESP_ACTION_DISCARD);
	T_EQ(esp_spd_add(spd, &p, &id_c), 0);
	p = pol(ESP_DIR_IN, 1, "0.0.0.0", 0, "0.0.0.0", 0, 0, ESP_ACTION_BYPASS);
	T_EQ(esp_spd_add(spd, &p, &id_d), 0);
	for (int pass = 0; pass < 2; pass++) { /* linear (stale index), then indexed */
		f = flow("10.9.9.9", "10.1.2.3", ESP_IPPROTO_TCP, 5555, 22);
		r = esp_spd_lookup(spd, ESP_DIR_OUT, &f);
		T_OK(r && r->id == id_b, "ssh bypass wins on priority (pass %d)", pass);
		f.dport = 23;
		r = esp_spd_lookup(spd, ESP_DIR_OUT, &f);
		T_OK(r && r->id == id_a, "port outside range -> protect (pass %d)", pass);
		f = flow("10.9.9.9", "10.1.2.3", ESP_IPPROTO_UDP, 1, 22);
		r = esp_spd_lookup(spd, ESP_DIR_OUT, &f);
		T_OK(r && r->id == id_a, "protocol mismatch (pass %d)", pass);
		f = flow("11.0.0.1", "10.1.2.3", ESP_IPPROTO_UDP, 1, 2);
		r = esp_spd_lookup(spd, ESP_DIR_OUT, &f);
		T_OK(r && r->id == id_c,
		     "source outside -> discard-all, equal priority later (pass %d)", pass);
		r = esp_spd_lookup(spd, ESP_DIR_IN, &f);
		T_OK(r && r->id == id_d, "direction in (pass %d)", pass);
		r = esp_spd_lookup(spd, ESP_DIR_FWD, &f);
		T_OK(r == NULL, "no fwd policy (pass %d)", pass);
		/* A fragment's ports are opaque: the port-restricted policy can't match. */
		f = flow("10.9.9.9", "10.1.2.3", ESP_IPPROTO_TCP, 0, 0);
		f.ports_known = false;
		r = esp_spd_lookup(spd, ESP_DIR_OUT, &f);
		T_OK(r && r->id == id_a, "opaque ports (pass %d)", pass);
		T_EQ(esp_spd_commit(spd), 0);
	}
	T_EQ(esp_spd_del(spd, id_b), 0);
	T_EQ(esp_spd_del(spd, id_b), ERR_NOTFOUND);
	T_EQ(esp_spd_commit(spd), 0);
	f = flow("10.9.9.9", "10.1.2.3", ESP_IPPROTO_TCP, 5555, 22);
	r = esp_spd_lookup(spd, ESP_DIR_OUT, &f);
	T_OK(r && r->id == id_a, "after delete");
	T_OK(r && r->hits >= 1, "hit counter");
	/* Invalid selectors. */
	p = pol(ESP_DIR_OUT, 1, "10.0.0.0", 33, "0.0.0.0", 0, 0, ESP_ACTION_BYPASS);
	T_EQ(esp_spd_add(spd, &p, NULL), ERR_INVAL);
	p = pol(ESP_DIR_OUT, 1, "10.0.0.0", 8, "0.0.0.0", 0, 0, ESP_ACTION_BYPASS);
	p.sel.sport_lo = 10;
	p.sel.sport_hi = 9;
	T_EQ(esp_spd_add(spd, &p, NULL), ERR_INVAL);
	p = pol(3, 1, "10.0.0.0", 8, "0.0.0.0", 0, 0, ESP_ACTION_BYPASS);
	T_EQ(esp_spd_add(spd, &p, NULL), ERR_INVAL);
	esp_spd_free(spd);
}

static void icmp_and_packets(void)
{
	/* ICMP echo request 10.0.0.1 -> 10.0.0.2: type 8 code 0 -> "port" 0x0800. */
	static const uint8_t pkt[] = {0x45, 0, 0,  28, 0, 0, 0, 0, 64,	 1,    0, 0, 10, 0,
				      0,    1, 10, 0,  0, 2, 8, 0, 0xf7, 0xff, 0, 0, 0,	 0};
	struct esp_sel s;
	struct esp_flow f;

	T_EQ(esp_flow_from_packet(pkt, sizeof(pkt), &f), 0);
	T_EQ(f.proto, ESP_IPPROTO_ICMP);
	T_OK(f.ports_known && f.sport == 0x0800, "icmp type/code");
	esp_sel_any(&s, AF_INET);
	s.proto = ESP_IPPROTO_ICMP;
	s.sport_lo = s.sport_hi = 0x0800;
	T_OK(esp_sel_match(&s, &f), "echo request selector");
	s.sport_lo = s.sport_hi = 0x0000;
	T_OK(!esp_sel_match(&s, &f), "echo reply selector");
	T_EQ(esp_flow_from_packet(pkt, 10, &f), ERR_TRUNC);
	esp_sel_any(&s, AF_INET6);
	T_EQ(esp_flow_from_packet(pkt, sizeof(pkt), &f), 0);
	T_OK(!esp_sel_match(&s, &f), "family mismatch");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 10,000 policies: one /24 (or /32) destination each with port restrictions on some, plus a
 * catch-all. Indexed and linear lookups must agree on every flow. */
static void many(void)
{
	struct esp_spd *spd = esp_spd_new();
	enum { N = 10000, Q = 5000 };
	static struct esp_flow flows[Q];
	const struct esp_policy *lin[64];
	double t0, t_idx, t_lin;
	int mismatches = 0, found = 0;
	uint32_t x = 12345;

	for (int i = 0; i < N; i++) {
		struct esp_policy p;
		char dst[32];

		snprintf(dst, sizeof(dst), "10.%d.%d.0", (i >> 8) & 0xff, i & 0xff);
		p = pol(ESP_DIR_OUT, (uint32_t)(1000 + (i % 7)), "192.168.0.0", 16, dst,
			(i % 5) ? 24 : 32, (i % 3) ? 0 : ESP_IPPROTO_TCP, ESP_ACTION_PROTECT);
		if (i % 3 == 0) {
			p.sel.dport_lo = (uint16_t)(i % 1000);
			p.sel.dport_hi = (uint16_t)(i % 1000 + 100);
		}
		p.tmpl.reqid = (uint32_t)i;
		if (esp_spd_add(spd, &p, NULL) != 0)
			T_OK(0, "add %d", i);
	}
	{
		struct esp_policy p =
		    pol(ESP_DIR_OUT, 5000, "0.0.0.0", 0, "0.0.0.0", 0, 0, ESP_ACTION_BYPASS);

		T_EQ(esp_spd_add(spd, &p, NULL), 0);
	}
	T_EQ(esp_spd_count(spd), N + 1);
	for (int i = 0; i < Q; i++) {
		char src[32], dst[32];
		int k;

		x = x * 1103515245u + 12345u;
		k = (int)((x >> 8) % (N + 200));
		snprintf(src, sizeof(src), "192.168.%u.%u", (x >> 3) & 0xff, (x >> 11) & 0xff);
		snprintf(dst, sizeof(dst), "10.%d.%d.%u", (k >> 8) & 0xff, k & 0xff,
			 (x >> 20) % 3 == 0 ? 0 : (x >> 24) & 0xff);
		flows[i] = flow(src, dst, (x & 1) ? ESP_IPPROTO_TCP : ESP_IPPROTO_UDP, 1000,
				(uint16_t)((x >> 13) % 1200));
	}
	/* Linear: stale index. */
	t0 = now_s();
	for (int i = 0; i < Q; i++) {
		const struct esp_policy *r = esp_spd_lookup(spd, ESP_DIR_OUT, &flows[i]);

		if (i < 64)
			lin[i] = r;
	}
	t_lin = now_s() - t0;
	T_EQ(esp_spd_commit(spd), 0);
	t0 = now_s();
	for (int i = 0; i < Q; i++) {
		const struct esp_policy *r = esp_spd_lookup(spd, ESP_DIR_OUT, &flows[i]);

		found += r && r->action == ESP_ACTION_PROTECT;
	}
	t_idx = now_s() - t0;
	/* Agreement on every flow: compare with a fresh linear SPD of the same content. */
	for (int i = 0; i < Q; i++) {
		const struct esp_policy *a = esp_spd_lookup(spd, ESP_DIR_OUT, &flows[i]);
		const struct esp_policy *b = NULL;

		for (size_t j = 0; j < esp_spd_count(spd); j++) {
			const struct esp_policy *c = esp_spd_get(spd, j);

			if (c->dir == ESP_DIR_OUT && esp_sel_match(&c->sel, &flows[i])) {
				b = c;
				break;
			}
		}
		if (a != b)
			mismatches++;
		if (i < 64 && lin[i] != a)
			mismatches++;
	}
	T_EQ(mismatches, 0);
	T_OK(found > Q / 4, "a good share of flows hit a protect policy (%d)", found);
	printf("spd: %d policies, %d lookups: indexed %.0f ns/lookup, linear %.0f ns/lookup\n",
	       N + 1, Q, t_idx / Q * 1e9, t_lin / Q * 1e9);
	/* Generous bound for ASan builds on a busy machine; typical is well under 1 us. */
	T_OK(t_idx / Q < 20e-6, "indexed lookup under 20 us (%.0f ns)", t_idx / Q * 1e9);
	T_OK(t_idx < t_lin, "index faster than linear");
	esp_spd_free(spd);
}

/* An IPv4 UDP packet src -> dst (last octets given, 10.0.0.x or 192.168.0.x). */
static size_t pkt4(uint8_t *p, const char *src, const char *dst)
{
	uint8_t a[16];

	memset(p, 0, 40);
	p[0] = 0x45;
	buf_store_be16(p + 2, 40);
	p[8] = 64;
	p[9] = ESP_IPPROTO_UDP;
	v4(a, src);
	memcpy(p + 12, a, 4);
	v4(a, dst);
	memcpy(p + 16, a, 4);
	esp_ipv4_set_csum(p, 20);
	buf_store_be16(p + 20, 1000);
	buf_store_be16(p + 22, 2000);
	buf_store_be16(p + 24, 20);
	return 40;
}

/* esp_output / esp_input_policy: SPD + SAD + ESP together. */
static void datapath(void)
{
	static const uint8_t key[20] = {1, 2, 3};
	static uint8_t mem[4096];
	struct esp_spd *spd = esp_spd_new();
	struct esp_sad *sad = esp_sad_new();
	struct esp_sa *out = NULL, *in = NULL;
	struct esp_worker *w = malloc(sizeof(*w));
	struct esp_policy p;
	struct esp_sa_cfg c;
	struct esp_result r;
	struct esp_buf b;
	uint8_t clear[64];
	size_t n;

	if (!spd || !sad || !w)
		goto out;
	esp_worker_init(w, 0);
	p = pol(ESP_DIR_OUT, 10, "10.0.0.0", 8, "10.0.0.0", 8, 0, ESP_ACTION_PROTECT);
	p.tmpl.reqid = 7;
	T_EQ(esp_spd_add(spd, &p, NULL), 0);
	p = pol(ESP_DIR_IN, 10, "10.0.0.0", 8, "10.0.0.0", 8, 0, ESP_ACTION_PROTECT);
	p.tmpl.reqid = 7;
	T_EQ(esp_spd_add(spd, &p, NULL), 0);
	p = pol(ESP_DIR_OUT, 20, "0.0.0.0", 0, "192.168.0.0", 16, 0, ESP_ACTION_BYPASS);
	T_EQ(esp_spd_add(spd, &p, NULL), 0);
	p = pol(ESP_DIR_IN, 20, "192.168.0.0", 16, "0.0.0.0", 0, 0, ESP_ACTION_BYPASS);
	T_EQ(esp_spd_add(spd, &p, NULL), 0);
	p = pol(ESP_DIR_OUT, 30, "0.0.0.0", 0, "0.0.0.0", 0, 0, ESP_ACTION_DISCARD);
	T_EQ(esp_spd_add(spd, &p, NULL), 0);
	T_EQ(esp_spd_commit(spd), 0);
	memset(&c, 0, sizeof(c));
	c.spi = 0x4242;
	c.proto = ESP_IPPROTO_ESP;
	c.mode = ESP_MODE_TUNNEL;
	c.reqid = 7;
	c.src.family = c.dst.family = AF_INET;
	v4(c.src.bytes, "192.0.2.1");
	v4(c.dst.bytes, "192.0.2.2");
	esp_sel_any(&c.sel, 0);
	c.encr_id = IKEV2_ENCR_AES_GCM_16;
	c.encr_key_bits = 128;
	c.encr_key = key;
	c.encr_key_len = 20;
	c.replay_window = 64;

	/* No SA yet: acquire. */
	n = pkt4(clear, "10.0.0.1", "10.0.0.2");
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_output(spd, sad, w, &b, 0, &r), ERR_NOTFOUND);
	T_EQ(r.events, ESP_EV_ACQUIRE);
	T_EQ(r.reqid, 7);
	c.dir = ESP_DIR_OUT;
	T_EQ(esp_sa_new(&c, &out), 0);
	c.dir = ESP_DIR_IN;
	T_EQ(esp_sa_new(&c, &in), 0);
	T_EQ(esp_sad_add(sad, out), 0);
	T_EQ(esp_sad_add(sad, in), 0);
	/* Protect, receive, and pass the inbound policy check. */
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_output(spd, sad, w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_SEND);
	T_EQ(esp_buf_data(&b)[9], ESP_IPPROTO_ESP);
	T_EQ(esp_input(sad, w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_DELIVER);
	T_EQ(r.reqid, 7);
	T_MEM(esp_buf_data(&b), b.len, clear, n);
	T_EQ(esp_input_policy(spd, esp_buf_data(&b), b.len, r.reqid, ESP_IPPROTO_ESP,
			      ESP_MODE_TUNNEL),
	     0);
	T_EQ(esp_input_policy(spd, esp_buf_data(&b), b.len, 8, ESP_IPPROTO_ESP, ESP_MODE_TUNNEL),
	     ERR_NOTFOUND); /* delivered by another SA than the policy asks for */
	T_EQ(esp_input_policy(spd, clear, n, 0, 0, 0), ERR_NOTFOUND); /* must have been protected */
	/* Bypass and discard. */
	n = pkt4(clear, "10.0.0.1", "192.168.1.1");
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_output(spd, sad, w, &b, 0, &r), 0);
	T_EQ(r.kind, ESP_RES_DELIVER);
	T_MEM(esp_buf_data(&b), b.len, clear, n);
	n = pkt4(clear, "192.168.1.1", "10.0.0.1");
	T_EQ(esp_input_policy(spd, clear, n, 0, 0, 0), 0);
	n = pkt4(clear, "10.0.0.1", "172.16.0.1");
	memcpy(mem + 256, clear, n);
	esp_buf_init(&b, mem, sizeof(mem), 256, n);
	T_EQ(esp_output(spd, sad, w, &b, 0, &r), ERR_NOTFOUND);
	T_EQ(r.drop, ESP_DROP_POLICY);
	T_EQ(w->stats.drops[ESP_DROP_POLICY], 1);
out:
	esp_sa_put(out);
	esp_sa_put(in);
	esp_sad_free(sad);
	esp_spd_free(spd);
	free(w);
}

int main(void)
{
	datapath();
	ordering();
	icmp_and_packets();
	many();
	return t_finish();
}
