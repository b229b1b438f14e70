/* The run's pseudo-terminal, as the client relays it: opening a pair like the caller's terminal, the caller's
   terminal in raw mode and back, window sizes, and who is in the foreground. */
#define _GNU_SOURCE
#include "CJinn.h"
#include "platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* The caller's terminal as it was before raw mode, restored on every way out (atexit, a stop, a fatal signal). */
static struct termios saved_modes;
static int saved_fd = -1;
static volatile sig_atomic_t raw = 0;

int jinn_terminal_open(int like, int *master, int *slave) {
    struct termios modes;
    struct winsize size;
    if (tcgetattr(like, &modes) != 0) return errno;
    int have_size = ioctl(like, TIOCGWINSZ, &size) == 0;
    int primary = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (primary < 0) return errno;
    char name[128];
    if (grantpt(primary) != 0 || unlockpt(primary) != 0 || ptsname_r(primary, name, sizeof name) != 0) {
        int error = errno;
        close(primary);
        return error;
    }
    int secondary = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (secondary < 0) {
        int error = errno;
        close(primary);
        return error;
    }
    tcsetattr(secondary, TCSANOW, &modes);
    if (have_size) ioctl(secondary, TIOCSWINSZ, &size);
    /* The relay never waits on the run's terminal: keystrokes for a run that reads none while it writes would
       otherwise fill the terminal's input queue, and the relay, blocked writing them, would stop passing on the
       output that the run is blocked writing. */
    fcntl(primary, F_SETFL, fcntl(primary, F_GETFL) | O_NONBLOCK);
    *master = primary;
    *slave = secondary;
    return 0;
}

static void restore_at_exit(void) { jinn_terminal_restore(); }

int jinn_terminal_make_raw(int fd) {
    if (raw) return 0;
    struct termios modes;
    if (tcgetattr(fd, &modes) != 0) return errno;
    static int registered = 0;
    if (!registered) {
        atexit(restore_at_exit);
        registered = 1;
    }
    saved_modes = modes;
    saved_fd = fd;
    cfmakeraw(&modes);
    /* Output processing stays with the run's own terminal, which translates its newlines already. */
    int result;
    JINN_RETRYING_INTERRUPTS(result, tcsetattr(fd, TCSADRAIN, &modes));
    if (result != 0) return errno;
    raw = 1;
    return 0;
}

void jinn_terminal_restore(void) {
    if (!raw) return;
    int result;
    JINN_RETRYING_INTERRUPTS(result, tcsetattr(saved_fd, TCSADRAIN, &saved_modes));
    raw = 0;
}

int jinn_terminal_copy_size(int from, int to) {
    struct winsize size;
    if (ioctl(from, TIOCGWINSZ, &size) != 0) return errno;
    return ioctl(to, TIOCSWINSZ, &size) == 0 ? 0 : errno;
}

int jinn_terminal_is_foreground(int fd) {
    pid_t group = tcgetpgrp(fd);
    return group >= 0 && group == getpgrp();
}

void jinn_terminal_stop_self(int signal_number, int with_group) {
    jinn_terminal_restore();
    struct sigaction action = {0}, previous;
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal_number, &action, &previous);
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    sigprocmask(SIG_UNBLOCK, &set, &old);
    /* The whole group in one call: a shell waiting in it is stopped by then, so its `fg` cannot come before this
       process has stopped too. */
    kill(with_group ? -getpgrp() : getpid(), signal_number);
    /* Continued: the handler that brought the signal here is back. */
    sigprocmask(SIG_SETMASK, &old, NULL);
    sigaction(signal_number, &previous, NULL);
}

int jinn_terminal_interrupts(int master, const unsigned char *bytes, long count) {
    struct termios modes;
    /* A master's modes are its slave's. */
    if (tcgetattr(master, &modes) != 0 || !(modes.c_lflag & ISIG)) return 0;
    int found = 0;
    for (long index = 0; index < count; index++) {
        if (modes.c_cc[VINTR] != _POSIX_VDISABLE && bytes[index] == modes.c_cc[VINTR]) found |= 1;
        if (modes.c_cc[VQUIT] != _POSIX_VDISABLE && bytes[index] == modes.c_cc[VQUIT]) found |= 2;
        if (modes.c_cc[VSUSP] != _POSIX_VDISABLE && bytes[index] == modes.c_cc[VSUSP]) found |= 4;
    }
    return found;
}

int jinn_terminal_signal_foreground(int fd, int signal_number) {
    /* The caller is in that group. Its own copy is taken back before it is delivered: the run's terminal gave the
       run its signal already, and a copy forwarded by the caller would make it two. */
    sigset_t set, old, pending;
    sigemptyset(&set);
    sigaddset(&set, signal_number);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    pid_t group = tcgetpgrp(fd);
    int result = group > 0 && kill(-group, signal_number) == 0 ? 0 : errno;
    int taken;
    if (sigpending(&pending) == 0 && sigismember(&pending, signal_number)) sigwait(&set, &taken);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return result;
}
