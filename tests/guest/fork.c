/*
 * fork: copy-on-write isolation of every kind of page, exact page counts
 * (only written pages are copied; the last holder of a page gets it back
 * without a copy), FPU/SSE state, events across fork, children across
 * fork, kill of a forked child blocked on a tree, adoption of an orphan by
 * init (init's suite table expects one orphan from this program), and
 * fork's refusals.
 */
#include "check.h"

#define PAGE 4096
/* Far above where malloc's heap starts, so the two never meet. */
#define HEAP_PAGE(n) ((volatile uint64_t *)(0x140000000UL + (n) * PAGE))

static uint64_t data_page[PAGE / 8] __attribute__((aligned(PAGE))) = { 1 };
static uint64_t bss_page[PAGE / 8] __attribute__((aligned(PAGE)));

/* The free-page count, after a first call has made the stack page this
 * call writes its output to the caller's own (a fork shares it too). */
static uint64_t free_pages(void)
{
	ethos_free_pages();
	return ethos_free_pages();
}

/*
 * What a write costs: user pages copied (the kernel's cow counter), page
 * tables (a write below a table that fork shared copies the table first)
 * and free pages, which must add up.  Each call is made twice so that
 * the stack pages it writes are already the caller's own.
 */
struct snap {
	uint64_t free, tables, copies, reuses;
};

static void snap(struct snap *s)
{
	uint64_t k[KStatCount];

	ethos_kernel_stats(k, 0);
	ethos_kernel_stats(k, 0);
	s->free = free_pages();
	s->tables = k[KStatPageTables];
	s->copies = k[KStatCowCopies];
	s->reuses = k[KStatCowReuses];
}

/* Forks; the child runs fn and exits with what it returns (its failures). */
static uint64_t fork_child(int (*fn)(void), EventId *exit_event)
{
	uint64_t pid = 0;
	enum status st = ethos_fork(&pid, exit_event);

	if (st != StatusOk) {
		CHECK_STATUS("fork", st, StatusOk);
		return 0;
	}
	if (pid == 0) {
		check_failures = 0;   /* the child reports only its own */
		ethos_exit(fn());
	}
	return pid;
}

/* The child's exit status, or -9999 if waiting failed. */
static int64_t wait_child(EventId exit_event)
{
	struct ethos_exit_result r = { .status = -9999 };

	if (ethos_block_and_retire(exit_event, &r, sizeof(r), 0) != StatusOk)
		return -9999;
	return r.status;
}

/* ---- isolation ------------------------------------------------------ */

static volatile uint64_t *stack_word;

static int isolation_child(void)
{
	check_program = "fork/child";
	CHECK("child sees the data page as it was at fork", data_page[0] == 10);
	CHECK("child sees the bss page as it was at fork", bss_page[0] == 20);
	CHECK("child sees the heap page as it was at fork", *HEAP_PAGE(0) == 30);
	CHECK("child sees the stack as it was at fork", *stack_word == 40);
	data_page[0] = 11;
	bss_page[0] = 21;
	*HEAP_PAGE(0) = 31;
	*stack_word = 41;
	ethos_yield();
	CHECK("child keeps its own writes", data_page[0] == 11 &&
	      bss_page[0] == 21 && *HEAP_PAGE(0) == 31 && *stack_word == 41);
	return check_failures;
}

static void isolation(void)
{
	volatile uint64_t local = 40;
	EventId ev;

	stack_word = &local;
	data_page[0] = 10;
	bss_page[0] = 20;
	*HEAP_PAGE(0) = 30;
	if (fork_child(isolation_child, &ev) == 0)
		return;
	/* Before the child has run: its view must not change. */
	data_page[0] = 12;
	bss_page[0] = 22;
	*HEAP_PAGE(0) = 32;
	local = 42;
	CHECK("the child passed its checks", wait_child(ev) == 0);
	CHECK("parent keeps its own writes", data_page[0] == 12 &&
	      bss_page[0] == 22 && *HEAP_PAGE(0) == 32 && local == 42);
}

/* ---- three generations share, then separate ---------------------------- */

