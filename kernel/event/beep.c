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

static struct beep_heap heap;

static void beep_detach(struct event *ev)
{
	beep_heap_remove(&heap, ev);
}

static const struct event_source beep_source = {
	.name = "beep",
	.detach = beep_detach,
};

enum status beep_create(struct proc *p, uint64_t deadline, EventId *id)
{
	enum status st;
	uint64_t now = time_now_ns();
	bool due = deadline <= now;

	/* Room in the heap first: a failing beep creates no event. */
	if (!due && !beep_heap_reserve(&heap))
		return StatusNoMemory;
	struct event *ev = event_new(p, &beep_source, id, &st);
	if (ev == NULL) {
		beep_heap_trim(&heap);
		return st;
	}
	ev->u.beep.deadline = deadline;
	if (due) {
		/* Already due: complete now rather than at the next tick. */
		struct ethos_beep_result r = { .fired_ns = now };
		event_complete(ev, &r, sizeof(r));
		return StatusOk;
	}
	beep_heap_insert(&heap, ev);
	if (beep_heap_first(&heap) == ev)
		sched_rearm_timer();
	return StatusOk;
}

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
