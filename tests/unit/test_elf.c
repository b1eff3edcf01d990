/*
 * ELF64 validator (kernel/exec/elf.c).
 *
 * Images are built in memory from a `struct spec` (a file header, a
 * program header table and where to put it) by a small writer, and each
 * is handed to elf_parse in a malloc'd buffer of exactly its size, so
 * AddressSanitizer reports any read past the end.  A good image is checked
 * field by field, then each rule gets minimal bad variants (and, where it
 * has one, the boundary that must still pass), then every truncation,
 * random damage, and a real executable linked into the user layout
 * (build/unit/sample.elf, made by tests/unit/elf.mk).
 *
 * Usage: elf [sample.elf]; without an argument $ELF_SAMPLE, else
 * sample.elf next to this binary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include <kernel/elf64.h>

#define TEXT_BASE 0x400000ULL
#define TEXT_END  0x40000000ULL
#define DATA_BASE 0x40000000ULL
#define DATA_END  0x80000000ULL

static const struct elf_limits user_limits = {
	.text_base = TEXT_BASE, .text_end = TEXT_END,
	.data_base = DATA_BASE, .data_end = DATA_END,
	.max_segments = ELF_MAX_SEGMENTS,
};

/* ---- the image writer ------------------------------------------------------ */

/*
 * The valid image:
 *   0x0000  file header, program headers from 0x40
 *   0x1000  text bytes (0x180), loaded R+X at 0x400000, entry 0x400010
 *   0x1e10  data bytes (0x40), loaded R+W at 0x40000000 with 0x3000 of
 *           memory (bss after the file bytes); the file ends right there
 *   plus a PT_GNU_STACK and a PT_NOTE entry, which must be ignored.
 */
#define IMAGE_MAX  0x4000
#define MAX_PH     20
#define TABLE_OFF  sizeof(Elf64_Ehdr)
#define TEXT_OFF   0x1000
#define TEXT_LEN   0x180
#define DATA_OFF   0x1e10     /* file offsets need no alignment: the loader copies */
#define DATA_LEN   0x40
#define DATA_MEM   0x3000
#define ENTRY      (TEXT_BASE + 0x10)

struct spec {
	Elf64_Ehdr eh;          /* written as is: e_phoff/e_phnum may lie */
	Elf64_Phdr ph[MAX_PH];
	unsigned int nph;       /* entries of ph[] written */
	size_t table_at;        /* where ph[] goes in the file */
	size_t size;            /* the file's size */
};

static struct spec valid(void)
{
	struct spec s;

	memset(&s, 0, sizeof(s));
	memcpy(s.eh.e_ident, "\x7f" "ELF", 4);
	s.eh.e_ident[EI_CLASS] = ELFCLASS64;
	s.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	s.eh.e_ident[EI_VERSION] = EV_CURRENT;
	s.eh.e_type = ET_EXEC;
	s.eh.e_machine = EM_X86_64;
	s.eh.e_version = EV_CURRENT;
	s.eh.e_entry = ENTRY;
	s.eh.e_phoff = TABLE_OFF;
	s.eh.e_ehsize = sizeof(Elf64_Ehdr);
	s.eh.e_phentsize = sizeof(Elf64_Phdr);
	s.eh.e_phnum = 4;
	s.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X,
		.p_offset = TEXT_OFF, .p_vaddr = TEXT_BASE, .p_paddr = TEXT_BASE,
		.p_filesz = TEXT_LEN, .p_memsz = TEXT_LEN, .p_align = 0x1000 };
	s.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = DATA_OFF, .p_vaddr = DATA_BASE, .p_paddr = DATA_BASE,
		.p_filesz = DATA_LEN, .p_memsz = DATA_MEM, .p_align = 0x1000 };
	s.ph[2] = (Elf64_Phdr){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W,
		.p_align = 16 };
	s.ph[3] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_flags = PF_R,
		.p_offset = 0x3ffff, .p_filesz = 0x1000 };   /* ignored: bounds too */
	s.nph = 4;
	s.table_at = TABLE_OFF;
	s.size = DATA_OFF + DATA_LEN;
	return s;
}

/* Recognisable content, so a test can tell which file bytes a segment names. */
static unsigned char text_byte(size_t i) { return (unsigned char)(0x90 ^ i); }
static unsigned char data_byte(size_t i) { return (unsigned char)(0x5a + i); }

