/*
 * Syscall dispatch: one table, indexed by the number in rax after a bounds
 * check.  Every handler gets the caller and the raw user pointers to its
 * input and output structs, and touches user memory only through
 * copyin/copyout.
 *
 * A syscall that fails has no effect.  Every check that can fail comes
 * before the first change: a handler that creates something (an event, a
 * child) or consumes something (retire) first proves its outputs writable
 * with user_writable (uaccess.h says why the copyout after that cannot
 * fail), then acts, then copies out.
 */
#include <stddef.h>
#include <kernel/proc.h>
#include <kernel/kernel.h>
#include <kernel/uaccess.h>
#include <kernel/batchrun.h>
#include <xen/console.h>
#include <xen/time.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/kstat.h>
#include <kernel/panic.h>
#include <kernel/args.h>
#include <kernel/fs.h>
#include <kernel/ipc.h>
#include <kernel/deferred.h>
#include <arch/asm_defs.h>

typedef enum status (*syscall_fn)(struct proc *p, uintptr_t in, uintptr_t out);

static enum status sys_print(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_print_in in;
	enum status st;

	(void)p;
	(void)uout;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.len > ETHOS_PRINT_MAX)
		return StatusInvalidArgument;
	if (!user_range_ok((uintptr_t)in.buf, in.len))
		return StatusBadAddress;
	/* Copy it all first: a bad page prints nothing, not half. */
	char *buf = kmalloc(in.len ? in.len : 1);
	if (buf == NULL)
		return StatusNoMemory;
	st = copyin(buf, (uintptr_t)in.buf, in.len);
	if (st == StatusOk)
		console_write(buf, in.len);
	kfree(buf);
	return st;
}

static enum status sys_getpid(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_getpid_out out = { .pid = p->pid };

	(void)uin;
	return copyout(uout, &out, sizeof(out));
}

static enum status sys_gettime(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_gettime_out out = { .ns = time_now_ns() };

	(void)p;
	(void)uin;
	return copyout(uout, &out, sizeof(out));
}

static enum status sys_exit(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_exit_in in;

	(void)p;
	(void)uout;
	if (copyin(&in, uin, sizeof(in)) != StatusOk)
		in.status = -1;     /* it wanted to go: it goes, with a bad status */
	proc_exit(in.status);
}

static enum status sys_shutdown(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_shutdown_in in;
	enum status st;

	(void)uout;
	if (p->pid != 1)
		return StatusNotPermitted;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	kernel_exit(in.status);
}

static enum status sys_yield(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	(void)p;
	(void)uin;
	(void)uout;
	sched_yield();
	return StatusOk;
}

/* Copies a user string of at most max - 1 bytes into buf, NUL-terminated. */
static enum status copyin_string(char *buf, size_t max, uintptr_t ustr,
				 uint64_t len)
{
	if (len >= max)
		return StatusInvalidArgument;
	enum status st = copyin(buf, ustr, len);
	buf[len] = '\0';
	if (st == StatusOk && strnlen(buf, len) != len)
		return StatusInvalidArgument;     /* a NUL inside */
	return st;
}

static enum status sys_spawn(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_spawn_in in;
	struct sys_spawn_out out;
	char path[ETHOS_PATH_MAX];
	struct arg_block args;
	struct proc *child;
	struct event *ev;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	if ((st = copyin_string(path, sizeof(path), (uintptr_t)in.path,
				in.path_len)) != StatusOk)
		return st;
	args_begin(&args);
	if ((st = args_gather_user(&args, (uintptr_t)in.argv,
				   (uintptr_t)in.envp)) != StatusOk)
		return st;
	if ((ev = event_new(p, &child_exit_source, &out.exit_event, &st)) == NULL)
		return st;
	if ((st = proc_spawn(path, &args, p, &child)) != StatusOk) {
		event_release(ev);
		return st;
	}
	ev->u.child.child = child;
	child->exit_event = ev;
	out.pid = child->pid;
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);       /* probed writable above */
	return st;
}

