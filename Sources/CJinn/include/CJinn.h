#ifndef CJINN_H
#define CJINN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An identifier of the calling thread, comparable across threads (pthread_t is opaque on some systems).
static inline uintptr_t jinn_current_thread(void) { return (uintptr_t)pthread_self(); }

/// Loads a 64-bit counter that another process stores in shared memory (acquire ordering).
static inline uint64_t jinn_load_shared_counter(const void *address) {
    return __atomic_load_n((const uint64_t *)address, __ATOMIC_ACQUIRE);
}

/// Stores a 64-bit counter that another process loads from shared memory (release ordering).
static inline void jinn_store_shared_counter(void *address, uint64_t value) {
    __atomic_store_n((uint64_t *)address, value, __ATOMIC_RELEASE);
}

/// Creates an anonymous shared-memory file of `size` bytes (memfd on Linux, an unlinked POSIX shared-memory
/// object elsewhere), close-on-exec; it disappears with its last descriptor and mapping.
///
/// Returns the descriptor, or -1 with errno set.
int jinn_shared_memory(size_t size);

/// Names the calling thread as `ps -L`, `top -H` and debuggers show it (truncated to 15 bytes on Linux).
void jinn_name_thread(const char *name);

/// Options for `jinn_spawn`.
enum {
    /// The child starts a new session (and so a new process group).
    JINN_SPAWN_SETSID = 1 << 0,
    /// The child becomes the leader of a new process group.
    JINN_SPAWN_SETPGID = 1 << 1,
    /// The child receives SIGKILL when the thread that spawned it exits (Linux only).
    JINN_SPAWN_PARENT_DEATH_SIGNAL = 1 << 2,
};

/// Starts `path` with exactly `fd_count` descriptors: `fds[i]` becomes descriptor `i` in the child and every
/// other descriptor is closed. A negative entry becomes `/dev/null`. Signal dispositions and the signal mask are
/// reset to their defaults. `cwd` may be NULL.
///
/// Returns 0 and stores the child's pid, or returns the errno of the step that failed (the exec included).
int jinn_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
               const int *fds, int fd_count, int flags, pid_t *pid_out);

/// A pipe whose ends are close-on-exec (from birth on Linux, right after it on Darwin); returns 0 or an errno.
int jinn_pipe(int fds[2]);

/// A close-on-exec `AF_UNIX`/`SOCK_STREAM` socket pair (as ``jinn_pipe``); returns 0 or an errno.
int jinn_socketpair(int fds[2]);

/// `write` that never raises SIGPIPE: a write to a closed pipe or socket fails with EPIPE instead of killing
/// the calling process. Returns the byte count, or -1 with errno set.
ssize_t jinn_write(int fd, const void *buffer, size_t length);

/// Writes all `length` bytes with `jinn_write` to a blocking descriptor. Returns 0, or -1 with errno set (the bytes
/// before the failure were written).
int jinn_write_all(int fd, const void *buffer, size_t length);

/// `jinn_write` for a stream socket, without the signal-mask system calls where the platform has `MSG_NOSIGNAL`.
ssize_t jinn_send(int socket, const void *buffer, size_t length);

/// Sends `length` bytes (at least one) and `fd_count` descriptors in one `sendmsg` with SCM_RIGHTS.
/// Returns the bytes sent, or -1 with errno set. Never raises SIGPIPE.
ssize_t jinn_send_fds(int socket, const void *buffer, size_t length, const int *fds, int fd_count);

/// Receives up to `length` bytes and up to `max_fds` descriptors (made close-on-exec). Stores the number of
/// descriptors received in `fd_count`. Returns the byte count (0 at end of stream), or -1 with errno set.
/// Descriptors beyond `max_fds` are closed and reported as EMSGSIZE after the bytes were read.
ssize_t jinn_recv_fds(int socket, void *buffer, size_t length, int *fds, int max_fds, int *fd_count);

/// The uid and pid of the process at the other end of a Unix socket; returns 0 or an errno.
int jinn_peer_credentials(int socket, uid_t *uid, pid_t *pid);

/// Accepts a connection on a listening socket, close-on-exec; returns the descriptor or -1 with errno set.
int jinn_accept(int socket);


