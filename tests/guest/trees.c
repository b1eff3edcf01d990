/* block on event trees: and, or, threshold, nesting, validation. */
#include "check.h"
#include <ethos/tree.h>

#define MS 1000000ULL
#define LEAF(ev) { .kind = TreeLeaf, .event = (ev) }
#define NODE(k_, first, n) { .kind = TreeThreshold, .k = (k_), .first_child = (first), .nchildren = (n) }

static void beeps(EventId *e, int n, uint64_t start, uint64_t step)
{
	for (int i = 0; i < n; i++)
		ethos_beep(start + (uint64_t)(i + 1) * step, &e[i]);
}

static void retire_all(EventId *e, int n)
{
	for (int i = 0; i < n; i++)
		if (ethos_retire(e[i], 0, 0, 0) == StatusReturnSpace ||
		    ethos_retire(e[i], 0, 0, 0) == StatusNotCompleted)
			ethos_cancel(e[i]);
}

/* Blocks on k-of-3 beeps at +30, +60, +90 ms. */
static void threshold(const char *name, uint32_t k, uint64_t min_ms, int want_done)
{
	EventId e[3];
	uint8_t done[4] = { 0 };
	uint32_t completed = 0;
	uint64_t t0 = ethos_time();
	char label[64];

	beeps(e, 3, t0, 30 * MS);
	struct ethos_tree_node t[4] = { NODE(k, 1, 3), LEAF(e[0]), LEAF(e[1]), LEAF(e[2]) };
	snprintf(label, sizeof(label), "%s: block", name);
	CHECK_STATUS(label, ethos_block(t, 4, done, &completed), StatusOk);
	uint64_t waited = ethos_time() - t0;
	snprintf(label, sizeof(label), "%s: not woken early", name);
	CHECK(label, waited >= min_ms * MS);
	snprintf(label, sizeof(label), "%s: completed leaves", name);
	CHECK(label, (int)completed == want_done && done[0] == 0 &&
		     done[1] + done[2] + done[3] == want_done && done[1] == 1);
	retire_all(e, 3);
}

