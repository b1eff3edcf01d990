/*
 * ELF validation: a good image field by field, one bad variant per rule,
 * every truncation, random damage (ASan catches any read past the end:
 * each image is copied into a buffer of exactly its size), and the real
 * user programs of the build.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/elf64.h>

static const struct elf_limits limits = {
	.text_base = 0x400000, .text_end = 0x40000000,
	.data_base = 0x40000000, .data_end = 0x80000000,
};

struct image {
	unsigned char bytes[3 * 4096];
	size_t size;
};

static Elf64_Ehdr *ehdr(struct image *im)
{
	return (Elf64_Ehdr *)im->bytes;
}

static Elf64_Phdr *phdr(struct image *im, int i)
{
	return (Elf64_Phdr *)(im->bytes + sizeof(Elf64_Ehdr)) + i;
}

/* text at 0x400000 (R+X, from offset 4096), data+bss at 0x40000000 (R+W). */
static void good(struct image *im)
{
	memset(im, 0, sizeof(*im));
	im->size = sizeof(im->bytes);
	Elf64_Ehdr *e = ehdr(im);
	memcpy(e->e_ident, "\x7f" "ELF\x02\x01\x01", 7);
	e->e_type = 2;
	e->e_machine = 62;
	e->e_version = 1;
	e->e_entry = 0x400010;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = 3;
	*phdr(im, 0) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = 4096, .p_vaddr = 0x400000, .p_filesz = 4096, .p_memsz = 4096 };
	*phdr(im, 1) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = 8192, .p_vaddr = 0x40000000, .p_filesz = 100, .p_memsz = 9000 };
	*phdr(im, 2) = (Elf64_Phdr){ .p_type = 0x6474e551 /* GNU_STACK */ };
	memset(im->bytes + 4096, 0xc3, 4096);
}

static enum status parse(const struct image *im, size_t size, struct elf_image *out)
{
	unsigned char *exact = malloc(size ? size : 1);
	memcpy(exact, im->bytes, size);
	enum status st = elf_parse(exact, size, &limits, out);
	free(exact);
	return st;
}

static void test_good_image(void)
{
	struct image im;
	struct elf_image out;

	good(&im);
	CHECK_EQ(parse(&im, im.size, &out), StatusOk);
	CHECK_EQ(out.entry, 0x400010);
	CHECK_EQ(out.nsegments, 2);
	CHECK_EQ(out.seg[0].vaddr, 0x400000);
	CHECK_EQ(out.seg[0].filesz, 4096);
	CHECK_EQ(out.seg[1].vaddr, 0x40000000);
	CHECK_EQ(out.seg[1].memsz, 9000);
	CHECK_EQ(out.seg[1].offset, 8192);
	/* Program headers in any order come out sorted. */
	Elf64_Phdr t = *phdr(&im, 0);
	*phdr(&im, 0) = *phdr(&im, 1);
	*phdr(&im, 1) = t;
	CHECK_EQ(parse(&im, im.size, &out), StatusOk);
	CHECK_EQ(out.seg[0].vaddr, 0x400000);
}

#define BAD(name, ...) do {                                             \
	struct image im;                                                \
	struct elf_image out;                                           \
	good(&im);                                                      \
	__VA_ARGS__;                                                    \
	if (parse(&im, im.size, &out) != StatusInvalidElfFile) {        \
		printf("FAIL: %s: accepted: %s\n", unit_current, name); \
		unit_failures++;                                        \
	}                                                               \
} while (0)

