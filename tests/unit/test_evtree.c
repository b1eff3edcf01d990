/*
 * Host tests for kernel/event/evtree.c: every validation rule on its own
 * small bad tree, valid edge cases, hostile mutations checked against a
 * brute-force validator, evaluation checked step by step against a
 * brute-force evaluator on random trees, and the O(depth) cost of a
 * completion measured in node visits.
 *
 *   build/unit/evtree [seed]   runs the fixed seed, then seed if given.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/evtree.h>

#define MAXN ETHOS_TREE_MAX_NODES
#define FIXED_SEED 0x5eed2024c0ffeeULL

/* ---- helpers ------------------------------------------------------------- */

static uint64_t current_seed;




static struct ethos_tree_node L(EventId event)
{
	return (struct ethos_tree_node){ .kind = TreeLeaf, .event = event };
}

static struct ethos_tree_node T(uint32_t k, uint32_t first_child, uint32_t nchildren)
{
	return (struct ethos_tree_node){ .kind = TreeThreshold, .k = k,
		.first_child = first_child, .nchildren = nchildren };
}

/* Scratch of exactly evtree_size(count) bytes, so ASan sees any overrun. */
static enum status validate_cb(const struct ethos_tree_node *nodes, uint32_t count,
			       evtree_leaf_check_fn check, void *ctx)
{
	size_t size = evtree_size(count);
	void *scratch = size ? malloc(size) : NULL;
	enum status s = evtree_validate(nodes, count, scratch, check, ctx);

	free(scratch);
	return s;
}

static enum status validate(const struct ethos_tree_node *nodes, uint32_t count)
{
	return validate_cb(nodes, count, NULL, NULL);
}

#define N(arr) ((uint32_t)(sizeof(arr) / sizeof((arr)[0])))
#define EXPECT_INVALID(arr) CHECK_EQ(validate(arr, N(arr)), StatusInvalidEventWaitTree)
#define EXPECT_VALID(arr) CHECK_EQ(validate(arr, N(arr)), StatusOk)

static struct ethos_tree_node *alloc_nodes(uint32_t count)
{
	struct ethos_tree_node *n = calloc(count ? count : 1, sizeof(*n));

	if (!n)
		abort();
	return n;
}

/* A chain: node i (i < depth) is a 1-of-1 over node i + 1, node depth a leaf. */
static uint32_t make_chain(struct ethos_tree_node *nodes, uint32_t depth)
{
	for (uint32_t i = 0; i < depth; i++)
		nodes[i] = T(1, i + 1, 1);
	nodes[depth] = L(7);
	return depth + 1;
}

/* ---- validation: one rule per test --------------------------------------- */

static void test_count_zero(void)
{
	struct ethos_tree_node nodes[] = { L(1) };

	CHECK_EQ(evtree_size(0), 0);
	CHECK_EQ(validate(nodes, 0), StatusInvalidEventWaitTree);
	EXPECT_VALID(nodes);
}

static void test_count_too_big(void)
{
	struct ethos_tree_node *nodes = alloc_nodes(MAXN + 1);

	nodes[0] = T(1, 1, MAXN);
	for (uint32_t i = 1; i <= MAXN; i++)
		nodes[i] = L(i);
	CHECK_EQ(evtree_size(MAXN + 1), 0);
	CHECK_EQ(evtree_size(UINT32_MAX), 0);
	CHECK_EQ(validate(nodes, MAXN + 1), StatusInvalidEventWaitTree);
	CHECK_EQ(validate(nodes, UINT32_MAX), StatusInvalidEventWaitTree);
	/* The largest allowed tree: a root over MAXN - 1 leaves. */
	nodes[0] = T(1, 1, MAXN - 1);
	CHECK(evtree_size(MAXN) > 0);
	CHECK_EQ(validate(nodes, MAXN), StatusOk);
	free(nodes);
}

static void test_unknown_kind(void)
{
	struct ethos_tree_node zero_root[] = { { .kind = 0 } };
	struct ethos_tree_node big_root[] = { { .kind = 0xffffffffu, .k = 1,
						.first_child = 1, .nchildren = 1 }, L(1) };
	struct ethos_tree_node bad_leaf[] = { T(1, 1, 2), L(1), { .kind = 3, .event = 2 } };

	EXPECT_INVALID(zero_root);
	EXPECT_INVALID(big_root);
	EXPECT_INVALID(bad_leaf);
	bad_leaf[2].kind = TreeLeaf;
	EXPECT_VALID(bad_leaf);
}

static void test_k_zero(void)
{
	struct ethos_tree_node nodes[] = { T(0, 1, 2), L(1), L(2) };

	EXPECT_INVALID(nodes);
	nodes[0].k = 1;
	EXPECT_VALID(nodes);
}

static void test_k_above_nchildren(void)
{
	struct ethos_tree_node nodes[] = { T(3, 1, 2), L(1), L(2) };
	struct ethos_tree_node inner[] = { T(1, 1, 2), T(0xffffffffu, 3, 1), L(1), L(2) };

	EXPECT_INVALID(nodes);
	EXPECT_INVALID(inner);
	nodes[0].k = 2;
	EXPECT_VALID(nodes);
	inner[1].k = 1;
	EXPECT_VALID(inner);
}

