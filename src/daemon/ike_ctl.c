#include "daemon/ike_ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "wire/iana.h"
#include "wire/ikev2_const.h"

#define LIST_MAX 256 /* IKE SAs one listing shows */

void ike_ctl_init(struct ike_ctl *c, struct ike_engine *eng)
{
	memset(c, 0, sizeof(*c));
	c->eng = eng;
}

static struct ike_ctl_outcome *find(struct ike_ctl *c, uint32_t id)
{
	for (size_t i = 0; i < IKE_CTL_OUTCOMES; i++)
		if (c->out[i].id == id && id)
			return &c->out[i];
	return NULL;
}

/* An outcome to follow for IKE SA id (again, for a child added to an existing IKE SA). */
static struct ike_ctl_outcome *track(struct ike_ctl *c, uint32_t id, bool want_child,
				     const char *child)
{
	struct ike_ctl_outcome *o = find(c, id), *oldest = &c->out[0];

	if (!o) {
		for (size_t i = 0; i < IKE_CTL_OUTCOMES; i++)
			if (c->out[i].seq < oldest->seq)
				oldest = &c->out[i];
		o = oldest;
	}
	memset(o, 0, sizeof(*o));
	o->id = id;
	snprintf(o->msg, sizeof(o->msg), "connecting");
	snprintf(o->child, sizeof(o->child), "%s", child ? child : "");
	o->want_child = want_child;
	o->seq = ++c->seq;
	return o;
}

/* Whether an event sentence is about CHILD_SA name ("CHILD_SA name{7} ...",
 * "... for CHILD_SA name: ..."). */
static bool names_child(const char *msg, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = strstr(msg, "CHILD_SA "); p; p = strstr(p + 1, "CHILD_SA ")) {
		const char *q = p + 9;
		if (strncmp(q, name, n) == 0 &&
		    (q[n] == '\0' || q[n] == '{' || q[n] == ' ' || q[n] == ':'))
			return true;
	}
	return false;
}

void ike_ctl_event(struct ike_ctl *c, uint32_t id, uint32_t child_id, enum ike_event_kind kind,
		   const char *msg)
{
	struct ike_ctl_outcome *o = find(c, id);
	(void)child_id;

	if (!o || o->state != IKE_CTL_CONNECTING)
		return;
	if ((kind == IKE_EV_CHILD_UP || kind == IKE_EV_CHILD_FAILED || kind == IKE_EV_CHILD_DOWN) &&
	    o->child[0] && !names_child(msg, o->child))
		return; /* another child of the same IKE SA */
	switch (kind) {
	case IKE_EV_IKE_REKEYED:
		return; /* a new id; the outcome of the `up` stays */
	case IKE_EV_IKE_UP:
		if (o->want_child)
			return;
		o->state = IKE_CTL_ESTABLISHED;
		break;
	case IKE_EV_CHILD_UP:
		o->state = IKE_CTL_ESTABLISHED;
		break;
	case IKE_EV_IKE_FAILED:
	case IKE_EV_CHILD_FAILED:
	case IKE_EV_IKE_DOWN:
	case IKE_EV_CHILD_DOWN:
		o->state = IKE_CTL_FAILED;
		break;
	}
	snprintf(o->msg, sizeof(o->msg), "%s", msg);
}

