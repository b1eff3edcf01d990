/*
 * The long syscall fuzz (make fuzz-guest; fuzz.c is the short one in the
 * suite).  The kernel is booted with "ethos.init=/tests/fuzzlong
 * ethos.arg=long,seed=S,calls=N,workers=W": this program is init and
 * only coordinates.  It spawns W workers (this program again,
 * "worker,..."), each with its own seed and an equal share of the N
 * calls, collects their exit events (and, as init, those of the orphans
 * the kernel gives it), and checks that every worker exited 0 and that
 * the free-page count is back where it started.
 *
 * A worker mixes the short fuzzer's raw calls with structured ones that
 * reach further: beeps in the past and the future, random trees (valid
 * and malformed) with a near beep beside them so that block always
 * returns, block(or(a, b)) again and again on a still attached leaf a,
 * retire and cancel of live, stale, foreign and made-up ids, console
 * reads, spawn of real and bogus paths, kill of children (blocked ones,
 * ones with children of their own), and hostile pointers in every slot.
 * It checks what is certain: a call with only good pointers gets the
 * status it must get, a call with a bad pointer the kernel must use is
 * never Ok.  exit is never fuzzed (it would end the worker); shutdown only
 * where it must be refused (not in init).
 *
 * Other options: trace=K prints every call from the K-th on (to find the
 * call that crashes the kernel, with the same seed), limit=S fails the
 * run if the workers are not done after S seconds (a lost wakeup), and
 * ops=MASK switches off kinds of operation (bit i: enum op).
 */
#include "check.h"
#include "fuzz.h"
#include <ethos/tree.h>

#define US 1000ULL
#define MS (1000 * US)
#define SEC (1000 * MS)
#define FAR_NS (3600 * SEC)

/* The user regions (kernel/include/kernel/region.h), for pointers into
 * and around them. */
#define TEXT_BASE  0x0000000000400000UL
#define DATA_BASE  0x0000000040000000UL
#define HEAP_BASE  0x0000000100000000UL
#define STACK_TOP  0x0000008000000000UL

/* One seed gives each worker its own, well-mixed stream. */
static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static void seed_rng(uint64_t seed)
{
	state = splitmix(seed);
	if (state == 0)
		state = 1;
}

/* ---- options: "mode,key=value,..." ------------------------------------ */

struct options {
	char mode[16];
	uint64_t seed;
	int seeded;
	uint64_t calls;          /* long: in all; worker: its share */
	uint64_t workers;
	uint64_t id;             /* worker number */
	uint64_t foreign;        /* an event id of another process */
	uint64_t trace;          /* print every call from this one on (0: off) */
	uint64_t ms;             /* idle, nest: how long to live */
	uint64_t limit;          /* long: seconds before the workers count as hung */
	uint64_t ops;            /* bit set: that kind of operation is off */
	uint64_t warm;           /* worker: the warm-up run */
};

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0, base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s != '\0' && *s != ','; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		v = v * base + d;
	}
	return v;
}

static const char *next_comma(const char *s)
{
	while (*s != '\0' && *s != ',')
		s++;
	return *s == ',' ? s : NULL;
}

static int key_is(const char *s, const char *key)
{
	size_t n = strlen(key);

	return memcmp(s, key, n) == 0 && s[n] == '=';
}

static void parse_options(const char *arg, struct options *o)
{
	size_t i = 0;

	memset(o, 0, sizeof(*o));
	o->calls = 1000000;
	o->workers = 4;
	o->ms = 20;
	o->limit = 3000;
	while (arg[i] != '\0' && arg[i] != ',' && i < sizeof(o->mode) - 1) {
		o->mode[i] = arg[i];
		i++;
	}
	for (const char *s = arg; (s = next_comma(s)) != NULL; ) {
		s++;
		const char *v = s;
		while (*v != '\0' && *v != '=' && *v != ',')
			v++;
		if (*v != '=')
			continue;
		uint64_t n = parse_u64(v + 1);
		if (key_is(s, "seed")) {
			o->seed = n;
			o->seeded = 1;
		} else if (key_is(s, "calls"))
			o->calls = n;
		else if (key_is(s, "workers"))
			o->workers = n;
		else if (key_is(s, "id"))
			o->id = n;
		else if (key_is(s, "foreign"))
			o->foreign = n;
		else if (key_is(s, "trace"))
			o->trace = n;
		else if (key_is(s, "ms"))
			o->ms = n;
		else if (key_is(s, "limit"))
			o->limit = n;
		else if (key_is(s, "ops"))
			o->ops = n;
		else if (key_is(s, "warm"))
			o->warm = n;
	}
}

/* ---- a worker ------------------------------------------------------------ */

enum op {
	OpRaw, OpBeep, OpTree, OpReuseLeaf, OpRetire, OpCancel, OpConsole,
	OpSpawn, OpKill, OpList, OpWide, OpCount
};

static const char *const op_names[OpCount] = {
	"raw", "beep", "tree", "reuse-leaf", "retire", "cancel", "console",
	"spawn", "kill", "list", "wide-tree",
};

/* Relative frequencies. */
static const unsigned op_weight[OpCount] = {
	400, 100, 150, 40, 80, 60, 30, 25, 25, 30, 1,
};

enum kind { KindBeep, KindConsole, KindChild };

/* An event the worker holds and knows. */
struct held {
	EventId id;
	enum kind kind;
	uint64_t pid;            /* KindChild */
	int any_status;          /* KindChild: its exit status varies */
};

#define POOL 48
#define STALE 64
#define PIDS 512
#define MAX_CHILDREN 3
#define SCRATCH (3 * 4096)
#define ARENA 64
#define SWEEP_EVERY 5000

static struct options opt;
static struct held pool[POOL];
static unsigned npool;
static EventId stale[STALE];         /* released by us: never valid again */
static unsigned nstale, stale_next;
static uint64_t dead_pids[PIDS];     /* our children known to be gone */
static unsigned ndead;
static uint64_t my_pid, calls, next_progress, progress_step, start_ns;
static uint64_t no_space, swept;
static const char *op = "start";
static int failures;
static uint8_t *scratch, *leaf_done;
static struct ethos_tree_node *nodes;
static EventId *ids;
static struct tree_bnode *arena;

/* For failures that are not about a status. */
#define NO_STATUS ((enum status)-2)

static void failed(const char *what, enum status got)
{
	char status[48] = "";

	if (got != NO_STATUS)
		snprintf(status, sizeof(status), ": got %s (%d)",
			 ethos_status_name(got), (int)got);
	if (++failures <= 20)
		printf("FAIL: fuzzlong/worker %lu (seed %lu) call %lu (%s): %s%s\n",
		       (unsigned long)opt.id, (unsigned long)opt.seed,
		       (unsigned long)calls, op, what, status);
}

static void expect(enum status got, enum status want, const char *what)
{
	char text[96];

	if (got == want)
		return;
	snprintf(text, sizeof(text), "%s (wanted %s)", what, ethos_status_name(want));
	failed(text, got);
}

/* Any status will do, but Ok: a bad pointer was involved. */
static void expect_refused(enum status got, const char *what)
{
	if (got == StatusOk)
		failed(what, got);
}

