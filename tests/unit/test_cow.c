/*
 * The copy-on-write rules of kernel/mm/region.c on the host (ASan +
 * UBSan), with real frames (buddy, struct page refcounts) under a fake
 * address space that stands in for the page tables: fork shares every
 * frame read-only; a write to a shared frame copies it, the last holder's
 * write does not; faults outside the writable regions are refused; out of
 * memory changes nothing; and when every holder is gone every frame is
 * back in the allocator.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "fake_memory.h"
#include <kernel/region.h>
#include <kernel/exec.h>
#include <arch/trap.h>

#define NPAGES 256
#define MAPS_MAX 64

/* ---- the fake address space: a short list of (va, pfn, flags) ---------- */

struct fake_map {
	uintptr_t va;
	pfn_t pfn;
	unsigned int flags;
};

static struct fake_as {
	struct fake_map map[MAPS_MAX];
	int n;
	int live;
} spaces[4];
static int next_space;

static struct fake_as *fake(const struct addrspace *as)
{
	return &spaces[as->user_l3];
}

bool as_create(struct addrspace *as)
{
	as->user_l3 = (pfn_t)next_space;
	spaces[next_space] = (struct fake_as){ .live = 1 };
	next_space++;
	return true;
}

static struct fake_map *find(const struct addrspace *as, uintptr_t va)
{
	struct fake_as *f = fake(as);

	for (int i = 0; i < f->n; i++)
		if (f->map[i].va == va)
			return &f->map[i];
	return NULL;
}

bool as_map(struct addrspace *as, uintptr_t va, pfn_t pfn, unsigned int flags)
{
	struct fake_map *m = find(as, va);
	struct fake_as *f = fake(as);

	if (m == NULL) {
		if (f->n == MAPS_MAX)
			return false;
		m = &f->map[f->n++];
	}
	*m = (struct fake_map){ va, pfn, flags };
	return true;
}

bool as_map_run(struct addrspace *as, uintptr_t va, const pfn_t *pfns,
		unsigned int n, unsigned int flags)
{
	for (unsigned int i = 0; i < n; i++)
		if (!as_map(as, va + i * PAGE_SIZE, pfns[i], flags))
			return false;
	return true;
}

bool as_protect(struct addrspace *as, uintptr_t va, unsigned int flags)
{
	struct fake_map *m = find(as, va);

	if (m == NULL)
		return false;
	m->flags = flags;
	return true;
}

pfn_t as_translate(const struct addrspace *as, uintptr_t va,
		   unsigned int *flags)
{
	struct fake_map *m = find(as, va & PAGE_MASK);

	if (m == NULL)
		return PFN_NONE;
	if (flags)
		*flags = m->flags;
	return m->pfn;
}

bool as_fork(struct addrspace *child, const struct addrspace *parent,
		 void (*share)(pfn_t pfn))
{
	struct fake_as *p = fake(parent), *c = fake(child);

	for (int i = 0; i < p->n; i++) {
		p->map[i].flags &= ~MAP_WRITE;
		c->map[c->n++] = p->map[i];
		share(p->map[i].pfn);
	}
	return true;
}

void as_destroy(struct addrspace *as, void (*release)(pfn_t pfn))
{
	struct fake_as *f = fake(as);

	for (int i = 0; i < f->n; i++)
		release(f->map[i].pfn);
	f->n = 0;
	f->live = 0;
}

/* The time page (region_map_time_page): not used by these tests. */
pfn_t time_page_pfn(void)
{
	return PFN_NONE;
}

pfn_t as_global_l1(uintptr_t va, pfn_t frame)
{
	(void)va;
	(void)frame;
	return PFN_NONE;
}

bool as_hook_l1(struct addrspace *as, uintptr_t va, pfn_t l1)
{
	(void)as;
	(void)va;
	(void)l1;
	return false;
}

void text_put(struct text_image *t)
{
	(void)t;
}

/* ---- helpers ------------------------------------------------------------ */

#define DATA_VA  (DATA_BASE + 0x3000)
#define HEAP_VA  (HEAP_BASE + 0x5000)
#define STACK_VA (STACK_TOP - PAGE_SIZE)
#define TEXT_VA  (TEXT_BASE)

static uint64_t start_free;

static void setup(void)
{
	fake_memory_init(NPAGES);
	buddy_add_range(1, NPAGES);
	start_free = buddy_free_pages();
	next_space = 0;
}

