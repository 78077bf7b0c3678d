/* The outer path of a data-plane SA changing under traffic (esp_sa_set_path, esp_sad_set_path):
 * a worker protecting packets while another thread switches the path never emits a packet with
 * a mix of both (addresses of one, ports of the other, or a stale checksum); inbound SAs move
 * their SAD key whole; ESP_EV_MAPPING for ESP in UDP from a new source only for the newest
 * authenticated packet, once per unit of time, never for replays, forgeries or older packets.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>

#include "esp/esp.h"
#include "esp/ip.h"
#include "esp/sad.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"

static const uint8_t key[20] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa,
				0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03, 0x04, 0x05};

static struct addr a4(const char *s)
{
	struct addr a;

	addr_parse(s, &a, NULL, 0);
	return a;
}

/* An AES-GCM SA, tunnel mode, ESP in UDP, on path p. */
static int mk_sa(uint8_t dir, const struct esp_path *p, struct esp_sa **out)
{
	struct esp_sa_cfg c;

	memset(&c, 0, sizeof(c));
	c.spi = 0x0badcafe;
	c.proto = ESP_IPPROTO_ESP;
	c.mode = ESP_MODE_TUNNEL;
	c.dir = dir;
	c.reqid = 9;
	c.replay_window = 64;
	c.encap = true;
	c.src = p->src;
	c.dst = p->dst;
	c.encap_sport = p->sport;
	c.encap_dport = p->dport;
	esp_sel_any(&c.sel, 0);
	c.encr_id = IKEV2_ENCR_AES_GCM_16;
	c.encr_key_bits = 128;
	c.encr_key = key;
	c.encr_key_len = sizeof(key);
	c.nworkers = 2;
	return esp_sa_new(&c, out);
}

/* A small inner IPv4/UDP packet at p. */
static size_t mk_inner(uint8_t *p)
{
	memset(p, 0, 60);
	p[0] = 0x45;
	buf_store_be16(p + 2, 60);
	p[8] = 64;
	p[9] = ESP_IPPROTO_UDP;
	p[12] = 10, p[15] = 1;
	p[16] = 10, p[19] = 2;
	esp_ipv4_set_csum(p, 20);
	buf_store_be16(p + 20, 1111);
	buf_store_be16(p + 22, 2222);
	buf_store_be16(p + 24, 40);
	return 60;
}

/* ---- a path switched under a protecting worker ------------------------------------------ */

#define MT_PACKETS 40000

struct mt {
	struct esp_sa *sa;
	struct esp_path a, b;
	atomic_bool done;
	unsigned seen_a, seen_b, torn, errors;
};

static bool is_path(const uint8_t *d, const struct esp_path *p)
{
	return memcmp(d + 12, p->src.bytes, 4) == 0 && memcmp(d + 16, p->dst.bytes, 4) == 0 &&
	       buf_load_be16(d + 20) == p->sport && buf_load_be16(d + 22) == p->dport;
}

static void *mt_worker(void *arg)
{
	static uint8_t mem[4096];
	struct mt *m = arg;
	struct esp_worker w;

	esp_worker_init(&w, 1);
	for (unsigned i = 0; i < MT_PACKETS; i++) {
		struct esp_result r;
		struct esp_buf b;
		uint8_t *d;

		esp_buf_init(&b, mem, sizeof(mem), 256, mk_inner(mem + 256));
		if (esp_protect(m->sa, &w, &b, 0, &r) != 0 || r.kind != ESP_RES_SEND) {
			m->errors++;
			continue;
		}
		d = esp_buf_data(&b);
		if (esp_csum_fold(esp_csum_add(0, d, 20)) != 0)
			m->torn++; /* header checksum over other addresses than those written */
		else if (is_path(d, &m->a))
			m->seen_a++;
		else if (is_path(d, &m->b))
			m->seen_b++;
		else
			m->torn++;
	}
	atomic_store(&m->done, true);
	return NULL;
}

