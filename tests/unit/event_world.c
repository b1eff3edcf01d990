/*
 * See event_world.h.  The model is deliberately simple: it re-derives the
 * tree's verdict from scratch (recursive count over the leaves counted so
 * far) instead of following the kernel's incremental counters, and it
 * tracks which wait each event should hold as a small integer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "event_world.h"
#include <kernel/event.h>
#include <kernel/proc.h>
#include <kernel/mm.h>
#include <kernel/kstat.h>

/* ---- host stand-ins for the kernel ---------------------------------------- */

struct proc *current;
unsigned long host_live_allocs;
bool host_kmalloc_fails;

void *kmalloc(size_t size)
{
	if (host_kmalloc_fails)
		return NULL;
	void *p = malloc(size ? size : 1);

	if (p != NULL)
		host_live_allocs++;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p != NULL)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	if (p == NULL)
		return;
	host_live_allocs--;
	free(p);
}

/* User memory: see event_world.h. */
static uint8_t umem[USIZE];

void *user_ptr(uintptr_t a, uint64_t n)
{
	if (a < UBASE || a - UBASE > USIZE || n > USIZE - (a - UBASE))
		return NULL;
	return umem + (a - UBASE);
}

uint64_t uaccess_copy(void *dst, const void *src, uint64_t n)
{
	void *ud = user_ptr((uintptr_t)dst, n);
	void *us = user_ptr((uintptr_t)src, n);

	if (ud != NULL && us == NULL) {
		memcpy(ud, src, n);
		return 0;
	}
	if (us != NULL && ud == NULL) {
		memcpy(dst, us, n);
		return 0;
	}
	return n;
}

static struct world *the_world;

static void wfail(struct world *w, const char *what, int line);
#define WCHECK(w, cond) do {                                             \
	if (!(cond))                                                     \
		wfail((w), #cond, __LINE__);                             \
} while (0)

/* ---- the model ------------------------------------------------------------- */

#define MAX_EV 40
#define MAX_LEAVES 12
#define MAX_NODES 64
#define MAX_STALE 32
#define MAX_RESULT 48

enum { MPending, MDone, MFailed };
enum { ORunning, OBlocked, OWoken };

struct mev {
	struct event *ev;
	EventId id;
	int st;
	enum status why;          /* MFailed */
	int wait;                 /* model wait id it holds, or -1 */
	bool queued;              /* on the test source's queue */
	uint32_t size;            /* MDone: result size and fill byte */
	uint8_t fill;
};

struct world {
	struct proc proc;
	struct trap_frame frame;
	struct mev ev[MAX_EV];
	int nev;
	EventId stale[MAX_STALE];
	int nstale, stale_next;
	int owner;
	int next_wait, cur_wait;
	/* The owner's current wait (OBlocked / OWoken). */
	struct ethos_tree_node nodes[MAX_NODES];
	uint32_t count;
	uint8_t counted[MAX_NODES];   /* 0, MDone or MFailed per leaf */
	uint32_t completed;
	bool decided, with_done;
	enum status want_status;
	unsigned long wakes, want_wakes, detaches, want_detaches;
	/* What an earlier (failed) test left behind: counts are relative. */
	unsigned long alloc_base, wait_base;
	world_pick_fn pick;
	void *ctx;
	world_fail_fn fail;
	bool failed;
	struct world_stats stats;
};

static void wfail(struct world *w, const char *what, int line)
{
	if (!w->failed)
		w->fail(w, what, line);
	w->failed = true;
}

static uint32_t pick(struct world *w, uint32_t n)
{
	return n <= 1 ? 0 : w->pick(w->ctx, n) % n;
}

unsigned long host_wakes;

/* The world's owner, or a directed test's process (counted in host_wakes). */
void sched_make_runnable(struct proc *p)
{
	struct world *w = the_world;

	if (w != NULL) {
		WCHECK(w, p == &w->proc && p->state == ProcBlocked);
		w->wakes++;
	} else {
		host_wakes++;
	}
	p->state = ProcRunnable;
}

/* The model registers no callbacks (kernel/event/callback.c is the
 * kernel's; the in-guest tests cover it): reaching these is a bug. */
void callback_event_due(struct event *ev)
{
	(void)ev;
	abort();
}

void callback_event_release(struct event *ev)
{
	(void)ev;
	abort();
}

static struct mev *find_ev(struct world *w, const struct event *ev)
{
	for (int i = 0; i < w->nev; i++)
		if (w->ev[i].ev == ev)
			return &w->ev[i];
	return NULL;
}

