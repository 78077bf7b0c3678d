/* The outbound half of a data-plane worker (TUN -> network): clear packets read from the TUN
 * (GSO super-packets segmented, one policy and SA lookup per super-packet), protected in place
 * and sent in batches: ESP in UDP from port 4500 in UDP GSO trains (daemon/udptx.h), the rest
 * through the raw sockets with sendmmsg. Acquires for protect policies without an SA.
 */
#ifndef RAMPART_DAEMON_WORKER_OUT_H
#define RAMPART_DAEMON_WORKER_OUT_H

struct dp_worker;

/* Allocates w's outbound buffers (the super-packet buffer, DPW_POOL_N packet buffers) and sets
 * up its UDP trains. 0 or ERR_NOMEM; dpw_out_cleanup frees what was allocated either way. */
int dpw_out_init(struct dp_worker *w);
/* Frees the outbound buffers; accepts a worker without them. */
void dpw_out_cleanup(struct dp_worker *w);
/* Reads what the TUN has (bounded), protects and sends it; every queue is flushed on return.
 * Called by w's thread when the TUN is readable. */
void dpw_out_drain(struct dp_worker *w);

#endif
