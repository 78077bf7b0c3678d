#include "esp/spd.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "esp/ip.h"
#include "esp/sa.h"
#include "lib/err.h"

/* One hash bucket: all policies of one (dir, family, dst_len, masked dst), as a run of idx[]. */
struct spd_bucket {
	uint8_t used;
	uint8_t dir;
	uint8_t family;
	uint8_t dst_len;
	uint32_t start, count;
	uint8_t key[16];
};

struct spd_group {
	uint8_t family;
	uint8_t dst_len;
};

struct esp_spd {
	struct esp_policy *pols; /* sorted by (dir, priority, seq) */
	size_t n, cap;
	uint32_t next_id;
	uint64_t next_seq;
	bool dirty;
	struct spd_bucket *tab;
	size_t tab_mask;
	uint32_t *idx;
	struct spd_group groups[3][2 * 129 + 1];
	size_t ngroups[3];
};

struct esp_spd *esp_spd_new(void)
{
	struct esp_spd *spd = calloc(1, sizeof(*spd));

	if (spd) {
		spd->next_id = 1;
		spd->dirty = true;
	}
	return spd;
}

static void spd_index_free(struct esp_spd *spd)
{
	free(spd->tab);
	free(spd->idx);
	spd->tab = NULL;
	spd->idx = NULL;
	spd->tab_mask = 0;
	memset(spd->ngroups, 0, sizeof(spd->ngroups));
}

void esp_spd_free(struct esp_spd *spd)
{
	if (spd == NULL)
		return;
	spd_index_free(spd);
	free(spd->pols);
	free(spd);
}

static int pol_cmp(const struct esp_policy *a, const struct esp_policy *b)
{
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

int esp_spd_add(struct esp_spd *spd, const struct esp_policy *p, uint32_t *id)
{
	struct esp_policy np = *p;
	size_t lo = 0, hi;
	int err;

	if (p->dir > ESP_DIR_FWD || p->action > ESP_ACTION_DISCARD)
		return ERR_INVAL;
	if (p->action == ESP_ACTION_PROTECT && p->tmpl.proto != ESP_IPPROTO_ESP &&
	    p->tmpl.proto != ESP_IPPROTO_AH)
		return ERR_INVAL;
	err = esp_sel_normalise(&np.sel);
	if (err)
		return err;
	if (spd->n >= ESP_SPD_MAX_POLICIES)
		return ERR_LIMIT;
	if (spd->n == spd->cap) {
		size_t cap = spd->cap ? spd->cap * 2 : 64;
		struct esp_policy *q = realloc(spd->pols, cap * sizeof(*q));

		if (q == NULL)
			return ERR_NOMEM;
		spd->pols = q;
		spd->cap = cap;
	}
	np.id = spd->next_id++;
	np.seq = spd->next_seq++;
	np.hits = 0;
	hi = spd->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pol_cmp(&spd->pols[mid], &np) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&spd->pols[lo + 1], &spd->pols[lo], (spd->n - lo) * sizeof(np));
	spd->pols[lo] = np;
	spd->n++;
	spd->dirty = true;
	if (id)
		*id = np.id;
	return 0;
}

int esp_spd_del(struct esp_spd *spd, uint32_t id)
{
	for (size_t i = 0; i < spd->n; i++) {
		if (spd->pols[i].id != id)
			continue;
		memmove(&spd->pols[i], &spd->pols[i + 1], (spd->n - i - 1) * sizeof(spd->pols[0]));
		spd->n--;
		spd->dirty = true;
		return 0;
	}
	return ERR_NOTFOUND;
}

void esp_spd_flush(struct esp_spd *spd)
{
	spd->n = 0;
	spd->dirty = true;
}

size_t esp_spd_count(const struct esp_spd *spd)
{
	return spd->n;
}

const struct esp_policy *esp_spd_get(const struct esp_spd *spd, size_t i)
{
	return i < spd->n ? &spd->pols[i] : NULL;
}

static void mask_addr(uint8_t *out, const uint8_t *a, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	memset(out, 0, 16);
	memcpy(out, a, full);
	if (rest)
		out[full] = a[full] & (uint8_t)(0xff00u >> rest);
}

static uint64_t bucket_hash(uint8_t dir, uint8_t family, uint8_t len, const uint8_t *key)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ ((uint64_t)dir << 16 | (uint64_t)family << 8 | len);
	uint64_t w[2];

	memcpy(w, key, 16);
	h = (h ^ w[0]) * 0xff51afd7ed558ccdull;
	h = (h ^ (h >> 29) ^ w[1]) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 32);
}

