/*
 * FPU/SSE state survives preemption: two processes do long floating-point
 * computations at once and must each get exactly the result computed
 * here alone.  Exit status of a child: its result's bit pattern.
 */
#include "check.h"

#define CHUNKS 200
#define CHUNK 10000

static double work(double seed)
{
	double acc = seed, step = 1.0 / (3.0 + seed);

	for (int c = 0; c < CHUNKS; c++)
		for (int i = 0; i < CHUNK; i++)
			acc = acc * 0.999999 + step * (double)(i & 7);
	return acc;
}

static int64_t bits(double d)
{
	int64_t b;

	memcpy(&b, &d, sizeof(b));
	return b;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return (int)(bits(work((double)(argv[1][0] - '0'))) & 0x7fffffff);
	check_program = "fpu";
	EventId e[2];
	struct ethos_exit_result r[2];
	CHECK_STATUS("spawn worker 1", ethos_spawn("/tests/fpu", "1", 0, &e[0]), StatusOk);
	CHECK_STATUS("spawn worker 2", ethos_spawn("/tests/fpu", "2", 0, &e[1]), StatusOk);
	int64_t want1 = bits(work(1.0)) & 0x7fffffff, want2 = bits(work(2.0)) & 0x7fffffff;
	for (int i = 0; i < 2; i++)
		ethos_block_and_retire(e[i], &r[i], sizeof(r[i]), 0);
	CHECK("worker 1 computed exactly what it computes alone", r[0].status == want1);
	CHECK("worker 2 computed exactly what it computes alone", r[1].status == want2);
	return check_failures;
}
