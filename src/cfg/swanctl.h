/* swanctl.conf semantics: the `connections`, `secrets` and `authorities` sections of a
 * configuration tree (cfg/conf.h) mapped onto the IKE engine's configuration (ike/conn.h), with
 * strongSwan's key names, defaults and meanings (swanctl.conf(5), strongSwan 5.9).
 *
 * Files named by `certs`, `cacerts`, `cacert`, `file` resolve as swanctl resolves them: an
 * absolute path is taken as is, a relative one against the directory of its kind beside the
 * configuration file (x509/, x509ca/, private/; keys also rsa/, ecdsa/, pkcs8/). As
 * `swanctl --load-all` does, every certificate in x509ca/ becomes a trust anchor and every key
 * in private/, rsa/, ecdsa/ and pkcs8/ is loaded.
 *
 * Every problem is reported through the callback as "FILE:LINE: what is wrong, what was
 * expected" (unknown keys with the nearest valid one); loading continues to find them all and
 * fails at the end. strongSwan options that Rampart does not implement are reported as such
 * rather than silently ignored, so a configuration never means less than it says.
 */
#ifndef RAMPART_CFG_SWANCTL_H
#define RAMPART_CFG_SWANCTL_H

#include <stddef.h>

#include "cfg/conf.h"
#include "ike/conn.h"

#define SWANCTL_MAX_CONNS 1024 /* connections in one configuration */

struct swanctl_config {
	size_t nconns;
	struct conn *conns[SWANCTL_MAX_CONNS]; /* one reference each */
	struct conn_secrets *secrets;
};

/* Receives one error message (NUL-terminated, without newline). */
typedef void (*swanctl_report_fn)(void *ctx, const char *msg);

/* Reads the connections, secrets and authorities of tree root; dir is the directory relative
 * file names resolve against (the configuration file's), NULL for the current directory.
 * Top-level sections other than those and `rampart` are errors. On success *out owns the
 * result (free with swanctl_config_free). Returns 0, ERR_INVAL after reporting every error,
 * ERR_NOMEM. */
int swanctl_load(const struct conf_node *root, const char *dir, swanctl_report_fn report, void *ctx,
		 struct swanctl_config **out);
/* Drops the connection references and frees the secrets. Accepts NULL. */
void swanctl_config_free(struct swanctl_config *cfg);

#endif