static int generation_check(uint64_t mine, uint64_t seen_at_fork)
{
	int bad = data_page[5] != seen_at_fork || *HEAP_PAGE(5) != seen_at_fork;

	data_page[5] = mine;
	*HEAP_PAGE(5) = mine;
	ethos_yield();
	return bad || data_page[5] != mine || *HEAP_PAGE(5) != mine;
}

static int grandchild_gen(void)
{
	return generation_check(3, 2);
}

static int child_gen(void)
{
	EventId ev;
	uint64_t pid;

	data_page[5] = 2;            /* the child's own, before its fork */
	*HEAP_PAGE(5) = 2;
	if (ethos_fork(&pid, &ev) != StatusOk)
		return 1;
	if (pid == 0)
		ethos_exit(grandchild_gen());
	int bad = generation_check(22, 2);
	return bad || wait_child(ev) != 0;
}

static void generations(void)
{
	EventId ev;

	data_page[5] = 1;
	*HEAP_PAGE(5) = 1;
	if (fork_child(child_gen, &ev) == 0)
		return;
	int bad = generation_check(11, 1);
	CHECK("parent, child and grandchild each see only their own writes",
	      !bad && wait_child(ev) == 0);
}

/* ---- page counts ------------------------------------------------------ */

static int copies_child(void)
{
	struct snap a, b, c;

	check_program = "fork/child";
	/* Our parent's way back from fork to its block (its stack pages'
	 * copies, its wait record) must not land in the window. */
	struct ethos_beep_result settled;
	sleep_settle(&settled);
	snap(&a);
	data_page[1] = 1;
	bss_page[1] = 1;
	*HEAP_PAGE(0) = 1;
	*HEAP_PAGE(1) = 1;
	snap(&b);
	data_page[2] = 2;
	bss_page[2] = 2;
	*HEAP_PAGE(0) = 2;
	*HEAP_PAGE(1) = 2;
	snap(&c);
	/* Checks only now: printing writes stdio's buffer, a shared page. */
	CHECK("a write to each of 4 shared pages copies exactly 4",
	      b.copies - a.copies == 4);
	CHECK("and takes 4 pages, plus the page tables it copied",
	      a.free - b.free == 4 + (b.tables - a.tables));
	CHECK("writing them again copies nothing",
	      c.free == b.free && c.copies == b.copies && c.tables == b.tables);
	/* Text: read, never copied; the program still runs its code. */
	CHECK("text is shared and readable", in_text() == 1);
	return check_failures;
}

static void copies(void)
{
	EventId ev;

	*HEAP_PAGE(1) = 5;        /* both heap pages exist before the fork */
	if (fork_child(copies_child, &ev) == 0)
		return;
	/* The parent writes nothing until the child is done. */
	CHECK("only the child's written pages were copied", wait_child(ev) == 0);
}

static int sleeper_child(void)
{
	sleep_ms(3600 * 1000);
	return 1;
}

static int nothing_child(void)
{
	return 0;
}

static void last_holder(void)
{
	EventId ev;
	uint64_t pid;

	data_page[3] = 1;
	if (fork_child(nothing_child, &ev) == 0)
		return;
	wait_child(ev);
	/* The child is gone: the parent is the frame's last holder.  A copy
	 * would free the old frame as it took the new one, so the free-page
	 * count cannot tell: the kernel's copy and reuse counters can. */
	struct snap a, b;
	snap(&a);
	data_page[3] = 2;
	bss_page[3] = 2;
	snap(&b);
	CHECK("the last holder of a page writes it without a copy",
	      b.free == a.free && b.copies == a.copies &&
	      b.reuses - a.reuses == 2);

	if ((pid = fork_child(sleeper_child, &ev)) == 0)
		return;
	/* The child's own first steps (its stack pages, its event table,
	 * its sleep) must not land in the window. */
	struct ethos_beep_result settled;
	sleep_settle(&settled);
	snap(&a);
	data_page[3] = 3;
	snap(&b);
	CHECK("a page the child still maps is copied (one page)",
	      b.copies - a.copies == 1 &&
	      a.free - b.free == 1 + (b.tables - a.tables));
	CHECK_STATUS("kill the sleeping child", ethos_kill(pid), StatusOk);
	CHECK("its exit says killed", wait_child(ev) == ETHOS_KILLED_BY_PARENT);
}

