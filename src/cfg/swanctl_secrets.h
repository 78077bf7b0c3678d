/* swanctl.conf `secrets` and `authorities`, and the credential directories beside the file:
 * PSKs with their owner identities (ike-NAME), private keys with passphrases (private-NAME,
 * rsa-, ecdsa-, pkcs8-), CA certificates; as `swanctl --load-all`, every certificate in x509ca/
 * and every unencrypted key in private/, rsa/, ecdsa/, pkcs8/. Secret values are wiped when
 * freed (lib/secret.h).
 */
#ifndef RAMPART_CFG_SWANCTL_SECRETS_H
#define RAMPART_CFG_SWANCTL_SECRETS_H

#include <stdbool.h>

#include "cfg/conf.h"
#include "lib/secret.h"

struct swanctl_ctx;

/* A secret value as swanctl.conf writes it: "0x<hex>", "0s<base64>", or the literal text.
 * On success *out owns the new secret. ERR_INVAL for malformed hex/base64, ERR_NOMEM. */
int swanctl_secret_value(const char *text, struct secret **out);
/* The `secrets` section into l->cfg->secrets. */
void swanctl_load_secrets(struct swanctl_ctx *l, const struct conf_node *sec);
/* The `authorities` section: each authority's cacert becomes a trust anchor. */
void swanctl_load_authorities(struct swanctl_ctx *l, const struct conf_node *sec);
/* Every file in l->dir/sub: private keys (keys) or CA certificates. */
void swanctl_load_dir(struct swanctl_ctx *l, const char *sub, bool keys);

#endif
