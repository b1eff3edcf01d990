/*
 * User memory: the fixed regions, demand paging, and loading an ELF
 * executable into them.
 *
 *   text  [TEXT_BASE, TEXT_END)    read-only (+exec), loaded from the file
 *   data  [DATA_BASE, DATA_END)    read-write, loaded from the file
 *   heap  [HEAP_BASE, HEAP_END)    read-write, zero pages on first touch
 *   stack [STACK_BASE, STACK_TOP)  read-write, zero pages on first touch
 *
 * Anything else is no memory at all: a touch kills the process.
 *
 * Text is shared: the first process to run a program loads its read-only
 * segments into a text image (keyed by the file in the boot archive);
 * later ones map the same frames.  The image holds one reference to each
 * frame, every mapping another; the image goes when its last user does.
 */
#include <stddef.h>
#include "proc.h"
#include "elf64.h"
#include "mm.h"
#include "kstring.h"
#include "panic.h"
#include "kstat.h"
#include "trap.h"

/* The most user pages one process may hold (heap + stack + image). */
#define USER_PAGES_MAX (64 * 1024)

struct text_page {
	uintptr_t va;
	pfn_t pfn;
	unsigned int flags;
};

struct text_image {
	const void *file;
	unsigned int users;
	unsigned int npages;
	unsigned int capacity;
	struct text_page *pages;
	LIST_ENTRY(text_image) link;
};

static LIST_HEAD(, text_image) text_images;

static bool demand_zero_region(uintptr_t a)
{
	return (a >= HEAP_BASE && a < HEAP_END) ||
	       (a >= STACK_BASE && a < STACK_TOP);
}

void user_page_release(pfn_t pfn)
{
	struct page *pg = pfn_to_page(pfn);

	ASSERT(pg->refcount > 0);
	if (--pg->refcount == 0)
		buddy_free(pfn, 0);
}

/* A fresh zeroed page mapped at va; false if out of memory. */
static bool map_new_page(struct proc *p, uintptr_t va, unsigned int flags,
			 void **kva)
{
	if (p->user_pages >= USER_PAGES_MAX)
		return false;
	pfn_t pfn = buddy_alloc(0);
	if (pfn == PFN_NONE)
		return false;
	page_clear(pfn_to_va(pfn));
	pfn_to_page(pfn)->refcount = 1;
	if (!as_map(&p->as, va, pfn, flags)) {
		buddy_free(pfn, 0);
		return false;
	}
	p->user_pages++;
	if (kva != NULL)
		*kva = pfn_to_va(pfn);
	return true;
}

bool region_fault(struct proc *p, uintptr_t address, uint64_t error)
{
	if (error & PF_PRESENT)
		return false;          /* a protection fault, not a missing page */
	if (!demand_zero_region(address))
		return false;
	return map_new_page(p, address & PAGE_MASK, MAP_WRITE, NULL);
}

static bool text_add_page(struct text_image *t, uintptr_t va, pfn_t pfn,
			  unsigned int flags)
{
	if (t->npages == t->capacity) {
		unsigned int cap = t->capacity ? t->capacity * 2 : 16;
		struct text_page *pages = kmalloc(cap * sizeof(*pages));
		if (pages == NULL)
			return false;
		if (t->npages)
			memcpy(pages, t->pages, t->npages * sizeof(*pages));
		kfree(t->pages);
		t->pages = pages;
		t->capacity = cap;
	}
	pfn_to_page(pfn)->refcount++;           /* the image's reference */
	t->pages[t->npages++] = (struct text_page){ va, pfn, flags };
	return true;
}

void text_put(struct text_image *t)
{
	if (t == NULL || --t->users > 0)
		return;
	for (unsigned int i = 0; i < t->npages; i++)
		user_page_release(t->pages[i].pfn);
	LIST_REMOVE(t, link);
	kfree(t->pages);
	kfree(t);
	kstat_dec(KStatTextImages);
}

/* Maps an existing image's frames into p. */
static enum status text_map(struct proc *p, struct text_image *t)
{
	for (unsigned int i = 0; i < t->npages; i++) {
		const struct text_page *tp = &t->pages[i];
		if (!as_map(&p->as, tp->va, tp->pfn, tp->flags))
			return StatusNoMemory;
		pfn_to_page(tp->pfn)->refcount++;
		p->user_pages++;
	}
	return StatusOk;
}

static struct text_image *text_find(const void *file)
{
	struct text_image *t;

	LIST_FOREACH(t, &text_images, link)
		if (t->file == file)
			return t;
	return NULL;
}

static unsigned int segment_flags(uint32_t pflags)
{
	return ((pflags & PF_W) ? MAP_WRITE : 0) | ((pflags & PF_X) ? MAP_EXEC : 0);
}

/* Maps and fills the pages of one validated segment; read-only pages are
 * recorded in the text image t. */
static enum status load_segment(struct proc *p, const uint8_t *file,
				const struct elf_segment *seg,
				struct text_image *t)
{
	uintptr_t start = seg->vaddr & PAGE_MASK;
	uintptr_t end = (seg->vaddr + seg->memsz + PAGE_SIZE - 1) & PAGE_MASK;

	for (uintptr_t va = start; va < end; va += PAGE_SIZE) {
		uint8_t *page;

		if (!map_new_page(p, va, segment_flags(seg->flags), (void **)&page))
			return StatusNoMemory;
		if (t != NULL && !text_add_page(t, va, as_translate(&p->as, va, NULL),
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

enum status exec_load(struct proc *p, const void *file, uint64_t size,
		      uintptr_t *entry)
{
	static const struct elf_limits limits = {
		.text_base = TEXT_BASE, .text_end = TEXT_END,
		.data_base = DATA_BASE, .data_end = DATA_END,
		.max_segments = ELF_MAX_SEGMENTS,
	};
	struct elf_image img;
	enum status st = elf_parse(file, size, &limits, &img);

	if (st != StatusOk)
		return st;
	struct text_image *t = text_find(file);
	bool shared = t != NULL;
	if (t == NULL) {
		if ((t = kzalloc(sizeof(*t))) == NULL)
			return StatusNoMemory;
		kstat_inc(KStatTextImages);
		t->file = file;
		LIST_INSERT_HEAD(&text_images, t, link);
	}
	t->users++;
	p->text = t;                 /* put by proc_free_memory, also on failure */
	if (shared)
		st = text_map(p, t);
	for (unsigned int i = 0; st == StatusOk && i < img.nsegments; i++) {
		bool text = !(img.seg[i].flags & PF_W);
		if (text && shared)
			continue;
		st = load_segment(p, file, &img.seg[i], text ? t : NULL);
	}
	*entry = img.entry;
	return st;
}
