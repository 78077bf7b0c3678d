/* The state of one swanctl_load run shared by the files that read swanctl.conf sections
 * (cfg/swanctl.c, cfg/swanctl_conn.c, cfg/swanctl_secrets.c): where relative file names
 * resolve, where errors go and how many there were, the configuration being built; and the
 * typed getters that report a bad value as "FILE:LINE: ..." and let loading go on.
 *
 * Every getter leaves *out untouched and returns ERR_INVAL after reporting when the value is
 * malformed; an absent or empty key gives the default.
 */
#ifndef RAMPART_CFG_SWANCTL_CTX_H
#define RAMPART_CFG_SWANCTL_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg/conf.h"
#include "cfg/swanctl.h"

struct x509;

#define SWANCTL_MSG_LEN 768 /* bytes of one error message before FILE:LINE */

/* Load state: where files resolve and where errors go. */
struct swanctl_ctx {
	const char *dir; /* the configuration file's directory, NULL: the current one */
	swanctl_report_fn report;
	void *ctx;
	unsigned errors;
	struct swanctl_config *cfg; /* being built */
};

/* strongSwan options Rampart does not implement, with the value that means "off": a file that
 * sets them to that value means what it says; any other value is an error. */
struct swanctl_unsupported {
	const char *key;
	const char *off;
};

/* A keyword value from a table; 0 or ERR_INVAL after reporting the choices. */
struct swanctl_choice {
	const char *name;
	int value;
};

/* Reports "FILE:LINE: message" for node n (just the message without n) and counts it. */
__attribute__((format(printf, 3, 4))) void
swanctl_bad(struct swanctl_ctx *l, const struct conf_node *n, const char *fmt, ...);
/* Reports a message that already carries FILE:LINE (from the conf_value getters). */
void swanctl_bad_msg(struct swanctl_ctx *l, const char *msg);
/* A conf_check_names callback (ctx is the struct swanctl_ctx). */
void swanctl_report_name(void *ctx, const struct conf_node *node, const char *msg);
/* Reports each key of u set in sec to anything but its "off" value. */
void swanctl_check_unsupported(struct swanctl_ctx *l, const struct conf_node *sec,
			       const struct swanctl_unsupported *u);
/* Reports names in sec that are neither keys (nor u's keys) nor sections; the lists end with
 * NULL, u and sections may be NULL. */
void swanctl_check_names(struct swanctl_ctx *l, const struct conf_node *sec,
			 const char *const *keys, const struct swanctl_unsupported *u,
			 const char *const *sections);
/* The value of key in sec, NULL when absent or empty; *node (may be NULL) gets the key. */
const char *swanctl_value(const struct conf_node *sec, const char *key,
			  const struct conf_node **node);
/* A time in seconds (s/m/h/d suffixes) that fits 32 bits. */
int swanctl_get_time(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		     uint64_t def, uint32_t *out);
/* An integer in 0..max. */
int swanctl_get_u64(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		    uint64_t def, uint64_t max, uint64_t *out);
/* A byte count (k/m/g suffixes). */
int swanctl_get_bytes(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		      uint64_t def, uint64_t *out);
int swanctl_get_bool(struct swanctl_ctx *l, const struct conf_node *sec, const char *key, bool def,
		     bool *out);
/* A keyword from choices (ended by a NULL name); the error lists them. */
int swanctl_get_choice(struct swanctl_ctx *l, const struct conf_node *sec, const char *key,
		       const struct swanctl_choice *choices, int def, int *out);
/* out = dir/sub/name, or name when it is absolute (truncated to len). */
void swanctl_resolve(const struct swanctl_ctx *l, const char *sub, const char *name, char *out,
		     size_t len);
/* Loads certificate name (resolved against sub) into *out (caller owns it); reports against k
 * and returns ERR_INVAL when it cannot. */
int swanctl_load_cert_file(struct swanctl_ctx *l, const struct conf_node *k, const char *sub,
			   const char *name, struct x509 **out);

#endif