static uint64_t *word(struct vm *vm, uintptr_t va)
{
	return (uint64_t *)pfn_to_va(as_translate(&vm->as, va, NULL));
}

static unsigned int refs(struct vm *vm, uintptr_t va)
{
	return pfn_to_page(as_translate(&vm->as, va, NULL))->refcount;
}

static bool writable(struct vm *vm, uintptr_t va)
{
	unsigned int flags = 0;

	as_translate(&vm->as, va, &flags);
	return flags & MAP_WRITE;
}

/* A parent with a data, a heap and a stack page (demand-zero faults), and
 * a read-only text page; then its fork. */
static void parent_and_child(struct vm *parent, struct vm *child)
{
	CHECK(vm_create(parent));
	CHECK(region_map_new_page(parent, DATA_VA, MAP_WRITE, NULL));
	CHECK(region_fault(parent, HEAP_VA + 8, PF_WRITE | PF_USER));
	CHECK(region_fault(parent, STACK_VA, PF_USER));
	CHECK(region_map_new_page(parent, TEXT_VA, MAP_EXEC, NULL));
	*word(parent, DATA_VA) = 0xda7a;
	*word(parent, HEAP_VA) = 0x4ea9;
	CHECK(vm_create(child));
	CHECK(as_fork(&child->as, &parent->as, user_page_share));
	child->user_pages = parent->user_pages;
}

/* ---- tests ---------------------------------------------------------------- */

static void test_fork_shares_every_frame(void)
{
	struct vm parent, child;

	setup();
	parent_and_child(&parent, &child);
	uintptr_t vas[] = { DATA_VA, HEAP_VA, STACK_VA, TEXT_VA };
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(refs(&parent, vas[i]), 2);
		CHECK(as_translate(&parent.as, vas[i], NULL) ==
		      as_translate(&child.as, vas[i], NULL));
		CHECK(!writable(&parent, vas[i]) && !writable(&child, vas[i]));
	}
	CHECK_EQ(buddy_free_pages(), start_free - 4);
	vm_destroy(&child);
	vm_destroy(&parent);
	CHECK_EQ(buddy_free_pages(), start_free);
}

static void test_write_copies_then_last_holder_does_not(void)
{
	struct vm parent, child;

	setup();
	parent_and_child(&parent, &child);
	uint64_t before = buddy_free_pages();
	pfn_t shared = as_translate(&parent.as, DATA_VA, NULL);

	CHECK(region_fault(&child, DATA_VA + 16, PF_PRESENT | PF_WRITE | PF_USER));
	CHECK_EQ(buddy_free_pages(), before - 1);
	CHECK(as_translate(&child.as, DATA_VA, NULL) != shared);
	CHECK(writable(&child, DATA_VA));
	CHECK_EQ(*word(&child, DATA_VA), 0xda7a);      /* a true copy */
	CHECK_EQ(refs(&child, DATA_VA), 1);
	CHECK_EQ(pfn_to_page(shared)->refcount, 1);
	CHECK(!writable(&parent, DATA_VA));

	/* The parent is now the frame's last holder: no copy. */
	CHECK(region_fault(&parent, DATA_VA, PF_PRESENT | PF_WRITE | PF_USER));
	CHECK_EQ(buddy_free_pages(), before - 1);
	CHECK(as_translate(&parent.as, DATA_VA, NULL) == shared);
	CHECK(writable(&parent, DATA_VA));

	*word(&child, DATA_VA) = 1;
	CHECK_EQ(*word(&parent, DATA_VA), 0xda7a);     /* isolated */
	vm_destroy(&parent);
	vm_destroy(&child);
	CHECK_EQ(buddy_free_pages(), start_free);
}

static void test_faults_outside_writable_regions_refused(void)
{
	struct vm parent, child;

	setup();
	parent_and_child(&parent, &child);
	uint64_t before = buddy_free_pages();

	CHECK(!region_fault(&child, TEXT_VA, PF_PRESENT | PF_WRITE | PF_USER));
	CHECK(!region_fault(&child, DATA_VA, PF_PRESENT | PF_USER)); /* a read */
	CHECK(!region_fault(&child, DATA_END, PF_WRITE | PF_USER));  /* no region */
	CHECK(!region_fault(&child, DATA_BASE, PF_WRITE | PF_USER)); /* data is not demand-zero */
	CHECK(!region_fault(&child, USER_TOP + 4096, PF_WRITE));
	CHECK_EQ(buddy_free_pages(), before);
	CHECK_EQ(refs(&child, TEXT_VA), 2);
	vm_destroy(&parent);
	vm_destroy(&child);
	CHECK_EQ(buddy_free_pages(), start_free);
}