static enum status call(uint64_t nr, const void *in, void *out)
{
	calls++;
	if (opt.trace != 0 && calls >= opt.trace)
		printf("fuzz: worker %lu call %lu (%s): nr %lu in %p out %p\n",
		       (unsigned long)opt.id, (unsigned long)calls, op,
		       (unsigned long)nr, in, out);
	enum status st = ethos_syscall(nr, in, out);
	if ((unsigned)st >= StatusCount)
		failed("an unknown status", st);
	if (calls >= next_progress) {
		next_progress += progress_step;
		printf("fuzz: worker %lu: %lu of %lu calls, %lu s\n",
		       (unsigned long)opt.id, (unsigned long)calls,
		       (unsigned long)opt.calls,
		       (unsigned long)((ethos_time() - start_ns) / SEC));
	}
	return st;
}

static uint64_t now_ns(void)
{
	struct sys_gettime_out out = { 0 };

	call(SysGetTime, 0, &out);
	return out.ns;
}

static uint64_t load64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Good places for size bytes of output: aligned or not, in a heap page
 * never touched before (the kernel must fault it in), or at the top of
 * the stack, where only our argument string lives, parsed long ago.  Not
 * in its last 8 bytes: raw calls read their input there (hostile_pointer),
 * and must not find our live event ids.
 */
static void *good_out(uint64_t size)
{
	switch (rnd() % 8) {
	case 0:
		if (size <= 56)
			return (void *)(STACK_TOP - 8 - size);
		return scratch;
	case 1:
		return (void *)(HEAP_BASE + (1 + rnd() % 4) * (1UL << 30) - rnd() % 64);
	case 2:
	case 3:
		return scratch + 1 + rnd() % 7;
	default:
		return scratch;
	}
}

/* size bytes that are not the caller's memory; output adds read-only text. */
static void *bad_pointer(uint64_t size, int output)
{
	uint64_t half = size > 1 ? size / 2 : 0;

	switch (rnd() % (output ? 11 : 10)) {
	case 0: return NULL;
	case 1: return (void *)(0x30000000UL + rnd() % 4096);    /* text region, past the image */
	case 2: return (void *)(DATA_BASE + 0x3000000UL);         /* data region, past the image */
	case 3: return (void *)0x90000000UL;                      /* between data and heap */
	case 4: return (void *)(0x5000000000UL + rnd() % 8);      /* between heap and stack */
	case 5: return (void *)(0xffffffff80000000UL + rnd() % 4096);  /* the kernel image */
	case 6: return (void *)(0xffff800000000000UL + ((rnd() % (1UL << 30)) << 12));
	case 7: return (void *)(STACK_TOP - half);                /* across the top of user space */
	case 8: return (void *)(0x0000800000000000UL - half);     /* into the non-canonical hole */
	case 9: return (void *)(~0UL - rnd() % 8);                /* wraps around */
	default: return (void *)(TEXT_BASE + rnd() % 64);         /* read-only text */
	}
}

static void *bad_nonnull(uint64_t size, int output)
{
	void *p;

	while ((p = bad_pointer(size, output)) == NULL)
		;
	return p;
}

/* A bad pointer refused before anything happens: not all in user space. */
static void *outside_user(uint64_t size)
{
	void *p;

	while ((uintptr_t)(p = bad_pointer(size, 1)) <= STACK_TOP - size)
		;
	return p;
}

/* ---- the events the worker knows ---------------------------------------- */

static void stale_add(EventId id)
{
	stale[stale_next++ % STALE] = id;
	if (nstale < STALE)
		nstale++;
}

static void dead_add(uint64_t pid)
{
	dead_pids[ndead++ % PIDS] = pid;
}

static int pool_find(EventId id)
{
	for (unsigned i = 0; i < npool; i++)
		if (pool[i].id == id)
			return (int)i;
	return -1;
}

static void pool_remove(unsigned i)
{
	stale_add(pool[i].id);
	pool[i] = pool[--npool];
}

static unsigned live_children(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < npool; i++)
		n += pool[i].kind == KindChild;
	return n;
}

static enum status do_cancel(EventId id)
{
	struct sys_cancel_in in = { .event = id };

	return call(SysCancel, &in, 0);
}

static enum status do_retire(EventId id, void *buf, uint64_t capacity, uint64_t *size)
{
	struct sys_retire_in in = { .event = id, .buf = buf, .capacity = capacity };
	struct sys_retire_out out = { 0 };
	enum status st = call(SysRetire, &in, &out);

	if (size != NULL)
		*size = out.size;
	return st;
}

static void pool_add(EventId id, enum kind kind, uint64_t pid, int any_status)
{
	if (npool == POOL) {
		unsigned i = (unsigned)(rnd() % POOL);
		expect(do_cancel(pool[i].id), StatusOk, "cancel of an evicted event");
		pool_remove(i);
	}
	pool[npool++] = (struct held){ .id = id, .kind = kind, .pid = pid,
				       .any_status = any_status };
}

/* Certainly no event of ours. */
static EventId made_up_id(void)
{
	switch (rnd() % 4) {
	case 0:
		return 0;
	case 1:     /* a slot past any table */
		return (rnd() << 32) | (0x40000000 + rnd() % 100000);
	case 2:     /* a live slot, another generation */
		if (npool > 0)
			return pool[rnd() % npool].id ^ (1ULL << (32 + rnd() % 32));
		return ~0ULL;
	default:    /* slot 0 does not exist */
		return npool > 0 ? pool[rnd() % npool].id & ~0xffffffffULL : 1ULL << 32;
	}
}

enum idclass { IdLive, IdStale, IdForeign, IdMadeUp };

static EventId pick_id(enum idclass *c, int *slot)
{
	uint64_t r = rnd() % 10;

	*slot = -1;
	if (r < 5 && npool > 0) {
		*slot = (int)(rnd() % npool);
		*c = IdLive;
		return pool[*slot].id;
	}
	if (r < 7 && nstale > 0) {
		*c = IdStale;
		return stale[rnd() % nstale];
	}
	if (r < 8) {
		*c = IdForeign;
		return opt.foreign;
	}
	*c = IdMadeUp;
	return made_up_id();
}

/* A beep we need, on good pointers: 0 if the kernel refused. */
static EventId new_beep(uint64_t deadline)
{
	struct sys_beep_in in = { .deadline_ns = deadline };
	struct sys_event_out out = { 0 };
	enum status st = call(SysBeep, &in, &out);

	expect(st, StatusOk, "beep on good pointers");
	return st == StatusOk ? out.event : 0;
}

/* An exit result is right for the child it names. */
static void check_exit(const struct held *h, const uint8_t *buf, int killed)
{
	struct ethos_exit_result r;
	char text[96];

	memcpy(&r, buf, sizeof(r));
	int ok = r.pid == h->pid &&
		 (killed ? r.status == ETHOS_KILLED_BY_PARENT :
			   r.status == 0 || (h->any_status && r.status > 0));
	if (!ok) {
		snprintf(text, sizeof(text), "exit of child %lu: pid %lu, status %ld%s",
			 (unsigned long)h->pid, (unsigned long)r.pid, (long)r.status,
			 killed ? " (killed)" : "");
		failed(text, NO_STATUS);
	}
	dead_add(h->pid);
}

/* ---- the operations ------------------------------------------------------- */

