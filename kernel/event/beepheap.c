/* The beep min-heap; see beepheap.h. */
#include <stddef.h>
#include <kernel/beepheap.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>

#define MIN_CAPACITY BEEP_HEAP_SMALL

static inline uint64_t key(const struct beep_heap *h, uint32_t i)
{
	return h->slot[i]->u.beep.deadline;
}

static inline void put(struct beep_heap *h, uint32_t i, struct event *ev)
{
	h->slot[i] = ev;
	ev->u.beep.index = i;
}

/* Up to BEEP_HEAP_SMALL the array is the heap's own (h->small): a batch
 * of beeps made and cancelled does not kmalloc and kfree an array each
 * time.  The array moves between the two as the capacity crosses it. */
static bool resize(struct beep_heap *h, uint32_t capacity)
{
	struct event **slot = capacity <= BEEP_HEAP_SMALL ? h->small :
			      kmalloc(capacity * sizeof(*slot));

	if (slot == NULL)
		return false;
	if (slot != h->slot) {
		if (h->count != 0)
			memcpy(slot, h->slot, h->count * sizeof(*slot));
		if (h->slot != h->small)
			kfree(h->slot);
	}
	h->slot = slot;
	h->capacity = capacity;
	return true;
}

bool beep_heap_grow(struct beep_heap *h)
{
	return resize(h, h->capacity ? h->capacity * 2 : MIN_CAPACITY);
}

/* An empty heap keeps its own array (no memory of its own to give
 * back): the next beep needs no growth. */
void beep_heap_trim(struct beep_heap *h)
{
	if (h->count == 0) {
		if (h->slot != h->small)
			kfree(h->slot);
		h->slot = h->small;
		h->capacity = BEEP_HEAP_SMALL;
	}
}

void beep_heap_sift_up(struct beep_heap *h, uint32_t i)
{
	struct event *ev = h->slot[i];
	uint64_t d = ev->u.beep.deadline;

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;
		if (key(h, parent) <= d)
			break;
		put(h, i, h->slot[parent]);
		i = parent;
	}
	put(h, i, ev);
}

/* Moves the event at i towards the leaves while a child is earlier. */
static void sift_down(struct beep_heap *h, uint32_t i)
{
	struct event *ev = h->slot[i];
	uint64_t d = ev->u.beep.deadline;

	for (;;) {
		uint32_t child = 2 * i + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count && key(h, child + 1) < key(h, child))
			child++;
		if (d <= key(h, child))
			break;
		put(h, i, h->slot[child]);
		i = child;
	}
	put(h, i, ev);
}

void beep_heap_insert(struct beep_heap *h, struct event *ev)
{
	ASSERT(h->count < h->capacity);
	put(h, h->count++, ev);
	beep_heap_sift_up(h, h->count - 1);
}

void beep_heap_remove(struct beep_heap *h, struct event *ev)
{
	uint32_t i = ev->u.beep.index;

	ASSERT(i < h->count && h->slot[i] == ev);
	struct event *last = h->slot[--h->count];
	if (i < h->count) {
		/* The last event fills the hole, then moves whichever way its
		 * deadline says: up if earlier than the hole's parent. */
		put(h, i, last);
		if (i > 0 && key(h, (i - 1) / 2) > last->u.beep.deadline)
			beep_heap_sift_up(h, i);
		else
			sift_down(h, i);
	}
	/* An empty heap gives a kmalloc'd array back (the leak checks count pages);
	 * a mostly empty one halves it.  A failed halving keeps the array. */
	if (h->count == 0)
		beep_heap_trim(h);
	else if (h->capacity > MIN_CAPACITY && h->count <= h->capacity / 4)
		resize(h, h->capacity / 2);
}
