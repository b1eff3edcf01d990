/*
 * The handle table (kernel/handle.c) on the host, with ASan + UBSan: new,
 * lookup by kind, close, stale and made-up handles, growth to the limit,
 * generations that never repeat a handle, fork's copy (get for each entry)
 * and the end of a table (put for each), against counting object kinds.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "unit.h"
#include "fake_memory.h"
#include <kernel/handle.h>
#include <kernel/kstat.h>

struct obj {
	int refs;
};

static void obj_get(void *o)
{
	((struct obj *)o)->refs++;
}

static void obj_put(void *o)
{
	((struct obj *)o)->refs--;
}

static const struct handle_ops kind_a = { "a", obj_get, obj_put };
static const struct handle_ops kind_b = { "b", obj_get, obj_put };

/* One memory for the whole run: the slob keeps its lists across tests. */
static void setup(void)
{
	static int done;

	if (!done) {
		fake_memory_init(1024);
		buddy_add_range(1, 1024);
		done = 1;
	}
}

static void test_new_lookup_close(void)
{
	struct handle_table t;
	struct obj x = { 1 }, y = { 1 };
	enum status st;

	setup();
	handle_table_init(&t);
	Handle hx = handle_new(&t, &kind_a, &x, &st);
	CHECK(st == StatusOk && hx != HANDLE_NONE);
	Handle hy = handle_new(&t, &kind_b, &y, &st);
	CHECK(st == StatusOk && hy != hx);
	CHECK(handle_lookup(&t, hx, &kind_a) == &x);
	CHECK(handle_lookup(&t, hy, &kind_b) == &y);
	CHECK(handle_lookup(&t, hx, &kind_b) == NULL);    /* wrong kind */
	CHECK(handle_kind(&t, hy) == &kind_b);
	CHECK(handle_lookup(&t, HANDLE_NONE, &kind_a) == NULL);
	CHECK(handle_lookup(&t, hx + (1ULL << 32), &kind_a) == NULL); /* generation */
	CHECK(handle_lookup(&t, 0xffffffffULL, &kind_a) == NULL);     /* index */
	CHECK_EQ(handle_close(&t, hx), StatusOk);
	CHECK_EQ(x.refs, 0);
	CHECK_EQ(handle_close(&t, hx), StatusInvalidHandle);  /* twice */
	CHECK(handle_lookup(&t, hx, &kind_a) == NULL);
	/* The slot comes back with a new generation: the old handle stays dead. */
	x.refs = 1;
	Handle again = handle_new(&t, &kind_a, &x, &st);
	CHECK((uint32_t)again == (uint32_t)hx && again != hx);
	CHECK(handle_lookup(&t, hx, &kind_a) == NULL);
	handle_table_destroy(&t);
	CHECK_EQ(x.refs, 0);
	CHECK_EQ(y.refs, 0);
	CHECK_EQ(t.live, 0);
}

static void test_limit(void)
{
	static struct obj o[HANDLES_PER_PROC + 1];
	struct handle_table t;
	enum status st = StatusOk;
	int made = 0;

	setup();
	handle_table_init(&t);
	for (int i = 0; i <= HANDLES_PER_PROC; i++) {
		o[i].refs = 1;
		if (handle_new(&t, &kind_a, &o[i], &st) == HANDLE_NONE)
			break;
		made++;
	}
	CHECK_EQ(made, HANDLES_PER_PROC);
	CHECK_EQ(st, StatusNoSpace);
	handle_table_destroy(&t);
	int left = 0;
	for (int i = 0; i < made; i++)
		left += o[i].refs;
	CHECK_EQ(left, 0);
}

static void test_copy(void)
{
	struct handle_table parent, child;
	struct obj x = { 1 }, y = { 1 };
	enum status st;

	setup();
	handle_table_init(&parent);
	handle_table_init(&child);
	Handle hx = handle_new(&parent, &kind_a, &x, &st);
	Handle hy = handle_new(&parent, &kind_b, &y, &st);
	handle_close(&parent, hx);
	x.refs = 1;
	hx = handle_new(&parent, &kind_a, &x, &st);
	CHECK(handle_table_copy(&child, &parent));
	CHECK_EQ(x.refs, 2);
	CHECK_EQ(y.refs, 2);
	CHECK(handle_lookup(&child, hx, &kind_a) == &x);   /* same values */
	CHECK(handle_lookup(&child, hy, &kind_b) == &y);
	CHECK_EQ(handle_close(&child, hy), StatusOk);
	CHECK(handle_lookup(&parent, hy, &kind_b) == &y);  /* the parent's stays */
	/* A new entry in each does not disturb the other. */
	struct obj z = { 1 };
	Handle hz = handle_new(&child, &kind_a, &z, &st);
	CHECK(handle_lookup(&parent, hz, &kind_a) == NULL);
	handle_table_destroy(&child);
	handle_table_destroy(&parent);
	CHECK(x.refs == 0 && y.refs == 0 && z.refs == 0);
	CHECK_EQ(kstat[KStatHandles], 0);
}

int main(void)
{
	RUN(test_new_lookup_close);
	RUN(test_limit);
	RUN(test_copy);
	UNIT_EXIT();
}