/*
 * fork.  The child must find zeros in its output struct, the parent its
 * child's pid and event: the zeros are written before the copy (so the
 * child's copy-on-write view has them), then the parent gets its own copy
 * of the page (region_cow, which can fail only here, before anything is
 * visible) and its answer.  A failure puts the old bytes back.
 */
static enum status sys_fork(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_fork_out out, saved, child_view = { 0 };
	struct proc *child;
	struct event *ev;
	enum status st;

	(void)uin;
	if ((st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	if ((st = copyin(&saved, uout, sizeof(saved))) != StatusOk)
		return st;
	if ((ev = event_new(p, &child_exit_source, &out.exit_event, &st)) == NULL)
		return st;
	st = copyout(uout, &child_view, sizeof(child_view));
	ASSERT(st == StatusOk);       /* probed writable above */
	if ((st = proc_fork(p, &child)) != StatusOk)
		goto undo;
	for (uintptr_t va = uout & PAGE_MASK; va < uout + sizeof(out);
	     va += PAGE_SIZE) {
		if (!region_cow(&p->vm, va)) {
			proc_discard(child);
			st = StatusNoMemory;
			goto undo;
		}
	}
	ev->u.child.child = child;
	child->exit_event = ev;
	out.pid = child->pid;
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);       /* the page is the parent's own now */
	return st;
undo:
	event_release(ev);
	enum status restored = copyout(uout, &saved, sizeof(saved));
	ASSERT(restored == StatusOk);  /* no other process maps it now */
	(void)restored;
	return st;
}

/* On success the caller's old program is gone: nothing here may touch
 * its memory after proc_exec. */
static enum status sys_exec(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_exec_in in;
	char path[ETHOS_PATH_MAX];
	struct arg_block args;
	enum status st;

	(void)uout;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((st = copyin_string(path, sizeof(path), (uintptr_t)in.path,
				in.path_len)) != StatusOk)
		return st;
	args_begin(&args);
	if ((st = args_gather_user(&args, (uintptr_t)in.argv,
				   (uintptr_t)in.envp)) != StatusOk)
		return st;
	return proc_exec(p, path, &args);
}

/* Exec from a file, its second step: the image is in the caller's memory
 * (uapi/ethos/abi.h says why two steps). */
static enum status sys_exec_image(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_exec_image_in in;
	char name[ETHOS_NAME_MAX + 1];
	struct arg_block args;
	enum status st;

	(void)uout;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.image_len > ETHOS_FILE_MAX)
		return StatusInvalidArgument;
	if ((st = copyin_string(name, sizeof(name), (uintptr_t)in.name,
				in.name_len)) != StatusOk)
		return st;
	args_begin(&args);
	if ((st = args_gather_user(&args, (uintptr_t)in.argv,
				   (uintptr_t)in.envp)) != StatusOk)
		return st;
	return proc_exec_image(p, (uintptr_t)in.image, in.image_len, name, &args);
}

static enum status sys_block(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	return wait_block(p, uin, uout);
}

static enum status sys_block_retire(struct proc *p, uintptr_t uin,
				    uintptr_t uout)
{
	return wait_block_retire(p, uin, uout);
}

static enum status sys_cancel(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_cancel_in in;
	struct event *ev;
	enum status st;

	(void)uout;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((ev = event_lookup(p, in.event)) == NULL)
		return StatusInvalidEvent;
	event_release(ev);
	return StatusOk;
}