static void test_out_of_memory_changes_nothing(void)
{
	struct vm parent, child;
	pfn_t hoard[NPAGES];
	int n = 0;

	setup();
	parent_and_child(&parent, &child);
	while ((hoard[n] = buddy_alloc(0)) != PFN_NONE)
		n++;
	pfn_t shared = as_translate(&child.as, HEAP_VA, NULL);
	CHECK(!region_cow(&child, HEAP_VA));
	CHECK(as_translate(&child.as, HEAP_VA, NULL) == shared);
	CHECK(!writable(&child, HEAP_VA));
	CHECK_EQ(pfn_to_page(shared)->refcount, 2);
	while (n > 0)
		buddy_free(hoard[--n], 0);
	CHECK(region_cow(&child, HEAP_VA));        /* and it works afterwards */
	vm_destroy(&parent);
	vm_destroy(&child);
	CHECK_EQ(buddy_free_pages(), start_free);
}

static void test_three_holders(void)
{
	struct vm a, b, c;

	setup();
	parent_and_child(&a, &b);
	CHECK(vm_create(&c));
	CHECK(as_fork(&c.as, &a.as, user_page_share));
	CHECK_EQ(refs(&a, STACK_VA), 3);
	uint64_t before = buddy_free_pages();
	CHECK(region_cow(&b, STACK_VA));
	CHECK(region_cow(&a, STACK_VA));
	CHECK_EQ(buddy_free_pages(), before - 2);
	CHECK(region_cow(&c, STACK_VA));            /* the last: no copy */
	CHECK_EQ(buddy_free_pages(), before - 2);
	CHECK(writable(&a, STACK_VA) && writable(&b, STACK_VA) &&
	      writable(&c, STACK_VA));
	vm_destroy(&b);
	vm_destroy(&a);
	vm_destroy(&c);
	CHECK_EQ(buddy_free_pages(), start_free);
}

/* A lone heap fault maps one page; one right above a mapped page maps a
 * run (up to 16), which stops at a mapped page and at the 2 MiB line. */
static void test_fault_around(void)
{
	struct vm vm;
	uintptr_t base = HEAP_BASE + 0x10000;

	setup();
	CHECK(vm_create(&vm));
	uint64_t before = buddy_free_pages();
	CHECK(region_fault(&vm, base, PF_WRITE | PF_USER));
	CHECK_EQ(before - buddy_free_pages(), 1);
	CHECK(region_map_new_page(&vm, base + 6 * PAGE_SIZE, MAP_WRITE, NULL));
	before = buddy_free_pages();
	CHECK(region_fault(&vm, base + PAGE_SIZE, PF_WRITE | PF_USER));
	CHECK_EQ(before - buddy_free_pages(), 5);    /* pages 1..5, not 6 */
	for (int i = 1; i <= 5; i++)
		CHECK(as_translate(&vm.as, base + i * PAGE_SIZE, NULL) != PFN_NONE);
	/* Near the end of a 2 MiB range: the run stops at the line. */
	uintptr_t edge = HEAP_BASE + (1UL << 21) - 3 * PAGE_SIZE;
	CHECK(region_fault(&vm, edge, PF_WRITE | PF_USER));
	before = buddy_free_pages();
	CHECK(region_fault(&vm, edge + PAGE_SIZE, PF_WRITE | PF_USER));
	CHECK_EQ(before - buddy_free_pages(), 2);
	CHECK_EQ(vm.user_pages, 1 + 1 + 5 + 1 + 2);
	vm_destroy(&vm);
	CHECK_EQ(buddy_free_pages(), start_free);
}

int main(void)
{
	RUN(test_fault_around);
	RUN(test_fork_shares_every_frame);
	RUN(test_write_copies_then_last_holder_does_not);
	RUN(test_faults_outside_writable_regions_refused);
	RUN(test_out_of_memory_changes_nothing);
	RUN(test_three_holders);
	UNIT_EXIT();
}
