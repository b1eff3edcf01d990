/*
 * Event-tree builder: compose the tree block() waits on as nested calls,
 * then lay it out in the kernel's node format (ethos/abi.h):
 *
 *	struct tree_bnode arena[16];
 *	struct tree_builder b;
 *	struct ethos_tree_node nodes[16];
 *
 *	tree_builder_init(&b, arena, 16);
 *	tree_ref e1_leaf = tree_leaf(&b, e1);
 *	tree_ref root = tree_or(&b, 2, e1_leaf,
 *				tree_and(&b, 2, tree_leaf(&b, e2),
 *					 tree_leaf(&b, e3)));
 *	int32_t count = tree_finish(&b, root, nodes, 16);
 *	if (count <= 0) ... error (count is an enum tree_error) ...
 *	... block(nodes, count, leaf_done) ...
 *	if (leaf_done[tree_leaf_index(&b, e1_leaf)]) ... e1 completed ...
 *
 * Everything lives in caller-provided storage: an arena of struct
 * tree_bnode, one per tree_leaf/tree_threshold call.  Errors are sticky:
 * a failing call records the first error and returns TREE_NONE, every later
 * creating call then returns TREE_NONE too, and tree_finish reports the
 * error, so nested calls need no checks of their own.
 *
 * A node may be used as a child only once (a tree, not a graph), and the
 * kernel rejects a tree that names one event in two leaves.
 */
#ifndef ETHOS_TREE_H
#define ETHOS_TREE_H

#include <stdint.h>
#include <ethos/abi.h>

/* A handle to a builder node: an arena index, or TREE_NONE. */
typedef int32_t tree_ref;
#define TREE_NONE ((tree_ref)-1)

enum tree_error {
	TreeOk = 0,
	TreeErrArenaFull = -1,    /* more nodes than the arena holds */
	TreeErrBadK = -2,         /* n == 0, or k outside [1, n] */
	TreeErrBadRef = -3,       /* a handle that names no node of this builder */
	TreeErrShared = -4,       /* a node used as a child twice, or a root that is a child */
	TreeErrNoSpace = -5,      /* tree_finish: the tree has more nodes than cap */
	TreeErrTooBig = -6,       /* more than ETHOS_TREE_MAX_NODES nodes */
	TreeErrTooDeep = -7,      /* a leaf more than ETHOS_TREE_MAX_DEPTH edges below the root */
};

/* One builder node.  Callers only allocate these; the fields are private. */
struct tree_bnode {
	EventId event;            /* leaves */
	uint32_t kind;            /* enum tree_node_kind */
	uint32_t k;
	uint32_t nchildren;
	tree_ref first_child;     /* children form a list through next_sibling */
	tree_ref next_sibling;
	tree_ref parent;          /* TREE_NONE until used as a child */
	tree_ref bfs_next;        /* tree_finish's breadth-first queue */
	int32_t out_index;        /* index after the last tree_finish, or -1 */
	uint32_t depth;           /* edges below the root, set by tree_finish */
};

struct tree_builder {
	struct tree_bnode *arena;
	uint32_t capacity;
	uint32_t used;
	int32_t error;            /* enum tree_error: the first one, sticky */
};

/* Starts (or restarts) a builder over arena[0 .. capacity). */
void tree_builder_init(struct tree_builder *b, struct tree_bnode *arena,
		       uint32_t capacity);

/* The first error since init, or TreeOk. */
int32_t tree_builder_error(const struct tree_builder *b);

/* A leaf waiting on event. */
tree_ref tree_leaf(struct tree_builder *b, EventId event);

/*
 * An internal node satisfied when at least k of its n children are.  The
 * variadic forms take exactly n tree_ref arguments; children keep the
 * order given.  tree_and: k = n; tree_or: k = 1.
 */
tree_ref tree_threshold(struct tree_builder *b, uint32_t k, uint32_t n, ...);
tree_ref tree_threshold_array(struct tree_builder *b, uint32_t k, uint32_t n,
			      const tree_ref *children);
tree_ref tree_and(struct tree_builder *b, uint32_t n, ...);
tree_ref tree_or(struct tree_builder *b, uint32_t n, ...);

/*
 * Lays out the tree under root in nodes_out[0 .. cap) in the kernel's
 * format: breadth-first, so every node's children are contiguous and come
 * after it, root at index 0.  Returns the node count (> 0), or an enum
 * tree_error (< 0): the builder's sticky error, or TreeErrBadRef,
 * TreeErrShared, TreeErrNoSpace, TreeErrTooBig, TreeErrTooDeep for this
 * layout (these are not sticky: e.g. retry with a bigger array).  A cap of
 * b->used always suffices.  Nodes not under root are left out.  Time and
 * stack: O(b->used), no recursion.
 */
int32_t tree_finish(struct tree_builder *b, tree_ref root,
		    struct ethos_tree_node *nodes_out, uint32_t cap);

/*
 * The index in the last successfully finished array of a leaf created by
 * this builder: the index of its byte in block's leaf_done.  Negative
 * (TreeErrBadRef) when leaf is not a leaf or was not part of that layout.
 */
int32_t tree_leaf_index(const struct tree_builder *b, tree_ref leaf);

#endif /* ETHOS_TREE_H */
