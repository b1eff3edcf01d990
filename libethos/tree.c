/*
 * Event-tree builder (see ethos/tree.h).  Children are created before their
 * parent, so a child's handle is always smaller than its parent's and the
 * builder's nodes form a forest by construction; tree_finish only has to
 * walk it breadth-first, using the nodes' bfs_next links as its queue.
 */
#include <stdarg.h>
#include <ethos/tree.h>

void tree_builder_init(struct tree_builder *b, struct tree_bnode *arena,
		       uint32_t capacity)
{
	b->arena = arena;
	b->capacity = capacity;
	b->used = 0;
	b->error = TreeOk;
}

int32_t tree_builder_error(const struct tree_builder *b)
{
	return b->error;
}

/*
 * Every creating call returns at once while an error is recorded, so the
 * error recorded here is always the first one.
 */
static tree_ref fail(struct tree_builder *b, enum tree_error err)
{
	b->error = err;
	return TREE_NONE;
}

static int ref_valid(const struct tree_builder *b, tree_ref r)
{
	return r >= 0 && (uint32_t)r < b->used;
}

static tree_ref new_node(struct tree_builder *b, uint32_t kind)
{
	struct tree_bnode *n;

	if (b->used >= b->capacity || b->used > (uint32_t)INT32_MAX)
		return fail(b, TreeErrArenaFull);
	n = &b->arena[b->used];
	n->event = EVENT_ID_NONE;
	n->kind = kind;
	n->k = 0;
	n->nchildren = 0;
	n->first_child = TREE_NONE;
	n->next_sibling = TREE_NONE;
	n->parent = TREE_NONE;
	n->bfs_next = TREE_NONE;
	n->out_index = -1;
	n->depth = 0;
	return (tree_ref)b->used++;
}

tree_ref tree_leaf(struct tree_builder *b, EventId event)
{
	tree_ref r;

	if (b->error != TreeOk)
		return TREE_NONE;
	r = new_node(b, TreeLeaf);
	if (r != TREE_NONE)
		b->arena[r].event = event;
	return r;
}

static tree_ref new_internal(struct tree_builder *b, uint32_t k, uint32_t n)
{
	tree_ref r;

	if (b->error != TreeOk)
		return TREE_NONE;
	if (n == 0 || k == 0 || k > n)
		return fail(b, TreeErrBadK);
	r = new_node(b, TreeThreshold);
	if (r != TREE_NONE)
		b->arena[r].k = k;
	return r;
}

/*
 * Appends child to parent's child list; *last is the list's tail so far
 * (TREE_NONE for the first child).  False (error recorded) if child is not
 * a node older than parent or already has a parent.
 */
static int adopt(struct tree_builder *b, tree_ref parent, tree_ref *last,
		 tree_ref child)
{
	struct tree_bnode *p = &b->arena[parent];

	if (!ref_valid(b, child) || child >= parent) {
		fail(b, TreeErrBadRef);
		return 0;
	}
	if (b->arena[child].parent != TREE_NONE) {
		fail(b, TreeErrShared);
		return 0;
	}
	b->arena[child].parent = parent;
	if (*last == TREE_NONE)
		p->first_child = child;
	else
		b->arena[*last].next_sibling = child;
	*last = child;
	p->nchildren++;
	return 1;
}

tree_ref tree_threshold_array(struct tree_builder *b, uint32_t k, uint32_t n,
			      const tree_ref *children)
{
	tree_ref r = new_internal(b, k, n);
	tree_ref last = TREE_NONE;

	if (r == TREE_NONE)
		return TREE_NONE;
	for (uint32_t i = 0; i < n; i++)
		if (!adopt(b, r, &last, children[i]))
			return TREE_NONE;
	return r;
}

static tree_ref threshold_va(struct tree_builder *b, uint32_t k, uint32_t n,
			     va_list ap)
{
	tree_ref r = new_internal(b, k, n);
	tree_ref last = TREE_NONE;

	if (r == TREE_NONE)
		return TREE_NONE;
	for (uint32_t i = 0; i < n; i++)
		if (!adopt(b, r, &last, va_arg(ap, tree_ref)))
			return TREE_NONE;
	return r;
}

