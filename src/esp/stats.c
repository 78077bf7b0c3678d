#include "esp/stats.h"

static const char *const drop_names[ESP_DROP_COUNT] = {
    [ESP_DROP_REPLAY] = "replay",
    [ESP_DROP_AUTH] = "auth",
    [ESP_DROP_NO_SA] = "no-sa",
    [ESP_DROP_POLICY] = "policy",
    [ESP_DROP_PAD] = "padding",
    [ESP_DROP_MALFORMED] = "malformed",
    [ESP_DROP_PROTO] = "proto",
    [ESP_DROP_SEQ_OVERFLOW] = "seq-overflow",
    [ESP_DROP_HARD_EXPIRED] = "hard-expired",
    [ESP_DROP_DUMMY] = "dummy",
    [ESP_DROP_KEEPALIVE] = "keepalive",
    [ESP_DROP_NOSPACE] = "nospace",
    [ESP_DROP_CRYPTO] = "crypto",
    [ESP_DROP_MTU] = "mtu",
};

const char *esp_drop_name(enum esp_drop d)
{
	return (unsigned)d < ESP_DROP_COUNT ? drop_names[d] : "?";
}

void esp_stats_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

void esp_stats_drop(struct esp_stats *s, enum esp_drop d)
{
	if ((unsigned)d < ESP_DROP_COUNT)
		__atomic_fetch_add(&s->drops[d], 1, __ATOMIC_RELAXED);
}

void esp_stats_read(const struct esp_stats *s, struct esp_stats *out)
{
	out->in_packets = __atomic_load_n(&s->in_packets, __ATOMIC_RELAXED);
	out->in_bytes = __atomic_load_n(&s->in_bytes, __ATOMIC_RELAXED);
	out->out_packets = __atomic_load_n(&s->out_packets, __ATOMIC_RELAXED);
	out->out_bytes = __atomic_load_n(&s->out_bytes, __ATOMIC_RELAXED);
	for (int i = 0; i < ESP_DROP_COUNT; i++)
		out->drops[i] = __atomic_load_n(&s->drops[i], __ATOMIC_RELAXED);
}
