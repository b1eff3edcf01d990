/*
 * block: waiting on an event tree.
 *
 * The tree is copied in and validated as a whole (kernel/event/evtree.c)
 * before anything changes.  Each leaf's event then points at the wait, so
 * a completion costs O(depth): evtree walks from the leaf towards the root
 * and reports, exactly once, when the root is decided.  Only then is the
 * owner made runnable.  Its results (which leaves completed) are written
 * when it next runs, in its own address space (wait_finish): completion
 * never touches a user address space.
 */
#include <stddef.h>
#include "event.h"
#include "evtree.h"
#include "proc.h"
#include "uaccess.h"
#include "mm.h"
#include "kstring.h"
#include "panic.h"

struct wait {
	struct proc *proc;
	struct evtree *tree;
	void *tree_mem;
	struct event **leaf_events;   /* by node index; NULL for inner nodes */
	uint32_t count;
	bool decided;
	uintptr_t user_leaf_done;
	uintptr_t user_out;
};

struct leaf_check {
	struct proc *proc;
	struct event **leaf_events;
	uint64_t stamp;
};

static uint64_t block_serial;

/* Live, the caller's (lookup in its own table), and not twice in a tree. */
static enum status check_leaf(void *arg, uint32_t leaf, EventId id)
{
	struct leaf_check *c = arg;
	struct event *ev = event_lookup(c->proc, id);

	if (ev == NULL || ev->stamp == c->stamp)
		return StatusInvalidEventWaitTree;
	ev->stamp = c->stamp;
	c->leaf_events[leaf] = ev;
	return StatusOk;
}

static void wait_free(struct wait *w)
{
	kfree(w->tree_mem);
	kfree(w->leaf_events);
	kfree(w);
}

static void detach_leaves(struct wait *w)
{
	for (uint32_t i = 0; i < w->count; i++)
		if (w->leaf_events[i] != NULL)
			w->leaf_events[i]->wait = NULL;
}

/* Writes block's outputs into the current address space (w->proc's). */
static enum status write_results(struct wait *w)
{
	struct sys_block_out out = { 0 };
	enum status st = evtree_satisfied(w->tree) ? StatusOk : StatusCancelled;
	uint8_t *done = w->user_leaf_done ? kzalloc(w->count) : NULL;

	if (w->user_leaf_done != 0 && done == NULL)
		return StatusNoMemory;
	for (uint32_t i = 0; i < w->count; i++) {
		if (w->leaf_events[i] != NULL && evtree_leaf_is_complete(w->tree, i)) {
			out.completed_leaves++;
			if (done != NULL)
				done[i] = 1;
		}
	}
	enum status cst = copyout(w->user_out, &out, sizeof(out));
	if (cst == StatusOk && done != NULL)
		cst = copyout(w->user_leaf_done, done, w->count);
	kfree(done);
	return cst != StatusOk ? cst : st;
}

static enum status build(struct proc *p, const struct sys_block_in *in,
			 struct wait *w)
{
	size_t nodes_size = (size_t)in->count * sizeof(struct ethos_tree_node);
	struct ethos_tree_node *nodes = kmalloc(nodes_size);
	enum status st;

	w->tree_mem = kmalloc(evtree_size(in->count));
	w->leaf_events = kzalloc(in->count * sizeof(struct event *));
	if (nodes == NULL || w->tree_mem == NULL || w->leaf_events == NULL) {
		kfree(nodes);
		return StatusNoMemory;
	}
	st = copyin(nodes, (uintptr_t)in->nodes, nodes_size);
	if (st == StatusOk) {
		struct leaf_check c = { p, w->leaf_events, ++block_serial };
		if (evtree_validate(nodes, in->count, w->tree_mem, check_leaf, &c) !=
		    StatusOk)
			st = StatusInvalidEventWaitTree;
	}
	if (st == StatusOk)
		w->tree = evtree_init(w->tree_mem, nodes, in->count);
	kfree(nodes);
	return st;
}

enum status wait_block(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct sys_block_in in;
	struct wait *w;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if (in.count == 0 || in.count > ETHOS_TREE_MAX_NODES)
		return StatusInvalidEventWaitTree;
	if (!user_range_ok(uout, sizeof(struct sys_block_out)) ||
	    (in.leaf_done != NULL && !user_range_ok((uintptr_t)in.leaf_done, in.count)))
		return StatusBadAddress;
	if ((w = kzalloc(sizeof(*w))) == NULL)
		return StatusNoMemory;
	w->proc = p;
	w->count = in.count;
	w->user_leaf_done = (uintptr_t)in.leaf_done;
	w->user_out = uout;
	if ((st = build(p, &in, w)) != StatusOk) {
		wait_free(w);
		return st;
	}
	/* Leaves already complete count at once. */
	for (uint32_t i = 0; i < w->count && !w->decided; i++) {
		struct event *ev = w->leaf_events[i];
		if (ev != NULL && ev->state == EventCompleted)
			w->decided = evtree_leaf_complete(w->tree, i);
	}
	if (w->decided) {
		st = write_results(w);
		wait_free(w);
		return st;
	}
	for (uint32_t i = 0; i < w->count; i++) {
		if (w->leaf_events[i] != NULL) {
			w->leaf_events[i]->wait = w;
			w->leaf_events[i]->leaf = i;
		}
	}
	p->wait = w;
	p->state = ProcBlocked;
	return StatusBlocked;
}

void wait_leaf_completed(struct wait *w, uint32_t leaf)
{
	ASSERT(!w->decided);
	if (!evtree_leaf_complete(w->tree, leaf))
		return;
	w->decided = true;
	detach_leaves(w);
	ASSERT(w->proc->state == ProcBlocked);
	sched_make_runnable(w->proc);
}

void wait_finish(struct proc *p)
{
	struct wait *w = p->wait;

	ASSERT(w->decided && p == current);
	p->frame->rax = (uint64_t)write_results(w);
	p->wait = NULL;
	wait_free(w);
}

void wait_abandon(struct proc *p)
{
	struct wait *w = p->wait;

	if (!w->decided)
		detach_leaves(w);
	p->wait = NULL;
	wait_free(w);
}