/* The short mode's kind of call: any number, hostile pointers. */
static void op_raw(void)
{
	uint64_t nr = rnd() % 16 == 0 ? rnd() : rnd() % (SysCount + 3);

	if (nr == SysExit)
		nr = SysYield;
	if (nr == SysFork) {
		/* Only the refusal: a fork that succeeds would fuzz on twice. */
		expect(call(SysFork, hostile_pointer(0), outside_user(16)),
		       StatusBadAddress, "fork with an output outside user memory");
		return;
	}
	if (nr == SysBlock) {
		struct sys_block_in in = { .nodes = hostile_pointer(0),
					   .count = (uint32_t)(rnd() % 16),
					   .leaf_done = hostile_pointer(1) };
		struct sys_block_out out;
		call(SysBlock, &in, &out);
		return;
	}
	enum status st = call(nr, hostile_pointer(0), hostile_pointer(1));
	if (nr >= SysCount)
		expect(st, StatusInvalidSyscall, "a number past the table");
	if (nr == SysShutdown)
		expect_refused(st, "shutdown by a process that is not init");
}

static void op_beep(void)
{
	uint64_t now = now_ns(), deadline;

	switch (rnd() % 6) {
	case 0: deadline = 0; break;
	case 1: deadline = now - rnd() % now; break;
	case 2: deadline = now + rnd() % (300 * US); break;
	case 3: deadline = now + FAR_NS; break;
	case 4: deadline = ~0ULL; break;
	default: deadline = now + rnd() % (20 * MS); break;
	}
	struct sys_beep_in in = { .deadline_ns = deadline };
	int bad_in = rnd() % 16 == 0, bad_out = rnd() % 8 == 0;
	void *out = bad_out ? bad_pointer(sizeof(struct sys_event_out), 1) :
			      good_out(sizeof(struct sys_event_out));
	enum status st = call(SysBeep, bad_in ? bad_pointer(sizeof(in), 0) : &in, out);
	if (bad_in || bad_out) {
		expect_refused(st, "beep with a bad pointer");
		return;
	}
	expect(st, StatusOk, "beep");
	if (st == StatusOk)
		pool_add(load64(out), KindBeep, 0, 0);
}

/* A random subtree over all of leaves[0 .. n), each used once. */
static tree_ref random_subtree(struct tree_builder *b, const EventId *leaves,
			       unsigned n, unsigned depth)
{
	if (n == 1 && rnd() % 4 != 0)
		return tree_leaf(b, leaves[0]);
	if (n == 1 || depth == 0) {            /* flat: 1-of-1 wrappers too */
		tree_ref kids[16];
		for (unsigned i = 0; i < n; i++)
			kids[i] = tree_leaf(b, leaves[i]);
		return tree_threshold_array(b, 1 + (uint32_t)(rnd() % n), n, kids);
	}
	tree_ref kids[4];
	unsigned parts = 2 + (unsigned)(rnd() % 3), got = 0, from = 0;
	if (parts > n)
		parts = n;
	while (got < parts) {
		/* At least one leaf for each part still to come. */
		unsigned left = n - from, rest = parts - got - 1;
		unsigned take = got + 1 == parts ? left : 1 + (unsigned)(rnd() % (left - rest));
		kids[got++] = random_subtree(b, leaves + from, take, depth - 1);
		from += take;
	}
	return tree_threshold_array(b, 1 + (uint32_t)(rnd() % got), got, kids);
}

/* Breaks a laid-out tree (root internal, at least 2 nodes) for sure. */
static uint32_t malform(struct ethos_tree_node *t, uint32_t count)
{
	uint32_t i = (uint32_t)(rnd() % count);

	switch (rnd() % 10) {
	case 0: t[0].k = 0; return count;
	case 1: t[0].k = t[0].nchildren + 1 + (uint32_t)(rnd() % 4); return count;
	case 2: t[0].first_child = 0; return count;               /* its own child */
	case 3: t[0].first_child = count; return count;           /* past the end */
	case 4: t[0].nchildren = 0xffffffffu - (uint32_t)(rnd() % 4); return count;
	case 5: t[i].kind = rnd() % 2 ? 0 : 3 + (uint32_t)(rnd() % 100); return count;
	case 6:                                                   /* an orphan */
		t[count] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = made_up_id() };
		return count + 1;
	case 7: return count - 1;                                 /* the last leaf cut off */
	case 8: return 0;
	default: return ETHOS_TREE_MAX_NODES + 1 + (uint32_t)(rnd() % 3);
	}
}

/* block's outputs agree with themselves and with the events. */
static void check_block_results(const struct ethos_tree_node *t, uint32_t count,
				const uint8_t *done, const void *out)
{
	struct sys_block_out o;
	uint32_t set = 0;

	memcpy(&o, out, sizeof(o));
	for (uint32_t i = 0; done != NULL && i < count; i++) {
		if (done[i] > 1 || (done[i] && t[i].kind != TreeLeaf)) {
			failed("leaf_done names an inner node", NO_STATUS);
			return;
		}
		set += done[i];
		if (done[i])
			expect(do_retire(t[i].event, 0, 0, 0), StatusReturnSpace,
			       "a leaf block saw done is completed");
	}
	if (o.completed_leaves == 0 || (done != NULL && set != o.completed_leaves))
		failed("completed_leaves disagrees with leaf_done", NO_STATUS);
}

/* For a failure report: the tree as passed. */
static void dump_tree(const struct ethos_tree_node *t, uint32_t count)
{
	printf("fuzz: the tree (%u nodes, near beep last):\n", count);
	for (uint32_t i = 0; i < count && i < 24; i++)
		printf("fuzz:   [%u] kind %u k %u first %u n %u event 0x%lx\n", i,
		       t[i].kind, t[i].k, t[i].first_child, t[i].nchildren,
		       (unsigned long)t[i].event);
}

/* A chain of depth 1-of-1 nodes above the leaf: valid up to the limit. */
static uint32_t chain(struct ethos_tree_node *t, uint32_t depth, EventId leaf)
{
	for (uint32_t i = 0; i < depth; i++)
		t[i] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
						 .first_child = i + 1, .nchildren = 1 };
	t[depth] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = leaf };
	return depth + 1;
}

/*
 * block on a random tree over our events (and sometimes a stale, made-up,
 * foreign or repeated one), always beside a near beep so that it returns.
 */
