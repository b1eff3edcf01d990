/*
 * SysKernelStats: hostile output pointers are refused without a write,
 * and the counters follow the objects a program makes and drops.
 */
#include "check.h"

#define N 10

static enum status stats_raw(void *out)
{
	return ethos_syscall(SysKernelStats, 0, out);
}

static uint64_t stat(enum kernel_stat s)
{
	uint64_t v[KStatCount];

	if (ethos_kernel_stats(v, 0) != StatusOk)
		return ~0UL;
	return v[s];
}

static uint64_t slob_objects(void)
{
	uint64_t v[KStatCount], n = 0;

	ethos_kernel_stats(v, 0);
	for (unsigned i = KStatSlob16; i <= KStatSlob2048; i++)
		n += v[i];
	return n;
}

static uint64_t data_word;

/* The first unmapped address after the data region's pages, found by
 * asking the kernel to read each page (cancel copies in its input
 * struct: BadAddress where there is no memory); 0 if not found. */
static volatile uint64_t *data_end(void)
{
	uintptr_t page = (uintptr_t)&data_word & ~4095UL;

	for (int i = 0; i < 256; i++, page += 4096)
		if (ethos_syscall(SysCancel, (void *)page, 0) == StatusBadAddress)
			return (volatile uint64_t *)page;
	return 0;
}

/* The 8 bytes below the top of the user stack: above the argument. */
#define STACK_TOP_WORD ((volatile uint64_t *)(0x0000008000000000UL - 8))

static void hostile_pointers(void)
{
	struct sys_kernel_stats_out out;
	uint32_t count = 0;
	uint64_t v[KStatCount];

	CHECK_STATUS("out at null", stats_raw(0), StatusBadAddress);
	CHECK_STATUS("out at a kernel address",
		     stats_raw((void *)0xffffffff80000000UL), StatusBadAddress);
	CHECK_STATUS("out in the direct map",
		     stats_raw((void *)0xffff888000001000UL), StatusBadAddress);
	CHECK_STATUS("out in read-only text", stats_raw((void *)in_text),
		     StatusBadAddress);
	CHECK("text unchanged after the refused write",
	      ((volatile unsigned char *)in_text)[0] != 0 && in_text() == 1);
	/* Its first word is writable stack, the rest is past USER_TOP. */
	*STACK_TOP_WORD = 0x5a5a5a5a5a5a5a5aUL;
	CHECK_STATUS("out crossing into the kernel half",
		     stats_raw((void *)STACK_TOP_WORD), StatusBadAddress);
	CHECK("nothing written by the refused call",
	      *STACK_TOP_WORD == 0x5a5a5a5a5a5a5a5aUL);
	/* Starts in the last data page and ends in the unmapped page after
	 * it (no demand paging in the data region): refused, and the 16
	 * writable bytes must be left alone. */
	volatile uint64_t *edge = data_end();
	CHECK("found the end of the data region", edge != 0);
	if (edge != 0) {
		edge[-2] = 0x1111111111111111UL;
		edge[-1] = 0x2222222222222222UL;
		CHECK_STATUS("out running off the data region",
			     stats_raw((void *)(edge - 2)), StatusBadAddress);
		CHECK("no partial write before the fault",
		      edge[-2] == 0x1111111111111111UL &&
		      edge[-1] == 0x2222222222222222UL);
	}
	memset(&out, 0x77, sizeof(out));
	CHECK_STATUS("valid out", stats_raw(&out), StatusOk);
	CHECK("count is KStatCount", out.count == KStatCount);
	CHECK("unused entries left alone or zero",
	      out.value[ETHOS_KSTAT_MAX - 1] == 0 ||
	      out.value[ETHOS_KSTAT_MAX - 1] == 0x7777777777777777UL);
	CHECK_STATUS("wrapper", ethos_kernel_stats(v, &count), StatusOk);
	CHECK("wrapper count", count == KStatCount);
	CHECK("init and this program are processes", v[KStatProcesses] >= 2);
	CHECK("this program's text image counts", v[KStatTextImages] >= 2);
	CHECK("free pages as SysFreePages",
	      v[KStatFreePages] == ethos_free_pages());
}

static void beeps_counted(void)
{
	struct ethos_beep_result r;
	EventId e[N];

	/* The first event makes this process's event table, which stays. */
	if (ethos_beep(0, &e[0]) == StatusOk)
		ethos_block_and_retire(e[0], &r, sizeof(r), 0);
	uint64_t events0 = stat(KStatEvents), slob0 = slob_objects();
	uint64_t waits0 = stat(KStatWaits);
	int ok = 1;

	for (int i = 0; i < N; i++)
		ok &= ethos_beep(ethos_time() + 1000000, &e[i]) == StatusOk;
	CHECK("10 beeps made", ok);
	CHECK("events +10 after 10 beeps", stat(KStatEvents) == events0 + N);
	/* Events come from the event cache (kernel/event/evcache.c), not
	 * the slob: KStatEvents is their count. */
	for (int i = 0; i < N; i++)
		ok &= ethos_block_and_retire(e[i], &r, sizeof(r), 0) == StatusOk;
	CHECK("10 beeps retired", ok);
	CHECK("events back after retiring", stat(KStatEvents) == events0);
	CHECK("waits back after blocking", stat(KStatWaits) == waits0);
	CHECK("slob objects back", slob_objects() == slob0);
}

static void child_counted(void)
{
	uint64_t v0[KStatCount], v1[KStatCount], v2[KStatCount];
	struct ethos_exit_result r;
	EventId exit_event;

	uint64_t pid;

	/* A child that lives 150 ms whatever the scheduler does (hello could
	 * run and exit before the second look, in a slow debug kernel). */
	ethos_kernel_stats(v0, 0);
	CHECK_STATUS("spawn spinner", ethos_spawn("/tests/spinner", 0, &pid,
						  &exit_event), StatusOk);
	ethos_kernel_stats(v1, 0);
	CHECK("processes +1 with a child", v1[KStatProcesses] == v0[KStatProcesses] + 1);
	CHECK("events +1 (its exit event)", v1[KStatEvents] == v0[KStatEvents] + 1);
	CHECK("kernel stack pages up", v1[KStatKstackPages] > v0[KStatKstackPages]);
	CHECK_STATUS("kill it", ethos_kill(pid), StatusOk);
	ethos_block_and_retire(exit_event, &r, sizeof(r), 0);
	ethos_kernel_stats(v2, 0);
	CHECK("processes back once it is gone", v2[KStatProcesses] == v0[KStatProcesses]);
	CHECK("events back once retired", v2[KStatEvents] == v0[KStatEvents]);
	CHECK("text images back", v2[KStatTextImages] == v0[KStatTextImages]);
	CHECK("kernel stack pages back", v2[KStatKstackPages] == v0[KStatKstackPages]);
}

int main(void)
{
	data_word = 1;
	check_program = "kstats";
	settle_first();     /* our parent's wait counts too */
	hostile_pointers();
	beeps_counted();
	child_counted();
	return check_failures;
}
