/*
 * The system layer under newlib: the few "system calls" newlib's C library
 * needs (write, read, sbrk, _exit, ...), each on the Ethos calls.  newlib
 * is built for x86_64-elf without syscalls of its own, so it calls these by
 * their plain POSIX names (its MISSING_SYSCALL_NAMES configuration); the
 * underscored names (_write, ...) are aliases for code that expects them.
 *
 * The rule: a call Ethos has no answer for fails with -1 and errno set
 * (ENOSYS when the call is missing), never a silent success.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <signal.h>
#include <ethos/ethos.h>
#include <ethos/posix_files.h>

#define HEAP_BASE 0x0000000100000000UL      /* kernel/include/kernel/region.h */
#define HEAP_END  0x0000004000000000UL
#define PAGE_SIZE 4096UL

/* The alias of a syscall under newlib's other name. */
#define ALIAS(name) \
	__typeof__(name) _##name __attribute__((alias(#name), copy(name)))

int ethos_errno(enum status st)
{
	switch (st) {
	case StatusOk:                  return 0;
	case StatusInvalidSyscall:
	case StatusNotImplemented:      return ENOSYS;
	case StatusNotFound:            return ENOENT;
	case StatusNoMemory:            return ENOMEM;
	case StatusTooBig:              return E2BIG;
	case StatusBadAddress:          return EFAULT;
	case StatusNoSpace:             return EAGAIN;
	case StatusInvalidElfFile:      return ENOEXEC;
	case StatusNotPermitted:        return EPERM;
	case StatusCancelled:           return ECANCELED;
	case StatusInvalidEvent:
	case StatusInvalidEventWaitTree:
	case StatusInvalidArgument:     return EINVAL;
	case StatusUnavailable:         return ENXIO;   /* no shadowdaemon */
	case StatusInvalidHandle:       return EBADF;
	case StatusTimedOut:            return ETIMEDOUT;
	default:                        return EIO;
	}
}

/* -1 with errno for a failed status. */
static int fail(enum status st)
{
	errno = ethos_errno(st);
	return -1;
}

static int unsupported(void)
{
	errno = ENOSYS;
	return -1;
}

/* ---- file descriptors: 0 is console input, 1 and 2 the console ---------- */

/* 0-2 are the console's (a closed one stays closed); files are 3 and up
 * (libethos/posix_files.c). */
static unsigned int std_closed;

static int std_fd(int fd)
{
	return fd >= 0 && fd <= 2 && !(std_closed & (1u << fd));
}

/*
 * Standard input and output over connections (pipelines, user/sh.c): a
 * program started with ETHOS_STDIN=HANDLE (or ETHOS_STDOUT=HANDLE) in its
 * environment, HANDLE a connection in its table in hex, reads fd 0 from
 * (writes fd 1 to) that connection instead of the console: each write is
 * one message, a read takes from the current message (what is left of
 * it stays for the next read), and the peer's end reads as end of file.
 * fd 2 stays the console.
 */
static Handle std_conn[2];
static int std_conn_known;
static char *in_msg;
static uint64_t in_size, in_off;

static Handle conn_of(int fd)
{
	if (!std_conn_known) {
		const char *in = getenv("ETHOS_STDIN");
		const char *out = getenv("ETHOS_STDOUT");
		std_conn[0] = in ? strtoull(in, 0, 16) : HANDLE_NONE;
		std_conn[1] = out ? strtoull(out, 0, 16) : HANDLE_NONE;
		std_conn_known = 1;
	}
	return fd == 0 || fd == 1 ? std_conn[fd] : HANDLE_NONE;
}

static int conn_write(Handle c, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done < ETHOS_MESSAGE_MAX ? n - done :
							    ETHOS_MESSAGE_MAX;
		enum status st = ethos_write_wait(c, p + done, chunk);
		if (st != StatusOk) {
			if (done)
				return (int)done;
			errno = st == StatusClosed ? EPIPE : ethos_errno(st);
			return -1;
		}
		done += chunk;
	}
	return (int)n;
}