static void test_internal_without_children(void)
{
	struct ethos_tree_node lone[] = { T(1, 1, 0) };
	struct ethos_tree_node inner[] = { T(1, 1, 2), T(1, 3, 0), L(1) };

	EXPECT_INVALID(lone);
	EXPECT_INVALID(inner);
}

static void test_range_overflows_32_bits(void)
{
	/* 0xffffffff + 2 wraps to 1 in 32 bits, which would look in range. */
	struct ethos_tree_node wrap[] = { T(1, 0xffffffffu, 2), L(1), L(2) };
	struct ethos_tree_node wrap_n[] = { T(1, 2, 0xffffffffu), L(1), L(2) };
	struct ethos_tree_node wrap_inner[] = { T(1, 1, 2), T(1, 0xfffffffeu, 5), L(2) };

	EXPECT_INVALID(wrap);
	EXPECT_INVALID(wrap_n);
	EXPECT_INVALID(wrap_inner);
}

static void test_range_past_count(void)
{
	struct ethos_tree_node nodes[] = { T(1, 1, 3), L(1), L(2) };
	struct ethos_tree_node far[] = { T(1, 5, 1), L(1) };

	EXPECT_INVALID(nodes);
	EXPECT_INVALID(far);
	nodes[0].nchildren = 2;
	EXPECT_VALID(nodes);
}

static void test_child_not_after_parent(void)
{
	struct ethos_tree_node self_root[] = { T(1, 0, 1) };
	struct ethos_tree_node self_inner[] = { T(1, 1, 2), T(1, 1, 1), L(1) };
	struct ethos_tree_node to_root[] = { T(1, 1, 1), T(1, 0, 1) };
	struct ethos_tree_node backwards[] = { T(1, 1, 2), L(1), T(1, 1, 1) };

	EXPECT_INVALID(self_root);
	EXPECT_INVALID(self_inner);
	EXPECT_INVALID(to_root);
	EXPECT_INVALID(backwards);
}

static void test_two_parents(void)
{
	struct ethos_tree_node nested[] = { T(1, 1, 2), T(1, 2, 1), L(1) };
	struct ethos_tree_node overlap[] = { T(1, 1, 3), T(1, 3, 2), L(1), L(2), L(3) };
	struct ethos_tree_node late[] = { T(1, 1, 2), T(1, 3, 1), T(1, 3, 1), L(1) };

	EXPECT_INVALID(nested);
	EXPECT_INVALID(overlap);
	EXPECT_INVALID(late);
	late[2] = L(2);
	EXPECT_VALID(late);
}

static void test_no_parent(void)
{
	struct ethos_tree_node orphan_leaf[] = { T(1, 1, 1), L(1), L(2) };
	struct ethos_tree_node orphan_inner[] = { T(1, 1, 1), L(1), T(1, 3, 1), L(2) };
	struct ethos_tree_node leaf_root[] = { L(1), L(2) };

	EXPECT_INVALID(orphan_leaf);
	EXPECT_INVALID(orphan_inner);
	EXPECT_INVALID(leaf_root);
}

static void test_depth_limit(void)
{
	struct ethos_tree_node nodes[ETHOS_TREE_MAX_DEPTH + 2];

	CHECK_EQ(validate(nodes, make_chain(nodes, ETHOS_TREE_MAX_DEPTH)), StatusOk);
	CHECK_EQ(validate(nodes, make_chain(nodes, ETHOS_TREE_MAX_DEPTH + 1)),
		 StatusInvalidEventWaitTree);
}

/* Depth counts edges along the deepest path, not nodes or internal nodes. */
static void test_depth_limit_bushy(void)
{
	enum { D = ETHOS_TREE_MAX_DEPTH };
	/* A caterpillar: internal node i has a leaf and internal node i + 1. */
	struct ethos_tree_node nodes[2 * D + 3];

	/* The internal node at depth d sits at 2d; its children are a leaf at
	 * 2d + 1 and the next internal node at 2d + 2. */
	for (uint32_t d = 0; d < D; d++) {
		nodes[2 * d] = T(1, 2 * d + 1, 2);
		nodes[2 * d + 1] = L(100 + d);
	}
	nodes[2 * D] = L(99);
	CHECK_EQ(validate(nodes, 2 * D + 1), StatusOk);
	/* One more level below the deepest leaf breaks the limit. */
	nodes[2 * D] = T(2, 2 * D + 1, 2);
	nodes[2 * D + 1] = L(1);
	nodes[2 * D + 2] = L(2);
	CHECK_EQ(validate(nodes, 2 * D + 3), StatusInvalidEventWaitTree);
}

/* ---- validation: leaf callback ------------------------------------------- */

struct leaf_log {
	uint32_t calls;
	uint32_t index[16];
	EventId event[16];
	uint32_t reject_at;       /* call number to refuse, or UINT32_MAX */
};

static enum status log_leaf(void *ctx, uint32_t leaf_index, EventId event)
{
	struct leaf_log *log = ctx;
	uint32_t n = log->calls++;

	if (n < 16) {
		log->index[n] = leaf_index;
		log->event[n] = event;
	}
	return n == log->reject_at ? StatusInvalidEvent : StatusOk;
}

