/* The event table and the event life cycle; see event.h. */
#include <stddef.h>
#include <kernel/event.h>
#include <kernel/proc.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>
#include <kernel/kstat.h>
#include <kernel/uaccess.h>
#include <kernel/batchrun.h>
#include <kernel/event_new.h>

#define NO_SLOT EVENT_NO_SLOT
#define FIRST_CAPACITY 64

void event_table_init(struct event_table *t)
{
	t->slots = NULL;
	t->capacity = 0;
	t->live = 0;
	t->retired = 0;
	t->free_head = NO_SLOT;
}

/* Doubles the slot array (up to EVENTS_PER_PROC), threading new slots
 * onto the free list.  Generations start at 1 so no id is 0. */
bool event_table_grow(struct event_table *t)
{
	uint32_t cap = t->capacity ? t->capacity * 2 : FIRST_CAPACITY;

	if (cap > EVENTS_PER_PROC)
		return false;
	struct event_slot *slots = krealloc(t->slots,
					    t->capacity * sizeof(*slots),
					    cap * sizeof(*slots));
	if (slots == NULL)
		return false;
	for (uint32_t i = t->capacity; i < cap; i++) {
		slots[i].ev = NULL;
		slots[i].generation = 1;
		slots[i].next_free = i + 1 < cap ? i + 1 : t->free_head;
	}
	t->free_head = t->capacity;
	t->slots = slots;
	t->capacity = cap;
	return true;
}

struct event *event_new(struct proc *p, const struct event_source *src,
			EventId *id, enum status *st)
{
	return event_new_inline(p, src, id, st, true);
}

EventId event_id(const struct event *ev)
{
	uint32_t gen = ev->owner->events.slots[ev->slot].generation;

	return ((EventId)gen << 32) | (ev->slot + 1);
}

static inline __attribute__((always_inline)) struct event *
lookup_inline(struct proc *p, EventId id)
{
	const struct event_table *t = &p->events;
	uint32_t index = (uint32_t)id;

	if (index == 0 || index > t->capacity)
		return NULL;
	const struct event_slot *s = &t->slots[index - 1];
	if (s->ev == NULL || s->generation != (uint32_t)(id >> 32))
		return NULL;
	return s->ev;
}

struct event *event_lookup(struct proc *p, EventId id)
{
	return lookup_inline(p, id);
}

/*
 * Every way of completing an event ends here: the one place that tells
 * the event's wait and queues its callback.  (event_complete_owned,
 * _take and _chunks once had their own copies of these lines without the
 * callback, and a callback on an IPC or file read of over 32 bytes never
 * ran.)
 */
static void mark_completed(struct event *ev, enum status failure)
{
	ev->failure = failure;
	ev->state = EventCompleted;
	if (ev->wait != NULL)
		wait_leaf_completed(ev);
	if (ev->cb != NULL)
		callback_event_due(ev);
}

void event_complete(struct event *ev, const void *result, uint32_t size)
{
	ASSERT(ev->state == EventPending);
	ev->result = size <= EVENT_INLINE_RESULT ? ev->inline_result : kmalloc(size);
	if (ev->result == NULL) {
		/* Out of memory: the event completes with an empty result. */
		ev->result = ev->inline_result;
		size = 0;
	}
	memcpy(ev->result, result, size);
	ev->result_size = size;
	mark_completed(ev, StatusOk);
}

void event_complete_take(struct event *ev, void *result, uint32_t size)
{
	ASSERT(ev->state == EventPending);
	if (size <= EVENT_INLINE_RESULT || result == NULL) {
		event_complete(ev, result, result != NULL ? size : 0);
		kfree(result);
		return;
	}
	ev->result = result;
	ev->result_size = size;
	mark_completed(ev, StatusOk);
}

