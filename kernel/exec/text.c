/* Shared text images; see <kernel/exec.h>. */
#include <stddef.h>
#include <kernel/exec.h>
#include <kernel/region.h>
#include <kernel/proc.h>
#include <kernel/kstring.h>
#include <kernel/queue.h>
#include <kernel/kstat.h>

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

struct text_image *text_get(const void *file, bool *shared)
{
	struct text_image *t;

	LIST_FOREACH(t, &text_images, link)
		if (t->file == file)
			break;
	*shared = t != NULL;
	if (t == NULL) {
		if ((t = kzalloc(sizeof(*t))) == NULL)
			return NULL;
		kstat_inc(KStatTextImages);
		t->file = file;
		LIST_INSERT_HEAD(&text_images, t, link);
	}
	t->users++;
	return t;
}

bool text_add_page(struct text_image *t, uintptr_t va, pfn_t pfn,
		   unsigned int flags)
{
	if (t->npages == t->capacity) {
		unsigned int cap = t->capacity ? t->capacity * 2 : 16;
		struct text_page *pages = krealloc(t->pages,
						   t->npages * sizeof(*pages),
						   cap * sizeof(*pages));
		if (pages == NULL)
			return false;
		t->pages = pages;
		t->capacity = cap;
	}
	pfn_to_page(pfn)->refcount++;           /* the image's reference */
	t->pages[t->npages++] = (struct text_page){ va, pfn, flags };
	return true;
}

void text_share(struct text_image *t)
{
	if (t != NULL)
		t->users++;
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

/* How many pages from i on form one run as_map_run can take: consecutive
 * addresses, the same flags, one L1 table. */
static unsigned int run_length(const struct text_image *t, unsigned int i)
{
	const struct text_page *first = &t->pages[i];
	unsigned int n = 1;

	while (i + n < t->npages && n < 64) {
		const struct text_page *tp = &t->pages[i + n];
		if (tp->va != first->va + n * PAGE_SIZE || tp->flags != first->flags ||
		    (tp->va >> 21) != (first->va >> 21))
			break;
		n++;
	}
	return n;
}

/* The image's pages go in by runs, one mmu_update batch each, rather than
 * one hypercall per page. */
enum status text_map(struct vm *vm, struct text_image *t)
{
	pfn_t pfns[64];

	for (unsigned int i = 0; i < t->npages;) {
		unsigned int n = run_length(t, i);

		for (unsigned int k = 0; k < n; k++)
			pfns[k] = t->pages[i + k].pfn;
		if (!as_map_run(&vm->as, t->pages[i].va, pfns, n, t->pages[i].flags))
			return StatusNoMemory;
		for (unsigned int k = 0; k < n; k++)
			pfn_to_page(pfns[k])->refcount++;
		vm->user_pages += n;
		i += n;
	}
	return StatusOk;
}
