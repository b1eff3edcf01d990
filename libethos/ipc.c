/*
 * IPC and process handles (kernel/event/ipc.c, SysAdvertise..SysProcess):
 * the raw calls, each returning an event, and blocking helpers on them.
 */
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <ethos/ethos.h>

enum status ethos_advertise(const char *name, Handle *listening)
{
	struct sys_advertise_in in = { .name = name, .name_len = strlen(name) };
	struct sys_handle_out out = { 0 };
	enum status st = ethos_syscall(SysAdvertise, &in, &out);

	*listening = out.handle;
	return st;
}

static enum status event_call(uint64_t nr, const void *in, EventId *event)
{
	struct sys_event_out out = { 0 };
	enum status st = ethos_syscall(nr, in, &out);

	*event = out.event;
	return st;
}

enum status ethos_import(Handle listening, EventId *event)
{
	struct sys_import_in in = { .listening = listening };

	return event_call(SysImport, &in, event);
}

enum status ethos_ipc(const char *name, EventId *event)
{
	struct sys_ipc_in in = { .name = name, .name_len = strlen(name) };

	return event_call(SysIpc, &in, event);
}

enum status ethos_read(Handle connection, EventId *event)
{
	struct sys_read_in in = { .connection = connection };

	return event_call(SysRead, &in, event);
}

enum status ethos_write(Handle connection, const void *buf, uint64_t len,
			EventId *event)
{
	struct sys_write_in in = { .connection = connection, .buf = buf,
				   .len = len };

	return event_call(SysWrite, &in, event);
}

enum status ethos_fd_send(Handle connection, const Handle *handles,
			  uint64_t count, EventId *event)
{
	struct sys_fd_send_in in = { .connection = connection,
				     .handles = handles, .count = count };

	return event_call(SysFdSend, &in, event);
}

enum status ethos_fd_receive(Handle connection, EventId *event)
{
	struct sys_fd_receive_in in = { .connection = connection };

	return event_call(SysFdReceive, &in, event);
}

static enum status handle_wait(EventId e, Handle *h)
{
	struct ethos_handle_result r = { 0 };
	enum status st = ethos_block_and_retire(e, &r, sizeof(r), 0);

	*h = r.handle;
	return st;
}

enum status ethos_import_wait(Handle listening, Handle *connection)
{
	EventId e;
	enum status st = ethos_import(listening, &e);

	return st != StatusOk ? st : handle_wait(e, connection);
}

enum status ethos_ipc_wait(const char *name, Handle *connection)
{
	EventId e;
	enum status st = ethos_ipc(name, &e);

	return st != StatusOk ? st : handle_wait(e, connection);
}

/* A write whose message fits the peer's queue has completed before the
 * call returns: retire it at once, and block only if it was held. */
static enum status retire_or_wait(EventId e)
{
	enum status st = ethos_retire(e, 0, 0, 0);

	return st == StatusNotCompleted ? ethos_block_and_retire(e, 0, 0, 0) : st;
}

enum status ethos_write_wait(Handle connection, const void *buf, uint64_t len)
{
	EventId e;
	enum status st = ethos_write(connection, buf, len, &e);

	return st != StatusOk ? st : retire_or_wait(e);
}

/*
 * write + retire of the write + read + blockRetire of the read, in one
 * batch: one crossing when the message fits the peer's queue (the write
 * completes at once).  Each call's output is the next call's input: the
 * write's event lands in the retire's input, the read's in blockRetire's.
 * Where the batch stops early (a held write, an error, a callback that
 * ran during the wait) the rest runs as separate calls.
 */