static void write_image(const struct spec *s, unsigned char *buf)
{
	size_t table_len = s->nph * sizeof(Elf64_Phdr);

	memset(buf, 0, IMAGE_MAX);
	for (size_t i = 0; i < TEXT_LEN; i++)
		buf[TEXT_OFF + i] = text_byte(i);
	for (size_t i = 0; i < DATA_LEN; i++)
		buf[DATA_OFF + i] = data_byte(i);
	memcpy(buf, &s->eh, sizeof(s->eh));
	if (s->table_at + table_len > IMAGE_MAX || s->size > IMAGE_MAX) {
		printf("FAIL: %s: spec does not fit the writer\n", unit_current);
		abort();
	}
	memcpy(buf + s->table_at, s->ph, table_len);
}

/* Parses the first `size` bytes of buf from a buffer of exactly that size. */
static enum status parse_exact(const unsigned char *buf, size_t size,
			       const struct elf_limits *lim, struct elf_image *out)
{
	unsigned char *exact = malloc(size ? size : 1);
	enum status st;

	memcpy(exact, buf, size);
	st = elf_parse(exact, size, lim, out);
	free(exact);
	return st;
}

static enum status parse_spec(const struct spec *s, const struct elf_limits *lim,
			      struct elf_image *out)
{
	static unsigned char buf[IMAGE_MAX];

	write_image(s, buf);
	return parse_exact(buf, s->size, lim, out);
}

static void expect(const struct spec *s, const struct elf_limits *lim,
		   enum status want, const char *what, int line)
{
	struct elf_image out;
	enum status got = parse_spec(s, lim, &out);

	if (got != want) {
		printf("FAIL: %s: line %d: %s: status %d, wanted %d\n",
		       unit_current, line, what, got, want);
		unit_failures++;
	}
}

/* A variant of the valid image: `s` is in scope for the changes. */
#define VARIANT(want, what, ...) do {                                   \
	struct spec s = valid();                                        \
	__VA_ARGS__;                                                    \
	expect(&s, &user_limits, want, what, __LINE__);                 \
} while (0)
#define BAD(what, ...)  VARIANT(StatusInvalidElfFile, what, __VA_ARGS__)
#define GOOD(what, ...) VARIANT(StatusOk, what, __VA_ARGS__)

/* Replaces ph[i] by a PT_LOAD of `memsz` bytes at va (no file bytes). */
static void set_load(struct spec *s, unsigned int i, uint32_t flags,
		     uint64_t va, uint64_t memsz)
{
	s->ph[i] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = flags,
		.p_vaddr = va, .p_memsz = memsz, .p_align = 0x1000 };
}

/*
 * What elf64.h promises after StatusOk, checked on anything that
 * passed (the fuzz loops especially).  True if all hold.
 */
static bool promises_hold(const struct elf_image *img, size_t size,
			  const struct elf_limits *lim)
{
	bool entry_found = false;

	if (img->nsegments < 1 || img->nsegments > ELF_MAX_SEGMENTS)
		return false;
	for (unsigned int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *g = &img->seg[i];
		bool w = g->flags & PF_W;
		uint64_t base = w ? lim->data_base : lim->text_base;
		uint64_t end = w ? lim->data_end : lim->text_end;

		if (g->memsz == 0 || g->filesz > g->memsz ||
		    g->offset > size || g->filesz > size - g->offset ||
		    g->vaddr < base || g->vaddr > end || g->memsz > end - g->vaddr)
			return false;
		if (i + 1 < img->nsegments &&
		    (g->vaddr + g->memsz - 1) / ELF_PAGE_SIZE >=
		    img->seg[i + 1].vaddr / ELF_PAGE_SIZE)
			return false;
		if ((g->flags & PF_X) && img->entry >= g->vaddr &&
		    img->entry - g->vaddr < g->memsz)
			entry_found = true;
	}
	return entry_found;
}

/* ---- a good image ---------------------------------------------------------- */

