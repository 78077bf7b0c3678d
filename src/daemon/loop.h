/* The control side's single-threaded event loop: epoll over file descriptors, signals through a
 * signalfd, and one periodic tick. Everything that is not the packet path runs here (control
 * socket, IKE later, timers); callbacks must not block.
 */
#ifndef RAMPART_DAEMON_LOOP_H
#define RAMPART_DAEMON_LOOP_H

#include <stdint.h>

#define LOOP_FDS_MAX 64

struct loop;

/* Called with the epoll events that fired (EPOLLIN, EPOLLOUT, ...). */
typedef void (*loop_fd_fn)(void *ctx, int fd, uint32_t events);
/* Called for each SIGTERM, SIGINT or SIGHUP received. */
typedef void (*loop_signal_fn)(void *ctx, int signo);
typedef void (*loop_tick_fn)(void *ctx, uint64_t now_ms);

/* A new loop that blocks SIGTERM, SIGINT, SIGHUP and SIGPIPE in the calling thread (threads
 * created afterwards inherit the mask) and delivers the first three to sig_fn. */
int loop_new(struct loop **out, loop_signal_fn sig_fn, void *sig_ctx);
void loop_free(struct loop *l);
/* Watch fd for events (EPOLLIN/EPOLLOUT); at most LOOP_FDS_MAX watches. */
int loop_add(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *ctx);
int loop_mod(struct loop *l, int fd, uint32_t events);
void loop_del(struct loop *l, int fd);
/* Call fn every interval_ms (0 disables). */
void loop_set_tick(struct loop *l, uint64_t interval_ms, loop_tick_fn fn, void *ctx);
/* Runs until loop_stop; returns 0 or ERR_IO. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* CLOCK_MONOTONIC in milliseconds. */
uint64_t loop_now_ms(void);

#endif
