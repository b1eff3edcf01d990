/* The regions: heap and stack pages on first touch, data and bss loaded. */
#include "check.h"

static int initialised = 42;
static char zeroed[8192];

static int recurse(int depth)
{
	volatile char pad[1024];

	pad[0] = (char)depth;
	return depth == 0 ? pad[0] : recurse(depth - 1) + pad[0] - pad[0] + 1;
}

int main(void)
{
	check_program = "memory";
	CHECK("data is loaded", initialised == 42);
	int all_zero = 1;
	for (unsigned i = 0; i < sizeof(zeroed); i++)
		all_zero &= zeroed[i] == 0;
	CHECK("bss is zero", all_zero);
	uint64_t before = ethos_free_pages();
	char *big = malloc(1 << 20);
	CHECK("malloc of 1 MiB", big != NULL);
	for (int i = 0; i < (1 << 20); i += 4096)
		big[i] = (char)i;
	int same = 1;
	for (int i = 0; i < (1 << 20); i += 4096)
		same &= big[i] == (char)i;
	CHECK("heap pages keep what is written", same);
	CHECK("heap pages come on first touch",
	      before - ethos_free_pages() >= 256);
	CHECK("stack grows on demand (200 KiB deep)", recurse(200) == 200);
	CHECK_STATUS("print from the heap", ethos_print(big, 0), StatusOk);
	void *r = 0;
	uint64_t size = 0;
	EventId ev;
	ethos_beep(0, &ev);
	CHECK_STATUS("retire_alloc sizes its buffer",
		     ethos_retire_alloc(ev, &r, &size), StatusOk);
	CHECK("retire_alloc result size", size == sizeof(struct ethos_beep_result));
	free(r);
	return check_failures;
}
