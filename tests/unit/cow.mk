# Copy-on-write rules of kernel/mm/region.c (fork sharing, copy on write,
# the last holder's write without a copy) over real frames and a fake
# address space (tests/unit/test_cow.c).
UNIT_TESTS += cow
UNIT_cow_SRCS := tests/unit/test_cow.c kernel/mm/region.c tests/unit/fake_memory.c \
	kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c
