/*
 * Host benchmark of the beep queue: the sorted list it was (a TAILQ
 * scanned from its tail, as kernel/event/beep.c did before the heap)
 * against the min-heap (kernel/event/beepheap.c), for N deadlines inserted
 * in random order and in increasing order, then all expired.  ns per
 * insert and per expiry, median of 7 runs.  Prints a Markdown section for
 * docs/BENCHMARKS.md.
 */
#include <stdio.h>
#include <stdlib.h>
#include "bench.h"
#include "unit.h"
#include <kernel/beepheap.h>
#include <kernel/queue.h>
#include <kernel/mm.h>

#define NMAX 16384

void *kmalloc(size_t size)
{
	return malloc(size);
}

void kfree(void *p)
{
	free(p);
}

struct lnode {
	uint64_t deadline;
	TAILQ_ENTRY(lnode) link;
};
TAILQ_HEAD(lq, lnode);

static struct lnode lnodes[NMAX];
static struct event events[NMAX];
static uint64_t deadlines[NMAX];
static volatile uint64_t sink;

/* The old insert: walk back from the tail to the last node not after it. */
static void list_insert(struct lq *q, struct lnode *n)
{
	struct lnode *later = NULL, *it;

	for (it = TAILQ_LAST(q, lq); it != NULL; it = TAILQ_PREV(it, lq, link)) {
		if (it->deadline <= n->deadline)
			break;
		later = it;
	}
	if (later != NULL)
		TAILQ_INSERT_BEFORE(later, n, link);
	else
		TAILQ_INSERT_TAIL(q, n, link);
}

static void list_run(int n, double *insert, double *expire)
{
	struct lq q;
	struct lnode *it;

	TAILQ_INIT(&q);
	double t0 = now_ns();

	for (int i = 0; i < n; i++) {
		lnodes[i].deadline = deadlines[i];
		list_insert(&q, &lnodes[i]);
	}
	double t1 = now_ns();
	while ((it = TAILQ_FIRST(&q)) != NULL) {
		sink += it->deadline;
		TAILQ_REMOVE(&q, it, link);
	}
	*insert = (t1 - t0) / n;
	*expire = (now_ns() - t1) / n;
}

static void heap_run(int n, double *insert, double *expire)
{
	struct beep_heap h = { 0 };
	struct event *ev;
	double t0 = now_ns();

	for (int i = 0; i < n; i++) {
		events[i].u.beep.deadline = deadlines[i];
		if (!beep_heap_reserve(&h))
			abort();
		beep_heap_insert(&h, &events[i]);
	}
	double t1 = now_ns();
	while ((ev = beep_heap_first(&h)) != NULL) {
		sink += ev->u.beep.deadline;
		beep_heap_remove(&h, ev);
	}
	*insert = (t1 - t0) / n;
	*expire = (now_ns() - t1) / n;
}

static void row(int n, int random_order)
{
	double li[RUNS], le[RUNS], hi[RUNS], he[RUNS];

	unit_rng = 42;
	for (int i = 0; i < n; i++)
		deadlines[i] = random_order ? unit_rand() % 1000000000ULL : (uint64_t)i;
	for (int r = 0; r < RUNS; r++) {
		list_run(n, &li[r], &le[r]);
		heap_run(n, &hi[r], &he[r]);
	}
	double l = median(li), h = median(hi);
	printf("| %d | %s | %.1f | %.1f | %.2fx | %.1f | %.1f |\n", n,
	       random_order ? "random" : "increasing", l, h, l / h, median(le),
	       median(he));
}

int main(void)
{
	static const int sizes[] = { 16, 256, 4096, 16384 };

	printf("## Host: beep queue, sorted list against min-heap\n\n");
	printf("ns per operation, median of %d runs: N deadlines inserted, then all "
	       "expired in order. The list is the one the heap replaced "
	       "(insertion scans from the tail).\n\n", RUNS);
	printf("| N | order | list insert | heap insert | list/heap | list expire | heap expire |\n");
	printf("| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n");
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		row(sizes[i], 1);
		row(sizes[i], 0);
	}
	return 0;
}
