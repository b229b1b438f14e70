/* The shim's code that is the same on every platform; what differs is behind platform.h, in shim+Linux.c and
   shim+Darwin.c. */
#include "CJinn.h"
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Everything between fork and exec must be async-signal-safe: the parent may have many threads, and any lock
   one of them held is held forever in the child. */
static void close_from(int lowest) {
    if (jinn_os_close_from(lowest) == 0) return;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536) max = 65536;
    for (int fd = lowest; fd < max; fd++) close(fd);
}

static void report_and_exit(int error_pipe, int error) {
    ssize_t ignored = write(error_pipe, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

int jinn_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
               const int *fds, int fd_count, int flags, pid_t *pid_out) {
    int error_pipe[2];
    if (jinn_os_pipe(error_pipe, 0) != 0) return errno;
    pid_t parent = getpid();

    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid_t pid = fork();
    if (pid < 0) {
        int error = errno;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        close(error_pipe[0]);
        close(error_pipe[1]);
        return error;
    }
    if (pid == 0) {
        for (int sig = 1; sig < NSIG; sig++) {
            if (sig == SIGKILL || sig == SIGSTOP) continue;
            signal(sig, SIG_DFL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        if (flags & JINN_SPAWN_PARENT_DEATH_SIGNAL) {
            int error = jinn_os_set_parent_death_signal(parent);
            if (error != 0) report_and_exit(error_pipe[1], error);
        }
        if ((flags & JINN_SPAWN_SETSID) && setsid() < 0) report_and_exit(error_pipe[1], errno);
        if ((flags & JINN_SPAWN_SETPGID) && setpgid(0, 0) != 0) report_and_exit(error_pipe[1], errno);

        /* Move every source above the target range first, so that a source that is also a target number is
           not overwritten before it is used. */
        int floor = fd_count > error_pipe[1] ? fd_count : error_pipe[1] + 1;
        int moved[fd_count > 0 ? fd_count : 1];
        for (int i = 0; i < fd_count; i++) {
            int source = fds[i];
            int opened = -1;
            if (source < 0) {
                opened = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (opened < 0) report_and_exit(error_pipe[1], errno);
                source = opened;
            }
            moved[i] = fcntl(source, F_DUPFD_CLOEXEC, floor);
            if (moved[i] < 0) report_and_exit(error_pipe[1], errno);
            if (opened >= 0) close(opened);
        }
        int error_fd = fcntl(error_pipe[1], F_DUPFD_CLOEXEC, floor);
        if (error_fd < 0) report_and_exit(error_pipe[1], errno);
        for (int i = 0; i < fd_count; i++) {
            if (dup2(moved[i], i) < 0) report_and_exit(error_fd, errno);
        }
        /* Keep the error pipe just above the mapped range; everything else goes. */
        if (jinn_os_dup_cloexec(error_fd, fd_count) < 0) report_and_exit(error_fd, errno);
        error_fd = fd_count;
        close_from(fd_count + 1);

        if (cwd != NULL && chdir(cwd) != 0) report_and_exit(error_fd, errno);
        execve(path, argv, envp);
        report_and_exit(error_fd, errno);
    }

    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(error_pipe[1]);
    int child_error = 0;
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, read(error_pipe[0], &child_error, sizeof child_error));
    close(error_pipe[0]);
    if (n == (ssize_t)sizeof child_error) {
        int status;
        pid_t reaped;
        JINN_RETRYING_INTERRUPTS(reaped, waitpid(pid, &status, 0));
        (void)reaped;
        return child_error != 0 ? child_error : ECHILD;
    }
    *pid_out = pid;
    return 0;
}

int jinn_pipe(int fds[2]) {
    return jinn_os_pipe(fds, 0) == 0 ? 0 : errno;
}

int jinn_socketpair(int fds[2]) {
    return jinn_os_socketpair(fds) == 0 ? 0 : errno;
}

/* SIGPIPE from a write is delivered to the writing thread: it is blocked around the write, and if the write raised
   it, consumed before the mask is restored, so the process never sees it. */
static sigset_t sigpipe_only(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    return set;
}

static int sigpipe_pending(void) {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE);
}

void jinn_sigpipe_block(struct jinn_sigpipe_guard *guard) {
    sigset_t pipe_only = sigpipe_only();
    guard->was_pending = sigpipe_pending();
    pthread_sigmask(SIG_BLOCK, &pipe_only, &guard->old_mask);
}

void jinn_sigpipe_restore(struct jinn_sigpipe_guard *guard, ssize_t result, int error) {
    /* Pending now and not before, so this write raised it, and sigwait returns at once. */
    if (result < 0 && error == EPIPE && !guard->was_pending && sigpipe_pending()) {
        sigset_t pipe_only = sigpipe_only();
        int signal_number;
        sigwait(&pipe_only, &signal_number);
    }
    pthread_sigmask(SIG_SETMASK, &guard->old_mask, NULL);
    errno = error;
}

ssize_t jinn_write(int fd, const void *buffer, size_t length) {
    struct jinn_sigpipe_guard guard;
    jinn_sigpipe_block(&guard);
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, write(fd, buffer, length));
    jinn_sigpipe_restore(&guard, n, errno);
    return n;
}

