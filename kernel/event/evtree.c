/*
 * Event-tree validation and evaluation.  See evtree.h for the contract.
 *
 * Every node, leaf or internal, carries two down-counters:
 *   still_needed  children that must still be satisfied before this node is;
 *   spare         children that may still fail before this node can no
 *                 longer be satisfied.
 * An internal node starts with still_needed = k, spare = nchildren - k; a
 * leaf with still_needed = 1, spare = 0, so a leaf's own completion or
 * cancellation is the same step as a child's.  A node is decided once
 * (satisfied or failed) and a decided node never changes again, so a
 * change climbs from the leaf only while it decides nodes: O(depth).
 */
#include <kernel/evtree.h>
#include <kernel/panic.h>

/* Node indexes and counters are all below ETHOS_TREE_MAX_NODES. */
_Static_assert(ETHOS_TREE_MAX_NODES <= 0xffff, "evtree node fields are 16-bit");
_Static_assert(ETHOS_TREE_MAX_DEPTH < 0xff, "depth marks are bytes below 0xff");

enum node_state {
	NodePending = 0,
	NodeSatisfied,
	NodeFailed,
};

struct evnode {
	uint16_t parent;          /* the root's is 0 and never followed */
	uint16_t still_needed;
	uint16_t spare;
	uint8_t state;            /* enum node_state */
	uint8_t is_leaf;
};

struct evtree {
	uint32_t count;
	uint32_t pad;
	struct evnode node[];
};

#ifdef HOST_TEST
unsigned long evtree_test_visits;
#define COUNT_VISIT() (evtree_test_visits++)
#else
#define COUNT_VISIT() ((void)0)
#endif

size_t evtree_size(uint32_t count)
{
	if (count == 0 || count > ETHOS_TREE_MAX_NODES)
		return 0;
	return sizeof(struct evtree) + (size_t)count * sizeof(struct evnode);
}

/* ---- validation ---------------------------------------------------------- */

/* depth[] mark of a node that no parent has claimed yet. */
#define DEPTH_UNCLAIMED 0xff

static bool internal_node_shape_ok(const struct ethos_tree_node *n,
				   uint32_t index, uint32_t count)
{
	if (n->nchildren == 0 || n->k == 0 || n->k > n->nchildren)
		return false;
	if (n->first_child <= index)
		return false;
	/* 64-bit sum: first_child + nchildren may wrap in 32 bits. */
	return (uint64_t)n->first_child + n->nchildren <= count;
}

/*
 * One forward pass.  Parents have smaller indexes than their children, so
 * by the time the pass reaches node i every node that could claim i has
 * been seen: an unclaimed i > 0 has no parent.  A node claimed twice has
 * two parents.  depth[] holds each claimed node's depth (its parent's + 1).
 * Every claim either marks a fresh node or ends the pass, so the claims
 * cost at most count steps in total, whatever nchildren says.
 */
static bool structure_ok(const struct ethos_tree_node *nodes, uint32_t count,
			 uint8_t *depth)
{
	depth[0] = 0;
	for (uint32_t i = 1; i < count; i++)
		depth[i] = DEPTH_UNCLAIMED;

	for (uint32_t i = 0; i < count; i++) {
		const struct ethos_tree_node *n = &nodes[i];

		if (depth[i] == DEPTH_UNCLAIMED)
			return false;
		if (n->kind == TreeLeaf)
			continue;
		if (n->kind != TreeThreshold)
			return false;
		if (!internal_node_shape_ok(n, i, count))
			return false;
		if (depth[i] + 1 > ETHOS_TREE_MAX_DEPTH)
			return false;
		for (uint32_t c = n->first_child; c < n->first_child + n->nchildren; c++) {
			if (depth[c] != DEPTH_UNCLAIMED)
				return false;
			depth[c] = (uint8_t)(depth[i] + 1);
		}
	}
	return true;
}

static bool leaves_ok(const struct ethos_tree_node *nodes, uint32_t count,
		      evtree_leaf_check_fn check, void *ctx)
{
	if (!check)
		return true;
	for (uint32_t i = 0; i < count; i++) {
		if (nodes[i].kind != TreeLeaf)
			continue;
		if (check(ctx, i, nodes[i].event) != StatusOk)
			return false;
	}
	return true;
}