static void cmd_up(struct ike_ctl *c, const struct swanctl_config *cfg, uint64_t now_ms,
		   const char *arg, struct ctl_reply *rep)
{
	char conn[CONN_NAME_MAX * 2 + 2];
	const char *child = NULL;
	const struct conn *cn = NULL;
	uint32_t id;
	int r;

	snprintf(conn, sizeof(conn), "%s", arg);
	char *slash = strchr(conn, '/');
	if (slash) {
		*slash = '\0';
		child = slash + 1;
	}
	for (size_t i = 0; i < cfg->nconns; i++)
		if (strcmp(cfg->conns[i]->name, conn) == 0)
			cn = cfg->conns[i];
	if (!cn) {
		ctl_reply_error(rep, "no connection named \"%s\" is loaded", conn);
		return;
	}
	if (child && !conn_child_find(cn, child)) {
		ctl_reply_error(rep, "connection \"%s\" has no child named \"%s\"", conn, child);
		return;
	}
	r = ike_engine_initiate(c->eng, now_ms, conn, child, &id);
	if (r == ERR_EXISTS) {
		ctl_reply_error(rep, "\"%s\" is already up (or being set up)", arg);
		return;
	}
	if (r) {
		ctl_reply_error(rep, "cannot initiate \"%s\": %s", arg,
				r == ERR_INVAL ? "no local or remote address to use" : err_str(r));
		return;
	}
	track(c, id, child != NULL || cn->nchildren > 0, child);
	ctl_reply_printf(rep, rep->json ? "{\"initiated\":%u}\n" : "initiated %u\n", id);
}

static void cmd_status(struct ike_ctl *c, const char *arg, struct ctl_reply *rep)
{
	char *end;
	unsigned long id = strtoul(arg, &end, 10);
	struct ike_ctl_outcome *o = *end ? NULL : find(c, (uint32_t)id);
	static const char *const names[] = {"connecting", "established", "failed"};

	if (!o) {
		ctl_reply_error(rep, "no negotiation with id \"%s\" is known", arg);
		return;
	}
	if (rep->json) {
		ctl_reply_printf(rep, "{\"id\":%u,\"state\":\"%s\",\"message\":", o->id,
				 names[o->state]);
		ctl_reply_json_str(rep, o->msg);
		ctl_reply_printf(rep, "}\n");
	} else {
		ctl_reply_printf(rep, "%s: %s\n", names[o->state], o->msg);
	}
}

static void cmd_down(struct ike_ctl *c, uint64_t now_ms, const char *arg, struct ctl_reply *rep)
{
	static struct ike_sa_info sas[LIST_MAX];
	size_t n, total, done = 0;
	char *end;
	unsigned long id = strtoul(arg, &end, 10);

	ike_engine_list(c->eng, sas, LIST_MAX, &n, &total);
	for (size_t i = 0; i < n; i++) {
		if (*end == '\0' ? sas[i].id != id : strcmp(sas[i].conn, arg) != 0)
			continue;
		if (ike_engine_terminate(c->eng, now_ms, sas[i].id) == 0)
			done++;
	}
	if (!done) {
		ctl_reply_error(rep, "no IKE SA of \"%s\" to close", arg);
		return;
	}
	ctl_reply_printf(rep, rep->json ? "{\"closed\":%zu}\n" : "closed %zu IKE SA%s\n", done,
			 done == 1 ? "" : "s");
}

/* rekey CONN|ID: rekeys the IKE SAs of CONN (or the one with unique id ID); rekey CONN/CHILD:
 * the installed Child SAs named CHILD of CONN's IKE SAs. */
static void cmd_rekey(struct ike_ctl *c, uint64_t now_ms, const char *arg, struct ctl_reply *rep)
{
	static struct ike_sa_info sas[LIST_MAX];
	const char *slash = strchr(arg, '/');
	size_t n, total, done = 0, clen = slash ? (size_t)(slash - arg) : strlen(arg);
	char *end;
	unsigned long id = strtoul(arg, &end, 10);
	int last = 0;

	ike_engine_list(c->eng, sas, LIST_MAX, &n, &total);
	for (size_t i = 0; i < n; i++) {
		if (slash || *end != '\0'
			? strlen(sas[i].conn) != clen || strncmp(sas[i].conn, arg, clen) != 0
			: sas[i].id != id)
			continue;
		if (strcmp(sas[i].state, "ESTABLISHED") != 0)
			continue;
		if (!slash) {
			last = ike_engine_rekey_ike(c->eng, now_ms, sas[i].id);
			done += last == 0;
			continue;
		}
		for (size_t k = 0; k < sas[i].nchildren; k++) {
			if (strcmp(sas[i].children[k].name, slash + 1) != 0 ||
			    strcmp(sas[i].children[k].state, "INSTALLED") != 0)
				continue;
			last = ike_engine_rekey_child(c->eng, now_ms, sas[i].children[k].child_id);
			done += last == 0;
		}
	}
	if (!done) {
		if (last)
			ctl_reply_error(rep,
					"rekeying \"%s\" not started: another exchange is in "
					"flight, try again",
					arg);
		else
			ctl_reply_error(rep, "no established SA of \"%s\" to rekey", arg);
		return;
	}
	ctl_reply_printf(rep, rep->json ? "{\"rekeying\":%zu}\n" : "rekeying %zu %s SA%s\n", done,
			 slash ? "Child" : "IKE", done == 1 ? "" : "s");
}

