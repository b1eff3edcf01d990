/*
 * Host tests for the libethos tree builder (libethos/tree.c): layouts of
 * known trees, every error, and random nested trees whose finished arrays
 * must pass the kernel's evtree_validate, keep the built structure exactly,
 * and evaluate like the tree the test meant to build.
 *
 *   build/unit/tree_builder [seed]   runs the fixed seed, then seed if given.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/evtree.h>
#include <ethos/tree.h>

#define MAXN ETHOS_TREE_MAX_NODES
#define FIXED_SEED 0x7ee5b11d3e7ULL
#define N(arr) ((uint32_t)(sizeof(arr) / sizeof((arr)[0])))

static uint64_t current_seed;




static enum status validate(const struct ethos_tree_node *nodes, uint32_t count)
{
	size_t size = evtree_size(count);
	void *scratch = size ? malloc(size) : NULL;
	enum status s = evtree_validate(nodes, count, scratch, NULL, NULL);

	free(scratch);
	return s;
}

/* Breadth-first: internal nodes' child blocks follow each other in order. */
static bool is_breadth_first(const struct ethos_tree_node *nodes, uint32_t count)
{
	uint32_t next = 1;

	for (uint32_t i = 0; i < count; i++) {
		if (nodes[i].kind != TreeThreshold)
			continue;
		if (nodes[i].first_child != next)
			return false;
		next += nodes[i].nchildren;
	}
	return next == count;
}

static struct tree_bnode arena[2 * MAXN];
static struct ethos_tree_node out[2 * MAXN];

/* ---- known trees ---------------------------------------------------------- */

static void test_example_layout(void)
{
	struct tree_builder b;
	tree_ref e1, e2, e3, root;

	tree_builder_init(&b, arena, 16);
	e1 = tree_leaf(&b, 101);
	e2 = tree_leaf(&b, 102);
	e3 = tree_leaf(&b, 103);
	root = tree_or(&b, 2, e1, tree_and(&b, 2, e2, e3));
	CHECK_EQ(tree_finish(&b, root, out, 16), 5);
	CHECK_EQ(tree_builder_error(&b), TreeOk);
	CHECK_EQ(validate(out, 5), StatusOk);
	CHECK(is_breadth_first(out, 5));

	CHECK_EQ(out[0].kind, TreeThreshold);
	CHECK_EQ(out[0].k, 1);
	CHECK_EQ(out[0].first_child, 1);
	CHECK_EQ(out[0].nchildren, 2);
	CHECK_EQ(out[1].kind, TreeLeaf);
	CHECK_EQ(out[1].event, 101);
	CHECK_EQ(out[2].kind, TreeThreshold);
	CHECK_EQ(out[2].k, 2);
	CHECK_EQ(out[2].first_child, 3);
	CHECK_EQ(out[2].nchildren, 2);
	CHECK_EQ(out[3].event, 102);
	CHECK_EQ(out[4].event, 103);

	CHECK_EQ(tree_leaf_index(&b, e1), 1);
	CHECK_EQ(tree_leaf_index(&b, e2), 3);
	CHECK_EQ(tree_leaf_index(&b, e3), 4);
	CHECK(tree_leaf_index(&b, root) < 0);
}

static void test_single_leaf(void)
{
	struct tree_builder b;
	tree_ref leaf;

	tree_builder_init(&b, arena, 1);
	leaf = tree_leaf(&b, 7);
	CHECK_EQ(tree_finish(&b, leaf, out, 1), 1);
	CHECK_EQ(out[0].kind, TreeLeaf);
	CHECK_EQ(out[0].event, 7);
	CHECK_EQ(tree_leaf_index(&b, leaf), 0);
	CHECK_EQ(validate(out, 1), StatusOk);
}

static void test_variadic_and_array_forms_agree(void)
{
	struct tree_builder b;
	struct ethos_tree_node first[8];
	tree_ref kids[3], root;

	tree_builder_init(&b, arena, 16);
	root = tree_threshold(&b, 2, 3, tree_leaf(&b, 1), tree_leaf(&b, 2),
			      tree_leaf(&b, 3));
	CHECK_EQ(tree_finish(&b, root, first, 8), 4);

	tree_builder_init(&b, arena, 16);
	for (int i = 0; i < 3; i++)
		kids[i] = tree_leaf(&b, (EventId)(i + 1));
	root = tree_threshold_array(&b, 2, 3, kids);
	CHECK_EQ(tree_finish(&b, root, out, 8), 4);
	CHECK(memcmp(first, out, 4 * sizeof(out[0])) == 0);
	CHECK_EQ(out[0].k, 2);

	tree_builder_init(&b, arena, 16);
	root = tree_and(&b, 3, tree_leaf(&b, 1), tree_leaf(&b, 2), tree_leaf(&b, 3));
	CHECK_EQ(tree_finish(&b, root, out, 8), 4);
	CHECK_EQ(out[0].k, 3);
	tree_builder_init(&b, arena, 16);
	root = tree_or(&b, 3, tree_leaf(&b, 1), tree_leaf(&b, 2), tree_leaf(&b, 3));
	CHECK_EQ(tree_finish(&b, root, out, 8), 4);
	CHECK_EQ(out[0].k, 1);
}