enum status ethos_write_read(Handle connection, const void *wbuf, uint64_t wlen,
			     void *rbuf, uint64_t capacity, uint64_t *size)
{
	struct sys_write_in win = { .connection = connection, .buf = wbuf,
				    .len = wlen };
	struct sys_retire_in wret = { 0 }, rret = { .buf = rbuf,
						   .capacity = capacity };
	struct sys_retire_out wout = { 0 }, rout = { 0 };
	struct sys_read_in rin = { .connection = connection };
	struct ethos_batch_call c[4] = {
		{ .nr = SysWrite, .in = &win, .out = &wret.event },
		{ .nr = SysRetire, .in = &wret, .out = &wout },
		{ .nr = SysRead, .in = &rin, .out = &rret.event },
		{ .nr = SysBlockRetire, .in = &rret, .out = &rout },
	};
	_Static_assert(sizeof(struct sys_event_out) == sizeof(EventId),
		       "an event output must be one EventId");
	uint32_t done = 0;
	enum status st = ethos_batch(c, 4, ETHOS_BATCH_STOP, &done);

	if (st != StatusOk)
		return st;
	if (done < 1 || c[0].status != StatusOk)
		return (enum status)c[0].status;
	if (c[1].status == StatusNotCompleted) {          /* held: wait for it */
		if ((st = ethos_block_and_retire(wret.event, 0, 0, 0)) != StatusOk)
			return st;
	} else if (c[1].status != StatusOk) {
		return (enum status)c[1].status;
	} else if (wout.outcome != StatusOk) {
		return (enum status)wout.outcome;
	}
	if (done < 3) {
		if ((st = ethos_read(connection, &rret.event)) != StatusOk)
			return st;
	} else if (c[2].status != StatusOk) {
		return (enum status)c[2].status;
	}
	if (done == 4 && c[3].status != StatusNotCompleted) {
		st = (enum status)c[3].status;
		if (size)
			*size = rout.size;
		if (st == StatusOk && rout.outcome != StatusOk)
			st = (enum status)rout.outcome;
	} else {
		st = ethos_block_and_retire(rret.event, rbuf, capacity, size);
	}
	/* The caller has no id to retire the read with: if it is left (too
	 * big for rbuf, or rbuf bad), it is dropped here, as a datagram read
	 * truncates; with ReturnSpace *size says what it needed.  (A read
	 * already retired, a failed one included, has a stale id now, and
	 * the cancel is refused harmlessly.) */
	if (st != StatusOk)
		(void)ethos_cancel(rret.event);
	return st;
}

enum status ethos_read_wait(Handle connection, void **buf, uint64_t *size)
{
	struct ethos_tree_node leaf = { .kind = TreeLeaf };
	EventId e;
	enum status st = ethos_read(connection, &e);

	if (st != StatusOk)
		return st;
	leaf.event = e;
	st = ethos_block(&leaf, 1, 0, 0);
	if (st != StatusOk && st != StatusCancelled)
		return st;
	return ethos_retire_alloc(e, buf, size);
}

enum status ethos_fd_send_wait(Handle connection, const Handle *handles,
			       uint64_t count)
{
	EventId e;
	enum status st = ethos_fd_send(connection, handles, count, &e);

	return st != StatusOk ? st : retire_or_wait(e);
}

enum status ethos_fd_receive_wait(Handle connection, Handle *handles,
				  uint64_t capacity, uint64_t *count)
{
	EventId e;
	uint64_t size = 0;
	enum status st = ethos_fd_receive(connection, &e);

	if (st != StatusOk)
		return st;
	st = ethos_block_and_retire(e, handles, capacity * sizeof(Handle), &size);
	if (count)
		*count = size / sizeof(Handle);
	return st;
}

/*
 * A connection with both ends in the caller's table, for pipelines: a
 * service of a name of its own, a client, an import, and the service
 * closed again.
 */
enum status ethos_pipe(Handle *a, Handle *b)
{
	static unsigned int serial;
	char name[64];
	Handle listening;
	EventId ei, ec;
	enum status st;

	snprintf(name, sizeof(name), "pipe.%lu.%u",
		 (unsigned long)ethos_getpid(), serial++);
	if ((st = ethos_advertise(name, &listening)) != StatusOk)
		return st;
	if ((st = ethos_ipc(name, &ec)) != StatusOk)
		goto out;
	if ((st = ethos_import(listening, &ei)) != StatusOk) {
		ethos_cancel(ec);
		goto out;
	}
	/* Both complete in the import (they were matched at once). */
	if ((st = handle_wait(ei, a)) != StatusOk) {
		ethos_cancel(ec);
		goto out;
	}
	if ((st = handle_wait(ec, b)) != StatusOk)
		ethos_close(*a);
out:
	ethos_close(listening);
	return st;
}

static enum status process_call(uint32_t op, uint64_t pid, Handle h,
				struct sys_process_out *out)
{
	struct sys_process_in in = { .op = op, .pid = pid, .handle = h };

	return ethos_syscall(SysProcess, &in, out);
}

enum status ethos_process_handle(uint64_t pid, Handle *process)
{
	struct sys_process_out out = { 0 };
	enum status st = process_call(ProcessHandleOf, pid, 0, &out);

	*process = out.handle;
	return st;
}

enum status ethos_process_wait(Handle process, EventId *event)
{
	struct sys_process_out out = { 0 };
	enum status st = process_call(ProcessWait, 0, process, &out);

	*event = out.event;
	return st;
}

enum status ethos_process_kill(Handle process)
{
	return process_call(ProcessKill, 0, process, 0);
}
