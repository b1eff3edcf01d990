/*
 * The argument block of spawn and exec (kernel/exec/args.c): gathering
 * argv and envp from a fake user memory with holes, the limits at their
 * exact edges, and the System V stack image read back the way a program's
 * crt0 reads it.  Every image is laid out into a buffer of exactly its
 * size, so ASan catches a write past either end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/args.h>

/* ---- a fake user memory: pages at USER_BASE, each mapped or not ---------- */

#define USER_BASE 0x10000000UL
#define USER_PAGES 64
#define PAGE 4096UL

static unsigned char *umem;
static int mapped[USER_PAGES];
static uint64_t read_calls, read_bytes, read_end;   /* read_end: highest byte + 1 */

static void umem_reset(void)
{
	if (umem == NULL)
		umem = malloc(USER_PAGES * PAGE);
	memset(umem, 0x5a, USER_PAGES * PAGE);
	for (int i = 0; i < USER_PAGES; i++)
		mapped[i] = 1;
	read_calls = read_bytes = read_end = 0;
}

static enum status fake_read(void *dst, uintptr_t usrc, uint64_t len)
{
	read_calls++;
	uintptr_t end = USER_BASE + USER_PAGES * PAGE;

	if (usrc < USER_BASE || usrc >= end || len > end - usrc)
		return StatusBadAddress;
	for (uintptr_t a = usrc & ~(PAGE - 1); a < usrc + len; a += PAGE)
		if (!mapped[(a - USER_BASE) / PAGE])
			return StatusBadAddress;
	memcpy(dst, umem + (usrc - USER_BASE), len);
	read_bytes += len;
	if (usrc + len > read_end)
		read_end = usrc + len;
	return StatusOk;
}

static void *uptr(uintptr_t ua)
{
	return umem + (ua - USER_BASE);
}

/* Puts a string at user address ua; returns ua. */
static uintptr_t put_string(uintptr_t ua, const char *s, size_t len)
{
	memcpy(uptr(ua), s, len);
	((char *)uptr(ua))[len] = '\0';
	return ua;
}

static void put_pointer(uintptr_t ua, uint64_t v)
{
	memcpy(uptr(ua), &v, 8);
}

/* ---- reading an image back, as crt0 does -------------------------------- */

struct parsed {
	uint64_t argc, envc;
	const char *argv[ETHOS_ARGC_MAX + 1];
	const char *envp[ETHOS_ARGC_MAX + 1];
	uint64_t pagesz;
	int ok;
};

static struct parsed parsed;

static const char *user_string(const unsigned char *img, uintptr_t sp,
			       uint64_t size, uint64_t ua)
{
	if (ua < sp || ua >= sp + size)
		return NULL;
	const char *s = (const char *)img + (ua - sp);
	/* The string must end inside the image. */
	if (memchr(s, '\0', size - (ua - sp)) == NULL)
		return NULL;
	return s;
}

static uint64_t word(const unsigned char *img, uint64_t off)
{
	uint64_t v;

	memcpy(&v, img + off, 8);
	return v;
}

/* Fills parsed from an image that the program sees at [sp, sp + size). */
static void parse(const unsigned char *img, uintptr_t sp, uint64_t size)
{
	uint64_t off = 0;

	memset(&parsed, 0, sizeof(parsed));
	CHECK(sp % 16 == 0);
	parsed.argc = word(img, off);
	off += 8;
	CHECK(parsed.argc <= ETHOS_ARGC_MAX);
	if (parsed.argc > ETHOS_ARGC_MAX)
		return;
	for (uint64_t i = 0; i < parsed.argc; i++, off += 8)
		parsed.argv[i] = user_string(img, sp, size, word(img, off));
	CHECK(word(img, off) == 0);
	off += 8;
	while (word(img, off) != 0 && parsed.envc <= ETHOS_ARGC_MAX) {
		parsed.envp[parsed.envc++] = user_string(img, sp, size, word(img, off));
		off += 8;
	}
	off += 8;
	/* auxv: pairs up to AT_NULL */
	for (;;) {
		uint64_t type = word(img, off), value = word(img, off + 8);
		off += 16;
		if (type == AT_PAGESZ)
			parsed.pagesz = value;
		if (type == AT_NULL)
			break;
	}
	CHECK(off <= size);
	parsed.ok = 1;
}

/* The last image: parsed's strings point into it. */
static unsigned char *img;