static enum status list_events(struct proc *p, uintptr_t uin, uintptr_t uout,
			       enum event_state want)
{
	struct sys_event_list_in in;
	struct sys_event_list_out out = { 0 };
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.capacity > ETHOS_EVENT_LIST_MAX)
		return StatusInvalidArgument;
	/* Both outputs first, so a failure writes no partial list. */
	if ((st = user_writable((uintptr_t)in.ids, in.capacity * sizeof(EventId))) !=
	    StatusOk || (st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	for (uint32_t i = 0; i < p->events.capacity; i++) {
		struct event *ev = p->events.slots[i].ev;
		if (ev == NULL || ev->state != want)
			continue;
		if (out.count < in.capacity) {
			EventId id = event_id(ev);
			st = copyout((uintptr_t)&in.ids[out.count], &id, sizeof(id));
			if (st != StatusOk)
				return st;
		}
		out.count++;
	}
	return copyout(uout, &out, sizeof(out));
}

static enum status sys_pending(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	return list_events(p, uin, uout, EventPending);
}

static enum status sys_completed(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	return list_events(p, uin, uout, EventCompleted);
}

static enum status sys_free_pages(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_free_pages_out out = { .free_pages = mm_free_pages() };

	(void)p;
	(void)uin;
	return copyout(uout, &out, sizeof(out));
}

/* All or nothing: a page the caller may not write fails the call before
 * any byte is written (user_writable). */
static enum status sys_kernel_stats(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_kernel_stats_out out = { .count = KStatCount };
	enum status st;

	(void)p;
	(void)uin;
	_Static_assert(KStatCount <= ETHOS_KSTAT_MAX, "ETHOS_KSTAT_MAX too small");
	if ((st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	kstat_snapshot(out.value);
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);       /* probed writable above */
	return st;
}

static enum status sys_kill(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_kill_in in;
	enum status st;

	(void)uout;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	return proc_kill(p, in.pid);
}

static enum status sys_read_console(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_read_console_in in;
	struct sys_event_out out;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.max > ETHOS_CONSOLE_READ_MAX)
		return StatusInvalidArgument;
	if ((st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	if ((st = console_read_create(p, (uint32_t)in.max, &out.event)) != StatusOk)
		return st;
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);       /* probed writable above */
	return st;
}

static enum status sys_batch(struct proc *p, uintptr_t uin, uintptr_t uout);

static enum status sys_close(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_close_in in;
	enum status st;

	(void)uout;
	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	return handle_close(&p->handles, in.handle);
}

/* Callbacks: kernel/event/callback.c.  None has an output; each checks
 * everything before it changes anything. */
static enum status sys_callback(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	(void)uout;
	return callback_register(p, uin);
}

static enum status sys_callback_return(struct proc *p, uintptr_t uin,
				       uintptr_t uout)
{
	(void)uout;
	return callback_return(p, uin);
}

static enum status sys_callback_config(struct proc *p, uintptr_t uin,
				       uintptr_t uout)
{
	(void)uout;
	return callback_config(p, uin);
}

/* Files (kernel/fs/files.c): one handler, told which call it is. */
#define FILE_CALL(fn, nr)                                                  \
	static enum status fn(struct proc *p, uintptr_t uin, uintptr_t uout) \
	{                                                                  \
		return fs_syscall(p, nr, uin, uout);                       \
	}
FILE_CALL(sys_read_var, SysReadVar)
FILE_CALL(sys_write_var, SysWriteVar)
FILE_CALL(sys_open_directory, SysOpenDirectory)
FILE_CALL(sys_create_directory, SysCreateDirectory)
FILE_CALL(sys_remove, SysRemoveDirectoryOrFile)
FILE_CALL(sys_file_information, SysFileInformation)
FILE_CALL(sys_get_next_name, SysGetNextName)

/* ---- IPC and process handles (kernel/event/ipc.c) ------------------------ */

/* A service name: copied in, NUL-terminated. */
static enum status copyin_name(char *name, uintptr_t uname, uint64_t len)
{
	return copyin_string(name, ETHOS_PATH_MAX, uname, len);
}

static enum status sys_advertise(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_advertise_in in;
	struct sys_handle_out out;
	char name[ETHOS_PATH_MAX];
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((st = copyin_name(name, (uintptr_t)in.name, in.name_len)) != StatusOk)
		return st;
	if ((st = user_writable(uout, sizeof(out))) != StatusOk)
		return st;
	if ((st = ipc_advertise(p, name, &out.handle)) != StatusOk)
		return st;
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);       /* probed writable above */
	return st;
}

/* The common end of the calls that return an event. */
static enum status event_out(uintptr_t uout, enum status st, const EventId *id)
{
	struct sys_event_out out = { .event = *id };

	if (st != StatusOk)
		return st;
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);       /* probed writable before */
	return st;
}