static void invalid_trees(void)
{
	EventId a, b;
	ethos_beep(ethos_time() + 1000 * MS, &a);
	ethos_beep(ethos_time() + 1000 * MS, &b);
	struct {
		const char *name;
		struct ethos_tree_node n[3];
		uint32_t count;
	} bad[] = {
		{ "k = 0", { NODE(0, 1, 2), LEAF(a), LEAF(b) }, 3 },
		{ "k > n", { NODE(3, 1, 2), LEAF(a), LEAF(b) }, 3 },
		{ "child out of range", { NODE(1, 1, 3), LEAF(a), LEAF(b) }, 3 },
		{ "child before parent", { NODE(1, 0, 2), LEAF(a), LEAF(b) }, 3 },
		{ "node without parent", { NODE(1, 1, 1), LEAF(a), LEAF(b) }, 3 },
		{ "same event twice", { NODE(1, 1, 2), LEAF(a), LEAF(a) }, 3 },
		{ "made-up event", { NODE(1, 1, 2), LEAF(a), LEAF(0x77700000003ULL) }, 3 },
		{ "unknown kind", { { .kind = 9 }, LEAF(a), LEAF(b) }, 3 },
		{ "no children", { NODE(1, 1, 0), LEAF(a), LEAF(b) }, 1 },
		{ "count 0", { LEAF(a) }, 0 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_STATUS(bad[i].name, ethos_block(bad[i].n, bad[i].count, 0, 0),
			     StatusInvalidEventWaitTree);
	CHECK_STATUS("count over the limit",
		     ethos_block(bad[0].n, ETHOS_TREE_MAX_NODES + 1, 0, 0),
		     StatusInvalidEventWaitTree);
	CHECK_STATUS("nodes at a kernel address",
		     ethos_block((void *)0xffffffff80000000UL, 3, 0, 0), StatusBadAddress);
	struct ethos_tree_node ok[3] = { NODE(1, 1, 2), LEAF(a), LEAF(b) };
	CHECK_STATUS("leaf_done at a kernel address",
		     ethos_block(ok, 3, (void *)0xffff888000000000UL, 0), StatusBadAddress);

	/* depth 65: a chain of 1-of-1 nodes */
	static struct ethos_tree_node chain[67];
	for (int i = 0; i < 66; i++)
		chain[i] = (struct ethos_tree_node)NODE(1, (uint32_t)i + 1, 1);
	chain[66] = (struct ethos_tree_node)LEAF(a);
	CHECK_STATUS("deeper than the limit", ethos_block(chain, 67, 0, 0),
		     StatusInvalidEventWaitTree);
	ethos_cancel(a);
	ethos_cancel(b);
}

static void nested_and_cancel(void)
{
	struct tree_bnode arena[8];
	struct tree_builder tb;
	struct ethos_tree_node out[8];
	EventId e[3];
	uint8_t done[8];
	uint64_t t0 = ethos_time();

	ethos_beep(t0 + 20 * MS, &e[0]);
	ethos_beep(t0 + 40 * MS, &e[1]);
	ethos_beep(t0 + 3600ULL * 1000 * MS, &e[2]);
	tree_builder_init(&tb, arena, 8);
	tree_ref l0 = tree_leaf(&tb, e[0]), l1 = tree_leaf(&tb, e[1]),
		    l2 = tree_leaf(&tb, e[2]);
	tree_ref root = tree_or(&tb, 2, tree_and(&tb, 2, l0, l1), l2);
	int n = tree_finish(&tb, root, out, 8);
	CHECK("builder lays out or(and(a,b),c)", n == 5);
	CHECK_STATUS("nested: block", ethos_block(out, (uint32_t)n, done, 0), StatusOk);
	CHECK("nested: woken after the second beep", ethos_time() - t0 >= 40 * MS);
	CHECK("nested: the far beep did not complete",
	      done[tree_leaf_index(&tb, l2)] == 0 && done[tree_leaf_index(&tb, l0)] == 1 &&
	      done[tree_leaf_index(&tb, l1)] == 1);
	CHECK_STATUS("cancel the leaf the other branch made moot",
		     ethos_cancel(e[2]), StatusOk);
	CHECK_STATUS("its sibling retires", ethos_retire(e[0], 0, 0, 0), StatusReturnSpace);
	retire_all(e, 2);
}

static void already_satisfied(void)
{
	EventId e[2];

	ethos_beep(0, &e[0]);
	ethos_beep(ethos_time() + 3600ULL * 1000 * MS, &e[1]);
	ethos_block(&(struct ethos_tree_node)LEAF(e[0]), 1, 0, 0);
	uint64_t t0 = ethos_time();
	struct ethos_tree_node t[3] = { NODE(1, 1, 2), LEAF(e[0]), LEAF(e[1]) };
	CHECK_STATUS("already satisfied: returns at once", ethos_block(t, 3, 0, 0),
		     StatusOk);
	CHECK("already satisfied: no sleep", ethos_time() - t0 < 1000 * MS);
	ethos_cancel(e[1]);
	ethos_cancel(e[0]);
}

static void wide_tree(void)
{
	enum { N = 4096 };
	static EventId e[N];
	static struct ethos_tree_node t[N + 1];
	static uint8_t done[N + 1];
	uint64_t now = ethos_time();

	t[0] = (struct ethos_tree_node)NODE(1, 1, N);
	for (int i = 0; i < N; i++) {
		ethos_beep(i == N / 2 ? now + 10 * MS : now + 3600ULL * 1000 * MS, &e[i]);
		t[i + 1] = (struct ethos_tree_node)LEAF(e[i]);
	}
	uint32_t completed = 0;
	CHECK_STATUS("4096 leaves: block", ethos_block(t, N + 1, done, &completed), StatusOk);
	CHECK("4096 leaves: the one near beep woke it", completed == 1 && done[N / 2 + 1] == 1);
	int cancelled = 0;
	for (int i = 0; i < N; i++)
		cancelled += ethos_cancel(e[i]) == StatusOk;
	CHECK("4096 leaves: all cancelled", cancelled == N);
}

int main(void)
{
	check_program = "trees";
	threshold("or", 1, 30, 1);
	threshold("2 of 3", 2, 60, 2);
	threshold("and", 3, 90, 3);
	nested_and_cancel();
	already_satisfied();
	invalid_trees();
	wide_tree();
	uint64_t count;
	ethos_pending_events(0, 0, &count);
	CHECK("no events left behind", count == 0);
	return check_failures;
}