static void op_tree(void)
{
	EventId leaves[12];
	unsigned n = 0, want = (unsigned)(rnd() % 7);
	int invalid = 0, unsure = 0, bad = 0;
	struct tree_builder b;
	uint32_t count;

	for (unsigned tries = 0; n < want && npool > 0 && tries < 16; tries++) {
		EventId id = pool[rnd() % npool].id;
		unsigned j = 0;
		while (j < n && leaves[j] != id)
			j++;
		if (j == n)
			leaves[n++] = id;
	}
	if (rnd() % 6 == 0) {
		leaves[n++] = nstale > 0 && rnd() % 2 ? stale[rnd() % nstale] : made_up_id();
		invalid = 1;
	}
	if (n > 0 && rnd() % 10 == 0) {
		leaves[n] = leaves[rnd() % n];
		n++;
		invalid = 1;
	}
	if (rnd() % 12 == 0) {
		leaves[n++] = opt.foreign;
		unsure = 1;      /* it may name one of ours */
	}
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)(rnd() % i);
		EventId x = leaves[i - 1];
		leaves[i - 1] = leaves[j];
		leaves[j] = x;
	}
	uint64_t now = now_ns();
	EventId near = new_beep(rnd() % 4 == 0 ? now - 1 : now + rnd() % (300 * US));
	if (near == 0)
		return;

	if (rnd() % 20 == 0) {
		uint32_t depth = 60 + (uint32_t)(rnd() % 9);
		count = chain(nodes, depth, near);
		invalid = depth > ETHOS_TREE_MAX_DEPTH;
		unsure = 0;
	} else {
		tree_builder_init(&b, arena, ARENA);
		tree_ref sub = n > 0 ? random_subtree(&b, leaves, n, 4) : TREE_NONE;
		tree_ref nl = tree_leaf(&b, near);
		tree_ref root = sub == TREE_NONE ? tree_or(&b, 1, nl) :
				rnd() % 2 ? tree_or(&b, 2, sub, nl) : tree_or(&b, 2, nl, sub);
		int32_t c = tree_finish(&b, root, nodes, ARENA);
		if (c <= 0) {
			failed("the tree builder refused a good tree", (enum status)c);
			expect(do_cancel(near), StatusOk, "cancel the near beep");
			return;
		}
		count = (uint32_t)c;
		if (rnd() % 4 == 0) {
			count = malform(nodes, count);
			invalid = 1;
		}
	}

	struct sys_block_in in = { .nodes = nodes, .count = count, .leaf_done = leaf_done };
	void *out = scratch;
	switch (rnd() % 10) {
	case 0: in.leaf_done = NULL; break;
	case 1: in.leaf_done = bad_nonnull(count, 1); bad = 1; break;
	case 2: in.leaf_done = leaf_done + 1 + rnd() % 7; break;
	}
	if (rnd() % 20 == 0) {
		out = bad_pointer(sizeof(struct sys_block_out), 1);
		bad = 1;
	}
	if (rnd() % 20 == 0) {
		in.nodes = bad_pointer(count * sizeof(*nodes), 0);
		bad = 1;
	}
	const void *inp = &in;
	if (rnd() % 40 == 0) {
		inp = bad_pointer(sizeof(in), 0);
		bad = 1;
	}
	enum status st = call(SysBlock, inp, out);
	int before = failures;
	if (bad)
		expect_refused(st, "block with a bad pointer");
	else if (unsure)
		;
	else if (invalid)
		expect(st, StatusInvalidEventWaitTree, "block on a malformed tree");
	else {
		expect(st, StatusOk, "block on a good tree");
		if (st == StatusOk)
			check_block_results(nodes, count, in.leaf_done, out);
	}
	if (failures != before && failures <= 20)
		dump_tree(nodes, count);
	expect(do_cancel(near), StatusOk, "cancel the near beep");
}

/*
 * block(or(a, b)), retire b, block(or(a, b2)), ...: a stays pending and
 * attached to the decided wait before it when the next block takes it.
 */
