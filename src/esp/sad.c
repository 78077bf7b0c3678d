#include "esp/sad.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "esp/spd.h"
#include "lib/err.h"

#define SAD_MIN_BUCKETS 256u

struct esp_sad {
	pthread_rwlock_t lock;
	struct esp_sa **in;  /* chains by SPI hash (inbound SAs) */
	struct esp_sa **out; /* chains by reqid hash (outbound SAs) */
	size_t mask;	     /* both tables have mask + 1 buckets */
	size_t count;
};

static size_t hash32(uint32_t v, size_t mask)
{
	return (size_t)((v * 0x9e3779b1u) ^ (v >> 16)) & mask;
}

struct esp_sad *esp_sad_new(void)
{
	struct esp_sad *sad = calloc(1, sizeof(*sad));

	if (sad == NULL)
		return NULL;
	sad->in = calloc(SAD_MIN_BUCKETS, sizeof(*sad->in));
	sad->out = calloc(SAD_MIN_BUCKETS, sizeof(*sad->out));
	if (sad->in == NULL || sad->out == NULL || pthread_rwlock_init(&sad->lock, NULL) != 0) {
		free(sad->in);
		free(sad->out);
		free(sad);
		return NULL;
	}
	sad->mask = SAD_MIN_BUCKETS - 1;
	return sad;
}

void esp_sad_free(struct esp_sad *sad)
{
	if (sad == NULL)
		return;
	for (size_t i = 0; i <= sad->mask; i++) {
		struct esp_sa *sa, *next;

		for (sa = sad->in[i]; sa; sa = next) {
			next = sa->next_in;
			esp_sa_put(sa);
		}
		for (sa = sad->out[i]; sa; sa = next) {
			next = sa->next_out;
			sa->next_out = NULL;
			sa->pprev_out = NULL;
			esp_sa_put(sa);
		}
	}
	pthread_rwlock_destroy(&sad->lock);
	free(sad->in);
	free(sad->out);
	free(sad);
}

/* An inbound SA's destination (part of its key), read under the SAD's lock. */
static struct addr sa_dst(const struct esp_sa *sa)
{
	struct esp_path p;

	esp_sa_path(sa, &p);
	return p.dst;
}

static bool dst_match(const struct esp_sa *sa, const struct addr *dst)
{
	struct addr d;

	if (dst == NULL || sa->family == 0)
		return true;
	d = sa_dst(sa);
	return d.family == dst->family && memcmp(d.bytes, dst->bytes, 16) == 0;
}

/* Whether another inbound SA than self has sa's key with destination dst. Writer lock held. */
static bool key_taken(struct esp_sad *sad, const struct esp_sa *self, uint32_t spi, uint8_t proto,
		      const struct addr *dst)
{
	for (struct esp_sa *s = sad->in [hash32(spi, sad->mask)]; s; s = s->next_in) {
		struct addr d = sa_dst(s);
		if (s != self && s->spi == spi && s->proto == proto && d.family == dst->family &&
		    memcmp(d.bytes, dst->bytes, 16) == 0)
			return true;
	}
	return false;
}

/* Doubles both tables when the load passes 1. Caller holds the writer lock. */
static void sad_grow(struct esp_sad *sad)
{
	size_t n = (sad->mask + 1) * 2;
	struct esp_sa **in = calloc(n, sizeof(*in)), **out = calloc(n, sizeof(*out));
	struct esp_sa ***tin = malloc(n * sizeof(*tin)), ***tout = malloc(n * sizeof(*tout));

	if (in == NULL || out == NULL || tin == NULL || tout == NULL) {
		free(in);
		free(out);
		free(tin);
		free(tout);
		return; /* keep the old tables: longer chains, still correct */
	}
	for (size_t i = 0; i < n; i++) {
		tin[i] = &in[i];
		tout[i] = &out[i];
	}
	/* Each chain is appended to at its tail (tin/tout) so that every chain keeps its order
	 * (newest first) in linear time. */
	for (size_t i = 0; i <= sad->mask; i++) {
		struct esp_sa *sa, *next;

		for (sa = sad->in[i]; sa; sa = next) {
			size_t b = hash32(sa->spi, n - 1);

			next = sa->next_in;
			sa->next_in = NULL;
			*tin[b] = sa;
			tin[b] = &sa->next_in;
		}
		for (sa = sad->out[i]; sa; sa = next) {
			size_t b = hash32(sa->reqid, n - 1);

			next = sa->next_out;
			sa->next_out = NULL;
			sa->pprev_out = tout[b];
			*tout[b] = sa;
			tout[b] = &sa->next_out;
		}
	}
	free(tin);
	free(tout);
	free(sad->in);
	free(sad->out);
	sad->in = in;
	sad->out = out;
	sad->mask = n - 1;
}

