/*
 * libethos: the user-side API of the kernel.  Syscall wrappers return the
 * kernel's enum status; outputs come back through pointers.
 */
#ifndef ETHOS_ETHOS_H
#define ETHOS_ETHOS_H

#include <stddef.h>
#include <stdint.h>
#include <ethos/abi.h>

/* The raw trap: rax = number, rdi = input struct, rsi = output struct. */
static inline enum status ethos_syscall(uint64_t nr, const void *in, void *out)
{
	uint64_t ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "a"(nr), "D"(in), "S"(out)
		     : "memory");
	return (enum status)ret;
}

enum status ethos_print(const char *buf, size_t len);
uint64_t ethos_getpid(void);
/* Xen system time in ns, from the time page (no syscall; ethos/abi.h). */
uint64_t ethos_time(void);
/* The same through SysGetTime. */
uint64_t ethos_time_syscall(void);
/* Unix time in ns: the wall clock's epoch on the time page plus
 * ethos_time() (no syscall).  0 when Xen gave no wall clock. */
uint64_t ethos_wallclock(void);
__attribute__((noreturn)) void ethos_exit(int64_t status);
enum status ethos_shutdown(int64_t status);
enum status ethos_yield(void);
/* spawn with argv {path, arg} ({path} if arg is 0) and no environment. */
enum status ethos_spawn(const char *path, const char *arg, uint64_t *pid,
			EventId *exit_event);
/* spawn with NULL-terminated argv and envp (0: empty).  Both spawns leave
 * the child's exit event to ethos_wait when exit_event is 0. */
enum status ethos_spawnv(const char *path, char *const argv[],
			 char *const envp[], uint64_t *pid, EventId *exit_event);
/* The environment the program started with (crt0.c); NULL-terminated. */
extern char **environ;
enum status ethos_beep(uint64_t deadline_ns, EventId *event);
enum status ethos_block(const struct ethos_tree_node *nodes, uint32_t count,
			uint8_t *leaf_done, uint32_t *completed_leaves);
enum status ethos_retire(EventId event, void *buf, uint64_t capacity,
			 uint64_t *size);
/* Retires into a malloc'd buffer of the right size (grows on ReturnSpace). */
enum status ethos_retire_alloc(EventId event, void **buf, uint64_t *size);
/* Blocks on one event, then retires it into buf. */
enum status ethos_block_and_retire(EventId event, void *buf, uint64_t capacity,
				   uint64_t *size);
enum status ethos_cancel(EventId event);
enum status ethos_pending_events(EventId *ids, uint64_t capacity, uint64_t *count);
enum status ethos_completed_events(EventId *ids, uint64_t capacity, uint64_t *count);
uint64_t ethos_free_pages(void);
/* An event that completes with 1..max bytes of console input. */
enum status ethos_read_console(uint64_t max, EventId *event);
/* Ends one of the caller's children; its exit status is ETHOS_KILLED_BY_PARENT. */
enum status ethos_kill(uint64_t pid);
const char *ethos_status_name(enum status st);
/* Ends one of the caller's handles (kernel/handle.h). */
enum status ethos_close(Handle handle);
/* Runs calls[0..count) in one crossing (SysBatch in ethos/abi.h): each
 * entry gets its own status; flags ETHOS_BATCH_STOP stops at the first
 * failure.  *done (if not NULL) is how many ran. */
enum status ethos_batch(struct ethos_batch_call *calls, uint32_t count,
			uint32_t flags, uint32_t *done);

/* Processes (libethos/process.c).  fork: the parent gets the child's pid
 * and exit event, the child gets pid 0.  exec returns only on failure, with
 * the caller untouched.  argv and envp are NULL-terminated (envp may be 0). */
enum status ethos_fork(uint64_t *pid, EventId *exit_event);
enum status ethos_exec(const char *path, char *const argv[], char *const envp[]);
/* Waits for the end of the child pid and retires its exit event: *status
 * is its exit status.  libethos knows the children whose exit event the
 * caller did not take (exit_event NULL to ethos_spawn or ethos_fork);
 * NotFound for any other pid. */
#define ETHOS_WAIT_ANY 0
enum status ethos_wait(uint64_t pid, int64_t *status);
/* Waits for whichever known child ends first. */
enum status ethos_wait_any(uint64_t *pid, int64_t *status);
/* Records a child for ethos_wait (ethos_spawn and ethos_fork do it when
 * the caller does not take the exit event). */
void ethos_child_record(uint64_t pid, EventId exit_event);
/* The kernel's live object counters (enum kernel_stat); *count is how
 * many of values[0..KStatCount) the kernel filled. */
enum status ethos_kernel_stats(uint64_t values[KStatCount], uint32_t *count);
const char *ethos_kstat_name(enum kernel_stat s);

/* Files (libethos/files.c; ethos/abi.h says what each call does).  dir
 * is a directory handle (ethos_root(): the root); names are one path
 * element, NUL-terminated here.  Each call returns an event; the helpers
 * below wait for it. */
/* The root directory the POSIX layer (open, stat, execve, ...) walks
 * paths from: ETHOS_ROOT_HANDLE, the one every process starts with,
 * unless ethos_set_root chose another directory handle (one received
 * with fdReceive, say).  Closing it leaves the program without a root:
 * path calls then fail (EBADF). */
Handle ethos_root(void);
void ethos_set_root(Handle dir);
enum status ethos_read_var(Handle dir, const char *name, EventId *event);
enum status ethos_write_var(Handle dir, const char *name, const void *data,
			    size_t len, EventId *event);
