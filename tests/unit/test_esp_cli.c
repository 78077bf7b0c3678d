/* A filter over the ESP engine for the scapy and tshark tests (tests/unit/test_esp_scapy.py),
 * and, run without arguments, its own self test.
 *
 *   test_esp_cli dir=out|in proto=esp|ah mode=tunnel|transport spi=HEX [encr=ID bits=N
 *                ekey=HEX] [integ=ID ikey=HEX] [esn=1] [seq=N] [window=N] [src=IP dst=IP]
 *                [iv=HEX] [encap=1] [tfc=N]
 *
 * IDs are IKEv2 transform numbers; keys include the salt. Reads one hex packet per line on
 * stdin and writes one line per packet: the result's hex, "NONE <drop>" for a silent drop, or
 * "ERR <error> <drop>". For dir=out, seq is the first sequence number (default 1); iv forces
 * the IV of every packet (test hook).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "esp/esp.h"
#include "lib/err.h"
#include "support/test.h"
#include "support/vec.h"
#include "wire/iana.h"

struct cli {
	struct esp_sa_cfg c;
	uint8_t ekey[64], ikey[80], iv[16];
	size_t iv_len;
	uint64_t seq;
};

static int parse_addr(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = AF_INET6;
		return 0;
	}
	return -1;
}

static int hexarg(const char *s, uint8_t *out, size_t cap, size_t *len)
{
	uint8_t *p = NULL;
	size_t n = 0;

	if (vec_hex(s, &p, &n) != 0 || n > cap) {
		free(p);
		return -1;
	}
	memcpy(out, p, n);
	free(p);
	*len = n;
	return 0;
}

static int parse_args(int argc, char **argv, struct cli *cl)
{
	struct esp_sa_cfg *c = &cl->c;

	memset(cl, 0, sizeof(*cl));
	cl->seq = 1;
	esp_sel_any(&c->sel, 0);
	c->proto = ESP_IPPROTO_ESP;
	c->mode = ESP_MODE_TUNNEL;
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *k = argv[i], *v;

		if (eq == NULL)
			return -1;
		*eq = 0;
		v = eq + 1;
		if (!strcmp(k, "dir"))
			c->dir = strcmp(v, "out") == 0 ? ESP_DIR_OUT : ESP_DIR_IN;
		else if (!strcmp(k, "proto"))
			c->proto = strcmp(v, "ah") == 0 ? ESP_IPPROTO_AH : ESP_IPPROTO_ESP;
		else if (!strcmp(k, "mode"))
			c->mode =
			    strcmp(v, "transport") == 0 ? ESP_MODE_TRANSPORT : ESP_MODE_TUNNEL;
		else if (!strcmp(k, "spi"))
			c->spi = (uint32_t)strtoul(v, NULL, 16);
		else if (!strcmp(k, "encr"))
			c->encr_id = (uint16_t)atoi(v);
		else if (!strcmp(k, "bits"))
			c->encr_key_bits = (uint16_t)atoi(v);
		else if (!strcmp(k, "ekey")) {
			if (hexarg(v, cl->ekey, sizeof(cl->ekey), &c->encr_key_len))
				return -1;
			c->encr_key = cl->ekey;
		} else if (!strcmp(k, "integ"))
			c->integ_id = (uint16_t)atoi(v);
		else if (!strcmp(k, "ikey")) {
			if (hexarg(v, cl->ikey, sizeof(cl->ikey), &c->integ_key_len))
				return -1;
			c->integ_key = cl->ikey;
		} else if (!strcmp(k, "esn"))
			c->esn = atoi(v) != 0;
		else if (!strcmp(k, "seq"))
			cl->seq = strtoull(v, NULL, 0);
		else if (!strcmp(k, "window"))
			c->replay_window = (uint32_t)atoi(v);
		else if (!strcmp(k, "src")) {
			if (parse_addr(v, &c->src))
				return -1;
		} else if (!strcmp(k, "dst")) {
			if (parse_addr(v, &c->dst))
				return -1;
		} else if (!strcmp(k, "iv")) {
			if (hexarg(v, cl->iv, sizeof(cl->iv), &cl->iv_len))
				return -1;
		} else if (!strcmp(k, "encap"))
			c->encap = atoi(v) != 0;
		else if (!strcmp(k, "tfc"))
			c->tfc_pad = (uint16_t)atoi(v);
		else
			return -1;
	}
	return 0;
}

static void put_hex(FILE *f, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
	fputc('\n', f);
}

static int filter(int argc, char **argv)
{
	static uint8_t mem[70000];
	static char line[140000];
	struct esp_worker *w = malloc(sizeof(*w));
	struct esp_sa *sa = NULL;
	struct cli cl;
	int rc;

	if (w == NULL || parse_args(argc, argv, &cl) != 0) {
		fprintf(stderr, "usage: see the comment at the top of test_esp_cli.c\n");
		free(w);
		return 2;
	}
	rc = esp_sa_new(&cl.c, &sa);
	if (rc) {
		fprintf(stderr, "SA: %s\n", err_str(rc));
		free(w);
		return 2;
	}
	esp_worker_init(w, 0);
	esp_sa_set_next_seq(sa, cl.seq);
	if (cl.iv_len && esp_sa_force_iv(sa, cl.iv, cl.iv_len) != 0) {
		fprintf(stderr, "iv length\n");
		rc = 2;
		goto out;
	}
	while (fgets(line, sizeof(line), stdin)) {
		struct esp_result r;
		struct esp_buf b;
		size_t n;
		uint8_t *p = NULL;

		line[strcspn(line, "\r\n")] = 0;
		if (vec_hex(line, &p, &n) != 0 || n > sizeof(mem) - 512) {
			printf("ERR bad-hex\n");
			free(p);
			continue;
		}
		memcpy(mem + 256, p, n);
		free(p);
		esp_buf_init(&b, mem, sizeof(mem), 256, n);
		rc = cl.c.dir == ESP_DIR_OUT ? esp_protect(sa, w, &b, 0, &r)
					     : esp_unprotect(sa, w, &b, 0, &r);
		if (rc)
			printf("ERR %s %s\n", err_str(rc), esp_drop_name(r.drop));
		else if (r.kind == ESP_RES_NONE)
			printf("NONE %s\n", esp_drop_name(r.drop));
		else
			put_hex(stdout, esp_buf_data(&b), b.len);
		fflush(stdout);
	}
	rc = 0;
out:
	esp_sa_put(sa);
	free(w);
	return rc;
}

/* Self test: the argument parser builds the SA the arguments describe. */
static void self_test(void)
{
	char a0[] = "x", a1[] = "dir=out", a2[] = "proto=esp", a3[] = "mode=tunnel",
	     a4[] = "spi=1234", a5[] = "encr=20", a6[] = "bits=128",
	     a7[] = "ekey=000102030405060708090a0b0c0d0e0f10111213", a8[] = "src=192.0.2.1",
	     a9[] = "dst=2001:db8::1", a10[] = "esn=1", a11[] = "seq=0x100000000", a12[] = "bogus";
	char *argv[] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12};
	struct esp_sa *sa = NULL;
	struct cli cl;

	T_EQ(parse_args(12, argv, &cl), 0);
	T_EQ(cl.c.dir, ESP_DIR_OUT);
	T_EQ(cl.c.spi, 0x1234);
	T_EQ(cl.c.encr_id, IKEV2_ENCR_AES_GCM_16);
	T_EQ(cl.c.encr_key_len, 20);
	T_EQ(cl.c.src.family, AF_INET);
	T_EQ(cl.c.dst.family, AF_INET6);
	T_OK(cl.c.esn, "esn");
	T_EQ(cl.seq, 0x100000000ull);
	/* Mixed outer families are refused. */
	T_EQ(esp_sa_new(&cl.c, &sa), ERR_INVAL);
	T_EQ(parse_args(13, argv, &cl), -1);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return filter(argc, argv);
	self_test();
	return t_finish();
}