/* ---- FPU/SSE state ----------------------------------------------------- */

static uint32_t get_mxcsr(void)
{
	uint32_t m;

	asm volatile("stmxcsr %0" : "=m"(m));
	return m;
}

static void set_mxcsr(uint32_t m)
{
	asm volatile("ldmxcsr %0" : : "m"(m));
}

static int fpu_child(void)
{
	uint64_t x[2];

	check_program = "fork/child";
	asm volatile("movdqu %%xmm6, %0" : "=m"(x));
	CHECK("child has the parent's MXCSR", get_mxcsr() == 0x7f80);
	CHECK("child has the parent's xmm6", x[0] == 0x1122334455667788ULL &&
	      x[1] == 0x99aabbccddeeff00ULL);
	return check_failures;
}

static void fpu(void)
{
	static const uint64_t pattern[2] = { 0x1122334455667788ULL,
					     0x99aabbccddeeff00ULL };
	uint64_t pid = 0;
	EventId ev = 0;
	uint32_t saved = get_mxcsr();

	/* Round toward zero, and a pattern in xmm6; fork at once, with no
	 * call between that could use xmm6. */
	set_mxcsr(0x7f80);
	asm volatile("movdqu %0, %%xmm6" : : "m"(pattern) : "xmm6");
	struct sys_fork_out out = { 0 };
	enum status st = ethos_syscall(SysFork, 0, &out);
	if (st == StatusOk && out.pid == 0) {
		check_failures = 0;
		ethos_exit(fpu_child());
	}
	set_mxcsr(saved);
	pid = out.pid;
	ev = out.exit_event;
	CHECK_STATUS("fork for the FPU check", st, StatusOk);
	if (pid != 0)
		CHECK("FPU/SSE state is copied", wait_child(ev) == 0);
}

/* ---- events and children across fork ----------------------------------- */

static EventId parent_beep;

static int events_child(void)
{
	uint64_t n = 99;

	check_program = "fork/child";
	CHECK_STATUS("child lists its pending events",
		     ethos_pending_events(0, 0, &n), StatusOk);
	CHECK("child's event table starts empty", n == 0);
	CHECK_STATUS("the parent's event is not the child's",
		     ethos_cancel(parent_beep), StatusInvalidEvent);
	return check_failures;
}

static uint64_t sibling_pid;

static int children_child(void)
{
	check_program = "fork/child";
	CHECK_STATUS("the parent's child is not the forked child's to kill",
		     ethos_kill(sibling_pid), StatusNotPermitted);
	return check_failures;
}

static void events_and_children(void)
{
	EventId ev, spawned_exit;
	uint64_t n = 0;

	ethos_beep(ethos_time() + 3600ULL * 1000000000ULL, &parent_beep);
	if (fork_child(events_child, &ev) == 0)
		return;
	CHECK("fork while an event is pending", wait_child(ev) == 0);
	ethos_pending_events(0, 0, &n);
	CHECK("the parent's event is still pending", n == 1);
	CHECK_STATUS("and still the parent's", ethos_cancel(parent_beep),
		     StatusOk);

	CHECK_STATUS("spawn a child to fork beside",
		     ethos_spawn("/tests/sharedtext", "wait", &sibling_pid,
				 &spawned_exit), StatusOk);
	if (fork_child(children_child, &ev) == 0)
		return;
	CHECK("fork of a process that has children", wait_child(ev) == 0);
	CHECK_STATUS("the parent still kills its own child",
		     ethos_kill(sibling_pid), StatusOk);
	CHECK("its exit event completes for the parent",
	      wait_child(spawned_exit) == ETHOS_KILLED_BY_PARENT);
}

/* ---- kill of a forked child blocked on a tree ---------------------------- */