enum status ethos_open_directory(Handle dir, const char *name, EventId *event);
enum status ethos_create_directory(Handle dir, const char *name, EventId *event);
enum status ethos_remove(Handle dir, const char *name, EventId *event);
enum status ethos_file_information(Handle dir, const char *name, EventId *event);
/* name NULL or "": the first name. */
enum status ethos_get_next_name(Handle dir, const char *name, EventId *event);
/* Blocking helpers: the whole file into a malloc'd *buf; ... */
enum status ethos_read_file(Handle dir, const char *name, void **buf,
			    uint64_t *size);
enum status ethos_write_file(Handle dir, const char *name, const void *data,
			     size_t len);
enum status ethos_mkdir(Handle dir, const char *name);
enum status ethos_unlink(Handle dir, const char *name);
enum status ethos_stat(Handle dir, const char *name, struct ethos_file_info *fi);
enum status ethos_opendir(Handle dir, const char *name, Handle *out);
/* The name after `after` ("" for the first) into name (NUL-terminated). */
enum status ethos_next_name(Handle dir, const char *after, char *name,
			    size_t capacity);

/* The C library is newlib (<stdio.h>, <stdlib.h>, <string.h>, ...); the
 * system layer under it is libethos/newlib.c. */
/* The errno value for a status (ENOSYS for InvalidSyscall, ...). */
int ethos_errno(enum status st);
/* sbrk (so malloc) refuses to grow the heap past this many bytes, so that
 * malloc returns NULL (errno ENOMEM) before the kernel runs out of pages
 * for the process (USER_PAGES_MAX, the machine's memory).  A program may
 * change it before it allocates. */
#define ETHOS_HEAP_LIMIT_DEFAULT (64UL << 20)
extern size_t ethos_heap_limit;
/* crt0, before main: environ, constructors, destructors at exit(). */
void ethos_libc_init(char **envp);

/*
 * Callbacks (docs/ARCHITECTURE.md, "Callbacks and exception handlers").
 * ethos_callback: fn(event, arg) runs once the event has completed, at the
 * next return from the kernel, on the user stack (or the one given to
 * ethos_callback_stack); the interrupted code then resumes with its
 * registers and FPU/SSE state intact.  One at a time; fn 0 unregisters;
 * retire and cancel unregister too.  ethos_exception_handler: fn(frame,
 * arg) for a vector a program may handle (0, 1, 3, 4, 16, 17, 19); it may
 * change frame->rip (and other registers) to resume elsewhere.
 */
typedef void (*ethos_callback_fn)(EventId event, void *arg);
typedef void (*ethos_exception_fn)(struct ethos_callback_frame *frame,
				   void *arg);
enum status ethos_callback(EventId event, ethos_callback_fn fn, void *arg);
enum status ethos_callback_stack(void *stack, size_t size);
enum status ethos_exception_handler(unsigned int vector, ethos_exception_fn fn,
				    void *arg);
/* The stub the kernel enters: calls the function, then callbackReturn. */
void ethos_callback_trampoline(void);

/* IPC (libethos/ipc.c; the calls and their bounds in ethos/abi.h).  Each
 * raw call returns an event; the _wait forms block on it and retire it. */
enum status ethos_advertise(const char *name, Handle *listening);
enum status ethos_import(Handle listening, EventId *event);
enum status ethos_ipc(const char *name, EventId *event);
enum status ethos_read(Handle connection, EventId *event);
enum status ethos_write(Handle connection, const void *buf, uint64_t len,
			EventId *event);
enum status ethos_fd_send(Handle connection, const Handle *handles,
			  uint64_t count, EventId *event);
enum status ethos_fd_receive(Handle connection, EventId *event);
enum status ethos_import_wait(Handle listening, Handle *connection);
enum status ethos_ipc_wait(const char *name, Handle *connection);
enum status ethos_write_wait(Handle connection, const void *buf, uint64_t len);
/* A round trip's half: writes a message (waiting while the peer's queue
 * holds it), then reads the next one into rbuf (capacity bytes; *size is
 * its size), blocking until it comes.  One crossing when nothing but the
 * read has to wait (a batch ending in SysBlockRetire).  ReturnSpace: the
 * answer did not fit; *size is its size, and it is dropped. */
enum status ethos_write_read(Handle connection, const void *wbuf, uint64_t wlen,
			     void *rbuf, uint64_t capacity, uint64_t *size);
/* One whole message into a malloc'd *buf (free it); Closed at the end. */
enum status ethos_read_wait(Handle connection, void **buf, uint64_t *size);
enum status ethos_fd_send_wait(Handle connection, const Handle *handles,
			       uint64_t count);
enum status ethos_fd_receive_wait(Handle connection, Handle *handles,
				  uint64_t capacity, uint64_t *count);
/* A connection whose two ends are both the caller's (pipelines). */
enum status ethos_pipe(Handle *a, Handle *b);
/* Process handles: on a child pid of the caller; wait (an event with a
 * struct ethos_exit_result) and kill through one, by whoever holds it. */
enum status ethos_process_handle(uint64_t pid, Handle *process);
enum status ethos_process_wait(Handle process, EventId *event);
enum status ethos_process_kill(Handle process);

/* Exec from a file (libethos/files.c): readVar of dir/name into a buffer,
 * then SysExecImage of it.  On failure (Unavailable with no daemon,
 * NotFound, InvalidElfFile, ...) the caller goes on, the buffer freed. */
enum status ethos_exec_file(Handle dir, const char *name, char *const argv[],
			    char *const envp[]);
/* SysExecImage: exec of an ELF image in the caller's memory. */
enum status ethos_exec_image(const void *image, size_t len, const char *name,
			     char *const argv[], char *const envp[]);

#endif
