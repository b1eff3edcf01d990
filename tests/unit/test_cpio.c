/*
 * cpio newc parser: well-formed archives, every truncation, corrupt
 * headers and random damage.  Each archive under test is copied into a
 * buffer of exactly its size, so AddressSanitizer catches any read past
 * the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/cpio.h>

struct archive {
	unsigned char buf[1 << 16];
	size_t len;
};

static void pad4(struct archive *a)
{
	while (a->len % 4 != 0)
		a->buf[a->len++] = 0;
}

static void add_entry(struct archive *a, const char *name, const void *data,
		      size_t size, unsigned int mode)
{
	size_t namesize = strlen(name) + 1;

	a->len += (size_t)sprintf((char *)a->buf + a->len,
		"070701%08x%08x%08x%08x%08x%08x%08zx%08x%08x%08x%08x%08zx%08x",
		1u, mode, 0u, 0u, 1u, 0u, size, 0u, 0u, 0u, 0u, namesize, 0u);
	memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	pad4(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad4(a);
}

static void sample(struct archive *a)
{
	a->len = 0;
	add_entry(a, ".", "", 0, 040755);
	add_entry(a, "bin", "", 0, 040755);
	add_entry(a, "bin/init", "\x7f" "ELF-init", 9, 0100755);
	add_entry(a, "hello.txt", "hello, world\n", 13, 0100644);
	add_entry(a, "empty", "", 0, 0100644);
	add_entry(a, "TRAILER!!!", "", 0, 0);
}

/* Walks the archive; returns the final result and counts entries. */
static enum cpio_result walk(const unsigned char *buf, size_t len, int *entries)
{
	unsigned char *exact = malloc(len ? len : 1);
	struct cpio_file f;
	size_t off = 0;
	enum cpio_result r;

	memcpy(exact, buf, len);
	*entries = 0;
	while ((r = cpio_next(exact, len, &off, &f)) == CpioOk) {
		(*entries)++;
		if (off > len)
			r = CpioCorrupt;   /* the parser overran: a failure */
	}
	free(exact);
	return r;
}

static void test_well_formed(void)
{
	static struct archive a;
	struct cpio_file f;
	int n;

	sample(&a);
	CHECK_EQ(walk(a.buf, a.len, &n), CpioEnd);
	CHECK_EQ(n, 5);
	CHECK_EQ(cpio_find(a.buf, a.len, "/bin/init", &f), CpioOk);
	CHECK_EQ(f.size, 9);
	CHECK(memcmp(f.data, "\x7f" "ELF-init", 9) == 0);
	CHECK_EQ(f.mode, 0100755);
	CHECK_EQ(cpio_find(a.buf, a.len, "hello.txt", &f), CpioOk);
	CHECK(memcmp(f.data, "hello, world\n", 13) == 0);
	CHECK_EQ(cpio_find(a.buf, a.len, "empty", &f), CpioOk);
	CHECK_EQ(f.size, 0);
	CHECK_EQ(cpio_find(a.buf, a.len, "bin/ini", &f), CpioEnd);
	CHECK_EQ(cpio_find(a.buf, a.len, "bin/init2", &f), CpioEnd);
	CHECK_EQ(cpio_find(a.buf, a.len, "nothere", &f), CpioEnd);
}

static void test_empty_and_tiny(void)
{
	static struct archive a;
	int n;

	a.len = 0;
	add_entry(&a, "TRAILER!!!", "", 0, 0);
	CHECK_EQ(walk(a.buf, a.len, &n), CpioEnd);
	CHECK_EQ(n, 0);
	CHECK_EQ(walk(a.buf, 0, &n), CpioTruncated);
	CHECK_EQ(walk((const unsigned char *)"0707", 4, &n), CpioTruncated);
}

/* Every prefix of a good archive is truncated (or ends where it may). */
static void test_every_truncation(void)
{
	static struct archive a;
	int n;

	sample(&a);
	for (size_t len = 0; len < a.len; len++) {
		enum cpio_result r = walk(a.buf, len, &n);
		/* Only a cut inside the trailer's padding may still see it. */
		if (r != CpioTruncated && !(r == CpioEnd && len + 4 > a.len)) {
			printf("FAIL: %s: prefix %zu gave %s\n", unit_current,
			       len, cpio_result_name(r));
			unit_failures++;
		}
	}
}

static void corrupt_at(const struct archive *good, size_t pos, char c,
		       enum cpio_result want)
{
	static struct archive a;
	int n;

	a = *good;
	a.buf[pos] = (unsigned char)c;
	CHECK_EQ(walk(a.buf, a.len, &n), want);
}

static void set_field(struct archive *a, size_t header, int field,
		      const char *hex8)
{
	memcpy(a->buf + header + 6 + field * 8, hex8, 8);
}

static void test_corrupt_headers(void)
{
	static struct archive good, a;
	int n;

	sample(&good);
	corrupt_at(&good, 0, 'X', CpioCorrupt);          /* magic */
	corrupt_at(&good, 5, '9', CpioCorrupt);          /* magic */
	corrupt_at(&good, 6 + 1 * 8 + 3, 'g', CpioCorrupt); /* mode not hex */
	corrupt_at(&good, 6 + 6 * 8, 'z', CpioCorrupt);  /* filesize */

	a = good;          /* namesize 0 */
	set_field(&a, 0, 11, "00000000");
	CHECK_EQ(walk(a.buf, a.len, &n), CpioCorrupt);
	a = good;          /* namesize huge */
	set_field(&a, 0, 11, "ffffffff");
	CHECK_EQ(walk(a.buf, a.len, &n), CpioCorrupt);
	a = good;          /* namesize past the end */
	set_field(&a, 0, 11, "00000fff");
	CHECK_EQ(walk(a.buf, a.len, &n), CpioTruncated);
	a = good;          /* filesize past the end */
	set_field(&a, 0, 6, "ffffffff");
	CHECK_EQ(walk(a.buf, a.len, &n), CpioTruncated);
	a = good;          /* name not NUL-terminated: ".\0" -> ".x" */
	a.buf[110 + 1] = 'x';
	CHECK_EQ(walk(a.buf, a.len, &n), CpioCorrupt);
	a = good;          /* NUL inside the name */
	set_field(&a, 0, 11, "00000003");
	CHECK(walk(a.buf, a.len, &n) != CpioEnd);
}

/* Random damage never crashes or overreads (ASan would abort). */
static void test_random_damage(void)
{
	static struct archive good, a;
	unsigned int seed = 12345;
	int n, ends = 0;

	sample(&good);
	for (int i = 0; i < 20000; i++) {
		a = good;
		int flips = 1 + rand_r(&seed) % 4;
		for (int j = 0; j < flips; j++)
			a.buf[rand_r(&seed) % a.len] = (unsigned char)rand_r(&seed);
		size_t len = a.len - (size_t)(rand_r(&seed) % 3 == 0 ?
					      rand_r(&seed) % a.len : 0);
		if (walk(a.buf, len, &n) == CpioEnd)
			ends++;
	}
	/* Some damage lands in data bytes and leaves the archive valid. */
	CHECK(ends > 0 && ends < 20000);
}

int main(void)
{
	RUN(test_well_formed);
	RUN(test_empty_and_tiny);
	RUN(test_every_truncation);
	RUN(test_corrupt_headers);
	RUN(test_random_damage);
	UNIT_EXIT();
}
