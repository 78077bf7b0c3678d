/* Error codes shared by every module.
 *
 * Functions return int: 0 on success or one of these negative codes. Protocol outcomes
 * (which notify to answer with) are a separate enum owned by the protocol modules.
 * (ERR_BADSTATE is not ERR_STATE: OpenSSL's types.h owns that name as a typedef.)
 */
#ifndef RAMPART_LIB_ERR_H
#define RAMPART_LIB_ERR_H

enum {
	ERR_OK = 0,
	ERR_TRUNC = -1,       /* input shorter than its structure requires */
	ERR_INVAL = -2,       /* malformed or inconsistent input / argument */
	ERR_NOMEM = -3,       /* allocation failed */
	ERR_NOSPACE = -4,     /* output buffer too small */
	ERR_CRYPTO = -5,      /* libcrypto refused an operation */
	ERR_UNSUPPORTED = -6, /* well-formed but not supported here */
	ERR_AUTH = -7,        /* integrity / authentication check failed */
	ERR_NOTFOUND = -8,    /* no such object */
	ERR_EXISTS = -9,      /* object already present */
	ERR_LIMIT = -10,      /* a named limit was reached */
	ERR_REPLAY = -11,     /* anti-replay rejected a sequence number */
	ERR_BADSTATE = -12,   /* operation not valid in the current state */
	ERR_IO = -13,         /* system call failed (errno logged by the caller) */
	ERR_CRITICAL = -14,   /* unknown payload with the critical bit set */
};

/* A short, static, human-readable description of an error code. */
const char *err_str(int err);

#endif
