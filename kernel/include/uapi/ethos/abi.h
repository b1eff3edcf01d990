/*
 * The user/kernel ABI: syscall numbers, statuses, and the input and output
 * struct of every syscall.  Included by the kernel and by libethos; this is
 * the only place these are declared.
 *
 * Calling convention: int $0x80 with rax = syscall number, rdi = pointer to
 * the input struct (or 0 where the table says none), rsi = pointer to the
 * output struct (or 0).  The status comes back in rax.  Every pointer is
 * checked by the kernel; a bad one is StatusBadAddress.
 */
#ifndef ETHOS_ABI_H
#define ETHOS_ABI_H

#include <stdint.h>

enum status {
	StatusOk = 0,
	StatusInvalidSyscall,     /* no such syscall number */
	StatusInvalidArgument,    /* a field out of its range */
	StatusBadAddress,         /* a user pointer that is not the caller's memory */
	StatusNoMemory,
	StatusNoSpace,            /* a fixed table is full */
	StatusNotFound,
	StatusNotImplemented,
	StatusNotPermitted,
	StatusInvalidEvent,       /* stale, foreign, retired or made-up EventId */
	StatusInvalidEventWaitTree,
	StatusReturnSpace,        /* result buffer too small: size needed in out */
	StatusInvalidElfFile,
	StatusNotCompleted,       /* retire of an event that is still pending */
	StatusCancelled,          /* block: the tree can no longer be satisfied */
	StatusTooBig,             /* exec/spawn: arguments over ETHOS_ARGC_MAX or ETHOS_ARG_MAX */
	StatusInvalidHandle,      /* stale, closed, foreign, made-up or wrong-kind Handle */
	StatusClosed,             /* IPC: the peer closed the connection or ended */
	StatusUnavailable,        /* files: no shadowdaemon serves this domain (now) */
	StatusTimedOut,           /* files12: a file RPC's reply did not come in time */
	StatusCount
};

enum syscall_number {
	SysPrint = 0,
	SysGetPid,
	SysGetTime,
	SysExit,
	SysShutdown,
	SysYield,
	SysSpawn,
	SysBeep,
	SysBlock,
	SysRetire,
	SysCancel,
	SysGetPendingEvents,
	SysGetCompletedEvents,
	SysFreePages,
	SysKill,
	SysReadConsole,
	SysKernelStats,           /* 16 */
	SysFork,                  /* 17 */
	SysExec,                  /* 18 */
	SysBatch,                 /* 19 */
	SysCallback,              /* 20 */
	SysCallbackReturn,        /* 21 */
	SysCallbackConfig,        /* 22 */
	SysClose = 23,            /* 23: the first of the handle calls */
	/* 24-31: IPC (kernel/event/ipc.c) */
	SysAdvertise = 24,
	SysImport = 25,
	SysIpc = 26,
	SysRead = 27,
	SysWrite = 28,
	SysFdSend = 29,
	SysFdReceive = 30,
	SysProcess = 31,          /* process handles: get, wait, kill */
	/* 32-39: files (readVar, writeVar, openDirectory, createDirectory,
	 * removeDirectoryOrFile, fileInformation, getNextName) */
	SysReadVar = 32,
	SysWriteVar = 33,
	SysOpenDirectory = 34,
	SysCreateDirectory = 35,
	SysRemoveDirectoryOrFile = 36,
	SysFileInformation = 37,
	SysGetNextName = 38,
	SysExecImage = 39,        /* exec from a file, its second step */
	SysBlockRetire = 42,      /* block on one event, then retire it */
	SysCount
};

/* An event handle: table index in the low 32 bits, generation above. */
typedef uint64_t EventId;
#define EVENT_ID_NONE ((EventId)0)

/* A handle (kernel/handle.h): table index in the low 32 bits, generation
 * above, like an EventId. */
typedef uint64_t Handle;
#define HANDLE_NONE ((Handle)0)
/* Every process starts with a directory handle on the domain's root at
 * this value (slot 0, generation 1: the first entry of a fresh table).
 * fork copies it, exec keeps it; a process may close it (it then has no
 * root: calls with it are InvalidHandle) or pass it with fdSend.  No
 * other entry ever has this value (a slot's generation only moves on),
 * so in a table it is the root or nothing. */
#define ETHOS_ROOT_HANDLE (((Handle)1 << 32) | 1)