static struct mev *find_id(struct world *w, EventId id)
{
	for (int i = 0; i < w->nev; i++)
		if (w->ev[i].id == id)
			return &w->ev[i];
	return NULL;
}

static void test_detach(struct event *ev)
{
	struct world *w = the_world;
	struct mev *m = find_ev(w, ev);

	WCHECK(w, m != NULL && m->queued && ev->state == EventPending);
	if (m != NULL)
		m->queued = false;
	w->detaches++;
}

static const struct event_source test_source = {
	.name = "test",
	.detach = test_detach,
};

/* The verdict of node i from the leaves counted so far: 0, MDone, MFailed. */
static int eval(const struct world *w, uint32_t i)
{
	const struct ethos_tree_node *n = &w->nodes[i];
	uint32_t sat = 0, failed = 0;

	if (n->kind == TreeLeaf)
		return w->counted[i];
	for (uint32_t c = n->first_child; c < n->first_child + n->nchildren; c++) {
		int v = eval(w, c);
		sat += v == MDone;
		failed += v == MFailed;
	}
	if (sat >= n->k)
		return MDone;
	if (failed > n->nchildren - n->k)
		return MFailed;
	return 0;
}

/* Leaf i's event completed or failed while the wait is undecided. */
static void count_leaf(struct world *w, uint32_t i, int st)
{
	w->counted[i] = (uint8_t)st;
	if (st == MDone)
		w->completed++;
	int v = eval(w, 0);
	if (v != 0) {
		w->decided = true;
		w->want_status = v == MDone ? StatusOk : StatusCancelled;
	}
}

static int live_waits(const struct world *w)
{
	int ids[MAX_EV + 1], n = 0;

	if (w->owner != ORunning)
		ids[n++] = w->cur_wait;
	for (int i = 0; i < w->nev; i++) {
		int id = w->ev[i].wait, seen = 0;
		for (int j = 0; j < n; j++)
			seen |= ids[j] == id;
		if (id >= 0 && !seen)
			ids[n++] = id;
	}
	return n;
}

/* kmalloc'd blocks the model accounts for. */
static unsigned long want_allocs(const struct world *w)
{
	unsigned long n = w->proc.events.slots != NULL;

	n += (unsigned long)w->nev;
	for (int i = 0; i < w->nev; i++)
		if (w->ev[i].st == MDone && w->ev[i].size > EVENT_INLINE_RESULT)
			n++;
	/* A wait; its tree, leaf table and leaf_done bytes until the owner
	 * has its results. */
	n += (unsigned long)live_waits(w);
	if (w->owner != ORunning)
		n += 2 + w->with_done;
	return n;
}

static void check_all(struct world *w)
{
	struct proc *p = &w->proc;

	WCHECK(w, w->wakes == w->want_wakes);
	WCHECK(w, w->detaches == w->want_detaches);
	WCHECK(w, p->events.live == (uint32_t)w->nev);
	WCHECK(w, p->events.retired == 0);
	WCHECK(w, (p->wait != NULL) == (w->owner != ORunning));
	WCHECK(w, p->state == (w->owner == ORunning ? ProcRunning :
			       w->owner == OBlocked ? ProcBlocked : ProcRunnable));
	WCHECK(w, kstat[KStatWaits] - w->wait_base == (unsigned long)live_waits(w));
	WCHECK(w, host_live_allocs - w->alloc_base == want_allocs(w));
	for (int i = 0; i < w->nev; i++) {
		struct mev *m = &w->ev[i];
		struct event *ev = m->ev;

		WCHECK(w, event_lookup(p, m->id) == ev);
		WCHECK(w, event_id(ev) == m->id);
		WCHECK(w, ev->state == (m->st == MPending ? EventPending : EventCompleted));
		if (m->st == MFailed)
			WCHECK(w, ev->failure == m->why && ev->result_size == 0);
		if (m->st == MDone)
			WCHECK(w, ev->failure == StatusOk && ev->result_size == m->size);
		WCHECK(w, (ev->wait != NULL) == (m->wait >= 0));
		if (m->wait >= 0 && m->wait == w->cur_wait && w->owner != ORunning)
			WCHECK(w, ev->wait == p->wait);
		/* Events holding the same model wait share one struct wait. */
		for (int j = 0; j < i; j++)
			if (m->wait >= 0 && w->ev[j].wait >= 0)
				WCHECK(w, (m->wait == w->ev[j].wait) ==
					  (ev->wait == w->ev[j].ev->wait));
	}
	for (int i = 0; i < w->nstale; i++)
		WCHECK(w, event_lookup(p, w->stale[i]) == NULL);
}

