#include "esp/ctxcache.h"

#include <stdlib.h>

#include "crypto/enc.h"
#include "crypto/integ.h"
#include "lib/err.h"

_Static_assert((ESP_CC_SLOTS & (ESP_CC_SLOTS - 1)) == 0, "ESP_CC_SLOTS: a power of two");

int esp_worker_cache_init(struct esp_worker *w)
{
	if (w->cc != NULL)
		return 0;
	w->cc = calloc(1, sizeof(*w->cc));
	return w->cc ? 0 : ERR_NOMEM;
}

static void slot_clear(struct esp_cc_slot *s)
{
	enc_free(s->cr.enc);
	integ_free(s->cr.integ);
	s->cr.enc = NULL;
	s->cr.integ = NULL;
	s->sa_id = 0;
	s->encr_id = s->encr_bits = s->integ_id = 0;
}

void esp_worker_cleanup(struct esp_worker *w)
{
	if (w->cc == NULL)
		return;
	for (size_t i = 0; i < ESP_CC_SLOTS; i++)
		slot_clear(&w->cc->slots[i]);
	free(w->cc);
	w->cc = NULL;
}

/* Keys s->cr.enc for sa: in place when the slot holds the same algorithm, else anew. */
static int key_enc(struct esp_cc_slot *s, const struct esp_sa *sa)
{
	enum enc_dir dir = sa->dir == ESP_DIR_OUT ? ENC_ENCRYPT : ENC_DECRYPT;
	int err;

	if (s->cr.enc && s->encr_id == sa->cc_encr_id && s->encr_bits == sa->cc_encr_bits) {
		err = enc_rekey(s->cr.enc, dir, sa->cc_key, sa->cc_encr_len);
		if (err != ERR_UNSUPPORTED)
			return err;
	}
	enc_free(s->cr.enc);
	s->cr.enc = NULL;
	err =
	    enc_new(sa->cc_encr_id, sa->cc_encr_bits, dir, sa->cc_key, sa->cc_encr_len, &s->cr.enc);
	if (err == 0) {
		s->encr_id = sa->cc_encr_id;
		s->encr_bits = sa->cc_encr_bits;
	}
	return err;
}

static int key_integ(struct esp_cc_slot *s, const struct esp_sa *sa)
{
	const uint8_t *key = sa->cc_key + sa->cc_encr_len;
	int err;

	if (s->cr.integ && s->integ_id == sa->cc_integ_id) {
		err = integ_rekey(s->cr.integ, key, sa->cc_integ_len);
		if (err != ERR_UNSUPPORTED)
			return err;
	}
	integ_free(s->cr.integ);
	s->cr.integ = NULL;
	err = integ_new(sa->cc_integ_id, key, sa->cc_integ_len, &s->cr.integ);
	if (err == 0)
		s->integ_id = sa->cc_integ_id;
	return err;
}

struct esp_sa_crypto *esp_cc_miss(struct esp_sa *sa, struct esp_worker *w)
{
	struct esp_cc_slot *s;
	int err = 0;

	if (w->cc == NULL)
		return NULL;
	s = &w->cc->slots[sa->cc_id & (ESP_CC_SLOTS - 1)];
	s->sa_id = 0; /* not valid for anyone until keyed */
	w->cc->misses++;
	/* enc: ESP always (ENCR_NULL too), AH only with GMAC; integ when the SA has one. The
	 * processing code tells the transforms apart by which contexts are non-NULL. */
	if (sa->cc_encr_id != 0) {
		err = key_enc(s, sa);
	} else {
		enc_free(s->cr.enc);
		s->cr.enc = NULL;
	}
	if (err == 0 && sa->cc_integ_id != 0) {
		err = key_integ(s, sa);
	} else {
		integ_free(s->cr.integ);
		s->cr.integ = NULL;
	}
	if (err) {
		slot_clear(s);
		return NULL;
	}
	s->sa_id = sa->cc_id;
	return &s->cr;
}