/* Lays b out under top into an exact-size buffer and parses it back. */
static uint64_t layout_and_parse(const struct arg_block *b, uintptr_t top)
{
	uint64_t size = args_image_size(b);

	free(img);
	img = malloc(size);

	CHECK(size % 16 == 0);
	CHECK(size <= ARGS_IMAGE_MAX);
	uintptr_t sp = args_layout(b, top, img);
	CHECK_EQ(sp, top - size);
	parse(img, sp, size);
	CHECK(parsed.ok);
	CHECK_EQ(parsed.argc, b->argc);
	CHECK_EQ(parsed.envc, b->envc);
	CHECK_EQ(parsed.pagesz, 4096);
	/* The strings end right at the top: the last byte is a NUL (or the
	 * image has no strings). */
	if (b->size > 0)
		CHECK(img[size - 1] == '\0');
	return size;
}

static char strings[ETHOS_ARG_MAX];

/* ---- the tests ---------------------------------------------------------- */

static void test_empty(void)
{
	struct arg_block b;

	umem_reset();
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, 0, false, fake_read), StatusOk);
	CHECK_EQ(args_gather(&b, 0, true, fake_read), StatusOk);
	CHECK_EQ(read_calls, 0);
	CHECK_EQ(b.argc + b.envc, 0);
	/* argc, two NULLs, two auxv pairs: 56 bytes, 64 aligned. */
	CHECK_EQ(layout_and_parse(&b, 0x8000000000UL), 64);
	/* An array holding only its NULL: empty too. */
	put_pointer(USER_BASE, 0);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusOk);
	CHECK_EQ(args_gather(&b, USER_BASE, true, fake_read), StatusOk);
	CHECK_EQ(b.argc + b.envc, 0);
}

static void test_simple(void)
{
	static const char *const av[] = { "/bin/prog", "", "second arg", "" };
	static const char *const ev[] = { "HOME=/", "", "X=1" };
	struct arg_block b;
	uintptr_t s = USER_BASE + 8 * PAGE;

	umem_reset();
	args_init(&b, strings);
	for (int i = 0; i < 4; i++) {
		put_pointer(USER_BASE + 8 * i, put_string(s, av[i], strlen(av[i])));
		s += strlen(av[i]) + 1;
	}
	put_pointer(USER_BASE + 32, 0);
	for (int i = 0; i < 3; i++) {
		put_pointer(USER_BASE + PAGE + 8 * i, put_string(s, ev[i], strlen(ev[i])));
		s += strlen(ev[i]) + 1;
	}
	put_pointer(USER_BASE + PAGE + 24, 0);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusOk);
	CHECK_EQ(args_gather(&b, USER_BASE + PAGE, true, fake_read), StatusOk);
	CHECK_EQ(b.argc, 4);
	CHECK_EQ(b.envc, 3);
	layout_and_parse(&b, 0x8000000000UL);
	for (int i = 0; i < 4; i++)
		CHECK(parsed.argv[i] && strcmp(parsed.argv[i], av[i]) == 0);
	for (int i = 0; i < 3; i++)
		CHECK(parsed.envp[i] && strcmp(parsed.envp[i], ev[i]) == 0);
	/* Kernel strings the same way (init's argv). */
	args_init(&b, strings);
	CHECK_EQ(args_add(&b, "/bin/init", false), StatusOk);
	CHECK_EQ(args_add(&b, "suite", false), StatusOk);
	CHECK_EQ(args_add(&b, "A=b", true), StatusOk);
	layout_and_parse(&b, 0x1000);
	CHECK(parsed.argv[1] && strcmp(parsed.argv[1], "suite") == 0);
	CHECK(parsed.envp[0] && strcmp(parsed.envp[0], "A=b") == 0);
}

/* n strings of length len each, in argv (na of them) and envp. */
static enum status gather_many(struct arg_block *b, unsigned na, unsigned ne,
			       size_t len)
{
	/* Array pages 0..15 (argv 0..11, envp 12..15), one shared string at
	 * page 16 onwards (up to 40 pages). */
	uintptr_t str = USER_BASE + 16 * PAGE;
	char *tmp = malloc(len + 1);

	memset(tmp, 'q', len);
	put_string(str, tmp, len);
	free(tmp);
	for (unsigned i = 0; i < na; i++)
		put_pointer(USER_BASE + 8 * i, str);
	put_pointer(USER_BASE + 8 * na, 0);
	for (unsigned i = 0; i < ne; i++)
		put_pointer(USER_BASE + 12 * PAGE + 8 * i, str);
	put_pointer(USER_BASE + 12 * PAGE + 8 * ne, 0);
	args_init(b, strings);
	enum status st = args_gather(b, USER_BASE, false, fake_read);
	if (st == StatusOk)
		st = args_gather(b, USER_BASE + 12 * PAGE, true, fake_read);
	return st;
}