static int tree_child(void)
{
	struct ethos_tree_node t[3];
	EventId a, b;
	uint64_t far = ethos_time() + 3600ULL * 1000000000ULL;

	ethos_beep(far, &a);
	ethos_beep(far + 1, &b);
	t[0] = (struct ethos_tree_node){ .kind = TreeThreshold, .k = 1,
					 .first_child = 1, .nchildren = 2 };
	t[1] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = a };
	t[2] = (struct ethos_tree_node){ .kind = TreeLeaf, .event = b };
	ethos_block(t, 3, 0, 0);
	return 1;                 /* never: it is killed while blocked */
}

static void kill_blocked(void)
{
	EventId ev;
	uint64_t pid = fork_child(tree_child, &ev);

	if (pid == 0)
		return;
	sleep_ms(20);             /* let it block */
	CHECK_STATUS("kill a forked child blocked on a tree", ethos_kill(pid),
		     StatusOk);
	CHECK("its exit says killed", wait_child(ev) == ETHOS_KILLED_BY_PARENT);
}

/* ---- an orphan ------------------------------------------------------------ */

static int grandchild(void)
{
	/* Outlives its parent; init adopts it and expects exit status 0. */
	sleep_ms(30);
	return data_page[0] == 12 ? 0 : 1;
}

static int middle_child(void)
{
	uint64_t pid = 0;

	if (ethos_fork(&pid, 0) != StatusOk)
		return 1;
	if (pid == 0)
		ethos_exit(grandchild());
	return 0;                 /* ends before its child */
}

static void orphan(void)
{
	EventId ev;

	if (fork_child(middle_child, &ev) == 0)
		return;
	CHECK("the middle child forked and ended", wait_child(ev) == 0);
}

/* ---- ethos_wait ------------------------------------------------------------- */

static int exit_7(void)
{
	return 7;
}

static void wait_by_pid(void)
{
	uint64_t a = 0, b = 0, who = 0;
	int64_t status = -1;

	enum status st = ethos_fork(&a, 0);
	if (st == StatusOk && a == 0)
		ethos_exit(exit_7());
	CHECK_STATUS("fork a child for ethos_wait", st, StatusOk);
	st = ethos_fork(&b, 0);
	if (st == StatusOk && b == 0)
		ethos_exit(0);
	CHECK_STATUS("fork another", st, StatusOk);
	CHECK_STATUS("ethos_wait(pid) of the first", ethos_wait(a, &status),
		     StatusOk);
	CHECK("gets its exit status", status == 7);
	CHECK_STATUS("waiting for it again", ethos_wait(a, &status),
		     StatusNotFound);
	CHECK_STATUS("ethos_wait_any gets the second", ethos_wait_any(&who, &status),
		     StatusOk);
	CHECK("with its pid and status", who == b && status == 0);
	CHECK_STATUS("no children left", ethos_wait(ETHOS_WAIT_ANY, &status),
		     StatusNotFound);
}

/* ---- refusals -------------------------------------------------------------- */

static void refusals(void)
{
	uint64_t before[KStatCount], after[KStatCount], n0 = 0, n1 = 0;

	ethos_pending_events(0, 0, &n0);
	ethos_kernel_stats(before, 0);
	CHECK_STATUS("fork with its output in read-only text",
		     ethos_syscall(SysFork, 0, (void *)in_text), StatusBadAddress);
	CHECK_STATUS("fork with its output in the kernel",
		     ethos_syscall(SysFork, 0, (void *)0xffff888000000000UL),
		     StatusBadAddress);
	CHECK_STATUS("fork with its output unmapped",
		     ethos_syscall(SysFork, 0, (void *)0x80000000UL),
		     StatusBadAddress);
	ethos_kernel_stats(after, 0);
	ethos_pending_events(0, 0, &n1);
	CHECK("a refused fork leaves no process and no event",
	      before[KStatProcesses] == after[KStatProcesses] &&
	      before[KStatEvents] == after[KStatEvents] && n0 == n1);
}

int main(void)
{
	check_program = "fork";
	isolation();
	generations();
	copies();
	last_holder();
	fpu();
	events_and_children();
	kill_blocked();
	orphan();
	wait_by_pid();
	refusals();
	return check_failures;
}