static const char *mode_name(enum conn_mode m)
{
	return m == CONN_MODE_TUNNEL ? "TUNNEL" : "TRANSPORT";
}

static void hex8(char *out, const uint8_t *spi)
{
	for (int i = 0; i < 8; i++)
		sprintf(out + 2 * i, "%02x", spi[i]);
}

static void ts_json(struct ctl_reply *rep, const char *key, const struct ts_list *l)
{
	char buf[TS_STRLEN];

	ctl_reply_printf(rep, ",\"%s\":[", key);
	for (size_t i = 0; i < l->n; i++) {
		ctl_reply_printf(rep, "%s", i ? "," : "");
		ctl_reply_json_str(rep, ts_format(&l->ts[i], buf, sizeof(buf)));
	}
	ctl_reply_printf(rep, "]");
}

static void ts_text(struct ctl_reply *rep, const struct ts_list *l)
{
	char buf[TS_STRLEN];

	for (size_t i = 0; i < l->n; i++)
		ctl_reply_printf(rep, "%s%s", i ? ", " : "",
				 ts_format(&l->ts[i], buf, sizeof(buf)));
}

/* "name":"value" pairs; the first one without a leading comma. */
static void kv(struct ctl_reply *rep, bool first, const char *k, const char *v)
{
	ctl_reply_printf(rep, "%s\"%s\":", first ? "" : ",", k);
	ctl_reply_json_str(rep, v);
}

static void kvu(struct ctl_reply *rep, const char *k, unsigned long long v)
{
	ctl_reply_printf(rep, ",\"%s\":\"%llu\"", k, v);
}

static int traffic(const struct ike_ctl *c, const struct ike_sa_info *s,
		   const struct ike_child_info *ch, bool in, struct ike_ctl_traffic *t)
{
	memset(t, 0, sizeof(*t));
	return c->traffic ? c->traffic(c->traffic_ctx, s, ch, in, t) : ERR_NOTFOUND;
}

/* vici: bytes-in, packets-in, use-in (seconds since the last packet, only once used). */
static void traffic_json(const struct ike_ctl *c, struct ctl_reply *rep,
			 const struct ike_sa_info *s, const struct ike_child_info *ch)
{
	static const char *const dirs[2] = {"out", "in"};
	struct ike_ctl_traffic t;

	for (int in = 1; in >= 0; in--) {
		char k[16];
		if (traffic(c, s, ch, in, &t))
			continue;
		snprintf(k, sizeof(k), "bytes-%s", dirs[in]);
		kvu(rep, k, t.bytes);
		snprintf(k, sizeof(k), "packets-%s", dirs[in]);
		kvu(rep, k, t.packets);
		if (t.used) {
			snprintf(k, sizeof(k), "use-%s", dirs[in]);
			kvu(rep, k, t.idle_s);
		}
	}
}

/* Seconds from now until at (0 when past); at 0 means none. */
static unsigned long long secs_until(uint64_t at, uint64_t now_ms)
{
	return at > now_ms ? (at - now_ms) / 1000 : 0;
}