void event_complete_chunks(struct event *ev, uint8_t **chunks, uint32_t n,
			   uint32_t size)
{
	ASSERT(ev->state == EventPending && n > 0);
	ASSERT(size <= (uint64_t)n * EVENT_CHUNK_BYTES);
	ev->result = (uint8_t *)chunks;
	ev->result_chunks = n;
	ev->result_size = size;
	mark_completed(ev, StatusOk);
}

/* A result in blocks of EVENT_CHUNK_BYTES (files): out of line, so that
 * the common copy saves no registers for it. */
static __attribute__((noinline)) enum status
result_copyout_chunks(const struct event *ev, uintptr_t ubuf)
{
	enum status st;

	if ((st = user_writable(ubuf, ev->result_size)) != StatusOk)
		return st;
	uint8_t **chunks = (uint8_t **)ev->result;
	for (uint32_t i = 0, done = 0; done < ev->result_size; i++) {
		uint32_t n = ev->result_size - done < EVENT_CHUNK_BYTES ?
			     ev->result_size - done : EVENT_CHUNK_BYTES;
		if ((st = copyout(ubuf + done, chunks[i], n)) != StatusOk)
			return st;
		done += n;
	}
	return StatusOk;
}

/* Inlined into event_retire too: the beep or exit result it copies is a
 * few words. */
static inline __attribute__((always_inline)) enum status
result_copyout(const struct event *ev, uintptr_t ubuf)
{
	if (ev->result_chunks != 0)
		return result_copyout_chunks(ev, ubuf);
	/* A result of whole words in the event (a beep's, a child's exit):
	 * inline moves, not uaccess_copy's loop. */
	if (ev->result == ev->inline_result && ev->result_size % 8 == 0) {
		if (!user_range_ok(ubuf, ev->result_size))
			return StatusBadAddress;
		for (uint32_t i = 0; i < ev->result_size; i += 8) {
			uint64_t w;
			__builtin_memcpy(&w, ev->inline_result + i, 8);
			if (!uaccess_store64(ubuf + i, w))
				return StatusBadAddress;
		}
		return StatusOk;
	}
	return copyout(ubuf, ev->result, ev->result_size);
}

enum status event_result_copyout(const struct event *ev, uintptr_t ubuf)
{
	return result_copyout(ev, ubuf);
}

static void result_free(struct event *ev)
{
	if (ev->result_chunks != 0) {
		kfree_chunks((uint8_t **)ev->result, ev->result_chunks);
		ev->result_chunks = 0;
	} else if (ev->result != NULL && ev->result != ev->inline_result) {
		kfree(ev->result);
	}
}

void event_complete_owned(struct event *ev, void *buf, uint32_t size)
{
	ASSERT(ev->state == EventPending && buf != NULL);
	ev->result = buf;
	ev->result_size = size;
	mark_completed(ev, StatusOk);
}

void event_fail(struct event *ev, enum status why)
{
	ASSERT(ev->state == EventPending);
	/* StatusOk would read as success; StatusBlocked is no status. */
	ASSERT(why != StatusOk && why != StatusBlocked);
	ev->result = ev->inline_result;
	ev->result_size = 0;
	mark_completed(ev, why);
}

/* What event_release does besides giving back the slot and the object:
 * out of line, so that the common release (a completed event with an
 * inline result, no wait, no callback: retire) saves no registers for it. */
static __attribute__((noinline)) void release_attachments(struct event *ev)
{
	if (ev->wait != NULL) {          /* a leftover leaf of a decided wait */
		ASSERT(ev->state == EventPending);
		wait_detach(ev);
	}
	if (ev->state == EventPending && ev->source->detach != NULL)
		ev->source->detach(ev);
	if (ev->cb != NULL)
		callback_event_release(ev);
	result_free(ev);
}