static void test_count_limit(void)
{
	struct arg_block b;

	umem_reset();
	CHECK_EQ(gather_many(&b, ETHOS_ARGC_MAX, 0, 0), StatusOk);
	CHECK_EQ(b.argc, ETHOS_ARGC_MAX);
	layout_and_parse(&b, 0x8000000000UL);
	CHECK(parsed.argv[ETHOS_ARGC_MAX - 1] && parsed.argv[ETHOS_ARGC_MAX - 1][0] == '\0');
	CHECK_EQ(gather_many(&b, ETHOS_ARGC_MAX + 1, 0, 0), StatusTooBig);
	CHECK_EQ(gather_many(&b, ETHOS_ARGC_MAX / 2, ETHOS_ARGC_MAX / 2, 0), StatusOk);
	layout_and_parse(&b, 0x8000000000UL);
	CHECK_EQ(gather_many(&b, ETHOS_ARGC_MAX / 2, ETHOS_ARGC_MAX / 2 + 1, 0),
		 StatusTooBig);
	CHECK_EQ(gather_many(&b, 0, ETHOS_ARGC_MAX, 0), StatusOk);
	CHECK_EQ(b.envc, ETHOS_ARGC_MAX);
	layout_and_parse(&b, 0x8000000000UL);
	/* Refused at the first string too many: the array past it unread. */
	umem_reset();
	CHECK_EQ(gather_many(&b, ETHOS_ARGC_MAX + 1000, 0, 0), StatusTooBig);
	CHECK(read_calls <= 2 * ETHOS_ARGC_MAX + 1);
}

static void test_byte_limit(void)
{
	struct arg_block b;
	/* One string: 8 for its pointer + len + 1 == ETHOS_ARG_MAX. */
	size_t max1 = ETHOS_ARG_MAX - 9;

	umem_reset();
	CHECK_EQ(gather_many(&b, 1, 0, max1), StatusOk);
	CHECK_EQ(args_counted(&b), ETHOS_ARG_MAX);
	CHECK_EQ(layout_and_parse(&b, 0x8000000000UL),
		 (8 * 8 + ETHOS_ARG_MAX - 8 + 15) & ~15UL);
	CHECK(parsed.argv[0] && strlen(parsed.argv[0]) == max1);
	umem_reset();
	CHECK_EQ(gather_many(&b, 1, 0, max1 + 1), StatusTooBig);
	/* Never read past what the limit allows. */
	CHECK(read_end <= USER_BASE + 16 * PAGE + max1 + 1);
	/* Sixteen strings filling it exactly: 16 * (8 + len + 1). */
	size_t len16 = ETHOS_ARG_MAX / 16 - 9;
	CHECK_EQ(gather_many(&b, 8, 8, len16), StatusOk);
	CHECK_EQ(args_counted(&b), ETHOS_ARG_MAX);
	layout_and_parse(&b, 0x8000000000UL);
	CHECK_EQ(gather_many(&b, 8, 8, len16 + 1), StatusTooBig);
	CHECK_EQ(gather_many(&b, 8, 9, len16), StatusTooBig);
	/* Count and bytes both at the edge: the largest image there is. */
	size_t lenc = ETHOS_ARG_MAX / ETHOS_ARGC_MAX - 9;   /* 7 */
	CHECK_EQ(gather_many(&b, ETHOS_ARGC_MAX, 0, lenc), StatusOk);
	CHECK_EQ(args_counted(&b), ETHOS_ARG_MAX);
	CHECK(layout_and_parse(&b, 0x8000000000UL) <= ARGS_IMAGE_MAX);
	/* Kernel strings obey the same limits. */
	args_init(&b, strings);
	char *big = malloc(max1 + 2);
	memset(big, 'k', max1 + 1);
	big[max1 + 1] = '\0';
	CHECK_EQ(args_add(&b, big, false), StatusTooBig);
	big[max1] = '\0';
	CHECK_EQ(args_add(&b, big, false), StatusOk);
	CHECK_EQ(args_add(&b, "", true), StatusTooBig);
	free(big);
}