static void child_json(const struct ike_ctl *c, struct ctl_reply *rep, const struct ike_sa_info *s,
		       const struct ike_child_info *ch, bool first, uint64_t now_ms)
{
	char spi[16];

	ctl_reply_printf(rep, "%s\"%s-%u\":{", first ? "" : ",", ch->name, ch->child_id);
	kv(rep, true, "name", ch->name);
	kvu(rep, "uniqueid", ch->child_id);
	kvu(rep, "reqid", ch->reqid);
	kv(rep, false, "state", ch->state);
	kv(rep, false, "mode", mode_name(ch->mode));
	kv(rep, false, "protocol", ch->proto == IKEV2_PROTO_AH ? "AH" : "ESP");
	kv(rep, false, "encap", ch->encap ? "yes" : "no");
	snprintf(spi, sizeof(spi), "%08x", ch->spi_in);
	kv(rep, false, "spi-in", spi);
	snprintf(spi, sizeof(spi), "%08x", ch->spi_out);
	kv(rep, false, "spi-out", spi);
	if (ch->encr_alg) {
		kv(rep, false, "encr-alg", iana_name(IANA_REG_IKEV2_ENCR, ch->encr_alg));
		if (ch->encr_keysize)
			kvu(rep, "encr-keysize", ch->encr_keysize);
	}
	if (ch->integ_alg)
		kv(rep, false, "integ-alg", iana_name(IANA_REG_IKEV2_INTEG, ch->integ_alg));
	kv(rep, false, "esn", ch->esn ? "1" : "0");
	traffic_json(c, rep, s, ch);
	/* vici: install-time (seconds since), rekey-time and life-time (seconds until) */
	if (ch->installed_ms && now_ms >= ch->installed_ms)
		kvu(rep, "install-time", (now_ms - ch->installed_ms) / 1000);
	if (ch->rekey_at_ms)
		kvu(rep, "rekey-time", secs_until(ch->rekey_at_ms, now_ms));
	if (ch->expire_at_ms)
		kvu(rep, "life-time", secs_until(ch->expire_at_ms, now_ms));
	ts_json(rep, "local-ts", &ch->local_ts);
	ts_json(rep, "remote-ts", &ch->remote_ts);
	ctl_reply_printf(rep, "}");
}

static void sa_json(const struct ike_ctl *c, struct ctl_reply *rep, const struct ike_sa_info *s,
		    uint64_t now_ms)
{
	char a[ADDR_STRLEN], spi[17];

	ctl_reply_json_str(rep, s->conn);
	ctl_reply_printf(rep, ":{\"uniqueid\":\"%u\"", s->id);
	kv(rep, false, "version", "2");
	kv(rep, false, "state", s->state);
	kv(rep, false, "local-host", addr_str(&s->path.local, a, sizeof(a)));
	kvu(rep, "local-port", s->path.local_port);
	kv(rep, false, "local-id", s->local_id);
	kv(rep, false, "remote-host", addr_str(&s->path.remote, a, sizeof(a)));
	kvu(rep, "remote-port", s->path.remote_port);
	kv(rep, false, "remote-id", s->remote_id);
	kv(rep, false, "initiator", s->initiator ? "yes" : "no");
	hex8(spi, s->spi_i);
	kv(rep, false, "initiator-spi", spi);
	hex8(spi, s->spi_r);
	kv(rep, false, "responder-spi", spi);
	if (s->nat_local)
		kv(rep, false, "nat-local", "yes");
	if (s->nat_remote)
		kv(rep, false, "nat-remote", "yes");
	if (s->nat_fake)
		kv(rep, false, "nat-fake", "yes");
	if (s->nat_local || s->nat_remote || s->nat_fake)
		kv(rep, false, "nat-any", "yes");
	if (s->mobike) { /* RFC 4555 negotiated (not a vici key) */
		kv(rep, false, "mobike", "yes");
		kvu(rep, "mobike-updates", s->mobike_updates);
	}
	if (s->encr_alg) {
		kv(rep, false, "encr-alg", iana_name(IANA_REG_IKEV2_ENCR, s->encr_alg));
		if (s->encr_keysize)
			kvu(rep, "encr-keysize", s->encr_keysize);
	}
	if (s->integ_alg)
		kv(rep, false, "integ-alg", iana_name(IANA_REG_IKEV2_INTEG, s->integ_alg));
	if (s->prf_alg)
		kv(rep, false, "prf-alg", iana_name(IANA_REG_IKEV2_PRF, s->prf_alg));
	if (s->dh_group)
		kv(rep, false, "dh-group", iana_name(IANA_REG_IKEV2_KE, s->dh_group));
	if (s->established_ms)
		kvu(rep, "established", (now_ms - s->established_ms) / 1000);
	if (s->rekey_at_ms)
		kvu(rep, "rekey-time", secs_until(s->rekey_at_ms, now_ms));
	if (s->reauth_at_ms)
		kvu(rep, "reauth-time", secs_until(s->reauth_at_ms, now_ms));
	ctl_reply_printf(rep, ",\"child-sas\":{");
	for (size_t j = 0; j < s->nchildren; j++)
		child_json(c, rep, s, &s->children[j], j == 0, now_ms);
	ctl_reply_printf(rep, "}}");
}