static void test_leaf_callback_order(void)
{
	/* root: or(leaf 11, and(leaf 12, leaf 13), leaf 14) */
	struct ethos_tree_node nodes[] = {
		T(1, 1, 3), L(11), T(2, 4, 2), L(14), L(12), L(13),
	};
	struct leaf_log log = { .reject_at = UINT32_MAX };
	static const uint32_t want_index[] = { 1, 3, 4, 5 };
	static const EventId want_event[] = { 11, 14, 12, 13 };

	CHECK_EQ(validate_cb(nodes, N(nodes), log_leaf, &log), StatusOk);
	CHECK_EQ(log.calls, 4);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK_EQ(log.index[i], want_index[i]);
		CHECK_EQ(log.event[i], want_event[i]);
	}
}

static void test_leaf_callback_rejects(void)
{
	struct ethos_tree_node nodes[] = { T(1, 1, 3), L(1), L(2), L(3) };

	for (uint32_t reject = 0; reject < 3; reject++) {
		struct leaf_log log = { .reject_at = reject };

		CHECK_EQ(validate_cb(nodes, N(nodes), log_leaf, &log),
			 StatusInvalidEventWaitTree);
	}
}

static void test_leaf_callback_not_called_on_bad_structure(void)
{
	/* A sound prefix of leaves, then a bad node at the end. */
	struct ethos_tree_node nodes[] = { T(1, 1, 3), L(1), L(2), T(0, 4, 1), L(3) };
	struct leaf_log log = { .reject_at = UINT32_MAX };

	CHECK_EQ(validate_cb(nodes, N(nodes), log_leaf, &log),
		 StatusInvalidEventWaitTree);
	CHECK_EQ(log.calls, 0);
}

/* ---- validation: valid edge cases ---------------------------------------- */

static void test_valid_single_leaf(void)
{
	struct ethos_tree_node nodes[] = { L(5) };

	EXPECT_VALID(nodes);
}

static void test_valid_4096_leaves(void)
{
	struct ethos_tree_node *nodes = alloc_nodes(4097);

	for (uint32_t i = 1; i <= 4096; i++)
		nodes[i] = L(i);
	nodes[0] = T(1, 1, 4096);
	CHECK_EQ(validate(nodes, 4097), StatusOk);
	nodes[0] = T(4096, 1, 4096);
	CHECK_EQ(validate(nodes, 4097), StatusOk);
	nodes[0] = T(4097, 1, 4096);
	CHECK_EQ(validate(nodes, 4097), StatusInvalidEventWaitTree);
	free(nodes);
}

/* Layouts other than breadth-first satisfy the ABI and must be accepted. */
static void test_valid_depth_first_layout(void)
{
	/*
	 * root(1, 2)        children blocks: root [1,3), 1 [3,5), 3 [5,7),
	 *   1(3, 4)           2 [7,9): node 2's block comes after node 3's.
	 *     3(5, 6)
	 *     4
	 *   2(7, 8)
	 */
	struct ethos_tree_node nodes[] = {
		T(2, 1, 2), T(1, 3, 2), T(2, 7, 2), T(1, 5, 2), L(4),
		L(5), L(6), L(7), L(8),
	};

	EXPECT_VALID(nodes);
}

static void test_ignored_fields(void)
{
	struct ethos_tree_node nodes[] = { T(1, 1, 2), L(1), L(2) };

	nodes[0].event = 0xdeadbeef;
	nodes[1].k = 99;
	nodes[1].first_child = 0;
	nodes[2].nchildren = 0xffffffffu;
	EXPECT_VALID(nodes);
}

/* ---- validation: hostile input against a brute-force definition ---------- */

/*
 * The rules read literally: parents counted for every node, depth found by
 * walking each node's parent chain.  Quadratic; fine for small trees.
 */
static bool reference_valid(const struct ethos_tree_node *nodes, uint32_t count)
{
	uint32_t *parents, *parent;
	bool ok = true;

	if (count == 0 || count > MAXN)
		return false;
	parents = calloc(count, sizeof(*parents));
	parent = calloc(count, sizeof(*parent));
	for (uint32_t i = 0; i < count && ok; i++) {
		const struct ethos_tree_node *n = &nodes[i];

		if (n->kind == TreeLeaf)
			continue;
		if (n->kind != TreeThreshold || n->nchildren == 0 || n->k == 0 ||
		    n->k > n->nchildren || n->first_child <= i ||
		    (uint64_t)n->first_child + n->nchildren > count) {
			ok = false;
			break;
		}
		for (uint64_t c = n->first_child; c < (uint64_t)n->first_child + n->nchildren; c++) {
			parents[c]++;
			parent[c] = i;
		}
	}
	for (uint32_t i = 1; i < count && ok; i++)
		ok = parents[i] == 1;
	for (uint32_t i = 1; i < count && ok; i++) {
		uint32_t depth = 0;

		for (uint32_t j = i; j != 0; j = parent[j])
			depth++;
		ok = depth <= ETHOS_TREE_MAX_DEPTH;
	}
	free(parents);
	free(parent);
	return ok;
}

/* ---- random trees --------------------------------------------------------- */

/*
 * A random tree shape grown by turning leaves into internal nodes, then
 * laid out in a random order of children blocks (breadth-first, depth-first
 * and everything between), so the evaluator sees every legal layout.
 */
