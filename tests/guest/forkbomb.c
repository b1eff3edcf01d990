/*
 * A fork bomb: every process forks up to FANOUT children, each of which
 * does the same, down to DEPTH levels, far more than the process table
 * holds.  Forks must end in NoSpace (or NoMemory), never anything else and
 * never a panic; every process waits for its children and reports up
 * through its exit status.  init then checks that every page and object
 * came back.
 */
#include "check.h"

#define FANOUT 4
#define DEPTH 4

enum verdict {
	Fine = 0,           /* no fork refused below this process */
	HitLimit = 2,       /* a fork was refused with NoSpace or NoMemory */
	Wrong = 1,          /* another status, or a child that failed */
};

static int bomb(int depth)
{
	int verdict = Fine, top = 1;

	for (int i = 0; depth < DEPTH && i < FANOUT; i++) {
		uint64_t pid = 0;
		enum status st = ethos_fork(&pid, 0);

		if (st == StatusOk && pid == 0) {
			/* The child: a bomb one level down. */
			depth++;
			i = -1;
			top = 0;
			verdict = Fine;
			continue;
		}
		if (st == StatusNoSpace || st == StatusNoMemory) {
			verdict = HitLimit;
			break;
		}
		if (st != StatusOk) {
			printf("FAIL: forkbomb/fork refused with %s\n",
			       ethos_status_name(st));
			verdict = Wrong;
			break;
		}
	}
	int64_t status;
	while (ethos_wait(ETHOS_WAIT_ANY, &status) == StatusOk) {
		if (status == Wrong || (status != Fine && status != HitLimit))
			verdict = Wrong;
		else if (status == HitLimit && verdict == Fine)
			verdict = HitLimit;
	}
	if (!top)
		ethos_exit(verdict);
	return verdict;
}

int main(void)
{
	uint64_t before[KStatCount], after[KStatCount];

	check_program = "forkbomb";
	ethos_kernel_stats(before, 0);
	int verdict = bomb(0);
	CHECK("every refused fork said NoSpace or NoMemory", verdict != Wrong);
	CHECK("the bomb hit the process table's limit", verdict == HitLimit);
	ethos_kernel_stats(after, 0);
	CHECK("every process of the bomb is gone",
	      after[KStatProcesses] == before[KStatProcesses]);
	uint64_t pid = 0;
	EventId ev;
	enum status st = ethos_fork(&pid, &ev);
	if (st == StatusOk && pid == 0)
		ethos_exit(0);
	CHECK_STATUS("fork works again afterwards", st, StatusOk);
	struct ethos_exit_result r = { .status = -1 };
	ethos_block_and_retire(ev, &r, sizeof(r), 0);
	CHECK("and its child ends normally", r.status == 0);
	return check_failures;
}