static void test_valid_image(void)
{
	struct spec s = valid();
	struct elf_image out;

	CHECK_EQ(parse_spec(&s, &user_limits, &out), StatusOk);
	CHECK_EQ(out.entry, ENTRY);
	CHECK_EQ(out.nsegments, 2);
	CHECK_EQ(out.seg[0].vaddr, TEXT_BASE);
	CHECK_EQ(out.seg[0].memsz, TEXT_LEN);
	CHECK_EQ(out.seg[0].filesz, TEXT_LEN);
	CHECK_EQ(out.seg[0].offset, TEXT_OFF);
	CHECK_EQ(out.seg[0].flags, PF_R | PF_X);
	CHECK_EQ(out.seg[1].vaddr, DATA_BASE);
	CHECK_EQ(out.seg[1].memsz, DATA_MEM);
	CHECK_EQ(out.seg[1].filesz, DATA_LEN);
	CHECK_EQ(out.seg[1].offset, DATA_OFF);
	CHECK_EQ(out.seg[1].flags, PF_R | PF_W);
	CHECK(promises_hold(&out, s.size, &user_limits));
}

/* The segments name the right file bytes (what the loader will copy). */
static void test_segments_point_at_content(void)
{
	static unsigned char buf[IMAGE_MAX];
	struct spec s = valid();
	struct elf_image out;

	write_image(&s, buf);
	CHECK_EQ(parse_exact(buf, s.size, &user_limits, &out), StatusOk);
	CHECK_EQ(buf[out.seg[0].offset + 5], text_byte(5));
	CHECK_EQ(buf[out.seg[1].offset + out.seg[1].filesz - 1], data_byte(DATA_LEN - 1));
}

static void test_sorted_by_vaddr(void)
{
	struct spec s = valid();
	struct elf_image out;

	/* File order: data, rodata (R only, two pages up), text. */
	s.ph[2] = s.ph[0];
	s.ph[0] = s.ph[1];
	set_load(&s, 1, PF_R, TEXT_BASE + 0x2000, 0x800);
	s.nph = 3;
	s.eh.e_phnum = 3;
	CHECK_EQ(parse_spec(&s, &user_limits, &out), StatusOk);
	CHECK_EQ(out.nsegments, 3);
	CHECK_EQ(out.seg[0].vaddr, TEXT_BASE);
	CHECK_EQ(out.seg[0].flags, PF_R | PF_X);
	CHECK_EQ(out.seg[1].vaddr, TEXT_BASE + 0x2000);
	CHECK_EQ(out.seg[1].flags, PF_R);
	CHECK_EQ(out.seg[2].vaddr, DATA_BASE);
	CHECK_EQ(out.seg[2].memsz, DATA_MEM);
}

static void test_other_types_ignored(void)
{
	static const uint32_t ignored[] = { PT_NULL, PT_NOTE, PT_PHDR, PT_TLS,
					    PT_GNU_STACK, 0x6474e552 /* GNU_RELRO */,
					    0x70000001 /* processor */ };

	for (unsigned int i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		/* Garbage everywhere else in the entry: none of it is read. */
		GOOD("ignored type", s.ph[2] = (Elf64_Phdr){ .p_type = ignored[i],
			.p_flags = ~0u, .p_offset = ~0ULL, .p_vaddr = ~0ULL,
			.p_filesz = ~0ULL, .p_memsz = 1 });
	}
}

/* The file need not be aligned: the archive aligns files to 4 bytes only. */
static void test_unaligned_file(void)
{
	static unsigned char buf[IMAGE_MAX];
	struct spec s = valid();
	struct elf_image out;

	write_image(&s, buf);
	for (size_t shift = 1; shift < 8; shift++) {
		unsigned char *raw = malloc(s.size + shift);

		memcpy(raw + shift, buf, s.size);
		CHECK_EQ(elf_parse(raw + shift, s.size, &user_limits, &out), StatusOk);
		CHECK_EQ(out.seg[1].offset, DATA_OFF);
		free(raw);
	}
	/* The table may sit at an odd offset too. */
	GOOD("table at an odd offset", s.table_at = 0x101; s.eh.e_phoff = 0x101);
}

/* ---- one test per rule --------------------------------------------------- */

