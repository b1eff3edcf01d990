/*
 * Console input as an event source: readConsole(max) returns an event that
 * completes with between 1 and max bytes of input.  Readers are served in
 * the order they asked.  Input arrives in upcall context; the upcall only
 * asks for deferred work, and the bytes are handed out before the next
 * return to user (or in the idle loop).
 */
#include <stddef.h>
#include "event.h"
#include "proc.h"
#include "console.h"

static TAILQ_HEAD(readq, event) readers = { NULL, &readers.tqh_first };

static void reader_detach(struct event *ev)
{
	TAILQ_REMOVE(&readers, ev, u.console.link);
}

static const struct event_source console_source = {
	.name = "console-input",
	.detach = reader_detach,
};

void console_input_events_init(void)
{
	console_set_input_hook(sched_request_deferred);
	console_input_init();
}

enum status console_read_create(struct proc *p, uint32_t max, EventId *id)
{
	enum status st;
	struct event *ev;

	if (max == 0 || max > ETHOS_CONSOLE_READ_MAX)
		return StatusInvalidArgument;
	if ((ev = event_new(p, &console_source, id, &st)) == NULL)
		return st;
	ev->u.console.max = max;
	TAILQ_INSERT_TAIL(&readers, ev, u.console.link);
	console_input_deliver();
	return StatusOk;
}

void console_input_deliver(void)
{
	char buf[ETHOS_CONSOLE_READ_MAX];
	struct event *ev;

	while ((ev = TAILQ_FIRST(&readers)) != NULL && console_input_available()) {
		size_t n = console_read(buf, ev->u.console.max);
		TAILQ_REMOVE(&readers, ev, u.console.link);
		event_complete(ev, buf, (uint32_t)n);
	}
}

/* For the console driver, when the input side is declared dead: no read
 * would ever complete, so each fails and a tree blocked on it can wake. */
void console_input_fail_all(enum status why)
{
	struct event *ev;

	while ((ev = TAILQ_FIRST(&readers)) != NULL) {
		TAILQ_REMOVE(&readers, ev, u.console.link);
		event_fail(ev, why);
	}
}