/* ---- operations ---------------------------------------------------------- */

static void owner_start(struct world *w)
{
	memset(&w->proc, 0, sizeof(w->proc));
	w->proc.pid = 2;
	w->proc.state = ProcRunning;
	w->proc.frame = &w->frame;
	event_table_init(&w->proc.events);
	w->owner = ORunning;
	w->cur_wait = -1;
	w->nstale = 0;
	w->stale_next = 0;
	current = &w->proc;
}

static void op_new(struct world *w)
{
	enum status st;
	EventId id;

	if (w->nev == MAX_EV)
		return;
	struct event *ev = event_new(&w->proc, &test_source, &id, &st);
	WCHECK(w, ev != NULL && st == StatusOk && id != 0);
	if (ev == NULL)
		return;
	w->ev[w->nev++] = (struct mev){ .ev = ev, .id = id, .st = MPending,
					.wait = -1, .queued = true };
}

static struct mev *pick_pending(struct world *w)
{
	int n = 0;

	for (int i = 0; i < w->nev; i++)
		n += w->ev[i].st == MPending;
	if (n == 0)
		return NULL;
	int k = (int)pick(w, (uint32_t)n);
	for (int i = 0; i < w->nev; i++)
		if (w->ev[i].st == MPending && k-- == 0)
			return &w->ev[i];
	return NULL;
}

/* The source ends a pending event: complete (fail == false) or fail. */
static void op_finish_event(struct world *w, bool fail)
{
	static const enum status whys[] = { StatusCancelled, StatusNotFound,
					    StatusNoMemory, StatusNotPermitted };
	uint8_t buf[MAX_RESULT];
	struct mev *m = pick_pending(w);

	if (m == NULL)
		return;
	m->queued = false;                /* the source dequeues it first */
	if (m->wait >= 0 && m->wait == w->cur_wait && w->owner == OBlocked &&
	    !w->decided) {
		uint32_t leaf = 0;
		while (leaf < w->count && (w->nodes[leaf].kind != TreeLeaf ||
					   w->nodes[leaf].event != m->id))
			leaf++;
		WCHECK(w, leaf < w->count);
		count_leaf(w, leaf, fail ? MFailed : MDone);
		if (w->decided) {
			w->want_wakes++;
			w->owner = OWoken;
			w->stats.wakes++;
			w->stats.cancelled_wakes += w->want_status != StatusOk;
		}
	}
	m->wait = -1;
	if (fail) {
		m->st = MFailed;
		m->why = whys[pick(w, 4)];
		w->stats.fails++;
		event_fail(m->ev, m->why);
	} else {
		m->st = MDone;
		m->size = pick(w, MAX_RESULT + 1);
		m->fill = (uint8_t)(m->id ^ m->size);
		memset(buf, m->fill, sizeof(buf));
		w->stats.completes++;
		event_complete(m->ev, buf, m->size);
	}
}

/* Frees m's event as retire or cancel do; a queued one is detached. */
static void release(struct world *w, struct mev *m)
{
	if (m->queued)
		w->want_detaches++;
	event_release(m->ev);             /* test_detach looks m up */
	WCHECK(w, !m->queued);
	w->stale[w->stale_next] = m->id;
	w->stale_next = (w->stale_next + 1) % MAX_STALE;
	if (w->nstale < MAX_STALE)
		w->nstale++;
	*m = w->ev[--w->nev];
}

/* As sys_retire: pending stays; failed is freed with its status; a
 * completed event's result is checked and the event freed. */
static void op_retire(struct world *w)
{
	if (w->nev == 0)
		return;
	struct mev *m = &w->ev[pick(w, (uint32_t)w->nev)];
	struct event *ev = m->ev;
	enum status st;

	if (ev->state != EventCompleted) {
		WCHECK(w, m->st == MPending);
		return;
	}
	if (ev->failure != StatusOk) {
		st = ev->failure;
		WCHECK(w, m->st == MFailed && st == m->why);
	} else {
		WCHECK(w, m->st == MDone && ev->result_size == m->size);
		for (uint32_t i = 0; i < ev->result_size; i++)
			WCHECK(w, ev->result[i] == m->fill);
		st = StatusOk;
	}
	(void)st;
	w->stats.retires++;
	release(w, m);
}