static void test_header_rules(void)
{
	BAD("shorter than the header", s.size = sizeof(Elf64_Ehdr) - 1);
	BAD("magic byte 0", s.eh.e_ident[0] = 0x7e);
	BAD("magic byte 1", s.eh.e_ident[1] = 'e');
	BAD("magic byte 2", s.eh.e_ident[2] = 'l');
	BAD("magic byte 3", s.eh.e_ident[3] = 'f');
	BAD("ELFCLASS32", s.eh.e_ident[EI_CLASS] = 1);
	BAD("ELFCLASSNONE", s.eh.e_ident[EI_CLASS] = 0);
	BAD("big endian", s.eh.e_ident[EI_DATA] = 2);
	BAD("ident version 0", s.eh.e_ident[EI_VERSION] = 0);
	BAD("ident version 2", s.eh.e_ident[EI_VERSION] = 2);
	BAD("e_version 0", s.eh.e_version = 0);
	BAD("e_version 2", s.eh.e_version = 2);
	BAD("i386", s.eh.e_machine = 3);
	BAD("aarch64", s.eh.e_machine = 183);
	BAD("ET_REL", s.eh.e_type = 1);
	BAD("ET_DYN (PIE)", s.eh.e_type = ET_DYN);
	BAD("ET_CORE", s.eh.e_type = 4);
	BAD("e_phentsize 0", s.eh.e_phentsize = 0);
	BAD("e_phentsize 55", s.eh.e_phentsize = 55);
	BAD("e_phentsize 64", s.eh.e_phentsize = 64);
	/* Fields we do not use may hold anything. */
	GOOD("OS/ABI byte", s.eh.e_ident[7] = 3);
	GOOD("section headers", s.eh.e_shoff = ~0ULL; s.eh.e_shnum = 999);
}

static void test_table_bounds(void)
{
	BAD("no entries", s.eh.e_phnum = 0);
	BAD("table at the end of the file", s.eh.e_phoff = s.size);
	BAD("table past the end", s.eh.e_phoff = s.size + 1);
	BAD("table offset near 2^64", s.eh.e_phoff = ~0ULL - 8);
	BAD("table offset that wraps with its length",
	    s.eh.e_phoff = ~0ULL - sizeof(Elf64_Phdr) + 2);
	BAD("one entry more than the file holds",
	    s.eh.e_phnum = (s.size - TABLE_OFF) / sizeof(Elf64_Phdr) + 1);
	BAD("table's last entry one byte short of the end",
	    s.table_at = s.size; s.eh.e_phoff = s.size;
	    s.size += 4 * sizeof(Elf64_Phdr) - 1);
	/* Boundary: a table ending exactly at the end of the file passes. */
	GOOD("table ending at the end of the file",
	     s.table_at = s.size; s.eh.e_phoff = s.size;
	     s.size += 4 * sizeof(Elf64_Phdr));
}

/*
 * e_phnum 0xffff (PN_XNUM) means the real count is elsewhere (section
 * header 0), so it is refused even when the file could hold that many
 * entries; 0xfffe entries (all but ours PT_NULL) pass.
 */
static void test_pn_xnum(void)
{
	struct spec s = valid();
	size_t size = TABLE_OFF + (size_t)PN_XNUM * sizeof(Elf64_Phdr);
	unsigned char *big = calloc(1, size);
	struct elf_image out;

	s.eh.e_phnum = PN_XNUM;
	memcpy(big, &s.eh, sizeof(s.eh));
	memcpy(big + TABLE_OFF, s.ph, s.nph * sizeof(Elf64_Phdr));
	CHECK_EQ(elf_parse(big, size, &user_limits, &out), StatusInvalidElfFile);
	s.eh.e_phnum = PN_XNUM - 1;
	memcpy(big, &s.eh, sizeof(s.eh));
	CHECK_EQ(elf_parse(big, size, &user_limits, &out), StatusOk);
	free(big);
}

