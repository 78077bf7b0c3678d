#include "lib/err.h"

const char *err_str(int err)
{
	switch (err) {
	case ERR_OK:
		return "success";
	case ERR_TRUNC:
		return "truncated input";
	case ERR_INVAL:
		return "invalid or inconsistent input";
	case ERR_NOMEM:
		return "out of memory";
	case ERR_NOSPACE:
		return "output buffer too small";
	case ERR_CRYPTO:
		return "cryptographic operation failed";
	case ERR_UNSUPPORTED:
		return "not supported";
	case ERR_AUTH:
		return "authentication failed";
	case ERR_NOTFOUND:
		return "not found";
	case ERR_EXISTS:
		return "already exists";
	case ERR_LIMIT:
		return "limit reached";
	case ERR_REPLAY:
		return "replayed or too old";
	case ERR_BADSTATE:
		return "invalid in current state";
	case ERR_IO:
		return "I/O error";
	case ERR_CRITICAL:
		return "unsupported critical payload";
	}
	return "unknown error";
}