static void op_reuse_leaf(void)
{
	uint64_t now = now_ns();
	EventId a;
	enum kind kind = KindBeep;

	if (rnd() % 3 == 0) {
		struct sys_read_console_in in = { .max = 1 + rnd() % 16 };
		struct sys_event_out out = { 0 };
		expect(call(SysReadConsole, &in, &out), StatusOk, "console read");
		a = out.event;
		kind = KindConsole;
	} else
		a = new_beep(now + FAR_NS);
	if (a == 0)
		return;
	pool_add(a, kind, 0, 0);
	for (unsigned r = 1 + (unsigned)(rnd() % 4); r > 0; r--) {
		EventId b = new_beep(now_ns() + 20 * US + rnd() % (200 * US));
		if (b == 0)
			return;
		int a_first = rnd() % 2;
		struct ethos_tree_node t[3] = {
			{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
			{ .kind = TreeLeaf, .event = a_first ? a : b },
			{ .kind = TreeLeaf, .event = a_first ? b : a },
		};
		struct sys_block_in in = { .nodes = t, .count = 3, .leaf_done = leaf_done };
		struct sys_block_out out = { 0 };
		enum status st = call(SysBlock, &in, &out);
		expect(st, StatusOk, "block(or(a, b)) with a still attached");
		if (st == StatusOk && (leaf_done[a_first ? 2 : 1] != 1 ||
				       leaf_done[a_first ? 1 : 2] != 0 ||
				       out.completed_leaves != 1))
			failed("block(or(a, b)): b alone should be done", st);
		uint64_t size = 0;
		expect(do_retire(b, scratch, 64, &size), StatusOk, "retire b");
		if (size != sizeof(struct ethos_beep_result))
			failed("a beep's result size", NO_STATUS);
		stale_add(b);
	}
}

static void op_retire(void)
{
	enum idclass c;
	int slot;
	EventId id = pick_id(&c, &slot);
	static const uint64_t caps[] = { 0, 7, 8, 15, 16, 64, 1024, ~0ULL };
	uint64_t cap = caps[rnd() % 8];
	void *buf = good_out(cap < 64 ? cap : 64);
	int bad_buf = 0, bad_out = 0, bad_in = 0;

	if (cap > 64)
		buf = scratch;         /* the result is at most 1024 bytes */
	if (rnd() % 8 == 0 && cap > 0) {
		/* Size 1: results are 1 byte and more, and all must cross. */
		buf = bad_pointer(1, 1);
		bad_buf = 1;
	}
	struct sys_retire_in in = { .event = id, .buf = buf, .capacity = cap };
	void *out = good_out(sizeof(struct sys_retire_out));
	if (rnd() % 12 == 0) {
		out = bad_pointer(sizeof(struct sys_retire_out), 1);
		bad_out = 1;
	}
	const void *inp = &in;
	if (rnd() % 24 == 0) {
		inp = bad_pointer(sizeof(in), 0);
		bad_in = 1;
	}
	enum status st = call(SysRetire, inp, out);
	if (bad_in || bad_out) {
		expect_refused(st, "retire with a bad pointer");
		return;
	}
	if (c == IdStale || c == IdMadeUp) {
		expect(st, StatusInvalidEvent, "retire of a stale or made-up id");
		return;
	}
	if (c == IdForeign) {
		if (st == StatusOk && (slot = pool_find(id)) >= 0) {
			if (pool[slot].kind == KindChild)
				dead_add(pool[slot].pid);
			pool_remove((unsigned)slot);
		}
		return;
	}
	uint64_t size = load64(out);
	if (st == StatusOk) {
		if (bad_buf)
			failed("retire into a bad buffer", st);
		else if (pool[slot].kind == KindChild)
			check_exit(&pool[slot], buf, 0);
		pool_remove((unsigned)slot);
	} else if (st == StatusReturnSpace) {
		if (size <= cap)
			failed("ReturnSpace for a result that fits", st);
	} else if (st != StatusNotCompleted && !(st == StatusBadAddress && bad_buf))
		failed("retire of a live event", st);
}

static void op_cancel(void)
{
	enum idclass c;
	int slot;
	EventId id = pick_id(&c, &slot);
	struct sys_cancel_in in = { .event = id };
	int bad_in = rnd() % 16 == 0;

	enum status st = call(SysCancel, bad_in ? bad_pointer(sizeof(in), 0) : &in, 0);
	if (bad_in)
		expect_refused(st, "cancel with a bad pointer");
	else if (c == IdStale || c == IdMadeUp)
		expect(st, StatusInvalidEvent, "cancel of a stale or made-up id");
	else if (c == IdLive) {
		expect(st, StatusOk, "cancel of a live event");
		if (st == StatusOk)
			pool_remove((unsigned)slot);
	} else if (st == StatusOk && (slot = pool_find(id)) >= 0)
		pool_remove((unsigned)slot);
}

static void op_console(void)
{
	static const uint64_t maxes[] = { 0, 1, 16, 1024, 1025, ~0ULL };
	uint64_t max = maxes[rnd() % 6];
	struct sys_read_console_in in = { .max = max };
	int bad = 0;
	void *out = good_out(sizeof(struct sys_event_out));
	const void *inp = &in;

	if (rnd() % 8 == 0) {
		out = bad_pointer(sizeof(struct sys_event_out), 1);
		bad = 1;
	}
	if (rnd() % 16 == 0) {
		inp = bad_pointer(sizeof(in), 0);
		bad = 1;
	}
	enum status st = call(SysReadConsole, inp, out);
	if (bad) {
		expect_refused(st, "console read with a bad pointer");
	} else if (max == 0 || max > ETHOS_CONSOLE_READ_MAX) {
		expect(st, StatusInvalidArgument, "console read of a bad size");
	} else {
		expect(st, StatusOk, "console read");
		if (st != StatusOk)
			return;
		if (rnd() % 2)
			expect(do_cancel(load64(out)), StatusOk, "cancel a console read");
		else
			pool_add(load64(out), KindConsole, 0, 0);
	}
}

/* Programs to run: all end by themselves. */
static void spawn_real(void)
{
	static char arg[48];
	const char *path = "/tests/fuzzlong";
	int any = 0;
	uint64_t r = rnd() % 20;

	snprintf(arg, sizeof(arg), "%s,ms=%lu", r < 13 ? "idle" : "nest",
		 (unsigned long)(1 + rnd() % 40));
	if (r < 8) {
		path = "/tests/hello";
		snprintf(arg, sizeof(arg), "quiet");
	} else if (r == 19) {
		path = "/tests/spinner";     /* never yields; exit status varies */
		arg[0] = '\0';
		any = 1;
	}
	const char *argv[3] = { path, arg[0] ? arg : 0, 0 };
	struct sys_spawn_in in = { .path = path, .path_len = strlen(path),
				   .argv = argv };
	struct sys_spawn_out *out = good_out(sizeof(*out));
	if (rnd() % 10 == 0) {
		/* Refused before anything starts. */
		expect(call(SysSpawn, &in, outside_user(sizeof(*out))), StatusBadAddress,
		       "spawn with a bad out pointer");
		return;
	}
	enum status st = call(SysSpawn, &in, out);
	if (st == StatusNoSpace) {
		no_space++;          /* the process table is shared: it may be full */
		return;
	}
	expect(st, StatusOk, "spawn of a real program");
	if (st == StatusOk)
		pool_add(load64(&out->exit_event), KindChild, load64(&out->pid), any);
}

/* A string pointer no read of which can succeed (bad_pointer's "across
 * the top of user space" could start in this program's own stack). */
static const char *bad_string(void)
{
	uintptr_t p;

	do
		p = (uintptr_t)bad_nonnull(1 + rnd() % 100, 0);
	while (p < STACK_TOP && p >= STACK_TOP - 4096);
	return (const char *)p;
}

static void spawn_bogus(void)
{
	char *path = (char *)scratch;
	struct sys_spawn_in in = { .path = "/tests/hello", .path_len = 12 };
	const char *argv[18] = { 0 };
	enum status want;

	switch (rnd() % 11) {
	case 0: in.path = "/no/such/file"; in.path_len = 13; want = StatusNotFound; break;
	case 1: in.path_len = 0; want = StatusNotFound; break;
	case 2: in.path = "/tests"; in.path_len = 6; want = StatusNotFound; break;
	case 3: in.path_len = 5; want = StatusNotFound; break;      /* "/test" */
	case 4: in.path = "/tests/corrupt.elf"; in.path_len = 18; want = StatusInvalidElfFile; break;
	case 5: in.path = "/tests/truncated.elf"; in.path_len = 20; want = StatusInvalidElfFile; break;
	case 6:
		memset(path, 'a', 300);
		in.path = path;
		in.path_len = ETHOS_PATH_MAX + rnd() % 40;
		want = StatusInvalidArgument;
		break;
	case 7: in.path = "/tests/hello\0junk"; in.path_len = 17; want = StatusInvalidArgument; break;
	case 8:
		in.path_len = 1 + rnd() % 200;
		in.path = bad_pointer(in.path_len, 0);
		want = StatusBadAddress;
		break;
	case 9:
		if (rnd() % 2) {
			in.argv = bad_nonnull(8, 0);      /* the array */
		} else {
			argv[0] = "/tests/hello";         /* or a string in it */
			argv[1] = bad_string();
			in.argv = rnd() % 2 ? 0 : argv;
			in.envp = in.argv == 0 ? argv : 0;
		}
		want = StatusBadAddress;
		break;
	default:
		/* 17 strings of 4000 bytes: over ETHOS_ARG_MAX. */
		memset(path, 'a', 4000);
		path[4000] = '\0';
		for (unsigned i = 0; i < 17; i++)
			argv[i] = path;
		argv[17] = 0;
		in.argv = argv;
		want = StatusTooBig;
		break;
	}
	struct sys_spawn_out out;
	if (rnd() % 16 == 0) {
		expect(call(SysSpawn, bad_pointer(sizeof(in), 0), &out), StatusBadAddress,
		       "spawn with a bad in pointer");
		return;
	}
	if (rnd() % 4 == 0) {
		/* The same refused by exec, which must leave us as we were:
		 * every later check of this worker relies on it. */
		struct sys_exec_in ein = { in.path, in.path_len, in.argv, in.envp };
		expect(call(SysExec, &ein, 0), want, "exec of a bogus path or argument");
		return;
	}
	expect(call(SysSpawn, &in, &out), want, "spawn of a bogus path or argument");
}

static void op_spawn(void)
{
	if (rnd() % 2 && live_children() < MAX_CHILDREN)
		spawn_real();
	else
		spawn_bogus();
}

static enum status do_kill(uint64_t pid)
{
	struct sys_kill_in in = { .pid = pid };

	return call(SysKill, &in, 0);
}

/* Kills child i of the pool (or finds it gone) and retires its exit. */
static void kill_child(unsigned i)
{
	enum status st = do_kill(pool[i].pid);
	uint64_t size = 0;

	if (st != StatusOk && st != StatusNotFound) {
		failed("kill of our child", st);
		return;
	}
	/* Either way it is gone now, and its exit event completed. */
	enum status rst = do_retire(pool[i].id, scratch, 64, &size);
	expect(rst, StatusOk, "retire a gone child's exit");
	if (rst == StatusOk)
		check_exit(&pool[i], scratch, st == StatusOk);
	pool_remove(i);
}

static void op_kill(void)
{
	unsigned children[POOL], n = 0;

	for (unsigned i = 0; i < npool; i++)
		if (pool[i].kind == KindChild)
			children[n++] = i;
	if (n > 0 && rnd() % 2) {
		kill_child(children[rnd() % n]);
		return;
	}
	switch (rnd() % 6) {
	case 0: expect(do_kill(0), StatusNotFound, "kill pid 0"); break;
	case 1: expect(do_kill(1), StatusNotPermitted, "kill init"); break;
	case 2: expect(do_kill(my_pid), StatusNotPermitted, "kill oneself"); break;
	case 3:
		if (ndead > 0)
			expect(do_kill(dead_pids[rnd() % (ndead < PIDS ? ndead : PIDS)]),
			       StatusNotFound, "kill a child that is gone");
		break;
	case 4: expect(do_kill(rnd() | (1ULL << 40)), StatusNotFound, "kill a made-up pid"); break;
	default:
		expect_refused(call(SysKill, bad_pointer(sizeof(struct sys_kill_in), 0), 0),
			       "kill with a bad pointer");
		break;
	}
}

static void op_list(void)
{
	static const uint64_t caps[] = { 0, 1, 5, ETHOS_EVENT_LIST_MAX, ETHOS_EVENT_LIST_MAX + 1, ~0ULL };
	uint64_t nr = rnd() % 2 ? SysGetPendingEvents : SysGetCompletedEvents;
	uint64_t cap = caps[rnd() % 6];
	struct sys_event_list_in in = { .ids = ids, .capacity = cap };
	int bad = 0;
	void *out = good_out(sizeof(struct sys_event_list_out));

	/* Not just any bad pointer: with no event to list, the kernel need
	 * not touch the array. */
	if (rnd() % 8 == 0 && cap > 0 && cap <= ETHOS_EVENT_LIST_MAX) {
		in.ids = outside_user(cap * sizeof(EventId));
		bad = 1;
	}
	if (rnd() % 12 == 0) {
		out = bad_pointer(sizeof(struct sys_event_list_out), 1);
		bad = 1;
	}
	enum status st = call(nr, &in, out);
	if (bad) {
		expect_refused(st, "event list with a bad pointer");
		return;
	}
	if (cap > ETHOS_EVENT_LIST_MAX) {
		expect(st, StatusInvalidArgument, "event list over the limit");
		return;
	}
	expect(st, StatusOk, "event list");
	uint64_t count = load64(out);
	for (uint64_t i = 0; st == StatusOk && i < count && i < cap; i++)
		for (unsigned j = 0; j < nstale; j++)
			if (ids[i] == stale[j])
				failed("a released event is listed", st);
}

/* Many far beeps and one near: or over all of them. */
static void op_wide(void)
{
	uint32_t n = 64 + (uint32_t)(rnd() % 1000), near = 1 + n / 2, made = 0;
	uint64_t now = now_ns();

	for (uint32_t i = 1; i <= n; i++) {
		EventId e = new_beep(i == near ? now + 200 * US : now + FAR_NS);
		if (e == 0)
			break;
		nodes[i] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = e };
		made = i;
	}
	if (made == n) {
		nodes[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
						     .first_child = 1, .nchildren = n };
		struct sys_block_in in = { .nodes = nodes, .count = n + 1,
					   .leaf_done = leaf_done };
		struct sys_block_out out = { 0 };
		enum status st = call(SysBlock, &in, &out);
		expect(st, StatusOk, "block on a wide tree");
		if (st == StatusOk && (out.completed_leaves != 1 || leaf_done[near] != 1))
			failed("wide tree: the near beep alone should be done", st);
	}
	for (uint32_t i = 1; i <= made; i++)
		expect(do_cancel(nodes[i].event), StatusOk, "cancel a wide tree's beep");
}