static void test_load_count(void)
{
	struct elf_limits two = user_limits;
	struct elf_image out;

	BAD("no PT_LOAD", s.ph[0].p_type = PT_NOTE; s.ph[1].p_type = PT_NOTE);

	/* ELF_MAX_SEGMENTS one-page text segments pass; one more does not. */
	GOOD("ELF_MAX_SEGMENTS loads", {
		for (unsigned int i = 2; i < ELF_MAX_SEGMENTS; i++)
			set_load(&s, i, PF_R, TEXT_BASE + 0x1000 * i, 0x1000);
		s.nph = s.eh.e_phnum = ELF_MAX_SEGMENTS;
	});
	BAD("ELF_MAX_SEGMENTS + 1 loads", {
		for (unsigned int i = 2; i < ELF_MAX_SEGMENTS + 1; i++)
			set_load(&s, i, PF_R, TEXT_BASE + 0x1000 * i, 0x1000);
		s.nph = s.eh.e_phnum = ELF_MAX_SEGMENTS + 1;
	});

	/* The limit is the caller's. */
	struct spec s = valid();
	set_load(&s, 2, PF_R, TEXT_BASE + 0x1000, 0x1000);
	two.max_segments = 2;
	expect(&s, &two, StatusInvalidElfFile, "3 loads, limit 2", __LINE__);
	s.ph[2].p_type = PT_NOTE;
	expect(&s, &two, StatusOk, "2 loads, limit 2", __LINE__);
	/* 0 is documented to mean ELF_MAX_SEGMENTS. */
	two.max_segments = 0;
	set_load(&s, 2, PF_R, TEXT_BASE + 0x1000, 0x1000);
	CHECK_EQ(parse_spec(&s, &two, &out), StatusOk);
	CHECK_EQ(out.nsegments, 3);
}

static void test_segment_sizes(void)
{
	BAD("filesz > memsz (bytes in the file)", s.ph[0].p_filesz = TEXT_LEN + 1);
	BAD("memsz 0", s.ph[1].p_memsz = 0; s.ph[1].p_filesz = 0);
	BAD("memsz 0 (text)", set_load(&s, 2, PF_R, TEXT_BASE + 0x1000, 0));
	GOOD("filesz 0 (all bss)", s.ph[1].p_filesz = 0);
	GOOD("filesz == memsz", s.ph[1].p_memsz = DATA_LEN);
}

static void test_segment_in_file(void)
{
	GOOD("file bytes ending at the end of the file",
	     s.ph[1].p_filesz = s.size - DATA_OFF);
	BAD("file bytes one past the end", s.ph[1].p_filesz = s.size - DATA_OFF + 1);
	BAD("offset past the end", s.ph[1].p_offset = s.size + 1; s.ph[1].p_filesz = 0);
	BAD("offset near 2^64", s.ph[1].p_offset = ~0ULL; s.ph[1].p_filesz = 1);
	BAD("offset + filesz wraps to a small number",
	    s.ph[1].p_offset = ~0ULL - 0xf; s.ph[1].p_filesz = 0x20);
}

static void test_vaddr_overflow(void)
{
	struct elf_limits all = { 0, ~0ULL, 0, ~0ULL, 0 };

	BAD("vaddr + memsz wraps (data)",
	    s.ph[1].p_vaddr = ~0ULL - 0xfff; s.ph[1].p_memsz = 0x3000);
	BAD("vaddr + memsz wraps (text)",
	    set_load(&s, 2, PF_R, ~0ULL - 0xfff, 0x2000));
	/* Even with regions covering everything, a wrapping segment fails. */
	struct spec s = valid();
	set_load(&s, 2, PF_R, ~0ULL - 0xfff, 0x2000);
	expect(&s, &all, StatusInvalidElfFile, "wrap, no region limit", __LINE__);
	s.ph[2].p_memsz = 0xfff;     /* regions are [base, end): end ~0 is the last */
	expect(&s, &all, StatusOk, "up to 2^64 - 1, no region limit", __LINE__);
}

