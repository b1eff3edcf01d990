/*
 * Syscall fuzzing: random numbers, hostile pointers and random struct
 * contents.  Every call must come back with a status (the kernel neither
 * crashes nor kills us), and afterwards the events the fuzzing created
 * are cleaned up.  exit is left out (it would end the test), and so is
 * block with a valid tree of far events (it would sleep for good).
 * make fuzz-guest runs the long fuzzer, fuzzlong.c.
 */
#include "check.h"
#include "fuzz.h"

int main(void)
{
	int calls = 0, statuses_ok = 1;

	check_program = "fuzz";
	for (int i = 0; i < 20000; i++) {
		uint64_t nr = rnd() % (SysCount + 3);
		/* A fork that succeeds (a writable out pointer) would fuzz on
		 * in two copies: tests/guest/fork.c covers fork's bad input. */
		if (nr == SysExit || nr == SysBlock || nr == SysFork)
			continue;
		enum status st = ethos_syscall(nr, hostile_pointer(0), hostile_pointer(1));
		statuses_ok &= (unsigned)st < StatusCount;
		calls++;
	}
	CHECK("every fuzzed call returned a known status", statuses_ok);
	CHECK("still alive after the fuzzing", calls > 15000);

	/* Block with random trees: always refused, never asleep. */
	int refused = 1;
	for (int i = 0; i < 2000; i++) {
		struct sys_block_in in = { .nodes = hostile_pointer(0),
					   .count = (uint32_t)(rnd() % 16),
					   .leaf_done = hostile_pointer(1) };
		struct sys_block_out out;
		enum status st = ethos_syscall(SysBlock, &in, &out);
		refused &= (unsigned)st < StatusCount;
	}
	CHECK("random trees get a status", refused);

	/* Clean up whatever the fuzzing created. */
	static EventId ids[4096];
	uint64_t n = 0;
	for (int pass = 0; pass < 8; pass++) {
		ethos_pending_events(ids, 4096, &n);
		for (uint64_t i = 0; i < n && i < 4096; i++)
			ethos_cancel(ids[i]);
		ethos_completed_events(ids, 4096, &n);
		for (uint64_t i = 0; i < n && i < 4096; i++)
			ethos_cancel(ids[i]);
	}
	ethos_pending_events(0, 0, &n);
	uint64_t m;
	ethos_completed_events(0, 0, &m);
	CHECK("every fuzzed event cancelled", n == 0 && m == 0);
	return check_failures;
}