static void test_4096_leaves(void)
{
	static tree_ref kids[4096];
	struct tree_builder b;
	tree_ref root;

	tree_builder_init(&b, arena, 4097);
	for (uint32_t i = 0; i < 4096; i++)
		kids[i] = tree_leaf(&b, 5000 + i);
	root = tree_threshold_array(&b, 1, 4096, kids);
	CHECK_EQ(tree_finish(&b, root, out, 4097), 4097);
	CHECK_EQ(validate(out, 4097), StatusOk);
	for (uint32_t i = 0; i < 4096; i++) {
		int32_t at = tree_leaf_index(&b, kids[i]);

		CHECK_EQ(at, i + 1);
		if (at > 0)
			CHECK_EQ(out[at].event, 5000 + i);
	}
}

/* Nodes not under the root are left out; the leaf index only knows the last tree. */
static void test_only_the_root_tree_is_laid_out(void)
{
	struct tree_builder b;
	tree_ref stray, a, c, root1, root2;

	tree_builder_init(&b, arena, 16);
	stray = tree_leaf(&b, 1);
	a = tree_leaf(&b, 2);
	c = tree_leaf(&b, 3);
	root1 = tree_and(&b, 2, a, c);
	CHECK_EQ(tree_finish(&b, root1, out, 16), 3);
	CHECK(tree_leaf_index(&b, stray) < 0);
	CHECK_EQ(tree_leaf_index(&b, c), 2);

	root2 = tree_or(&b, 1, stray);
	CHECK_EQ(tree_finish(&b, root2, out, 16), 2);
	CHECK_EQ(tree_leaf_index(&b, stray), 1);
	CHECK(tree_leaf_index(&b, a) < 0);
	CHECK(tree_leaf_index(&b, c) < 0);
	CHECK(tree_leaf_index(&b, 99) < 0);
	CHECK(tree_leaf_index(&b, TREE_NONE) < 0);
}

/* ---- errors ----------------------------------------------------------------- */

static void test_arena_full_is_sticky(void)
{
	struct tree_builder b;
	tree_ref root;

	tree_builder_init(&b, arena, 3);
	/* the or node would be the fourth */
	root = tree_or(&b, 3, tree_leaf(&b, 1), tree_leaf(&b, 2), tree_leaf(&b, 3));
	CHECK_EQ(root, TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrArenaFull);
	CHECK_EQ(tree_leaf(&b, 4), TREE_NONE);
	CHECK_EQ(tree_finish(&b, 0, out, 16), TreeErrArenaFull);

	/* a nested failure deep inside needs no check until finish */
	tree_builder_init(&b, arena, 4);
	root = tree_and(&b, 2, tree_leaf(&b, 1),
			tree_or(&b, 2, tree_leaf(&b, 2), tree_leaf(&b, 3)));
	CHECK_EQ(root, TREE_NONE);
	CHECK_EQ(tree_finish(&b, root, out, 16), TreeErrArenaFull);

	tree_builder_init(&b, arena, 0);
	CHECK_EQ(tree_leaf(&b, 1), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrArenaFull);
}

static void test_bad_k(void)
{
	struct tree_builder b;
	tree_ref kids[2];

	tree_builder_init(&b, arena, 16);
	kids[0] = tree_leaf(&b, 1);
	kids[1] = tree_leaf(&b, 2);
	CHECK_EQ(tree_threshold_array(&b, 0, 2, kids), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadK);

	tree_builder_init(&b, arena, 16);
	kids[0] = tree_leaf(&b, 1);
	kids[1] = tree_leaf(&b, 2);
	CHECK_EQ(tree_threshold(&b, 3, 2, kids[0], kids[1]), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadK);
	CHECK_EQ(tree_finish(&b, kids[0], out, 16), TreeErrBadK);

	tree_builder_init(&b, arena, 16);
	CHECK_EQ(tree_and(&b, 0), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadK);
	tree_builder_init(&b, arena, 16);
	CHECK_EQ(tree_or(&b, 0), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadK);

	/* the first error is the one kept */
	tree_builder_init(&b, arena, 1);
	CHECK_EQ(tree_or(&b, 0), TREE_NONE);
	CHECK_EQ(tree_leaf(&b, 1), TREE_NONE);
	CHECK_EQ(tree_leaf(&b, 2), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadK);
}