static void test_regions(void)
{
	/* Read-only or executable: text region. */
	BAD("text at 0", s.ph[0].p_vaddr = 0; s.eh.e_entry = 0x10);
	BAD("text a page below the region",
	    s.ph[0].p_vaddr = TEXT_BASE - 0x1000; s.eh.e_entry = TEXT_BASE - 0x1000);
	BAD("text one byte below the region", s.ph[0].p_vaddr = TEXT_BASE - 1);
	GOOD("text ending at the region's end",
	     set_load(&s, 2, PF_R, TEXT_END - 0x1000, 0x1000));
	BAD("text one byte past the region's end",
	    set_load(&s, 2, PF_R, TEXT_END - 0x1000, 0x1001));
	BAD("text inside the data region",
	    set_load(&s, 2, PF_R, DATA_BASE + 0x10000, 0x1000));
	BAD("executable code inside the data region",
	    set_load(&s, 2, PF_R | PF_X, DATA_BASE + 0x10000, 0x1000));
	/* Writable: data region. */
	BAD("writable segment in the text region", s.ph[1].p_vaddr = TEXT_BASE + 0x10000);
	BAD("data one byte below the region", s.ph[1].p_vaddr = DATA_BASE - 1);
	GOOD("data ending at the region's end", s.ph[1].p_vaddr = DATA_END - DATA_MEM);
	BAD("data one byte past the region's end", s.ph[1].p_vaddr = DATA_END - DATA_MEM + 1);
	BAD("data entirely above the region", s.ph[1].p_vaddr = DATA_END);
	BAD("kernel address", s.ph[1].p_vaddr = 0xffffffff80000000ULL);
	BAD("non-canonical address", s.ph[1].p_vaddr = 0x0000800000000000ULL);
	BAD("memsz larger than the region", s.ph[1].p_memsz = DATA_END - DATA_BASE + 1);

	/* The regions are the caller's: narrow text to one page. */
	struct elf_limits narrow = user_limits;
	narrow.text_end = TEXT_BASE + 0x1000;
	struct spec s = valid();
	expect(&s, &narrow, StatusOk, "text fits a one-page region", __LINE__);
	set_load(&s, 2, PF_R, TEXT_BASE + 0x1000, 0x10);
	expect(&s, &narrow, StatusInvalidElfFile, "text past a one-page region", __LINE__);
}

static void test_page_overlap(void)
{
	BAD("the same range twice",
	    set_load(&s, 2, PF_R | PF_X, TEXT_BASE, TEXT_LEN));
	BAD("one byte in common",
	    set_load(&s, 2, PF_R, TEXT_BASE + TEXT_LEN - 1, 0x100));
	BAD("disjoint bytes on a shared page",
	    set_load(&s, 2, PF_R, TEXT_BASE + 0xf00, 0x100));
	BAD("a segment's last page is the next one's first",
	    s.ph[0].p_memsz = 0x1001;
	    set_load(&s, 2, PF_R, TEXT_BASE + 0x1800, 0x100));
	GOOD("next segment on the next page",
	     set_load(&s, 2, PF_R, TEXT_BASE + 0x1000, 0x100));
	GOOD("one ends at a page end, the next starts there",
	     s.ph[0].p_memsz = 0x1000;
	     set_load(&s, 2, PF_R, TEXT_BASE + 0x1000, 0x100));
	/* A big segment around a small one, with a third after both: the
	 * overlap is between the first two in address order. */
	BAD("segment inside another", {
		s.ph[0].p_memsz = 0x10000;
		set_load(&s, 2, PF_R, TEXT_BASE + 0x4000, 0x1000);
		set_load(&s, 3, PF_R, TEXT_BASE + 0x20000, 0x1000);
	});
	/* Overlapping in file order but listed backwards. */
	BAD("overlap listed in reverse", {
		s.ph[2] = s.ph[0];
		set_load(&s, 0, PF_R, TEXT_BASE + 0x100, 0x10);
	});
	BAD("two writable segments on one page, disjoint bytes",
	    s.ph[1].p_memsz = DATA_MEM - 0x100;
	    set_load(&s, 2, PF_R | PF_W, DATA_BASE + DATA_MEM - 0x80, 0x10));
}

static void test_entry_point(void)
{
	GOOD("entry at the segment's start", s.eh.e_entry = TEXT_BASE);
	GOOD("entry at the segment's last byte", s.eh.e_entry = TEXT_BASE + TEXT_LEN - 1);
	BAD("entry one past the segment", s.eh.e_entry = TEXT_BASE + TEXT_LEN);
	BAD("entry one below the segment", s.eh.e_entry = TEXT_BASE - 1);
	BAD("entry 0", s.eh.e_entry = 0);
	BAD("entry in data", s.eh.e_entry = DATA_BASE + 4);
	BAD("entry in bss", s.eh.e_entry = DATA_BASE + DATA_MEM - 1);
	BAD("entry in a read-only segment", s.ph[0].p_flags = PF_R);
	BAD("entry in a read-only segment next to an executable one", {
		set_load(&s, 2, PF_R | PF_X, TEXT_BASE + 0x10000, 0x100);
		s.eh.e_entry = TEXT_BASE + 0x10;
		s.ph[0].p_flags = PF_R;
	});
	GOOD("entry in the second executable segment", {
		set_load(&s, 2, PF_R | PF_X, TEXT_BASE + 0x10000, 0x100);
		s.eh.e_entry = TEXT_BASE + 0x10080;
	});
}