static enum status sys_import(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_import_in in;
	EventId id = 0;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk ||
	    (st = user_writable(uout, sizeof(struct sys_event_out))) != StatusOk)
		return st;
	return event_out(uout, ipc_import(p, in.listening, &id), &id);
}

static enum status sys_ipc(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_ipc_in in;
	char name[ETHOS_PATH_MAX];
	EventId id = 0;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((st = copyin_name(name, (uintptr_t)in.name, in.name_len)) != StatusOk)
		return st;
	if ((st = user_writable(uout, sizeof(struct sys_event_out))) != StatusOk)
		return st;
	return event_out(uout, ipc_connect(p, name, &id), &id);
}

static enum status sys_read(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_read_in in;
	EventId id = 0;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk ||
	    (st = user_writable(uout, sizeof(struct sys_event_out))) != StatusOk)
		return st;
	return event_out(uout, ipc_read(p, in.connection, &id), &id);
}

/*
 * A message of more than EVENT_CHUNK_BYTES is copied in chunk by chunk
 * and queued as those chunks (ipc_write_chunks), never as one block of
 * its whole length: 4 MiB would be an order-10 buddy block, which a
 * fragmented heap may lack with plenty of memory free (NoMemory).  The
 * chunk is the event's (1 MiB, order 8): the reader's event takes the
 * chunks as they are (event_complete_chunks) and retire walks them at
 * that size, so there is no second copy; files use the same.  At most
 * ETHOS_MESSAGE_MAX / 1 MiB = 4 chunks, and one block per MiB costs
 * nothing next to copying that MiB.  Smaller chunks would need a chunk
 * size of their own in the event.  Out of line: inlined, it cost
 * sys_write's small messages (the round trip) a register saved and
 * restored.
 */
static __attribute__((noinline)) enum status
write_chunks(struct proc *p, const struct sys_write_in *in, EventId *id)
{
	uint32_t n = (uint32_t)((in->len + EVENT_CHUNK_BYTES - 1) /
				EVENT_CHUNK_BYTES);
	uint8_t **chunks = kzalloc(n * sizeof(*chunks));
	enum status st = StatusNoMemory;
	uint32_t i;

	if (chunks == NULL)
		return st;
	for (i = 0; i < n; i++) {
		uint64_t off = (uint64_t)i * EVENT_CHUNK_BYTES;
		uint64_t len = in->len - off < EVENT_CHUNK_BYTES ?
			       in->len - off : EVENT_CHUNK_BYTES;
		if ((chunks[i] = kmalloc(len)) == NULL) {
			st = StatusNoMemory;
			goto fail;
		}
		if ((st = copyin(chunks[i], (uintptr_t)in->buf + off, len)) !=
		    StatusOk)
			goto fail;
	}
	return ipc_write_chunks(p, in->connection, chunks, n, in->len, id);
fail:
	kfree_chunks(chunks, n);        /* kzalloc: the rest are NULL */
	return st;
}

