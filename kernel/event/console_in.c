/*
 * Console input as an event source: readConsole(max) returns an event that
 * completes with between 1 and max bytes of input.  Readers are served in
 * the order they asked.
 *
 * The driver (xen/console.c) hands bytes over in upcall context; they wait
 * in a ring buffer here, and are given to readers in deferred work before
 * the next return to user (or in the idle loop).  Bytes that arrive when
 * the buffer is full are dropped: a reader that never reads must not
 * stall the backend.
 */
#include <stddef.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <kernel/deferred.h>
#include <xen/console.h>

#define INPUT_SIZE 4096

static char input[INPUT_SIZE];
static uint32_t input_head, input_tail;     /* free-running indexes */
static TAILQ_HEAD(readq, event) readers = { NULL, &readers.tqh_first };

/* Upcall context: store, and ask for deferred delivery. */
static void input_arrived(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (input_head - input_tail < INPUT_SIZE)
			input[input_head++ % INPUT_SIZE] = buf[i];
	deferred_request();
}

static size_t input_take(char *buf, size_t max)
{
	size_t n = 0;

	while (n < max && input_tail != input_head)
		buf[n++] = input[input_tail++ % INPUT_SIZE];
	return n;
}

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
	console_input_init(input_arrived);
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

	while ((ev = TAILQ_FIRST(&readers)) != NULL && input_tail != input_head) {
		size_t n = input_take(buf, ev->u.console.max);
		TAILQ_REMOVE(&readers, ev, u.console.link);
		event_complete(ev, buf, (uint32_t)n);
	}
}