static void switch_under_traffic(void)
{
	struct mt m;
	pthread_t th;
	unsigned flips = 0, bad = 0;

	memset(&m, 0, sizeof(m));
	m.a = (struct esp_path){a4("192.0.2.1"), a4("198.51.100.7"), 4500, 14500};
	m.b = (struct esp_path){a4("192.0.2.1"), a4("203.0.113.9"), 4500, 24500};
	T_EQ(mk_sa(ESP_DIR_OUT, &m.a, &m.sa), 0);
	if (!m.sa)
		return;
	T_EQ(pthread_create(&th, NULL, mt_worker, &m), 0);
	while (!atomic_load(&m.done)) {
		/* a burst of switches (writes racing the worker's reads), then a rest on A or B
		 * in turn so that both carry packets */
		for (unsigned j = 0; j < 20000; j++, flips++)
			if (esp_sa_set_path(m.sa, j % 2 ? &m.a : &m.b) != 0)
				bad++;
		if (esp_sa_set_path(m.sa, (flips / 20001) % 2 ? &m.a : &m.b) != 0)
			bad++;
		flips++;
		sched_yield();
	}
	pthread_join(th, NULL);
	T_EQ(bad, 0);
	T_EQ(m.errors, 0);
	T_EQ(m.torn, 0);
	T_EQ(m.seen_a + m.seen_b, MT_PACKETS);
	T_OK(m.seen_a > 0 && m.seen_b > 0, "both paths used (%u, %u; %u switches)", m.seen_a,
	     m.seen_b, flips);
	/* the family never changes */
	{
		struct esp_path v6 = {a4("2001:db8::1"), a4("2001:db8::2"), 4500, 4500};
		struct esp_path now;
		T_EQ(esp_sa_set_path(m.sa, &v6), ERR_INVAL);
		esp_sa_path(m.sa, &now);
		T_EQ(now.src.family, AF_INET);
	}
	esp_sa_put(m.sa);
}

/* ---- inbound SAs in the SAD ------------------------------------------------------------- */

static void sad_moves(void)
{
	struct esp_path p1 = {a4("198.51.100.7"), a4("192.0.2.1"), 14500, 4500};
	struct esp_path p2 = {a4("198.51.100.7"), a4("192.0.2.99"), 14500, 4500};
	struct esp_sad *sad = esp_sad_new();
	struct esp_sa *in = NULL, *other = NULL, *found;
	struct addr d1 = a4("192.0.2.1"), d2 = a4("192.0.2.99");

	T_EQ(mk_sa(ESP_DIR_IN, &p1, &in), 0);
	T_EQ(mk_sa(ESP_DIR_IN, &p2, &other), 0);
	if (!sad || !in || !other)
		goto out;
	T_EQ(esp_sad_add(sad, in), 0);
	found = esp_sad_lookup_in(sad, 0x0badcafe, &d1, ESP_IPPROTO_ESP);
	T_OK(found == in, "found at the first destination");
	esp_sa_put(found);
	/* our address changes (MOBIKE): the key moves */
	T_EQ(esp_sad_set_path(sad, in, &p2), 0);
	found = esp_sad_lookup_in(sad, 0x0badcafe, &d1, ESP_IPPROTO_ESP);
	T_OK(found == NULL, "gone from the old destination");
	esp_sa_put(found);
	found = esp_sad_lookup_in(sad, 0x0badcafe, &d2, ESP_IPPROTO_ESP);
	T_OK(found == in, "found at the new destination");
	esp_sa_put(found);
	/* a move onto another SA's key is refused, the SA stays where it was */
	T_EQ(esp_sad_set_path(sad, in, &p1), 0);
	T_EQ(esp_sad_add(sad, other), 0);
	T_EQ(esp_sad_set_path(sad, in, &p2), ERR_EXISTS);
	found = esp_sad_lookup_in(sad, 0x0badcafe, &d1, ESP_IPPROTO_ESP);
	T_OK(found == in, "still at its destination after a refused move");
	esp_sa_put(found);
out:
	esp_sa_put(in);
	esp_sa_put(other);
	esp_sad_free(sad);
}

/* ---- ESP_EV_MAPPING --------------------------------------------------------------------- */

struct wire {
	uint8_t p[512];
	size_t len; /* the UDP payload (ESP) */
};

