/* What the jinn client reads of its own process for a run: the descriptors an exec would keep, its working
   directory as a descriptor, its signal dispositions and mask, its niceness, CPU affinity and resource limits. */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "CJinn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#if defined(__linux__)
#include <sched.h>
#endif

static void add_number(int fd, int *numbers, int capacity, int *count) {
    if (*count < capacity) numbers[*count] = fd;
    (*count)++;
}

int jinn_inheritable_descriptors(int *numbers, int capacity) {
#if defined(__linux__)
    const char *listing = "/proc/self/fd";
#else
    const char *listing = "/dev/fd";
#endif
    int count = 0;
    DIR *directory = opendir(listing);
    if (directory != NULL) {
        int own = dirfd(directory);
        struct dirent *entry;
        /* The listing is in ascending order on Linux; the caller sorts anyway. */
        while ((entry = readdir(directory)) != NULL) {
            if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
            int fd = atoi(entry->d_name);
            if (fd == own) continue;
            int flags = fcntl(fd, F_GETFD);
            if (flags >= 0 && !(flags & FD_CLOEXEC)) add_number(fd, numbers, capacity, &count);
        }
        closedir(directory);
        return count;
    }
    /* No listing: every number below the descriptor limit, asked one by one. */
    struct rlimit limit;
    long top = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY ? (long)limit.rlim_cur : 1024;
    if (top > 65536) top = 65536;
    for (int fd = 0; fd < top; fd++) {
        int flags = fcntl(fd, F_GETFD);
        if (flags >= 0 && !(flags & FD_CLOEXEC)) add_number(fd, numbers, capacity, &count);
    }
    return count;
}

int jinn_hold_closed_standard_descriptors(void) {
    int closed = 0;
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) closed |= 1 << fd;
    }
    if (closed == 0) return 0;
    /* open(2) takes the lowest free number, so the closed standard numbers are taken in order. */
    for (int taken = 0; taken < 3; taken++) {
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd < 0) break;
        if (fd > 2) {
            close(fd);
            break;
        }
    }
    return closed;
}

int jinn_open_working_directory(void) {
#if defined(O_PATH)
    return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
#else
    int fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fd = open(".", O_SEARCH | O_DIRECTORY | O_CLOEXEC);
    return fd;
#endif
}

int jinn_signal_state(uint64_t *ignored, uint64_t *blocked) {
    *ignored = 0;
    *blocked = 0;
    sigset_t mask;
    sigemptyset(&mask);
    if (sigprocmask(SIG_BLOCK, NULL, &mask) != 0) return -1;
    for (int number = 1; number <= 64; number++) {
        if (sigismember(&mask, number) == 1) *blocked |= (uint64_t)1 << (number - 1);
        if (number == SIGKILL || number == SIGSTOP) continue;
        struct sigaction action;
        if (sigaction(number, NULL, &action) == 0 && !(action.sa_flags & SA_SIGINFO)
            && action.sa_handler == SIG_IGN) {
            *ignored |= (uint64_t)1 << (number - 1);
        }
    }
    return 0;
}

int jinn_signal_is_ignored(int number) {
    struct sigaction action;
    return sigaction(number, NULL, &action) == 0 && !(action.sa_flags & SA_SIGINFO) && action.sa_handler == SIG_IGN;
}

int jinn_resource_limits(int64_t *soft, int64_t *hard, int capacity) {
#if defined(RLIM_NLIMITS)
    int count = RLIM_NLIMITS;
#else
    int count = RLIMIT_NOFILE + 1 > 16 ? RLIMIT_NOFILE + 1 : 16;
#endif
    if (count > capacity) count = capacity;
    for (int resource = 0; resource < count; resource++) {
        struct rlimit limit;
        if (getrlimit(resource, &limit) != 0) {
            soft[resource] = hard[resource] = -2;
            continue;
        }
        soft[resource] = limit.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)limit.rlim_cur;
        hard[resource] = limit.rlim_max == RLIM_INFINITY ? -1 : (int64_t)limit.rlim_max;
    }
    return count;
}

int jinn_niceness(int *value) {
    errno = 0;
    /* Linux keeps a niceness per thread, and a thread pool may renice its own threads (Dispatch's quality-of-service
       classes do): the process's niceness is its main thread's, whose thread id is the process id. */
    int niceness = getpriority(PRIO_PROCESS, getpid());
    if (niceness == -1 && errno != 0) return -1;
    *value = niceness;
    return 0;
}

int jinn_cpu_affinity(uint64_t *words, int count) {
#if defined(__linux__)
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    int used = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && cpu / 64 < count; cpu++) {
        if (cpu % 64 == 0) words[cpu / 64] = 0;
        if (CPU_ISSET(cpu, &set)) {
            words[cpu / 64] |= (uint64_t)1 << (cpu % 64);
            used = cpu / 64 + 1;
        }
    }
    return used;
#else
    (void)words;
    (void)count;
    errno = ENOSYS;
    return -1;
#endif
}

static long milliseconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

ssize_t jinn_resolve_interpreter(const char *path, char *out, size_t size, int timeout_ms) {
    int ends[2];
    if (pipe(ends) != 0) return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(ends[0]);
        close(ends[1]);
        return -1;
    }
    if (pid == 0) {
        /* Only async-signal-safe calls until the exec. */
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 2);
        }
        dup2(ends[1], 1);
        if (chdir("/") != 0) _exit(127);
        execl(path, path, "-I", "-c", "import sys; sys.stdout.write(sys.executable)", (char *)NULL);
        _exit(127);
    }
    close(ends[1]);
    size_t used = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int timed_out = 0;
    for (;;) {
        long left = timeout_ms - milliseconds_since(&start);
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd entry = {.fd = ends[0], .events = POLLIN};
        int ready = poll(&entry, 1, (int)left);
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) {
            timed_out = ready == 0;
            break;
        }
        if (used + 1 >= size) break;
        ssize_t n = read(ends[0], out + used, size - 1 - used);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        used += (size_t)n;
    }
    close(ends[0]);
    if (timed_out) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    out[used] = 0;
    if (timed_out) {
        errno = ETIMEDOUT;
        return -1;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || used == 0 || out[0] != '/') {
        errno = ENOEXEC;
        return -1;
    }
    return (ssize_t)used;
}

int jinn_effective_capabilities(uint64_t *capabilities) {
#if defined(__linux__)
    FILE *status = fopen("/proc/self/status", "re");
    if (status == NULL) return -1;
    char line[256];
    int found = -1;
    while (fgets(line, sizeof line, status) != NULL) {
        unsigned long long bits;
        if (sscanf(line, "CapEff: %llx", &bits) == 1) {
            *capabilities = (uint64_t)bits;
            found = 0;
            break;
        }
    }
    fclose(status);
    if (found != 0) errno = ENOENT;
    return found;
#else
    *capabilities = geteuid() == 0 ? ~(uint64_t)0 : 0;
    return 0;
#endif
}
