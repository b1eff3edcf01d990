/*
 * ELF64 validation.  The file comes from the boot archive but is treated
 * as hostile: every offset and size is checked (in 64-bit arithmetic that
 * cannot overflow) before anything is read through it, and a file that
 * breaks any rule is StatusInvalidElfFile.  Headers are copied out before
 * use: the archive aligns files to 4 bytes only, and e_phoff to nothing.  Only static x86_64
 * executables whose loadable segments fit the fixed user regions pass.
 */
#include "elf64.h"
#include "kstring.h"

#define EI_CLASS   4
#define EI_DATA    5
#define EI_VERSION 6
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PAGE        4096ULL

static bool header_ok(const Elf64_Ehdr *eh, size_t size)
{
	const unsigned char *id = eh->e_ident;

	return id[0] == 0x7f && id[1] == 'E' && id[2] == 'L' && id[3] == 'F' &&
	       id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == ELFDATA2LSB &&
	       id[EI_VERSION] == EV_CURRENT && eh->e_version == EV_CURRENT &&
	       eh->e_type == ET_EXEC && eh->e_machine == EM_X86_64 &&
	       eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum > 0 &&
	       eh->e_phoff <= size &&
	       eh->e_phnum <= (size - eh->e_phoff) / sizeof(Elf64_Phdr);
}

/* A loadable segment: in the file, and inside the region its flags say. */
static bool segment_ok(const Elf64_Phdr *p, size_t size, const struct elf_limits *lim)
{
	bool writable = p->p_flags & PF_W;
	uint64_t base = writable ? lim->data_base : lim->text_base;
	uint64_t end = writable ? lim->data_end : lim->text_end;

	return p->p_memsz > 0 && p->p_filesz <= p->p_memsz &&
	       p->p_offset <= size && p->p_filesz <= size - p->p_offset &&
	       p->p_vaddr >= base && p->p_vaddr < end &&
	       p->p_memsz <= end - p->p_vaddr;
}

/* Insertion by vaddr; then no two segments may share a page. */
static bool add_sorted(struct elf_image *img, const Elf64_Phdr *p)
{
	unsigned int i = img->nsegments;

	if (i == ELF_MAX_SEGMENTS)
		return false;
	while (i > 0 && img->seg[i - 1].vaddr > p->p_vaddr) {
		img->seg[i] = img->seg[i - 1];
		i--;
	}
	img->seg[i] = (struct elf_segment){ p->p_vaddr, p->p_memsz, p->p_filesz,
					    p->p_offset, p->p_flags };
	img->nsegments++;
	return true;
}

static bool no_shared_pages(const struct elf_image *img)
{
	for (unsigned int i = 1; i < img->nsegments; i++) {
		const struct elf_segment *a = &img->seg[i - 1], *b = &img->seg[i];
		uint64_t a_last_page = (a->vaddr + a->memsz - 1) / PAGE;
		if (a_last_page >= b->vaddr / PAGE)
			return false;
	}
	return true;
}

static bool entry_ok(const struct elf_image *img)
{
	for (unsigned int i = 0; i < img->nsegments; i++) {
		const struct elf_segment *s = &img->seg[i];
		if ((s->flags & PF_X) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

enum status elf_parse(const void *file, size_t size, const struct elf_limits *lim,
		      struct elf_image *out)
{
	Elf64_Ehdr eh;

	if (file == NULL || size < sizeof(eh))
		return StatusInvalidElfFile;
	memcpy(&eh, file, sizeof(eh));
	if (!header_ok(&eh, size))
		return StatusInvalidElfFile;
	out->nsegments = 0;
	out->entry = eh.e_entry;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, (const char *)file + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
			return StatusInvalidElfFile;     /* not a static executable */
		if (ph.p_type != PT_LOAD)
			continue;
		if (!segment_ok(&ph, size, lim) || !add_sorted(out, &ph))
			return StatusInvalidElfFile;
	}
	if (out->nsegments == 0 || !no_shared_pages(out) || !entry_ok(out))
		return StatusInvalidElfFile;
	return StatusOk;
}
