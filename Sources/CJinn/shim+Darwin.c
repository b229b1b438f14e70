/* The Darwin side of platform.h, and of the public functions that differ by platform. Darwin has no atomic
   close-on-exec for pipes, sockets and received descriptors: the flag is set right after, so a child that another
   thread forks in between can inherit the descriptor. Not built or tested on Linux. */
#ifdef __APPLE__
#include "CJinn.h"
#include "platform.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/un.h>
#include <unistd.h>

/* Makes `fd` close-on-exec; closes it and returns -1 when that fails. */
static int close_on_exec(int fd) {
    if (fd < 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) return fd;
    return jinn_close_failed(fd);
}

int jinn_os_pipe(int fds[2], int nonblocking) {
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0
            || (nonblocking && fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK) != 0)) {
            int saved = errno;
            close(fds[0]);
            close(fds[1]);
            errno = saved;
            return -1;
        }
    }
    return 0;
}

int jinn_os_socket(int domain, int type) {
    return close_on_exec(socket(domain, type, 0));
}

int jinn_os_socketpair(int fds[2]) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) return -1;
    if (close_on_exec(fds[0]) < 0) {
        close(fds[1]);
        return -1;
    }
    if (close_on_exec(fds[1]) < 0) {
        close(fds[0]);
        return -1;
    }
    return 0;
}

int jinn_os_accept(int socket) {
    int fd;
    JINN_RETRYING_INTERRUPTS(fd, accept(socket, NULL, NULL));
    return close_on_exec(fd);
}

ssize_t jinn_os_sendmsg(int socket, const struct msghdr *message) {
    /* No MSG_NOSIGNAL: SIGPIPE is blocked around the call instead. */
    struct jinn_sigpipe_guard guard;
    jinn_sigpipe_block(&guard);
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, sendmsg(socket, message, 0));
    jinn_sigpipe_restore(&guard, n, errno);
    return n;
}

ssize_t jinn_os_recvmsg(int socket, struct msghdr *message) {
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, recvmsg(socket, message, 0));
    if (n < 0) return n;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(message); header != NULL; header = CMSG_NXTHDR(message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *received = (int *)CMSG_DATA(header);
        for (int i = 0; i < count; i++) fcntl(received[i], F_SETFD, FD_CLOEXEC);
    }
    return n;
}

int jinn_os_anonymous_file(void) {
    /* A POSIX shared-memory object, unlinked at once so that only its descriptor names it. */
    char name[64];
    for (int attempt = 0; attempt < 16; attempt++) {
        snprintf(name, sizeof name, "/jinn-%d-%ld-%d", (int)getpid(), (long)random(), attempt);
        int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            shm_unlink(name);
            return close_on_exec(fd);
        }
        if (errno != EEXIST) return -1;
    }
    return -1;
}

int jinn_os_close_from(int lowest) {
    (void)lowest;
    return -1;
}

int jinn_os_dup_cloexec(int from, int to) {
    if (dup2(from, to) < 0) return -1;
    return fcntl(to, F_SETFD, FD_CLOEXEC) == 0 ? to : -1;
}

int jinn_os_set_parent_death_signal(pid_t parent) {
    /* No such signal: a child learns of its parent's death from the end of its channel. */
    (void)parent;
    return 0;
}

int jinn_peer_credentials(int socket, uid_t *uid, pid_t *pid) {
    gid_t gid;
    if (getpeereid(socket, uid, &gid) != 0) return errno;
    socklen_t size = sizeof *pid;
    if (getsockopt(socket, SOL_LOCAL, LOCAL_PEERPID, pid, &size) != 0) return errno;
    return 0;
}

void jinn_name_thread(const char *name) {
    pthread_setname_np(name);
}
#endif

/* ---- Shared memory ---- */
#ifdef __APPLE__
#include <semaphore.h>
#include <time.h>

int jinn_os_semaphore_wait(sem_t *semaphore, int64_t nanoseconds) {
    /* Darwin has no timed wait on a named semaphore: try, then sleep a millisecond at most, until the deadline. */
    for (;;) {
        if (sem_trywait(semaphore) == 0) return 0;
        if (errno != EAGAIN && errno != EINTR) return errno;
        if (nanoseconds <= 0) return ETIMEDOUT;
        int64_t step = nanoseconds < 1000000 ? nanoseconds : 1000000;
        struct timespec pause = {0, (long)step};
        nanosleep(&pause, NULL);
        nanoseconds -= step;
    }
}

void jinn_os_keeper_unlink(char kind, const char *name) {
    /* Both are system calls on Darwin. */
    if (kind == 'm') sem_unlink(name); else shm_unlink(name);
}
#endif