/// Connects a close-on-exec stream socket to the Unix socket at `path`. Returns the descriptor, or -1 with errno
/// set (ENAMETOOLONG when the path does not fit in a socket address).
int jinn_unix_connect(const char *path);

/// `jinn_unix_connect` with a bound: connecting (to a listener whose backlog is full) and every later send on the
/// socket fail with EAGAIN after `milliseconds` instead of blocking.
int jinn_unix_connect_within(const char *path, int milliseconds);

/// Creates a close-on-exec stream socket bound to `path` and listening. Returns the descriptor, or -1 with errno
/// set. An existing file at `path` makes it fail with EADDRINUSE.
int jinn_unix_listen(const char *path, int backlog);

/// Installs a handler for each of `signals` that writes the signal number as one byte to a non-blocking pipe, and
/// returns the pipe's read end (close-on-exec), or -1 with errno set. One pipe per process: a second call adds
/// signals to the same pipe.
int jinn_signal_pipe(const int *signals, int count);

/// Restores the default action of `signal`, unblocks it and sends it to the calling process, so that the process
/// dies of it as a shell expects. Returns only when the signal does not kill (it is ignored by default, say).
void jinn_die_of_signal(int signal);

/// Stops the calling process with SIGSTOP; returns when it is continued.
void jinn_stop_self(void);

/// `flock(fd, LOCK_EX | LOCK_NB)`: returns 0, or an errno (EWOULDBLOCK when another process holds the lock).
int jinn_try_lock(int fd);

/// The file mode creation mask, read without changing it (two `umask` calls: use while single-threaded).
int jinn_umask_get(void);


/* ---- Shared memory: named segments, named semaphores, and the keeper that unlinks them ---- */

/// Opens the POSIX shared-memory object `name` (with its leading `/`), close-on-exec, read and write. With
/// `create`, the object must not exist yet and is sized to `size` bytes (mode 0600); otherwise it is opened as it
/// is, never truncated. Returns the descriptor, or -1 with errno set; a creation that fails after the object was
/// made unlinks it again.
int jinn_shm_open(const char *name, int create, size_t size);

/// Removes the name of a POSIX shared-memory object; returns 0 or an errno.
int jinn_shm_unlink(const char *name);

/// Opens the named semaphore `name` (leading `/`); with `create` it must not exist yet and starts at `value`.
/// Returns the semaphore, or NULL with errno set.
void *jinn_semaphore_open(const char *name, int create, unsigned value);

/// Closes a semaphore of `jinn_semaphore_open` in this process.
void jinn_semaphore_close(void *semaphore);

/// Removes a semaphore's name; returns 0 or an errno.
int jinn_semaphore_unlink(const char *name);

/// Adds one to a semaphore; returns 0 or an errno.
int jinn_semaphore_post(void *semaphore);

/// Takes one from a semaphore, waiting at most `nanoseconds` (0: only if it can at once). Returns 0, ETIMEDOUT
/// when the time ran out, or another errno. Interrupted waits resume with the time left.
int jinn_semaphore_wait(void *semaphore, int64_t nanoseconds);

/// Starts the keeper: a process of its own (its own session, every signal it can block blocked, no descriptor
/// but the read end of a pipe) that remembers names of shared-memory objects and semaphores written to the pipe
/// as lines (`+s/name`, `+m/name` to keep, `-s/name`, `-m/name` to forget) and unlinks those it still holds when
/// the pipe reads end of file, which happens when this process ends however it ends, SIGKILL included. Between
/// the fork and `_exit` only async-signal-safe calls run. Returns the pipe's write end (close-on-exec), or -1 with
/// errno set.
int jinn_keeper_start(void);

/* The jinn client's own process state, for a run (process_state.c). */

/// The numbers of this process's open descriptors that an exec would keep (not close-on-exec), in ascending
/// order on Linux. Stores at most `capacity` of them in `numbers` and returns how many there are, which may be
/// more; -1 with errno set when they cannot be listed.
int jinn_inheritable_descriptors(int *numbers, int capacity);

