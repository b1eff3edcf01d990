/*
 * newlib's allocator on libethos's sbrk: a malloc/free/realloc/calloc
 * stress with every block's contents checked, then heap exhaustion: malloc
 * must return NULL with errno ENOMEM at the heap limit (ethos_heap_limit),
 * not get the process killed on a page the kernel cannot give, and the
 * program must go on (free, allocate again, print).  init checks that
 * every page comes back after it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

#define SLOTS 256
#define ROUNDS 20000

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Each live block is filled with a byte derived from its slot and size. */
static struct slot {
	unsigned char *p;
	size_t size;
} slots[SLOTS];

static unsigned char fill(unsigned int i, size_t size)
{
	return (unsigned char)(i * 31 + size);
}

static int intact(unsigned int i)
{
	for (size_t k = 0; k < slots[i].size; k++)
		if (slots[i].p[k] != fill(i, slots[i].size))
			return 0;
	return 1;
}

static void stress(void)
{
	int bad = 0, failed = 0;

	for (int r = 0; r < ROUNDS && !bad; r++) {
		unsigned int i = next() % SLOTS;
		struct slot *s = &slots[i];
		/* Mostly small blocks, now and then a large one. */
		size_t size = next() % 8 == 0 ? next() % 200000 : next() % 512;

		if (s->p && !intact(i))
			bad = 1;
		switch (next() % 4) {
		case 0:
			free(s->p);
			s->p = NULL;
			s->size = 0;
			break;
		case 1: {
			/* realloc keeps the common prefix. */
			unsigned char *p = realloc(s->p, size + 1);
			if (p == NULL) {
				failed++;
				break;
			}
			size_t keep = s->size < size + 1 ? s->size : size + 1;
			for (size_t k = 0; k < keep; k++)
				if (p[k] != fill(i, s->size))
					bad = 1;
			s->p = p;
			s->size = size + 1;
			memset(p, fill(i, s->size), s->size);
			break;
		}
		case 2: {
			free(s->p);
			unsigned char *p = calloc(size + 1, 1);
			if (p == NULL) {
				failed++;
				s->p = NULL;
				break;
			}
			for (size_t k = 0; k <= size; k++)
				if (p[k] != 0)
					bad = 1;
			s->p = p;
			s->size = size + 1;
			memset(p, fill(i, s->size), s->size);
			break;
		}
		default:
			free(s->p);
			s->p = malloc(size + 1);
			if (s->p == NULL) {
				failed++;
				break;
			}
			s->size = size + 1;
			memset(s->p, fill(i, s->size), s->size);
			break;
		}
	}
	for (unsigned int i = 0; i < SLOTS; i++) {
		if (slots[i].p && !intact(i))
			bad = 1;
		free(slots[i].p);
		slots[i].p = NULL;
	}
	CHECK("stress: every block kept its contents", !bad);
	CHECK("stress: no allocation failed", failed == 0);
	volatile size_t huge = SIZE_MAX / 2;  /* out of gcc's sight */
	CHECK("calloc overflow is refused", calloc(huge, 4) == NULL);
	void *p = malloc(0);
	free(p);
	free(NULL);
	CHECK("free(NULL) and malloc(0) are harmless", 1);
}

#define CHUNK (1024 * 1024)
#define CHUNKS_MAX 1024

static void exhaustion(void)
{
	static void *chunks[CHUNKS_MAX];
	int n = 0;

	errno = 0;
	while (n < CHUNKS_MAX && (chunks[n] = malloc(CHUNK)) != NULL) {
		/* Touch every page: the memory is real, not only promised. */
		for (size_t k = 0; k < CHUNK; k += 4096)
			((volatile char *)chunks[n])[k] = (char)n;
		n++;
	}
	int err = errno;
	printf("malloc: %d MiB allocated and touched, then NULL (errno %d)\n", n, err);
	CHECK("exhaustion: malloc returns NULL", n < CHUNKS_MAX);
	CHECK("exhaustion: errno is ENOMEM", err == ENOMEM);
	CHECK("exhaustion: near the heap limit",
	      (size_t)n * CHUNK > ethos_heap_limit / 2 &&
	      (size_t)n * CHUNK <= ethos_heap_limit);
	CHECK("exhaustion: sbrk refuses past the limit",
	      sbrk((intptr_t)ethos_heap_limit) == (void *)-1 && errno == ENOMEM);
	int ok = 1;
	for (int i = 0; i < n; i++) {
		if (((volatile char *)chunks[i])[4096] != (char)i)
			ok = 0;
		free(chunks[i]);
	}
	CHECK("exhaustion: every chunk intact", ok);
	void *again = malloc(CHUNK);
	CHECK("malloc works again after the frees", again != NULL);
	free(again);
	errno = 0;
	void *big = malloc(ethos_heap_limit + CHUNK);
	CHECK("a request larger than the heap limit fails",
	      big == NULL && errno == ENOMEM);
}

int main(void)
{
	check_program = "malloc";
	stress();
	exhaustion();
	return check_failures;
}