static enum status sys_write(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_write_in in;
	EventId id = 0;
	void *buf = NULL;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.len > ETHOS_MESSAGE_MAX)
		return StatusTooBig;
	if (!user_range_ok((uintptr_t)in.buf, in.len))
		return StatusBadAddress;
	if ((st = user_writable(uout, sizeof(struct sys_event_out))) != StatusOk)
		return st;
	if (in.len <= EVENT_INLINE_RESULT) {
		uint8_t small[EVENT_INLINE_RESULT];
		if ((st = copyin(small, (uintptr_t)in.buf, in.len)) != StatusOk)
			return st;
		return event_out(uout, ipc_write_small(p, in.connection, small,
						       in.len, &id), &id);
	}
	if (in.len > EVENT_CHUNK_BYTES)
		return event_out(uout, write_chunks(p, &in, &id), &id);
	if ((buf = kmalloc(in.len)) == NULL)
		return StatusNoMemory;
	if ((st = copyin(buf, (uintptr_t)in.buf, in.len)) != StatusOk) {
		kfree(buf);
		return st;
	}
	return event_out(uout, ipc_write(p, in.connection, buf, in.len, &id), &id);
}

static enum status sys_fd_send(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_fd_send_in in;
	Handle hs[ETHOS_FDSEND_MAX];
	EventId id = 0;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.count > ETHOS_FDSEND_MAX)
		return StatusTooBig;
	if ((st = copyin(hs, (uintptr_t)in.handles, in.count * sizeof(Handle))) !=
	    StatusOk)
		return st;
	if ((st = user_writable(uout, sizeof(struct sys_event_out))) != StatusOk)
		return st;
	return event_out(uout, ipc_fd_send(p, in.connection, hs,
					   (uint32_t)in.count, &id), &id);
}

static enum status sys_fd_receive(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_fd_receive_in in;
	EventId id = 0;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk ||
	    (st = user_writable(uout, sizeof(struct sys_event_out))) != StatusOk)
		return st;
	return event_out(uout, ipc_fd_receive(p, in.connection, &id), &id);
}

static enum status sys_process(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_process_in in;
	struct sys_process_out out = { 0 };
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	switch (in.op) {
	case ProcessHandleOf:
	case ProcessWait:
		if ((st = user_writable(uout, sizeof(out))) != StatusOk)
			return st;
		st = in.op == ProcessHandleOf ?
		     process_handle_of(p, in.pid, &out.handle) :
		     process_wait(p, in.handle, &out.event);
		if (st != StatusOk)
			return st;
		st = copyout(uout, &out, sizeof(out));
		ASSERT(st == StatusOk);       /* probed writable above */
		return st;
	case ProcessKill:
		return process_kill(p, in.handle);
	default:
		return StatusInvalidArgument;
	}
}

static const syscall_fn syscall_table[SysCount] = {
	[SysPrint] = sys_print,
	[SysGetPid] = sys_getpid,
	[SysGetTime] = sys_gettime,
	[SysExit] = sys_exit,
	[SysShutdown] = sys_shutdown,
	[SysYield] = sys_yield,
	[SysSpawn] = sys_spawn,
	[SysBeep] = beep_syscall,    /* kernel/event/beep.c */
	[SysBlock] = sys_block,
	[SysRetire] = retire_syscall,  /* kernel/event/event.c */
	[SysCancel] = sys_cancel,
	[SysGetPendingEvents] = sys_pending,
	[SysGetCompletedEvents] = sys_completed,
	[SysFreePages] = sys_free_pages,
	[SysKill] = sys_kill,
	[SysReadConsole] = sys_read_console,
	[SysKernelStats] = sys_kernel_stats,
	[SysFork] = sys_fork,
	[SysExec] = sys_exec,
	[SysBatch] = sys_batch,
	[SysClose] = sys_close,
	[SysCallback] = sys_callback,
	[SysCallbackReturn] = sys_callback_return,
	[SysCallbackConfig] = sys_callback_config,
	[SysReadVar] = sys_read_var,
	[SysWriteVar] = sys_write_var,
	[SysOpenDirectory] = sys_open_directory,
	[SysCreateDirectory] = sys_create_directory,
	[SysRemoveDirectoryOrFile] = sys_remove,
	[SysFileInformation] = sys_file_information,
	[SysGetNextName] = sys_get_next_name,
	[SysAdvertise] = sys_advertise,
	[SysImport] = sys_import,
	[SysIpc] = sys_ipc,
	[SysRead] = sys_read,
	[SysWrite] = sys_write,
	[SysFdSend] = sys_fd_send,
	[SysFdReceive] = sys_fd_receive,
	[SysProcess] = sys_process,
	[SysExecImage] = sys_exec_image,
	[SysBlockRetire] = sys_block_retire,
};

