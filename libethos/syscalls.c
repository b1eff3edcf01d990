/* Syscall wrappers. */
#include <stdlib.h>
#include <string.h>
#include <ethos/ethos.h>

enum status ethos_print(const char *buf, size_t len)
{
	struct sys_print_in in = { .buf = buf, .len = len };

	return ethos_syscall(SysPrint, &in, 0);
}

uint64_t ethos_getpid(void)
{
	struct sys_getpid_out out = { 0 };

	ethos_syscall(SysGetPid, 0, &out);
	return out.pid;
}

uint64_t ethos_time_syscall(void)
{
	struct sys_gettime_out out = { 0 };

	ethos_syscall(SysGetTime, 0, &out);
	return out.ns;
}

/* The time page (ethos/abi.h), read with the pvclock protocol: no syscall. */
uint64_t ethos_time(void)
{
	uint64_t ns = ethos_time_page_read(
		(const volatile struct ethos_time_page *)ETHOS_TIME_PAGE);

	return ns != 0 ? ns : ethos_time_syscall();   /* Xen keeps no page */
}

uint64_t ethos_wallclock(void)
{
	uint64_t epoch = ethos_wallclock_epoch(
		(const volatile struct ethos_wallclock *)ETHOS_WALLCLOCK);

	return epoch != 0 ? epoch + ethos_time() : 0;
}

void ethos_exit(int64_t status)
{
	struct sys_exit_in in = { .status = status };

	for (;;)
		ethos_syscall(SysExit, &in, 0);
}

enum status ethos_shutdown(int64_t status)
{
	struct sys_shutdown_in in = { .status = status };

	return ethos_syscall(SysShutdown, &in, 0);
}

enum status ethos_yield(void)
{
	return ethos_syscall(SysYield, 0, 0);
}

enum status ethos_spawnv(const char *path, char *const argv[],
			 char *const envp[], uint64_t *pid, EventId *exit_event)
{
	struct sys_spawn_in in = {
		.path = path, .path_len = strlen(path),
		.argv = (const char *const *)argv,
		.envp = (const char *const *)envp,
	};
	struct sys_spawn_out out = { 0 };
	enum status st = ethos_syscall(SysSpawn, &in, &out);

	if (pid)
		*pid = out.pid;
	if (exit_event)
		*exit_event = out.exit_event;
	else if (st == StatusOk)
		ethos_child_record(out.pid, out.exit_event);
	return st;
}

enum status ethos_spawn(const char *path, const char *arg, uint64_t *pid,
			EventId *exit_event)
{
	char *argv[3] = { (char *)path, (char *)arg, 0 };

	return ethos_spawnv(path, argv, 0, pid, exit_event);
}

enum status ethos_beep(uint64_t deadline_ns, EventId *event)
{
	struct sys_beep_in in = { .deadline_ns = deadline_ns };
	struct sys_event_out out = { 0 };
	enum status st = ethos_syscall(SysBeep, &in, &out);

	*event = out.event;
	return st;
}

enum status ethos_block(const struct ethos_tree_node *nodes, uint32_t count,
			uint8_t *leaf_done, uint32_t *completed_leaves)
{
	struct sys_block_in in = { .nodes = nodes, .count = count,
				   .leaf_done = leaf_done };
	struct sys_block_out out = { 0 };
	enum status st = ethos_syscall(SysBlock, &in, &out);

	if (completed_leaves)
		*completed_leaves = out.completed_leaves;
	return st;
}

/* retire and blockRetire share their in and out structs.  A failed event
 * is retired all the same: its failure is the answer. */
static enum status retire_call(uint64_t nr, EventId event, void *buf,
			       uint64_t capacity, uint64_t *size)
{
	struct sys_retire_in in = { .event = event, .buf = buf,
				    .capacity = capacity };
	struct sys_retire_out out = { 0 };
	enum status st = ethos_syscall(nr, &in, &out);

	if (size)
		*size = out.size;
	if (st == StatusOk && out.outcome != StatusOk)
		st = (enum status)out.outcome;
	return st;
}

enum status ethos_retire(EventId event, void *buf, uint64_t capacity,
			 uint64_t *size)
{
	return retire_call(SysRetire, event, buf, capacity, size);
}

enum status ethos_retire_alloc(EventId event, void **buf, uint64_t *size)
{
	uint64_t capacity = 64;