static void test_each_rule(void)
{
	BAD("bad magic", im.bytes[1] = 'X');
	BAD("32-bit class", im.bytes[4] = 1);
	BAD("big endian", im.bytes[5] = 2);
	BAD("ident version", im.bytes[6] = 0);
	BAD("version", ehdr(&im)->e_version = 2);
	BAD("shared object", ehdr(&im)->e_type = 3);
	BAD("other machine", ehdr(&im)->e_machine = 3);
	BAD("phentsize", ehdr(&im)->e_phentsize = 40);
	BAD("no program headers", ehdr(&im)->e_phnum = 0);
	BAD("phoff past the end", ehdr(&im)->e_phoff = im.size);
	BAD("phoff huge", ehdr(&im)->e_phoff = ~0ULL - 8);
	BAD("phnum past the end", ehdr(&im)->e_phnum = 500);
	BAD("no PT_LOAD", { phdr(&im, 0)->p_type = 4; phdr(&im, 1)->p_type = 4; });
	BAD("filesz > memsz", phdr(&im, 1)->p_filesz = 10000);
	BAD("memsz 0", phdr(&im, 0)->p_memsz = 0);
	BAD("offset past the end", phdr(&im, 0)->p_offset = im.size + 1);
	BAD("offset + filesz past the end", phdr(&im, 1)->p_filesz = 4097);
	BAD("offset + filesz overflows", { phdr(&im, 1)->p_offset = ~0ULL - 10;
					   phdr(&im, 1)->p_filesz = 20; });
	BAD("vaddr + memsz overflows", { phdr(&im, 1)->p_vaddr = ~0ULL - 10;
					 phdr(&im, 1)->p_memsz = 9000; });
	BAD("text below its region", phdr(&im, 0)->p_vaddr = 0x1000);
	BAD("text at page 0", phdr(&im, 0)->p_vaddr = 0);
	BAD("text into the data region", phdr(&im, 0)->p_vaddr = 0x40002000);
	BAD("text running past its region", phdr(&im, 0)->p_memsz = 0x40000000);
	BAD("writable segment in the text region", phdr(&im, 1)->p_vaddr = 0x500000);
	BAD("data past its region", phdr(&im, 1)->p_vaddr = 0x7fffff00);
	BAD("kernel address", phdr(&im, 1)->p_vaddr = 0xffffffff80000000ULL);
	BAD("overlapping segments", { phdr(&im, 1)->p_flags = PF_R | PF_X;
				      phdr(&im, 1)->p_vaddr = 0x400800; });
	BAD("segments sharing a page", { phdr(&im, 1)->p_flags = PF_R;
					 phdr(&im, 1)->p_vaddr = 0x401000 - 16 + 4096;
					 phdr(&im, 0)->p_memsz = 4096 + 8; });
	BAD("entry outside every segment", ehdr(&im)->e_entry = 0x300000);
	BAD("entry in data", ehdr(&im)->e_entry = 0x40000000);
	BAD("entry in a non-executable segment", phdr(&im, 0)->p_flags = PF_R);
	BAD("writable and executable (W^X)", phdr(&im, 1)->p_flags = PF_R | PF_W | PF_X);
	BAD("PT_INTERP", phdr(&im, 2)->p_type = 3);
	BAD("PT_DYNAMIC", phdr(&im, 2)->p_type = 2);
	BAD("too many segments", {
		ehdr(&im)->e_phnum = 20;
		for (int i = 0; i < 20; i++)
			*phdr(&im, i) = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
				.p_vaddr = 0x400000 + (uint64_t)i * 4096, .p_memsz = 16 };
	});
}

static void test_every_truncation(void)
{
	struct image im;
	struct elf_image out;

	good(&im);
	/* Every prefix that cuts into a header or a segment's file bytes. */
	for (size_t len = 0; len < 8192 + 100; len++) {
		if (parse(&im, len, &out) != StatusInvalidElfFile) {
			printf("FAIL: %s: prefix %zu accepted\n", unit_current, len);
			unit_failures++;
			break;
		}
	}
}

static void test_random_damage(void)
{
	struct image good_im, im;
	struct elf_image out;
	unsigned int seed = 99;
	int accepted = 0;

	good(&good_im);
	for (int i = 0; i < 20000; i++) {
		im = good_im;
		int flips = 1 + rand_r(&seed) % 3;
		for (int j = 0; j < flips; j++)
			im.bytes[rand_r(&seed) % 512] = (unsigned char)rand_r(&seed);
		if (parse(&im, im.size, &out) == StatusOk) {
			accepted++;
			/* Whatever passes must really fit the rules. */
			for (unsigned s = 0; s < out.nsegments; s++)
				CHECK(out.seg[s].offset + out.seg[s].filesz <= im.size);
		}
	}
	CHECK(accepted > 0 && accepted < 20000);
}

static void test_real_programs(void)
{
	const char *paths[] = { "build/root/tests/hello", "build/root/bin/init",
				"build/root/tests/sharedtext" };

	for (unsigned i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		FILE *f = fopen(paths[i], "rb");
		if (f == NULL) {
			printf("note: %s not built; skipped\n", paths[i]);
			continue;
		}
		static unsigned char buf[1 << 20];
		size_t n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		unsigned char *exact = malloc(n);
		memcpy(exact, buf, n);
		struct elf_image out;
		CHECK_EQ(elf_parse(exact, n, &limits, &out), StatusOk);
		CHECK(out.nsegments >= 2 && out.entry >= 0x400000);
		exact[18] = 3;    /* the corrupt.elf of the guest suite */
		CHECK_EQ(elf_parse(exact, n, &limits, &out), StatusInvalidElfFile);
		free(exact);
	}
}

int main(void)
{
	RUN(test_good_image);
	RUN(test_each_rule);
	RUN(test_every_truncation);
	RUN(test_random_damage);
	RUN(test_real_programs);
	UNIT_EXIT();
}
