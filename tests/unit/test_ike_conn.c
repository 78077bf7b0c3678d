/* The engine's configuration structs: defaults, identities, PSK selection, engine config. */
#include <string.h>

#include "ike/conn.h"
#include "ike/ike.h"
#include "lib/err.h"
#include "support/test.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

static void test_defaults(void)
{
	struct conn *c = conn_new("gw");
	struct conn_child *ch = NULL;

	T_OK(c != NULL, "conn_new");
	T_OK(strcmp(c->name, "gw") == 0, "name");
	T_EQ(c->local_port, 500);
	T_EQ(c->remote_port, 500);
	T_OK(c->nproposals >= 1, "default IKE proposals");
	T_EQ(c->proposals[0].proto, ALG_PROTO_IKE);
	T_EQ(c->rekey_time, 14400);
	T_EQ(c->keyingtries, 1);
	T_EQ(c->fragmentation, CONN_FRAG_YES);
	T_EQ(conn_child_add(c, "net", &ch), 0);
	T_EQ(ch->replay_window, 32);
	T_EQ(ch->rekey_time, 3600);
	T_EQ(ch->local_ts.n, 1);
	T_EQ(ch->local_ts.ts[0].type, 0); /* dynamic */
	T_OK(ch->nesp >= 1, "default ESP proposal");
	T_EQ(ch->esp[0].proto, ALG_PROTO_ESP);
	T_OK(conn_child_find(c, "net") == ch, "find child");
	T_OK(conn_child_find(c, "nope") == NULL, "no child");
	for (int i = 1; i < CONN_MAX_CHILDREN; i++)
		T_EQ(conn_child_add(c, "x", &ch), 0);
	T_EQ(conn_child_add(c, "y", &ch), ERR_LIMIT);
	conn_ref(c);
	conn_free(c);
	T_EQ(c->refs, 1);
	conn_free(c);
	conn_free(NULL);
}

static const struct {
	int line;
	const char *text;
	int rc;
	uint8_t type;
	size_t len;
	const char *back;
} ids[] = {
    {__LINE__, "%any", 0, 0, 0, "%any"},
    {__LINE__, "192.0.2.1", 0, IKEV2_ID_IPV4_ADDR, 4, "192.0.2.1"},
    {__LINE__, "2001:db8::1", 0, IKEV2_ID_IPV6_ADDR, 16, "2001:db8::1"},
    {__LINE__, "@moon.example", 0, IKEV2_ID_FQDN, 12, "moon.example"},
    {__LINE__, "moon.example", 0, IKEV2_ID_FQDN, 12, "moon.example"},
    {__LINE__, "carol@example.org", 0, IKEV2_ID_RFC822_ADDR, 17, "carol@example.org"},
    {__LINE__, "@#0a0B", 0, IKEV2_ID_KEY_ID, 2, "@#0a0b"},
    {__LINE__, "@#0", ERR_INVAL, 0, 0, NULL},
    {__LINE__, "@#zz", ERR_INVAL, 0, 0, NULL},
    {__LINE__, "", ERR_INVAL, 0, 0, NULL},
    {__LINE__, "C=CH, O=strongSwan, CN=moon", 0, IKEV2_ID_DER_ASN1_DN, 0,
     "C=CH, O=strongSwan, CN=moon"},
};

static void test_ids(void)
{
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct conn_id id;
		char err[128] = "", buf[256];
		int rc = conn_id_parse(ids[i].text, &id, err, sizeof(err));

		T_EQ_ROW(ids[i].line, rc, ids[i].rc);
		if (rc)
			continue;
		T_EQ_ROW(ids[i].line, id.type, ids[i].type);
		if (ids[i].len)
			T_EQ_ROW(ids[i].line, id.len, ids[i].len);
		T_OK_ROW(ids[i].line, strcmp(conn_id_str(&id, buf, sizeof(buf)), ids[i].back) == 0,
			 "text '%s'", buf);
		T_OK_ROW(ids[i].line, conn_id_match(&id, id.type, id.data, id.len), "self match");
	}
}

static void test_match(void)
{
	struct conn_id any, fq, dn1;

	conn_id_parse("%any", &any, NULL, 0);
	conn_id_parse("@Moon.Example", &fq, NULL, 0);
	conn_id_parse("C=CH, O=strongSwan, CN=moon", &dn1, NULL, 0);
	T_OK(conn_id_match(&any, IKEV2_ID_FQDN, (const uint8_t *)"x", 1), "any");
	T_OK(conn_id_match(&fq, IKEV2_ID_FQDN, (const uint8_t *)"moon.example", 12), "case");
	T_OK(!conn_id_match(&fq, IKEV2_ID_RFC822_ADDR, (const uint8_t *)"moon.example", 12),
	     "type differs");
	T_OK(!conn_id_match(&fq, IKEV2_ID_FQDN, (const uint8_t *)"moon.exampl", 11), "length");
	T_OK(!conn_id_match(&dn1, IKEV2_ID_DER_ASN1_DN, fq.data, fq.len), "DN differs");
}