/* Fixed bounds the kernel enforces (and libethos may rely on). */
#define ETHOS_PRINT_MAX     (64 * 1024)   /* bytes in one print */
#define ETHOS_PATH_MAX      256
#define ETHOS_TREE_MAX_NODES 8192         /* at least 4096 leaves fit */
#define ETHOS_TREE_MAX_DEPTH 64
#define ETHOS_EVENT_LIST_MAX 4096
/* exec and spawn: at most ETHOS_ARGC_MAX strings in argv and envp together,
 * and at most ETHOS_ARG_MAX bytes of them (each string with its NUL, plus 8
 * bytes for each pointer); more is StatusTooBig. */
#define ETHOS_ARGC_MAX      4096
#define ETHOS_ARG_MAX       (64 * 1024)

/* SysPrint */
struct sys_print_in {
	const char *buf;
	uint64_t len;
};

/* SysGetPid */
struct sys_getpid_out {
	uint64_t pid;
};

/*
 * The time page: read-only at ETHOS_TIME_PAGE in every process, Xen's own
 * record of vCPU 0's time (its struct vcpu_time_info), kept current by Xen.
 * Read it with the pvclock protocol: version (odd while Xen writes it, and
 * the same before and after a consistent read), then
 *   ns = system_time + (((tsc - tsc_timestamp) << tsc_shift (or >> -shift))
 *        * tsc_to_system_mul) >> 32
 * with tsc from rdtsc.  tsc_to_system_mul 0 means Xen keeps no such page:
 * use SysGetTime.  ethos_time() does all of this.
 */
#define ETHOS_TIME_PAGE 0x3ff000UL
struct ethos_time_page {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad1[2];
};

/* One consistent read of a time page: ns since boot, or 0 when Xen keeps
 * no such record (tsc_to_system_mul 0).  libethos's ethos_time() and the
 * kernel's time_now_ns() (on vCPU 0's own record, the same layout) both
 * read time this way. */