struct shape {
	uint32_t n;
	uint32_t first[MAXN];
	uint32_t nchildren[MAXN];      /* 0: leaf */
	uint32_t k[MAXN];
	uint32_t depth[MAXN];
};

static uint32_t random_k(uint32_t m)
{
	switch (unit_rand_below(4)) {
	case 0: return 1;              /* or */
	case 1: return m;              /* and */
	default: return unit_rand_range(1, m);
	}
}

static uint32_t pick_expandable_leaf(const struct shape *s, uint32_t max_depth,
				     bool deep)
{
	for (int tries = 0; tries < 64; tries++) {
		/* deep: favour the newest nodes, which grows long paths */
		uint32_t lo = deep && s->n > 4 ? s->n - 4 : 0;
		uint32_t i = unit_rand_range(lo, s->n - 1);

		if (s->nchildren[i] == 0 && s->depth[i] < max_depth)
			return i;
	}
	for (uint32_t i = 0; i < s->n; i++)
		if (s->nchildren[i] == 0 && s->depth[i] < max_depth)
			return i;
	return UINT32_MAX;
}

static void random_shape(struct shape *s, uint32_t target, uint32_t max_depth,
			 uint32_t max_fan)
{
	bool deep = unit_rand_below(3) == 0;

	s->n = 1;
	s->nchildren[0] = 0;
	s->depth[0] = 0;
	while (s->n < target) {
		uint32_t i = pick_expandable_leaf(s, max_depth, deep);
		uint32_t m = unit_rand_range(1, max_fan);

		if (i == UINT32_MAX)
			break;
		if (m > target - s->n)
			m = target - s->n;
		s->first[i] = s->n;
		s->nchildren[i] = m;
		s->k[i] = random_k(m);
		for (uint32_t c = s->n; c < s->n + m; c++) {
			s->nchildren[c] = 0;
			s->depth[c] = s->depth[i] + 1;
		}
		s->n += m;
	}
}

/* Lays s out in nodes; returns the count.  Leaf events are 1000 + index. */
static uint32_t random_layout(const struct shape *s, struct ethos_tree_node *nodes)
{
	static uint32_t pos[MAXN], pending[MAXN];
	uint32_t npending = 0, next = 1;

	pos[0] = 0;
	pending[npending++] = 0;
	while (npending) {
		uint32_t pick = unit_rand_below(npending);
		uint32_t v = pending[pick];

		pending[pick] = pending[--npending];
		if (s->nchildren[v] == 0) {
			nodes[pos[v]] = L(1000 + pos[v]);
			continue;
		}
		nodes[pos[v]] = T(s->k[v], next, s->nchildren[v]);
		for (uint32_t j = 0; j < s->nchildren[v]; j++) {
			pos[s->first[v] + j] = next++;
			pending[npending++] = s->first[v] + j;
		}
	}
	return s->n;
}

static struct shape shape_buf;
static struct ethos_tree_node tree_buf[MAXN];

static uint32_t random_tree(uint32_t target, uint32_t max_depth, uint32_t max_fan)
{
	random_shape(&shape_buf, target, max_depth, max_fan);
	return random_layout(&shape_buf, tree_buf);
}

/* Parent and depth of every node of a validated array. */
static void tree_depths(const struct ethos_tree_node *nodes, uint32_t count,
			uint32_t *depth)
{
	depth[0] = 0;
	for (uint32_t i = 0; i < count; i++)
		if (nodes[i].kind == TreeThreshold)
			for (uint32_t j = 0; j < nodes[i].nchildren; j++)
				depth[nodes[i].first_child + j] = depth[i] + 1;
}

static bool report_seed_on_failure(int failures_before, const char *what, uint32_t round)
{
	if (unit_failures == failures_before)
		return false;
	printf("FAIL: %s: %s round %u, seed %llu (rerun: build/unit/evtree %llu)\n",
	       unit_current, what, round, (unsigned long long)current_seed,
	       (unsigned long long)current_seed);
	return true;
}

static void mutate(struct ethos_tree_node *nodes, uint32_t count)
{
	struct ethos_tree_node *n = &nodes[unit_rand_below(count)];
	static const uint32_t edge[] = { 0, 1, 2, 3, 0x7fffffffu, 0xfffffffeu,
					 0xffffffffu, MAXN, MAXN + 1 };
	uint32_t value = unit_rand_below(2) ? edge[unit_rand_below(N(edge))] : unit_rand_below(count + 2);

	switch (unit_rand_below(5)) {
	case 0: n->kind = unit_rand_below(2) ? unit_rand_below(4) : value; break;
	case 1: n->k = value; break;
	case 2: n->first_child = value; break;
	case 3: n->nchildren = value; break;
	default: /* swap two nodes: breaks or keeps the structure */
		{
			struct ethos_tree_node tmp = *n, *o = &nodes[unit_rand_below(count)];

			*n = *o;
			*o = tmp;
		}
	}
}

