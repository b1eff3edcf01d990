/*
 * SysBlockRetire: block on one event and retire it in one call, alone and
 * as the last call of a batch (ethos_write_read).  Hostile input: unknown
 * ids, an output that is not writable (refused before the sleep, the
 * event untouched), a buffer that is bad or too small after the sleep
 * (the event stays completed), blockRetire anywhere but last in a batch,
 * and a callback that runs while a batch waits; ethos_write_read, whose
 * answer too big for the buffer, or bound for a bad one, is dropped.
 */
#include "check.h"

#define MS 1000000ULL

static uint64_t events(void)
{
	uint64_t v[KStatCount];

	ethos_kernel_stats(v, 0);
	return v[KStatEvents];
}

static enum status raw(EventId e, void *buf, uint64_t cap,
		       struct sys_retire_out *out)
{
	struct sys_retire_in in = { .event = e, .buf = buf, .capacity = cap };

	return ethos_syscall(SysBlockRetire, &in, out);
}

static EventId beep_in(uint64_t ms)
{
	EventId e = 0;

	ethos_beep(ethos_time() + ms * MS, &e);
	return e;
}

static void alone(void)
{
	struct ethos_beep_result r = { 0 };
	struct sys_retire_out out = { 0 };
	uint64_t before = events(), t0 = ethos_time();
	EventId e;

	e = beep_in(2);
	CHECK_STATUS("a pending beep: blocks, then retired", raw(e, &r, sizeof(r), &out),
		     StatusOk);
	CHECK("its result and size, after its deadline, the event gone",
	      out.size == sizeof(r) && out.outcome == StatusOk &&
	      r.fired_ns >= t0 + 2 * MS && events() == before);
	CHECK_STATUS("the same id again", raw(e, &r, sizeof(r), &out),
		     StatusInvalidEvent);
	CHECK_STATUS("a made-up id", raw(0x1234500000001ULL, &r, sizeof(r), &out),
		     StatusInvalidEvent);
	CHECK_STATUS("id 0", raw(0, &r, sizeof(r), &out), StatusInvalidEvent);

	ethos_beep(0, &e);
	CHECK_STATUS("a completed beep: retired at once",
		     ethos_block_and_retire(e, &r, sizeof(r), 0), StatusOk);

	/* Refused before the sleep (the beep is an hour away: a call that
	 * slept first would hang here): nothing happens to the event. */
	e = beep_in(3600 * 1000);
	CHECK_STATUS("output in read-only text", raw(e, &r, sizeof(r),
						    (void *)in_text),
		     StatusBadAddress);
	CHECK_STATUS("output in the kernel", raw(e, &r, sizeof(r),
			(void *)0xffff888000000000UL), StatusBadAddress);
	uint64_t n = 0;
	ethos_pending_events(0, 0, &n);
	CHECK("the event is still pending", n == 1 && events() == before + 1);
	ethos_cancel(e);
	e = beep_in(1);

	/* Too small after the sleep: ReturnSpace, the size, the event kept. */
	CHECK_STATUS("a buffer too small", raw(e, &r, 1, &out), StatusReturnSpace);
	CHECK("the size it needs; the event stays completed",
	      out.size == sizeof(r) && events() == before + 1);
	CHECK_STATUS("then retired with room", raw(e, &r, sizeof(r), &out), StatusOk);
	CHECK("gone", events() == before);

	/* A bad buffer after the sleep: BadAddress, the event kept. */
	e = beep_in(1);
	CHECK_STATUS("a buffer in read-only text", raw(e, (void *)in_text,
						      sizeof(r), &out),
		     StatusBadAddress);
	CHECK("the event stays completed", events() == before + 1);
	CHECK_STATUS("retire takes it", ethos_retire(e, &r, sizeof(r), 0), StatusOk);
	CHECK("no event left", events() == before);
}

/* A read that fails after it was made (the peer ends): the failure is the
 * answer, and the event is freed.  The child ends only when told to (we
 * close its second pipe), after our read exists: a child that ended
 * first would make the read itself fail Closed, with no event. */