/* The calls a batch may not hold: those that do not come back to the
 * caller at once (block, exit, shutdown, fork, exec, execImage,
 * callbackReturn) and batch itself; blockRetire only as the last call
 * (it may block the batch).  A bit each: the batch tests it per call. */
#define BATCH_REFUSED ((1ULL << SysBlock) | (1ULL << SysExit) |            \
		       (1ULL << SysShutdown) | (1ULL << SysFork) |           \
		       (1ULL << SysExec) | (1ULL << SysBatch) |              \
		       (1ULL << SysCallbackReturn) | (1ULL << SysExecImage) | \
		       (1ULL << SysBlockRetire))
_Static_assert(SysCount <= 64, "BATCH_REFUSED holds a bit per syscall");

/* syscall_table without the calls a batch refuses: filled at the first
 * batch, so that the loop's test is one load (blockRetire, allowed as
 * the last call, is looked up apart, as are beep and retire, which run
 * in their own loops). */
static syscall_fn batch_table[SysCount];
static bool batch_table_ready;

static __attribute__((noinline)) void batch_table_fill(void)
{
	for (uint64_t nr = 0; nr < SysCount; nr++)
		batch_table[nr] = ((BATCH_REFUSED >> nr) & 1) ? NULL :
				  syscall_table[nr];
	batch_table[SysBeep] = NULL;          /* runs: see sys_batch */
	batch_table[SysRetire] = NULL;
	batch_table_ready = true;
}

/*
 * Both the array (every status lands in it) and the output are probed
 * before the first call runs, so a bad pointer runs nothing; after that
 * each call obeys the no-effect rule on its own.  An entry is read (its
 * first three words) and its status written with inline moves
 * (uaccess.h): the batch's own cost per call is what SysBatch saves.
 * The loop keeps only p, the entry, the end and the stop flag across
 * the call (callee-saved registers, nothing spilled); the rest is
 * worked out at the end.
 */
