/*
 * SysBatch: many calls in one crossing, each as if made alone; refusals
 * of the calls a batch may not hold (block, exit, shutdown, fork, exec,
 * batch itself, numbers past the table); bad pointers mid-batch; the stop
 * flag; absurd counts and bad arrays, which run nothing.  Runs of beeps
 * and retires (their own loops in the kernel, kernel/batchrun.h): every
 * outcome of retire inside one, and 10^5 beeps and retires through
 * batches with the free-page count back where it was (the event cache).
 */
#include "check.h"

#define N 16
#define FAR (3600ULL * 1000000000ULL)
#define SENTINEL 0x5e5e5e5e

static struct ethos_batch_call calls[ETHOS_BATCH_MAX + 1];
static struct sys_beep_in beep_in[N];
static struct sys_event_out beep_out[N];
static struct sys_cancel_in cancel_in[N];

static uint64_t pending(void)
{
	uint64_t n = 0;

	ethos_pending_events(0, 0, &n);
	return n;
}

static uint64_t events(void)
{
	uint64_t v[KStatCount];

	ethos_kernel_stats(v, 0);
	return v[KStatEvents];
}

static void fill_beeps(int n)
{
	for (int i = 0; i < n; i++) {
		beep_in[i].deadline_ns = ethos_time() + FAR + (uint64_t)i;
		beep_out[i].event = 0;
		calls[i] = (struct ethos_batch_call){ SysBeep, &beep_in[i],
						      &beep_out[i], SENTINEL };
	}
}

static void cancel_all(int n)
{
	for (int i = 0; i < n; i++) {
		cancel_in[i].event = beep_out[i].event;
		calls[i] = (struct ethos_batch_call){ SysCancel, &cancel_in[i],
						      0, SENTINEL };
	}
}

static void sixteen_beeps(void)
{
	uint32_t done = 0;
	int ok = 1;

	fill_beeps(N);
	CHECK_STATUS("a batch of 16 beeps", ethos_batch(calls, N, 0, &done),
		     StatusOk);
	for (int i = 0; i < N; i++)
		ok &= calls[i].status == StatusOk && beep_out[i].event != 0;
	CHECK("each beep has its status and its event", ok && done == N);
	CHECK("16 events pending", pending() == N);
	cancel_all(N);
	CHECK_STATUS("a batch of 16 cancels", ethos_batch(calls, N, 0, &done),
		     StatusOk);
	ok = 1;
	for (int i = 0; i < N; i++)
		ok &= calls[i].status == StatusOk;
	CHECK("every cancel Ok, nothing pending", ok && pending() == 0);
}

static void refused_inside(void)
{
	static const uint64_t refused[] = { SysBlock, SysExit, SysShutdown,
					    SysFork, SysExec, SysBatch,
					    SysCount, 9999 };
	struct sys_exit_in exit_in = { .status = 77 };
	struct sys_batch_in inner = { .calls = calls, .count = 1 };
	struct sys_fork_out fork_out;
	uint64_t before = events();
	uint32_t done = 0;
	int n = sizeof(refused) / sizeof(refused[0]), ok = 1;

	for (int i = 0; i < n; i++)
		calls[i] = (struct ethos_batch_call){ refused[i], 0, 0, SENTINEL };
	calls[1].in = &exit_in;           /* would end us */
	calls[3].out = &fork_out;         /* would make a child */
	calls[5].in = &inner;             /* a batch inside a batch */
	fill_beeps(0);
	beep_in[0].deadline_ns = ethos_time() + FAR;
	calls[n] = (struct ethos_batch_call){ SysBeep, &beep_in[0], &beep_out[0],
					      SENTINEL };
	CHECK_STATUS("a batch of calls a batch may not hold",
		     ethos_batch(calls, (uint32_t)n + 1, 0, &done), StatusOk);
	for (int i = 0; i < n; i++)
		ok &= calls[i].status == StatusInvalidSyscall;
	CHECK("each is refused with InvalidSyscall, and we are still here",
	      ok && done == (uint32_t)n + 1);
	CHECK("the call after them ran", calls[n].status == StatusOk &&
	      events() == before + 1);
	ethos_cancel(beep_out[0].event);
}

static void bad_pointer_mid_batch(void)
{
	uint64_t before = events();
	uint32_t done = 0;

	fill_beeps(N);
	calls[5].out = (void *)in_text;                   /* read-only */
	calls[9].in = (const void *)0xffff888000000000UL; /* the kernel */
	/* Unmapped user memory: the kernel's inline moves fault there and
	 * take their fixups (kernel/include/kernel/uaccess.h). */
	calls[7].out = (void *)0x80000000UL;
	calls[12].in = (const void *)0x80000000UL;
	CHECK_STATUS("a batch with four bad pointers inside",
		     ethos_batch(calls, N, 0, &done), StatusOk);
	CHECK("those four fail with BadAddress",
	      calls[5].status == StatusBadAddress &&
	      calls[7].status == StatusBadAddress &&
	      calls[9].status == StatusBadAddress &&
	      calls[12].status == StatusBadAddress);
	CHECK("the other 12 made their events, the four none",
	      done == N && events() == before + N - 4 && pending() == N - 4);
	cancel_all(N);
	ethos_batch(calls, N, 0, 0);
	CHECK("all cancelled", pending() == 0 && events() == before);
}