/* Cancels every event of ours that we do not know (made by raw calls). */
static void sweep(int everything)
{
	uint64_t nrs[2] = { SysGetPendingEvents, SysGetCompletedEvents };

	op = "sweep";
	for (int k = 0; k < 2; k++) {
		struct sys_event_list_in in = { .ids = ids, .capacity = ETHOS_EVENT_LIST_MAX };
		struct sys_event_list_out out = { 0 };
		expect(call(nrs[k], &in, &out), StatusOk, "event list");
		for (uint64_t i = 0; i < out.count && i < ETHOS_EVENT_LIST_MAX; i++) {
			int slot = pool_find(ids[i]);
			if (slot >= 0 && !everything)
				continue;
			expect(do_cancel(ids[i]), StatusOk, "cancel a listed event");
			if (slot >= 0)
				pool_remove((unsigned)slot);
			else
				swept++;
		}
	}
}

static int worker(void)
{
	unsigned total = 0;
	uint64_t next_sweep = SWEEP_EVERY;

	seed_rng(opt.seed);
	scratch = malloc(SCRATCH);
	leaf_done = malloc(ETHOS_TREE_MAX_NODES + 16);
	nodes = malloc((ETHOS_TREE_MAX_NODES + 8) * sizeof(*nodes));
	ids = malloc(ETHOS_EVENT_LIST_MAX * sizeof(*ids));
	arena = malloc(ARENA * sizeof(*arena));
	if (!scratch || !leaf_done || !nodes || !ids || !arena) {
		printf("FAIL: fuzzlong/worker %lu: out of memory\n", (unsigned long)opt.id);
		return 1;
	}
	start_ns = ethos_time();
	my_pid = ethos_getpid();
	/* A line about every 100000 calls of all the workers together. */
	progress_step = 100000 / (opt.workers ? opt.workers : 1);
	next_progress = progress_step;
	for (int i = 0; i < OpCount; i++)
		total += opt.ops & (1ULL << i) ? 0 : op_weight[i];
	while (calls < opt.calls && total > 0) {
		unsigned r = (unsigned)(rnd() % total);
		int i = 0;
		while (opt.ops & (1ULL << i) || r >= op_weight[i]) {
			if (!(opt.ops & (1ULL << i)))
				r -= op_weight[i];
			i++;
		}
		op = op_names[i];
		switch (i) {
		case OpRaw: op_raw(); break;
		case OpBeep: op_beep(); break;
		case OpTree: op_tree(); break;
		case OpReuseLeaf: op_reuse_leaf(); break;
		case OpRetire: op_retire(); break;
		case OpCancel: op_cancel(); break;
		case OpConsole: op_console(); break;
		case OpSpawn: op_spawn(); break;
		case OpKill: op_kill(); break;
		case OpList: op_list(); break;
		default: op_wide(); break;
		}
		if (calls >= next_sweep) {
			sweep(0);
			next_sweep = calls + SWEEP_EVERY;
		}
	}
	op = "end";
	for (unsigned i = npool; i-- > 0; )
		if (pool[i].kind == KindChild)
			kill_child(i);
	sweep(1);
	sweep(1);
	struct sys_event_list_in in = { .ids = 0, .capacity = 0 };
	struct sys_event_list_out p = { 1 }, c = { 1 };
	call(SysGetPendingEvents, &in, &p);
	call(SysGetCompletedEvents, &in, &c);
	if (p.count != 0 || c.count != 0)
		failed("events left after the final sweep", NO_STATUS);
	printf("fuzz: %s %lu done: %lu calls in %lu s, %d failures "
	       "(%lu unknown events swept, %lu spawns found the table full)\n",
	       opt.warm ? "warm-up worker" : "worker", (unsigned long)opt.id, (unsigned long)calls,
	       (unsigned long)((ethos_time() - start_ns) / SEC), failures,
	       (unsigned long)swept, (unsigned long)no_space);
	return failures;
}

/* ---- the workers' children ------------------------------------------------ */