static void test_dynamic_refused(void)
{
	BAD("PT_INTERP", s.ph[2].p_type = PT_INTERP);
	BAD("PT_DYNAMIC", s.ph[3].p_type = PT_DYNAMIC);
	BAD("PT_INTERP before the loads", {
		s.ph[3] = s.ph[0];
		s.ph[0] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = TEXT_OFF,
					.p_filesz = 8 };
	});
}

static void test_failure_clears_output(void)
{
	struct spec s = valid();
	struct elf_image out;

	CHECK_EQ(parse_spec(&s, &user_limits, &out), StatusOk);
	s.eh.e_entry = DATA_BASE;    /* fails late, after the segments were taken */
	CHECK_EQ(parse_spec(&s, &user_limits, &out), StatusInvalidElfFile);
	CHECK_EQ(out.nsegments, 0);
}

/* ---- hostile bytes -------------------------------------------------------- */

/* Every proper prefix of a valid file fails (the data segment's bytes run
 * to the very end), and none is read past its end. */
static void test_every_truncation(void)
{
	static unsigned char buf[IMAGE_MAX];
	struct spec s = valid();
	struct elf_image out;
	size_t accepted = 0;

	write_image(&s, buf);
	for (size_t len = 0; len < s.size; len++)
		if (parse_exact(buf, len, &user_limits, &out) != StatusInvalidElfFile)
			accepted++;
	CHECK_EQ(accepted, 0);
	CHECK_EQ(parse_exact(buf, s.size, &user_limits, &out), StatusOk);
}

/* Values that sit on the edges the checks care about. */
static uint64_t edge_value(size_t size)
{
	static const uint64_t edges[] = {
		0, 1, 0xfff, 0x1000, 0x1001, 55, 56, 57, 63, 64,
		TEXT_BASE - 1, TEXT_BASE, TEXT_END - 1, TEXT_END,
		DATA_END - 1, DATA_END, 0x7fffffff, 0xffffffff,
		0x8000000000000000ULL, ~0ULL, ~0ULL - 0xfff,
	};
	uint32_t pick = unit_rand_below(sizeof(edges) / sizeof(edges[0]) + 3);

	if (pick == sizeof(edges) / sizeof(edges[0]))
		return size;
	if (pick == sizeof(edges) / sizeof(edges[0]) + 1)
		return size - 1;
	if (pick == sizeof(edges) / sizeof(edges[0]) + 2)
		return unit_rand();
	return edges[pick];
}

/* Damages the image in place: random bytes, or an edge value written over
 * a random 1/2/4/8-byte field of the headers. */
static void damage(unsigned char *buf, size_t size)
{
	size_t headers = TABLE_OFF + 4 * sizeof(Elf64_Phdr);
	unsigned int hits = unit_rand_range(1, 4);

	for (unsigned int h = 0; h < hits; h++) {
		if (unit_rand_below(2) == 0) {
			/* Mostly the headers: that is where the decisions are. */
			size_t at = unit_rand_below(4) ? unit_rand_below(headers)
						       : unit_rand_below(size);
			buf[at] = (unsigned char)unit_rand();
		} else {
			size_t width = (size_t)1 << unit_rand_below(4);
			size_t at = unit_rand_below(headers / width) * width;
			uint64_t v = edge_value(size);

			memcpy(buf + at, &v, width);    /* little endian host */
		}
	}
}

static void test_random_damage(void)
{
	static unsigned char good[IMAGE_MAX], buf[IMAGE_MAX];
	struct spec s = valid();
	struct elf_image out;
	unsigned int accepted = 0, broken = 0;

	write_image(&s, good);
	unit_rng = 0xe1f64;
	for (int i = 0; i < 20000; i++) {
		memcpy(buf, good, s.size);
		damage(buf, s.size);
		if (parse_exact(buf, s.size, &user_limits, &out) == StatusOk) {
			accepted++;
			if (!promises_hold(&out, s.size, &user_limits) && broken++ == 0)
				printf("FAIL: %s: iteration %d passed a bad image\n",
				       unit_current, i);
		}
	}
	CHECK_EQ(broken, 0);
	/* Both outcomes happen, or the damage is not exercising anything. */
	CHECK(accepted > 100);
	CHECK(accepted < 19000);
}