	for (;;) {
		void *b = malloc(capacity);
		if (b == NULL)
			return StatusNoMemory;
		enum status st = ethos_retire(event, b, capacity, size);
		if (st == StatusOk) {
			*buf = b;
			return st;
		}
		free(b);
		if (st != StatusReturnSpace)
			return st;
		capacity = *size;    /* the kernel told us what it needs */
	}
}

/* One crossing (SysBlockRetire), with ethos_retire's answer. */
enum status ethos_block_and_retire(EventId event, void *buf, uint64_t capacity,
				   uint64_t *size)
{
	return retire_call(SysBlockRetire, event, buf, capacity, size);
}

enum status ethos_cancel(EventId event)
{
	struct sys_cancel_in in = { .event = event };

	return ethos_syscall(SysCancel, &in, 0);
}

static enum status list(uint64_t nr, EventId *ids, uint64_t capacity,
			uint64_t *count)
{
	struct sys_event_list_in in = { .ids = ids, .capacity = capacity };
	struct sys_event_list_out out = { 0 };
	enum status st = ethos_syscall(nr, &in, &out);

	*count = out.count;
	return st;
}

enum status ethos_pending_events(EventId *ids, uint64_t capacity, uint64_t *count)
{
	return list(SysGetPendingEvents, ids, capacity, count);
}

enum status ethos_completed_events(EventId *ids, uint64_t capacity, uint64_t *count)
{
	return list(SysGetCompletedEvents, ids, capacity, count);
}

enum status ethos_batch(struct ethos_batch_call *calls, uint32_t count,
			uint32_t flags, uint32_t *done)
{
	struct sys_batch_in in = { .calls = calls, .count = count, .flags = flags };
	struct sys_batch_out out = { 0 };
	enum status st = ethos_syscall(SysBatch, &in, &out);

	if (done)
		*done = out.done;
	return st;
}

enum status ethos_close(Handle handle)
{
	struct sys_close_in in = { .handle = handle };

	return ethos_syscall(SysClose, &in, 0);
}

enum status ethos_kill(uint64_t pid)
{
	struct sys_kill_in in = { .pid = pid };

	return ethos_syscall(SysKill, &in, 0);
}

enum status ethos_read_console(uint64_t max, EventId *event)
{
	struct sys_read_console_in in = { .max = max };
	struct sys_event_out out = { 0 };
	enum status st = ethos_syscall(SysReadConsole, &in, &out);

	*event = out.event;
	return st;
}

uint64_t ethos_free_pages(void)
{
	struct sys_free_pages_out out = { 0 };

	ethos_syscall(SysFreePages, 0, &out);
	return out.free_pages;
}

const char *ethos_status_name(enum status st)
{
	static const char *const names[StatusCount] = {
		[StatusOk] = "Ok",
		[StatusInvalidSyscall] = "InvalidSyscall",
		[StatusInvalidArgument] = "InvalidArgument",
		[StatusBadAddress] = "BadAddress",
		[StatusNoMemory] = "NoMemory",
		[StatusNoSpace] = "NoSpace",
		[StatusNotFound] = "NotFound",
		[StatusNotImplemented] = "NotImplemented",
		[StatusNotPermitted] = "NotPermitted",
		[StatusInvalidEvent] = "InvalidEvent",
		[StatusInvalidEventWaitTree] = "InvalidEventWaitTree",
		[StatusReturnSpace] = "ReturnSpace",
		[StatusInvalidElfFile] = "InvalidElfFile",
		[StatusNotCompleted] = "NotCompleted",
		[StatusCancelled] = "Cancelled",
		[StatusTooBig] = "TooBig",
		[StatusInvalidHandle] = "InvalidHandle",
		[StatusClosed] = "Closed",
		[StatusUnavailable] = "Unavailable",
		[StatusTimedOut] = "TimedOut",
	};

	return (unsigned)st < StatusCount && names[st] ? names[st] : "?";
}

enum status ethos_kernel_stats(uint64_t values[KStatCount], uint32_t *count)
{
	struct sys_kernel_stats_out out = { 0 };
	enum status st = ethos_syscall(SysKernelStats, 0, &out);
	uint32_t n = out.count < KStatCount ? out.count : KStatCount;

	for (uint32_t i = 0; i < KStatCount; i++)
		values[i] = i < n ? out.value[i] : 0;
	if (count)
		*count = n;
	return st;
}

#define KSTAT_NAME(e, name) [e] = name,
static const char *const kstat_names[KStatCount] = {
	ETHOS_KSTATS(KSTAT_NAME)
};

const char *ethos_kstat_name(enum kernel_stat s)
{
	return (unsigned int)s < KStatCount ? kstat_names[s] : "?";
}