/* Lives ms milliseconds, blocked on or(beep, and(far beep, console read)). */
static int idle(uint64_t ms)
{
	EventId t, far, con;
	enum status st;

	if (ethos_beep(ethos_time() + ms * MS, &t) != StatusOk ||
	    ethos_beep(ethos_time() + FAR_NS, &far) != StatusOk ||
	    ethos_read_console(16, &con) != StatusOk)
		return 1;
	struct ethos_tree_node tree[5] = {
		{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
		{ .kind = TreeLeaf, .event = t },
		{ .kind = TreeThreshold, .k = 2, .first_child = 3, .nchildren = 2 },
		{ .kind = TreeLeaf, .event = far },
		{ .kind = TreeLeaf, .event = con },
	};
	st = ethos_block(tree, 5, 0, 0);
	ethos_cancel(t);
	ethos_cancel(far);
	ethos_cancel(con);
	return st != StatusOk;
}

/* Runs an idle child and kills it half-way (or finds it gone). */
static int nest(uint64_t ms)
{
	char arg[32];
	EventId exit_event, t;
	uint64_t pid;
	uint8_t done[3] = { 0 };

	snprintf(arg, sizeof(arg), "idle,ms=%lu", (unsigned long)ms);
	enum status st = ethos_spawn("/tests/fuzzlong", arg, &pid, &exit_event);
	if (st == StatusNoSpace)
		return idle(ms);
	if (st != StatusOk || ethos_beep(ethos_time() + ms * MS / 2, &t) != StatusOk)
		return 1;
	struct ethos_tree_node tree[3] = {
		{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
		{ .kind = TreeLeaf, .event = exit_event },
		{ .kind = TreeLeaf, .event = t },
	};
	if (ethos_block(tree, 3, done, 0) != StatusOk)
		return 1;
	st = ethos_kill(pid);
	struct ethos_exit_result r = { 0 };
	uint64_t size;
	int bad = (st != StatusOk && st != StatusNotFound) ||
		  ethos_retire(exit_event, &r, sizeof(r), &size) != StatusOk ||
		  r.pid != pid ||
		  r.status != (st == StatusOk ? ETHOS_KILLED_BY_PARENT : 0);
	ethos_cancel(t);
	return bad;
}

/* ---- long mode: init, coordinating the workers --------------------------- */

/*
 * Init's part (DESIGN: an exit event holds the status until its parent
 * retires it).  A worker that kills a nest child leaves the nest's idle
 * child an orphan (at the worker's end always), and the kernel makes it
 * ours, with an exit event in our table.  Unretired, those events, the
 * growth of our event table and the slob pages each event pins among the
 * freed events of the workers read as a leak of pages: so they are
 * retired as they come (run_workers) and at the end (reap_orphans), as
 * user/init.c does after every test.
 */
#define ORPHAN_LEAVES 32
static uint64_t orphans_reaped, orphans_nonzero;

static int known(EventId id, const EventId *keep, unsigned nkeep)
{
	for (unsigned i = 0; i < nkeep; i++)
		if (keep[i] == id)
			return 1;
	return 0;
}

/* Retires every completed event of ours that keep does not name: the
 * exits of orphans.  Returns how many there were. */
static uint64_t retire_orphans(const EventId *keep, unsigned nkeep)
{
	static EventId ids[ETHOS_EVENT_LIST_MAX];
	uint64_t n, size, total = 0;
	int again;

	do {
		n = 0;
		again = 0;
		ethos_completed_events(ids, ETHOS_EVENT_LIST_MAX, &n);
		for (uint64_t i = 0; i < n && i < ETHOS_EVENT_LIST_MAX; i++) {
			struct ethos_exit_result r = { 0 };
			if (known(ids[i], keep, nkeep))
				continue;
			if (ethos_retire(ids[i], &r, sizeof(r), &size) != StatusOk ||
			    r.status != 0)
				orphans_nonzero++;
			orphans_reaped++;
			total++;
			again = 1;
		}
	} while (again && n > ETHOS_EVENT_LIST_MAX);
	return total;
}

/* Adds up to max leaves at tree[k..]: our pending events keep does not
 * name (the exits of live orphans).  Returns the new k. */
static uint32_t orphan_leaves(struct ethos_tree_node *tree, uint32_t k,
			      unsigned max, const EventId *keep, unsigned nkeep)
{
	static EventId ids[ETHOS_EVENT_LIST_MAX];
	uint64_t n = 0;

	ethos_pending_events(ids, ETHOS_EVENT_LIST_MAX, &n);
	for (uint64_t i = 0; i < n && i < ETHOS_EVENT_LIST_MAX && max > 0; i++)
		if (!known(ids[i], keep, nkeep)) {
			tree[k++] = (struct ethos_tree_node){ .kind = TreeLeaf,
							      .event = ids[i] };
			max--;
		}
	return k;
}

/*
 * Waits for the orphans left to end (they do by themselves, within 40
 * ms) and retires their exits.  keep is our one event that is no exit.
 * Returns 0, or 1 if some orphan did not end within 10 s.
 */
static int reap_orphans(EventId keep)
{
	EventId k[2] = { keep, 0 };
	struct ethos_tree_node t[2 + ORPHAN_LEAVES];
	uint64_t size;

	if (ethos_beep(ethos_time() + 10 * SEC, &k[1]) != StatusOk)
		return 1;
	for (;;) {
		retire_orphans(k, 2);
		uint32_t n = orphan_leaves(t, 1, ORPHAN_LEAVES, k, 2);
		if (n == 1)
			break;
		t[n++] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = k[1] };
		t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
						 .first_child = 1, .nchildren = n - 1 };
		uint8_t done[2 + ORPHAN_LEAVES] = { 0 };
		ethos_block(t, n, done, 0);
		if (done[n - 1]) {
			struct ethos_exit_result r;
			ethos_retire(k[1], &r, sizeof(r), &size);
			return 1;
		}
	}
	ethos_cancel(k[1]);
	return 0;
}

/*
 * Runs n workers with share calls each and waits for all of them; the
 * watchdog beep catches one that never ends.  Returns the failures.
 */