/* ---- a real executable -------------------------------------------------- */

static const char *sample_path;

/* Reads a whole file into an exact-size buffer; NULL if it is not there. */
static unsigned char *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)len);
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)len;
	}
	fclose(f);
	return buf;
}

/* The end of the program header table or of the last segment's file
 * bytes, whichever is further. */
static size_t sample_bytes_needed(const unsigned char *file,
				  const struct elf_image *img)
{
	Elf64_Ehdr eh;
	uint64_t needed;

	memcpy(&eh, file, sizeof(eh));
	needed = eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr);
	for (unsigned int i = 0; i < img->nsegments; i++)
		if (img->seg[i].offset + img->seg[i].filesz > needed)
			needed = img->seg[i].offset + img->seg[i].filesz;
	return needed;
}

static void test_real_executable(void)
{
	struct elf_image out;
	size_t size = 0, wrong = 0;
	unsigned char *file = read_file(sample_path, &size);

	if (file == NULL) {
		printf("note: %s: %s not found; skipped (make %s)\n",
		       unit_current, sample_path, "build/unit/sample.elf");
		return;
	}
	CHECK_EQ(elf_parse(file, size, &user_limits, &out), StatusOk);
	CHECK_EQ(out.nsegments, 2);
	CHECK_EQ(out.seg[0].vaddr, TEXT_BASE);
	CHECK_EQ(out.seg[0].flags, PF_R | PF_X);
	CHECK_EQ(out.seg[1].vaddr, DATA_BASE);
	CHECK_EQ(out.seg[1].flags, PF_R | PF_W);
	CHECK(out.seg[1].memsz >= out.seg[1].filesz + 8192);   /* the bss */
	CHECK(promises_hold(&out, size, &user_limits));
	if (out.nsegments == 2 && out.seg[1].filesz >= 16)
		CHECK(memcmp(file + out.seg[1].offset, "ethos elf sample", 16) == 0);

	/* A prefix passes exactly when it holds the program header table and
	 * every segment's file bytes; the symbols and section headers after
	 * them are not needed. */
	size_t needed = sample_bytes_needed(file, &out);
	CHECK(needed > 0 && needed <= size);
	for (size_t len = 0; len < size; len++)
		if (parse_exact(file, len, &user_limits, &out) !=
		    (len < needed ? StatusInvalidElfFile : StatusOk))
			wrong++;
	CHECK_EQ(wrong, 0);

	file[18] = 3;     /* e_machine: i386 */
	CHECK_EQ(elf_parse(file, size, &user_limits, &out), StatusInvalidElfFile);
	free(file);
}

static const char *default_sample(const char *argv0)
{
	static char path[4096];
	const char *slash = strrchr(argv0, '/');
	int dir = slash ? (int)(slash - argv0) : 1;

	snprintf(path, sizeof(path), "%.*s/sample.elf", dir, slash ? argv0 : ".");
	return path;
}

int main(int argc, char **argv)
{
	sample_path = argc > 1 ? argv[1] : getenv("ELF_SAMPLE");
	if (sample_path == NULL)
		sample_path = default_sample(argv[0]);

	RUN(test_valid_image);
	RUN(test_segments_point_at_content);
	RUN(test_sorted_by_vaddr);
	RUN(test_other_types_ignored);
	RUN(test_unaligned_file);
	RUN(test_header_rules);
	RUN(test_table_bounds);
	RUN(test_pn_xnum);
	RUN(test_load_count);
	RUN(test_segment_sizes);
	RUN(test_segment_in_file);
	RUN(test_vaddr_overflow);
	RUN(test_regions);
	RUN(test_page_overlap);
	RUN(test_entry_point);
	RUN(test_dynamic_refused);
	RUN(test_failure_clears_output);
	RUN(test_every_truncation);
	RUN(test_random_damage);
	RUN(test_real_executable);
	UNIT_EXIT();
}