static int conn_read(Handle c, char *buf, size_t n)
{
	while (in_off == in_size) {
		void *m;
		enum status st;

		free(in_msg);
		in_msg = NULL;
		in_size = in_off = 0;
		st = ethos_read_wait(c, &m, &in_size);
		if (st == StatusClosed)
			return 0;             /* the writer's end: end of file */
		if (st != StatusOk)
			return fail(st);
		in_msg = m;
	}
	size_t k = in_size - in_off < n ? in_size - in_off : n;
	memcpy(buf, in_msg + in_off, k);
	in_off += k;
	return (int)k;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	if (ethos_posix_is_file(fd))
		return ethos_posix_write(fd, buf, n);
	if (!std_fd(fd) || fd == 0) {
		errno = EBADF;
		return -1;
	}
	if (conn_of(fd) != HANDLE_NONE)
		return conn_write(conn_of(fd), buf, n);
	while (done < n) {
		size_t chunk = n - done < ETHOS_PRINT_MAX ? n - done : ETHOS_PRINT_MAX;
		enum status st = ethos_print(p + done, chunk);
		if (st != StatusOk)
			return done ? (int)done : fail(st);
		done += chunk;
	}
	return (int)n;
}
ALIAS(write);

/*
 * Console input for fd 0.  One readConsole event gives what has arrived
 * (1 .. n bytes, never more than asked: what is left waits in the kernel
 * for the next read), so a read returns a short count as a terminal
 * does, and blocks while nothing has been typed.  The console has no
 * line discipline, so this does the two parts of one that programs
 * reading lines need: a CR (what Enter sends on a raw terminal) reads as
 * a newline, and a Ctrl-D reads as end of file: the read returns the
 * bytes before it, the next read returns 0, and bytes after it are kept
 * here for the reads after that.  No echo: the console does not echo,
 * and a program that wants it prints what it reads (as user/sh.c does).
 */
#define CTRL_D 4
static char con_buf[ETHOS_CONSOLE_READ_MAX];
static size_t con_len, con_off;

static int console_read(char *buf, size_t n)
{
	size_t k = 0;

	if (n > ETHOS_CONSOLE_READ_MAX)     /* a short read, not EINVAL */
		n = ETHOS_CONSOLE_READ_MAX;
	if (con_off == con_len) {
		EventId e;
		uint64_t size = 0;
		enum status st = ethos_read_console(n, &e);

		if (st == StatusOk)
			st = ethos_block_and_retire(e, con_buf, n, &size);
		if (st != StatusOk)
			return fail(st);
		con_len = (size_t)size;
		con_off = 0;
	}
	if (con_buf[con_off] == CTRL_D) {
		con_off++;
		return 0;
	}
	while (k < n && con_off < con_len && con_buf[con_off] != CTRL_D) {
		char c = con_buf[con_off++];
		buf[k++] = c == '\r' ? '\n' : c;
	}
	return (int)k;
}

_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t n)
{
	if (ethos_posix_is_file(fd))
		return ethos_posix_read(fd, buf, n);
	if (fd != 0 || !std_fd(fd)) {
		errno = EBADF;
		return -1;
	}
	if (n == 0)
		return 0;
	if (conn_of(0) != HANDLE_NONE)
		return conn_read(conn_of(0), buf, n);
	return console_read(buf, n);
}
ALIAS(read);

int close(int fd)
{
	if (ethos_posix_is_file(fd))
		return ethos_posix_close(fd);
	if (!std_fd(fd)) {
		errno = EBADF;
		return -1;
	}
	std_closed |= 1u << fd;
	return 0;
}
ALIAS(close);

/* Files: libethos/posix_files.c (whole-file semantics). */
int open(const char *path, int flags, ...)
{
	return ethos_posix_open(path, flags);
}
ALIAS(open);

int isatty(int fd)
{
	if (!std_fd(fd)) {
		errno = EBADF;
		return 0;
	}
	return conn_of(fd) == HANDLE_NONE;
}
ALIAS(isatty);