static void hostile_rounds(uint64_t seed, uint32_t rounds)
{
	uint32_t ok_seen = 0, bad_seen = 0;

	current_seed = seed;
	unit_rng = seed;
	for (uint32_t r = 0; r < rounds; r++) {
		int before = unit_failures;
		uint32_t count = random_tree(unit_rand_range(1, 40), unit_rand_range(1, 8), 5);
		uint32_t nmut = unit_rand_below(3);

		for (uint32_t m = 0; m < nmut; m++)
			mutate(tree_buf, count);
		if (unit_rand_below(8) == 0)   /* a wrong count */
			count = unit_rand_range(1, count);
		bool want = reference_valid(tree_buf, count);
		CHECK_EQ(validate(tree_buf, count), want ? StatusOk : StatusInvalidEventWaitTree);
		want ? ok_seen++ : bad_seen++;
		if (report_seed_on_failure(before, "hostile", r))
			return;
	}
	/* The mix must exercise both answers, or the test proves little. */
	CHECK(ok_seen > rounds / 10);
	CHECK(bad_seen > rounds / 10);
}

static void test_hostile_mutations(void)
{
	hostile_rounds(FIXED_SEED, 20000);
}

/* Deep random shapes right at the depth limit, mutated: depth errors. */
static void test_random_depth_limit(void)
{
	unit_rng = current_seed = FIXED_SEED + 1;
	for (uint32_t r = 0; r < 500; r++) {
		int before = unit_failures;
		uint32_t depth[MAXN];
		uint32_t count = random_tree(unit_rand_range(70, 300), ETHOS_TREE_MAX_DEPTH + 1, 3);
		uint32_t max = 0;

		tree_depths(tree_buf, count, depth);
		for (uint32_t i = 0; i < count; i++)
			if (depth[i] > max)
				max = depth[i];
		CHECK_EQ(validate(tree_buf, count),
			 max <= ETHOS_TREE_MAX_DEPTH ? StatusOk : StatusInvalidEventWaitTree);
		CHECK_EQ(reference_valid(tree_buf, count), max <= ETHOS_TREE_MAX_DEPTH);
		if (report_seed_on_failure(before, "depth", r))
			return;
	}
}

/* ---- evaluation: fixed cases ---------------------------------------------- */

/* Owns the memory of one evtree, exactly evtree_size bytes. */
static struct evtree *make_tree(const struct ethos_tree_node *nodes, uint32_t count)
{
	void *mem = malloc(evtree_size(count));

	if (validate(nodes, count) != StatusOk) {
		printf("FAIL: %s: test tree does not validate\n", unit_current);
		unit_failures++;
	}
	return evtree_init(mem, nodes, count);
}

static void test_or_and_threshold(void)
{
	struct ethos_tree_node or2[] = { T(1, 1, 2), L(1), L(2) };
	struct ethos_tree_node and3[] = { T(3, 1, 3), L(1), L(2), L(3) };
	struct ethos_tree_node two_of_3[] = { T(2, 1, 3), L(1), L(2), L(3) };
	struct evtree *t;

	t = make_tree(or2, 3);
	CHECK_EQ(evtree_count(t), 3);
	CHECK(!evtree_satisfied(t) && !evtree_failed(t));
	CHECK(evtree_leaf_complete(t, 2));
	CHECK(evtree_satisfied(t) && !evtree_failed(t));
	CHECK(evtree_leaf_is_complete(t, 2) && !evtree_leaf_is_complete(t, 1));
	free(t);

	t = make_tree(or2, 3);
	CHECK(!evtree_leaf_fail(t, 1));
	CHECK(evtree_leaf_fail(t, 2));
	CHECK(evtree_failed(t) && !evtree_satisfied(t));
	free(t);

	t = make_tree(and3, 4);
	CHECK(!evtree_leaf_complete(t, 1));
	CHECK(!evtree_leaf_complete(t, 3));
	CHECK(!evtree_satisfied(t));
	CHECK(evtree_leaf_complete(t, 2));
	CHECK(evtree_satisfied(t));
	free(t);

	t = make_tree(and3, 4);
	CHECK(!evtree_leaf_complete(t, 1));
	CHECK(evtree_leaf_fail(t, 3));
	CHECK(evtree_failed(t));
	free(t);

	t = make_tree(two_of_3, 4);
	CHECK(!evtree_leaf_fail(t, 1));
	CHECK(!evtree_leaf_complete(t, 2));
	CHECK(evtree_leaf_fail(t, 3));
	CHECK(evtree_failed(t));
	free(t);

	t = make_tree(two_of_3, 4);
	CHECK(!evtree_leaf_fail(t, 1));
	CHECK(!evtree_leaf_complete(t, 2));
	CHECK(evtree_leaf_complete(t, 3));
	CHECK(evtree_satisfied(t));
	free(t);
}

static void test_single_leaf_root(void)
{
	struct ethos_tree_node one[] = { L(1) };
	struct evtree *t = make_tree(one, 1);

	CHECK(evtree_leaf_complete(t, 0));
	CHECK(evtree_satisfied(t) && evtree_leaf_is_complete(t, 0));
	CHECK(!evtree_leaf_complete(t, 0));
	CHECK(!evtree_leaf_fail(t, 0));
	CHECK(evtree_satisfied(t) && !evtree_failed(t));
	free(t);

	t = make_tree(one, 1);
	CHECK(evtree_leaf_fail(t, 0));
	CHECK(evtree_failed(t) && !evtree_leaf_is_complete(t, 0));
	CHECK(!evtree_leaf_complete(t, 0));
	CHECK(evtree_failed(t) && !evtree_leaf_is_complete(t, 0));
	free(t);
}

