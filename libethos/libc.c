/*
 * The little C library libethos offers before newlib: printf on the
 * console, and malloc over the heap region, which the kernel fills with
 * zero pages on first touch (no syscall needed to grow it).
 */
#include <ethos/ethos.h>

#define HEAP_BASE 0x0000000100000000UL
#define HEAP_END  0x0000004000000000UL

int printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ethos_print(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

/*
 * malloc: power-of-two size classes with free lists; blocks carry their
 * class in an 16-byte header.  Simple and O(1); never returns memory.
 */
struct block {
	uint64_t size_class;
	struct block *next;
};

#define CLASSES 40
static struct block *free_lists[CLASSES];
static uintptr_t heap_next = HEAP_BASE;

void *malloc(size_t size)
{
	unsigned int c = 4;

	while (c < CLASSES && ((size_t)1 << c) < size + sizeof(struct block))
		c++;
	if (c >= CLASSES)
		return NULL;
	struct block *b = free_lists[c];
	if (b != NULL) {
		free_lists[c] = b->next;
	} else {
		size_t bytes = (size_t)1 << c;
		if (bytes > HEAP_END - heap_next)
			return NULL;
		b = (struct block *)heap_next;
		heap_next += bytes;
	}
	b->size_class = c;
	return b + 1;
}

void free(void *ptr)
{
	if (ptr == NULL)
		return;
	struct block *b = (struct block *)ptr - 1;
	b->next = free_lists[b->size_class];
	free_lists[b->size_class] = b;
}
