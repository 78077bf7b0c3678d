#include "daemon/xfrm_args.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "daemon/xfrm_cur.h"
#include "daemon/xfrm_policy_args.h"
#include "daemon/xfrm_state_args.h"
#include "lib/err.h"

int xfrm_args_parse(int argc, const char *const *argv, struct xfrm_cmd *cmd, char *err,
		    size_t err_size)
{
	struct xfrm_cur c = {argc, argv, 0, err, err_size};
	struct xfrm_cmd tmp;
	const char *obj, *verb;
	int r;

	memset(&tmp, 0, sizeof(tmp));
	if (err && err_size)
		err[0] = '\0';
	if (argc > XFRM_ARGS_MAX) {
		r = xfrm_cur_fail(&c, "too many arguments (at most %d)", XFRM_ARGS_MAX);
		goto out;
	}
	obj = xfrm_cur_next(&c);
	if (!obj) {
		r = xfrm_cur_fail(&c, "expected \"state\" or \"policy\"");
		goto out;
	}
	if (strcmp(obj, "state") != 0 && strcmp(obj, "policy") != 0) {
		r = xfrm_cur_fail(&c, "unknown object \"%s\": expected \"state\" or \"policy\"",
				  obj);
		goto out;
	}
	int is_state = obj[0] == 's';
	verb = xfrm_cur_next(&c);
	if (!verb) {
		r = xfrm_cur_fail(&c, "expected add, del, list or flush after \"%s\"", obj);
		goto out;
	}
	if (strcmp(verb, "add") == 0) {
		tmp.op = is_state ? XFRM_STATE_ADD : XFRM_POLICY_ADD;
		r = is_state ? xfrm_state_args(&c, &tmp.state, 1)
			     : xfrm_policy_args(&c, &tmp.policy, 1);
	} else if (strcmp(verb, "del") == 0 || strcmp(verb, "delete") == 0) {
		tmp.op = is_state ? XFRM_STATE_DEL : XFRM_POLICY_DEL;
		r = is_state ? xfrm_state_args(&c, &tmp.state, 0)
			     : xfrm_policy_args(&c, &tmp.policy, 0);
	} else if (strcmp(verb, "list") == 0 || strcmp(verb, "show") == 0) {
		tmp.op = is_state ? XFRM_STATE_LIST : XFRM_POLICY_LIST;
		r = xfrm_cur_no_more(&c, verb);
	} else if (strcmp(verb, "flush") == 0) {
		tmp.op = is_state ? XFRM_STATE_FLUSH : XFRM_POLICY_FLUSH;
		r = xfrm_cur_no_more(&c, verb);
	} else {
		r = xfrm_cur_fail(&c, "unknown %s command \"%s\": expected add, del, list or flush",
				  obj, verb);
	}
out:
	if (r) {
		xfrm_cmd_cleanup(&tmp);
		return r;
	}
	*cmd = tmp;
	return 0;
}

void xfrm_state_spec_cleanup(struct xfrm_state_spec *s)
{
	secret_free(s->aead.key);
	secret_free(s->enc.key);
	secret_free(s->auth.key);
	s->aead.key = s->enc.key = s->auth.key = NULL;
}

void xfrm_cmd_cleanup(struct xfrm_cmd *cmd)
{
	if (!cmd)
		return;
	xfrm_state_spec_cleanup(&cmd->state);
	memset(cmd, 0, sizeof(*cmd));
}

void xfrm_state_spec_move(struct xfrm_state_spec *dst, struct xfrm_state_spec *src)
{
	*dst = *src;
	src->aead.key = src->enc.key = src->auth.key = NULL;
}

int xfrm_args_split(char *line, const char **words, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		if (n == max)
			return ERR_LIMIT;
		words[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

void xfrm_addr_str(const struct addr *a, char *out, size_t out_size)
{
	if (!a->family || !inet_ntop(a->family, a->bytes, out, (socklen_t)out_size))
		snprintf(out, out_size, "?");
}

void xfrm_prefix_str(const struct prefix *p, char *out, size_t out_size)
{
	char a[INET6_ADDRSTRLEN];

	xfrm_addr_str(&p->addr, a, sizeof(a));
	snprintf(out, out_size, "%s/%u", a, p->len);
}

const char *xfrm_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_ESP:
		return "esp";
	case IPPROTO_AH:
		return "ah";
	case IPPROTO_TCP:
		return "tcp";
	case IPPROTO_UDP:
		return "udp";
	case IPPROTO_ICMP:
		return "icmp";
	case IPPROTO_ICMPV6:
		return "ipv6-icmp";
	case IPPROTO_SCTP:
		return "sctp";
	case IPPROTO_GRE:
		return "gre";
	}
	return NULL;
}
