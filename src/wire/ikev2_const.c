/* Name tables derived from the X-macro registries in ikev2_const.h. */
#include "wire/ikev2_const.h"

#include <stddef.h>

struct name_entry {
	unsigned val;
	const char *name;
};

static const char *lookup(const struct name_entry *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].val == v)
			return t[i].name;
	}
	return NULL;
}

#define ENTRY(name, val) {(val), #name},
#define NAME_FN(fn, list)                                                                          \
	const char *fn(unsigned v)                                                                 \
	{                                                                                          \
		static const struct name_entry t[] = {list(ENTRY)};                                \
		return lookup(t, sizeof(t) / sizeof(t[0]), v);                                     \
	}

NAME_FN(ikev2_exchange_name, IKEV2_EXCHANGE_LIST)
NAME_FN(ikev2_payload_name, IKEV2_PAYLOAD_LIST)
NAME_FN(ikev2_notify_name, IKEV2_NOTIFY_LIST)
NAME_FN(ikev2_proto_name, IKEV2_PROTO_LIST)
NAME_FN(ikev2_id_name, IKEV2_ID_LIST)
NAME_FN(ikev2_cert_name, IKEV2_CERT_LIST)
NAME_FN(ikev2_auth_name, IKEV2_AUTH_LIST)
NAME_FN(ikev2_ts_name, IKEV2_TS_LIST)
NAME_FN(ikev2_cfg_type_name, IKEV2_CFG_TYPE_LIST)
NAME_FN(ikev2_cfg_attr_name, IKEV2_CFG_ATTR_LIST)
NAME_FN(ikev2_eap_code_name, IKEV2_EAP_CODE_LIST)

const char *ikev2_payload_str(unsigned v)
{
	const char *n = v == IKEV2_PT_NONE ? "NONE" : ikev2_payload_name(v);
	return n ? n : "?";
}

const char *ikev2_exchange_str(unsigned v)
{
	const char *n = ikev2_exchange_name(v);
	return n ? n : "?";
}

const char *ikev2_notify_str(unsigned v)
{
	const char *n = ikev2_notify_name(v);
	return n ? n : "?";
}

int ikev2_notify_is_error(unsigned v)
{
	return v >= 1 && v < IKEV2_NOTIFY_STATUS_MIN;
}
