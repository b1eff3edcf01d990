/*
 * beep: an event that completes at a Xen system time.  Pending beeps are
 * kept in a min-heap by deadline (beepheap.h): insert and cancel are
 * O(log n) whatever the order of deadlines, and the one-shot timer is set
 * to the first, found in O(1).
 */
#include <stddef.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <xen/time.h>
#include <kernel/beepheap.h>
#include <kernel/uaccess.h>
#include <kernel/batchrun.h>
#include <kernel/event_new.h>

static struct beep_heap heap;

/*
 * The time a batch's beeps are compared with: read at the batch's first
 * beep and kept until the batch ends (beep_batch_begin/_end, sys_batch),
 * where a Xen clock read a beep was a tenth of a batched beep's cost.
 * It is at most the batch's duration early, and it only decides whether
 * a beep is already due: a deadline after it goes to the heap, and one
 * that passed meanwhile fires at once from the timer, so no beep ever
 * fires before its deadline (fired_ns >= deadline either way).
 * Outside a batch the clock is read each time.  (A batch runs to its
 * end without a switch: a yield in it takes effect on the return to user
 * mode, and the calls that block are refused in a batch but the last.)
 * beep_batch_now is 0 until the batch's first beep reads it: a beep tests
 * one word.
 */
bool beep_in_batch;
uint64_t beep_batch_now;

static __attribute__((noinline)) uint64_t beep_read_clock(void)
{
	uint64_t now = time_now_ns();

	if (beep_in_batch)
		beep_batch_now = now;
	return now;
}

static inline uint64_t beep_now(void)
{
	return __builtin_expect(beep_batch_now != 0, 1) ? beep_batch_now :
							   beep_read_clock();
}

static void beep_detach(struct event *ev)
{
	beep_heap_remove(&heap, ev);
}

static const struct event_source beep_source = {
	.name = "beep",
	.detach = beep_detach,
};

/* A new beep of p for deadline: its id in *id, or a status and nothing
 * created.  Inline in beep_syscall, the hot path (a batch of beeps). */
/* A beep already due: completed at once rather than at the next tick. */
static __attribute__((noinline)) enum status
beep_make_due(struct proc *p, uint64_t deadline, uint64_t now, EventId *id)
{
	enum status st;
	struct event *ev = event_new_inline(p, &beep_source, id, &st, false);

	if (ev == NULL)
		return st;
	ev->u.beep.deadline = deadline;
	ev->u.beep.index = 0;
	struct ethos_beep_result r = { .fired_ns = now };
	event_complete(ev, &r, sizeof(r));
	return StatusOk;
}

static inline __attribute__((always_inline)) enum status
beep_make(struct proc *p, uint64_t deadline, uint64_t now, EventId *id)
{
	enum status st;

	if (__builtin_expect(deadline <= now, 0))
		return beep_make_due(p, deadline, now, id);
	/* Room in the heap first: a failing beep creates no event. */
	if (!beep_heap_reserve(&heap))
		return StatusNoMemory;
	struct event *ev = event_new_inline(p, &beep_source, id, &st, false);
	if (__builtin_expect(ev == NULL, 0)) {
		beep_heap_trim(&heap);
		return st;
	}
	ev->u.beep.deadline = deadline;
	beep_heap_insert_inline(&heap, ev);
	if (ev->u.beep.index == 0)        /* the first now: the timer moves */
		sched_rearm_timer();
	return StatusOk;
}

/*
 * SysBeep, in one function (no sys_beep -> beep_create -> event_new
 * layers, each saving registers): the input is one word, loaded inline.
 * The id is stored without a probe first: if that store faults, the new
 * beep is released again before the call returns BadAddress, so a failed
 * beep leaves no event, memory or heap entry behind.  The one trace is
 * its slot's generation, which moved on: the next id in that slot looks
 * different, no id the caller holds changes meaning.  A beep that has to
 * grow the table or the heap probes first (the growth stays).
 */
static inline __attribute__((always_inline)) enum status
beep_call(struct proc *p, uintptr_t uin, uintptr_t uout, uint64_t now)
{
	uint64_t deadline;
	EventId id;
	enum status st;

	_Static_assert(sizeof(struct sys_beep_in) == 8 &&
		       sizeof(struct sys_event_out) == 8, "one word each");
	if (!user_range_ok(uin, 8) || !uaccess_load64(&deadline, uin))
		return StatusBadAddress;
	if (!user_range_ok(uout, 8))
		return StatusBadAddress;
	/* A beep that grows the event table or the heap's array probes its
	 * output first: a growth is not undone by the release below.  (The
	 * probed page stays writable: the store after it cannot fault.) */
	if ((__builtin_expect(p->events.free_head == EVENT_NO_SLOT, 0) ||
	     beep_heap_full(&heap)) &&
	    !uaccess_probe_write(uout))
		return StatusBadAddress;
	if ((st = beep_make(p, deadline, now, &id)) != StatusOk)
		return st;
	if (__builtin_expect(!uaccess_store64(uout, id), 0)) {
		event_release(event_lookup(p, id));
		return StatusBadAddress;
	}
	return StatusOk;
}

enum status beep_syscall(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	return beep_call(p, uin, uout, beep_now());
}

/* A run reads the batch's clock once (each user move is a compiler
 * barrier: beep_now in the loop would load it per beep). */
#define BEEP_RUN_CALL(p, cin, cout) beep_call(p, cin, cout, now)
DEFINE_BATCH_RUN(beep_batch_run, SysBeep, BEEP_RUN_CALL,
		 uint64_t now = beep_now())

uint64_t beep_next_deadline(void)
{
	struct event *first = beep_heap_first(&heap);

	return first ? first->u.beep.deadline : 0;
}

uint64_t beep_expire(uint64_t now)
{
	struct event *ev;

	while ((ev = beep_heap_first(&heap)) != NULL && ev->u.beep.deadline <= now) {
		struct ethos_beep_result r = { .fired_ns = now };
		beep_heap_remove(&heap, ev);
		event_complete(ev, &r, sizeof(r));
	}
	return beep_next_deadline();
}
