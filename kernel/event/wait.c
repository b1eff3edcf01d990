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
 *
 * Waking costs O(depth) too, whatever the tree's size: the leaves are not
 * walked to detach them.  A decided wait stays alive, counted by `refs`
 * (one per attached event plus one for the owner), and each remaining
 * event lets go of it when it completes or is released.
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
	uint32_t completed;           /* leaves complete when decided */
	uint32_t refs;
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

/* The tree and leaf table are needed only until the owner has its results. */
static void free_tree(struct wait *w)
{
	kfree(w->tree_mem);
	kfree(w->leaf_events);
	w->tree_mem = NULL;
	w->leaf_events = NULL;
}

static void wait_unref(struct wait *w)
{
	ASSERT(w->refs > 0);
	if (--w->refs == 0) {
		free_tree(w);
		kfree(w);
	}
}

/* Writes block's outputs into the current address space (w->proc's). */
static enum status write_results(struct wait *w)
{
	struct sys_block_out out = { 0 };
	enum status st = evtree_satisfied(w->tree) ? StatusOk : StatusCancelled;
	uint8_t *done = w->user_leaf_done ? kzalloc(w->count) : NULL;

	if (w->user_leaf_done != 0 && done == NULL)
		return StatusNoMemory;
	out.completed_leaves = w->completed;
	for (uint32_t i = 0; done != NULL && i < w->count; i++)
		done[i] = w->leaf_events[i] != NULL && evtree_leaf_is_complete(w->tree, i);
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
	/* Probed now, not when the results are written after the sleep: a
	 * bad pointer fails before the caller waits (see user_writable). */
	if ((st = user_writable(uout, sizeof(struct sys_block_out))) != StatusOk ||
	    (in.leaf_done != NULL &&
	     (st = user_writable((uintptr_t)in.leaf_done, in.count)) != StatusOk))
		return st;
	if ((w = kzalloc(sizeof(*w))) == NULL)
		return StatusNoMemory;
	w->proc = p;
	w->count = in.count;
	w->user_leaf_done = (uintptr_t)in.leaf_done;
	w->user_out = uout;
	w->refs = 1;
	if ((st = build(p, &in, w)) != StatusOk) {
		wait_unref(w);
		return st;
	}
	/* Leaves already complete count at once. */
	for (uint32_t i = 0; i < w->count && !w->decided; i++) {
		struct event *ev = w->leaf_events[i];
		if (ev != NULL && ev->state == EventCompleted) {
			w->completed++;
			w->decided = evtree_leaf_complete(w->tree, i);
		}
	}
	if (w->decided) {
		st = write_results(w);
		wait_unref(w);
		return st;
	}
	for (uint32_t i = 0; i < w->count; i++) {
		if (w->leaf_events[i] != NULL) {
			w->leaf_events[i]->wait = w;
			w->leaf_events[i]->leaf = i;
			w->refs++;
		}
	}
	p->wait = w;
	p->state = ProcBlocked;
	return StatusBlocked;
}

void wait_detach(struct event *ev)
{
	struct wait *w = ev->wait;

	ev->wait = NULL;
	wait_unref(w);
}

void wait_leaf_completed(struct event *ev)
{
	struct wait *w = ev->wait;

	if (!w->decided) {
		w->completed++;
		if (evtree_leaf_complete(w->tree, ev->leaf)) {
			w->decided = true;
			ASSERT(w->proc->state == ProcBlocked);
			sched_make_runnable(w->proc);
		}
	}
	/* Its part in the wait is over either way. */
	wait_detach(ev);
}

void wait_finish(struct proc *p)
{
	struct wait *w = p->wait;

	ASSERT(w->decided && p == current);
	p->frame->rax = (uint64_t)write_results(w);
	p->wait = NULL;
	free_tree(w);
	wait_unref(w);
}

void wait_abandon(struct proc *p)
{
	struct wait *w = p->wait;

	/* At exit: detaching every leaf here is fine, the events go too. */
	for (uint32_t i = 0; w->leaf_events != NULL && i < w->count; i++) {
		struct event *ev = w->leaf_events[i];
		if (ev != NULL && ev->wait == w)
			wait_detach(ev);
	}
	p->wait = NULL;
	wait_unref(w);
}