static inline uint64_t ethos_time_page_read(const volatile struct ethos_time_page *t)
{
	uint32_t version, mul, lo, hi;
	uint64_t system, stamp, delta;
	int8_t shift;

	do {
		version = t->version;
		__asm__ volatile("" ::: "memory");
		stamp = t->tsc_timestamp;
		system = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) != 0 || version != t->version);
	if (mul == 0)
		return 0;
	delta = (((uint64_t)hi << 32) | lo) - stamp;
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return system + (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/*
 * The wall clock, on the same page at ETHOS_WALLCLOCK (written by the
 * kernel, not Xen): Unix time in ns at system time 0, from Xen's
 * wallclock in shared_info (set from the RTC at boot, or by the
 * toolstack for a domU), so that Unix time now = epoch_ns + system time.
 * The same version protocol as the time record; epoch_ns 0: unknown.
 * Updated when Xen's wallclock changes (checked on each timer upcall).
 */
#define ETHOS_WALLCLOCK (ETHOS_TIME_PAGE + 64)
struct ethos_wallclock {
	uint32_t version;
	uint32_t pad;
	uint64_t epoch_ns;
};

static inline uint64_t ethos_wallclock_epoch(const volatile struct ethos_wallclock *w)
{
	uint32_t version;
	uint64_t epoch;

	do {
		version = w->version;
		__asm__ volatile("" ::: "memory");
		epoch = w->epoch_ns;
		__asm__ volatile("" ::: "memory");
	} while ((version & 1) != 0 || version != w->version);
	return epoch;
}

/* SysGetTime: Xen system time, nanoseconds since boot */
struct sys_gettime_out {
	uint64_t ns;
};

/* SysExit (no output; does not return) */
struct sys_exit_in {
	int64_t status;
};

/* SysShutdown: init only; ends the domain with this exit status */
struct sys_shutdown_in {
	int64_t status;
};

/*
 * How a program starts (spawn and exec), the System V x86-64 layout: at its
 * first instruction rsp is 16-byte aligned and points at argc; above it
 * argv[0..argc-1], a NULL, envp[...], a NULL, then the auxiliary vector as
 * (type, value) pairs ending with AT_NULL (0, 0); the strings lie above
 * that.  Every other general register is 0; the FPU/SSE state is the reset
 * state.
 */

/* SysSpawn: start a program from the boot archive in a new child.  argv
 * and envp are NULL-terminated arrays of strings (0: empty), within
 * ETHOS_ARGC_MAX and ETHOS_ARG_MAX; argc 0 is allowed. */
struct sys_spawn_in {
	const char *path;
	uint64_t path_len;
	const char *const *argv;
	const char *const *envp;
};
struct sys_spawn_out {
	uint64_t pid;
	EventId exit_event;       /* completes with struct ethos_exit_result */
};

/* SysFork (no input): the child is a copy of the caller, its writable
 * pages shared copy-on-write.  Both return from the same call: the parent
 * with the child's pid and exit event, the child with both 0. */
struct sys_fork_out {
	uint64_t pid;
	EventId exit_event;       /* completes with struct ethos_exit_result */
};

/* SysExec: replaces the caller's program with the archive file path (same
 * argv/envp rules as spawn).  No output: on success it does not return; on
 * failure the caller is untouched.  Every event of the caller is cancelled
 * (freed) by a successful exec, its children's exit events with them; the
 * pid, the children and the parent's exit event stay. */
struct sys_exec_in {
	const char *path;
	uint64_t path_len;
	const char *const *argv;
	const char *const *envp;
};
struct ethos_exit_result {
	uint64_t pid;
	int64_t status;           /* exit status, or ETHOS_KILLED_BASE - vector */
};
#define ETHOS_KILLED_BASE (-1000)
#define ETHOS_KILLED_BY_PARENT (ETHOS_KILLED_BASE - 256)

/* SysBeep: an event that completes at Xen system time deadline_ns. */
struct sys_beep_in {
	uint64_t deadline_ns;
};
struct sys_event_out {
	EventId event;
};
/* A beep's result: the system time at which it was completed. */
struct ethos_beep_result {
	uint64_t fired_ns;
};

/*
 * Event trees.  SysBlock takes an array of nodes; nodes[0] is the root.  A
 * leaf names an event.  An internal node has children at the contiguous
 * indexes [first_child, first_child + nchildren), all greater than its own
 * index, and a threshold k: it is satisfied when at least k children are
 * (k == nchildren: and; k == 1: or).  Every node but the root is the child
 * of exactly one node.
 */
enum tree_node_kind {
	TreeLeaf = 1,
	TreeThreshold = 2,
};
struct ethos_tree_node {
	uint32_t kind;            /* enum tree_node_kind */
	uint32_t k;               /* threshold (internal nodes) */
	uint32_t first_child;     /* internal nodes */
	uint32_t nchildren;       /* internal nodes */
	EventId event;            /* leaves */
};

struct sys_block_in {
	const struct ethos_tree_node *nodes;
	uint32_t count;
	uint32_t pad;
	uint8_t *leaf_done;       /* optional: count bytes, 1 where a leaf's event completed */
};
struct sys_block_out {
	uint32_t completed_leaves;
	uint32_t pad;
};

/* SysRetire: copy out an event's result and free the event. */
struct sys_retire_in {
	EventId event;
	void *buf;
	uint64_t capacity;
};
struct sys_retire_out {
	uint64_t size;            /* result size (also on StatusReturnSpace) */
	int64_t outcome;          /* StatusOk, or why the event failed (then
	                           * size is 0 and the event is freed) */
};

/*
 * SysBlockRetire: block on one event (as SysBlock on a one-leaf tree) and,
 * once it completed or failed, retire it into buf (as SysRetire: same
 * input, output and statuses, and the event stays completed on
 * ReturnSpace).  One crossing where block + retire take two.  It may be
 * the last call of a batch: the batch then returns when the event is
 * done, with this call's status in its entry; if a callback runs while it
 * waits, the batch returns at once with NotCompleted in the entry and the
 * event left pending (alone, the call simply waits again after the
 * callback, as block does).
 */

/* SysCancel */
struct sys_cancel_in {
	EventId event;
};

/* SysGetPendingEvents / SysGetCompletedEvents */
struct sys_event_list_in {
	EventId *ids;
	uint64_t capacity;
};
struct sys_event_list_out {
	uint64_t count;           /* how many exist (may exceed capacity) */
};

/* SysReadConsole: an event that completes with 1..max bytes of input. */
#define ETHOS_CONSOLE_READ_MAX 1024
struct sys_read_console_in {
	uint64_t max;
};

/*
 * SysBatch: runs calls[0..count) in order in one crossing into the kernel,
 * each exactly as if made alone, and writes each call's status into its
 * entry.  Calls that block or do not come back to the caller (block,
 * exit, shutdown, fork, exec) and batch itself are refused inside a batch:
 * their entry says InvalidSyscall and nothing else happens for them
 * (blockRetire is allowed as the last call: see SysBlockRetire).  With
 * ETHOS_BATCH_STOP the batch ends at the first call whose status is not
 * Ok; the entries after it are left as they were.  The batch's own status
 * is Ok once it ran (out.done says how many calls); InvalidArgument for a
 * count over ETHOS_BATCH_MAX or unknown flags, BadAddress if the array or
 * the output is not writable, and then no call runs.
 */
#define ETHOS_BATCH_MAX 256
#define ETHOS_BATCH_STOP 0x1          /* stop at the first failure */
struct ethos_batch_call {
	uint64_t nr;
	const void *in;
	void *out;
	int64_t status;           /* written by the kernel */
};
struct sys_batch_in {
	struct ethos_batch_call *calls;
	uint32_t count;
	uint32_t flags;
};
struct sys_batch_out {
	uint32_t done;            /* calls that ran */
	uint32_t pad;
};

/* SysClose: ends the caller's handle (any kind); InvalidHandle if it is
 * not one. */
struct sys_close_in {
	Handle handle;
};

/* SysKill: a parent ends one of its children. */
struct sys_kill_in {
	uint64_t pid;
};

/* SysFreePages: the kernel's free-page count, for leak tests */
struct sys_free_pages_out {
	uint64_t free_pages;
};

/*
 * SysKernelStats: live kernel object counts, for leak tests.  No input;
 * the output is value[i] for i < count (count is the kernel's KStatCount,
 * at most ETHOS_KSTAT_MAX).  Indexes are stable: new counters are only
 * ever appended.  ETHOS_KSTATS(X) lists them as X(Enumerator, "name").
 */
#define ETHOS_KSTATS(X)                                                 \
	X(KStatFreePages, "free pages")      /* as SysFreePages */     \
	X(KStatProcesses, "processes")                                  \
	X(KStatEvents, "events")                                        \
	X(KStatWaits, "waits")               /* block's wait records */ \
	X(KStatTextImages, "text images")                               \
	X(KStatSlob16, "slob 16")            /* live objects per class */ \
	X(KStatSlob32, "slob 32")                                       \
	X(KStatSlob64, "slob 64")                                       \
	X(KStatSlob128, "slob 128")                                     \
	X(KStatSlob256, "slob 256")                                     \
	X(KStatSlob512, "slob 512")                                     \
	X(KStatSlob1024, "slob 1024")                                   \
	X(KStatSlob2048, "slob 2048")                                   \
	X(KStatLargeBlocks, "kmalloc blocks") /* over 2048 bytes */ \
	X(KStatKstackPages, "kstack pages")  /* with debug guards */ \
	X(KStatCowCopies, "cow copies")      /* cumulative: pages copied */ \
	X(KStatCowReuses, "cow reuses")      /* cumulative: last holder, no copy */ \
	X(KStatPageTables, "page tables")    /* live page-table frames */ \
	X(KStatHandles, "handles")           /* live handle-table entries */

#define ETHOS_KSTAT_ENUM(e, name) e,
enum kernel_stat {
	ETHOS_KSTATS(ETHOS_KSTAT_ENUM)
	KStatCount
};
#undef ETHOS_KSTAT_ENUM

/* Counters that only ever grow (events, not live objects): leak checks,
 * which compare before and after, skip them. */
#define ETHOS_KSTAT_CUMULATIVE(s) ((s) == KStatCowCopies || (s) == KStatCowReuses)

#define ETHOS_KSTAT_MAX 32
struct sys_kernel_stats_out {
	uint32_t count;           /* valid entries in value[] */
	uint32_t pad;
	uint64_t value[ETHOS_KSTAT_MAX];
};

/*
 * Callbacks (docs/ARCHITECTURE.md, "Callbacks and exception handlers").
 *
 * SysCallback registers function(event, argument) for one pending or
 * completed event of the caller (function 0: unregister).  When the event
 * has completed, the next return to user mode writes a struct
 * ethos_callback_frame (the interrupted registers and FPU/SSE state) on
 * the user stack, 128 bytes below rsp, or at the top of the alternate
 * stack, and enters `trampoline` with rsp = rbx = the frame (16-aligned),
 * rdi = the event (an exception: the frame), rsi = argument, rdx =
 * function, TF and DF clear and the FPU/SSE state reset.  The trampoline
 * calls function and then SysCallbackReturn with the frame as its input,
 * which restores the frame's registers and FPU/SSE state.  One callback
 * at a time: others wait for the callbackReturn.  function and trampoline
 * must lie in the text region (else InvalidArgument).
 */
struct sys_callback_in {
	EventId event;
	uint64_t function;        /* void f(EventId, void *); 0: unregister */
	uint64_t argument;
	uint64_t trampoline;      /* libethos: ethos_callback_trampoline */
};

#define ETHOS_CALLBACK_EVENT     1
#define ETHOS_CALLBACK_EXCEPTION 2
/* The frame: 16-aligned, fpu first (fxsave layout). */
struct ethos_callback_frame {
	uint8_t fpu[512];
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rip, cs, rflags, rsp, ss;
	uint64_t kind;            /* ETHOS_CALLBACK_* */
	uint64_t vector;          /* exception: its vector ... */
	uint64_t error;           /* ... and error code */
	EventId event;            /* event callback: the event */
	uint64_t function;
	uint64_t argument;
};

/* SysCallbackReturn: input = the frame the callback was entered with; no
 * output.  Does not return to the caller: the frame's state resumes.  A
 * frame that is not the one delivered, or with other than the user
 * selectors, rip or rsp outside user space, IOPL/NT/VM flags, TF when the
 * interrupted code was not single-stepping, or reserved MXCSR bits, kills
 * the caller (ETHOS_KILLED_BASE - 13).  Outside a callback: NotPermitted. */

/*
 * SysCallbackConfig.  ETHOS_CB_SET_STACK: callbacks are delivered at the
 * top of [stack, stack + size) (size 0: on the user stack again).
 * ETHOS_CB_SET_EXCEPTION: function(frame, argument) handles `vector`
 * (0 divide error, 1 debug, 3 breakpoint, 4 overflow, 16 x87 FP, 17
 * alignment check, 19 SIMD FP; others InvalidArgument); function 0
 * removes it.  The handler may change frame->rip (and other registers)
 * before it returns.
 */
#define ETHOS_CB_SET_STACK     1
#define ETHOS_CB_SET_EXCEPTION 2
struct sys_callback_config_in {
	uint32_t op;
	uint32_t vector;
	uint64_t function;
	uint64_t argument;
	uint64_t trampoline;
	uint64_t stack;
	uint64_t stack_size;
};

/*
 * Files (SysReadVar .. SysGetNextName): RPCs to the dom0 shadowdaemon.
 * Each takes a directory handle and one name and returns an event
 * (struct sys_event_out); dir is a directory handle, ETHOS_ROOT_HANDLE
 * for the domain's root (HANDLE_NONE is InvalidHandle).  A name is one path element: 1..ETHOS_NAME_MAX bytes, not
 * "." or "..", no '/' or NUL (else InvalidArgument, before any RPC).
 * With no daemon connected the call fails at once with Unavailable; if
 * the daemon goes away, its pending events fail with Unavailable.  An
 * event whose reply has not come SHADOW_CALL_TIMEOUT_NS (5 s, plus 1 s
 * per MiB of data) after its request went to a daemon that still looks
 * alive fails with TimedOut (the late reply is dropped).
 *   readVar(dir, name)      -> the whole contents (retire; ReturnSpace)
 *   writeVar(dir, name, data, data_len) -> no result (replaces the file)
 *   openDirectory(dir, name) -> a Handle (8 bytes)
 *   createDirectory, removeDirectoryOrFile (a file or an empty directory)
 *   fileInformation(dir, name) -> struct ethos_file_info
 *   getNextName(dir, name)  -> the next name after `name` in byte order
 *                              (name_len 0: the first); NotFound at the end
 */
#define ETHOS_NAME_MAX 255
#define ETHOS_FILE_MAX (16u << 20)    /* readVar/writeVar contents */
struct sys_file_in {
	Handle dir;
	const char *name;
	uint64_t name_len;
	const void *data;         /* writeVar */
	uint64_t data_len;
};
enum ethos_file_kind {
	EthosFile = 1,
	EthosDirectory = 2,
	EthosOtherKind = 3,       /* a symlink, device, ...: not served */
};
struct ethos_file_info {
	uint64_t size;
	uint64_t mtime_ns;        /* since the epoch (dom0's clock) */
	uint32_t kind;            /* enum ethos_file_kind */
	uint32_t pad;
};

/*
 * IPC (kernel/event/ipc.c).  A service is advertised under a name (the
 * rules of a file name: 1..ETHOS_PATH_MAX-1 bytes, no '/', no NUL, not "."
 * or ".."; a name advertised twice is StatusNotPermitted).
 * Connections carry whole messages both ways; each direction holds at most
 * ETHOS_IPC_QUEUE_MSGS messages and ETHOS_IPC_QUEUE_BYTES bytes (one
 * bigger message alone) whose writes have completed, and as many again
 * held (their write events pending until the reader makes room); a write
 * beyond that is StatusNoSpace with no effect.  A message is at most
 * ETHOS_MESSAGE_MAX bytes (more: TooBig).  When one end is closed (its
 * last handle gone, its process ended) the other end's pending reads
 * complete with outcome Closed once the queue is drained, its pending
 * writes with Closed, and later reads/writes are StatusClosed at once.
 */
#define ETHOS_MESSAGE_MAX      (4UL << 20)
#define ETHOS_IPC_QUEUE_MSGS   64
#define ETHOS_IPC_QUEUE_BYTES  (64UL << 10)
#define ETHOS_IPC_BACKLOG      64      /* clients waiting for import */
#define ETHOS_FDSEND_MAX       64      /* handles in one fdSend */

/* SysAdvertise: a listening handle for name (NotPermitted if taken). */
struct sys_advertise_in {
	const char *name;
	uint64_t name_len;
};
struct sys_handle_out {
	Handle handle;
};
/* SysImport: an event that completes with a struct ethos_handle_result
 * (the server's end of a new connection) when a client arrives. */
struct sys_import_in {
	Handle listening;
};
struct ethos_handle_result {
	Handle handle;
};
/* SysIpc: an event that completes with a struct ethos_handle_result (the
 * client's end) once the service imports it; NotFound if no service. */
struct sys_ipc_in {
	const char *name;
	uint64_t name_len;
};
/* SysRead: an event that completes with one whole message (retire gives
 * ReturnSpace and the size when the buffer is too small). */
struct sys_read_in {
	Handle connection;
};
/* SysWrite: an event that completes (no result) once the message is in
 * the peer's queue. */
struct sys_write_in {
	Handle connection;
	const void *buf;
	uint64_t len;
};
/* SysFdSend: handles[0..count) (any kind, not an end of this same
 * connection) go to the peer; the sender keeps its own entries.  An event
 * that completes once they are in the peer's queue. */
struct sys_fd_send_in {
	Handle connection;
	const Handle *handles;
	uint64_t count;
};
/* SysFdReceive: an event that completes with Handle[count]: new entries
 * in the receiver's table for the objects sent, in order (they are there
 * from the completion on, retired or not).  If its table cannot take them
 * all the event fails with NoSpace and they stay queued. */
struct sys_fd_receive_in {
	Handle connection;
};
/* SysProcess: process handles.  ProcessHandleOf: a handle on the caller's
 * child pid (out.handle).  ProcessWait: an event that completes with the
 * struct ethos_exit_result of the process behind handle (at once if it
 * has ended).  ProcessKill: ends it (any holder of the handle may);
 * NotFound if it has ended already. */
enum process_op {
	ProcessHandleOf = 1,
	ProcessWait = 2,
	ProcessKill = 3,
};
struct sys_process_in {
	uint32_t op;              /* enum process_op */
	uint32_t pad;
	uint64_t pid;             /* ProcessHandleOf */
	Handle handle;            /* ProcessWait, ProcessKill */
};
struct sys_process_out {
	Handle handle;            /* ProcessHandleOf */
	EventId event;            /* ProcessWait */
};

/*
 * SysExecImage: exec of an ELF image in the caller's own memory, the
 * second step of exec from a file (ethos_exec_file: readVar into a
 * buffer, then this).  The same rules as SysExec: no output; on failure
 * the caller is untouched (InvalidElfFile for an image that is not a
 * static x86_64 executable, or whose ELF and program headers are not in
 * its first 4 KiB; InvalidAddress for a buffer it cannot read).  name
 * (0..ETHOS_NAME_MAX bytes) becomes the process name.  The image is
 * copied: the buffer may be anything of the caller's.
 */
struct sys_exec_image_in {
	const void *image;
	uint64_t image_len;       /* <= ETHOS_FILE_MAX */
	const char *name;
	uint64_t name_len;
	const char *const *argv;
	const char *const *envp;
};

#endif /* ETHOS_ABI_H */
