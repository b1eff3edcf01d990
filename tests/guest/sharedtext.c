/*
 * Text is shared: a second copy of a running program does not load its
 * 64 KiB of read-only data again, and both copies see the same bytes.
 */
#include "check.h"

/* used, and read through a volatile pointer: gcc must keep all 64 KiB */
__attribute__((used)) static const unsigned char blob[64 * 1024] = { 1, 2, 3 };
static const volatile unsigned char *const text_bytes = blob;

static int wait_forever(void)
{
	EventId e;

	ethos_beep(ethos_time() + 3600ULL * 1000 * 1000 * 1000, &e);
	ethos_block_and_retire(e, 0, 0, 0);
	return 1;
}

/* On a failed page check: which kernel counts moved across the window. */
static void report_difference(const uint64_t *before, uint64_t free0,
			      uint64_t free_end)
{
#define KSTAT_NAME(e, name) [e] = name,
	static const char *const names[KStatCount] = { ETHOS_KSTATS(KSTAT_NAME) };
#undef KSTAT_NAME
	uint64_t now[KStatCount];

	ethos_kernel_stats(now, 0);
	printf("sharedtext: free pages %lu before, %lu after\n",
	       (unsigned long)free0, (unsigned long)free_end);
	for (unsigned i = 0; i < KStatCount; i++)
		if (now[i] != before[i])
			printf("sharedtext: %s %lu -> %lu\n", names[i],
			       (unsigned long)before[i], (unsigned long)now[i]);
}

int main(int argc, char **argv)
{
	uint64_t pid[2];
	EventId e[2];

	/* "wait": a copy that waits to be killed; "quiet": only FAIL lines
	 * (pagecount runs this test many times). */
	if (argc > 1 && strcmp(argv[1], "quiet") != 0)
		return text_bytes[0] == 1 && text_bytes[2] == 3 &&
		       text_bytes[sizeof(blob) - 1] == 0 ? wait_forever() : 2;
	check_program = "sharedtext";
	check_quiet = argc > 1;
	/* Our event table is made at our first event and kept (reused) until
	 * we end: make it now, or the first spawn's exit event makes it inside
	 * the measurement, and whether its 1 KiB lands in a partly used slob
	 * page or takes a fresh one (or the kept empty one, which counts as
	 * free) depends on what earlier programs left: one page, sometimes. */
	/* A short sleep makes it, and lets our parent run to its block: our
	 * parent may be preempted between its spawn of us and its block on
	 * our exit (on the domU path its console writes stall on a full ring
	 * and eat its slice), and its wait record, made inside our window,
	 * costs a page sometimes. */
	EventId anchor;
	struct ethos_beep_result warm;
	CHECK_STATUS("a first event, to make our event table, and a sleep",
		     sleep_settle(&warm), StatusOk);
	/* The copies each wait on a beep.  A beep of ours pending across the
	 * whole window keeps the beep heap's array where it is: without it
	 * the array is made, grown and freed inside the window, and where
	 * those land in the slob costs a page or not (ARCHITECTURE.md, "What
	 * an exact free-page check needs"). */
	CHECK_STATUS("a far beep held across the count",
		     ethos_beep(ethos_time() + 3600ULL * 1000000000ULL, &anchor),
		     StatusOk);
	uint64_t k[3][KStatCount];
	/* newlib's first formatted number may take heap (fault-around maps
	 * a run of pages then): not inside the window.  The report of the
	 * counts waits until after the last check for the same reason. */
	if (!check_quiet)
		printf("sharedtext: %lu pages free before the copies\n",
		       (unsigned long)ethos_free_pages());
	ethos_kernel_stats(k[0], 0);
	uint64_t free0 = ethos_free_pages();
	CHECK_STATUS("spawn a first copy", ethos_spawn("/tests/sharedtext", "wait",
						       &pid[0], &e[0]), StatusOk);
	ethos_kernel_stats(k[1], 0);
	uint64_t free1 = ethos_free_pages();
	CHECK_STATUS("spawn a second copy", ethos_spawn("/tests/sharedtext", "wait",
							&pid[1], &e[1]), StatusOk);
	ethos_kernel_stats(k[2], 0);
	uint64_t free2 = ethos_free_pages();
	/* Without the kernel stack, which is 4 pages, or 8 with the guard of
	 * a debug build. */
	uint64_t first = free0 - free1 - (k[1][KStatKstackPages] - k[0][KStatKstackPages]);
	uint64_t second = free1 - free2 - (k[2][KStatKstackPages] - k[1][KStatKstackPages]);

	/* This program is already running (we are it), so each copy maps the
	 * text pages it shares (the blob's 16 and the code: about 30 with
	 * newlib) and takes fewer pages than the text alone.  A copy may or
	 * may not have run its start (stack, heap, data pages) by the time
	 * of the count: 12 to 19 pages. */
	extern const char __executable_start[], etext[];
	uint64_t text_pages = (uint64_t)(etext - __executable_start + 4095) / 4096;
	CHECK("each copy shares the text pages", first < text_pages && second < text_pages);
	struct ethos_exit_result r;
	for (int i = 0; i < 2; i++) {
		ethos_yield();
		CHECK_STATUS("kill a copy", ethos_kill(pid[i]), StatusOk);
		ethos_block_and_retire(e[i], &r, sizeof(r), 0);
		CHECK("it was still running its shared text (not exit 2)",
		      r.status == ETHOS_KILLED_BY_PARENT);
	}
	/* (The page that was short now and then on the domU path was our
	 * parent's wait record, made inside the window: sleep_settle above.
	 * The wait, up to 1 s, stays: a page that never comes back is a
	 * leak, and one that does was not.) */
	for (int i = 0; i < 100 && ethos_free_pages() != free0; i++)
		sleep_ms(10);
	uint64_t free_end = ethos_free_pages();
	CHECK("all pages back once both are gone", free_end == free0);
	if (free_end != free0)
		report_difference(k[0], free0, free_end);
	if (!check_quiet)
		printf("sharedtext: first copy took %lu pages, second %lu, "
		       "besides its kernel stack; the text is %lu pages\n",
		       (unsigned long)first, (unsigned long)second,
		       (unsigned long)text_pages);
	ethos_cancel(anchor);
	return check_failures;
}