static inline __attribute__((always_inline)) void release_inline(struct event *ev)
{
	struct event_table *t = &ev->owner->events;
	struct event_slot *s = &t->slots[ev->slot];

	ASSERT(s->ev == ev);
	if (__builtin_expect(ev->state == EventPending || ev->wait != NULL || ev->cb != NULL ||
	    ev->result_chunks != 0 ||
	    (ev->result != NULL && ev->result != ev->inline_result), 0))
		release_attachments(ev);
	s->ev = NULL;
	t->live--;
	if (__builtin_expect(s->generation == UINT32_MAX, 0)) {
		/*
		 * The slot's ids are used up: a wrapped generation would make
		 * some old id name a new event.  It is never reused (and not
		 * on the free list); the table grows past it, and once it is
		 * at EVENTS_PER_PROC slots, retired ones count as used.
		 */
		t->retired++;
	} else {
		s->generation++;         /* every old id is now stale */
		s->next_free = t->free_head;
		t->free_head = ev->slot;
	}
	DEBUG_ASSERT(t->live + t->retired <= t->capacity);
	ev->state = EventFree;
	event_obj_free(ev);
	kstat_dec(KStatEvents);
}

void event_release(struct event *ev)
{
	release_inline(ev);
}

/* SysRetire's rules on in (already in kernel memory); inline in
 * retire_syscall, the hot path. */
static inline __attribute__((always_inline)) enum status
retire_inline(struct proc *p, const struct sys_retire_in *in, uintptr_t uout)
{
	struct sys_retire_out out;
	struct event *ev;
	enum status st;

	if ((ev = lookup_inline(p, in->event)) == NULL)
		return StatusInvalidEvent;
	if (ev->state != EventCompleted)
		return StatusNotCompleted;
	if (__builtin_expect(ev->failure != StatusOk, 0)) {
		/* A failed event has no result.  Retire frees it and reports the
		 * failure as the event's outcome: the call itself succeeded. */
		out = (struct sys_retire_out){ .size = 0, .outcome = ev->failure };
		if ((st = copyout(uout, &out, sizeof(out))) != StatusOk)
			return st;       /* nothing written: the event stays */
		release_inline(ev);
		return StatusOk;
	}
	out = (struct sys_retire_out){ .size = ev->result_size,
				       .outcome = StatusOk };
	if ((st = copyout(uout, &out, sizeof(out))) != StatusOk)
		return st;
	if (in->capacity < ev->result_size)
		return StatusReturnSpace;     /* the event stays completed */
	/* A bad buffer fails here, before the event is freed. */
	if ((st = result_copyout(ev, (uintptr_t)in->buf)) != StatusOk)
		return st;
	release_inline(ev);
	return StatusOk;
}

enum status event_retire(struct proc *p, const struct sys_retire_in *in,
			 uintptr_t uout)
{
	return retire_inline(p, in, uout);
}

/*
 * SysRetire.  The common case (a beep's or a child's exit: succeeded, a
 * result of whole words in the event, no callback) is one function with
 * no call: the slot found by the id is the one freed, the fields are read
 * once into registers (each user store is a compiler barrier), and the
 * result's words are moved inline.  Everything else goes through
 * event_retire, the same rules in full.
 */
/* event_retire from retire_syscall's words: its input stays in
 * registers there (no address taken). */
static __attribute__((noinline)) enum status
retire_slow(struct proc *p, EventId event, uint64_t buf, uint64_t capacity,
	    uintptr_t uout)
{
	struct sys_retire_in in = { .event = event, .buf = (void *)buf,
				    .capacity = capacity };

	return event_retire(p, &in, uout);
}

