/* The engine's public entry points (ike/ike.h). */
#include "ike/ike.h"

#include <stdlib.h>
#include <string.h>

#include "ike/engine.h"
#include "lib/err.h"
#include "lib/log.h"

struct ike_engine *ike_engine_new(const struct ike_callbacks *cb, void *ctx)
{
	struct ike_engine *e;

	if (!cb || !cb->send || !cb->event)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->cb = *cb;
	e->ctx = ctx;
	e->next_id = 1;
	e->next_reqid = 1;
	log_ratelimit_init(&e->rl, 1000, 20);
	return e;
}

static void drop_config(struct ike_engine *e)
{
	for (size_t i = 0; i < e->nconns; i++)
		conn_free(e->conns[i]);
	free(e->conns);
	e->conns = NULL;
	e->nconns = 0;
	conn_secrets_free(e->secrets);
	e->secrets = NULL;
}

void ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	drop_config(e);
	free(e);
}

/* Whether the engine can run c; logs why not. */
static int conn_check(const struct conn *c)
{
	if (c->version == CONN_VERSION_1) {
		log_error(LOG_IKE, "connection '%s': IKEv1 is not handled by the IKEv2 engine",
			  c->name);
		return ERR_INVAL;
	}
	if (c->nproposals == 0) {
		log_error(LOG_IKE, "connection '%s': no IKE proposal", c->name);
		return ERR_INVAL;
	}
	if (c->nlocal_auth < 1 || c->nlocal_auth > CONN_MAX_ROUNDS || c->nremote_auth < 1 ||
	    c->nremote_auth > CONN_MAX_ROUNDS) {
		log_error(LOG_IKE, "connection '%s': 1 or 2 local and remote auth rounds needed",
			  c->name);
		return ERR_INVAL;
	}
	for (size_t i = 0; i < c->nchildren; i++) {
		const struct conn_child *ch = c->children[i];
		if (ch->nesp == 0 && ch->nah == 0) {
			log_error(LOG_IKE, "connection '%s' child '%s': no ESP or AH proposal",
				  c->name, ch->name);
			return ERR_INVAL;
		}
		if (ch->ipcomp) {
			log_error(LOG_IKE, "connection '%s' child '%s': IPComp is not supported",
				  c->name, ch->name);
			return ERR_INVAL;
		}
	}
	return 0;
}

int ike_engine_set_config(struct ike_engine *e, struct conn *const *conns, size_t n,
			  struct conn_secrets *secrets)
{
	struct conn **arr = NULL;

	for (size_t i = 0; i < n; i++) {
		int rc = conn_check(conns[i]);
		if (rc)
			return rc;
		for (size_t j = 0; j < i; j++)
			if (strcmp(conns[i]->name, conns[j]->name) == 0) {
				log_error(LOG_IKE, "connection '%s' defined twice", conns[i]->name);
				return ERR_INVAL;
			}
	}
	if (n) {
		arr = calloc(n, sizeof(*arr));
		if (!arr)
			return ERR_NOMEM;
	}
	drop_config(e);
	for (size_t i = 0; i < n; i++)
		arr[i] = conn_ref(conns[i]);
	e->conns = arr;
	e->nconns = n;
	e->secrets = secrets;
	return 0;
}

const struct conn *ike_engine_conn(const struct ike_engine *e, const char *name)
{
	for (size_t i = 0; i < e->nconns; i++)
		if (strcmp(e->conns[i]->name, name) == 0)
			return e->conns[i];
	return NULL;
}

/* Exchanges are not wired in yet: every datagram is counted and dropped. */
int ike_engine_input(struct ike_engine *e, uint64_t now_ms, const struct ike_path *path,
		     const uint8_t *data, size_t len)
{
	(void)now_ms;
	(void)path;
	(void)data;
	(void)len;
	e->stats.rx++;
	e->stats.drop_state++;
	return 0;
}

int ike_engine_initiate(struct ike_engine *e, uint64_t now_ms, const char *conn_name,
			const char *child_name, uint32_t *id)
{
	const struct conn *c = ike_engine_conn(e, conn_name);

	(void)now_ms;
	(void)id;
	if (!c || (child_name && !conn_child_find(c, child_name)))
		return ERR_NOTFOUND;
	return ERR_UNSUPPORTED; /* IKE_SA_INIT lands next */
}

int ike_engine_terminate(struct ike_engine *e, uint64_t now_ms, uint32_t id)
{
	(void)e;
	(void)now_ms;
	(void)id;
	return ERR_NOTFOUND;
}

void ike_engine_timeout(struct ike_engine *e, uint64_t now_ms)
{
	(void)e;
	(void)now_ms;
}

uint64_t ike_engine_next_deadline(const struct ike_engine *e)
{
	(void)e;
	return UINT64_MAX;
}

void ike_engine_list(const struct ike_engine *e, struct ike_sa_info *out, size_t cap, size_t *n,
		     size_t *total)
{
	(void)e;
	(void)out;
	(void)cap;
	*n = 0;
	*total = 0;
}

void ike_engine_set_test_hooks(struct ike_engine *e, const struct ike_test_hooks *h, void *ctx)
{
	if (h) {
		e->hooks = *h;
		e->hooks_ctx = ctx;
		e->have_hooks = true;
	} else {
		memset(&e->hooks, 0, sizeof(e->hooks));
		e->hooks_ctx = NULL;
		e->have_hooks = false;
	}
}

void ike_engine_stats(const struct ike_engine *e, struct ike_stats *out)
{
	*out = e->stats;
}