static void test_leaf_changes_once(void)
{
	struct ethos_tree_node and2[] = { T(2, 1, 2), L(1), L(2) };
	struct ethos_tree_node two_of_3[] = { T(2, 1, 3), L(1), L(2), L(3) };
	struct evtree *t = make_tree(and2, 3);

	/* A repeated completion must not count twice towards k. */
	CHECK(!evtree_leaf_complete(t, 1));
	CHECK(!evtree_leaf_complete(t, 1));
	CHECK(!evtree_satisfied(t));
	/* A completed leaf cannot fail afterwards. */
	CHECK(!evtree_leaf_fail(t, 1));
	CHECK(evtree_leaf_is_complete(t, 1) && !evtree_failed(t));
	CHECK(evtree_leaf_complete(t, 2));
	free(t);

	/* A repeated failure must not use up the spare twice. */
	t = make_tree(two_of_3, 4);
	CHECK(!evtree_leaf_fail(t, 1));
	CHECK(!evtree_leaf_fail(t, 1));
	CHECK(!evtree_failed(t));
	CHECK(!evtree_leaf_complete(t, 1));
	CHECK(!evtree_leaf_is_complete(t, 1));
	CHECK(!evtree_leaf_complete(t, 2));
	CHECK(evtree_leaf_complete(t, 3));
	CHECK(evtree_satisfied(t));
	free(t);
}

static void test_nothing_changes_after_root_decided(void)
{
	/* or(leaf 1, and(leaf 3, leaf 4), leaf 2) */
	struct ethos_tree_node nodes[] = { T(1, 1, 3), L(1), T(2, 4, 2), L(2), L(3), L(4) };
	struct evtree *t = make_tree(nodes, N(nodes));

	CHECK(evtree_leaf_complete(t, 1));
	CHECK(!evtree_leaf_complete(t, 3));
	CHECK(!evtree_leaf_complete(t, 4));
	CHECK(!evtree_leaf_fail(t, 5));
	CHECK(evtree_satisfied(t) && !evtree_failed(t));
	CHECK(!evtree_leaf_is_complete(t, 3) && !evtree_leaf_is_complete(t, 4));
	free(t);
}

/* A decided internal node absorbs later changes below it. */
static void test_decided_subtree_is_final(void)
{
	/* or(2-of-3(or(leaf 6, leaf 7), leaf 4, leaf 5), leaf 2) */
	struct ethos_tree_node nodes[] = {
		T(1, 1, 2), T(2, 3, 3), L(9), T(1, 6, 2), L(1), L(2), L(3), L(4),
	};
	struct evtree *t = make_tree(nodes, N(nodes));

	CHECK(!evtree_leaf_fail(t, 4));
	CHECK(!evtree_leaf_fail(t, 5));         /* node 1 fails, root pending */
	CHECK(!evtree_failed(t));
	CHECK(!evtree_leaf_complete(t, 6));     /* node 3 done, node 1 stays failed */
	CHECK(!evtree_satisfied(t) && !evtree_failed(t));
	CHECK(evtree_leaf_complete(t, 2));
	CHECK(evtree_satisfied(t));
	free(t);

	t = make_tree(nodes, N(nodes));
	CHECK(!evtree_leaf_complete(t, 6));     /* or node 3 satisfied */
	CHECK(!evtree_leaf_complete(t, 7));     /* node 3 decided: not counted again */
	CHECK(!evtree_satisfied(t));
	CHECK(evtree_leaf_complete(t, 4));      /* node 1: 2 of 3 */
	CHECK(evtree_satisfied(t));
	free(t);
}

struct bad_call { struct evtree *t; uint32_t index; int op; };

static void call_on(void *arg)
{
	struct bad_call *c = arg;

	switch (c->op) {
	case 0: evtree_leaf_complete(c->t, c->index); break;
	case 1: evtree_leaf_fail(c->t, c->index); break;
	default: evtree_leaf_is_complete(c->t, c->index); break;
	}
}

static void test_bad_leaf_index_asserts(void)
{
	struct ethos_tree_node nodes[] = { T(1, 1, 2), L(1), L(2) };
	struct evtree *t = make_tree(nodes, 3);

	for (int op = 0; op < 3; op++) {
		struct bad_call internal = { t, 0, op }, past = { t, 3, op }, huge = { t, UINT32_MAX, op };

		CHECK(unit_expect_panic(call_on, &internal));
		CHECK(unit_expect_panic(call_on, &past));
		CHECK(unit_expect_panic(call_on, &huge));
	}
	CHECK(!evtree_satisfied(t) && !evtree_failed(t));
	free(t);
}

static void test_init_reuses_validate_scratch(void)
{
	struct ethos_tree_node nodes[] = { T(2, 1, 3), L(1), L(2), L(3) };
	size_t size = evtree_size(4);
	void *mem = malloc(size);
	struct evtree *t;

	/* The block syscall's order: one allocation for both steps. */
	memset(mem, 0xa5, size);
	CHECK_EQ(evtree_validate(nodes, 4, mem, NULL, NULL), StatusOk);
	t = evtree_init(mem, nodes, 4);
	CHECK(!evtree_leaf_complete(t, 1));
	CHECK(evtree_leaf_complete(t, 3));
	free(mem);
}

