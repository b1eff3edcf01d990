/* Loading an ELF executable into a process's regions; see <kernel/exec.h>. */
#include <stddef.h>
#include <kernel/exec.h>
#include <kernel/region.h>
#include <kernel/elf64.h>
#include <kernel/kstring.h>

static unsigned int segment_flags(uint32_t pflags)
{
	return ((pflags & PF_W) ? MAP_WRITE : 0) | ((pflags & PF_X) ? MAP_EXEC : 0);
}

/* Maps and fills the pages of one validated segment; read-only pages are
 * recorded in the text image t. */
static enum status load_segment(struct vm *vm, const uint8_t *file,
				const struct elf_segment *seg,
				struct text_image *t)
{
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
		if (from < to)
			memcpy(page + (from - va),
			       file + seg->offset + (from - seg->vaddr), to - from);
	}
	return StatusOk;
}

enum status exec_load(struct vm *vm, const void *file, uint64_t size,
		      uintptr_t *entry)
{
	static const struct elf_limits limits = {
		.text_base = TEXT_BASE, .text_end = TEXT_END,
		.data_base = DATA_BASE, .data_end = DATA_END,
		.max_segments = ELF_MAX_SEGMENTS,
	};
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
		st = load_segment(vm, file, &img.seg[i], text ? t : NULL);
	}
	*entry = img.entry;
	return st;
}