int esp_sad_add(struct esp_sad *sad, struct esp_sa *sa)
{
	int err = 0;

	pthread_rwlock_wrlock(&sad->lock);
	if (sa->dir == ESP_DIR_IN) {
		struct esp_sa **head = &sad->in[hash32(sa->spi, sad->mask)];
		struct addr dst = sa_dst(sa);

		for (struct esp_sa *s = *head; s; s = s->next_in) {
			if (s == sa) {
				err = ERR_EXISTS;
				goto out;
			}
		}
		if (key_taken(sad, sa, sa->spi, sa->proto, &dst)) {
			err = ERR_EXISTS;
			goto out;
		}
		sa->next_in = *head;
		*head = sa;
	} else {
		struct esp_sa **head = &sad->out[hash32(sa->reqid, sad->mask)];

		if (sa->pprev_out) {
			err = ERR_EXISTS;
			goto out;
		}
		sa->next_out = *head; /* newest first: it becomes the reqid's SA */
		if (*head)
			(*head)->pprev_out = &sa->next_out;
		sa->pprev_out = head;
		*head = sa;
	}
	esp_sa_get(sa);
	sad->count++;
	if (sad->count > sad->mask + 1)
		sad_grow(sad);
out:
	pthread_rwlock_unlock(&sad->lock);
	return err;
}

int esp_sad_del(struct esp_sad *sad, struct esp_sa *sa)
{
	int err = ERR_NOTFOUND;
	struct esp_sa **pp;

	pthread_rwlock_wrlock(&sad->lock);
	if (sa->dir == ESP_DIR_IN) {
		for (pp = &sad->in [hash32(sa->spi, sad->mask)]; *pp; pp = &(*pp)->next_in) {
			if (*pp == sa) {
				*pp = sa->next_in;
				err = 0;
				break;
			}
		}
	} else {
		pp = sa->pprev_out;
		if (pp && *pp == sa) {
			*pp = sa->next_out;
			if (sa->next_out)
				sa->next_out->pprev_out = pp;
			sa->next_out = NULL;
			sa->pprev_out = NULL;
			err = 0;
		}
	}
	if (err == 0)
		sad->count--;
	pthread_rwlock_unlock(&sad->lock);
	if (err == 0)
		esp_sa_put(sa);
	return err;
}

struct esp_sa *esp_sad_lookup_in(struct esp_sad *sad, uint32_t spi, const struct addr *dst,
				 uint8_t proto)
{
	struct esp_sa *found = NULL;

	pthread_rwlock_rdlock(&sad->lock);
	for (struct esp_sa *s = sad->in [hash32(spi, sad->mask)]; s; s = s->next_in) {
		if (s->spi != spi || s->proto != proto || !dst_match(s, dst))
			continue;
		/* An exact destination match beats a wildcard one. */
		if (found == NULL || (s->family != 0 && found->family == 0))
			found = s;
	}
	if (found)
		esp_sa_get(found);
	pthread_rwlock_unlock(&sad->lock);
	return found;
}

struct esp_sa *esp_sad_lookup_out(struct esp_sad *sad, uint32_t reqid)
{
	struct esp_sa *found = NULL;

	pthread_rwlock_rdlock(&sad->lock);
	for (struct esp_sa *s = sad->out[hash32(reqid, sad->mask)]; s; s = s->next_out) {
		if (s->reqid == reqid && !esp_sa_dead(s)) {
			found = s;
			break;
		}
	}
	if (found)
		esp_sa_get(found);
	pthread_rwlock_unlock(&sad->lock);
	return found;
}

int esp_sad_set_path(struct esp_sad *sad, struct esp_sa *sa, const struct esp_path *p)
{
	int err = 0;

	pthread_rwlock_wrlock(&sad->lock);
	if (sa->dir == ESP_DIR_IN && key_taken(sad, sa, sa->spi, sa->proto, &p->dst))
		err = ERR_EXISTS;
	else
		err = esp_sa_set_path(sa, p);
	pthread_rwlock_unlock(&sad->lock);
	return err;
}

size_t esp_sad_count(struct esp_sad *sad)
{
	size_t n;

	pthread_rwlock_rdlock(&sad->lock);
	n = sad->count;
	pthread_rwlock_unlock(&sad->lock);
	return n;
}

void esp_sad_walk(struct esp_sad *sad, void (*fn)(struct esp_sa *sa, void *ctx), void *ctx)
{
	pthread_rwlock_rdlock(&sad->lock);
	for (size_t i = 0; i <= sad->mask; i++) {
		for (struct esp_sa *s = sad->in[i]; s; s = s->next_in)
			fn(s, ctx);
		for (struct esp_sa *s = sad->out[i]; s; s = s->next_out)
			fn(s, ctx);
	}
	pthread_rwlock_unlock(&sad->lock);
}
