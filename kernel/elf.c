/* Minimal ELF64 validation (placeholder until the full validator lands). */
#include "elf64.h"

enum status elf_parse(const void *file, size_t size, const struct elf_limits *lim,
		      struct elf_image *out)
{
	const Elf64_Ehdr *eh = file;
	const unsigned char *id = file;

	if (size < sizeof(*eh) || id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' ||
	    id[3] != 'F' || id[4] != 2 || id[5] != 1 || eh->e_machine != 62 ||
	    eh->e_type != 2 || eh->e_phentsize != sizeof(Elf64_Phdr))
		return StatusInvalidElfFile;
	if (eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf64_Phdr))
		return StatusInvalidElfFile;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)((const char *)file + eh->e_phoff);
	out->nsegments = 0;
	out->entry = eh->e_entry;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		const Elf64_Phdr *p = &ph[i];
		uint64_t base = (p->p_flags & PF_W) ? lim->data_base : lim->text_base;
		uint64_t end = (p->p_flags & PF_W) ? lim->data_end : lim->text_end;
		if (out->nsegments == ELF_MAX_SEGMENTS || p->p_filesz > p->p_memsz ||
		    p->p_offset > size || p->p_filesz > size - p->p_offset ||
		    p->p_vaddr < base || p->p_vaddr > end || p->p_memsz > end - p->p_vaddr)
			return StatusInvalidElfFile;
		out->seg[out->nsegments++] = (struct elf_segment){
			p->p_vaddr, p->p_memsz, p->p_filesz, p->p_offset, p->p_flags };
	}
	return out->nsegments ? StatusOk : StatusInvalidElfFile;
}