/* ---- evaluation: property test against a brute-force evaluator ----------- */

enum { Pend = 0, Done = 1, Fail = 2 };

/* From scratch, by the definition: satisfied if >= k children are; failed
 * if fewer than k children are not failed. */
static int reference_state(const struct ethos_tree_node *nodes, const uint8_t *leaf_state,
			   uint32_t i)
{
	uint32_t done = 0, failed = 0;

	if (nodes[i].kind == TreeLeaf)
		return leaf_state[i];
	for (uint32_t j = 0; j < nodes[i].nchildren; j++) {
		int s = reference_state(nodes, leaf_state, nodes[i].first_child + j);

		done += s == Done;
		failed += s == Fail;
	}
	if (done >= nodes[i].k)
		return Done;
	if (nodes[i].nchildren - failed < nodes[i].k)
		return Fail;
	return Pend;
}

static void shuffle(uint32_t *a, uint32_t n)
{
	for (uint32_t i = n; i > 1; i--) {
		uint32_t j = unit_rand_below(i), tmp = a[i - 1];

		a[i - 1] = a[j];
		a[j] = tmp;
	}
}

static uint32_t leaves_of(const struct ethos_tree_node *nodes, uint32_t count,
			  uint32_t *leaves)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < count; i++)
		if (nodes[i].kind == TreeLeaf)
			leaves[n++] = i;
	return n;
}

/* One random tree, one random order; false on the first mismatch. */
static bool property_round(uint32_t round)
{
	static uint32_t leaves[MAXN];
	static uint8_t leaf_state[MAXN];
	static const uint32_t fail_percent[] = { 0, 5, 20, 50, 80, 100 };
	int before = unit_failures;
	uint32_t count = random_tree(unit_rand_range(1, unit_rand_below(4) ? 40 : 400),
				     unit_rand_range(1, 12), unit_rand_range(1, 8));
	uint32_t nleaves = leaves_of(tree_buf, count, leaves);
	uint32_t fail_pct = fail_percent[unit_rand_below(N(fail_percent))];
	struct evtree *t = make_tree(tree_buf, count);
	uint32_t trues = 0;

	memset(leaf_state, Pend, count);
	shuffle(leaves, nleaves);
	for (uint32_t step = 0; step < nleaves; step++) {
		/* now and then repeat a leaf already handled */
		uint32_t leaf = leaves[unit_rand_below(5) == 0 ? unit_rand_below(step + 1) : step];
		bool fail = unit_rand_below(100) < fail_pct;
		int root_before = reference_state(tree_buf, leaf_state, 0);
		bool ret;
		int root_after;

		if (root_before == Pend && leaf_state[leaf] == Pend)
			leaf_state[leaf] = fail ? Fail : Done;
		root_after = reference_state(tree_buf, leaf_state, 0);
		ret = fail ? evtree_leaf_fail(t, leaf) : evtree_leaf_complete(t, leaf);
		trues += ret;
		CHECK_EQ(ret, root_before == Pend && root_after != Pend);
		CHECK_EQ(evtree_satisfied(t), root_after == Done);
		CHECK_EQ(evtree_failed(t), root_after == Fail);
		for (uint32_t j = 0; j < nleaves; j++)
			CHECK_EQ(evtree_leaf_is_complete(t, leaves[j]),
				 leaf_state[leaves[j]] == Done);
		if (unit_failures != before)
			break;
	}
	/* Finish every leaf: the root must end decided, reported exactly once. */
	for (uint32_t j = 0; j < nleaves && unit_failures == before; j++)
		trues += evtree_leaf_fail(t, leaves[j]);
	CHECK(evtree_satisfied(t) || evtree_failed(t));
	CHECK_EQ(trues, 1);
	free(t);
	return !report_seed_on_failure(before, "property", round);
}

static void property_rounds(uint64_t seed, uint32_t rounds)
{
	current_seed = seed;
	unit_rng = seed;
	for (uint32_t r = 0; r < rounds; r++)
		if (!property_round(r))
			return;
}

static void test_property_fixed_seed(void)
{
	property_rounds(FIXED_SEED, 10000);
}

static uint64_t argv_seed;
static bool have_argv_seed;

static void test_property_argv_seed(void)
{
	property_rounds(argv_seed, 4000);
	hostile_rounds(argv_seed, 20000);
}

/* ---- cost: node visits per completion ------------------------------------- */

/* A complete fan-ary tree of the given depth, breadth-first. */
static uint32_t uniform_tree(struct ethos_tree_node *nodes, uint32_t fan, uint32_t depth)
{
	uint32_t level_start = 0, level_size = 1, next = 1;

	for (uint32_t d = 0; d < depth; d++) {
		for (uint32_t i = level_start; i < level_start + level_size; i++) {
			nodes[i] = T(random_k(fan), next, fan);
			next += fan;
		}
		level_start += level_size;
		level_size *= fan;
	}
	for (uint32_t i = level_start; i < next; i++)
		nodes[i] = L(i);
	return next;
}

/*
 * Depth 64, 4096 leaves: the internal node at depth d < 63 has 64 leaves
 * and, as its last child, the internal node at depth d + 1; the one at
 * depth 63 has 64 leaves.
 */
