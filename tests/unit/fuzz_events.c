/*
 * libFuzzer target for events, waits and trees: the input's bytes are the
 * choices of event_world.c (which operation, which event, tree shapes,
 * sizes), so every input is a sequence of new / block / complete / fail /
 * retire / cancel / resume / kill steps checked against the model after
 * each.  A failed check or a kernel ASSERT aborts.
 *   make fuzz-events FUZZ_RUNS=1000000
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "event_world.h"

struct input {
	const uint8_t *data;
	size_t size, at;
};

static uint32_t byte_pick(void *ctx, uint32_t n)
{
	struct input *in = ctx;
	uint32_t v = 0;

	/* One byte for small ranges, two for larger ones; 0 once used up. */
	for (int i = 0; i < (n > 256 ? 2 : 1); i++)
		v = v << 8 | (in->at < in->size ? in->data[in->at++] : 0);
	return v % n;
}

static void die(struct world *w, const char *what, int line)
{
	(void)w;
	fprintf(stderr, "event_world.c:%d: %s\n", line, what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	struct world *w = world_new(byte_pick, &in, die);

	while (in.at < in.size && world_step(w))
		;
	world_end(w);
	world_free(w);
	return 0;
}