static void test_bad_child_ref(void)
{
	struct tree_builder b;
	tree_ref leaf;

	tree_builder_init(&b, arena, 16);
	leaf = tree_leaf(&b, 1);
	CHECK_EQ(tree_or(&b, 2, leaf, (tree_ref)57), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadRef);

	tree_builder_init(&b, arena, 16);
	CHECK_EQ(tree_or(&b, 1, TREE_NONE), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadRef);

	tree_builder_init(&b, arena, 16);
	CHECK_EQ(tree_or(&b, 1, (tree_ref)-77), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadRef);

	/* the node being created cannot be its own child */
	tree_builder_init(&b, arena, 16);
	leaf = tree_leaf(&b, 1);
	CHECK_EQ(tree_or(&b, 2, leaf, leaf + 1), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrBadRef);
}

static void test_shared_child(void)
{
	struct tree_builder b;
	tree_ref leaf, inner;

	tree_builder_init(&b, arena, 16);
	leaf = tree_leaf(&b, 1);
	CHECK_EQ(tree_and(&b, 2, leaf, leaf), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrShared);

	tree_builder_init(&b, arena, 16);
	leaf = tree_leaf(&b, 1);
	inner = tree_or(&b, 1, leaf);
	CHECK(inner != TREE_NONE);
	CHECK_EQ(tree_or(&b, 2, inner, leaf), TREE_NONE);
	CHECK_EQ(tree_builder_error(&b), TreeErrShared);
}

static void test_finish_errors_are_not_sticky(void)
{
	struct tree_builder b;
	tree_ref a, root;

	tree_builder_init(&b, arena, 16);
	a = tree_leaf(&b, 1);
	root = tree_and(&b, 2, a, tree_or(&b, 2, tree_leaf(&b, 2), tree_leaf(&b, 3)));

	for (uint32_t cap = 0; cap < 5; cap++) {
		memset(out, 0, sizeof(out[0]) * 8);
		out[cap].kind = 0xabcd;        /* must stay untouched */
		CHECK_EQ(tree_finish(&b, root, out, cap), TreeErrNoSpace);
		CHECK_EQ(out[cap].kind, 0xabcd);
		CHECK(tree_leaf_index(&b, a) < 0);
	}
	CHECK_EQ(tree_finish(&b, a, out, 16), TreeErrShared);     /* a has a parent */
	CHECK_EQ(tree_finish(&b, 57, out, 16), TreeErrBadRef);
	CHECK_EQ(tree_finish(&b, TREE_NONE, out, 16), TreeErrBadRef);
	CHECK_EQ(tree_builder_error(&b), TreeOk);
	CHECK_EQ(tree_finish(&b, root, out, 5), 5);
	CHECK_EQ(tree_leaf_index(&b, a), 1);
	CHECK_EQ(validate(out, 5), StatusOk);
}

static tree_ref chain(struct tree_builder *b, uint32_t depth)
{
	tree_ref r = tree_leaf(b, 1);

	for (uint32_t d = 0; d < depth; d++)
		r = tree_or(b, 1, r);
	return r;
}

static void test_depth_limit(void)
{
	struct tree_builder b;
	tree_ref root;

	tree_builder_init(&b, arena, 2 * MAXN);
	root = chain(&b, ETHOS_TREE_MAX_DEPTH);
	CHECK_EQ(tree_finish(&b, root, out, MAXN), ETHOS_TREE_MAX_DEPTH + 1);
	CHECK_EQ(validate(out, ETHOS_TREE_MAX_DEPTH + 1), StatusOk);

	tree_builder_init(&b, arena, 2 * MAXN);
	root = chain(&b, ETHOS_TREE_MAX_DEPTH + 1);
	CHECK_EQ(tree_finish(&b, root, out, MAXN), TreeErrTooDeep);
}