static void test_bad_memory(void)
{
	struct arg_block b;
	uintptr_t page5 = USER_BASE + 5 * PAGE;

	/* A string that ends in the last byte before an unmapped page. */
	umem_reset();
	mapped[6] = 0;
	put_string(page5 + PAGE - 4, "abc", 3);
	put_pointer(USER_BASE, page5 + PAGE - 4);
	put_pointer(USER_BASE + 8, 0);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusOk);
	CHECK_EQ(b.argc, 1);
	/* The same string without its NUL runs into the hole. */
	memcpy(uptr(page5 + PAGE - 4), "abcd", 4);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusBadAddress);
	/* A string pointer into the hole, or outside the memory. */
	put_pointer(USER_BASE, USER_BASE + 6 * PAGE + 100);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE, true, fake_read), StatusBadAddress);
	put_pointer(USER_BASE, 0xffffffff80000000UL);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusBadAddress);
	/* The array itself in the hole, or running into it before its NULL. */
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE + 6 * PAGE, false, fake_read),
		 StatusBadAddress);
	put_string(page5, "x", 1);
	for (unsigned i = 0; i < 512; i++)
		put_pointer(page5 + 8 * i, page5);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, page5 + 8, false, fake_read), StatusBadAddress);
	/* An array at the very end of memory: wraps around, refused. */
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, ~0UL - 3, false, fake_read), StatusBadAddress);
	/* A string with no NUL before the limit, in mapped memory: TooBig,
	 * having read no more than the limit. */
	umem_reset();
	memset(uptr(USER_BASE + PAGE), 'z', 40 * PAGE);
	put_pointer(USER_BASE, USER_BASE + PAGE);
	put_pointer(USER_BASE + 8, 0);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusTooBig);
	CHECK(read_end <= USER_BASE + PAGE + ETHOS_ARG_MAX - 8);
	/* A short string costs a short read, not a page. */
	umem_reset();
	put_string(USER_BASE + PAGE, "hi", 2);
	put_pointer(USER_BASE, USER_BASE + PAGE);
	put_pointer(USER_BASE + 8, 0);
	args_init(&b, strings);
	CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusOk);
	CHECK(read_bytes <= 16 + 64);
}

/* Random blocks against a model: strings of random lengths (many empty),
 * gathered, laid out at random tops, read back equal. */
static void test_random(void)
{
	static char model[ETHOS_ARGC_MAX][64];
	struct arg_block b;

	unit_rng = 12345;
	for (int round = 0; round < 300; round++) {
		umem_reset();
		unsigned na = unit_rand_below(60), ne = unit_rand_below(60);
		if (round % 50 == 0)
			na = unit_rand_below(ETHOS_ARGC_MAX / 2);
		uintptr_t s = USER_BASE + 16 * PAGE;
		for (unsigned i = 0; i < na + ne; i++) {
			size_t len = unit_rand_below(4) == 0 ? 0 :
				     unit_rand_below(round % 50 == 0 ? 16 : 63);
			for (size_t k = 0; k < len; k++)
				model[i][k] = (char)(1 + unit_rand_below(255));
			model[i][len] = '\0';
			put_string(s, model[i], len);
			uintptr_t arr = i < na ? USER_BASE + 8 * i :
						 USER_BASE + 8 * PAGE + 8 * (i - na);
			put_pointer(arr, s);
			s += len + 1;
		}
		put_pointer(USER_BASE + 8 * na, 0);
		put_pointer(USER_BASE + 8 * PAGE + 8 * ne, 0);
		args_init(&b, strings);
		CHECK_EQ(args_gather(&b, USER_BASE, false, fake_read), StatusOk);
		CHECK_EQ(args_gather(&b, ne || unit_rand_below(2) ? USER_BASE + 8 * PAGE : 0,
				     true, fake_read), StatusOk);
		uintptr_t top = 0x7f00000000UL + 16 * (uintptr_t)unit_rand_below(1u << 20);
		layout_and_parse(&b, top);
		for (unsigned i = 0; i < na; i++)
			CHECK(parsed.argv[i] && strcmp(parsed.argv[i], model[i]) == 0);
		for (unsigned i = 0; i < ne; i++)
			CHECK(parsed.envp[i] && strcmp(parsed.envp[i], model[na + i]) == 0);
		if (unit_failures)
			break;
	}
}

int main(void)
{
	RUN(test_empty);
	RUN(test_simple);
	RUN(test_count_limit);
	RUN(test_byte_limit);
	RUN(test_bad_memory);
	RUN(test_random);
	free(umem);
	free(img);
	UNIT_EXIT();
}
