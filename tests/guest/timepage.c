/*
 * The time page: ethos_time() reads Xen's time record at ETHOS_TIME_PAGE
 * without a syscall.  It must agree with SysGetTime (between two of its
 * readings), never go back, be there in a forked child, and be read-only:
 * a write kills the writer, a syscall output there is BadAddress.  The
 * kernel's wall-clock record on the same page (ETHOS_WALLCLOCK) gives
 * Unix time.
 */
#include "check.h"

static const volatile struct ethos_time_page *page =
	(const volatile struct ethos_time_page *)ETHOS_TIME_PAGE;

static int agrees(int rounds)
{
	uint64_t last = 0;

	for (int i = 0; i < rounds; i++) {
		uint64_t a = ethos_time_syscall();
		uint64_t t = ethos_time();
		uint64_t b = ethos_time_syscall();
		if (t < a || t > b || t < last)
			return 0;
		last = t;
	}
	return 1;
}

int main(void)
{
	uint64_t pid = 0;
	EventId ev;
	struct ethos_exit_result r = { .status = -1 };

	check_program = "timepage";
	CHECK("Xen keeps the time page (tsc_to_system_mul set)",
	      page->tsc_to_system_mul != 0);
	CHECK("page time lies between two getTime readings, and never goes back",
	      agrees(2000));
	sleep_ms(20);
	CHECK("and still after a sleep", agrees(100));
	/* The wall clock: Xen's (the RTC's at boot, or the toolstack's for a
	 * domU) as an epoch on the same page.  Bounds: 2024-01-01 and 2100. */
	uint64_t wall = ethos_wallclock();
	CHECK("the wall clock is set, and plausible (2024 to 2100)",
	      wall / 1000000000 >= 1704067200 && wall / 1000000000 < 4102444800);
	const volatile struct ethos_wallclock *wc =
		(const volatile struct ethos_wallclock *)ETHOS_WALLCLOCK;
	uint64_t epoch = ethos_wallclock_epoch(wc);
	sleep_ms(20);
	CHECK("the wall clock's epoch holds while the system time runs",
	      epoch != 0 && ethos_wallclock_epoch(wc) == epoch &&
	      ethos_wallclock() >= wall + 20000000);
	CHECK_STATUS("a syscall output on the page is BadAddress",
		     ethos_syscall(SysGetTime, 0, (void *)ETHOS_TIME_PAGE),
		     StatusBadAddress);

	enum status st = ethos_fork(&pid, &ev);
	if (st == StatusOk && pid == 0)
		ethos_exit(agrees(100) ? 0 : 1);
	CHECK("a forked child reads it too", st == StatusOk &&
	      ethos_block_and_retire(ev, &r, sizeof(r), 0) == StatusOk &&
	      r.status == 0);

	st = ethos_fork(&pid, &ev);
	if (st == StatusOk && pid == 0) {
		*(volatile uint32_t *)ETHOS_TIME_PAGE = 0;   /* must kill */
		ethos_exit(0);
	}
	r.status = 0;
	CHECK("a write to the page kills the writer (page fault)",
	      st == StatusOk &&
	      ethos_block_and_retire(ev, &r, sizeof(r), 0) == StatusOk &&
	      r.status == ETHOS_KILLED_BASE - 14);
	CHECK("and the page is intact", page->tsc_to_system_mul != 0 && agrees(10));
	return check_failures;
}