/* "AES_GCM_16_128", "AES_CBC_256/HMAC_SHA2_256_128", "CHACHA20_POLY1305" (strongSwan's
 * form: the key size only when the algorithm has one, the integrity only when negotiated). */
static const char *alg_text(char *buf, size_t len, unsigned encr, unsigned keysize, unsigned integ)
{
	char ks[16] = "";

	if (keysize)
		snprintf(ks, sizeof(ks), "_%u", keysize);
	snprintf(buf, len, "%s%s%s%s", iana_name(IANA_REG_IKEV2_ENCR, encr), ks, integ ? "/" : "",
		 integ ? iana_name(IANA_REG_IKEV2_INTEG, integ) : "");
	return buf;
}

/* "    in  c5ec9876,    252 bytes,     3 packets,     1s ago" as strongSwan prints it. */
static void traffic_text(const struct ike_ctl *c, struct ctl_reply *rep,
			 const struct ike_sa_info *s, const struct ike_child_info *ch, bool in)
{
	struct ike_ctl_traffic t;

	ctl_reply_printf(rep, "    %s %08x", in ? "in " : "out", in ? ch->spi_in : ch->spi_out);
	if (traffic(c, s, ch, in, &t) == 0) {
		ctl_reply_printf(rep, ", %6llu bytes, %5llu packets", (unsigned long long)t.bytes,
				 (unsigned long long)t.packets);
		if (t.used)
			ctl_reply_printf(rep, ", %5llus ago", (unsigned long long)t.idle_s);
	}
	ctl_reply_printf(rep, "\n");
}

