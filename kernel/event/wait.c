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
 * event lets go of it when it completes, fails or is released, or when
 * it joins a later wait of its owner (an event still pending after an
 * or() woke without it may be a leaf again in the next block).
 *
 * A failed leaf (event_fail) counts against its tree: once the tree can
 * no longer be satisfied, the owner wakes and block returns
 * StatusCancelled.
 *
 * Who changes what.  The kernel runs on one CPU and is not preempted;
 * upcalls only set flags, so every change below happens in one of three
 * contexts: the owner's own syscall (block, retire, cancel), a source's
 * completion (complete/fail, from a syscall of any process or from the
 * deferred work before a return to user / in the idle loop), and the
 * owner's end (exit, fault kill, or kill by its parent: proc_end).
 *   ev->wait  see struct event (event.h): set only by attach() in block;
 *             cleared only through drop().
 *   w->refs   +1 by block for the owner and for each attached leaf;
 *             -1 by drop() (leaf completed/failed, released, joining a
 *             later wait, abandoned), by wait_finish (owner's ref, as the
 *             owner resumes) or by wait_abandon (owner's ref, at its end).
 *             Freed at 0, never touched again.
 *   p->wait   (proc.h) set by block; cleared by wait_finish as p resumes
 *             (p == current), by wait_restart as p resumes diverted by a
 *             callback (p == current, the wait undecided) or by
 *             wait_abandon at p's end, nowhere else.  A diverted p is
 *             Runnable with an undecided wait: a leaf that decides it
 *             then does not wake it again (it is on the run queue).
 *             A source's completion only reads it, through the wait.
 */
#include <stddef.h>
#include <kernel/event.h>
#include <kernel/evtree.h>
#include <kernel/proc.h>
#include <kernel/uaccess.h>
#include <kernel/mm.h>
#include <kernel/kstring.h>
#include <kernel/panic.h>
#include <kernel/kstat.h>

struct wait {
	struct proc *proc;
	struct evtree *tree;
	void *tree_mem;
	struct event **leaf_events;   /* by node index; NULL for inner nodes */
	uint32_t count;
	uint32_t completed;           /* leaves complete when decided */
	uint32_t refs;                /* see "Who changes what" above */
	bool decided;                 /* false -> true once, never back */
	uintptr_t user_leaf_done;
	uintptr_t user_out;
	uint8_t *done;                /* leaf_done's bytes, made before a sleep */
	/* blockRetire: the retire it ends with, in place of block's results */
	bool retire;
	struct sys_retire_in retire_in;
	/* ... and, as the last call of a batch, the batch's outputs */
	uintptr_t batch_status;       /* 0: not in a batch */
	uintptr_t batch_out;
	uint32_t batch_done;
	/* blockRetire's one-leaf tree and leaf table, in place: no
	 * allocation for them (free_tree knows) */
	struct event *one_leaf;
	uint64_t one_tree[4];
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
	if (w->tree_mem != w->one_tree) {
		kfree(w->tree_mem);
		kfree(w->leaf_events);
	}
	kfree(w->done);
	w->tree_mem = NULL;
	w->leaf_events = NULL;
	w->done = NULL;
}

static void wait_unref(struct wait *w)
{
	ASSERT(w->refs > 0);
	if (--w->refs == 0) {
		free_tree(w);
		kfree(w);
		kstat_dec(KStatWaits);
	}
}

/* ev lets go of its wait (and of the ref it held). */
static void drop(struct event *ev)
{
	struct wait *w = ev->wait;

	ev->wait = NULL;
	wait_unref(w);
}

/*
 * ev becomes leaf i of w.  A pending event may still hold an older wait of
 * its owner that was decided without it: it lets go of that one first, or
 * the old wait would keep a ref nobody ever drops.
 */
static void attach(struct wait *w, struct event *ev, uint32_t i)
{
	ASSERT(ev->state == EventPending && ev->owner == w->proc);
	if (ev->wait != NULL) {
		ASSERT(ev->wait != w && ev->wait->decided);
		drop(ev);
	}
	ev->wait = w;
	ev->leaf = i;
	w->refs++;
}

/* Leaf i (ev, completed or failed) counts in w's tree; true if decided. */
static bool count_leaf(struct wait *w, struct event *ev, uint32_t i)
{
	ASSERT(ev->state == EventCompleted);
	if (ev->failure != StatusOk)
		return evtree_leaf_fail(w->tree, i);
	w->completed++;
	return evtree_leaf_complete(w->tree, i);
}

/*
 * Writes block's outputs into the current address space (w->proc's).  It
 * allocates nothing: after a sleep, a failure here would be an error
 * returned by a block that has already waited.
 */
static enum status write_results(struct wait *w)
{
	struct sys_block_out out = { .completed_leaves = w->completed };
	enum status st = evtree_satisfied(w->tree) ? StatusOk : StatusCancelled;

	/* Decided either way: satisfied, or it can no longer be. */
	ASSERT(w->decided && (evtree_satisfied(w->tree) || evtree_failed(w->tree)));
	for (uint32_t i = 0; w->done != NULL && i < w->count; i++)
		w->done[i] = w->leaf_events[i] != NULL &&
			     evtree_leaf_is_complete(w->tree, i);
	enum status cst = copyout(w->user_out, &out, sizeof(out));
	if (cst == StatusOk && w->done != NULL)
		cst = copyout(w->user_leaf_done, w->done, w->count);
	return cst != StatusOk ? cst : st;
}

/* The tree (nodes, in kernel memory) validated against p's events. */
static enum status build_tree(struct proc *p, const struct ethos_tree_node *nodes,
			      struct wait *w)
{
	struct leaf_check c = { p, w->leaf_events, ++block_serial };

	if (evtree_validate(nodes, w->count, w->tree_mem, check_leaf, &c) !=
	    StatusOk)
		return StatusInvalidEventWaitTree;
	w->tree = evtree_init(w->tree_mem, nodes, w->count);
	return StatusOk;
}

static enum status build(struct proc *p, const struct sys_block_in *in,
			 struct wait *w)
{
	size_t nodes_size = (size_t)in->count * sizeof(struct ethos_tree_node);
	struct ethos_tree_node *nodes = kmalloc(nodes_size);
	enum status st;

	w->tree_mem = kmalloc(evtree_size(in->count));
	w->leaf_events = kzalloc(in->count * sizeof(struct event *));
	if (in->leaf_done != NULL)
		w->done = kmalloc(in->count);
	if (nodes == NULL || w->tree_mem == NULL || w->leaf_events == NULL ||
	    (in->leaf_done != NULL && w->done == NULL)) {
		kfree(nodes);
		return StatusNoMemory;
	}
	st = copyin(nodes, (uintptr_t)in->nodes, nodes_size);
	if (st == StatusOk)
		st = build_tree(p, nodes, w);
	kfree(nodes);
	return st;
}

static struct wait *wait_new(struct proc *p, uint32_t count)
{
	struct wait *w;

	ASSERT(p->wait == NULL);      /* wait_finish ran before p's syscall */
	if ((w = kzalloc(sizeof(*w))) == NULL)
		return NULL;
	kstat_inc(KStatWaits);
	w->proc = p;
	w->count = count;
	w->refs = 1;
	return w;
}

/* Counts the leaves already done; true (p keeps running) if that decides
 * w.  Else the pending leaves join and p sleeps. */
static bool wait_start(struct proc *p, struct wait *w)
{
	/* Leaves already complete (or failed) count at once. */
	for (uint32_t i = 0; i < w->count && !w->decided; i++) {
		struct event *ev = w->leaf_events[i];
		if (ev != NULL && ev->state == EventCompleted)
			w->decided = count_leaf(w, ev, i);
	}
	if (w->decided)
		return true;
	/* Leaves already complete or failed have been counted: only pending
	 * ones join (and so an event holds a wait only while pending). */
	for (uint32_t i = 0; i < w->count; i++) {
		struct event *ev = w->leaf_events[i];
		if (ev != NULL && ev->state == EventPending)
			attach(w, ev, i);
	}
	p->wait = w;
	p->state = ProcBlocked;
	return false;
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
	if ((w = wait_new(p, in.count)) == NULL)
		return StatusNoMemory;
	w->user_leaf_done = (uintptr_t)in.leaf_done;
	w->user_out = uout;
	if ((st = build(p, &in, w)) != StatusOk) {
		wait_unref(w);
		return st;
	}
	if (wait_start(p, w)) {
		st = write_results(w);
		wait_unref(w);
		return st;
	}
	return StatusBlocked;
}

/*
 * blockRetire: a one-leaf wait that ends in a retire.  A completed event
 * is retired at once; the output is probed before a sleep, as block's is,
 * and written after it by the retire itself (in the owner's address
 * space, wait_finish).
 */
enum status wait_block_retire(struct proc *p, uintptr_t uin, uintptr_t uout)
{
	struct ethos_tree_node leaf = { .kind = TreeLeaf };
	struct sys_retire_in in;
	struct event *ev;
	struct wait *w;
	enum status st;

	if ((st = copyin(&in, uin, sizeof(in))) != StatusOk)
		return st;
	if ((ev = event_lookup(p, in.event)) == NULL)
		return StatusInvalidEvent;
	if (ev->state == EventCompleted)
		return event_retire(p, &in, uout);
	if ((st = user_writable(uout, sizeof(struct sys_retire_out))) != StatusOk)
		return st;
	if ((w = wait_new(p, 1)) == NULL)
		return StatusNoMemory;
	w->retire = true;
	w->retire_in = in;
	w->user_out = uout;
	/* One leaf, the caller's live event: valid as it stands. */
	ASSERT(evtree_size(1) <= sizeof(w->one_tree));
	w->tree_mem = w->one_tree;
	w->leaf_events = &w->one_leaf;
	w->one_leaf = ev;
	leaf.event = in.event;
	w->tree = evtree_init(w->tree_mem, &leaf, 1);
	/* The event is pending: the one leaf joins and p sleeps. */
	bool decided = wait_start(p, w);
	ASSERT(!decided);
	(void)decided;
	return StatusBlocked;
}

void wait_in_batch(struct proc *p, uintptr_t ustatus, uintptr_t ubatch_out,
		   uint32_t done)
{
	struct wait *w = p->wait;

	ASSERT(w != NULL && w->retire && p->state == ProcBlocked);
	w->batch_status = ustatus;
	w->batch_out = ubatch_out;
	w->batch_done = done;
}

/* The batch a blockRetire ended: its entry's status, then {done}; the
 * batch itself returns Ok.  Both were probed before the batch ran and the
 * process has not run since, so neither copyout fails (if one did, the
 * batch would return its status, as block's results do). */
static enum status finish_batch(struct wait *w, int64_t status)
{
	struct sys_batch_out out = { .done = w->batch_done };
	enum status st;

	if ((st = copyout(w->batch_status, &status, sizeof(status))) != StatusOk)
		return st;
	return copyout(w->batch_out, &out, sizeof(out));
}

void wait_detach(struct event *ev)
{
	/* Released by its owner (retire, cancel, exit): the owner is not
	 * blocked on this wait any more, or wait_abandon went first. */
	ASSERT(ev->wait->decided);
	drop(ev);
}

void wait_leaf_completed(struct event *ev)
{
	struct wait *w = ev->wait;

	if (!w->decided && count_leaf(w, ev, ev->leaf)) {
		w->decided = true;
		ASSERT(w->proc->wait == w);
		/* Runnable already if a callback diverted it: it will find
		 * the wait decided and return from block (wait_finish). */
		if (w->proc->state == ProcBlocked)
			sched_make_runnable(w->proc);
		else
			ASSERT(w->proc->state == ProcRunnable);
	}
	/* Its part in the wait is over either way. */
	drop(ev);
}

void wait_finish(struct proc *p)
{
	struct wait *w = p->wait;

	ASSERT(w->decided && p == current);
	if (w->retire) {
		/* The event is still p's: only p could have released it, and p
		 * was asleep. */
		enum status st = event_retire(p, &w->retire_in, w->user_out);
		p->frame->rax = (uint64_t)(w->batch_status != 0 ?
					   finish_batch(w, st) : st);
	} else {
		p->frame->rax = (uint64_t)write_results(w);
	}
	p->wait = NULL;
	free_tree(w);
	wait_unref(w);
}

bool wait_decided(const struct proc *p)
{
	return p->wait->decided;
}

void wait_restart(struct proc *p)
{
	ASSERT(p == current && !p->wait->decided);
	/*
	 * Its leaves let go as at exit (they stay pending, with no wait),
	 * and the block runs again when the callback returns: it counts the
	 * leaves complete by then at once, so a tree satisfied meanwhile
	 * returns without sleeping and one that is not sleeps again.  The
	 * frame still holds the block's number in rax and its pointers.
	 */
	if (p->wait->batch_status != 0) {
		/* A batch is not run twice: it returns now, the event still
		 * pending (uapi/ethos/abi.h, SysBlockRetire). */
		p->frame->rax = (uint64_t)finish_batch(p->wait, StatusNotCompleted);
		wait_abandon(p);
		return;
	}
	wait_abandon(p);
	p->frame->rip -= SYSCALL_INSN_LEN;
}

void wait_abandon(struct proc *p)
{
	struct wait *w = p->wait;

	/* At exit: detaching every leaf here is fine, the events go too. */
	for (uint32_t i = 0; w->leaf_events != NULL && i < w->count; i++) {
		struct event *ev = w->leaf_events[i];
		if (ev != NULL && ev->wait == w)
			drop(ev);
	}
	p->wait = NULL;
	wait_unref(w);
}