static struct spd_bucket *bucket_find(const struct esp_spd *spd, uint8_t dir, uint8_t family,
				      uint8_t len, const uint8_t *key, bool insert)
{
	size_t i = (size_t)bucket_hash(dir, family, len, key) & spd->tab_mask;

	for (;;) {
		struct spd_bucket *b = &spd->tab[i];

		if (!b->used) {
			if (!insert)
				return NULL;
			b->used = 1;
			b->dir = dir;
			b->family = family;
			b->dst_len = len;
			memcpy(b->key, key, 16);
			return b;
		}
		if (b->dir == dir && b->family == family && b->dst_len == len &&
		    memcmp(b->key, key, 16) == 0)
			return b;
		i = (i + 1) & spd->tab_mask;
	}
}

int esp_spd_commit(struct esp_spd *spd)
{
	size_t size = 16, pos = 0;
	uint8_t key[16];

	spd_index_free(spd);
	while (size < spd->n * 2)
		size <<= 1;
	spd->tab = calloc(size, sizeof(*spd->tab));
	spd->idx = malloc((spd->n ? spd->n : 1) * sizeof(*spd->idx));
	if (spd->tab == NULL || spd->idx == NULL) {
		spd_index_free(spd);
		return ERR_NOMEM;
	}
	spd->tab_mask = size - 1;
	for (size_t i = 0; i < spd->n; i++) {
		const struct esp_policy *p = &spd->pols[i];
		struct spd_bucket *b;

		mask_addr(key, p->sel.dst, p->sel.dst_len);
		b = bucket_find(spd, p->dir, p->sel.family, p->sel.dst_len, key, true);
		if (b->count++ == 0) {
			size_t g = spd->ngroups[p->dir], j;

			for (j = 0; j < g; j++)
				if (spd->groups[p->dir][j].family == p->sel.family &&
				    spd->groups[p->dir][j].dst_len == p->sel.dst_len)
					break;
			if (j == g) {
				spd->groups[p->dir][g].family = p->sel.family;
				spd->groups[p->dir][g].dst_len = p->sel.dst_len;
				spd->ngroups[p->dir]++;
			}
		}
	}
	for (size_t i = 0; i <= spd->tab_mask; i++) {
		if (!spd->tab[i].used)
			continue;
		spd->tab[i].start = (uint32_t)pos;
		pos += spd->tab[i].count;
		spd->tab[i].count = 0;
	}
	/* Filling in SPD order keeps every bucket sorted by (priority, insertion). */
	for (size_t i = 0; i < spd->n; i++) {
		const struct esp_policy *p = &spd->pols[i];
		struct spd_bucket *b;

		mask_addr(key, p->sel.dst, p->sel.dst_len);
		b = bucket_find(spd, p->dir, p->sel.family, p->sel.dst_len, key, false);
		spd->idx[b->start + b->count++] = (uint32_t)i;
	}
	spd->dirty = false;
	return 0;
}

static const struct esp_policy *lookup_linear(const struct esp_spd *spd, uint8_t dir,
					      const struct esp_flow *flow)
{
	for (size_t i = 0; i < spd->n; i++)
		if (spd->pols[i].dir == dir && esp_sel_match(&spd->pols[i].sel, flow))
			return &spd->pols[i];
	return NULL;
}

static const struct esp_policy *lookup_indexed(const struct esp_spd *spd, uint8_t dir,
					       const struct esp_flow *flow)
{
	size_t best = SIZE_MAX;
	uint8_t key[16];

	for (size_t g = 0; g < spd->ngroups[dir]; g++) {
		const struct spd_group *gr = &spd->groups[dir][g];
		const struct spd_bucket *b;

		if (gr->family != 0 && gr->family != flow->family)
			continue;
		mask_addr(key, flow->dst, gr->dst_len);
		b = bucket_find(spd, dir, gr->family, gr->dst_len, key, false);
		if (b == NULL)
			continue;
		for (uint32_t k = 0; k < b->count; k++) {
			size_t i = spd->idx[b->start + k];

			if (i >= best)
				break;
			if (esp_sel_match(&spd->pols[i].sel, flow)) {
				best = i;
				break;
			}
		}
	}
	return best == SIZE_MAX ? NULL : &spd->pols[best];
}

const struct esp_policy *esp_spd_lookup(struct esp_spd *spd, uint8_t dir,
					const struct esp_flow *flow)
{
	const struct esp_policy *p;

	if (dir > ESP_DIR_FWD)
		return NULL;
	if (spd->dirty || spd->tab == NULL)
		p = lookup_linear(spd, dir, flow);
	else
		p = lookup_indexed(spd, dir, flow);
	if (p)
		__atomic_fetch_add(&((struct esp_policy *)p)->hits, 1, __ATOMIC_RELAXED);
	return p;
}