static void failed_while_waiting(void)
{
	uint64_t before = events(), pid, x;
	Handle a, b, go, wait_go;
	EventId ev, e;

	if (ethos_pipe(&a, &b) != StatusOk || ethos_pipe(&go, &wait_go) != StatusOk ||
	    ethos_fork(&pid, &ev) != StatusOk) {
		CHECK("pipes and fork", 0);
		return;
	}
	if (pid == 0) {
		void *buf;
		uint64_t size;

		ethos_close(a);
		ethos_close(go);
		ethos_read_wait(wait_go, &buf, &size);  /* Closed: our turn */
		ethos_exit(0);      /* b goes with us */
	}
	ethos_close(b);
	ethos_close(wait_go);
	CHECK_STATUS("a read while the peer lives", ethos_read(a, &e), StatusOk);
	ethos_close(go);
	CHECK_STATUS("a read the peer's end fails", ethos_block_and_retire(e, &x,
		     sizeof(x), 0), StatusClosed);
	struct ethos_exit_result r;
	ethos_block_and_retire(ev, &r, sizeof(r), 0);
	ethos_close(a);
	CHECK("its event freed", events() == before);
}

static struct ethos_batch_call calls[3];

static void in_batch(void)
{
	struct sys_beep_in bin = { .deadline_ns = ethos_time() + 2 * MS };
	struct sys_retire_in rin = { 0 };
	struct ethos_beep_result r = { 0 };
	struct sys_retire_out out = { 0 };
	uint64_t before = events();
	uint32_t done = 0;

	rin.buf = &r;
	rin.capacity = sizeof(r);
	calls[0] = (struct ethos_batch_call){ SysBeep, &bin, &rin.event, 77 };
	calls[1] = (struct ethos_batch_call){ SysBlockRetire, &rin, &out, 77 };
	calls[2] = (struct ethos_batch_call){ SysGetPid, 0, &done, 77 };
	CHECK_STATUS("blockRetire not last in a batch",
		     ethos_batch(calls, 3, 0, &done), StatusOk);
	CHECK("refused there (InvalidSyscall), the others ran",
	      calls[1].status == StatusInvalidSyscall && calls[0].status == StatusOk);
	ethos_cancel(rin.event);
	CHECK("nothing left", events() == before);

	bin.deadline_ns = ethos_time() + 2 * MS;
	calls[0].status = calls[1].status = 77;
	done = 0;
	CHECK_STATUS("a beep + blockRetire batch", ethos_batch(calls, 2, 0, &done),
		     StatusOk);
	CHECK("it waited: both statuses Ok, done 2, the result, no event left",
	      calls[0].status == StatusOk && calls[1].status == StatusOk &&
	      done == 2 && out.size == sizeof(r) &&
	      r.fired_ns >= bin.deadline_ns && events() == before);
}

static volatile int cb_ran;

static void on_beep(EventId e, void *arg)
{
	(void)e;
	(void)arg;
	cb_ran = 1;
}

/* A callback while the batch waits: the batch returns, NotCompleted in the
 * entry, the event still pending (a batch is never run twice). */
