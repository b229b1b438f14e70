/* The Linux side of platform.h, and of the public functions that differ by platform. */
#ifdef __linux__
#define _GNU_SOURCE
#include "CJinn.h"
#include "platform.h"

#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int jinn_os_pipe(int fds[2], int nonblocking) {
    return pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
}

int jinn_os_socket(int domain, int type) {
    return socket(domain, type | SOCK_CLOEXEC, 0);
}

int jinn_os_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
}

int jinn_os_accept(int socket) {
    int fd;
    JINN_RETRYING_INTERRUPTS(fd, accept4(socket, NULL, NULL, SOCK_CLOEXEC));
    return fd;
}

ssize_t jinn_os_sendmsg(int socket, const struct msghdr *message) {
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, sendmsg(socket, message, MSG_NOSIGNAL));
    return n;
}

ssize_t jinn_os_recvmsg(int socket, struct msghdr *message) {
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, recvmsg(socket, message, MSG_CMSG_CLOEXEC));
    return n;
}

int jinn_os_anonymous_file(void) {
    return (int)syscall(SYS_memfd_create, "jinn-channel", MFD_CLOEXEC);
}

int jinn_os_close_from(int lowest) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)lowest, ~0U, 0) == 0) return 0;
#endif
    return -1;
}

int jinn_os_dup_cloexec(int from, int to) {
    return dup3(from, to, O_CLOEXEC);
}

int jinn_os_set_parent_death_signal(pid_t parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
    /* The parent may have exited before the signal was asked for: then no signal comes, and the child must go. */
    if (getppid() != parent) _exit(127);
    return 0;
}

int jinn_peer_credentials(int socket, uid_t *uid, pid_t *pid) {
    struct ucred credentials;
    socklen_t size = sizeof credentials;
    if (getsockopt(socket, SOL_SOCKET, SO_PEERCRED, &credentials, &size) != 0) return errno;
    *uid = credentials.uid;
    *pid = credentials.pid;
    return 0;
}

void jinn_name_thread(const char *name) {
    /* Linux refuses names over 15 bytes rather than cutting them. */
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    pthread_setname_np(pthread_self(), truncated);
}
#endif

/* ---- Shared memory ---- */
#ifdef __linux__
#include <semaphore.h>
#include <time.h>

int jinn_os_semaphore_wait(sem_t *semaphore, int64_t nanoseconds) {
    /* The monotonic clock: a change of the wall clock neither stretches nor cuts the wait. */
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    int64_t total = (int64_t)deadline.tv_nsec + nanoseconds % 1000000000;
    deadline.tv_sec += (time_t)(nanoseconds / 1000000000 + total / 1000000000);
    deadline.tv_nsec = (long)(total % 1000000000);
    for (;;) {
        if (sem_clockwait(semaphore, CLOCK_MONOTONIC, &deadline) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

void jinn_os_keeper_unlink(char kind, const char *name) {
    /* glibc keeps both in /dev/shm: "NAME" for an object, "sem.NAME" for a semaphore. shm_unlink and sem_unlink
       build that path with calls that are not async-signal-safe; unlink is. */
    char path[300] = "/dev/shm/";
    size_t length = 9;
    if (kind == 'm') {
        memcpy(path + length, "sem.", 4);
        length += 4;
    }
    while (*name == '/') name++;
    size_t name_length = strlen(name);
    if (name_length == 0 || length + name_length >= sizeof path) return;
    memcpy(path + length, name, name_length + 1);
    unlink(path);
}
#endif