static void test_psk(void)
{
	struct conn_secrets *s = conn_secrets_new();
	struct conn_id moon, sun, carol;
	const struct secret *k;

	conn_id_parse("moon", &moon, NULL, 0);
	conn_id_parse("sun", &sun, NULL, 0);
	conn_id_parse("carol@x", &carol, NULL, 0);
	T_OK(conn_secrets_find_psk(s, &moon, &sun) == NULL, "empty");
	T_EQ(conn_secrets_add_psk(s, "", 0, NULL, 0), ERR_INVAL);
	T_EQ(conn_secrets_add_psk(s, "wild", 4, NULL, 0), 0);
	k = conn_secrets_find_psk(s, &moon, &sun);
	T_OK(k && k->len == 4 && memcmp(k->p, "wild", 4) == 0, "wildcard");
	T_EQ(conn_secrets_add_psk(s, "moon-only", 9, &moon, 1), 0);
	k = conn_secrets_find_psk(s, &moon, &sun);
	T_OK(k && k->len == 9, "local owner beats wildcard");
	{
		struct conn_id both[2] = {moon, sun};
		T_EQ(conn_secrets_add_psk(s, "moon-sun", 8, both, 2), 0);
	}
	k = conn_secrets_find_psk(s, &moon, &sun);
	T_OK(k && k->len == 8 && memcmp(k->p, "moon-sun", 8) == 0, "both owners best");
	k = conn_secrets_find_psk(s, &carol, &moon);
	T_OK(k && k->len == 9, "remote owner");
	k = conn_secrets_find_psk(s, &carol, &carol);
	T_OK(k && k->len == 4, "falls back to wildcard");
	conn_secrets_free(s);
	conn_secrets_free(NULL);
}

static int sends, events;
static int cb_send(void *ctx, const struct ike_path *p, const uint8_t *d, size_t n)
{
	(void)ctx, (void)p, (void)d, (void)n;
	sends++;
	return 0;
}
static void cb_event(void *ctx, uint32_t id, uint32_t cid, enum ike_event_kind k, const char *m)
{
	(void)ctx, (void)id, (void)cid, (void)k, (void)m;
	events++;
}

static void test_engine_config(void)
{
	struct ike_callbacks cb = {.send = cb_send, .event = cb_event};
	struct ike_callbacks bad = {.send = cb_send};
	struct ike_engine *e = ike_engine_new(&cb, NULL);
	struct conn *c = conn_new("a"), *d = conn_new("a"), *v1 = conn_new("v1");
	struct conn_child *ch;
	struct conn *list[2];

	T_OK(ike_engine_new(&bad, NULL) == NULL, "event callback required");
	T_OK(e != NULL, "engine");
	list[0] = c;
	list[1] = d;
	T_EQ(ike_engine_set_config(e, list, 2, NULL), ERR_INVAL); /* duplicate name */
	v1->version = CONN_VERSION_1;
	T_EQ(ike_engine_set_config(e, &v1, 1, NULL), ERR_INVAL);
	conn_child_add(c, "net", &ch);
	ch->nesp = 0;
	T_EQ(ike_engine_set_config(e, &c, 1, NULL), ERR_INVAL);
	ch->nesp = 1;
	T_EQ(ike_engine_set_config(e, &c, 1, conn_secrets_new()), 0);
	T_EQ(c->refs, 2);
	T_OK(ike_engine_conn(e, "a") == c, "lookup");
	T_OK(ike_engine_conn(e, "b") == NULL, "no such");
	T_EQ(ike_engine_set_config(e, NULL, 0, NULL), 0);
	T_EQ(c->refs, 1);
	T_EQ(ike_engine_set_config(e, &c, 1, NULL), 0);
	T_EQ(ike_engine_next_deadline(e), UINT64_MAX);
	ike_engine_free(e);
	T_EQ(c->refs, 1);
	conn_free(c);
	conn_free(d);
	conn_free(v1);
}

int main(void)
{
	test_defaults();
	test_ids();
	test_match();
	test_psk();
	test_engine_config();
	return t_finish();
}