/// Makes each closed standard descriptor (0, 1, 2) an open, close-on-exec `/dev/null`, so that nothing this
/// process opens later takes its number, and an exec still finds it closed. Returns the closed ones as bits
/// (`1 << fd`).
int jinn_hold_closed_standard_descriptors(void);

/// The working directory as a close-on-exec descriptor (`O_PATH` where there is one), which names it even once
/// it is deleted or unreadable; -1 with errno set.
int jinn_open_working_directory(void);

/// This process's ignored signals (disposition `SIG_IGN`) and blocked signals, as bits: bit `n - 1` for signal
/// `n`, signals 1 to 64. Returns 0, or -1 with errno set.
int jinn_signal_state(uint64_t *ignored, uint64_t *blocked);

/// Whether signal `number`'s disposition is `SIG_IGN` in this process.
int jinn_signal_is_ignored(int number);

/// This process's resource limits, resource 0 upwards (at most `capacity`): -1 stands for unlimited, -2 for one
/// that cannot be read. Returns how many resources were read.
int jinn_resource_limits(int64_t *soft, int64_t *hard, int capacity);

/// This process's niceness in `value`; returns 0, or -1 with errno set.
int jinn_niceness(int *value);

/// The CPUs this process may run on, as bits in 64-bit words (CPU `n` is bit `n % 64` of word `n / 64`), at most
/// `count` words. Returns how many words hold a CPU, or -1 with errno set (ENOSYS where there is no affinity).
int jinn_cpu_affinity(uint64_t *words, int count);

/// This process's effective capabilities as bits (`1 << CAP_SYS_NICE` …), read from `/proc/self/status` on Linux;
/// elsewhere all of them for root and none otherwise. Returns 0, or -1 with errno set.
int jinn_effective_capabilities(uint64_t *capabilities);

/// The interpreter that `path` (say, a version manager's shim) really runs: `sys.executable` of `path -I -c …`
/// started in `/`, for a caller whose working directory is gone. Waits at most `timeout_ms` (then kills it).
/// Writes a NUL-terminated absolute path into `out` and returns its length, or -1 with errno set (ETIMEDOUT, or
/// ENOEXEC when it failed or printed no absolute path).
ssize_t jinn_resolve_interpreter(const char *path, char *out, size_t size, int timeout_ms);

/* ---- The run's terminal: a pseudo-terminal the client relays (terminal.c) ---- */

/// Opens a pseudo-terminal pair whose slave has the modes and window size of the terminal `like`; both ends are
/// close-on-exec and neither becomes the caller's controlling terminal. Returns 0 or an errno.
int jinn_terminal_open(int like, int *master, int *slave);

/// Puts the terminal `fd` in raw mode (a no-op when it is already), keeping its modes for
/// `jinn_terminal_restore`, which also runs at `exit`. Returns 0 or an errno.
int jinn_terminal_make_raw(int fd);

/// Gives the terminal that `jinn_terminal_make_raw` changed its modes back; does nothing when none is raw.
void jinn_terminal_restore(void);

/// Copies the window size of terminal `from` to terminal `to` (the master of a pair: its foreground process group
/// gets SIGWINCH). Returns 0 or an errno.
int jinn_terminal_copy_size(int from, int to);

/// Whether the calling process's group is the foreground process group of terminal `fd`.
int jinn_terminal_is_foreground(int fd);

/// Restores the terminal, then stops the calling process with `signal_number`'s default action, with its whole
/// process group when `with_group` is non-zero; returns once the process is continued, with the signal's handler
/// and the signal mask as they were.
void jinn_terminal_stop_self(int signal_number, int with_group);

/// The signals that `count` keystrokes make the line discipline of the terminal whose master is `master` send, as
/// bits: 1 for SIGINT (its VINTR character), 2 for SIGQUIT (VQUIT), 4 for SIGTSTP (VSUSP); 0 when its modes have
/// no ISIG.
int jinn_terminal_interrupts(int master, const unsigned char *bytes, long count);

/// Sends `signal_number` to the foreground process group of terminal `fd`, as its line discipline would, except
/// to the calling process (which is in that group). Returns 0 or an errno.
int jinn_terminal_signal_foreground(int fd, int signal_number);

#ifdef __cplusplus
}
#endif

#endif
