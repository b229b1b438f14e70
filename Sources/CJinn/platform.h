#ifndef JINN_PLATFORM_H
#define JINN_PLATFORM_H

/* What each platform does its own way, for shim.c: every function here is defined once in shim+Linux.c and once
   in shim+Darwin.c. Each returns -1 with errno set when it fails, unless it says otherwise. */

#include <errno.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Runs `call` again for as long as it fails with EINTR, leaving its result in `result`: the C side of Swift's
   `retryingInterrupts`. Not for close(2), which must not be retried. */
#define JINN_RETRYING_INTERRUPTS(result, call) \
    do { (result) = (call); } while ((result) < 0 && errno == EINTR)

/* A pipe whose ends are close-on-exec, and non-blocking when `nonblocking` is set; returns 0. */
int jinn_os_pipe(int fds[2], int nonblocking);

/* socket(2) with a close-on-exec descriptor. */
int jinn_os_socket(int domain, int type);

/* An AF_UNIX stream socket pair, both ends close-on-exec; returns 0. */
int jinn_os_socketpair(int fds[2]);

/* accept(2) with a close-on-exec descriptor, retried after EINTR. */
int jinn_os_accept(int socket);

/* sendmsg(2) that never raises SIGPIPE, retried after EINTR. */
ssize_t jinn_os_sendmsg(int socket, const struct msghdr *message);

/* recvmsg(2) whose received descriptors are close-on-exec, retried after EINTR. */
ssize_t jinn_os_recvmsg(int socket, struct msghdr *message);

/* An anonymous file for shared memory, close-on-exec and of size 0, that disappears with its last descriptor and
   mapping. */
int jinn_os_anonymous_file(void);

/* The following run in a forked child before exec, so they are async-signal-safe. */

/* Closes every descriptor from `lowest` up in one call; -1 where the platform cannot (the caller closes them one by
   one). */
int jinn_os_close_from(int lowest);

/* dup2(2) that leaves `to` close-on-exec; returns `to`. */
int jinn_os_dup_cloexec(int from, int to);

/* Has the kernel send SIGKILL when the thread that forked this child exits, then makes sure `parent` has not
   exited already; returns 0 or an errno. Does nothing where the kernel has no parent-death signal. */
int jinn_os_set_parent_death_signal(pid_t parent);

/* Closes `fd` keeping errno, and returns -1: for the way out of a call that failed after `fd` was made. */
int jinn_close_failed(int fd);

/* Blocking SIGPIPE around a write, for writes that must fail with EPIPE instead of raising it (shim.c). */
struct jinn_sigpipe_guard {
    sigset_t old_mask;
    int was_pending;
};

/* Blocks SIGPIPE in the calling thread. */
void jinn_sigpipe_block(struct jinn_sigpipe_guard *guard);

/* Consumes a SIGPIPE that the guarded write raised (`result` and `error` are its outcome), then restores the mask;
   errno is `error` afterwards. */
void jinn_sigpipe_restore(struct jinn_sigpipe_guard *guard, ssize_t result, int error);

/* ---- Shared memory ---- */

#include <semaphore.h>
#include <stdint.h>

/* Waits up to `nanoseconds` (more than 0) for the semaphore; returns 0, ETIMEDOUT or an errno. */
int jinn_os_semaphore_wait(sem_t *semaphore, int64_t nanoseconds);

/* Unlinks a shared-memory object (kind 's') or a semaphore (kind 'm') by name, with only async-signal-safe calls:
   the keeper runs it in the child of a fork. */
void jinn_os_keeper_unlink(char kind, const char *name);

#endif