static void callback_in_batch(void)
{
	struct sys_retire_in rin = { 0 };
	struct ethos_beep_result r = { 0 };
	struct sys_retire_out out = { 0 };
	uint64_t before = events();
	uint32_t done = 0;
	EventId near;

	/* The near beep's callback must come while the batch waits: not
	 * before the batch starts, nor after the far beep has fired.  On a
	 * stalled emulator either can happen; only then, try again with
	 * both beeps later. */
	enum status st = StatusOk;
	for (uint64_t ms = 1; ms <= 1024; ms *= 4) {
		cb_ran = 0;
		ethos_beep(ethos_time() + ms * MS, &near);
		ethos_callback(near, on_beep, 0);
		rin.event = beep_in(20 * ms);
		rin.buf = &r;
		rin.capacity = sizeof(r);
		calls[0] = (struct ethos_batch_call){ SysBlockRetire, &rin, &out, 77 };
		done = 0;
		int early = cb_ran;
		st = ethos_batch(calls, 1, 0, &done);
		if ((!early && calls[0].status == StatusNotCompleted) || ms == 1024)
			break;
		printf("blockretire: the %lu ms beep's callback came %s; again, later\n",
		       (unsigned long)ms, early ? "before the batch" : "after the far beep");
		ethos_cancel(near);
		if (calls[0].status != StatusOk)
			ethos_cancel(rin.event);  /* not retired: still ours */
	}
	CHECK_STATUS("a batch waiting when a callback runs", st, StatusOk);
	CHECK("the callback ran; the entry says NotCompleted; done 1",
	      cb_ran && calls[0].status == StatusNotCompleted && done == 1);
	CHECK("the far event is still there", events() >= before + 1);
	CHECK_STATUS("then waited for alone", ethos_block_and_retire(rin.event, &r,
		     sizeof(r), 0), StatusOk);
	ethos_cancel(near);        /* its callback ran; the event stays */
	CHECK("nothing left", events() == before);
}

/* ethos_write_read against an echoing child, and a message that has to
 * wait in the peer's queue (the batch stops at its retire). */
static void write_read(void)
{
	uint64_t before = events(), pid, x = 41, y = 0, size = 0;
	Handle a, b;
	EventId ev, e;
	int ok = 1;

	if (ethos_pipe(&a, &b) != StatusOk || ethos_fork(&pid, &ev) != StatusOk) {
		CHECK("pipe and fork", 0);
		return;
	}
	if (pid == 0) {
		ethos_close(a);
		if (ethos_read(b, &e) != StatusOk ||
		    ethos_block_and_retire(e, &x, sizeof(x), &size) != StatusOk)
			ethos_exit(1);
		do
			x++;
		while (ethos_write_read(b, &x, sizeof(x), &x, sizeof(x), &size) ==
		       StatusOk);
		ethos_exit(0);
	}
	ethos_close(b);
	for (int i = 0; i < 100; i++) {
		ok &= ethos_write_read(a, &x, sizeof(x), &y, sizeof(y), &size) ==
		      StatusOk && size == sizeof(y) && y == x + 1;
		x = y + 1;
	}
	CHECK("100 round trips, each answer the question + 1", ok);
	CHECK_STATUS("a buffer too small for the answer",
		     ethos_write_read(a, &x, sizeof(x), &y, 1, &size),
		     StatusReturnSpace);
	uint64_t pending = 0, completed = 0;
	ethos_pending_events(0, 0, &pending);
	ethos_completed_events(0, 0, &completed);
	CHECK("its size is told; the answer is dropped (of ours, only the "
	      "child's exit event is left)", size == sizeof(y) && pending == 1 &&
	      completed == 0);
	CHECK("the next round trip works", ethos_write_read(a, &x, sizeof(x), &y,
	      sizeof(y), &size) == StatusOk && y == x + 1);
	CHECK_STATUS("an unmapped buffer for the answer",
		     ethos_write_read(a, &x, sizeof(x), (void *)0x10, sizeof(y), &size),
		     StatusBadAddress);
	ethos_pending_events(0, 0, &pending);
	ethos_completed_events(0, 0, &completed);
	CHECK("its answer is dropped too (no event left behind)",
	      pending == 1 && completed == 0);
	x = y + 1;
	CHECK("and the round trip after it works", ethos_write_read(a, &x,
	      sizeof(x), &y, sizeof(y), &size) == StatusOk && y == x + 1);
	ethos_close(a);
	struct ethos_exit_result r;
	ethos_block_and_retire(ev, &r, sizeof(r), 0);
	CHECK("the child ended well", r.status == 0);
	CHECK("no event left", events() == before);
}

int main(void)
{
	check_program = "blockretire";
	alone();
	failed_while_waiting();
	in_batch();
	callback_in_batch();
	write_read();
	return check_failures;
}
