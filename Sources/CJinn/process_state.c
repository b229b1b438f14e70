/* What the jinn client reads of its own process for a run: the descriptors an exec would keep, its working
   directory as a descriptor, its signal dispositions and mask, its niceness, CPU affinity and resource limits. */
#if defined(__linux__)
#define _GNU_SOURCE
#endif
#include "CJinn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