static inline __attribute__((always_inline)) enum status
retire_call(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct event_table *t = &p->events;
	uint64_t event, buf, capacity;

	_Static_assert(sizeof(struct sys_retire_in) == 24, "three words");
	if (!user_range_ok(uin, 24) || !uaccess_load64(&event, uin) ||
	    !uaccess_load64(&buf, uin + 8) || !uaccess_load64(&capacity, uin + 16))
		return StatusBadAddress;
	/* Index 0 wraps to UINT32_MAX: one compare for both bounds. */
	uint32_t slot = (uint32_t)event - 1;
	if (slot >= t->capacity)
		return StatusInvalidEvent;
	struct event_slot *s = &t->slots[slot];
	struct event *ev = s->ev;
	if (ev == NULL || s->generation != (uint32_t)(event >> 32))
		return StatusInvalidEvent;
	uint32_t size = ev->result_size;
	/* The five tests of the common case as one (or-ed, one branch). */
	if (((uint64_t)(ev->state ^ EventCompleted) | (uint64_t)ev->failure |
	     (size % 8) | (uintptr_t)ev->cb |
	     ((uintptr_t)ev->result ^ (uintptr_t)ev->inline_result)) != 0)
		return retire_slow(p, event, buf, capacity, uout);
	/* Completed: no wait holds it, its result is inline (no chunks). */
	DEBUG_ASSERT(ev->wait == NULL && ev->result_chunks == 0);
	/* Decided before the stores (each is a compiler barrier), applied
	 * after them: the size is written on ReturnSpace too. */
	bool room = capacity >= size;
	if (!user_range_ok(uout, sizeof(struct sys_retire_out)) ||
	    !uaccess_store64(uout + offsetof(struct sys_retire_out, size), size) ||
	    !uaccess_store64(uout + offsetof(struct sys_retire_out, outcome), StatusOk))
		return StatusBadAddress;
	if (!room)
		return StatusReturnSpace;     /* the event stays completed */
	/* An inline result is at most EVENT_INLINE_RESULT bytes: a buffer
	 * that far below the top needs no exact check. */
	if (buf > USER_TOP - EVENT_INLINE_RESULT && !user_range_ok(buf, size))
		return StatusBadAddress;
	/* Word by word, unrolled: a beep's result is one word. */
	_Static_assert(EVENT_INLINE_RESULT == 32, "four words at most");
	const uint8_t *r = ev->inline_result;
#pragma GCC unroll 4
	for (uint32_t i = 0; i < EVENT_INLINE_RESULT / 8; i++) {
		uint64_t w;
		if (size <= 8 * i)
			break;
		__builtin_memcpy(&w, r + 8 * i, 8);
		if (!uaccess_store64(buf + 8 * i, w))
			return StatusBadAddress;   /* before the event is freed */
	}
	/* event_release's own steps for this case. */
	s->ev = NULL;
	t->live--;
	if (__builtin_expect(s->generation == UINT32_MAX, 0)) {
		t->retired++;            /* see event_release */
	} else {
		s->generation++;
		s->next_free = t->free_head;
		t->free_head = slot;
	}
	/* (No EventFree store: the cache's link overwrites the state.) */
	_Static_assert(offsetof(struct event, state) == 0, "the link's word");
	event_obj_free(ev);
	/* ev was live in the table, so the count holds it: kstat_dec's
	 * check is the debug build's here. */
	DEBUG_ASSERT(kstat[KStatEvents] > 0);
	kstat[KStatEvents]--;
	return StatusOk;
}

enum status retire_syscall(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	return retire_call(p, uin, uout);
}

DEFINE_BATCH_RUN(retire_batch_run, SysRetire, retire_call, (void)0)

void event_table_destroy(struct proc *p)
{
	struct event_table *t = &p->events;

	for (uint32_t i = 0; i < t->capacity; i++)
		if (t->slots[i].ev != NULL)
			event_release(t->slots[i].ev);
	ASSERT(t->live == 0);
	kfree(t->slots);
	event_table_init(t);
}

/* Child exit: completed by proc_exit; detached if the parent drops it. */
static void child_detach(struct event *ev)
{
	if (ev->u.child.child != NULL)
		ev->u.child.child->exit_event = NULL;
}

const struct event_source child_exit_source = {
	.name = "child-exit",
	.detach = child_detach,
};
