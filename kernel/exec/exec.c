/* Loading an ELF executable into a process's regions; see <kernel/exec.h>. */
#include <stddef.h>
#include <kernel/exec.h>
#include <kernel/region.h>
#include <kernel/elf64.h>
#include <kernel/kstring.h>
#include <kernel/uaccess.h>

static unsigned int segment_flags(uint32_t pflags)
{
	return ((pflags & PF_W) ? MAP_WRITE : 0) | ((pflags & PF_X) ? MAP_EXEC : 0);
}

/* Maps and fills the pages of one validated segment; read-only pages are
 * recorded in the text image t.  The bytes come from file (kernel memory)
 * or, file NULL, from ufile in the caller's still-current address space. */
static enum status load_segment(struct vm *vm, const uint8_t *file,
				uintptr_t ufile, const struct elf_segment *seg,
				struct text_image *t)
{
	enum status st;

	uintptr_t start = seg->vaddr & PAGE_MASK;
	uintptr_t end = (seg->vaddr + seg->memsz + PAGE_SIZE - 1) & PAGE_MASK;

	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		uint8_t *page;

		if (!region_map_new_page(vm, va, segment_flags(seg->flags),
					 (void **)&page))
			return StatusNoMemory;
		if (t != NULL && !text_add_page(t, va, as_translate(&vm->as, va, NULL),
						 segment_flags(seg->flags)))
			return StatusNoMemory;
		/* The part of [vaddr, vaddr + filesz) inside this page. */
		uintptr_t from = va > seg->vaddr ? va : seg->vaddr;
		uintptr_t to = seg->vaddr + seg->filesz;
		if (to > va + PAGE_SIZE)
			to = va + PAGE_SIZE;
		if (from < to && file != NULL)
			memcpy(page + (from - va),
			       file + seg->offset + (from - seg->vaddr), to - from);
		else if (from < to &&
			 (st = copyin(page + (from - va),
				      ufile + seg->offset + (from - seg->vaddr),
				      to - from)) != StatusOk)
			return st;
	}
	return StatusOk;
}

static const struct elf_limits limits = {
	.text_base = TEXT_BASE, .text_end = TEXT_END,
	.data_base = DATA_BASE, .data_end = DATA_END,
	.max_segments = ELF_MAX_SEGMENTS,
};

enum status exec_load(struct vm *vm, const void *file, uint64_t size,
		      uintptr_t *entry)
{
	struct elf_image img;
	bool shared;
	enum status st = elf_parse(file, size, &limits, &img);

	if (st != StatusOk)
		return st;
	struct text_image *t = text_get(file, &shared);
	if (t == NULL)
		return StatusNoMemory;
	vm->text = t;                /* put by vm_destroy, also on failure */
	if (shared)
		st = text_map(vm, t);
	for (unsigned int i = 0; st == StatusOk && i < img.nsegments; i++) {
		bool text = !(img.seg[i].flags & PF_W);
		if (text && shared)
			continue;
		st = load_segment(vm, file, 0, &img.seg[i], text ? t : NULL);
	}
	*entry = img.entry;
	return st;
}

/*
 * The headers of an image in user memory.  Static for the reason the
 * argument buffers are (kernel/exec/execve.c): one vCPU, and a syscall
 * runs to its end without being re-entered.
 */
static uint8_t user_headers[EXEC_IMAGE_HEADERS_MAX];

enum status exec_load_user(struct vm *vm, uintptr_t ufile, uint64_t size,
			   uintptr_t *entry)
{
	uint64_t n = size < sizeof(user_headers) ? size : sizeof(user_headers);
	struct elf_image img;
	Elf64_Ehdr eh;
	enum status st;

	if ((st = copyin(user_headers, ufile, n)) != StatusOk)
		return st;
	/*
	 * elf_parse reads only the ELF header and the program header table;
	 * both must lie in the copy (every linker puts them at the start),
	 * so that it never reads past it although it is told the whole size.
	 */
	if (n < sizeof(eh))
		return StatusInvalidElfFile;
	memcpy(&eh, user_headers, sizeof(eh));
	if (eh.e_phoff > n || eh.e_phnum > (n - eh.e_phoff) / sizeof(Elf64_Phdr))
		return StatusInvalidElfFile;
	if ((st = elf_parse(user_headers, size, &limits, &img)) != StatusOk)
		return st;
	/* No text image: the user's bytes have no identity to share by (the
	 * same address may hold another program next time), so every page
	 * is the process's own. */
	for (unsigned int i = 0; st == StatusOk && i < img.nsegments; i++)
		st = load_segment(vm, NULL, ufile, &img.seg[i], NULL);
	*entry = img.entry;
	return st;
}