static int run_workers(const struct options *o, uint64_t n, uint64_t share,
		       uint64_t seed, EventId foreign, int warm)
{
	enum { MAXW = 16 };
	EventId exits[MAXW], watchdog;
	uint64_t pids[MAXW], seeds[MAXW];
	struct ethos_tree_node tree[MAXW + 3 + ORPHAN_LEAVES];
	uint8_t done[MAXW + 3 + ORPHAN_LEAVES];
	EventId keep[MAXW + 3], tick = 0;
	int live[MAXW], nlive = 0, bad = 0;
	const char *label = warm ? "warm-up" : "workers";
	char arg[176];

	for (uint64_t i = 0; i < n; i++) {
		seeds[i] = splitmix(seed + i);
		snprintf(arg, sizeof(arg),
			 "worker,id=%lu,seed=%lu,calls=%lu,workers=%lu,foreign=0x%lx,trace=%lu,ops=0x%lx,warm=%d",
			 (unsigned long)i, (unsigned long)seeds[i], (unsigned long)share,
			 (unsigned long)n, (unsigned long)foreign,
			 (unsigned long)(warm ? 0 : o->trace), (unsigned long)o->ops, warm);
		enum status st = ethos_spawn("/tests/fuzzlong", arg, &pids[i], &exits[i]);
		live[i] = st == StatusOk;
		nlive += live[i];
		if (st != StatusOk) {
			printf("FAIL: fuzzlong/%s: spawn of worker %lu: %s\n", label,
			       (unsigned long)i, ethos_status_name(st));
			bad++;
		} else if (n > 1)
			printf("fuzz: worker %lu is pid %lu, seed %lu\n", (unsigned long)i,
			       (unsigned long)pids[i], (unsigned long)seeds[i]);
	}
	ethos_beep(ethos_time() + o->limit * SEC, &watchdog);
	while (nlive > 0) {
		uint32_t k = 1, at[MAXW + 2];
		unsigned nkeep = 0;
		/*
		 * An orphan adopted while we are blocked is not in the tree:
		 * the tick wakes us to look for new ones, else their exits
		 * pile up (and our event table grows) until a worker ends.
		 */
		ethos_beep(ethos_time() + 100 * MS, &tick);
		keep[nkeep++] = foreign;
		keep[nkeep++] = watchdog;
		keep[nkeep++] = tick;
		for (uint64_t i = 0; i < n; i++)
			if (live[i]) {
				at[k] = (uint32_t)i;
				keep[nkeep++] = exits[i];
				tree[k++] = (struct ethos_tree_node){ .kind = TreeLeaf,
								      .event = exits[i] };
			}
		/* The orphans' exits wake us too, to be retired. */
		retire_orphans(keep, nkeep);
		uint32_t w = orphan_leaves(tree, k, ORPHAN_LEAVES, keep, nkeep);
		tree[w++] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = tick };
		tree[w] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = watchdog };
		tree[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
						    .first_child = 1, .nchildren = w };
		memset(done, 0, sizeof(done));
		enum status st = ethos_block(tree, w + 1, done, 0);
		ethos_cancel(tick);
		if (st != StatusOk) {
			printf("FAIL: fuzzlong/%s: block on the workers: %s\n", label,
			       ethos_status_name(st));
			return bad + 1;
		}
		for (uint32_t j = 1; j < k; j++) {
			if (!done[j])
				continue;
			uint64_t i = at[j], size;
			struct ethos_exit_result r = { 0 };
			ethos_retire(exits[i], &r, sizeof(r), &size);
			live[i] = 0;
			nlive--;
			if (r.status != 0) {
				printf("FAIL: fuzzlong/%s: worker %lu (pid %lu, seed %lu) exited %ld\n",
				       label, (unsigned long)i, (unsigned long)pids[i],
				       (unsigned long)seeds[i], (long)r.status);
				bad++;
			}
		}
		if (done[w]) {
			for (uint64_t i = 0; i < n; i++)
				if (live[i]) {
					printf("FAIL: fuzzlong/%s: worker %lu (pid %lu, seed %lu) "
					       "still running after %lu s: a hang?\n", label,
					       (unsigned long)i, (unsigned long)pids[i],
					       (unsigned long)seeds[i], (unsigned long)o->limit);
					ethos_kill(pids[i]);
					ethos_cancel(exits[i]);
					bad++;
				}
			nlive = 0;
		}
	}
	ethos_cancel(watchdog);
	return bad;
}

/* The free-page count once the last orphans are gone (they end by themselves). */
static uint64_t settled_free_pages(uint64_t want)
{
	uint64_t free = ethos_free_pages();

	for (int i = 0; i < 40 && free < want; i++) {
		sleep_ms(50);
		free = ethos_free_pages();
	}
	return free;
}

static int long_mode(struct options *o)
{
	uint64_t seed = o->seeded ? o->seed : ethos_time();
	EventId foreign;

	if (o->workers == 0 || o->workers > 16)
		o->workers = 4;
	printf("fuzz: long mode: seed %lu, %lu calls over %lu workers "
	       "(again: make fuzz-guest SEED=%lu)\n", (unsigned long)seed,
	       (unsigned long)o->calls, (unsigned long)o->workers, (unsigned long)seed);
	/* One of our events: a foreign id to the workers. */
	ethos_beep(ethos_time() + FAR_NS, &foreign);
	/* A short first run fills the kernel's caches, so that the count
	 * that follows measures leaks, not caches. */
	int warm = run_workers(o, 1, 2000, splitmix(seed ^ 0x3a3a), foreign, 1);
	warm += reap_orphans(foreign);
	/*
	 * Both counts are taken with no beep pending anywhere: the beep
	 * heap's array is gone then (beepheap.c frees it at 0 beeps).  One
	 * beep held through both would keep it, and its reallocations as it
	 * grows and shrinks in between move it to another slob page: one
	 * page fewer free with no object more.
	 */
	ethos_cancel(foreign);
	uint64_t start = settled_free_pages(~0ULL), t0;
	uint64_t k0[KStatCount] = { 0 }, k1[KStatCount] = { 0 };

	ethos_kernel_stats(k0, 0);
	ethos_beep(ethos_time() + FAR_NS, &foreign);
	orphans_reaped = orphans_nonzero = 0;
	t0 = ethos_time();

	int bad = run_workers(o, o->workers, o->calls / o->workers, seed, foreign, 0);
	uint64_t secs = (ethos_time() - t0) / SEC;
	int hung = reap_orphans(foreign);
	printf("fuzz: %lu orphans reaped (%lu of them did not end with 0)\n",
	       (unsigned long)orphans_reaped, (unsigned long)orphans_nonzero);
	CHECK("every orphan ended within 10 s", hung == 0);
	ethos_cancel(foreign);
	uint64_t end = settled_free_pages(start);
	ethos_kernel_stats(k1, 0);
	uint64_t left_p = 1, left_c = 1;
	ethos_pending_events(0, 0, &left_p);
	ethos_completed_events(0, 0, &left_c);
	CHECK("init's own event table empty at the end", left_p == 0 && left_c == 0);
	/* Which kernel objects a lost page went with (see a leak below). */
	for (int i = 0; i < KStatCount; i++)
		if (k0[i] != k1[i] && !ETHOS_KSTAT_CUMULATIVE(i))
			printf("fuzz: kstat %s: %lu before, %lu after\n",
			       ethos_kstat_name((enum kernel_stat)i),
			       (unsigned long)k0[i], (unsigned long)k1[i]);

	printf("fuzz: the workers took %lu s\n", (unsigned long)secs);
	CHECK("the warm-up run passed", warm == 0);
	CHECK("every worker exited 0", bad == 0);
	if (end >= start) {
		printf("PASS: fuzzlong/free pages back: %lu before, %lu after\n",
		       (unsigned long)start, (unsigned long)end);
	} else {
		printf("FAIL: fuzzlong/free pages back: %lu before, %lu after: "
		       "LEAK of %lu pages\n", (unsigned long)start,
		       (unsigned long)end, (unsigned long)(start - end));
		printf("fuzz: to narrow a leak down, switch kinds of operation off: "
		       "FUZZ_ARGS=ops=MASK, bit i for each of");
		for (int i = 0; i < OpCount; i++)
			printf(" %s=0x%x", op_names[i], 1u << i);
		printf("\n");
		check_failures++;
	}
	printf("fuzz: seed %lu: %s\n", (unsigned long)seed,
	       check_failures ? "FAILED" : "passed");
	return check_failures;
}

int main(int argc, char **argv)
{
	static char arg[160];

	check_program = "fuzzlong";
	if (argc < 2) {
		printf("usage: fuzzlong long,seed=S,calls=N,workers=W "
		       "(see make fuzz-guest)\n");
		return 1;
	}
	/* Our argument lives at the top of the stack, which the workers
	 * use as an output buffer: copy it first. */
	snprintf(arg, sizeof(arg), "%s", argv[1]);
	parse_options(arg, &opt);
	if (strcmp(opt.mode, "long") == 0)
		return long_mode(&opt);
	if (strcmp(opt.mode, "worker") == 0)
		return worker();
	if (strcmp(opt.mode, "idle") == 0)
		return idle(opt.ms);
	if (strcmp(opt.mode, "nest") == 0)
		return nest(opt.ms);
	printf("fuzz: unknown mode '%s'\n", opt.mode);
	return 1;
}