int jinn_write_all(int fd, const void *buffer, size_t length) {
    const char *bytes = buffer;
    while (length > 0) {
        ssize_t n = jinn_write(fd, bytes, length);
        if (n < 0) return -1;
        bytes += n;
        length -= (size_t)n;
    }
    return 0;
}

ssize_t jinn_send(int socket, const void *buffer, size_t length) {
#ifdef MSG_NOSIGNAL
    /* One system call where jinn_write needs four: the hot path of every message on a channel. */
    ssize_t n;
    JINN_RETRYING_INTERRUPTS(n, send(socket, buffer, length, MSG_NOSIGNAL));
    return n;
#else
    return jinn_write(socket, buffer, length);
#endif
}

ssize_t jinn_send_fds(int socket, const void *buffer, size_t length, const int *fds, int fd_count) {
    struct iovec iov = {.iov_base = (void *)buffer, .iov_len = length};
    struct msghdr message = {0};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    size_t space = CMSG_SPACE(sizeof(int) * (size_t)(fd_count > 0 ? fd_count : 1));
    char control[space];
    memset(control, 0, space);
    if (fd_count > 0) {
        message.msg_control = control;
        message.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)fd_count);
        struct cmsghdr *header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)fd_count);
        memcpy(CMSG_DATA(header), fds, sizeof(int) * (size_t)fd_count);
    }
    return jinn_os_sendmsg(socket, &message);
}

ssize_t jinn_recv_fds(int socket, void *buffer, size_t length, int *fds, int max_fds, int *fd_count) {
    struct iovec iov = {.iov_base = buffer, .iov_len = length};
    struct msghdr message = {0};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    /* Room for more than asked, so that extra descriptors are received (and closed) rather than lost open. */
    size_t space = CMSG_SPACE(sizeof(int) * 64);
    char control[space];
    message.msg_control = control;
    message.msg_controllen = space;
    *fd_count = 0;
    ssize_t n = jinn_os_recvmsg(socket, &message);
    if (n < 0) return n;
    int overflow = 0;
    for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
        int count = (int)((header->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *received = (int *)CMSG_DATA(header);
        for (int i = 0; i < count; i++) {
            if (*fd_count < max_fds) {
                fds[(*fd_count)++] = received[i];
            } else {
                close(received[i]);
                overflow = 1;
            }
        }
    }
    if (overflow || (message.msg_flags & MSG_CTRUNC)) {
        for (int i = 0; i < *fd_count; i++) close(fds[i]);
        *fd_count = 0;
        errno = EMSGSIZE;
        return -1;
    }
    return n;
}

int jinn_accept(int socket) {
    return jinn_os_accept(socket);
}

/* A stream socket and the address of `path`; -1 with errno set when the path is too long or no socket is left. */
static int unix_socket(const char *path, struct sockaddr_un *address) {
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof address->sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    strcpy(address->sun_path, path);
    return jinn_os_socket(AF_UNIX, SOCK_STREAM);
}

int jinn_close_failed(int fd) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

int jinn_unix_connect(const char *path) {
    struct sockaddr_un address;
    int fd = unix_socket(path, &address);
    if (fd < 0) return -1;
    int result;
    JINN_RETRYING_INTERRUPTS(result, connect(fd, (struct sockaddr *)&address, sizeof address));
    return result == 0 ? fd : jinn_close_failed(fd);
}

int jinn_unix_connect_within(const char *path, int milliseconds) {
    struct sockaddr_un address;
    int fd = unix_socket(path, &address);
    if (fd < 0) return -1;
    /* A full backlog (a daemon that does not accept) then fails with EAGAIN instead of blocking; sends too. */
    struct timeval timeout = {milliseconds / 1000, (milliseconds % 1000) * 1000};
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) != 0) return jinn_close_failed(fd);
    int result;
    JINN_RETRYING_INTERRUPTS(result, connect(fd, (struct sockaddr *)&address, sizeof address));
    return result == 0 ? fd : jinn_close_failed(fd);
}

