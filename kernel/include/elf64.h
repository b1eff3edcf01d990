/* ELF64 executables: the structures we read (from the ELF specification),
 * and validation. */
#ifndef ELF64_H
#define ELF64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "uapi/ethos/abi.h"

#define ELF_MAX_SEGMENTS 16

typedef struct {
	unsigned char e_ident[16];
	uint16_t e_type, e_machine;
	uint32_t e_version;
	uint64_t e_entry, e_phoff, e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t p_type, p_flags;
	uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct elf_limits {
	uint64_t text_base, text_end;
	uint64_t data_base, data_end;
};

struct elf_segment {
	uint64_t vaddr, memsz, filesz, offset;
	uint32_t flags;
};

struct elf_image {
	uint64_t entry;
	unsigned int nsegments;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
};

/*
 * Validates a static x86_64 executable (ET_EXEC) of `size` bytes: header
 * fields, the program-header table inside the file, each PT_LOAD inside
 * the file and inside the text region (not writable) or the data region
 * (writable), no two segments sharing a page, the entry point inside an
 * executable segment, and no PT_INTERP/PT_DYNAMIC.  Fills out with the
 * loadable segments sorted by address.  StatusOk or StatusInvalidElfFile.
 */
enum status elf_parse(const void *file, size_t size, const struct elf_limits *lim,
		      struct elf_image *out);

#endif