static void test_node_limit(void)
{
	static tree_ref kids[MAXN];
	struct tree_builder b;
	tree_ref root;

	tree_builder_init(&b, arena, 2 * MAXN);
	for (uint32_t i = 0; i < MAXN; i++)
		kids[i] = tree_leaf(&b, i + 1);
	root = tree_threshold_array(&b, 1, MAXN, kids);
	CHECK_EQ(tree_finish(&b, root, out, 2 * MAXN), TreeErrTooBig);

	tree_builder_init(&b, arena, 2 * MAXN);
	for (uint32_t i = 0; i < MAXN - 1; i++)
		kids[i] = tree_leaf(&b, i + 1);
	root = tree_threshold_array(&b, 1, MAXN - 1, kids);
	CHECK_EQ(tree_finish(&b, root, out, 2 * MAXN), MAXN);
	CHECK_EQ(validate(out, MAXN), StatusOk);
}

/* ---- random nested trees against the test's own model ---------------------- */

/* The tree the test meant to build, kept beside the builder's. */
struct model_node {
	tree_ref ref;
	bool leaf;
	uint32_t k, n;
	uint32_t child[9];         /* the first n used */
	EventId event;
	uint8_t state;             /* leaves: 0 pending, 1 done, 2 failed */
};

#define MODEL_MAX 600
#define MODEL_FAN N(((struct model_node *)0)->child)
static struct model_node *model;   /* MODEL_MAX entries */
static uint32_t model_used;

static EventId next_event;

static uint32_t build_random(struct tree_builder *b, uint32_t depth_left, uint32_t budget);

static uint32_t build_leaf(struct tree_builder *b)
{
	uint32_t m = model_used++;

	model[m].leaf = true;
	model[m].event = next_event;
	model[m].state = 0;
	model[m].ref = tree_leaf(b, next_event);
	next_event += 0x100000001ULL;      /* an EventId-looking value */
	return m;
}

/* Calls the builder the way a user would: variadic for small nodes. */
static tree_ref build_node(struct tree_builder *b, uint32_t k, uint32_t n,
			   const tree_ref *refs)
{
	switch (n <= 3 ? unit_rand_below(3) : 0) {
	case 1:
		if (k == n)
			return n == 1 ? tree_and(b, 1, refs[0]) :
			       n == 2 ? tree_and(b, 2, refs[0], refs[1]) :
			       tree_and(b, 3, refs[0], refs[1], refs[2]);
		if (k == 1)
			return n == 2 ? tree_or(b, 2, refs[0], refs[1]) :
			       tree_or(b, 3, refs[0], refs[1], refs[2]);
		/* fall through */
	case 2:
		return n == 1 ? tree_threshold(b, k, 1, refs[0]) :
		       n == 2 ? tree_threshold(b, k, 2, refs[0], refs[1]) :
		       tree_threshold(b, k, 3, refs[0], refs[1], refs[2]);
	default:
		return tree_threshold_array(b, k, n, refs);
	}
}

static uint32_t build_random(struct tree_builder *b, uint32_t depth_left, uint32_t budget)
{
	tree_ref refs[MODEL_FAN];
	uint32_t n, m, k;

	if (depth_left == 0 || budget < 2 || unit_rand_below(3) == 0)
		return build_leaf(b);
	n = unit_rand_range(1, budget - 1 < MODEL_FAN ? budget - 1 : MODEL_FAN);
	k = unit_rand_below(3) == 0 ? 1 : unit_rand_below(2) ? n : unit_rand_range(1, n);
	{
		uint32_t kids[MODEL_FAN];

		for (uint32_t i = 0; i < n; i++) {
			kids[i] = build_random(b, depth_left - 1, (budget - 1) / n);
			refs[i] = model[kids[i]].ref;
		}
		m = model_used++;
		model[m].leaf = false;
		model[m].k = k;
		model[m].n = n;
		for (uint32_t i = 0; i < n; i++)
			model[m].child[i] = kids[i];
	}
	model[m].ref = build_node(b, k, n, refs);
	return m;
}

/* The finished array holds exactly the model's tree at index at. */
static bool same_structure(const struct tree_builder *b, uint32_t m, uint32_t at)
{
	const struct model_node *mn = &model[m];
	const struct ethos_tree_node *node = &out[at];

	if (mn->leaf)
		return node->kind == TreeLeaf && node->event == mn->event &&
		       tree_leaf_index(b, mn->ref) == (int32_t)at;
	if (node->kind != TreeThreshold || node->k != mn->k || node->nchildren != mn->n)
		return false;
	for (uint32_t i = 0; i < mn->n; i++)
		if (!same_structure(b, mn->child[i], node->first_child + i))
			return false;
	return true;
}

/* 1 satisfied, 2 can no longer be, 0 undecided: from scratch. */
static int model_state(uint32_t m)
{
	uint32_t done = 0, failed = 0;

	if (model[m].leaf)
		return model[m].state;
	for (uint32_t i = 0; i < model[m].n; i++) {
		int s = model_state(model[m].child[i]);

		done += s == 1;
		failed += s == 2;
	}
	if (done >= model[m].k)
		return 1;
	return model[m].n - failed < model[m].k ? 2 : 0;
}