int jinn_unix_listen(const char *path, int backlog) {
    struct sockaddr_un address;
    int fd = unix_socket(path, &address);
    if (fd < 0) return -1;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) != 0 || listen(fd, backlog) != 0) {
        return jinn_close_failed(fd);
    }
    return fd;
}

static int signal_pipe[2] = {-1, -1};

static void write_signal_number(int signal) {
    int saved = errno;
    unsigned char byte = (unsigned char)signal;
    ssize_t ignored = write(signal_pipe[1], &byte, 1);
    (void)ignored;
    errno = saved;
}

int jinn_signal_pipe(const int *signals, int count) {
    if (signal_pipe[0] < 0) {
        if (jinn_os_pipe(signal_pipe, 1) != 0) return -1;
    }
    for (int i = 0; i < count; i++) {
        struct sigaction action = {0};
        action.sa_handler = write_signal_number;
        action.sa_flags = SA_RESTART;
        sigemptyset(&action.sa_mask);
        if (sigaction(signals[i], &action, NULL) != 0) return -1;
    }
    return signal_pipe[0];
}

void jinn_die_of_signal(int signal_number) {
    struct sigaction action = {0};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(getpid(), signal_number);
}

void jinn_stop_self(void) {
    kill(getpid(), SIGSTOP);
}

int jinn_try_lock(int fd) {
    int result;
    JINN_RETRYING_INTERRUPTS(result, flock(fd, LOCK_EX | LOCK_NB));
    return result == 0 ? 0 : errno;
}

int jinn_umask_get(void) {
    mode_t mask = umask(022);
    umask(mask);
    return (int)mask;
}

int jinn_shared_memory(size_t size) {
    int fd = jinn_os_anonymous_file();
    if (fd < 0) return -1;
    return ftruncate(fd, (off_t)size) == 0 ? fd : jinn_close_failed(fd);
}

/* ---- Shared memory: named segments, named semaphores, and the keeper that unlinks them ---- */

#include <semaphore.h>
#include <sys/mman.h>
#include <time.h>

