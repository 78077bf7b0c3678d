/* swanctl.conf `connections`: each section onto an engine connection (ike/conn.h) with
 * strongSwan's defaults: addresses (host names resolved once), IKE and ESP proposals, local and
 * remote authentication rounds with identities and certificates, children with selectors,
 * modes, actions, lifetimes and limits. Options Rampart does not implement are errors unless set
 * to their "off" value.
 */
#ifndef RAMPART_CFG_SWANCTL_CONN_H
#define RAMPART_CFG_SWANCTL_CONN_H

#include "cfg/conf.h"

struct swanctl_ctx;

/* Reads connection section sec; on success the connection joins l->cfg, otherwise every
 * problem is reported through l. */
void swanctl_load_conn(struct swanctl_ctx *l, const struct conf_node *sec);

#endif
