/* Two CPU-bound processes both make progress: each is preempted. */
#include "check.h"

int main(void)
{
	EventId e[2];
	uint64_t pid[2];
	struct ethos_exit_result r[2];

	check_program = "preempt";
	for (int i = 0; i < 2; i++)
		CHECK_STATUS("spawn spinner", ethos_spawn("/tests/spinner", 0,
							  &pid[i], &e[i]), StatusOk);
	struct ethos_tree_node both[3] = {
		{ .kind = TreeThreshold, .k = 2, .first_child = 1, .nchildren = 2 },
		{ .kind = TreeLeaf, .event = e[0] },
		{ .kind = TreeLeaf, .event = e[1] },
	};
	CHECK_STATUS("block until both end", ethos_block(both, 3, 0, 0), StatusOk);
	for (int i = 0; i < 2; i++) {
		uint64_t size;
		CHECK_STATUS("retire exit", ethos_retire(e[i], &r[i], sizeof(r[i]), &size),
			     StatusOk);
		printf("preempt: spinner %lu was preempted %ld times\n",
		       (unsigned long)r[i].pid, (long)r[i].status);
		CHECK("spinner was preempted while the other ran", r[i].status >= 1);
	}
	return check_failures;
}