static void stop_at_failure(void)
{
	uint32_t done = 0;

	fill_beeps(N);
	calls[4].nr = 9999;
	CHECK_STATUS("a batch that stops at its first failure",
		     ethos_batch(calls, N, ETHOS_BATCH_STOP, &done), StatusOk);
	CHECK("it ran 5 calls, the fifth failed",
	      done == 5 && calls[4].status == StatusInvalidSyscall);
	CHECK("the entries after it are untouched, their beeps not made",
	      calls[5].status == SENTINEL && calls[N - 1].status == SENTINEL &&
	      pending() == 4);
	cancel_all(4);
	ethos_batch(calls, 4, 0, 0);
}

static void refused_whole(void)
{
	struct sys_batch_in in = { .calls = calls, .count = 1 };
	struct sys_batch_out out;
	uint64_t before = events();

	fill_beeps(N);
	CHECK_STATUS("count over ETHOS_BATCH_MAX",
		     ethos_batch(calls, ETHOS_BATCH_MAX + 1, 0, 0),
		     StatusInvalidArgument);
	CHECK_STATUS("an absurd count", ethos_batch(calls, 0xffffffffu, 0, 0),
		     StatusInvalidArgument);
	CHECK_STATUS("unknown flags", ethos_batch(calls, 1, 0x80, 0),
		     StatusInvalidArgument);
	CHECK_STATUS("the array in read-only text",
		     ethos_batch((struct ethos_batch_call *)in_text, 1, 0, 0),
		     StatusBadAddress);
	CHECK_STATUS("the array in unmapped memory",
		     ethos_batch((struct ethos_batch_call *)0x80000000UL, 1, 0, 0),
		     StatusBadAddress);
	CHECK_STATUS("the array running past the top of user memory",
		     ethos_batch((struct ethos_batch_call *)(0x8000000000UL - 48),
				 2, 0, 0), StatusBadAddress);
	CHECK_STATUS("the output in read-only text",
		     ethos_syscall(SysBatch, &in, (void *)in_text),
		     StatusBadAddress);
	CHECK_STATUS("the input unmapped",
		     ethos_syscall(SysBatch, (void *)0x80000000UL, &out),
		     StatusBadAddress);
	CHECK("none of them ran a call", events() == before &&
	      calls[0].status == SENTINEL);
	CHECK_STATUS("an empty batch", ethos_batch(calls, 0, 0, 0), StatusOk);
}

static struct sys_retire_in retire_in[ETHOS_BATCH_MAX];
static struct sys_retire_out retire_out[ETHOS_BATCH_MAX];
static struct ethos_beep_result results[ETHOS_BATCH_MAX];

/* A retire run meets each of its outcomes, each entry on its own. */
static void retire_outcomes(void)
{
	enum { R = 8 };
	uint64_t before = events();
	uint64_t t0 = ethos_time();
	uint32_t done = 0;
	int ok = 1;

	/* Beeps 0..6 due now (done at once), 7 far away. */
	for (int i = 0; i < R; i++) {
		beep_in[i].deadline_ns = i == 7 ? t0 + FAR : 0;
		calls[i] = (struct ethos_batch_call){ SysBeep, &beep_in[i],
						      &beep_out[i], SENTINEL };
	}
	ethos_batch(calls, R, 0, 0);
	for (int i = 0; i < R; i++)
		ok &= calls[i].status == StatusOk;
	CHECK("8 beeps made in a batch", ok && pending() == 1);
	for (int i = 0; i < R; i++) {
		retire_in[i] = (struct sys_retire_in){ beep_out[i].event,
			&results[i], sizeof(results[i]) };
		retire_out[i] = (struct sys_retire_out){ 77, 77 };
		results[i].fired_ns = 0;
		calls[i] = (struct ethos_batch_call){ SysRetire, &retire_in[i],
						      &retire_out[i], SENTINEL };
	}
	retire_in[1].buf = (void *)in_text;          /* read-only buffer */
	retire_in[2].capacity = 4;                    /* too small */
	calls[3].out = (void *)0x80000000UL;          /* unmapped output */
	retire_in[4].event = beep_out[0].event;       /* retired just before */
	retire_in[5].event ^= 1ULL << 32;             /* a stale generation */
	CHECK_STATUS("a batch of 8 retires", ethos_batch(calls, R, 0, &done),
		     StatusOk);
	CHECK("retire Ok, its result and size copied",
	      calls[0].status == StatusOk && retire_out[0].size == 8 &&
	      retire_out[0].outcome == StatusOk && results[0].fired_ns >= t0);
	CHECK("a read-only buffer: BadAddress",
	      calls[1].status == StatusBadAddress);
	CHECK("a small buffer: ReturnSpace with the size",
	      calls[2].status == StatusReturnSpace && retire_out[2].size == 8);
	CHECK("an unmapped output: BadAddress",
	      calls[3].status == StatusBadAddress);
	CHECK("a retired id and a stale one: InvalidEvent",
	      calls[4].status == StatusInvalidEvent &&
	      calls[5].status == StatusInvalidEvent);
	CHECK("the one after them retired",
	      calls[6].status == StatusOk && results[6].fired_ns >= t0);
	CHECK("a pending beep: NotCompleted", calls[7].status == StatusNotCompleted);
	CHECK("done counts all 8", done == R);
	/* The failed ones changed nothing: 1 to 5 retire now (4's own
	 * beep was never named). */
	ok = 1;
	for (int i = 1; i <= 5; i++)
		ok &= ethos_retire(beep_out[i].event, &results[i],
				   sizeof(results[i]), 0) == StatusOk;
	CHECK("the failed retires left their events completed", ok);
	ethos_cancel(beep_out[7].event);
	CHECK("every event gone", events() == before && pending() == 0);
}