static void sa_text(const struct ike_ctl *c, struct ctl_reply *rep, const struct ike_sa_info *s,
		    uint64_t now_ms)
{
	char l[ADDR_STRLEN], r[ADDR_STRLEN], si[17], sr[17], alg[128];

	hex8(si, s->spi_i);
	hex8(sr, s->spi_r);
	ctl_reply_printf(rep, "%s: #%u, %s, IKEv2, %s_i%s %s_r%s\n", s->conn, s->id, s->state, si,
			 s->initiator ? "*" : "", sr, s->initiator ? "" : "*");
	ctl_reply_printf(rep, "  local  '%s' @ %s[%u]%s\n", s->local_id,
			 addr_str(&s->path.local, l, sizeof(l)), s->path.local_port,
			 s->nat_local  ? " (behind NAT)"
			 : s->nat_fake ? " (faking NAT)"
				       : "");
	ctl_reply_printf(rep, "  remote '%s' @ %s[%u]%s\n", s->remote_id,
			 addr_str(&s->path.remote, r, sizeof(r)), s->path.remote_port,
			 s->nat_remote ? " (behind NAT)" : "");
	if (s->encr_alg)
		ctl_reply_printf(
		    rep, "  %s/%s/%s\n",
		    alg_text(alg, sizeof(alg), s->encr_alg, s->encr_keysize, s->integ_alg),
		    iana_name(IANA_REG_IKEV2_PRF, s->prf_alg),
		    iana_name(IANA_REG_IKEV2_KE, s->dh_group));
	if (s->established_ms) {
		ctl_reply_printf(rep, "  established %llus ago",
				 (unsigned long long)((now_ms - s->established_ms) / 1000));
		if (s->rekey_at_ms)
			ctl_reply_printf(rep, ", rekeying in %llus",
					 secs_until(s->rekey_at_ms, now_ms));
		if (s->reauth_at_ms)
			ctl_reply_printf(rep, ", reauth in %llus",
					 secs_until(s->reauth_at_ms, now_ms));
		ctl_reply_printf(rep, "\n");
	}
	if (s->mobike)
		ctl_reply_printf(rep, "  MOBIKE, %u address update%s\n", s->mobike_updates,
				 s->mobike_updates == 1 ? "" : "s");
	for (size_t j = 0; j < s->nchildren; j++) {
		const struct ike_child_info *ch = &s->children[j];
		ctl_reply_printf(rep, "  %s: #%u, reqid %u, %s, %s, %s%s:\n", ch->name,
				 ch->child_id, ch->reqid, ch->state, mode_name(ch->mode),
				 ch->proto == IKEV2_PROTO_AH ? "AH" : "ESP",
				 ch->encap ? " in UDP" : "");
		if (ch->encr_alg)
			ctl_reply_printf(rep, "    %s\n",
					 alg_text(alg, sizeof(alg), ch->encr_alg, ch->encr_keysize,
						  ch->integ_alg));
		if (ch->installed_ms && now_ms >= ch->installed_ms) {
			/* strongSwan: "installed 5s ago, rekeying in 3309s, expires in 3955s" */
			ctl_reply_printf(rep, "    installed %llus ago",
					 (unsigned long long)(now_ms - ch->installed_ms) / 1000);
			if (ch->rekey_at_ms)
				ctl_reply_printf(rep, ", rekeying in %llus",
						 secs_until(ch->rekey_at_ms, now_ms));
			if (ch->expire_at_ms)
				ctl_reply_printf(rep, ", expires in %llus",
						 secs_until(ch->expire_at_ms, now_ms));
			ctl_reply_printf(rep, "\n");
		}
		traffic_text(c, rep, s, ch, true);
		traffic_text(c, rep, s, ch, false);
		ctl_reply_printf(rep, "    local  ");
		ts_text(rep, &ch->local_ts);
		ctl_reply_printf(rep, "\n    remote ");
		ts_text(rep, &ch->remote_ts);
		ctl_reply_printf(rep, "\n");
	}
}

static void cmd_list_sas(struct ike_ctl *c, uint64_t now_ms, struct ctl_reply *rep)
{
	static struct ike_sa_info sas[LIST_MAX];
	size_t n, total;

	ike_engine_list(c->eng, sas, LIST_MAX, &n, &total);
	if (rep->json)
		ctl_reply_printf(rep, "[");
	for (size_t i = 0; i < n; i++) {
		if (rep->json) {
			ctl_reply_printf(rep, "%s{", i ? "," : "");
			sa_json(c, rep, &sas[i], now_ms);
			ctl_reply_printf(rep, "}");
		} else {
			sa_text(c, rep, &sas[i], now_ms);
		}
	}
	if (rep->json)
		ctl_reply_printf(rep, "]\n");
	else if (total > n)
		ctl_reply_printf(rep, "(%zu more IKE SAs not shown)\n", total - n);
	else if (n == 0)
		ctl_reply_printf(rep, "no IKE SAs\n");
}

