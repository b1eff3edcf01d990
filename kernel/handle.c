/* Per-process handle tables; see <kernel/handle.h>. */
#include <stddef.h>
#include <kernel/handle.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/kstat.h>
#include <kernel/panic.h>

#define FIRST_CAPACITY 16
#define NO_SLOT UINT32_MAX
#define RETIRED UINT32_MAX        /* a generation never handed out */

void handle_table_init(struct handle_table *t)
{
	t->slots = NULL;
	t->capacity = 0;
	t->live = 0;
	t->free_head = NO_SLOT;
}

/* Doubles the array (up to HANDLES_PER_PROC), threading the new slots onto
 * the free list in index order.  Generations start at 1, so no handle is
 * HANDLE_NONE. */
static bool table_grow(struct handle_table *t)
{
	uint32_t cap = t->capacity ? t->capacity * 2 : FIRST_CAPACITY;

	if (cap > HANDLES_PER_PROC)
		return false;
	struct handle_slot *slots = krealloc(t->slots,
					     t->capacity * sizeof(*slots),
					     cap * sizeof(*slots));
	if (slots == NULL)
		return false;
	for (uint32_t i = t->capacity; i < cap; i++) {
		slots[i] = (struct handle_slot){ .generation = 1,
			.next_free = i + 1 < cap ? i + 1 : t->free_head };
	}
	t->free_head = t->capacity;
	t->slots = slots;
	t->capacity = cap;
	return true;
}

static Handle handle_of(const struct handle_table *t, uint32_t slot)
{
	return ((Handle)t->slots[slot].generation << 32) | (slot + 1);
}

Handle handle_new(struct handle_table *t, const struct handle_ops *ops,
		  void *obj, enum status *st)
{
	ASSERT(ops != NULL && obj != NULL);
	if (t->free_head == NO_SLOT && !table_grow(t)) {
		*st = t->capacity * 2 > HANDLES_PER_PROC ? StatusNoSpace :
							     StatusNoMemory;
		return HANDLE_NONE;
	}
	uint32_t slot = t->free_head;
	struct handle_slot *s = &t->slots[slot];

	ASSERT(s->ops == NULL && s->generation != RETIRED);
	t->free_head = s->next_free;
	s->ops = ops;
	s->obj = obj;
	t->live++;
	kstat_inc(KStatHandles);
	*st = StatusOk;
	return handle_of(t, slot);
}

static struct handle_slot *find(const struct handle_table *t, Handle h)
{
	uint32_t index = (uint32_t)h;

	if (index == 0 || index > t->capacity)
		return NULL;
	struct handle_slot *s = &t->slots[index - 1];
	if (s->ops == NULL || s->generation != (uint32_t)(h >> 32))
		return NULL;
	return s;
}

void *handle_lookup(const struct handle_table *t, Handle h,
		    const struct handle_ops *ops)
{
	struct handle_slot *s = find(t, h);

	return s != NULL && s->ops == ops ? s->obj : NULL;
}

const struct handle_ops *handle_kind(const struct handle_table *t, Handle h)
{
	struct handle_slot *s = find(t, h);

	return s != NULL ? s->ops : NULL;
}

/* Frees slot i: its handle value never comes back (generation + 1; a slot
 * whose generation would wrap leaves the free list for good). */
static void slot_free(struct handle_table *t, uint32_t i)
{
	struct handle_slot *s = &t->slots[i];

	s->ops = NULL;
	s->obj = NULL;
	t->live--;
	kstat_dec(KStatHandles);
	if (++s->generation == RETIRED)
		return;
	s->next_free = t->free_head;
	t->free_head = i;
}

enum status handle_close(struct handle_table *t, Handle h)
{
	struct handle_slot *s = find(t, h);

	if (s == NULL)
		return StatusInvalidHandle;
	const struct handle_ops *ops = s->ops;
	void *obj = s->obj;

	/* The entry goes first: put may end the object, and whatever it does
	 * must not find the entry still there. */
	slot_free(t, (uint32_t)(s - t->slots));
	ops->put(obj);
	return StatusOk;
}

void handle_table_destroy(struct handle_table *t)
{
	for (uint32_t i = 0; i < t->capacity; i++) {
		struct handle_slot *s = &t->slots[i];

		if (s->ops != NULL) {
			const struct handle_ops *ops = s->ops;
			void *obj = s->obj;

			slot_free(t, i);
			ops->put(obj);
		}
	}
	ASSERT(t->live == 0);
	kfree(t->slots);
	handle_table_init(t);
}

bool handle_table_copy(struct handle_table *dst, const struct handle_table *src)
{
	ASSERT(dst->capacity == 0 && dst->live == 0);
	if (src->capacity == 0)
		return true;
	dst->slots = kmalloc(src->capacity * sizeof(*dst->slots));
	if (dst->slots == NULL)
		return false;
	memcpy(dst->slots, src->slots, src->capacity * sizeof(*dst->slots));
	dst->capacity = src->capacity;
	dst->live = src->live;
	dst->free_head = src->free_head;
	for (uint32_t i = 0; i < dst->capacity; i++) {
		if (dst->slots[i].ops != NULL) {
			dst->slots[i].ops->get(dst->slots[i].obj);
			kstat_inc(KStatHandles);
		}
	}
	return true;
}