enum status evtree_validate(const struct ethos_tree_node *nodes, uint32_t count,
			    void *scratch, evtree_leaf_check_fn check, void *ctx)
{
	if (count == 0 || count > ETHOS_TREE_MAX_NODES)
		return StatusInvalidEventWaitTree;
	ASSERT(nodes && scratch);
	if (!structure_ok(nodes, count, scratch))
		return StatusInvalidEventWaitTree;
	if (!leaves_ok(nodes, count, check, ctx))
		return StatusInvalidEventWaitTree;
	return StatusOk;
}

/* ---- evaluation ---------------------------------------------------------- */

static void init_node(struct evnode *e, const struct ethos_tree_node *n)
{
	e->parent = 0;
	e->state = NodePending;
	if (n->kind == TreeLeaf) {
		e->is_leaf = 1;
		e->still_needed = 1;
		e->spare = 0;
	} else {
		e->is_leaf = 0;
		e->still_needed = (uint16_t)n->k;
		e->spare = (uint16_t)(n->nchildren - n->k);
	}
}

struct evtree *evtree_init(void *mem, const struct ethos_tree_node *nodes,
			   uint32_t count)
{
	struct evtree *t = mem;

	ASSERT(t && nodes);
	ASSERT(((uintptr_t)mem & (_Alignof(struct evtree) - 1)) == 0);
	ASSERT(count >= 1 && count <= ETHOS_TREE_MAX_NODES);
	t->count = count;
	t->pad = 0;
	for (uint32_t i = 0; i < count; i++)
		init_node(&t->node[i], &nodes[i]);
	for (uint32_t i = 0; i < count; i++) {
		const struct ethos_tree_node *n = &nodes[i];

		if (n->kind == TreeLeaf)
			continue;
		/* Validated: children lie in (i, count). */
		ASSERT(n->first_child > i &&
		       (uint64_t)n->first_child + n->nchildren <= count);
		for (uint32_t c = n->first_child; c < n->first_child + n->nchildren; c++)
			t->node[c].parent = (uint16_t)i;
	}
	return t;
}

/* The kernel picks leaf indexes from its own records: a bad one is a bug. */
static void assert_leaf(const struct evtree *t, uint32_t leaf_index)
{
	ASSERT(leaf_index < t->count);
	ASSERT(t->node[leaf_index].is_leaf);
}

/* One child of e (or, for a leaf, e itself) decided; true if e is now decided. */
static bool node_decides(struct evnode *e, bool child_satisfied)
{
	if (child_satisfied) {
		ASSERT(e->still_needed > 0);
		if (--e->still_needed > 0)
			return false;
		e->state = NodeSatisfied;
	} else {
		if (e->spare > 0) {
			e->spare--;
			return false;
		}
		e->state = NodeFailed;
	}
	return true;
}

/*
 * Climbs from the leaf while nodes become decided.  A decided node absorbs
 * nothing further, so the first pending node that stays pending, or the
 * first node found already decided, ends the climb.
 */
static bool propagate(struct evtree *t, uint32_t leaf_index, bool satisfied)
{
	uint32_t i = leaf_index;

	if (t->node[0].state != NodePending)
		return false;
	for (;;) {
		struct evnode *e = &t->node[i];

		COUNT_VISIT();
		if (e->state != NodePending)
			return false;
		if (!node_decides(e, satisfied))
			return false;
		if (i == 0)
			return true;
		ASSERT(e->parent < i);
		i = e->parent;
	}
}

bool evtree_leaf_complete(struct evtree *t, uint32_t leaf_index)
{
	assert_leaf(t, leaf_index);
	return propagate(t, leaf_index, true);
}

bool evtree_leaf_fail(struct evtree *t, uint32_t leaf_index)
{
	assert_leaf(t, leaf_index);
	return propagate(t, leaf_index, false);
}

bool evtree_satisfied(const struct evtree *t)
{
	return t->node[0].state == NodeSatisfied;
}

bool evtree_failed(const struct evtree *t)
{
	return t->node[0].state == NodeFailed;
}

bool evtree_leaf_is_complete(const struct evtree *t, uint32_t leaf_index)
{
	assert_leaf(t, leaf_index);
	return t->node[leaf_index].state == NodeSatisfied;
}

uint32_t evtree_count(const struct evtree *t)
{
	return t->count;
}
