#include "daemon/ctl_cmds.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <string.h>

#include "daemon/version.h"
#include "lib/err.h"
#include "lib/log.h"

int ctl_cmds_addr_is_local(const struct addr *a)
{
	struct ifaddrs *ifa = NULL;
	int found = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
			continue;
		if (a->family == AF_INET)
			found = memcmp(&((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr,
				       a->bytes, 4) == 0;
		else
			found = memcmp(&((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr,
				       a->bytes, 16) == 0;
	}
	freeifaddrs(ifa);
	return found;
}

static void state_add(struct ctl_cmds *c, struct xfrm_state_spec *s, struct ctl_reply *rep)
{
	int (*is_local)(const struct addr *) = c->is_local ? c->is_local : ctl_cmds_addr_is_local;
	char a[64], b[64];
	uint8_t dir;
	size_t idx;
	int r;

	xfrm_addr_str(&s->src, a, sizeof(a));
	xfrm_addr_str(&s->dst, b, sizeof(b));
	if (is_local(&s->src))
		dir = XFRM_DIR_OUT;
	else if (is_local(&s->dst))
		dir = XFRM_DIR_IN;
	else {
		ctl_reply_error(rep, "neither src %s nor dst %s is an address of this host", a, b);
		return;
	}
	r = xfrm_db_state_add(c->db, s, dir, &idx);
	if (r == ERR_EXISTS) {
		ctl_reply_error(rep, "state dst %s proto %s spi 0x%08x already exists", b,
				xfrm_proto_name(s->proto), s->spi);
		return;
	}
	if (r) {
		ctl_reply_error(rep, "cannot add state: %s", err_str(r));
		return;
	}
	if (c->ops && (r = c->ops->state_add(c->dp, &c->db->states[idx]))) {
		ctl_reply_error(rep, "data plane refused the state: %s", err_str(r));
		xfrm_db_state_remove(c->db, idx);
		return;
	}
	log_info(LOG_DAEMON, "state added: %s -> %s %s spi 0x%08x (%s)", a, b,
		 xfrm_proto_name(c->db->states[idx].spec.proto), c->db->states[idx].spec.spi,
		 dir == XFRM_DIR_OUT ? "out" : "in");
}

static void state_del(struct ctl_cmds *c, const struct xfrm_state_spec *s, struct ctl_reply *rep)
{
	long i = xfrm_db_state_find(c->db, &s->dst, s->proto, s->spi);
	char b[64];

	if (i < 0 || !addr_equal(&c->db->states[i].spec.src, &s->src)) {
		xfrm_addr_str(&s->dst, b, sizeof(b));
		ctl_reply_error(rep, "no state dst %s proto %s spi 0x%08x", b,
				xfrm_proto_name(s->proto), s->spi);
		return;
	}
	if (c->ops)
		c->ops->state_del(c->dp, &c->db->states[i]);
	xfrm_db_state_remove(c->db, (size_t)i);
}

static void state_flush(struct ctl_cmds *c)
{
	while (c->db->n_states) {
		size_t i = c->db->n_states - 1;
		if (c->ops)
			c->ops->state_del(c->dp, &c->db->states[i]);
		xfrm_db_state_remove(c->db, i);
	}
}

static void policies_changed(struct ctl_cmds *c, struct ctl_reply *rep)
{
	int r;

	if (c->ops && (r = c->ops->policies_sync(c->dp, c->db)))
		ctl_reply_error(rep, "data plane: %s", err_str(r));
}

static void stats_cb(void *ctx, const struct xfrm_db_state *st, struct ctl_reply *rep)
{
	struct ctl_cmds *c = ctx;

	if (c->ops)
		c->ops->state_stats(c->dp, st, rep);
}

void ctl_cmds_xfrm(struct ctl_cmds *c, struct xfrm_cmd *cmd, struct ctl_reply *rep)
{
	long i;

	switch (cmd->op) {
	case XFRM_STATE_ADD:
		state_add(c, &cmd->state, rep);
		if (!rep->status)
			policies_changed(c, rep); /* templates may now resolve to the new SA */
		break;
	case XFRM_STATE_DEL:
		state_del(c, &cmd->state, rep);
		if (!rep->status)
			policies_changed(c, rep);
		break;
	case XFRM_STATE_LIST:
		xfrm_db_state_print(c->db, rep, stats_cb, c);
		break;
	case XFRM_STATE_FLUSH:
		state_flush(c);
		policies_changed(c, rep);
		break;
	case XFRM_POLICY_ADD:
		if (xfrm_db_policy_add(c->db, &cmd->policy) == ERR_EXISTS) {
			ctl_reply_error(rep, "a policy with this selector and dir already exists");
			break;
		}
		policies_changed(c, rep);
		break;
	case XFRM_POLICY_DEL:
		i = xfrm_db_policy_find(c->db, &cmd->policy);
		if (i < 0) {
			ctl_reply_error(rep, "no policy with this selector and dir");
			break;
		}
		xfrm_db_policy_remove(c->db, (size_t)i);
		policies_changed(c, rep);
		break;
	case XFRM_POLICY_LIST:
		xfrm_db_policy_print(c->db, rep);
		break;
	case XFRM_POLICY_FLUSH:
		c->db->n_policies = 0;
		policies_changed(c, rep);
		break;
	}
}

void ctl_cmds_handle(void *ctx, const struct ctlmsg_request *req, struct ctl_reply *rep)
{
	struct ctl_cmds *c = ctx;
	char err[XFRM_ERR_MAX];
	struct xfrm_cmd cmd;

	if (req->argc < 1) {
		ctl_reply_error(rep, "empty command");
		return;
	}
	if (strcmp(req->argv[0], "xfrm") == 0) {
		if (xfrm_args_parse(req->argc - 1, req->argv + 1, &cmd, err, sizeof(err))) {
			ctl_reply_error(rep, "%s", err);
			return;
		}
		ctl_cmds_xfrm(c, &cmd, rep);
		xfrm_cmd_cleanup(&cmd);
	} else if (strcmp(req->argv[0], "stats") == 0 && req->argc == 1) {
		if (c->ops)
			c->ops->stats(c->dp, c->db, rep);
		else
			ctl_reply_error(rep, "the data plane is not running");
	} else if (strcmp(req->argv[0], "version") == 0 && req->argc == 1) {
		if (rep->json)
			ctl_reply_printf(rep, "{\"version\":\"%s\"}\n", RAMPART_VERSION);
		else
			ctl_reply_printf(rep, "rampartd %s\n", RAMPART_VERSION);
	} else {
		ctl_reply_error(rep, "unknown command \"%s\"", req->argv[0]);
	}
}
