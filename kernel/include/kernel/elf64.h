/*
 * ELF64 executables: the part of the format the loader reads (written from
 * the System V gABI and the x86-64 psABI), and the validator.
 *
 * elf_parse() is pure logic: it reads only the bytes it is given, never
 * past `size`, and never trusts them.  It does not map anything; the
 * loader maps what it returns.
 */
#ifndef ELF64_H
#define ELF64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/ethos/abi.h>

/* ---- the file format ------------------------------------------------------ */

#define EI_NIDENT   16
#define EI_MAG0     0           /* e_ident[0..3]: 0x7f 'E' 'L' 'F' */
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6

#define ELFMAG0     0x7f
#define ELFMAG1     'E'
#define ELFMAG2     'L'
#define ELFMAG3     'F'
#define ELFCLASS64  2
#define ELFDATA2LSB 1           /* little endian */
#define EV_CURRENT  1

#define ET_EXEC     2           /* a fixed-address executable */
#define ET_DYN      3           /* a shared object or a PIE: refused */
#define EM_X86_64   62

/* e_phnum == PN_XNUM means "the count is in section header 0": refused. */
#define PN_XNUM     0xffff

#define PT_NULL      0
#define PT_LOAD      1
#define PT_DYNAMIC   2
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_PHDR      6
#define PT_TLS       7
#define PT_GNU_STACK 0x6474e551

#define PF_X 0x1
#define PF_W 0x2
#define PF_R 0x4

/* The file header, at offset 0 (64 bytes). */
typedef struct {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;           /* program header table: file offset */
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;       /* size of one entry */
	uint16_t e_phnum;           /* number of entries */
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} Elf64_Ehdr;

/* One program header (56 bytes). */
typedef struct {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;          /* file bytes: [p_offset, p_offset + p_filesz) */
	uint64_t p_vaddr;           /* memory: [p_vaddr, p_vaddr + p_memsz) */
	uint64_t p_paddr;
	uint64_t p_filesz;          /* the rest, up to p_memsz, is zero (bss) */
	uint64_t p_memsz;
	uint64_t p_align;
} Elf64_Phdr;

_Static_assert(sizeof(Elf64_Ehdr) == 64, "ELF64 file header layout");
_Static_assert(sizeof(Elf64_Phdr) == 56, "ELF64 program header layout");

/* ---- validation ------------------------------------------------------------ */

#define ELF_MAX_SEGMENTS 16     /* PT_LOAD entries an elf_image can hold */
#define ELF_PAGE_SIZE    4096   /* the granularity segments are mapped at */

/*
 * The user regions, [base, end) each, and the most PT_LOAD segments
 * allowed.  Segments without PF_W must lie inside text, segments with
 * PF_W inside data.  max_segments 0 means ELF_MAX_SEGMENTS; larger values
 * are capped at ELF_MAX_SEGMENTS.
 */
struct elf_limits {
	uint64_t text_base, text_end;
	uint64_t data_base, data_end;
	unsigned int max_segments;
};

/*
 * One PT_LOAD segment: memory [vaddr, vaddr + memsz) gets the file bytes
 * [offset, offset + filesz) at its start and zeros after them.  flags is
 * p_flags as in the file (PF_R | PF_W | PF_X, other bits untouched).
 */
struct elf_segment {
	uint64_t vaddr, memsz, filesz, offset;
	uint32_t flags;
};

struct elf_image {
	uint64_t entry;
	unsigned int nsegments;     /* 1..max_segments after StatusOk */
	struct elf_segment seg[ELF_MAX_SEGMENTS];   /* sorted by vaddr */
};

/*
 * Validates the static x86_64 executable file[0, size) against lim and,
 * if it passes, fills out.  Returns StatusOk or StatusInvalidElfFile.
 *
 * It checks: the header (magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT,
 * ET_EXEC, EM_X86_64, e_phentsize); the program header table inside the
 * file; no PT_INTERP or PT_DYNAMIC (dynamic executables are refused; any
 * other non-PT_LOAD type is ignored); 1..max_segments PT_LOAD entries,
 * each with 0 < memsz, filesz <= memsz, its file bytes inside the file,
 * and its memory inside the region its PF_W says; no two segments on a
 * common page (each page is mapped with one protection); the entry point
 * inside a PF_X segment.
 *
 * After StatusOk, for every seg[i]: offset + filesz <= size, vaddr +
 * memsz cannot overflow, and seg[i] ends on a page below the page seg[i+1]
 * starts on.  file need not be aligned.  After a failure out->nsegments
 * is 0 and the rest of out is unspecified.
 */
enum status elf_parse(const void *file, size_t size,
		      const struct elf_limits *lim, struct elf_image *out);

#endif /* ELF64_H */