int jinn_shm_open(const char *name, int create, size_t size) {
    int fd = shm_open(name, create ? O_RDWR | O_CREAT | O_EXCL : O_RDWR, 0600);
    if (fd < 0) return -1;
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);  /* shm_open sets it on Linux; Darwin does not promise it */
    if (create && ftruncate(fd, (off_t)size) != 0) {
        int error = errno;
        shm_unlink(name);
        close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

int jinn_shm_unlink(const char *name) {
    return shm_unlink(name) == 0 ? 0 : errno;
}

void *jinn_semaphore_open(const char *name, int create, unsigned value) {
    sem_t *semaphore = create ? sem_open(name, O_CREAT | O_EXCL, 0600, value) : sem_open(name, 0);
    return semaphore == SEM_FAILED ? NULL : semaphore;
}

void jinn_semaphore_close(void *semaphore) {
    sem_close((sem_t *)semaphore);
}

int jinn_semaphore_unlink(const char *name) {
    return sem_unlink(name) == 0 ? 0 : errno;
}

int jinn_semaphore_post(void *semaphore) {
    return sem_post((sem_t *)semaphore) == 0 ? 0 : errno;
}

int jinn_semaphore_wait(void *semaphore, int64_t nanoseconds) {
    sem_t *sem = (sem_t *)semaphore;
    if (nanoseconds <= 0) {
        int result;
        JINN_RETRYING_INTERRUPTS(result, sem_trywait(sem));
        if (result == 0) return 0;
        return errno == EAGAIN ? ETIMEDOUT : errno;
    }
    return jinn_os_semaphore_wait(sem, nanoseconds);
}

/* The keeper's table: fixed-size entries in memory mapped before the fork, since the child of a multithreaded
   process must not allocate. Each entry is a kind byte followed by a name of at most 254 bytes. */
enum { KEEPER_ENTRIES = 4096, KEEPER_ENTRY = 256, KEEPER_LINE = 512 };

static void keeper_forget(char *table, int *count, const char *entry) {
    for (int i = 0; i < *count; i++) {
        if (strcmp(table + i * KEEPER_ENTRY, entry) == 0) {
            (*count)--;
            if (i != *count) memcpy(table + i * KEEPER_ENTRY, table + *count * KEEPER_ENTRY, KEEPER_ENTRY);
            return;
        }
    }
}

static void keeper_line(char *table, int *count, const char *line, size_t length) {
    /* "+s/name": an operation, a kind, then the name with its slash. */
    if (length < 3 || length >= KEEPER_ENTRY || (line[0] != '+' && line[0] != '-')) return;
    char entry[KEEPER_ENTRY];
    memcpy(entry, line + 1, length - 1);
    entry[length - 1] = 0;
    keeper_forget(table, count, entry);
    if (line[0] == '+' && *count < KEEPER_ENTRIES) {
        memcpy(table + *count * KEEPER_ENTRY, entry, length);
        (*count)++;
    }
}

static void keeper_run(int input, char *table) {
    char line[KEEPER_LINE];
    size_t used = 0;
    int count = 0;
    for (;;) {
        ssize_t n = read(input, line + used, sizeof line - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
        size_t start = 0;
        for (size_t i = 0; i < used; i++) {
            if (line[i] != '\n') continue;
            keeper_line(table, &count, line + start, i - start);
            start = i + 1;
        }
        memmove(line, line + start, used - start);
        used -= start;
        if (used == sizeof line) used = 0;  /* a line longer than any name: dropped */
    }
    for (int i = 0; i < count; i++) {
        const char *entry = table + i * KEEPER_ENTRY;
        jinn_os_keeper_unlink(entry[0], entry + 1);
    }
}

int jinn_keeper_start(void) {
    int fds[2];
    if (jinn_os_pipe(fds, 0) != 0) return -1;
    size_t size = (size_t)KEEPER_ENTRIES * KEEPER_ENTRY;
    char *table = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
    if (table == MAP_FAILED) {
        int error = errno;
        close(fds[0]);
        close(fds[1]);
        errno = error;
        return -1;
    }
    pid_t middle = fork();
    if (middle == 0) {
        /* The middle process exits at once, so that the keeper is nobody's child to reap in this process. */
        if (fork() != 0) _exit(0);
        setsid();
        sigset_t all;
        sigfillset(&all);
        sigprocmask(SIG_BLOCK, &all, NULL);
        if (fds[0] != 0) {
            dup2(fds[0], 0);
        }
        close_from(1);
        keeper_run(0, table);
        _exit(0);
    }
    int error = errno;
    munmap(table, size);
    close(fds[0]);
    if (middle < 0) {
        close(fds[1]);
        errno = error;
        return -1;
    }
    int status;
    while (waitpid(middle, &status, 0) < 0 && errno == EINTR) {}
    return fds[1];
}