static void op_cancel(struct world *w)
{
	if (w->nev == 0)
		return;
	w->stats.cancels++;
	release(w, &w->ev[pick(w, (uint32_t)w->nev)]);
}

struct gen_node {
	bool leaf;
	uint32_t k, n;
	int child[6];
};

/* A random subtree of at most *leaves leaves; returns its index in g. */
static int gen(struct world *w, struct gen_node *g, int *ng, int depth, int *leaves)
{
	int me = (*ng)++;

	g[me] = (struct gen_node){ .leaf = true };
	if (depth >= 4 || *leaves <= 1 || pick(w, 3) == 0) {
		(*leaves)--;
		return me;
	}
	g[me].leaf = false;
	uint32_t want = 1 + pick(w, 5);
	while (g[me].n < want && *leaves > 0) {
		int c = gen(w, g, ng, depth + 1, leaves);
		g[me].child[g[me].n++] = c;
	}
	g[me].k = pick(w, 2) ? 1 : 1 + pick(w, g[me].n);   /* or() often */
	return me;
}

/* Lays g out breadth first (children contiguous, after their parent). */
static uint32_t layout(struct world *w, const struct gen_node *g, EventId *leaf_ids)
{
	int order[MAX_NODES], n = 1, leaves = 0;

	order[0] = 0;
	for (int i = 0; i < n; i++) {
		const struct gen_node *x = &g[order[i]];
		struct ethos_tree_node *t = &w->nodes[i];

		memset(t, 0, sizeof(*t));
		if (x->leaf) {
			t->kind = TreeLeaf;
			t->event = leaf_ids[leaves++];
			continue;
		}
		t->kind = TreeThreshold;
		t->k = x->k;
		t->first_child = (uint32_t)n;
		t->nchildren = x->n;
		for (uint32_t c = 0; c < x->n; c++)
			order[n++] = x->child[c];
	}
	return (uint32_t)n;
}

/* block's outputs in user memory: the completed count, and leaf_done
 * (0xee where block must not write). */
static void check_results(struct world *w)
{
	struct sys_block_out *out = user_ptr(U_OUT, sizeof(*out));
	uint8_t *done = user_ptr(U_DONE, MAX_NODES);
	WCHECK(w, out->completed_leaves == w->completed);
	for (uint32_t i = 0; i < MAX_NODES; i++)
		WCHECK(w, done[i] == (!w->with_done || i >= w->count ? 0xee :
				      w->counted[i] == MDone));
}

