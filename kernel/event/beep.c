/*
 * beep: an event that completes at a Xen system time.  Pending beeps are
 * kept in one queue ordered by deadline; the one-shot timer is set to the
 * first.  Insertion scans from the back, so the common case (a deadline
 * later than all others) is O(1).
 */
#include <stddef.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <xen/time.h>

static TAILQ_HEAD(beepq, event) queue = { NULL, &queue.tqh_first };

static void beep_detach(struct event *ev)
{
	TAILQ_REMOVE(&queue, ev, u.beep.link);
}

static const struct event_source beep_source = {
	.name = "beep",
	.detach = beep_detach,
};

static void insert_ordered(struct event *ev)
{
	struct event *later = NULL, *it;

	/* Walk back from the tail to the last beep not after this one. */
	for (it = TAILQ_LAST(&queue, beepq); it != NULL;
	     it = TAILQ_PREV(it, beepq, u.beep.link)) {
		if (it->u.beep.deadline <= ev->u.beep.deadline)
			break;
		later = it;
	}
	if (later != NULL)
		TAILQ_INSERT_BEFORE(later, ev, u.beep.link);
	else
		TAILQ_INSERT_TAIL(&queue, ev, u.beep.link);
}

enum status beep_create(struct proc *p, uint64_t deadline, EventId *id)
{
	enum status st;
	struct event *ev = event_new(p, &beep_source, id, &st);

	if (ev == NULL)
		return st;
	ev->u.beep.deadline = deadline;
	uint64_t now = time_now_ns();
	if (deadline <= now) {
		/* Already due: complete now rather than at the next tick. */
		struct ethos_beep_result r = { .fired_ns = now };
		event_complete(ev, &r, sizeof(r));
		return StatusOk;
	}
	insert_ordered(ev);
	if (TAILQ_FIRST(&queue) == ev)
		sched_rearm_timer();
	return StatusOk;
}

uint64_t beep_next_deadline(void)
{
	struct event *first = TAILQ_FIRST(&queue);

	return first ? first->u.beep.deadline : 0;
}

uint64_t beep_expire(uint64_t now)
{
	struct event *ev;

	while ((ev = TAILQ_FIRST(&queue)) != NULL && ev->u.beep.deadline <= now) {
		struct ethos_beep_result r = { .fired_ns = now };
		TAILQ_REMOVE(&queue, ev, u.beep.link);
		event_complete(ev, &r, sizeof(r));
	}
	return beep_next_deadline();
}