tree_ref tree_threshold(struct tree_builder *b, uint32_t k, uint32_t n, ...)
{
	va_list ap;
	tree_ref r;

	va_start(ap, n);
	r = threshold_va(b, k, n, ap);
	va_end(ap);
	return r;
}

tree_ref tree_and(struct tree_builder *b, uint32_t n, ...)
{
	va_list ap;
	tree_ref r;

	va_start(ap, n);
	r = threshold_va(b, n, n, ap);
	va_end(ap);
	return r;
}

tree_ref tree_or(struct tree_builder *b, uint32_t n, ...)
{
	va_list ap;
	tree_ref r;

	va_start(ap, n);
	r = threshold_va(b, 1, n, ap);
	va_end(ap);
	return r;
}

/* ---- layout ---------------------------------------------------------------- */

static void forget_layout(struct tree_builder *b)
{
	for (uint32_t i = 0; i < b->used; i++)
		b->arena[i].out_index = -1;
}

static void write_node(const struct tree_bnode *n, struct ethos_tree_node *out,
		       uint32_t first_child)
{
	out->kind = n->kind;
	if (n->kind == TreeLeaf) {
		out->k = 0;
		out->first_child = 0;
		out->nchildren = 0;
		out->event = n->event;
	} else {
		out->k = n->k;
		out->first_child = first_child;
		out->nchildren = n->nchildren;
		out->event = EVENT_ID_NONE;
	}
}

/*
 * Breadth-first: a node's children get the next free indexes when the node
 * leaves the queue, so they are contiguous and greater than its own.  The
 * queue is the chain of bfs_next links from root; *tail is its end.
 */
static int32_t lay_out(struct tree_builder *b, tree_ref root,
		       struct ethos_tree_node *out, uint32_t cap)
{
	tree_ref tail = root;
	uint32_t placed = 1;

	b->arena[root].out_index = 0;
	b->arena[root].depth = 0;
	b->arena[root].bfs_next = TREE_NONE;
	for (tree_ref h = root; h != TREE_NONE; h = b->arena[h].bfs_next) {
		struct tree_bnode *n = &b->arena[h];

		if ((uint32_t)n->out_index >= cap)
			return TreeErrNoSpace;
		write_node(n, &out[n->out_index], placed);
		if (n->kind == TreeLeaf)
			continue;
		if (n->depth + 1 > ETHOS_TREE_MAX_DEPTH)
			return TreeErrTooDeep;
		if ((uint64_t)placed + n->nchildren > ETHOS_TREE_MAX_NODES)
			return TreeErrTooBig;
		for (tree_ref c = n->first_child; c != TREE_NONE;
		     c = b->arena[c].next_sibling) {
			struct tree_bnode *child = &b->arena[c];

			child->out_index = (int32_t)placed++;
			child->depth = n->depth + 1;
			child->bfs_next = TREE_NONE;
			b->arena[tail].bfs_next = c;
			tail = c;
		}
	}
	return (int32_t)placed;
}

int32_t tree_finish(struct tree_builder *b, tree_ref root,
		    struct ethos_tree_node *nodes_out, uint32_t cap)
{
	int32_t count;

	if (b->error != TreeOk)
		return b->error;
	forget_layout(b);
	if (!ref_valid(b, root))
		return TreeErrBadRef;
	if (b->arena[root].parent != TREE_NONE)
		return TreeErrShared;
	count = lay_out(b, root, nodes_out, cap);
	if (count < 0)
		forget_layout(b);
	return count;
}

int32_t tree_leaf_index(const struct tree_builder *b, tree_ref leaf)
{
	if (!ref_valid(b, leaf) || b->arena[leaf].kind != TreeLeaf ||
	    b->arena[leaf].out_index < 0)
		return TreeErrBadRef;
	return b->arena[leaf].out_index;
}