static void cmd_list_conns(const struct swanctl_config *cfg, struct ctl_reply *rep)
{
	char a[ADDR_STRLEN], buf[256];

	if (rep->json)
		ctl_reply_printf(rep, "[");
	for (size_t i = 0; i < cfg->nconns; i++) {
		const struct conn *c = cfg->conns[i];
		if (rep->json) {
			ctl_reply_printf(rep, "%s{", i ? "," : "");
			ctl_reply_json_str(rep, c->name);
			ctl_reply_printf(rep, ":{");
			kv(rep, true, "version",
			   c->version == CONN_VERSION_ANY ? "IKEv1/2" : "IKEv2");
			ctl_reply_printf(rep, ",\"remote_addrs\":[");
			for (size_t j = 0; j < c->nremote_addrs; j++) {
				ctl_reply_printf(rep, "%s", j ? "," : "");
				ctl_reply_json_str(rep,
						   addr_str(&c->remote_addrs[j], a, sizeof(a)));
			}
			ctl_reply_printf(rep, "],\"children\":{");
			for (size_t j = 0; j < c->nchildren; j++) {
				const struct conn_child *ch = c->children[j];
				ctl_reply_printf(rep, "%s", j ? "," : "");
				ctl_reply_json_str(rep, ch->name);
				ctl_reply_printf(rep, ":{");
				kv(rep, true, "mode", mode_name(ch->mode));
				ts_json(rep, "local-ts", &ch->local_ts);
				ts_json(rep, "remote-ts", &ch->remote_ts);
				ctl_reply_printf(rep, "}");
			}
			ctl_reply_printf(rep, "}}}");
			continue;
		}
		ctl_reply_printf(rep, "%s: IKEv2, remote ", c->name);
		if (!c->nremote_addrs)
			ctl_reply_printf(rep, "%%any");
		for (size_t j = 0; j < c->nremote_addrs; j++)
			ctl_reply_printf(rep, "%s%s", j ? "," : "",
					 addr_str(&c->remote_addrs[j], a, sizeof(a)));
		ctl_reply_printf(rep, "\n");
		for (size_t k = 0; k < c->nlocal_auth; k++)
			ctl_reply_printf(rep, "  local:  %s authentication, id %s\n",
					 c->local_auth[k].method == CONN_AUTH_PSK ? "pre-shared key"
										  : "public key",
					 conn_id_str(&c->local_auth[k].id, buf, sizeof(buf)));
		for (size_t k = 0; k < c->nremote_auth; k++)
			ctl_reply_printf(rep, "  remote: %s authentication, id %s\n",
					 c->remote_auth[k].method == CONN_AUTH_PSK
					     ? "pre-shared key"
					     : "public key",
					 conn_id_str(&c->remote_auth[k].id, buf, sizeof(buf)));
		for (size_t j = 0; j < c->nchildren; j++) {
			const struct conn_child *ch = c->children[j];
			ctl_reply_printf(rep, "  %s: %s\n    local:  ", ch->name,
					 mode_name(ch->mode));
			ts_text(rep, &ch->local_ts);
			ctl_reply_printf(rep, "\n    remote: ");
			ts_text(rep, &ch->remote_ts);
			ctl_reply_printf(rep, "\n");
		}
	}
	if (rep->json)
		ctl_reply_printf(rep, "]\n");
}