static bool report_seed_on_failure(int failures_before, uint32_t round)
{
	if (unit_failures == failures_before)
		return false;
	printf("FAIL: %s: round %u, seed %llu (rerun: build/unit/tree_builder %llu)\n",
	       unit_current, round, (unsigned long long)current_seed,
	       (unsigned long long)current_seed);
	return true;
}

/* Completes or cancels the leaves in a random order, the kernel's way. */
static void evaluate_random_order(const struct tree_builder *b, uint32_t count)
{
	static uint32_t leaves[MODEL_MAX];
	uint32_t nleaves = 0, trues = 0, root = model_used - 1;
	uint32_t fail_pct = unit_rand_below(4) * 25;
	struct evtree *t = evtree_init(malloc(evtree_size(count)), out, count);

	for (uint32_t m = 0; m < model_used; m++)
		if (model[m].leaf)
			leaves[nleaves++] = m;
	for (uint32_t i = nleaves; i > 1; i--) {
		uint32_t j = unit_rand_below(i), tmp = leaves[i - 1];

		leaves[i - 1] = leaves[j];
		leaves[j] = tmp;
	}
	for (uint32_t i = 0; i < nleaves; i++) {
		struct model_node *leaf = &model[leaves[i]];
		int32_t at = tree_leaf_index(b, leaf->ref);
		bool fail = unit_rand_below(100) < fail_pct;
		int before = model_state(root);
		bool ret;

		CHECK(at >= 0 && (uint32_t)at < count);
		if (at < 0)
			break;
		if (before == 0)
			leaf->state = fail ? 2 : 1;
		ret = fail ? evtree_leaf_fail(t, (uint32_t)at) : evtree_leaf_complete(t, (uint32_t)at);
		trues += ret;
		CHECK_EQ(ret, before == 0 && model_state(root) != 0);
		CHECK_EQ(evtree_satisfied(t), model_state(root) == 1);
		CHECK_EQ(evtree_failed(t), model_state(root) == 2);
	}
	CHECK_EQ(trues, 1);
	free(t);
}

static bool builder_round(uint32_t round)
{
	int before = unit_failures;
	struct tree_builder b;
	uint32_t root, count;

	model_used = 0;
	next_event = 1 + unit_rand_below(1000);
	tree_builder_init(&b, arena, MODEL_MAX);
	root = build_random(&b, unit_rand_range(0, 10), unit_rand_range(1, MODEL_MAX));
	/* children are built first: the root is the model's last node */
	CHECK_EQ(root, model_used - 1);
	CHECK_EQ(tree_builder_error(&b), TreeOk);
	count = (uint32_t)tree_finish(&b, model[root].ref, out, MODEL_MAX);
	CHECK_EQ(count, model_used);
	if (count == model_used) {
		CHECK_EQ(validate(out, count), StatusOk);
		CHECK(is_breadth_first(out, count));
		CHECK(same_structure(&b, root, 0));
		if (unit_failures == before)
			evaluate_random_order(&b, count);
	}
	return !report_seed_on_failure(before, round);
}

static void builder_rounds(uint64_t seed, uint32_t rounds)
{
	model = calloc(MODEL_MAX, sizeof(*model));
	current_seed = unit_rng = seed;
	for (uint32_t r = 0; r < rounds; r++)
		if (!builder_round(r))
			break;
	free(model);
}

static void test_random_nested_fixed_seed(void)
{
	builder_rounds(FIXED_SEED, 3000);
}

static uint64_t argv_seed;

static void test_random_nested_argv_seed(void)
{
	builder_rounds(argv_seed, 3000);
}

int main(int argc, char **argv)
{
	RUN(test_example_layout);
	RUN(test_single_leaf);
	RUN(test_variadic_and_array_forms_agree);
	RUN(test_4096_leaves);
	RUN(test_only_the_root_tree_is_laid_out);
	RUN(test_arena_full_is_sticky);
	RUN(test_bad_k);
	RUN(test_bad_child_ref);
	RUN(test_shared_child);
	RUN(test_finish_errors_are_not_sticky);
	RUN(test_depth_limit);
	RUN(test_node_limit);
	RUN(test_random_nested_fixed_seed);
	if (argc > 1) {
		argv_seed = strtoull(argv[1], NULL, 0);
		RUN(test_random_nested_argv_seed);
	}
	UNIT_EXIT();
}
