#include "wire/isakmp_const.h"

#include "wire/iana.h"

/* Name tables derived from the registries in isakmp_const.h: one switch per registry. */

#define CASE3(name, val, str)                                                                      \
	case (val):                                                                                \
		return str;
#define CASE4(name, val, str, cl)                                                                  \
	case (val):                                                                                \
		return str;
#define KNOWN3(name, val, str)                                                                     \
	case (val):                                                                                \
		return true;
#define CLASS4(name, val, str, cl)                                                                 \
	case (val):                                                                                \
		return ISAKMP_ATTR_CLASS_##cl;

#define CLASS2(name, cl)                                                                           \
	case (name):                                                                               \
		return ISAKMP_ATTR_CLASS_##cl;
#define CLASS_FN2(fn, LIST)                                                                        \
	enum isakmp_attr_class fn(unsigned type)                                                   \
	{                                                                                          \
		switch (type) {                                                                    \
			LIST(CLASS2)                                                               \
		default:                                                                           \
			return ISAKMP_ATTR_CLASS_UNKNOWN;                                          \
		}                                                                                  \
	}

#define NAME_FN3(fn, LIST)                                                                         \
	const char *fn(unsigned v)                                                                 \
	{                                                                                          \
		switch (v) {                                                                       \
			LIST(CASE3)                                                                \
		default:                                                                           \
			return "UNKNOWN";                                                          \
		}                                                                                  \
	}
#define NAME_FN4(fn, LIST)                                                                         \
	const char *fn(unsigned v)                                                                 \
	{                                                                                          \
		switch (v) {                                                                       \
			LIST(CASE4)                                                                \
		default:                                                                           \
			return "UNKNOWN";                                                          \
		}                                                                                  \
	}
#define KNOWN_FN(fn, LIST)                                                                         \
	bool fn(unsigned v)                                                                        \
	{                                                                                          \
		switch (v) {                                                                       \
			LIST(KNOWN3)                                                               \
		default:                                                                           \
			return false;                                                              \
		}                                                                                  \
	}
#define CLASS_FN(fn, LIST)                                                                         \
	enum isakmp_attr_class fn(unsigned type)                                                   \
	{                                                                                          \
		switch (type) {                                                                    \
			LIST(CLASS4)                                                               \
		default:                                                                           \
			return ISAKMP_ATTR_CLASS_UNKNOWN;                                          \
		}                                                                                  \
	}

NAME_FN3(isakmp_exch_name, ISAKMP_EXCH_LIST)
NAME_FN3(isakmp_payload_name, ISAKMP_PAYLOAD_LIST)
NAME_FN3(isakmp_notify_name, ISAKMP_NOTIFY_LIST)
NAME_FN3(isakmp_doi_name, ISAKMP_DOI_LIST)
NAME_FN3(isakmp_sit_name, ISAKMP_SIT_LIST)
NAME_FN3(isakmp_id_name, ISAKMP_ID_LIST)
NAME_FN3(isakmp_cert_name, ISAKMP_CERT_LIST)
NAME_FN3(isakmp_cfg_name, ISAKMP_CFG_LIST)
NAME_FN4(isakmp_cfg_attr_name, ISAKMP_CFG_ATTR_LIST)

KNOWN_FN(isakmp_exch_known, ISAKMP_EXCH_LIST)
KNOWN_FN(isakmp_payload_listed, ISAKMP_PAYLOAD_LIST)
KNOWN_FN(isakmp_notify_known, ISAKMP_NOTIFY_LIST)

CLASS_FN2(isakmp_p1_attr_class, ISAKMP_P1_ATTR_CLASS_LIST)
CLASS_FN2(isakmp_p2_attr_class, ISAKMP_P2_ATTR_CLASS_LIST)
CLASS_FN(isakmp_cfg_attr_class, ISAKMP_CFG_ATTR_LIST)
