/* The SAD's outbound side (esp/sad.h) with many SAs of one reqid, as rampartd gives alike
 * outbound SAs one internal reqid: the newest is returned, removing it (or any other, in any
 * order) falls back to the newest left, the tables grow with every chain's order kept, and an
 * SA already in the SAD is refused. */
#include <stdlib.h>
#include <string.h>

#include "esp/esp.h"
#include "esp/sad.h"
#include "lib/err.h"
#include "support/test.h"

enum { N = 5000 };

static struct esp_sa *out_sa(uint32_t spi, uint32_t reqid)
{
	static const uint8_t key[20];
	struct esp_sa_cfg c;
	struct esp_sa *sa = NULL;

	memset(&c, 0, sizeof(c));
	c.spi = spi;
	c.proto = ESP_IPPROTO_ESP;
	c.mode = ESP_MODE_TUNNEL;
	c.dir = ESP_DIR_OUT;
	c.reqid = reqid;
	addr_parse("192.0.2.1", &c.src, NULL, 0);
	addr_parse("192.0.2.2", &c.dst, NULL, 0);
	c.encr_id = 20; /* AES-GCM-16 */
	c.encr_key_bits = 128;
	c.encr_key = key;
	c.encr_key_len = sizeof(key);
	c.ctx_cache = true;
	esp_sel_any(&c.sel, 0);
	return esp_sa_new(&c, &sa) ? NULL : sa;
}

static uint32_t newest_spi(struct esp_sad *sad, uint32_t reqid)
{
	struct esp_sa *sa = esp_sad_lookup_out(sad, reqid);
	uint32_t spi = sa ? esp_sa_spi(sa) : 0;

	esp_sa_put(sa);
	return spi;
}

static void test_one_reqid(void)
{
	struct esp_sad *sad = esp_sad_new();
	static struct esp_sa *sas[N];
	size_t bad = 0;

	T_OK(sad != NULL, "SAD");
	for (uint32_t i = 0; i < N; i++) {
		sas[i] = out_sa(0x1000 + i, i % 3 ? 7 : 8);
		bad += !sas[i] || esp_sad_add(sad, sas[i]) != 0;
	}
	T_EQ(bad, 0);
	T_EQ(esp_sad_count(sad), N);
	T_EQ(esp_sad_add(sad, sas[10]), ERR_EXISTS);
	T_EQ(newest_spi(sad, 7), 0x1000 + N - 1);
	T_EQ(newest_spi(sad, 8), 0x1000 + N - 2);
	/* remove the newest of reqid 7: the one before takes over */
	T_EQ(esp_sad_del(sad, sas[N - 1]), 0);
	T_EQ(newest_spi(sad, 7), 0x1000 + N - 3);
	T_EQ(esp_sad_del(sad, sas[N - 1]), ERR_NOTFOUND);
	/* every other SA of reqid 7 from the oldest: the newest stays the newest left */
	for (uint32_t i = 1; i < N - 1; i += 2)
		if (i % 3)
			bad += esp_sad_del(sad, sas[i]) != 0;
	T_EQ(bad, 0);
	T_EQ(newest_spi(sad, 7), 0x1000 + N - 4);
	T_EQ(newest_spi(sad, 8), 0x1000 + N - 2);
	/* removed SAs can be added again: then they are the newest */
	T_EQ(esp_sad_add(sad, sas[1]), 0);
	T_EQ(newest_spi(sad, 7), 0x1001);
	for (uint32_t i = 0; i < N; i++)
		esp_sa_put(sas[i]);
	esp_sad_free(sad);
}

int main(void)
{
	test_one_reqid();
	return t_finish();
}