static uint32_t caterpillar_tree(struct ethos_tree_node *nodes)
{
	enum { D = ETHOS_TREE_MAX_DEPTH, LEAVES = 4096 / D };
	uint32_t self = 0, next = 1;

	for (uint32_t d = 0; d < D; d++) {
		uint32_t nchildren = d < D - 1 ? LEAVES + 1 : LEAVES;

		nodes[self] = T(random_k(nchildren), next, nchildren);
		for (uint32_t j = 0; j < LEAVES; j++)
			nodes[next + j] = L(next + j);
		self = next + LEAVES;
		next += nchildren;
	}
	return next;
}

static void check_visits(const struct ethos_tree_node *nodes, uint32_t count,
			 uint32_t tree_depth, uint32_t fail_pct)
{
	static uint32_t leaves[MAXN], depth[MAXN];
	uint32_t nleaves = leaves_of(nodes, count, leaves);
	struct evtree *t = make_tree(nodes, count);
	unsigned long total = 0;
	uint32_t calls = 0, worst = 0;

	CHECK_EQ(nleaves, 4096);
	tree_depths(nodes, count, depth);
	shuffle(leaves, nleaves);
	for (uint32_t i = 0; i < nleaves; i++) {
		unsigned long start = evtree_test_visits;
		uint32_t visits;

		if (unit_rand_below(100) < fail_pct)
			evtree_leaf_fail(t, leaves[i]);
		else
			evtree_leaf_complete(t, leaves[i]);
		visits = (uint32_t)(evtree_test_visits - start);
		CHECK(visits <= depth[leaves[i]] + 1);
		if (visits > worst)
			worst = visits;
		total += visits;
		calls++;
	}
	CHECK(worst <= tree_depth + 1);
	/* Every node is decided at most once, plus one visit that stops each
	 * climb: far below calls * (depth + 1) for a tree of depth >= 2. */
	CHECK(total <= (unsigned long)count + calls);
	free(t);
}

static void test_completion_cost(void)
{
	static struct ethos_tree_node nodes[MAXN];
	static const uint32_t shapes[][2] = {
		{ 4096, 1 }, { 64, 2 }, { 16, 3 }, { 8, 4 }, { 4, 6 }, { 2, 12 },
	};

	unit_rng = current_seed = FIXED_SEED + 2;
	for (uint32_t s = 0; s < N(shapes); s++)
		for (uint32_t fail_pct = 0; fail_pct <= 100; fail_pct += 25)
			check_visits(nodes, uniform_tree(nodes, shapes[s][0], shapes[s][1]),
				     shapes[s][1], fail_pct);
	for (uint32_t fail_pct = 0; fail_pct <= 100; fail_pct += 25) {
		uint32_t count = caterpillar_tree(nodes);

		CHECK_EQ(validate(nodes, count), StatusOk);
		check_visits(nodes, count, ETHOS_TREE_MAX_DEPTH, fail_pct);
	}
}

/* A full climb: an and over and over ... decided by its last leaf. */
static void test_completion_cost_full_climb(void)
{
	struct ethos_tree_node nodes[ETHOS_TREE_MAX_DEPTH + 2];
	uint32_t count = make_chain(nodes, ETHOS_TREE_MAX_DEPTH);
	struct evtree *t = make_tree(nodes, count);
	unsigned long start = evtree_test_visits;

	CHECK(evtree_leaf_complete(t, count - 1));
	CHECK_EQ(evtree_test_visits - start, ETHOS_TREE_MAX_DEPTH + 1);
	start = evtree_test_visits;
	CHECK(!evtree_leaf_complete(t, count - 1));
	CHECK(evtree_test_visits - start <= 1);
	free(t);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		argv_seed = strtoull(argv[1], NULL, 0);
		have_argv_seed = true;
	}
	RUN(test_count_zero);
	RUN(test_count_too_big);
	RUN(test_unknown_kind);
	RUN(test_k_zero);
	RUN(test_k_above_nchildren);
	RUN(test_internal_without_children);
	RUN(test_range_overflows_32_bits);
	RUN(test_range_past_count);
	RUN(test_child_not_after_parent);
	RUN(test_two_parents);
	RUN(test_no_parent);
	RUN(test_depth_limit);
	RUN(test_depth_limit_bushy);
	RUN(test_leaf_callback_order);
	RUN(test_leaf_callback_rejects);
	RUN(test_leaf_callback_not_called_on_bad_structure);
	RUN(test_valid_single_leaf);
	RUN(test_valid_4096_leaves);
	RUN(test_valid_depth_first_layout);
	RUN(test_ignored_fields);
	RUN(test_hostile_mutations);
	RUN(test_random_depth_limit);
	RUN(test_or_and_threshold);
	RUN(test_single_leaf_root);
	RUN(test_leaf_changes_once);
	RUN(test_nothing_changes_after_root_decided);
	RUN(test_decided_subtree_is_final);
	RUN(test_bad_leaf_index_asserts);
	RUN(test_init_reuses_validate_scratch);
	RUN(test_property_fixed_seed);
	if (have_argv_seed)
		RUN(test_property_argv_seed);
	RUN(test_completion_cost);
	RUN(test_completion_cost_full_climb);
	UNIT_EXIT();
}
