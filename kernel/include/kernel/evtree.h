/*
 * Event-tree evaluation: pure logic, no kernel state.  The syscall layer
 * copies the user's node array into kernel memory, validates it here, and
 * builds a struct evtree that follows completions and failures (cancelled
 * leaves) from leaf to root in O(depth).
 *
 * Node format and rules: see struct ethos_tree_node in uapi/ethos/abi.h.
 */
#ifndef EVTREE_H
#define EVTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>

/*
 * Called once for every leaf during validation, in index order.  Returns
 * StatusOk if the leaf's event is acceptable (live, the caller's, not seen
 * before in this tree); any other status fails validation with
 * StatusInvalidEventWaitTree.
 */
typedef enum status (*evtree_leaf_check_fn)(void *ctx, uint32_t leaf_index,
					    EventId event);

/*
 * Checks structure: 1 <= count <= ETHOS_TREE_MAX_NODES, kinds known, every
 * internal node has 1 <= k <= nchildren and children in range with indexes
 * greater than its own, every node but the root has exactly one parent,
 * depth <= ETHOS_TREE_MAX_DEPTH; then, only if the structure is sound,
 * calls check (if not NULL) for each leaf in index order.
 * Returns StatusOk or StatusInvalidEventWaitTree.
 *
 * Depth counts edges: a lone root leaf has depth 0, and a leaf may sit at
 * most ETHOS_TREE_MAX_DEPTH edges below the root.  Leaves' k, first_child
 * and nchildren and internal nodes' event are ignored.
 *
 * scratch: evtree_size(count) bytes of any alignment, overwritten (the
 * kernel passes the memory it will then give to evtree_init, so validation
 * allocates nothing and recurses nowhere).  Not touched when count is out of
 * range, so the caller may pass NULL after evtree_size(count) returned 0.
 * Time O(count), whatever the input.
 */
enum status evtree_validate(const struct ethos_tree_node *nodes, uint32_t count,
			    void *scratch, evtree_leaf_check_fn check, void *ctx);

/*
 * Bytes of memory evtree_validate and evtree_init need for a tree of count
 * nodes; 0 when count is 0 or above ETHOS_TREE_MAX_NODES (a tree that
 * evtree_validate rejects anyway).
 */
size_t evtree_size(uint32_t count);

struct evtree;

/*
 * Builds the evaluation state in mem (evtree_size(count) bytes, aligned to
 * 8) from a validated node array.  All leaves start neither complete nor
 * failed.  The state does not refer back to nodes: the array may be freed.
 */
struct evtree *evtree_init(void *mem, const struct ethos_tree_node *nodes,
			   uint32_t count);

/*
 * A leaf's event completed / was cancelled.  Each call is O(depth).  Return
 * true exactly once over the tree's life: on the call that makes the root
 * satisfied (complete) or makes it impossible to satisfy (fail).  Calls on
 * a leaf that is already complete or failed, or after the root is decided,
 * change nothing and return false.
 *
 * leaf_index is the leaf's index in the node array given to evtree_init
 * (also for evtree_leaf_is_complete); it must name a leaf, checked by
 * ASSERT: the kernel, not the user, picks it.
 */
bool evtree_leaf_complete(struct evtree *t, uint32_t leaf_index);
bool evtree_leaf_fail(struct evtree *t, uint32_t leaf_index);

bool evtree_satisfied(const struct evtree *t);
bool evtree_failed(const struct evtree *t);
bool evtree_leaf_is_complete(const struct evtree *t, uint32_t leaf_index);
uint32_t evtree_count(const struct evtree *t);

#ifdef HOST_TEST
/* Nodes visited by evtree_leaf_complete/fail since start: for cost tests. */
extern unsigned long evtree_test_visits;
#endif

#endif /* EVTREE_H */