static enum status sys_batch(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_batch_in in;
	struct sys_batch_out out = { 0 };
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.count > ETHOS_BATCH_MAX || (in.flags & ~ETHOS_BATCH_STOP) != 0)
		return StatusInvalidArgument;
	uintptr_t calls = (uintptr_t)in.calls;
	if ((st = user_writable(uout, sizeof(out))) != StatusOk ||
	    (st = user_writable(calls, in.count * sizeof(struct ethos_batch_call))) !=
	    StatusOk)
		return st;
	if (__builtin_expect(!batch_table_ready, 0))
		batch_table_fill();
	/* The whole array's range is checked (user_writable above), so each
	 * entry's words are moved without checking it again. */
	const uintptr_t size = sizeof(struct ethos_batch_call);
	uintptr_t end = calls + in.count * size;
	bool stop = (in.flags & ETHOS_BATCH_STOP) != 0;
	uintptr_t entry;
	beep_batch_begin();           /* one clock read for its beeps */
	for (entry = calls; entry < end;) {
		uint64_t nr, cin, cout;
		enum status status = StatusInvalidSyscall;
		syscall_fn fn = NULL;
		bool ok;

		ok = uaccess_load64(&nr, entry);
		ASSERT(ok);               /* probed writable, so readable */
		if (__builtin_expect(nr < SysCount, 1))
			fn = batch_table[nr];
		if (__builtin_expect(fn == NULL, 0)) {
			/* A run of beeps or retires goes to its own loop
			 * (batchrun.h): NULL in batch_table, so that the
			 * other calls pay nothing for the test. */
			if (nr == SysBeep || nr == SysRetire) {
				uint64_t r = nr == SysBeep ?
					beep_batch_run(p, entry, end, stop) :
					retire_batch_run(p, entry, end, stop);
				entry = r & ~BATCH_RUN_STOPPED;
				if (r & BATCH_RUN_STOPPED)
					break;
				continue;
			}
			if (nr == SysBlockRetire && entry + size == end)
				fn = syscall_table[nr];
		}
		ok = uaccess_load64(&cin, entry + offsetof(struct ethos_batch_call, in)) &&
		     uaccess_load64(&cout, entry + offsetof(struct ethos_batch_call, out));
		ASSERT(ok);
		if (__builtin_expect(fn != NULL, 1))
			status = fn(p, cin, cout);
		uintptr_t ustatus = entry + offsetof(struct ethos_batch_call, status);
		entry += size;
		if (__builtin_expect(status != StatusOk, 0)) {
			if (status == StatusBlocked) {
				/* The last call waits: its status and out.done
				 * are written when it is done (wait_finish). */
				wait_in_batch(p, ustatus, uout,
					      (uint32_t)((entry - calls) / size));
				beep_batch_end();
				return StatusBlocked;
			}
			ok = uaccess_store64(ustatus, (uint64_t)status);
			ASSERT(ok);
			if (stop)
				break;    /* it ran: counted in done */
			continue;
		}
		ok = uaccess_store64(ustatus, StatusOk);
		ASSERT(ok);
	}
	beep_batch_end();
	out.done = (uint32_t)((entry - calls) / size);
	st = copyout(uout, &out, sizeof(out));
	ASSERT(st == StatusOk);
	return st;
}

/*
 * Light syscalls: pure reads of kernel state (they cannot block, switch,
 * complete an event or leave work for the return path), entered straight
 * from the gate (entry.S trap_syscall) with no trap frame: the user's
 * rdi and rsi are the arguments, and every register but rax comes back
 * as it was, because the handler saves what it uses
 * (no_caller_saved_registers).  The return path has nothing to check: an
 * upcall, a due callback or a yield can only arise in a kernel entry that
 * takes the heavy path, which ran them all before this process last
 * returned to user mode, and the kernel runs with events masked.  The one
 * flag that can outlive a return, deferred work asked for while deferred
 * work ran, sends the syscall down the heavy path (entry.S).
 * A batch reaches the same handlers through syscall_table.
 */
#define LIGHT __attribute__((no_caller_saved_registers, used))

typedef int64_t (*light_fn)(uintptr_t in, uintptr_t out);

static inline void light_check(void)
{
	DEBUG_ASSERT(!deferred_requested() && !callback_pending(current));
}

static LIGHT int64_t light_getpid(uintptr_t uin, uintptr_t uout)
{
	enum status st = sys_getpid(current, uin, uout);

	light_check();
	return st;
}

static LIGHT int64_t light_gettime(uintptr_t uin, uintptr_t uout)
{
	enum status st = sys_gettime(current, uin, uout);

	light_check();
	return st;
}

_Static_assert(SysGetPid < SYSCALL_LIGHT_LIMIT &&
	       SysGetTime < SYSCALL_LIGHT_LIMIT, "entry.S bounds the table");
const light_fn syscall_light[SYSCALL_LIGHT_LIMIT] = {
	[SysGetPid] = light_getpid,
	[SysGetTime] = light_gettime,
};

void kernel_syscall(struct trap_frame *tf)
{
	uint64_t nr = tf->rax;
	enum status st = StatusInvalidSyscall;

	if (!trap_from_user(tf))
		trap_kernel_fault(tf);
	if (nr < SysCount && syscall_table[nr] != NULL)
		st = syscall_table[nr](current, tf->rdi, tf->rsi);
	if (st != StatusBlocked && st != StatusFrameRestored)
		tf->rax = (uint64_t)st;
}