void ike_ctl_stats(struct ike_ctl *c, struct ctl_reply *rep)
{
	static const char *const exch[4] = {"IKE_SA_INIT", "IKE_AUTH", "CREATE_CHILD_SA",
					    "INFORMATIONAL"};
	static const char *const drops[6] = {"malformed", "no-sa", "message-id",
					     "auth",	  "state", "limit"};
	struct ike_stats s;
	uint64_t dv[6];

	ike_engine_stats(c->eng, &s);
	dv[0] = s.drop_malformed;
	dv[1] = s.drop_no_sa;
	dv[2] = s.drop_msgid;
	dv[3] = s.drop_auth;
	dv[4] = s.drop_state;
	dv[5] = s.drop_limit;
	if (rep->json) {
		ctl_reply_printf(rep,
				 "\"ike\":{\"sas\":%llu,\"established\":%llu,\"half-open\":%llu,"
				 "\"established-total\":%llu,\"rx\":%llu,\"tx\":%llu,"
				 "\"retransmits\":%llu,\"keepalives\":%llu,\"exchanges\":{",
				 (unsigned long long)s.sas, (unsigned long long)s.established,
				 (unsigned long long)s.half_open,
				 (unsigned long long)s.ike_established, (unsigned long long)s.rx,
				 (unsigned long long)s.tx, (unsigned long long)s.retransmits,
				 (unsigned long long)s.keepalives);
		for (int i = 0; i < 4; i++)
			ctl_reply_printf(rep, "%s\"%s\":{\"initiated\":%llu,\"responded\":%llu}",
					 i ? "," : "", exch[i],
					 (unsigned long long)s.exchanges[i][0],
					 (unsigned long long)s.exchanges[i][1]);
		ctl_reply_printf(rep, "},\"drops\":{");
		for (size_t i = 0; i < 6; i++)
			ctl_reply_printf(rep, "%s\"%s\":%llu", i ? "," : "", drops[i],
					 (unsigned long long)dv[i]);
		ctl_reply_printf(rep, "}},");
		return;
	}
	ctl_reply_printf(rep,
			 "ike: %llu IKE SA%s (%llu established, %llu half-open), %llu established "
			 "since start\n",
			 (unsigned long long)s.sas, s.sas == 1 ? "" : "s",
			 (unsigned long long)s.established, (unsigned long long)s.half_open,
			 (unsigned long long)s.ike_established);
	ctl_reply_printf(rep, "  %-24s %llu\n  %-24s %llu\n  %-24s %llu\n  %-24s %llu\n",
			 "messages-rx", (unsigned long long)s.rx, "messages-tx",
			 (unsigned long long)s.tx, "retransmits", (unsigned long long)s.retransmits,
			 "nat-keepalives", (unsigned long long)s.keepalives);
	ctl_reply_printf(rep, "  exchanges %14s %10s %10s\n", "", "initiated", "responded");
	for (int i = 0; i < 4; i++)
		ctl_reply_printf(rep, "    %-22s %10llu %10llu\n", exch[i],
				 (unsigned long long)s.exchanges[i][0],
				 (unsigned long long)s.exchanges[i][1]);
	ctl_reply_printf(rep, "  drops:");
	for (size_t i = 0; i < 6; i++)
		ctl_reply_printf(rep, " %s %llu%s", drops[i], (unsigned long long)dv[i],
				 i < 5 ? "," : "\n");
}

bool ike_ctl_handle(struct ike_ctl *c, const struct swanctl_config *cfg, uint64_t now_ms,
		    const struct ctlmsg_request *req, struct ctl_reply *rep)
{
	const char *cmd = req->argc ? req->argv[0] : "";

	if (strcmp(cmd, "up") == 0 && req->argc == 2)
		cmd_up(c, cfg, now_ms, req->argv[1], rep);
	else if (strcmp(cmd, "status") == 0 && req->argc == 2)
		cmd_status(c, req->argv[1], rep);
	else if (strcmp(cmd, "down") == 0 && req->argc == 2)
		cmd_down(c, now_ms, req->argv[1], rep);
	else if (strcmp(cmd, "rekey") == 0 && req->argc == 2)
		cmd_rekey(c, now_ms, req->argv[1], rep);
	else if (strcmp(cmd, "list-sas") == 0 && req->argc == 1)
		cmd_list_sas(c, now_ms, rep);
	else if (strcmp(cmd, "list-conns") == 0 && req->argc == 1)
		cmd_list_conns(cfg, rep);
	else if (!strcmp(cmd, "up") || !strcmp(cmd, "status") || !strcmp(cmd, "down") ||
		 !strcmp(cmd, "rekey") || !strcmp(cmd, "list-sas") || !strcmp(cmd, "list-conns"))
		ctl_reply_error(rep,
				"usage: up CONN[/CHILD] | down CONN|ID | rekey CONN[/CHILD]|ID | "
				"status ID | list-sas | list-conns");
	else
		return false;
	return true;
}