/* A beep due a moment after the batch's clock read: the batch compares
 * every beep with one time, so this one may go to the heap, never fire
 * early. */
static void batch_clock(void)
{
	struct ethos_beep_result r = { 0 };
	uint64_t t0 = ethos_time();
	int ok = 1;

	for (int i = 0; i < N; i++) {
		beep_in[i].deadline_ns = t0 + (uint64_t)i * 20000;   /* 20 us apart */
		calls[i] = (struct ethos_batch_call){ SysBeep, &beep_in[i],
						      &beep_out[i], SENTINEL };
	}
	ethos_batch(calls, N, 0, 0);
	for (int i = 0; i < N; i++) {
		ok &= calls[i].status == StatusOk &&
		      ethos_block_and_retire(beep_out[i].event, &r, sizeof(r), 0) ==
		      StatusOk && r.fired_ns >= beep_in[i].deadline_ns;
	}
	CHECK("beeps near the batch's clock fire at or after their deadlines", ok);
}

/* 10^5 beeps and retires in batches of 200 (due at once, so each batch of
 * beeps fills 200 events, a batch of retires frees them), some far
 * beeps cancelled between: the event cache's pages come and go, and the
 * free-page count ends where it began. */
static void hundred_thousand(void)
{
	enum { B = 200, ROUNDS = 500 };
	uint64_t before = events();
	uint64_t free0 = 0;
	int ok = 1;

	for (int round = -1; round < ROUNDS; round++) {
		if (round == 0)
			free0 = ethos_free_pages();  /* the table grown */
		for (int i = 0; i < B; i++) {
			/* Every 50th far away: it stays pending. */
			beep_in[i % N].deadline_ns = 0;
			calls[i] = (struct ethos_batch_call){ SysBeep,
				i % 50 == 49 ? &beep_in[N - 1] : &beep_in[0],
				&retire_in[i].event, SENTINEL };
		}
		beep_in[N - 1].deadline_ns = ethos_time() + FAR;
		ethos_batch(calls, B, 0, 0);
		for (int i = 0; i < B; i++) {
			ok &= calls[i].status == StatusOk;
			retire_in[i].buf = &results[i];
			retire_in[i].capacity = sizeof(results[i]);
			calls[i] = (struct ethos_batch_call){ i % 50 == 49 ?
				SysCancel : SysRetire, &retire_in[i],
				&retire_out[i], SENTINEL };
		}
		ethos_batch(calls, B, 0, 0);
		for (int i = 0; i < B; i++)
			ok &= calls[i].status == StatusOk;
	}
	CHECK("10^5 beeps and retires in batches, all Ok", ok);
	CHECK("every event gone", events() == before && pending() == 0);
	CHECK("free pages back after 10^5 beeps and retires",
	      ethos_free_pages() == free0);
}

int main(void)
{
	EventId warm;

	check_program = "batch";
	settle_first();
	/* The event table first: it outlives every window here. */
	ethos_beep(ethos_time() + FAR, &warm);
	ethos_cancel(warm);
	sixteen_beeps();
	refused_inside();
	bad_pointer_mid_batch();
	stop_at_failure();
	refused_whole();
	retire_outcomes();
	batch_clock();
	hundred_thousand();
	return check_failures;
}