static void op_block(struct world *w)
{
	struct gen_node g[MAX_NODES];
	EventId ids[MAX_LEAVES];
	int ng = 0, order[MAX_EV];
	bool invalid = false;

	w->stats.blocks++;
	int leaves = 1 + (int)pick(w, MAX_LEAVES);
	if (leaves > w->nev)
		leaves = w->nev;
	/* Distinct events in random order, any state; mostly pending ones
	 * first, so that trees sleep and pending leaves get reused. */
	int n = 0;
	bool mixed = pick(w, 3) == 0;
	for (int i = 0; i < w->nev; i++)
		if (mixed || w->ev[i].st == MPending)
			order[n++] = i;
	int npend = n;
	for (int i = 0; !mixed && i < w->nev; i++)
		if (w->ev[i].st != MPending)
			order[n++] = i;
	for (int i = 0; i < leaves; i++) {
		int lo = i < npend ? i : npend, hi = i < npend ? npend : n;
		int j = lo + (int)pick(w, (uint32_t)(hi - lo));
		if (i < npend || j >= i) {
			int t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		ids[i] = w->ev[order[i]].id;
	}
	if (leaves == 0) {
		ids[0] = w->nstale ? w->stale[0] : 1;
		leaves = 1;
		invalid = true;
	}
	int budget = leaves;
	gen(w, g, &ng, 0, &budget);
	int used = leaves - budget;
	if (pick(w, 20) == 0) {
		/* A bad leaf: the same event twice, a retired id, a made-up one. */
		uint32_t r = pick(w, 3);
		int at = (int)pick(w, (uint32_t)used);
		if (r == 0 && used >= 2)
			ids[at] = ids[(at + 1) % used];
		else if (r == 1 && w->nstale > 0)
			ids[at] = w->stale[pick(w, (uint32_t)w->nstale)];
		else
			ids[at] = ((EventId)1 << 32) | (EVENTS_PER_PROC + 7);
		invalid = true;
	}
	w->count = layout(w, g, ids);
	memcpy(user_ptr(U_NODES, w->count * sizeof(w->nodes[0])), w->nodes,
	       w->count * sizeof(w->nodes[0]));
	w->with_done = pick(w, 4) != 0;
	struct sys_block_in in = {
		.nodes = (const void *)U_NODES, .count = w->count,
		.leaf_done = w->with_done ? (uint8_t *)U_DONE : NULL,
	};
	memcpy(user_ptr(U_IN, sizeof(in)), &in, sizeof(in));
	memset(user_ptr(U_OUT, 8), 0xee, 8);
	memset(user_ptr(U_DONE, MAX_NODES), 0xee, MAX_NODES);

	/* The model: leaves already complete or failed count, in order. */
	memset(w->counted, 0, sizeof(w->counted));
	w->completed = 0;
	w->decided = false;
	for (uint32_t i = 0; !invalid && i < w->count && !w->decided; i++) {
		if (w->nodes[i].kind != TreeLeaf)
			continue;
		struct mev *m = find_id(w, w->nodes[i].event);
		if (m->st != MPending)
			count_leaf(w, i, m->st);
	}

	enum status st = wait_block(&w->proc, U_IN, U_OUT);
	if (invalid) {
		w->stats.invalid++;
		WCHECK(w, st == StatusInvalidEventWaitTree);
		return;
	}
	if (w->decided) {
		w->stats.immediate++;
		WCHECK(w, st == w->want_status);
		goto results;
	}
	WCHECK(w, st == StatusBlocked);
	w->stats.slept++;
	w->owner = OBlocked;
	w->cur_wait = w->next_wait++;
	for (uint32_t i = 0; i < w->count; i++) {
		if (w->nodes[i].kind != TreeLeaf)
			continue;
		struct mev *m = find_id(w, w->nodes[i].event);
		if (m->st != MPending)
			continue;
		w->stats.reattached += m->wait >= 0;
		m->wait = w->cur_wait;
	}
	return;
results:;
	check_results(w);
}

/* The scheduler resumes the woken owner: block's results are written. */
static void op_resume(struct world *w)
{
	w->frame.rax = 0x5555;
	w->proc.state = ProcRunning;
	current = &w->proc;
	wait_finish(&w->proc);
	w->stats.finishes++;
	w->owner = ORunning;
	w->cur_wait = -1;
	WCHECK(w, w->frame.rax == (uint64_t)w->want_status);
	check_results(w);
}

/* The owner's end (exit or kill, in any state), as proc_end does it. */
static void op_kill(struct world *w)
{
	struct proc *p = &w->proc;

	w->stats.kills++;
	if (p->wait != NULL)
		wait_abandon(p);
	for (int i = 0; i < w->nev; i++)
		w->want_detaches += w->ev[i].queued;
	event_table_destroy(p);
	WCHECK(w, w->detaches == w->want_detaches);
	WCHECK(w, kstat[KStatWaits] == w->wait_base);
	WCHECK(w, host_live_allocs == w->alloc_base);
	w->nev = 0;
	owner_start(w);
}

bool world_step(struct world *w)
{
	uint32_t r = pick(w, 100);

	if (w->failed)
		return false;
	w->stats.steps++;
	if (r == 0 && pick(w, 3) == 0) {
		op_kill(w);
	} else if (w->owner == ORunning) {
		if (r < 30)
			op_new(w);
		else if (r < 55)
			op_block(w);
		else if (r < 63)
			op_finish_event(w, false);
		else if (r < 67)
			op_finish_event(w, true);
		else if (r < 90)
			op_retire(w);
		else
			op_cancel(w);
	} else {
		/* Asleep or not yet resumed: only sources act. */
		if (w->owner == OWoken && r < 40)
			op_resume(w);
		else
			op_finish_event(w, r % 4 == 0);
	}
	check_all(w);
	return !w->failed;
}

struct world *world_new(world_pick_fn pick_fn, void *ctx, world_fail_fn fail)
{
	struct world *w = calloc(1, sizeof(*w));

	w->pick = pick_fn;
	w->ctx = ctx;
	w->fail = fail;
	w->alloc_base = host_live_allocs;
	w->wait_base = kstat[KStatWaits];
	the_world = w;
	owner_start(w);
	return w;
}

void world_end(struct world *w)
{
	if (!w->failed)
		op_kill(w);
}

void world_free(struct world *w)
{
	if (the_world == w)
		the_world = NULL;
	free(w);
}

const struct world_stats *world_stats(const struct world *w)
{
	return &w->stats;
}

bool world_failed(const struct world *w)
{
	return w->failed;
}