int fstat(int fd, struct stat *st)
{
	if (ethos_posix_is_file(fd))
		return ethos_posix_fstat(fd, st);
	if (!std_fd(fd)) {
		errno = EBADF;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0620;
	return 0;
}
ALIAS(fstat);

off_t lseek(int fd, off_t off, int whence)
{
	if (ethos_posix_is_file(fd))
		return (off_t)ethos_posix_lseek(fd, (long)off, whence);
	errno = std_fd(fd) ? ESPIPE : EBADF;
	return -1;
}
ALIAS(lseek);

int stat(const char *path, struct stat *st)
{
	return ethos_posix_stat(path, st);
}
ALIAS(stat);

int link(const char *old, const char *new)
{
	(void)old;
	(void)new;
	return unsupported();
}
ALIAS(link);

int unlink(const char *path)
{
	return ethos_posix_unlink(path);
}
ALIAS(unlink);

/* ---- the heap -------------------------------------------------------------- */

/*
 * sbrk hands out the heap region from its base.  The region is 255 GiB of
 * demand-zero address space, but the kernel gives a process at most
 * USER_PAGES_MAX pages (256 MiB) and the machine has less than that: a
 * page fault it cannot serve kills the process (tests/guest/memhog.c).  So
 * that malloc fails cleanly (NULL, errno ENOMEM) instead, sbrk refuses to
 * grow the heap past ethos_heap_limit bytes, and past what the kernel has
 * free (less a reserve for the kernel and the other processes) when it is
 * asked.  The second test is a snapshot, not a reservation: pages are only
 * taken when touched.
 */
size_t ethos_heap_limit = ETHOS_HEAP_LIMIT_DEFAULT;
#define FREE_RESERVE_PAGES 1024     /* 4 MiB left to everyone else */

static uintptr_t brk_cur = HEAP_BASE;

void *sbrk(ptrdiff_t incr)
{
	uintptr_t old = brk_cur;
	size_t limit = ethos_heap_limit < HEAP_END - HEAP_BASE ?
		ethos_heap_limit : HEAP_END - HEAP_BASE;

	if (incr < 0) {
		if ((uintptr_t)-incr > old - HEAP_BASE)
			goto nomem;
	} else if (incr > 0) {
		size_t used = old - HEAP_BASE;
		if (used > limit || (size_t)incr > limit - used)
			goto nomem;
		uint64_t free_pages = ethos_free_pages();
		uint64_t want = ((size_t)incr + PAGE_SIZE - 1) / PAGE_SIZE;
		if (free_pages < FREE_RESERVE_PAGES ||
		    want > free_pages - FREE_RESERVE_PAGES)
			goto nomem;
	}
	brk_cur = old + incr;
	return (void *)old;
nomem:
	errno = ENOMEM;
	return (void *)-1;
}
ALIAS(sbrk);

/* ---- processes --------------------------------------------------------------- */

void _exit(int status)
{
	ethos_exit(status);
}

pid_t getpid(void)
{
	return (pid_t)ethos_getpid();
}
ALIAS(getpid);

/*
 * Ethos has no signals.  A signal to oneself (raise, abort) ends the
 * program with status 128 + sig, as a shell reports a killed child; one to
 * a child ends it (ethos_kill); signal 0 (a probe) has no equivalent.
 */
int kill(pid_t pid, int sig)
{
	if (sig <= 0 || sig >= NSIG) {
		errno = sig == 0 ? ENOSYS : EINVAL;
		return -1;
	}
	if ((uint64_t)pid == ethos_getpid())
		ethos_exit(128 + sig);
	enum status st = ethos_kill((uint64_t)pid);
	return st == StatusOk ? 0 : fail(st);
}
ALIAS(kill);

pid_t fork(void)
{
	uint64_t pid;
	enum status st = ethos_fork(&pid, NULL);

	return st == StatusOk ? (pid_t)pid : fail(st);
}
ALIAS(fork);

/* A path in the boot archive runs from there; any other path is a file
 * (posix_files.c), run by exec from a file. */
int execve(const char *path, char *const argv[], char *const envp[])
{
	enum status st = ethos_exec(path, argv, envp);

	if (st == StatusNotFound)
		return ethos_posix_execve(path, argv, envp);
	return fail(st);
}
ALIAS(execve);

/* An Ethos exit status as a wait status: exited with the low 8 bits, or
 * killed (by a trap or by the parent) as if by a signal. */
static int wait_status(int64_t st)
{
	if (st == ETHOS_KILLED_BY_PARENT)
		return SIGKILL;
	if (st <= ETHOS_KILLED_BASE) {
		switch (ETHOS_KILLED_BASE - st) {
		case 0: return SIGFPE;       /* divide error */
		case 6: return SIGILL;       /* invalid opcode */
		case 3:
		case 1: return SIGTRAP;
		default: return SIGSEGV;     /* page fault, #GP, ... */
		}
	}
	return (int)(st & 0xff) << 8;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	uint64_t got = (uint64_t)pid;
	int64_t st64 = 0;
	enum status st;

	if (options != 0)
		return unsupported();         /* WNOHANG, WUNTRACED: no */
	if (pid == -1)
		st = ethos_wait_any(&got, &st64);
	else if (pid > 0)
		st = ethos_wait((uint64_t)pid, &st64);
	else
		return unsupported();         /* process groups */
	if (st == StatusNotFound) {
		errno = ECHILD;
		return -1;
	}
	if (st != StatusOk)
		return fail(st);
	if (status)
		*status = wait_status(st64);
	return (pid_t)got;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}
ALIAS(wait);

/* ---- time: Xen's system time (ns since boot) and the wall clock ----------- */

/* Unix time in ns; the boot counts as the epoch if Xen gave no wall
 * clock (ethos_wallclock 0), so the realtime clock still runs. */
static uint64_t realtime_ns(void)
{
	uint64_t ns = ethos_wallclock();

	return ns != 0 ? ns : ethos_time();
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
	uint64_t ns;

	if (clock == CLOCK_REALTIME)
		ns = realtime_ns();
	else if (clock == CLOCK_MONOTONIC)
		ns = ethos_time();
	else {
		errno = EINVAL;
		return -1;
	}
	ts->tv_sec = (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	if (tv) {
		uint64_t ns = realtime_ns();
		tv->tv_sec = (time_t)(ns / 1000000000u);
		tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	}
	return 0;
}
ALIAS(gettimeofday);

static uint64_t start_ns;
/* The kernel does not report CPU time: the program's run time since it
 * started stands for its user time (clock() is built on this). */
clock_t times(struct tms *buf)
{
	uint64_t ticks = (ethos_time() - start_ns) / (1000000000u / CLOCKS_PER_SEC);

	if (buf) {
		buf->tms_utime = (clock_t)ticks;
		buf->tms_stime = 0;
		buf->tms_cutime = 0;
		buf->tms_cstime = 0;
	}
	return (clock_t)ticks;
}
ALIAS(times);

/* ---- start and end of a program -------------------------------------------------- */

/* Static constructors and destructors (the linker script gathers them;
 * newlib's __libc_init_array is not built for this target). */
extern void (*__preinit_array_start[])(void), (*__preinit_array_end[])(void);
extern void (*__init_array_start[])(void), (*__init_array_end[])(void);
extern void (*__fini_array_start[])(void), (*__fini_array_end[])(void);

static void run_fini_array(void)
{
	for (size_t i = __fini_array_end - __fini_array_start; i > 0; i--)
		__fini_array_start[i - 1]();
}

/*
 * What newlib needs before main: the environment, static constructors,
 * and the destructors registered so that exit() runs them (exit() also
 * runs the atexit handlers and flushes stdio).  crt0 calls it, then
 * exit(main(...)).
 */
void ethos_libc_init(char **envp)
{
	extern char **environ;

	start_ns = ethos_time();
	if (envp)
		environ = envp;
	atexit(run_fini_array);
	for (void (**f)(void) = __preinit_array_start; f < __preinit_array_end; f++)
		(*f)();
	for (void (**f)(void) = __init_array_start; f < __init_array_end; f++)
		(*f)();
}
