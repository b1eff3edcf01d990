# Host tests of the buddy allocator's structure and of the slob's classes
# and misuse checks (tests/unit/test_buddy.c, test_slob.c).  The random
# workloads against a reference model, the benchmark against glibc and the
# libFuzzer target for the same allocators are in alloc.mk.
MM_SRCS := tests/unit/fake_memory.c kernel/mm/buddy.c kernel/mm/slob.c \
	kernel/mm/page.c

UNIT_TESTS += buddy slob
UNIT_buddy_SRCS := tests/unit/test_buddy.c $(MM_SRCS)
UNIT_slob_SRCS := tests/unit/test_slob.c $(MM_SRCS)
