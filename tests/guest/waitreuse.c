/*
 * block(or(a, b)) again and again with the same far beep a: each round b
 * wakes the owner, and a, still pending, is still a leaf of the decided
 * wait when the next block takes it as a leaf again.  The old wait must
 * be let go then; it used to leak 64 bytes a round (46 pages in 3000).
 */
#include "check.h"

#define US 1000ULL
#define ROUNDS 3000
#define LEAF(ev) { .kind = TreeLeaf, .event = (ev) }

/* n rounds on one long-lived a; returns the rounds that went wrong. */
static int rounds(int n)
{
	struct ethos_beep_result r;
	EventId a, b;
	int bad = 0;

	if (ethos_beep(ethos_time() + 3600ULL * 1000000 * US, &a) != StatusOk)
		return n;
	for (int i = 0; i < n; i++) {
		/* Due soon, but not yet when block looks at it: b is pending,
		 * so block attaches a and b and sleeps. */
		if (ethos_beep(ethos_time() + 500 * US, &b) != StatusOk) {
			bad++;
			continue;
		}
		struct ethos_tree_node t[3] = {
			{ .kind = TreeThreshold, .k = 1, .first_child = 1, .nchildren = 2 },
			LEAF(a), LEAF(b),
		};
		uint8_t done[3] = { 9, 9, 9 };
		uint32_t completed = 0;
		enum status st = ethos_block(t, 3, done, &completed);
		if (st != StatusOk || completed != 1 || done[1] != 0 || done[2] != 1)
			bad++;
		if (ethos_retire(b, &r, sizeof(r), 0) != StatusOk)
			bad++;
	}
	if (ethos_cancel(a) != StatusOk)
		bad++;
	return bad;
}

int main(void)
{
	check_program = "waitreuse";
	/* Warm-up: the event table, heap and stack pages are there after it. */
	CHECK("warm-up rounds", rounds(10) == 0);
	uint64_t before = ethos_free_pages();
	CHECK("3000 rounds of block(or(a, b)) with a reused", rounds(ROUNDS) == 0);
	uint64_t after = ethos_free_pages();
	printf("waitreuse: free pages %lu before, %lu after\n",
	       (unsigned long)before, (unsigned long)after);
	CHECK("every page back after 3000 rounds", after == before);
	uint64_t count;
	ethos_pending_events(0, 0, &count);
	CHECK("no events left behind", count == 0);
	return check_failures;
}