static void protect(struct esp_sa *out, struct esp_worker *w, struct wire *o)
{
	static uint8_t mem[4096];
	struct esp_result r;
	struct esp_buf b;

	esp_buf_init(&b, mem, sizeof(mem), 256, mk_inner(mem + 256));
	T_EQ(esp_protect(out, w, &b, 0, &r), 0);
	o->len = b.len - r.payload_off;
	memcpy(o->p, esp_buf_data(&b) + r.payload_off, o->len);
}

/* Delivers o as received from src:sport at now; the events raised, or -1 when dropped. */
static int deliver(struct esp_sad *sad, struct esp_worker *w, const struct wire *o, const char *src,
		   uint16_t sport, uint64_t now)
{
	static uint8_t mem[4096];
	struct addr s = a4(src), d = a4("192.0.2.1");
	struct esp_result r;
	struct esp_buf b;

	memcpy(mem + 256, o->p, o->len);
	esp_buf_init(&b, mem, sizeof(mem), 256, o->len);
	if (esp_input_udp(sad, w, &b, &s, &d, sport, 4500, now, &r) != 0 ||
	    r.kind != ESP_RES_DELIVER)
		return -1;
	return r.events;
}

static void mapping_events(void)
{
	struct esp_path po = {a4("198.51.100.7"), a4("192.0.2.1"), 14500, 4500};
	struct esp_path pi = {a4("198.51.100.7"), a4("192.0.2.1"), 14500, 4500};
	struct esp_path moved = {a4("198.51.100.7"), a4("192.0.2.1"), 24500, 4500};
	struct esp_sad *sad = esp_sad_new();
	struct esp_sa *out = NULL, *in = NULL;
	struct esp_worker w;
	struct wire k[8];

	esp_worker_init(&w, 0);
	T_EQ(mk_sa(ESP_DIR_OUT, &po, &out), 0);
	T_EQ(mk_sa(ESP_DIR_IN, &pi, &in), 0);
	if (!sad || !out || !in || esp_sad_add(sad, in) != 0)
		goto out;
	for (size_t i = 0; i < 8; i++)
		protect(out, &w, &k[i]); /* sequence numbers 1..8 */
	/* from the known peer: nothing */
	T_EQ(deliver(sad, &w, &k[0], "198.51.100.7", 14500, 10), 0);
	T_EQ(deliver(sad, &w, &k[2], "198.51.100.7", 14500, 10), 0);
	/* a replay of #1 from a new port: dropped, nothing raised */
	T_EQ(deliver(sad, &w, &k[0], "198.51.100.7", 24500, 10), -1);
	/* an older packet not seen yet (#2) from the new port: delivered, not the newest */
	T_EQ(deliver(sad, &w, &k[1], "198.51.100.7", 24500, 10), 0);
	/* a forgery of #4 from the new port: fails its ICV */
	k[3].p[k[3].len - 1] ^= 1;
	T_EQ(deliver(sad, &w, &k[3], "198.51.100.7", 24500, 10), -1);
	k[3].p[k[3].len - 1] ^= 1;
	/* the genuine #4, the newest, from the new port: raised */
	T_EQ(deliver(sad, &w, &k[3], "198.51.100.7", 24500, 10), ESP_EV_MAPPING);
	/* once per unit of time */
	T_EQ(deliver(sad, &w, &k[4], "198.51.100.7", 24500, 10), 0);
	T_EQ(deliver(sad, &w, &k[5], "203.0.113.1", 4500, 11), ESP_EV_MAPPING);
	/* the IKE side moved the SA: nothing more from there */
	T_EQ(esp_sad_set_path(sad, in, &moved), 0);
	T_EQ(deliver(sad, &w, &k[6], "198.51.100.7", 24500, 12), 0);
	T_EQ(deliver(sad, &w, &k[7], "198.51.100.7", 14500, 13), ESP_EV_MAPPING);
out:
	esp_sa_put(out);
	esp_sa_put(in);
	esp_sad_free(sad);
}

int main(void)
{
	switch_under_traffic();
	sad_moves();
	mapping_events();
	return t_finish();
}
