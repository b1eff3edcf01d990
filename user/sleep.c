/* sleep MS: waits MS milliseconds (on a beep). */
#include <stdlib.h>
#include <ethos/ethos.h>

int main(int argc, char **argv)
{
	uint64_t ms = argc > 1 ? strtoull(argv[1], 0, 10) : 1000;
	struct ethos_beep_result r;
	EventId e;

	if (ethos_beep(ethos_time() + ms * 1000000ULL, &e) != StatusOk)
		return 1;
	return ethos_block_and_retire(e, &r, sizeof(r), 0) == StatusOk ? 0 : 1;
}
