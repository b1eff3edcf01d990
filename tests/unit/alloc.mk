UNIT_TESTS += alloc
UNIT_alloc_SRCS := tests/unit/test_alloc.c tests/unit/fake_memory.c \
	kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c
BENCHES += alloc
BENCH_alloc_SRCS := tests/unit/bench_alloc.c tests/unit/fake_memory.c \
	kernel/mm/buddy.c kernel/mm/slob.c kernel/mm/page.c
